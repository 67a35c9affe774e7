//! Copied trust: a cross-account grant whose content (principal, actions,
//! who is admitted, with the role's own name and address masked) equals, or
//! is a widened superset of, a grant on another role. Copies are grouped;
//! the oldest member (the one the baseline holds, else the first by address)
//! is the source.
//!
//! Near-linear: grants are grouped by their masked content in a hash map, and
//! a superset is only looked for among the distinct contents that share its
//! principal, never across all pairs of grants.

use crate::quickhash::{QuickMap, QuickSet};
use std::borrow::Cow;

use super::admission::Admitted;
use super::drift::covers;
use super::trust::TrustGrant;
use crate::baseline::{Content, Loaded};
use crate::model::inventory::Inventory;

/// One copy and where it was copied from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedGrant {
    /// The copy's grant key.
    pub key: String,
    /// The source's grant key.
    pub source: String,
    /// The copy admits more than the source (a condition dropped too).
    pub widened: bool,
}

/// A grant's content (its canonical text) with its own role's name and
/// address masked, so that two roles trusting the same principal the same
/// way compare equal.
fn masked(grant: &TrustGrant, content: &str, name: Option<&str>) -> String {
    let mut text = content.replace(&grant.role, "${ROLE_ADDRESS}");
    if let Some(n) = name.filter(|n| n.len() >= 3) {
        text = text.replace(&format!("role/{n}\""), "role/${ROLE_NAME}\"");
    }
    text
}

/// Every copy among `grants` (only cross-account grants are considered: a
/// service or same-account trust repeated on many roles is the norm).
pub fn find(
    grants: &[TrustGrant],
    inventory: &Inventory,
    baseline: Option<&Loaded>,
    crosses: impl Fn(&TrustGrant) -> bool,
) -> Vec<CopiedGrant> {
    find_by(
        grants,
        |_, g| Cow::Owned(super::drift::content_text(g)),
        inventory,
        baseline,
        |_, g| crosses(g),
    )
}

/// [`find`], with each grant's content already worked out (`contents[i]` is
/// that of `grants[i]`); `crosses(i, grant)` for `grants[i]`.
pub fn find_among(
    grants: &[TrustGrant],
    contents: &[Content],
    inventory: &Inventory,
    baseline: Option<&Loaded>,
    crosses: impl Fn(usize, &TrustGrant) -> bool,
) -> Vec<CopiedGrant> {
    find_by(
        grants,
        |i, g| match contents.get(i) {
            Some(c) => Cow::Borrowed(c),
            None => Cow::Owned(super::drift::content_text(g)),
        },
        inventory,
        baseline,
        crosses,
    )
}

fn find_by<'c>(
    grants: &[TrustGrant],
    content_of: impl Fn(usize, &TrustGrant) -> Cow<'c, Content>,
    inventory: &Inventory,
    baseline: Option<&Loaded>,
    crosses: impl Fn(usize, &TrustGrant) -> bool,
) -> Vec<CopiedGrant> {
    let names: QuickMap<&str, Option<&str>> = inventory
        .roles
        .iter()
        .map(|r| (r.address.as_str(), r.name.as_deref()))
        .collect();
    let in_baseline = |key: &str| baseline.is_some_and(|b| b.baseline.entries.contains_key(key));
    // Masked content → members, in address order (grants come sorted by key).
    let mut groups: QuickMap<String, Vec<&TrustGrant>> = QuickMap::default();
    let mut order: Vec<String> = Vec::new();
    for (i, g) in grants.iter().enumerate().filter(|(i, g)| crosses(*i, g)) {
        let m = masked(
            g,
            content_of(i, g).text(),
            names.get(g.role.as_str()).copied().flatten(),
        );
        if let Some(members) = groups.get_mut(m.as_str()) {
            members.push(g);
        } else {
            order.push(m.clone());
            groups.insert(m, vec![g]);
        }
    }
    let source_of = |members: &[&TrustGrant]| -> Option<String> {
        members
            .iter()
            .find(|g| in_baseline(&g.key))
            .or_else(|| members.iter().min_by(|a, b| a.role.cmp(&b.role)))
            .map(|g| g.key.clone())
    };
    let mut out = Vec::new();
    let mut copied: QuickSet<&str> = QuickSet::default();
    for m in &order {
        let Some(members) = groups.get(m) else {
            continue;
        };
        let roles: std::collections::BTreeSet<&str> =
            members.iter().map(|g| g.role.as_str()).collect();
        if roles.len() < 2 {
            continue;
        }
        let Some(source) = source_of(members) else {
            continue;
        };
        let source_role = members
            .iter()
            .find(|g| g.key == source)
            .map(|g| g.role.as_str());
        for g in members {
            if g.key == source || Some(g.role.as_str()) == source_role {
                continue;
            }
            copied.insert(g.key.as_str());
            out.push(CopiedGrant {
                key: g.key.clone(),
                source: source.clone(),
                widened: false,
            });
        }
    }
    // Widened copies: a grant that admits everything a distinct content with
    // the same principal admits, and more.
    let mut by_principal: QuickMap<String, Vec<&String>> = QuickMap::default();
    for m in &order {
        if let Some(first) = groups.get(m).and_then(|v| v.first()) {
            by_principal
                .entry(first.principal.normalized())
                .or_default()
                .push(m);
        }
    }
    for m in &order {
        let Some(members) = groups.get(m) else {
            continue;
        };
        for g in members {
            if copied.contains(g.key.as_str()) {
                continue;
            }
            let Some(candidates) = by_principal.get(&g.principal.normalized()) else {
                continue;
            };
            for other in candidates.iter().filter(|o| **o != m) {
                let Some(sources) = groups.get(*other) else {
                    continue;
                };
                let Some(first) = sources.first() else {
                    continue;
                };
                if sources
                    .iter()
                    .all(|s| s.role == g.role || copied.contains(s.key.as_str()))
                {
                    continue;
                }
                if first.actions.is_subset(&g.actions) && admits_cover(&g.admits, &first.admits) {
                    if let Some(source) = source_of(sources) {
                        copied.insert(g.key.as_str());
                        out.push(CopiedGrant {
                            key: g.key.clone(),
                            source,
                            widened: true,
                        });
                        break;
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// Every admission of `narrow` is covered by one of `wide`.
fn admits_cover(wide: &[Admitted], narrow: &[Admitted]) -> bool {
    narrow.iter().all(|n| wide.iter().any(|w| covers(w, n)))
}
