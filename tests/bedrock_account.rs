//! Bedrock across accounts (TD104), trust that can be rewritten (TD010) and
//! Bedrock reach that cannot be verified (TD012), judged the same from code
//! and from a plan.

use std::path::Path;

use trustdrift::config::Policy;
use trustdrift::rules::Finding;

const FORMS: &[&str] = &["main.tf", "plan.json"];

/// The findings of one case in one form, under the case's policy.
fn findings(case: &str, form: &str) -> Vec<Finding> {
    let dir = Path::new("testdata/bedrock_account").join(case);
    let policy_path = dir.join("policy.hcl");
    let text = std::fs::read_to_string(&policy_path).expect("case policy");
    let known = trustdrift::rules::registry::codes();
    let policy = Policy::parse(&policy_path.to_string_lossy(), &text, &known).expect("policy");
    let input = dir.join(form).to_string_lossy().into_owned();
    let scan =
        trustdrift::scan(&[input], &Default::default(), &mut std::io::empty()).expect("scan");
    judge(&scan, &policy)
}

fn judge(scan: &trustdrift::Scan, policy: &Policy) -> Vec<Finding> {
    trustdrift::judge(
        scan,
        &trustdrift::Judge {
            policy,
            policy_changes: &[],
            baseline: None,
            today: trustdrift::model::date::Date::parse("2026-12-01").expect("date"),
            all: true,
        },
    )
    .findings
}

fn messages(findings: &[Finding], rule: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn an_account_outside_may_assume_a_role_that_invokes_bedrock() {
    for form in FORMS {
        let found = findings("direct", form);
        assert_eq!(
            messages(&found, "TD104"),
            [
                "account 222222222222 may assume aws_iam_role.app, which may invoke bedrock:InvokeModel in eu-west-1 (222222222222 → aws_iam_role.app → eu-west-1)"
            ],
            "{form}"
        );
        let f = found.iter().find(|f| f.rule == "TD104").expect("TD104");
        assert_eq!(f.address, "aws_iam_role.app", "{form}");
        assert_eq!(
            f.grant.as_deref(),
            Some("aws_iam_role.app|bedrock"),
            "{form}"
        );
        // At the trust statement that lets account 222222222222 in (a
        // plan holds the policy as one string: its attribute).
        let text = std::fs::read_to_string(&f.location.file).expect("source");
        let line = text
            .lines()
            .nth(f.location.line.saturating_sub(1) as usize)
            .unwrap_or_default();
        let expected = if *form == "main.tf" {
            "Statement = [{"
        } else {
            "\"assume_role_policy\""
        };
        assert!(
            line.contains(expected),
            "{form}: line {}: {line}",
            f.location.line
        );
    }
}

#[test]
fn a_chain_of_roles_in_the_code_carries_bedrock_reach_across() {
    for form in FORMS {
        let found = findings("chain", form);
        assert_eq!(
            messages(&found, "TD104"),
            [
                "account 222222222222 may assume aws_iam_role.x, then aws_iam_role.y, which may invoke bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream in eu-central-1 (222222222222 → aws_iam_role.x → aws_iam_role.y → eu-central-1)"
            ],
            "{form}"
        );
        let f = found.iter().find(|f| f.rule == "TD104").expect("TD104");
        assert_eq!(f.address, "aws_iam_role.x", "{form}");
        assert_eq!(f.grant.as_deref(), Some("aws_iam_role.y|bedrock"), "{form}");
        assert!(
            f.related
                .iter()
                .any(|(_, note)| note == "aws_iam_role.y trusts aws_iam_role.x here"),
            "{form}: {:?}",
            f.related
        );
    }
}

#[test]
fn an_account_of_the_organisation_is_not_across_the_boundary() {
    for form in FORMS {
        let found = findings("in_organization", form);
        assert!(messages(&found, "TD104").is_empty(), "{form}: {found:#?}");
        assert!(
            found.iter().any(|f| f.rule == "TD003"),
            "{form}: the trust itself is still judged"
        );
    }
}

#[test]
fn iam_star_may_rewrite_trust_and_power_user_may_not() {
    for form in FORMS {
        let found = findings("trust_writable", form);
        let td010: Vec<&Finding> = found.iter().filter(|f| f.rule == "TD010").collect();
        assert_eq!(td010.len(), 1, "{form}: {td010:#?}");
        assert_eq!(td010[0].address, "aws_iam_role.ops", "{form}");
        assert!(
            td010[0].message.starts_with(
                "aws_iam_role.ops may call iam:UpdateAssumeRolePolicy on * through aws_iam_policy.iam_admin statement 0 ("
            ),
            "{form}: {}",
            td010[0].message
        );
        assert!(
            !found
                .iter()
                .any(|f| f.rule == "TD010" && f.address == "aws_iam_role.power"),
            "{form}: PowerUserAccess's NotAction iam:* grants no trust writes"
        );
    }
}

#[test]
fn bedrock_reach_that_cannot_be_verified_is_said_where_it_matters() {
    for form in FORMS {
        let found = findings("unverifiable", form);
        assert_eq!(
            messages(&found, "TD012")
                .into_iter()
                .filter(|m| m.starts_with("Bedrock reach"))
                .collect::<Vec<_>>(),
            [
                "Bedrock reach of aws_iam_role.partner cannot be verified: attached policy arn:aws:iam::111111111111:policy/shared-invoke cannot be read"
            ],
            "{form}: the same-account role with no Bedrock reach is left out"
        );
        let f = found
            .iter()
            .find(|f| f.rule == "TD012" && f.address == "aws_iam_role.partner")
            .expect("TD012");
        assert_eq!(
            f.confidence,
            trustdrift::model::severity::Confidence::Low,
            "{form}"
        );
    }
}

#[test]
fn the_code_is_formatted() {
    // `terraform fmt` is the judge of valid, tidy HCL where it is installed.
    let Ok(out) = std::process::Command::new("terraform")
        .args(["fmt", "-check", "-recursive", "testdata/bedrock_account"])
        .output()
    else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_cycle_of_roles_ends_and_a_long_chain_stops() {
    let dir = tempfile::tempdir().expect("tempdir");
    let role = |name: &str, principal: &str| {
        format!(
            r#"
resource "aws_iam_role" "{name}" {{
  name = "{name}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ AWS = {principal} }} }}]
  }})
}}
"#
        )
    };
    // a and b trust each other; a is the door; b invokes. r1 … r6 chain
    // from the door further than chains are followed; r6 invokes.
    let mut code = String::new();
    code.push_str(&role(
        "a",
        r#"["arn:aws:iam::222222222222:root", aws_iam_role.b.arn]"#,
    ));
    code.push_str(&role("b", "aws_iam_role.a.arn"));
    code.push_str(&role("r1", r#""arn:aws:iam::222222222222:root""#));
    for i in 2..=6 {
        code.push_str(&role(
            &format!("r{i}"),
            &format!("aws_iam_role.r{}.arn", i - 1),
        ));
    }
    for who in ["b", "r6"] {
        code.push_str(&format!(
            r#"
resource "aws_iam_role_policy" "{who}" {{
  role = aws_iam_role.{who}.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = "arn:aws:bedrock:eu-west-1::foundation-model/*" }}]
  }})
}}
"#
        ));
    }
    std::fs::write(dir.path().join("main.tf"), code).expect("write");
    let scan = trustdrift::scan(
        &[dir.path().to_string_lossy().into_owned()],
        &Default::default(),
        &mut std::io::empty(),
    )
    .expect("scan");
    let policy = Policy::parse(
        "p.hcl",
        "organization {\n  accounts = [\"111111111111\"]\n}\n",
        &trustdrift::rules::registry::codes(),
    )
    .expect("policy");
    let first = messages(&judge(&scan, &policy), "TD104");
    assert_eq!(
        first,
        [
            "account 222222222222 may assume aws_iam_role.a, then aws_iam_role.b, which may invoke bedrock:InvokeModel in eu-west-1 (222222222222 → aws_iam_role.a → aws_iam_role.b → eu-west-1)"
        ],
        "the chain from r1 to r6 is six roles long: beyond the chains followed"
    );
    assert_eq!(messages(&judge(&scan, &policy), "TD104"), first);
}
