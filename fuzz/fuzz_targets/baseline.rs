//! The baseline snapshot reader: what it accepts round-trips, and its quick
//! reader (for files as trustdrift writes them) reads exactly what the
//! careful reader does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustdrift::baseline::Baseline;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(b) = Baseline::parse("fuzz.json", text) {
            let careful = Baseline::parse_carefully("fuzz.json", text)
                .expect("the careful reader takes what the quick reader took");
            assert_eq!(careful, b);
            let bytes = b.to_bytes();
            let own = std::str::from_utf8(&bytes).expect("own output is UTF-8");
            let again = Baseline::parse("again.json", own).expect("own output parses");
            assert_eq!(again.to_bytes(), bytes);
            assert_eq!(
                Baseline::parse_carefully("again.json", own).expect("careful reads own output"),
                again
            );
        }
    }
});
