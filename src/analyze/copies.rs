//! Copied trust: a cross-account grant whose content (principal, actions,
//! who is admitted, with the role's own name and address masked) equals, or
//! is a widened superset of, a grant on another role. Copies are grouped;
//! the oldest member (the one the baseline holds, else the first by address)
//! is the source.
//!
//! Near-linear: grants are grouped by their masked content in a hash map, and
//! a superset is only looked for among the distinct contents that share its
//! principal, never across all pairs of grants.

use crate::quickhash::QuickMap;
use std::borrow::Cow;

use super::admission::{Admitted, Span};
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
/// way compare equal: the address replaced, then `role/NAME"`. Borrowed when
/// there is nothing to mask (the usual case: a content seldom names its own
/// role); the name is looked up only when the text names a role.
fn masked<'t, 'n>(
    role: &str,
    content: &'t str,
    name: impl FnOnce() -> Option<&'n str>,
) -> Cow<'t, str> {
    let mut text = if content.contains(role) {
        Cow::Owned(content.replace(role, "${ROLE_ADDRESS}"))
    } else {
        Cow::Borrowed(content)
    };
    if text.contains("role/")
        && let Some(n) = name().filter(|n| n.len() >= 3)
        && names_role(&text, n)
    {
        text = Cow::Owned(text.replace(&format!("role/{n}\""), "role/${ROLE_NAME}\""));
    }
    text
}

/// The principal part of a grant's content text (which
/// [`super::drift::content_text`] writes last): the normalised principal as
/// a JSON string. Two grants' principals normalise alike exactly when these
/// texts are equal.
fn principal_text(content: &str) -> Option<&str> {
    content
        .strip_suffix('}')?
        .rsplit_once(",\"principal\":")
        .map(|(_, p)| p)
}

/// [`principal_text`] worked out from the grant.
fn principal_key(grant: &TrustGrant) -> String {
    serde_json::to_string(&grant.principal.normalized()).unwrap_or_default()
}

/// `items` (item, bucket) as lists per bucket, each in the order given:
/// `(offsets, flat)`, bucket `b` holding `flat[offsets[b]..offsets[b + 1]]`.
fn by_bucket(buckets: usize, items: &[(usize, usize)]) -> (Vec<usize>, Vec<usize>) {
    let mut offsets = vec![0usize; buckets + 1];
    for &(_, b) in items {
        if let Some(n) = offsets.get_mut(b + 1) {
            *n += 1;
        }
    }
    for b in 0..buckets {
        let before = offsets.get(b).copied().unwrap_or(0);
        if let Some(n) = offsets.get_mut(b + 1) {
            *n += before;
        }
    }
    let mut next = offsets.clone();
    let mut flat = vec![0usize; items.len()];
    for &(item, b) in items {
        if let Some(at) = next.get_mut(b) {
            if let Some(slot) = flat.get_mut(*at) {
                *slot = item;
            }
            *at += 1;
        }
    }
    (offsets, flat)
}

/// Bucket `b` of [`by_bucket`]'s lists.
fn bucket(lists: &(Vec<usize>, Vec<usize>), b: usize) -> &[usize] {
    let (offsets, flat) = lists;
    match (offsets.get(b), offsets.get(b + 1)) {
        (Some(&from), Some(&to)) => flat.get(from..to).unwrap_or(&[]),
        _ => &[],
    }
}

/// `text` holds `role/NAME"`.
fn names_role(text: &str, name: &str) -> bool {
    text.match_indices("role/").any(|(i, _)| {
        text.get(i + "role/".len()..)
            .and_then(|rest| rest.strip_prefix(name))
            .is_some_and(|rest| rest.starts_with('"'))
    })
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
    let mut names: Option<QuickMap<&str, Option<&str>>> = None;
    let mut name_of = |role: &str| -> Option<&str> {
        names
            .get_or_insert_with(|| {
                inventory
                    .roles
                    .iter()
                    .map(|r| (r.address.as_str(), r.name.as_deref()))
                    .collect()
            })
            .get(role)
            .copied()
            .flatten()
    };
    let in_baseline = |key: &str| baseline.is_some_and(|b| b.baseline.entries.contains_key(key));
    // Each crossing grant's group (one per masked content, in order of first
    // appearance), and each group's principal text.
    let mut placed: Vec<(usize, usize)> = Vec::new();
    let mut principals: Vec<Cow<'c, str>> = Vec::new();
    {
        let mut index: QuickMap<Cow<'c, str>, usize> = QuickMap::default();
        for (i, g) in grants.iter().enumerate().filter(|(i, g)| crosses(*i, g)) {
            let content = content_of(i, g);
            let key = match &content {
                Cow::Borrowed(c) => masked(&g.role, c.text(), || name_of(&g.role)),
                Cow::Owned(c) => {
                    Cow::Owned(masked(&g.role, c.text(), || name_of(&g.role)).into_owned())
                }
            };
            let next = principals.len();
            let at = *index.entry(key).or_insert(next);
            if at == next {
                principals.push(match content {
                    Cow::Borrowed(c) => principal_text(c.text())
                        .map(Cow::Borrowed)
                        .unwrap_or_else(|| Cow::Owned(principal_key(g))),
                    Cow::Owned(c) => Cow::Owned(
                        principal_text(c.text())
                            .map(str::to_string)
                            .unwrap_or_else(|| principal_key(g)),
                    ),
                });
            }
            placed.push((i, at));
        }
    }
    // Members per group, in address order (grants come sorted by key).
    let groups = by_bucket(principals.len(), &placed);
    drop(placed);
    let grant = |i: usize| grants.get(i);
    let source_of = |members: &[usize]| -> Option<String> {
        let members = || members.iter().filter_map(|&i| grant(i));
        members()
            .find(|g| in_baseline(&g.key))
            .or_else(|| members().min_by(|a, b| a.role.cmp(&b.role)))
            .map(|g| g.key.clone())
    };
    let mut out = Vec::new();
    // Per grant index: already found to be a copy.
    let mut copied: Vec<bool> = vec![false; grants.len()];
    let is_copied = |copied: &[bool], i: usize| copied.get(i).copied().unwrap_or(false);
    for at in 0..principals.len() {
        let members = bucket(&groups, at);
        let Some(first) = members.first().and_then(|&i| grant(i)) else {
            continue;
        };
        // Copies need two roles.
        if members
            .iter()
            .filter_map(|&i| grant(i))
            .all(|g| g.role == first.role)
        {
            continue;
        }
        let Some(source) = source_of(members) else {
            continue;
        };
        let source_role = members
            .iter()
            .filter_map(|&i| grant(i))
            .find(|g| g.key == source)
            .map(|g| g.role.as_str());
        for &i in members {
            let Some(g) = grant(i) else {
                continue;
            };
            if g.key == source || Some(g.role.as_str()) == source_role {
                continue;
            }
            if let Some(c) = copied.get_mut(i) {
                *c = true;
            }
            out.push(CopiedGrant {
                key: g.key.clone(),
                source: source.clone(),
                widened: false,
            });
        }
    }
    // Widened copies: a grant that admits everything a distinct content with
    // the same principal admits, and more. Groups share a principal bucket
    // when their first members' principals normalise alike; a member whose
    // principal differs from its group's first (possible only when masking
    // made two contents equal) finds its own.
    let mut bucket_index: QuickMap<&str, usize> = QuickMap::default();
    let mut bucket_of: Vec<(usize, usize)> = Vec::with_capacity(principals.len());
    for (at, p) in principals.iter().enumerate() {
        let next = bucket_index.len();
        let b = *bucket_index.entry(p.as_ref()).or_insert(next);
        bucket_of.push((at, b));
    }
    let buckets = by_bucket(bucket_index.len(), &bucket_of);
    // Per bucket, built the first time a member asks: which groups a grant
    // could possibly cover, so that thousands of distinct grants of one
    // principal are not each compared with all the others.
    let mut narrowing: QuickMap<usize, Narrowing<'_>> = QuickMap::default();
    for &(at, own_bucket) in &bucket_of {
        let members = bucket(&groups, at);
        let Some(first) = members.first().and_then(|&i| grant(i)) else {
            continue;
        };
        for &i in members {
            let Some(g) = grant(i) else {
                continue;
            };
            if is_copied(&copied, i) {
                continue;
            }
            let b = if g.principal == first.principal {
                own_bucket
            } else {
                match bucket_index.get(principal_key(g).as_str()) {
                    Some(&b) => b,
                    None => continue,
                }
            };
            let all = bucket(&buckets, b);
            // A few groups are compared outright: the lookup costs more.
            let narrowed = (all.len() > NARROW_FROM)
                .then(|| {
                    narrowing
                        .entry(b)
                        .or_insert_with(|| {
                            Narrowing::of(all, |o| {
                                bucket(&groups, o).first().and_then(|&k| grant(k))
                            })
                        })
                        .candidates(g)
                })
                .flatten();
            let candidates = narrowed.as_deref().unwrap_or(all);
            for &other in candidates.iter().filter(|o| **o != at) {
                let sources = bucket(&groups, other);
                let Some(first) = sources.first().and_then(|&k| grant(k)) else {
                    continue;
                };
                if sources
                    .iter()
                    .all(|&k| grant(k).is_none_or(|s| s.role == g.role) || is_copied(&copied, k))
                {
                    continue;
                }
                if first.actions.is_subset(&g.actions) && admits_cover(&g.admits, &first.admits) {
                    if let Some(source) = source_of(sources) {
                        if let Some(c) = copied.get_mut(i) {
                            *c = true;
                        }
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

/// Which kind of caller an admission is of.
type Kind = std::mem::Discriminant<Admitted>;

/// Groups of one principal from which a grant looks up the few it could
/// cover rather than trying them all. The unit tests look up from any
/// number, so that their small generated inputs hold the lookup to the
/// reference.
#[cfg(not(test))]
const NARROW_FROM: usize = 32;
#[cfg(test)]
const NARROW_FROM: usize = 0;

/// The groups of one principal bucket indexed by what their first grant
/// admits, to find the few a grant could cover. A grant of one admission
/// whose span on some axis is `Only` covers an admission of its kind only
/// where that axis is `Only` too, each value matched by one of its
/// patterns, and a value a pattern matches starts with the pattern's text
/// before its first wildcard or policy variable. So each group is filed
/// under the least value its single admission lists on each axis (or as
/// open on an axis that lists none), and a grant looks up, on its most
/// selective axis, the groups filed under what its patterns start with.
/// Groups of several admissions, or admitting nobody, are candidates for
/// every grant.
struct Narrowing<'g> {
    /// Each group's place in the bucket: candidates keep the bucket's order.
    rank: QuickMap<usize, usize>,
    /// Groups that are always candidates.
    always: Vec<usize>,
    /// (kind, axis) → least listed value → groups.
    listed: QuickMap<(Kind, &'static str), std::collections::BTreeMap<&'g str, Vec<usize>>>,
    /// (kind, axis) → groups listing nothing on that axis.
    open: QuickMap<(Kind, &'static str), Vec<usize>>,
}

impl<'g> Narrowing<'g> {
    fn of(bucket: &[usize], first: impl Fn(usize) -> Option<&'g TrustGrant>) -> Self {
        let mut n = Narrowing {
            rank: QuickMap::default(),
            always: Vec::new(),
            listed: QuickMap::default(),
            open: QuickMap::default(),
        };
        for (rank, &o) in bucket.iter().enumerate() {
            n.rank.insert(o, rank);
            let admitted = match first(o).map(|f| f.admits.as_slice()) {
                Some([one]) if !matches!(one, Admitted::Nobody { .. }) => one,
                // No first grant: never a candidate, whatever the list says.
                None => continue,
                Some(_) => {
                    n.always.push(o);
                    continue;
                }
            };
            let kind = std::mem::discriminant(admitted);
            for (axis, span) in admitted.named_spans() {
                match span {
                    Span::Only(values) => match values.first() {
                        Some(least) => n
                            .listed
                            .entry((kind, axis))
                            .or_default()
                            .entry(least.as_str())
                            .or_default()
                            .push(o),
                        None => n.open.entry((kind, axis)).or_default().push(o),
                    },
                    // A list of patterns never covers these.
                    Span::Any | Span::Except(_) | Span::Unresolved(_) => {}
                }
            }
        }
        n
    }

    /// The groups `g` could cover, in bucket order; `None` when nothing
    /// narrows them (then every group of the bucket is one).
    fn candidates(&self, g: &TrustGrant) -> Option<Vec<usize>> {
        let [admitted] = g.admits.as_slice() else {
            return None;
        };
        let kind = std::mem::discriminant(admitted);
        let narrowest = admitted
            .named_spans()
            .into_iter()
            .filter_map(|(axis, span)| {
                let Span::Only(patterns) = span else {
                    return None;
                };
                let filed = self.listed.get(&(kind, axis));
                let mut found: Vec<&Vec<usize>> = Vec::new();
                for p in patterns {
                    let start = literal_start(p);
                    // A pattern that starts with a wildcard narrows nothing.
                    if start.is_empty() {
                        return None;
                    }
                    if let Some(filed) = filed {
                        found.extend(
                            filed
                                .range::<str, _>((
                                    std::ops::Bound::Included(start),
                                    std::ops::Bound::Unbounded,
                                ))
                                .take_while(|(v, _)| v.starts_with(start))
                                .map(|(_, groups)| groups),
                        );
                    }
                }
                found.extend(self.open.get(&(kind, axis)));
                Some(found)
            })
            .min_by_key(|found| found.iter().map(|l| l.len()).sum::<usize>())?;
        let mut out: Vec<usize> = narrowest
            .into_iter()
            .flatten()
            .chain(&self.always)
            .copied()
            .collect();
        out.sort_by_key(|o| self.rank.get(o).copied().unwrap_or(usize::MAX));
        out.dedup();
        Some(out)
    }
}

/// A canonical pattern's text before its first `*`, `?` or `${`: every
/// value it matches starts with it (see [`super::admission::pattern_matches`]).
fn literal_start(pattern: &str) -> &str {
    let end = pattern
        .find(['*', '?'])
        .into_iter()
        .chain(pattern.find("${"))
        .min()
        .unwrap_or(pattern.len());
    &pattern[..end]
}

/// Every admission of `narrow` is covered by one of `wide`.
fn admits_cover(wide: &[Admitted], narrow: &[Admitted]) -> bool {
    narrow.iter().all(|n| wide.iter().any(|w| covers(w, n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quickhash::QuickSet;

    /// The grouping as first written, one pass per step: what [`find`] must
    /// still answer.
    fn reference(
        grants: &[TrustGrant],
        inventory: &Inventory,
        baseline: Option<&Loaded>,
    ) -> Vec<CopiedGrant> {
        fn masked(grant: &TrustGrant, content: &str, name: Option<&str>) -> String {
            let mut text = content.replace(&grant.role, "${ROLE_ADDRESS}");
            if let Some(n) = name.filter(|n| n.len() >= 3) {
                text = text.replace(&format!("role/{n}\""), "role/${ROLE_NAME}\"");
            }
            text
        }
        let names: QuickMap<&str, Option<&str>> = inventory
            .roles
            .iter()
            .map(|r| (r.address.as_str(), r.name.as_deref()))
            .collect();
        let in_baseline =
            |key: &str| baseline.is_some_and(|b| b.baseline.entries.contains_key(key));
        let mut groups: QuickMap<String, Vec<&TrustGrant>> = QuickMap::default();
        let mut order: Vec<String> = Vec::new();
        for g in grants.iter().filter(|g| g.cross_account == Some(true)) {
            let m = masked(
                g,
                super::super::drift::content_text(g).text(),
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
            let members = &groups[m];
            let roles: std::collections::BTreeSet<&str> =
                members.iter().map(|g| g.role.as_str()).collect();
            if roles.len() < 2 {
                continue;
            }
            let source = source_of(members).expect("a member");
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
        let mut by_principal: QuickMap<String, Vec<&String>> = QuickMap::default();
        for m in &order {
            by_principal
                .entry(groups[m][0].principal.normalized())
                .or_default()
                .push(m);
        }
        for m in &order {
            for g in &groups[m] {
                if copied.contains(g.key.as_str()) {
                    continue;
                }
                let Some(candidates) = by_principal.get(&g.principal.normalized()) else {
                    continue;
                };
                for other in candidates.iter().filter(|o| **o != m) {
                    let sources = &groups[*other];
                    let first = sources[0];
                    if sources
                        .iter()
                        .all(|s| s.role == g.role || copied.contains(s.key.as_str()))
                    {
                        continue;
                    }
                    if first.actions.is_subset(&g.actions) && admits_cover(&g.admits, &first.admits)
                    {
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

    /// A plan of `n` roles drawn from a few vendors, conditions, actions and
    /// names (some roles trust a role named as themselves), from `seed`.
    fn plan(n: usize, seed: u64) -> Vec<u8> {
        let mut state = seed | 1;
        let mut pick = |k: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % k
        };
        let mut rcs = Vec::new();
        for i in 0..n {
            let name = format!("role-{}", pick(4));
            let principal = match pick(5) {
                0 => "\"arn:aws:iam::999988887777:root\"".to_string(),
                1 => "\"999988887777\"".to_string(),
                2 => format!("\"arn:aws:iam::999988887777:role/{name}\""),
                3 => "\"arn:aws:iam::999988887777:role/role-1\"".to_string(),
                _ => "[\"arn:aws:iam::999988887777:root\",\"arn:aws:iam::888877776666:root\"]"
                    .to_string(),
            };
            let action = match pick(3) {
                0 => "\"sts:AssumeRole\"",
                1 => "[\"sts:AssumeRole\",\"sts:TagSession\"]",
                _ => "\"sts:*\"",
            };
            let condition = match pick(7) {
                0 => String::new(),
                4 => ",\"Condition\":{\"StringLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::999988887777:role/role-*\"}}"
                    .to_string(),
                5 => format!(
                    ",\"Condition\":{{\"StringEquals\":{{\"aws:PrincipalArn\":[\"arn:aws:iam::999988887777:role/role-{}\",\"arn:aws:iam::999988887777:role/role-2\"]}}}}",
                    pick(2)
                ),
                6 => ",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":[]}}".to_string(),
                1 => ",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"a\"}}".to_string(),
                2 => ",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":[\"a\",\"b\"]}}"
                    .to_string(),
                _ => format!(
                    ",\"Condition\":{{\"StringEquals\":{{\"sts:ExternalId\":\"x{}\"}}}}",
                    pick(2)
                ),
            };
            let policy = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":{principal}}},"Action":{action}{condition}}}]}}"#
            );
            rcs.push(serde_json::json!({
                "address": format!("aws_iam_role.r[{}]", pick(n as u64 + 3)),
                "mode": "managed", "type": "aws_iam_role", "name": "r",
                "change": {"actions": ["create"], "before": null,
                "after": {"name": if pick(6) == 0 { format!("r-{i}") } else { name },
                    "assume_role_policy": policy}, "after_unknown": {}}
            }));
        }
        serde_json::to_vec(&serde_json::json!({"format_version": "1.2", "resource_changes": rcs}))
            .expect("plan")
    }

    #[test]
    fn finds_what_the_first_grouping_found() {
        let policy = crate::config::Policy::parse(
            "p.hcl",
            "organization {\n  accounts = [\"111111111111\"]\n}\n",
            &crate::rules::registry::codes(),
        )
        .expect("policy");
        let mut seen = 0;
        for seed in 1..60u64 {
            let bytes = plan(3 + (seed as usize % 40), seed * 7919);
            let Ok(ingested) = crate::ingest::plan::parse("p.json", &bytes) else {
                continue;
            };
            let scan = crate::scan_ingested(ingested);
            let grants = crate::grants_of(&scan, &policy);
            let crosses = |g: &TrustGrant| g.cross_account == Some(true);
            let found = find(&grants, &scan.inventory, None, crosses);
            assert_eq!(
                found,
                reference(&grants, &scan.inventory, None),
                "seed {seed}"
            );
            let contents: Vec<Content> = grants
                .iter()
                .map(super::super::drift::content_text)
                .collect();
            let among = find_among(&grants, &contents, &scan.inventory, None, |_, g| crosses(g));
            assert_eq!(among, found, "seed {seed}");
            seen += found.len();
        }
        assert!(seen > 50, "{seen}");
    }
}
