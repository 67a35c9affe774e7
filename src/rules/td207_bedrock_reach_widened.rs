//! # TD207 bedrock-reach-widened
//!
//! ## What it checks
//! With a before (a baseline, the base revision, or a plan's own before
//! values), every identity whose Bedrock reach grew: Regions it may invoke
//! models in, accounts whose models or profiles it may use, models or
//! resources, or invocation actions that the before did not hold. An
//! identity that reached no Bedrock before and does now counts as widened by
//! all of its reach, at medium severity. Reach is compared as sets, not as policy text, so a
//! reworded policy that reaches the same Regions is quiet, and one new
//! inference profile that routes to three more Regions is not.
//!
//! ## Why it matters
//! Data residency and cost controls rest on where models run. A policy edit
//! that adds `us-east-1`, or swaps a model id for a `global.` profile, moves
//! inference out of the approved Regions while the diff looks like a
//! one-line change to a resource ARN.
//!
//! ## Example
//! The baseline holds `aws_iam_role.app` reaching `eu-west-1`; the change
//! adds `arn:aws:bedrock:us-east-1::foundation-model/*` to its policy:
//! TD207 names `us-east-1` and the statement that grants it.
//!
//! ## Fix
//! Remove the added reach, or, if it is intended, have it reviewed and
//! recorded (`trustdrift baseline update`, then `approve`).

use std::collections::BTreeSet;

use super::{Finding, Rule, RuleContext};
use crate::analyze::bedrock::ReachSummary;
use crate::analyze::drift::DriftClass;
use crate::baseline::EntryKind;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD207",
    name: "bedrock-reach-widened",
    severity: Severity::High,
    summary: "regions, accounts or models added to an identity's Bedrock reach against the before",
    fix: "remove the added reach, or have it reviewed and recorded in the baseline",
    source: include_str!("td207_bedrock_reach_widened.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let Some(drift) = ctx.drift else {
        return;
    };
    let before = ctx
        .baseline
        .map(|b| b.described())
        .unwrap_or_else(|| "the before".to_string());
    for r in ctx.reach {
        let key = crate::analyze::drift::reach_key(&r.identity.address);
        let Some(d) = drift.grants.get(&key) else {
            continue;
        };
        let reasons = match d.class {
            DriftClass::Widened => d.reasons.clone(),
            DriftClass::Added => {
                added_reasons(d.after.as_ref().map(|e| e.content.value()).as_ref())
            }
            _ => continue,
        };
        if d.after
            .as_ref()
            .is_some_and(|e| e.kind != EntryKind::Bedrock)
            || reasons.is_empty()
        {
            continue;
        }
        // The statements behind what was added: those of the grants whose
        // Regions, owner or resource the before did not hold.
        let old: Option<ReachSummary> = d
            .before
            .as_ref()
            .and_then(|e| serde_json::from_value(e.content.value()).ok());
        let mut origins = BTreeSet::new();
        for g in &r.reach.grants {
            let new_here = match &old {
                None => true,
                Some(b) => {
                    g.reach_regions()
                        .list()
                        .iter()
                        .any(|x| !b.regions.contains(x) && !b.regions.contains("*"))
                        || !b.resources.contains(&g.resource)
                        || !b.actions.contains(&g.action)
                }
            };
            if new_here {
                origins.extend(g.via.iter().cloned());
            }
        }
        let at = origins
            .iter()
            .find_map(|o| o.location.clone())
            .unwrap_or_else(|| r.identity.location.clone());
        let through: Vec<String> = origins
            .iter()
            .map(|o| format!("{} statement {}", o.policy, o.statement))
            .collect();
        let mut message = format!(
            "{}'s Bedrock reach is wider than in {before}: {}",
            r.identity.address,
            reasons.join("; ")
        );
        if !through.is_empty() {
            message.push_str(&format!(" (granted by {})", through.join(", ")));
        }
        let mut f = Finding::new(rule, &r.identity.address, &at, message).grant(&key);
        // Reach where the before had none is new rather than widened: worth
        // a reviewer's look, not a failed gate on its own.
        if d.class == DriftClass::Added {
            f.severity = Severity::Medium;
        }
        if let (Some(baseline), Some(b)) = (ctx.baseline, &d.before)
            && !baseline.path.starts_with('(')
        {
            f.related.push((
                baseline.location(&b.key),
                "the reach as the baseline holds it".to_string(),
            ));
        }
        out.push(f);
    }
}

/// A reach with no before: all of it, in a reviewer's words.
fn added_reasons(content: Option<&serde_json::Value>) -> Vec<String> {
    let Some(s) = content.and_then(|c| serde_json::from_value::<ReachSummary>(c.clone()).ok())
    else {
        return Vec::new();
    };
    let mut out = vec![format!(
        "new Bedrock reach: {} in {}",
        s.actions.iter().cloned().collect::<Vec<_>>().join(", "),
        s.regions.iter().cloned().collect::<Vec<_>>().join(", ")
    )];
    if !s.accounts.is_empty() {
        out.push(format!(
            "accounts: {}",
            s.accounts.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    out
}
