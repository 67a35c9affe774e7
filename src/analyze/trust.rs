//! Trust paths (role × Allow statement × principal), the narrowing
//! conditions on each (DOMAIN §2.1), and the grants they add up to.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::arn::Arn;
use crate::model::inventory::{Inventory, Role, Trust, TrustGrant, grant_key};
use crate::model::policy::{Condition, Effect, SetOperator, Statement, is_all_wildcard};
use crate::model::principal::{OWN_ACCOUNT, Principal, PrincipalClass, PrincipalType};
use crate::model::value::unknown_refs;

/// What the analysis needs to know about the organisation.
#[derive(Debug, Clone, Default)]
pub struct TrustContext {
    /// The organisation's accounts; empty when the policy names none, in
    /// which case each role's own account is the only one that is "own".
    pub organization_accounts: BTreeSet<String>,
    /// Known third-party accounts.
    pub third_parties: BTreeSet<String>,
    pub owner_tags: Vec<String>,
    pub expiry_tag: String,
}

/// A condition key AWS documents as narrowing who gets in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum NarrowingKey {
    ExternalId,
    PrincipalOrgId,
    PrincipalOrgPaths,
    PrincipalAccount,
    PrincipalArn,
    SourceAccount,
    SourceArn,
    SourceOrgId,
    SourceOrgPaths,
    MfaPresent,
    SamlAud,
    /// `HOST:CLAIM` of a web identity provider (`…githubusercontent.com:sub`).
    OidcClaim {
        host: String,
        claim: String,
    },
}

impl NarrowingKey {
    pub fn of(key: &str) -> Option<NarrowingKey> {
        let lower = key.to_ascii_lowercase();
        Some(match lower.as_str() {
            "sts:externalid" => NarrowingKey::ExternalId,
            "aws:principalorgid" => NarrowingKey::PrincipalOrgId,
            "aws:principalorgpaths" => NarrowingKey::PrincipalOrgPaths,
            "aws:principalaccount" => NarrowingKey::PrincipalAccount,
            "aws:principalarn" => NarrowingKey::PrincipalArn,
            "aws:sourceaccount" => NarrowingKey::SourceAccount,
            "aws:sourcearn" => NarrowingKey::SourceArn,
            "aws:sourceorgid" => NarrowingKey::SourceOrgId,
            "aws:sourceorgpaths" => NarrowingKey::SourceOrgPaths,
            "aws:multifactorauthpresent" => NarrowingKey::MfaPresent,
            "saml:aud" => NarrowingKey::SamlAud,
            _ => {
                let (host, claim) = lower.rsplit_once(':')?;
                if host.starts_with("aws")
                    || host.starts_with("sts")
                    || host.starts_with("saml")
                    || !host.contains('.')
                {
                    return None;
                }
                NarrowingKey::OidcClaim {
                    host: host.to_string(),
                    claim: claim.to_string(),
                }
            }
        })
    }

    /// AWS: wildcards in these keys' values have no valid use.
    fn is_sensitive(&self) -> bool {
        matches!(
            self,
            NarrowingKey::PrincipalOrgId
                | NarrowingKey::PrincipalAccount
                | NarrowingKey::SourceAccount
                | NarrowingKey::SourceOrgId
        )
    }

    fn is_multivalued(&self) -> bool {
        matches!(
            self,
            NarrowingKey::PrincipalOrgPaths | NarrowingKey::SourceOrgPaths
        ) || matches!(self, NarrowingKey::OidcClaim { claim, .. } if claim == "amr")
    }

    fn is_arn(&self) -> bool {
        matches!(self, NarrowingKey::PrincipalArn | NarrowingKey::SourceArn)
    }
}

/// Whether a narrowing condition really narrows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeState {
    Effective,
    /// Written as narrowing but undone: why.
    Defeated(String),
    /// Depends on values not known statically.
    Unverifiable(Vec<String>),
}

/// A narrowing condition found on a trust path.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeCondition<'a> {
    pub condition: &'a Condition,
    pub key: NarrowingKey,
    pub state: ScopeState,
    /// From a Deny statement (`Deny` unless `StringNotEquals aws:PrincipalOrgID`):
    /// the same narrowing, written the other way round.
    pub via_deny: Option<usize>,
}

/// One principal's way into one role through one Allow statement.
#[derive(Debug, Clone)]
pub struct TrustPath<'a> {
    pub role: &'a Role,
    pub statement: &'a Statement,
    pub principal: &'a Principal,
    pub class: PrincipalClass,
    pub scope: Vec<ScopeCondition<'a>>,
    /// `None` when the accounts involved are not known.
    pub cross_account: Option<bool>,
    /// The accounts that count as the role's own here.
    pub own_accounts: BTreeSet<String>,
    pub grant_key: String,
}

impl TrustPath<'_> {
    /// The effective narrowing conditions whose key is one of `keys`.
    pub fn effective(&self, accept: impl Fn(&NarrowingKey) -> bool) -> Vec<&ScopeCondition<'_>> {
        self.scope
            .iter()
            .filter(|s| s.state == ScopeState::Effective && accept(&s.key))
            .collect()
    }

    /// The narrowing conditions on `keys` that rest on unknown values.
    pub fn unverifiable(&self, accept: impl Fn(&NarrowingKey) -> bool) -> Vec<&ScopeCondition<'_>> {
        self.scope
            .iter()
            .filter(|s| matches!(s.state, ScopeState::Unverifiable(_)) && accept(&s.key))
            .collect()
    }

    /// Is the path narrowed by a key `accept` takes, or would it be but for
    /// an unknown value? Either way a rule about missing scope stays quiet
    /// (TD012 speaks for the unknown).
    pub fn scoped_or_undecided(&self, accept: impl Fn(&NarrowingKey) -> bool) -> bool {
        self.scope.iter().any(|s| {
            matches!(s.state, ScopeState::Effective | ScopeState::Unverifiable(_)) && accept(&s.key)
        })
    }

    pub fn principal_account(&self) -> Option<&str> {
        self.class.account()
    }
}

/// Judges one condition of an Allow statement.
fn judge(condition: &Condition, key: &NarrowingKey) -> Option<ScopeState> {
    let op = &condition.operator;
    if op.base.eq_ignore_ascii_case("Null") {
        return None;
    }
    if op.is_negated() {
        return Some(ScopeState::Defeated(format!(
            "{} allows every value except the ones listed",
            op.text
        )));
    }
    if !op.is_positive_match() {
        return None;
    }
    if *key == NarrowingKey::MfaPresent {
        return condition
            .values
            .iter()
            .all(|v| v == "true")
            .then_some(ScopeState::Effective);
    }
    if op.if_exists {
        return Some(ScopeState::Defeated(format!(
            "{} is true when the request has no {} at all",
            op.text, condition.key
        )));
    }
    if op.set == Some(SetOperator::ForAllValues) && !key.is_multivalued() {
        return Some(ScopeState::Defeated(format!(
            "ForAllValues: is true when the request has no {} at all",
            condition.key
        )));
    }
    let refs: Vec<String> = unknown_refs(&condition.key)
        .into_iter()
        .chain(condition.values.iter().flat_map(|v| unknown_refs(v)))
        .map(str::to_string)
        .collect();
    if condition.values.is_empty() {
        return Some(ScopeState::Defeated(
            "the condition lists no value".to_string(),
        ));
    }
    let wildcards = op.has_wildcards();
    for value in &condition.values {
        if !unknown_refs(value).is_empty() {
            continue;
        }
        if wildcards && is_all_wildcard(value) {
            return Some(ScopeState::Defeated(format!(
                "the value \"{value}\" matches anything"
            )));
        }
        if wildcards && key.is_sensitive() && (value.contains('*') || value.contains('?')) {
            return Some(ScopeState::Defeated(format!(
                "the value \"{value}\" is a wildcard, which AWS says has no valid use in {}",
                condition.key
            )));
        }
        if wildcards && key.is_arn() {
            match Arn::parse(value) {
                Some(arn) if is_all_wildcard(arn.account) => {
                    return Some(ScopeState::Defeated(format!(
                        "the value \"{value}\" matches that name in any account"
                    )));
                }
                None if value.contains('*') => {
                    return Some(ScopeState::Defeated(format!(
                        "the value \"{value}\" is not an ARN pattern that fixes the account"
                    )));
                }
                _ => {}
            }
        }
    }
    if !refs.is_empty() {
        let value_decides =
            wildcards || matches!(key, NarrowingKey::OidcClaim { claim, .. } if claim == "sub");
        if value_decides || !unknown_refs(&condition.key).is_empty() {
            return Some(ScopeState::Unverifiable(refs));
        }
    }
    Some(ScopeState::Effective)
}

/// Does Deny statement `deny` apply to `principal`?
fn deny_covers(deny: &Statement, principal: &Principal) -> bool {
    deny.principals.as_ref().is_some_and(|ps| {
        ps.iter().any(|p| {
            matches!(p.classify(), PrincipalClass::Everyone)
                || p.normalized() == principal.normalized()
        })
    })
}

/// A Deny statement of the form "deny unless KEY is V": the narrowing it adds.
fn deny_guard<'a>(deny: &'a Statement) -> Option<ScopeCondition<'a>> {
    let [condition] = deny.conditions.as_slice() else {
        return None;
    };
    let key = NarrowingKey::of(&condition.key)?;
    let op = &condition.operator;
    if !op.is_negated() || op.if_exists || condition.values.is_empty() {
        return None;
    }
    let state = if op.has_wildcards() && condition.values.iter().any(|v| is_all_wildcard(v)) {
        ScopeState::Defeated(format!("the Deny's {} \"*\" never applies", op.text))
    } else {
        let refs: Vec<String> = condition
            .values
            .iter()
            .flat_map(|v| unknown_refs(v))
            .map(str::to_string)
            .collect();
        if refs.is_empty() {
            ScopeState::Effective
        } else {
            ScopeState::Unverifiable(refs)
        }
    };
    Some(ScopeCondition {
        condition,
        key,
        state,
        via_deny: Some(deny.index),
    })
}

/// The accounts that count as the role's own.
pub fn own_accounts(role: &Role, ctx: &TrustContext) -> BTreeSet<String> {
    if !ctx.organization_accounts.is_empty() {
        return ctx.organization_accounts.clone();
    }
    role.account.iter().cloned().collect()
}

fn cross_account(
    class: &PrincipalClass,
    own: &BTreeSet<String>,
    ctx: &TrustContext,
) -> Option<bool> {
    match class {
        PrincipalClass::Everyone => Some(true),
        PrincipalClass::Service { .. } | PrincipalClass::WebIdentity { .. } => Some(false),
        PrincipalClass::Unknown { .. }
        | PrincipalClass::UniqueId
        | PrincipalClass::Unrecognised
        | PrincipalClass::CanonicalUser => None,
        other => {
            let account = other.account()?;
            if account == OWN_ACCOUNT {
                Some(false)
            } else if ctx.third_parties.contains(account) {
                Some(true)
            } else if own.is_empty() {
                None
            } else {
                Some(!own.contains(account))
            }
        }
    }
}

/// Every trust path of every role that exists after the change.
pub fn trust_paths<'a>(inventory: &'a Inventory, ctx: &TrustContext) -> Vec<TrustPath<'a>> {
    let mut out = Vec::new();
    for role in inventory.roles.iter().filter(|r| !r.is_removed()) {
        let Trust::Document(doc) = &role.trust else {
            continue;
        };
        let own = own_accounts(role, ctx);
        let denies: Vec<&Statement> = doc
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Deny && s.covers_assume())
            .collect();
        for statement in doc
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow && s.covers_assume())
        {
            let Some(principals) = &statement.principals else {
                continue;
            };
            let own_scope: Vec<ScopeCondition<'_>> = statement
                .conditions
                .iter()
                .filter_map(|c| {
                    let key = NarrowingKey::of(&c.key)?;
                    let state = judge(c, &key)?;
                    Some(ScopeCondition {
                        condition: c,
                        key,
                        state,
                        via_deny: None,
                    })
                })
                .collect();
            for principal in principals {
                let class = principal.classify();
                let mut scope = own_scope.clone();
                scope.extend(
                    denies
                        .iter()
                        .filter(|d| deny_covers(d, principal))
                        .filter_map(|d| deny_guard(d)),
                );
                out.push(TrustPath {
                    role,
                    statement,
                    principal,
                    cross_account: cross_account(&class, &own, ctx),
                    class,
                    scope,
                    own_accounts: own.clone(),
                    grant_key: grant_key(&role.address, principal),
                });
            }
        }
    }
    out
}

/// Paths grouped per (role, principal).
pub fn grants(paths: &[TrustPath<'_>], ctx: &TrustContext) -> Vec<TrustGrant> {
    let mut by_key: BTreeMap<&str, Vec<&TrustPath<'_>>> = BTreeMap::new();
    for p in paths {
        by_key.entry(p.grant_key.as_str()).or_default().push(p);
    }
    by_key
        .into_iter()
        .filter_map(|(key, group)| {
            let first = group.first()?;
            let mut actions = BTreeSet::new();
            for p in &group {
                if p.statement.not_actions.is_empty() {
                    actions.extend(p.statement.actions.iter().cloned());
                } else {
                    actions.extend(p.statement.assume_actions().into_iter().map(str::to_string));
                }
            }
            // Only what holds on every way in narrows the grant.
            let mut scope: Vec<Condition> = first
                .scope
                .iter()
                .filter(|s| s.state == ScopeState::Effective)
                .map(|s| s.condition.clone())
                .collect();
            for p in &group[1..] {
                scope.retain(|c| {
                    p.scope
                        .iter()
                        .any(|s| s.state == ScopeState::Effective && s.condition == c)
                });
            }
            scope.sort();
            scope.dedup();
            let tags = &first.role.tags;
            Some(TrustGrant {
                key: key.to_string(),
                role: first.role.address.clone(),
                principal: first.principal.clone(),
                actions,
                cross_account: first.cross_account,
                scope,
                owner: ctx.owner_tags.iter().find_map(|t| tags.get(t).cloned()),
                expires: tags.get(&ctx.expiry_tag).cloned(),
                statements: group.iter().map(|p| p.statement.index).collect(),
            })
        })
        .collect()
}

/// Keys of a Federated principal's provider, as they appear in conditions.
pub fn provider_host(class: &PrincipalClass) -> Option<&str> {
    match class {
        PrincipalClass::OidcProvider { host, .. } | PrincipalClass::WebIdentity { host } => {
            Some(host)
        }
        _ => None,
    }
}

/// Is `principal` a `{"AWS": ...}` or `"*"` entry (as opposed to a service
/// or federated one)?
pub fn is_aws_principal(principal: &Principal) -> bool {
    matches!(principal.kind, PrincipalType::Aws | PrincipalType::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::policy::Operator;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition {
            operator: Operator::parse(op),
            key: key.to_string(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn state(op: &str, key: &str, values: &[&str]) -> Option<ScopeState> {
        let c = cond(op, key, values);
        judge(&c, &NarrowingKey::of(key).expect("narrowing"))
    }

    #[test]
    fn narrowing_keys_are_case_insensitive() {
        assert_eq!(
            NarrowingKey::of("AWS:SourceArn"),
            Some(NarrowingKey::SourceArn)
        );
        assert_eq!(
            NarrowingKey::of("token.actions.githubusercontent.com:sub"),
            Some(NarrowingKey::OidcClaim {
                host: "token.actions.githubusercontent.com".into(),
                claim: "sub".into()
            })
        );
        assert_eq!(NarrowingKey::of("aws:RequestedRegion"), None);
    }

    #[test]
    fn scope_is_judged() {
        assert_eq!(
            state("StringEquals", "aws:PrincipalOrgID", &["o-abc"]),
            Some(ScopeState::Effective)
        );
        assert!(matches!(
            state("StringLike", "aws:PrincipalOrgID", &["o-*"]),
            Some(ScopeState::Defeated(_))
        ));
        assert!(matches!(
            state("StringLike", "sts:ExternalId", &["*"]),
            Some(ScopeState::Defeated(_))
        ));
        assert_eq!(
            state("StringEquals", "sts:ExternalId", &["*"]),
            Some(ScopeState::Effective)
        );
        assert!(matches!(
            state("StringEqualsIfExists", "sts:ExternalId", &["x"]),
            Some(ScopeState::Defeated(_))
        ));
        assert!(matches!(
            state(
                "ForAllValues:StringEquals",
                "token.actions.githubusercontent.com:aud",
                &["sts.amazonaws.com"]
            ),
            Some(ScopeState::Defeated(_))
        ));
        assert_eq!(
            state(
                "ForAnyValue:StringLike",
                "aws:PrincipalOrgPaths",
                &["o-a/r-b/*"]
            ),
            Some(ScopeState::Effective)
        );
        assert!(matches!(
            state(
                "ArnLike",
                "aws:PrincipalArn",
                &["arn:aws:iam::*:role/admin"]
            ),
            Some(ScopeState::Defeated(_))
        ));
        assert_eq!(
            state(
                "ArnLike",
                "aws:PrincipalArn",
                &["arn:aws:iam::123456789012:role/*"]
            ),
            Some(ScopeState::Effective)
        );
        assert!(matches!(
            state("StringNotEquals", "aws:PrincipalOrgID", &["o-abc"]),
            Some(ScopeState::Defeated(_))
        ));
        assert_eq!(
            state("Bool", "aws:MultiFactorAuthPresent", &["false"]),
            None
        );
        assert_eq!(
            state("StringEquals", "sts:ExternalId", &["${var.external_id}"]),
            Some(ScopeState::Effective)
        );
        assert!(matches!(
            state("ArnLike", "aws:PrincipalArn", &["${var.arn}"]),
            Some(ScopeState::Unverifiable(_))
        ));
    }
}
