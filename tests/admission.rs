//! Trust judged as IAM evaluates it (issue 8): each case is a trust policy
//! that IAM opens (or keeps shut) differently from how its conditions read
//! one by one, beside a near miss that must get the other verdict.

use trustdrift::config::Policy;
use trustdrift::model::severity::Severity;

const POLICY: &str = r#"
organization {
  id       = "o-abc123def4"
  accounts = ["111111111111", "222222222222"]
}
account "444455556666" {
  name     = "vendor-x"
  requires = ["sts:ExternalId"]
}
"#;

const GH: &str = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
const EKS: &str = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";

/// The findings (rule and severity) for one role whose trust policy has
/// these statements (JSON objects).
fn judge(statements: &[&str]) -> Vec<(String, Severity)> {
    judge_document(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    ))
}

fn judge_document(document: &str) -> Vec<(String, Severity)> {
    let plan = serde_json::json!({
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "resource_changes": [{
            "address": "aws_iam_role.r",
            "mode": "managed",
            "type": "aws_iam_role",
            "name": "r",
            "change": {
                "actions": ["create"],
                "before": null,
                "after": {"name": "r", "assume_role_policy": document},
                "after_unknown": {}
            }
        }]
    });
    let bytes = serde_json::to_vec(&plan).expect("plan");
    let ingested = trustdrift::ingest::plan::parse("case.json", &bytes).expect("plan parses");
    let scan = trustdrift::scan_ingested(ingested);
    let known = trustdrift::rules::registry::codes();
    let policy = Policy::parse("policy.hcl", POLICY, &known).expect("policy");
    // Who is admitted is the question here; ownership and expiry of
    // cross-account trust (TD2xx) are judged elsewhere.
    trustdrift::check(&scan, &policy)
        .into_iter()
        .filter(|f| !f.rule.starts_with("TD2"))
        .map(|f| (f.rule.to_string(), f.severity))
        .collect()
}

fn aws_star(condition: &str) -> String {
    format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"sts:AssumeRole","Condition":{condition}}}"#
    )
}

fn root(account: &str, condition: &str) -> String {
    format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole","Condition":{condition}}}"#
    )
}

fn federated(provider: &str, action: &str, condition: &str) -> String {
    format!(
        r#"{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"{action}","Condition":{condition}}}"#
    )
}

fn fires(findings: &[(String, Severity)], rule: &str) -> Option<Severity> {
    findings
        .iter()
        .filter(|(r, _)| r == rule)
        .map(|(_, s)| *s)
        .max()
}

fn quiet(findings: &[(String, Severity)]) -> bool {
    findings.iter().all(|(_, s)| *s == Severity::Info)
}

// ------------------------------------------------ let in, once reported clean

#[test]
fn another_organisations_id_is_no_scope() {
    let other = judge(&[&aws_star(
        r#"{"StringEquals":{"aws:PrincipalOrgID":"o-zzzz9999zz"}}"#,
    )]);
    assert_eq!(
        fires(&other, "TD001"),
        Some(Severity::Critical),
        "{other:?}"
    );
    let vendor = judge(&[&root(
        "999988887777",
        r#"{"StringEquals":{"aws:PrincipalOrgID":"o-zzzz9999zz"}}"#,
    )]);
    assert_eq!(fires(&vendor, "TD002"), Some(Severity::High), "{vendor:?}");
    // Near miss: the organisation's own id.
    let own = judge(&[&aws_star(
        r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123def4"}}"#,
    )]);
    assert!(quiet(&own), "{own:?}");
    let own = judge(&[&root(
        "999988887777",
        r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123def4"}}"#,
    )]);
    assert!(quiet(&own), "{own:?}");
}

#[test]
fn principal_account_is_compared_with_the_organisations_accounts() {
    let outside = judge(&[&aws_star(
        r#"{"StringEquals":{"aws:PrincipalAccount":["111111111111","999988887777"]}}"#,
    )]);
    assert_eq!(
        fires(&outside, "TD002"),
        Some(Severity::High),
        "{outside:?}"
    );
    assert_eq!(fires(&outside, "TD001"), None, "{outside:?}");
    // Near miss: only the organisation's accounts.
    let inside = judge(&[&aws_star(
        r#"{"StringEquals":{"aws:PrincipalAccount":["111111111111","222222222222"]}}"#,
    )]);
    assert!(quiet(&inside), "{inside:?}");
}

#[test]
fn for_all_values_on_org_paths_admits_callers_outside_any_organisation() {
    let vacuous = judge(&[&aws_star(
        r#"{"ForAllValues:StringLike":{"aws:PrincipalOrgPaths":"o-abc123def4/*"}}"#,
    )]);
    assert_eq!(
        fires(&vacuous, "TD001"),
        Some(Severity::Critical),
        "{vacuous:?}"
    );
    assert_eq!(
        fires(&vacuous, "TD007"),
        Some(Severity::High),
        "{vacuous:?}"
    );
    // Near miss: ForAnyValue needs the key.
    let any = judge(&[&aws_star(
        r#"{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-abc123def4/*"}}"#,
    )]);
    assert!(quiet(&any), "{any:?}");
}

#[test]
fn partial_wildcards_that_span_everything() {
    let paths = judge(&[&aws_star(
        r#"{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-*/*"}}"#,
    )]);
    assert_eq!(
        fires(&paths, "TD001"),
        Some(Severity::Critical),
        "{paths:?}"
    );
    let near = judge(&[&aws_star(
        r#"{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-abc123def4/r-ab12/*"}}"#,
    )]);
    assert!(quiet(&near), "{near:?}");

    let arn = judge(&[&aws_star(
        r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::11111111111?:role/deploy"}}"#,
    )]);
    assert_eq!(fires(&arn, "TD001"), Some(Severity::Critical), "{arn:?}");
    let near = judge(&[&aws_star(
        r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/deploy"}}"#,
    )]);
    assert!(quiet(&near), "{near:?}");

    let pool = judge(&[&federated(
        "cognito-identity.amazonaws.com",
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringLike":{"cognito-identity.amazonaws.com:aud":"eu-west-1:*"}}"#,
    )]);
    assert_eq!(fires(&pool, "TD004"), Some(Severity::High), "{pool:?}");
    let near = judge(&[&federated(
        "cognito-identity.amazonaws.com",
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringEquals":{"cognito-identity.amazonaws.com:aud":"eu-west-1:0a1b2c3d-1111-2222-3333-444455556666"}}"#,
    )]);
    assert!(quiet(&near), "{near:?}");
}

#[test]
fn bool_if_exists_is_no_mfa_requirement() {
    let if_exists = judge(&[&root(
        "999988887777",
        r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}"#,
    )]);
    assert_eq!(
        fires(&if_exists, "TD002"),
        Some(Severity::High),
        "{if_exists:?}"
    );
    // The Deny form of the same requirement.
    let deny = judge(&[
        &root("999988887777", "{}"),
        r#"{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}"#,
    ]);
    assert!(quiet(&deny), "{deny:?}");
    // Near miss: plain Bool is a requirement (long-term keys fail it).
    let plain = judge(&[&root(
        "999988887777",
        r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
    )]);
    assert!(quiet(&plain), "{plain:?}");
}

#[test]
fn a_policy_variable_in_the_account_matches_every_caller() {
    let variable = judge(&[&aws_star(
        r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:role/admin"}}"#,
    )]);
    assert_eq!(
        fires(&variable, "TD001"),
        Some(Severity::Critical),
        "{variable:?}"
    );
    // Without Version 2012-10-17 there are no policy variables: the text is
    // literal, and no account has that id.
    let literal = judge_document(
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:role/admin"}}}]}"#,
    );
    assert_eq!(fires(&literal, "TD001"), None, "{literal:?}");
    // Near miss: a variable in the name, the account fixed.
    let name = judge(&[&aws_star(
        r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/${aws:username}"}}"#,
    )]);
    assert!(quiet(&name), "{name:?}");
}

// ------------------------------------ once reported open, nobody outside gets in

#[test]
fn a_meaningless_condition_beside_real_scope_is_only_noted() {
    let scoped = judge(&[&aws_star(
        r#"{"StringLike":{"aws:PrincipalOrgID":"*"},"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ci"}}"#,
    )]);
    assert_eq!(fires(&scoped, "TD007"), Some(Severity::Info), "{scoped:?}");
    assert!(quiet(&scoped), "{scoped:?}");
    // Near miss: alone, it is high.
    let alone = judge(&[&aws_star(r#"{"StringLike":{"aws:PrincipalOrgID":"*"}}"#)]);
    assert_eq!(fires(&alone, "TD007"), Some(Severity::High), "{alone:?}");
    assert_eq!(
        fires(&alone, "TD001"),
        Some(Severity::Critical),
        "{alone:?}"
    );
}

#[test]
fn if_exists_on_keys_every_request_carries_narrows() {
    let arn = judge(&[&aws_star(
        r#"{"ArnLikeIfExists":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ci"}}"#,
    )]);
    assert!(quiet(&arn), "{arn:?}");
    let sub = judge(&[&federated(
        GH,
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringEqualsIfExists":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:acme/deploy:ref:refs/heads/main"}}"#,
    )]);
    assert!(quiet(&sub), "{sub:?}");
    let all_values = judge(&[&federated(
        GH,
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"ForAllValues:StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/deploy:*"}}"#,
    )]);
    assert!(quiet(&all_values), "{all_values:?}");
    // Near miss: …IfExists on a key the caller may leave out narrows nothing.
    let external = judge(&[&root(
        "999988887777",
        r#"{"StringEqualsIfExists":{"sts:ExternalId":"c0ffee"}}"#,
    )]);
    assert_eq!(
        fires(&external, "TD002"),
        Some(Severity::High),
        "{external:?}"
    );
    assert_eq!(
        fires(&external, "TD007"),
        Some(Severity::High),
        "{external:?}"
    );
}

#[test]
fn deny_carve_outs_in_either_form() {
    for op in ["StringNotEquals", "StringNotEqualsIfExists"] {
        let deny = format!(
            r#"{{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{{"{op}":{{"aws:PrincipalOrgID":"o-abc123def4"}}}}}}"#
        );
        let f = judge(&[
            r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}"#,
            &deny,
        ]);
        assert!(quiet(&f), "{op}: {f:?}");
    }
    // Near miss: a carve-out for another organisation leaves outsiders in.
    let f = judge(&[
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}"#,
        r#"{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-zzzz9999zz"}}}"#,
    ]);
    assert_eq!(fires(&f, "TD001"), Some(Severity::Critical), "{f:?}");
}

#[test]
fn an_empty_value_list_matches_nothing() {
    let empty = judge(&[&root(
        "999988887777",
        r#"{"StringEquals":{"sts:ExternalId":[]}}"#,
    )]);
    assert!(quiet(&empty), "{empty:?}");
    // Only requests without an external id: the caller just passes none.
    let absent = judge(&[&root(
        "999988887777",
        r#"{"Null":{"sts:ExternalId":"true"}}"#,
    )]);
    assert_eq!(fires(&absent, "TD002"), Some(Severity::High), "{absent:?}");
    // Near miss: an empty list in a negated operator excludes nothing.
    let negated = judge(&[&root(
        "999988887777",
        r#"{"StringNotEquals":{"aws:PrincipalArn":[]}}"#,
    )]);
    assert_eq!(
        fires(&negated, "TD002"),
        Some(Severity::High),
        "{negated:?}"
    );
}

#[test]
fn statements_a_principal_cannot_use() {
    let wrong_action = judge(&[&federated(GH, "sts:AssumeRole", "{}")]);
    assert!(quiet(&wrong_action), "{wrong_action:?}");
    let not_action = judge(&[
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"NotAction":["sts:AssumeRole","sts:AssumeRoleWith*"]}"#,
    ]);
    assert!(quiet(&not_action), "{not_action:?}");
    let other_issuer = judge(&[&federated(
        GH,
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringLike":{"gitlab.com:sub":"*"}}"#,
    )]);
    assert!(quiet(&other_issuer), "{other_issuer:?}");
    // Near misses: the right action, a NotAction that leaves AssumeRole, the issuer's own key.
    let right = judge(&[&federated(GH, "sts:AssumeRoleWithWebIdentity", "{}")]);
    assert_eq!(fires(&right, "TD004"), Some(Severity::High), "{right:?}");
    let leaves = judge(&[
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"NotAction":"sts:AssumeRoleWithSAML"}"#,
    ]);
    assert_eq!(
        fires(&leaves, "TD001"),
        Some(Severity::Critical),
        "{leaves:?}"
    );
    let own_key = judge(&[&federated(
        GH,
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringLike":{"token.actions.githubusercontent.com:sub":"*"}}"#,
    )]);
    assert_eq!(
        fires(&own_key, "TD004"),
        Some(Severity::High),
        "{own_key:?}"
    );
}

#[test]
fn subject_severity_follows_its_span() {
    let no_aud = judge(&[&federated(
        GH,
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:acme/deploy:ref:refs/heads/main"}}"#,
    )]);
    assert_eq!(fires(&no_aud, "TD004"), Some(Severity::Low), "{no_aud:?}");
    let namespace = judge(&[&federated(
        EKS,
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud":"sts.amazonaws.com"},"StringLike":{"oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:team-a:*"}}"#,
    )]);
    assert_eq!(
        fires(&namespace, "TD004"),
        Some(Severity::Medium),
        "{namespace:?}"
    );
    let org = judge(&[&federated(
        GH,
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}"#,
    )]);
    assert_eq!(fires(&org, "TD004"), Some(Severity::High), "{org:?}");
    let repository = judge(&[&federated(
        GH,
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:repository":"acme/deploy"}}"#,
    )]);
    assert!(quiet(&repository), "{repository:?}");
    let repository_org = judge(&[&federated(
        GH,
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:repository":"acme/*"}}"#,
    )]);
    assert_eq!(
        fires(&repository_org, "TD004"),
        Some(Severity::High),
        "{repository_org:?}"
    );
    // Near miss: pinned with aud.
    let pinned = judge(&[&federated(
        EKS,
        "sts:AssumeRoleWithWebIdentity",
        r#"{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud":"sts.amazonaws.com","oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:team-a:api"}}"#,
    )]);
    assert!(quiet(&pinned), "{pinned:?}");
}

#[test]
fn documents_iam_refuses_are_td901_not_live_grants() {
    let cases = [
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEqualz":{"aws:PrincipalOrgID":"o-abc123def4"}}}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:role/ci-*"},"Action":"sts:AssumeRole"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:role/blocked"},"Action":"sts:AssumeRole"}]}"#,
    ];
    for doc in cases {
        let f = judge_document(doc);
        assert_eq!(fires(&f, "TD901"), Some(Severity::High), "{doc}: {f:?}");
        for live in ["TD001", "TD002", "TD003"] {
            assert_eq!(fires(&f, live), None, "{doc}: {f:?}");
        }
    }
    // Near miss: the same trust written as IAM accepts it.
    let f = judge_document(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123def4"}}}]}"#,
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn scope_resting_on_an_unknown_is_unverifiable_not_open() {
    let unknown = judge(&[&aws_star(
        r#"{"ArnLike":{"aws:PrincipalArn":"${var.ci_role_arn}"}}"#,
    )]);
    assert_eq!(
        fires(&unknown, "TD012"),
        Some(Severity::Medium),
        "{unknown:?}"
    );
    assert_eq!(fires(&unknown, "TD001"), None, "{unknown:?}");
    let org = judge(&[&aws_star(
        r#"{"StringEquals":{"aws:PrincipalOrgID":"${var.org_id}"}}"#,
    )]);
    assert_eq!(fires(&org, "TD012"), Some(Severity::Medium), "{org:?}");
    assert_eq!(fires(&org, "TD001"), None, "{org:?}");
    // An unknown external id is still one fixed value the caller must present.
    let external = judge(&[&root(
        "999988887777",
        r#"{"StringEquals":{"sts:ExternalId":"${var.external_id}"}}"#,
    )]);
    assert!(quiet(&external), "{external:?}");
    // Near miss: an unknown on a key that does not decide who gets in
    // leaves the verdict to the rest.
    let unrelated = judge(&[&aws_star(
        r#"{"StringEquals":{"aws:RequestTag/team":"${var.team}"}}"#,
    )]);
    assert_eq!(
        fires(&unrelated, "TD001"),
        Some(Severity::Critical),
        "{unrelated:?}"
    );
    assert_eq!(fires(&unrelated, "TD012"), None, "{unrelated:?}");
}

#[test]
fn a_whole_own_account_is_narrowed_by_what_it_admits() {
    let everything = judge(&[&root(
        "111111111111",
        r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:*"}}"#,
    )]);
    assert_eq!(
        fires(&everything, "TD003"),
        Some(Severity::Medium),
        "{everything:?}"
    );
    let carve_out = judge(&[
        &root("111111111111", "{}"),
        r#"{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/deploy-*"}}}"#,
    ]);
    assert!(quiet(&carve_out), "{carve_out:?}");
    // Near miss: the plain form of the same narrowing.
    let named = judge(&[&root(
        "111111111111",
        r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/deploy-*"}}"#,
    )]);
    assert!(quiet(&named), "{named:?}");
}
