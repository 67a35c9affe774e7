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
}

#[derive(Debug, Clone)]
pub enum Command {
    Check(Check),
    Inventory { format: InventoryFormat },
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
            let scan = scan(input, stdin, &mut outcome.warnings)?;
            let findings = crate::check_with(&scan, &gate.policy, &gate.weakened);
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
    }
    Ok(outcome)
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
