//! Thin: parse arguments, call the library, map the outcome to an exit code.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;

use cli::{CheckFormat, Cli, Command, FailOn, InputValue, InventoryFormat, RulesFormat};
use trustdrift::CliInput;
use trustdrift::model::severity::Severity;
use trustdrift::report::{self, Summary};

fn main() -> ExitCode {
    let (cli, inputs) = Cli::parse_ordered();
    match run(cli, &inputs) {
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

/// `--var`, `--var-file` (in command-line order) and `TF_VAR_*` as the HCL
/// ingester takes them.
fn hcl_options(inputs: &[InputValue]) -> anyhow::Result<trustdrift::HclOptions> {
    let inputs = inputs
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
    Ok(trustdrift::HclOptions { inputs, env_vars })
}

fn scan(input: &cli::InputArgs, inputs: &[InputValue]) -> anyhow::Result<trustdrift::Scan> {
    let options = hcl_options(inputs)?;
    let any_code = input
        .paths
        .iter()
        .any(|p| p.ends_with(".tf") || p.ends_with(".tf.json") || std::path::Path::new(p).is_dir());
    if !inputs.is_empty() && !any_code {
        eprintln!(
            "warning: --var and --var-file set input values of Terraform code; plan and state JSON already hold theirs, so they are not used here"
        );
    }
    Ok(trustdrift::scan(
        &input.paths,
        &options,
        &mut std::io::stdin().lock(),
    )?)
}

fn run(cli: Cli, inputs: &[InputValue]) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => {
            let gate = trustdrift::load_gate(
                args.input.policy.as_deref(),
                &args.input.paths,
                args.baseline_ref.as_deref(),
            )?;
            let scan = scan(&args.input, inputs)?;
            let findings = trustdrift::check_with(&scan, &gate.policy, &gate.weakened);
            let summary = Summary::of(&findings, fail_on(args.fail_on)).with_policy(&gate.policy);
            let text = match args.format {
                CheckFormat::Text => report::text::render(
                    &findings,
                    &summary,
                    args.output.is_none() && use_color(),
                    &|file: &str| scan.source(file),
                ),
                CheckFormat::Json => report::json::render(&findings, &summary),
            };
            emit(&scan.redact(text), args.output.as_deref())?;
            Ok(ExitCode::from(if summary.failed { 1 } else { 0 }))
        }
        Command::Inventory(args) => {
            let policy = trustdrift::load_policy(args.input.policy.as_deref(), &args.input.paths)?;
            let scan = scan(&args.input, inputs)?;
            let grants = trustdrift::grants_of(&scan, &policy);
            let text = match args.format {
                InventoryFormat::Json => report::inventory::render_json(&scan.inventory, &grants),
                InventoryFormat::Text => report::inventory::render_text(&scan.inventory, &grants),
            };
            emit(&scan.redact(text), None)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules(args) => {
            let text = match args.format {
                RulesFormat::Text => report::rules::render_text(),
                RulesFormat::Json => report::rules::render_json(),
            };
            emit(&text, None)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => {
            let Some(r) = trustdrift::rules::registry::find(&rule) else {
                anyhow::bail!("no rule named {rule:?} (see `trustdrift rules`)");
            };
            emit(&report::rules::render_explain(r), None)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes the report to stdout (no path, or `-`), or to `path` through a
/// temporary file in the same directory that is flushed to disk and renamed
/// into place, so a reader never sees half a report. On any failure the
/// temporary file is removed and the error names `path`; an existing
/// report keeps its permissions.
fn emit(text: &str, path: Option<&str>) -> anyhow::Result<()> {
    let Some(path) = path.filter(|p| *p != "-") else {
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth a message.
        if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                return Err(e).context("writing the report");
            }
        }
        return Ok(());
    };
    write_atomically(std::path::Path::new(path), text.as_bytes())
        .with_context(|| format!("{path}: cannot write the report"))
}

fn write_atomically(target: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::fs::OpenOptions;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let existing_mode = std::fs::metadata(target).ok().map(|m| m.permissions());
    // A fresh name that nothing (not even a symlink planted there) holds.
    let (tmp, mut file) = {
        let mut attempt = 0u32;
        loop {
            let tmp = dir.join(format!(
                ".{file_name}.trustdrift-tmp-{}-{attempt}",
                std::process::id()
            ));
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    };
    let written = (|| {
        file.write_all(bytes)?;
        if let Some(mode) = existing_mode {
            file.set_permissions(mode)?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
