//! Operator families over request kinds, one table each, with the rule of
//! the IAM User Guide each row follows quoted beside it
//! (`reference_policies_elements_condition_operators`, `…_multi-value-conditions`,
//! `…_condition-keys`, `…_policy-variables`).

use super::*;
use crate::model::policy::{Operator, PolicyDocument};

const GH: &str = "token.actions.githubusercontent.com";

fn web() -> Request {
    Request::WebIdentity {
        issuer: GH.to_string(),
    }
}

/// The outcome in one word: `true` (every such request passes), `false`
/// (none does), `test` (depends on the key's value), `absent` (passes only
/// without the key), `other` (narrows on something that is not identity),
/// `unresolved`, or `refused` (IAM does not accept the operator).
fn outcome(op: &str, key: &str, values: &[&str], req: &Request) -> &'static str {
    let c = Condition {
        operator: Operator::parse(op),
        key: key.to_string(),
        values: values.iter().map(|v| v.to_string()).collect(),
    };
    let Ok(op) = parse_op(&c) else {
        return "refused";
    };
    match evaluate(&c, op, req, false) {
        Err(_) => "unresolved",
        Ok(Outcome::True) => "true",
        Ok(Outcome::False) => "false",
        Ok(Outcome::Test { .. }) => "test",
        Ok(Outcome::Absent { .. }) => "absent",
        Ok(Outcome::Other { .. }) => "other",
    }
}

type Row<'a> = (&'a str, &'a str, &'a [&'a str], Request, &'a str, &'a str);

fn run(table: &[Row<'_>]) {
    for (op, key, values, req, want, rule) in table {
        assert_eq!(
            outcome(op, key, values, req),
            *want,
            "{op} {key} {values:?} for {req:?} — IAM: {rule}"
        );
    }
}

#[test]
fn string_operators() {
    run(&[
        (
            "StringEquals",
            "sts:ExternalId",
            &["c0ffee"],
            Request::Aws,
            "test",
            "StringEquals: exact matching, case sensitive",
        ),
        (
            "StringEquals",
            "sts:ExternalId",
            &[],
            Request::Aws,
            "false",
            "a condition is true when the request value matches one of the listed values; an empty list lists none",
        ),
        (
            "StringNotEquals",
            "aws:PrincipalOrgID",
            &["o-abc"],
            Request::Aws,
            "true",
            "if the key is not present in the request context … for negated operators (StringNotEquals …) the condition returns true (a caller outside any organisation has no aws:PrincipalOrgID)",
        ),
        (
            "StringNotEquals",
            "aws:PrincipalAccount",
            &["111111111111"],
            Request::Aws,
            "test",
            "StringNotEquals: negated matching; aws:PrincipalAccount is in every signed request",
        ),
        (
            "StringLike",
            "sts:ExternalId",
            &["*"],
            Request::Aws,
            "test",
            "StringLike: the value can include a multi-character match wildcard (*) anywhere; the key must still be present",
        ),
        (
            "StringLike",
            "aws:PrincipalArn",
            &["*"],
            Request::Aws,
            "true",
            "* matches every value, and aws:PrincipalArn is included in every signed request",
        ),
        (
            "StringNotLike",
            "aws:PrincipalArn",
            &["*"],
            Request::Aws,
            "false",
            "negated matching of * excludes every value of a key that is always present",
        ),
        (
            "StringEqualsIgnoreCase",
            "saml:aud",
            &["HTTPS://SIGNIN.AWS.AMAZON.COM/SAML"],
            Request::Saml,
            "test",
            "StringEqualsIgnoreCase: exact matching, ignoring case",
        ),
        (
            "StringEquals",
            "gitlab.com:sub",
            &["project_path:g/p:ref_type:branch:ref:main"],
            web(),
            "false",
            "a key that is not present in the request context makes a non-negated condition false (a GitHub token has no gitlab.com claims)",
        ),
        (
            "StringLike",
            "token.actions.githubusercontent.com:sub",
            &["*"],
            web(),
            "true",
            "sub is in every AssumeRoleWithWebIdentity request of the issuer; * matches it",
        ),
        (
            "StringEquals",
            "sts:ExternalId",
            &["x"],
            web(),
            "false",
            "sts:ExternalId is only passed to AssumeRole",
        ),
        (
            "StringEquals",
            "aws:SourceAccount",
            &["111111111111"],
            Request::Aws,
            "false",
            "aws:SourceAccount is only included when a service principal calls on behalf of a resource",
        ),
        (
            "StringEquals",
            "aws:SourceAccount",
            &["111111111111"],
            Request::Service,
            "test",
            "aws:SourceAccount: included when a service calls on behalf of a resource",
        ),
    ]);
}

#[test]
fn arn_operators() {
    run(&[
        (
            "ArnLike",
            "aws:PrincipalArn",
            &["arn:aws:iam::111111111111:role/deploy-*"],
            Request::Aws,
            "test",
            "ArnLike: case-sensitive matching of each part of the ARN; aws:PrincipalArn is in every signed request",
        ),
        (
            "ArnEquals",
            "aws:PrincipalArn",
            &["*"],
            Request::Aws,
            "true",
            "ArnEquals and ArnLike behave alike; * matches any ARN",
        ),
        (
            "ArnNotLike",
            "aws:PrincipalArn",
            &["arn:aws:iam::111111111111:role/blocked"],
            Request::Aws,
            "test",
            "ArnNotLike: negated matching for ARN",
        ),
        (
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:bedrock:eu-west-1:111111111111:agent/*"],
            Request::Aws,
            "false",
            "aws:SourceArn is only present when a service principal acts for a resource",
        ),
        (
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:bedrock:eu-west-1:111111111111:agent/*"],
            Request::Service,
            "test",
            "use ARN operators with aws:SourceArn",
        ),
        (
            "ArnNotLikeIfExists",
            "aws:SourceArn",
            &["arn:aws:bedrock:*:111111111111:*"],
            Request::Service,
            "true",
            "…IfExists: if the key is not present, the condition is true",
        ),
    ]);
    // "Each of the six colon-delimited components of the ARN is checked
    // separately": a * does not run across a colon.
    assert!(arn_match(
        "arn:aws:iam::*:role/x",
        "arn:aws:iam::111111111111:role/x"
    ));
    assert!(arn_match(
        "arn:aws:iam::11111111111?:role/*",
        "arn:aws:iam::111111111112:role/a/b"
    ));
    assert!(!arn_match(
        "arn:aws:iam::*",
        "arn:aws:iam::111111111111:role/x"
    ));
    assert!(!arn_match(
        "arn:aws:iam::111111111111:role/X",
        "arn:aws:iam::111111111111:role/x"
    ));
}

#[test]
fn bool_operators() {
    run(&[
        (
            "Bool",
            "aws:MultiFactorAuthPresent",
            &["true"],
            Request::Aws,
            "test",
            "Bool: boolean matching; aws:MultiFactorAuthPresent is absent for long-term access keys, so a plain Bool fails for them",
        ),
        (
            "BoolIfExists",
            "aws:MultiFactorAuthPresent",
            &["true"],
            Request::Aws,
            "true",
            "…IfExists: a request without the key (long-term access keys) passes",
        ),
        (
            "Bool",
            "aws:MultiFactorAuthPresent",
            &["true"],
            web(),
            "false",
            "web identity sessions being created carry no MFA context",
        ),
        (
            "Bool",
            "aws:SecureTransport",
            &["true", "false"],
            Request::Aws,
            "true",
            "values of one key are OR-ed: true or false matches every request",
        ),
        (
            "Bool",
            "aws:MultiFactorAuthPresent",
            &[],
            Request::Aws,
            "false",
            "an empty value list matches nothing",
        ),
    ]);
}

#[test]
fn null_operator() {
    run(&[
        (
            "Null",
            "sts:ExternalId",
            &["false"],
            Request::Aws,
            "test",
            "Null false: the key must exist and its value not be null",
        ),
        (
            "Null",
            "sts:ExternalId",
            &["true"],
            Request::Aws,
            "absent",
            "Null true: the key must be absent",
        ),
        (
            "Null",
            "aws:PrincipalArn",
            &["true"],
            Request::Aws,
            "false",
            "aws:PrincipalArn is in every signed request, so it is never absent",
        ),
        (
            "Null",
            "aws:SourceAccount",
            &["true"],
            Request::Aws,
            "true",
            "aws:SourceAccount is never in an AWS caller's own request",
        ),
        (
            "NullIfExists",
            "sts:ExternalId",
            &["true"],
            Request::Aws,
            "refused",
            "you can add IfExists to any condition operator except the Null condition",
        ),
    ]);
}

#[test]
fn numeric_and_date_operators() {
    run(&[
        (
            "NumericLessThan",
            "aws:MultiFactorAuthAge",
            &["3600"],
            Request::Aws,
            "other",
            "NumericLessThan: less than matching; narrows, but not who the caller is",
        ),
        (
            "NumericLessThanIfExists",
            "aws:MultiFactorAuthAge",
            &["3600"],
            Request::Aws,
            "true",
            "…IfExists: without the key (no MFA) the condition is true",
        ),
        (
            "NumericLessThan",
            "aws:MultiFactorAuthAge",
            &[],
            Request::Aws,
            "false",
            "an empty value list matches nothing",
        ),
        (
            "NumericSmallerThan",
            "aws:MultiFactorAuthAge",
            &["1"],
            Request::Aws,
            "refused",
            "only the listed numeric operators exist",
        ),
        (
            "DateLessThan",
            "aws:CurrentTime",
            &["2027-01-01T00:00:00Z"],
            Request::Aws,
            "other",
            "aws:CurrentTime is always present; a date window narrows in time",
        ),
        (
            "StringEqualsAnyCase",
            "sts:ExternalId",
            &["x"],
            Request::Aws,
            "refused",
            "IAM refuses a document with an operator it does not know",
        ),
    ]);
}

#[test]
fn if_exists_on_keys_every_request_carries() {
    run(&[
        (
            "ArnLikeIfExists",
            "aws:PrincipalArn",
            &["arn:aws:iam::111111111111:role/ci"],
            Request::Aws,
            "test",
            "…IfExists: if the key is present, process as specified; aws:PrincipalArn always is on sts:AssumeRole",
        ),
        (
            "StringEqualsIfExists",
            "token.actions.githubusercontent.com:sub",
            &["repo:a/b:ref:refs/heads/main"],
            web(),
            "test",
            "sub is in every web identity request of its issuer",
        ),
        (
            "StringEqualsIfExists",
            "sts:ExternalId",
            &["c0ffee"],
            Request::Aws,
            "true",
            "…IfExists: if the key is not present, true; the caller decides whether to pass an external id",
        ),
        (
            "StringEqualsIfExists",
            "aws:SourceAccount",
            &["111111111111"],
            Request::Service,
            "true",
            "not every service populates aws:SourceAccount; without it, …IfExists is true",
        ),
    ]);
}

#[test]
fn set_operators() {
    run(&[
        (
            "ForAllValues:StringEquals",
            "aws:PrincipalOrgPaths",
            &["o-abc/r-1/ou-1/"],
            Request::Aws,
            "true",
            "ForAllValues returns true if there's no key in the request (a caller outside any organisation)",
        ),
        (
            "ForAnyValue:StringLike",
            "aws:PrincipalOrgPaths",
            &["o-abc/r-1/*"],
            Request::Aws,
            "test",
            "ForAnyValue: at least one value must match; false if the key is missing",
        ),
        (
            "ForAllValues:StringEquals",
            "token.actions.githubusercontent.com:aud",
            &["sts.amazonaws.com"],
            web(),
            "test",
            "ForAllValues over a key that is present: every value must match (aud always is)",
        ),
        (
            "ForAllValues:StringLike",
            "token.actions.githubusercontent.com:sub",
            &["repo:a/b:*"],
            web(),
            "test",
            "the same for sub",
        ),
        (
            "ForAllValues:StringEquals",
            "sts:ExternalId",
            &["c0ffee"],
            Request::Aws,
            "true",
            "ForAllValues on a key the request may lack is true without it",
        ),
        (
            "ForAnyValue:StringEquals",
            "sts:ExternalId",
            &["c0ffee"],
            Request::Aws,
            "test",
            "ForAnyValue on a single value: that value must match",
        ),
        (
            "ForAnyValue:StringEquals",
            "aws:SourceOrgPaths",
            &["o-abc/*"],
            Request::Aws,
            "false",
            "ForAnyValue returns false when the key is not in the request",
        ),
        (
            "ForAllValues:StringNotEquals",
            "aws:PrincipalOrgPaths",
            &["o-abc/"],
            Request::Aws,
            "true",
            "ForAllValues with a negated operator: still true without the key",
        ),
    ]);
}

#[test]
fn policy_variables() {
    run(&[
        (
            "StringEquals",
            "aws:PrincipalAccount",
            &["${aws:PrincipalAccount}"],
            Request::Aws,
            "true",
            "policy variables are replaced by the request's own value: the caller's account equals itself",
        ),
        (
            "StringLike",
            "sts:ExternalId",
            &["${*}"],
            Request::Aws,
            "test",
            "${*} is a literal *, not a wildcard",
        ),
        (
            "StringEquals",
            "sts:ExternalId",
            &["${var.external_id}"],
            Request::Aws,
            "test",
            "(a Terraform value unknown before apply, compared for equality, is one fixed value)",
        ),
        (
            "ArnLike",
            "aws:PrincipalArn",
            &["arn:aws:iam::${var.account}:role/*"],
            Request::Aws,
            "unresolved",
            "(a Terraform value unknown before apply inside a pattern decides what it admits)",
        ),
    ]);
    // "${aws:PrincipalAccount}" in an ARN pattern's account matches every
    // caller's own account: the pattern spans all accounts.
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole",
            "Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:role/admin"}}}"#,
    );
    let a = admit_one(&doc, Request::Aws);
    assert_eq!(
        a.account_reach(&Organization::default(), &BTreeSet::new()),
        Reach::Any
    );
    assert!(!a.names_identities());
    // Near miss: a fixed account stays that account.
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole",
            "Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/${aws:username}"}}}"#,
    );
    let a = admit_one(&doc, Request::Aws);
    assert!(
        matches!(&a, Admitted::Aws { accounts: Span::Only(v), .. } if v.contains("111111111111"))
    );
}

fn statement(json: &str) -> Vec<Statement> {
    let doc = PolicyDocument::parse(&format!(r#"{{"Statement":[{json}]}}"#)).expect("valid");
    doc.statements
}

fn admit_one(statements: &[Statement], req: Request) -> Admitted {
    let allow = &statements[0];
    let principal = allow.principals.as_ref().expect("principal")[0].clone();
    let class = principal.classify();
    let denies: Vec<&Statement> = statements[1..]
        .iter()
        .filter(|d| deny_covers(d, &principal))
        .collect();
    admit(allow, &principal, &class, &req, &denies).admitted
}

#[test]
fn patterns_match_like_iam() {
    assert!(pattern_matches("o-abc/*", "o-abc/r-1/ou-1/"));
    assert!(pattern_matches("11111111111?", "111111111112"));
    assert!(!pattern_matches("11111111111?", "1111111111123"));
    assert!(pattern_matches("repo:a/*", "repo:a/b:ref:x"));
    assert!(!pattern_matches("repo:A/*", "repo:a/b"));
    assert!(pattern_matches("${*}", "*"));
    assert!(!pattern_matches("${*}", "x"));
    assert!(pattern_matches("a${aws:username}c", "abbbc"));
}

#[test]
fn a_pattern_without_wildcards_matches_as_its_tokens_would() {
    // The quick answer for plain text is the token match's own answer.
    let texts = [
        "",
        "a",
        "A",
        "abc",
        "ab",
        "abcd",
        "o-abc1234567",
        "arn:aws:iam::1:root",
        "é",
        "e\u{301}",
        "x*",
        "x?",
        "${*}",
        "*",
        "a b",
        "repo:a/b",
    ];
    for p in texts.iter().filter(|p| !p.contains(['*', '?', '$'])) {
        for v in texts {
            assert_eq!(
                pattern_matches(p, v),
                tok_match(&tokens(p, true), v, false),
                "{p:?} against {v:?}"
            );
        }
    }
}

#[test]
fn empty_value_lists_admit_nobody() {
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"999988887777"},"Action":"sts:AssumeRole",
            "Condition":{"StringEquals":{"sts:ExternalId":[]}}}"#,
    );
    assert!(matches!(
        admit_one(&doc, Request::Aws),
        Admitted::Nobody { .. }
    ));
}

#[test]
fn actions_a_principal_cannot_use_admit_nobody() {
    // A web identity can only call AssumeRoleWithWebIdentity.
    let doc = statement(&format!(
        r#"{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::111111111111:oidc-provider/{GH}"}},"Action":"sts:AssumeRole"}}"#
    ));
    assert!(matches!(admit_one(&doc, web()), Admitted::Nobody { .. }));
    // NotAction that excludes every assume action.
    let doc =
        statement(r#"{"Effect":"Allow","Principal":{"AWS":"*"},"NotAction":"sts:AssumeRole*"}"#);
    assert!(matches!(
        admit_one(&doc, Request::Aws),
        Admitted::Nobody { .. }
    ));
    // Near miss: NotAction that excludes only SAML leaves AssumeRole.
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"NotAction":"sts:AssumeRoleWithSAML"}"#,
    );
    assert!(matches!(
        admit_one(&doc, Request::Aws),
        Admitted::Aws { .. }
    ));
}

#[test]
fn deny_carve_outs_subtract() {
    for op in ["StringNotEquals", "StringNotEqualsIfExists"] {
        let doc = statement(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"sts:AssumeRole"}},
               {{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{{"{op}":{{"aws:PrincipalOrgID":"o-abc123def4"}}}}}}"#
        ));
        let a = admit_one(&doc, Request::Aws);
        let org = Organization {
            id: Some("o-abc123def4".into()),
            accounts: BTreeSet::new(),
        };
        assert!(a.inside_organization(&org, &BTreeSet::new()), "{op}: {a:?}");
    }
    // The data perimeter pattern: the second condition holds for every AWS
    // caller, so the Deny still subtracts on the organisation.
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},
           {"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{
              "StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc123def4"},
              "BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}"#,
    );
    let org = Organization {
        id: Some("o-abc123def4".into()),
        accounts: BTreeSet::new(),
    };
    assert!(admit_one(&doc, Request::Aws).inside_organization(&org, &BTreeSet::new()));
    // An unconditional Deny for the same principal leaves nobody.
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"999988887777"},"Action":"sts:AssumeRole"},
           {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}"#,
    );
    assert!(matches!(
        admit_one(&doc, Request::Aws),
        Admitted::Nobody { .. }
    ));
    // Near miss: a Deny of another principal subtracts nothing.
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"999988887777"},"Action":"sts:AssumeRole"},
           {"Effect":"Deny","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}"#,
    );
    assert!(matches!(
        admit_one(&doc, Request::Aws),
        Admitted::Aws { .. }
    ));
}

#[test]
fn reviewer_words() {
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole",
            "Condition":{"StringEquals":{"sts:ExternalId":"c0ffee"}}}"#,
    );
    assert_eq!(
        admit_one(&doc, Request::Aws).describe(false),
        "any role or user in 999988887777 with sts:ExternalId = c0ffee"
    );
    assert_eq!(
        admit_one(&doc, Request::Aws).describe(true),
        "any role or user in 999988887777 with sts:ExternalId = (1 sensitive)"
    );
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole",
            "Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/deploy-*"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#,
    );
    assert_eq!(
        admit_one(&doc, Request::Aws).describe(false),
        "any role matching deploy-* in 111111111111 with MFA"
    );
}

#[test]
fn refused_documents_say_why() {
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/dev-*"},"Action":"sts:AssumeRole"},
           {"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"sts:AssumeRole"},
           {"Effect":"Allow","NotPrincipal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"},
           {"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Condition":{"StringEqualz":{"sts:ExternalId":"x"}}}"#,
    );
    let why: Vec<String> = refusals(&doc).into_iter().map(|(_, w)| w).collect();
    assert_eq!(why.len(), 4, "{why:#?}");
    assert!(why[0].contains("wildcard inside it"));
    assert!(why[1].contains("CanonicalUser"));
    assert!(why[2].contains("NotPrincipal"));
    assert!(why[3].contains("StringEqualz"));
    // Near miss: "*" alone, a 12-digit account and known operators are accepted.
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":["*","111111111111"]},"Action":"sts:AssumeRole","Condition":{"StringEqualsIgnoreCase":{"sts:ExternalId":"x"},"NumericLessThanEquals":{"aws:MultiFactorAuthAge":"3600"}}}"#,
    );
    assert!(refusals(&doc).is_empty());
}

#[test]
fn a_session_is_matched_by_its_roles_arn() {
    // "For a role session, aws:PrincipalArn is the role ARN, not the session ARN."
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111111111111:assumed-role/ci/build"},"Action":"sts:AssumeRole",
            "Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ci"}}}"#,
    );
    assert!(matches!(
        admit_one(&doc, Request::Aws),
        Admitted::Aws { .. }
    ));
    // Near miss: another role's ARN leaves no caller.
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111111111111:assumed-role/ci/build"},"Action":"sts:AssumeRole",
            "Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/admin"}}}"#,
    );
    assert!(matches!(
        admit_one(&doc, Request::Aws),
        Admitted::Nobody { .. }
    ));
}

#[test]
fn the_description_round_trips_through_json() {
    // The baseline stores it and compares grants as sets of descriptions.
    let doc = statement(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole",
            "Condition":{"StringEquals":{"sts:ExternalId":"c0ffee"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#,
    );
    let a = admit_one(&doc, Request::Aws);
    let json = serde_json::to_string(&a).expect("serialises");
    let back: Admitted = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(a, back);
}
