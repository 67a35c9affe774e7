//! # TD010 trust-policy-writable
//!
//! ## What it checks
//! An identity whose effective permissions (its inline and attached
//! policies, and for a user its groups') allow `iam:UpdateAssumeRolePolicy`,
//! or both `iam:CreateRole` and `iam:PassRole`, on `*`, on a wildcard that
//! covers every role of an account (`arn:aws:iam::*:role/*`), or on a role
//! that carries cross-account trust. Wildcard actions count (`iam:*`, `*`,
//! `iam:Update*`); a `NotAction` statement counts only when its list leaves
//! the action out (`PowerUserAccess`, whose `NotAction` holds `iam:*`, grants
//! neither). A Deny without conditions that covers the action and resource
//! takes it away, and a permission boundary must allow it too. Conditions
//! on the Allow are not weighed: the verdict is an upper bound.
//!
//! ## Why it matters
//! Whoever may rewrite a role's trust policy decides who may assume the
//! role: every review of that trust is undone by one API call. Creating a
//! role and passing it to a service does the same with a fresh role.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}
//! ```
//!
//! ## Fix
//! Grant `iam:UpdateAssumeRolePolicy` only to the pipeline that owns trust,
//! on the role ARNs it manages, or add a Deny on it (an SCP or a permission
//! boundary) for everyone else.

use std::collections::BTreeSet;

use super::{Finding, Rule, RuleContext};
use crate::analyze::bedrock::Origin;
use crate::analyze::permissions::{ActionAllowed, allowed, covers_every_role, names_role};
use crate::model::inventory::Role;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD010",
    name: "trust-policy-writable",
    severity: Severity::High,
    summary: "an identity allowed iam:UpdateAssumeRolePolicy, or iam:CreateRole with iam:PassRole, on * or on a role that carries cross-account trust",
    fix: "allow iam:UpdateAssumeRolePolicy only on the roles a trust pipeline owns, or deny it in a permission boundary",
    source: include_str!("td010_trust_policy_writable.rs"),
    check,
};

/// What a resource pattern reaches that makes writing trust dangerous.
fn danger(resource: &str, crossing: &[&Role]) -> Option<String> {
    if resource == "*" {
        return Some("*".to_string());
    }
    if covers_every_role(resource) {
        return Some(format!("{resource} (every role)"));
    }
    crossing
        .iter()
        .find(|r| {
            names_role(
                resource,
                &r.address,
                r.name.as_deref(),
                r.account.as_deref(),
            )
        })
        .map(|r| {
            format!(
                "{resource} ({}, which carries cross-account trust)",
                r.address
            )
        })
}

fn place(o: &Origin) -> String {
    match &o.location {
        Some(l) => format!(
            "through {} statement {} ({}:{})",
            o.policy, o.statement, l.file, l.line
        ),
        None => format!("through {} statement {}", o.policy, o.statement),
    }
}

/// The first dangerous way an action is allowed, with what it reaches.
fn first_danger<'a>(
    allowed: &'a [ActionAllowed],
    crossing: &[&Role],
) -> Option<(&'a ActionAllowed, String)> {
    allowed
        .iter()
        .find_map(|a| danger(&a.resource, crossing).map(|d| (a, d)))
}

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let crossing_addresses: BTreeSet<&str> = ctx
        .grants
        .iter()
        .filter(|g| ctx.crosses(g))
        .map(|g| g.role.as_str())
        .collect();
    let crossing: Vec<&Role> = crossing_addresses
        .iter()
        .filter_map(|a| ctx.roles_by_address.get(a).copied())
        .collect();
    for e in ctx
        .effective
        .iter()
        .filter(|e| !e.identity.change.is_some_and(|c| c.removes()))
    {
        let who = &e.identity.address;
        let at = |o: &Origin| o.location.clone().unwrap_or(e.identity.location.clone());
        let update = allowed(e, "iam:UpdateAssumeRolePolicy");
        let mut seen = BTreeSet::new();
        for a in &update {
            let Some(what) = danger(&a.resource, &crossing) else {
                continue;
            };
            if !seen.insert(&a.origin) {
                continue;
            }
            out.push(
                Finding::new(
                    rule,
                    who,
                    &at(&a.origin),
                    format!(
                        "{who} may call iam:UpdateAssumeRolePolicy on {what} {}: it can rewrite who may assume those roles",
                        place(&a.origin)
                    ),
                )
                .missing("a resource limited to roles whose trust this identity owns"),
            );
        }
        // Rewriting trust already says it: one finding per identity.
        if !seen.is_empty() {
            continue;
        }
        let create = allowed(e, "iam:CreateRole");
        let pass = allowed(e, "iam:PassRole");
        if let (Some((c, c_what)), Some((p, p_what))) = (
            first_danger(&create, &crossing),
            first_danger(&pass, &crossing),
        ) {
            let mut f = Finding::new(
                rule,
                who,
                &at(&c.origin),
                format!(
                    "{who} may call iam:CreateRole on {c_what} {} and iam:PassRole on {p_what} {}: it can create a role with any trust and hand it to a service",
                    place(&c.origin),
                    place(&p.origin)
                ),
            )
            .missing("iam:CreateRole or iam:PassRole limited to named roles")
            .fix("limit iam:CreateRole and iam:PassRole to the role names this identity owns, or deny them in a permission boundary");
            if c.origin != p.origin {
                f.related
                    .push((at(&p.origin), "allows iam:PassRole here".to_string()));
            }
            out.push(f);
        }
    }
}
