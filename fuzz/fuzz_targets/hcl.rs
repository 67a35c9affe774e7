//! Terraform HCL: parsed and evaluated from a one-file root module.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir_in(std::env::var_os("FUZZ_TMP").unwrap_or("/tmp".into()))
    else {
        return;
    };
    if std::fs::write(dir.path().join("main.tf"), data).is_err() {
        return;
    }
    if let Ok(ingested) =
        trustdrift::ingest::hcl::load(dir.path(), &trustdrift::HclOptions::default())
    {
        let scan = trustdrift::scan_ingested(ingested);
        if let Ok(policy) =
            trustdrift::config::Policy::builtin(&trustdrift::rules::registry::codes())
        {
            let _ = trustdrift::check(&scan, &policy);
        }
    }
});
