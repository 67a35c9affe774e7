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

/// A plan of one role whose trust names `principals` in this order, with
/// `pretty` choosing the JSON layout of the policy string.
fn one_role_plan(principals: &[String], pretty: bool) -> Vec<u8> {
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"}]});
    let text = if pretty {
        serde_json::to_string_pretty(&policy).expect("json")
    } else {
        policy.to_string()
    };
    serde_json::to_vec(
        &serde_json::json!({"format_version": "1.2", "resource_changes": [{
        "address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
        "change": {"actions": ["create"], "before": null,
            "after": {"name": "r", "assume_role_policy": text}, "after_unknown": {}}}]}),
    )
    .expect("plan")
}

fn entries(plan: &[u8]) -> std::collections::BTreeMap<String, Entry> {
    let scan =
        trustdrift::scan_ingested(trustdrift::ingest::plan::parse("p.json", plan).expect("plan"));
    let policy =
        trustdrift::config::Policy::builtin(&trustdrift::rules::registry::codes()).expect("policy");
    trustdrift::entries_of(&trustdrift::grants_of(&scan, &policy))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn grant_keys_and_content_do_not_depend_on_order_or_layout(
        accounts in prop::collection::btree_set(100_000_000_000u64..999_999_999_999, 1..6),
        pretty in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut principals: Vec<String> = accounts.iter().map(|a| format!("arn:aws:iam::{a}:root")).collect();
        let a = entries(&one_role_plan(&principals, false));
        // Another order (rotated by the seed), another layout.
        let n = principals.len();
        principals.rotate_left((seed as usize) % n);
        let b = entries(&one_role_plan(&principals, pretty));
        prop_assert_eq!(&a, &b);
        // Drift of a grant set against itself is empty.
        let d = trustdrift::analyze::drift::diff(&a, &a, &Default::default());
        prop_assert!(d.grants.values().all(|g| g.class == trustdrift::analyze::drift::DriftClass::Unchanged));
    }

    #[test]
    fn widened_and_narrowed_are_mirror_images(
        before in prop::collection::btree_set(100_000_000_000u64..100_000_000_020, 1..5),
        after in prop::collection::btree_set(100_000_000_000u64..100_000_000_020, 1..5),
    ) {
        use trustdrift::analyze::drift::{DriftClass, diff};
        // One role trusting several accounts through one principal list:
        // each account is its own grant, so compare one grant's admitted set
        // built with an aws:PrincipalAccount condition instead.
        let doc = |accounts: &std::collections::BTreeSet<u64>| {
            let list: Vec<String> = accounts.iter().map(|a| a.to_string()).collect();
            serde_json::json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:PrincipalAccount": list}}}]}).to_string()
        };
        let plan = |accounts| serde_json::to_vec(&serde_json::json!({"format_version": "1.2", "resource_changes": [{
            "address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
            "change": {"actions": ["create"], "before": null,
                "after": {"name": "r", "assume_role_policy": doc(accounts)}, "after_unknown": {}}}]})).expect("plan");
        let (b, a) = (entries(&plan(&before)), entries(&plan(&after)));
        let forward = diff(&b, &a, &Default::default());
        let backward = diff(&a, &b, &Default::default());
        for (key, g) in &forward.grants {
            let mirrored = backward.class_of(key);
            let expect = match g.class {
                DriftClass::Widened if after.is_superset(&before) => Some(DriftClass::Narrowed),
                DriftClass::Narrowed => Some(DriftClass::Widened),
                DriftClass::Unchanged => Some(DriftClass::Unchanged),
                // Grown one way and shrunk the other: widened both ways.
                DriftClass::Widened => Some(DriftClass::Widened),
                // One grant, the same key on both sides.
                DriftClass::Added | DriftClass::Removed => None,
            };
            prop_assert_eq!(mirrored, expect, "{:?} → {:?}", before, after);
        }
        prop_assert_eq!(
            forward.class_of("aws_iam_role.r|AWS:*") == Some(DriftClass::Widened),
            !after.is_subset(&before)
        );
    }
}
