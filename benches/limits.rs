//! The HCL evaluator's limits cost linear time up to the limit: for each
//! limit, a generated configuration that spends about 10 %, 50 % and 98 % of
//! it, read with `trustdrift::ingest::hcl::load`, printing the time per unit
//! spent (best of three runs); then one at 102 %, which must stop with that
//! limit's error.
//!
//! The parse deadline is a time limit that grows with the file (5 s plus
//! 1 s per 100 KiB): its rows parse realistic files of 1, 5 and 10 MB and
//! print the time per KiB (best of three) and the share of the file's
//! deadline used.
//!
//! `cargo bench --bench limits` (one case: `cargo bench --bench limits --
//! instances`; the names are in the first column).

#[path = "support/tree.rs"]
mod tree;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use trustdrift::ingest::hcl::eval::{
    MAX_FOR_ITERATIONS, MAX_INSTANCES, MAX_STRING_BYTES, MAX_VALUE_NODES,
};
use trustdrift::ingest::hcl::source::{PARSE_BYTES_PER_SECOND, PARSE_SECONDS_BASE, parse_native};
use trustdrift::ingest::hcl::{HclOptions, load};

/// One limit: its name, its size, and the configuration that spends about
/// `units` of it (returning the units it really spends).
struct Case {
    name: &'static str,
    limit: usize,
    unit: &'static str,
    config: fn(usize) -> (String, usize),
}

/// `count = n` roles: `n` instances.
fn instances(units: usize) -> (String, usize) {
    let text = format!(
        "resource \"aws_iam_role\" \"r\" {{\n  count = {units}\n  name  = \"r-${{count.index}}\"\n}}\n"
    );
    (text, units)
}

/// Three nested `for`s: `a * (1 + 100 * (1 + 50))` iterations.
fn for_iterations(units: usize) -> (String, usize) {
    const PER_OUTER: usize = 1 + 100 * (1 + 50);
    let a = (units / PER_OUTER).max(1);
    let text = format!(
        r#"locals {{
  hundred = range(100)
  fifty   = range(50)
  counts  = [for a in range({a}) : length([for b in local.hundred : length([for c in local.fifty : c])])]
}}

resource "aws_iam_role" "r" {{
  name = "r"
  tags = {{ n = length(local.counts) }}
}}
"#
    );
    (text, a * PER_OUTER)
}

/// Templates each building a 1 MiB string (and a few digits).
fn string_bytes(units: usize) -> (String, usize) {
    const CHUNK: usize = 1024 * 1024;
    let k = (units / (CHUNK + 4)).max(1);
    let mut text = String::with_capacity(CHUNK + 512);
    let _ = write!(text, "locals {{\n  chunk = \"{}\"\n", "x".repeat(CHUNK));
    let _ = write!(
        text,
        "  lengths = [for i in range({k}) : length(\"${{local.chunk}}${{i}}\")]\n}}\n\n"
    );
    text.push_str("resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  tags = { n = length(local.lengths) }\n}\n");
    let digits: usize = (0..k).map(|i| i.to_string().len()).sum();
    (text, k * CHUNK + digits)
}

/// A flattened list of `a * 40 * 1000` numbers.
fn value_nodes(units: usize) -> (String, usize) {
    let a = (units / 40_000).max(1);
    let text = format!(
        r#"locals {{
  thousand = range(1000)
  big      = flatten([for a in range({a}) : [for b in range(40) : local.thousand]])
}}

resource "aws_iam_role" "r" {{
  name = "r"
  tags = {{ n = length(local.big) }}
}}
"#
    );
    (text, a * 40 * 1000)
}

fn write_case(dir: &Path, text: &str) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("main.tf"), text)
}

fn run_case(root: &Path, case: &Case) {
    let mut per_unit = Vec::new();
    for pct in [10usize, 50, 98, 102] {
        let target = case.limit / 100 * pct;
        let (text, units) = (case.config)(target);
        let dir = root.join(format!("{}-{pct}", case.name));
        if let Err(e) = write_case(&dir, &text) {
            eprintln!("cannot write {}: {e}", dir.display());
            std::process::exit(2);
        }
        // Best of three under the limit: one run on a shared machine can
        // take twice as long as the next, which would read as a cost that
        // grows faster than the input.
        let (result, secs) = best_of(if pct < 100 { 3 } else { 1 }, || {
            load(&dir, &HclOptions::default())
        });
        let outcome = match &result {
            Ok(_) if pct < 100 => "read".to_string(),
            Err(e) if pct > 100 && e.to_string().contains(case.name) => "stopped".to_string(),
            Ok(_) => {
                eprintln!("{} at {pct} % of its limit was not stopped", case.name);
                std::process::exit(2);
            }
            Err(e) => {
                eprintln!("{} at {pct} %: {e}", case.name);
                std::process::exit(2);
            }
        };
        let ns = secs * 1e9 / units as f64;
        if pct < 100 {
            per_unit.push(ns);
        }
        println!(
            "{:<20} {:>4} % {:>12} {:<12} {:>8.3} s {:>10.2} ns/{}  {}",
            case.name, pct, units, case.unit, secs, ns, case.unit, outcome
        );
    }
    // Both ratios: a cost that grows faster than the input doubles from
    // half the limit to all of it, while caches alone make the smallest
    // case cheaper per unit than both.
    if let [ten, fifty, ninety_eight] = per_unit[..] {
        println!(
            "{:<20} time per {} at 98 % over 10 %: {:.2}x; over 50 %: {:.2}x",
            case.name,
            case.unit,
            ninety_eight / ten,
            ninety_eight / fifty
        );
    }
}

/// `f` run `runs` times (at least once): its last result, with the
/// shortest time taken.
fn best_of<T>(runs: usize, f: impl Fn() -> T) -> (T, f64) {
    let t = Instant::now();
    let mut result = f();
    let mut best = t.elapsed().as_secs_f64();
    for _ in 1..runs {
        let t = Instant::now();
        result = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (result, best)
}

/// Parses realistic files of 1, 5 and 10 MB (stack files concatenated, with
/// their blocks renamed so none repeats).
fn parse_deadline() {
    let mut unit = String::new();
    for k in 0..17 {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!(
            "target/bench-limits/one-stack/stacks/stack_000/iam_{k:02}.tf"
        ));
        unit.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
    }
    if unit.is_empty() {
        eprintln!("no stack files to build the parse input from");
        std::process::exit(2);
    }
    let mut per_kib = Vec::new();
    for mb in [1usize, 5, 10] {
        let mut text = String::with_capacity(mb << 20);
        let mut copy = 0;
        while text.len() + unit.len() < mb * 1_000_000 {
            text.push_str(&unit.replace("\" \"", &format!("\" \"c{copy}_")));
            copy += 1;
        }
        let deadline = PARSE_SECONDS_BASE as f64 + (text.len() / PARSE_BYTES_PER_SECOND) as f64;
        let (parsed, secs) = best_of(3, || parse_native("bench.tf", &text));
        if let Err(e) = parsed {
            eprintln!("parse_deadline at {mb} MB: {e}");
            std::process::exit(2);
        }
        let kib = text.len() as f64 / 1024.0;
        per_kib.push(secs * 1e6 / kib);
        println!(
            "{:<20} {:>4} MB {:>10.0} KiB {:>8.3} s {:>10.2} us/KiB  {:.2} % of its {:.0} s deadline",
            "max_parse_seconds",
            mb,
            kib,
            secs,
            secs * 1e6 / kib,
            secs / deadline * 100.0,
            deadline
        );
    }
    if let (Some(first), Some(last)) = (per_kib.first(), per_kib.last()) {
        println!(
            "{:<20} time per KiB at 10 MB over 1 MB: {:.2}x",
            "max_parse_seconds",
            last / first
        );
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-limits");
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let cases = [
        Case {
            name: "max_instances",
            limit: MAX_INSTANCES,
            unit: "instance",
            config: instances,
        },
        Case {
            name: "max_for_iterations",
            limit: MAX_FOR_ITERATIONS,
            unit: "iteration",
            config: for_iterations,
        },
        Case {
            name: "max_string_bytes",
            limit: MAX_STRING_BYTES,
            unit: "byte",
            config: string_bytes,
        },
        Case {
            name: "max_value_nodes",
            limit: MAX_VALUE_NODES,
            unit: "node",
            config: value_nodes,
        },
    ];
    for case in &cases {
        if wanted(case.name) {
            run_case(&root, case);
        }
    }
    if wanted("max_parse_seconds") {
        if let Err(e) = tree::generate(&root.join("one-stack"), 1) {
            eprintln!("cannot generate a stack: {e}");
            std::process::exit(2);
        }
        parse_deadline();
    }
}
