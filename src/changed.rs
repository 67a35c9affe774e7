//! Which Terraform root modules a change touches (`check --changed-since
//! REV`): of the root modules under the given directories, those with a
//! file changed since REV, directly or in a local module they call. A large
//! repository is then checked where it changed, not everywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Local module sources (`source = "./x"`, `"../x"`) written in `.tf` text.
fn local_sources(text: &str) -> Vec<String> {
    static SOURCE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let Some(re) = SOURCE
        .get_or_init(|| regex::Regex::new(r#"(?:^|[\s{;])source\s*=\s*"(\.\.?/[^"]*)""#).ok())
    else {
        return Vec::new();
    };
    re.captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str().to_string())
        .collect()
}

/// Every directory under `root` holding `.tf` files (hidden directories
/// and `.terraform` skipped, ignore files honoured), with the local module
/// directories each one calls.
fn module_dirs(root: &Path) -> Result<BTreeMap<PathBuf, BTreeSet<PathBuf>>> {
    let mut dirs: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    let walk = ignore::WalkBuilder::new(root)
        .hidden(true)
        .follow_links(false)
        .build();
    for entry in walk {
        let entry = entry.map_err(|e| Error::Usage(format!("--changed-since: {e}")))?;
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "tf") || !path.is_file() {
            continue;
        }
        let Some(dir) = path.parent() else { continue };
        let dir = crate::ingest::hcl::walk::normalize_lexically(dir);
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path.display(), e))?;
        let calls = dirs.entry(dir.clone()).or_default();
        for source in local_sources(&text) {
            calls.insert(crate::ingest::hcl::walk::normalize_lexically(
                &dir.join(source),
            ));
        }
    }
    Ok(dirs)
}

/// The root modules under `paths` (directories) touched by `changed`
/// (absolute paths), as paths to scan, in order.
pub fn touched_roots(paths: &[String], changed: &[PathBuf]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for p in paths {
        let given = Path::new(p);
        if !given.is_dir() {
            return Err(Error::Usage(format!(
                "--changed-since takes directories of Terraform code; {p} is not one"
            )));
        }
        let root = std::path::absolute(given).map_err(|e| Error::io(p, e))?;
        let root = crate::ingest::hcl::walk::normalize_lexically(&root);
        let dirs = module_dirs(&root)?;
        let called: BTreeSet<&PathBuf> = dirs.values().flatten().collect();
        let changed_dirs: BTreeSet<PathBuf> = changed
            .iter()
            .filter_map(|f| f.parent())
            .map(crate::ingest::hcl::walk::normalize_lexically)
            .collect();
        for dir in dirs.keys().filter(|d| !called.contains(d)) {
            // The root and every local module it reaches.
            let mut reach = BTreeSet::from([dir.clone()]);
            let mut todo = vec![dir.clone()];
            while let Some(d) = todo.pop() {
                for next in dirs.get(&d).into_iter().flatten() {
                    if reach.insert(next.clone()) {
                        todo.push(next.clone());
                    }
                }
            }
            if reach.iter().any(|d| changed_dirs.contains(d)) {
                let shown = match dir.strip_prefix(&root) {
                    Ok(rel) if rel.as_os_str().is_empty() => p.clone(),
                    Ok(rel) => given.join(rel).display().to_string(),
                    Err(_) => dir.display().to_string(),
                };
                out.push(shown);
            }
        }
    }
    out.dedup();
    Ok(out)
}

/// The root modules under `paths` with a file changed since `rev`.
pub fn roots_changed_since(paths: &[String], rev: &str) -> Result<Vec<String>> {
    let repo = crate::git::Repo::discover(".")?;
    repo.verify(rev)?;
    let changed = repo.changed_since(rev)?;
    touched_roots(paths, &changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_sources_are_read_and_others_ignored() {
        let text = "module \"a\" {\n  source = \"../modules/a\"\n}\nmodule \"b\" {\n  source  = \"terraform-aws-modules/iam/aws\"\n}\nmodule \"c\" { source = \"./c\" }\n";
        assert_eq!(local_sources(text), ["../modules/a", "./c"]);
    }
}
