//! Resource instances → the model: roles with their parsed trust policies,
//! and trust documents that no role in the input uses.

use std::collections::BTreeSet;

use super::types::{self, Becomes};
use super::{Mode, ResourceInstance};
use crate::model::arn::{Arn, is_account_id};
use crate::model::inventory::{IdentityKind, Inventory, Role, SubjectKind, Trust};
use crate::model::small_map::SmallMap;
use crate::model::value::Value;

/// Builds the inventory from every instance of every source.
///
/// Roles and the permissions model are built side by side (each with its
/// own cache of parsed documents, so neither waits on the other).
pub fn extract(instances: &[ResourceInstance]) -> Inventory {
    let caller_account = caller_account(instances);
    let (permissions, roles) = crate::threads::side_by_side(
        || {
            let mut docs = super::permissions::Documents::default();
            super::permissions::extract(instances, caller_account.as_deref(), &mut docs)
        },
        || trust_subjects(instances, caller_account.as_deref()),
    );
    Inventory {
        roles,
        identities: permissions.identities,
        policies: permissions.policies,
        attachments: permissions.attachments,
        memberships: permissions.memberships,
        refused: Vec::new(),
    }
}

/// Every role, and every trust document no role carries, by address.
fn trust_subjects(instances: &[ResourceInstance], caller_account: Option<&str>) -> Vec<Role> {
    let mut roles: Vec<Role> = Vec::new();
    // Trust documents, with the text each was read from.
    let mut documents: Vec<(Role, Option<&str>)> = Vec::new();
    // The texts of the roles' trust policies, with the role read from each.
    let mut role_texts: Vec<(&str, usize)> = Vec::new();
    // Each instance on its own (in halves on two threads from a few hundred
    // on, each half with its own cache of parsed documents), in order.
    let read = crate::threads::halves(instances, crate::threads::HALVES_FROM, |part| {
        let mut docs = super::permissions::Documents::default();
        part.iter()
            .filter_map(|inst| {
                let rtype = types::lookup(inst.mode, &inst.resource_type)?;
                match (rtype.becomes, rtype.trust_attr) {
                    (Becomes::Identity(IdentityKind::Role), Some(trust_attr)) => {
                        let r = role(inst, trust_attr, caller_account, &mut docs);
                        let text = matches!(r.trust, Trust::Document(_))
                            .then(|| inst.attrs.get(trust_attr).and_then(Value::as_str))
                            .flatten();
                        Some(Read::Role(r, text))
                    }
                    (Becomes::PolicyDocument, _) => trust_document(inst, caller_account, &mut docs)
                        .map(|doc| {
                            Read::Document(doc, inst.attrs.get("json").and_then(Value::as_str))
                        }),
                    _ => None,
                }
            })
            .collect()
    });
    for r in read {
        match r {
            Read::Role(r, text) => {
                if let Some(text) = text {
                    role_texts.push((text, roles.len()));
                }
                roles.push(r);
            }
            Read::Document(doc, text) => documents.push((doc, text)),
        }
    }
    // A document a role already carries, whole or as a building block merged
    // into it (`source_policy_documents` / `override_policy_documents`, where
    // an override may replace some of its statements), is judged at the role:
    // one statement in common marks it as used.
    // Looked up by each statement's JSON text: one pass over the roles'
    // distinct documents, not one per document; nothing to do without
    // documents.
    let statement_texts = |doc: &crate::model::policy::PolicyDocument| {
        doc.statements
            .iter()
            .map(|s| s.raw.to_string())
            .collect::<Vec<String>>()
    };
    let carried = if documents.is_empty() {
        Default::default()
    } else {
        carried_statements(&role_texts, &roles, &documents)
    };
    // Whether a document text shares a statement with a role's, once a text.
    let mut shares: crate::quickhash::QuickMap<&str, bool> = Default::default();
    let documents: Vec<Role> = documents
        .into_iter()
        .filter(|(d, text)| {
            let Trust::Document(doc) = &d.trust else {
                return true;
            };
            let share = |doc| statement_texts(doc).iter().any(|s| carried.contains(s));
            let shared = match text {
                Some(t) => *shares.entry(t).or_insert_with(|| share(doc)),
                None => share(doc),
            };
            !shared
        })
        .map(|(d, _)| d)
        .collect();
    roles.extend(documents);
    roles.sort_by(|a, b| a.address.cmp(&b.address));
    roles.dedup_by(|a, b| a.address == b.address);
    roles
}

/// A role, or a trust document no role need carry, with the text its
/// document was read from.
enum Read<'a> {
    Role(Role, Option<&'a str>),
    Document(Role, Option<&'a str>),
}

/// The statements of the roles' trust documents (by JSON text) that may be
/// among `documents`' statements: every one of them, or, when the documents
/// hold fewer statements than the roles, only those the documents hold too
/// (the same answer for the documents, from the smaller side's set).
fn carried_statements(
    role_texts: &[(&str, usize)],
    roles: &[Role],
    documents: &[(Role, Option<&str>)],
) -> crate::quickhash::QuickSet<String> {
    use std::fmt::Write;
    // One role per distinct text: the same text parses to the same document.
    let mut distinct: crate::quickhash::QuickSet<&str> = Default::default();
    let role_docs: Vec<&crate::model::policy::PolicyDocument> = role_texts
        .iter()
        .filter(|(text, _)| distinct.insert(text))
        .filter_map(|(_, i)| match roles.get(*i).map(|r| &r.trust) {
            Some(Trust::Document(doc)) => Some(doc),
            _ => None,
        })
        .collect();
    let role_statements: usize = role_docs.iter().map(|d| d.statements.len()).sum();
    let document_statements = documents
        .iter()
        .filter_map(|(d, _)| match &d.trust {
            Trust::Document(doc) => Some(doc.statements.iter()),
            _ => None,
        })
        .flatten();
    if document_statements.clone().count() >= role_statements {
        return role_docs
            .iter()
            .flat_map(|d| d.statements.iter().map(|s| s.raw.to_string()))
            .collect();
    }
    let wanted: crate::quickhash::QuickSet<String> =
        document_statements.map(|s| s.raw.to_string()).collect();
    let mut carried = crate::quickhash::QuickSet::default();
    let mut text = String::new();
    for s in role_docs.iter().flat_map(|d| d.statements.iter()) {
        text.clear();
        // Writing to a String cannot fail.
        let _ = write!(text, "{}", s.raw);
        if wanted.contains(text.as_str()) && !carried.contains(text.as_str()) {
            carried.insert(text.clone());
        }
    }
    carried
}

/// The account every `data "aws_caller_identity"` agrees on, if any.
fn caller_account(instances: &[ResourceInstance]) -> Option<String> {
    let accounts: BTreeSet<&str> = instances
        .iter()
        .filter(|i| i.mode == Mode::Data && i.resource_type == "aws_caller_identity")
        .filter_map(|i| i.attrs.get("account_id").and_then(Value::as_str))
        .filter(|a| is_account_id(a))
        .collect();
    match accounts.len() {
        1 => accounts.into_iter().next().map(str::to_string),
        _ => None,
    }
}

fn string_attr<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

fn string_map(v: Option<&Value>) -> Option<SmallMap<String, String>> {
    let obj = v?.as_object()?;
    Some(
        obj.iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect(),
    )
}

/// The account an IAM identity lives in: its ARN's (after the change, or
/// before it), else the caller's.
pub(super) fn account_of(inst: &ResourceInstance, caller_account: Option<&str>) -> Option<String> {
    string_attr(&inst.attrs, "arn")
        .or_else(|| inst.before.as_ref().and_then(|b| string_attr(b, "arn")))
        .and_then(Arn::parse)
        .map(|a| a.account)
        .filter(|a| is_account_id(a))
        .or(caller_account)
        .map(str::to_string)
}

/// `tags_all` where known (so provider `default_tags` count), else `tags`.
pub(super) fn tags_of(attrs: &Value) -> SmallMap<String, String> {
    string_map(attrs.get("tags_all"))
        .filter(|m| !m.is_empty())
        .or_else(|| string_map(attrs.get("tags")))
        .unwrap_or_default()
}

fn role<'a>(
    inst: &'a ResourceInstance,
    trust_attr: &str,
    caller_account: Option<&str>,
    docs: &mut super::permissions::Documents<'a>,
) -> Role {
    let attrs = &inst.attrs;
    let account = account_of(inst, caller_account);
    let tags = tags_of(attrs);
    let mut role = subject(inst, trust_attr, SubjectKind::Role, docs);
    role.name = match attrs.get("name").or_else(|| attrs.get("role_name")) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Unknown(_)) => Some("(unknown)".to_string()),
        _ => None,
    };
    role.account = account;
    role.tags = tags;
    role.max_session_duration = attrs.get("max_session_duration").and_then(Value::as_i64);
    role
}

/// What every trust-carrying instance has: its place, its change, and the
/// trust policy in attribute `attr`.
fn subject<'a>(
    inst: &'a ResourceInstance,
    attr: &str,
    kind: SubjectKind,
    docs: &mut super::permissions::Documents<'a>,
) -> Role {
    Role {
        address: inst.address.clone(),
        kind,
        name: None,
        account: None,
        change: inst.change,
        previous_address: inst.previous_address.clone(),
        location: inst.provenance.location.clone(),
        trust_location: inst
            .provenance
            .attrs
            .get(attr)
            .unwrap_or(&inst.provenance.location)
            .clone(),
        statement_locations: super::permissions::statement_locations(inst, attr),
        tags: SmallMap::new(),
        trust: docs.parse(inst.attrs.get(attr), "trust policy"),
        trust_sensitive: inst.sensitive.contains(attr),
        max_session_duration: None,
        trust_from_code_for: inst.provenance.trust_from_code_for.clone(),
    }
}

/// A policy document that names principals and allows assuming a role.
fn trust_document<'a>(
    inst: &'a ResourceInstance,
    caller_account: Option<&str>,
    docs: &mut super::permissions::Documents<'a>,
) -> Option<Role> {
    let mut doc = subject(inst, "json", SubjectKind::Document, docs);
    let Trust::Document(policy) = &doc.trust else {
        return None;
    };
    let is_trust = policy
        .statements
        .iter()
        .any(|s| (s.principals.is_some() || s.not_principals.is_some()) && s.covers_assume());
    if !is_trust {
        return None;
    }
    doc.account = caller_account.map(str::to_string);
    Some(doc)
}
