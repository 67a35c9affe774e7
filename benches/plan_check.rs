//! `trustdrift check` end to end (the release binary, report included) on
//! generated plan JSON of 1, 10 and 100 MB: MB/s, grants/s and the child's
//! peak memory, with the child's CPU time (user + system) beside the wall
//! time, since wall time on a shared machine varies with its load; then the
//! largest plan piped to `check -`, and the in-process inventory of it. Run with
//! `cargo bench --bench plan_check` (`-- 1` for the 1 MB row only); plans
//! are written to `target/bench-data/` (never to git) on first run.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use trustdrift::config::Policy;

const MB: u64 = 1_000_000;

fn main() {
    let only: Option<u64> = std::env::args().skip(1).find_map(|a| a.parse().ok());
    let bin = env!("CARGO_BIN_EXE_trustdrift");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let policy = Policy::builtin(&trustdrift::rules::registry::codes()).expect("built-in policy");
    println!(
        "{:<8} {:>10} {:>9} {:>9} {:>9} {:>11} {:>12} {:>10} {:>10} {:>10}",
        "plan",
        "resources",
        "grants",
        "median s",
        "MB/s",
        "grants/s",
        "peak MiB",
        "peak/file",
        "CPU s",
        "CPU MB/s"
    );
    let mut per_mb = Vec::new();
    for size in [1, 10, 100] {
        if only.is_some_and(|o| o != size) {
            continue;
        }
        let path = data.join(format!("plan-{size}mb.json"));
        let resources = common::plan_file(&path, size * MB).expect("plan generated");
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let arg = [path.to_string_lossy().into_owned()];
        let scan =
            trustdrift::scan(&arg, &Default::default(), &mut std::io::empty()).expect("scan");
        let grants = trustdrift::grants_of(&scan, &policy).len();
        drop(scan);
        let runs = if size >= 100 { 3 } else { 5 };
        let mut times = Vec::new();
        let mut cpu = Vec::new();
        let mut peak = 0;
        for _ in 0..runs {
            let cpu_before = children_cpu();
            let (t, rss, code) = common::run_measured(
                Command::new(bin)
                    .arg("check")
                    .arg("--fail-on")
                    .arg("never")
                    .arg(&path),
            )
            .expect("trustdrift runs");
            assert_eq!(code, 0, "check exits 0 with --fail-on never");
            times.push(t);
            cpu.push(children_cpu() - cpu_before);
            peak = peak.max(rss);
        }
        times.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let cpu = cpu[cpu.len() / 2];
        let mbs = bytes as f64 / MB as f64;
        per_mb.push((size, median / mbs, cpu / mbs));
        println!(
            "{:<8} {:>10} {:>9} {:>9.3} {:>9.0} {:>11.0} {:>12.1} {:>9.2}x {:>10.3} {:>10.0}",
            format!("{size} MB"),
            resources,
            grants,
            median,
            mbs / median,
            grants as f64 / median,
            peak as f64 / 1048576.0,
            peak as f64 / bytes as f64,
            cpu,
            mbs / cpu
        );
    }
    if let (Some((small_mb, small, small_cpu)), Some((large_mb, large, large_cpu))) =
        (per_mb.first(), per_mb.last())
        && per_mb.len() > 1
    {
        println!(
            "seconds per MB at {large_mb} MB over that at {small_mb} MB: {:.2} (CPU: {:.2})",
            large / small,
            large_cpu / small_cpu
        );
    }

    // The largest plan piped to `check -`, as `terraform show -json` feeds
    // it in CI: standard input's buffer grows as it is read.
    let size = only.unwrap_or(100);
    let path = data.join(format!("plan-{size}mb.json"));
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let (t, rss, code) = common::run_measured(
        Command::new("sh")
            .arg("-c")
            .arg("cat \"$1\" | \"$2\" check --fail-on never -")
            .arg("sh")
            .arg(&path)
            .arg(bin),
    )
    .expect("trustdrift runs");
    assert_eq!(code, 0, "check - exits 0 with --fail-on never");
    println!(
        "{size} MB piped to `check -`: {t:.3} s, {:.0} MB/s, peak {:.1} MiB ({:.2}x the plan)",
        bytes as f64 / MB as f64 / t,
        rss as f64 / 1048576.0,
        rss as f64 / bytes as f64
    );

    // Inventory of the largest plan, in process: grants and the JSON report.
    let arg = [data
        .join(format!("plan-{size}mb.json"))
        .to_string_lossy()
        .into_owned()];
    let scan = trustdrift::scan(&arg, &Default::default(), &mut std::io::empty()).expect("scan");
    let start = Instant::now();
    let grants = trustdrift::grants_of(&scan, &policy);
    let json = trustdrift::report::inventory::render_json(&scan.inventory, &grants);
    println!(
        "inventory --format json ({size} MB plan): {} grants, {:.1} MiB of JSON in {:.3} s",
        grants.len(),
        json.len() as f64 / 1048576.0,
        start.elapsed().as_secs_f64()
    );
}

/// CPU time (user + system, seconds) of this process's children that have
/// ended so far.
#[cfg(unix)]
fn children_cpu() -> f64 {
    // SAFETY: rusage is plain data, filled in by getrusage.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return 0.0;
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
