//! Runs the HCL ingester over every directory of a corpus and reports, per
//! directory, the `aws_iam_role` instances found, how many have a fully
//! known `assume_role_policy`, load errors and the notes.
//!
//! `cargo run --release --example hcl_corpus -- /path/to/corpus [-v]`

use trustdrift::ingest::hcl::{HclOptions, load};
use trustdrift::model::value::{Value, unknown_refs};

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args.next().unwrap_or_else(|| ".".into());
    let verbose = args.any(|a| a == "-v");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    let (mut roles, mut known, mut errors) = (0usize, 0usize, 0usize);
    for dir in dirs {
        let t = std::time::Instant::now();
        match load(&dir, &HclOptions::default()) {
            Ok(ing) => {
                let mut r = 0;
                let mut k = 0;
                for i in &ing.instances {
                    if i.resource_type != "aws_iam_role"
                        || i.mode != trustdrift::ingest::Mode::Managed
                    {
                        continue;
                    }
                    r += 1;
                    let p = i.attrs.get("assume_role_policy");
                    let full = matches!(p, Some(Value::String(s)) if unknown_refs(s).is_empty());
                    if full {
                        k += 1;
                    }
                    if verbose {
                        let shown = match p {
                            Some(Value::String(s)) => {
                                let refs = unknown_refs(s);
                                if refs.is_empty() {
                                    "known".to_string()
                                } else {
                                    format!("refs {refs:?}")
                                }
                            }
                            Some(v) => format!("{:?}", v),
                            None => "absent".into(),
                        };
                        println!(
                            "    role {} ({}): {shown}",
                            i.address, i.provenance.location
                        );
                    }
                }
                roles += r;
                known += k;
                println!(
                    "{}: {r} roles, {k} fully known, {} notes, {:.0} ms",
                    dir.display(),
                    ing.notes.len(),
                    t.elapsed().as_secs_f64() * 1000.0
                );
                if verbose {
                    for n in &ing.notes {
                        println!("    note {}: {}", n.location, n.message);
                    }
                }
            }
            Err(e) => {
                errors += 1;
                println!("{}: ERROR {e}", dir.display());
            }
        }
    }
    let share = if roles == 0 {
        0.0
    } else {
        100.0 * known as f64 / roles as f64
    };
    println!(
        "total: {roles} aws_iam_role instances, {known} fully known ({share:.1}%), {errors} directories failed"
    );
}
