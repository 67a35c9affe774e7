//! Finding the files to read: `.tf`, `.tf.json` and tfvars under the scanned
//! root, skipping hidden files and directories (`.terraform/`, `.git/`,
//! `.terragrunt-cache/`, dotfiles: Terraform reads none of them as
//! configuration), and never leaving the root through a symlink.
//!
//! What git ignores is read all the same: Terraform reads every `.tf` file of
//! a module directory whatever `.gitignore` says, so a pull request must not
//! be able to hide trust behind an ignore rule. Anything the walk should read
//! and cannot (an unreadable directory, a `.tf` that is not a regular file)
//! is an error, not a note: a gate that passes on what it could not read is
//! worse than none.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::ingest::IngestNote;
use crate::model::location::Location;

use super::source::{display_join, display_path};

/// What a scan of the given path found.
pub struct Scan {
    /// The scanned root, canonical: nothing outside it is read.
    pub root: PathBuf,
    /// The root as the user gave it, for display.
    pub root_display: String,
    /// Where local module sources and `file()` may reach (canonical): the
    /// enclosing repository (nearest ancestor holding `.git`), `--root`, or
    /// the scanned root when there is neither.
    pub boundary: PathBuf,
    /// When the user gave one file: that file (canonical).
    pub single_file: Option<PathBuf>,
    /// Directories holding `.tf` / `.tf.json` files, with those files, sorted.
    pub dirs: BTreeMap<PathBuf, Vec<PathBuf>>,
    /// tfvars files per directory, sorted by name.
    pub tfvars: BTreeMap<PathBuf, Vec<PathBuf>>,
    pub notes: Vec<IngestNote>,
}

/// Whether a file name is Terraform configuration.
pub fn is_config_name(name: &str) -> bool {
    !is_editor_noise(name) && (name.ends_with(".tf") || name.ends_with(".tf.json"))
}

/// Whether a file name is a tfvars file Terraform loads by itself.
pub fn is_auto_tfvars_name(name: &str) -> bool {
    !is_editor_noise(name)
        && (name == "terraform.tfvars"
            || name == "terraform.tfvars.json"
            || name.ends_with(".auto.tfvars")
            || name.ends_with(".auto.tfvars.json"))
}

/// Terraform skips dotfiles and editor backups (`x.tf~`, `#x.tf#`).
fn is_editor_noise(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || (name.starts_with('#') && name.ends_with('#'))
}

/// Directories never entered by the walk.
fn is_skipped_dir(name: &str) -> bool {
    matches!(name, ".terraform" | ".terragrunt-cache" | ".git")
}

impl Scan {
    /// The display path of a canonical path inside the root.
    pub fn display(&self, canonical: &Path) -> String {
        if let Some(single) = &self.single_file
            && single == canonical
        {
            return self.root_display.clone();
        }
        let base = if self.single_file.is_some() {
            // The root display names the file; its directory is the base.
            match self.root_display.rsplit_once('/') {
                Some((dir, _)) => dir.to_string(),
                None => ".".to_string(),
            }
        } else {
            self.root_display.clone()
        };
        match canonical.strip_prefix(&self.root) {
            Ok(rel) if rel.as_os_str().is_empty() => base,
            Ok(rel) => display_join(&base, &display_path(rel)),
            Err(_) => match canonical.strip_prefix(&self.boundary) {
                // Elsewhere in the repository: named from the scanned root.
                Ok(rel) => {
                    let up = self
                        .root
                        .strip_prefix(&self.boundary)
                        .map(|r| r.components().count())
                        .unwrap_or(0);
                    let mut joined = PathBuf::from(&base);
                    for _ in 0..up {
                        joined.push("..");
                    }
                    joined.push(rel);
                    display_path(&normalize_lexically(&joined))
                }
                Err(_) => display_path(canonical),
            },
        }
    }

    /// Whether a canonical path lies inside the boundary local modules and
    /// `file()` may reach.
    pub fn within_boundary(&self, canonical: &Path) -> bool {
        canonical.starts_with(&self.boundary)
    }

    /// How the boundary is named in messages.
    pub fn boundary_name(&self) -> String {
        if self.boundary == self.root
            || self.single_file.as_ref().and_then(|f| f.parent()) == Some(self.boundary.as_path())
        {
            format!("the scanned root {}", self.root_display)
        } else {
            format!("the repository root {}", self.display(&self.boundary))
        }
    }

    /// Whether a canonical path lies inside the scanned root.
    pub fn contains(&self, canonical: &Path) -> bool {
        canonical.starts_with(&self.root)
    }

    /// Canonicalises `path` and checks that it stays inside the root. A
    /// path that leaves the root lexically is refused before the file system
    /// is asked anything about it.
    pub fn resolve_inside(&self, path: &Path) -> Result<PathBuf, String> {
        let lexical =
            normalize_lexically(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
        let root_lexical = normalize_lexically(
            &std::path::absolute(&self.boundary).unwrap_or_else(|_| self.boundary.clone()),
        );
        // Name the path as the user would: relative to the working directory.
        let shown = std::env::current_dir()
            .ok()
            .and_then(|cwd| {
                lexical
                    .strip_prefix(normalize_lexically(&cwd))
                    .ok()
                    .map(display_path)
            })
            .unwrap_or_else(|| display_path(&lexical));
        if !lexical.starts_with(&root_lexical) && !lexical.starts_with(&self.boundary) {
            return Err(format!("{shown} is outside {}", self.boundary_name()));
        }
        let canonical = path
            .canonicalize()
            .map_err(|e| format!("{}: {e}", display_path(path)))?;
        if self.within_boundary(&canonical) {
            Ok(canonical)
        } else {
            Err(format!("{shown} is outside {}", self.boundary_name()))
        }
    }

    /// The configuration files of a module directory, in Terraform's order
    /// (by name). Directories the walk saw keep its list; others (module
    /// copies under `.terraform/`) are listed here, with the same checks: a
    /// directory that cannot be listed, or a configuration file that is not
    /// a regular file, is an error; a symlink out of the root is refused.
    pub fn module_files(&self, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        if let Some(single) = &self.single_file {
            if single.parent() == Some(dir) {
                return Ok(vec![single.clone()]);
            }
        }
        if let Some(files) = self.dirs.get(dir) {
            return Ok(files.clone());
        }
        let shown = self.display(dir);
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(&shown, e))?;
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&shown, e))?;
            let name = entry.file_name().to_string_lossy().to_string();
            if !is_config_name(&name) {
                continue;
            }
            let shown_file = display_join(&shown, &name);
            let canonical = entry
                .path()
                .canonicalize()
                .map_err(|e| Error::io(&shown_file, e))?;
            if !self.within_boundary(&canonical) {
                return Err(Error::file(
                    shown_file,
                    format!("symlink points outside {}: refused", self.boundary_name()),
                ));
            }
            require_regular_file(&canonical, &shown_file)?;
            out.push(canonical);
        }
        out.sort_by_key(|p| p.file_name().map(|n| n.to_os_string()));
        Ok(out)
    }
}

/// `p` without `.` and `..` components, computed without the file system
/// (`..` at the top of an absolute path stays at the top).
pub(crate) fn normalize_lexically(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Refuses a configuration file that is not a regular file (a FIFO, a
/// socket, a device): opening one could block or read without end, and
/// skipping it would pass trust unseen.
pub(crate) fn require_regular_file(path: &Path, shown: &str) -> Result<(), Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(shown, e))?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(Error::file(
            shown,
            "not a regular file: trustdrift reads Terraform configuration only from regular files",
        ))
    }
}

/// Scans `path`: a directory (walked recursively) or a single file.
pub fn scan(path: &Path) -> Result<Scan, Error> {
    let given = display_path(path);
    let meta = std::fs::metadata(path).map_err(|e| Error::io(&given, e))?;
    if !meta.is_dir() {
        require_regular_file(path, &given)?;
        let canonical = path.canonicalize().map_err(|e| Error::io(&given, e))?;
        let root = canonical
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| canonical.clone());
        let mut dirs = BTreeMap::new();
        dirs.insert(root.clone(), vec![canonical.clone()]);
        let mut scan = Scan {
            root: root.clone(),
            root_display: given,
            boundary: root.clone(),
            single_file: Some(canonical),
            dirs,
            tfvars: BTreeMap::new(),
            notes: Vec::new(),
        };
        let mut tfvars = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&root) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if is_auto_tfvars_name(&name)
                    && let Ok(c) = scan.resolve_inside(&entry.path())
                {
                    tfvars.push(c);
                }
            }
        }
        tfvars.sort();
        scan.tfvars.insert(root, tfvars);
        return Ok(scan);
    }

    let root = path.canonicalize().map_err(|e| Error::io(&given, e))?;
    let mut scan = Scan {
        root: root.clone(),
        root_display: given,
        boundary: root.clone(),
        single_file: None,
        dirs: BTreeMap::new(),
        tfvars: BTreeMap::new(),
        notes: Vec::new(),
    };
    let mut seen_outside: BTreeSet<PathBuf> = BTreeSet::new();
    // Walked directory path -> canonical path.
    let mut canonical_dirs: std::collections::HashMap<PathBuf, PathBuf> =
        std::collections::HashMap::new();
    let outside = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let filter_outside = outside.clone();
    let filter_root = root.clone();
    let walker = ignore::WalkBuilder::new(path)
        .standard_filters(false)
        .hidden(true)
        .follow_links(true)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |e| {
            if is_skipped_dir(&e.file_name().to_string_lossy()) {
                return false;
            }
            if e.path_is_symlink() {
                let inside = e
                    .path()
                    .canonicalize()
                    .map(|c| c.starts_with(&filter_root))
                    .unwrap_or(false);
                if !inside {
                    if let Ok(mut list) = filter_outside.lock() {
                        list.push(display_path(e.path()));
                    }
                    return false;
                }
            }
            true
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                // A symlink loop leads back to a directory that is walked
                // anyway: say so, carry on. Anything else (an unreadable
                // directory) hides code the scan should have read.
                if is_loop(&e) {
                    scan.notes.push(IngestNote {
                        location: Location::new(scan.root_display.clone(), 1, 1),
                        address: None,
                        message: format!("skipped while walking: {e}"),
                        unscanned: false,
                    });
                    continue;
                }
                return Err(walk_error(&scan.root_display, &e));
            }
        };
        let Some(ft) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().to_string();
        if ft.is_dir() {
            let canonical = entry.path().canonicalize();
            if let Ok(c) = &canonical {
                canonical_dirs.insert(entry.path().to_path_buf(), c.clone());
            }
            if let Ok(c) = canonical
                && !scan.contains(&c)
                && seen_outside.insert(c)
            {
                scan.notes.push(IngestNote {
                    location: Location::new(display_path(entry.path()), 1, 1),
                    address: None,
                    message: "symlink points outside the scanned root: not followed".into(),
                    unscanned: true,
                });
            }
            continue;
        }
        let config = is_config_name(&name);
        let tfvars = is_auto_tfvars_name(&name);
        if !config && !tfvars {
            continue;
        }
        // The directory the entry is listed in, resolved once for all its
        // files; a file that is no symlink resolves to its name there.
        let parent = match entry.path().parent() {
            Some(p) => match canonical_dirs.get(p) {
                Some(c) => Some(c.clone()),
                None => p.canonicalize().ok().inspect(|c| {
                    canonical_dirs.insert(p.to_path_buf(), c.clone());
                }),
            },
            None => None,
        };
        let resolved = match (&parent, entry.path_is_symlink(), entry.path().file_name()) {
            (Some(dir), false, Some(file)) => Ok(dir.join(file)),
            _ => entry.path().canonicalize(),
        };
        let canonical = match resolved {
            Ok(c) => c,
            Err(e) => return Err(Error::io(display_path(entry.path()), e)),
        };
        if !scan.contains(&canonical) {
            scan.notes.push(IngestNote {
                location: Location::new(display_path(entry.path()), 1, 1),
                address: None,
                message: "symlink points outside the scanned root: not read".into(),
                unscanned: true,
            });
            continue;
        }
        require_regular_file(&canonical, &display_path(entry.path()))?;
        // The file belongs to the directory it is listed in, even when it is
        // a symlink to a file elsewhere in the root.
        let Some(parent) = parent else {
            continue;
        };
        let list = if config {
            scan.dirs.entry(parent).or_default()
        } else {
            scan.tfvars.entry(parent).or_default()
        };
        if !list.contains(&canonical) {
            list.push(canonical);
        }
    }
    if let Ok(list) = outside.lock() {
        for p in list.iter() {
            scan.notes.push(IngestNote {
                location: Location::new(p.clone(), 1, 1),
                address: None,
                message: "symlink points outside the scanned root (or is broken): not followed"
                    .into(),
                unscanned: true,
            });
        }
    }
    for files in scan.dirs.values_mut().chain(scan.tfvars.values_mut()) {
        files.sort_by_key(|p| p.file_name().map(|n| n.to_os_string()));
    }
    Ok(scan)
}

/// Whether a walk error is a symlink loop (possibly wrapped with its path).
fn is_loop(e: &ignore::Error) -> bool {
    match e {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => is_loop(err),
        ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        ignore::Error::Partial(errs) => !errs.is_empty() && errs.iter().all(is_loop),
        _ => false,
    }
}

/// A walk error as an input error naming the path it is about.
fn walk_error(root: &str, e: &ignore::Error) -> Error {
    fn path_of(e: &ignore::Error) -> Option<String> {
        match e {
            ignore::Error::WithPath { path, .. } => Some(display_path(path)),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            _ => None,
        }
    }
    let path = path_of(e).unwrap_or_else(|| root.to_string());
    let cause = match e.io_error() {
        Some(io) => io.to_string(),
        None => e.to_string(),
    };
    Error::file(
        path,
        format!("cannot be read ({cause}): trustdrift does not pass what it could not read"),
    )
}

/// The repository that holds `dir` (canonical): the nearest ancestor, `dir`
/// included, holding `.git` (a directory, or the file of a worktree).
pub fn enclosing_repository(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").symlink_metadata().is_ok())
        .map(Path::to_path_buf)
}

impl Scan {
    /// Sets where local modules and `file()` may reach: `explicit`
    /// (`--root`), else the enclosing repository, else the scanned root.
    /// An explicit root must hold what is scanned.
    pub fn with_boundary(mut self, explicit: Option<&Path>) -> Result<Scan, Error> {
        let boundary = match explicit {
            Some(dir) => {
                let shown = display_path(dir);
                let c = dir.canonicalize().map_err(|e| Error::io(&shown, e))?;
                if !c.is_dir() {
                    return Err(Error::file(shown, "--root must be a directory"));
                }
                if !self.root.starts_with(&c) {
                    return Err(Error::file(
                        shown,
                        format!("--root must hold the scanned path {}", self.root_display),
                    ));
                }
                c
            }
            None => enclosing_repository(&self.root).unwrap_or_else(|| self.root.clone()),
        };
        self.boundary = boundary;
        Ok(self)
    }
}
