//! IAM policy documents, as a trust policy string holds them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = trustdrift::model::policy::PolicyDocument::parse(text);
    }
});
