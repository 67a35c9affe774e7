//! What each identity may do: its effective identity-policy statements (its
//! inline and attached policies, and for a user its groups'), its
//! permission boundary, and what could not be read; and from those, its
//! Bedrock reach.

use std::collections::{BTreeMap, HashMap};

use super::bedrock::{BedrockReach, ReachInput, SourcedStatement, bedrock_reach};
use crate::ingest::permissions::unreadable_may_grant;
use crate::model::inventory::{Identity, Inventory, Policy, PolicyRef};

/// One identity's effective permissions.
#[derive(Debug, Clone)]
pub struct Effective<'a> {
    pub identity: &'a Identity,
    /// Every statement of every policy that applies, with its origin.
    pub statements: Vec<SourcedStatement>,
    /// The boundary's statements, when a boundary is set and readable.
    pub boundary: Option<Vec<SourcedStatement>>,
    /// Policies (or a boundary) that apply but could not be read, each said
    /// as a reviewer reads it.
    pub unresolved: Vec<String>,
    /// Addresses of the policies that apply, sorted.
    pub policies: Vec<String>,
}

/// One identity's Bedrock reach, with the policies it comes from.
#[derive(Debug, Clone)]
pub struct IdentityReach<'a> {
    pub identity: &'a Identity,
    pub reach: BedrockReach,
    /// Addresses of the policies that grant some of it, sorted.
    pub via: Vec<String>,
}

/// Every identity's effective permissions, in identity order.
pub fn effective(inventory: &Inventory) -> Vec<Effective<'_>> {
    let policies: HashMap<&str, &Policy> = inventory
        .policies
        .iter()
        .map(|p| (p.address.as_str(), p))
        .collect();
    let mut attached: BTreeMap<&str, Vec<&PolicyRef>> = BTreeMap::new();
    for a in &inventory.attachments {
        if let Some(identity) = a.identity.address() {
            attached.entry(identity).or_default().push(&a.policy);
        }
    }
    // A user holds the policies of its groups.
    let mut from_groups: BTreeMap<&str, Vec<&PolicyRef>> = BTreeMap::new();
    for m in &inventory.memberships {
        if let (Some(user), Some(group)) = (m.user.address(), m.group.address()) {
            from_groups
                .entry(user)
                .or_default()
                .extend(attached.get(group).into_iter().flatten().copied());
        }
    }
    for (user, policies) in from_groups {
        attached.entry(user).or_default().extend(policies);
    }
    inventory
        .identities
        .iter()
        .map(|identity| {
            let mut e = Effective {
                identity,
                statements: Vec::new(),
                boundary: None,
                unresolved: Vec::new(),
                policies: Vec::new(),
            };
            for r in attached
                .get(identity.address.as_str())
                .into_iter()
                .flatten()
            {
                match r.address().and_then(|a| policies.get(a)) {
                    Some(p) => {
                        e.policies.push(p.address.clone());
                        match SourcedStatement::from_policy(p) {
                            Ok(s) => e.statements.extend(s),
                            Err(why) => e.unresolved.push(why),
                        }
                    }
                    None if unreadable_may_grant(r) => e
                        .unresolved
                        .push(format!("attached policy {} cannot be read", r.display())),
                    None => {}
                }
            }
            if let Some(b) = &identity.boundary {
                match b.address().and_then(|a| policies.get(a)) {
                    Some(p) => match SourcedStatement::from_policy(p) {
                        Ok(s) => e.boundary = Some(s),
                        Err(why) => e.unresolved.push(format!("permission boundary: {why}")),
                    },
                    // A boundary that cannot be read only narrows: judging
                    // without it is the upper bound, so it is said, not
                    // assumed away.
                    None => e.unresolved.push(format!(
                        "permission boundary {} cannot be read (judged as if absent)",
                        b.display()
                    )),
                }
            }
            e.policies.sort();
            e.policies.dedup();
            e.unresolved.sort();
            e.unresolved.dedup();
            e
        })
        .collect()
}

/// Every identity's Bedrock reach, in identity order. Identities that reach
/// nothing and have nothing that cannot be verified are left out.
pub fn reaches<'a>(effective: &[Effective<'a>]) -> Vec<IdentityReach<'a>> {
    effective
        .iter()
        .filter(|e| !e.identity.change.is_some_and(|c| c.removes()))
        .filter_map(|e| {
            let reach = bedrock_reach(&ReachInput {
                statements: &e.statements,
                boundary: e.boundary.as_deref(),
                own_account: e.identity.account.as_deref(),
                unresolved: e.unresolved.clone(),
            });
            if reach.grants.is_empty()
                && reach.wildcard_actions.is_empty()
                && reach.unverifiable.is_empty()
            {
                return None;
            }
            let mut via: Vec<String> = reach
                .grants
                .iter()
                .flat_map(|g| g.via.iter().map(|o| o.policy.clone()))
                .collect();
            via.sort();
            via.dedup();
            Some(IdentityReach {
                identity: e.identity,
                reach,
                via,
            })
        })
        .collect()
}
