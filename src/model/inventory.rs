//! What was extracted from the sources: roles (and stand-alone trust
//! documents) with their trust, before any judgement.

use super::location::Location;
use super::policy::{PolicyDocument, PolicyError};
use super::principal::Principal;
use super::small_map::SmallMap;

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
    pub statement_locations: SmallMap<usize, Location>,
    /// `tags_all` where known (so provider `default_tags` count), else `tags`.
    pub tags: SmallMap<String, String>,
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

/// An identity that may hold permissions: a role, a user or a group.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The resource's address (a role's is also its [`Role`]'s).
    pub address: String,
    pub kind: IdentityKind,
    /// `None` when the name is only known after apply.
    pub name: Option<String>,
    pub account: Option<String>,
    pub change: Option<ChangeKind>,
    pub location: Location,
    /// `tags_all` where known, else `tags`.
    pub tags: SmallMap<String, String>,
    /// The permission boundary, when one is set: what the identity may do is
    /// at most what it allows.
    pub boundary: Option<PolicyRef>,
    /// Where the boundary is written.
    pub boundary_location: Option<Location>,
}

/// What kind of policy a [`Policy`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyKind {
    /// `aws_iam_policy`, attached by ARN.
    Managed,
    /// Written on one identity (`aws_iam_role_policy`, an `inline_policy` block).
    Inline,
    /// A policy AWS maintains (`arn:aws:iam::aws:policy/...`), read from
    /// trustdrift's own dated table.
    AwsManaged,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Managed => "managed",
            PolicyKind::Inline => "inline",
            PolicyKind::AwsManaged => "aws-managed",
        }
    }
}

/// An identity-based permissions policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The resource's address; an `inline_policy` block's is its role's
    /// with `.inline_policy["NAME"]`; an AWS managed policy's is its ARN.
    pub address: String,
    pub kind: PolicyKind,
    pub name: Option<String>,
    pub change: Option<ChangeKind>,
    pub location: Location,
    /// Where its document attribute is written.
    pub document_location: Location,
    /// Per statement index, where that statement is written.
    pub statement_locations: SmallMap<usize, Location>,
    /// The document (the same states a trust policy can be in).
    pub document: Trust,
    pub sensitive: bool,
}

impl Policy {
    /// Where statement `index` is written.
    pub fn statement_location(&self, index: usize) -> &Location {
        self.statement_locations
            .get(&index)
            .unwrap_or(&self.document_location)
    }
}

/// How an attachment (or a boundary) names an identity or a policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyRef {
    /// An instance in the inventory, by address.
    Address(String),
    /// An ARN that names nothing in the input (another stack's policy, an
    /// AWS managed policy trustdrift's table does not hold).
    Arn(String),
    /// A name that matches no identity in the input.
    Name(String),
    /// Known only after apply, and not joined to anything in the input:
    /// what it waits on.
    Unknown(String),
}

impl PolicyRef {
    /// The address it resolves to, when it does.
    pub fn address(&self) -> Option<&str> {
        match self {
            PolicyRef::Address(a) => Some(a),
            _ => None,
        }
    }

    /// How a reviewer reads it.
    pub fn display(&self) -> String {
        match self {
            PolicyRef::Address(a) | PolicyRef::Arn(a) | PolicyRef::Name(a) => a.clone(),
            PolicyRef::Unknown(why) => crate::model::value::unknown_marker(why),
        }
    }
}

/// A policy attached to an identity.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The resource that attaches it (an attachment resource, or the role
    /// itself for `managed_policy_arns` and `inline_policy`).
    pub address: String,
    pub identity: PolicyRef,
    pub policy: PolicyRef,
    pub change: Option<ChangeKind>,
    pub location: Location,
}

/// A user in a group: the user holds the group's policies.
#[derive(Debug, Clone)]
pub struct Membership {
    /// The resource that makes it.
    pub address: String,
    pub user: PolicyRef,
    pub group: PolicyRef,
    pub location: Location,
}

/// Everything extracted from the input.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Roles and stand-alone trust documents, sorted by address.
    pub roles: Vec<Role>,
    /// Roles, users and groups, sorted by address.
    pub identities: Vec<Identity>,
    /// Identity-based policies, sorted by address.
    pub policies: Vec<Policy>,
    /// Which policy is attached to which identity, sorted by (identity, policy, address).
    pub attachments: Vec<Attachment>,
    /// Which user is in which group, sorted by (user, group, address).
    pub memberships: Vec<Membership>,
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
