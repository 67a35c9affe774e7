//! # TD012 trust-unverifiable
//!
//! ## What it checks
//! Trust that cannot be judged statically: a trust policy known only after
//! apply (a plan's `after_unknown`, an HCL expression that depends on another
//! resource), a principal that holds an unresolved expression
//! (`arn:aws:iam::${var.account}:root`) or a unique id (`AROA…`), or a
//! narrowing condition whose key or pattern value is unresolved. Modules and
//! values the scan could not read are reported here at `info` when they
//! bear on trust: a note about code whose trust came out fully resolved, or
//! that holds no trust, is left out.
//!
//! The same holds for permissions: when part of an identity's Bedrock reach
//! cannot be verified (an attached policy known only after apply, a policy
//! of another stack named by ARN, an AWS managed policy naming Bedrock that
//! trustdrift's table does not hold, an inference profile whose prefix the
//! Region table does not know), it is reported at low confidence as
//! `Bedrock reach of X cannot be verified: <reason>`, for the identities
//! where it could matter: roles that carry cross-account trust, identities
//! that already reach Bedrock, and any whose unresolved item names Bedrock.
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
use crate::analyze::trust::trust_resolved;
use crate::model::inventory::{SubjectKind, Trust};
use crate::model::principal::PrincipalClass;
use crate::model::severity::{Confidence, Severity};

pub static RULE: Rule = Rule {
    code: "TD012",
    name: "trust-unverifiable",
    severity: Severity::Medium,
    summary: "a trust document, principal or condition unknown at plan time or not statically resolvable; Bedrock reach that rests on a policy or profile that cannot be read (low confidence)",
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
        for a in &p.admissions {
            if a.unresolved.is_empty() || p.is_scoped(a, &ctx.trust.organization) {
                continue;
            }
            for u in &a.unresolved {
                if !seen.insert((p.role.address.as_str(), u.statement, u)) {
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
                            u.operator,
                            u.key,
                            u.refs.join(", ")
                        ),
                    )
                    .confidence(Confidence::Low)
                    .snippet(snippet(p.role, p.statement)),
                );
            }
        }
    }
    bedrock_unverifiable(ctx, rule, out);
    for note in ctx.notes.iter().filter(|n| bears_on_trust(ctx, n)) {
        let address = note.address.clone().unwrap_or_default();
        let mut f = Finding::new(rule, &address, &note.location, note.message.clone())
            .severity(Severity::Info)
            .confidence(Confidence::Low);
        // The note says what it is about; the rule's general fix does not fit.
        f.fix = None;
        out.push(f);
    }
}

/// A note about evaluating something whose trust came out fully resolved
/// anyway (an unknown `count` on a role whose policy is known), or that
/// yields no trust at all (a permissions policy), changes no judgement. Notes
/// about code that was not read (a module not downloaded, a file refused)
/// may hide trust and are kept.
fn bears_on_trust(ctx: &RuleContext<'_>, note: &crate::ingest::IngestNote) -> bool {
    if note.unscanned {
        return true;
    }
    let Some(address) = note.address.as_deref() else {
        return true;
    };
    let under = |r: &&crate::model::inventory::Role| {
        r.address == address
            || r.address
                .strip_prefix(address)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    };
    // The rest come from evaluating code that was scanned: the roles and
    // trust documents it yields sit under the note's address.
    ctx.inventory
        .roles
        .iter()
        .filter(under)
        .any(|r| !trust_resolved(&r.trust))
}

/// Bedrock reach that cannot be verified. Only where it could matter, to
/// keep noise down: a role whose trust crosses the account boundary (an
/// unknown policy there may hand Bedrock to another account), an identity
/// that already reaches Bedrock (what it reaches may be wider), or an item
/// that names Bedrock itself. An unknown policy on a same-account identity
/// with no Bedrock reach is left to the reviewer of that policy.
fn bedrock_unverifiable(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let crossing: BTreeSet<&str> = ctx
        .grants
        .iter()
        .filter(|g| ctx.crosses(g))
        .map(|g| g.role.as_str())
        .collect();
    for r in ctx.reach {
        let identity = &r.identity.address;
        let reaches = !r.reach.grants.is_empty() || !r.reach.wildcard_actions.is_empty();
        let matters = reaches || crossing.contains(identity.as_str());
        // One finding per identity, at the first place that cannot be
        // verified, naming every reason.
        let relevant: Vec<&crate::analyze::bedrock::Unverifiable> = r
            .reach
            .unverifiable
            .iter()
            .filter(|u| matters || u.reason.to_ascii_lowercase().contains("bedrock"))
            .collect();
        let Some(first) = relevant.first() else {
            continue;
        };
        let mut reasons: Vec<&str> = relevant.iter().map(|u| u.reason.as_str()).collect();
        reasons.dedup();
        let message = format!(
            "Bedrock reach of {identity} cannot be verified: {}",
            reasons.join("; ")
        );
        let f = match &first.origin {
            Some(o) => super::bedrock::finding(ctx, rule, r, o, message),
            None => Finding::new(rule, identity, &r.identity.location, message)
                .grant(&crate::analyze::drift::reach_key(identity)),
        };
        out.push(
            f.confidence(Confidence::Low)
                .fix("attach policies known at plan time and name resources the Region table knows, or review the reach and suppress with a reason"),
        );
    }
}
