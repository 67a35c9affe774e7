//! # TD012 trust-unverifiable
//!
//! ## What it checks
//! Trust that cannot be judged statically: a trust policy known only after
//! apply (a plan's `after_unknown`, an HCL expression that depends on another
//! resource), a principal that holds an unresolved expression
//! (`arn:aws:iam::${var.account}:root`) or a unique id (`AROA…`), or a
//! narrowing condition whose key or pattern value is unresolved. Modules and
//! values the scan could not read are reported here at `info`.
//!
//! ## Why it matters
//! Unknown is not safe. A policy that only exists after apply is exactly the
//! one nobody reviews; passing it silently would hide the trust this tool
//! exists to show.
//!
//! ## Example
//! ```hcl
//! assume_role_policy = data.external.trust.result.policy
//! ```
//!
//! ## Fix
//! Build the trust policy from values known at plan time (variables with
//! values, `aws_iam_policy_document`), or scan the plan JSON where Terraform
//! has resolved them. Where the value is inherently runtime, review it and
//! suppress this finding with a reason.

use std::collections::BTreeSet;

use super::{Finding, Rule, RuleContext, snippet};
use crate::analyze::trust::ScopeState;
use crate::model::inventory::{SubjectKind, Trust};
use crate::model::principal::PrincipalClass;
use crate::model::severity::{Confidence, Severity};

pub static RULE: Rule = Rule {
    code: "TD012",
    name: "trust-unverifiable",
    severity: Severity::Medium,
    summary: "a trust document, principal or condition unknown at plan time or not statically resolvable",
    fix: "build the trust from values known at plan time, or review it and suppress with a reason",
    source: include_str!("td012_trust_unverifiable.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for role in ctx
        .inventory
        .roles
        .iter()
        .filter(|r| !r.is_removed() && r.kind == SubjectKind::Role)
    {
        if let Trust::Unknown(reason) = &role.trust {
            out.push(
                Finding::new(
                    rule,
                    &role.address,
                    &role.trust_location,
                    format!(
                        "the trust policy of {} cannot be verified: it depends on {reason}",
                        role.address
                    ),
                )
                .confidence(Confidence::Low)
                .missing("a trust policy known at plan time"),
            );
        }
    }
    let mut seen = BTreeSet::new();
    for p in ctx.paths.iter() {
        let loc = p.role.statement_location(p.statement.index);
        match &p.class {
            PrincipalClass::Unknown { refs } => {
                out.push(
                    Finding::new(
                        rule,
                        &p.role.address,
                        loc,
                        format!(
                            "{} trusts principal {} which cannot be verified: it depends on {}",
                            p.role.address,
                            p.principal.id,
                            refs.join(", ")
                        ),
                    )
                    .confidence(Confidence::Low)
                    .snippet(snippet(p.role, p.statement))
                    .grant(&p.grant_key),
                );
                continue;
            }
            PrincipalClass::UniqueId => {
                out.push(
                    Finding::new(
                        rule,
                        &p.role.address,
                        loc,
                        format!(
                            "{} trusts {}, a unique id: IAM shows one when the principal it named was deleted, so who it was cannot be verified",
                            p.role.address, p.principal.id
                        ),
                    )
                    .confidence(Confidence::Low)
                    .snippet(snippet(p.role, p.statement))
                    .grant(&p.grant_key),
                );
                continue;
            }
            _ => {}
        }
        // Conditions that would decide: only when nothing else already narrows.
        if p.scope.iter().any(|s| s.state == ScopeState::Effective) {
            continue;
        }
        for s in &p.scope {
            let ScopeState::Unverifiable(refs) = &s.state else {
                continue;
            };
            if !seen.insert((p.role.address.as_str(), p.statement.index, s.condition)) {
                continue;
            }
            out.push(
                Finding::new(
                    rule,
                    &p.role.address,
                    loc,
                    format!(
                        "{}: whether the condition {} {} narrows who may assume it cannot be verified: it depends on {}",
                        p.role.address,
                        s.condition.operator.text,
                        s.condition.key,
                        refs.join(", ")
                    ),
                )
                .confidence(Confidence::Low)
                .snippet(snippet(p.role, p.statement)),
            );
        }
    }
    for note in ctx.notes {
        let address = note.address.clone().unwrap_or_default();
        out.push(
            Finding::new(rule, &address, &note.location, note.message.clone())
                .severity(Severity::Info)
                .confidence(Confidence::Low),
        );
    }
}
