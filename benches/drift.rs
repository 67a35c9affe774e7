//! Baseline, drift and copies at scale: 100,000 cross-account grants, 5,000
//! of them on roles that share one identical trust document. Reports the
//! time of each step and grants per second, in process, then `baseline
//! create` and `check --baseline` end to end with the release binary (time
//! and the child's peak memory). Run with `cargo bench --bench drift`;
//! nothing is written outside `target/`.

mod common;

use std::process::Command;
use std::time::Instant;

use trustdrift::baseline::Baseline;
use trustdrift::config::Policy;

const ROLES: usize = 100_000;
const IDENTICAL: usize = 5_000;

fn timed<T>(what: &str, n: usize, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    let s = t.elapsed().as_secs_f64();
    println!("{what:<34} {s:>8.3} s  {:>12.0} grants/s", n as f64 / s);
    out
}

fn main() {
    let bytes = common::roles_plan(ROLES, IDENTICAL, false);
    println!("plan: {} roles, {:.1} MB", ROLES, bytes.len() as f64 / 1e6);
    let ingested = trustdrift::ingest::plan::parse("bench.json", &bytes).expect("plan parses");
    let scan = trustdrift::scan_ingested(ingested);
    let policy = Policy::parse(
        "bench.hcl",
        "organization {\n  accounts = [\"111111111111\"]\n}\n",
        &trustdrift::rules::registry::codes(),
    )
    .expect("policy");
    let grants = timed("grants", ROLES, || trustdrift::grants_of(&scan, &policy));
    let entries = timed("baseline entries", grants.len(), || {
        trustdrift::entries_of(&grants)
    });
    let baseline = timed("baseline create (bytes)", grants.len(), || {
        Baseline::new(entries.values().cloned().collect()).to_bytes()
    });
    println!("baseline: {:.1} MB", baseline.len() as f64 / 1e6);
    let text = String::from_utf8(baseline).expect("utf8");
    let parsed = timed("baseline read", grants.len(), || {
        Baseline::parse("b.json", &text).expect("parses")
    });
    let renames = trustdrift::renames_of(&scan);
    let t = Instant::now();
    let drift = timed("drift (diff against baseline)", grants.len(), || {
        trustdrift::analyze::drift::diff(&parsed.entries, &entries, &renames)
    });
    let drift_s = t.elapsed().as_secs_f64();
    assert_eq!(drift.grants.len(), grants.len());
    // As the binary does: each grant's content worked out once (drift and
    // copies both read it), copies found among them.
    let contents: Vec<trustdrift::baseline::Content> = timed("contents", grants.len(), || {
        grants
            .iter()
            .map(trustdrift::analyze::drift::content_text)
            .collect()
    });
    let t = Instant::now();
    let copies = timed("copies (among contents)", grants.len(), || {
        trustdrift::analyze::copies::find_among(
            &grants,
            &contents,
            &scan.inventory,
            None,
            |_, g| g.cross_account == Some(true),
        )
    });
    let copies_s = t.elapsed().as_secs_f64();
    println!("copies found: {}", copies.len());
    assert_eq!(copies.len(), IDENTICAL - 1);
    println!(
        "{:<34} {:>8.3} s  {:>12.0} grants/s",
        "copies + drift",
        copies_s + drift_s,
        grants.len() as f64 / (copies_s + drift_s)
    );
    let alone = timed("copies (contents computed)", grants.len(), || {
        trustdrift::analyze::copies::find(&grants, &scan.inventory, None, |g| {
            g.cross_account == Some(true)
        })
    });
    assert_eq!(alone, copies);
    drop(contents);
    let loaded = trustdrift::baseline::Loaded {
        path: "b.json".into(),
        baseline: parsed,
        lines: Default::default(),
    };
    let judged = timed("check with baseline (all rules)", grants.len(), || {
        trustdrift::judge(
            &scan,
            &trustdrift::Judge {
                policy: &policy,
                policy_changes: &[],
                baseline: Some(&loaded),
                today: trustdrift::model::date::Date::parse("2026-12-01").expect("date"),
                all: false,
            },
        )
    });
    println!("findings: {}", judged.findings.len());

    // End to end, with the release binary: write the baseline, then diff.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data directory");
    let plan_path = dir.join("grants-100k.json");
    let policy_path = dir.join("grants-policy.hcl");
    let baseline_path = dir.join("grants-baseline.json");
    std::fs::write(&plan_path, &bytes).expect("plan written");
    std::fs::write(
        &policy_path,
        "organization {\n  accounts = [\"111111111111\"]\n}\n",
    )
    .expect("policy written");
    let bin = env!("CARGO_BIN_EXE_trustdrift");
    let cli = |what: &str, cmd: &mut Command| {
        let (t, rss, code) = common::run_measured(cmd).expect("trustdrift runs");
        println!(
            "{what:<34} {t:>8.3} s  {:>12.0} grants/s  peak {:.0} MiB  exit {code}",
            ROLES as f64 / t,
            rss as f64 / 1048576.0
        );
    };
    cli(
        "baseline create (binary)",
        Command::new(bin)
            .args(["baseline", "create", "--force", "--policy"])
            .arg(&policy_path)
            .arg("--output")
            .arg(&baseline_path)
            .arg(&plan_path),
    );
    cli(
        "check --baseline (binary, report)",
        Command::new(bin)
            .args(["check", "--fail-on", "never", "--policy"])
            .arg(&policy_path)
            .arg("--baseline")
            .arg(&baseline_path)
            .arg(&plan_path),
    );
    cli(
        "check, no baseline (binary, report)",
        Command::new(bin)
            .args(["check", "--fail-on", "never", "--policy"])
            .arg(&policy_path)
            .arg(&plan_path),
    );
}
