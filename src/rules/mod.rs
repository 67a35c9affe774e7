//! Rules: each judges the analysed model and adds findings. One file per
//! rule; its `//!` comment is what `explain`, SARIF help and the README show.

pub mod finding;
pub mod registry;

mod bedrock;

mod td001_trust_any_principal;
mod td002_cross_account_unscoped;
mod td003_account_root_trust;
mod td004_oidc_subject_unpinned;
mod td005_saml_unscoped;
mod td006_service_confused_deputy;
mod td007_scope_defeated;
mod td008_long_session;
mod td009_shared_role;
mod td010_trust_policy_writable;
mod td011_not_principal_allow;
mod td012_trust_unverifiable;
mod td101_bedrock_region_not_allowed;
mod td102_bedrock_any_region;
mod td103_bedrock_cross_region_profile;
mod td104_bedrock_cross_account;
mod td105_bedrock_wildcard_action;
mod td106_bedrock_unowned;
mod td201_trust_added;
mod td202_trust_widened;
mod td203_copied_trust_unrevalidated;
mod td204_owner_missing;
mod td205_expiry_missing;
mod td206_trust_expired;
mod td207_bedrock_reach_widened;
mod td208_baseline_stale;
mod td901_policy_document_invalid;
pub(crate) mod td902_suppression_invalid;
mod td903_policy_weakened;

use std::collections::BTreeSet;

pub use finding::Finding;
pub use registry::{RULES, Rule};

use crate::analyze::trust::{TrustContext, TrustPath};
use crate::config::Policy;
use crate::ingest::IngestNote;
use crate::model::inventory::{Inventory, Role};
use crate::model::policy::Statement;

/// What every rule sees.
pub struct RuleContext<'a> {
    pub inventory: &'a Inventory,
    pub paths: &'a [TrustPath<'a>],
    pub policy: &'a Policy,
    pub trust: &'a TrustContext,
    pub notes: &'a [IngestNote],
    /// How the policy file in the change weakens the one in force
    /// (`--baseline-ref`); empty otherwise.
    pub policy_changes: &'a [crate::config::PolicyChange],
    /// The grants (one per role and principal), built once.
    pub grants: &'a [crate::analyze::trust::TrustGrant],
    /// Grants that copy another role's cross-account trust.
    pub copies: &'a [crate::analyze::copies::CopiedGrant],
    /// What changed against the before (baseline), when there is one.
    pub drift: Option<&'a crate::analyze::drift::Drift>,
    /// The baseline file drift was computed against.
    pub baseline: Option<&'a crate::baseline::Loaded>,
    /// "Today", for expiry (`--today`, default the system date).
    pub today: crate::model::date::Date,
    /// Roles by address, and grants by key: every lookup a rule makes is
    /// a hash away, so rules stay linear in the number of grants.
    pub roles_by_address: &'a crate::quickhash::QuickMap<&'a str, &'a Role>,
    pub grants_by_key:
        &'a crate::quickhash::QuickMap<&'a str, &'a crate::analyze::trust::TrustGrant>,
    /// Every identity's effective permissions (policies, boundary, what
    /// could not be read), in identity order.
    pub effective: &'a [crate::analyze::permissions::Effective<'a>],
    /// Every identity's Bedrock reach, in identity order (identities that
    /// reach nothing and have nothing unverifiable are left out).
    pub reach: &'a [crate::analyze::permissions::IdentityReach<'a>],
    /// Whether `grants[i]` crosses the boundary of your accounts, worked out
    /// once (see [`RuleContext::crosses`]); empty to work it out per call.
    pub crossing: &'a [bool],
    /// The role of `grants[i]`, looked up once (see
    /// [`RuleContext::grant_place`]); empty to look it up per call.
    pub grant_roles: &'a [Option<&'a Role>],
    /// The drift of `grants[i]`, found once (see
    /// [`crate::analyze::drift::Drift::of_grants`]); empty to look it up
    /// per call.
    pub grant_drift: &'a [Option<&'a crate::analyze::drift::GrantDrift>],
}

impl RuleContext<'_> {
    /// The role a grant is about and where its first granting statement is.
    pub fn grant_place(
        &self,
        grant: &crate::analyze::trust::TrustGrant,
    ) -> Option<(&Role, &crate::model::location::Location)> {
        let role = match self.index_of(grant).and_then(|i| self.grant_roles.get(i)) {
            Some(found) => (*found)?,
            None => *self.roles_by_address.get(grant.role.as_str())?,
        };
        let index = grant.statements.first().copied().unwrap_or(0);
        Some((role, role.statement_location(index)))
    }

    /// The index of `grant` in `grants` when it is one of them (by address,
    /// not by content).
    fn index_of(&self, grant: &crate::analyze::trust::TrustGrant) -> Option<usize> {
        let size = std::mem::size_of::<crate::analyze::trust::TrustGrant>().max(1);
        let offset = (grant as *const _ as usize).wrapping_sub(self.grants.as_ptr() as usize);
        let i = offset / size;
        (offset % size == 0 && self.grants.get(i).is_some_and(|g| std::ptr::eq(g, grant)))
            .then_some(i)
    }

    /// The grant's drift against the before, when there is one.
    pub fn drift_of(
        &self,
        grant: &crate::analyze::trust::TrustGrant,
    ) -> Option<&crate::analyze::drift::GrantDrift> {
        // Rules ask about the grants of `grants`: their drift is stored.
        if let Some(&found) = self.index_of(grant).and_then(|i| self.grant_drift.get(i)) {
            return found;
        }
        self.drift?.grants.get(&grant.key)
    }

    /// The grant carries trust across the boundary of your accounts (see
    /// [`crate::analyze::trust::crosses_boundary`]).
    pub fn crosses(&self, grant: &crate::analyze::trust::TrustGrant) -> bool {
        // Rules ask about the grants of `grants`: their answer is stored.
        if let Some(&crossing) = self.index_of(grant).and_then(|i| self.crossing.get(i)) {
            return crossing;
        }
        self.grant_place(grant).is_some_and(|(role, _)| {
            crate::analyze::trust::crosses_boundary(grant, role, self.trust)
        })
    }
}

/// The analysis context a policy implies.
pub fn trust_context(policy: &Policy) -> TrustContext {
    TrustContext {
        organization: crate::analyze::admission::Organization {
            id: policy.organization.id.clone(),
            accounts: policy.organization.accounts.clone(),
        },
        third_parties: policy.accounts.keys().cloned().collect(),
        owner_tags: policy.metadata.owner_tags.clone(),
        expiry_tag: policy.metadata.expiry_tag.clone(),
    }
}

/// Runs every enabled rule, applies the policy's severities, and sorts.
///
/// Rules run side by side on the run's threads, each taking the next rule
/// not yet taken; their findings are put back in rule order before sorting,
/// so the result does not depend on which thread ran what.
pub fn run(ctx: &RuleContext<'_>) -> Vec<Finding> {
    let one = |rule: &Rule| -> Vec<Finding> {
        let setting = ctx.policy.rules.get(rule.code);
        if setting.and_then(|s| s.enabled) == Some(false) {
            return Vec::new();
        }
        let mut found = Vec::new();
        (rule.check)(ctx, rule, &mut found);
        if let Some(severity) = setting.and_then(|s| s.severity) {
            for f in &mut found {
                f.severity = severity;
            }
        }
        found
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let take = || -> Vec<(usize, Vec<Finding>)> {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(rule) = RULES.get(k) else {
                return done;
            };
            done.push((k, one(rule)));
        }
    };
    let threads = crate::ingest::hcl::thread_count().min(RULES.len());
    let mut by_rule: Vec<(usize, Vec<Finding>)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|i| {
                std::thread::Builder::new()
                    .name(format!("trustdrift-rules-{i}"))
                    .stack_size(16 * 1024 * 1024)
                    .spawn_scoped(s, take)
                    .ok()
            })
            .collect();
        let mut all = take();
        for h in helpers {
            match h.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    by_rule.sort_by_key(|(k, _)| *k);
    let mut out: Vec<Finding> = by_rule.into_iter().flat_map(|(_, f)| f).collect();
    note_trust_from_code(ctx, &mut out);
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.dedup();
    out
}

/// A finding on trust a plan knows only after apply, judged from the code:
/// it says so, and points at the plan record as well as the code.
fn note_trust_from_code(ctx: &RuleContext<'_>, out: &mut [Finding]) {
    if ctx
        .inventory
        .roles
        .iter()
        .all(|r| r.trust_from_code_for.is_none())
    {
        return;
    }
    // The first role at each address, as a hash away (linear in findings).
    let mut first = std::collections::HashMap::new();
    for r in &ctx.inventory.roles {
        first
            .entry(r.address.as_str())
            .or_insert(r.trust_from_code_for.as_ref());
    }
    for f in out.iter_mut() {
        let Some(plan) = first.get(f.address.as_str()).copied().flatten() else {
            continue;
        };
        f.message.push_str(
            " (the plan holds this trust as known after apply; judged from the code, with the plan's values)",
        );
        f.related.push((
            plan.clone(),
            "the plan's record of this role: trust known after apply".to_string(),
        ));
    }
}

/// The statement as a reviewer should see it: pretty JSON, with condition
/// values hidden when the policy is marked sensitive.
pub fn snippet(role: &Role, statement: &Statement) -> Option<String> {
    snippet_of(statement, role.trust_sensitive)
}

/// [`snippet`] for any policy statement: condition values hidden when
/// `sensitive`.
pub fn snippet_of(statement: &Statement, sensitive: bool) -> Option<String> {
    if !sensitive {
        return Some(crate::model::json::pretty(&statement.raw));
    }
    // Numbers appear only among condition values, which are hidden here:
    // reading the text again cannot change a digit that is shown.
    let mut raw: serde_json::Value = serde_json::from_str(&statement.raw).ok()?;
    if let Some(serde_json::Value::Object(ops)) = raw.get_mut("Condition") {
        for keys in ops.values_mut() {
            if let serde_json::Value::Object(keys) = keys {
                for v in keys.values_mut() {
                    *v = serde_json::Value::String("(sensitive)".to_string());
                }
            }
        }
    }
    serde_json::to_string_pretty(&raw).ok()
}

/// A finding about one trust path: placed at its statement, showing it,
/// naming the grant.
pub fn path_finding(rule: &Rule, p: &TrustPath<'_>, message: impl Into<String>) -> Finding {
    Finding::new(
        rule,
        &p.role.address,
        p.role.statement_location(p.statement.index),
        message,
    )
    .snippet(snippet(p.role, p.statement))
    .grant(&p.grant_key)
}

/// `a, b or c`.
pub fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Paths deduplicated to one per (role, statement): for rules about the
/// statement rather than each principal in it.
pub fn per_statement<'p, 'a>(paths: &'p [TrustPath<'a>]) -> Vec<&'p TrustPath<'a>> {
    let mut seen = BTreeSet::new();
    paths
        .iter()
        .filter(|p| seen.insert((p.role.address.as_str(), p.statement.index)))
        .collect()
}

/// Statement `index` of a role's trust document.
pub fn statement_of(role: &Role, index: usize) -> Option<&Statement> {
    match &role.trust {
        crate::model::inventory::Trust::Document(doc) => {
            doc.statements.iter().find(|s| s.index == index)
        }
        _ => None,
    }
}
