//! The hostile-input suite: what a pull request controls (its Terraform,
//! its plan, its policy file, the names of its files) cannot make
//! trustdrift leak what it should not print, pass what it did not read, or
//! run out of memory. Each test runs the release-facing binary as CI does.

mod git_common;
use git_common::git;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trustdrift"));
    c.env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .env_remove("TERM");
    for (k, _) in std::env::vars() {
        if k.starts_with("TF_VAR_") {
            c.env_remove(k);
        }
    }
    c
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `files` (path, content) under a new temporary directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (p, content) in files {
        let path = dir.path().join(p);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, content).expect("write");
    }
    dir
}

const OPEN_ROLE: &str = r#"resource "aws_iam_role" "open" {
  name = "open"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sts:AssumeRole"
    }]
  })
}
"#;

fn assert_exit(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Makes the binary and `dir` reachable by the unprivileged user that
/// [`run_unprivileged`] runs as; call before making parts unreadable.
fn share_with_unprivileged(dir: &Path) {
    let mut p = PathBuf::from(env!("CARGO_BIN_EXE_trustdrift"));
    while let Some(parent) = p.parent() {
        p = parent.to_path_buf();
        let _ = Command::new("chmod").arg("o+x").arg(&p).status();
    }
    let _ = Command::new("chmod")
        .arg("-R")
        .arg("o+rX")
        .arg(dir)
        .status();
}

/// Runs the binary as an unprivileged user when the tests run as root, so
/// that file modes are enforced.
fn run_unprivileged(dir: &Path, args: &[&str]) -> Option<Output> {
    if !is_root() {
        return Some(run_in(dir, args));
    }
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    let o = Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_trustdrift"))
        .args(args)
        .current_dir(dir)
        .env_remove("TERM")
        .output()
        .ok()?;
    Some(o)
}

// ----- blinding: what was not read never passes ------------------------------

#[test]
fn gitignored_tf_files_are_read_as_terraform_reads_them() {
    for ignore in ["open.tf\n", "*.tf\n"] {
        let dir = tree(&[
            ("repo/.gitignore", "*.tf\n"),
            ("repo/infra/.gitignore", ignore),
            ("repo/infra/open.tf", OPEN_ROLE),
        ]);
        std::fs::create_dir_all(dir.path().join("repo/.git")).expect("mkdir");
        let o = run_in(&dir.path().join("repo"), &["check", "infra"]);
        assert_exit(&o, 1);
        assert!(stdout(&o).contains("TD001"), "{}", stdout(&o));
    }
}

#[test]
fn hidden_directories_and_terraform_internals_are_not_configuration() {
    let dir = tree(&[
        (
            "main.tf",
            "resource \"aws_iam_role\" \"kept\" {\n  name = \"k\"\n}\n",
        ),
        (".hidden/open.tf", OPEN_ROLE),
        (".terraform/providers/open.tf", OPEN_ROLE),
    ]);
    let o = run_in(dir.path(), &["check", "."]);
    assert_exit(&o, 0);
}

#[test]
fn a_directory_with_nothing_to_check_is_exit_2() {
    let empty = tree(&[]);
    let o = run_in(empty.path(), &["check", "."]);
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("no Terraform configuration"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());

    let plan_only = tree(&[("plan.json", "{\"format_version\": \"1.2\"}\n")]);
    let o = run_in(plan_only.path(), &["check", "."]);
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("pass it as a file: trustdrift check plan.json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_fifo_named_tf_is_an_error_not_a_hang_or_a_skip() {
    let dir = tree(&[("main.tf", OPEN_ROLE)]);
    let fifo = dir.path().join("pipe.tf");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available: skipped");
        return;
    }
    let o = run_in(dir.path(), &["check", "."]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("pipe.tf"), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    // Named directly, and as a tfvars file, the same.
    let o = run_in(dir.path(), &["check", "pipe.tf"]);
    assert_exit(&o, 2);
    std::fs::rename(&fifo, dir.path().join("terraform.tfvars")).expect("rename");
    let o = run_in(dir.path(), &["check", "."]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("terraform.tfvars"), "{}", stderr(&o));
}

#[test]
fn an_unreadable_directory_or_module_is_exit_2() {
    let dir = tree(&[
        ("main.tf", "module \"m\" {\n  source = \"./modules/m\"\n}\n"),
        ("modules/m/main.tf", OPEN_ROLE),
        ("team/main.tf", OPEN_ROLE),
    ]);
    let team = dir.path().join("team");
    let module = dir.path().join("modules/m");
    share_with_unprivileged(dir.path());
    // An unreadable subdirectory.
    std::fs::set_permissions(&team, std::os::unix::fs::PermissionsExt::from_mode(0o000))
        .expect("chmod");
    let Some(o) = run_unprivileged(dir.path(), &["check", "."]) else {
        eprintln!("no way to drop privileges: skipped");
        return;
    };
    std::fs::set_permissions(&team, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("team"), "{}", stderr(&o));
    // An unreadable local module.
    std::fs::set_permissions(&module, std::os::unix::fs::PermissionsExt::from_mode(0o000))
        .expect("chmod");
    let o = run_unprivileged(dir.path(), &["check", "."]).expect("ran before");
    std::fs::set_permissions(&module, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("modules/m"), "{}", stderr(&o));
}

// ----- leaks: nothing outside the input is printed ---------------------------

#[test]
fn a_symlink_out_of_the_root_is_never_opened_or_quoted() {
    let outside = tree(&[(
        "secret.tf",
        "TOKEN_THAT_MUST_NOT_LEAK = \"ghp_0123456789\"\nresource \"aws_iam_role\" \"x\" {}\n",
    )]);
    let dir = tree(&[("infra/main.tf", OPEN_ROLE)]);
    for (link, target) in [
        ("infra/env.tf", PathBuf::from("/proc/self/environ")),
        ("infra/secret.tf", outside.path().join("secret.tf")),
    ] {
        std::os::unix::fs::symlink(&target, dir.path().join(link)).expect("symlink");
    }
    let o = bin()
        .current_dir(dir.path())
        .env("LEAK_CANARY", "canary-value-in-the-environment")
        .args(["check", "infra"])
        .output()
        .expect("runs");
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(!all.contains("canary-value-in-the-environment"), "{all}");
    assert!(!all.contains("ghp_0123456789"), "{all}");
    assert!(!all.contains("TOKEN_THAT_MUST_NOT_LEAK"), "{all}");
    // The refused links are said, and the real trust is still judged.
    assert!(all.contains("infra/env.tf"), "{all}");
    assert!(all.contains("TD001"), "{all}");
}

const SENSITIVE_ROLE: &str = r#"variable "vendor_account" {
  type      = string
  sensitive = true
}

variable "external_id" {
  type      = string
  sensitive = true
}

locals {
  vendor_arn = "arn:aws:iam::${var.vendor_account}:root"
}

resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = local.vendor_arn }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = sensitive(var.external_id) } }
    }]
  })
}

resource "aws_iam_role" "open" {
  name = "open"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${var.vendor_account}:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}
"#;

#[test]
fn sensitive_values_are_judged_and_never_printed() {
    let dir = tree(&[
        ("main.tf", SENSITIVE_ROLE),
        (
            "terraform.tfvars",
            "vendor_account = \"999988887777\"\nexternal_id = \"xid-s3cr3t-value\"\n",
        ),
    ]);
    for args in [
        vec!["check", "."],
        vec!["check", "--format", "json", "."],
        vec!["inventory", "."],
        vec!["inventory", "--format", "text", "."],
    ] {
        let o = run_in(dir.path(), &args);
        let out = stdout(&o);
        assert!(!out.contains("999988887777"), "{args:?}:\n{out}");
        assert!(!out.contains("xid-s3cr3t-value"), "{args:?}:\n{out}");
        assert!(out.contains("(sensitive)"), "{args:?}:\n{out}");
        if args[0] == "check" {
            // Still judged: the unscoped foreign root is reported, the role
            // with its external id is not.
            assert_exit(&o, 1);
            assert!(out.contains("aws_iam_role.open"), "{out}");
            assert!(!out.contains("aws_iam_role.vendor "), "{out}");
        }
    }
    // Given on the command line instead, the same.
    let dir = tree(&[("main.tf", SENSITIVE_ROLE)]);
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--var",
            "vendor_account=999988887777",
            "--var",
            "external_id=xid-s3cr3t-value",
            ".",
        ],
    );
    assert!(!stdout(&o).contains("999988887777"), "{}", stdout(&o));
}

#[test]
fn a_non_sensitive_value_is_printed_as_is() {
    let dir = tree(&[(
        "main.tf",
        &SENSITIVE_ROLE
            .replace("sensitive = true", "sensitive = false")
            .replace("sensitive(var.external_id)", "var.external_id"),
    )]);
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--var",
            "vendor_account=999988887777",
            "--var",
            "external_id=x",
            ".",
        ],
    );
    assert!(stdout(&o).contains("999988887777"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("(sensitive)"), "{}", stdout(&o));
}

/// Asserts that `text` holds no control character a terminal acts on other
/// than newlines, tabs and the report's own colour sequences, and no
/// bidirectional override.
fn assert_terminal_safe(text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // Only SGR colour sequences: ESC [ digits/; m
            assert_eq!(chars.next(), Some('['), "raw ESC in:\n{text}");
            loop {
                match chars.next() {
                    Some('m') => break,
                    Some(d) if d.is_ascii_digit() || d == ';' => {}
                    other => panic!("not a colour sequence ({other:?}) in:\n{text}"),
                }
            }
            continue;
        }
        assert!(
            !(c.is_control() && c != '\n' && c != '\t'),
            "raw control character {c:?} in:\n{text}"
        );
        assert!(
            !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'),
            "bidi control {c:?} in:\n{text}"
        );
    }
}

#[test]
fn terminal_escapes_from_hcl_are_shown_escaped() {
    let role = "resource \"aws_iam_role\" \"evil\" {\n  name = \"evil\"\n  assume_role_policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Sid       = \"a\\u001b[2K\\rclean\\u202e\"\n      Effect    = \"Allow\"\n      Principal = { AWS = \"arn:aws:iam::999988887777:role/x\\u001b]0;title\\u0007\\r\\nhigh[TD000] fake\" }\n      Action    = \"sts:AssumeRole\"\n    }]\n  })\n}\n";
    let dir = tree(&[
        ("main.tf", role),
        (
            "x\u{1b}[31m.tf",
            OPEN_ROLE.replace("\"open\"", "\"open2\"").as_str(),
        ),
    ]);
    for args in [
        vec!["check", "."],
        vec!["inventory", "--format", "text", "."],
    ] {
        let o = run_in(dir.path(), &args);
        assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
        assert_terminal_safe(&stdout(&o));
        assert_terminal_safe(&stderr(&o));
        assert!(stdout(&o).contains("\\u{1b}"), "{}", stdout(&o));
        assert!(
            !stdout(&o).lines().any(|l| l.starts_with("high[TD000]")),
            "{}",
            stdout(&o)
        );
    }
    // Colour on (a terminal is faked with TERM and the colour path forced
    // through the renderer), the data still escaped.
    let text = trustdrift::report::terminal_safe("a\u{1b}[2Kb\rc\u{202e}d\ne\tf");
    assert_eq!(text, "a\\u{1b}[2Kb\\rc\\u{202e}d\\ne\tf");
}

#[test]
fn terminal_escapes_from_plan_json_are_shown_escaped() {
    let plan = r#"{"format_version":"1.2","resource_changes":[{"address":"aws_iam_role.a\u001b[1A\u001b[2K","mode":"managed","type":"aws_iam_role","name":"a","change":{"actions":["create"],"before":null,"after":{"name":"a","assume_role_policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\u001b[8m\"},\"Action\":\"sts:AssumeRole\"}]}"},"after_unknown":{}}}]}"#;
    let dir = tree(&[("plan.json", plan)]);
    for args in [
        vec!["check", "plan.json"],
        vec!["inventory", "--format", "text", "plan.json"],
    ] {
        let o = run_in(dir.path(), &args);
        assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
        assert_terminal_safe(&stdout(&o));
        assert!(
            stdout(&o).contains("aws_iam_role.a\\u{1b}[1A"),
            "{}",
            stdout(&o)
        );
    }
}

#[test]
fn errors_quoting_input_are_escaped_too() {
    let dir = tree(&[("bad\u{1b}[2K.tf", "resource {\n")]);
    let o = run_in(dir.path(), &["check", "."]);
    assert_exit(&o, 2);
    assert_terminal_safe(&stderr(&o));
    assert!(stderr(&o).contains("bad\\u{1b}[2K.tf"), "{}", stderr(&o));
}

#[test]
fn colour_follows_no_color_and_term_dumb() {
    // Not a terminal here, so never colour; the decision is tested through
    // `script` where available to fake one.
    let Ok(script) = which("script") else {
        eprintln!("script(1) is not available: skipped");
        return;
    };
    let dir = tree(&[("main.tf", OPEN_ROLE)]);
    let bin = env!("CARGO_BIN_EXE_trustdrift");
    for (term, colour) in [("xterm", true), ("dumb", false)] {
        let o = Command::new(&script)
            .args(["-qec", &format!("{bin} check ."), "/dev/null"])
            .current_dir(dir.path())
            .env("TERM", term)
            .env_remove("NO_COLOR")
            .output()
            .expect("script runs");
        assert_eq!(
            stdout(&o).contains("\x1b["),
            colour,
            "TERM={term}: {}",
            stdout(&o)
        );
    }
}

fn which(name: &str) -> Result<PathBuf, ()> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

// ----- duplicate keys: both values are judged, or the input is refused ------

fn plan_with_policy(policy: &str) -> String {
    let policy = serde_json::to_string(policy).expect("json string");
    format!(
        r#"{{"format_version":"1.2","resource_changes":[{{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","change":{{"actions":["create"],"before":null,"after":{{"name":"r","assume_role_policy":{policy}}},"after_unknown":{{}}}}}}]}}"#
    )
}

#[test]
fn a_duplicate_key_in_a_policy_cannot_hide_a_wildcard() {
    for policy in [
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*","AWS":"arn:aws:iam::111122223333:role/x"},"Action":"sts:AssumeRole"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/x","AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
        // An Effect written twice: the Allow reading counts.
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
    ] {
        let dir = tree(&[("plan.json", &plan_with_policy(policy))]);
        let o = run_in(dir.path(), &["check", "--format", "json", "plan.json"]);
        assert_exit(&o, 1);
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let rules: Vec<&str> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["rule"].as_str())
            .collect();
        assert!(rules.contains(&"TD001"), "{policy}: {rules:?}");
        assert!(rules.contains(&"TD901"), "{policy}: {rules:?}");
        assert!(stdout(&o).contains("written twice"), "{}", stdout(&o));
    }
    // The same in a heredoc in HCL.
    let hcl = "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = <<EOF\n{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\",\"AWS\":\"arn:aws:iam::111122223333:role/x\"},\"Action\":\"sts:AssumeRole\"}]}\nEOF\n}\n";
    let dir = tree(&[("main.tf", hcl)]);
    let o = run_in(dir.path(), &["check", "."]);
    assert_exit(&o, 1);
    assert!(
        stdout(&o).contains("TD001") && stdout(&o).contains("TD901"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_duplicate_deny_carve_out_is_not_counted() {
    // The Deny reads one way as "deny everyone outside the org", the other
    // as "deny one account": which one IAM keeps is unknown, so the Allow of
    // everyone is judged without it.
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}}},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abcdefghij"},"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}}]}"#;
    let dir = tree(&[("plan.json", &plan_with_policy(policy))]);
    let o = run_in(dir.path(), &["check", "plan.json"]);
    assert!(stdout(&o).contains("TD901"), "{}", stdout(&o));
    // Near miss: no duplicate, no TD901.
    let clean = policy.replace(
        r#","StringNotEquals":{"aws:PrincipalAccount":"111122223333"}"#,
        "",
    );
    let dir = tree(&[("plan.json", &plan_with_policy(&clean))]);
    let o = run_in(dir.path(), &["check", "plan.json"]);
    assert_exit(&o, 0);
    assert!(!stdout(&o).contains("TD901"), "{}", stdout(&o));
}

#[test]
fn a_plan_with_a_key_written_twice_is_refused() {
    let plan = r#"{"format_version":"1.2","resource_changes":[{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","change":{"actions":["create"],"before":null,
"after":{"name":"r","assume_role_policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\"}]}",
"assume_role_policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"},"after_unknown":{}}}]}"#;
    let dir = tree(&[("plan.json", plan)]);
    let o = run_in(dir.path(), &["check", "plan.json"]);
    assert_exit(&o, 2);
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).contains("plan.json:3:")
            && stderr(&o).contains("\"assume_role_policy\" is written twice"),
        "{}",
        stderr(&o)
    );
}

// ----- small things a new user hits ------------------------------------------

#[test]
fn not_a_plan_says_what_a_plan_looks_like() {
    let dir = tree(&[("a.json", "[]\n"), ("b.json", "\"x\"\n")]);
    let o = run_in(dir.path(), &["check", "a.json"]);
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("writes one JSON object"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("TopLevel"), "{}", stderr(&o));
}

#[test]
fn utf16_plan_json_gets_a_hint() {
    let text = "{\"format_version\": \"1.2\"}";
    let mut le: Vec<u8> = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
    }
    let no_bom: Vec<u8> = le[2..].to_vec();
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("bom.json"), &le).expect("write");
    std::fs::write(dir.path().join("nobom.json"), &no_bom).expect("write");
    for name in ["bom.json", "nobom.json"] {
        let o = run_in(dir.path(), &["check", name]);
        assert_exit(&o, 2);
        assert!(stderr(&o).contains("UTF-16"), "{name}: {}", stderr(&o));
    }
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "-"])
        .stdin(std::fs::File::open(dir.path().join("bom.json")).expect("open"))
        .output()
        .expect("runs");
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("UTF-16"), "{}", stderr(&o));
}

#[test]
fn var_with_plan_input_is_warned_about() {
    let dir = tree(&[(
        "plan.json",
        &plan_with_policy(r#"{"Version":"2012-10-17","Statement":[]}"#),
    )]);
    let o = run_in(dir.path(), &["check", "--var", "a=b", "plan.json"]);
    assert_exit(&o, 0);
    assert!(stderr(&o).contains("warning: --var"), "{}", stderr(&o));
    let o = run_in(dir.path(), &["check", "plan.json"]);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

// ----- files: --output never leaves debris or loosens a report ---------------

#[test]
fn output_dash_is_standard_output() {
    let dir = tree(&[("main.tf", OPEN_ROLE)]);
    let o = run_in(dir.path(), &["check", "--output", "-", "."]);
    assert_exit(&o, 1);
    assert!(stdout(&o).contains("TD001"));
    assert!(!dir.path().join("-").exists());
}

#[test]
fn output_keeps_the_mode_of_an_existing_report() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("main.tf", OPEN_ROLE), ("report.txt", "old\n")]);
    let report = dir.path().join("report.txt");
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let o = run_in(dir.path(), &["check", "--output", "report.txt", "."]);
    assert_exit(&o, 1);
    let meta = std::fs::metadata(&report).expect("report");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(&report)
            .expect("read")
            .contains("TD001")
    );
}

#[test]
fn a_failed_write_leaves_no_temporary_file_and_names_the_report() {
    // A file size limit makes the write fail part way, as a full disk does.
    let dir = tree(&[("main.tf", &OPEN_ROLE.replace("open", "big"))]);
    let bin = env!("CARGO_BIN_EXE_trustdrift");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 1; exec '{bin}' check --output out/report.txt ."
        ))
        .current_dir(dir.path())
        .output()
        .expect("sh runs");
    // No directory `out`: the error names the report, nothing is left.
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("out/report.txt"), "{}", stderr(&o));
    std::fs::create_dir(dir.path().join("out")).expect("mkdir");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 1; exec '{bin}' check --output out/report.txt ."
        ))
        .current_dir(dir.path())
        .output()
        .expect("sh runs");
    assert_exit(&o, 2);
    let err = stderr(&o);
    assert!(
        err.contains("out/report.txt: cannot write the report"),
        "{err}"
    );
    assert!(!err.contains("trustdrift-tmp"), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .expect("list")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

// ----- exhaustion: named limits, bounded memory ------------------------------

/// Runs the binary with its address space capped (`ulimit -v`, KiB), so a
/// test fails if memory grows past what the input justifies.
fn run_capped(dir: &Path, kib: u64, args: &[&str]) -> Output {
    let bin = env!("CARGO_BIN_EXE_trustdrift");
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {kib}; exec '{bin}' {}",
            quoted.join(" ")
        ))
        .current_dir(dir)
        .output()
        .expect("sh runs")
}

/// 1 GiB of address space: the evaluation thread reserves a large stack,
/// the rest is what the input may cost.
const CAP_KIB: u64 = 1024 * 1024;

#[test]
fn count_of_a_million_stops_at_the_instance_limit() {
    let dir = tree(&[(
        "main.tf",
        "resource \"aws_iam_role\" \"many\" {\n  count = 1000000\n  name  = \"r${count.index}\"\n}\n",
    )]);
    let o = run_capped(dir.path(), CAP_KIB, &["check", "."]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("max_instances"), "{}", stderr(&o));
    assert!(stderr(&o).contains("main.tf:1:"), "{}", stderr(&o));
    // Near miss: a large but sane count is read.
    let dir = tree(&[(
        "main.tf",
        "resource \"aws_iam_role\" \"many\" {\n  count = 2000\n  name  = \"r${count.index}\"\n}\n",
    )]);
    let o = run_capped(dir.path(), CAP_KIB, &["check", "."]);
    assert_exit(&o, 0);
}

#[test]
fn modules_calling_each_other_cannot_multiply_without_bound() {
    let call = |to: &str| {
        format!(
            "module \"next\" {{\n  source = \"../{to}\"\n  count  = 1000\n}}\nresource \"aws_iam_role\" \"r\" {{\n  name = \"r\"\n}}\n"
        )
    };
    let dir = tree(&[
        ("main.tf", "module \"a\" {\n  source = \"./mods/a\"\n}\n"),
        ("mods/a/main.tf", &call("b")),
        ("mods/b/main.tf", &call("c")),
        ("mods/c/main.tf", &call("a")),
    ]);
    let o = run_capped(dir.path(), CAP_KIB, &["check", "."]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("max_instances"), "{}", stderr(&o));
}

#[test]
fn a_module_that_calls_itself_is_reported_once() {
    let dir = tree(&[
        ("main.tf", "module \"loop\" {\n  source = \"./m\"\n}\n"),
        (
            "m/main.tf",
            "module \"again\" {\n  source = \"../m\"\n}\nresource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n}\n",
        ),
    ]);
    let o = run_capped(dir.path(), CAP_KIB, &["check", "--format", "json", "."]);
    assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.matches("calls itself").count(), 1, "{text}");
}

#[test]
fn a_huge_policy_document_is_refused_with_bounded_memory() {
    let statement = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/x"},"Action":"sts:AssumeRole"},"#;
    let mut policy = String::from(r#"{"Version":"2012-10-17","Statement":["#);
    while policy.len() < 16 << 20 {
        policy.push_str(statement);
    }
    policy.push_str(r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#);
    let dir = tree(&[("plan.json", &plan_with_policy(&policy))]);
    for cmd in ["check", "inventory"] {
        let o = run_capped(dir.path(), CAP_KIB, &[cmd, "plan.json"]);
        assert_exit(&o, 2);
        assert!(
            stderr(&o).contains("max_policy_document_bytes"),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("plan.json:1:"), "{}", stderr(&o));
    }
}

// ----- the gate's own settings ------------------------------------------------

const ORG_POLICY: &str = "organization {\n  id       = \"o-abcdefghij\"\n  accounts = [\"111111111111\"]\n}\n\naccount \"999988887777\" {\n  name     = \"vendor\"\n  requires = [\"sts:ExternalId\"]\n}\n";

#[test]
fn every_report_states_its_policy_and_what_it_turns_off() {
    let dir = tree(&[("main.tf", OPEN_ROLE)]);
    let o = run_in(dir.path(), &["check", "."]);
    assert!(
        stdout(&o).contains("Policy: built-in (policies/default.hcl)."),
        "{}",
        stdout(&o)
    );
    std::fs::write(
        dir.path().join(".trustdrift.hcl"),
        "rule \"TD001\" {\n  enabled = false\n}\nrule \"TD002\" {\n  severity = \"low\"\n}\n",
    )
    .expect("write");
    let o = run_in(dir.path(), &["check", "."]);
    assert!(
        stdout(&o)
            .contains("Policy: ./.trustdrift.hcl; turns off TD001; lowers TD002 from high to low."),
        "{}",
        stdout(&o)
    );
    let o = run_in(dir.path(), &["check", "--format", "json", "."]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(report["policy"]["disabled"], serde_json::json!(["TD001"]));
    assert_eq!(report["policy"]["lowered"][0]["rule"], "TD002");
}

#[test]
fn with_a_base_revision_the_change_cannot_loosen_its_own_gate() {
    let dir = tree(&[
        ("infra/main.tf", OPEN_ROLE),
        ("infra/.trustdrift.hcl", ORG_POLICY),
    ]);
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-qm", "base"]);
    // The change turns TD001 off, moves the vendor into the organisation and
    // drops nothing else.
    let weakened = ORG_POLICY.replace("[\"111111111111\"]", "[\"111111111111\", \"222222222222\"]")
        + "\nrule \"TD001\" {\n  enabled = false\n}\n";
    std::fs::write(repo.join("infra/.trustdrift.hcl"), &weakened).expect("write");
    let o = run_in(repo, &["check", "--all", "--baseline-ref", "HEAD", "infra"]);
    assert_exit(&o, 1);
    let out = stdout(&o);
    assert!(out.contains("TD001"), "the base policy still judges: {out}");
    assert!(out.contains("TD903"), "{out}");
    assert!(out.contains("turns rule TD001 off"), "{out}");
    assert!(out.contains("infra/.trustdrift.hcl:11:"), "{out}");
    assert!(
        out.contains("adds account 222222222222 to the organisation"),
        "{out}"
    );
    assert!(
        out.contains("Policy: infra/.trustdrift.hcl at HEAD."),
        "{out}"
    );
    // A third party's requirement dropped.
    let dropped = ORG_POLICY.replace("  requires = [\"sts:ExternalId\"]\n", "");
    std::fs::write(repo.join("infra/.trustdrift.hcl"), &dropped).expect("write");
    let o = run_in(repo, &["check", "--baseline-ref", "HEAD", "infra"]);
    assert!(
        stdout(&o).contains("drops the sts:ExternalId that account 999988887777 must present"),
        "{}",
        stdout(&o)
    );
    // A policy file added by the change is compared with the built-in one.
    std::fs::remove_file(repo.join("infra/.trustdrift.hcl")).expect("rm");
    git(repo, &["rm", "-q", "--cached", "infra/.trustdrift.hcl"]);
    git(repo, &["commit", "-qm", "no policy"]);
    std::fs::write(
        repo.join("infra/.trustdrift.hcl"),
        "rule \"TD001\" {\n  severity = \"info\"\n}\n",
    )
    .expect("write");
    let o = run_in(repo, &["check", "--baseline-ref", "HEAD", "infra"]);
    assert!(
        stdout(&o).contains("lowers rule TD001 from critical to info"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("Policy: built-in (policies/default.hcl) at HEAD."),
        "{}",
        stdout(&o)
    );
    // Near miss: an unchanged policy gives no TD903.
    std::fs::remove_file(repo.join("infra/.trustdrift.hcl")).expect("rm");
    let o = run_in(repo, &["check", "--baseline-ref", "HEAD", "infra"]);
    assert!(!stdout(&o).contains("TD903"), "{}", stdout(&o));
}

#[test]
fn a_bad_base_revision_is_exit_2() {
    let dir = tree(&[("main.tf", OPEN_ROLE)]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "base"]);
    for rev in ["no-such-branch", "--output=/tmp/x", ""] {
        let o = run_in(dir.path(), &["check", "--baseline-ref", rev, "."]);
        assert_exit(&o, 2);
        assert!(stdout(&o).is_empty());
    }
    let outside = tree(&[("main.tf", OPEN_ROLE)]);
    let o = run_in(outside.path(), &["check", "--baseline-ref", "HEAD", "."]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("git"), "{}", stderr(&o));
}

#[test]
fn sensitive_root_variables_of_a_plan_are_never_printed() {
    let plan = r#"{"format_version":"1.2",
"variables":{"vendor":{"value":"999988887777"}},
"configuration":{"root_module":{"variables":{"vendor":{"sensitive":true}}}},
"resource_changes":[{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","change":{"actions":["create"],"before":null,"after":{"name":"r","assume_role_policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::999988887777:root\"},\"Action\":\"sts:AssumeRole\"}]}"},"after_unknown":{}}}]}"#;
    let dir = tree(&[("plan.json", plan)]);
    for args in [vec!["check", "plan.json"], vec!["inventory", "plan.json"]] {
        let o = run_in(dir.path(), &args);
        assert!(!stdout(&o).contains("999988887777"), "{}", stdout(&o));
        assert!(stdout(&o).contains("(sensitive)"), "{}", stdout(&o));
    }
    // Near miss: not declared sensitive, printed.
    let open = plan.replace("\"sensitive\":true", "\"sensitive\":false");
    let dir = tree(&[("plan.json", &open)]);
    let o = run_in(dir.path(), &["check", "plan.json"]);
    assert!(stdout(&o).contains("999988887777"), "{}", stdout(&o));
}

#[test]
fn nested_for_expressions_stop_at_the_iteration_limit() {
    let dir = tree(&[(
        "main.tf",
        "locals {\n  r    = range(1024)\n  cube = [for i in local.r : [for j in local.r : [for k in local.r : k]]]\n}\nresource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  tags = { n = length(local.cube) }\n}\n",
    )]);
    let o = run_capped(dir.path(), CAP_KIB, &["check", "."]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("max_for_iterations"), "{}", stderr(&o));
    assert!(stderr(&o).contains("main.tf:3:"), "{}", stderr(&o));
}

#[test]
fn strings_built_without_bound_stop_at_the_byte_limit() {
    let dir = tree(&[(
        "main.tf",
        "locals {\n  wide = format(\"%10000s\", \"x\")\n  big  = [for i in range(1024) : join(\"\", [for j in range(1024) : local.wide])]\n}\nresource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  tags = { n = length(local.big) }\n}\n",
    )]);
    // Unbounded, this run would build 10 GB of strings. Its resident peak at
    // the limit is about 550 MB, but the allocator reserves address space
    // ahead of use in large segments, so the cap on address space is 2 GiB
    // here: still far below what the run would take without the limit.
    let o = run_capped(dir.path(), 2 * CAP_KIB, &["check", "."]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("max_string_bytes"), "{}", stderr(&o));
}

#[test]
fn values_that_double_at_each_step_stop_at_the_node_limit() {
    let mut src = String::from("locals {\n  l0 = [\"x\"]\n");
    for i in 1..40 {
        src.push_str(&format!("  l{i} = [local.l{}, local.l{}]\n", i - 1, i - 1));
    }
    src.push_str("}\nresource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  tags = { n = length(flatten(local.l39)) }\n}\n");
    let dir = tree(&[("main.tf", &src)]);
    let o = run_capped(dir.path(), CAP_KIB, &["check", "."]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("max_value_nodes"), "{}", stderr(&o));
    // Near miss: a few doublings are fine.
    let small: String = src
        .replace("for i in", "")
        .lines()
        .take(12)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n}\nresource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  tags = { n = length(flatten(local.l10)) }\n}\n";
    let dir = tree(&[("main.tf", &small)]);
    let o = run_capped(dir.path(), CAP_KIB, &["check", "."]);
    assert_exit(&o, 0);
}

#[test]
fn a_file_that_stalls_the_parser_is_cut_off_at_the_deadline() {
    // Found by fuzzing the policy file reader: 397 bytes that keep the HCL
    // parser backtracking for half a minute (longer inputs of the same
    // shape, for hours).
    let stall = std::fs::read("testdata/hostile/parser_stall.tf").expect("fixture");
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("main.tf"), &stall).expect("write");
    let started = std::time::Instant::now();
    let o = run_in(dir.path(), &["check", "."]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("max_parse_seconds"), "{}", stderr(&o));
    assert!(stderr(&o).contains("main.tf"), "{}", stderr(&o));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    // As a policy file, the same.
    std::fs::write(dir.path().join("main.tf"), OPEN_ROLE).expect("write");
    std::fs::write(dir.path().join(".trustdrift.hcl"), &stall).expect("write");
    let o = run_in(dir.path(), &["check", "."]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains(".trustdrift.hcl"), "{}", stderr(&o));
}

// ----- work that grows with findings times lines ---------------------------

/// Runs `check --fail-on never` with `args` in `dir`, requires exit 0 within
/// half a minute, and gives the report. A guard against work that grows
/// with the square of the input, not a benchmark: the inputs below take a
/// few seconds in a debug build, and minutes when the work is quadratic.
fn report_in_time(dir: &Path, args: &[&str]) -> String {
    let started = std::time::Instant::now();
    let o = run_in(dir, &[&["check", "--fail-on", "never"], args].concat());
    let took = started.elapsed();
    assert_exit(&o, 0);
    assert!(took < std::time::Duration::from_secs(30), "took {took:?}");
    stdout(&o)
}

/// A role block whose every instance is a cross-account finding (TD002)
/// quoting the statement, with `count` instances.
fn counted_open_role(count: usize) -> String {
    format!(
        "resource \"aws_iam_role\" \"r\" {{\n  count = {count}\n  name  = \"r-${{count.index}}\"\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n      Effect    = \"Allow\"\n      Principal = {{ AWS = \"arn:aws:iam::210987654321:root\" }}\n      Action    = \"sts:AssumeRole\"\n    }}]\n  }})\n}}\n"
    )
}

#[test]
fn many_findings_in_one_long_file_are_reported_in_linear_time() {
    // Each finding quotes its statement from the file. Splitting the whole
    // file into lines again for each of them made this file of 100,000
    // lines take minutes to report; a pull request could stall the gate so.
    let mut text = counted_open_role(6_000);
    for i in 0..100_000 {
        text.push_str(&format!("# line {i}\n"));
    }
    let dir = tree(&[("main.tf", &text)]);
    let out = report_in_time(dir.path(), &["."]);
    assert_eq!(out.matches("high[TD002]").count(), 6_000);
    // Every one still quotes the statement, and only the statement.
    assert_eq!(
        out.matches("Principal = { AWS = \"arn:aws:iam::210987654321:root\" }")
            .count(),
        6_000
    );
    assert!(!out.contains("# line 0"));
}

#[test]
fn many_suppressions_above_one_long_block_are_read_in_linear_time() {
    // Every directive stands above the same block: finding the block past
    // the other directives, then its end, for each directive in turn cost
    // directives times lines.
    let directives = 16_000;
    let mut text = "# trustdrift:ignore TD002 reason=\"vendor reviewed\"\n".repeat(directives);
    text.push_str(&counted_open_role(1).replace("\n}\n", "\n  tags = {\n"));
    for i in 0..16_000 {
        text.push_str(&format!("    # tag {i}\n"));
    }
    text.push_str("  }\n}\n");
    let dir = tree(&[("main.tf", &text)]);
    let out = report_in_time(dir.path(), &["."]);
    // The first directive covers the whole block, the statement inside it
    // included; the others have nothing left to match.
    assert!(!out.contains("[TD002]"), "{out}");
    assert_eq!(
        out.matches("[TD902] suppression-invalid").count(),
        directives - 1
    );
}

#[test]
fn many_suppressions_and_many_findings_are_matched_in_linear_time() {
    // Directives of another rule above a block with as many findings:
    // trying every directive on every finding cost their product.
    let n = 40_000;
    let mut text = "# trustdrift:ignore TD006 reason=\"another rule\"\n".repeat(n);
    text.push_str(&counted_open_role(n));
    let dir = tree(&[("main.tf", &text)]);
    let out = report_in_time(dir.path(), &["."]);
    // None holds back a TD002, so each of them matches nothing.
    assert_eq!(out.matches("high[TD002]").count(), n);
    assert_eq!(
        out.matches("the suppression of TD006 matches no finding")
            .count(),
        n
    );
}

#[test]
fn many_distinct_grants_of_one_principal_are_compared_in_linear_time() {
    // Thousands of roles trusting one account, each with its own condition:
    // half their own external id, half a wildcard on the caller's role.
    // Finding widened copies compared every grant with every other: minutes
    // at 20,000, seconds at 4,000. Now each looks up only the grants it
    // could cover.
    let n = 6_000;
    let changes: Vec<String> = (0..n)
        .map(|i| {
            let condition = if i == n - 1 {
                // The last admits all the others do: a widened copy.
                "{}".to_string()
            } else if i % 2 == 0 {
                format!(r#"{{"StringEquals":{{"sts:ExternalId":"e-{i}"}}}}"#)
            } else {
                format!(
                    r#"{{"StringLike":{{"aws:PrincipalArn":"arn:aws:iam::210987654321:role/r{i}-*"}}}}"#
                )
            };
            let policy = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::210987654321:root"}},"Action":"sts:AssumeRole","Condition":{condition}}}]}}"#
            );
            let policy = serde_json::to_string(&policy).expect("json string");
            format!(
                r#"{{"address":"aws_iam_role.r[{i}]","mode":"managed","type":"aws_iam_role","name":"r","index":{i},"change":{{"actions":["create"],"before":null,"after":{{"name":"r{i}","assume_role_policy":{policy}}},"after_unknown":{{}}}}}}"#
            )
        })
        .collect();
    let plan = format!(
        r#"{{"format_version":"1.2","resource_changes":[{}]}}"#,
        changes.join(",")
    );
    let dir = tree(&[
        ("plan.json", &plan),
        (
            "policy.hcl",
            "organization {\n  accounts = [\"111111111111\"]\n}\n",
        ),
    ]);
    let out = report_in_time(dir.path(), &["--policy", "policy.hcl", "plan.json"]);
    // Each is new trust; only the last admits all another admits, so it
    // alone is a copy, and a widened one.
    assert_eq!(out.matches("[TD201]").count(), n);
    assert_eq!(out.matches("[TD203]").count(), 1);
    assert!(out.contains(&format!("aws_iam_role.r[{}] copies, and widens,", n - 1)));
}
