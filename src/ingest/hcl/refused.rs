//! Arguments and blocks Terraform would refuse in the blocks that carry
//! trust: an `aws_iam_role`, a `data "aws_iam_policy_document"` and its
//! `statement`, `principals`, `not_principals` and `condition` blocks. A typo
//! there (`action` for `actions`) would otherwise make a statement vanish
//! from the model without a word; Terraform stops with "Unsupported
//! argument", so trustdrift reports it (TD901) at the argument.

use hcl::edit::Span;
use hcl::edit::structure::{Block, Body};

use crate::model::inventory::Refused;

use super::eval::Evaluator;
use super::module::ResDecl;
use super::source::{FileId, Syntax};

/// Meta-arguments and meta-blocks every resource and data block accepts.
const META_ARGS: &[&str] = &["count", "for_each", "provider", "depends_on"];
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];

/// What a block accepts: its arguments and its nested blocks.
struct Schema {
    args: &'static [&'static str],
    blocks: &'static [(&'static str, &'static Schema)],
}

static PRINCIPALS: Schema = Schema {
    args: &["type", "identifiers"],
    blocks: &[],
};
static CONDITION: Schema = Schema {
    args: &["test", "variable", "values"],
    blocks: &[],
};
static STATEMENT: Schema = Schema {
    args: &[
        "sid",
        "effect",
        "actions",
        "not_actions",
        "resources",
        "not_resources",
    ],
    blocks: &[
        ("principals", &PRINCIPALS),
        ("not_principals", &PRINCIPALS),
        ("condition", &CONDITION),
    ],
};
static POLICY_DOCUMENT: Schema = Schema {
    args: &[
        "policy_id",
        "version",
        "source_policy_documents",
        "override_policy_documents",
        "source_json",
        "override_json",
    ],
    blocks: &[("statement", &STATEMENT)],
};
static INLINE_POLICY: Schema = Schema {
    args: &["name", "policy"],
    blocks: &[],
};
static ROLE: Schema = Schema {
    args: &[
        "name",
        "name_prefix",
        "assume_role_policy",
        "description",
        "force_detach_policies",
        "managed_policy_arns",
        "max_session_duration",
        "path",
        "permissions_boundary",
        "tags",
    ],
    blocks: &[("inline_policy", &INLINE_POLICY)],
};

/// The schema of a trust-bearing resource, if `res` is one.
fn schema_of(res: &ResDecl<'_>) -> Option<(&'static Schema, &'static str)> {
    use crate::ingest::Mode;
    match (res.mode, res.rtype) {
        (Mode::Managed, "aws_iam_role") => Some((&ROLE, "an aws_iam_role")),
        (Mode::Data, "aws_iam_policy_document") => {
            Some((&POLICY_DOCUMENT, "an aws_iam_policy_document"))
        }
        _ => None,
    }
}

/// What Terraform would refuse in resource `res`, found at `address`.
pub fn check(ev: &Evaluator<'_>, res: &ResDecl<'_>, address: &str, out: &mut Vec<Refused>) {
    let Some((schema, what)) = schema_of(res) else {
        return;
    };
    // Terraform's JSON syntax has no argument/block distinction to check here.
    if ev
        .file(res.decl.file)
        .is_some_and(|f| f.syntax != Syntax::Native)
    {
        return;
    }
    let cx = Cx {
        ev,
        file: res.decl.file,
        anchor: res.decl.offset,
        address,
    };
    cx.body(&res.decl.block.body, schema, what, true, out);
}

struct Cx<'e, 'a> {
    ev: &'e Evaluator<'a>,
    file: FileId,
    anchor: usize,
    address: &'e str,
}

impl Cx<'_, '_> {
    fn body(&self, body: &Body, schema: &Schema, what: &str, top: bool, out: &mut Vec<Refused>) {
        for attr in body.attributes() {
            let key = attr.key.as_str();
            if schema.args.contains(&key) || top && META_ARGS.contains(&key) {
                continue;
            }
            let block_named = schema.blocks.iter().any(|(n, _)| *n == key);
            let message = if block_named {
                format!(
                    "Terraform refuses `{key}` as an argument in {what}: it is a block (`{key} {{ ... }}`)"
                )
            } else {
                refusal(key, what, &names(schema))
            };
            out.push(self.refused(attr.span(), message));
        }
        for block in body.blocks() {
            let ident = block.ident.as_str();
            if top && META_BLOCKS.contains(&ident) {
                continue;
            }
            if ident == "dynamic" {
                self.dynamic(block, schema, what, out);
                continue;
            }
            match schema.blocks.iter().find(|(n, _)| *n == ident) {
                Some((n, inner)) => {
                    self.body(&block.body, inner, &format!("a {n} block"), false, out)
                }
                None => {
                    let message = if schema.args.contains(&ident) {
                        format!(
                            "Terraform refuses a `{ident}` block in {what}: it is an argument (`{ident} = ...`)"
                        )
                    } else {
                        refusal(ident, what, &names(schema))
                    };
                    out.push(self.refused(block.ident.span(), message));
                }
            }
        }
    }

    /// `dynamic "statement" { for_each = ...  content { ... } }`.
    fn dynamic(&self, block: &Block, schema: &Schema, what: &str, out: &mut Vec<Refused>) {
        let Some(label) = block.labels.first().map(|l| l.as_str().to_string()) else {
            return;
        };
        match schema.blocks.iter().find(|(n, _)| *n == label) {
            Some((n, inner)) => {
                for content in block.body.get_blocks("content") {
                    self.body(&content.body, inner, &format!("a {n} block"), false, out);
                }
            }
            None => {
                let span = block.labels.first().and_then(|l| l.span());
                out.push(self.refused(span, refusal(&label, what, &names(schema))));
            }
        }
    }

    fn refused(&self, span: Option<std::ops::Range<usize>>, message: String) -> Refused {
        Refused {
            address: self.address.to_string(),
            location: self.ev.loc_in(self.file, span, self.anchor),
            message: format!("{}: {message}", self.address),
        }
    }
}

fn names(schema: &Schema) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = schema.args.to_vec();
    v.extend(schema.blocks.iter().map(|(n, _)| *n));
    v
}

/// "Terraform refuses `action` here; did you mean `actions`?"
fn refusal(name: &str, what: &str, accepted: &[&str]) -> String {
    match closest(name, accepted) {
        Some(m) => format!("Terraform refuses `{name}` in {what}; did you mean `{m}`?"),
        None => format!(
            "Terraform refuses `{name}` in {what}: it accepts {}",
            accepted
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The accepted name nearest to `name`, when it is near enough to be the
/// one meant (a plural dropped, a letter or two off, another case).
fn closest<'n>(name: &str, accepted: &[&'n str]) -> Option<&'n str> {
    let lower = name.to_ascii_lowercase();
    accepted
        .iter()
        .map(|a| (distance(&lower, a), *a))
        .filter(|(d, a)| *d <= 2.min(a.len() / 3).max(1))
        .min()
        .map(|(_, a)| a)
}

/// Levenshtein distance (names are short).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested_far_ones_are_not() {
        let statement = names(&STATEMENT);
        assert_eq!(closest("action", &statement), Some("actions"));
        assert_eq!(closest("principal", &statement), Some("principals"));
        assert_eq!(closest("Effect", &statement), Some("effect"));
        assert_eq!(closest("resource", &statement), Some("resources"));
        assert_eq!(closest("banana", &statement), None);
        assert_eq!(
            closest("identifier", &names(&PRINCIPALS)),
            Some("identifiers")
        );
        assert_eq!(closest("type", &names(&CONDITION)), None);
    }
}
