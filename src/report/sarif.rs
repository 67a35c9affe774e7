//! SARIF 2.1.0 as GitHub code scanning reads it: every rule of the registry
//! in `tool.driver.rules` (with `help` from its documentation and a
//! `security-severity`), repository-relative URIs, one region per result,
//! `partialFingerprints` built from the grant key (so an alert survives
//! moved lines), and one `category` per run. Suppressed findings are
//! results with `suppressions`. Beyond GitHub's limits the log is cut, and
//! says so in a tool notification.

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use super::{Summary, Suppressed, to_pretty};
use crate::model::severity::{Confidence, Severity};
use crate::rules::{Finding, RULES, Rule};

/// GitHub accepts at most this many results per run.
pub const MAX_RESULTS: usize = 25_000;
/// Locations per result GitHub accepts (related locations here).
pub const MAX_RELATED: usize = 1_000;
/// `shortDescription` and `fullDescription` are cut at this many characters.
const MAX_DESCRIPTION: usize = 1_024;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// GitHub's scale: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, below low.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn problem_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "recommendation",
    }
}

fn family_tag(code: &str) -> &'static str {
    match code.as_bytes().get(2) {
        Some(b'0') => "trust",
        Some(b'1') => "bedrock",
        Some(b'2') => "drift",
        _ => "input-hygiene",
    }
}

/// At most `max` characters of `s`, with `…` when cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// The first paragraph under the doc's `## What it checks`.
fn what_it_checks(doc: &str) -> String {
    let mut lines = doc
        .lines()
        .skip_while(|l| !l.starts_with("## What it checks"))
        .skip(1)
        .skip_while(|l| l.trim().is_empty());
    let mut out = Vec::new();
    for l in lines.by_ref() {
        if l.trim().is_empty() || l.starts_with('#') {
            break;
        }
        out.push(l.trim());
    }
    out.join(" ")
}

fn rule_json(rule: &Rule) -> J {
    let doc = rule.doc();
    let full = what_it_checks(&doc);
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": cut(rule.summary, MAX_DESCRIPTION)},
        "fullDescription": {"text": cut(if full.is_empty() { rule.summary } else { &full }, MAX_DESCRIPTION)},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "tags": ["security", family_tag(rule.code)],
            "precision": "high",
            "problem.severity": problem_severity(rule.severity),
            "security-severity": security_severity(rule.severity),
        },
    })
}

/// A display path as a SARIF URI: `/`-separated, relative to where the run
/// started (the repository root in the Action), reserved bytes escaped;
/// an absolute path becomes a `file://` URI.
pub fn uri(path: &str) -> String {
    let path = super::repo_path(path);
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if path.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

/// FNV-1a, 64 bits: a fingerprint that never changes between runs,
/// platforms or versions of a hashing library.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The one line of a source file a region ends on: its length, so the
/// region spans from the finding's column to the end of the line.
pub type LineLength<'a> = &'a dyn Fn(&str, u32) -> Option<u32>;

fn location(loc: &crate::model::location::Location, line_len: LineLength<'_>) -> J {
    let line = loc.line.max(1);
    let column = loc.column.max(1);
    let end = line_len(&loc.file, line)
        .map(|n| n + 1)
        .filter(|e| *e > column)
        .unwrap_or(column + 1);
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(&loc.file)},
            "region": {
                "startLine": line,
                "startColumn": column,
                "endLine": line,
                "endColumn": end,
            },
        },
    })
}

fn result_json(
    f: &Finding,
    suppression: Option<&Suppressed>,
    rule_index: &BTreeMap<&str, usize>,
    fingerprint: String,
    line_len: LineLength<'_>,
) -> J {
    let mut text = f.message.clone();
    if let Some(m) = &f.missing {
        text.push_str(&format!(". Missing: {m}"));
    }
    if let Some(fix) = &f.fix {
        text.push_str(&format!(". Fix: {fix}"));
    }
    let mut result = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index.get(f.rule).copied().unwrap_or(0),
        "level": level(f.severity),
        "message": {"text": text},
        "locations": [location(&f.location, line_len)],
        "partialFingerprints": {
            "primaryLocationLineHash": fingerprint,
        },
        "properties": {
            "severity": f.severity.as_str(),
            "security-severity": security_severity(f.severity),
            "confidence": f.confidence.as_str(),
            "address": f.address,
            "grant": f.grant,
        },
    });
    let Some(obj) = result.as_object_mut() else {
        return result;
    };
    if f.confidence == Confidence::Low {
        obj.insert("rank".to_string(), json!(50.0));
    }
    if !f.related.is_empty() {
        let related: Vec<J> = f
            .related
            .iter()
            .take(MAX_RELATED)
            .enumerate()
            .map(|(i, (loc, note))| {
                let mut l = location(loc, line_len);
                if let Some(o) = l.as_object_mut() {
                    o.insert("id".to_string(), json!(i + 1));
                    o.insert("message".to_string(), json!({"text": note}));
                }
                l
            })
            .collect();
        obj.insert("relatedLocations".to_string(), J::Array(related));
    }
    if let Some(s) = suppression {
        obj.insert(
            "suppressions".to_string(),
            json!([{
                "kind": if s.inline { "inSource" } else { "external" },
                "status": "accepted",
                "justification": s.reason,
                "location": location(&s.location, line_len),
            }]),
        );
    }
    result
}

/// The SARIF log. `category` becomes `automationDetails.id` (`category/`),
/// so two runs over parts of one repository keep their alerts apart.
pub fn render(
    findings: &[Finding],
    suppressed: &[Suppressed],
    _summary: &Summary,
    category: &str,
    line_len: LineLength<'_>,
) -> String {
    let rule_index: BTreeMap<&str, usize> =
        RULES.iter().enumerate().map(|(i, r)| (r.code, i)).collect();
    let mut all: Vec<(&Finding, Option<&Suppressed>)> = findings
        .iter()
        .map(|f| (f, None))
        .chain(suppressed.iter().map(|s| (&s.finding, Some(s))))
        .collect();
    all.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
    let mut notifications = Vec::new();
    if all.len() > MAX_RESULTS {
        // Keep the most severe; the order of what is kept stays by place.
        let mut ranked: Vec<usize> = (0..all.len()).collect();
        ranked.sort_by_key(|i| (std::cmp::Reverse(all[*i].0.severity), *i));
        let mut keep = vec![false; all.len()];
        for i in ranked.into_iter().take(MAX_RESULTS) {
            keep[i] = true;
        }
        let dropped = all.len() - MAX_RESULTS;
        let mut i = 0;
        all.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        notifications.push(json!({
            "level": "warning",
            "message": {"text": format!(
                "{dropped} results left out: GitHub accepts at most {MAX_RESULTS} per run; the most severe are kept (the JSON report has them all)"
            )},
        }));
    }
    if all.iter().any(|(f, _)| f.related.len() > MAX_RELATED) {
        notifications.push(json!({
            "level": "note",
            "message": {"text": format!("related locations beyond {MAX_RELATED} per result are left out")},
        }));
    }
    // The same rule and grant reached twice are told apart by their order.
    let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
    let results: Vec<J> = all
        .iter()
        .map(|(f, s)| {
            let subject = f.grant.as_deref().unwrap_or(&f.address);
            let mut parts = vec![f.rule, subject];
            if f.grant.is_none() {
                parts.push(&f.message);
            }
            let h = fnv1a(&parts);
            let n = seen.entry(h).or_insert(0);
            *n += 1;
            result_json(f, *s, &rule_index, format!("{h:016x}:{n}"), line_len)
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "trustdrift",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://crates.io/crates/trustdrift",
                "rules": RULES.iter().map(|r| rule_json(r)).collect::<Vec<_>>(),
            }},
            "automationDetails": {"id": format!("{}/", category.trim_end_matches('/'))},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    to_pretty(&log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_escaped() {
        assert_eq!(uri("envs/prod/main.tf"), "envs/prod/main.tf");
        assert_eq!(uri("a b/#1%.tf"), "a%20b/%231%25.tf");
        assert_eq!(uri("/abs/x.tf"), "file:///abs/x.tf");
        assert_eq!(uri("dir\\x.tf"), "dir/x.tf");
        assert_eq!(uri("./.trustdrift.hcl"), ".trustdrift.hcl");
    }

    #[test]
    fn fingerprints_are_fixed_values() {
        // A change here moves every alert in every repository: never.
        assert_eq!(
            fnv1a(&["TD002", "aws_iam_role.a|AWS:111111111111"]),
            0x54f2_f760_4e38_9c35
        );
        assert_eq!(fnv1a(&["a"]), 0x089b_e207_b544_f1e4);
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }
}

#[cfg(test)]
mod limits {
    use super::*;
    use crate::model::location::Location;
    use crate::rules::RULES;

    #[test]
    fn beyond_githubs_result_limit_the_most_severe_are_kept_and_it_says_so() {
        let rule = RULES[0];
        let mut findings: Vec<Finding> = (0..MAX_RESULTS + 3)
            .map(|i| {
                Finding::new(
                    rule,
                    "aws_iam_role.r",
                    &Location::new("m.tf", i as u32 + 1, 1),
                    "m",
                )
                .severity(Severity::Low)
            })
            .collect();
        // Three critical ones at the end must survive the cut.
        for f in findings.iter_mut().rev().take(3) {
            f.severity = Severity::Critical;
        }
        let summary = Summary::of(&findings, None);
        let log: J = serde_json::from_str(&render(
            &findings,
            &[],
            &summary,
            "trustdrift",
            &|_: &str, _: u32| None,
        ))
        .expect("SARIF");
        let results = log["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), MAX_RESULTS);
        assert_eq!(
            results.iter().filter(|r| r["level"] == "error").count(),
            3,
            "the critical ones are kept"
        );
        let note = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(
            note["message"]["text"],
            "3 results left out: GitHub accepts at most 25000 per run; the most severe are kept (the JSON report has them all)"
        );
        // Fingerprints stay unique: the same rule and subject are numbered.
        let mut prints: Vec<&str> = results
            .iter()
            .filter_map(|r| r["partialFingerprints"]["primaryLocationLineHash"].as_str())
            .collect();
        prints.sort_unstable();
        prints.dedup();
        assert_eq!(prints.len(), MAX_RESULTS);
    }
}
