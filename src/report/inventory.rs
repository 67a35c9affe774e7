//! `inventory`: what was extracted, no judgement.

use std::fmt::Write;

use super::terminal_safe as safe;

use serde_json::{Value as J, json};

use super::{condition_json, condition_unknowns, principal_json};
use crate::analyze::admission::Admitted;
use crate::analyze::permissions::{self, IdentityReach};
use crate::analyze::trust::TrustGrant;
use crate::model::inventory::{Inventory, Role, SubjectKind, Trust};
use crate::model::policy::Statement;
use crate::model::principal::conventional_stand_in;
use crate::model::value::{display_unknowns, unknown_refs};

const UNKNOWN: &str = "(unknown)";

fn statement_json(s: &Statement, sensitive: bool) -> J {
    json!({
        "sid": s.sid,
        "effect": s.effect.as_str(),
        "actions": s.actions,
        "not_actions": s.not_actions,
        "principals": s.principals.iter().flatten().map(principal_json).collect::<Vec<_>>(),
        "not_principals": s.not_principals.iter().flatten().map(principal_json).collect::<Vec<_>>(),
        "conditions": s.conditions.iter().map(|c| condition_json(c, sensitive)).collect::<Vec<_>>(),
    })
}

fn trust_json(r: &Role) -> (J, J) {
    match &r.trust {
        Trust::Document(d) => (
            J::Array(
                d.statements
                    .iter()
                    .map(|s| statement_json(s, r.trust_sensitive))
                    .collect(),
            ),
            J::Null,
        ),
        Trust::Unknown(_) => (json!(UNKNOWN), J::Null),
        Trust::Invalid(e) => (J::Null, json!(e.message)),
        Trust::Missing => (J::Null, J::Null),
    }
}

/// Whether the role's trust is known in full: a document whose principals,
/// actions and conditions hold no reference waiting on apply. The caller's
/// account and partition count as known: they only name the role's own.
fn trust_resolved(r: &Role) -> bool {
    let Trust::Document(d) = &r.trust else {
        return false;
    };
    let known = |s: &str| {
        unknown_refs(s)
            .iter()
            .all(|x| conventional_stand_in(x).is_some())
    };
    d.statements.iter().all(|s| {
        s.principals
            .iter()
            .chain(s.not_principals.iter())
            .flatten()
            .all(|p| known(&p.id))
            && s.actions
                .iter()
                .chain(s.not_actions.iter())
                .all(|a| known(a))
            && s.conditions.iter().all(|c| {
                condition_unknowns(c)
                    .iter()
                    .all(|x| conventional_stand_in(x).is_some())
            })
    })
}

fn role_json(r: &Role) -> J {
    let (trust, error) = trust_json(r);
    let mut v = json!({
        "address": r.address,
        "source": {"file": r.location.file, "line": r.location.line},
        "trust": trust,
        "trust_resolved": trust_resolved(r),
    });
    if let Some(o) = v.as_object_mut() {
        if let Trust::Unknown(reason) = &r.trust {
            // A plan says only that the whole document waits on apply.
            let waits_on = if reason.contains(' ') && !reason.contains('(') {
                format!("{}.assume_role_policy", r.address)
            } else {
                reason.clone()
            };
            o.insert("unknown".into(), json!([waits_on]));
        }
        if !error.is_null() {
            o.insert("trust_error".into(), error);
        }
        if r.kind == SubjectKind::Role {
            o.insert("name".into(), json!(r.name));
            o.insert("account".into(), json!(r.account));
            o.insert("change".into(), json!(r.change.map(|c| c.as_str())));
            o.insert("tags".into(), json!(r.tags));
            if let Some(prev) = &r.previous_address {
                o.insert("previous_address".into(), json!(prev));
            }
        }
    }
    v
}

fn admitted_json(a: &Admitted, sensitive: bool) -> J {
    let shown = if sensitive { a.redacted() } else { a.clone() };
    serde_json::to_value(shown).unwrap_or(J::Null)
}

fn grant_json(g: &TrustGrant, sensitive: bool) -> J {
    json!({
        "key": g.key,
        "role": g.role,
        "principal": principal_json(&g.principal),
        "actions": g.actions,
        "cross_account": g.cross_account,
        "admits": g.admits.iter().map(|a| admitted_json(a, sensitive)).collect::<Vec<_>>(),
        "owner": g.owner,
        "expires": g.expires,
    })
}

/// One identity's Bedrock reach, as the inventory shows it.
fn reach_json(r: &IdentityReach<'_>) -> J {
    let summary = r.reach.summary();
    let profiles: Vec<J> = r
        .reach
        .grants
        .iter()
        .filter_map(|g| g.profile.as_ref())
        .map(|p| (p.profile.clone(), p.destinations.list()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|(profile, destinations)| json!({"profile": profile, "destinations": destinations}))
        .collect();
    json!({
        "identity": r.identity.address,
        "kind": r.identity.kind.as_str(),
        "actions": summary.actions,
        "regions": summary.regions,
        "accounts": summary.accounts,
        "resources": summary.resources.iter().map(|r| display_unknowns(r)).collect::<Vec<_>>(),
        "profiles": profiles,
        "wildcard_actions": r.reach.wildcard_actions.iter().map(|w| w.pattern.as_str()).collect::<std::collections::BTreeSet<_>>(),
        "via": r.via,
        "unverifiable": r.reach.unverifiable.iter().map(|u| u.reason.as_str()).collect::<Vec<_>>(),
        "source": {"file": r.identity.location.file, "line": r.identity.location.line},
    })
}

/// The JSON inventory, written as it goes: one role or grant at a time is
/// built as a value and printed, never the whole tree (which took 1.4 GB
/// for 100,000 roles). The bytes are those of pretty-printing the whole
/// object at once.
pub fn render_json(inventory: &Inventory, grants: &[TrustGrant]) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_json(&mut out, inventory, grants);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render_json`] to any writer. Each top-level section is one call, in
/// the key order a whole-object print has (sorted by name).
pub fn write_json(
    out: &mut dyn std::io::Write,
    inventory: &Inventory,
    grants: &[TrustGrant],
) -> std::io::Result<()> {
    let sensitive: std::collections::BTreeSet<&str> = inventory
        .roles
        .iter()
        .filter(|r| r.trust_sensitive)
        .map(|r| r.address.as_str())
        .collect();
    let roles = || {
        inventory
            .roles
            .iter()
            .filter(|r| r.kind == SubjectKind::Role)
    };
    let documents = || {
        inventory
            .roles
            .iter()
            .filter(|r| r.kind != SubjectKind::Role)
    };
    let effective = permissions::effective(inventory);
    let reach = permissions::reaches(&effective);
    let mut top = TopObject::new(out)?;
    top.list("bedrock", reach.iter().map(reach_json))?;
    top.list("documents", documents().map(role_json))?;
    top.list(
        "grants",
        grants
            .iter()
            .map(|g| grant_json(g, sensitive.contains(g.role.as_str()))),
    )?;
    top.list("roles", roles().map(role_json))?;
    top.value("version", &json!(1))?;
    top.end()
}

/// A pretty-printed JSON object written one member at a time, each list
/// one element at a time, with serde_json's layout (two-space indent).
struct TopObject<'w> {
    out: &'w mut dyn std::io::Write,
    members: usize,
}

impl<'w> TopObject<'w> {
    fn new(out: &'w mut dyn std::io::Write) -> std::io::Result<Self> {
        out.write_all(b"{")?;
        Ok(TopObject { out, members: 0 })
    }

    fn key(&mut self, name: &str) -> std::io::Result<()> {
        let sep: &[u8] = if self.members == 0 { b"\n" } else { b",\n" };
        self.members += 1;
        self.out.write_all(sep)?;
        self.out.write_all(b"  ")?;
        serde_json::to_writer(&mut *self.out, name)?;
        self.out.write_all(b": ")
    }

    /// A member holding one value.
    fn value(&mut self, name: &str, v: &J) -> std::io::Result<()> {
        self.key(name)?;
        self.indented(v, 1)
    }

    /// A member holding a list, each element built only when written.
    fn list(&mut self, name: &str, items: impl Iterator<Item = J>) -> std::io::Result<()> {
        self.key(name)?;
        let mut n = 0usize;
        for item in items {
            self.out
                .write_all(if n == 0 { b"[\n    " } else { b",\n    " })?;
            self.indented(&item, 2)?;
            n += 1;
        }
        self.out.write_all(if n == 0 { b"[]" } else { b"\n  ]" })
    }

    /// `v` pretty-printed with every line after its first indented by
    /// `depth` levels (JSON strings hold no raw line breaks).
    fn indented(&mut self, v: &J, depth: usize) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(v)?;
        let pad = "  ".repeat(depth);
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
                self.out.write_all(pad.as_bytes())?;
            }
            self.out.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    fn end(self) -> std::io::Result<()> {
        let close: &[u8] = if self.members == 0 { b"}\n" } else { b"\n}\n" };
        self.out.write_all(close)
    }
}

pub fn render_text(inventory: &Inventory, grants: &[TrustGrant]) -> String {
    let mut by_role: std::collections::BTreeMap<&str, Vec<&TrustGrant>> =
        std::collections::BTreeMap::new();
    for g in grants {
        by_role.entry(g.role.as_str()).or_default().push(g);
    }
    let mut out = String::new();
    for r in &inventory.roles {
        let change = r
            .change
            .map(|c| format!(" ({})", c.as_str()))
            .unwrap_or_default();
        let kind = if r.kind == SubjectKind::Document {
            "document "
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{kind}{}{change}  {}:{}",
            safe(&r.address),
            safe(&r.location.file),
            r.location.line
        );
        match &r.trust {
            Trust::Unknown(reason) => {
                let _ = writeln!(out, "  trust: {UNKNOWN} ({})", safe(reason));
            }
            Trust::Invalid(e) => {
                let _ = writeln!(out, "  trust: invalid ({})", safe(&e.to_string()));
            }
            Trust::Missing => {
                let _ = writeln!(out, "  trust: none");
            }
            Trust::Document(_) => {}
        }
        for g in by_role.get(r.address.as_str()).into_iter().flatten() {
            let cross = match g.cross_account {
                Some(true) => "cross-account",
                Some(false) => "same account",
                None => "accounts unknown",
            };
            let actions: Vec<&str> = g.actions.iter().map(String::as_str).collect();
            let _ = writeln!(
                out,
                "  {} {} [{}] {cross}",
                g.principal.kind.as_str(),
                safe(&display_unknowns(&g.principal.id)),
                safe(&actions.join(", "))
            );
            for a in &g.admits {
                let _ = writeln!(
                    out,
                    "    admits {}",
                    safe(&display_unknowns(&a.describe(r.trust_sensitive)))
                );
            }
        }
    }
    let effective = permissions::effective(inventory);
    let reach = permissions::reaches(&effective);
    for r in &reach {
        reach_text(r, &mut out);
    }
    let _ = write!(
        out,
        "{} roles and documents, {} grants",
        inventory.roles.len(),
        grants.len()
    );
    if reach.is_empty() {
        let _ = writeln!(out, ".");
    } else {
        let _ = writeln!(out, ", {} identities that may invoke Bedrock.", reach.len());
    }
    out
}

/// One identity's Bedrock reach, for a reviewer.
fn reach_text(r: &IdentityReach<'_>, out: &mut String) {
    let summary = r.reach.summary();
    let list = |set: &std::collections::BTreeSet<String>| {
        safe(&set.iter().cloned().collect::<Vec<_>>().join(", ")).to_string()
    };
    let _ = writeln!(
        out,
        "bedrock {} ({})  {}:{}",
        safe(&r.identity.address),
        r.identity.kind.as_str(),
        safe(&r.identity.location.file),
        r.identity.location.line
    );
    if !summary.actions.is_empty() {
        let _ = writeln!(out, "  regions: {}", list(&summary.regions));
        let _ = writeln!(out, "  actions: {}", list(&summary.actions));
        let shown: std::collections::BTreeSet<String> = summary
            .resources
            .iter()
            .map(|r| display_unknowns(r))
            .collect();
        let _ = writeln!(out, "  resources: {}", list(&shown));
    }
    if !summary.accounts.is_empty() {
        let _ = writeln!(out, "  accounts: {}", list(&summary.accounts));
    }
    let mut profiles = std::collections::BTreeSet::new();
    for p in r.reach.grants.iter().filter_map(|g| g.profile.as_ref()) {
        profiles.insert((p.profile.clone(), p.destinations.list().join(", ")));
    }
    for (profile, destinations) in profiles {
        let _ = writeln!(
            out,
            "  profile {} routes to {}",
            safe(&profile),
            safe(&destinations)
        );
    }
    if !r.via.is_empty() {
        let _ = writeln!(out, "  via: {}", safe(&r.via.join(", ")));
    }
    for u in &r.reach.unverifiable {
        let _ = writeln!(out, "  cannot verify: {}", safe(&u.reason));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_it_goes_is_the_whole_object_pretty_printed() {
        let items = vec![
            json!({"a": [1, {"b": "line\nbreak"}], "c": {}}),
            json!({"d": []}),
        ];
        let whole = super::super::to_pretty(&json!({
            "empty": [],
            "items": items,
            "version": 1,
        }));
        let mut out = Vec::new();
        let mut top = TopObject::new(&mut out).expect("write");
        top.list("empty", std::iter::empty()).expect("write");
        top.list("items", items.clone().into_iter()).expect("write");
        top.value("version", &json!(1)).expect("write");
        top.end().expect("write");
        assert_eq!(String::from_utf8(out).expect("utf8"), whole);
    }
}
