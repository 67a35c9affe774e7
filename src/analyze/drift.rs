//! Drift: what a change does to the trust boundary, as a set comparison on
//! the normalised grants (who is admitted), never a text diff.
//!
//! A grant is `added` (its key is new), `removed` (its key is gone),
//! `unchanged` (same content), or changed; a changed grant is `widened` when
//! the after admits something the before did not (an action added, an axis
//! of [`Admitted`] that grew: accounts, identities, a narrowing condition
//! dropped or loosened, `…IfExists` added), else `narrowed`. A grant that
//! both grew and shrank is widened: the growth is what a reviewer must see.
//! Renamed roles (a plan's `previous_address`, a `moved` block) keep their
//! history: the before's key is read under the new address.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as J, json};

use super::admission::{Admitted, Span, pattern_matches};
use super::trust::TrustGrant;
use crate::baseline::{Content, Entry, EntryKind};

/// How a grant changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DriftClass {
    Added,
    Widened,
    Narrowed,
    Removed,
    Unchanged,
}

impl DriftClass {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftClass::Added => "added",
            DriftClass::Widened => "widened",
            DriftClass::Narrowed => "narrowed",
            DriftClass::Removed => "removed",
            DriftClass::Unchanged => "unchanged",
        }
    }
}

/// One grant's drift.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantDrift {
    /// The key after the change (the before's key for a removed grant).
    pub key: String,
    pub class: DriftClass,
    /// What grew (widened) or shrank (narrowed), in a reviewer's words.
    pub reasons: Vec<String>,
    /// The key in the before, when the role was renamed.
    pub renamed_from: Option<String>,
    /// The entries on each side; `None` for an unchanged grant.
    pub before: Option<Entry>,
    pub after: Option<Entry>,
}

/// The drift of every grant, by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Drift {
    pub grants: BTreeMap<String, GrantDrift>,
}

impl Drift {
    pub fn class_of(&self, key: &str) -> Option<DriftClass> {
        self.grants.get(key).map(|g| g.class)
    }

    /// Each grant's drift, by index: one walk over both when the grants
    /// come in key order (as [`crate::analyze::trust::grants`] gives
    /// them), a look-up for any that does not.
    pub fn of_grants(&self, grants: &[TrustGrant]) -> Vec<Option<&GrantDrift>> {
        let mut walk = self.grants.iter().peekable();
        let mut last: Option<&str> = None;
        grants
            .iter()
            .map(|g| {
                let key = g.key.as_str();
                if last.is_some_and(|l| l > key) {
                    return self.grants.get(key);
                }
                last = Some(key);
                while walk.next_if(|(k, _)| k.as_str() < key).is_some() {}
                walk.peek()
                    .filter(|(k, _)| k.as_str() == key)
                    .map(|(_, d)| *d)
            })
            .collect()
    }

    pub fn of_class(&self, class: DriftClass) -> impl Iterator<Item = &GrantDrift> {
        self.grants.values().filter(move |g| g.class == class)
    }
}

/// The normalised content of a grant: who is admitted, through which
/// principal, for which actions. The role's address is in the key, not
/// here; owner and expiry are metadata, not trust.
pub fn content(grant: &TrustGrant) -> J {
    json!({
        "principal": grant.principal.normalized(),
        "actions": grant.actions,
        "admits": grant.admits,
    })
}

/// [`content`] as canonical text, written directly: the same text as
/// `serde_json::to_string(&content(grant))`, without the tree.
pub fn content_text(grant: &TrustGrant) -> Content {
    let mut out = Vec::with_capacity(384);
    out.extend_from_slice(b"{\"actions\":[");
    for (i, a) in grant.actions.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        text(&mut out, a);
    }
    out.extend_from_slice(b"],\"admits\":[");
    for (i, a) in grant.admits.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        admitted_text(&mut out, a);
    }
    out.extend_from_slice(b"],\"principal\":");
    text(&mut out, &grant.principal.normalized());
    out.push(b'}');
    // Only strings escaped by serde_json and ASCII were written.
    Content::from_canonical(String::from_utf8(out).unwrap_or_default())
}

/// `s` as a JSON string, escaped as serde_json escapes it.
fn text(out: &mut Vec<u8>, s: &str) {
    // Writing to memory cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// An [`Admitted`] as canonical JSON: its serde form, keys sorted.
fn admitted_text(out: &mut Vec<u8>, a: &Admitted) {
    fn key(out: &mut Vec<u8>, first: bool, k: &str) {
        if !first {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b"\":");
    }
    fn caller(out: &mut Vec<u8>, first: bool, c: &str) {
        key(out, first, "caller");
        text(out, c);
    }
    fn other(out: &mut Vec<u8>, m: &BTreeMap<String, Span>) {
        key(out, false, "other");
        out.push(b'{');
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            text(out, k);
            out.push(b':');
            span_text(out, v);
        }
        out.push(b'}');
    }
    fn span(out: &mut Vec<u8>, first: bool, k: &str, v: &Span) {
        key(out, first, k);
        span_text(out, v);
    }
    out.push(b'{');
    match a {
        Admitted::Nobody { why } => {
            caller(out, true, "nobody");
            key(out, false, "why");
            text(out, why);
        }
        Admitted::Aws {
            accounts,
            organizations,
            org_paths,
            identities,
            external_id,
            mfa,
            other: o,
        } => {
            span(out, true, "accounts", accounts);
            caller(out, false, "aws");
            span(out, false, "external_id", external_id);
            span(out, false, "identities", identities);
            key(out, false, "mfa");
            out.extend_from_slice(if *mfa { b"true" } else { b"false" });
            span(out, false, "org_paths", org_paths);
            span(out, false, "organizations", organizations);
            other(out, o);
        }
        Admitted::Service {
            service,
            source_accounts,
            source_arns,
            source_orgs,
            other: o,
        } => {
            caller(out, true, "service");
            other(out, o);
            key(out, false, "service");
            text(out, service);
            span(out, false, "source_accounts", source_accounts);
            span(out, false, "source_arns", source_arns);
            span(out, false, "source_orgs", source_orgs);
        }
        Admitted::WebIdentity {
            issuer,
            subjects,
            audiences,
            other: o,
        } => {
            span(out, true, "audiences", audiences);
            caller(out, false, "web_identity");
            key(out, false, "issuer");
            text(out, issuer);
            other(out, o);
            span(out, false, "subjects", subjects);
        }
        Admitted::Saml {
            provider,
            audiences,
            other: o,
        } => {
            span(out, true, "audiences", audiences);
            caller(out, false, "saml");
            other(out, o);
            key(out, false, "provider");
            text(out, provider);
        }
    }
    out.push(b'}');
}

/// A [`Span`] as canonical JSON: `{"span":"only","values":[…]}`.
fn span_text(out: &mut Vec<u8>, s: &Span) {
    let (name, values) = match s {
        Span::Any => ("any", None),
        Span::Only(v) => ("only", Some(v)),
        Span::Except(v) => ("except", Some(v)),
        Span::Unresolved(v) => ("unresolved", Some(v)),
    };
    out.extend_from_slice(b"{\"span\":\"");
    out.extend_from_slice(name.as_bytes());
    out.push(b'"');
    if let Some(values) = values {
        out.extend_from_slice(b",\"values\":[");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            text(out, v);
        }
        out.push(b']');
    }
    out.push(b'}');
}

/// A grant as a baseline entry.
pub fn entry(grant: &TrustGrant) -> Entry {
    entry_of(grant, content_text(grant))
}

/// A grant as a baseline entry, its content already worked out.
pub fn entry_of(grant: &TrustGrant, content: Content) -> Entry {
    Entry::of_content(
        grant.key.clone(),
        EntryKind::Trust,
        grant.role.clone(),
        content,
    )
}

/// The baseline key of an identity's Bedrock reach.
pub fn reach_key(identity: &str) -> String {
    format!("{identity}|bedrock")
}

/// An identity's Bedrock reach as a baseline entry; `None` when it reaches
/// nothing.
pub fn reach_entry(r: &crate::analyze::permissions::IdentityReach<'_>) -> Option<Entry> {
    let summary = r.reach.summary();
    if summary.actions.is_empty() {
        return None;
    }
    let content = serde_json::to_value(&summary).ok()?;
    Some(Entry::new(
        reach_key(&r.identity.address),
        EntryKind::Bedrock,
        r.identity.address.clone(),
        content,
    ))
}

/// What a Bedrock reach entry adds to another: (widened, narrowed) reasons.
fn compare_reach(before: &J, after: &J) -> (Vec<String>, Vec<String>) {
    use crate::analyze::bedrock::{ReachSummary, Widening, widened_by};
    let read = |v: &J| serde_json::from_value::<ReachSummary>(v.clone()).ok();
    let (Some(b), Some(a)) = (read(before), read(after)) else {
        return (
            vec!["the reach recorded cannot be read".to_string()],
            Vec::new(),
        );
    };
    let said = |w: Widening, verb: &str| {
        let mut out = Vec::new();
        for (what, set) in [
            ("regions", w.regions),
            ("accounts", w.accounts),
            ("models or resources", w.resources),
            ("actions", w.actions),
        ] {
            if !set.is_empty() {
                let list: Vec<String> = set.into_iter().collect();
                out.push(format!("{what} {verb}: {}", list.join(", ")));
            }
        }
        out
    };
    (
        said(widened_by(&b, &a), "added"),
        said(widened_by(&a, &b), "removed"),
    )
}

/// The subject and principal parts of a grant key.
fn split_key(key: &str) -> (&str, &str) {
    key.split_once('|').unwrap_or((key, ""))
}

/// Compares `before` with `after` (both by key). `renames` maps an old role
/// address to its new one.
pub fn diff(
    before: &BTreeMap<String, Entry>,
    after: &BTreeMap<String, Entry>,
    renames: &BTreeMap<String, String>,
) -> Drift {
    // The before, read under the addresses the roles have now (of two
    // before keys that land on one, the later in key order stands).
    let moved: BTreeMap<Cow<'_, str>, (&String, &Entry)> = before
        .iter()
        .map(|(key, e)| {
            let (subject, principal) = split_key(key);
            let now = match renames.get(subject) {
                Some(new) => Cow::Owned(format!("{new}|{principal}")),
                None => Cow::Borrowed(key.as_str()),
            };
            (now, (key, e))
        })
        .collect();
    let mut found = Vec::with_capacity(after.len());
    for (key, a) in after {
        let d = match moved.get(key.as_str()) {
            None => GrantDrift {
                key: key.clone(),
                class: DriftClass::Added,
                reasons: Vec::new(),
                renamed_from: None,
                before: None,
                after: Some(a.clone()),
            },
            Some(&(old_key, b)) => {
                let (widened, narrowed) = if b.hash == a.hash {
                    (Vec::new(), Vec::new())
                } else if a.kind == EntryKind::Bedrock {
                    compare_reach(&b.content.value(), &a.content.value())
                } else {
                    compare(&b.content.value(), &a.content.value())
                };
                let class = if !widened.is_empty() {
                    DriftClass::Widened
                } else if !narrowed.is_empty() {
                    DriftClass::Narrowed
                } else {
                    DriftClass::Unchanged
                };
                GrantDrift {
                    key: key.clone(),
                    class,
                    reasons: if widened.is_empty() {
                        narrowed
                    } else {
                        widened
                    },
                    renamed_from: (old_key != key).then(|| old_key.clone()),
                    // An unchanged grant keeps no copy of its content: at
                    // 100,000 grants those copies were most of drift's time.
                    before: (class != DriftClass::Unchanged).then(|| b.clone()),
                    after: (class != DriftClass::Unchanged).then(|| a.clone()),
                }
            }
        };
        found.push((key.clone(), d));
    }
    // In key order: the map is built in one pass.
    let mut grants: BTreeMap<String, GrantDrift> = found.into_iter().collect();
    for (now, (old_key, b)) in &moved {
        if !after.contains_key(now.as_ref()) {
            grants.insert(
                (*old_key).clone(),
                GrantDrift {
                    key: (*old_key).clone(),
                    class: DriftClass::Removed,
                    reasons: Vec::new(),
                    renamed_from: None,
                    before: Some((*b).clone()),
                    after: None,
                },
            );
        }
    }
    Drift { grants }
}

/// The parts of a grant's content drift compares.
struct Parts {
    actions: BTreeSet<String>,
    admits: Vec<Admitted>,
}

fn parts(content: &J) -> Option<Parts> {
    let actions = serde_json::from_value(content.get("actions")?.clone()).ok()?;
    let admits = serde_json::from_value(content.get("admits")?.clone()).ok()?;
    Some(Parts { actions, admits })
}

/// What grew and what shrank from `before` to `after`, in words. Content
/// that cannot be read (a baseline from a different model) counts as grown
/// when it differs: unknown is not safe.
pub fn compare(before: &J, after: &J) -> (Vec<String>, Vec<String>) {
    if before == after {
        return (Vec::new(), Vec::new());
    }
    let (Some(b), Some(a)) = (parts(before), parts(after)) else {
        return (vec!["the grant's content changed".to_string()], Vec::new());
    };
    let mut widened = Vec::new();
    let mut narrowed = Vec::new();
    let added: Vec<&String> = a.actions.difference(&b.actions).collect();
    if !added.is_empty() {
        widened.push(format!("actions added: {}", join(added)));
    }
    let dropped: Vec<&String> = b.actions.difference(&a.actions).collect();
    if !dropped.is_empty() {
        narrowed.push(format!("actions removed: {}", join(dropped)));
    }
    for now in &a.admits {
        if b.admits.iter().any(|was| covers(was, now)) {
            continue;
        }
        let closest = b.admits.iter().find(|was| same_kind(was, now));
        widened.push(match closest {
            Some(was) => grown_axes(was, now).join("; "),
            None => format!("now admits {}", now.describe(false)),
        });
    }
    for was in &b.admits {
        if !a.admits.iter().any(|now| covers(now, was)) {
            let closest = a.admits.iter().find(|now| same_kind(was, now));
            narrowed.push(match closest {
                Some(now) => grown_axes(now, was)
                    .iter()
                    .map(|r| format!("no longer: {r}"))
                    .collect::<Vec<_>>()
                    .join("; "),
                None => format!("no longer admits {}", was.describe(false)),
            });
        }
    }
    widened.retain(|r| !r.is_empty());
    narrowed.retain(|r| !r.is_empty());
    (widened, narrowed)
}

fn join(items: Vec<&String>) -> String {
    items
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn same_kind(a: &Admitted, b: &Admitted) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Does `wide` admit everything `narrow` admits?
pub fn covers(wide: &Admitted, narrow: &Admitted) -> bool {
    match (wide, narrow) {
        (_, Admitted::Nobody { .. }) => true,
        (Admitted::Nobody { .. }, _) => false,
        _ => {
            let mut grown = false;
            grown_by(wide, narrow, &mut |_| grown = true) && !grown
        }
    }
}

/// Does span `wide` hold every value `narrow` holds? Patterns count by what
/// they match; values that rest on unknowns cover only themselves.
pub fn span_covers(wide: &Span, narrow: &Span) -> bool {
    match (wide, narrow) {
        (Span::Any, _) => true,
        (_, Span::Any) => false,
        (Span::Only(w), Span::Only(n)) => n
            .iter()
            .all(|v| w.iter().any(|p| p == v || pattern_matches(p, v))),
        (Span::Except(w), Span::Except(n)) => w.iter().all(|x| n.contains(x)),
        (Span::Except(w), Span::Only(n)) => n
            .iter()
            .all(|v| !w.iter().any(|x| x == v || pattern_matches(x, v))),
        (Span::Only(_), Span::Except(_)) => false,
        (Span::Unresolved(w), Span::Unresolved(n)) => w == n,
        (Span::Unresolved(_), _) | (_, Span::Unresolved(_)) => false,
    }
}

/// The axes on which `now` admits more than `was`, in words.
fn grown_axes(was: &Admitted, now: &Admitted) -> Vec<String> {
    match growth(was, now) {
        Some(grown) if !grown.is_empty() => grown,
        Some(_) => vec![format!("now admits {}", now.describe(false))],
        None => vec![format!("{} → {}", was.describe(false), now.describe(false))],
    }
}

/// One way in which an admission admits more than another.
enum Grown<'a> {
    /// A span that no longer covers the other.
    Span(&'a str, &'a Span, &'a Span),
    /// A name compared as a pattern (service, issuer, provider).
    Name(&'static str, &'a str, &'a str),
    /// MFA was required and no longer is.
    Mfa,
}

impl Grown<'_> {
    fn words(&self) -> String {
        match self {
            Grown::Span(name, w, n) => format!("{name} {} → {}", span_words(w), span_words(n)),
            Grown::Name(what, w, n) => format!("{what} {w} → {n}"),
            Grown::Mfa => "MFA no longer required".to_string(),
        }
    }
}

/// For two admissions of the same kind of caller, every axis on which `now`
/// admits more than `was` (empty: `was` covers `now`); `None` for different
/// kinds, which no axis compares.
fn growth(was: &Admitted, now: &Admitted) -> Option<Vec<String>> {
    let mut out = Vec::new();
    grown_by(was, now, &mut |g| out.push(g.words())).then_some(out)
}

/// Each way `now` admits more than `was`, given to `each`; `false` for
/// different kinds of caller, which no axis compares. The one place each
/// kind's axes are listed: [`covers`] asks only whether there is any, and
/// words none of them.
fn grown_by<'a>(was: &'a Admitted, now: &'a Admitted, each: &mut dyn FnMut(Grown<'a>)) -> bool {
    use Admitted as A;
    match (was, now) {
        (
            A::Aws {
                accounts: wa,
                organizations: wo,
                org_paths: wp,
                identities: wi,
                external_id: we,
                mfa: wm,
                other: wx,
            },
            A::Aws {
                accounts: na,
                organizations: no,
                org_paths: np,
                identities: ni,
                external_id: ne,
                mfa: nm,
                other: nx,
            },
        ) => {
            span(each, "accounts", wa, na);
            span(each, "aws:PrincipalOrgID", wo, no);
            span(each, "aws:PrincipalOrgPaths", wp, np);
            span(each, "identities", wi, ni);
            span(each, "sts:ExternalId", we, ne);
            others(each, wx, nx);
            if *wm && !nm {
                each(Grown::Mfa);
            }
        }
        (
            A::Service {
                service: ws,
                source_accounts: wa,
                source_arns: wr,
                source_orgs: wo,
                other: wx,
            },
            A::Service {
                service: ns,
                source_accounts: na,
                source_arns: nr,
                source_orgs: no,
                other: nx,
            },
        ) => {
            if !pattern_matches(ws, ns) {
                each(Grown::Name("service", ws, ns));
            }
            span(each, "aws:SourceAccount", wa, na);
            span(each, "aws:SourceArn", wr, nr);
            span(each, "aws:SourceOrgID", wo, no);
            others(each, wx, nx);
        }
        (
            A::WebIdentity {
                issuer: wi,
                subjects: ws,
                audiences: wa,
                other: wx,
            },
            A::WebIdentity {
                issuer: ni,
                subjects: ns,
                audiences: na,
                other: nx,
            },
        ) => {
            if wi != ni && wi != "*" {
                each(Grown::Name("issuer", wi, ni));
            }
            span(each, "subjects", ws, ns);
            span(each, "audiences", wa, na);
            others(each, wx, nx);
        }
        (
            A::Saml {
                provider: wp,
                audiences: wa,
                other: wx,
            },
            A::Saml {
                provider: np,
                audiences: na,
                other: nx,
            },
        ) => {
            if wp != np && wp != "*" {
                each(Grown::Name("provider", wp, np));
            }
            span(each, "SAML:aud", wa, na);
            others(each, wx, nx);
        }
        _ => return false,
    }
    true
}

/// `narrow`'s span of `name` to `each` when `wide`'s does not cover it.
fn span<'a>(each: &mut dyn FnMut(Grown<'a>), name: &'a str, wide: &'a Span, narrow: &'a Span) {
    if !span_covers(wide, narrow) {
        each(Grown::Span(name, wide, narrow));
    }
}

/// Every key `wide` constrains, `narrow` must constrain as tightly.
fn others<'a>(
    each: &mut dyn FnMut(Grown<'a>),
    wide: &'a BTreeMap<String, Span>,
    narrow: &'a BTreeMap<String, Span>,
) {
    static ANY: Span = Span::Any;
    for (k, w) in wide {
        span(each, k, w, narrow.get(k).unwrap_or(&ANY));
    }
}

fn span_words(s: &Span) -> String {
    match s {
        Span::Any => "any".to_string(),
        Span::Only(v) => v.iter().cloned().collect::<Vec<_>>().join(", "),
        Span::Except(v) => format!(
            "any but {}",
            v.iter().cloned().collect::<Vec<_>>().join(", ")
        ),
        Span::Unresolved(r) => format!(
            "(known after apply: {})",
            r.iter().cloned().collect::<Vec<_>>().join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(v: &[&str]) -> Span {
        Span::Only(v.iter().map(|s| s.to_string()).collect())
    }

    fn aws(accounts: Span, external_id: Span, orgs: Span) -> Admitted {
        Admitted::Aws {
            accounts,
            organizations: orgs,
            org_paths: Span::Any,
            identities: Span::Any,
            external_id,
            mfa: false,
            other: BTreeMap::new(),
        }
    }

    fn content_of(actions: &[&str], admits: Vec<Admitted>) -> J {
        json!({"principal": "AWS:x", "actions": actions, "admits": admits})
    }

    #[test]
    fn content_text_is_the_canonical_text_of_content() {
        let mut other = BTreeMap::new();
        other.insert("aws:SourceVpc\"é".to_string(), only(&["vpc-1", "a\\b"]));
        other.insert("aws:Abc".to_string(), Span::Unresolved(["x".into()].into()));
        let admits = vec![
            Admitted::Nobody {
                why: "no \"Principal\"".into(),
            },
            Admitted::Aws {
                accounts: only(&["1", "2"]),
                organizations: Span::Except(["o-1".into()].into()),
                org_paths: Span::Any,
                identities: Span::Unresolved(["aws_iam_role.x.arn".into()].into()),
                external_id: only(&[]),
                mfa: true,
                other: other.clone(),
            },
            Admitted::Service {
                service: "bedrock.amazonaws.com".into(),
                source_accounts: only(&["1"]),
                source_arns: Span::Any,
                source_orgs: Span::Any,
                other: BTreeMap::new(),
            },
            Admitted::WebIdentity {
                issuer: "token.actions.githubusercontent.com".into(),
                subjects: only(&["repo:a/b:*"]),
                audiences: Span::Any,
                other: other.clone(),
            },
            Admitted::Saml {
                provider: "arn:aws:iam::1:saml-provider/x".into(),
                audiences: only(&["https://signin.aws.amazon.com/saml"]),
                other,
            },
        ];
        for actions in [vec![], vec!["sts:AssumeRole", "sts:TagSession"]] {
            let grant = TrustGrant {
                key: "r|AWS:1".into(),
                role: "r".into(),
                principal: crate::model::principal::Principal {
                    kind: crate::model::principal::PrincipalType::Aws,
                    id: "arn:aws:iam::1:role/\"x\"".into(),
                },
                actions: actions.iter().map(|a| a.to_string()).collect(),
                cross_account: Some(true),
                admits: admits.clone(),
                owner: None,
                expires: None,
                statements: vec![0],
            };
            assert_eq!(content_text(&grant), Content::of(&content(&grant)));
        }
    }

    #[test]
    fn each_grant_finds_its_drift_in_order_or_out_of_it() {
        let grant = |key: &str| TrustGrant {
            key: key.into(),
            role: "r".into(),
            principal: crate::model::principal::Principal::everyone(),
            actions: BTreeSet::new(),
            cross_account: None,
            admits: Vec::new(),
            owner: None,
            expires: None,
            statements: Vec::new(),
        };
        let drift = |key: &str, class| GrantDrift {
            key: key.into(),
            class,
            reasons: Vec::new(),
            renamed_from: None,
            before: None,
            after: None,
        };
        let d = Drift {
            grants: [
                ("b", DriftClass::Added),
                ("d", DriftClass::Widened),
                ("e", DriftClass::Removed),
                ("f", DriftClass::Unchanged),
            ]
            .into_iter()
            .map(|(k, c)| (k.to_string(), drift(k, c)))
            .collect(),
        };
        // In key order, with gaps, a repeat, one out of order and one past
        // the end.
        let keys = ["a", "b", "c", "d", "d", "b", "f", "a", "g"];
        let grants: Vec<TrustGrant> = keys.iter().map(|k| grant(k)).collect();
        let found: Vec<Option<&str>> = d
            .of_grants(&grants)
            .iter()
            .map(|g| g.map(|g| g.key.as_str()))
            .collect();
        let looked_up: Vec<Option<&str>> = keys
            .iter()
            .map(|k| d.grants.get(*k).map(|g| g.key.as_str()))
            .collect();
        assert_eq!(found, looked_up);
        assert_eq!(found[1], Some("b"));
    }

    #[test]
    fn spans_cover_by_what_they_admit() {
        assert!(span_covers(&Span::Any, &only(&["1"])));
        assert!(!span_covers(&only(&["1"]), &Span::Any));
        assert!(span_covers(&only(&["1", "2"]), &only(&["1"])));
        assert!(!span_covers(&only(&["1"]), &only(&["1", "2"])));
        assert!(span_covers(
            &only(&["repo:org/*"]),
            &only(&["repo:org/a:ref:x"])
        ));
        assert!(!span_covers(
            &only(&["repo:org/a:*"]),
            &only(&["repo:org/*"])
        ));
        assert!(span_covers(
            &Span::Except(["a".into()].into()),
            &only(&["b"])
        ));
        assert!(!span_covers(
            &only(&["b"]),
            &Span::Except(["a".into()].into())
        ));
    }

    #[test]
    fn dropping_a_narrowing_condition_widens_and_adding_it_back_narrows() {
        let scoped = content_of(
            &["sts:AssumeRole"],
            vec![aws(
                only(&["111122223333"]),
                Span::Any,
                only(&["o-abcdefghij"]),
            )],
        );
        let open = content_of(
            &["sts:AssumeRole"],
            vec![aws(only(&["111122223333"]), Span::Any, Span::Any)],
        );
        let (w, n) = compare(&scoped, &open);
        assert_eq!(w, vec!["aws:PrincipalOrgID o-abcdefghij → any"]);
        assert!(n.is_empty());
        // The mirror image.
        let (w, n) = compare(&open, &scoped);
        assert!(w.is_empty());
        assert_eq!(n, vec!["no longer: aws:PrincipalOrgID o-abcdefghij → any"]);
        assert_eq!(compare(&open, &open), (vec![], vec![]));
    }

    #[test]
    fn an_added_action_or_account_widens() {
        let one = content_of(
            &["sts:AssumeRole"],
            vec![aws(only(&["1"]), only(&["x"]), Span::Any)],
        );
        let tag = content_of(
            &["sts:AssumeRole", "sts:TagSession"],
            vec![aws(only(&["1"]), only(&["x"]), Span::Any)],
        );
        assert_eq!(compare(&one, &tag).0, vec!["actions added: sts:TagSession"]);
        let two = content_of(
            &["sts:AssumeRole"],
            vec![aws(only(&["1", "2"]), only(&["x"]), Span::Any)],
        );
        assert_eq!(compare(&one, &two).0, vec!["accounts 1 → 1, 2"]);
    }

    #[test]
    fn renames_keep_history_and_vanished_grants_are_removed() {
        let e = |k: &str| Entry::new(k.into(), EntryKind::Trust, "s".into(), json!({"a": 1}));
        let before: BTreeMap<String, Entry> = [e("old.r|P"), e("gone.r|P")]
            .into_iter()
            .map(|x| (x.key.clone(), x))
            .collect();
        let after: BTreeMap<String, Entry> = [e("new.r|P"), e("fresh.r|P")]
            .into_iter()
            .map(|x| (x.key.clone(), x))
            .collect();
        let renames = BTreeMap::from([("old.r".to_string(), "new.r".to_string())]);
        let d = diff(&before, &after, &renames);
        assert_eq!(d.class_of("new.r|P"), Some(DriftClass::Unchanged));
        assert_eq!(d.grants["new.r|P"].renamed_from.as_deref(), Some("old.r|P"));
        assert_eq!(d.class_of("fresh.r|P"), Some(DriftClass::Added));
        assert_eq!(d.class_of("gone.r|P"), Some(DriftClass::Removed));
        assert_eq!(d.class_of("old.r|P"), None);
        // diff(a, a) has no change.
        let same = diff(&after, &after, &BTreeMap::new());
        assert!(
            same.grants
                .values()
                .all(|g| g.class == DriftClass::Unchanged)
        );
    }
}
