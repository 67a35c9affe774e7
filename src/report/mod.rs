//! Renderers: one file per format, each only renders.

pub mod inventory;
pub mod json;
pub mod rules;
pub mod text;

use serde_json::{Value as J, json};

use crate::model::policy::Condition;
use crate::model::severity::Severity;
use crate::rules::Finding;

/// Counts per severity, and whether any reaches the failure threshold.
pub struct Summary {
    pub counts: [usize; 5],
    pub fail_on: Option<Severity>,
    pub failed: bool,
}

impl Summary {
    pub fn of(findings: &[Finding], fail_on: Option<Severity>) -> Summary {
        let mut counts = [0; 5];
        for f in findings {
            counts[f.severity as usize] += 1;
        }
        let failed = fail_on.is_some_and(|t| findings.iter().any(|f| f.severity >= t));
        Summary {
            counts,
            fail_on,
            failed,
        }
    }

    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// A condition as JSON, values hidden when the policy is sensitive.
pub fn condition_json(c: &Condition, sensitive: bool) -> J {
    let values: Vec<String> = c
        .values
        .iter()
        .map(|v| {
            if sensitive {
                "(sensitive)".to_string()
            } else {
                v.clone()
            }
        })
        .collect();
    json!({"operator": c.operator.text, "key": c.key, "values": values})
}

/// Pretty JSON with a trailing newline: the bytes every JSON report ends in.
pub fn to_pretty(v: &J) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}
