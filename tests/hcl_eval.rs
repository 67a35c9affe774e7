//! The HCL evaluator: variables, locals, count / for_each, dynamic blocks,
//! for expressions, operators, templates, try / can, templatefile, unknowns,
//! provenance, tags_all. Fixture: testdata/hcl/eval.

mod hcl_common;

use hcl_common::*;
use trustdrift::ingest::hcl::{CliInput, HclOptions};
use trustdrift::model::value::Value;

const EVAL: &str = "testdata/hcl/eval";

fn probe(ing: &trustdrift::ingest::Ingested) -> serde_json::Value {
    json(ing, "aws_iam_role.probe", "description")
}

#[test]
fn locals_for_expressions_and_operators() {
    let ing = load_ok(EVAL);
    let p = probe(&ing);
    assert_eq!(p["doubled"], serde_json::json!([4, 8]));
    assert_eq!(
        p["by_parity"],
        serde_json::json!({"even": [2, 4], "odd": [1, 3]})
    );
    assert_eq!(
        p["arns"],
        serde_json::json!([
            "arn:aws:iam::111111111111:root",
            "arn:aws:iam::222222222222:root"
        ])
    );
    assert_eq!(p["first_id"], "111111111111");
    assert_eq!(p["arith"], serde_json::json!(3.5));
    assert_eq!(p["logic"], true);
    assert_eq!(p["picked"], "np");
    assert_eq!(p["module_dir"], ".");
}

#[test]
fn optional_object_attributes_and_sets_follow_the_variable_type() {
    let ing = load_ok(EVAL);
    let p = probe(&ing);
    assert_eq!(
        p["externals"],
        serde_json::json!({"alpha": "none", "beta": "ext-b"})
    );
    assert_eq!(
        p["services"],
        serde_json::json!(["ec2.amazonaws.com", "lambda.amazonaws.com"])
    );
}

#[test]
fn try_and_can_evaluate_lazily() {
    let ing = load_ok(EVAL);
    let p = probe(&ing);
    assert_eq!(p["tried"], "fallback");
    assert_eq!(p["can_alpha"], true);
    assert_eq!(p["can_gamma"], false);
}

#[test]
fn heredoc_directives_strip_markers_and_indentation() {
    let ing = load_ok(EVAL);
    assert_eq!(
        probe(&ing)["template"],
        "ec2.amazonaws.comlambda.amazonaws.comdev-only\n"
    );
}

#[test]
fn unknowns_are_written_as_interpolations_inside_strings() {
    let ing = load_ok(EVAL);
    let p = probe(&ing);
    assert_eq!(p["unknown_ws"], "${terraform.workspace}");
    assert_eq!(
        p["caller"],
        "${data.aws_caller_identity.current.account_id}"
    );
    // A resource attribute written in configuration resolves; the arn is
    // built from the name, in the account the code is applied in.
    assert_eq!(p["sibling_name"], "td-dev-alpha");
    assert_eq!(
        p["sibling_arn"],
        "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/td-dev-alpha"
    );
}

#[test]
fn unset_variable_stays_unknown_inside_the_arn() {
    let dir = tree(&[(
        "main.tf",
        r#"
variable "account" {}
resource "aws_iam_role" "r" {
  name = "arn:aws:iam::${var.account}:root"
  path = var.account
}
"#,
    )]);
    let ing = load_ok(dir.path());
    assert_eq!(
        string(&ing, "aws_iam_role.r", "name"),
        "arn:aws:iam::${var.account}:root"
    );
    assert_eq!(
        attr(&ing, "aws_iam_role.r", "path"),
        &Value::unknown("var.account")
    );
}

#[test]
fn function_errors_become_unknown_with_a_note_at_the_call() {
    let ing = load_ok(EVAL);
    assert_eq!(probe(&ing)["broken"], "${lookup(local.numbers)}");
    let note = ing
        .notes
        .iter()
        .find(|n| n.message.contains("lookup"))
        .unwrap_or_else(|| panic!("no note for lookup: {:?}", ing.notes));
    assert_eq!(
        note.location.to_string(),
        "testdata/hcl/eval/locals.tf:26:18"
    );
    assert!(
        note.message.contains("expected 2 or 3 arguments"),
        "{}",
        note.message
    );
    assert_eq!(note.address.as_deref(), Some("aws_iam_role.probe"));
}

#[test]
fn for_each_over_maps_and_sets_and_count() {
    let ing = load_ok(EVAL);
    assert_eq!(
        addresses(&ing, "aws_iam_role"),
        vec![
            "aws_iam_role.counted[0]",
            "aws_iam_role.counted[1]",
            "aws_iam_role.per_account[\"alpha\"]",
            "aws_iam_role.per_account[\"beta\"]",
            "aws_iam_role.per_service[\"ec2.amazonaws.com\"]",
            "aws_iam_role.per_service[\"lambda.amazonaws.com\"]",
            "aws_iam_role.probe",
        ]
    );
    let beta = json(
        &ing,
        "aws_iam_role.per_account[\"beta\"]",
        "assume_role_policy",
    );
    assert_eq!(
        beta["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::222222222222:root"
    );
    assert_eq!(
        beta["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
        "ext-b"
    );
    assert_eq!(
        string(
            &ing,
            "aws_iam_role.per_service[\"ec2.amazonaws.com\"]",
            "name"
        ),
        "ec2"
    );
}

#[test]
fn dynamic_blocks_with_a_custom_iterator_and_nested_dynamic() {
    let ing = load_ok(EVAL);
    let doc = json(&ing, "aws_iam_role.counted[1]", "assume_role_policy");
    assert_eq!(doc["Statement"][0]["Sid"], "Two");
    assert_eq!(
        doc["Statement"][0]["Principal"]["AWS"],
        serde_json::json!([
            "arn:aws:iam::222222222222:root",
            "arn:aws:iam::333333333333:root"
        ])
    );
}

#[test]
fn templatefile_renders_inside_the_root() {
    let ing = load_ok(EVAL);
    let doc = json(
        &ing,
        "aws_iam_role.per_service[\"lambda.amazonaws.com\"]",
        "assume_role_policy",
    );
    assert_eq!(
        doc["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::999999999999:root"
    );
    assert_eq!(
        doc["Statement"][0]["Principal"]["Service"],
        serde_json::json!(["ec2.amazonaws.com", "lambda.amazonaws.com"])
    );
}

#[test]
fn tfvars_value_and_arithmetic_reach_attributes() {
    let ing = load_ok(EVAL);
    let doc = json(&ing, "aws_iam_role.probe", "assume_role_policy");
    assert_eq!(
        doc["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::999999999999:root"
    );
    assert_eq!(
        attr(&ing, "aws_iam_role.probe", "max_session_duration"),
        &Value::Number(7200.into())
    );
}

#[test]
fn tags_all_merges_provider_default_tags() {
    let ing = load_ok(EVAL);
    assert_eq!(
        attr(&ing, "aws_iam_role.probe", "tags_all").to_json(),
        serde_json::json!({"owner": "platform", "team": "trust"})
    );
    assert_eq!(
        attr(&ing, "aws_iam_role.per_account[\"alpha\"]", "tags_all").to_json(),
        serde_json::json!({"owner": "platform", "team": "identity"})
    );
}

#[test]
fn provenance_points_at_blocks_attributes_and_statements() {
    let ing = load_ok(EVAL);
    let probe = instance(&ing, "aws_iam_role.probe");
    assert_eq!(
        probe.provenance.location.to_string(),
        "testdata/hcl/eval/main.tf:11:1"
    );
    assert_eq!(
        probe.provenance.attrs["assume_role_policy"].to_string(),
        "testdata/hcl/eval/main.tf:13:3"
    );
    assert_eq!(
        probe
            .provenance
            .statement("assume_role_policy", 0)
            .to_string(),
        "testdata/hcl/eval/main.tf:15:18"
    );
    let counted = instance(&ing, "aws_iam_role.counted[0]");
    assert_eq!(
        counted
            .provenance
            .statement("assume_role_policy", 0)
            .to_string(),
        "testdata/hcl/eval/main.tf:81:5"
    );
    assert!(matches!(
        probe.provenance.kind,
        trustdrift::ingest::SourceKind::Hcl
    ));
}

#[test]
fn unrelated_resource_types_are_not_evaluated() {
    let ing = load_ok(EVAL);
    assert!(
        ing.instances
            .iter()
            .all(|i| i.resource_type != "aws_s3_bucket")
    );
    assert!(
        !ing.notes
            .iter()
            .any(|n| n.message.contains("never-evaluated"))
    );
}

#[test]
fn variable_precedence_env_tfvars_auto_varfile_var() {
    let dir = tree(&[
        (
            "main.tf",
            r#"
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
variable "f" { default = "default" }
variable "list" {
  type    = list(string)
  default = []
}
resource "aws_iam_role" "r" {
  name        = join(",", [var.a, var.b, var.c, var.d, var.e, var.f])
  description = join(",", var.list)
}
"#,
        ),
        (
            "terraform.tfvars",
            "a = \"tfvars\"\nb = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\n",
        ),
        ("a.auto.tfvars", "b = \"auto-a\"\nc = \"auto-a\"\n"),
        (
            "b.auto.tfvars.json",
            "{\"c\": \"auto-b\", \"d\": \"auto-b\"}",
        ),
        ("extra.tfvars", "d = \"var-file\"\ne = \"var-file\"\n"),
    ]);
    let opts = HclOptions {
        inputs: vec![
            CliInput::Var {
                name: "e".into(),
                value: "cli".into(),
            },
            CliInput::File(dir.path().join("extra.tfvars")),
            CliInput::Var {
                name: "e".into(),
                value: "cli".into(),
            },
            CliInput::Var {
                name: "list".into(),
                value: "[\"x\", \"y\"]".into(),
            },
        ],
        env_vars: vec![("a".into(), "env".into()), ("f".into(), "env".into())],
        ..Default::default()
    };
    let ing = load_with(dir.path(), &opts);
    assert_eq!(
        string(&ing, "aws_iam_role.r", "name"),
        "tfvars,auto-a,auto-b,var-file,cli,env"
    );
    assert_eq!(string(&ing, "aws_iam_role.r", "description"), "x,y");

    // Command-line order decides between --var and --var-file, as in Terraform.
    let file_last = HclOptions {
        inputs: vec![
            CliInput::Var {
                name: "e".into(),
                value: "cli".into(),
            },
            CliInput::File(dir.path().join("extra.tfvars")),
        ],
        env_vars: Vec::new(),
        ..Default::default()
    };
    let ing = load_with(dir.path(), &file_last);
    assert!(string(&ing, "aws_iam_role.r", "name").contains(",var-file,var-file,"));
}

#[test]
fn json_syntax_files_are_read() {
    let dir = tree(&[(
        "main.tf.json",
        r#"{
  "variable": { "account": { "default": "123456789012" } },
  "locals": { "root": "arn:aws:iam::${var.account}:root" },
  "data": {
    "aws_iam_policy_document": {
      "trust": {
        "statement": [{
          "actions": ["sts:AssumeRole"],
          "principals": [{ "type": "AWS", "identifiers": ["${local.root}"] }]
        }]
      }
    }
  },
  "resource": {
    "aws_iam_role": {
      "json_role": {
        "name": "from-json",
        "assume_role_policy": "${data.aws_iam_policy_document.trust.json}"
      }
    }
  }
}"#,
    )]);
    let ing = load_ok(dir.path());
    let doc = json(&ing, "aws_iam_role.json_role", "assume_role_policy");
    assert_eq!(
        doc["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::123456789012:root"
    );
    let role = instance(&ing, "aws_iam_role.json_role");
    assert_eq!(role.provenance.location.line, 16);
    assert!(role.provenance.location.file.ends_with("main.tf.json"));
}

#[test]
fn unknown_count_gives_one_representative_instance_and_a_note() {
    let dir = tree(&[(
        "main.tf",
        r#"
variable "n" { type = number }
resource "aws_iam_role" "r" {
  count = var.n
  name  = "r-${count.index}"
}
"#,
    )]);
    let ing = load_ok(dir.path());
    assert_eq!(
        string(&ing, "aws_iam_role.r[*]", "name"),
        "r-${count.index}"
    );
    assert!(
        ing.notes
            .iter()
            .any(|n| n.message.contains("count = var.n is not known"))
    );
}

#[test]
fn splats_over_resources_and_lists() {
    let dir = tree(&[(
        "main.tf",
        r#"
locals {
  objs = [{ n = "a" }, { n = "b" }]
}
resource "aws_iam_policy" "p" {
  count  = 2
  name   = "p${count.index}"
  policy = "{}"
}
resource "aws_iam_role" "r" {
  name        = join(",", local.objs[*].n)
  description = join(",", aws_iam_policy.p[*].name)
  path        = join(",", aws_iam_policy.p.*.arn)
}
"#,
    )]);
    let ing = load_ok(dir.path());
    assert_eq!(string(&ing, "aws_iam_role.r", "name"), "a,b");
    assert_eq!(string(&ing, "aws_iam_role.r", "description"), "p0,p1");
    // The ARNs are only known after apply.
    assert_eq!(
        attr(&ing, "aws_iam_role.r", "path"),
        &Value::unknown("aws_iam_policy.p.*.arn")
    );
}

/// Provider and identity ARNs whose shape the arguments fix are built in the
/// account the code is applied in; what the provider alone knows stays unknown.
#[test]
fn arns_fixed_by_their_arguments_are_built() {
    let dir = tree(&[(
        "main.tf",
        r#"
variable "issuer" { type = string }
resource "aws_iam_openid_connect_provider" "gh" {
  url = "https://token.actions.githubusercontent.com"
}
resource "aws_iam_openid_connect_provider" "eks" {
  url = var.issuer
}
data "aws_iam_openid_connect_provider" "by_url" {
  url = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"
}
data "aws_iam_openid_connect_provider" "by_arn" {
  arn = "arn:aws:iam::111122223333:oidc-provider/gitlab.com"
}
resource "aws_iam_saml_provider" "okta" {
  name = "okta"
}
resource "aws_iam_role" "named" {
  name = "deploy"
  path = "/ci/"
}
resource "aws_iam_role" "prefixed" {
  name_prefix = "deploy-"
}
resource "aws_iam_user" "u" {
  name = "anton"
}
data "aws_iam_role" "existing" {
  name = "admin"
}
data "aws_service_principal" "ec2" {
  service_name = "ec2"
}
resource "aws_iam_role" "r" {
  name = "out"
  description = jsonencode([
    aws_iam_openid_connect_provider.gh.arn,
    aws_iam_openid_connect_provider.eks.arn,
    data.aws_iam_openid_connect_provider.by_url.arn,
    data.aws_iam_openid_connect_provider.by_arn.arn,
    aws_iam_saml_provider.okta.arn,
    aws_iam_role.named.arn,
    aws_iam_role.prefixed.arn,
    aws_iam_role.named.unique_id,
    aws_iam_user.u.arn,
    data.aws_iam_role.existing.arn,
    data.aws_service_principal.ec2.name,
  ])
}
"#,
    )]);
    let ing = load_ok(dir.path());
    let own = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}";
    let got: Vec<String> =
        serde_json::from_str(string(&ing, "aws_iam_role.r", "description")).expect("json list");
    assert_eq!(
        got,
        vec![
            format!("{own}:oidc-provider/token.actions.githubusercontent.com"),
            format!("{own}:oidc-provider/${{var.issuer}}"),
            format!("{own}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
            "arn:aws:iam::111122223333:oidc-provider/gitlab.com".to_string(),
            format!("{own}:saml-provider/okta"),
            format!("{own}:role/ci/deploy"),
            // A generated name, and the provider's own id: not known.
            "${aws_iam_role.prefixed.arn}".to_string(),
            "${aws_iam_role.named.unique_id}".to_string(),
            format!("{own}:user/anton"),
            format!("{own}:role/admin"),
            "ec2.${data.aws_partition.current.dns_suffix}".to_string(),
        ]
    );
}

/// A resource referred to whole (`for k, r in aws_iam_role.x`) is its
/// instances, each with its arguments and the attributes they fix.
#[test]
fn a_resource_referred_to_whole_is_its_instances() {
    let dir = tree(&[(
        "main.tf",
        r#"
variable "unknown_names" { type = set(string) }
resource "aws_iam_role" "each" {
  for_each = toset(["a", "b"])
  name     = "role-${each.key}"
}
resource "aws_iam_role" "counted" {
  count = 2
  name  = "counted-${count.index}"
}
resource "aws_iam_role" "unknown" {
  for_each = var.unknown_names
  name     = each.key
}
resource "aws_iam_role" "r" {
  name = "out"
  description = jsonencode({
    by_key  = { for k, r in aws_iam_role.each : k => r.name }
    arns    = [for r in aws_iam_role.counted : r.arn]
    one     = aws_iam_role.each["b"].name
    ids     = [for r in aws_iam_role.counted : r.unique_id]
    unknown = [for r in aws_iam_role.unknown : r.name]
  })
}
"#,
    )]);
    let ing = load_ok(dir.path());
    let got: serde_json::Value =
        serde_json::from_str(string(&ing, "aws_iam_role.r", "description")).expect("json");
    assert_eq!(
        got["by_key"],
        serde_json::json!({"a": "role-a", "b": "role-b"})
    );
    assert_eq!(got["one"], "role-b");
    let own = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}";
    assert_eq!(
        got["arns"],
        serde_json::json!([
            format!("{own}:role/counted-0"),
            format!("{own}:role/counted-1")
        ])
    );
    // What only the provider knows, and instances not known: unknown.
    assert_eq!(
        got["ids"],
        serde_json::json!([
            "${aws_iam_role.counted[0].unique_id}",
            "${aws_iam_role.counted[1].unique_id}"
        ])
    );
    assert!(
        got["unknown"].as_str().is_some_and(|s| s.starts_with("${")),
        "{got}"
    );
}

/// Resources that refer to each other whole, round a cycle: each instance
/// is built once, and a reference back into one being built is unknown.
#[test]
fn whole_resource_references_round_a_cycle_end() {
    let mut code = String::new();
    for i in 0..60 {
        let next = (i + 1) % 60;
        code.push_str(&format!(
            "resource \"aws_iam_role\" \"r{i}\" {{\n  name = \"r{i}\"\n  tags = {{ next = aws_iam_role.r{next} }}\n}}\n"
        ));
    }
    let dir = tree(&[("main.tf", code.as_str())]);
    let ing = load_ok(dir.path());
    assert_eq!(addresses(&ing, "aws_iam_role").len(), 60);
    // r0 -> r1 -> ... -> r59 -> r0: the last step is the cycle.
    let mut cur = attr(&ing, "aws_iam_role.r0", "tags");
    for i in 1..60 {
        let next = cur.get("next").unwrap_or_else(|| panic!("r{i} in {cur:?}"));
        assert_eq!(
            next.get("name").and_then(|n| n.as_str()),
            Some(format!("r{i}").as_str())
        );
        cur = next.get("tags").unwrap_or_else(|| panic!("tags of r{i}"));
    }
    // Round the cycle once more, the reference back is unknown.
    let back = cur
        .get("next")
        .and_then(|r0| r0.get("tags"))
        .and_then(|t| t.get("next"));
    assert!(back.is_some_and(|v| v.is_unknown()), "{cur:?}");
}
