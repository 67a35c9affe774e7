//! Hostile input: whatever the scanned code holds, the ingester answers with
//! a clear error or a note, never panics, never overflows the stack, never
//! hangs and never reads outside the scanned root.

mod hcl_common;

use std::time::{Duration, Instant};

use hcl_common::*;
use trustdrift::Error;
use trustdrift::ingest::hcl::{HclOptions, load};
use trustdrift::model::value::Value;

fn load_err(path: &std::path::Path) -> Error {
    match load(path, &HclOptions::default()) {
        Ok(i) => panic!("expected an error, got {} instances", i.instances.len()),
        Err(e) => e,
    }
}

#[test]
fn deeply_nested_expression_is_a_parse_error_not_a_crash() {
    let depth = 20_000;
    let src = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let dir = tree(&[("main.tf", &src)]);
    let e = load_err(dir.path());
    let Error::At { path, line, .. } = &e else {
        panic!("not a located error: {e}");
    };
    assert!(path.ends_with("main.tf"));
    assert_eq!(*line, 2);
}

#[test]
fn long_chain_of_locals_hits_the_evaluation_limit_with_a_note() {
    let n = 3_000;
    let mut src = String::from("locals {\n");
    for i in 0..n {
        src.push_str(&format!("  l{i} = local.l{}\n", i + 1));
    }
    src.push_str(&format!("  l{n} = \"end\"\n}}\n"));
    src.push_str("resource \"aws_iam_role\" \"r\" {\n  name = local.l0\n}\n");
    let dir = tree(&[("main.tf", &src)]);
    let ing = load_ok(dir.path());
    assert!(attr(&ing, "aws_iam_role.r", "name").is_unknown());
    assert!(
        ing.notes
            .iter()
            .any(|n| n.message.contains("nested too deeply")),
        "{:?}",
        ing.notes.first()
    );
}

#[test]
fn huge_heredoc_finishes_quickly() {
    let line =
        "      {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"},\n";
    let body: String = line.repeat(40_000); // ~3 MB
    let src = format!(
        "resource \"aws_iam_policy\" \"p\" {{\n  policy = <<-EOT\n    {{\"Statement\": [\n{body}      {{}}\n    ]}}\n  EOT\n}}\n"
    );
    let dir = tree(&[("main.tf", &src)]);
    let t = Instant::now();
    let ing = load_ok(dir.path());
    // A guard against quadratic work, not a benchmark: the debug build on
    // a busy 2-core runner takes about 10 s; quadratic work takes minutes.
    assert!(
        t.elapsed() < Duration::from_secs(40),
        "took {:?}",
        t.elapsed()
    );
    let policy = string(&ing, "aws_iam_policy.p", "policy");
    assert!(policy.len() > 2_500_000);
    assert!(policy.starts_with("{\"Statement\": [\n  {\"Effect\""));
}

#[test]
fn for_each_over_100k_elements() {
    // range() stops at 1024 values, as in Terraform: write the keys out.
    // (A map, as toset() of 100k strings is slow in the function library.)
    let keys: Vec<String> = (0..100_000).map(|i| format!("\"r{i}\"")).collect();
    let src = format!(
        "locals {{\n  keys = [{}]\n}}\nresource \"aws_iam_role\" \"r\" {{\n  for_each = {{ for k in local.keys : k => k }}\n  name     = each.key\n}}\n",
        keys.join(", ")
    );
    let dir = tree(&[("main.tf", &src)]);
    let t = Instant::now();
    let ing = load_ok(dir.path());
    assert!(
        t.elapsed() < Duration::from_secs(60),
        "took {:?}",
        t.elapsed()
    );
    assert_eq!(ing.instances.len(), 100_000);
    assert_eq!(string(&ing, "aws_iam_role.r[\"r99999\"]", "name"), "r99999");
}

#[test]
fn self_referencing_local_is_an_error_naming_it() {
    let dir = tree(&[(
        "main.tf",
        "locals {\n  a = \"x\"\n  me = \"${local.me}-again\"\n}\n",
    )]);
    let e = load_err(dir.path());
    let text = e.to_string();
    assert!(text.contains("local.me refers to itself"), "{text}");
    assert!(text.contains("main.tf:3:3"), "{text}");
}

#[test]
fn local_cycle_is_an_error_naming_both_locals() {
    let dir = tree(&[("main.tf", "locals {\n  a = local.b\n  b = [local.a]\n}\n")]);
    let text = load_err(dir.path()).to_string();
    assert!(
        text.contains("local.a") && text.contains("local.b"),
        "{text}"
    );
    assert!(text.contains("refer to each other"), "{text}");
}

#[test]
fn file_outside_the_root_is_unknown_with_a_note_and_never_read() {
    let dir = tree(&[(
        "stack/main.tf",
        r#"
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = file("../../etc/passwd")
  description        = templatefile("../../etc/passwd", {})
}
"#,
    )]);
    let ing = load_ok(dir.path().join("stack"));
    assert!(attr(&ing, "aws_iam_role.r", "assume_role_policy").is_unknown());
    assert!(attr(&ing, "aws_iam_role.r", "description").is_unknown());
    let notes: Vec<_> = ing
        .notes
        .iter()
        .filter(|n| n.message.contains("outside the scanned root"))
        .collect();
    assert_eq!(notes.len(), 2, "{:?}", ing.notes);
    assert_eq!(notes[0].location.line, 4);
    assert!(notes.iter().all(|n| !n.message.contains("root:x:0")));
}

#[cfg(unix)]
#[test]
fn symlink_loop_and_symlink_out_of_the_root_do_not_hang_or_escape() {
    let dir = tree(&[
        (
            "scan/main.tf",
            "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n}\n",
        ),
        (
            "secret/main.tf",
            "resource \"aws_iam_role\" \"secret\" {\n  name = \"s\"\n}\n",
        ),
    ]);
    let scan = dir.path().join("scan");
    std::os::unix::fs::symlink(&scan, scan.join("loop")).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(dir.path().join("secret"), scan.join("out"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(dir.path().join("secret/main.tf"), scan.join("linked.tf"))
        .unwrap_or_else(|e| panic!("{e}"));
    let t = Instant::now();
    let ing = load_ok(&scan);
    assert!(t.elapsed() < Duration::from_secs(10));
    assert_eq!(addresses(&ing, "aws_iam_role"), vec!["aws_iam_role.r"]);
    assert!(
        ing.notes
            .iter()
            .any(|n| n.message.contains("outside the scanned root"))
    );
}

#[test]
fn invalid_utf8_is_an_error_naming_file_and_line() {
    let dir = tree(&[]);
    std::fs::write(
        dir.path().join("bad.tf"),
        b"locals {\n  a = \"\xff\xfe\"\n}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let e = load_err(dir.path());
    let Error::At {
        path,
        line,
        message,
        ..
    } = &e
    else {
        panic!("not a located error: {e}");
    };
    assert!(path.ends_with("bad.tf"));
    assert_eq!(*line, 2);
    assert!(message.contains("UTF-8"));
}

#[test]
fn a_tf_file_that_is_not_hcl_is_an_error_at_its_line() {
    let dir = tree(&[(
        "broken.tf",
        "resource \"aws_iam_role\" \"r\" {\n  name = \n}\n",
    )]);
    let e = load_err(dir.path());
    let Error::At {
        path,
        line,
        message,
        ..
    } = &e
    else {
        panic!("not a located error: {e}");
    };
    assert!(path.ends_with("broken.tf"));
    assert_eq!(*line, 2);
    assert!(message.contains("not valid HCL"), "{message}");
}

#[test]
fn duplicate_object_keys_keep_the_later_value_and_are_noted() {
    // Terraform reads this and keeps "b"; trustdrift must read the same and
    // say where the shadowed key is.
    let dir = tree(&[(
        "main.tf",
        "locals {\n  p = {\n    AWS = \"a\"\n    AWS = \"b\"\n  }\n}\n\nresource \"aws_iam_role\" \"r\" {\n  name = local.p.AWS\n}\n",
    )]);
    let ing = load(dir.path(), &HclOptions::default()).expect("duplicate keys are valid Terraform");
    let role = ing
        .instances
        .iter()
        .find(|i| i.address == "aws_iam_role.r")
        .expect("role");
    assert_eq!(role.attrs.get("name").and_then(|v| v.as_str()), Some("b"));
    let note = ing
        .notes
        .iter()
        .find(|n| n.message.contains("`AWS`"))
        .expect("a note on the duplicate");
    assert_eq!((note.location.line, note.location.column), (3, 5));
    assert!(note.message.contains("line 4"), "{}", note.message);
}

#[test]
fn many_duplicate_keys_in_nested_objects_all_resolve() {
    let dir = tree(&[(
        "main.tf",
        "locals {\n  p = {\n    a = { x = 1, x = 2 }\n    a = { \"y\" = 1, \"y\" = 3 }\n    b = 1\n    b = 2\n    b = 3\n  }\n}\n\nresource \"aws_iam_role\" \"r\" {\n  name = \"${local.p.a.y}-${local.p.b}\"\n}\n",
    )]);
    let ing = load(dir.path(), &HclOptions::default()).expect("valid Terraform");
    let role = ing
        .instances
        .iter()
        .find(|i| i.address == "aws_iam_role.r")
        .expect("role");
    assert_eq!(role.attrs.get("name").and_then(|v| v.as_str()), Some("3-3"));
    assert!(ing.notes.len() >= 4, "{:#?}", ing.notes);
}

#[test]
fn type_errors_and_bad_references_are_notes_not_failures() {
    let dir = tree(&[(
        "main.tf",
        r#"
resource "aws_iam_role" "r" {
  name        = "a" + 1
  description = var.undeclared
  path        = local.nothing.here
  tags        = { a = [1, 2][5] }
}
"#,
    )]);
    let ing = load_ok(dir.path());
    assert!(matches!(
        attr(&ing, "aws_iam_role.r", "name"),
        Value::Unknown(_)
    ));
    assert!(attr(&ing, "aws_iam_role.r", "description").is_unknown());
    assert!(ing.notes.len() >= 4, "{:?}", ing.notes);
    assert!(
        ing.notes
            .iter()
            .all(|n| n.location.file.ends_with("main.tf"))
    );
}

#[test]
fn dotfiles_and_terraform_dirs_are_skipped_gitignored_files_are_read() {
    let dir = tree(&[
        (
            "main.tf",
            "resource \"aws_iam_role\" \"kept\" {\n  name = \"k\"\n}\n",
        ),
        (
            ".hidden.tf",
            "resource \"aws_iam_role\" \"hidden\" {\n  name = \"h\"\n}\n",
        ),
        (
            "ignored.tf",
            "resource \"aws_iam_role\" \"ignored\" {\n  name = \"i\"\n}\n",
        ),
        (".gitignore", "ignored.tf\n"),
        (
            ".terraform/x/main.tf",
            "resource \"aws_iam_role\" \"cache\" {\n  name = \"c\"\n}\n",
        ),
        (
            ".terragrunt-cache/y/main.tf",
            "resource \"aws_iam_role\" \"tg\" {\n  name = \"t\"\n}\n",
        ),
    ]);
    let ing = load_ok(dir.path());
    // Terraform reads a module directory's files whatever git ignores.
    assert_eq!(
        addresses(&ing, "aws_iam_role"),
        vec!["aws_iam_role.ignored", "aws_iam_role.kept"]
    );
}
