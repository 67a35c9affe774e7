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
        let Some(rel) = self.relative(path).filter(|r| !r.is_empty()) else {
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

    /// The files under `paths` (relative to the working directory) as they
    /// are at `rev`, written to a new private directory outside the work
    /// tree (removed when the export is dropped), and the same paths inside
    /// it. Paths outside the repository are left out. Nothing in the work
    /// tree, the index or HEAD changes.
    pub fn export(&self, rev: &str, paths: &[String]) -> Result<Export> {
        check_rev(rev)?;
        let dir = private_dir()?;
        let mut export = Export {
            dir: dir.clone(),
            paths: Vec::new(),
        };
        let mut mapped = Vec::new();
        for p in paths {
            let Some(rel) = self.relative(Path::new(p)) else {
                continue;
            };
            mapped.push(if rel.is_empty() {
                dir.display().to_string()
            } else {
                dir.join(&rel).display().to_string()
            });
        }
        if mapped.is_empty() {
            return Ok(export);
        }
        // The whole tree: a scanned directory may call modules elsewhere in
        // the repository. An empty `.git` marks the export's top as the
        // repository's, so module sources resolve within it as they do here.
        let archive = git(&self.top, &["archive", "--format=tar", rev])?;
        if !archive.status.success() {
            return Err(Error::Usage(format!(
                "--baseline-ref: cannot read the code at {rev}: {}",
                String::from_utf8_lossy(&archive.stderr).trim()
            )));
        }
        std::fs::create_dir(dir.join(".git")).map_err(|e| Error::io(dir.display(), e))?;
        let mut tar = Command::new("tar")
            .args(["-x", "-f", "-", "-C"])
            .arg(&dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| {
                Error::Usage(format!(
                    "--baseline-ref needs tar, which could not be run: {e}"
                ))
            })?;
        if let Some(mut stdin) = tar.stdin.take() {
            use std::io::Write;
            stdin
                .write_all(&archive.stdout)
                .map_err(|e| Error::Usage(format!("--baseline-ref: extracting {rev}: {e}")))?;
        }
        let done = tar
            .wait_with_output()
            .map_err(|e| Error::Usage(format!("--baseline-ref: extracting {rev}: {e}")))?;
        if !done.status.success() {
            return Err(Error::Usage(format!(
                "--baseline-ref: extracting {rev}: {}",
                String::from_utf8_lossy(&done.stderr).trim()
            )));
        }
        export.paths = mapped;
        Ok(export)
    }

    /// `path` relative to the top of the work tree, `/`-separated (empty
    /// for the top itself); `None` when it lies outside. The last component
    /// is taken as written, as git stores it (a symlink stays a symlink).
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
        Some(parts.join("/"))
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

/// Files of a revision written out for reading; removed on drop.
pub struct Export {
    dir: PathBuf,
    /// The scanned paths, inside the export.
    pub paths: Vec<String>,
}

impl Drop for Export {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A new directory only this user can read, under the system's temp dir.
fn private_dir() -> Result<PathBuf> {
    crate::output::private_temp_dir("base")
        .map_err(|e| Error::io(std::env::temp_dir().display(), e))
}
