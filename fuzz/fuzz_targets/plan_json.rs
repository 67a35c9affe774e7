//! Plan and state JSON, read and judged end to end.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(ingested) = trustdrift::ingest::plan::parse("fuzz.json", data) {
        let scan = trustdrift::scan_ingested(ingested);
        if let Ok(policy) =
            trustdrift::config::Policy::builtin(&trustdrift::rules::registry::codes())
        {
            let findings = trustdrift::check(&scan, &policy);
            let summary = trustdrift::report::Summary::of(&findings, None);
            let _ = trustdrift::report::text::render(&findings, &summary, true, &|_: &str| None);
            let _ = trustdrift::report::json::render(&findings, &summary);
            let grants = trustdrift::grants_of(&scan, &policy);
            let _ = trustdrift::report::inventory::render_text(&scan.inventory, &grants);
        }
    }
});
