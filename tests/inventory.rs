//! What the plan ingester extracts: addresses, changes, unknowns, accounts.

use std::collections::BTreeMap;

use trustdrift::config::Policy;
use trustdrift::model::inventory::{SubjectKind, Trust};

fn scan(path: &str) -> trustdrift::Scan {
    trustdrift::scan(
        &[path.to_string()],
        &Default::default(),
        &mut std::io::empty(),
    )
    .expect("fixture scans")
}

#[test]
fn every_change_kind_reaches_the_inventory() {
    let s = scan("testdata/plans/lifecycle.json");
    let changes: BTreeMap<&str, Option<&str>> = s
        .inventory
        .roles
        .iter()
        .filter(|r| r.kind == SubjectKind::Role)
        .map(|r| (r.address.as_str(), r.change.map(|c| c.as_str())))
        .collect();
    let expected: BTreeMap<&str, Option<&str>> = [
        (
            "module.team[\"payments\"].module.deploy.aws_iam_role.this[\"eu\"]",
            Some("create"),
        ),
        ("aws_iam_role.computed", Some("create")),
        ("aws_iam_role.rotated", Some("replace")),
        ("aws_iam_role.rotated_cbd", Some("replace")),
        ("aws_iam_role.legacy", Some("delete")),
        ("aws_iam_role.renamed", Some("no-op")),
        ("aws_iam_role.widened", Some("update")),
        ("aws_iam_role.forgotten", Some("forget")),
    ]
    .into_iter()
    .collect();
    assert_eq!(changes, expected);
}

#[test]
fn unknown_trust_is_unknown_and_deleted_trust_is_read_from_before() {
    let s = scan("testdata/plans/lifecycle.json");
    let role = |a: &str| s.inventory.roles.iter().find(|r| r.address == a).expect(a);
    assert!(matches!(
        role("aws_iam_role.computed").trust,
        Trust::Unknown(_)
    ));
    assert!(matches!(
        role("aws_iam_role.legacy").trust,
        Trust::Document(_)
    ));
    assert_eq!(
        role("aws_iam_role.renamed").previous_address.as_deref(),
        Some("aws_iam_role.old_name")
    );
    // The account comes from the role's ARN, else from data.aws_caller_identity.
    assert_eq!(
        role("aws_iam_role.computed").account.as_deref(),
        Some("111111111111")
    );
    let nested = role("module.team[\"payments\"].module.deploy.aws_iam_role.this[\"eu\"]");
    assert_eq!(
        nested.tags.get("owner").map(String::as_str),
        Some("team-payments")
    );
}

#[test]
fn removed_roles_grant_nothing_and_grant_keys_are_stable() {
    let s = scan("testdata/plans/lifecycle.json");
    let policy = Policy::builtin(&trustdrift::rules::registry::codes()).expect("policy");
    let grants = trustdrift::grants_of(&s, &policy);
    assert!(
        grants
            .iter()
            .all(|g| g.role != "aws_iam_role.legacy" && g.role != "aws_iam_role.forgotten")
    );
    let keys: Vec<&str> = grants.iter().map(|g| g.key.as_str()).collect();
    assert!(keys.contains(&"module.team[\"payments\"].module.deploy.aws_iam_role.this[\"eu\"]|AWS:arn:aws:iam::999988887777:root"));
    let nested = grants
        .iter()
        .find(|g| g.role.starts_with("module.team"))
        .expect("nested grant");
    assert_eq!(nested.owner.as_deref(), Some("team-payments"));
    assert_eq!(nested.expires.as_deref(), Some("2027-03-31"));
    assert_eq!(nested.cross_account, Some(true));
    assert_eq!(
        nested
            .admits
            .iter()
            .map(|a| a.describe(false))
            .collect::<Vec<_>>(),
        ["any role or user in 999988887777 with sts:ExternalId = pay-eu"]
    );
    // Same input, same bytes.
    let again = trustdrift::grants_of(&scan("testdata/plans/lifecycle.json"), &policy);
    assert_eq!(grants, again);
}

#[test]
fn state_json_is_read_from_its_values() {
    let s = scan("testdata/plans/state.json");
    let [role] = s.inventory.roles.as_slice() else {
        panic!("one role expected")
    };
    assert_eq!(role.address, "module.vendor.aws_iam_role.this");
    assert_eq!(role.change, None);
    assert_eq!(role.account.as_deref(), Some("111111111111"));
}

#[test]
fn real_plan_formats_0_1_through_1_2_parse() {
    // Small hand-written plans in the shapes older Terraform versions wrote.
    for version in ["0.1", "0.2", "1.0", "1.1", "1.2"] {
        let plan = format!(
            r#"{{"format_version":"{version}","terraform_version":"1.0.0","resource_changes":[{{"address":"aws_iam_role.r","type":"aws_iam_role","name":"r","change":{{"actions":["create"],"before":null,"after":{{"name":"r","assume_role_policy":"{{\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"ec2.amazonaws.com\"}},\"Action\":\"sts:AssumeRole\"}}]}}"}},"after_unknown":{{}}}}}}]}}"#
        );
        let got = trustdrift::ingest::plan::parse("p.json", plan.as_bytes()).expect(version);
        assert_eq!(got.instances.len(), 1, "{version}");
    }
}

/// Values not known before apply are marked as such, never written like an
/// IAM policy variable; policy variables stay literal.
#[test]
fn unknown_values_are_marked_and_policy_variables_stay_literal() {
    let s = scan("testdata/hcl/layout/unknown_display");
    let policy = Policy::builtin(&trustdrift::rules::registry::codes()).expect("policy");
    let grants = trustdrift::grants_of(&s, &policy);
    let json: serde_json::Value = serde_json::from_str(
        &trustdrift::report::inventory::render_json(&s.inventory, &grants),
    )
    .expect("json");
    let role = |address: &str| {
        json["roles"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["address"] == address))
            .cloned()
            .unwrap_or_else(|| panic!("{address} in {json:#}"))
    };
    let partner = role("aws_iam_role.partner");
    assert_eq!(partner["trust_resolved"], false);
    let principal = &partner["trust"][0]["principals"][0];
    assert_eq!(
        principal["id"],
        "arn:aws:iam::(known after apply: var.partner_account):root"
    );
    assert_eq!(
        principal["unknown"],
        serde_json::json!(["var.partner_account"])
    );
    let condition = &partner["trust"][0]["conditions"][0];
    assert_eq!(condition["values"], serde_json::json!(["${aws:username}"]));
    assert!(condition.get("unknown").is_none(), "{condition}");

    let irsa = role("aws_iam_role.irsa");
    let condition = &irsa["trust"][0]["conditions"][0];
    assert_eq!(
        condition["key"],
        "(known after apply: var.cluster_issuer):sub"
    );
    assert_eq!(
        condition["unknown"],
        serde_json::json!(["var.cluster_issuer"])
    );

    // Near miss: all known, a policy variable included.
    let known = role("aws_iam_role.known");
    assert_eq!(known["trust_resolved"], true);
    let text = known.to_string();
    assert!(!text.contains("known after apply"), "{text}");
    assert!(text.contains("${aws:PrincipalTag/team}"), "{text}");
}

/// A role on a provider created in the same code resolves: its ARN is built
/// in the role's own account.
#[test]
fn trust_on_a_provider_built_in_the_same_code_is_resolved() {
    let s = scan("testdata/hcl/layout/github_oidc");
    let policy = Policy::builtin(&trustdrift::rules::registry::codes()).expect("policy");
    let grants = trustdrift::grants_of(&s, &policy);
    let json: serde_json::Value = serde_json::from_str(
        &trustdrift::report::inventory::render_json(&s.inventory, &grants),
    )
    .expect("json");
    for r in json["roles"].as_array().into_iter().flatten() {
        assert_eq!(r["trust_resolved"], true, "{r:#}");
    }
}
