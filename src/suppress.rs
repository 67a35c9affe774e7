//! Suppressions: `# trustdrift:ignore TD002 reason="…" expires=YYYY-MM-DD`
//! comments in Terraform code (on the line, or above the statement or
//! block they cover), and `suppress` blocks of the policy file. A
//! suppression holds a finding back only with a reason and before its
//! expiry; one that is invalid, expired or unused is reported (TD902) at
//! its own line. Suppressed findings stay in the JSON and SARIF reports.

use std::collections::{BTreeMap, HashMap};

use globset::{GlobBuilder, GlobMatcher};

use crate::config::{Policy, is_date};
use crate::model::location::Location;
use crate::report::Suppressed;
use crate::rules::Finding;
use crate::rules::td902_suppression_invalid::RULE as TD902;

/// An address glob of a `suppress` block: `*` crosses `.` and `[`.
pub fn address_glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(GlobBuilder::new(pattern)
        .literal_separator(false)
        .backslash_escape(true)
        .build()?
        .compile_matcher())
}

/// One suppression, from either place.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// The rule codes it holds back.
    pub rules: Vec<String>,
    /// Policy file: the addresses it applies to (`None`: all).
    pub address: Option<GlobMatcher>,
    pub reason: Option<String>,
    pub expires: Option<String>,
    /// Where it is written.
    pub location: Location,
    /// Inline: the file and the lines it covers.
    pub covers: Option<(String, u32, u32)>,
    /// What is wrong with how it is written, if anything.
    pub problem: Option<String>,
}

impl Suppression {
    fn matches(&self, f: &Finding) -> bool {
        if !self.rules.iter().any(|r| r == f.rule) {
            return false;
        }
        match (&self.covers, &self.address) {
            (Some((file, first, last)), _) => {
                f.location.file == *file && (*first..=*last).contains(&f.location.line)
            }
            (None, Some(glob)) => glob.is_match(&f.address),
            (None, None) => true,
        }
    }
}

/// The first valid suppression, in order, that holds back a finding, found
/// without trying every suppression on every finding: thousands of inline
/// directives and thousands of findings in one pull request would otherwise
/// cost their product.
struct FirstMatch<'s> {
    suppressions: &'s [Suppression],
    /// The policy file's (no covered lines), in order, by rule.
    by_rule: HashMap<&'s str, Vec<usize>>,
    /// Inline ones, by rule and then file.
    inline: HashMap<&'s str, HashMap<&'s str, Covered>>,
}

/// The inline suppressions of one rule in one file.
struct Covered {
    /// (first line, last line, index), in order.
    ranges: Vec<(u32, u32, usize)>,
    /// Per line, the first of `ranges` covering it (`usize::MAX`: none);
    /// worked out the first time a finding there asks.
    first_by_line: Option<Vec<usize>>,
}

impl<'s> FirstMatch<'s> {
    fn new(suppressions: &'s [Suppression], valid: &[usize]) -> Self {
        let mut by_rule: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut inline: HashMap<&str, HashMap<&str, Covered>> = HashMap::new();
        for &i in valid {
            let s = &suppressions[i];
            for rule in &s.rules {
                match &s.covers {
                    Some((file, first, last)) => inline
                        .entry(rule)
                        .or_default()
                        .entry(file)
                        .or_insert_with(|| Covered {
                            ranges: Vec::new(),
                            first_by_line: None,
                        })
                        .ranges
                        .push((*first, *last, i)),
                    None => by_rule.entry(rule).or_default().push(i),
                }
            }
        }
        FirstMatch {
            suppressions,
            by_rule,
            inline,
        }
    }

    /// What [`Suppression::matches`] tried on each valid suppression in
    /// order would find first.
    fn of(&mut self, f: &Finding) -> Option<usize> {
        let inline = self
            .inline
            .get_mut(f.rule)
            .and_then(|files| files.get_mut(f.location.file.as_str()))
            .and_then(|c| {
                let Covered {
                    ranges,
                    first_by_line,
                } = c;
                let first = first_by_line.get_or_insert_with(|| first_by_line_of(ranges));
                first
                    .get(f.location.line as usize)
                    .copied()
                    .filter(|i| *i != usize::MAX)
            });
        let before = inline.unwrap_or(usize::MAX);
        let suppressions = self.suppressions;
        self.by_rule
            .get(f.rule)
            .and_then(|candidates| {
                candidates
                    .iter()
                    .copied()
                    .take_while(|i| *i < before)
                    .find(|i| suppressions[*i].matches(f))
            })
            .or(inline)
    }
}

/// For every line up to the last one covered, the first of `ranges` (in
/// their order) that covers it, `usize::MAX` where none does. Each line is
/// given its range once: lines already given are skipped by following
/// `next`, the first line at or after each not yet given, shortened as it
/// is followed.
fn first_by_line_of(ranges: &[(u32, u32, usize)]) -> Vec<usize> {
    let end = ranges.iter().map(|r| r.1 as usize).max().unwrap_or(0);
    let mut first = vec![usize::MAX; end + 2];
    let mut next: Vec<usize> = (0..end + 2).collect();
    fn unpainted(next: &mut [usize], k: usize) -> usize {
        let mut root = k;
        while next[root] != root {
            root = next[root];
        }
        let mut j = k;
        while next[j] != root {
            let step = next[j];
            next[j] = root;
            j = step;
        }
        root
    }
    for &(from, to, index) in ranges {
        let mut k = unpainted(&mut next, from as usize);
        while k <= to as usize {
            first[k] = index;
            next[k] = k + 1;
            k = unpainted(&mut next, k + 1);
        }
    }
    first
}

/// The suppressions of the policy file.
pub fn from_policy(policy: &Policy) -> Vec<Suppression> {
    policy
        .suppressions
        .iter()
        .map(|s| Suppression {
            rules: vec![s.rule.clone()],
            // Validated when the policy was read.
            address: s.address.as_deref().and_then(|a| address_glob(a).ok()),
            reason: s.reason.clone(),
            expires: s.expires.clone(),
            location: s.location.clone(),
            covers: None,
            problem: None,
        })
        .collect()
}

/// The inline suppressions in the Terraform files read (`.tf`).
pub fn inline(sources: &BTreeMap<String, String>) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (file, text) in sources.iter().filter(|(f, _)| f.ends_with(".tf")) {
        let lines: Vec<&str> = text.lines().collect();
        // Worked out once per file, not once per directive: thousands of
        // directives above one long block would otherwise each walk past
        // the others and through the block.
        let mut ends: Option<Vec<usize>> = None;
        let mut next_code: Option<Vec<Option<usize>>> = None;
        for (i, line) in lines.iter().enumerate() {
            let Some((code_before, rest)) = directive(line) else {
                continue;
            };
            let at = i as u32 + 1;
            let mut s = parse(rest, Location::new(file, at, 1));
            let first = if code_before {
                Some(i)
            } else {
                next_code
                    .get_or_insert_with(|| code_lines_from(&lines))
                    .get(i + 1)
                    .copied()
                    .flatten()
            };
            match first {
                Some(first) => {
                    let last = ends
                        .get_or_insert_with(|| crate::model::location::block_ends(&lines))
                        .get(first)
                        .copied()
                        .unwrap_or(first);
                    s.covers = Some((file.clone(), first as u32 + 1, last as u32 + 1));
                }
                None => {
                    s.covers = Some((file.clone(), at, at));
                    s.problem
                        .get_or_insert_with(|| "it stands above no statement or block".into());
                }
            }
            out.push(s);
        }
    }
    out
}

/// For each line, the first line from it on that holds code (not blank and
/// not only a comment); one entry past the last line, which holds `None`.
fn code_lines_from(lines: &[&str]) -> Vec<Option<usize>> {
    let mut next = vec![None; lines.len() + 1];
    for j in (0..lines.len()).rev() {
        let t = lines[j].trim();
        next[j] = if !t.is_empty() && !t.starts_with('#') && !t.starts_with("//") {
            Some(j)
        } else {
            next[j + 1]
        };
    }
    next
}

/// `Some((code before the comment, text after "trustdrift:ignore"))` for a
/// line holding the directive in a comment (not inside a string).
fn directive(line: &str) -> Option<(bool, &str)> {
    const MARK: &str = "trustdrift:ignore";
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'#' || (b == b'/' && bytes.get(i + 1) == Some(&b'/')) {
            let start = if b == b'#' { i + 1 } else { i + 2 };
            let comment = line.get(start..)?.trim_start();
            let rest = comment.strip_prefix(MARK)?;
            if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
                return None;
            }
            let code_before = !line[..i].trim().is_empty();
            return Some((code_before, rest));
        }
        i += 1;
    }
    None
}

/// Reads `TD002[,TD004] reason="…" expires=YYYY-MM-DD`.
fn parse(rest: &str, location: Location) -> Suppression {
    let mut s = Suppression {
        rules: Vec::new(),
        address: None,
        reason: None,
        expires: None,
        location,
        covers: None,
        problem: None,
    };
    let mut chars = rest.trim().chars().peekable();
    let mut problems: Vec<String> = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut word = String::new();
        while let Some(c) = chars.peek().copied() {
            if c.is_whitespace() || c == '=' {
                break;
            }
            word.push(c);
            chars.next();
        }
        if chars.peek() == Some(&'=') {
            chars.next();
            let mut value = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                value.push(n);
                            }
                        }
                        '"' => {
                            closed = true;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                if !closed {
                    problems.push(format!("the value of {word} has no closing quote"));
                }
            } else {
                while let Some(c) = chars.peek().copied() {
                    if c.is_whitespace() {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
            match word.as_str() {
                "reason" => s.reason = Some(value).filter(|v| !v.trim().is_empty()),
                "expires" if is_date(&value) => s.expires = Some(value),
                "expires" => problems.push(format!("expires={value} is not a date (YYYY-MM-DD)")),
                other => problems.push(format!(
                    "unknown setting {other}= (expected reason=, expires=)"
                )),
            }
        } else {
            for code in word.split(',').filter(|c| !c.is_empty()) {
                match crate::rules::registry::find(code) {
                    Some(rule) => s.rules.push(rule.code.to_string()),
                    None => problems.push(format!("{code} is not a rule")),
                }
            }
        }
    }
    if s.rules.is_empty() && problems.is_empty() {
        problems.push("it names no rule".to_string());
    }
    if !problems.is_empty() {
        s.problem = Some(problems.join("; "));
    }
    s
}

/// What suppressions did to the findings of a run.
pub struct Applied {
    /// Findings that count, TD902 included, sorted.
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

/// Holds back the findings valid suppressions cover, and reports (TD902,
/// at the policy's severity for it) every suppression that is invalid,
/// expired on or before `today` (YYYY-MM-DD), or matched nothing.
pub fn apply(
    findings: Vec<Finding>,
    suppressions: &[Suppression],
    today: &str,
    policy: &Policy,
) -> Applied {
    let severity = policy.rule_severity(TD902.code, TD902.severity);
    let mut problems: Vec<(usize, String)> = Vec::new();
    let mut valid: Vec<usize> = Vec::new();
    for (i, s) in suppressions.iter().enumerate() {
        let what = if s.rules.is_empty() {
            "the suppression".to_string()
        } else {
            format!("the suppression of {}", s.rules.join(", "))
        };
        if let Some(p) = &s.problem {
            problems.push((i, format!("{what} suppresses nothing: {p}")));
        } else if s.reason.is_none() {
            problems.push((
                i,
                format!("{what} gives no reason (reason=\"…\"), so it suppresses nothing"),
            ));
        } else if let Some(e) = s.expires.as_deref().filter(|e| *e < today) {
            problems.push((
                i,
                format!("{what} expired on {e}, so it suppresses nothing"),
            ));
        } else {
            valid.push(i);
        }
    }
    let mut used = vec![false; suppressions.len()];
    let mut active = Vec::new();
    let mut suppressed = Vec::new();
    let mut first_match = FirstMatch::new(suppressions, &valid);
    for f in findings {
        let by = (f.rule != TD902.code).then(|| first_match.of(&f)).flatten();
        match by {
            Some(i) => {
                used[i] = true;
                let s = &suppressions[i];
                suppressed.push(Suppressed {
                    finding: f,
                    inline: s.covers.is_some(),
                    location: s.location.clone(),
                    reason: s.reason.clone().unwrap_or_default(),
                    expires: s.expires.clone(),
                });
            }
            None => active.push(f),
        }
    }
    for i in valid.into_iter().filter(|i| !used[*i]) {
        let s = &suppressions[i];
        problems.push((
            i,
            format!(
                "the suppression of {} matches no finding: remove it",
                s.rules.join(", ")
            ),
        ));
    }
    if let Some(severity) = severity {
        for (i, message) in problems {
            let s = &suppressions[i];
            active.push(
                Finding::new(&TD902, &s.location.file, &s.location, message).severity(severity),
            );
        }
    }
    active.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Applied {
        findings: active,
        suppressed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_match_is_what_trying_each_suppression_in_order_finds() {
        use crate::rules::registry;
        let rules: Vec<&crate::rules::Rule> = ["TD001", "TD002", "TD003"]
            .iter()
            .filter_map(|c| registry::find(c))
            .collect();
        assert_eq!(rules.len(), 3);
        // A small generator, the same on every run.
        let mut seed = 0x2545_f491_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let files = ["a.tf", "b.tf"];
        let addresses = [
            "aws_iam_role.x",
            "aws_iam_role.y",
            "module.m.aws_iam_role.x",
        ];
        for _ in 0..50 {
            let mut suppressions = Vec::new();
            for _ in 0..next(40) {
                let rule = rules[next(3) as usize].code.to_string();
                let mut s = parse(&format!("{rule} reason=r"), Location::new("p", 1, 1));
                match next(3) {
                    0 => {
                        let first = 1 + next(30) as u32;
                        let last = first + next(12) as u32;
                        s.covers = Some((files[next(2) as usize].to_string(), first, last));
                    }
                    1 => {
                        let pattern = ["aws_iam_role.*", "*.x", "module.*"][next(3) as usize];
                        s.address = address_glob(pattern).ok();
                    }
                    _ => {}
                }
                suppressions.push(s);
            }
            let valid: Vec<usize> = (0..suppressions.len()).filter(|_| next(5) > 0).collect();
            let mut first_match = FirstMatch::new(&suppressions, &valid);
            for _ in 0..200 {
                let location = Location::new(files[next(2) as usize], 1 + next(45) as u32, 1);
                let f = Finding::new(
                    rules[next(3) as usize],
                    addresses[next(3) as usize],
                    &location,
                    "m",
                );
                let linear = valid.iter().copied().find(|i| suppressions[*i].matches(&f));
                assert_eq!(first_match.of(&f), linear, "{:?} {f:?}", suppressions);
            }
        }
    }

    fn sources(text: &str) -> BTreeMap<String, String> {
        BTreeMap::from([("main.tf".to_string(), text.to_string())])
    }

    #[test]
    fn a_comment_covers_the_block_below_it() {
        let text = "# trustdrift:ignore TD002 reason=\"vendor SEC-1\" expires=2030-01-31\nresource \"a\" \"b\" {\n  x = {\n  }\n}\nresource \"c\" \"d\" {}\n";
        let s = inline(&sources(text));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].covers, Some(("main.tf".to_string(), 2, 5)));
        assert_eq!(s[0].rules, ["TD002"]);
        assert_eq!(s[0].reason.as_deref(), Some("vendor SEC-1"));
        assert_eq!(s[0].expires.as_deref(), Some("2030-01-31"));
        assert!(s[0].problem.is_none());
    }

    #[test]
    fn a_trailing_comment_covers_its_own_statement() {
        let text =
            "a = 1 // trustdrift:ignore TD001,TD004 reason=x\nb = \"# trustdrift:ignore TD001\"\n";
        let s = inline(&sources(text));
        assert_eq!(s.len(), 1, "the one inside a string is no comment");
        assert_eq!(s[0].covers, Some(("main.tf".to_string(), 1, 1)));
        assert_eq!(s[0].rules, ["TD001", "TD004"]);
    }

    #[test]
    fn mistakes_are_problems_not_errors() {
        let s = parse(
            "TD999 expires=2030-02-30 colour=red",
            Location::new("m.tf", 1, 1),
        );
        assert_eq!(
            s.problem.as_deref(),
            Some(
                "TD999 is not a rule; expires=2030-02-30 is not a date (YYYY-MM-DD); unknown setting colour= (expected reason=, expires=)"
            )
        );
        let s = parse("", Location::new("m.tf", 1, 1));
        assert_eq!(s.problem.as_deref(), Some("it names no rule"));
    }

    #[test]
    fn globs_cross_dots_and_brackets() {
        let g = address_glob("module.legacy.*").expect("glob");
        assert!(g.is_match("module.legacy.aws_iam_role.r[\"a\"]"));
        assert!(!g.is_match("module.new.aws_iam_role.r"));
    }
}
