//! # TD006 service-confused-deputy
//!
//! ## What it checks
//! A role trusted by a service principal for which AWS documents
//! confused-deputy conditions on role trust, without `aws:SourceAccount`,
//! `aws:SourceArn`, `aws:SourceOrgID` or `aws:SourceOrgPaths`. By default the
//! Bedrock family: `bedrock.amazonaws.com` and `bedrock-agentcore.amazonaws.com`;
//! the policy's `confused_deputy_services` adds more. Roles for EC2, Lambda and
//! the like are not flagged.
//!
//! ## Why it matters
//! The service assumes the role on behalf of whichever resource names it. If
//! the trust does not say whose resources, a Bedrock agent or knowledge base in
//! another account that learns the role's ARN can make the service act with
//! this role's permissions.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}
//! ```
//!
//! ## Fix
//! Add `"Condition": {"StringEquals": {"aws:SourceAccount": "111111111111"},
//! "ArnLike": {"aws:SourceArn": "arn:aws:bedrock:eu-west-1:111111111111:agent/*"}}`.

use super::{Finding, Rule, RuleContext, path_finding};
use crate::analyze::admission::Admitted;
use crate::model::principal::PrincipalClass;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD006",
    name: "service-confused-deputy",
    severity: Severity::Medium,
    summary: "a service principal with documented confused-deputy conditions (Bedrock family by default) trusted without `aws:SourceAccount` / `aws:SourceArn`",
    fix: "add StringEquals aws:SourceAccount and ArnLike aws:SourceArn naming your own resources",
    source: include_str!("td006_service_confused_deputy.rs"),
    check,
};

/// Services whose role trust AWS documents with source conditions.
pub const BUILT_IN_SERVICES: &[&str] =
    &["bedrock.amazonaws.com", "bedrock-agentcore.amazonaws.com"];

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for p in ctx.paths.iter() {
        let PrincipalClass::Service { name } = &p.class else {
            continue;
        };
        let listed = BUILT_IN_SERVICES
            .iter()
            .any(|s| s.eq_ignore_ascii_case(name))
            || ctx
                .policy
                .confused_deputy_services
                .iter()
                .any(|s| s.eq_ignore_ascii_case(name));
        if !listed {
            continue;
        }
        let open = p.admissions.iter().any(|a| {
            matches!(&a.admitted, Admitted::Service { .. })
                && !a.undecided()
                && !p.is_scoped(a, &ctx.trust.organization)
        });
        if !open {
            continue;
        }
        out.push(
            path_finding(rule, p, format!(
                    "{} trusts the service {name} without saying on whose behalf: any account's resources can make {name} assume it",
                    p.role.address
                ))
            .missing("a condition on aws:SourceAccount or aws:SourceArn"),
        );
    }
}
