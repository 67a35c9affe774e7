//! `trustdrift check` on a generated ~100 MB plan JSON: throughput and peak
//! memory. Run with `cargo bench --bench plan_check`; the plan is written to
//! `target/bench-data/` (never to git) on first run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use trustdrift::config::Policy;

const TARGET_BYTES: u64 = 100 * 1024 * 1024;

fn role_change(i: usize, out: &mut impl Write) -> std::io::Result<()> {
    let principal = match i % 4 {
        0 => r#"{\"AWS\":\"arn:aws:iam::999988887777:root\"}"#.to_string(),
        1 => r#"{\"Service\":\"lambda.amazonaws.com\"}"#.to_string(),
        2 => format!(r#"{{\"AWS\":\"arn:aws:iam::111111111111:role/ci-{i}\"}}"#),
        _ => r#"{\"Federated\":\"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com\"}"#.to_string(),
    };
    let condition = if i % 3 == 0 {
        r#",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"x-1\"}}"#
    } else {
        ""
    };
    write!(
        out,
        r#"{{"address":"module.team[\"t{m}\"].aws_iam_role.r[{i}]","module_address":"module.team[\"t{m}\"]","mode":"managed","type":"aws_iam_role","name":"r","index":{i},"provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":["create"],"before":null,"after":{{"assume_role_policy":"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{principal},\"Action\":\"sts:AssumeRole\"{condition}}}]}}","description":null,"force_detach_policies":false,"max_session_duration":3600,"name":"role-{i}","path":"/","permissions_boundary":null,"tags":{{"owner":"team-{m}"}},"tags_all":{{"owner":"team-{m}"}}}},"after_unknown":{{"arn":true,"create_date":true,"id":true,"inline_policy":true,"managed_policy_arns":true,"tags":{{}},"tags_all":{{}},"unique_id":true}},"before_sensitive":false,"after_sensitive":{{"tags":{{}},"tags_all":{{}}}}}}}}"#,
        m = i % 50
    )
}

fn other_change(i: usize, out: &mut impl Write) -> std::io::Result<()> {
    let tags: String = (0..20)
        .map(|t| format!(r#""tag{t}":"value-{i}-{t}","#))
        .collect();
    write!(
        out,
        r#"{{"address":"aws_instance.web[{i}]","mode":"managed","type":"aws_instance","name":"web","index":{i},"provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":["update"],"before":{{"ami":"ami-0123456789abcdef0","instance_type":"t3.micro","tags":{{{tags}"Name":"web-{i}"}},"user_data":"{ud}"}},"after":{{"ami":"ami-0123456789abcdef1","instance_type":"t3.small","tags":{{{tags}"Name":"web-{i}"}},"user_data":"{ud}"}},"after_unknown":{{"id":false,"public_ip":true}},"before_sensitive":{{}},"after_sensitive":{{}}}}}}"#,
        ud = "IyEvYmluL2Jhc2gKZWNobyBoZWxsbwo=".repeat(8)
    )
}

/// Writes the plan by streaming, so generating it costs little memory.
fn generate(path: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    let tmp = path.with_extension("tmp");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    write!(
        out,
        r#"{{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{{"root_module":{{}}}},"resource_changes":["#
    )?;
    let mut i = 0usize;
    let mut written = 0u64;
    while written < TARGET_BYTES {
        if i > 0 {
            out.write_all(b",")?;
        }
        if i % 10 == 0 {
            role_change(i, &mut out)?;
        } else {
            other_change(i, &mut out)?;
        }
        i += 1;
        if i % 1000 == 0 {
            out.flush()?;
            written = std::fs::metadata(&tmp)?.len();
        }
    }
    write!(out, r#"],"configuration":{{"root_module":{{}}}}}}"#)?;
    out.flush()?;
    drop(out);
    std::fs::rename(tmp, path)
}

/// Peak resident memory of this process, in bytes (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Resets the peak so that it measures only what follows (Linux).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let path: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/plan-100mb.json");
    if !path.exists() {
        eprintln!("generating {}", path.display());
        if let Err(e) = generate(&path) {
            eprintln!("cannot generate the plan: {e}");
            std::process::exit(1);
        }
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let policy = Policy::builtin(&trustdrift::rules::registry::codes()).expect("built-in policy");
    let arg = [path.to_string_lossy().into_owned()];
    let mut times = Vec::new();
    let mut peak = 0;
    let mut findings = 0;
    let mut roles = 0;
    for _ in 0..5 {
        reset_peak_rss();
        let start = Instant::now();
        let scan =
            trustdrift::scan(&arg, &Default::default(), &mut std::io::empty()).expect("scan");
        let f = trustdrift::check(&scan, &policy);
        let elapsed = start.elapsed();
        findings = f.len();
        roles = scan.inventory.roles.len();
        drop((scan, f));
        times.push(elapsed.as_secs_f64());
        peak = peak.max(peak_rss().unwrap_or(0));
    }
    times.sort_by(f64::total_cmp);
    let mb = size as f64 / (1024.0 * 1024.0);
    println!("plan: {mb:.1} MiB, {roles} roles, {findings} findings");
    println!(
        "check (read + parse + analyse + rules), 5 runs: min {:.3} s, median {:.3} s, {:.0} MiB/s at the median",
        times[0],
        times[2],
        mb / times[2]
    );
    println!(
        "peak RSS during a run: {:.1} MiB ({:.2}x the file)",
        peak as f64 / 1048576.0,
        peak as f64 / size as f64
    );

    // Inventory of the same plan: grants and the JSON report.
    let scan = trustdrift::scan(&arg, &Default::default(), &mut std::io::empty()).expect("scan");
    let start = Instant::now();
    let grants = trustdrift::grants_of(&scan, &policy);
    let json = trustdrift::report::inventory::render_json(&scan.inventory, &grants);
    println!(
        "inventory --format json: {} grants, {:.1} MiB of JSON in {:.3} s",
        grants.len(),
        json.len() as f64 / 1048576.0,
        start.elapsed().as_secs_f64()
    );
}
