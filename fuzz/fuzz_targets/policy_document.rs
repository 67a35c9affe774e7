//! IAM policy documents, as a trust policy string holds them: the quick
//! read (one reading when no key is written twice) gives what the careful
//! read (both readings, always) gives, and each statement's text is laid
//! out for a reviewer as serde_json lays out its value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustdrift::model::policy::PolicyDocument;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let quick = PolicyDocument::parse(text);
        assert_eq!(quick, PolicyDocument::parse_careful(text));
        for s in quick.iter().flat_map(|d| &d.statements) {
            let value: serde_json::Value =
                serde_json::from_str(&s.raw).expect("a statement's text is JSON");
            // A number may read back one unit in the last place off (the
            // reason the layout works on the text): compare where it does not.
            if serde_json::to_string(&value).ok().as_deref() == Some(&*s.raw) {
                assert_eq!(
                    trustdrift::model::json::pretty(&s.raw),
                    serde_json::to_string_pretty(&value).expect("writes")
                );
            }
        }
    }
});
