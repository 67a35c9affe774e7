//! Identities, policies and attachments, joined by reference the same way
//! from code and from a plan.

use trustdrift::model::inventory::{Inventory, PolicyRef};

fn inventory(path: &str) -> Inventory {
    trustdrift::scan(
        &[path.to_string()],
        &Default::default(),
        &mut std::io::empty(),
    )
    .unwrap_or_else(|e| panic!("{path}: {e}"))
    .inventory
}

fn attachments(inv: &Inventory) -> Vec<String> {
    inv.attachments
        .iter()
        .map(|a| {
            format!(
                "{} -> {} (by {})",
                a.identity.display(),
                a.policy.display(),
                a.address
            )
        })
        .collect()
}

fn boundary_of(inv: &Inventory, identity: &str) -> Option<PolicyRef> {
    inv.identities
        .iter()
        .find(|i| i.address == identity)
        .and_then(|i| i.boundary.clone())
}

const EXPECTED: &[&str] = &[
    "aws_iam_role.app -> arn:aws:iam::aws:policy/AmazonBedrockFullAccess (by aws_iam_role_policy_attachment.app_full)",
    "aws_iam_role.app -> aws_iam_policy.invoke (by aws_iam_role_policy_attachment.app_invoke)",
    "aws_iam_role.app -> aws_iam_role_policy.app_inline (by aws_iam_role_policy.app_inline)",
    "aws_iam_role.app -> module.team.aws_iam_policy.extra[0] (by module.team.aws_iam_role_policy_attachment.extra[0])",
    "aws_iam_role.app -> module.team.aws_iam_policy.extra[1] (by module.team.aws_iam_role_policy_attachment.extra[1])",
];

#[test]
fn code_joins_attachments_to_policies_created_with_them() {
    let inv = inventory("testdata/permissions/hcl");
    assert_eq!(attachments(&inv), EXPECTED);
    assert_eq!(
        boundary_of(&inv, "aws_iam_role.app"),
        Some(PolicyRef::Address("aws_iam_policy.boundary".into()))
    );
}

#[test]
fn a_plan_joins_them_through_its_configuration_references() {
    let inv = inventory("testdata/permissions/plan.json");
    assert_eq!(attachments(&inv), EXPECTED);
    assert_eq!(
        boundary_of(&inv, "aws_iam_role.app"),
        Some(PolicyRef::Address("aws_iam_policy.boundary".into()))
    );
}

#[test]
fn what_joins_nothing_stays_unknown_or_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        r#"
variable "arn" { type = string }
resource "aws_iam_policy_attachment" "shared" {
  name       = "shared"
  roles      = ["elsewhere"]
  users      = [aws_iam_user.u.name]
  policy_arn = var.arn
}
resource "aws_iam_user" "u" { name = "u" }
resource "aws_iam_group_policy_attachment" "g" {
  group      = "ops"
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
}
"#,
    )
    .expect("write");
    let inv = inventory(&dir.path().to_string_lossy());
    assert_eq!(
        attachments(&inv),
        [
            "aws_iam_user.u -> (known after apply: var.arn) (by aws_iam_policy_attachment.shared)",
            "elsewhere -> (known after apply: var.arn) (by aws_iam_policy_attachment.shared)",
            "ops -> arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess (by aws_iam_group_policy_attachment.g)",
        ]
    );
    assert!(
        inv.attachments
            .iter()
            .filter(|a| trustdrift::ingest::permissions::unreadable_may_grant(&a.policy))
            .count()
            == 2,
        "the unknown policy may grant anything; an S3 managed policy does not"
    );
}

#[test]
fn a_user_holds_the_policies_of_its_groups() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        r#"
resource "aws_iam_group" "ml" { name = "ml" }
resource "aws_iam_group_policy" "invoke" {
  group  = aws_iam_group.ml.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = "arn:aws:bedrock:eu-west-1::foundation-model/*" }] })
}
resource "aws_iam_user" "ana" { name = "ana" }
resource "aws_iam_user" "bo" { name = "bo" }
resource "aws_iam_user_group_membership" "ana" {
  user   = aws_iam_user.ana.name
  groups = [aws_iam_group.ml.name]
}
"#,
    )
    .expect("write");
    let inv = inventory(&dir.path().to_string_lossy());
    let effective = trustdrift::analyze::permissions::effective(&inv);
    let reach = trustdrift::analyze::permissions::reaches(&effective);
    let reaching: Vec<(&str, Vec<String>)> = reach
        .iter()
        .map(|r| {
            (
                r.identity.address.as_str(),
                r.reach.summary().regions.into_iter().collect(),
            )
        })
        .collect();
    assert_eq!(
        reaching,
        [
            ("aws_iam_group.ml", vec!["eu-west-1".to_string()]),
            ("aws_iam_user.ana", vec!["eu-west-1".to_string()]),
        ]
    );
}

#[test]
fn two_root_modules_keep_their_own_roles_and_attachments() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (env, account) in [("dev", "999988887772"), ("prod", "999988887771")] {
        let root = dir.path().join("envs").join(env);
        std::fs::create_dir_all(&root).expect("mkdir");
        std::fs::write(
            root.join("main.tf"),
            format!(
                r#"
resource "aws_iam_role" "app" {{
  name               = "app-{env}"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ AWS = "arn:aws:iam::{account}:root" }} }}] }})
}}
resource "aws_iam_policy" "invoke" {{
  name   = "invoke-{env}"
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = "*" }}] }})
}}
resource "aws_iam_role_policy_attachment" "app" {{
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.invoke.arn
}}
"#
            ),
        )
        .expect("write");
    }
    let inv = inventory(&dir.path().to_string_lossy());
    let roles: Vec<&str> = inv.roles.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        roles,
        ["envs/dev/aws_iam_role.app", "envs/prod/aws_iam_role.app"]
    );
    assert_eq!(
        attachments(&inv),
        [
            "envs/dev/aws_iam_role.app -> envs/dev/aws_iam_policy.invoke (by envs/dev/aws_iam_role_policy_attachment.app)",
            "envs/prod/aws_iam_role.app -> envs/prod/aws_iam_policy.invoke (by envs/prod/aws_iam_role_policy_attachment.app)",
        ]
    );
}
