//! The baseline scenario, end to end through the binary: a small repository
//! goes through six versions and trustdrift reports exactly what each
//! change does to the trust boundary.

mod git_common;
use git_common::git;

use std::path::Path;
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trustdrift"))
        .current_dir(dir)
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn findings(o: &Output) -> Vec<(String, String, Option<String>)> {
    let report: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), String::from_utf8_lossy(&o.stderr)));
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["address"].as_str().unwrap_or_default().to_string(),
                f["grant"].as_str().map(str::to_string),
            )
        })
        .collect()
}

const POLICY: &str = "organization {\n  id       = \"o-abcdefghij\"\n  accounts = [\"111111111111\", \"222222222222\"]\n}\n";

fn role(name: &str, principal: &str, condition: &str, tags: &str) -> String {
    format!(
        r#"resource "aws_iam_role" "{name}" {{
  name = "{name}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ AWS = "{principal}" }}
      Action    = "sts:AssumeRole"
      {condition}
    }}]
  }})
  tags = {{ {tags} }}
}}
"#
    )
}

const ORG: &str = r#"Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-abcdefghij" } }"#;
const XID: &str = r#"Condition = { StringEquals = { "sts:ExternalId" = "vendor-x-7731" } }"#;
const VENDOR_TAGS: &str = r#"owner = "team-vendors", "trust-expires" = "2027-01-15", "trust-reviewed" = "2026-11-20", "trust-ticket" = "SEC-12""#;

fn write(dir: &Path, main: &str) {
    std::fs::write(dir.join("main.tf"), main).expect("write main.tf");
}

fn v1() -> String {
    role(
        "shared",
        "arn:aws:iam::222222222222:root",
        ORG,
        r#"owner = "team-a""#,
    ) + &role("vendor", "arn:aws:iam::999988887777:root", XID, VENDOR_TAGS)
}

#[test]
fn six_versions_of_a_repository() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    std::fs::write(dir.join(".trustdrift.hcl"), POLICY).expect("policy");

    // v1: the baseline.
    write(dir, &v1());
    let o = run(dir, &["baseline", "create", "."]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let first = std::fs::read(dir.join(".trustdrift/baseline.json")).expect("baseline");
    let o = run(dir, &["baseline", "create", "."]);
    assert_eq!(o.status.code(), Some(2), "create refuses to overwrite");
    assert_eq!(
        std::fs::read(dir.join(".trustdrift/baseline.json")).expect("baseline"),
        first
    );
    let all_v1 = findings(&run(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--all",
            "--today",
            "2026-12-01",
            ".",
        ],
    ));
    let o = run(
        dir,
        &["check", "--format", "json", "--today", "2026-12-01", "."],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(findings(&o).is_empty(), "{:?}", findings(&o));

    // v2: one role loses its organisation condition: widened, on exactly that grant.
    write(dir, &v1().replacen(ORG, "", 1));
    let o = run(
        dir,
        &["check", "--format", "json", "--today", "2026-12-01", "."],
    );
    assert_eq!(o.status.code(), Some(1));
    let f = findings(&o);
    let widened: Vec<_> = f.iter().filter(|(r, ..)| r == "TD202").collect();
    assert_eq!(widened.len(), 1, "{f:?}");
    assert_eq!(
        widened[0].2.as_deref(),
        Some("aws_iam_role.shared|AWS:arn:aws:iam::222222222222:root")
    );
    // Matching on (address, check), as a peer's baseline does, hides it:
    // every other finding of v2 was already there in v1.
    let seen: std::collections::BTreeSet<(String, String)> = all_v1
        .iter()
        .map(|(r, a, _)| (r.clone(), a.clone()))
        .collect();
    let all_v2 = findings(&run(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--all",
            "--today",
            "2026-12-01",
            ".",
        ],
    ));
    assert!(
        all_v2
            .iter()
            .filter(|(r, ..)| !r.starts_with("TD2"))
            .all(|(r, a, _)| seen.contains(&(r.clone(), a.clone()))),
        "{all_v2:?} vs {all_v1:?}"
    );

    // v3: the vendor role is copied, tags and all.
    let v3 = v1()
        + &role(
            "vendor_staging",
            "arn:aws:iam::999988887777:root",
            XID,
            VENDOR_TAGS,
        );
    write(dir, &v3);
    let o = run(dir, &["check", "--today", "2026-12-01", "."]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("TD203"), "{text}");
    assert!(
        text.contains("aws_iam_role.vendor_staging copies the trust aws_iam_role.vendor gives"),
        "{text}"
    );
    assert!(text.contains("copied metadata"), "{text}");
    assert!(text.contains("TD201"), "{text}");
    // Accepted into the snapshot (unapproved), the copy is still a copy.
    assert!(run(dir, &["baseline", "update", "."]).status.success());
    let o = run(dir, &["check", "--today", "2026-12-01", "."]);
    assert!(stdout(&o).contains("TD203"), "{}", stdout(&o));

    // v4: the copy gets its own owner, expiry and review: clean.
    let own = r#"owner = "team-staging", "trust-expires" = "2027-02-01", "trust-reviewed" = "2026-12-01", "trust-ticket" = "SEC-40""#;
    let v4 = v1() + &role("vendor_staging", "arn:aws:iam::999988887777:root", XID, own);
    write(dir, &v4);
    let o = run(
        dir,
        &["check", "--format", "json", "--today", "2026-12-01", "."],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(findings(&o).is_empty(), "{:?}", findings(&o));

    // v5: a role renamed with a moved block: no drift.
    let v5 = v4.replace(
        "\"aws_iam_role\" \"shared\"",
        "\"aws_iam_role\" \"shared_renamed\"",
    ) + "moved {\n  from = aws_iam_role.shared\n  to   = aws_iam_role.shared_renamed\n}\n";
    write(dir, &v5);
    let o = run(
        dir,
        &["check", "--format", "json", "--today", "2026-12-01", "."],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(findings(&o).is_empty(), "{:?}", findings(&o));
    // Near miss: the same rename without the moved block is a removal and an addition.
    write(
        dir,
        &v4.replace(
            "\"aws_iam_role\" \"shared\"",
            "\"aws_iam_role\" \"shared_renamed\"",
        ),
    );
    let f = findings(&run(
        dir,
        &["check", "--format", "json", "--today", "2026-12-01", "."],
    ));
    assert!(f.iter().any(|(r, ..)| r == "TD208"), "{f:?}");
    assert!(f.iter().any(|(r, ..)| r == "TD201"), "{f:?}");

    // v6: an approval expires.
    write(dir, &v4);
    assert!(run(dir, &["baseline", "update", "."]).status.success());
    let o = run(
        dir,
        &[
            "baseline",
            "approve",
            "aws_iam_role.vendor|*",
            "--owner",
            "team-vendors",
            "--expires",
            "2027-01-10",
            "--reason",
            "vendor audit access",
            "--ticket",
            "SEC-12",
            "--today",
            "2026-12-01",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(
        dir,
        &["check", "--format", "json", "--today", "2027-01-09", "."],
    );
    assert!(
        !findings(&o).iter().any(|(r, ..)| r == "TD206"),
        "{:?}",
        findings(&o)
    );
    let o = run(
        dir,
        &["check", "--format", "json", "--today", "2027-01-11", "."],
    );
    assert_eq!(o.status.code(), Some(1));
    let f = findings(&o);
    assert!(
        f.iter().any(|(r, _, g)| r == "TD206"
            && g.as_deref() == Some("aws_iam_role.vendor|AWS:arn:aws:iam::999988887777:root")),
        "{f:?}"
    );
}

#[test]
fn baseline_bytes_are_stable_and_a_failed_write_keeps_the_old_one() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    std::fs::write(dir.join(".trustdrift.hcl"), POLICY).expect("policy");
    write(dir, &v1());
    assert!(run(dir, &["baseline", "create", "."]).status.success());
    let path = dir.join(".trustdrift/baseline.json");
    let first = std::fs::read(&path).expect("baseline");
    assert!(
        run(dir, &["baseline", "create", "--force", "."])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read(&path).expect("baseline"),
        first,
        "two runs, same bytes"
    );
    assert!(run(dir, &["baseline", "update", "."]).status.success());
    assert_eq!(
        std::fs::read(&path).expect("baseline"),
        first,
        "update with no change"
    );
    // A write that fails part way (a file size limit, as a full disk) leaves
    // the old baseline whole and nothing beside it.
    write(
        dir,
        &(v1() + &role("third", "arn:aws:iam::999988887777:root", XID, VENDOR_TAGS)),
    );
    let bin = env!("CARGO_BIN_EXE_trustdrift");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 2; exec '{bin}' baseline update ."
        ))
        .current_dir(dir)
        .output()
        .expect("sh");
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read(&path).expect("baseline"), first);
    let left: Vec<_> = std::fs::read_dir(dir.join(".trustdrift"))
        .expect("list")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    // A corrupt or newer baseline is refused and left untouched.
    std::fs::write(&path, "{\"version\": 9, \"tool\": \"x\", \"entries\": []}").expect("write");
    let o = run(dir, &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    let o = run(dir, &["baseline", "update", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "{\"version\": 9, \"tool\": \"x\", \"entries\": []}"
    );
}

#[test]
fn a_baseline_from_code_compares_cleanly_with_the_same_trust_in_a_plan() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    std::fs::write(dir.join(".trustdrift.hcl"), POLICY).expect("policy");
    std::fs::create_dir(dir.join("code")).expect("mkdir");
    write(&dir.join("code"), &v1());
    assert!(
        run(
            dir,
            &["baseline", "create", "--policy", ".trustdrift.hcl", "code"]
        )
        .status
        .success()
    );
    let policy = |principal: &str, key: &str, value: &str| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {key: value}}}]})
        .to_string()
    };
    let rc = |name: &str, doc: String| {
        serde_json::json!({"address": format!("aws_iam_role.{name}"), "mode": "managed",
            "type": "aws_iam_role", "name": name, "change": {"actions": ["no-op"],
            "before": null, "after": {"name": name, "assume_role_policy": doc}, "after_unknown": {}}})
    };
    let plan = serde_json::json!({"format_version": "1.2", "resource_changes": [
        rc("shared", policy("arn:aws:iam::222222222222:root", "aws:PrincipalOrgID", "o-abcdefghij")),
        rc("vendor", policy("arn:aws:iam::999988887777:root", "sts:ExternalId", "vendor-x-7731")),
    ]});
    std::fs::write(dir.join("plan.json"), plan.to_string()).expect("plan");
    let o = run(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--policy",
            ".trustdrift.hcl",
            "plan.json",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let drifted: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| matches!(r, "TD201" | "TD202" | "TD208"))
        })
        .collect();
    assert!(drifted.is_empty(), "{drifted:?}");
    // And the other way round.
    std::fs::remove_file(dir.join(".trustdrift/baseline.json")).expect("rm");
    assert!(
        run(
            dir,
            &[
                "baseline",
                "create",
                "--policy",
                ".trustdrift.hcl",
                "plan.json"
            ]
        )
        .status
        .success()
    );
    let o = run(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--policy",
            ".trustdrift.hcl",
            "code",
        ],
    );
    let f = findings(&o);
    assert!(
        !f.iter()
            .any(|(r, ..)| matches!(r.as_str(), "TD201" | "TD202" | "TD208")),
        "{f:?}"
    );
    assert!(
        f.is_empty(),
        "unchanged grants are not reported again: {f:?}"
    );
}

fn drift_of(o: &Output) -> Vec<(String, String, Option<String>, Option<String>)> {
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let mut v: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] != "TD208")
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["address"].as_str().unwrap_or_default().to_string(),
                f["grant"].as_str().map(str::to_string),
                f["drift"].as_str().map(str::to_string),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_base_revision_gives_the_same_drift_as_a_baseline_made_there() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    std::fs::write(dir.join(".trustdrift.hcl"), POLICY).expect("policy");
    std::fs::create_dir(dir.join("infra")).expect("mkdir");
    write(&dir.join("infra"), &v1());
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "v1"]);
    let o = run(
        dir,
        &["baseline", "create", "--output", "snapshot.json", "infra"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The change: one grant widened, one role copied.
    let v2 = v1().replacen(ORG, "", 1)
        + &role(
            "vendor_staging",
            "arn:aws:iam::999988887777:root",
            XID,
            VENDOR_TAGS,
        );
    write(&dir.join("infra"), &v2);
    let day = "2026-12-01";
    let from_file = run(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--today",
            day,
            "--baseline",
            "snapshot.json",
            "infra",
        ],
    );
    let from_git = run(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--today",
            day,
            "--baseline-ref",
            "HEAD",
            "infra",
        ],
    );
    assert_eq!(from_file.status.code(), Some(1));
    assert_eq!(
        from_git.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&from_git.stderr)
    );
    let (a, b) = (drift_of(&from_file), drift_of(&from_git));
    assert_eq!(a, b);
    assert!(a.iter().any(|(r, ..)| r == "TD202"), "{a:?}");
    assert!(a.iter().any(|(r, ..)| r == "TD201"), "{a:?}");
    // The work tree is untouched: the change is still there, nothing added.
    assert_eq!(
        std::fs::read_to_string(dir.join("infra/main.tf")).expect("read"),
        v2
    );
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["status", "--porcelain"])
        .output()
        .expect("git");
    let status = String::from_utf8_lossy(&status.stdout).to_string();
    assert_eq!(status.lines().count(), 2, "{status}");
}

#[test]
fn a_plan_is_its_own_before() {
    let doc = |condition: bool| {
        let mut s = serde_json::json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
            "Action": "sts:AssumeRole"});
        if condition {
            s["Condition"] =
                serde_json::json!({"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}});
        }
        serde_json::json!({"Version": "2012-10-17", "Statement": [s]}).to_string()
    };
    let rc = |name: &str, actions: &[&str], before: Option<String>, after: String| {
        serde_json::json!({"address": format!("aws_iam_role.{name}"), "mode": "managed",
            "type": "aws_iam_role", "name": name, "change": {"actions": actions,
            "before": before.map(|b| serde_json::json!({"name": name, "assume_role_policy": b})),
            "after": {"name": name, "assume_role_policy": after}, "after_unknown": {}}})
    };
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    std::fs::write(dir.join(".trustdrift.hcl"), POLICY).expect("policy");
    let plan = serde_json::json!({"format_version": "1.2", "resource_changes": [
        rc("widened", &["update"], Some(doc(true)), doc(false)),
        rc("kept", &["no-op"], Some(doc(true)), doc(true)),
        rc("fresh", &["create"], None, doc(true)),
    ]});
    std::fs::write(dir.join("plan.json"), plan.to_string()).expect("plan");
    let o = run(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--today",
            "2026-12-01",
            "plan.json",
        ],
    );
    let d = drift_of(&o);
    let rule_of = |role: &str, rule: &str| {
        d.iter()
            .any(|(r, a, ..)| r == rule && a == &format!("aws_iam_role.{role}"))
    };
    assert!(rule_of("widened", "TD202"), "{d:?}");
    assert!(rule_of("fresh", "TD201"), "{d:?}");
    assert!(
        !d.iter().any(|(_, a, ..)| a == "aws_iam_role.kept"),
        "{d:?}"
    );
}

#[test]
fn a_baseline_never_holds_a_sensitive_value_and_still_sees_it_change() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    std::fs::write(dir.join(".trustdrift.hcl"), POLICY).expect("policy");
    let code = "variable \"vendor\" {\n  type      = string\n  sensitive = true\n}\n".to_string()
        + &role(
            "vendor",
            "arn:aws:iam::${var.vendor}:root",
            XID,
            VENDOR_TAGS,
        );
    write(dir, &code);
    let o = run(
        dir,
        &["baseline", "create", "--var", "vendor=999988887777", "."],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(dir.join(".trustdrift/baseline.json")).expect("baseline");
    assert!(!text.contains("999988887777"), "{text}");
    assert!(text.contains("(sensitive "), "{text}");
    // The same value: no drift.
    let o = run(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--today",
            "2026-12-01",
            "--var",
            "vendor=999988887777",
            ".",
        ],
    );
    assert!(!stdout(&o).contains("999988887777"), "{}", stdout(&o));
    let f = findings(&o);
    assert!(
        !f.iter().any(|(r, ..)| r == "TD201" || r == "TD208"),
        "{f:?}"
    );
    // Another value: the old grant is gone, a new one added.
    let o = run(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--today",
            "2026-12-01",
            "--var",
            "vendor=444455556666",
            ".",
        ],
    );
    let f = findings(&o);
    assert!(f.iter().any(|(r, ..)| r == "TD201"), "{f:?}");
    assert!(f.iter().any(|(r, ..)| r == "TD208"), "{f:?}");
}
