//! trustdrift: who may assume which IAM role, under which conditions, and
//! whether that trust is scoped. The pipeline as library calls:
//! [`scan`] reads sources into an [`Inventory`], [`check`] judges it;
//! [`run::run`] is the one entry point the binary calls.

pub mod analyze;
pub mod baseline;
pub(crate) mod changed;
pub mod config;
pub mod error;
pub(crate) mod git;
pub mod ingest;
pub mod model;
pub(crate) mod output;
pub mod quickhash;
pub mod report;
pub mod rules;
pub mod run;
pub mod suppress;
pub mod terraform;
pub mod threads;

pub use error::{Error, Result};

use analyze::trust::{TrustGrant, grants, trust_paths};
use config::{Policy, PolicyChange};
pub use ingest::hcl::{CliInput, HclOptions};
use ingest::{IngestNote, Ingested};
use model::inventory::Inventory;
use rules::{Finding, RuleContext};

/// What a scan of the inputs yielded.
pub struct Scan {
    pub inventory: Inventory,
    pub notes: Vec<IngestNote>,
    /// Source texts read as input, by display name (see [`Ingested::sources`]).
    pub sources: std::collections::BTreeMap<String, String>,
    /// Sensitive values read (see [`Ingested::secrets`]).
    pub secrets: std::collections::BTreeSet<String>,
    /// `moved` blocks of the code: (from, to) addresses.
    pub moves: Vec<(String, String)>,
    /// What a plan says existed before the change: its instances with their
    /// `before` values, extracted only when a run compares with them;
    /// `None` for code and state input.
    pub before: Option<Vec<ingest::ResourceInstance>>,
}

impl Scan {
    /// The text of a file read as input, for excerpts; `None` for any file
    /// that was not (a refused symlink, a file never opened).
    pub fn source(&self, display: &str) -> Option<&str> {
        self.sources.get(display).map(String::as_str)
    }

    /// `report` with every sensitive value read replaced by `(sensitive)`:
    /// the last step before any report leaves the process, whatever its
    /// format, so no rule or renderer can print one by mistake.
    pub fn redact(&self, report: String) -> String {
        report::redact(report, &self.secrets)
    }
}

/// Reads every input path (see [`ingest::load_path`]) into one inventory.
pub fn scan(
    paths: &[String],
    hcl_options: &HclOptions,
    stdin: &mut dyn std::io::Read,
) -> Result<Scan> {
    let mut all = Ingested::default();
    for path in paths {
        let mut one = ingest::load_path(path, hcl_options, stdin)?;
        all.instances.append(&mut one.instances);
        all.notes.append(&mut one.notes);
        all.refused.append(&mut one.refused);
        all.sources.append(&mut one.sources);
        all.secrets.append(&mut one.secrets);
        all.moves.append(&mut one.moves);
    }
    Ok(scan_ingested(all))
}

/// The inventory of instances already read.
pub fn scan_ingested(ingested: Ingested) -> Scan {
    let mut notes = ingested.notes;
    notes.sort();
    // The same note reached through several root modules is one note.
    notes.dedup_by(|a, b| a.location == b.location && a.message == b.message);
    let mut inventory = ingest::resources::extract(&ingested.instances);
    let before = ingested
        .instances
        .iter()
        .any(|i| i.change.is_some())
        .then(|| ingest::before_side(ingested.instances));
    let mut refused = ingested.refused;
    refused.sort_by(|a, b| {
        (&a.location, &a.message, &a.address).cmp(&(&b.location, &b.message, &b.address))
    });
    // One block reached through several module instances is one finding.
    refused.dedup_by(|a, b| a.location == b.location);
    inventory.refused = refused;
    Scan {
        inventory,
        notes,
        sources: ingested.sources,
        secrets: ingested.secrets,
        moves: ingested.moves,
        before,
    }
}

/// Every finding of every enabled rule, sorted.
pub fn check(scan: &Scan, policy: &Policy) -> Vec<Finding> {
    check_with(scan, policy, &[])
}

/// [`check`], with the ways the policy file in the change weakens the one
/// in force (TD903).
pub fn check_with(scan: &Scan, policy: &Policy, policy_changes: &[PolicyChange]) -> Vec<Finding> {
    judge(
        scan,
        &Judge {
            policy,
            policy_changes,
            baseline: None,
            today: model::date::Date::today(),
            all: true,
        },
    )
    .findings
}

/// Everything a judgement takes besides the scan.
pub struct Judge<'a> {
    pub policy: &'a Policy,
    /// How the change's policy file weakens the one in force (TD903).
    pub policy_changes: &'a [PolicyChange],
    /// The before to compare with.
    pub baseline: Option<&'a baseline::Loaded>,
    pub today: model::date::Date,
    /// Report findings on grants the before already holds, not only on
    /// those that drifted.
    pub all: bool,
}

/// What a judgement found.
pub struct Judged {
    pub findings: Vec<Finding>,
    pub grants: Vec<TrustGrant>,
    pub drift: Option<analyze::drift::Drift>,
}

/// The grants of a scan as baseline entries, by key.
pub fn entries_of(grants: &[TrustGrant]) -> std::collections::BTreeMap<String, baseline::Entry> {
    grants
        .iter()
        .map(|g| (g.key.clone(), analyze::drift::entry(g)))
        .collect()
}

/// The Bedrock reach of every identity in `inventory` as baseline entries,
/// by key.
pub fn reach_entries_of(
    inventory: &model::inventory::Inventory,
) -> std::collections::BTreeMap<String, baseline::Entry> {
    let effective = analyze::permissions::effective(inventory);
    reach_entries(&analyze::permissions::reaches(&effective))
}

/// Reaches already worked out, as baseline entries by key.
fn reach_entries(
    reach: &[analyze::permissions::IdentityReach<'_>],
) -> std::collections::BTreeMap<String, baseline::Entry> {
    reach
        .iter()
        .filter_map(analyze::drift::reach_entry)
        .map(|e| (e.key.clone(), e))
        .collect()
}

/// [`entries_of`] and [`reach_entries_of`], with the scan's sensitive values replaced in keys and
/// content by a marker that changes with the value (see
/// [`baseline::Redactor`]): what a baseline file holds.
pub fn redacted_entries_of(
    inventory: &model::inventory::Inventory,
    grants: &[TrustGrant],
    secrets: &std::collections::BTreeSet<String>,
) -> std::collections::BTreeMap<String, baseline::Entry> {
    let mut entries = entries_of(grants);
    entries.append(&mut reach_entries_of(inventory));
    redacted(entries, secrets)
}

/// `entries` with the sensitive values in `secrets` replaced by markers.
fn redacted(
    entries: std::collections::BTreeMap<String, baseline::Entry>,
    secrets: &std::collections::BTreeSet<String>,
) -> std::collections::BTreeMap<String, baseline::Entry> {
    let redactor = baseline::Redactor::new(secrets);
    if redactor.is_empty() {
        return entries;
    }
    entries
        .into_values()
        .map(|e| {
            let key = redactor.text(&e.key);
            let entry = baseline::Entry::new(
                key.clone(),
                e.kind,
                redactor.text(&e.subject),
                redactor.value(&e.content.value()),
            );
            (key, entry)
        })
        .collect()
}

/// The grants a plan says existed before its change, as the before drift
/// compares with when there is no baseline and no base revision: a plan
/// already says what changes.
pub fn plan_before(scan: &Scan, policy: &Policy) -> Option<baseline::Loaded> {
    let before = ingest::resources::extract(scan.before.as_ref()?);
    let ctx = rules::trust_context(policy);
    let grants = grants(&trust_paths(&before, &ctx), &ctx);
    Some(baseline::Loaded {
        path: "(the plan's before)".to_string(),
        baseline: baseline::Baseline::new(
            redacted_entries_of(&before, &grants, &scan.secrets)
                .into_values()
                .collect(),
        ),
        lines: Default::default(),
    })
}

/// Old role address → new, from the plan's `previous_address` and the
/// code's `moved` blocks (a move of a whole module or of a resource with
/// all its instances moves every address under it).
pub fn renames_of(scan: &Scan) -> std::collections::BTreeMap<String, String> {
    let mut out: std::collections::BTreeMap<String, String> = scan
        .inventory
        .roles
        .iter()
        .filter_map(|r| Some((r.previous_address.clone()?, r.address.clone())))
        .collect();
    for r in &scan.inventory.roles {
        for (from, to) in &scan.moves {
            let Some(rest) = r.address.strip_prefix(to.as_str()) else {
                continue;
            };
            if rest.is_empty() || rest.starts_with('.') || rest.starts_with('[') {
                out.entry(format!("{from}{rest}"))
                    .or_insert_with(|| r.address.clone());
            }
        }
    }
    out
}

/// Judges a scan: trust paths and grants built once, drift against the
/// before when there is one, every enabled rule; with a before and not
/// `all`, only findings on grants that were added or widened (and findings
/// that are about no grant) are kept.
pub fn judge(scan: &Scan, j: &Judge<'_>) -> Judged {
    let ctx = rules::trust_context(j.policy);
    let paths = trust_paths(&scan.inventory, &ctx);
    let grants = grants(&paths, &ctx);
    // Permissions and reach once: the rules and drift both read them.
    let effective = analyze::permissions::effective(&scan.inventory);
    let reach = analyze::permissions::reaches(&effective);
    // Each grant's content once: drift and copies both read it.
    // With a baseline, each grant's entry too (its content hashed), both
    // in halves side by side.
    let (contents, entries): (Vec<baseline::Content>, Vec<Option<baseline::Entry>>) =
        threads::map_halves(&grants, threads::HALVES_FROM, |g| {
            let c = analyze::drift::content_text(g);
            let e = j.baseline.map(|_| analyze::drift::entry_of(g, c.clone()));
            (c, e)
        })
        .into_iter()
        .unzip();
    let entries = std::sync::Mutex::new(entries);
    // Drift on a thread of its own while the boundary and copies are worked
    // out here: neither reads the other.
    let (drift, (roles, grant_roles, crossing, copies)) = threads::side_by_side(
        || {
            j.baseline.map(|b| {
                // Taken, not copied: this runs once.
                let entries = std::mem::take(
                    &mut *entries
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                );
                let mut after: std::collections::BTreeMap<String, baseline::Entry> = entries
                    .into_iter()
                    .flatten()
                    .map(|e| (e.key.clone(), e))
                    .collect();
                after.append(&mut reach_entries(&reach));
                let mut d = analyze::drift::diff(
                    &b.baseline.entries,
                    &redacted(after, &scan.secrets),
                    &renames_of(scan),
                );
                // The before holds sensitive values as markers: read its drift
                // back under each grant's own key.
                let redactor = baseline::Redactor::new(&scan.secrets);
                if !redactor.is_empty() {
                    for g in &grants {
                        let shown = redactor.text(&g.key);
                        if shown != g.key
                            && let Some(found) = d.grants.get(&shown).cloned()
                        {
                            d.grants.insert(g.key.clone(), found);
                        }
                    }
                }
                d
            })
        },
        || {
            let roles: quickhash::QuickMap<&str, &model::inventory::Role> = scan
                .inventory
                .roles
                .iter()
                .map(|r| (r.address.as_str(), r))
                .collect();
            // Whether each grant crosses the boundary, once: copies and
            // several rules ask.
            let grant_roles: Vec<Option<&model::inventory::Role>> = grants
                .iter()
                .map(|g| roles.get(g.role.as_str()).copied())
                .collect();
            let crossing: Vec<bool> = grants
                .iter()
                .zip(&grant_roles)
                .map(|(g, r)| r.is_some_and(|r| analyze::trust::crosses_boundary(g, r, &ctx)))
                .collect();
            let copies = analyze::copies::find_among(
                &grants,
                &contents,
                &scan.inventory,
                j.baseline,
                |i, _| crossing.get(i).copied().unwrap_or(false),
            );
            (roles, grant_roles, crossing, copies)
        },
    );
    drop(contents);
    let grants_by_key: quickhash::QuickMap<&str, &TrustGrant> =
        grants.iter().map(|g| (g.key.as_str(), g)).collect();
    let grant_drift = drift
        .as_ref()
        .map(|d| d.of_grants(&grants))
        .unwrap_or_default();
    let mut findings = rules::run(&RuleContext {
        inventory: &scan.inventory,
        paths: &paths,
        policy: j.policy,
        trust: &ctx,
        notes: &scan.notes,
        policy_changes: j.policy_changes,
        grants: &grants,
        copies: &copies,
        drift: drift.as_ref(),
        baseline: j.baseline,
        today: j.today,
        roles_by_address: &roles,
        grants_by_key: &grants_by_key,
        effective: &effective,
        reach: &reach,
        crossing: &crossing,
        grant_roles: &grant_roles,
        grant_drift: &grant_drift,
    });
    if let Some(d) = &drift {
        for f in &mut findings {
            f.drift = f.grant.as_deref().and_then(|k| d.class_of(k));
        }
        if !j.all {
            use analyze::drift::DriftClass as C;
            // Copies not yet revalidated, expired approvals and stale
            // baseline entries hold whether or not this change drifted them.
            findings.retain(|f| {
                matches!(f.rule, "TD203" | "TD206" | "TD208")
                    || f.grant.is_none()
                    || matches!(f.drift, Some(C::Added | C::Widened) | None)
            });
        }
    }
    Judged {
        findings,
        grants,
        drift,
    }
}

/// The policy a run is judged by, and how the change weakens it.
pub struct Gate {
    pub policy: Policy,
    /// Empty without a base revision.
    pub weakened: Vec<PolicyChange>,
}

/// The policy in force: without `baseline_ref`, the work tree's (see
/// [`load_policy`]); with it, the one at that revision, the work tree's
/// compared with it (TD903), so a change cannot loosen its own gate.
pub fn load_gate(
    explicit: Option<&str>,
    paths: &[String],
    baseline_ref: Option<&str>,
) -> Result<Gate> {
    let head = load_policy(explicit, paths)?;
    let Some(rev) = baseline_ref else {
        return Ok(Gate {
            policy: head,
            weakened: Vec::new(),
        });
    };
    let base = config::load_at(rev, explicit, paths, &rules::registry::codes())?;
    let defaults: Vec<(&str, model::severity::Severity)> =
        rules::RULES.iter().map(|r| (r.code, r.severity)).collect();
    let weakened = config::weakenings(&base, &head, &defaults);
    Ok(Gate {
        policy: base,
        weakened,
    })
}

/// The grants of the inventory: who may assume what, with which scope.
pub fn grants_of(scan: &Scan, policy: &Policy) -> Vec<TrustGrant> {
    let ctx = rules::trust_context(policy);
    grants(&trust_paths(&scan.inventory, &ctx), &ctx)
}

/// Loads the policy: `explicit` (`--policy`), else `.trustdrift.hcl` in the
/// first scanned directory or the working directory, else the built-in one.
pub fn load_policy(explicit: Option<&str>, paths: &[String]) -> Result<Policy> {
    config::load(explicit, paths, &rules::registry::codes())
}
