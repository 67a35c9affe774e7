//! End-to-end HCL throughput: `trustdrift check DIR` (the release binary, a
//! child process, report included) on generated trees of 100, 1,000, 4,000
//! and 4,500 `.tf` files (about 10 MB: the size the memory target is set
//! for; see `support/tree.rs`), printing MB/s, files/s, the
//! child's peak resident memory and the time per MB, whose ratio between the
//! largest and smallest tree shows whether the cost grows linearly.
//!
//! `cargo bench --bench hcl_tree` (best of `HCL_BENCH_RUNS` runs, default 3;
//! sizes from `HCL_BENCH_FILES`, comma-separated, default
//! `100,1000,4000,4500`).
//! `TRUSTDRIFT_THREADS` passes through to the child. The `hcl s` column is
//! `trustdrift::ingest::hcl::load` alone, in this process (read, parse and
//! evaluate; no judging, no report).

#[path = "support/tree.rs"]
mod tree;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use trustdrift::ingest::hcl::{HclOptions, load};

/// One run of the binary: wall seconds, peak resident KiB, exit status.
fn run_check(bin: &Path, dir: &Path) -> Result<(f64, u64, i32), String> {
    let t = Instant::now();
    let child = Command::new(bin)
        .arg("check")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; both pointers are valid.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = t.elapsed().as_secs_f64();
    if waited != pid {
        return Err("wait4 failed".into());
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // ru_maxrss is in KiB on Linux.
    Ok((secs, usage.ru_maxrss as u64, code))
}

fn main() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_trustdrift"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-hcl");
    let runs: usize = std::env::var("HCL_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3);
    let sizes: Vec<usize> = std::env::var("HCL_BENCH_FILES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![100, 1_000, 4_000, 4_500]);
    println!(
        "{:>6} {:>8} {:>9} {:>8} {:>10} {:>10} {:>8} {:>6} {:>8} {:>9}",
        "files",
        "MB",
        "best s",
        "MB/s",
        "files/s",
        "s per MB",
        "peak MB",
        "exit",
        "hcl s",
        "hcl MB/s"
    );
    let mut per_mb: Vec<f64> = Vec::new();
    for n in sizes {
        let dir = root.join(format!("tree-{n}"));
        let tree = match tree::generate(&dir, n) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("cannot generate {}: {e}", dir.display());
                std::process::exit(2);
            }
        };
        let mut best = f64::MAX;
        let mut peak = 0u64;
        let mut exit = 0;
        for _ in 0..runs {
            match run_check(&bin, &dir) {
                Ok((secs, rss, code)) => {
                    best = best.min(secs);
                    peak = peak.max(rss);
                    exit = code;
                }
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(2);
                }
            }
        }
        let mut hcl_best = f64::MAX;
        for _ in 0..runs {
            let t = Instant::now();
            if let Err(e) = load(&dir, &HclOptions::default()) {
                eprintln!("load {}: {e}", dir.display());
                std::process::exit(2);
            }
            hcl_best = hcl_best.min(t.elapsed().as_secs_f64());
        }
        // 0: no finding at the gate's level, 1: findings; 2 is a failed run.
        if exit != 0 && exit != 1 {
            eprintln!("trustdrift check {} exited {exit}", dir.display());
            std::process::exit(2);
        }
        let mb = tree.bytes as f64 / 1e6;
        per_mb.push(best / mb);
        println!(
            "{:>6} {:>8.2} {:>9.3} {:>8.1} {:>10.0} {:>10.4} {:>8} {:>6} {:>8.3} {:>9.1}",
            tree.files,
            mb,
            best,
            mb / best,
            tree.files as f64 / best,
            best / mb,
            peak / 1024,
            exit,
            hcl_best,
            mb / hcl_best
        );
    }
    if let (Some(first), Some(last)) = (per_mb.first(), per_mb.last()) {
        println!(
            "time per MB, largest tree over smallest: {:.2}x",
            last / first
        );
    }
}
