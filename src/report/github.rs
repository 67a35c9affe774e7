//! GitHub workflow commands: one annotation per finding
//! (`::error file=…,line=…,col=…,title=TD002 cross-account-unscoped::…`),
//! escaped as the runner requires, so nothing from the scanned code can end
//! a command early or start another one.

use std::fmt::Write;

use super::terminal_safe;
use crate::model::severity::Severity;
use crate::rules::Finding;

/// Message data: `%`, CR and LF are written as `%25`, `%0D`, `%0A`.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// A property value: as data, and `:` and `,` as `%3A` and `%2C`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The command for a severity: high and critical fail a review, so they
/// are errors; medium a warning; the rest notices.
pub fn command(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

pub fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let mut message = f.message.clone();
        if let Some(m) = &f.missing {
            let _ = write!(message, "\nMissing: {m}");
        }
        if let Some(fix) = &f.fix {
            let _ = write!(message, "\nFix: {fix}");
        }
        // Control characters other than the line breaks become visible
        // escapes first; the line breaks are GitHub's own `%0A`.
        let message: Vec<String> = message
            .split('\n')
            .map(|l| terminal_safe(l).into_owned())
            .collect();
        let _ = writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            command(f.severity),
            escape_property(&terminal_safe(&super::repo_path(&f.location.file))),
            f.location.line.max(1),
            f.location.column.max(1),
            escape_property(&format!("{} {} ({})", f.rule, f.name, f.severity)),
            escape_data(&message.join("\n")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_from_input_escapes_its_command() {
        assert_eq!(escape_data("50%\r\n::error::x"), "50%25%0D%0A::error::x");
        assert_eq!(escape_property("a,b:c%\nd"), "a%2Cb%3Ac%25%0Ad");
    }
}
