//! # TD009 shared-role
//!
//! ## What it checks
//! One role assumable from several accounts outside yours: its grants, taken
//! together, admit callers of two or more outside accounts (listed in
//! principals or in `aws:PrincipalAccount`).
//!
//! ## Why it matters
//! A role shared between parties mixes their access: whatever one of them
//! does with it is indistinguishable in CloudTrail from the others, and
//! revoking one means editing the trust of all. Each outside party should
//! have its own role, with its own external id, owner and expiry.
//!
//! ## Example
//! ```json
//! {"Principal": {"AWS": ["arn:aws:iam::444455556666:root", "arn:aws:iam::777788889999:root"]}}
//! ```
//!
//! ## Fix
//! Give each outside account its own role.

use std::collections::BTreeSet;

use super::{Finding, Rule, RuleContext};
use crate::analyze::admission::{Admitted, Span};
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD009",
    name: "shared-role",
    severity: Severity::Medium,
    summary: "one role trusted from several accounts outside yours",
    fix: "give each outside account its own role",
    source: include_str!("td009_shared_role.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let mut by_role: std::collections::BTreeMap<&str, (BTreeSet<String>, Vec<&str>)> =
        std::collections::BTreeMap::new();
    for g in ctx.grants.iter().filter(|g| ctx.crosses(g)) {
        let Some((role, _)) = ctx.grant_place(g) else {
            continue;
        };
        let own = crate::analyze::trust::own_accounts(role, ctx.trust);
        let entry = by_role.entry(g.role.as_str()).or_default();
        entry.1.push(g.key.as_str());
        for a in &g.admits {
            if let Admitted::Aws {
                accounts: Span::Only(accounts),
                ..
            } = a
            {
                entry.0.extend(
                    accounts
                        .iter()
                        .filter(|acc| !own.contains(*acc) && !acc.contains(['*', '?', '$']))
                        .cloned(),
                );
            }
        }
    }
    for (address, (accounts, keys)) in by_role {
        if accounts.len() < 2 {
            continue;
        }
        let Some(role) = ctx.roles_by_address.get(address).copied() else {
            continue;
        };
        let mut f = Finding::new(
            rule,
            address,
            &role.location,
            format!(
                "{address} is assumable from {} accounts outside yours: {}",
                accounts.len(),
                accounts.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
        if let Some(first) = keys.first() {
            f = f.grant(first);
        }
        out.push(f);
    }
}
