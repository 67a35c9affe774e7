//! Delivery: every report format of one fixture with findings of each
//! family, byte for byte; SARIF against the SARIF 2.1.0 schema; extra
//! reports from one run; GitHub mode with the runner's files in a temp dir;
//! suppressions.

mod git_common;
use git_common::git;

use std::path::Path;
use std::process::{Command, Output};

const FIXTURE: &str = "testdata/delivery";
const TODAY: &str = "2026-06-01";

fn bin() -> &'static Path {
    trycmd::cargo::cargo_bin!("trustdrift")
}

/// The binary with no GitHub runner around it, whatever runs the tests.
fn trustdrift() -> Command {
    let mut c = Command::new(bin());
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
        "GITHUB_EVENT_NAME",
        "GITHUB_EVENT_PATH",
    ] {
        c.env_remove(var);
    }
    c.env("NO_COLOR", "1");
    c
}

/// The fixture is judged against its baseline (drift), every grant shown.
const BASELINE: [&str; 3] = ["--baseline", "testdata/delivery/baseline.json", "--all"];

fn check(args: &[&str]) -> Output {
    trustdrift()
        .args(["check", FIXTURE, "--today", TODAY])
        .args(BASELINE)
        .args(args)
        .output()
        .expect("run trustdrift")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 report")
}

#[test]
fn every_format_of_one_fixture() {
    for format in ["text", "json", "sarif", "markdown", "github"] {
        let out = check(&["--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {:?}", out);
        insta::assert_snapshot!(format!("delivery_{format}"), stdout(&out));
    }
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string("tests/fixtures/sarif-schema-2.1.0.json").expect("schema");
    let text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema JSON");
    // The published schema's `run.language` pattern ends in a stray `]?`,
    // which the check of the schema itself refuses as a regex; that pattern
    // is read as its text means (two letters, optionally `-` two more).
    jsonschema::draft4::new(&schema).expect("schema compiles")
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let validator = schema();
    let runs = [
        check(&["--format", "sarif"]),
        check(&["--format", "sarif", "--no-suppress"]),
        trustdrift()
            .args(["check", "--format", "sarif", "testdata/example/plan.json"])
            .output()
            .expect("run"),
    ];
    for out in runs {
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // What GitHub needs beyond the schema.
        let run = &log["runs"][0];
        for rule in run["tool"]["driver"]["rules"].as_array().expect("rules") {
            for key in ["shortDescription", "fullDescription", "help"] {
                assert!(
                    rule[key]["text"].as_str().is_some_and(|t| !t.is_empty()),
                    "{key} of {}",
                    rule["id"]
                );
            }
            assert!(rule["properties"]["security-severity"].is_string());
        }
        for result in run["results"].as_array().expect("results") {
            let fp = result["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .expect("fingerprint");
            assert!(!fp.is_empty());
            let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri");
            assert!(!uri.starts_with('/') && !uri.contains('\\'), "{uri}");
        }
    }
}

#[test]
fn a_schema_violation_is_caught() {
    // The validator must be able to fail: a result without a message.
    let mut log: serde_json::Value =
        serde_json::from_slice(&check(&["--format", "sarif"]).stdout).expect("SARIF");
    log["runs"][0]["results"][0]
        .as_object_mut()
        .expect("result")
        .remove("message");
    assert!(!schema().is_valid(&log));
}

#[test]
fn fingerprints_hold_when_lines_move() {
    let dir = tempfile::tempdir().expect("tempdir");
    let moved = dir.path().join("tree");
    std::fs::create_dir(&moved).expect("mkdir");
    let text = std::fs::read_to_string(format!("{FIXTURE}/main.tf")).expect("fixture");
    std::fs::write(moved.join("main.tf"), format!("\n\n\n# moved\n{text}")).expect("write");
    std::fs::copy(
        format!("{FIXTURE}/.trustdrift.hcl"),
        moved.join(".trustdrift.hcl"),
    )
    .expect("copy policy");
    let fingerprints = |out: Output| -> Vec<(String, String, u64)> {
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF");
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap_or_default().to_string(),
                    r["partialFingerprints"]["primaryLocationLineHash"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap_or_default(),
                )
            })
            .collect()
    };
    let before = fingerprints(check(&["--format", "sarif"]));
    let after = fingerprints(
        trustdrift()
            .args(["check", "--today", TODAY, "--format", "sarif"])
            .args(BASELINE)
            .arg(&moved)
            .output()
            .expect("run"),
    );
    let keys = |v: &[(String, String, u64)]| {
        let mut k: Vec<(String, String)> =
            v.iter().map(|(a, b, _)| (a.clone(), b.clone())).collect();
        k.sort();
        k
    };
    // TD902 findings sit in the policy file (whose path moved with it),
    // TD208 in the baseline: only main.tf's lines moved.
    let trust = |v: &[(String, String, u64)]| -> Vec<(String, String, u64)> {
        v.iter()
            .filter(|(r, _, _)| r != "TD902" && r != "TD208")
            .cloned()
            .collect()
    };
    assert_eq!(keys(&trust(&before)), keys(&trust(&after)));
    assert!(
        trust(&before)
            .iter()
            .zip(trust(&after).iter())
            .all(|(b, a)| a.2 == b.2 + 4),
        "the lines did move: {before:?} {after:?}"
    );
}

#[test]
fn extra_reports_come_from_the_same_run_and_failed_runs_write_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("out.sarif");
    let md = dir.path().join("summary.md");
    let json = dir.path().join("report.json");
    let out = check(&[
        "--format",
        "json",
        "--output",
        json.to_str().expect("path"),
        "--sarif",
        sarif.to_str().expect("path"),
        "--markdown",
        md.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    for (file, format) in [(&json, "json"), (&sarif, "sarif"), (&md, "markdown")] {
        let alone = check(&["--format", format]);
        assert_eq!(
            std::fs::read(file).expect("written"),
            alone.stdout,
            "{format}"
        );
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 3, "temporary files left: {names:?}");

    let failed_sarif = dir.path().join("failed.sarif");
    let failed = trustdrift()
        .args(["check", "--sarif"])
        .arg(&failed_sarif)
        .arg("testdata/bad/truncated.json")
        .output()
        .expect("run");
    assert_eq!(failed.status.code(), Some(2));
    assert!(!failed_sarif.exists());
}

#[test]
fn scanned_text_cannot_format_mention_or_inject_commands() {
    let md = stdout(&check(&["--format", "markdown"]));
    assert!(
        md.match_indices("<img")
            .all(|(i, _)| md[..i].ends_with('\\')),
        "raw HTML from the input"
    );
    assert!(!md.contains("@octocat"), "a mention from the input");
    assert!(md.contains(
        "\\<img src\\=x onerror\\=alert\\(1\\)\\> @\u{2060}octocat \\`x\\` \\| \\*\\*y\\*\\*"
    ));
    let annotations = stdout(&check(&["--format", "github"]));
    let findings = stdout(&check(&["--format", "json"]));
    let report: serde_json::Value = serde_json::from_str(&findings).expect("JSON");
    let count = report["findings"].as_array().expect("findings").len();
    assert_eq!(annotations.lines().count(), count);
    for line in annotations.lines() {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
    }
    // `%0A` in the input is data, not a line break.
    assert!(annotations.contains("%250A"));
}

#[test]
fn no_suppress_shows_every_finding_and_no_suppression_problems() {
    let judge = |args: &[&str]| -> (Vec<String>, usize) {
        let out = check(&[&["--format", "json"], args].concat());
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let rules = r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
            .collect();
        let held = r["suppressed"].as_array().map(Vec::len).unwrap_or(0);
        (rules, held)
    };
    let (with, held) = judge(&[]);
    assert_eq!(held, 1);
    assert!(!with.contains(&"TD006".to_string()));
    assert_eq!(with.iter().filter(|r| *r == "TD902").count(), 3);
    let (audit, held) = judge(&["--no-suppress"]);
    assert_eq!(held, 0);
    assert!(audit.contains(&"TD006".to_string()));
    assert!(!audit.contains(&"TD902".to_string()));
    // An inline suppression past its expiry stops suppressing.
    let later = trustdrift()
        .args([
            "check",
            FIXTURE,
            "--format",
            "json",
            "--today",
            "2099-02-01",
        ])
        .output()
        .expect("run");
    let later = stdout(&later);
    assert!(later.contains("\"rule\": \"TD006\""));
    assert!(later.contains("the suppression of TD006 expired on 2099-01-31"));
}

/// GitHub mode as the Action runs it: annotations on stdout, the Markdown
/// summary appended to $GITHUB_STEP_SUMMARY, step outputs appended to
/// $GITHUB_OUTPUT, and the pull request's base as the revision whose policy
/// judges the change.
#[test]
fn github_mode_writes_summary_outputs_annotations_and_judges_by_the_base() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    let runner = dir.path().join("runner");
    std::fs::create_dir_all(&repo).expect("mkdir");
    std::fs::create_dir_all(&runner).expect("mkdir");
    git(&repo, &["init", "-q"]);
    std::fs::copy(format!("{FIXTURE}/main.tf"), repo.join("main.tf")).expect("copy");
    std::fs::write(
        repo.join(".trustdrift.hcl"),
        "organization {\n  accounts = [\"111111111111\"]\n}\n",
    )
    .expect("policy");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    let base = git(&repo, &["rev-parse", "HEAD"]);
    // The change adds trust open to everyone, and turns TD001 off in its own
    // policy file: the base's policy judges, and what changed is reported.
    let mut code = std::fs::read_to_string(repo.join("main.tf")).expect("read");
    code.push_str(
        "\nresource \"aws_iam_role\" \"added_in_pr\" {\n  name = \"added-in-pr\"\n  assume_role_policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Principal = { AWS = \"*\" }, Action = \"sts:AssumeRole\" }]\n  })\n}\n",
    );
    std::fs::write(repo.join("main.tf"), code).expect("write");
    std::fs::write(
        repo.join(".trustdrift.hcl"),
        "organization {\n  accounts = [\"111111111111\"]\n}\nrule \"TD001\" {\n  enabled = false\n}\n",
    )
    .expect("policy");
    let summary = runner.join("step_summary.md");
    let outputs = runner.join("output");
    std::fs::write(&summary, "earlier step\n").expect("summary");
    std::fs::write(&outputs, "earlier=1\n").expect("outputs");
    let event = runner.join("event.json");
    std::fs::write(
        &event,
        format!("{{\"pull_request\": {{\"number\": 7, \"base\": {{\"sha\": \"{base}\"}}}}}}"),
    )
    .expect("event");
    let sarif = runner.join("trustdrift.sarif");
    let out = Command::new(bin())
        .current_dir(&repo)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("NO_COLOR", "1")
        .args(["check", ".", "--today", TODAY, "--sarif"])
        .arg(&sarif)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let printed = stdout(&out);
    assert!(
        printed.contains(&format!("Policy: ./.trustdrift.hcl at {base}")),
        "{printed}"
    );
    assert!(
        printed.contains("critical[TD001]"),
        "the base policy keeps TD001 on"
    );
    assert!(printed.contains("TD903"), "the weakening is reported");
    assert!(
        printed.contains("\n::error file=main.tf,line="),
        "{printed}"
    );
    assert!(
        printed.contains("\n::error file=.trustdrift.hcl,line=4,"),
        "{printed}"
    );
    let written = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        written.starts_with("earlier step\n## trustdrift: ❌"),
        "{written}"
    );
    assert!(written.contains("TD001 trust-any-principal"));
    let outputs = std::fs::read_to_string(&outputs).expect("outputs");
    assert_eq!(
        outputs,
        format!(
            "earlier=1\nfindings={}\nhighest-severity=critical\nsarif-file={}\n",
            printed.lines().filter(|l| l.starts_with("::")).count(),
            sarif.display()
        )
    );
    assert!(sarif.exists());

    // Outside a pull request there is no base: the work tree's policy.
    let push = Command::new(bin())
        .current_dir(&repo)
        .env("GITHUB_ACTIONS", "true")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_EVENT_PATH", &event)
        .args(["check", ".", "--today", TODAY])
        .output()
        .expect("run");
    let printed = stdout(&push);
    assert!(printed.contains("turns off TD001"), "{printed}");
    assert!(!printed.contains("TD001]"));
}

#[test]
fn step_outputs_with_line_breaks_use_a_delimiter_not_in_the_value() {
    assert_eq!(trustdrift::run::step_output("a", "x"), "a=x\n");
    assert_eq!(
        trustdrift::run::step_output("a", "x\ntrustdrift_0"),
        "a<<trustdrift_1\nx\ntrustdrift_0\ntrustdrift_1\n"
    );
}

#[test]
fn a_broken_event_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let event = dir.path().join("event.json");
    std::fs::write(&event, "{\"pull_request\": {\"base\": {}}}").expect("event");
    let out = trustdrift()
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .args(["check", "--github", "--today", TODAY, FIXTURE])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("event.json: a pull_request event without pull_request.base.sha"),
        "{err}"
    );
}

/// Microsoft's SARIF Multitool, as GitHub checks uploads: the schema and
/// GitHub's ingestion rules (`--rule-kind "Gh;Sarif"`). `.ci/run` installs
/// it into `.ci/node`; without it this test says so and passes, unless
/// `TRUSTDRIFT_REQUIRE_LINTERS` is set.
fn multitool_problems(sarif: &Path) -> Option<Vec<String>> {
    let tool = Path::new(".ci/node/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    if !tool.exists() {
        let msg = "the SARIF Multitool is not installed (bash .ci/run installs it into .ci/node)";
        assert!(
            std::env::var_os("TRUSTDRIFT_REQUIRE_LINTERS").is_none(),
            "{msg}"
        );
        eprintln!("skipped: {msg}");
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("validation.sarif");
    let out = Command::new(tool)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .args(["validate", "--rule-kind", "Gh;Sarif", "-o"])
        .arg(&log)
        .arg(sarif)
        .output()
        .expect("run the SARIF Multitool");
    assert!(out.status.success(), "{out:?}");
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&log).expect("validation log")).expect("JSON");
    Some(
        log["runs"][0]["results"]
            .as_array()
            .map(|results| {
                results
                    .iter()
                    .filter(|r| matches!(r["level"].as_str(), Some("error" | "warning") | None))
                    .map(|r| format!("{} {}", r["ruleId"], r["message"]))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

#[test]
fn sarif_passes_the_sarif_multitool_with_githubs_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.sarif");
    std::fs::write(&good, check(&["--format", "sarif"]).stdout).expect("write");
    let Some(problems) = multitool_problems(&good) else {
        return;
    };
    assert!(problems.is_empty(), "{problems:#?}");
    // It can fail: a rule without fullDescription breaks GitHub's rules.
    let mut log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&good).expect("read")).expect("SARIF");
    log["runs"][0]["tool"]["driver"]["rules"][0]
        .as_object_mut()
        .expect("rule")
        .remove("fullDescription");
    let bad = dir.path().join("bad.sarif");
    std::fs::write(&bad, log.to_string()).expect("write");
    let problems = multitool_problems(&bad).unwrap_or_default();
    assert!(
        problems.iter().any(|p| p.starts_with("\"GH")),
        "{problems:#?}"
    );
}
