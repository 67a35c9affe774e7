//! `*_override.tf` files merged as Terraform merges them.

mod hcl_common;

use hcl_common::*;

const MAIN: &str = r#"
locals {
  vendor = "arn:aws:iam::444455556666:root"
}

resource "aws_iam_role" "vendor" {
  name = "vendor"
  tags = { owner = "platform" }
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = local.vendor }
      Condition = { StringEquals = { "sts:ExternalId" = "c0ffee" } }
    }]
  })
}

data "aws_iam_policy_document" "ci" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-abc123def4"]
    }
  }
}
"#;

#[test]
fn an_override_file_replaces_arguments_locals_and_nested_blocks() {
    let dir = tree(&[
        ("main.tf", MAIN),
        (
            "iam_override.tf",
            r#"
locals {
  vendor = "arn:aws:iam::777788889999:root"
}

resource "aws_iam_role" "vendor" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = local.vendor }
    }]
  })
}

data "aws_iam_policy_document" "ci" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::222233334444:root"]
    }
  }
}
"#,
        ),
    ]);
    let ing = load_ok(dir.path());
    let vendor = json(&ing, "aws_iam_role.vendor", "assume_role_policy");
    assert_eq!(
        vendor["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::777788889999:root"
    );
    assert!(
        vendor["Statement"][0].get("Condition").is_none(),
        "{vendor}"
    );
    // Arguments the override does not name stay.
    assert_eq!(string(&ing, "aws_iam_role.vendor", "name"), "vendor");
    // What the override replaced is written there: findings point at it.
    let role = instance(&ing, "aws_iam_role.vendor");
    let at = &role.provenance.attrs["assume_role_policy"];
    assert!(at.file.ends_with("iam_override.tf"), "{at:?}");
    assert_eq!(at.line, 7);
    assert!(role.provenance.statements.is_empty());
    assert!(role.provenance.attrs["name"].file.ends_with("main.tf"));
    // The statement block is replaced whole: the organisation condition goes.
    let ci = json(&ing, "data.aws_iam_policy_document.ci", "json");
    assert_eq!(
        ci["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::222233334444:root"
    );
    assert!(ci["Statement"][0].get("Condition").is_none(), "{ci}");
}

#[test]
fn an_override_that_touches_no_trust_changes_no_trust() {
    let dir = tree(&[
        ("main.tf", MAIN),
        (
            "override.tf",
            "resource \"aws_iam_role\" \"vendor\" {\n  tags = { owner = \"security\" }\n}\n",
        ),
    ]);
    let ing = load_ok(dir.path());
    let vendor = json(&ing, "aws_iam_role.vendor", "assume_role_policy");
    assert_eq!(
        vendor["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
        "c0ffee"
    );
    assert_eq!(
        attr(&ing, "aws_iam_role.vendor", "tags").get("owner"),
        Some(&trustdrift::model::value::Value::String("security".into()))
    );
}

#[test]
fn an_override_with_nothing_to_override_is_refused_at_its_line() {
    let dir = tree(&[
        ("main.tf", MAIN),
        (
            "x_override.tf",
            "\nresource \"aws_iam_role\" \"missing\" {\n  name = \"x\"\n}\n",
        ),
    ]);
    let Err(e) = trustdrift::ingest::hcl::load(dir.path(), &Default::default()) else {
        panic!("an override of nothing must be refused");
    };
    let text = e.to_string();
    assert!(text.contains("x_override.tf:2:1"), "{text}");
    assert!(text.contains("overrides nothing"), "{text}");
}
