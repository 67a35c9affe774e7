//! The baseline snapshot reader; what it accepts round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(b) = trustdrift::baseline::Baseline::parse("fuzz.json", text) {
            let bytes = b.to_bytes();
            let again = trustdrift::baseline::Baseline::parse(
                "again.json",
                std::str::from_utf8(&bytes).expect("own output is UTF-8"),
            )
            .expect("own output parses");
            assert_eq!(again.to_bytes(), bytes);
        }
    }
});
