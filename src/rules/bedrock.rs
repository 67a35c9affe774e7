//! What the Bedrock rules share: a finding about one identity's reach,
//! placed at the statement that grants it and showing that statement, and
//! the per-statement gathering that keeps them to one finding per
//! (identity, statement).

use std::collections::{BTreeMap, BTreeSet};

use super::{Finding, Rule, RuleContext};
use crate::analyze::bedrock::{InvocationGrant, Origin};
use crate::analyze::drift::reach_key;
use crate::analyze::permissions::IdentityReach;
use crate::model::bedrock::regions::UNSPECIFIED;
use crate::model::inventory::PolicyKind;
use crate::model::location::Location;

/// What one statement grants that a rule reports.
#[derive(Debug, Default)]
pub struct Gathered {
    pub actions: BTreeSet<String>,
    pub resources: BTreeSet<String>,
    pub regions: BTreeSet<String>,
    /// Something it grants is not bounded to a list of Regions.
    pub unbounded: bool,
    /// Inference profiles involved.
    pub profiles: BTreeSet<String>,
    /// Profile prefixes the policy does not allow.
    pub prefixes: BTreeSet<String>,
    /// Free notes (`global` is not an allowed profile prefix, …).
    pub notes: BTreeSet<String>,
}

/// Per granting statement, in statement order.
pub type ByStatement = BTreeMap<Origin, Gathered>;

/// Adds to the entry of every statement that grants `g`.
pub fn gather(by: &mut ByStatement, g: &InvocationGrant, mut add: impl FnMut(&mut Gathered)) {
    for o in &g.via {
        add(by.entry(o.clone()).or_default());
    }
}

/// `aws_iam_policy.invoke statement 0`.
pub fn statement_name(o: &Origin) -> String {
    format!("{} statement {}", o.policy, o.statement)
}

/// Sorted Region names, comma-separated; the Region-less global model
/// named as such.
pub fn region_list<'a>(regions: impl IntoIterator<Item = &'a String>) -> String {
    regions
        .into_iter()
        .map(|r| {
            if r == UNSPECIFIED {
                "unspecified (the Region-less global model)".to_string()
            } else {
                r.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Comma-separated.
pub fn list(items: &BTreeSet<String>) -> String {
    items.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// A finding about `r` at the statement `origin` (or the identity, when
/// the statement's place is not known), showing the statement, keyed by
/// the identity's reach so drift attaches.
pub fn finding(
    ctx: &RuleContext<'_>,
    rule: &Rule,
    r: &IdentityReach<'_>,
    origin: &Origin,
    message: String,
) -> Finding {
    let location = attachment_of_aws_managed(ctx, r, origin)
        .or(origin.location.as_ref())
        .unwrap_or(&r.identity.location);
    Finding::new(rule, &r.identity.address, location, message)
        .snippet(statement_snippet(ctx, r, origin))
        .grant(&reach_key(&r.identity.address))
}

/// An AWS managed policy is written nowhere in the input: the place that
/// attaches it to the identity stands for it.
fn attachment_of_aws_managed<'c>(
    ctx: &RuleContext<'c>,
    r: &IdentityReach<'_>,
    o: &Origin,
) -> Option<&'c Location> {
    ctx.inventory
        .policies
        .iter()
        .find(|p| p.address == o.policy && p.kind == PolicyKind::AwsManaged)?;
    ctx.inventory
        .attachments
        .iter()
        .find(|a| {
            a.identity.address() == Some(r.identity.address.as_str())
                && a.policy.display() == o.policy
        })
        .map(|a| &a.location)
}

/// The statement as written, pretty JSON; condition values hidden when
/// the policy is marked sensitive.
fn statement_snippet(ctx: &RuleContext<'_>, r: &IdentityReach<'_>, o: &Origin) -> Option<String> {
    // Both lists are sorted by address.
    let effective = ctx
        .effective
        .binary_search_by(|e| e.identity.address.as_str().cmp(&r.identity.address))
        .ok()
        .and_then(|i| ctx.effective.get(i))?;
    let statement = effective.statements.iter().find(|s| &s.origin == o)?;
    let sensitive = ctx
        .inventory
        .policies
        .binary_search_by(|p| p.address.as_str().cmp(&o.policy))
        .ok()
        .and_then(|i| ctx.inventory.policies.get(i))
        .is_some_and(|p| p.sensitive);
    super::snippet_of(&statement.statement, sensitive)
}
