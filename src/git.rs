//! Reading files as they were at a git revision (`--baseline-ref`), through
//! `git` itself and into memory: the work tree, the index and HEAD are never
//! touched. A revision is checked before use and may not look like an
//! option, so a value from a pull request cannot become a `git` flag.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};

/// A git work tree.
pub struct Repo {
    /// The top of the work tree, canonical.
    top: PathBuf,
}

impl Repo {
    /// The repository holding directory `dir`.
    pub fn discover(dir: impl AsRef<Path>) -> Result<Repo> {
        let dir = dir.as_ref();
        let out = git(dir, &["rev-parse", "--show-toplevel"])?;
        if !out.status.success() {
            return Err(Error::Usage(format!(
                "--baseline-ref: {} is not inside a git work tree ({})",
                dir.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let top = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let top = PathBuf::from(top)
            .canonicalize()
            .map_err(|e| Error::io("git work tree", e))?;
        Ok(Repo { top })
    }

    /// Checks that `rev` names a commit.
    pub fn verify(&self, rev: &str) -> Result<()> {
        check_rev(rev)?;
        let out = git(
            &self.top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )?;
        if out.status.success() {
            Ok(())
        } else {
            Err(Error::Usage(format!(
                "--baseline-ref {rev:?}: no such commit in this repository (fetch it first: a shallow checkout needs `fetch-depth: 0` or the base commit)"
            )))
        }
    }

    /// The bytes of `path` (relative to the working directory, or absolute)
    /// at `rev`; `None` when no such file exists there.
    pub fn show(&self, rev: &str, path: &Path) -> Result<Option<Vec<u8>>> {
        check_rev(rev)?;
        let Some(rel) = self.relative(path) else {
            return Ok(None);
        };
        let spec = format!("{rev}:{rel}");
        let kind = git(&self.top, &["cat-file", "-t", &spec])?;
        if !kind.status.success() || String::from_utf8_lossy(&kind.stdout).trim() != "blob" {
            return Ok(None);
        }
        let out = git(&self.top, &["cat-file", "blob", &spec])?;
        if !out.status.success() {
            return Err(Error::Usage(format!(
                "--baseline-ref: cannot read {rel} at {rev}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(Some(out.stdout))
    }

    /// The files changed since `rev` (`--changed-since`): committed after it,
    /// staged or not, and files git does not track yet (not ignored ones);
    /// absolute paths.
    pub fn changed_since(&self, rev: &str) -> Result<Vec<PathBuf>> {
        check_rev(rev)?;
        let mut out = Vec::new();
        for args in [
            &["diff", "--name-only", "-z", "--no-renames", rev, "--"][..],
            &["ls-files", "-z", "--others", "--exclude-standard"][..],
        ] {
            let o = git(&self.top, args)?;
            if !o.status.success() {
                return Err(Error::Usage(format!(
                    "--changed-since {rev:?}: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                )));
            }
            out.extend(
                o.stdout
                    .split(|b| *b == 0)
                    .filter(|p| !p.is_empty())
                    .map(|p| self.top.join(String::from_utf8_lossy(p).as_ref())),
            );
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// `path` relative to the top of the work tree, `/`-separated; `None`
    /// when it lies outside.
    fn relative(&self, path: &Path) -> Option<String> {
        let absolute = std::path::absolute(path).ok()?;
        let lexical = crate::ingest::hcl::walk::normalize_lexically(&absolute);
        // The directory may be a symlinked path to the work tree.
        let dir = lexical.parent()?.canonicalize().ok()?;
        let full = dir.join(lexical.file_name()?);
        let rel = full.strip_prefix(&self.top).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

/// A revision may not start with `-` (it would be read as an option) nor
/// hold a NUL or a newline.
fn check_rev(rev: &str) -> Result<()> {
    if rev.is_empty() || rev.starts_with('-') || rev.contains(['\0', '\n', '\r']) {
        return Err(Error::Usage(format!(
            "--baseline-ref {rev:?} is not a revision"
        )));
    }
    Ok(())
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .map_err(|e| {
            Error::Usage(format!(
                "--baseline-ref needs git, which could not be run: {e}"
            ))
        })
}
