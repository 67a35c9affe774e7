//! trustdrift: who may assume which IAM role, under which conditions, and
//! whether that trust is scoped. The pipeline as library calls:
//! [`scan`] reads sources into an [`Inventory`], [`check`] judges it;
//! [`run::run`] is the one entry point the binary calls.

pub mod analyze;
pub mod baseline;
pub mod config;
pub mod error;
pub(crate) mod git;
pub mod ingest;
pub mod model;
pub(crate) mod output;
pub mod report;
pub mod rules;
pub mod run;

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
}

impl Scan {
    /// The text of a file read as input, for excerpts; `None` for any file
    /// that was not (a refused symlink, a file never opened).
    pub fn source(&self, display: &str) -> Option<String> {
        self.sources.get(display).cloned()
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
        all.sources.append(&mut one.sources);
        all.secrets.append(&mut one.secrets);
    }
    Ok(scan_ingested(all))
}

/// The inventory of instances already read.
pub fn scan_ingested(ingested: Ingested) -> Scan {
    let mut notes = ingested.notes;
    notes.sort();
    // The same note reached through several root modules is one note.
    notes.dedup_by(|a, b| a.location == b.location && a.message == b.message);
    Scan {
        inventory: ingest::resources::extract(&ingested.instances),
        notes,
        sources: ingested.sources,
        secrets: ingested.secrets,
    }
}

/// Every finding of every enabled rule, sorted.
pub fn check(scan: &Scan, policy: &Policy) -> Vec<Finding> {
    check_with(scan, policy, &[])
}

/// [`check`], with the ways the policy file in the change weakens the one
/// in force (TD903).
pub fn check_with(scan: &Scan, policy: &Policy, policy_changes: &[PolicyChange]) -> Vec<Finding> {
    let ctx = rules::trust_context(policy);
    let paths = trust_paths(&scan.inventory, &ctx);
    rules::run(&RuleContext {
        inventory: &scan.inventory,
        paths: &paths,
        policy,
        trust: &ctx,
        notes: &scan.notes,
        policy_changes,
    })
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
