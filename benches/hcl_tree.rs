//! Reads a generated tree of 1,000 `.tf` files (about 3 MB) with roles,
//! `jsonencode` trust policies and policy documents, N times, and prints the
//! throughput and the peak resident memory. Goal: one read under a second.
//!
//! `cargo bench --bench hcl_tree` (N from `HCL_BENCH_RUNS`, default 3).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use trustdrift::ingest::hcl::{HclOptions, load};

const FILES: usize = 1_000;

fn generate(dir: &Path) -> std::io::Result<u64> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let mut total = 0u64;
    std::fs::write(
        dir.join("variables.tf"),
        "variable \"org_accounts\" {\n  type    = list(string)\n  default = [\"111111111111\", \"222222222222\", \"333333333333\"]\n}\n",
    )?;
    for i in 0..FILES {
        let mut s = String::new();
        let _ = write!(
            s,
            r#"# Generated stack {i}: a cross-account role, a service role and a policy.
locals {{
  team_{i}    = "team-{i}"
  vendor_{i}  = "{vendor:012}"
  principals_{i} = [for a in var.org_accounts : "arn:aws:iam::${{a}}:role/deployer-{i}"]
}}

resource "aws_iam_role" "cross_{i}" {{
  name                 = "${{local.team_{i}}}-cross"
  max_session_duration = 3600
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Sid       = "Vendor"
        Effect    = "Allow"
        Action    = ["sts:AssumeRole", "sts:TagSession"]
        Principal = {{ AWS = "arn:aws:iam::${{local.vendor_{i}}}:root" }}
        Condition = {{
          StringEquals = {{ "sts:ExternalId" = "ext-{i}" }}
          Bool         = {{ "aws:MultiFactorAuthPresent" = "true" }}
        }}
      }},
      {{
        Sid       = "Org"
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = {{ AWS = local.principals_{i} }}
      }},
    ]
  }})
  tags = {{
    owner         = "team-{i}"
    trust-expires = "2027-01-31"
  }}
}}

data "aws_iam_policy_document" "service_{i}" {{
  statement {{
    sid     = "Services"
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["lambda.amazonaws.com", "states.amazonaws.com"]
    }}
    condition {{
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = var.org_accounts
    }}
  }}
}}

resource "aws_iam_role" "service_{i}" {{
  name               = "${{local.team_{i}}}-service"
  description        = "Service role for stack {i}: Lambda and Step Functions assume it from the organisation's accounts only."
  tags = {{
    owner          = "team-{i}"
    trust-reviewed = "2026-10-01"
    trust-ticket   = "SEC-{i}"
  }}
  assume_role_policy = data.aws_iam_policy_document.service_{i}.json
}}

resource "aws_iam_policy" "invoke_{i}" {{
  name = "${{local.team_{i}}}-invoke"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
      Resource = ["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.*"]
    }}]
  }})
}}

# A legacy role whose trust policy is written out as a heredoc, with the
# account interpolated: reviewers see the JSON exactly as AWS will.
resource "aws_iam_role" "legacy_{i}" {{
  name               = "${{local.team_{i}}}-legacy"
  assume_role_policy = <<-EOT
    {{
      "Version": "2012-10-17",
      "Statement": [
        {{
          "Sid": "LegacyOrgAccess",
          "Effect": "Allow",
          "Action": "sts:AssumeRole",
          "Principal": {{ "AWS": "arn:aws:iam::${{local.vendor_{i}}}:root" }},
          "Condition": {{
            "StringEquals": {{ "aws:PrincipalOrgID": "o-abcdef0123" }}
          }}
        }}
      ]
    }}
  EOT
}}

resource "aws_s3_bucket" "data_{i}" {{
  bucket = "${{local.team_{i}}}-data"
  tags   = {{ team = local.team_{i} }}
}}
"#,
            vendor = 900_000_000_000u64 + i as u64
        );
        total += s.len() as u64;
        std::fs::write(dir.join(format!("stack_{i:04}.tf")), s)?;
    }
    Ok(total)
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-hcl");
    let bytes = match generate(&dir) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot generate {}: {e}", dir.display());
            std::process::exit(1);
        }
    };
    let runs: usize = std::env::var("HCL_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let mut best = f64::MAX;
    for run in 0..runs {
        let t = Instant::now();
        let ing = match load(&dir, &HclOptions::default()) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("load failed: {e}");
                std::process::exit(1);
            }
        };
        let secs = t.elapsed().as_secs_f64();
        best = best.min(secs);
        println!(
            "run {run}: {} instances, {} notes, {:.3} s, {:.1} MB/s",
            ing.instances.len(),
            ing.notes.len(),
            secs,
            bytes as f64 / 1e6 / secs
        );
    }
    println!(
        "hcl_tree: {FILES} files, {:.2} MB; best {:.3} s ({:.1} MB/s); peak RSS {} MB",
        bytes as f64 / 1e6,
        best,
        bytes as f64 / 1e6 / best,
        peak_rss_kb().map(|k| k / 1024).unwrap_or(0)
    );
}
