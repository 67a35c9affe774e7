//! The Bedrock rules (TD1xx) on the same cases written as Terraform code and
//! as the plan `terraform show -json` gives for it: which rules fire, and
//! what their findings say and where.

use std::collections::BTreeSet;
use std::path::Path;

use trustdrift::config::Policy;
use trustdrift::rules::Finding;

const CASES: &str = "testdata/bedrock";

fn policy(case: &str) -> Policy {
    let path = Path::new(CASES).join(case).join("policy.hcl");
    let known = trustdrift::rules::registry::codes();
    match std::fs::read_to_string(&path) {
        Ok(text) => Policy::parse(&path.to_string_lossy(), &text, &known)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        Err(_) => Policy::builtin(&known).expect("built-in policy parses"),
    }
}

/// The Bedrock findings for one source of a case.
fn bedrock_findings(case: &str, source: &str) -> Vec<Finding> {
    let scan = trustdrift::scan(
        &[source.to_string()],
        &Default::default(),
        &mut std::io::empty(),
    )
    .unwrap_or_else(|e| panic!("{source}: {e}"));
    let policy = policy(case);
    trustdrift::judge(
        &scan,
        &trustdrift::Judge {
            policy: &policy,
            policy_changes: &[],
            baseline: None,
            today: trustdrift::model::date::Date::parse("2026-12-01").expect("date"),
            all: true,
        },
    )
    .findings
    .into_iter()
    .filter(|f| f.rule.starts_with("TD1"))
    .collect()
}

/// The findings of a case from its code and from its plan, checked to name
/// the same rules.
fn both(case: &str) -> (Vec<Finding>, Vec<Finding>) {
    let dir = format!("{CASES}/{case}");
    let code = bedrock_findings(case, &dir);
    let plan = bedrock_findings(case, &format!("{dir}/plan.json"));
    assert_eq!(
        rules(&code),
        rules(&plan),
        "{case}: code and plan disagree\ncode: {code:#?}\nplan: {plan:#?}"
    );
    (code, plan)
}

fn rules(findings: &[Finding]) -> BTreeSet<&'static str> {
    findings.iter().map(|f| f.rule).collect()
}

/// `file:line` of a finding.
fn place(f: &Finding) -> String {
    format!("{}:{}", f.location.file, f.location.line)
}

fn one<'f>(findings: &'f [Finding], rule: &str) -> &'f Finding {
    let of_rule: Vec<&Finding> = findings.iter().filter(|f| f.rule == rule).collect();
    match of_rule.as_slice() {
        [f] => f,
        _ => panic!("expected one {rule} finding, got {findings:#?}"),
    }
}

fn assert_fires(case: &str, expected: &[&str]) -> (Vec<Finding>, Vec<Finding>) {
    let (code, plan) = both(case);
    assert_eq!(
        rules(&code),
        expected.iter().copied().collect::<BTreeSet<_>>(),
        "{case}: {code:#?}"
    );
    (code, plan)
}

#[test]
fn a_role_pinned_to_one_allowed_region_is_clean() {
    assert_fires("pinned", &[]);
}

#[test]
fn any_region_foundation_models_fire_td102() {
    let (code, plan) = assert_fires("any_region", &["TD102"]);
    let f = one(&code, "TD102");
    assert_eq!(place(f), "testdata/bedrock/any_region/main.tf:25");
    assert!(
        f.message.starts_with("aws_iam_role.app may invoke bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream on arn:aws:bedrock:*::foundation-model/* in any region"),
        "{}",
        f.message
    );
    assert!(
        f.message
            .ends_with("through aws_iam_policy.invoke statement 0")
    );
    assert_eq!(f.grant.as_deref(), Some("aws_iam_role.app|bedrock"));
    assert!(
        f.snippet
            .as_deref()
            .is_some_and(|s| s.contains("\"InvokeAnyModel\""))
    );
    // The plan says the same, at its policy attribute.
    let p = one(&plan, "TD102");
    assert_eq!(p.message, f.message);
    assert_eq!(place(p), "testdata/bedrock/any_region/plan.json:23");
}

#[test]
fn regions_outside_the_allowed_ones_fire_td101_and_without_an_owner_td106() {
    let (code, _) = assert_fires("us_regions_unowned", &["TD101", "TD106"]);
    let f = one(&code, "TD101");
    assert_eq!(
        f.message,
        "aws_iam_role.app may invoke bedrock:InvokeModel in us-east-1, us-west-2 (outside allowed regions eu-west-1) through aws_iam_policy.invoke statement 0"
    );
    assert_eq!(place(f), "testdata/bedrock/us_regions_unowned/main.tf:22");
    let u = one(&code, "TD106");
    assert!(
        u.message.starts_with(
            "aws_iam_role.app may invoke Bedrock in us-east-1, us-west-2 and nobody owns it"
        ),
        "{}",
        u.message
    );
    assert!(
        u.message
            .ends_with("granted through aws_iam_policy.invoke statement 0")
    );
    assert_eq!(place(u), "testdata/bedrock/us_regions_unowned/main.tf:22");
    assert_eq!(
        u.related
            .first()
            .map(|(at, _)| format!("{}:{}", at.file, at.line)),
        Some("testdata/bedrock/us_regions_unowned/main.tf:1".to_string())
    );
}

#[test]
fn the_global_profile_policy_fires_td103_when_regions_are_restricted() {
    let (code, _) = assert_fires("global_restricted", &["TD103"]);
    let td103: Vec<&Finding> = code.iter().filter(|f| f.rule == "TD103").collect();
    // The profile statement and the Region-less model statement; the
    // in-Region model statement stays in us-east-1.
    assert_eq!(
        td103.iter().map(|f| place(f)).collect::<Vec<_>>(),
        [
            "testdata/bedrock/global_restricted/main.tf:25",
            "testdata/bedrock/global_restricted/main.tf:48"
        ]
    );
    assert_eq!(
        td103[0].message,
        "aws_iam_role.app may invoke bedrock:InvokeModel through inference profile global.anthropic.claude-sonnet-4-5-20250929-v1:0, which routes calls to every commercial region (outside allowed regions us-east-1) through aws_iam_policy.invoke statement 0; profile prefix `global` is not in bedrock.allowed_profiles"
    );
    assert!(
        td103[1]
            .message
            .contains("unspecified (the Region-less global model)")
    );
    assert!(
        td103[1]
            .message
            .ends_with("aws_iam_policy.invoke statement 2")
    );
}

#[test]
fn the_global_profile_policy_is_clean_when_global_is_allowed() {
    assert_fires("global_allowed", &[]);
}

#[test]
fn an_eu_profile_called_from_an_allowed_region_names_the_destinations_outside() {
    let (code, _) = assert_fires("eu_profile", &["TD103"]);
    let first = code.iter().find(|f| f.rule == "TD103").expect("TD103");
    assert_eq!(
        first.message,
        "aws_iam_role.app may invoke bedrock:InvokeModel through inference profile eu.anthropic.claude-3-7-sonnet-20250219-v1:0, which routes calls to eu-central-1, eu-north-1, eu-west-3 (outside allowed regions eu-west-1) through aws_iam_policy.invoke statement 0"
    );
    assert_eq!(place(first), "testdata/bedrock/eu_profile/main.tf:25");
    assert_eq!(first.severity, trustdrift::model::severity::Severity::High);
}

#[test]
fn without_a_bedrock_block_a_cross_region_profile_is_low_and_names_where_it_routes() {
    let (code, _) = assert_fires("eu_profile_no_block", &["TD103"]);
    let f = one(&code, "TD103");
    assert_eq!(f.severity, trustdrift::model::severity::Severity::Low);
    assert!(
        f.message
            .contains("routes calls to eu-central-1, eu-north-1, eu-west-1, eu-west-3"),
        "{}",
        f.message
    );
}

#[test]
fn the_aws_managed_full_access_policy_fires_td105_at_its_attachment() {
    // bedrock:* on "*" is also unbounded in Region: TD102 says so.
    let (code, plan) = assert_fires("managed_full_access", &["TD102", "TD105"]);
    let f = one(&code, "TD105");
    assert_eq!(
        f.message,
        "aws_iam_role.app is granted Bedrock through the wildcard action bedrock:* (it grants bedrock:CreateModelInvocationJob, bedrock:InvokeAgent, bedrock:InvokeFlow, bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream, bedrock:RetrieveAndGenerate, and every Bedrock action AWS adds) through arn:aws:iam::aws:policy/AmazonBedrockFullAccess statement 0"
    );
    assert_eq!(place(f), "testdata/bedrock/managed_full_access/main.tf:20");
    assert_eq!(
        place(one(&plan, "TD105")),
        "testdata/bedrock/managed_full_access/plan.json:49"
    );
}

#[test]
fn a_permission_boundary_that_removes_the_reach_is_clean() {
    assert_fires("boundary_removes", &[]);
}

#[test]
fn a_deny_outside_the_allowed_regions_is_clean() {
    assert_fires("deny_outside", &[]);
}

#[test]
fn the_code_is_formatted_as_terraform_writes_it() {
    let Ok(out) = std::process::Command::new("terraform")
        .args(["fmt", "-check", "-recursive", CASES])
        .output()
    else {
        // terraform is not installed here: nothing to compare with.
        return;
    };
    assert!(
        out.status.success(),
        "terraform fmt -check: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}
