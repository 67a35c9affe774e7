//! `trustdrift plan -- ARGS` with a fake `terraform` first on PATH: it
//! records its arguments, prints what Terraform would, and shows a fixture
//! plan. Output passes through unchanged, Terraform's failure exits 2, the
//! temporary plan is gone afterwards on every path, interrupts included.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const FAKE: &str = r#"#!/bin/sh
for a in "$@"; do printf '%s\n' "$a" >> "$FAKE_TF_LOG"; done
echo "--" >> "$FAKE_TF_LOG"
case "$1" in
  plan)
    out=""
    prev=""
    for a in "$@"; do
      case "$a" in -out=*) out="${a#-out=}" ;; esac
      [ "$prev" = "-out" ] && out="$a"
      prev="$a"
    done
    echo "Terraform will perform the following actions:"
    echo "Plan: 1 to add, 0 to change, 0 to destroy."
    if [ -n "$FAKE_TF_FAIL" ]; then
      echo "Error: Invalid provider configuration" >&2
      exit 1
    fi
    printf 'fake plan' > "$out"
    if [ -n "$FAKE_TF_SLEEP" ]; then
      trap 'echo "Interrupt received." >&2; exit 130' INT TERM
      touch "$FAKE_TF_READY"
      while :; do sleep 0.05; done
    fi
    ;;
  show)
    cat "$FAKE_TF_PLAN_JSON"
    ;;
esac
"#;

struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new(name: &str) -> Fake {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["bin", "tmp", "work"] {
            std::fs::create_dir(dir.path().join(sub)).expect("mkdir");
        }
        let script = dir.path().join("bin").join(name);
        std::fs::write(&script, FAKE).expect("script");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        Fake { dir }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(trycmd::cargo::cargo_bin!("trustdrift"));
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.path("bin")];
        paths.extend(std::env::split_paths(&path));
        c.current_dir(self.path("work"))
            .env("PATH", std::env::join_paths(paths).expect("PATH"))
            .env("TMPDIR", self.path("tmp"))
            .env("FAKE_TF_LOG", self.path("log"))
            .env("FAKE_TF_READY", self.path("ready"))
            .env(
                "FAKE_TF_PLAN_JSON",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/example/plan.json"),
            )
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS")
            .args(args);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run trustdrift")
    }

    /// Each call's arguments.
    fn calls(&self) -> Vec<Vec<String>> {
        let log = std::fs::read_to_string(self.path("log")).unwrap_or_default();
        log.split("--\n")
            .filter(|c| !c.is_empty())
            .map(|c| c.lines().map(str::to_string).collect())
            .collect()
    }

    fn temp_left(&self) -> Vec<String> {
        std::fs::read_dir(self.path("tmp"))
            .expect("tmp")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    }
}

#[test]
fn plans_shows_and_checks_with_terraform_output_unchanged() {
    let fake = Fake::new("terraform");
    let out = fake.run(&[
        "plan",
        "--format",
        "json",
        "--var",
        "a=1",
        "--var-file",
        "x.tfvars",
        "--var",
        "b=2",
        "--",
        "-lock=false",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(
            "Terraform will perform the following actions:\nPlan: 1 to add, 0 to change, 0 to destroy.\n{\n"
        ),
        "{stdout}"
    );
    let report = &stdout[stdout.find("{\n").expect("report")..];
    let report: serde_json::Value = serde_json::from_str(report).expect("JSON report");
    // The same verdict as a check of the plan JSON itself.
    let direct = Command::new(trycmd::cargo::cargo_bin!("trustdrift"))
        .args([
            "check",
            "--format",
            "json",
            "--no-github",
            "testdata/example/plan.json",
        ])
        .output()
        .expect("run");
    let direct: serde_json::Value = serde_json::from_slice(&direct.stdout).expect("JSON");
    let rules = |r: &serde_json::Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| format!("{} {}", f["rule"], f["address"]))
            .collect()
    };
    assert_eq!(rules(&report), rules(&direct));
    assert!(!rules(&report).is_empty());
    assert_eq!(report["findings"][0]["file"], "terraform show -json");

    let calls = fake.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    let plan = &calls[0];
    assert_eq!(plan[0], "plan");
    let out_arg = plan[1].strip_prefix("-out=").expect("-out first");
    assert!(out_arg.starts_with(fake.path("tmp").to_str().expect("utf-8")));
    assert_eq!(
        &plan[2..],
        ["-var=a=1", "-var-file=x.tfvars", "-var=b=2", "-lock=false"]
    );
    assert_eq!(calls[1], ["show", "-json", out_arg]);
    assert!(fake.temp_left().is_empty(), "left: {:?}", fake.temp_left());
}

#[test]
fn an_out_in_the_arguments_is_used_once_and_kept() {
    let fake = Fake::new("terraform");
    let out = fake.run(&["plan", "--fail-on", "never", "--", "-out", "mine.tfplan"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let calls = fake.calls();
    assert_eq!(calls[0], ["plan", "-out", "mine.tfplan"]);
    assert_eq!(calls[1], ["show", "-json", "mine.tfplan"]);
    assert!(
        fake.path("work/mine.tfplan").exists(),
        "the user's plan is kept"
    );
}

#[test]
fn terraform_failing_exits_2_with_its_stderr_and_writes_nothing() {
    let fake = Fake::new("terraform");
    let sarif = fake.path("work/out.sarif");
    let out = fake
        .command(&["plan", "--sarif", "out.sarif"])
        .env("FAKE_TF_FAIL", "1")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("Error: Invalid provider configuration\n"),
        "{stderr}"
    );
    assert!(stderr.contains("`terraform plan` failed"), "{stderr}");
    assert_eq!(fake.calls().len(), 1, "no show after a failed plan");
    assert!(!sarif.exists());
    assert!(fake.temp_left().is_empty(), "left: {:?}", fake.temp_left());
}

#[cfg(unix)]
#[test]
fn an_interrupt_reaches_terraform_and_the_temp_plan_is_removed() {
    let fake = Fake::new("terraform");
    let child = fake
        .command(&["plan"])
        .env("FAKE_TF_SLEEP", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !fake.path("ready").exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "terraform never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        fake.temp_left().len(),
        1,
        "the temporary plan exists meanwhile"
    );
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Interrupt received."),
        "terraform got it: {stderr}"
    );
    assert!(stderr.contains("interrupted (signal 2)"), "{stderr}");
    assert!(fake.temp_left().is_empty(), "left: {:?}", fake.temp_left());
}

#[test]
fn another_terraform_by_name_or_path() {
    let fake = Fake::new("tofu");
    let out = fake.run(&["plan", "--terraform", "tofu", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let by_path = fake.path("bin/tofu");
    let out = fake.run(&[
        "plan",
        "--fail-on",
        "never",
        "--terraform",
        by_path.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let missing = fake.run(&["plan", "--terraform", "no-such-terraform"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot run \"no-such-terraform\""));
}

#[test]
fn a_bad_policy_stops_before_terraform_runs() {
    let fake = Fake::new("terraform");
    std::fs::write(fake.path("work/.trustdrift.hcl"), "organisation {}\n").expect("policy");
    let out = fake.run(&["plan"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(fake.calls().is_empty());
}
