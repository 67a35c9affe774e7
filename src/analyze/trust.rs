//! Trust paths (role × Allow statement × principal), who each admits
//! ([`super::admission`]), and the grants they add up to.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::admission::{self, Admission, Admitted, Organization, Request};
use crate::model::inventory::{Inventory, Role, Trust, grant_key};
use crate::model::policy::{Effect, Statement};
use crate::model::principal::{OWN_ACCOUNT, Principal, PrincipalClass};
use crate::model::value::{is_iam_policy_variable, unknown_refs};

/// What the analysis needs to know about the organisation.
#[derive(Debug, Clone, Default)]
pub struct TrustContext {
    /// The organisation's id and accounts; without accounts, each role's own
    /// account is the only one that is "own".
    pub organization: Organization,
    /// Known third-party accounts.
    pub third_parties: BTreeSet<String>,
    pub owner_tags: Vec<String>,
    pub expiry_tag: String,
}

/// One principal's way into one role through one Allow statement.
#[derive(Debug, Clone)]
pub struct TrustPath<'a> {
    pub role: &'a Role,
    pub statement: &'a Statement,
    pub principal: &'a Principal,
    pub class: PrincipalClass,
    /// Who gets in, per kind of request the principal makes.
    pub admissions: Vec<Admission>,
    /// Why IAM refuses the document, when it does: then nobody gets in.
    pub refused: Option<String>,
    /// `None` when the accounts involved are not known.
    pub cross_account: Option<bool>,
    /// The accounts that count as the role's own here (shared by the
    /// role's paths).
    pub own_accounts: std::sync::Arc<BTreeSet<String>>,
    pub grant_key: String,
}

impl TrustPath<'_> {
    pub fn principal_account(&self) -> Option<&str> {
        self.class.account()
    }

    /// The admissions of AWS callers (accounts, roles, users, sessions).
    pub fn aws_callers(&self) -> impl Iterator<Item = &Admission> {
        self.admissions
            .iter()
            .filter(|a| matches!(a.admitted, Admitted::Aws { .. }))
    }

    /// Is the admission narrowed by more than the principal's kind: to your
    /// organisation, named identities, an external id, MFA, a pinned subject
    /// or audience, or a source?
    pub fn is_scoped(&self, a: &Admission, org: &Organization) -> bool {
        match &a.admitted {
            Admitted::Nobody { .. } => true,
            admitted @ Admitted::Aws {
                external_id, mfa, ..
            } => {
                admitted.inside_organization(org, &self.own_accounts)
                    || admitted.names_identities()
                    || *mfa
                    || external_id.only().is_some()
            }
            Admitted::Service {
                source_accounts,
                source_arns,
                source_orgs,
                ..
            } => !(source_accounts.is_any() && source_arns.is_any() && source_orgs.is_any()),
            // A pinned claim other than sub (GitHub's repository) scopes too.
            Admitted::WebIdentity {
                subjects, other, ..
            } => !subjects.is_any() || other.values().any(|s| s.only().is_some()),
            Admitted::Saml { audiences, .. } => !audiences.is_any(),
        }
    }
}

/// The accounts that count as the role's own: the organisation's, without a
/// copy, when the policy names them.
pub fn own_accounts<'c>(role: &Role, ctx: &'c TrustContext) -> Cow<'c, BTreeSet<String>> {
    if !ctx.organization.accounts.is_empty() {
        return Cow::Borrowed(&ctx.organization.accounts);
    }
    Cow::Owned(role.account.iter().cloned().collect())
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
///
/// Many roles are read in two halves side by side, the paths put back in
/// role order.
pub fn trust_paths<'a>(inventory: &'a Inventory, ctx: &TrustContext) -> Vec<TrustPath<'a>> {
    crate::threads::halves(&inventory.roles, crate::threads::HALVES_FROM, |roles| {
        paths_of(roles, ctx)
    })
}

fn paths_of<'a>(
    roles: &'a [crate::model::inventory::Role],
    ctx: &TrustContext,
) -> Vec<TrustPath<'a>> {
    let mut out = Vec::new();
    for role in roles.iter().filter(|r| !r.is_removed()) {
        let Trust::Document(doc) = &role.trust else {
            continue;
        };
        let own = std::sync::Arc::new(own_accounts(role, ctx).into_owned());
        let refused = admission::refusals(&doc.statements)
            .into_iter()
            .next()
            .map(|(_, why)| why);
        // Policy variables exist only in version 2012-10-17 documents; in any
        // other (and without a Version, which IAM reads as 2008-10-17) they are
        // literal text.
        let literal: Vec<Statement> = if doc.version.as_deref() == Some("2012-10-17") {
            Vec::new()
        } else {
            doc.statements.iter().map(literal_variables).collect()
        };
        let evaluated = |s: &'a Statement| -> &Statement {
            doc.statements
                .iter()
                .position(|x| std::ptr::eq(x, s))
                .and_then(|i| literal.get(i))
                .unwrap_or(s)
        };
        let denies: Vec<&Statement> = doc
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Deny && s.covers_assume())
            .map(evaluated)
            .collect();
        for statement in doc
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow && s.covers_assume())
        {
            let Some(principals) = &statement.principals else {
                continue;
            };
            for principal in principals {
                let class = principal.classify();
                let admissions = match &refused {
                    Some(why) => vec![Admission {
                        admitted: Admitted::Nobody { why: why.clone() },
                        defeats: Vec::new(),
                        unresolved: Vec::new(),
                    }],
                    None => {
                        let applying: Vec<&Statement> = denies
                            .iter()
                            .copied()
                            .filter(|d| admission::deny_covers(d, principal))
                            .collect();
                        admission::requests(principal, &class)
                            .iter()
                            .map(|req: &Request| {
                                admission::admit(
                                    evaluated(statement),
                                    principal,
                                    &class,
                                    req,
                                    &applying,
                                )
                            })
                            .collect()
                    }
                };
                out.push(TrustPath {
                    role,
                    statement,
                    principal,
                    cross_account: cross_account(&class, &own, ctx),
                    class,
                    admissions,
                    refused: refused.clone(),
                    own_accounts: std::sync::Arc::clone(&own),
                    grant_key: grant_key(&role.address, principal),
                });
            }
        }
    }
    out
}

/// One principal's way into one role: who it admits, over every statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrustGrant {
    /// `ROLE_ADDRESS|PRINCIPAL`: stable across runs, platforms and edits that
    /// move the code around.
    pub key: String,
    pub role: String,
    pub principal: Principal,
    pub actions: BTreeSet<String>,
    /// `None` when the accounts involved are not known.
    pub cross_account: Option<bool>,
    /// Who is admitted, one entry per way in (sorted, no repeats): the
    /// normalised content a baseline compares.
    pub admits: Vec<Admitted>,
    pub owner: Option<String>,
    pub expires: Option<String>,
    /// Indexes of the Allow statements that grant it.
    #[serde(skip)]
    pub statements: Vec<usize>,
}

/// Whether a grant carries trust across the boundary of your accounts: its
/// principal is in another account (or is anyone), and what it admits is not
/// narrowed to your organisation. Ownership, expiry and copies are judged on
/// these grants only.
pub fn crosses_boundary(grant: &TrustGrant, role: &Role, ctx: &TrustContext) -> bool {
    if grant.cross_account != Some(true) {
        return false;
    }
    let own = own_accounts(role, ctx);
    !grant.admits.iter().all(|a| {
        matches!(a, Admitted::Nobody { .. }) || a.inside_organization(&ctx.organization, &own)
    })
}

/// Paths grouped per (role, principal).
pub fn grants(paths: &[TrustPath<'_>], ctx: &TrustContext) -> Vec<TrustGrant> {
    let mut by_key: BTreeMap<&str, Vec<&TrustPath<'_>>> = BTreeMap::new();
    for p in paths {
        by_key.entry(p.grant_key.as_str()).or_default().push(p);
    }
    let groups: Vec<(&str, Vec<&TrustPath<'_>>)> = by_key.into_iter().collect();
    crate::threads::map_halves(&groups, crate::threads::HALVES_FROM, |(key, group)| {
        let first = group.first()?;
        let mut actions = BTreeSet::new();
        let mut admits = BTreeSet::new();
        for p in group.iter() {
            if p.statement.not_actions.is_empty() {
                actions.extend(p.statement.actions.iter().cloned());
            } else {
                actions.extend(p.statement.assume_actions().into_iter().map(str::to_string));
            }
            admits.extend(p.admissions.iter().map(|a| a.admitted.clone()));
        }
        // A way in that admits somebody makes the ones that admit nobody moot.
        if admits.iter().any(|a| !matches!(a, Admitted::Nobody { .. })) {
            admits.retain(|a| !matches!(a, Admitted::Nobody { .. }));
        }
        let tags = &first.role.tags;
        Some(TrustGrant {
            key: key.to_string(),
            role: first.role.address.clone(),
            principal: first.principal.clone(),
            actions,
            cross_account: first.cross_account,
            admits: admits.into_iter().collect(),
            owner: ctx.owner_tags.iter().find_map(|t| tags.get(t).cloned()),
            expires: tags.get(&ctx.expiry_tag).cloned(),
            statements: group.iter().map(|p| p.statement.index).collect(),
        })
    })
    .into_iter()
    .flatten()
    .collect()
}

/// The statement with every IAM policy variable in its condition values
/// escaped to the literal text it is outside a 2012-10-17 document.
fn literal_variables(statement: &Statement) -> Statement {
    let mut out = statement.clone();
    for c in &mut out.conditions {
        for v in &mut c.values {
            let mut escaped = String::new();
            let mut rest = v.as_str();
            while let Some(start) = rest.find("${") {
                escaped.push_str(&rest[..start]);
                let after = &rest[start + 2..];
                match after.find('}') {
                    Some(end)
                        if is_iam_policy_variable(&after[..end])
                            && !matches!(&after[..end], "*" | "?" | "$") =>
                    {
                        escaped.push_str("${$}{");
                        escaped.push_str(&after[..=end]);
                        rest = &after[end + 1..];
                    }
                    _ => {
                        escaped.push_str("${");
                        rest = after;
                    }
                }
            }
            escaped.push_str(rest);
            *v = escaped;
        }
    }
    out
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

/// Every principal, condition key and value of the trust policy is known.
pub fn trust_resolved(trust: &Trust) -> bool {
    let Trust::Document(doc) = trust else {
        return false;
    };
    doc.statements.iter().all(|s| {
        s.principals
            .iter()
            .chain(s.not_principals.iter())
            .flatten()
            .all(|p| unknown_refs(&p.id).is_empty())
            && s.conditions.iter().all(|c| {
                unknown_refs(&c.key).is_empty()
                    && c.values.iter().all(|v| unknown_refs(v).is_empty())
            })
    })
}
