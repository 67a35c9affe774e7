//! `rules` and `explain`: the registry as a table, and one rule's document.

use std::fmt::Write;

use serde_json::json;

use super::to_pretty;
use crate::rules::{RULES, Rule};

pub fn render_text() -> String {
    let mut out = String::new();
    for r in RULES {
        let _ = writeln!(
            out,
            "{}  {:<28} {:<9} {}",
            r.code,
            r.name,
            r.severity.as_str(),
            r.summary
        );
    }
    out
}

pub fn render_json() -> String {
    to_pretty(&json!({
        "version": 1,
        "rules": RULES.iter().map(|r| json!({
            "code": r.code,
            "name": r.name,
            "severity": r.severity.as_str(),
            "summary": r.summary,
        })).collect::<Vec<_>>(),
    }))
}

pub fn render_explain(rule: &Rule) -> String {
    let mut doc = rule.doc();
    let _ = writeln!(doc, "\nDefault severity: {}.", rule.severity.as_str());
    doc
}

/// The README's rule table, generated from the registry.
pub fn markdown_table() -> String {
    let mut out =
        String::from("| code | name | default severity | fires on |\n|---|---|---|---|\n");
    for r in RULES {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            r.code,
            r.name,
            r.severity.as_str(),
            r.summary.replace('|', "\\|")
        );
    }
    out
}
