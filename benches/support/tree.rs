//! A generated Terraform tree shaped like a real repository: root modules
//! (stacks) with variables, locals, `aws_iam_policy_document` data sources
//! with `dynamic` statements, `for_each` roles, a local module called with
//! `for_each`, and filler resources trustdrift reads but does not judge.
//!
//! Shared by the benches and the thread-count test (`#[path]` module); each
//! reads only part of what it returns.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

/// Files in one stack: variables, locals, the module call, and content.
pub const FILES_PER_STACK: usize = 20;
const CONTENT_FILES: usize = FILES_PER_STACK - 3;

/// What [`generate`] wrote.
#[derive(Debug, Clone, Copy)]
pub struct Tree {
    pub files: usize,
    pub bytes: u64,
    pub stacks: usize,
}

/// Writes a tree of about `files` `.tf` files into `dir` (emptied first).
pub fn generate(dir: &Path, files: usize) -> std::io::Result<Tree> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let stacks = files.div_ceil(FILES_PER_STACK).max(1);
    let mut tree = Tree {
        files: 0,
        bytes: 0,
        stacks,
    };
    let mut put = |path: &Path, text: String| -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        tree.files += 1;
        tree.bytes += text.len() as u64;
        std::fs::write(path, text)
    };
    let module = dir.join("modules/trust_role");
    put(&module.join("variables.tf"), MODULE_VARIABLES.to_string())?;
    put(&module.join("main.tf"), MODULE_MAIN.to_string())?;
    put(&module.join("outputs.tf"), MODULE_OUTPUTS.to_string())?;
    for s in 0..stacks {
        let stack = dir.join(format!("stacks/stack_{s:03}"));
        put(&stack.join("variables.tf"), stack_variables(s))?;
        put(&stack.join("locals.tf"), stack_locals(s))?;
        put(&stack.join("modules.tf"), module_call(s))?;
        for k in 0..CONTENT_FILES {
            put(&stack.join(format!("iam_{k:02}.tf")), content(s, k))?;
        }
    }
    Ok(tree)
}

const MODULE_VARIABLES: &str = r#"variable "name" {
  type        = string
  description = "Name of the role the vendor assumes."
}

variable "account" {
  type = string
}

variable "external_id" {
  type      = string
  sensitive = false
}

variable "tags" {
  type    = map(string)
  default = {}
}
"#;

const MODULE_MAIN: &str = r#"data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "Vendor"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account}:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags               = merge(var.tags, { module = "trust_role" })
}
"#;

const MODULE_OUTPUTS: &str = r#"output "arn" {
  value = aws_iam_role.this.arn
}

output "name" {
  value = aws_iam_role.this.name
}
"#;

fn module_call(s: usize) -> String {
    format!(
        r#"module "vendor_trust_{s}" {{
  source   = "../../modules/trust_role"
  for_each = local.vendor_roles

  name        = "${{local.name_prefix}}-${{each.key}}"
  account     = each.value.account
  external_id = each.value.external_id
  tags        = local.common_tags
}}
"#
    )
}

fn stack_variables(s: usize) -> String {
    format!(
        r#"variable "env" {{
  type    = string
  default = "prod"
}}

variable "org_accounts" {{
  type    = list(string)
  default = ["{a:012}", "{b:012}", "{c:012}"]
}}

variable "vendors" {{
  type = map(object({{
    account     = string
    external_id = string
  }}))
  default = {{
    acme = {{
      account     = "{v1:012}"
      external_id = "acme-{s}"
    }}
    globex = {{
      account     = "{v2:012}"
      external_id = "globex-{s}"
    }}
  }}
}}

variable "services" {{
  type    = set(string)
  default = ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]
}}
"#,
        a = 100_000_000_000u64 + s as u64,
        b = 200_000_000_000u64 + s as u64,
        c = 300_000_000_000u64 + s as u64,
        v1 = 900_000_000_000u64 + s as u64,
        v2 = 910_000_000_000u64 + s as u64,
    )
}

fn stack_locals(s: usize) -> String {
    format!(
        r#"locals {{
  name_prefix    = "${{var.env}}-stack-{s}"
  org_principals = [for a in var.org_accounts : "arn:aws:iam::${{a}}:root"]
  vendor_roles = {{
    for k, v in var.vendors : k => {{
      account     = v.account
      external_id = v.external_id
    }}
  }}
  common_tags = {{
    env   = var.env
    stack = "{s}"
    owner = "team-{s}"
  }}
}}
"#
    )
}

fn content(s: usize, k: usize) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"# Stack {s}, part {k}: an application's roles and the resources they use.

data "aws_iam_policy_document" "assume_{s}_{k}" {{
  dynamic "statement" {{
    for_each = var.vendors
    content {{
      sid     = "Vendor${{statement.key}}"
      actions = ["sts:AssumeRole"]
      principals {{
        type        = "AWS"
        identifiers = ["arn:aws:iam::${{statement.value.account}}:root"]
      }}
      condition {{
        test     = "StringEquals"
        variable = "sts:ExternalId"
        values   = [statement.value.external_id]
      }}
    }}
  }}

  statement {{
    sid     = "Services"
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = var.services
    }}
  }}
}}

resource "aws_iam_role" "app_{s}_{k}" {{
  for_each           = toset(["read", "write"])
  name               = "${{local.name_prefix}}-app-{k}-${{each.key}}"
  assume_role_policy = data.aws_iam_policy_document.assume_{s}_{k}.json
  tags               = merge(local.common_tags, {{ access = each.key }})
}}

resource "aws_iam_role" "org_{s}_{k}" {{
  name = "${{local.name_prefix}}-org-{k}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Sid       = "Organisation"
        Effect    = "Allow"
        Action    = ["sts:AssumeRole", "sts:TagSession"]
        Principal = {{ AWS = local.org_principals }}
        Condition = {{
          StringEquals = {{ "aws:PrincipalOrgID" = "o-abcdef0123" }}
        }}
      }},
    ]
  }})
  tags = local.common_tags
}}

resource "aws_s3_bucket" "data_{s}_{k}" {{
  bucket = "${{local.name_prefix}}-data-{k}"
  tags   = merge(local.common_tags, {{ data = "part-{k}" }})
}}

resource "aws_security_group" "web_{s}_{k}" {{
  name        = "${{local.name_prefix}}-web-{k}"
  description = "Web traffic for part {k} of stack {s}"
  vpc_id      = "vpc-0123456789abcdef0"

  dynamic "ingress" {{
    for_each = [80, 443]
    content {{
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
    }}
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_cloudwatch_log_group" "logs_{s}_{k}" {{
  name              = "/app/${{local.name_prefix}}/{k}"
  retention_in_days = 30
  tags              = local.common_tags
}}

resource "aws_sqs_queue" "jobs_{s}_{k}" {{
  name                       = "${{local.name_prefix}}-jobs-{k}"
  visibility_timeout_seconds = 60
  message_retention_seconds  = 345600
  tags                       = local.common_tags
}}
"#
    );
    // One role a stack: a partner account trusted without any condition,
    // which trustdrift reports.
    if k == 0 {
        let _ = write!(
            out,
            r#"
resource "aws_iam_role" "partner_{s}" {{
  name = "${{local.name_prefix}}-partner"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ AWS = "arn:aws:iam::{partner:012}:root" }}
    }}]
  }})
}}
"#,
            partner = 555_000_000_000u64 + s as u64
        );
    }
    out
}
