//! A plan whose role trust is `(known after apply)`, judged from the code
//! beside it with the plan's values; and the near misses: without the code
//! the trust stays unverifiable, a pinned subject stays quiet.

use trustdrift::config::Policy;
use trustdrift::rules::Finding;

const PLAN: &str = "testdata/plan_code/github/plan.json";
const CODE: &str = "testdata/plan_code/github";

fn check(paths: &[&str], code: Option<&str>, stdin: &[u8]) -> Vec<Finding> {
    let options = trustdrift::HclOptions {
        code: code.map(Into::into),
        ..Default::default()
    };
    let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    let scan = trustdrift::scan(&paths, &options, &mut &stdin[..]).expect("scans");
    let policy = Policy::builtin(&trustdrift::rules::registry::codes()).expect("policy");
    trustdrift::check(&scan, &policy)
}

fn on<'f>(findings: &'f [Finding], rule: &str, address: &str) -> Vec<&'f Finding> {
    findings
        .iter()
        .filter(|f| f.rule == rule && f.address == address)
        .collect()
}

#[test]
fn unknown_plan_trust_is_judged_from_the_code_beside_the_plan() {
    let findings = check(&[PLAN], None, b"");
    let no_sub = on(&findings, "TD004", "aws_iam_role.no_sub");
    assert_eq!(no_sub.len(), 1, "{findings:#?}");
    assert!(
        no_sub[0]
            .message
            .contains("no token.actions.githubusercontent.com:sub")
    );
    assert!(no_sub[0].message.contains("judged from the code"));
    assert_eq!(no_sub[0].location.file, "testdata/plan_code/github/main.tf");
    assert_eq!(no_sub[0].related[0].0.file, PLAN);

    // The organisation comes from the plan's variables.
    let whole_org = on(&findings, "TD004", "aws_iam_role.whole_org");
    assert_eq!(whole_org.len(), 1, "{findings:#?}");
    assert!(whole_org[0].message.contains("\"repo:example-org/*\""));

    // Near miss: pinned to one repository, in the plan's own account.
    assert!(
        findings.iter().all(|f| f.address != "aws_iam_role.pinned"),
        "{findings:#?}"
    );
}

#[test]
fn code_given_with_code_judges_a_plan_read_from_standard_input() {
    let plan = std::fs::read(PLAN).expect("plan");
    let findings = check(&["-"], Some(CODE), &plan);
    assert_eq!(on(&findings, "TD004", "aws_iam_role.no_sub").len(), 1);
    assert_eq!(on(&findings, "TD004", "aws_iam_role.whole_org").len(), 1);
    assert!(findings.iter().all(|f| f.address != "aws_iam_role.pinned"));
}

#[test]
fn without_the_code_the_plans_unknown_trust_stays_unverifiable() {
    let plan = std::fs::read(PLAN).expect("plan");
    let findings = check(&["-"], None, &plan);
    assert!(findings.iter().all(|f| f.rule != "TD004"), "{findings:#?}");
    for role in ["no_sub", "whole_org", "pinned"] {
        let address = format!("aws_iam_role.{role}");
        let unverifiable = on(&findings, "TD012", &address);
        assert_eq!(unverifiable.len(), 1, "{findings:#?}");
        assert!(
            unverifiable[0].message.contains("known only after apply"),
            "{}",
            unverifiable[0].message
        );
    }
}

/// Without the code, a plan still fixes an OIDC provider's and a role's ARN
/// by their arguments: built in the account the plan read.
#[test]
fn plan_arns_fixed_by_arguments_are_built() {
    let bytes = std::fs::read(PLAN).expect("plan");
    let ingested = trustdrift::ingest::plan::parse(PLAN, &bytes).expect("plan parses");
    let arn = |address: &str| {
        ingested
            .instances
            .iter()
            .find(|i| i.address == address)
            .and_then(|i| i.attrs.get("arn"))
            .and_then(|a| a.as_str())
            .map(str::to_string)
    };
    assert_eq!(
        arn("aws_iam_openid_connect_provider.github").as_deref(),
        Some(
            "arn:${data.aws_partition.current.partition}:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
        )
    );
    assert_eq!(
        arn("aws_iam_role.pinned").as_deref(),
        Some("arn:${data.aws_partition.current.partition}:iam::111122223333:role/gha-pinned")
    );
}
