//! # TD001 trust-any-principal
//!
//! ## What it checks
//! An Allow statement in a role's trust policy whose principal is `"*"` or
//! `{"AWS": "*"}` and that carries no condition narrowing who gets in:
//! `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`,
//! `aws:PrincipalArn`, or, for services acting on a resource's behalf,
//! `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID`, `aws:SourceOrgPaths`.
//!
//! ## Why it matters
//! A wildcard principal lets any identity in any AWS account become this
//! role, including accounts an attacker creates for the purpose. An external
//! id alone does not help: it is a shared string, not an identity.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
//! ```
//!
//! ## Fix
//! Name the roles that may assume it, or keep the wildcard and add
//! `"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-yourorgid"}}` (or an
//! `ArnLike` on `aws:PrincipalArn` naming your roles, the self-assume pattern).

use super::{Finding, Rule, RuleContext, path_finding};
use crate::analyze::trust::NarrowingKey;
use crate::model::principal::PrincipalClass;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD001",
    name: "trust-any-principal",
    severity: Severity::Critical,
    summary: "`Principal: \"*\"` or `{\"AWS\": \"*\"}` in an Allow trust statement that is not scoped",
    fix: "name the roles that may assume it, or add StringEquals aws:PrincipalOrgID (or ArnLike aws:PrincipalArn)",
    source: include_str!("td001_trust_any_principal.rs"),
    check,
};

pub fn narrows_everyone(k: &NarrowingKey) -> bool {
    matches!(
        k,
        NarrowingKey::PrincipalOrgId
            | NarrowingKey::PrincipalOrgPaths
            | NarrowingKey::PrincipalAccount
            | NarrowingKey::PrincipalArn
            | NarrowingKey::SourceAccount
            | NarrowingKey::SourceArn
            | NarrowingKey::SourceOrgId
            | NarrowingKey::SourceOrgPaths
    )
}

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for p in ctx
        .paths
        .iter()
        .filter(|p| p.class == PrincipalClass::Everyone)
    {
        if p.scoped_or_undecided(narrows_everyone) {
            continue;
        }
        out.push(
            path_finding(rule, p, format!(
                    "{} trusts {} with no condition that narrows who may assume it",
                    p.role.address,
                    p.principal.describe()
                ))
            .missing("a condition on aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount or aws:PrincipalArn"),
        );
    }
}
