//! Renderers: one file per format, each only renders.

pub mod baseline;
pub mod github;
pub mod inventory;
pub mod json;
pub mod markdown;
pub mod rules;
pub mod sarif;
pub mod text;

use serde_json::{Value as J, json};

use crate::model::policy::Condition;
use crate::model::principal::Principal;
use crate::model::severity::Severity;
use crate::model::value::{display_unknowns, unknown_refs};
use crate::rules::Finding;

/// A finding a suppression holds back: still in the JSON and SARIF
/// reports, never counted against `--fail-on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub finding: Finding,
    /// An inline `# trustdrift:ignore` comment (SARIF `inSource`), or a
    /// `suppress` block of the policy file (`external`).
    pub inline: bool,
    /// Where the suppression is written.
    pub location: crate::model::location::Location,
    pub reason: String,
    /// YYYY-MM-DD, when it has one.
    pub expires: Option<String>,
}

impl Suppressed {
    pub fn json(&self) -> J {
        json!({
            "kind": if self.inline { "inline" } else { "policy" },
            "file": self.location.file,
            "line": self.location.line,
            "reason": self.reason,
            "expires": self.expires,
        })
    }
}

/// Counts per severity, and whether any reaches the failure threshold.
pub struct Summary {
    pub counts: [usize; 5],
    pub fail_on: Option<Severity>,
    pub failed: bool,
    /// The policy the run was judged by; every report from the command line
    /// states it.
    pub policy: Option<PolicyInfo>,
}

/// Which policy judged the run, and what it turns off or lowers: a reader
/// of the report must see when the gate itself was loosened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyInfo {
    pub file: String,
    pub revision: Option<String>,
    pub builtin: bool,
    /// Rules the policy turns off.
    pub disabled: Vec<String>,
    /// Rules it gives a lower severity than their default: (code, default, set).
    pub lowered: Vec<(String, Severity, Severity)>,
}

impl PolicyInfo {
    pub fn of(policy: &crate::config::Policy) -> PolicyInfo {
        let mut disabled = Vec::new();
        let mut lowered = Vec::new();
        for rule in crate::rules::RULES {
            match policy.rule_severity(rule.code, rule.severity) {
                None => disabled.push(rule.code.to_string()),
                Some(s) if s < rule.severity => {
                    lowered.push((rule.code.to_string(), rule.severity, s))
                }
                Some(_) => {}
            }
        }
        PolicyInfo {
            file: policy.source.file.clone(),
            revision: policy.source.revision.clone(),
            builtin: policy.source.builtin,
            disabled,
            lowered,
        }
    }

    /// `Policy: .trustdrift.hcl at origin/main; turns off TD001; lowers TD003 from medium to low.`
    pub fn line(&self) -> String {
        let mut line = if self.builtin {
            format!("Policy: built-in ({})", self.file)
        } else {
            format!("Policy: {}", terminal_safe(&self.file))
        };
        if let Some(rev) = &self.revision {
            line.push_str(&format!(" at {}", terminal_safe(rev)));
        }
        if !self.disabled.is_empty() {
            line.push_str(&format!("; turns off {}", self.disabled.join(", ")));
        }
        for (code, from, to) in &self.lowered {
            line.push_str(&format!("; lowers {code} from {from} to {to}"));
        }
        line.push_str(".\n");
        line
    }

    pub fn json(&self) -> J {
        json!({
            "file": self.file,
            "revision": self.revision,
            "builtin": self.builtin,
            "disabled": self.disabled,
            "lowered": self.lowered.iter().map(|(code, from, to)| json!({
                "rule": code, "default": from.as_str(), "severity": to.as_str()
            })).collect::<Vec<_>>(),
        })
    }
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
            policy: None,
        }
    }

    /// This summary, stating the policy the run was judged by.
    pub fn with_policy(mut self, policy: &crate::config::Policy) -> Summary {
        self.policy = Some(PolicyInfo::of(policy));
        self
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
    let unknown = condition_unknowns(c);
    let (key, values) = if unknown.is_empty() || sensitive {
        (c.key.clone(), values)
    } else {
        (
            display_unknowns(&c.key),
            values.iter().map(|v| display_unknowns(v)).collect(),
        )
    };
    let mut v = json!({"operator": c.operator.text, "key": key, "values": values});
    if !unknown.is_empty()
        && let Some(o) = v.as_object_mut()
    {
        o.insert("unknown".into(), json!(unknown));
    }
    v
}

/// The references a condition's key and values wait on, sorted, once each.
pub fn condition_unknowns(c: &Condition) -> Vec<String> {
    let mut refs: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for s in std::iter::once(&c.key).chain(c.values.iter()) {
        refs.extend(unknown_refs(s).into_iter().map(str::to_string));
    }
    refs.into_iter().collect()
}

/// A principal as the JSON reports show it: `{type, id}`, and where the id is
/// not known, `unknown` with the references it waits on.
pub fn principal_json(p: &Principal) -> J {
    let refs: Vec<&str> = unknown_refs(&p.id);
    if refs.is_empty() {
        return json!({"type": p.kind.as_str(), "id": p.id});
    }
    let mut refs: Vec<String> = refs.into_iter().map(str::to_string).collect();
    refs.sort();
    refs.dedup();
    json!({"type": p.kind.as_str(), "id": display_unknowns(&p.id), "unknown": refs})
}

/// Text from the scanned input made safe for a terminal, a CI log or a
/// pull-request comment: every control character (ESC, CR, a newline inside
/// one field, DEL, the C1 range) and every bidirectional override or
/// isolate is written as a visible `\u{..}` escape (`\r`, `\n` for those
/// two), so input cannot move the cursor, rewrite a line a reviewer reads,
/// fake a line of the report, or reorder what is shown. Tabs stay.
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The shortest sensitive value that is redacted as text: shorter ones (a
/// `1`, a `no`) would blot out the report; they are still judged, and the
/// attribute that holds them is still marked sensitive.
pub const MIN_REDACTED_LEN: usize = 3;

/// `report` with every occurrence of a secret (as written, or as escaped
/// inside a JSON string) replaced by `(sensitive)`; longest match first.
pub fn redact(report: String, secrets: &std::collections::BTreeSet<String>) -> String {
    let mut patterns: Vec<String> = Vec::new();
    for s in secrets
        .iter()
        .filter(|s| s.chars().count() >= MIN_REDACTED_LEN)
    {
        patterns.push(s.clone());
        if let Some(e) = crate::model::value::json_escaped(s) {
            patterns.push(e);
        }
        let shown = terminal_safe(s);
        if shown != s.as_str() {
            patterns.push(shown.into_owned());
        }
    }
    if patterns.is_empty() {
        return report;
    }
    match aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(&patterns)
    {
        Ok(ac) => ac.replace_all(&report, &vec!["(sensitive)"; patterns.len()]),
        // Patterns too large to search for: print nothing rather than them.
        Err(_) => String::from("(report withheld: it could not be redacted)\n"),
    }
}

/// A display path as GitHub names files in a repository: `/`-separated,
/// without a leading `./`.
pub fn repo_path(path: &str) -> String {
    let mut p = path.replace('\\', "/");
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    p
}

/// Pretty JSON with a trailing newline: the bytes every JSON report ends in.
pub fn to_pretty(v: &J) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}
