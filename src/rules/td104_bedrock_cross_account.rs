//! # TD104 bedrock-cross-account
//!
//! ## What it checks
//! Bedrock reachable across the account boundary, two ways:
//! - a principal outside the organisation's accounts (another account, a
//!   third party, anyone) may assume a role whose Bedrock reach is not
//!   empty, directly or through a chain of roles in the scanned code (role
//!   A trusts account B; role C trusts role A; C may invoke models). What
//!   counts as outside is what TD002 uses: the organisation's accounts, or
//!   the role's own account when the policy lists none. Chains are followed
//!   up to four roles deep; each outside principal is reported once per
//!   role it reaches, along the shortest chain, at the trust statement that
//!   lets it in.
//! - a policy that invokes models, inference profiles, agents or flows
//!   owned by another account: outside the `bedrock` block's
//!   `allowed_accounts` when it lists them, else any account other than
//!   the identity's own. Reported at the granting statement.
//!
//! The finding is keyed to the Bedrock reach of the identity that invokes,
//! so a baseline holding that reach marks it as drifted or not.
//!
//! ## Why it matters
//! Model invocation is billed to, logged in and governed by the account
//! that invokes. Another account that may assume a role with Bedrock reach
//! spends your quota and sends your data to models under your name; a
//! policy that invokes another account's models sends prompts across the
//! boundary. Either must be a decision someone made, not a side effect.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole"}
//! ```
//! on a role whose policy allows `bedrock:InvokeModel` in `eu-west-1`:
//! `account 222222222222 may assume aws_iam_role.app, which may invoke
//! bedrock:InvokeModel in eu-west-1`.
//!
//! ## Fix
//! Trust only accounts of your organisation (list them in
//! `organization { accounts = [...] }`) on roles that invoke Bedrock, or
//! split the Bedrock permissions into a role the other account cannot
//! reach. For models owned by another account, list that account in
//! `bedrock { allowed_accounts = [...] }` once the sharing is approved.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::quickhash::QuickMap;

use super::{Finding, Rule, RuleContext, snippet, statement_of};
use crate::analyze::admission::Admitted;
use crate::analyze::bedrock::{Origin, accounts_outside};
use crate::analyze::drift::reach_key;
use crate::analyze::permissions::IdentityReach;
use crate::analyze::trust::TrustGrant;
use crate::model::inventory::{IdentityKind, Role, SubjectKind};
use crate::model::location::Location;
use crate::model::principal::{OWN_ACCOUNT, PrincipalClass};
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD104",
    name: "bedrock-cross-account",
    severity: Severity::High,
    summary: "Bedrock reachable across accounts: an identity in another account may assume a role that invokes Bedrock, or a policy invokes models or profiles owned by another account",
    fix: "trust only your organisation's accounts on roles that invoke Bedrock; list approved model owners in bedrock.allowed_accounts",
    source: include_str!("td104_bedrock_cross_account.rs"),
    check,
};

/// The longest chain followed, in roles, the one that invokes included.
const MAX_CHAIN: usize = 4;

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    // Who may assume which role is worked out only when a role reaches
    // Bedrock: most inputs have thousands of grants and no such role.
    let graph = std::cell::OnceCell::new();
    for r in ctx.reach.iter().filter(|r| !r.reach.grants.is_empty()) {
        if r.identity.kind == IdentityKind::Role {
            assumed_from_outside(ctx, rule, graph.get_or_init(|| Graph::build(ctx)), r, out);
        }
        owned_elsewhere(ctx, rule, r, out);
    }
}

/// Who may assume which role: outside principals, and roles of the scanned
/// code that another role trusts.
struct Graph<'g> {
    /// Role → grants that let an outside principal in.
    entries: BTreeMap<&'g str, Vec<&'g TrustGrant>>,
    /// Role → (role in the code it trusts → the grant that trusts it).
    callers: BTreeMap<&'g str, BTreeMap<&'g str, &'g TrustGrant>>,
}

impl<'g> Graph<'g> {
    fn build(ctx: &'g RuleContext<'g>) -> Graph<'g> {
        let mut g = Graph {
            entries: BTreeMap::new(),
            callers: BTreeMap::new(),
        };
        let roles = Roles::of(ctx);
        for grant in ctx.grants {
            let Some((role, _)) = ctx.grant_place(grant) else {
                continue;
            };
            if role.kind != SubjectKind::Role || role.is_removed() {
                continue;
            }
            if ctx.crosses(grant) {
                g.entries
                    .entry(role.address.as_str())
                    .or_default()
                    .push(grant);
                continue;
            }
            if grant
                .admits
                .iter()
                .all(|a| matches!(a, Admitted::Nobody { .. }))
            {
                continue;
            }
            for caller in roles.named(ctx, grant, role) {
                if caller != role.address {
                    g.callers
                        .entry(role.address.as_str())
                        .or_default()
                        .entry(caller)
                        .or_insert(grant);
                }
            }
        }
        g
    }
}

/// The live roles of the scanned code by name and by address, built once.
struct Roles<'g> {
    by_name: QuickMap<&'g str, Vec<&'g Role>>,
    by_address: QuickMap<&'g str, &'g Role>,
}

impl<'g> Roles<'g> {
    fn of(ctx: &'g RuleContext<'g>) -> Roles<'g> {
        let mut by_name: QuickMap<&str, Vec<&Role>> = QuickMap::default();
        let mut by_address = QuickMap::default();
        for r in ctx
            .inventory
            .roles
            .iter()
            .filter(|r| r.kind == SubjectKind::Role && !r.is_removed())
        {
            if let Some(name) = r.name.as_deref() {
                by_name.entry(name).or_default().push(r);
            }
            by_address.insert(r.address.as_str(), r);
        }
        Roles {
            by_name,
            by_address,
        }
    }

    /// Roles a grant's principal names: by reference to the role's ARN, or
    /// by an ARN with its name in a matching account. Sorted by address.
    fn named(&self, ctx: &RuleContext<'_>, grant: &TrustGrant, trusting: &Role) -> Vec<&'g str> {
        let mut out: Vec<&'g str> = match grant.principal.classify() {
            PrincipalClass::Role { account, name }
            | PrincipalClass::AssumedRole {
                account,
                role: name,
            } => {
                let own = crate::analyze::trust::own_accounts(trusting, ctx.trust);
                let last = name.rsplit('/').next().unwrap_or(&name);
                self.by_name
                    .get(last)
                    .into_iter()
                    .flatten()
                    .filter(|r| match r.account.as_deref() {
                        Some(a) => a == account || account == OWN_ACCOUNT,
                        None => account == OWN_ACCOUNT || own.is_empty() || own.contains(&account),
                    })
                    .map(|r| r.address.as_str())
                    .collect()
            }
            // `aws_iam_role.x.arn`: the role whose address the reference
            // starts with, up to one of its dots.
            PrincipalClass::Unknown { refs } => refs
                .iter()
                .flat_map(|x| {
                    x.match_indices('.')
                        .filter_map(|(i, _)| self.by_address.get(&x[..i]))
                        .map(|r| r.address.as_str())
                        .collect::<Vec<_>>()
                })
                .collect(),
            _ => Vec::new(),
        };
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Who an outside grant lets in, as a reviewer reads it.
fn outsider(grant: &TrustGrant) -> String {
    match grant.principal.classify() {
        PrincipalClass::Account { account } => format!("account {account}"),
        PrincipalClass::Role { account, name } => format!("role {name} in account {account}"),
        PrincipalClass::User { account, name } => format!("user {name} in account {account}"),
        PrincipalClass::Everyone => "any AWS principal".to_string(),
        _ => grant.principal.describe(),
    }
}

/// `bedrock:InvokeModel in eu-west-1`: what the reach adds up to.
fn reach_text(r: &IdentityReach<'_>) -> (String, String) {
    let s = r.reach.summary();
    let actions = s.actions.iter().cloned().collect::<Vec<_>>().join(", ");
    let regions = if s.regions.contains("*") {
        "any Region".to_string()
    } else {
        s.regions.iter().cloned().collect::<Vec<_>>().join(", ")
    };
    (actions, regions)
}

fn assumed_from_outside(
    ctx: &RuleContext<'_>,
    rule: &Rule,
    graph: &Graph<'_>,
    r: &IdentityReach<'_>,
    out: &mut Vec<Finding>,
) {
    let target = r.identity.address.as_str();
    let (actions, regions) = reach_text(r);
    // Breadth first from the role that invokes, backwards along trust: the
    // first chain found to each role is a shortest one.
    let mut visited: BTreeSet<&str> = BTreeSet::from([target]);
    let mut queue: VecDeque<Vec<&str>> = VecDeque::from([vec![target]]);
    while let Some(chain) = queue.pop_front() {
        let Some(&head) = chain.first() else { continue };
        for entry in graph.entries.get(head).into_iter().flatten() {
            let Some((role, loc)) = ctx.grant_place(entry) else {
                continue;
            };
            let who = outsider(entry);
            let through = chain
                .iter()
                .skip(1)
                .map(|a| format!(", then {a}"))
                .collect::<String>();
            let arrows = std::iter::once(entry_label(entry))
                .chain(chain.iter().map(|a| a.to_string()))
                .chain(std::iter::once(regions.clone()))
                .collect::<Vec<_>>()
                .join(" → ");
            let index = entry.statements.first().copied().unwrap_or(0);
            let mut f = Finding::new(
                rule,
                &role.address,
                loc,
                format!(
                    "{who} may assume {head}{through}, which may invoke {actions} in {regions} ({arrows})"
                ),
            )
            .snippet(statement_of(role, index).and_then(|s| snippet(role, s)))
            .grant(&reach_key(target));
            // Each further hop: where the next role trusts the one before.
            for pair in chain.windows(2) {
                let [from, to] = pair else { continue };
                if let Some((_, hop)) = graph
                    .callers
                    .get(to)
                    .and_then(|c| c.get(from))
                    .and_then(|g| ctx.grant_place(g))
                {
                    f.related
                        .push((hop.clone(), format!("{to} trusts {from} here")));
                }
            }
            if let Some(loc) = first_granting(r) {
                f.related
                    .push((loc, format!("{target} is allowed Bedrock invocation here")));
            }
            out.push(f);
        }
        if chain.len() >= MAX_CHAIN {
            continue;
        }
        for (&caller, _) in graph.callers.get(head).into_iter().flatten() {
            if visited.insert(caller) {
                let mut next = Vec::with_capacity(chain.len() + 1);
                next.push(caller);
                next.extend(chain.iter().copied());
                queue.push_back(next);
            }
        }
    }
}

/// Where the identity's first invocation grant is written.
fn first_granting(r: &IdentityReach<'_>) -> Option<Location> {
    r.reach
        .grants
        .iter()
        .flat_map(|g| g.via.iter())
        .find_map(|o| o.location.clone())
}

/// The account the outside principal is in, or who it is.
fn entry_label(grant: &TrustGrant) -> String {
    match grant.principal.classify().account() {
        Some(a) => a.to_string(),
        None => grant.principal.id.clone(),
    }
}

/// Actions and resources granted, per granting statement and owner account.
type ByPlace<'r> = BTreeMap<(Option<&'r Origin>, &'r str), (BTreeSet<&'r str>, BTreeSet<&'r str>)>;

fn owned_elsewhere(
    ctx: &RuleContext<'_>,
    rule: &Rule,
    r: &IdentityReach<'_>,
    out: &mut Vec<Finding>,
) {
    let restrictions = ctx.policy.bedrock.clone().unwrap_or_default();
    // One finding per granting statement and owner account.
    let mut by_place: ByPlace<'_> = BTreeMap::new();
    for i in accounts_outside(&r.reach, &restrictions) {
        let Some(g) = r.reach.grants.get(i) else {
            continue;
        };
        let crate::analyze::bedrock::Owner::Account(owner) = &g.owner else {
            continue;
        };
        let entry = by_place
            .entry((g.via.iter().next(), owner.as_str()))
            .or_default();
        entry.0.insert(g.action.as_str());
        entry.1.insert(g.resource.as_str());
    }
    let who = &r.identity.address;
    for ((origin, owner), (actions, resources)) in by_place {
        let why = match &restrictions.allowed_accounts {
            Some(_) => "which bedrock.allowed_accounts does not list".to_string(),
            None => match r.identity.account.as_deref() {
                Some(own) => format!("not its own account {own}"),
                None => "not its own account".to_string(),
            },
        };
        let via = origin
            .map(|o| format!(" (through {})", super::bedrock::statement_name(o)))
            .unwrap_or_default();
        let message = format!(
            "{who} may invoke {} on {}, owned by account {owner}, {why}{via}",
            actions.into_iter().collect::<Vec<_>>().join(", "),
            resources.into_iter().collect::<Vec<_>>().join(", ")
        );
        let f = match origin {
            Some(o) => super::bedrock::finding(ctx, rule, r, o, message),
            None => Finding::new(rule, who, &r.identity.location, message).grant(&reach_key(who)),
        };
        out.push(f.missing(format!("account {owner} in bedrock.allowed_accounts")));
    }
}
