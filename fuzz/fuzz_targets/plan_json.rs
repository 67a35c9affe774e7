//! Plan and state JSON, read and judged end to end; and the top level read
//! in pieces held to the same read whole.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (split, members, whole) = trustdrift::ingest::plan::top_level_reads(text);
        if split.is_some() {
            assert_eq!(split, members, "read in pieces differs from member by member");
        }
        match (&members, &whole) {
            (Some(m), Ok(w)) => assert_eq!(m, w, "member by member differs from whole"),
            (None, Err(_)) => {}
            // Read member by member, a value may nest one level deeper than
            // serde_json allows the whole text.
            (Some(_), Err(e)) => assert!(e.contains("recursion limit"), "{e}"),
            (None, Ok(_)) => panic!("reads whole but not member by member"),
        }
    }
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
