//! IAM policy documents, as a trust policy string holds them: the quick
//! read (one reading when no key is written twice) gives what the careful
//! read (both readings, always) gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustdrift::model::policy::PolicyDocument;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        assert_eq!(
            PolicyDocument::parse(text),
            PolicyDocument::parse_careful(text)
        );
    }
});
