//! `file`, `fileexists`, `basename`, `dirname`. Reads never leave the
//! scanned root: a path is checked lexically before anything outside could
//! be touched, then again after symlinks are resolved.

use std::path::{Path, PathBuf};

use crate::ingest::hcl::walk::normalize_lexically;

use super::{FR, Flow, FuncContext, Value, arity, fail, str_arg, string_unknown};

/// The largest file `file()` reads.
const MAX_FILE_BYTES: u64 = 64 << 20;

/// Absolute and lexically normalised.
fn absolute_lexical(p: &Path) -> PathBuf {
    normalize_lexically(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// Resolves `given` for reading: relative to the module directory, and inside
/// the scanned root both before and after symlinks are followed. `Ok(None)`
/// means no such file (inside the root).
fn resolve(f: &str, ctx: &FuncContext<'_>, given: &str) -> FR<Option<PathBuf>> {
    if given.is_empty() {
        return fail(f, "the path must not be empty");
    }
    if let Some(u) = string_unknown(given) {
        return Err(Flow::Unknown(u));
    }
    if given.contains('\0') {
        return fail(f, "the path must not contain a NUL character");
    }
    let raw = Path::new(given);
    let joined = if raw.is_absolute() {
        raw.to_path_buf()
    } else {
        ctx.module_dir.join(raw)
    };
    let outside = || fail(f, format!("{given:?} is outside the scanned root"));

    let Ok(root_canon) = std::fs::canonicalize(ctx.root) else {
        return fail(
            f,
            format!(
                "cannot resolve the scanned root {:?}",
                ctx.root.display().to_string()
            ),
        );
    };
    // Lexical check first, so nothing outside the root is even looked up.
    let lexical = absolute_lexical(&joined);
    if !lexical.starts_with(absolute_lexical(ctx.root)) && !lexical.starts_with(&root_canon) {
        return outside();
    }
    // Then with symlinks resolved: a link inside the root may lead out.
    match std::fs::canonicalize(&joined) {
        Ok(canon) if canon.starts_with(&root_canon) => Ok(Some(canon)),
        Ok(_) => outside(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A dangling link, or a missing file: say "outside" if any
            // existing link on the way leads out of the root.
            if leads_outside(&joined, &root_canon) {
                outside()
            } else {
                Ok(None)
            }
        }
        Err(e) => fail(f, format!("cannot read {given:?}: {e}")),
    }
}

/// Whether the longest existing prefix of `p`, or a symlink that `p`
/// itself is, resolves outside `root`.
fn leads_outside(p: &Path, root: &Path) -> bool {
    if let Ok(target) = std::fs::read_link(p) {
        let base = p.parent().unwrap_or(Path::new(""));
        let t = if target.is_absolute() {
            target
        } else {
            base.join(target)
        };
        return !absolute_lexical(&t).starts_with(root);
    }
    let mut cur = p.parent();
    while let Some(dir) = cur {
        if let Ok(c) = std::fs::canonicalize(dir) {
            return !c.starts_with(root);
        }
        cur = dir.parent();
    }
    false
}

pub(super) fn file(f: &str, a: Vec<Value>, ctx: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let given = str_arg(f, &a, 0)?;
    let Some(path) = resolve(f, ctx, &given)? else {
        return fail(f, format!("no file exists at {given:?}"));
    };
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) => return fail(f, format!("cannot read {given:?}: {e}")),
    };
    if meta.is_dir() {
        return fail(f, format!("{given:?} is a directory, not a file"));
    }
    if !meta.is_file() {
        return fail(f, format!("{given:?} is not a regular file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return fail(
            f,
            format!("{given:?} is larger than {} MiB", MAX_FILE_BYTES >> 20),
        );
    }
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => return fail(f, format!("cannot read {given:?}: {e}")),
    };
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Value::String(s)),
        Err(_) => fail(f, format!("contents of {given:?} are not valid UTF-8")),
    }
}

pub(super) fn fileexists(f: &str, a: Vec<Value>, ctx: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let given = str_arg(f, &a, 0)?;
    match resolve(f, ctx, &given)? {
        None => Ok(Value::Bool(false)),
        Some(path) => match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => fail(f, format!("{given:?} is a directory, not a file")),
            Ok(_) => Ok(Value::Bool(true)),
            Err(_) => Ok(Value::Bool(false)),
        },
    }
}

/// Go's `filepath.Clean` for `/`-separated paths.
fn clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

pub(super) fn basename(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let p = str_arg(f, &a, 0)?;
    if p.is_empty() {
        return Ok(Value::String(".".into()));
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Value::String("/".into()));
    }
    let base = trimmed.rsplit('/').next().unwrap_or(trimmed);
    Ok(Value::String(base.to_string()))
}

pub(super) fn dirname(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let p = str_arg(f, &a, 0)?;
    let dir = match p.rfind('/') {
        Some(i) => p.get(..=i).unwrap_or(""),
        None => "",
    };
    Ok(Value::String(clean(dir)))
}
