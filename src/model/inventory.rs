//! What was extracted from the sources: roles (and stand-alone trust
//! documents) with their trust, before any judgement.

use std::collections::BTreeMap;

use super::location::Location;
use super::policy::{PolicyDocument, PolicyError};
use super::principal::Principal;

/// What a plan does to an instance. HCL and state input have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    Create,
    Update,
    /// delete-then-create or create-then-delete.
    Replace,
    Delete,
    NoOp,
    Read,
    /// Removed from state without being destroyed (`removed { lifecycle { destroy = false } }`).
    Forget,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Replace => "replace",
            ChangeKind::Delete => "delete",
            ChangeKind::NoOp => "no-op",
            ChangeKind::Read => "read",
            ChangeKind::Forget => "forget",
        }
    }

    /// The instance no longer exists (or is no longer managed) after apply.
    pub fn removes(self) -> bool {
        matches!(self, ChangeKind::Delete | ChangeKind::Forget)
    }
}

/// A role, or a trust document judged at its own address because no role in
/// the input uses it (a module output or another stack may).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SubjectKind {
    Role,
    Document,
}

/// An IAM identity that may hold permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdentityKind {
    Role,
    User,
    Group,
}

impl IdentityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Role => "role",
            IdentityKind::User => "user",
            IdentityKind::Group => "group",
        }
    }
}

/// Something that carries a trust policy.
#[derive(Debug, Clone)]
pub struct Role {
    pub address: String,
    pub kind: SubjectKind,
    /// `None` when the name is only known after apply.
    pub name: Option<String>,
    pub account: Option<String>,
    pub change: Option<ChangeKind>,
    pub previous_address: Option<String>,
    /// Where the role (or document) is written.
    pub location: Location,
    /// Where its trust policy attribute is written.
    pub trust_location: Location,
    /// Per statement index, where that statement is written.
    pub statement_locations: BTreeMap<usize, Location>,
    /// `tags_all` where known (so provider `default_tags` count), else `tags`.
    pub tags: BTreeMap<String, String>,
    pub trust: Trust,
    /// The trust policy is marked sensitive: analyse it, print no condition values.
    pub trust_sensitive: bool,
    pub max_session_duration: Option<i64>,
    /// The plan record that holds this role's trust as known only after
    /// apply, when the trust judged here was evaluated from the code.
    pub trust_from_code_for: Option<Location>,
}

impl Role {
    /// Where statement `index` of the trust policy is written.
    pub fn statement_location(&self, index: usize) -> &Location {
        self.statement_locations
            .get(&index)
            .unwrap_or(&self.trust_location)
    }

    /// The role no longer exists (or is no longer managed) after the change.
    pub fn is_removed(&self) -> bool {
        self.change.is_some_and(ChangeKind::removes)
    }
}

/// A role's trust policy.
#[derive(Debug, Clone, PartialEq)]
pub enum Trust {
    Document(PolicyDocument),
    /// Not known statically: why (`known after apply`, `data.x.json`).
    Unknown(String),
    /// The string is not a valid policy document.
    Invalid(PolicyError),
    /// The resource has no trust policy attribute.
    Missing,
}

/// Everything extracted from the input.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Roles and stand-alone trust documents, sorted by address.
    pub roles: Vec<Role>,
    /// Arguments and blocks in trust-bearing code that Terraform would refuse.
    pub refused: Vec<Refused>,
}

/// An argument or block Terraform refuses where it is written (`action` in a
/// policy document's `statement`): what it meant is missing from the trust.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Refused {
    /// The resource it is written in.
    pub address: String,
    pub location: crate::model::location::Location,
    pub message: String,
}

/// The stable key of a grant.
pub fn grant_key(role_address: &str, principal: &Principal) -> String {
    format!("{role_address}|{}", principal.normalized())
}
