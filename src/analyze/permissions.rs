//! What each identity may do: its effective identity-policy statements (its
//! inline and attached policies, and for a user its groups'), its
//! permission boundary, and what could not be read; and from those, its
//! Bedrock reach.

use std::collections::{BTreeMap, HashMap};

use super::bedrock::{BedrockReach, ReachInput, SourcedStatement, bedrock_reach};
use crate::ingest::permissions::unreadable_may_grant;
use crate::model::inventory::{Identity, Inventory, Policy, PolicyRef};
use crate::model::policy::{Effect, Statement, wildcard_match};
use crate::model::value::unknown_refs;

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

/// One way an identity is allowed an action: on which resource pattern,
/// through which statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ActionAllowed {
    /// The action asked about (`iam:UpdateAssumeRolePolicy`).
    pub action: String,
    /// The `Resource` entry as written (`*` for a `NotResource` statement).
    pub resource: String,
    pub origin: super::bedrock::Origin,
}

/// Where the identity's effective statements allow `action`: each Allow
/// statement whose `Action` (or `NotAction`) covers it, per resource entry,
/// less what an unconditional Deny certainly takes, within the boundary
/// when one is set. Conditions on an Allow do not narrow it: the result is
/// an upper bound, sorted.
pub fn allowed(e: &Effective<'_>, action: &str) -> Vec<ActionAllowed> {
    let mut out = allowed_by(&e.statements, action);
    if let Some(boundary) = &e.boundary {
        let permits = allowed_by(boundary, action);
        out = out
            .into_iter()
            .filter_map(|mut a| {
                if permits
                    .iter()
                    .any(|b| wildcard_match(&b.resource, &a.resource, false))
                {
                    return Some(a);
                }
                // The boundary permits only part of the pattern: that part.
                let narrower = permits
                    .iter()
                    .find(|b| wildcard_match(&a.resource, &b.resource, false))?;
                a.resource = narrower.resource.clone();
                Some(a)
            })
            .collect();
    }
    out.sort();
    out.dedup();
    out
}

fn allowed_by(statements: &[SourcedStatement], action: &str) -> Vec<ActionAllowed> {
    let covers = |s: &Statement| {
        if s.not_actions.is_empty() {
            s.actions.iter().any(|p| wildcard_match(p, action, true))
        } else {
            !s.not_actions
                .iter()
                .any(|p| wildcard_match(p, action, true))
        }
    };
    // A Deny with conditions holds only for some requests: it takes nothing
    // for certain.
    let denies: Vec<&Statement> = statements
        .iter()
        .map(|s| &s.statement)
        .filter(|s| s.effect == Effect::Deny && covers(s) && s.conditions.is_empty())
        .collect();
    let denied = |resource: &str| {
        denies.iter().any(|d| {
            if d.not_resources.is_empty() {
                d.resources
                    .iter()
                    .any(|p| wildcard_match(p, resource, false))
            } else {
                !d.not_resources.iter().any(|p| {
                    wildcard_match(p, resource, false) || wildcard_match(resource, p, false)
                })
            }
        })
    };
    let mut out = Vec::new();
    for s in statements
        .iter()
        .filter(|s| s.statement.effect == Effect::Allow && covers(&s.statement))
    {
        let st = &s.statement;
        let resources: Vec<&str> = if st.not_resources.is_empty() {
            st.resources.iter().map(String::as_str).collect()
        } else if st.not_resources.iter().any(|r| r == "*") {
            Vec::new()
        } else {
            vec!["*"]
        };
        for r in resources.into_iter().filter(|r| !denied(r)) {
            out.push(ActionAllowed {
                action: action.to_string(),
                resource: r.to_string(),
                origin: s.origin.clone(),
            });
        }
    }
    out
}

/// A resource pattern that covers every role of an account (`*`,
/// `arn:aws:iam::*:role/*`, `arn:aws:iam::123456789012:role/*`): any role,
/// including the ones that carry cross-account trust.
pub fn covers_every_role(resource: &str) -> bool {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    let (partition, account) = match parts.as_slice() {
        ["arn", partition, _, _, account, _] => (*partition, *account),
        _ => ("aws", "123456789012"),
    };
    let partition = if partition.contains(['*', '?']) {
        "aws"
    } else {
        partition
    };
    let account = if crate::model::arn::is_account_id(account) {
        account
    } else {
        "123456789012"
    };
    ["role/trustdrift-probe", "role/a/b"].iter().all(|r| {
        wildcard_match(
            resource,
            &format!("arn:{partition}:iam::{account}:{r}"),
            false,
        )
    })
}

/// Does a resource pattern name role `address` (its ARN by reference, or a
/// role ARN whose name and account match)?
pub fn names_role(
    resource: &str,
    address: &str,
    name: Option<&str>,
    account: Option<&str>,
) -> bool {
    if unknown_refs(resource).iter().any(|r| {
        r.strip_prefix(address)
            .is_some_and(|rest| rest.starts_with('.'))
    }) {
        return true;
    }
    let Some(name) = name.filter(|n| unknown_refs(n).is_empty()) else {
        return false;
    };
    let Some(arn) = crate::model::arn::Arn::parse(resource) else {
        return false;
    };
    let account = account.unwrap_or(arn.account);
    let target = format!("arn:{}:iam::{account}:role/{name}", arn.partition);
    wildcard_match(resource, &target, false)
        || arn
            .resource
            .strip_prefix("role/")
            .and_then(|r| r.rsplit('/').next())
            .is_some_and(|last| last == name && (arn.account == account))
}
