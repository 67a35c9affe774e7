//! Real Terraform: when the project's shared corpus sits beside the checkout
//! (`../shared/corpus`, or `TRUSTDRIFT_CORPUS`), every directory is checked
//! end to end and every plan JSON in it is read. Nothing may panic, every
//! directory must be readable (an error would name the file and line), and
//! the share of roles whose trust resolves fully from code must not fall. Without the
//! corpus the test says so and passes. It lists the unresolved roles by what
//! they wait on; `TRUSTDRIFT_CORPUS_DUMP=1` names each role.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use trustdrift::config::Policy;
use trustdrift::ingest::Mode;

use trustdrift::model::principal::conventional_stand_in;
use trustdrift::model::value::{Value, unknown_refs};

/// Why a reference is not known, in a few words.
fn cause(reference: &str) -> String {
    let parts: Vec<&str> = reference.split(['.', '[', '(']).collect();
    match parts.as_slice() {
        ["var", ..] => "input variable without a value".into(),
        ["local", ..] => "local that is not known".into(),
        ["module", ..] => "output of a module not read".into(),
        ["data", t, ..] => format!("data source {t}"),
        ["terraform", ..] => "terraform.workspace".into(),
        ["each" | "count", ..] => "instance key not known".into(),
        [t, _, ..] if t.starts_with("aws_") || t.contains('_') => {
            let attr = reference.rsplit('.').next().unwrap_or("");
            format!("computed attribute {t}.{attr}")
        }
        _ => format!("expression `{reference}`"),
    }
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("TRUSTDRIFT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new("../shared/corpus").to_path_buf());
    dir.is_dir().then_some(dir)
}

fn plan_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            plan_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text.contains("\"format_version\"") {
                out.push(path);
            }
        }
    }
}

#[test]
fn the_corpus_is_read_without_surprises() {
    let Some(root) = corpus() else {
        eprintln!("no corpus beside the checkout: skipped");
        return;
    };
    let policy = Policy::builtin(&trustdrift::rules::registry::codes()).expect("policy");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let (mut roles, mut resolved, mut failed) = (0usize, 0usize, Vec::new());
    // Resolved but for the caller's account and partition, which only pick
    // the role's own account and AWS's partition.
    let mut resolved_own = 0usize;
    let mut causes: BTreeMap<String, usize> = BTreeMap::new();
    for dir in &dirs {
        match trustdrift::ingest::hcl::load(dir, &Default::default()) {
            Ok(ingested) => {
                for i in ingested
                    .instances
                    .iter()
                    .filter(|i| i.mode == Mode::Managed && i.resource_type == "aws_iam_role")
                {
                    roles += 1;
                    let refs: Vec<String> = match i.attrs.get("assume_role_policy") {
                        Some(Value::String(s)) => {
                            unknown_refs(s).into_iter().map(str::to_string).collect()
                        }
                        Some(Value::Unknown(u)) => vec![u.reason.clone()],
                        _ => vec!["(no trust policy)".to_string()],
                    };
                    if refs.is_empty() {
                        resolved += 1;
                    }
                    let open: Vec<&String> = refs
                        .iter()
                        .filter(|r| conventional_stand_in(r).is_none())
                        .collect();
                    if open.is_empty() {
                        resolved_own += 1;
                    } else {
                        if std::env::var_os("TRUSTDRIFT_CORPUS_DUMP").is_some() {
                            eprintln!("  {} {}: {:?}", dir.display(), i.address, open);
                        }
                        let first: std::collections::BTreeSet<String> =
                            open.iter().map(|r| cause(r)).collect();
                        for c in first {
                            *causes.entry(c).or_default() += 1;
                        }
                    }
                }
                let scan = trustdrift::scan_ingested(ingested);
                let _ = trustdrift::check(&scan, &policy);
            }
            Err(e) => {
                assert!(
                    matches!(e, trustdrift::Error::At { .. }),
                    "{}: an unreadable directory must name the file and line: {e}",
                    dir.display()
                );
                failed.push(e.to_string());
            }
        }
    }
    let mut plans = Vec::new();
    plan_files(&root, &mut plans);
    plans.sort();
    for plan in &plans {
        let path = plan.to_string_lossy().into_owned();
        let scan = trustdrift::scan(
            std::slice::from_ref(&path),
            &Default::default(),
            &mut std::io::empty(),
        )
        .unwrap_or_else(|e| panic!("{path}: {e}"));
        let _ = trustdrift::check(&scan, &policy);
    }
    let share = if roles == 0 {
        0.0
    } else {
        resolved as f64 * 100.0 / roles as f64
    };
    eprintln!(
        "corpus: {} directories ({} unreadable), {} plans; {resolved} of {roles} aws_iam_role instances resolve fully ({share:.1}%)",
        dirs.len(),
        failed.len(),
        plans.len()
    );
    let share_own = if roles == 0 {
        0.0
    } else {
        resolved_own as f64 * 100.0 / roles as f64
    };
    eprintln!(
        "corpus: {resolved_own} of {roles} resolve with the caller's account and partition counted as known ({share_own:.1}%), as the inventory's trust_resolved counts them"
    );
    let mut by_count: Vec<(&String, &usize)> = causes.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (c, n) in by_count {
        eprintln!("  unresolved roles waiting on {c}: {n}");
    }
    for f in &failed {
        eprintln!("  unreadable: {f}");
    }
    assert!(failed.is_empty(), "unreadable directories: {failed:#?}");
    assert!(
        roles == 0 || share >= 60.0,
        "only {share:.1}% of roles resolve fully"
    );
    // 163 of 235 since provider and role ARNs are built from the code.
    assert!(
        roles == 0 || resolved_own * 1000 >= roles * 693,
        "only {share_own:.1}% of roles resolve with the own account counted as known"
    );
}
