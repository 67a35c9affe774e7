//! Every rule has a fixture plan that triggers it and a near miss that must
//! not; the rendered text and JSON of both are snapshots.

use std::path::{Path, PathBuf};

use trustdrift::config::Policy;
use trustdrift::model::severity::Severity;
use trustdrift::report::{self, Summary};
use trustdrift::rules::{Finding, RULES};

fn fixture_dir(code: &str) -> PathBuf {
    Path::new("testdata/rules").join(code)
}

fn policy_for(code: &str) -> Policy {
    let path = fixture_dir(code).join("policy.hcl");
    let known = trustdrift::rules::registry::codes();
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            Policy::parse(&path.to_string_lossy(), &text, &known).expect("fixture policy parses")
        }
        Err(_) => Policy::builtin(&known).expect("built-in policy parses"),
    }
}

fn run(code: &str, file: &str) -> Vec<Finding> {
    let path = fixture_dir(code).join(file).to_string_lossy().into_owned();
    let scan = trustdrift::scan(&[path], &Default::default(), &mut std::io::empty())
        .expect("fixture scans");
    // A fixture with a `base.hcl` is judged by that base policy, with
    // `policy.hcl` as the change's policy for the trigger and the base
    // itself for the near miss.
    let base_path = fixture_dir(code).join("base.hcl");
    if let Ok(text) = std::fs::read_to_string(&base_path) {
        let known = trustdrift::rules::registry::codes();
        let base = Policy::parse(&base_path.to_string_lossy(), &text, &known)
            .expect("fixture base policy parses");
        let head = if file == "trigger.json" {
            policy_for(code)
        } else {
            base.clone()
        };
        let defaults: Vec<(&str, Severity)> = RULES.iter().map(|r| (r.code, r.severity)).collect();
        let changes = trustdrift::config::weakenings(&base, &head, &defaults);
        let findings = trustdrift::check_with(&scan, &base, &changes);
        return suppressed(&scan, &base, findings);
    }
    // Every fixture is judged on a fixed day; one with a `baseline.json` is
    // judged against it (drift rules).
    let baseline_path = fixture_dir(code).join("baseline.json");
    let loaded = baseline_path
        .is_file()
        .then(|| trustdrift::baseline::Loaded::read(&baseline_path).expect("fixture baseline"));
    let policy = policy_for(code);
    let findings = trustdrift::judge(
        &scan,
        &trustdrift::Judge {
            policy: &policy,
            policy_changes: &[],
            baseline: loaded.as_ref(),
            today: trustdrift::model::date::Date::parse("2026-12-01").expect("date"),
            all: true,
        },
    )
    .findings;
    suppressed(&scan, &policy, findings)
}

/// The findings that count once suppressions are applied, as a run applies
/// them (TD902 is judged there).
fn suppressed(scan: &trustdrift::Scan, policy: &Policy, findings: Vec<Finding>) -> Vec<Finding> {
    let mut suppressions = trustdrift::suppress::from_policy(policy);
    suppressions.extend(trustdrift::suppress::inline(&scan.sources));
    trustdrift::suppress::apply(findings, &suppressions, "2026-12-01", policy).findings
}

fn snapshot(code: &str, kind: &str, findings: &[Finding]) {
    let summary = Summary::of(findings, Some(Severity::High));
    insta::assert_snapshot!(
        format!("{code}_{kind}_text"),
        report::text::render(findings, &summary, false, &|_: &str| None)
    );
    insta::assert_snapshot!(
        format!("{code}_{kind}_json"),
        report::json::render(findings, &summary)
    );
}

#[test]
fn every_rule_has_fixtures() {
    for rule in RULES {
        for file in ["trigger.json", "near_miss.json"] {
            assert!(
                fixture_dir(rule.code).join(file).is_file(),
                "{} has no {file}",
                rule.code
            );
        }
    }
}

#[test]
fn triggers_fire_and_near_misses_do_not() {
    for rule in RULES {
        let fired = run(rule.code, "trigger.json");
        assert!(
            fired.iter().any(|f| f.rule == rule.code),
            "{} did not fire on its trigger",
            rule.code
        );
        snapshot(rule.code, "trigger", &fired);

        let quiet = run(rule.code, "near_miss.json");
        let wrong: Vec<&Finding> = quiet.iter().filter(|f| f.rule == rule.code).collect();
        assert!(
            wrong.is_empty(),
            "{} fired on its near miss: {wrong:#?}",
            rule.code
        );
        snapshot(rule.code, "near_miss", &quiet);
    }
}

#[test]
fn scoped_trust_passes_every_rule() {
    // The forms peers flag wrongly: these near misses must produce no finding at all.
    for code in ["TD001", "TD002", "TD003", "TD004", "TD006", "TD007"] {
        let findings = run(code, "near_miss.json");
        assert!(
            findings.is_empty(),
            "{code} near miss has findings: {findings:#?}"
        );
    }
}

#[test]
fn no_rule_reads_raw_conditions() {
    // Rules judge who is admitted (analyze::admission), never condition
    // operators, keys or values one by one.
    let mut checked = 0;
    for entry in std::fs::read_dir("src/rules").expect("src/rules") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("rule source");
        for forbidden in [
            ".conditions",
            "policy::Condition",
            "Operator",
            "unknown_refs",
            "Condition {",
        ] {
            assert!(
                !text.contains(forbidden),
                "{} reads raw conditions ({forbidden})",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= RULES.len());
}
