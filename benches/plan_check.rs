//! `trustdrift check` end to end (the release binary, report included) on
//! generated plan JSON of 1, 10 and 100 MB: MB/s, grants/s and the child's
//! peak memory, then the in-process inventory of the 100 MB plan. Run with
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
        "{:<8} {:>10} {:>9} {:>9} {:>9} {:>11} {:>12} {:>10}",
        "plan", "resources", "grants", "median s", "MB/s", "grants/s", "peak MiB", "peak/file"
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
        let mut peak = 0;
        for _ in 0..runs {
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
            peak = peak.max(rss);
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let mbs = bytes as f64 / MB as f64;
        per_mb.push((size, median / mbs));
        println!(
            "{:<8} {:>10} {:>9} {:>9.3} {:>9.0} {:>11.0} {:>12.1} {:>9.2}x",
            format!("{size} MB"),
            resources,
            grants,
            median,
            mbs / median,
            grants as f64 / median,
            peak as f64 / 1048576.0,
            peak as f64 / bytes as f64
        );
    }
    if let (Some((_, small)), Some((_, large))) = (per_mb.first(), per_mb.last())
        && per_mb.len() > 1
    {
        println!(
            "seconds per MB at {} MB over that at {} MB: {:.2}",
            per_mb[per_mb.len() - 1].0,
            per_mb[0].0,
            large / small
        );
    }

    // Inventory of the largest plan, in process: grants and the JSON report.
    let size = only.unwrap_or(100);
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
