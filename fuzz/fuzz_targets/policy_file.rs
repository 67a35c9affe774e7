//! The policy file (`.trustdrift.hcl`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let codes = trustdrift::rules::registry::codes();
        let _ = trustdrift::config::Policy::parse("fuzz.hcl", text, &codes);
    }
});
