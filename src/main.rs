//! Thin: parse arguments, call the library, map the outcome to an exit code.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;

use cli::{
    BaselineCommand, CheckFormat, Cli, Command, FailOn, InputValue, InventoryFormat, RulesFormat,
    ShowFormat,
};
use trustdrift::CliInput;
use trustdrift::model::severity::Severity;
use trustdrift::report;
use trustdrift::run::{self, Destination, Request};

/// trustdrift allocates many small strings and maps (one per principal,
/// condition and baseline entry); mimalloc serves them about twice as fast
/// as the system allocator (`check --baseline` at 100,000 grants: 10 s of CPU
/// against 19 s; a 4,000-file tree: 345 MB peak against 510 MB). It is built
/// with `no_thp`: it does not ask for transparent huge pages, whose clearing
/// on first touch cost seconds of kernel time on large runs, and it leaves
/// that setting alone for the processes trustdrift starts (git, Terraform).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let (cli, inputs) = Cli::parse_ordered();
    match dispatch(cli, &inputs) {
        Ok(code) => code,
        Err(e) => {
            // Errors quote input (file names, values): escape it as reports do.
            eprintln!(
                "error: {}",
                trustdrift::report::terminal_safe(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}

fn fail_on(f: FailOn) -> Option<Severity> {
    match f {
        FailOn::Info => Some(Severity::Info),
        FailOn::Low => Some(Severity::Low),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::High => Some(Severity::High),
        FailOn::Critical => Some(Severity::Critical),
        FailOn::Never => None,
    }
}

/// Colour only on a terminal that can show it: never with `NO_COLOR` set,
/// and never when `TERM` is `dumb` (or unset on a terminal that says nothing).
fn use_color() -> bool {
    std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").is_ok_and(|t| !t.is_empty() && t != "dumb")
}

/// The shared input options: paths, policy, `--var`, `--var-file` (in
/// command-line order) and `TF_VAR_*` as the HCL ingester takes them.
fn input(args: &cli::InputArgs, inputs: &[InputValue]) -> anyhow::Result<run::Input> {
    let values = inputs
        .iter()
        .map(|input| match input {
            InputValue::File(path) => Ok(CliInput::File(path.into())),
            InputValue::Var(v) => match v.split_once('=') {
                Some((name, value)) if !name.is_empty() => Ok(CliInput::Var {
                    name: name.to_string(),
                    value: value.to_string(),
                }),
                _ => Err(anyhow::anyhow!("--var {v:?}: expected NAME=VALUE")),
            },
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut env_vars: Vec<(String, String)> = std::env::vars()
        .filter_map(|(k, v)| k.strip_prefix("TF_VAR_").map(|n| (n.to_string(), v)))
        .collect();
    env_vars.sort();
    Ok(run::Input {
        paths: args.paths.clone(),
        policy: args.policy.clone(),
        hcl: trustdrift::HclOptions {
            inputs: values,
            env_vars,
            root: args.root.as_ref().map(Into::into),
            code: args.code.as_ref().map(Into::into),
            plan_values: None,
        },
    })
}

/// The check options as the library takes them.
fn check(args: cli::CheckArgs) -> run::Check {
    let mut extra = Vec::new();
    if let Some(path) = &args.sarif {
        extra.push((run::Format::Sarif, path.clone()));
    }
    if let Some(path) = &args.markdown {
        extra.push((run::Format::Markdown, path.clone()));
    }
    let github = args.github
        || (!args.no_github && std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"));
    run::Check {
        format: match args.format {
            CheckFormat::Text => run::Format::Text,
            CheckFormat::Json => run::Format::Json,
            CheckFormat::Sarif => run::Format::Sarif,
            CheckFormat::Markdown => run::Format::Markdown,
            CheckFormat::Github => run::Format::Github,
        },
        output: Destination::of(args.output.as_deref()),
        fail_on: fail_on(args.fail_on),
        baseline_ref: args.baseline_ref,
        color: use_color(),
        extra,
        sarif_category: args.sarif_category,
        baseline: args.baseline,
        all: args.all,
        today: args.today,
        suppress: !args.no_suppress,
        changed_since: args.changed_since,
        github: github.then(|| run::GitHub::from_env(&|k| std::env::var(k).ok())),
    }
}

fn dispatch(cli: Cli, inputs: &[InputValue]) -> anyhow::Result<ExitCode> {
    let request = match cli.command {
        Command::Check(args) => Request {
            input: input(&args.input, inputs)?,
            command: run::Command::Check(check(args)),
        },
        Command::Baseline(sub) => baseline_request(sub, inputs)?,
        Command::Plan(plan) => {
            if plan.check.changed_since.is_some() {
                anyhow::bail!("plan takes no --changed-since: Terraform plans one root module");
            }
            if plan.check.input.paths != ["."] {
                anyhow::bail!(
                    "plan takes no PATH: Terraform plans the working directory (pass -chdir to Terraform's own options, or cd there)"
                );
            }
            // --var and --var-file go to Terraform, in their order.
            let mut args: Vec<String> = inputs
                .iter()
                .map(|v| match v {
                    InputValue::Var(v) => format!("-var={v}"),
                    InputValue::File(f) => format!("-var-file={f}"),
                })
                .collect();
            args.extend(plan.args.iter().cloned());
            let mut input = input(&plan.check.input, &[])?;
            input.paths = Vec::new();
            Request {
                input,
                command: run::Command::Plan {
                    terraform: trustdrift::terraform::Terraform {
                        program: plan.terraform.clone(),
                        args,
                    },
                    check: check(plan.check),
                },
            }
        }
        Command::Inventory(args) => Request {
            input: input(&args.input, inputs)?,
            command: run::Command::Inventory {
                format: match args.format {
                    InventoryFormat::Json => run::InventoryFormat::Json,
                    InventoryFormat::Text => run::InventoryFormat::Text,
                },
            },
        },
        Command::Rules(args) => {
            print(&match args.format {
                RulesFormat::Text => report::rules::render_text(),
                RulesFormat::Json => report::rules::render_json(),
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Explain { rule } => {
            let Some(r) = trustdrift::rules::registry::find(&rule) else {
                anyhow::bail!("no rule named {rule:?} (see `trustdrift rules`)");
            };
            print(&report::rules::render_explain(r))?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    // The process ends once the run is done: what it built is reclaimed at
    // the end, not freed piece by piece.
    let outcome = run::run_to_exit(&request, &mut std::io::stdin().lock())?;
    for warning in &outcome.warnings {
        eprintln!("warning: {}", report::terminal_safe(warning));
    }
    print(&outcome.stdout)?;
    eprint!("{}", outcome.stderr);
    Ok(ExitCode::from(outcome.exit))
}

fn baseline_request(sub: BaselineCommand, inputs: &[InputValue]) -> anyhow::Result<Request> {
    Ok(match sub {
        BaselineCommand::Create {
            input: args,
            output,
            force,
        } => Request {
            input: input(&args, inputs)?,
            command: run::Command::BaselineCreate { output, force },
        },
        BaselineCommand::Update {
            input: args,
            baseline,
        } => Request {
            input: input(&args, inputs)?,
            command: run::Command::BaselineUpdate { baseline },
        },
        BaselineCommand::Approve {
            key,
            baseline,
            owner,
            expires,
            reason,
            ticket,
            policy,
            today,
        } => Request {
            input: run::Input {
                policy,
                ..run::Input::default()
            },
            command: run::Command::BaselineApprove {
                baseline,
                key,
                approval: trustdrift::baseline::ApprovalRequest {
                    owner,
                    expires,
                    reason,
                    ticket,
                },
                today,
            },
        },
        BaselineCommand::Show {
            baseline,
            format,
            warn_days,
            today,
        } => Request {
            input: run::Input::default(),
            command: run::Command::BaselineShow {
                baseline,
                format: match format {
                    ShowFormat::Text => run::ShowFormat::Text,
                    ShowFormat::Markdown => run::ShowFormat::Markdown,
                    ShowFormat::Json => run::ShowFormat::Json,
                },
                warn_days,
                today,
            },
        },
    })
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e).context("writing the report");
        }
    }
    Ok(())
}
