//! Terraform's JSON configuration syntax (`.tf.json`, `.tfvars.json`),
//! converted to the same `hcl::edit` body the native syntax gives, so that one
//! evaluator serves both. Strings holding `${…}` or `%{…}` are templates.
//!
//! JSON has no spans: each top-level block gets the byte offset where its name
//! is written, found by a plain text search, and its expressions report that
//! block's location.

use hcl::edit::Ident;
use hcl::edit::expr::{Array, Expression, Object, ObjectKey, ObjectValue};
use hcl::edit::structure::{Attribute, Block, BlockLabel, Body};
use hcl::edit::template::StringTemplate;
use serde_json::Value as Json;

use crate::error::Error;
use crate::model::location::LazyLines;

/// A converted file: its body, and for each top-level structure the byte
/// offset in the JSON text where it is written.
pub struct JsonBody {
    pub body: Body,
    pub offsets: Vec<usize>,
}

/// Nested block types that the JSON syntax writes as objects (or arrays of
/// objects) inside a block body. Everything else is an attribute.
const NESTED_BLOCKS: &[&str] = &[
    "statement",
    "principals",
    "not_principals",
    "condition",
    "dynamic",
    "content",
    "lifecycle",
    "default_tags",
    "inline_policy",
    "provisioner",
    "connection",
    "model_source",
];

/// Parses a `.tf.json` file.
pub fn parse_config(display: &str, text: &str) -> Result<JsonBody, Error> {
    let root: Json = parse_json(display, text)?;
    let Json::Object(top) = root else {
        return Err(Error::at(
            display,
            1,
            1,
            "a .tf.json file must hold a JSON object",
        ));
    };
    let mut body = Body::new();
    let mut offsets = Vec::new();
    let mut search_from = 0usize;
    for (block_type, content) in top {
        if block_type.starts_with("//") {
            continue;
        }
        let labels_wanted = match block_type.as_str() {
            "resource" | "data" => 2,
            "module" | "variable" | "output" | "provider" => 1,
            "locals" => 0,
            _ => continue, // terraform, moved, import, check: not needed
        };
        let type_offset = find_key(text, &block_type, search_from).unwrap_or(search_from);
        search_from = type_offset;
        let mut blocks = Vec::new();
        collect_blocks(&content, labels_wanted, &mut Vec::new(), &mut blocks);
        for (labels, content) in blocks {
            let name = labels.last().cloned().unwrap_or_default();
            let offset = if name.is_empty() {
                type_offset
            } else {
                find_key(text, &name, type_offset).unwrap_or(type_offset)
            };
            let mut block = Block::new(Ident::new_unchecked(block_type.clone()));
            block.labels = labels.into_iter().map(BlockLabel::from).collect();
            block.body = if block_type == "variable" {
                variable_body(content)
            } else {
                block_body(content)
            };
            body.push(block);
            offsets.push(offset);
        }
    }
    Ok(JsonBody { body, offsets })
}

/// Parses JSON, turning a syntax error into an error at its line and column.
pub fn parse_json(display: &str, text: &str) -> Result<Json, Error> {
    serde_json::from_str(text).map_err(|e| {
        Error::at(
            display,
            e.line() as u32,
            e.column() as u32,
            format!("not valid JSON: {e}"),
        )
    })
}

/// Walks `{label: {label: body}}` nesting down to the block bodies. A body
/// may be an array of bodies (several blocks with the same labels).
fn collect_blocks<'j>(
    content: &'j Json,
    labels_wanted: usize,
    labels: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, &'j Json)>,
) {
    if labels.len() == labels_wanted {
        match content {
            Json::Array(items) => {
                for item in items {
                    out.push((labels.clone(), item));
                }
            }
            other => out.push((labels.clone(), other)),
        }
        return;
    }
    match content {
        Json::Object(map) => {
            for (k, v) in map {
                if k.starts_with("//") {
                    continue;
                }
                labels.push(k.clone());
                collect_blocks(v, labels_wanted, labels, out);
                labels.pop();
            }
        }
        Json::Array(items) => {
            for item in items {
                collect_blocks(item, labels_wanted, labels, out);
            }
        }
        _ => {}
    }
}

/// A block body: nested block types become blocks, the rest attributes.
fn block_body(content: &Json) -> Body {
    let mut body = Body::new();
    let Json::Object(map) = content else {
        return body;
    };
    for (key, value) in map {
        if key.starts_with("//") {
            continue;
        }
        if key == "dynamic" {
            // {"dynamic": {"statement": {"for_each": ..., "content": {...}}}}
            if let Json::Object(kinds) = value {
                for (label, spec) in kinds {
                    for item in as_items(spec) {
                        let mut block = Block::new(Ident::new_unchecked("dynamic"));
                        block.labels = vec![BlockLabel::from(label.clone())];
                        block.body = block_body(item);
                        body.push(block);
                    }
                }
            }
            continue;
        }
        if NESTED_BLOCKS.contains(&key.as_str())
            && matches!(value, Json::Object(_) | Json::Array(_))
        {
            let items = as_items(value);
            if items.iter().all(|i| i.is_object()) {
                for item in items {
                    let mut block = Block::new(Ident::new_unchecked(key.clone()));
                    block.body = block_body(item);
                    body.push(block);
                }
                continue;
            }
        }
        body.push(Attribute::new(
            Ident::new_unchecked(key.clone()),
            expression(value),
        ));
    }
    body
}

/// A `variable` body: `default` is a literal value, `type` a type expression.
fn variable_body(content: &Json) -> Body {
    let mut body = Body::new();
    let Json::Object(map) = content else {
        return body;
    };
    for (key, value) in map {
        let expr = match (key.as_str(), value) {
            ("default", v) => literal(v),
            ("type", Json::String(s)) => {
                hcl::edit::parser::parse_expr(s.trim()).unwrap_or_else(|_| Expression::from("any"))
            }
            (_, v) => literal(v),
        };
        body.push(Attribute::new(Ident::new_unchecked(key.clone()), expr));
    }
    body
}

fn as_items(v: &Json) -> Vec<&Json> {
    match v {
        Json::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// A JSON value as an expression: strings are templates.
pub fn expression(v: &Json) -> Expression {
    match v {
        Json::String(s) => template_or_string(s),
        Json::Array(items) => Expression::Array(Array::from(
            items.iter().map(expression).collect::<Vec<_>>(),
        )),
        Json::Object(map) => {
            let mut obj = Object::new();
            for (k, v) in map {
                obj.insert(
                    ObjectKey::Expression(template_or_string(k)),
                    ObjectValue::new(expression(v)),
                );
            }
            Expression::Object(obj)
        }
        other => literal(other),
    }
}

/// A JSON value as a literal expression (no templates).
pub fn literal(v: &Json) -> Expression {
    match v {
        Json::Null => Expression::null(),
        Json::Bool(b) => Expression::from(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Expression::from(i)
            } else if let Some(u) = n.as_u64() {
                Expression::from(u)
            } else {
                Expression::from(n.as_f64().unwrap_or(0.0))
            }
        }
        Json::String(s) => Expression::from(s.as_str()),
        Json::Array(items) => {
            Expression::Array(Array::from(items.iter().map(literal).collect::<Vec<_>>()))
        }
        Json::Object(map) => {
            let mut obj = Object::new();
            for (k, v) in map {
                obj.insert(
                    ObjectKey::Expression(Expression::from(k.as_str())),
                    ObjectValue::new(literal(v)),
                );
            }
            Expression::Object(obj)
        }
    }
}

fn template_or_string(s: &str) -> Expression {
    if !(s.contains("${") || s.contains("%{")) {
        return Expression::from(s);
    }
    match hcl::edit::parser::parse_template(s) {
        Ok(t) => Expression::StringTemplate(StringTemplate::from(t)),
        Err(_) => Expression::from(s),
    }
}

/// Byte offset of the first `"key"` followed by `:` at or after `from`.
fn find_key(text: &str, key: &str, from: usize) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let mut start = from.min(text.len());
    while let Some(pos) = text.get(start..).and_then(|t| t.find(&needle)) {
        let at = start + pos;
        let after = text.get(at + needle.len()..).unwrap_or("");
        if after.trim_start().starts_with(':') {
            return Some(at);
        }
        start = at + needle.len();
    }
    None
}

/// Line and column of a byte offset in `text` (for JSON tfvars errors).
pub fn position(text: &str, offset: usize) -> (u32, u32) {
    LazyLines::new(text.as_bytes()).position(offset)
}
