//! Generated inputs for trustdrift's benches and `benches/compare.sh`: a
//! realistic `terraform show -json` plan and a tree of `.tf` files. Shared
//! by the benches (`mod common;`) and `examples/gen_plan.rs`.
//!
//! The plan is written by streaming, so a large one costs little memory.
//! About one resource in ten is IAM or Bedrock (roles whose trust policies
//! use every principal kind, managed and inline policies, attachments,
//! agents, inference profiles); the rest is bulky filler. A third of the
//! resources live in modules, and every change action occurs: create,
//! update, delete, replace both ways, no-op, read and forget. The plan has
//! `variables`, `planned_values`, `resource_changes`, `prior_state` and
//! `configuration`, as Terraform writes them.

#![allow(dead_code)]

use std::io::{self, Write};
use std::path::Path;

/// What happens to resource `i`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Create,
    Update,
    Delete,
    DeleteCreate,
    CreateDelete,
    NoOp,
    Read,
    Forget,
}

impl Action {
    fn of(i: usize) -> Action {
        match i % 16 {
            0..=4 => Action::Create,
            5..=7 => Action::Update,
            8 => Action::Delete,
            9 => Action::DeleteCreate,
            10 => Action::CreateDelete,
            11..=13 => Action::NoOp,
            14 => Action::Read,
            _ => Action::Forget,
        }
    }

    fn json(self) -> &'static str {
        match self {
            Action::Create => r#"["create"]"#,
            Action::Update => r#"["update"]"#,
            Action::Delete => r#"["delete"]"#,
            Action::DeleteCreate => r#"["delete","create"]"#,
            Action::CreateDelete => r#"["create","delete"]"#,
            Action::NoOp => r#"["no-op"]"#,
            Action::Read => r#"["read"]"#,
            Action::Forget => r#"["forget"]"#,
        }
    }

    fn has_before(self) -> bool {
        !matches!(self, Action::Create | Action::Read)
    }

    fn has_after(self) -> bool {
        !matches!(self, Action::Delete | Action::Forget)
    }
}

/// One resource of the plan: where it is and what it holds.
struct Resource {
    i: usize,
    kind: Kind,
    action: Action,
    module: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Role,
    Policy,
    RolePolicy,
    Attachment,
    BedrockAgent,
    InferenceProfile,
    Instance,
    Bucket,
    SecurityGroup,
    AmiData,
}

impl Kind {
    fn of(i: usize) -> Kind {
        if i % 10 == 0 {
            match (i / 10) % 8 {
                0 | 1 | 7 => Kind::Role,
                2 => Kind::Policy,
                3 => Kind::RolePolicy,
                4 => Kind::Attachment,
                5 => Kind::BedrockAgent,
                _ => Kind::InferenceProfile,
            }
        } else {
            match i % 3 {
                0 => Kind::Instance,
                1 => Kind::Bucket,
                _ => Kind::SecurityGroup,
            }
        }
    }

    fn type_name(self) -> &'static str {
        match self {
            Kind::Role => "aws_iam_role",
            Kind::Policy => "aws_iam_policy",
            Kind::RolePolicy => "aws_iam_role_policy",
            Kind::Attachment => "aws_iam_role_policy_attachment",
            Kind::BedrockAgent => "aws_bedrockagent_agent",
            Kind::InferenceProfile => "aws_bedrock_inference_profile",
            Kind::Instance => "aws_instance",
            Kind::Bucket => "aws_s3_bucket",
            Kind::SecurityGroup => "aws_security_group",
            Kind::AmiData => "aws_ami",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::Policy => "policy",
            Kind::RolePolicy => "inline",
            Kind::Attachment => "attach",
            Kind::BedrockAgent => "agent",
            Kind::InferenceProfile => "profile",
            Kind::Instance => "web",
            Kind::Bucket => "logs",
            Kind::SecurityGroup => "sg",
            Kind::AmiData => "ami",
        }
    }
}

impl Resource {
    fn new(i: usize) -> Resource {
        let action = Action::of(i / 10 + i);
        let mut kind = Kind::of(i);
        // Only data sources are read; a filler read is a data source.
        let action = if action == Action::Read && kind != Kind::Instance {
            Action::Update
        } else {
            action
        };
        if action == Action::Read {
            kind = Kind::AmiData;
        }
        let module = (i % 3 == 1).then(|| format!("module.team[\"t{}\"]", i % 40));
        Resource {
            i,
            kind,
            action,
            module,
        }
    }

    fn mode(&self) -> &'static str {
        if self.kind == Kind::AmiData {
            "data"
        } else {
            "managed"
        }
    }

    fn address(&self) -> String {
        let data = if self.kind == Kind::AmiData {
            "data."
        } else {
            ""
        };
        let local = format!(
            "{data}{}.{}[{}]",
            self.kind.type_name(),
            self.kind.name(),
            self.i
        );
        match &self.module {
            Some(m) => format!("{m}.{local}"),
            None => local,
        }
    }

    /// The attribute values, `after` (true) or `before` (false).
    fn values(&self, after: bool, out: &mut Vec<u8>) {
        let i = self.i;
        let v = if after && self.action == Action::Update {
            2
        } else {
            1
        };
        let mut w = |s: &str| out.extend_from_slice(s.as_bytes());
        match self.kind {
            Kind::Role => {
                let doc = trust_document(i, v);
                w(&format!(
                    r#"{{"assume_role_policy":{},"description":"role {i} for team {t}","force_detach_policies":false,"max_session_duration":{msd},"name":"role-{i}","name_prefix":"","path":"/teams/","permissions_boundary":null,"tags":{{"owner":"team-{t}","trust-expires":"2027-0{m}-15"}},"tags_all":{{"env":"prod","owner":"team-{t}","trust-expires":"2027-0{m}-15"}}"#,
                    quote(&doc),
                    t = i % 40,
                    m = 1 + i % 9,
                    msd = 3600 * v,
                ));
                if after {
                    w("}");
                } else {
                    w(&format!(
                        r#","arn":"arn:aws:iam::111111111111:role/teams/role-{i}","id":"role-{i}","unique_id":"AROA{i:016}","create_date":"2025-01-01T00:00:00Z","managed_policy_arns":[],"inline_policy":[]}}"#
                    ));
                }
            }
            Kind::Policy | Kind::RolePolicy => {
                let doc = format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::bucket-{i}","arn:aws:s3:::bucket-{i}/*"]}},{{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:eu-west-1::foundation-model/model-{v}"}}]}}"#
                );
                if self.kind == Kind::Policy {
                    w(&format!(
                        r#"{{"description":"policy {i}","name":"policy-{i}","path":"/","policy":{},"tags":{{}}}}"#,
                        quote(&doc)
                    ));
                } else {
                    w(&format!(
                        r#"{{"name":"inline-{i}","policy":{},"role":"role-{r}"}}"#,
                        quote(&doc),
                        r = i - 10
                    ));
                }
            }
            Kind::Attachment => w(&format!(
                r#"{{"policy_arn":"arn:aws:iam::111111111111:policy/policy-{p}","role":"role-{r}"}}"#,
                p = i - 20,
                r = i - 40
            )),
            Kind::BedrockAgent => w(&format!(
                r#"{{"agent_name":"agent-{i}","agent_resource_role_arn":"arn:aws:iam::111111111111:role/teams/role-{r}","foundation_model":"anthropic.claude-v{v}","idle_session_ttl_in_seconds":600,"instruction":"{instr}","prepare_agent":true,"tags":{{"owner":"team-{t}"}}}}"#,
                r = i - 50,
                t = i % 40,
                instr = "Answer questions about the team's infrastructure. ".repeat(4)
            )),
            Kind::InferenceProfile => w(&format!(
                r#"{{"name":"profile-{i}","description":"profile {i}","model_source":[{{"copy_from":"arn:aws:bedrock:eu-west-1::foundation-model/model-{v}"}}],"tags":{{"owner":"team-{t}"}}}}"#,
                t = i % 40
            )),
            Kind::Instance => {
                let tags: String = (0..12)
                    .map(|t| format!(r#""tag{t}":"value-{i}-{t}","#))
                    .collect();
                w(&format!(
                    r#"{{"ami":"ami-0123456789abcdef{v}","instance_type":"t3.{size}","associate_public_ip_address":false,"ebs_optimized":true,"monitoring":true,"root_block_device":[{{"delete_on_termination":true,"encrypted":true,"volume_size":{vs},"volume_type":"gp3"}}],"tags":{{{tags}"Name":"web-{i}"}},"user_data":"{ud}","vpc_security_group_ids":["sg-{i:08x}"]}}"#,
                    size = if v == 1 { "micro" } else { "small" },
                    vs = 20 * v,
                    ud = "IyEvYmluL2Jhc2gKZWNobyBoZWxsbwo=".repeat(10)
                ));
            }
            Kind::Bucket => {
                let rules: String = (0..4)
                    .map(|r| {
                        format!(
                            r#"{{"id":"rule-{r}","enabled":true,"prefix":"logs/{r}/","expiration":[{{"days":{d}}}],"noncurrent_version_expiration":[{{"days":30}}]}}"#,
                            d = 30 * (r + v)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(",");
                w(&format!(
                    r#"{{"bucket":"logs-{i}","force_destroy":false,"lifecycle_rule":[{rules}],"tags":{{"owner":"team-{t}","cost-center":"cc-{c}"}},"versioning":[{{"enabled":true,"mfa_delete":false}}]}}"#,
                    t = i % 40,
                    c = i % 7
                ));
            }
            Kind::SecurityGroup => {
                let ingress: String = (0..6)
                    .map(|r| {
                        format!(
                            r#"{{"cidr_blocks":["10.{a}.{r}.0/24"],"description":"rule {r}","from_port":{p},"ipv6_cidr_blocks":[],"prefix_list_ids":[],"protocol":"tcp","security_groups":[],"self":false,"to_port":{p}}}"#,
                            a = i % 256,
                            p = 8000 + r + v
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(",");
                w(&format!(
                    r#"{{"description":"service {i}","egress":[],"ingress":[{ingress}],"name":"sg-{i}","revoke_rules_on_delete":false,"tags":{{"owner":"team-{t}"}},"vpc_id":"vpc-0123456789"}}"#,
                    t = i % 40
                ));
            }
            Kind::AmiData => w(&format!(
                r#"{{"most_recent":true,"owners":["amazon"],"filter":[{{"name":"name","values":["al2023-ami-*-x86_64"]}}],"id":"ami-{i:017x}","image_id":"ami-{i:017x}"}}"#
            )),
        }
    }

    fn unknown_mask(&self) -> &'static str {
        match self.kind {
            Kind::Role => {
                r#"{"arn":true,"create_date":true,"id":true,"inline_policy":true,"managed_policy_arns":true,"tags":{},"tags_all":{},"unique_id":true}"#
            }
            Kind::Instance => r#"{"id":true,"public_ip":true,"private_ip":true,"arn":true}"#,
            Kind::AmiData => r#"{"id":true,"image_id":true}"#,
            _ => r#"{"id":true,"arn":true}"#,
        }
    }

    /// The `resource_changes` record.
    fn change(&self, out: &mut Vec<u8>) {
        let a = self.action;
        let address = self.address();
        let module = self
            .module
            .as_ref()
            .map(|m| format!(r#""module_address":{},"#, quote(m)))
            .unwrap_or_default();
        out.extend_from_slice(
            format!(
                r#"{{"address":{},{module}"mode":"{}","type":"{}","name":"{}","index":{},"provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":{},"before":"#,
                quote(&address),
                self.mode(),
                self.kind.type_name(),
                self.kind.name(),
                self.i,
                a.json()
            )
            .as_bytes(),
        );
        if a.has_before() {
            self.values(false, out);
        } else {
            out.extend_from_slice(b"null");
        }
        out.extend_from_slice(br#","after":"#);
        if a.has_after() {
            self.values(a != Action::NoOp, out);
        } else {
            out.extend_from_slice(b"null");
        }
        let unknown = if a.has_after() && a != Action::NoOp {
            self.unknown_mask()
        } else {
            "{}"
        };
        out.extend_from_slice(
            format!(
                r#","after_unknown":{unknown},"before_sensitive":{},"after_sensitive":{}}}"#,
                if a.has_before() { "{}" } else { "false" },
                if a.has_after() { "{}" } else { "false" },
            )
            .as_bytes(),
        );
        if matches!(a, Action::DeleteCreate | Action::CreateDelete) {
            out.extend_from_slice(br#","action_reason":"replace_because_cannot_update""#);
        }
        out.extend_from_slice(b"}");
    }

    /// A `planned_values` or `prior_state` resource record.
    fn state_record(&self, after: bool, out: &mut Vec<u8>) {
        out.extend_from_slice(
            format!(
                r#"{{"address":{},"mode":"{}","type":"{}","name":"{}","index":{},"provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":"#,
                quote(&self.address()),
                self.mode(),
                self.kind.type_name(),
                self.kind.name(),
                self.i,
            )
            .as_bytes(),
        );
        self.values(after, out);
        out.extend_from_slice(br#","sensitive_values":{"tags":{},"tags_all":{}}}"#);
    }

    /// A `configuration` resource record.
    fn config_record(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(
            format!(
                r#"{{"address":"{}{}.{}","mode":"{}","type":"{}","name":"{}","provider_config_key":"aws","expressions":{{"name":{{"references":["var.prefix","count.index"]}},"tags":{{"references":["local.tags"]}}}},"schema_version":0,"count_expression":{{"constant_value":{}}}}}"#,
                if self.kind == Kind::AmiData {
                    "data."
                } else {
                    ""
                },
                self.kind.type_name(),
                self.kind.name(),
                self.mode(),
                self.kind.type_name(),
                self.kind.name(),
                self.i + 1
            )
            .as_bytes(),
        );
    }
}

/// A trust policy; the principal kind and conditions vary with `i`.
fn trust_document(i: usize, v: usize) -> String {
    let principal = match i % 9 {
        0 => r#"{"AWS":"arn:aws:iam::999988887777:root"}"#.to_string(),
        1 => format!(r#"{{"AWS":"arn:aws:iam::{:012}:role/deployer-{i}"}}"#, 200_000_000_000u64 + i as u64),
        2 => r#"{"Service":"lambda.amazonaws.com"}"#.to_string(),
        3 => r#"{"Service":["ec2.amazonaws.com","ecs-tasks.amazonaws.com"]}"#.to_string(),
        4 => r#"{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}"#.to_string(),
        5 => r#"{"Federated":"arn:aws:iam::111111111111:saml-provider/corp-idp"}"#.to_string(),
        6 => r#""*""#.to_string(),
        7 => r#"{"AWS":["arn:aws:iam::111111111111:root","444455556666"]}"#.to_string(),
        _ => r#"{"Service":"bedrock.amazonaws.com"}"#.to_string(),
    };
    let (action, condition) = match i % 9 {
        0 => (
            r#""sts:AssumeRole""#,
            format!(r#","Condition":{{"StringEquals":{{"sts:ExternalId":"ext-{i}"}}}}"#),
        ),
        4 => (
            r#""sts:AssumeRoleWithWebIdentity""#,
            format!(
                r#","Condition":{{"StringEquals":{{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}},"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:org/repo-{}:*"}}}}"#,
                i % 50
            ),
        ),
        5 => (
            r#""sts:AssumeRoleWithSAML""#,
            r#","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}"#
                .to_string(),
        ),
        6 => (
            r#"["sts:AssumeRole","sts:TagSession"]"#,
            r#","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdef1234"}}"#.to_string(),
        ),
        8 => (
            r#""sts:AssumeRole""#,
            r#","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}"#.to_string(),
        ),
        _ if v == 2 => (r#"["sts:AssumeRole","sts:TagSession"]"#, String::new()),
        _ => (r#""sts:AssumeRole""#, String::new()),
    };
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Trust","Effect":"Allow","Principal":{principal},"Action":{action}{condition}}}]}}"#
    )
}

/// `s` as a JSON string literal.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// Writes a plan of `resources` resources to `out`.
pub fn write_plan(resources: usize, out: &mut impl Write) -> io::Result<()> {
    let mut buf = Vec::with_capacity(1 << 20);
    let flush = |buf: &mut Vec<u8>, out: &mut dyn Write| -> io::Result<()> {
        out.write_all(buf)?;
        buf.clear();
        Ok(())
    };
    buf.extend_from_slice(
        br#"{"format_version":"1.2","terraform_version":"1.11.4","variables":{"prefix":{"value":"bench"},"region":{"value":"eu-west-1"}},"planned_values":{"root_module":{"resources":["#,
    );
    // planned_values: what exists after apply, root then modules.
    let sections = |in_module: bool| {
        (0..resources)
            .map(Resource::new)
            .filter(move |r| r.module.is_some() == in_module)
    };
    let mut first = true;
    for r in sections(false).filter(|r| r.action.has_after()) {
        if !std::mem::take(&mut first) {
            buf.push(b',');
        }
        r.state_record(true, &mut buf);
        if buf.len() > 1 << 20 {
            flush(&mut buf, out)?;
        }
    }
    buf.extend_from_slice(br#"],"child_modules":[{"address":"module.team","resources":["#);
    first = true;
    for r in sections(true).filter(|r| r.action.has_after()) {
        if !std::mem::take(&mut first) {
            buf.push(b',');
        }
        r.state_record(true, &mut buf);
        if buf.len() > 1 << 20 {
            flush(&mut buf, out)?;
        }
    }
    buf.extend_from_slice(br#"]}]}},"resource_changes":["#);
    for i in 0..resources {
        if i > 0 {
            buf.push(b',');
        }
        Resource::new(i).change(&mut buf);
        if buf.len() > 1 << 20 {
            flush(&mut buf, out)?;
        }
    }
    buf.extend_from_slice(
        br#"],"prior_state":{"format_version":"1.0","terraform_version":"1.11.4","values":{"root_module":{"resources":["#,
    );
    first = true;
    for r in sections(false).filter(|r| r.action.has_before()) {
        if !std::mem::take(&mut first) {
            buf.push(b',');
        }
        r.state_record(false, &mut buf);
        if buf.len() > 1 << 20 {
            flush(&mut buf, out)?;
        }
    }
    buf.extend_from_slice(br#"],"child_modules":[{"address":"module.team","resources":["#);
    first = true;
    for r in sections(true).filter(|r| r.action.has_before()) {
        if !std::mem::take(&mut first) {
            buf.push(b',');
        }
        r.state_record(false, &mut buf);
        if buf.len() > 1 << 20 {
            flush(&mut buf, out)?;
        }
    }
    buf.extend_from_slice(
        br#"]}]}}},"configuration":{"provider_config":{"aws":{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws","expressions":{"region":{"references":["var.region"]}}}},"root_module":{"resources":["#,
    );
    // The configuration holds one block per resource kind and name.
    let mut seen = std::collections::BTreeSet::new();
    first = true;
    for r in (0..resources).map(Resource::new) {
        if !seen.insert((r.kind.type_name(), r.i % 50)) {
            continue;
        }
        if !std::mem::take(&mut first) {
            buf.push(b',');
        }
        r.config_record(&mut buf);
    }
    buf.extend_from_slice(
        br#"],"module_calls":{"team":{"source":"./modules/team","expressions":{"name":{"references":["each.key"]}},"for_each_expression":{"references":["local.teams"]},"module":{"resources":[]}}},"variables":{"prefix":{"default":"bench"},"region":{}}}},"relevant_attributes":[],"timestamp":"2026-12-01T00:00:00Z","applyable":true,"complete":true,"errored":false}"#,
    );
    flush(&mut buf, out)?;
    out.flush()
}

/// The size in bytes of a plan of `resources` resources.
fn plan_size(resources: usize) -> u64 {
    struct Count(u64);
    impl Write for Count {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0 += b.len() as u64;
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = write_plan(resources, &mut c);
    c.0
}

/// How many resources make a plan of about `bytes` bytes.
pub fn resources_for(bytes: u64) -> usize {
    let sample = 2_000;
    let per = plan_size(sample) as f64 / sample as f64;
    ((bytes as f64 / per).round() as usize).max(1)
}

/// Writes a plan of about `bytes` bytes to `path` (atomically), unless one
/// is already there; returns the number of resources.
pub fn plan_file(path: &Path, bytes: u64) -> io::Result<usize> {
    let n = resources_for(bytes);
    if path.exists() {
        return Ok(n);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut out = io::BufWriter::new(std::fs::File::create(&tmp)?);
    write_plan(n, &mut out)?;
    drop(out);
    std::fs::rename(tmp, path)?;
    Ok(n)
}

/// Writes `files` `.tf` files into `dir`, each with a few roles (trust of
/// every principal kind, as `jsonencode` and as a policy document data
/// source) among filler resources.
pub fn write_tf_tree(dir: &Path, files: usize) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for f in 0..files {
        let mut s = String::new();
        for k in 0..4 {
            let i = f * 4 + k;
            let doc = trust_document(i, 1);
            s.push_str(&format!(
                "resource \"aws_iam_role\" \"r{i}\" {{\n  name = \"role-{i}\"\n  assume_role_policy = jsonencode({})\n  tags = {{\n    owner = \"team-{t}\"\n  }}\n}}\n\n",
                hcl_of_json(&doc),
                t = i % 40
            ));
        }
        let i = f * 4;
        s.push_str(&format!(
            "data \"aws_iam_policy_document\" \"trust{f}\" {{\n  statement {{\n    actions = [\"sts:AssumeRole\"]\n    principals {{\n      type        = \"AWS\"\n      identifiers = [\"arn:aws:iam::{acct}:root\"]\n    }}\n    condition {{\n      test     = \"StringEquals\"\n      variable = \"sts:ExternalId\"\n      values   = [\"ext-{f}\"]\n    }}\n  }}\n}}\n\nresource \"aws_iam_role\" \"doc{f}\" {{\n  name               = \"doc-{f}\"\n  assume_role_policy = data.aws_iam_policy_document.trust{f}.json\n}}\n\n",
            acct = 200_000_000_000u64 + i as u64
        ));
        for k in 0..6 {
            s.push_str(&format!(
                "resource \"aws_instance\" \"web{f}_{k}\" {{\n  ami           = \"ami-0123456789abcdef0\"\n  instance_type = \"t3.micro\"\n  tags = {{\n    Name = \"web-{f}-{k}\"\n  }}\n}}\n\nresource \"aws_s3_bucket\" \"logs{f}_{k}\" {{\n  bucket = \"logs-{f}-{k}\"\n}}\n\n"
            ));
        }
        std::fs::write(dir.join(format!("main{f:04}.tf")), s)?;
    }
    Ok(())
}

/// JSON text as an HCL expression (objects with quoted keys).
fn hcl_of_json(text: &str) -> String {
    fn walk(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(o) => {
                out.push('{');
                for (n, (k, v)) in o.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&quote(k));
                    out.push_str(" = ");
                    walk(v, out);
                }
                out.push('}');
            }
            serde_json::Value::Array(a) => {
                out.push('[');
                for (n, v) in a.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    walk(v, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => walk(&v, &mut out),
        Err(_) => out.push_str("{}"),
    }
    out
}

/// Peak resident memory (bytes) and wall time of running `cmd` to its end,
/// with its exit status; output discarded.
///
/// The peak is the child's own: `wait4`'s `ru_maxrss` of a child spawned by
/// this (large) bench process starts at the bench's own resident size, since
/// Linux carries the spawning process's high-water mark across `exec`. So the
/// child is started through `/usr/bin/time -f %M`, a small process whose own
/// child's peak is the program's alone; without `/usr/bin/time`, `wait4`'s
/// figure is reported (an upper bound).
#[cfg(unix)]
pub fn run_measured(cmd: &mut std::process::Command) -> io::Result<(f64, u64, i32)> {
    use std::process::Stdio;
    const TIME: &str = "/usr/bin/time";
    if !Path::new(TIME).exists() {
        return run_wait4(cmd);
    }
    let report = std::env::temp_dir().join(format!("trustdrift-bench-rss-{}", std::process::id()));
    let mut timed = std::process::Command::new(TIME);
    timed
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    let start = std::time::Instant::now();
    let status = timed
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .status()?;
    let elapsed = start.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    // The last line is the figure; a killed child adds a line before it.
    let kib: u64 = text
        .lines()
        .rev()
        .find_map(|l| l.trim().parse().ok())
        .ok_or_else(|| io::Error::other(format!("{TIME} reported no peak: {text:?}")))?;
    Ok((elapsed, kib * 1024, status.code().unwrap_or(-1)))
}

/// [`run_measured`] with `wait4`'s figure, which includes this process's
/// resident size at the spawn.
#[cfg(unix)]
fn run_wait4(cmd: &mut std::process::Command) -> io::Result<(f64, u64, i32)> {
    use std::process::Stdio;
    let start = std::time::Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data, filled in by wait4 for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed().as_secs_f64();
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    // The child is reaped: dropping `child` does not wait again.
    drop(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok((elapsed, usage.ru_maxrss as u64 * 1024, code))
}

/// A plan of `roles` roles trusting other accounts: the first `shared` of
/// them trust one vendor with one identical trust document, the rest each
/// their own account with their own external id. `widened`: every fourth
/// role admits any caller of its account instead, with no external id.
pub fn roles_plan(roles: usize, shared: usize, widened: bool) -> Vec<u8> {
    let changes: Vec<serde_json::Value> = (0..roles)
        .map(|i| {
            let (account, xid) = if i < shared {
                (999_988_887_777u64, "shared-vendor".to_string())
            } else {
                (200_000_000_000 + i as u64, format!("x-{i}"))
            };
            let condition = if widened && i % 4 == 0 {
                String::new()
            } else {
                format!(r#","Condition":{{"StringEquals":{{"sts:ExternalId":"{xid}"}}}}"#)
            };
            let policy = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"{condition}}}]}}"#
            );
            serde_json::json!({
                "address": format!("aws_iam_role.r[{i}]"), "mode": "managed",
                "type": "aws_iam_role", "name": "r", "index": i,
                "change": {"actions": ["create"], "before": null,
                    "after": {"name": format!("role-{i}"), "assume_role_policy": policy,
                        "tags_all": {"owner": "team", "trust-expires": "2027-01-15"}},
                    "after_unknown": {}}
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"format_version": "1.2", "resource_changes": changes}))
        .expect("plan")
}
