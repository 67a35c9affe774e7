//! Resource instances → identities, their identity-based policies, and what
//! attaches which policy to which identity.
//!
//! Attachments usually name a policy or a role created in the same change,
//! whose ARN is only known after apply. They are joined by reference: an
//! unknown value names the instance it waits on (the HCL evaluator and the
//! plan reader both write the instance's full address, `module.m.
//! aws_iam_policy.p[0].arn`), and that instance is found in the input. A
//! reference without an instance key (`aws_iam_policy.p.arn` on a counted
//! resource) joins every instance. What joins nothing stays unknown.

use std::collections::{BTreeSet, HashMap};

use super::types::{self, Becomes};
use super::{Mode, ResourceInstance};
use crate::model::arn::Arn;
use crate::model::aws_managed;
use crate::model::inventory::{
    Attachment, Identity, IdentityKind, Membership, Policy, PolicyKind, PolicyRef, Trust,
};
use crate::model::location::Location;
use crate::model::policy::PolicyDocument;
use crate::model::value::{Value, unknown_refs};

/// The permissions part of the inventory.
#[derive(Debug, Default)]
pub struct Permissions {
    pub identities: Vec<Identity>,
    pub policies: Vec<Policy>,
    pub attachments: Vec<Attachment>,
    pub memberships: Vec<Membership>,
}

/// An attachment before its two ends are joined.
struct Pending {
    address: String,
    identity_kind: IdentityKind,
    identity: Target,
    policy: Target,
    change: Option<crate::model::inventory::ChangeKind>,
    location: Location,
}

enum Target {
    /// An identity or a policy extracted here, by address.
    Extracted(String),
    /// One named by value (a name, an ARN, or a reference).
    Named(Value),
}

/// Extracts identities, policies and attachments from every instance.
pub fn extract<'a>(
    instances: &'a [ResourceInstance],
    caller_account: Option<&str>,
    docs: &mut Documents<'a>,
) -> Permissions {
    let mut out = Permissions::default();
    let mut pending: Vec<Pending> = Vec::new();
    let mut boundaries: Vec<(usize, Value)> = Vec::new();
    let mut memberships: Vec<(String, Value, Value, Location)> = Vec::new();
    for inst in instances {
        if inst.mode != Mode::Managed || inst.change.is_some_and(|c| c.removes()) {
            continue;
        }
        let Some(rtype) = types::lookup(inst.mode, &inst.resource_type) else {
            continue;
        };
        let attrs = &inst.attrs;
        let loc = |attr: &str| {
            inst.provenance
                .attrs
                .get(attr)
                .unwrap_or(&inst.provenance.location)
                .clone()
        };
        match rtype.becomes {
            Becomes::Identity(kind) => {
                let identity = identity(inst, kind, caller_account);
                if let Some(b) = attrs.get("permissions_boundary").filter(|v| is_set(v)) {
                    boundaries.push((out.identities.len(), b.clone()));
                }
                // Policies written on the role itself: `inline_policy` blocks
                // (awscc: `policies`) and `managed_policy_arns`.
                for (block, name_key, doc_key) in [
                    ("inline_policy", "name", "policy"),
                    ("policies", "policy_name", "policy_document"),
                ] {
                    let Some(Value::List(items)) = attrs.get(block) else {
                        continue;
                    };
                    for (i, item) in items.iter().enumerate() {
                        let Some(doc) = item.get(doc_key) else {
                            continue;
                        };
                        let name = item.get(name_key).and_then(Value::as_str);
                        let address = match name {
                            Some(n) => format!("{}.{block}[\"{n}\"]", inst.address),
                            None => format!("{}.{block}[{i}]", inst.address),
                        };
                        out.policies.push(Policy {
                            address: address.clone(),
                            kind: PolicyKind::Inline,
                            name: name.map(str::to_string),
                            change: inst.change,
                            location: loc(block),
                            document_location: loc(block),
                            statement_locations: Default::default(),
                            document: docs.parse(Some(doc), "policy"),
                            sensitive: inst.sensitive.contains(block),
                        });
                        pending.push(Pending {
                            address: inst.address.clone(),
                            identity_kind: kind,
                            identity: Target::Extracted(inst.address.clone()),
                            policy: Target::Extracted(address),
                            change: inst.change,
                            location: loc(block),
                        });
                    }
                }
                // A plan shows the whole list as unknown when it is not
                // written (the provider computes it from what AWS holds):
                // only written elements are attachments.
                let written = match attrs.get("managed_policy_arns") {
                    Some(Value::Unknown(_)) => None,
                    other => other,
                };
                for arn in list_values(written) {
                    pending.push(Pending {
                        address: inst.address.clone(),
                        identity_kind: kind,
                        identity: Target::Extracted(inst.address.clone()),
                        policy: Target::Named(arn),
                        change: inst.change,
                        location: loc("managed_policy_arns"),
                    });
                }
                out.identities.push(identity);
            }
            Becomes::ManagedPolicy | Becomes::InlinePolicy(..) => {
                let Some(doc_attr) = rtype.policy_attrs.first() else {
                    continue;
                };
                let name = ["name", "policy_name"]
                    .iter()
                    .find_map(|k| attrs.get(k).and_then(Value::as_str))
                    .map(str::to_string);
                let kind = match rtype.becomes {
                    Becomes::ManagedPolicy => PolicyKind::Managed,
                    _ => PolicyKind::Inline,
                };
                out.policies.push(Policy {
                    address: inst.address.clone(),
                    kind,
                    name,
                    change: inst.change,
                    location: inst.provenance.location.clone(),
                    document_location: loc(doc_attr),
                    statement_locations: statement_locations(inst, doc_attr),
                    document: docs.parse(attrs.get(doc_attr), "policy"),
                    sensitive: inst.sensitive.contains(*doc_attr),
                });
                if let Becomes::InlinePolicy(kind, owner) = rtype.becomes {
                    pending.push(Pending {
                        address: inst.address.clone(),
                        identity_kind: kind,
                        identity: Target::Named(attrs.get(owner).cloned().unwrap_or(Value::Null)),
                        policy: Target::Extracted(inst.address.clone()),
                        change: inst.change,
                        location: loc(owner),
                    });
                }
            }
            Becomes::Attachment(kind, owner) => pending.push(Pending {
                address: inst.address.clone(),
                identity_kind: kind,
                identity: Target::Named(attrs.get(owner).cloned().unwrap_or(Value::Null)),
                policy: Target::Named(attrs.get("policy_arn").cloned().unwrap_or(Value::Null)),
                change: inst.change,
                location: inst.provenance.location.clone(),
            }),
            Becomes::SharedAttachment => {
                let policy = attrs.get("policy_arn").cloned().unwrap_or(Value::Null);
                for (list, kind) in [
                    ("roles", IdentityKind::Role),
                    ("users", IdentityKind::User),
                    ("groups", IdentityKind::Group),
                ] {
                    for who in list_values(attrs.get(list)) {
                        pending.push(Pending {
                            address: inst.address.clone(),
                            identity_kind: kind,
                            identity: Target::Named(who),
                            policy: Target::Named(policy.clone()),
                            change: inst.change,
                            location: loc(list),
                        });
                    }
                }
            }
            Becomes::Membership => {
                // `aws_iam_group_membership`: one group, a list of users;
                // `aws_iam_user_group_membership`: one user, a list of groups.
                let (users, groups) = match attrs.get("group") {
                    Some(g) => (list_values(attrs.get("users")), vec![g.clone()]),
                    None => (
                        attrs.get("user").cloned().into_iter().collect(),
                        list_values(attrs.get("groups")),
                    ),
                };
                for user in &users {
                    for group in &groups {
                        memberships.push((
                            inst.address.clone(),
                            user.clone(),
                            group.clone(),
                            inst.provenance.location.clone(),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    // Names are joined only for memberships and attachments that name
    // their identity or policy; most inputs have thousands of roles and
    // none of these.
    let joins = !memberships.is_empty()
        || pending.iter().any(|p| {
            matches!(p.identity, Target::Named(_)) || matches!(p.policy, Target::Named(_))
        });
    let lookup = if joins {
        Lookup::of(&out.identities, &out.policies)
    } else {
        Lookup::default()
    };
    for (address, user, group, location) in memberships {
        for u in join_identity(&lookup, IdentityKind::User, &user) {
            for g in join_identity(&lookup, IdentityKind::Group, &group) {
                out.memberships.push(Membership {
                    address: address.clone(),
                    user: u.clone(),
                    group: g,
                    location: location.clone(),
                });
            }
        }
    }
    out.memberships
        .sort_by(|a, b| (&a.user, &a.group, &a.address).cmp(&(&b.user, &b.group, &b.address)));
    let mut joined = BTreeSet::new();
    let mut aws_managed_used: BTreeSet<String> = BTreeSet::new();
    for p in pending {
        let identities = match p.identity {
            Target::Extracted(address) => vec![PolicyRef::Address(address)],
            Target::Named(v) => join_identity(&lookup, p.identity_kind, &v),
        };
        let policies = match p.policy {
            Target::Extracted(address) => vec![PolicyRef::Address(address)],
            Target::Named(v) => join_policy(&lookup, &v, &mut aws_managed_used),
        };
        for identity in &identities {
            for policy in &policies {
                if joined.insert((identity.clone(), policy.clone(), p.address.clone())) {
                    out.attachments.push(Attachment {
                        address: p.address.clone(),
                        identity: identity.clone(),
                        policy: policy.clone(),
                        change: p.change,
                        location: p.location.clone(),
                    });
                }
            }
        }
    }
    for (i, value) in boundaries {
        let target = join_policy(&lookup, &value, &mut aws_managed_used);
        if let Some(identity) = out.identities.get_mut(i) {
            // A boundary is one policy; a reference that joins several
            // instances (no key) cannot say which.
            identity.boundary = match target.as_slice() {
                [one] => Some(one.clone()),
                _ => Some(PolicyRef::Unknown(reference_text(&value))),
            };
        }
    }
    for name in aws_managed_used {
        let arn = format!("arn:aws:iam::aws:policy/{name}");
        // AWS holds the document; where the input attaches it is where a
        // reviewer looks.
        let location = out
            .attachments
            .iter()
            .filter(|a| a.policy.address() == Some(arn.as_str()))
            .map(|a| &a.location)
            .min()
            .cloned()
            .unwrap_or_else(|| {
                Location::new(
                    format!("(AWS managed policy, {})", aws_managed::TABLE_DATE),
                    1,
                    1,
                )
            });
        out.policies.push(Policy {
            address: arn,
            kind: PolicyKind::AwsManaged,
            name: Some(name.clone()),
            change: None,
            location: location.clone(),
            document_location: location,
            statement_locations: Default::default(),
            document: docs.parse_made(
                aws_managed::document(&name)
                    .map(|d| Value::String(d.into()))
                    .as_ref(),
                "policy",
            ),
            sensitive: false,
        });
    }
    out.identities.sort_by(|a, b| a.address.cmp(&b.address));
    out.identities.dedup_by(|a, b| a.address == b.address);
    out.policies.sort_by(|a, b| a.address.cmp(&b.address));
    out.policies.dedup_by(|a, b| a.address == b.address);
    out.attachments.sort_by(|a, b| {
        (&a.identity, &a.policy, &a.address).cmp(&(&b.identity, &b.policy, &b.address))
    });
    out
}

fn is_set(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn list_values(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::List(items)) => items.iter().filter(|i| is_set(i)).cloned().collect(),
        Some(u @ Value::Unknown(_)) => vec![u.clone()],
        _ => Vec::new(),
    }
}

fn identity(inst: &ResourceInstance, kind: IdentityKind, caller_account: Option<&str>) -> Identity {
    let attrs = &inst.attrs;
    let name = ["name", "role_name", "user_name", "group_name"]
        .iter()
        .find_map(|k| attrs.get(k))
        .and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            _ => None,
        });
    let account = super::resources::account_of(inst, caller_account);
    let tags = super::resources::tags_of(attrs);
    Identity {
        address: inst.address.clone(),
        kind,
        name,
        account,
        change: inst.change,
        location: inst.provenance.location.clone(),
        tags,
        boundary: None,
        boundary_location: inst.provenance.attrs.get("permissions_boundary").cloned(),
    }
}

/// Per statement index of policy attribute `attr`, where it is written.
pub fn statement_locations(
    inst: &ResourceInstance,
    attr: &str,
) -> crate::model::small_map::SmallMap<usize, Location> {
    inst.provenance
        .statements
        .iter()
        .filter(|((a, _), _)| a == attr)
        .map(|((_, i), loc)| (*i, loc.clone()))
        .collect()
}

/// Policy documents already parsed in one extraction, by their text: many
/// roles and policies carry the same document (a shared data source, a
/// module called for each of several accounts), and each text is parsed at
/// most twice. A text seen once is only noted (most are: each role's own
/// document), so its document is neither copied nor kept; seen again, it is
/// parsed once more and kept for every later sight.
#[derive(Default)]
pub struct Documents<'a> {
    parsed: crate::quickhash::QuickMap<std::borrow::Cow<'a, str>, Option<Trust>>,
}

impl<'a> Documents<'a> {
    /// A policy document attribute's content, read from the input (its
    /// text is kept by reference).
    /// `what` names it in a message (`trust policy`).
    pub fn parse(&mut self, value: Option<&'a Value>, what: &str) -> Trust {
        match value {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                self.parse_text(std::borrow::Cow::Borrowed(s.as_str()), value, what)
            }
            _ => parse_document(value, what),
        }
    }

    /// [`Documents::parse`] for a value made here (its text is copied when
    /// kept).
    pub fn parse_made(&mut self, value: Option<&Value>, what: &str) -> Trust {
        match value {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                self.parse_text(std::borrow::Cow::Owned(s.clone()), value, what)
            }
            _ => parse_document(value, what),
        }
    }

    fn parse_text(
        &mut self,
        text: std::borrow::Cow<'a, str>,
        value: Option<&Value>,
        what: &str,
    ) -> Trust {
        match self.parsed.get_mut(text.as_ref()) {
            Some(Some(t)) => t.clone(),
            Some(kept @ None) => {
                let t = parse_document(value, what);
                *kept = Some(t.clone());
                t
            }
            None => {
                self.parsed.insert(text, None);
                parse_document(value, what)
            }
        }
    }
}

/// A policy document attribute's content.
/// `what` names it in a message (`trust policy`).
pub fn parse_document(value: Option<&Value>, what: &str) -> Trust {
    match value {
        None | Some(Value::Null) => Trust::Missing,
        Some(Value::Unknown(u)) => Trust::Unknown(u.reason.clone()),
        Some(Value::String(s)) if s.trim().is_empty() => Trust::Missing,
        Some(Value::String(s)) => match PolicyDocument::parse(s) {
            Ok(doc) => Trust::Document(doc),
            Err(e) => {
                let refs = unknown_refs(s);
                if refs.is_empty() {
                    Trust::Invalid(e)
                } else {
                    Trust::Unknown(refs.join(", "))
                }
            }
        },
        Some(other) => Trust::Invalid(crate::model::policy::PolicyError {
            message: format!("the {what} is not a string but {}", other.to_json()),
        }),
    }
}

/// What a value waits on, when it is not known: the reference it names.
fn reference_text(v: &Value) -> String {
    match v {
        Value::Unknown(u) => u.reason.clone(),
        Value::String(s) => unknown_refs(s).join(", "),
        other => other.to_json().to_string(),
    }
}

/// The instance address an unknown value waits on, with the attribute it
/// reads cut off: `module.m.aws_iam_policy.p[0]` for `module.m.aws_iam_policy.p[0].arn`.
fn referenced_address(v: &Value) -> Option<String> {
    match v {
        Value::Unknown(u) => super::references::instance_of(&u.reason),
        Value::String(s) => match unknown_refs(s).as_slice() {
            [one] if s.trim() == format!("${{{one}}}") => super::references::instance_of(one),
            _ => None,
        },
        _ => None,
    }
}

/// `aws_iam_policy.p` for `aws_iam_policy.p["k"]`; `None` without a key.
fn without_key(address: &str) -> Option<&str> {
    if !address.ends_with(']') {
        return None;
    }
    address
        .match_indices('[')
        .map(|(i, _)| i)
        .find(|&i| matches!(super::references::take_key(&address[i..]), (Some(_), "")))
        .map(|i| &address[..i])
}

/// Which extracted instances a join may land on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Group {
    Identity(IdentityKind),
    ManagedPolicy,
}

/// Identities and managed policies by what names them, so that each join
/// is a hash lookup, not a pass over the inventory.
#[derive(Default)]
struct Lookup {
    /// By address, and by address without its instance key (every instance).
    by_address: HashMap<(Group, String), Vec<String>>,
    by_name: HashMap<(Group, String), Vec<String>>,
}

impl Lookup {
    fn of(identities: &[Identity], policies: &[Policy]) -> Lookup {
        let mut l = Lookup::default();
        for i in identities {
            l.add(Group::Identity(i.kind), &i.address, i.name.as_deref());
        }
        for p in policies.iter().filter(|p| p.kind == PolicyKind::Managed) {
            l.add(Group::ManagedPolicy, &p.address, p.name.as_deref());
        }
        l
    }

    fn add(&mut self, group: Group, address: &str, name: Option<&str>) {
        for key in std::iter::once(address).chain(without_key(address)) {
            self.by_address
                .entry((group, key.to_string()))
                .or_default()
                .push(address.to_string());
        }
        if let Some(n) = name {
            self.by_name
                .entry((group, n.to_string()))
                .or_default()
                .push(address.to_string());
        }
    }

    /// The instances `base` names: itself, or every instance of it when it
    /// names a counted or keyed resource without its key.
    fn instances(&self, group: Group, base: &str) -> Vec<PolicyRef> {
        self.found(self.by_address.get(&(group, base.to_string())))
    }

    fn named(&self, group: Group, name: &str) -> Vec<PolicyRef> {
        self.found(self.by_name.get(&(group, name.to_string())))
    }

    fn found(&self, hits: Option<&Vec<String>>) -> Vec<PolicyRef> {
        let mut out: Vec<PolicyRef> = hits
            .into_iter()
            .flatten()
            .map(|a| PolicyRef::Address(a.clone()))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

fn join_identity(lookup: &Lookup, kind: IdentityKind, v: &Value) -> Vec<PolicyRef> {
    let group = Group::Identity(kind);
    if let Some(base) = referenced_address(v) {
        let found = lookup.instances(group, &base);
        if !found.is_empty() {
            return found;
        }
        return vec![PolicyRef::Unknown(reference_text(v))];
    }
    match v {
        Value::String(s) if unknown_refs(s).is_empty() => {
            // A name, or an ARN whose last path segment is the name.
            let name = match Arn::parse(s) {
                Some(a) => a.resource.rsplit('/').next().unwrap_or(a.resource),
                None => s.as_str(),
            };
            let found = lookup.named(group, name);
            if found.is_empty() {
                vec![PolicyRef::Name(s.clone())]
            } else {
                found
            }
        }
        Value::Null => Vec::new(),
        other => vec![PolicyRef::Unknown(reference_text(other))],
    }
}

fn join_policy(
    lookup: &Lookup,
    v: &Value,
    aws_managed_used: &mut BTreeSet<String>,
) -> Vec<PolicyRef> {
    if let Some(base) = referenced_address(v) {
        let found = lookup.instances(Group::ManagedPolicy, &base);
        if !found.is_empty() {
            return found;
        }
        return vec![PolicyRef::Unknown(reference_text(v))];
    }
    match v {
        Value::String(arn) if unknown_refs(arn).is_empty() => {
            if let Some(name) = aws_managed::name_of(arn) {
                if aws_managed::document(name).is_some() {
                    aws_managed_used.insert(name.to_string());
                    return vec![PolicyRef::Address(format!(
                        "arn:aws:iam::aws:policy/{name}"
                    ))];
                }
                return vec![PolicyRef::Arn(arn.clone())];
            }
            // A customer managed policy in the input, by its name (the last
            // segment of `policy/PATH/NAME`).
            let found = Arn::parse(arn)
                .and_then(|a| a.resource.strip_prefix("policy/"))
                .map(|r| r.rsplit('/').next().unwrap_or(r))
                .map(|name| lookup.named(Group::ManagedPolicy, name))
                .unwrap_or_default();
            if found.is_empty() {
                vec![PolicyRef::Arn(arn.clone())]
            } else {
                found
            }
        }
        Value::Null => Vec::new(),
        other => vec![PolicyRef::Unknown(reference_text(other))],
    }
}

/// Whether an attached policy that trustdrift cannot read may grant what
/// is judged (Bedrock, IAM writes): every unknown or foreign reference, and
/// an AWS managed policy not in the table whose name names Bedrock.
pub fn unreadable_may_grant(r: &PolicyRef) -> bool {
    match r {
        PolicyRef::Address(_) => false,
        PolicyRef::Arn(arn) => match aws_managed::name_of(arn) {
            Some(name) => aws_managed::names_bedrock(name),
            None => true,
        },
        PolicyRef::Name(_) | PolicyRef::Unknown(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_reads_alike_however_often_it_is_seen() {
        let text = Value::String(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#
                .to_string(),
        );
        let other = Value::String(r#"{"Statement":[]}"#.to_string());
        let bad = Value::String("{not json".to_string());
        let mut docs = Documents::default();
        for _ in 0..3 {
            for v in [&text, &other, &bad] {
                assert_eq!(
                    docs.parse(Some(v), "trust policy"),
                    parse_document(Some(v), "trust policy")
                );
                assert_eq!(
                    docs.parse_made(Some(v), "policy"),
                    parse_document(Some(v), "policy")
                );
            }
        }
        assert_eq!(docs.parse(None, "policy"), Trust::Missing);
    }
}
