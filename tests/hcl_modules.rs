//! Local modules, module instances and their addresses, outputs,
//! `.terraform/modules/modules.json` copies, and sources that are not read.
//! Fixture: testdata/hcl/modules.

mod hcl_common;

use hcl_common::*;
use trustdrift::model::value::Value;

const DIR: &str = "testdata/hcl/modules";

#[test]
fn addresses_are_the_ones_a_plan_gives() {
    let ing = load_ok(DIR);
    assert_eq!(
        addresses(&ing, "aws_iam_role"),
        vec![
            "aws_iam_role.uses_outputs",
            "module.counted[0].aws_iam_role.this",
            "module.counted[1].aws_iam_role.this",
            "module.remote.aws_iam_role.this",
            "module.team[\"blue\"].aws_iam_role.this",
            "module.team[\"green\"].aws_iam_role.this",
        ]
    );
    assert_eq!(
        addresses(&ing, "aws_iam_policy_document"),
        vec![
            "module.counted[0].module.trust.data.aws_iam_policy_document.this",
            "module.counted[1].module.trust.data.aws_iam_policy_document.this",
            "module.team[\"blue\"].module.trust.data.aws_iam_policy_document.this",
            "module.team[\"green\"].module.trust.data.aws_iam_policy_document.this",
        ]
    );
}

#[test]
fn inputs_flow_in_with_the_callers_each_and_count() {
    let ing = load_ok(DIR);
    let green = json(
        &ing,
        "module.team[\"green\"].aws_iam_role.this",
        "assume_role_policy",
    );
    assert_eq!(
        green["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::222222222222:root"
    );
    let c1 = json(
        &ing,
        "module.counted[1].aws_iam_role.this",
        "assume_role_policy",
    );
    assert_eq!(
        c1["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::333333333331:root"
    );
    assert_eq!(
        string(&ing, "module.counted[1].aws_iam_role.this", "name"),
        "counted-1"
    );
}

#[test]
fn outputs_reach_the_caller_and_unscanned_modules_are_unknown() {
    let ing = load_ok(DIR);
    let doc = json(&ing, "aws_iam_role.uses_outputs", "assume_role_policy");
    assert_eq!(
        doc["Statement"][0]["Principal"]["AWS"],
        serde_json::json!(["team-blue", "counted-1", "${module.unscanned.arn}"])
    );
    assert_eq!(
        string(&ing, "aws_iam_role.uses_outputs", "description"),
        "team-blue,team-green"
    );
    let notes: Vec<_> = ing
        .notes
        .iter()
        .filter(|n| n.message.contains("\"unscanned\""))
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", ing.notes);
    assert!(
        notes[0]
            .message
            .contains("git::https://example.com/iam.git?ref=v1")
    );
    assert!(
        notes[0]
            .message
            .contains("run terraform init or scan a plan")
    );
    assert_eq!(notes[0].address.as_deref(), Some("module.unscanned"));
    assert_eq!(
        notes[0].location.to_string(),
        "testdata/hcl/modules/root/main.tf:28:1"
    );
}

#[test]
fn registry_modules_are_read_from_the_terraform_init_copy() {
    let ing = load_ok(DIR);
    let role = instance(&ing, "module.remote.aws_iam_role.this");
    assert_eq!(
        role.provenance.location.file,
        "testdata/hcl/modules/root/.terraform/modules/remote/main.tf"
    );
    assert_eq!(
        string(&ing, "module.remote.aws_iam_role.this", "name"),
        "remote"
    );
}

#[test]
fn statements_are_traced_through_module_outputs() {
    let ing = load_ok(DIR);
    let role = instance(&ing, "module.team[\"blue\"].aws_iam_role.this");
    assert_eq!(
        role.provenance
            .statement("assume_role_policy", 0)
            .to_string(),
        "testdata/hcl/modules/modules/trust/main.tf:6:3"
    );
}

#[test]
fn module_called_only_by_others_is_not_a_root() {
    let ing = load_ok(DIR);
    // modules/role is only called: no unprefixed aws_iam_role.this.
    assert!(
        ing.instances
            .iter()
            .all(|i| i.address != "aws_iam_role.this")
    );
}

#[test]
fn a_module_source_outside_the_scanned_root_is_not_read() {
    let dir = tree(&[
        (
            "stack/main.tf",
            r#"
module "escape" {
  source = "../outside"
}
resource "aws_iam_role" "r" {
  name = module.escape.name
}
"#,
        ),
        (
            "outside/main.tf",
            "resource \"aws_iam_role\" \"secret\" {\n  name = \"secret\"\n}\noutput \"name\" {\n  value = \"secret\"\n}\n",
        ),
    ]);
    let ing = load_ok(dir.path().join("stack"));
    assert_eq!(addresses(&ing, "aws_iam_role"), vec!["aws_iam_role.r"]);
    assert_eq!(
        attr(&ing, "aws_iam_role.r", "name"),
        &Value::unknown("module.escape.name")
    );
    assert!(
        ing.notes
            .iter()
            .any(|n| n.message.contains("outside the scanned root")),
        "{:?}",
        ing.notes
    );
}

#[test]
fn nested_module_with_count_inside_for_each() {
    let dir = tree(&[
        (
            "main.tf",
            "module \"a\" {\n  source   = \"./a\"\n  for_each = toset([\"x\"])\n}\n",
        ),
        ("a/main.tf", "module \"b\" {\n  source = \"../b\"\n}\n"),
        (
            "b/main.tf",
            "resource \"aws_iam_role\" \"r\" {\n  count = 1\n  name  = \"r\"\n}\n",
        ),
    ]);
    let ing = load_ok(dir.path());
    assert_eq!(
        addresses(&ing, "aws_iam_role"),
        vec!["module.a[\"x\"].module.b.aws_iam_role.r[0]"]
    );
}

/// A repository laid out as `envs/prod` calling `../../modules/iam`, with a
/// `.git` marking the repository root.
fn repository(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let mut files = vec![
        (".git/HEAD", "ref: refs/heads/main\n"),
        (
            "envs/prod/main.tf",
            "module \"iam\" {\n  source = \"../../modules/iam\"\n  trusted = \"arn:aws:iam::444455556666:root\"\n}\n",
        ),
        (
            "modules/iam/main.tf",
            r#"variable "trusted" {}
resource "aws_iam_role" "this" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = var.trusted }
    }]
  })
}
"#,
        ),
    ];
    files.extend_from_slice(extra);
    tree(&files)
}

#[test]
fn a_sibling_module_inside_the_repository_is_read_from_the_calling_directory() {
    let dir = repository(&[]);
    let ing = load_ok(dir.path().join("envs/prod"));
    // Read because it is called, not itself a root: one role, under the call.
    assert_eq!(
        addresses(&ing, "aws_iam_role"),
        vec!["module.iam.aws_iam_role.this"]
    );
    assert!(
        string(&ing, "module.iam.aws_iam_role.this", "assume_role_policy")
            .contains("arn:aws:iam::444455556666:root")
    );
    assert!(ing.notes.iter().all(|n| !n.unscanned), "{:?}", ing.notes);
}

#[test]
fn without_a_repository_the_scanned_directory_stays_the_root() {
    let dir = repository(&[]);
    std::fs::remove_dir_all(dir.path().join(".git")).expect("remove .git");
    let ing = load_ok(dir.path().join("envs/prod"));
    assert!(addresses(&ing, "aws_iam_role").is_empty());
    assert!(
        ing.notes
            .iter()
            .any(|n| n.unscanned && n.message.contains("outside the scanned root")),
        "{:?}",
        ing.notes
    );
}

#[test]
fn an_explicit_root_narrows_or_widens_the_reach() {
    let dir = repository(&[]);
    let narrow = trustdrift::HclOptions {
        root: Some(dir.path().join("envs/prod")),
        ..Default::default()
    };
    let ing = load_with(dir.path().join("envs/prod"), &narrow);
    assert!(addresses(&ing, "aws_iam_role").is_empty());

    std::fs::remove_dir_all(dir.path().join(".git")).expect("remove .git");
    let wide = trustdrift::HclOptions {
        root: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let ing = load_with(dir.path().join("envs/prod"), &wide);
    assert_eq!(
        addresses(&ing, "aws_iam_role"),
        vec!["module.iam.aws_iam_role.this"]
    );
}

#[test]
fn a_root_that_does_not_hold_the_scanned_directory_is_refused() {
    let dir = repository(&[]);
    let elsewhere = trustdrift::HclOptions {
        root: Some(dir.path().join("modules")),
        ..Default::default()
    };
    let Err(err) = trustdrift::ingest::hcl::load(&dir.path().join("envs/prod"), &elsewhere) else {
        panic!("a root that does not hold the scan must be refused");
    };
    assert!(err.to_string().contains("--root must hold"), "{err}");
}

#[test]
fn a_module_source_leaving_the_repository_is_still_refused() {
    let outer = tree(&[(
        "outside/main.tf",
        "resource \"aws_iam_role\" \"secret\" {\n  name = \"secret\"\n}\n",
    )]);
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    std::fs::create_dir_all(repo.join("stack")).expect("mkdir");
    std::fs::write(
        repo.join("stack/main.tf"),
        "module \"escape\" {\n  source = \"../../outside\"\n}\nlocals {\n  x = file(\"../../outside/main.tf\")\n}\nresource \"aws_iam_role\" \"r\" {\n  name = local.x\n}\n",
    )
    .expect("write");
    let ing = load_ok(repo.join("stack"));
    assert_eq!(addresses(&ing, "aws_iam_role"), vec!["aws_iam_role.r"]);
    assert!(attr(&ing, "aws_iam_role.r", "name").is_unknown());
    assert!(
        ing.notes
            .iter()
            .any(|n| n.unscanned && n.message.contains("is outside the repository root")),
        "{:?}",
        ing.notes
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_module_leading_out_of_the_repository_is_refused() {
    let outer = tree(&[(
        "outside/main.tf",
        "resource \"aws_iam_role\" \"secret\" {\n  name = \"secret\"\n}\n",
    )]);
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    std::fs::create_dir_all(repo.join("stack")).expect("mkdir");
    std::os::unix::fs::symlink(outer.path().join("outside"), repo.join("linked")).expect("link");
    std::fs::write(
        repo.join("stack/main.tf"),
        "module \"l\" {\n  source = \"../linked\"\n}\n",
    )
    .expect("write");
    let ing = load_ok(repo.join("stack"));
    assert!(addresses(&ing, "aws_iam_role").is_empty());
}

#[test]
fn file_reads_anywhere_inside_the_repository() {
    let dir = repository(&[
        (
            "policies/trust.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::777788889999:root"}}]}"#,
        ),
        (
            "envs/prod/file.tf",
            "resource \"aws_iam_role\" \"from_file\" {\n  name = \"from-file\"\n  assume_role_policy = file(\"../../policies/trust.json\")\n}\n",
        ),
    ]);
    let ing = load_ok(dir.path().join("envs/prod"));
    assert!(
        string(&ing, "aws_iam_role.from_file", "assume_role_policy")
            .contains("arn:aws:iam::777788889999:root")
    );
}
