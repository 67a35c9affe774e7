//! `check --changed-since REV` and the pre-commit hook that runs it: only
//! the root modules with a file changed since REV (directly or in a local
//! module they call) are checked.

mod git_common;
use git_common::git;

use std::path::Path;
use std::process::Command;

const WILDCARD_ROLE: &str = r#"resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
}
"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// envs/a (plain), envs/b (calls its local module envs/b/modules/m); all
/// committed.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(&root.join("envs/a/main.tf"), WILDCARD_ROLE);
    write(
        &root.join("envs/b/main.tf"),
        "module \"m\" {\n  source = \"./modules/m\"\n}\n",
    );
    write(&root.join("envs/b/modules/m/main.tf"), WILDCARD_ROLE);
    write(&root.join("README.md"), "docs\n");
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    dir
}

/// The hook's command line, from `.pre-commit-hooks.yaml`.
fn hook_entry() -> Vec<String> {
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").expect("hooks file");
    let entry = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .expect("entry");
    entry.split_whitespace().map(str::to_string).collect()
}

fn run_hook(dir: &Path) -> std::process::Output {
    let entry = hook_entry();
    assert_eq!(entry[0], "trustdrift");
    Command::new(trycmd::cargo::cargo_bin!("trustdrift"))
        .current_dir(dir)
        .args(&entry[1..])
        .args(["--format", "json"])
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run")
}

fn checked_files(out: &std::process::Output) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let mut files: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["file"].as_str().unwrap_or_default().to_string())
        .collect();
    files.sort();
    files.dedup();
    files
}

#[test]
fn nothing_changed_checks_nothing() {
    let dir = repo();
    write(&dir.path().join("README.md"), "more docs\n");
    let out = run_hook(dir.path());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "No Terraform root module changed since HEAD: nothing to check.\n"
    );
}

#[test]
fn a_changed_module_checks_the_roots_that_call_it() {
    let dir = repo();
    write(
        &dir.path().join("envs/b/modules/m/main.tf"),
        &format!("{WILDCARD_ROLE}# changed\n"),
    );
    let out = run_hook(dir.path());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(checked_files(&out), ["envs/b/modules/m/main.tf"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["findings"][0]["address"], "module.m.aws_iam_role.r");
}

#[test]
fn a_changed_root_and_a_new_file_are_checked_staged_or_not() {
    let dir = repo();
    write(&dir.path().join("envs/a/extra.tf"), "# new, untracked\n");
    let out = run_hook(dir.path());
    assert_eq!(checked_files(&out), ["envs/a/main.tf"]);
    git(dir.path(), &["add", "-A"]);
    let staged = run_hook(dir.path());
    assert_eq!(checked_files(&staged), ["envs/a/main.tf"]);
}

#[test]
fn a_revision_that_is_not_a_commit_exits_2() {
    let dir = repo();
    let out = Command::new(trycmd::cargo::cargo_bin!("trustdrift"))
        .current_dir(dir.path())
        .args(["check", "--changed-since", "no-such-rev"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(trycmd::cargo::cargo_bin!("trustdrift"))
        .current_dir(dir.path())
        .args(["check", "--changed-since", "--upload-pack=x"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_hook_is_declared_for_terraform_files() {
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").expect("hooks file");
    assert!(hooks.contains("- id: trustdrift\n"));
    assert!(hooks.contains("  files: \\.(tf|tfvars)$\n"));
    assert!(hooks.contains("  pass_filenames: false\n"));
    assert!(hooks.contains("  language: rust\n"));
}
