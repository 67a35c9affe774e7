//! `check --format json`: `{"version": 1, "findings": [...], "summary": {...}}`.

use serde_json::{Map, Value as J, json};

use super::{Summary, Suppressed, to_pretty};
use crate::model::severity::Severity;
use crate::rules::Finding;

pub fn finding_json(f: &Finding) -> J {
    json!({
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.as_str(),
        "confidence": f.confidence.as_str(),
        "address": f.address,
        "file": f.location.file,
        "line": f.location.line,
        "column": f.location.column,
        "message": f.message,
        "missing": f.missing,
        "fix": f.fix,
        "drift": f.drift.map(|d| d.as_str()),
        "grant": f.grant,
    })
}

pub fn render(findings: &[Finding], summary: &Summary) -> String {
    render_with(findings, &[], summary)
}

/// The report with suppressed findings under `suppressed` (present only
/// when there are some), each a finding with its `suppression`.
pub fn render_with(findings: &[Finding], suppressed: &[Suppressed], summary: &Summary) -> String {
    let mut by_severity = Map::new();
    for s in Severity::ALL {
        by_severity.insert(s.as_str().to_string(), json!(summary.counts[s as usize]));
    }
    let mut report = json!({
        "version": 1,
        "findings": findings.iter().map(finding_json).collect::<Vec<_>>(),
        "summary": {
            "total": summary.total(),
            "by_severity": by_severity,
            "fail_on": summary.fail_on.map(Severity::as_str).unwrap_or("never"),
            "failed": summary.failed,
        },
    });
    if let (Some(policy), J::Object(top)) = (&summary.policy, &mut report) {
        top.insert("policy".to_string(), policy.json());
    }
    if let (false, J::Object(top)) = (suppressed.is_empty(), &mut report) {
        let list = suppressed
            .iter()
            .map(|s| {
                let mut f = finding_json(&s.finding);
                if let J::Object(o) = &mut f {
                    o.insert("suppression".to_string(), s.json());
                }
                f
            })
            .collect();
        top.insert("suppressed".to_string(), J::Array(list));
    }
    to_pretty(&report)
}
