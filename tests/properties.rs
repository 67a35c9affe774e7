//! Property tests over the entry points that take hostile input: whatever
//! the bytes, they answer with a value or an error, never a panic, and the
//! invariants a reviewer relies on hold.

use proptest::prelude::*;

use trustdrift::baseline::{Baseline, Entry, EntryKind};
use trustdrift::model::date::Date;
use trustdrift::model::policy::PolicyDocument;

/// JSON-ish text: fragments of plans and policies glued at random, so the
/// parsers see both near-valid documents and garbage.
fn jsonish() -> impl Strategy<Value = String> {
    let fragments = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "\\",
        "\\u0000",
        "\u{1b}",
        "null",
        "true",
        "1e999",
        "-0",
        "\"Statement\"",
        "\"Effect\"",
        "\"Allow\"",
        "\"Deny\"",
        "\"Principal\"",
        "\"AWS\"",
        "\"*\"",
        "\"Action\"",
        "\"sts:AssumeRole\"",
        "\"Condition\"",
        "\"StringEquals\"",
        "\"aws:PrincipalOrgID\"",
        "\"format_version\"",
        "\"1.2\"",
        "\"resource_changes\"",
        "\"change\"",
        "\"after\"",
        "\"actions\"",
        "\"create\"",
        "\"type\"",
        "\"aws_iam_role\"",
        "\"address\"",
        "\"assume_role_policy\"",
        "\"version\"",
        "\"entries\"",
        "\"arn:aws:iam::111122223333:root\"",
        " ",
        "\n",
    ]);
    prop::collection::vec(fragments, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn plan_json_never_panics(text in jsonish()) {
        if let Ok(ing) = trustdrift::ingest::plan::parse("p.json", text.as_bytes()) {
            let scan = trustdrift::scan_ingested(ing);
            let policy = trustdrift::config::Policy::builtin(&trustdrift::rules::registry::codes())
                .expect("built-in policy");
            let _ = trustdrift::check(&scan, &policy);
        }
    }

    #[test]
    fn policy_documents_never_panic(text in jsonish()) {
        let _ = PolicyDocument::parse(&text);
    }

    #[test]
    fn baseline_reader_never_panics(text in jsonish()) {
        let _ = Baseline::parse("b.json", &text);
    }

    #[test]
    fn policy_file_reader_never_panics(text in "[a-z_\"{}=\\[\\], \n0-9.#-]{0,200}") {
        let _ = trustdrift::config::Policy::parse("p.hcl", &text, &["TD001"]);
    }

    #[test]
    fn baselines_round_trip_byte_for_byte(
        entries in prop::collection::btree_map("[a-z.]{1,12}\\|[A-Z]{2,4}:[a-z0-9:*]{1,20}", "[ -~]{0,20}", 0..20)
    ) {
        let list: Vec<Entry> = entries
            .iter()
            .map(|(k, v)| Entry::new(k.clone(), EntryKind::Trust, "s".into(), serde_json::json!({"v": v})))
            .collect();
        let b = Baseline::new(list.clone());
        let bytes = b.to_bytes();
        let text = String::from_utf8(bytes.clone()).expect("utf8");
        let back = Baseline::parse("b.json", &text).expect("own output parses");
        prop_assert_eq!(back.to_bytes(), bytes.clone());
        // Order of the input does not matter; update with the same grants is a no-op.
        let mut reversed = list.clone();
        reversed.reverse();
        prop_assert_eq!(Baseline::new(reversed).to_bytes(), bytes.clone());
        let (same, summary) = back.update(list);
        prop_assert_eq!(same.to_bytes(), bytes);
        prop_assert!(summary.added.is_empty() && summary.removed.is_empty() && summary.changed.is_empty());
    }

    #[test]
    fn dates_round_trip(days in -100_000i64..2_000_000) {
        let d = Date::from_unix(days * 86_400);
        prop_assert_eq!(Date::parse(&d.to_string()), Some(d));
        prop_assert_eq!(d.plus_days(7).days_since(d), 7);
    }

    #[test]
    fn terminal_safe_leaves_no_control_character(s in "\\PC*|[\u{0}-\u{1f}\u{7f}-\u{9f}\u{202a}-\u{202e}\u{2066}-\u{2069}a-z]{0,40}") {
        let out = trustdrift::report::terminal_safe(&s);
        let unsafe_char = |c: char| {
            (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        };
        prop_assert!(!out.chars().any(unsafe_char), "{:?}", out);
    }

    #[test]
    fn redaction_leaves_no_secret(secret in "[a-zA-Z0-9:/_-]{3,24}", prefix in "[ -~]{0,30}", suffix in "[ -~]{0,30}") {
        let mut secrets = std::collections::BTreeSet::new();
        secrets.insert(secret.clone());
        let report = format!("{prefix}{secret}{suffix}\n{}", serde_json::to_string(&secret).expect("json"));
        let out = trustdrift::report::redact(report, &secrets);
        prop_assert!(!out.contains(&secret), "{}", out);
    }
}
