//! A Markdown summary for `$GITHUB_STEP_SUMMARY` and a pull-request
//! comment: the verdict first, then the trust boundary per principal
//! (drift where the findings say it), each finding with its statement,
//! Bedrock reach, the approvals that would be needed, and what was
//! suppressed. Everything taken from the scanned code is escaped: it can
//! neither format, link, mention nor inject HTML.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Summary, Suppressed, terminal_safe};
use crate::model::severity::Severity;
use crate::rules::Finding;

/// GitHub refuses a step summary over 1 MiB; details stop short of it.
pub const MAX_BYTES: usize = 900 * 1024;

/// Text from the scanned code as Markdown that shows it literally: every
/// ASCII punctuation mark that could format is backslash-escaped, control
/// characters are visible escapes, and `@` is followed by a word joiner so
/// a name in the input never notifies anyone.
pub fn text(s: &str) -> String {
    let s = terminal_safe(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '(' | ')' | '#' | '+'
            | '-' | '.' | '!' | '|' | '~' | '&' | '$' | ':' | '"' | '\'' | '=' | '^' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{2060}"),
            '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A fenced code block whose fence is longer than any run of backticks in
/// `body`, so the body cannot close it.
pub fn code_block(lang: &str, body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let mut out = format!("{fence}{lang}\n");
    for line in body.lines() {
        out.push_str(&terminal_safe(line));
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🟥",
        Severity::High => "🔴",
        Severity::Medium => "🟠",
        Severity::Low => "🔵",
        Severity::Info => "⚪",
    }
}

/// Who a grant key's principal is, for the per-principal table:
/// `role|AWS:arn:aws:iam::999988887777:root` → `account 999988887777`.
pub fn principal_of(grant: Option<&str>) -> String {
    let Some((_, principal)) = grant.and_then(|g| g.rsplit_once('|')) else {
        return "(no single principal)".to_string();
    };
    let (kind, id) = principal.split_once(':').unwrap_or(("", principal));
    let account = id
        .split(|c: char| !c.is_ascii_digit())
        .find(|part| part.len() == 12);
    match (kind, account) {
        ("Service", _) => format!("service {id}"),
        ("Federated", _) => format!(
            "provider {}",
            id.rsplit_once("oidc-provider/")
                .or_else(|| id.rsplit_once("saml-provider/"))
                .map(|(_, p)| p)
                .unwrap_or(id)
        ),
        ("*", _) | (_, None) if id == "*" => "anyone (*)".to_string(),
        (_, Some(a)) => format!("account {a}"),
        _ => id.to_string(),
    }
}

/// Drift by rule, for findings that do not carry it: added, widened,
/// copied, removed (grants counted once each).
const DRIFT: [(&str, &str); 4] = [
    ("TD201", "added"),
    ("TD202", "widened"),
    ("TD203", "copied"),
    ("TD208", "removed"),
];

/// Per principal: the grants by drift kind, the findings, the highest
/// severity, the rules.
type Row<'a> = (
    BTreeMap<&'a str, std::collections::BTreeSet<&'a str>>,
    usize,
    Severity,
    Vec<&'a str>,
);

fn is_bedrock(f: &Finding) -> bool {
    f.rule.starts_with("TD1") || f.rule == "TD207"
}

pub fn render(findings: &[Finding], suppressed: &[Suppressed], summary: &Summary) -> String {
    render_with_changes(findings, suppressed, summary, &[])
}

/// A grant whose trust changed: its key, and its normalised content
/// before and after, as pretty JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustChange {
    pub key: String,
    /// `widened`, `copied`, ...
    pub kind: String,
    pub before: String,
    pub after: String,
}

/// `before` → `after` as unified-diff lines (`-`, `+`, ` `), by the longest
/// common subsequence of lines, with three lines of context around each
/// change and `@@ … @@` where unchanged lines are left out; documents too
/// long for that are shown whole, before then after.
pub fn line_diff(before: &str, after: &str) -> String {
    const MAX_LINES: usize = 2_000;
    const CONTEXT: usize = 3;
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let mut out = String::new();
    if a.len() > MAX_LINES || b.len() > MAX_LINES {
        for l in &a {
            let _ = writeln!(out, "-{l}");
        }
        for l in &b {
            let _ = writeln!(out, "+{l}");
        }
        return out;
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = (0..lines.len()).filter(|k| lines[*k].0 != ' ').collect();
    let near = |k: usize| {
        changed
            .iter()
            .any(|c| k + CONTEXT >= *c && k <= c + CONTEXT)
    };
    let mut skipping = false;
    for (k, (sign, line)) in lines.iter().enumerate() {
        if *sign != ' ' || near(k) || changed.is_empty() {
            let _ = writeln!(out, "{sign}{line}");
            skipping = false;
        } else if !skipping {
            out.push_str("@@ … @@\n");
            skipping = true;
        }
    }
    out
}

/// [`render`], with the before and after of each widened or copied grant
/// as a diff block.
pub fn render_with_changes(
    findings: &[Finding],
    suppressed: &[Suppressed],
    summary: &Summary,
    changes: &[TrustChange],
) -> String {
    let mut out = String::new();
    // Headline verdict.
    let at_or_above = |t: Severity| findings.iter().filter(|f| f.severity >= t).count();
    let headline = match summary.fail_on {
        Some(t) if summary.failed => {
            let n = at_or_above(t);
            format!(
                "❌ {n} finding{} at or above {t}",
                if n == 1 { "" } else { "s" }
            )
        }
        Some(t) if findings.is_empty() => format!("✅ no findings (gate: {t})"),
        Some(t) => format!("✅ nothing at or above {t}"),
        None if findings.is_empty() => "✅ no findings".to_string(),
        None => "ℹ️ findings reported, gate off".to_string(),
    };
    let _ = writeln!(out, "## trustdrift: {headline}\n");
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter(|s| summary.counts[**s as usize] > 0)
        .map(|s| format!("{} {s}", summary.counts[*s as usize]))
        .collect();
    let total = summary.total();
    if total > 0 {
        let _ = write!(
            out,
            "**{total} finding{}**: {}.",
            if total == 1 { "" } else { "s" },
            counts.join(", ")
        );
    } else {
        out.push_str("**No findings.**");
    }
    if !suppressed.is_empty() {
        let _ = write!(out, " {} suppressed.", suppressed.len());
    }
    out.push('\n');
    if let Some(p) = &summary.policy {
        let line = p.line();
        let _ = writeln!(out, "\n{}", text(line.trim_end()));
    }

    // The trust boundary per principal, with drift where findings say it.
    if findings.iter().any(|f| !f.rule.starts_with("TD9")) {
        let mut rows: BTreeMap<String, Row> = BTreeMap::new();
        // Input hygiene (TD9xx) is about the files, not the boundary.
        for f in findings.iter().filter(|f| !f.rule.starts_with("TD9")) {
            let row = rows.entry(principal_of(f.grant.as_deref())).or_insert((
                BTreeMap::new(),
                0,
                f.severity,
                Vec::new(),
            ));
            // A grant's drift, as its findings carry it or as a drift rule names it.
            let kind = f.drift.map(|d| d.as_str()).or_else(|| {
                DRIFT
                    .iter()
                    .find(|(code, _)| *code == f.rule)
                    .map(|(_, k)| *k)
            });
            if let (Some(kind), Some(grant)) = (kind, f.grant.as_deref()) {
                row.0.entry(kind).or_default().insert(grant);
            }
            row.1 += 1;
            row.2 = row.2.max(f.severity);
            if !row.3.contains(&f.rule) {
                row.3.push(f.rule);
            }
        }
        out.push_str("\n### Trust boundary by principal\n\n");
        out.push_str(
            "| principal | added | widened | copied | removed | findings | highest | rules |\n",
        );
        out.push_str("|---|--:|--:|--:|--:|--:|---|---|\n");
        for (principal, (drift, other, highest, mut rules)) in rows {
            rules.sort();
            let cell = |k: &str| {
                drift
                    .get(k)
                    .map(|g| g.len().to_string())
                    .unwrap_or("·".into())
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {other} | {} {highest} | {} |",
                text(&principal),
                cell("added"),
                cell("widened"),
                cell("copied"),
                cell("removed"),
                icon(highest),
                rules.join(", ")
            );
        }
    }

    // Each finding, most severe first.
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let (bedrock, trust): (Vec<&Finding>, Vec<&Finding>) =
        ordered.into_iter().partition(|f| is_bedrock(f));
    let mut left_out = 0usize;
    for (title, list) in [("Findings", trust), ("Bedrock reach", bedrock)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {title}\n");
        for f in list {
            if out.len() > MAX_BYTES {
                left_out += 1;
                continue;
            }
            finding(&mut out, f);
        }
    }
    if !changes.is_empty() && out.len() <= MAX_BYTES {
        out.push_str("\n### How the trust changed\n\n");
        for c in changes {
            if out.len() > MAX_BYTES {
                left_out += 1;
                continue;
            }
            let _ = writeln!(out, "**{}** {}\n", text(&c.kind), text(&c.key));
            out.push_str(&code_block("diff", &line_diff(&c.before, &c.after)));
            out.push('\n');
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "\n> **{left_out} more finding{} not shown**: GitHub limits a summary to 1 MiB. The JSON and SARIF reports hold them all.",
            if left_out == 1 { "" } else { "s" }
        );
    }

    // Approvals: grants that fail the gate and would need a recorded owner
    // and expiry to stay.
    let gate = summary.fail_on;
    let mut keys: Vec<&str> = findings
        .iter()
        .filter(|f| gate.is_some_and(|t| f.severity >= t))
        .filter_map(|f| f.grant.as_deref())
        .collect();
    keys.sort();
    keys.dedup();
    if !keys.is_empty() && out.len() <= MAX_BYTES {
        out.push_str("\n### Approvals that would be needed\n\n");
        out.push_str(
            "Each grant below fails the gate. To keep it, fix the trust, or have its owner approve it in the baseline with an expiry:\n\n",
        );
        out.push_str("| grant | findings |\n|---|---|\n");
        for key in &keys {
            let mut rules: Vec<&str> = findings
                .iter()
                .filter(|f| f.grant.as_deref() == Some(*key))
                .map(|f| f.rule)
                .collect();
            rules.sort();
            rules.dedup();
            let _ = writeln!(out, "| {} | {} |", text(key), rules.join(", "));
        }
        out.push('\n');
        out.push_str(&code_block(
            "sh",
            "trustdrift baseline approve --baseline .trustdrift/baseline.json GRANT \\\n  --owner TEAM --expires YYYY-MM-DD --reason \"why this trust is needed\" --ticket ID",
        ));
    }

    if !suppressed.is_empty() && out.len() <= MAX_BYTES {
        let _ = writeln!(
            out,
            "\n<details><summary>{} suppressed finding{}</summary>\n",
            suppressed.len(),
            if suppressed.len() == 1 { "" } else { "s" }
        );
        out.push_str(
            "| rule | address | reason | expires | suppressed at |\n|---|---|---|---|---|\n",
        );
        for s in suppressed {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                s.finding.rule,
                text(&s.finding.address),
                text(&s.reason),
                s.expires
                    .as_deref()
                    .map(text)
                    .unwrap_or_else(|| "never".into()),
                text(&format!("{}:{}", s.location.file, s.location.line)),
            );
        }
        out.push_str("\n</details>\n");
    }
    out
}

fn finding(out: &mut String, f: &Finding) {
    let _ = writeln!(
        out,
        "#### {} {} · {} {}\n",
        icon(f.severity),
        f.severity,
        f.rule,
        f.name
    );
    let place = text(&format!("{}:{}", f.location.file, f.location.line));
    let _ = writeln!(
        out,
        "{}{}\n",
        if f.address == f.location.file {
            place
        } else {
            format!("{} at {place}", text(&f.address))
        },
        if f.confidence == crate::model::severity::Confidence::Low {
            " · confidence low: rests on something trustdrift could not resolve"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "{}\n", text(&f.message));
    if let Some(snippet) = &f.snippet {
        out.push_str("<details><summary>Trust statement</summary>\n\n");
        out.push_str(&code_block("json", snippet));
        out.push_str("\n</details>\n\n");
    }
    if let Some(m) = &f.missing {
        let _ = writeln!(out, "- **Missing:** {}", text(m));
    }
    if let Some(fix) = &f.fix {
        let _ = writeln!(out, "- **Fix:** {}", text(fix));
    }
    for (loc, note) in &f.related {
        let _ = writeln!(
            out,
            "- {}: {}",
            text(&format!("{}:{}", loc.file, loc.line)),
            text(note)
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_cannot_format_link_or_mention() {
        assert_eq!(
            text("[x](http://e) <img> @octocat *b* `c` | $x$\n"),
            "\\[x\\]\\(http\\://e\\) \\<img\\> @\u{2060}octocat \\*b\\* \\`c\\` \\| \\$x\\$\\\\n"
        );
    }

    #[test]
    fn code_blocks_outlast_backticks_in_their_body() {
        assert_eq!(code_block("json", "a ``` b"), "````json\na ``` b\n````\n");
        assert_eq!(code_block("", "x"), "```\nx\n```\n");
    }

    #[test]
    fn diffs_keep_common_lines_and_mark_the_rest() {
        assert_eq!(
            line_diff(
                "{\n  \"a\": 1,\n  \"b\": 2\n}",
                "{\n  \"a\": 1,\n  \"b\": \"*\"\n}"
            ),
            " {\n   \"a\": 1,\n-  \"b\": 2\n+  \"b\": \"*\"\n }\n"
        );
        assert_eq!(line_diff("", "x"), "+x\n");
        let long_a = (1..=20)
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        let long_b = long_a.replace("10", "ten");
        assert_eq!(
            line_diff(&long_a, &long_b),
            "@@ … @@\n 7\n 8\n 9\n-10\n+ten\n 11\n 12\n 13\n@@ … @@\n"
        );
        assert_eq!(line_diff("same", "same"), " same\n");
        assert_eq!(line_diff("x", ""), "-x\n");
    }

    #[test]
    fn principals_are_named_by_account_or_kind() {
        assert_eq!(
            principal_of(Some("r|AWS:arn:aws:iam::999988887777:root")),
            "account 999988887777"
        );
        assert_eq!(
            principal_of(Some("r|Service:bedrock.amazonaws.com")),
            "service bedrock.amazonaws.com"
        );
        assert_eq!(
            principal_of(Some(
                "r|Federated:arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"
            )),
            "provider token.actions.githubusercontent.com"
        );
        assert_eq!(principal_of(Some("r|AWS:*")), "anyone (*)");
        assert_eq!(principal_of(None), "(no single principal)");
    }
}

#[cfg(test)]
mod limits {
    use super::*;
    use crate::model::location::Location;
    use crate::rules::RULES;

    #[test]
    fn a_summary_stays_under_githubs_limit_and_says_what_it_left_out() {
        let long = "x".repeat(2_000);
        let findings: Vec<Finding> = (0..2_000)
            .map(|i| {
                Finding::new(
                    RULES[0],
                    "aws_iam_role.r",
                    &Location::new("m.tf", i + 1, 1),
                    &long,
                )
            })
            .collect();
        let summary = Summary::of(&findings, Some(Severity::High));
        let md = render(&findings, &[], &summary);
        assert!(md.len() < 1024 * 1024, "{} bytes", md.len());
        let shown = md.matches("#### ").count();
        assert!(shown > 0 && shown < findings.len());
        assert!(md.contains(&format!(
            "> **{} more findings not shown**: GitHub limits a summary to 1 MiB.",
            findings.len() - shown
        )));
    }
}
