//! Findings for a terminal: each with its place, the statement, what is
//! missing and the fix; then a one-line summary. Colour only when asked.

use std::fmt::Write;

use super::{Summary, terminal_safe as safe};
use crate::model::location::block_end;
use crate::model::severity::{Confidence, Severity};
use crate::rules::Finding;

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical | Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;34",
            Severity::Info => "1;36",
        };
        self.paint(code, s.as_str())
    }
}

/// Returns a scanned file's text by its display name, for source excerpts.
/// Shared by the threads that render a long report in parts.
pub type SourceLookup<'a> = &'a (dyn Fn(&str) -> Option<&'a str> + Sync);

/// Files whose statements are shown as written, not only as evaluated.
fn is_terraform_source(file: &str) -> bool {
    file.ends_with(".tf")
        || file.ends_with(".tf.json")
        || file.ends_with(".tftpl")
        || file.ends_with(".tpl")
}

/// Lines shown at most for one finding.
const MAX_EXCERPT_LINES: usize = 12;

/// The lines of `text` from `line`, through the bracket that opens at or
/// after `column` closing again (a `{ ... }` statement object or block; see
/// [`block_end`]), at most `MAX_EXCERPT_LINES`; `true` when cut short.
pub fn excerpt(text: &str, line: u32, column: u32) -> (Vec<(u32, &str)>, bool) {
    let lines: Vec<&str> = text.lines().collect();
    excerpt_of(&lines, line, column)
}

/// [`excerpt`] from a file's lines, split once for all its findings: a file
/// of many thousand lines with a finding on each of many instances would
/// otherwise be split again for every one.
fn excerpt_of<'t>(lines: &[&'t str], line: u32, column: u32) -> (Vec<(u32, &'t str)>, bool) {
    let first = line.saturating_sub(1) as usize;
    if first >= lines.len() {
        return (Vec::new(), false);
    }
    // One line past what is shown tells whether the excerpt is cut: the
    // brackets are never followed further, however far the block runs.
    let seen = &lines[..lines.len().min(first + MAX_EXCERPT_LINES + 1)];
    let end = block_end(seen, first, column.saturating_sub(1) as usize);
    let last = end.min(first + MAX_EXCERPT_LINES - 1);
    let shown = (first..=last).map(|i| (i as u32 + 1, lines[i])).collect();
    (shown, end > last)
}

pub fn render(
    findings: &[Finding],
    summary: &Summary,
    color: bool,
    sources: SourceLookup<'_>,
) -> String {
    // A long report is written in two halves side by side, joined in order.
    let parts = crate::threads::halves(findings, crate::threads::HALVES_FROM, |part| {
        vec![render_findings(part, &Style { color }, sources)]
    });
    let mut out = String::with_capacity(parts.iter().map(String::len).sum::<usize>() + 256);
    for part in parts {
        out.push_str(&part);
    }
    out.push_str(&summary_line(summary));
    out
}

/// Each of `findings` as [`render`] writes it, with a blank line after it.
fn render_findings(findings: &[Finding], style: &Style, sources: SourceLookup<'_>) -> String {
    let mut out = String::new();
    // Each source file's lines, split the first time a finding needs them.
    let mut split: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{}[{}] {}: {}",
            style.severity(f.severity),
            f.rule,
            f.name,
            style.paint("1", &safe(&f.message))
        );
        let _ = writeln!(
            out,
            "  {} {}",
            style.paint("34", "-->"),
            safe(&f.location.to_string())
        );
        let bar = style.paint("34", "|");
        let eq = style.paint("34", "=");
        let source = is_terraform_source(&f.location.file)
            .then(|| sources(&f.location.file))
            .flatten();
        if let Some(text) = source {
            let file_lines = split
                .entry(f.location.file.as_str())
                .or_insert_with(|| text.lines().collect());
            let (lines, cut) = excerpt_of(file_lines, f.location.line, f.location.column);
            let width = lines
                .last()
                .map(|(n, _)| n.to_string().len())
                .unwrap_or(1)
                .max(2);
            let _ = writeln!(out, "{:width$} {bar}", "");
            for (n, l) in lines {
                let _ = writeln!(
                    out,
                    "{} {bar} {}",
                    style.paint("34", &format!("{n:>width$}")),
                    safe(l)
                );
            }
            if cut {
                let _ = writeln!(out, "{:width$} {bar} ...", "");
            }
            let _ = writeln!(out, "{:width$} {bar}", "");
        }
        if let Some(snippet) = &f.snippet {
            if source.is_some() {
                let _ = writeln!(out, "   {eq} evaluated to:");
            } else {
                let _ = writeln!(out, "   {bar}");
            }
            for line in snippet.lines() {
                let _ = writeln!(out, "   {bar} {}", safe(line));
            }
            let _ = writeln!(out, "   {bar}");
        }
        if let Some(m) = &f.missing {
            let _ = writeln!(out, "   {eq} missing: {}", safe(m));
        }
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "   {eq} fix: {}", safe(fix));
        }
        if f.confidence == Confidence::Low {
            let _ = writeln!(
                out,
                "   {eq} confidence: low (rests on something trustdrift could not resolve)"
            );
        }
        for (loc, note) in &f.related {
            let _ = writeln!(out, "   {eq} {}: {}", safe(&loc.to_string()), safe(note));
        }
        out.push('\n');
    }
    out
}

pub fn summary_line(s: &Summary) -> String {
    let policy = s.policy.as_ref().map(|p| p.line()).unwrap_or_default();
    let total = s.total();
    let mut line = if total == 0 {
        "No findings".to_string()
    } else {
        let parts: Vec<String> = Severity::ALL
            .iter()
            .rev()
            .filter(|sev| s.counts[**sev as usize] > 0)
            .map(|sev| format!("{} {sev}", s.counts[*sev as usize]))
            .collect();
        format!(
            "{total} finding{}: {}",
            if total == 1 { "" } else { "s" },
            parts.join(", ")
        )
    };
    match s.fail_on {
        Some(t) if s.failed => line.push_str(&format!(" (failing: at least one at or above {t})")),
        Some(t) => line.push_str(&format!(" (none at or above {t})")),
        None => {}
    }
    line.push_str(".\n");
    policy + &line
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpt_follows_the_statement_to_its_closing_brace() {
        let text = "a = jsonencode({\n  Statement = [\n    {\n      Effect = \"Allow\" # {\n      X = \"}\"\n    },\n    { Effect = \"Deny\" },\n  ]\n})\n";
        let (lines, cut) = excerpt(text, 3, 5);
        assert_eq!(
            lines.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            vec![3, 4, 5, 6]
        );
        assert!(!cut);
        let (single, _) = excerpt("  \"owner\" = \"a\"\n  x = 1\n}\n", 1, 3);
        assert_eq!(single.len(), 1);
        let (one, _) = excerpt(text, 7, 5);
        assert_eq!(one.iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![7]);
        let long = "{\n".to_string() + &"x = 1\n".repeat(30) + "}\n";
        let (lines, cut) = excerpt(&long, 1, 1);
        assert_eq!((lines.len(), cut), (12, true));
    }
}
