//! # TD902 suppression-invalid
//!
//! ## What it checks
//! Every suppression, inline (`# trustdrift:ignore TD002 reason="…"
//! expires=YYYY-MM-DD` on or above the statement or block) or a `suppress`
//! block of the policy file, must give a reason, must not be past its
//! expiry, and must hold back at least one finding. One that fails any of
//! these suppresses nothing and is itself a finding, at the suppression's
//! own line. An inline comment that names no rule, or a rule that does not
//! exist, or a date that is not YYYY-MM-DD, is reported the same way.
//!
//! ## Why it matters
//! A suppression is an exception to the trust boundary that someone
//! accepted for a reason, for a while. Without a reason nobody can review
//! it; past its expiry the acceptance has lapsed; one matching nothing is a
//! leftover that would silently cover the next finding at that place.
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_role" "vendor" {
//!   # trustdrift:ignore TD002 expires=2025-01-31
//!   assume_role_policy = jsonencode({ ... })
//! }
//! ```
//!
//! ## Fix
//! Give the reason (`reason="vendor migration SEC-12"`), renew or remove an
//! expired suppression once the trust was reviewed again, and delete one
//! that matches nothing. `--no-suppress` shows every finding as if no
//! suppression existed, for an audit.

use super::{Finding, Rule, RuleContext};
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD902",
    name: "suppression-invalid",
    severity: Severity::Low,
    summary: "a suppression without a reason, past its expiry, or matching nothing (it then suppresses nothing)",
    fix: "give the suppression a reason, renew or remove it when expired, delete it when it matches nothing",
    source: include_str!("td902_suppression_invalid.rs"),
    check,
};

/// Suppressions are judged after every other rule ran (see
/// `crate::suppress`), so the check itself adds nothing.
fn check(_ctx: &RuleContext<'_>, _rule: &Rule, _out: &mut Vec<Finding>) {}
