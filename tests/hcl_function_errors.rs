//! Every Terraform function trustdrift evaluates reports a misuse (wrong
//! arity or wrong type) as a note at the file, line and column of the call,
//! naming the function; the value becomes unknown and the scan goes on.

mod hcl_common;

use hcl_common::*;

/// (function, a call that is wrong in arity or type)
const MISUSES: &[(&str, &str)] = &[
    ("jsonencode", "jsonencode()"),
    ("jsondecode", "jsondecode(\"{\")"),
    ("merge", "merge(\"x\")"),
    ("concat", "concat(\"x\")"),
    ("format", "format()"),
    ("formatlist", "formatlist()"),
    ("lookup", "lookup({})"),
    ("element", "element(\"x\", 1)"),
    ("index", "index(\"x\", \"y\")"),
    ("contains", "contains(\"x\", \"y\")"),
    ("length", "length(1)"),
    ("keys", "keys(\"x\")"),
    ("values", "values(\"x\")"),
    ("tolist", "tolist(\"x\")"),
    ("toset", "toset(\"x\")"),
    ("tomap", "tomap(\"x\")"),
    ("tostring", "tostring([1])"),
    ("tonumber", "tonumber(\"x\")"),
    ("distinct", "distinct(\"x\")"),
    ("flatten", "flatten(\"x\")"),
    ("compact", "compact(\"x\")"),
    ("coalesce", "coalesce()"),
    ("coalescelist", "coalescelist(\"x\")"),
    ("one", "one(\"x\")"),
    ("join", "join()"),
    ("split", "split()"),
    ("replace", "replace(\"a\")"),
    ("lower", "lower()"),
    ("upper", "upper()"),
    ("trimspace", "trimspace()"),
    ("trimprefix", "trimprefix(\"a\")"),
    ("trimsuffix", "trimsuffix(\"a\")"),
    ("startswith", "startswith(\"a\")"),
    ("endswith", "endswith(\"a\")"),
    ("regex", "regex(\"a\")"),
    ("regexall", "regexall(\"a\")"),
    ("substr", "substr(\"a\")"),
    ("sort", "sort(\"x\")"),
    ("zipmap", "zipmap(\"x\")"),
    ("setunion", "setunion(\"x\")"),
    ("setintersection", "setintersection(\"x\")"),
    ("file", "file()"),
    ("templatefile", "templatefile()"),
    ("arn_parse", "provider::aws::arn_parse(\"not-an-arn\")"),
    ("arn_build", "provider::aws::arn_build(\"aws\")"),
];

#[test]
fn every_function_misuse_is_a_note_at_its_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut tf = String::from("locals {\n");
    for (i, (_, call)) in MISUSES.iter().enumerate() {
        tf.push_str(&format!("  f{i} = {call}\n"));
    }
    tf.push_str("}\n\nresource \"aws_iam_role\" \"probe\" {\n  name = \"probe\"\n  tags = {\n");
    for i in 0..MISUSES.len() {
        tf.push_str(&format!("    f{i} = local.f{i}\n"));
    }
    tf.push_str("  }\n  assume_role_policy = \"{}\"\n}\n");
    std::fs::write(dir.path().join("main.tf"), &tf).expect("write main.tf");

    let ing = load_ok(dir.path());
    let file = format!(
        "{}/main.tf",
        trustdrift::ingest::hcl::source::display_path(dir.path())
    );
    for (i, (name, call)) in MISUSES.iter().enumerate() {
        let line = i as u32 + 2;
        let note = ing
            .notes
            .iter()
            .find(|n| n.location.line == line && n.location.file == file)
            .unwrap_or_else(|| panic!("{call}: no note at {file}:{line}; notes: {:#?}", ing.notes));
        let column = format!("  f{i} = ").len() as u32 + 1;
        assert_eq!(
            note.location.column, column,
            "{call}: the note points at the call"
        );
        assert!(
            note.message.contains(name),
            "{call}: the note does not name {name}: {}",
            note.message
        );
        let tags = attr(&ing, "aws_iam_role.probe", "tags");
        assert!(
            tags.get(&format!("f{i}")).is_some_and(|v| v.is_unknown()),
            "{call}: the value should be unknown, got {:?}",
            tags.get(&format!("f{i}"))
        );
    }
}
