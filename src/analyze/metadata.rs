//! Who owns a grant, until when it holds, and when it was last reviewed:
//! read, in order, from the grant's approval in the baseline, the role's tags
//! (plan `tags_all`, so provider `default_tags` count), and the policy file's
//! per-account owner.

use crate::baseline::Loaded;
use crate::config::Policy;
use crate::model::date::Date;
use crate::model::inventory::{Identity, Role};

use super::trust::TrustGrant;

/// Where a piece of metadata was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    Approval,
    Tag,
    Policy,
}

impl From {
    pub fn as_str(self) -> &'static str {
        match self {
            From::Approval => "its baseline approval",
            From::Tag => "the role's tags",
            From::Policy => "the policy file",
        }
    }
}

/// A grant's ownership and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantMetadata {
    pub owner: Option<(String, From)>,
    /// As written (may not be a date).
    pub expires: Option<(String, From)>,
    pub review: Option<String>,
    pub ticket: Option<String>,
}

impl GrantMetadata {
    /// The expiry as a date, when it is one.
    pub fn expiry_date(&self) -> Option<Date> {
        self.expires.as_ref().and_then(|(d, _)| Date::parse(d))
    }
}

/// The metadata of `grant` on `role`.
pub fn of(
    grant: &TrustGrant,
    role: &Role,
    policy: &Policy,
    baseline: Option<&Loaded>,
) -> GrantMetadata {
    let approval = baseline
        .and_then(|b| b.baseline.entries.get(&grant.key))
        .and_then(|e| e.approval.as_ref());
    let tag = |key: &str| role.tags.get(key).filter(|v| !v.trim().is_empty()).cloned();
    let owner = approval
        .map(|a| (a.owner.clone(), From::Approval))
        .or_else(|| owner_tag(&role.tags, policy).map(|o| (o, From::Tag)))
        .or_else(|| {
            grant
                .principal
                .classify()
                .account()
                .and_then(|a| policy.accounts.get(a))
                .and_then(|p| p.owner.clone())
                .map(|o| (o, From::Policy))
        });
    let expires = approval
        .map(|a| (a.expires.clone(), From::Approval))
        .or_else(|| tag(&policy.metadata.expiry_tag).map(|e| (e, From::Tag)));
    GrantMetadata {
        owner,
        expires,
        review: tag(&policy.metadata.review_tag),
        ticket: approval
            .and_then(|a| a.ticket.clone())
            .or_else(|| tag(&policy.metadata.ticket_tag)),
    }
}

/// Whether [`of`] finds an owner for `grant`, without building the rest.
pub fn has_owner(
    grant: &TrustGrant,
    role: &Role,
    policy: &Policy,
    baseline: Option<&Loaded>,
) -> bool {
    baseline
        .and_then(|b| b.baseline.entries.get(&grant.key))
        .is_some_and(|e| e.approval.is_some())
        || policy
            .metadata
            .owner_tags
            .iter()
            .any(|t| role.tags.get(t).is_some_and(|v| !v.trim().is_empty()))
        || grant
            .principal
            .classify()
            .account()
            .and_then(|a| policy.accounts.get(a))
            .is_some_and(|p| p.owner.is_some())
}

/// [`of`]'s expiry of `grant`, borrowed, without building the rest.
pub fn expires_of<'a>(
    grant: &TrustGrant,
    role: &'a Role,
    policy: &Policy,
    baseline: Option<&'a Loaded>,
) -> Option<(&'a str, From)> {
    match baseline
        .and_then(|b| b.baseline.entries.get(&grant.key))
        .and_then(|e| e.approval.as_ref())
    {
        Some(a) => Some((a.expires.as_str(), From::Approval)),
        None => role
            .tags
            .get(&policy.metadata.expiry_tag)
            .filter(|v| !v.trim().is_empty())
            .map(|e| (e.as_str(), From::Tag)),
    }
}

/// The first of the policy's owner tags (`metadata.owner_tags`) set to a
/// non-blank value.
pub fn owner_tag(
    tags: &crate::model::small_map::SmallMap<String, String>,
    policy: &Policy,
) -> Option<String> {
    policy
        .metadata
        .owner_tags
        .iter()
        .find_map(|t| tags.get(t).filter(|v| !v.trim().is_empty()).cloned())
}

/// Who owns an identity's Bedrock reach: the approval of its baseline entry
/// (`key`), else the identity's owner tag.
pub fn reach_owner(
    identity: &Identity,
    key: &str,
    policy: &Policy,
    baseline: Option<&Loaded>,
) -> Option<(String, From)> {
    baseline
        .and_then(|b| b.baseline.entries.get(key))
        .and_then(|e| e.approval.as_ref())
        .map(|a| (a.owner.clone(), From::Approval))
        .or_else(|| owner_tag(&identity.tags, policy).map(|o| (o, From::Tag)))
}
