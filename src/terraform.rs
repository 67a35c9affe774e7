//! `trustdrift plan -- ARGS`: runs `terraform plan -out=<temp> ARGS` (or
//! `tofu`, or `--terraform PATH`) with its output streamed unchanged, then
//! `terraform show -json <plan>`, and hands the JSON to the check. The only
//! code that starts Terraform. The temporary plan is removed on every path:
//! success, Terraform's failure, and an interrupt (SIGINT, SIGTERM, SIGHUP
//! are passed on to Terraform, which stops cleanly; then trustdrift cleans
//! up and exits 2). A `-out` in ARGS is the user's file: used, not removed,
//! and not given twice.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};

use crate::error::{Error, Result};

/// How to run Terraform.
#[derive(Debug, Clone)]
pub struct Terraform {
    /// The program (`terraform`, `tofu`, a path).
    pub program: String,
    /// Arguments for `terraform plan`, as given after `--`.
    pub args: Vec<String>,
}

/// The plan file named by `-out=FILE` or `-out FILE` in `args`.
pub fn out_of(args: &[String]) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(v) = a.strip_prefix("-out=").or_else(|| a.strip_prefix("--out=")) {
            return Some(v.to_string());
        }
        if a == "-out" || a == "--out" {
            return it.next().cloned();
        }
    }
    None
}

/// A private directory for the temporary plan, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        crate::output::private_temp_dir("plan")
            .map(TempDir)
            .map_err(|e| Error::io(std::env::temp_dir().display(), e))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Signals that stop a run: while Terraform runs they are caught, passed
/// on to it, and end the run once it has stopped.
struct Interrupts {
    #[cfg(unix)]
    caught: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    #[cfg(unix)]
    ids: Vec<signal_hook::SigId>,
}

impl Interrupts {
    fn catch() -> Interrupts {
        #[cfg(unix)]
        {
            let caught = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let ids = [
                signal_hook::consts::SIGINT,
                signal_hook::consts::SIGTERM,
                signal_hook::consts::SIGHUP,
            ]
            .into_iter()
            .filter_map(|sig| {
                signal_hook::flag::register_usize(sig, std::sync::Arc::clone(&caught), sig as usize)
                    .ok()
            })
            .collect();
            Interrupts { caught, ids }
        }
        #[cfg(not(unix))]
        Interrupts {}
    }

    /// The signal caught, if any.
    fn caught(&self) -> Option<i32> {
        #[cfg(unix)]
        {
            match self.caught.load(std::sync::atomic::Ordering::SeqCst) {
                0 => None,
                s => i32::try_from(s).ok(),
            }
        }
        #[cfg(not(unix))]
        None
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        #[cfg(unix)]
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Waits for `child`, passing on a caught signal once.
fn wait(child: &mut Child, interrupts: &Interrupts) -> Result<(ExitStatus, Option<i32>)> {
    let mut forwarded = None;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok((status, forwarded.or(interrupts.caught()))),
            Ok(None) => {}
            Err(e) => return Err(Error::Usage(format!("waiting for terraform: {e}"))),
        }
        if let (None, Some(sig)) = (forwarded, interrupts.caught()) {
            forwarded = Some(sig);
            #[cfg(unix)]
            if let Ok(pid) = i32::try_from(child.id()) {
                // SAFETY: kill(2) with a child's pid and a signal number; no
                // memory is involved.
                unsafe {
                    libc::kill(pid, sig);
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn spawn(program: &str, args: &[String], stdout: Stdio) -> Result<Child> {
    Command::new(program)
        .args(args)
        .stdin(Stdio::inherit())
        .stdout(stdout)
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| {
            Error::Usage(format!(
                "cannot run {program:?}: {e} (install Terraform, or name it with --terraform PATH)"
            ))
        })
}

fn failed(program: &str, what: &str, status: ExitStatus, signal: Option<i32>) -> Error {
    match signal {
        Some(sig) => Error::Usage(format!(
            "interrupted (signal {sig}) while `{program} {what}` ran; its temporary plan is removed"
        )),
        None => Error::Usage(format!(
            "`{program} {what}` failed ({status}); its messages are above"
        )),
    }
}

/// Runs the plan and returns `terraform show -json` of it, with the name
/// the report gives it.
pub fn plan(tf: &Terraform) -> Result<(String, crate::ingest::whole::Stream)> {
    let interrupts = Interrupts::catch();
    let temp;
    let (plan_file, mut args): (PathBuf, Vec<String>) = match out_of(&tf.args) {
        Some(out) => (PathBuf::from(out), vec!["plan".to_string()]),
        None => {
            temp = TempDir::new()?;
            let file = temp.0.join("trustdrift.tfplan");
            (
                file.clone(),
                vec!["plan".to_string(), format!("-out={}", file.display())],
            )
        }
    };
    args.extend(tf.args.iter().cloned());
    // Terraform's own output goes to the terminal as it comes.
    let mut child = spawn(&tf.program, &args, Stdio::inherit())?;
    let (status, signal) = wait(&mut child, &interrupts)?;
    if !status.success() || signal.is_some() {
        return Err(failed(&tf.program, "plan", status, signal));
    }
    let show_args = vec![
        "show".to_string(),
        "-json".to_string(),
        path_arg(&plan_file),
    ];
    let mut child = spawn(&tf.program, &show_args, Stdio::piped())?;
    // Read as standard input is: grown without copies, so a large plan is
    // not held twice.
    let read = |out: &mut dyn std::io::Read| {
        crate::ingest::whole::read_stream(out)
            .map_err(|e| Error::Usage(format!("reading `{} show -json`: {e}", tf.program)))
    };
    let json = match child.stdout.take() {
        Some(mut out) => read(&mut out)?,
        None => read(&mut std::io::empty())?,
    };
    let (status, signal) = wait(&mut child, &interrupts)?;
    if !status.success() || signal.is_some() {
        return Err(failed(&tf.program, "show -json", status, signal));
    }
    Ok((format!("{} show -json", tf.program), json))
}

/// A path as an argument that cannot be read as an option.
fn path_arg(p: &Path) -> String {
    let s = p.display().to_string();
    if s.starts_with('-') {
        format!("./{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn out_is_found_in_either_spelling() {
        assert_eq!(
            out_of(&strings(&["-out=a.tfplan"])),
            Some("a.tfplan".into())
        );
        assert_eq!(
            out_of(&strings(&["-lock=false", "-out", "b"])),
            Some("b".into())
        );
        assert_eq!(out_of(&strings(&["-var", "x=-out=c"])), None);
        assert_eq!(out_of(&strings(&[])), None);
    }
}
