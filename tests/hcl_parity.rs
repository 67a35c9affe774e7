//! Parity: for each `testdata/parity/<case>/`, the HCL tree read by the HCL
//! ingester gives the same `aws_iam_role` addresses and the same trust
//! policies as the `terraform show -json` plan written for that code.
//! The plan is read here with serde_json directly.

mod hcl_common;

use std::collections::BTreeMap;

use hcl_common::*;
use trustdrift::ingest::Mode;
use trustdrift::model::value::Value;

const CASES: &[&str] = &[
    "jsonencode",
    "heredoc",
    "policy_document",
    "for_each",
    "count",
    "module_twice",
    "tfvars",
];

/// address → (assume_role_policy text, other scalar attributes)
type Roles = BTreeMap<String, (String, BTreeMap<String, serde_json::Value>)>;

fn plan_roles(case: &str) -> Roles {
    let path = format!("testdata/parity/{case}/plan.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let plan: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(plan["format_version"], "1.2");
    let mut out = Roles::new();
    for rc in plan["resource_changes"].as_array().into_iter().flatten() {
        if rc["type"] != "aws_iam_role" || rc["mode"] != "managed" {
            continue;
        }
        let after = &rc["change"]["after"];
        let policy = after["assume_role_policy"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut other = BTreeMap::new();
        for k in ["name", "max_session_duration"] {
            other.insert(k.to_string(), after[k].clone());
        }
        out.insert(
            rc["address"].as_str().unwrap_or_default().to_string(),
            (policy, other),
        );
    }
    out
}

fn hcl_roles(case: &str) -> Roles {
    let ing = load_ok(format!("testdata/parity/{case}"));
    let mut out = Roles::new();
    for i in &ing.instances {
        if i.resource_type != "aws_iam_role" || i.mode != Mode::Managed {
            continue;
        }
        let policy = match i.attrs.get("assume_role_policy") {
            Some(Value::String(s)) => s.clone(),
            other => panic!("{case}: {} has no known policy: {other:?}", i.address),
        };
        let mut other = BTreeMap::new();
        for k in ["name", "max_session_duration"] {
            if let Some(v) = i.attrs.get(k) {
                other.insert(k.to_string(), v.to_json());
            }
        }
        out.insert(i.address.clone(), (policy, other));
    }
    out
}

fn parse(case: &str, address: &str, text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{case} {address}: not JSON: {e}"))
}

#[test]
fn every_case_matches_its_plan() {
    for case in CASES {
        let plan = plan_roles(case);
        let hcl = hcl_roles(case);
        assert!(!plan.is_empty(), "{case}: plan has no roles");
        assert_eq!(
            hcl.keys().collect::<Vec<_>>(),
            plan.keys().collect::<Vec<_>>(),
            "{case}: role addresses differ"
        );
        for (address, (plan_policy, plan_other)) in &plan {
            let (hcl_policy, hcl_other) = &hcl[address];
            assert_eq!(
                parse(case, address, hcl_policy),
                parse(case, address, plan_policy),
                "{case} {address}: trust policies differ"
            );
            // Rendering is byte-identical too (jsonencode ordering, provider rendering).
            assert_eq!(
                hcl_policy, plan_policy,
                "{case} {address}: policy text differs"
            );
            for (k, v) in hcl_other {
                assert_eq!(Some(v), plan_other.get(k), "{case} {address}: {k} differs");
            }
        }
    }
}

#[test]
fn tfvars_override_defaults() {
    let hcl = hcl_roles("tfvars");
    let (_, other) = &hcl["aws_iam_role.cross"];
    assert_eq!(other["max_session_duration"], serde_json::json!(14400));
}

/// The inventory a user sees: roles with their statements (principals,
/// conditions) and the grants with their keys, for the same code read as HCL
/// and as a plan.
#[test]
fn inventory_is_the_same_from_hcl_and_from_the_plan() {
    use trustdrift::config::Policy;
    use trustdrift::model::inventory::{SubjectKind, Trust};

    let policy = Policy::builtin(&trustdrift::rules::registry::codes()).expect("policy");
    let view = |path: String| {
        let scan = trustdrift::scan(
            std::slice::from_ref(&path),
            &Default::default(),
            &mut std::io::empty(),
        )
        .unwrap_or_else(|e| panic!("{path}: {e}"));
        let roles: Vec<(String, Vec<String>)> = scan
            .inventory
            .roles
            .iter()
            .filter(|r| r.kind == SubjectKind::Role)
            .map(|r| {
                let statements = match &r.trust {
                    Trust::Document(d) => d
                        .statements
                        .iter()
                        .map(|s| {
                            let mut principals: Vec<String> = s
                                .principals
                                .iter()
                                .flatten()
                                .map(|p| p.normalized())
                                .collect();
                            principals.sort();
                            let mut conditions: Vec<String> = s
                                .conditions
                                .iter()
                                .map(|c| {
                                    format!(
                                        "{} {} {:?}",
                                        c.operator.text,
                                        c.key.to_ascii_lowercase(),
                                        c.values
                                    )
                                })
                                .collect();
                            conditions.sort();
                            let mut actions = s.actions.clone();
                            actions.sort();
                            format!("{:?} {actions:?} {principals:?} {conditions:?}", s.effect)
                        })
                        .collect(),
                    other => vec![format!("{other:?}")],
                };
                (r.address.clone(), statements)
            })
            .collect();
        let grants: Vec<(String, Vec<String>)> = trustdrift::grants_of(&scan, &policy)
            .into_iter()
            .map(|g| (g.key, g.admits.iter().map(|a| a.describe(false)).collect()))
            .collect();
        (roles, grants)
    };
    for case in CASES {
        let from_plan = view(format!("testdata/parity/{case}/plan.json"));
        let from_hcl = view(format!("testdata/parity/{case}"));
        assert!(!from_plan.0.is_empty(), "{case}: no roles in the plan");
        assert_eq!(
            from_hcl.0, from_plan.0,
            "{case}: roles and statements differ"
        );
        assert_eq!(from_hcl.1, from_plan.1, "{case}: grants differ");
    }
}
