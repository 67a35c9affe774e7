//! The one entry point: the binary turns its arguments into a [`Request`],
//! [`run`] reads, judges, renders and writes, and hands back an [`Outcome`]
//! with the exit status. Every command that reads Terraform shares
//! [`Input`], so the input options mean the same everywhere.

use crate::error::{Error, Result};
use crate::ingest::hcl::HclOptions;
use crate::model::severity::Severity;
use crate::report::{self, Summary};

/// What to read and which policy judges it.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// Directories, `.tf` files, plan/state JSON files, `-` for stdin.
    pub paths: Vec<String>,
    /// `--policy`; `None` looks for `.trustdrift.hcl`, else the built-in one.
    pub policy: Option<String>,
    /// `--var`/`--var-file` in command-line order, and `TF_VAR_*`.
    pub hcl: HclOptions,
}

/// A report format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Markdown,
    /// GitHub workflow commands (annotations).
    Github,
}

/// A report of `inventory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InventoryFormat {
    Json,
    Text,
}

/// Where a report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Stdout,
    /// Written atomically, and only when the whole run succeeded.
    File(String),
}

impl Destination {
    /// `None` and `-` are standard output.
    pub fn of(path: Option<&str>) -> Destination {
        match path {
            None | Some("-") => Destination::Stdout,
            Some(p) => Destination::File(p.to_string()),
        }
    }
}

/// `check`: judge and report.
#[derive(Debug, Clone)]
pub struct Check {
    /// The main report and where it goes.
    pub format: Format,
    pub output: Destination,
    pub fail_on: Option<Severity>,
    /// `--baseline-ref`: the policy is the one at this revision.
    pub baseline_ref: Option<String>,
    /// Colour in the text report.
    pub color: bool,
    /// `--baseline`; `None` uses `.trustdrift/baseline.json` when it exists.
    pub baseline: Option<String>,
    /// `--all`: with a baseline, report findings on grants it already holds.
    pub all: bool,
    /// `--today` (YYYY-MM-DD); `None` is the system date.
    pub today: Option<String>,
    /// More reports from the same run (`--sarif FILE`, `--markdown FILE`).
    pub extra: Vec<(Format, String)>,
    /// SARIF `automationDetails` category.
    pub sarif_category: String,
    /// `--github`: annotations, step summary, step outputs.
    pub github: Option<GitHub>,
    /// Honour suppressions; `--no-suppress` turns them all off, for an audit.
    pub suppress: bool,
    /// `--changed-since REV`: only the root modules a change since REV touched.
    pub changed_since: Option<String>,
}

/// How `baseline show` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowFormat {
    Text,
    Markdown,
    Json,
}

/// What GitHub mode writes to, from the runner's environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitHub {
    /// `$GITHUB_STEP_SUMMARY`: the Markdown summary is appended.
    pub step_summary: Option<String>,
    /// `$GITHUB_OUTPUT`: `findings`, `highest-severity`, `sarif-file`.
    pub output: Option<String>,
    /// `$GITHUB_EVENT_NAME`.
    pub event_name: Option<String>,
    /// `$GITHUB_EVENT_PATH`: the event payload, for a pull request's base.
    pub event_path: Option<String>,
}

impl GitHub {
    /// GitHub mode as the runner's variables describe it; `var` looks one up.
    pub fn from_env(var: &dyn Fn(&str) -> Option<String>) -> GitHub {
        let get = |k: &str| var(k).filter(|v| !v.is_empty());
        GitHub {
            step_summary: get("GITHUB_STEP_SUMMARY"),
            output: get("GITHUB_OUTPUT"),
            event_name: get("GITHUB_EVENT_NAME"),
            event_path: get("GITHUB_EVENT_PATH"),
        }
    }

    /// The base commit of the pull request this run is for, if it is one.
    pub fn pull_request_base(&self) -> Result<Option<String>> {
        if !matches!(
            self.event_name.as_deref(),
            Some("pull_request" | "pull_request_target")
        ) {
            return Ok(None);
        }
        let Some(path) = &self.event_path else {
            return Ok(None);
        };
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let event: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| Error::at(path, e.line() as u32, e.column() as u32, e.to_string()))?;
        let sha = event
            .pointer("/pull_request/base/sha")
            .and_then(|v| v.as_str())
            .ok_or_else(|| {
                Error::file(path, "a pull_request event without pull_request.base.sha")
            })?;
        if sha.len() < 7 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::file(
                path,
                format!("pull_request.base.sha {sha:?} is not a commit id"),
            ));
        }
        Ok(Some(sha.to_string()))
    }
}

#[derive(Debug, Clone)]
pub enum Command {
    Check(Check),
    /// `plan -- ARGS`: run Terraform's plan, then check it.
    Plan {
        terraform: crate::terraform::Terraform,
        check: Check,
    },
    Inventory {
        format: InventoryFormat,
    },
    /// `baseline create`: a new snapshot of every grant in the input.
    BaselineCreate {
        output: String,
        force: bool,
    },
    /// `baseline update`: the snapshot brought up to the input.
    BaselineUpdate {
        baseline: String,
    },
    /// `baseline approve`.
    BaselineApprove {
        baseline: String,
        key: String,
        approval: crate::baseline::ApprovalRequest,
        today: Option<String>,
    },
    /// `baseline show`.
    BaselineShow {
        baseline: String,
        format: ShowFormat,
        warn_days: u32,
        today: Option<String>,
    },
}

/// `--today`, or the system date.
fn today(given: Option<&str>) -> Result<crate::model::date::Date> {
    match given {
        None => Ok(crate::model::date::Date::today()),
        Some(s) => crate::model::date::Date::parse(s)
            .ok_or_else(|| Error::Usage(format!("--today {s:?} is not a date (YYYY-MM-DD)"))),
    }
}

#[derive(Debug, Clone)]
pub struct Request {
    pub input: Input,
    pub command: Command,
}

/// What a run produced: what to print, warnings for standard error, and
/// the exit status (0 nothing at or above `--fail-on`, 1 findings at or
/// above it). A run that cannot be trusted is an `Err` instead (exit 2)
/// and has written nothing.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub stdout: String,
    /// For standard error after the warnings (annotations that must not
    /// mix into a machine-readable report on standard output).
    pub stderr: String,
    pub warnings: Vec<String>,
    pub exit: u8,
}

/// What becomes of a run's large structures once it is done with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Freed, as a library caller that runs again needs.
    Free,
    /// Left for the process's end to reclaim at once (see [`run_to_exit`]).
    Exit,
}

impl Ending {
    /// Done with `value`: freed, or left to the process's end.
    fn done_with<T>(self, value: T) {
        match self {
            Ending::Free => drop(value),
            Ending::Exit => std::mem::forget(value),
        }
    }
}

/// Runs one request. `stdin` is read for the path `-`.
pub fn run(request: &Request, stdin: &mut dyn std::io::Read) -> Result<Outcome> {
    run_ending(request, stdin, Ending::Free)
}

/// [`run`], for a process that ends as soon as it returns (the binary): the
/// large structures of the run (the scan, the baseline, the grants, drift)
/// are left for the process's end to reclaim at once instead of being freed
/// piece by piece (hundreds of milliseconds at 100,000 grants).
pub fn run_to_exit(request: &Request, stdin: &mut dyn std::io::Read) -> Result<Outcome> {
    run_ending(request, stdin, Ending::Exit)
}

fn run_ending(request: &Request, stdin: &mut dyn std::io::Read, ending: Ending) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    let input = &request.input;
    match &request.command {
        Command::Check(check) => {
            let baseline_ref = baseline_ref(check)?;
            let gate = crate::load_gate(
                input.policy.as_deref(),
                &input.paths,
                baseline_ref.as_deref(),
            )?;
            today(check.today.as_deref())?;
            // The baseline is read while the inputs are; its error, if any,
            // is still the one reported first.
            let warnings = &mut outcome.warnings;
            let (baseline, scanned) = crate::threads::side_by_side(
                || load_baseline(check),
                || -> Result<Option<(Input, crate::Scan)>> {
                    let mut input = input.clone();
                    if let Some(rev) = &check.changed_since {
                        input.paths = crate::changed::roots_changed_since(&input.paths, rev)?;
                        if input.paths.is_empty() {
                            return Ok(None);
                        }
                    }
                    let scan = scan(&input, stdin, warnings)?;
                    Ok(Some((input, scan)))
                },
            );
            let baseline = baseline?;
            let Some((input, scan)) = scanned? else {
                outcome.stdout = format!(
                    "No Terraform root module changed since {}: nothing to check.\n",
                    report::terminal_safe(check.changed_since.as_deref().unwrap_or_default())
                );
                return Ok(outcome);
            };
            let before = match (baseline, &baseline_ref) {
                (Some(b), _) => Some(b),
                (None, Some(rev)) => Some(before_at(rev, &input, &gate.policy)?),
                (None, None) => crate::plan_before(&scan, &gate.policy),
            };
            judge(check, &gate, before.as_ref(), &scan, &mut outcome, ending)?;
            ending.done_with(before);
            ending.done_with(scan);
        }
        Command::Plan { terraform, check } => {
            // The policy is read before Terraform runs: a bad one stops here.
            let gate = crate::load_gate(
                input.policy.as_deref(),
                &input.paths,
                baseline_ref(check)?.as_deref(),
            )?;
            today(check.today.as_deref())?;
            let baseline = load_baseline(check)?;
            let (name, json) = crate::terraform::plan(terraform)?;
            let scan = crate::scan_ingested(crate::ingest::plan::parse(&name, &json)?);
            let before = baseline.or_else(|| crate::plan_before(&scan, &gate.policy));
            judge(check, &gate, before.as_ref(), &scan, &mut outcome, ending)?;
        }
        Command::Inventory { format } => {
            let policy = crate::load_policy(input.policy.as_deref(), &input.paths)?;
            let scan = scan(input, stdin, &mut outcome.warnings)?;
            let grants = crate::grants_of(&scan, &policy);
            let text = match format {
                InventoryFormat::Json => report::inventory::render_json(&scan.inventory, &grants),
                InventoryFormat::Text => report::inventory::render_text(&scan.inventory, &grants),
            };
            deliver(&mut outcome, &Destination::Stdout, scan.redact(text))?;
        }
        Command::BaselineCreate { output, force } => {
            let policy = crate::load_policy(input.policy.as_deref(), &input.paths)?;
            let scan = scan(input, stdin, &mut outcome.warnings)?;
            let grants = crate::grants_of(&scan, &policy);
            let b = crate::baseline::Baseline::new(
                crate::redacted_entries_of(&scan.inventory, &grants, &scan.secrets)
                    .into_values()
                    .collect(),
            );
            b.write(std::path::Path::new(output), *force)?;
            ending.done_with(grants);
            let reaches = b
                .entries
                .values()
                .filter(|e| e.kind == crate::baseline::EntryKind::Bedrock)
                .count();
            let grants = b.entries.len() - reaches;
            ending.done_with(b);
            ending.done_with(scan);
            outcome.stdout = if reaches == 0 {
                format!("{output}: {grants} grants recorded, none approved yet.\n")
            } else {
                format!(
                    "{output}: {grants} grants and {reaches} Bedrock reaches recorded, none approved yet.\n"
                )
            };
        }
        Command::BaselineUpdate { baseline } => {
            let path = std::path::Path::new(baseline);
            let old = crate::baseline::Baseline::read(path)?;
            let policy = crate::load_policy(input.policy.as_deref(), &input.paths)?;
            let scan = scan(input, stdin, &mut outcome.warnings)?;
            let grants = crate::grants_of(&scan, &policy);
            let (new, summary) = old.update(
                crate::redacted_entries_of(&scan.inventory, &grants, &scan.secrets)
                    .into_values()
                    .collect(),
            );
            if new.to_bytes() != old.to_bytes() {
                new.write(path, true)?;
            }
            outcome.stdout = scan.redact(update_summary(baseline, &summary));
        }
        Command::BaselineApprove {
            baseline,
            key,
            approval,
            today: given,
        } => {
            let path = std::path::Path::new(baseline);
            let mut b = crate::baseline::Baseline::read(path)?;
            let policy = crate::load_policy(input.policy.as_deref(), &[])?;
            let approved = b.approve(
                key,
                approval.clone(),
                today(given.as_deref())?,
                policy.metadata.max_expiry_days,
            )?;
            b.write(path, true)?;
            let mut text = format!("{baseline}: approved until {}:\n", approval.expires);
            for k in approved {
                text.push_str(&format!("  {}\n", report::terminal_safe(&k)));
            }
            outcome.stdout = text;
        }
        Command::BaselineShow {
            baseline,
            format,
            warn_days,
            today: given,
        } => {
            let b = crate::baseline::Baseline::read(std::path::Path::new(baseline))?;
            let day = today(given.as_deref())?;
            outcome.stdout = match format {
                ShowFormat::Text => report::baseline::render_text(&b, day, *warn_days),
                ShowFormat::Markdown => report::baseline::render_markdown(&b, day, *warn_days),
                ShowFormat::Json => report::baseline::render_json(&b, day, *warn_days),
            };
        }
    }
    Ok(outcome)
}

/// The widened grants, before and after, for the Markdown summary.
fn trust_changes(
    drift: Option<&crate::analyze::drift::Drift>,
) -> Vec<report::markdown::TrustChange> {
    let Some(drift) = drift else {
        return Vec::new();
    };
    drift
        .of_class(crate::analyze::drift::DriftClass::Widened)
        .filter_map(|g| {
            let (before, after) = (g.before.as_ref()?, g.after.as_ref()?);
            Some(report::markdown::TrustChange {
                key: g.key.clone(),
                kind: "widened".to_string(),
                before: serde_json::to_string_pretty(&before.content.value()).ok()?,
                after: serde_json::to_string_pretty(&after.content.value()).ok()?,
            })
        })
        .collect()
}

/// The revision whose policy judges the run: `--baseline-ref`, else in
/// GitHub mode a pull request's base when no baseline file exists.
fn baseline_ref(check: &Check) -> Result<Option<String>> {
    let no_baseline =
        check.baseline.is_none() && !std::path::Path::new(crate::baseline::DEFAULT_PATH).exists();
    Ok(match (&check.baseline_ref, &check.github) {
        (Some(rev), _) => Some(rev.clone()),
        (None, Some(gh)) if no_baseline => gh.pull_request_base()?,
        _ => None,
    })
}

/// The grants of the same inputs as they were at git revision `rev`
/// (`--baseline-ref`), judged by the policy in force: the before when no
/// baseline file exists. Read through git into a private directory; the work
/// tree is not touched. Standard input has no past and is left out.
fn before_at(
    rev: &str,
    input: &Input,
    policy: &crate::config::Policy,
) -> Result<crate::baseline::Loaded> {
    let repo = crate::git::Repo::discover(".")?;
    repo.verify(rev)?;
    let paths: Vec<String> = input.paths.iter().filter(|p| *p != "-").cloned().collect();
    let export = repo.export(rev, &paths)?;
    let existing: Vec<String> = export
        .paths
        .iter()
        .filter(|p| std::path::Path::new(p).exists())
        .cloned()
        .collect();
    let mut entries = Vec::new();
    if !existing.is_empty() {
        let scan = crate::scan(&existing, &input.hcl, &mut std::io::empty()).map_err(|e| {
            Error::Usage(format!(
                "--baseline-ref {rev}: the code there cannot be read: {e}"
            ))
        })?;
        let grants = crate::grants_of(&scan, policy);
        entries = crate::redacted_entries_of(&scan.inventory, &grants, &scan.secrets)
            .into_values()
            .collect();
    }
    Ok(crate::baseline::Loaded {
        path: format!("(at {rev})"),
        baseline: crate::baseline::Baseline::new(entries),
        lines: Default::default(),
    })
}

/// The baseline a check compares with: `--baseline`, else
/// `.trustdrift/baseline.json` when it exists.
fn load_baseline(check: &Check) -> Result<Option<crate::baseline::Loaded>> {
    Ok(match &check.baseline {
        Some(path) => Some(crate::baseline::Loaded::read(std::path::Path::new(path))?),
        None => {
            let default = std::path::Path::new(crate::baseline::DEFAULT_PATH);
            if default.exists() {
                Some(crate::baseline::Loaded::read(default)?)
            } else {
                None
            }
        }
    })
}

/// Judges a scan with the gate, applies suppressions, renders every report
/// asked for, and only then writes them.
fn judge(
    check: &Check,
    gate: &crate::Gate,
    baseline: Option<&crate::baseline::Loaded>,
    scan: &crate::Scan,
    outcome: &mut Outcome,
    ending: Ending,
) -> Result<()> {
    let day = today(check.today.as_deref())?;
    let judged = crate::judge(
        scan,
        &crate::Judge {
            policy: &gate.policy,
            policy_changes: &gate.weakened,
            baseline,
            today: day,
            all: check.all,
        },
    );
    let changes = trust_changes(judged.drift.as_ref());
    let all = judged.findings;
    let (findings, suppressed) = if check.suppress {
        let mut suppressions = crate::suppress::from_policy(&gate.policy);
        suppressions.extend(crate::suppress::inline(&scan.sources));
        let applied = crate::suppress::apply(all, &suppressions, &day.to_string(), &gate.policy);
        (applied.findings, applied.suppressed)
    } else {
        (all, Vec::new())
    };
    let summary = Summary::of(&findings, check.fail_on).with_policy(&gate.policy);
    let lines = LineLengths::of(scan, &findings, &suppressed);
    let line_len = |file: &str, line: u32| lines.get(file, line);
    let render = |format: Format, color: bool| -> String {
        let text = match format {
            Format::Text => {
                report::text::render(&findings, &summary, color, &|file: &str| scan.source(file))
            }
            Format::Json => report::json::render_with(&findings, &suppressed, &summary),
            Format::Sarif => report::sarif::render(
                &findings,
                &suppressed,
                &summary,
                &check.sarif_category,
                &line_len,
            ),
            Format::Markdown => {
                report::markdown::render_with_changes(&findings, &suppressed, &summary, &changes)
            }
            Format::Github => report::github::render(&findings),
        };
        scan.redact(text)
    };
    // Everything is rendered before anything is written.
    let color = check.color && check.output == Destination::Stdout;
    let mut writes: Vec<(Destination, String)> =
        vec![(check.output.clone(), render(check.format, color))];
    for (format, path) in &check.extra {
        writes.push((Destination::of(Some(path)), render(*format, false)));
    }
    let mut appends: Vec<(String, String)> = Vec::new();
    if let Some(gh) = &check.github {
        let annotations = render(Format::Github, false);
        let report_on_stdout = check.output == Destination::Stdout
            && !matches!(check.format, Format::Text | Format::Github);
        if check.format != Format::Github || check.output != Destination::Stdout {
            if report_on_stdout {
                outcome.stderr.push_str(&annotations);
            } else {
                writes.push((Destination::Stdout, annotations));
            }
        }
        if let Some(path) = &gh.step_summary {
            appends.push((path.clone(), render(Format::Markdown, false)));
        }
        if let Some(path) = &gh.output {
            let sarif = check
                .extra
                .iter()
                .find(|(f, _)| *f == Format::Sarif)
                .map(|(_, p)| p.clone())
                .or_else(|| match (&check.format, &check.output) {
                    (Format::Sarif, Destination::File(p)) => Some(p.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            let highest = findings
                .iter()
                .map(|f| f.severity)
                .max()
                .map(Severity::as_str)
                .unwrap_or("none");
            let mut text = String::new();
            for (name, value) in [
                ("findings", findings.len().to_string()),
                ("highest-severity", highest.to_string()),
                ("sarif-file", sarif),
            ] {
                text.push_str(&step_output(name, &value));
            }
            appends.push((path.clone(), text));
        }
    }
    for (to, text) in writes {
        deliver(outcome, &to, text)?;
    }
    for (path, text) in appends {
        append(&path, &text)?;
    }
    outcome.exit = u8::from(summary.failed);
    ending.done_with((judged.grants, judged.drift, findings, suppressed));
    Ok(())
}

/// One `$GITHUB_OUTPUT` entry: `name=value`, or the delimited form when
/// the value holds a line break (with a delimiter the value does not hold).
pub fn step_output(name: &str, value: &str) -> String {
    if !value.contains(['\n', '\r']) {
        return format!("{name}={value}\n");
    }
    let mut n = 0u32;
    let delimiter = loop {
        let d = format!("trustdrift_{n}");
        if !value.contains(&d) {
            break d;
        }
        n += 1;
    };
    format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
}

/// Appends to a file the runner reads after the step (`$GITHUB_OUTPUT`,
/// `$GITHUB_STEP_SUMMARY`): other steps write there too, so it is
/// appended to, never replaced.
fn append(path: &str, text: &str) -> Result<()> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| Error::io(path, e))
}

/// Line lengths (in characters) of the scanned files findings point at,
/// so a SARIF region can end where its line ends.
struct LineLengths(std::collections::BTreeMap<String, Vec<u32>>);

impl LineLengths {
    fn of(
        scan: &crate::Scan,
        findings: &[crate::rules::Finding],
        suppressed: &[report::Suppressed],
    ) -> Self {
        let mut out = std::collections::BTreeMap::new();
        let files = findings
            .iter()
            .chain(suppressed.iter().map(|s| &s.finding))
            .flat_map(|f| std::iter::once(&f.location).chain(f.related.iter().map(|(l, _)| l)));
        for loc in files {
            if out.contains_key(&loc.file) {
                continue;
            }
            if let Some(text) = scan.sources.get(&loc.file) {
                let lens = text.lines().map(|l| l.chars().count() as u32).collect();
                out.insert(loc.file.clone(), lens);
            }
        }
        LineLengths(out)
    }

    fn get(&self, file: &str, line: u32) -> Option<u32> {
        self.0
            .get(file)?
            .get(line.checked_sub(1)? as usize)
            .copied()
    }
}

/// What `baseline update` did, in a line per change.
fn update_summary(path: &str, s: &crate::baseline::UpdateSummary) -> String {
    let mut out = format!(
        "{path}: {} added (unapproved), {} removed, {} changed, {} approvals kept.\n",
        s.added.len(),
        s.removed.len(),
        s.changed.len(),
        s.approvals_kept
    );
    for (sign, keys) in [("+", &s.added), ("-", &s.removed), ("~", &s.changed)] {
        for k in keys {
            out.push_str(&format!("  {sign} {}\n", report::terminal_safe(k)));
        }
    }
    out
}

fn scan(
    input: &Input,
    stdin: &mut dyn std::io::Read,
    warnings: &mut Vec<String>,
) -> Result<crate::Scan> {
    let any_code = input
        .paths
        .iter()
        .any(|p| p.ends_with(".tf") || p.ends_with(".tf.json") || std::path::Path::new(p).is_dir());
    if !input.hcl.inputs.is_empty() && !any_code {
        warnings.push(
            "--var and --var-file set input values of Terraform code; plan and state JSON already hold theirs, so they are not used here".to_string(),
        );
    }
    crate::scan(&input.paths, &input.hcl, stdin)
}

fn deliver(outcome: &mut Outcome, to: &Destination, text: String) -> Result<()> {
    match to {
        Destination::Stdout => outcome.stdout.push_str(&text),
        Destination::File(path) => {
            crate::output::write_atomically(std::path::Path::new(path), text.as_bytes())
                .map_err(|e| Error::file(path, format!("cannot write the report: {e}")))?
        }
    }
    Ok(())
}
