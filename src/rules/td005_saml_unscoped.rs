//! # TD005 saml-unscoped
//!
//! ## What it checks
//! A SAML provider principal (`arn:aws:iam::ID:saml-provider/NAME`) trusted
//! without a `SAML:aud` condition.
//!
//! ## Why it matters
//! `SAML:aud` ties the assertion to the AWS sign-in endpoint it was issued for.
//! Without it, an assertion the identity provider issued for another
//! audience can be replayed to become this role.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111111111111:saml-provider/okta"},
//!  "Action": "sts:AssumeRoleWithSAML"}
//! ```
//!
//! ## Fix
//! Add `"Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}`.

use super::{Finding, Rule, RuleContext, path_finding};
use crate::analyze::admission::Admitted;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD005",
    name: "saml-unscoped",
    severity: Severity::Medium,
    summary: "a SAML principal without `SAML:aud`",
    fix: "add StringEquals SAML:aud = https://signin.aws.amazon.com/saml",
    source: include_str!("td005_saml_unscoped.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for p in ctx.paths.iter() {
        let open = p.admissions.iter().any(|a| {
            matches!(&a.admitted, Admitted::Saml { .. })
                && !a.undecided()
                && !a.admitted.key_pinned("saml:aud")
        });
        if !open {
            continue;
        }
        out.push(
            path_finding(
                rule,
                p,
                format!(
                    "{} trusts the SAML provider {} without a SAML:aud condition",
                    p.role.address, p.principal.id
                ),
            )
            .missing("a condition on SAML:aud"),
        );
    }
}
