//! Command-line definitions (clap) and nothing else.

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "trustdrift",
    version,
    about = "Guards the cross-account trust boundary in Terraform: who may assume which IAM role, and whether that trust is scoped",
    after_help = "Exit status: 0 no finding at or above --fail-on; 1 findings at or above it; 2 the run could not be trusted (bad input, bad policy)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Judge the trust in Terraform code or plan/state JSON and report risky trust.
    Check(CheckArgs),
    /// Run `terraform plan` (its output unchanged), then check the plan.
    Plan(PlanArgs),
    /// List what was extracted (roles, trust statements, grants), no judgement.
    Inventory(InventoryArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Write, update, approve and show the baseline snapshot of trust.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Show one rule's documentation.
    Explain {
        /// A rule code (TD002) or name (cross-account-unscoped).
        rule: String,
    },
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// A directory of .tf files, a .tf file, or plan/state JSON (`terraform show -json`,
    /// recognised by content); `-` reads JSON from standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<String>,
    /// An HCL input value, NAME=VALUE (as `terraform plan -var`); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// A .tfvars file of HCL input values; repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<String>,
    /// Policy file (default: .trustdrift.hcl when it exists, else the built-in policy).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<String>,
    /// How far local module sources and file() may reach (default: the git repository
    /// holding the scanned directory, else that directory).
    #[arg(long, value_name = "DIR")]
    pub root: Option<String>,
    /// The Terraform code of a plan given as input: roles whose trust the plan knows only after
    /// apply are evaluated from it, with the plan's values (default: the plan file's directory
    /// when it holds .tf files).
    #[arg(long, value_name = "DIR")]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// A Markdown summary (a step summary, a pull-request comment).
    Markdown,
    /// GitHub workflow command annotations.
    Github,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Critical,
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<String>,
    /// Exit 1 when a finding has this severity or higher.
    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: FailOn,
    /// Judge with the policy file as it is at this git revision (a pull
    /// request's base), and report how the change weakens it (TD903).
    #[arg(long, value_name = "REV")]
    pub baseline_ref: Option<String>,
    /// The baseline to compare with (default .trustdrift/baseline.json when it exists).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<String>,
    /// With a baseline, also report findings on grants it already holds.
    #[arg(long)]
    pub all: bool,
    /// The day expiry is judged on (YYYY-MM-DD; default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Also write a SARIF report to FILE (atomically), from the same run.
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<String>,
    /// Also write a Markdown summary to FILE (atomically), from the same run.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<String>,
    /// SARIF category (`automationDetails.id`): tells apart the runs over
    /// different parts of one repository.
    #[arg(long, value_name = "NAME", default_value = "trustdrift")]
    pub sarif_category: String,
    /// GitHub mode: annotations, a summary in $GITHUB_STEP_SUMMARY, step
    /// outputs in $GITHUB_OUTPUT, and a pull request's base as the default
    /// --baseline-ref. On when GITHUB_ACTIONS=true.
    #[arg(long)]
    pub github: bool,
    /// Check only the root modules under PATH with a file changed since git
    /// revision REV (committed, staged or not), directly or in a local
    /// module they call.
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
    /// Ignore every suppression (inline and in the policy file), so an
    /// audit sees every finding.
    #[arg(long)]
    pub no_suppress: bool,
    /// Off GitHub mode even when GITHUB_ACTIONS=true.
    #[arg(long, conflicts_with = "github")]
    pub no_github: bool,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Write a new baseline of every grant in the input (refuses to replace one without --force).
    Create {
        #[command(flatten)]
        input: InputArgs,
        /// Where to write it.
        #[arg(long, value_name = "FILE", default_value = ".trustdrift/baseline.json")]
        output: String,
        /// Replace an existing baseline (its approvals are lost; prefer `update`).
        #[arg(long)]
        force: bool,
    },
    /// Bring the baseline up to the input: add new grants unapproved, drop vanished ones, keep every approval.
    Update {
        #[command(flatten)]
        input: InputArgs,
        #[arg(long, value_name = "FILE", default_value = ".trustdrift/baseline.json")]
        baseline: String,
    },
    /// Approve grants (KEY may be a glob over grant keys) with an owner, an expiry and a reason.
    Approve {
        /// A grant key, or a glob (`aws_iam_role.vendor|*`).
        key: String,
        #[arg(long, value_name = "FILE", default_value = ".trustdrift/baseline.json")]
        baseline: String,
        #[arg(long)]
        owner: String,
        /// YYYY-MM-DD, after today and within the policy's max_expiry_days.
        #[arg(long)]
        expires: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        ticket: Option<String>,
        /// Policy file whose metadata.max_expiry_days applies.
        #[arg(long, value_name = "FILE")]
        policy: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
    },
    /// The snapshot as a compliance reviewer reads it: every grant with owner, expiry, approval and days left.
    Show {
        #[arg(long, value_name = "FILE", default_value = ".trustdrift/baseline.json")]
        baseline: String,
        #[arg(long, value_enum, default_value = "text")]
        format: ShowFormat,
        /// Approvals expiring within this many days are flagged.
        #[arg(long, default_value_t = 30)]
        warn_days: u32,
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShowFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Runs `TERRAFORM plan -out=<temp> ARGS...` in the working directory, then `TERRAFORM show -json` of that plan, and checks it; the temporary plan is removed. A -out in ARGS is used instead, and kept. --var and --var-file are passed on to Terraform, in their order, before ARGS. Terraform's failure exits 2."
)]
pub struct PlanArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// The Terraform program: `terraform`, `tofu`, or a path.
    #[arg(long, value_name = "PATH", default_value = "terraform")]
    pub terraform: String,
    /// Arguments for `terraform plan`, after `--`.
    #[arg(last = true, value_name = "TERRAFORM PLAN ARGS")]
    pub args: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum InventoryFormat {
    Json,
    Text,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, value_enum, default_value = "json")]
    pub format: InventoryFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "text")]
    pub format: RulesFormat,
}

/// An input value option, in the order given: Terraform applies `-var` and
/// `-var-file` in command-line order, a later one overriding an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputValue {
    /// `--var NAME=VALUE`, as written.
    Var(String),
    /// `--var-file FILE`.
    File(String),
}

impl Cli {
    /// Parses the command line (exiting with clap's usage error on a bad
    /// one), and says in which order `--var` and `--var-file` came.
    pub fn parse_ordered() -> (Cli, Vec<InputValue>) {
        let matches = Cli::command().get_matches();
        let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        let mut ordered: Vec<(usize, InputValue)> = Vec::new();
        let sub = match matches.subcommand() {
            Some(("check" | "inventory" | "plan", sub)) => Some(sub),
            Some(("baseline", nested)) => match nested.subcommand() {
                Some(("create" | "update", sub)) => Some(sub),
                _ => None,
            },
            _ => None,
        };
        if let Some(sub) = sub {
            for (id, make) in [
                ("vars", InputValue::Var as fn(String) -> InputValue),
                ("var_files", InputValue::File),
            ] {
                if let (Some(indices), Some(values)) =
                    (sub.indices_of(id), sub.get_many::<String>(id))
                {
                    ordered.extend(indices.zip(values).map(|(i, v)| (i, make(v.clone()))));
                }
            }
        }
        ordered.sort_by_key(|(i, _)| *i);
        (cli, ordered.into_iter().map(|(_, v)| v).collect())
    }
}
