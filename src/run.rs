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
}

/// How `baseline show` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone)]
pub enum Command {
    Check(Check),
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
    pub warnings: Vec<String>,
    pub exit: u8,
}

/// Runs one request. `stdin` is read for the path `-`.
pub fn run(request: &Request, stdin: &mut dyn std::io::Read) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    let input = &request.input;
    match &request.command {
        Command::Check(check) => {
            let gate = crate::load_gate(
                input.policy.as_deref(),
                &input.paths,
                check.baseline_ref.as_deref(),
            )?;
            let day = today(check.today.as_deref())?;
            let baseline = match &check.baseline {
                Some(path) => Some(crate::baseline::Loaded::read(std::path::Path::new(path))?),
                None => {
                    let default = std::path::Path::new(crate::baseline::DEFAULT_PATH);
                    if default.exists() {
                        Some(crate::baseline::Loaded::read(default)?)
                    } else {
                        None
                    }
                }
            };
            let scan = scan(input, stdin, &mut outcome.warnings)?;
            let judged = crate::judge(
                &scan,
                &crate::Judge {
                    policy: &gate.policy,
                    policy_changes: &gate.weakened,
                    baseline: baseline.as_ref(),
                    today: day,
                    all: check.all,
                },
            );
            let findings = judged.findings;
            let summary = Summary::of(&findings, check.fail_on).with_policy(&gate.policy);
            let color = check.color && check.output == Destination::Stdout;
            let text = match check.format {
                Format::Text => report::text::render(&findings, &summary, color, &|file: &str| {
                    scan.source(file)
                }),
                Format::Json => report::json::render(&findings, &summary),
            };
            deliver(&mut outcome, &check.output, scan.redact(text))?;
            outcome.exit = u8::from(summary.failed);
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
            let b =
                crate::baseline::Baseline::new(crate::entries_of(&grants).into_values().collect());
            b.write(std::path::Path::new(output), *force)?;
            outcome.stdout = format!(
                "{output}: {} grants recorded, none approved yet.\n",
                b.entries.len()
            );
        }
        Command::BaselineUpdate { baseline } => {
            let path = std::path::Path::new(baseline);
            let old = crate::baseline::Baseline::read(path)?;
            let policy = crate::load_policy(input.policy.as_deref(), &input.paths)?;
            let scan = scan(input, stdin, &mut outcome.warnings)?;
            let grants = crate::grants_of(&scan, &policy);
            let (new, summary) = old.update(crate::entries_of(&grants).into_values().collect());
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
