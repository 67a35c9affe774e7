//! One thread or many, `trustdrift check` on a tree of several root modules
//! prints the same bytes, and a broken tree fails on the same file.

#[path = "../benches/support/tree.rs"]
mod tree;

use std::path::Path;
use std::process::Output;

/// `trustdrift check --format FORMAT` on `threads` threads.
fn check_on(threads: &str, format: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(trycmd::cargo::cargo_bin!("trustdrift"));
    cmd.args(["check", "--format", format])
        .env("TRUSTDRIFT_THREADS", threads)
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "false");
    cmd
}

fn check(dir: &Path, threads: &str, format: &str) -> Output {
    check_on(threads, format)
        .arg(dir)
        .output()
        .expect("run trustdrift")
}

#[test]
fn one_thread_and_four_print_the_same_report() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("tree");
    let made = tree::generate(&dir, 80).expect("generate tree");
    assert!(made.stacks >= 4, "the tree has several root modules");
    for format in ["text", "json"] {
        let one = check(&dir, "1", format);
        let four = check(&dir, "4", format);
        // The stacks trust vendor accounts: findings, exit 1.
        assert_eq!(one.status.code(), Some(1), "{format}: {one:?}");
        assert_eq!(four.status.code(), one.status.code(), "{format}");
        assert!(
            String::from_utf8_lossy(&one.stdout).contains("stack_003"),
            "{format}: the report covers the last root module"
        );
        assert_eq!(one.stdout, four.stdout, "{format}: stdout differs");
        assert_eq!(one.stderr, four.stderr, "{format}: stderr differs");
    }
}

#[test]
fn the_first_broken_file_in_file_order_is_the_error_whatever_the_threads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("tree");
    tree::generate(&dir, 80).expect("generate tree");
    // Two broken files in different root modules; the later one is much
    // smaller, so a worker thread finishes it first.
    let first = dir.join("stacks/stack_001/iam_16.tf");
    let mut text = std::fs::read_to_string(&first).expect("read");
    text.push_str("\nresource \"aws_iam_role\" \"broken\" {\n  name = \n}\n");
    std::fs::write(&first, text).expect("write");
    std::fs::write(dir.join("stacks/stack_002/iam_00.tf"), "locals {\n").expect("write");
    let expected = check(&dir, "1", "text");
    assert_eq!(expected.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&expected.stderr).to_string();
    assert!(stderr.contains("stack_001/iam_16.tf"), "{stderr}");
    for _ in 0..3 {
        let many = check(&dir, "4", "text");
        assert_eq!(many.status.code(), Some(2));
        assert_eq!(String::from_utf8_lossy(&many.stderr), stderr);
        assert_eq!(many.stdout, expected.stdout);
    }
}

/// The limits are the run's, spent root module after root module: with
/// roots evaluated at once, the one that goes past a limit is still the one
/// a single thread would stop at.
#[test]
fn the_run_wide_instance_limit_stops_at_the_same_root_whatever_the_threads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("modules/empty")).expect("mkdir");
    std::fs::write(dir.join("modules/empty/main.tf"), "variable \"i\" {}\n").expect("write");
    let root = |name: &str| {
        std::fs::create_dir_all(dir.join(name)).expect("mkdir");
        std::fs::write(
            dir.join(name).join("main.tf"),
            format!(
                "module \"m_{name}\" {{\n  source = \"../modules/empty\"\n  count  = 24000\n  i      = count.index\n}}\n"
            ),
        )
        .expect("write");
    };
    // Four roots of 24,000 module instances each fit in the run's 100,000.
    for name in ["a", "b", "c", "d"] {
        root(name);
    }
    for threads in ["1", "4"] {
        let o = check(dir, threads, "text");
        assert_eq!(o.status.code(), Some(0), "{threads}: {o:?}");
    }
    // A third does not: the run stops at it, and only at it.
    root("e");
    let one = check(dir, "1", "text");
    assert_eq!(one.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&one.stderr).to_string();
    assert!(
        stderr.contains("module.m_e expands to 24000 more instances"),
        "{stderr}"
    );
    assert!(stderr.contains("max_instances"), "{stderr}");
    let four = check(dir, "4", "text");
    assert_eq!(four.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&four.stderr), stderr);
}

#[path = "../benches/common/mod.rs"]
mod common;

fn check_plan(plan: &Path, threads: &str) -> Output {
    let dir = plan.parent().expect("dir");
    let mut cmd = check_on(threads, "json");
    if dir.join("policy.hcl").exists() {
        cmd.arg("--policy").arg(dir.join("policy.hcl"));
    }
    if dir.join("baseline.json").exists() {
        cmd.arg("--baseline").arg(dir.join("baseline.json"));
    }
    cmd.arg(plan).output().expect("run trustdrift")
}

/// Plans are read (a large one in pieces) and judged (rules side by side)
/// on the run's threads: one thread or four, every rule's fixtures and a
/// plan past the size where the reader cuts it print the same bytes.
#[test]
fn plans_on_one_thread_and_four_print_the_same_report() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let big = tmp.path().join("big.json");
    common::plan_file(&big, 6_000_000).expect("generate plan");
    let mut plans = vec![big];
    for rule in std::fs::read_dir("testdata/rules")
        .expect("rules")
        .flatten()
    {
        for name in ["trigger.json", "near_miss.json"] {
            let p = rule.path().join(name);
            if p.exists() {
                plans.push(p);
            }
        }
    }
    assert!(plans.len() > 30, "{plans:?}");
    for plan in &plans {
        let one = check_plan(plan, "1");
        let four = check_plan(plan, "4");
        assert_eq!(one.status.code(), four.status.code(), "{plan:?}");
        assert_eq!(one.stdout, four.stdout, "{plan:?}: stdout differs");
        assert_eq!(one.stderr, four.stderr, "{plan:?}: stderr differs");
    }
    let one = check_plan(&plans[0], "1");
    assert_eq!(
        one.status.code(),
        Some(1),
        "the generated plan has findings"
    );
}

/// Grants are grouped, their contents written and compared with a
/// baseline, and copies found, in halves on two threads from a few hundred
/// roles on: one thread or four, the same report and the same baseline.
#[test]
fn many_grants_on_one_thread_and_four_give_the_same_report_and_baseline() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let before = tmp.path().join("before.json");
    let after = tmp.path().join("after.json");
    std::fs::write(&before, common::roles_plan(1500, 300, false)).expect("write plan");
    std::fs::write(&after, common::roles_plan(1600, 300, true)).expect("write plan");
    let policy = tmp.path().join("policy.hcl");
    std::fs::write(
        &policy,
        "organization {\n  accounts = [\"111111111111\"]\n}\n",
    )
    .expect("write policy");
    let mut baselines = Vec::new();
    for threads in ["1", "4"] {
        let out = tmp.path().join(format!("baseline-{threads}.json"));
        let run = std::process::Command::new(trycmd::cargo::cargo_bin!("trustdrift"))
            .args(["baseline", "create", "--policy"])
            .arg(&policy)
            .arg("--output")
            .arg(&out)
            .arg(&before)
            .env("TRUSTDRIFT_THREADS", threads)
            .output()
            .expect("run trustdrift");
        assert_eq!(run.status.code(), Some(0), "{run:?}");
        baselines.push(std::fs::read(&out).expect("baseline written"));
    }
    assert_eq!(baselines[0], baselines[1], "baselines differ");
    let baseline = tmp.path().join("baseline-1.json");
    for format in ["text", "json"] {
        let run = |threads| {
            check_on(threads, format)
                .args(["--fail-on", "never", "--today", "2026-12-01", "--policy"])
                .arg(&policy)
                .arg("--baseline")
                .arg(&baseline)
                .arg(&after)
                .output()
                .expect("run trustdrift")
        };
        let (one, four) = (run("1"), run("4"));
        assert_eq!(one.status.code(), Some(0), "{one:?}");
        assert_eq!(one.stdout, four.stdout, "{format}: stdout differs");
        assert_eq!(one.stderr, four.stderr, "{format}: stderr differs");
        let text = String::from_utf8_lossy(&one.stdout);
        // Widened, added and copied trust are all in the report.
        for rule in ["TD201", "TD202", "TD203"] {
            assert!(text.contains(rule), "{format}: no {rule} in the report");
        }
    }
}
