//! End-to-end cases as data: `tests/cmd/<case>.toml` holds the arguments and
//! exit status, `<case>.stdout` / `<case>.stderr` the expected bytes.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("trustdrift", trycmd::cargo::cargo_bin!("trustdrift"))
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "false")
        .case("tests/cmd/*.toml");
}

/// `--output` writes the same bytes the report would print, and a run that
/// cannot be trusted writes nothing.
#[test]
fn output_file_is_the_report_and_failed_runs_write_none() {
    let bin = trycmd::cargo::cargo_bin!("trustdrift");
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.json");
    let printed = std::process::Command::new(bin)
        .args(["check", "--format", "json", "testdata/example/plan.json"])
        .output()
        .expect("run");
    let written = std::process::Command::new(bin)
        .args(["check", "--format", "json", "--output"])
        .arg(&report)
        .arg("testdata/example/plan.json")
        .output()
        .expect("run");
    assert_eq!(written.status.code(), Some(1));
    assert!(written.stdout.is_empty());
    assert_eq!(
        std::fs::read(&report).expect("report written"),
        printed.stdout
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "temporary files left behind: {leftovers:?}"
    );

    let failed_report = dir.path().join("failed.json");
    let failed = std::process::Command::new(bin)
        .args(["check", "--output"])
        .arg(&failed_report)
        .arg("testdata/bad/truncated.json")
        .output()
        .expect("run");
    assert_eq!(failed.status.code(), Some(2));
    assert!(!failed_report.exists(), "a failed run wrote a report");
}

/// The baseline is read while the inputs are, yet when both are bad the
/// baseline's error is the one reported, on any number of threads.
#[test]
fn a_bad_baseline_is_reported_before_a_bad_input() {
    let bin = trycmd::cargo::cargo_bin!("trustdrift");
    let dir = tempfile::tempdir().expect("tempdir");
    let baseline = dir.path().join("baseline.json");
    std::fs::write(&baseline, "{\n  \"version\": 1,\n").expect("write");
    for threads in ["1", "2"] {
        let out = std::process::Command::new(bin)
            .env("TRUSTDRIFT_THREADS", threads)
            .args(["check", "--baseline"])
            .arg(&baseline)
            .arg("testdata/bad/truncated.json")
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&format!("error: {}:3:", baseline.display())),
            "{threads}: {stderr}"
        );
    }
}
