//! Writing reports: to standard output, or to a file atomically (a
//! temporary file in the same directory, flushed and renamed into place).

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `target` through a temporary file in the same
/// directory that is flushed to disk and renamed into place, so a reader
/// never sees half a report. On any failure the temporary file is removed;
/// an existing file keeps its permissions.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::fs::OpenOptions;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
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

/// A new directory under the system's temporary directory that only this
/// user can read (`trustdrift-PURPOSE-PID-…`).
pub(crate) fn private_temp_dir(purpose: &str) -> std::io::Result<std::path::PathBuf> {
    let base = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut last = None;
    for attempt in 0..100u32 {
        let dir = base.join(format!(
            "trustdrift-{purpose}-{}-{nanos}-{attempt}",
            std::process::id()
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary directory name")))
}
