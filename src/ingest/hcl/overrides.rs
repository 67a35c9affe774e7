//! Override files (`override.tf`, `*_override.tf` and their `.tf.json`
//! forms), merged into a module's other files as Terraform merges them:
//! after those, in name order; an argument replaces the original's, nested
//! blocks of one type replace all of that type (`lifecycle` merges by
//! argument), a local replaces the local of its name. An override with
//! nothing to override is an error, as in Terraform.
//!
//! A merged argument keeps no position in the file it is merged into; the
//! module records where the override writes it, and findings point there.

use std::ops::Range;

use hcl::edit::Span;
use hcl::edit::structure::{Attribute, Block, Body, Structure};

use super::module::literal_attr;

/// Whether a file name is an override file.
pub fn is_override_name(name: &str) -> bool {
    let stem = name
        .strip_suffix(".tf.json")
        .or_else(|| name.strip_suffix(".tf"))
        .unwrap_or(name);
    stem == "override" || stem.ends_with("_override")
}

/// Why an override could not be applied, and where in the override file.
pub struct OverrideError {
    pub span: Option<Range<usize>>,
    /// Index of the top-level structure (for files without spans).
    pub index: usize,
    pub message: String,
}

/// An argument an override merged into a block of the module's other files.
pub struct Merged {
    /// Which of the module's bodies holds the block.
    pub body: usize,
    /// The block's byte offset in its file (native syntax only).
    pub block_start: Option<usize>,
    pub key: String,
    /// Where the override file writes the argument.
    pub span: Option<Range<usize>>,
}

/// The same attribute without source positions: it has none in the file it
/// is merged into.
fn despanned_attr(a: &Attribute) -> Attribute {
    let plain: hcl::Attribute = a.clone().into();
    plain.into()
}

fn despanned_block(b: &Block) -> Block {
    let plain: hcl::Block = b.clone().into();
    plain.into()
}

fn labels(b: &Block) -> Vec<String> {
    b.labels.iter().map(|l| l.as_str().to_string()).collect()
}

/// Does original block `b` stand where override block `o` applies?
fn same_block(b: &Block, o: &Block) -> bool {
    if b.ident.as_str() != o.ident.as_str() {
        return false;
    }
    match o.ident.as_str() {
        "resource" | "data" => labels(b).get(..2) == labels(o).get(..2),
        "module" | "variable" | "output" => labels(b).first() == labels(o).first(),
        "provider" => {
            labels(b).first() == labels(o).first()
                && literal_attr(&b.body, "alias") == literal_attr(&o.body, "alias")
        }
        _ => false,
    }
}

/// The block type a nested block stands for (`dynamic "statement"` is a
/// `statement`).
fn block_type(b: &Block) -> String {
    if b.ident.as_str() == "dynamic" {
        b.labels
            .first()
            .map(|l| l.as_str().to_string())
            .unwrap_or_default()
    } else {
        b.ident.as_str().to_string()
    }
}

/// Merges the body of override block `over` into `into`.
fn merge_body(into: &mut Body, over: &Body) {
    for a in over.attributes() {
        into.remove_attribute(a.key.as_str());
        into.push(despanned_attr(a));
    }
    let mut replaced: Vec<String> = Vec::new();
    for b in over.blocks() {
        let ty = block_type(b);
        if ty == "lifecycle" {
            if into.has_blocks("lifecycle") {
                if let Some(existing) = into.get_blocks_mut("lifecycle").next() {
                    merge_body(&mut existing.body, &b.body);
                }
            } else {
                into.push(despanned_block(b));
            }
            continue;
        }
        if !replaced.contains(&ty) {
            let kept: Vec<Structure> = std::mem::take(into)
                .into_iter()
                .filter(|s| !matches!(s, Structure::Block(x) if block_type(x) == ty))
                .collect();
            *into = kept.into_iter().collect();
            replaced.push(ty);
        }
        into.push(despanned_block(b));
    }
}

/// Applies override file body `over` to the module's other bodies.
pub fn apply(bodies: &mut [Body], over: &Body) -> Result<Vec<Merged>, OverrideError> {
    let mut merged = Vec::new();
    for (index, s) in over.iter().enumerate() {
        let Structure::Block(o) = s else {
            continue;
        };
        let fail = |message: String| OverrideError {
            span: o.span(),
            index,
            message,
        };
        match o.ident.as_str() {
            "locals" => {
                for a in o.body.attributes() {
                    let key = a.key.as_str();
                    let target = bodies.iter_mut().find_map(|body| {
                        body.blocks_mut()
                            .find(|b| b.ident.as_str() == "locals" && b.body.has_attribute(key))
                    });
                    match target {
                        Some(block) => {
                            block.body.remove_attribute(key);
                            block.body.push(despanned_attr(a));
                        }
                        None => {
                            return Err(OverrideError {
                                span: a.span(),
                                index,
                                message: format!(
                                    "local.{key} overrides nothing: there is no local value of that name to override"
                                ),
                            });
                        }
                    }
                }
            }
            "resource" | "data" | "module" | "variable" | "output" | "provider" => {
                let target = bodies.iter_mut().enumerate().find_map(|(i, body)| {
                    body.blocks_mut().find(|b| same_block(b, o)).map(|b| (i, b))
                });
                match target {
                    Some((i, block)) => {
                        let block_start = block.span().map(|r| r.start);
                        merge_body(&mut block.body, &o.body);
                        merged.extend(o.body.attributes().map(|a| Merged {
                            body: i,
                            block_start,
                            key: a.key.as_str().to_string(),
                            span: a.span(),
                        }));
                    }
                    None => {
                        let what = std::iter::once(o.ident.as_str().to_string())
                            .chain(labels(o).into_iter().map(|l| format!("\"{l}\"")))
                            .collect::<Vec<_>>()
                            .join(" ");
                        return Err(fail(format!(
                            "{what} overrides nothing: no block of that name is declared in the module's other files"
                        )));
                    }
                }
            }
            // `terraform` settings and the rest carry no trust.
            _ => {}
        }
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::is_override_name;

    #[test]
    fn override_files_are_named_as_terraform_names_them() {
        for name in [
            "override.tf",
            "iam_override.tf",
            "override.tf.json",
            "x_override.tf.json",
        ] {
            assert!(is_override_name(name), "{name}");
        }
        for name in [
            "overrides.tf",
            "main.tf",
            "override_iam.tf",
            "myoverride.tf",
        ] {
            assert!(!is_override_name(name), "{name}");
        }
    }
}
