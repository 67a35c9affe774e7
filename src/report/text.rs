//! Findings for a terminal: each with its place, the statement, what is
//! missing and the fix; then a one-line summary. Colour only when asked.

use std::fmt::Write;

use super::Summary;
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

pub fn render(findings: &[Finding], summary: &Summary, color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{}[{}] {}: {}",
            style.severity(f.severity),
            f.rule,
            f.name,
            style.paint("1", &f.message)
        );
        let _ = writeln!(out, "  {} {}", style.paint("34", "-->"), f.location);
        if let Some(snippet) = &f.snippet {
            let bar = style.paint("34", "|");
            let _ = writeln!(out, "   {bar}");
            for line in snippet.lines() {
                let _ = writeln!(out, "   {bar} {line}");
            }
            let _ = writeln!(out, "   {bar}");
        }
        let eq = style.paint("34", "=");
        if let Some(m) = &f.missing {
            let _ = writeln!(out, "   {eq} missing: {m}");
        }
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "   {eq} fix: {fix}");
        }
        if f.confidence == Confidence::Low {
            let _ = writeln!(
                out,
                "   {eq} confidence: low (rests on something trustdrift could not resolve)"
            );
        }
        for (loc, note) in &f.related {
            let _ = writeln!(out, "   {eq} {loc}: {note}");
        }
        out.push('\n');
    }
    out.push_str(&summary_line(summary));
    out
}

pub fn summary_line(s: &Summary) -> String {
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
    line
}
