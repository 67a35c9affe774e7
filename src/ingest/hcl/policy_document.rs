//! `data "aws_iam_policy_document"`, rendered as the AWS provider renders it.
//!
//! The provider's rules, which the byte-for-byte tests pin:
//! * document fields in the order `Version`, `Id`, `Statement`; statement
//!   fields `Sid`, `Effect`, `Action`, `NotAction`, `Resource`, `NotResource`,
//!   `Principal`, `NotPrincipal`, `Condition`; empty ones omitted;
//! * `actions`, `resources` (and their `not_`) and principal `identifiers`
//!   are sets: one element renders as a string, several as a list sorted in
//!   *descending* order; condition `values` keep their order (one → string);
//! * principals and conditions render as maps with sorted keys; principal
//!   blocks of the same type are appended; `type = "*"` with identifiers `["*"]`
//!   as the only principal renders `"*"`;
//! * `&{` becomes `${` in resources, identifiers and condition values;
//! * `source_policy_documents` are merged first (sids must be unique), then
//!   the document's statements (a statement with the sid of an earlier one
//!   replaces it), then `override_policy_documents` in order;
//! * `json` is indented by two spaces, `minified_json` compact, both with
//!   Go's escaping of `<`, `>`, `&`, U+2028 and U+2029.

use crate::ingest::hcl::functions::write_json_string;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::Value as Json;

use crate::model::location::Location;
use crate::model::value::Value;

use super::eval::{Evaluator, InstId, InstKey, Scope};

/// A string or a list of strings, as the provider renders set values.
#[derive(Debug, Clone, PartialEq)]
pub enum Strs {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub ptype: String,
    pub ids: Strs,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub test: String,
    pub variable: String,
    pub values: Strs,
}

/// One statement, in the provider's field order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Statement {
    pub sid: String,
    pub effect: String,
    pub action: Option<Json>,
    pub not_action: Option<Json>,
    pub resource: Option<Json>,
    pub not_resource: Option<Json>,
    pub principals: Vec<Principal>,
    pub not_principals: Vec<Principal>,
    pub conditions: Vec<Condition>,
    /// Where the statement is written, when known.
    pub location: Option<Location>,
}

/// A policy document being merged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    pub version: String,
    pub id: String,
    pub statements: Vec<Statement>,
}

impl Doc {
    /// The provider's merge: a new statement with the sid of an existing one
    /// replaces it; others are appended.
    pub fn merge(&mut self, new: Doc) {
        if !new.id.is_empty() {
            self.id = new.id;
        }
        if new.version > self.version {
            self.version = new.version;
        }
        for st in new.statements {
            if st.sid.is_empty() {
                self.statements.push(st);
                continue;
            }
            match self.statements.iter_mut().find(|s| s.sid == st.sid) {
                Some(existing) => *existing = st,
                None => self.statements.push(st),
            }
        }
    }

    /// `json` (pretty) and `minified_json`.
    pub fn render(&self) -> (String, String) {
        let tree = self.tree();
        let mut pretty = String::new();
        write_json(&tree, &mut pretty, Some(0));
        let mut min = String::new();
        write_json(&tree, &mut min, None);
        (pretty, min)
    }

    fn tree(&self) -> J {
        let mut doc = Vec::new();
        if !self.version.is_empty() {
            doc.push(("Version".to_string(), J::Str(self.version.clone())));
        }
        if !self.id.is_empty() {
            doc.push(("Id".to_string(), J::Str(self.id.clone())));
        }
        if !self.statements.is_empty() {
            doc.push((
                "Statement".to_string(),
                J::Arr(self.statements.iter().map(Statement::tree).collect()),
            ));
        }
        J::Obj(doc)
    }
}

impl Statement {
    fn tree(&self) -> J {
        let mut o = Vec::new();
        if !self.sid.is_empty() {
            o.push(("Sid".to_string(), J::Str(self.sid.clone())));
        }
        if !self.effect.is_empty() {
            o.push(("Effect".to_string(), J::Str(self.effect.clone())));
        }
        for (k, v) in [
            ("Action", &self.action),
            ("NotAction", &self.not_action),
            ("Resource", &self.resource),
            ("NotResource", &self.not_resource),
        ] {
            if let Some(v) = v
                && !v.is_null()
            {
                o.push((k.to_string(), J::from_json(v)));
            }
        }
        if !self.principals.is_empty() {
            o.push(("Principal".to_string(), principals_tree(&self.principals)));
        }
        if !self.not_principals.is_empty() {
            o.push((
                "NotPrincipal".to_string(),
                principals_tree(&self.not_principals),
            ));
        }
        if !self.conditions.is_empty() {
            o.push(("Condition".to_string(), conditions_tree(&self.conditions)));
        }
        J::Obj(o)
    }
}

fn principals_tree(ps: &[Principal]) -> J {
    if let [p] = ps
        && p.ptype == "*"
    {
        let star = match &p.ids {
            Strs::One(s) => s == "*",
            Strs::Many(v) => v.len() == 1 && v.first().map(String::as_str) == Some("*"),
        };
        if star {
            return J::Str("*".into());
        }
    }
    let mut raw: BTreeMap<String, Strs> = BTreeMap::new();
    for p in ps {
        let entry = raw.remove(&p.ptype);
        let merged = match (entry, &p.ids) {
            (None, Strs::Many(ids)) => {
                let mut ids = ids.clone();
                ids.sort();
                ids.reverse();
                Strs::Many(ids)
            }
            (None, Strs::One(s)) => Strs::One(s.clone()),
            (Some(Strs::One(prev)), Strs::Many(ids)) => {
                let mut ids = ids.clone();
                ids.sort();
                ids.reverse();
                let mut v = vec![prev];
                v.extend(ids);
                Strs::Many(v)
            }
            (Some(Strs::Many(mut prev)), Strs::Many(ids)) => {
                let mut ids = ids.clone();
                ids.sort();
                ids.reverse();
                prev.extend(ids);
                Strs::Many(prev)
            }
            (Some(Strs::One(prev)), Strs::One(s)) => Strs::Many(vec![prev, s.clone()]),
            (Some(Strs::Many(mut prev)), Strs::One(s)) => {
                prev.push(s.clone());
                Strs::Many(prev)
            }
        };
        raw.insert(p.ptype.clone(), merged);
    }
    J::Obj(raw.into_iter().map(|(k, v)| (k, strs_tree(&v))).collect())
}

fn conditions_tree(cs: &[Condition]) -> J {
    let mut raw: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for c in cs {
        let vals = raw
            .entry(c.test.clone())
            .or_default()
            .entry(c.variable.clone())
            .or_default();
        match &c.values {
            Strs::One(s) => vals.push(s.clone()),
            Strs::Many(v) => vals.extend(v.iter().cloned()),
        }
    }
    J::Obj(
        raw.into_iter()
            .map(|(test, vars)| {
                let inner = vars
                    .into_iter()
                    .map(|(var, vals)| {
                        let v = if vals.len() == 1 {
                            J::Str(vals.into_iter().next().unwrap_or_default())
                        } else {
                            J::Arr(vals.into_iter().map(J::Str).collect())
                        };
                        (var, v)
                    })
                    .collect();
                (test, J::Obj(inner))
            })
            .collect(),
    )
}

fn strs_tree(s: &Strs) -> J {
    match s {
        Strs::One(s) => J::Str(s.clone()),
        Strs::Many(v) => J::Arr(v.iter().cloned().map(J::Str).collect()),
    }
}

/// A set of strings as the provider renders it: one → string, several →
/// sorted descending.
pub fn set_strings(mut v: Vec<String>) -> Option<Strs> {
    v.sort();
    v.dedup();
    match v.len() {
        0 => None,
        1 => v.pop().map(Strs::One),
        _ => {
            v.reverse();
            Some(Strs::Many(v))
        }
    }
}

fn strs_json(s: Strs) -> Json {
    match s {
        Strs::One(s) => Json::String(s),
        Strs::Many(v) => Json::Array(v.into_iter().map(Json::String).collect()),
    }
}

// ----- parsing source and override documents -------------------------------

/// Reads a policy JSON string as the provider does when merging
/// (`source_policy_documents`, `override_policy_documents`).
pub fn parse_doc(text: &str) -> Result<Doc, String> {
    let v: Json = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let Json::Object(top) = v else {
        return Err("a policy document must be a JSON object".into());
    };
    let mut doc = Doc::default();
    // Go's decoder matches field names case-insensitively.
    for (k, v) in &top {
        match k.to_ascii_lowercase().as_str() {
            "version" => doc.version = v.as_str().unwrap_or_default().to_string(),
            "id" => doc.id = v.as_str().unwrap_or_default().to_string(),
            "statement" => match v {
                Json::Array(items) => {
                    for item in items {
                        doc.statements.push(parse_statement(item)?);
                    }
                }
                Json::Null => {}
                _ => return Err("Statement must be a list".into()),
            },
            _ => {}
        }
    }
    Ok(doc)
}

fn parse_statement(v: &Json) -> Result<Statement, String> {
    let Json::Object(m) = v else {
        return Err("a statement must be an object".into());
    };
    let mut st = Statement::default();
    for (k, v) in m {
        match k.to_ascii_lowercase().as_str() {
            "sid" => st.sid = v.as_str().unwrap_or_default().to_string(),
            "effect" => st.effect = v.as_str().unwrap_or_default().to_string(),
            "action" => st.action = Some(v.clone()),
            "notaction" => st.not_action = Some(v.clone()),
            "resource" => st.resource = Some(v.clone()),
            "notresource" => st.not_resource = Some(v.clone()),
            "principal" => st.principals = parse_principals(v)?,
            "notprincipal" => st.not_principals = parse_principals(v)?,
            "condition" => st.conditions = parse_conditions(v)?,
            _ => {}
        }
    }
    Ok(st)
}

fn parse_principals(v: &Json) -> Result<Vec<Principal>, String> {
    match v {
        Json::Null => Ok(Vec::new()),
        Json::String(_) => Ok(vec![Principal {
            ptype: "*".into(),
            ids: Strs::Many(vec!["*".into()]),
        }]),
        Json::Object(m) => {
            let mut out = Vec::new();
            for (k, v) in m {
                let ids = match v {
                    Json::String(s) => Strs::One(s.clone()),
                    Json::Array(items) => {
                        let mut ids = Vec::new();
                        for i in items {
                            match i {
                                Json::String(s) => ids.push(s.clone()),
                                _ => {
                                    return Err(format!(
                                        "principal {k}: identifiers must be strings"
                                    ));
                                }
                            }
                        }
                        ids.sort();
                        Strs::Many(ids)
                    }
                    _ => return Err(format!("principal {k}: unsupported value")),
                };
                out.push(Principal {
                    ptype: k.clone(),
                    ids,
                });
            }
            Ok(out)
        }
        _ => Err("Principal must be a string or an object".into()),
    }
}

fn parse_conditions(v: &Json) -> Result<Vec<Condition>, String> {
    let Json::Object(tests) = v else {
        return if v.is_null() {
            Ok(Vec::new())
        } else {
            Err("Condition must be an object".into())
        };
    };
    let mut out = Vec::new();
    for (test, vars) in tests {
        let Json::Object(vars) = vars else {
            return Err(format!("condition {test} must be an object"));
        };
        for (var, vals) in vars {
            let values = match vals {
                Json::String(s) => Strs::Many(vec![s.clone()]),
                Json::Bool(b) => Strs::One(b.to_string()),
                Json::Array(items) => Strs::Many(
                    items
                        .iter()
                        .map(|i| match i {
                            Json::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect(),
                ),
                // The provider drops other value types.
                _ => continue,
            };
            out.push(Condition {
                test: test.clone(),
                variable: var.clone(),
                values,
            });
        }
    }
    Ok(out)
}

// ----- Go-style JSON writer -------------------------------------------------

/// JSON with its key order fixed, as Go's encoder writes structs.
#[derive(Debug, Clone)]
enum J {
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
    Scalar(String),
}

impl J {
    fn from_json(v: &Json) -> J {
        match v {
            Json::String(s) => J::Str(s.clone()),
            Json::Array(a) => J::Arr(a.iter().map(J::from_json).collect()),
            Json::Object(o) => J::Obj(
                o.iter()
                    .map(|(k, v)| (k.clone(), J::from_json(v)))
                    .collect(),
            ),
            other => J::Scalar(other.to_string()),
        }
    }
}

fn write_json(j: &J, out: &mut String, indent: Option<usize>) {
    match j {
        J::Str(s) => write_json_string(out, s),
        J::Scalar(s) => out.push_str(s),
        J::Arr(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent.map(|n| n + 1));
                write_json(item, out, indent.map(|n| n + 1));
            }
            newline(out, indent);
            out.push(']');
        }
        J::Obj(items) => {
            if items.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, v)) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent.map(|n| n + 1));
                write_json_string(out, k);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(v, out, indent.map(|n| n + 1));
            }
            newline(out, indent);
            out.push('}');
        }
    }
}

fn newline(out: &mut String, indent: Option<usize>) {
    if let Some(n) = indent {
        out.push('\n');
        for _ in 0..n {
            out.push_str("  ");
        }
    }
}

// ----- evaluation -----------------------------------------------------------

/// Statement count above which a document is not traced statement by statement.
const VERSION_DEFAULT: &str = "2012-10-17";

impl Evaluator<'_> {
    /// The value `data.aws_iam_policy_document.NAME` has in expressions: an
    /// object (`json`, `minified_json`, `id`), or a list / map of them.
    pub fn policy_doc_value(&self, inst: InstId, ri: usize) -> Value {
        let exp = self.resource_expansion(inst, ri);
        if !exp.keyed {
            return match exp.items.first() {
                Some((key, _)) => self.policy_doc_instance(inst, ri, key),
                None => Value::Null,
            };
        }
        if exp.items.iter().any(|(k, _)| *k == InstKey::Unknown) {
            return Value::unknown(format!(
                "data.aws_iam_policy_document.{}",
                self.index_of(inst)
                    .and_then(|ix| ix.resources.get(ri))
                    .map(|r| r.name)
                    .unwrap_or("")
            ));
        }
        if exp.items.iter().all(|(k, _)| matches!(k, InstKey::Int(_))) {
            Value::List(
                exp.items
                    .iter()
                    .map(|(k, _)| self.policy_doc_instance(inst, ri, k))
                    .collect(),
            )
        } else {
            Value::Object(
                exp.items
                    .iter()
                    .map(|(k, _)| {
                        let key = match k {
                            InstKey::Str(s) => s.clone(),
                            InstKey::Int(i) => i.to_string(),
                            _ => String::new(),
                        };
                        (key, self.policy_doc_instance(inst, ri, k))
                    })
                    .collect(),
            )
        }
    }

    /// One instance's attributes: `{json, minified_json, id}`.
    pub fn policy_doc_instance(&self, inst: InstId, ri: usize, key: &InstKey) -> Value {
        let cache_key = (inst, ri, key.suffix());
        if let Some(v) = self.docs.borrow().get(&cache_key) {
            return v.clone();
        }
        let v = self.render_policy_doc(inst, ri, key);
        self.docs.borrow_mut().insert(cache_key, v.clone());
        v
    }

    fn render_policy_doc(&self, inst: InstId, ri: usize, key: &InstKey) -> Value {
        let Some(res) = self
            .index_of(inst)
            .and_then(|ix| ix.resources.get(ri))
            .copied()
        else {
            return Value::Null;
        };
        let exp = self.resource_expansion(inst, ri);
        let Some((_, binds)) = exp.items.iter().find(|(k, _)| k == key) else {
            return Value::Null;
        };
        let scope = self.resource_scope(inst, &res, binds.clone(), key.clone());
        let addr = scope.addr.clone().unwrap_or_else(|| Rc::from(""));
        let whole_unknown = |why: String| {
            let reason = format!("{addr}.json");
            self.note(
                self.loc_in(res.decl.file, None, res.decl.offset),
                Some(&addr),
                format!("policy document {addr} is not known statically: {why}"),
            );
            let u = Value::unknown(reason);
            Value::Object(BTreeMap::from([
                ("json".to_string(), u.clone()),
                ("minified_json".to_string(), u),
                ("id".to_string(), Value::unknown(format!("{addr}.id"))),
            ]))
        };
        let body = &res.decl.block.body;
        let attr_value = |name: &str| {
            body.get_attribute(name).map(|a| {
                self.eval(&a.value, &scope)
                    .unwrap_or_else(|e| Value::unknown(e.text))
            })
        };
        let version = match attr_value("version") {
            None | Some(Value::Null) => VERSION_DEFAULT.to_string(),
            Some(Value::String(s)) => s,
            Some(Value::Unknown(u)) => return whole_unknown(format!("version = {}", u.reason)),
            Some(_) => VERSION_DEFAULT.to_string(),
        };
        let mut merged = Doc::default();
        let sources = match self.document_list("source", attr_value("source_policy_documents")) {
            Ok(docs) => docs,
            Err(why) => return whole_unknown(why),
        };
        let mut sids = std::collections::HashSet::new();
        for (di, doc) in sources {
            for (si, st) in doc.statements.iter().enumerate() {
                if !st.sid.is_empty() && !sids.insert(st.sid.clone()) {
                    return whole_unknown(format!(
                        "duplicate Sid ({}) in source_policy_documents (item {di}; statement {si})",
                        st.sid
                    ));
                }
            }
            merged.merge(doc);
        }
        let mut doc = Doc {
            version: version.clone(),
            id: String::new(),
            statements: Vec::new(),
        };
        match attr_value("policy_id") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => doc.id = s,
            Some(Value::Unknown(u)) => doc.id = format!("${{{}}}", u.reason),
            Some(_) => {}
        }
        let blocks = match self.blocks_named(body, "statement", &scope) {
            Ok(b) => b,
            Err(reason) => {
                return whole_unknown(format!("the statements' for_each ({reason}) is unknown"));
            }
        };
        let mut sids = std::collections::HashSet::new();
        for (block, st_scope) in blocks {
            let st = match self.statement(block, &st_scope, &version) {
                Ok(st) => st,
                Err(why) => return whole_unknown(why),
            };
            if !st.sid.is_empty() && !sids.insert(st.sid.clone()) {
                return whole_unknown(format!("duplicate Sid ({})", st.sid));
            }
            doc.statements.push(st);
        }
        merged.merge(doc);
        match self.document_list("override", attr_value("override_policy_documents")) {
            Ok(docs) => docs.into_iter().for_each(|(_, d)| merged.merge(d)),
            Err(why) => return whole_unknown(why),
        }
        let (json, min) = merged.render();
        let fallback = self.loc_in(res.decl.file, None, res.decl.offset);
        let locs: Vec<Location> = merged
            .statements
            .iter()
            .map(|s| s.location.clone().unwrap_or_else(|| fallback.clone()))
            .collect();
        let locs = Rc::new(locs);
        {
            let mut map = self.policy_locs.borrow_mut();
            map.entry(json.clone()).or_insert_with(|| locs.clone());
            map.entry(min.clone()).or_insert_with(|| locs.clone());
        }
        Value::Object(BTreeMap::from([
            ("json".to_string(), Value::String(json)),
            ("minified_json".to_string(), Value::String(min)),
            ("id".to_string(), Value::unknown(format!("{addr}.id"))),
        ]))
    }

    /// Gives a parsed document's statements the locations recorded for the
    /// string it was parsed from.
    /// The documents of `source_policy_documents` / `override_policy_documents`
    /// (`kind` is `source` or `override`) with their positions in the list,
    /// parsed and with their statements traced to where they are written;
    /// `Err` says why the whole document
    /// cannot be known.
    fn document_list(&self, kind: &str, value: Option<Value>) -> Result<Vec<(usize, Doc)>, String> {
        let attr = format!("{kind}_policy_documents");
        let docs = match value {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::List(docs)) => docs,
            Some(Value::Unknown(u)) => return Err(format!("{attr} = {}", u.reason)),
            Some(_) => return Err(format!("{attr} must be a list")),
        };
        let mut out = Vec::new();
        for (di, d) in docs.into_iter().enumerate() {
            let text = match d {
                Value::Null => continue,
                Value::String(s) => s,
                Value::Unknown(u) => return Err(format!("{attr} holds {}", u.reason)),
                _ => return Err(format!("{attr} must hold strings")),
            };
            let mut doc = parse_doc(&text).map_err(|e| format!("{kind} document {di}: {e}"))?;
            self.trace_statements(&text, &mut doc);
            out.push((di, doc));
        }
        Ok(out)
    }

    fn trace_statements(&self, text: &str, doc: &mut Doc) {
        if let Some(locs) = self.policy_locs.borrow().get(text)
            && locs.len() == doc.statements.len()
        {
            for (st, loc) in doc.statements.iter_mut().zip(locs.iter()) {
                st.location = Some(loc.clone());
            }
        }
    }

    /// One `statement` block. `Err` when something that shapes the statement
    /// (a nested dynamic block's for_each) is unknown.
    fn statement(
        &self,
        block: &hcl::edit::structure::Block,
        scope: &Scope,
        version: &str,
    ) -> Result<Statement, String> {
        let body = &block.body;
        let attr = |name: &str| {
            body.get_attribute(name).map(|a| {
                self.eval(&a.value, scope)
                    .unwrap_or_else(|e| Value::unknown(e.text))
            })
        };
        let replace = version == VERSION_DEFAULT;
        let mut st = Statement {
            location: Some(self.loc(scope, hcl::edit::Span::span(block))),
            ..Statement::default()
        };
        st.sid = match attr("sid") {
            Some(Value::String(s)) => s,
            Some(Value::Unknown(u)) => format!("${{{}}}", u.reason),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        st.effect = match attr("effect") {
            Some(Value::String(s)) => s,
            Some(Value::Unknown(u)) => format!("${{{}}}", u.reason),
            _ => "Allow".to_string(),
        };
        st.action = attr("actions").and_then(|v| set_strings(strings_of(&v, false)).map(strs_json));
        st.not_action =
            attr("not_actions").and_then(|v| set_strings(strings_of(&v, false)).map(strs_json));
        st.resource =
            attr("resources").and_then(|v| set_strings(strings_of(&v, replace)).map(strs_json));
        st.not_resource =
            attr("not_resources").and_then(|v| set_strings(strings_of(&v, replace)).map(strs_json));
        st.principals = self.principals(body, "principals", scope, replace)?;
        st.not_principals = self.principals(body, "not_principals", scope, replace)?;
        let conds = self
            .blocks_named(body, "condition", scope)
            .map_err(|r| format!("the conditions' for_each ({r}) is unknown"))?;
        for (cb, cs) in conds {
            let get = |name: &str| {
                cb.body.get_attribute(name).map(|a| {
                    self.eval(&a.value, &cs)
                        .unwrap_or_else(|e| Value::unknown(e.text))
                })
            };
            let test = get("test").map(|v| scalar_string(&v)).unwrap_or_default();
            let variable = get("variable")
                .map(|v| scalar_string(&v))
                .unwrap_or_default();
            let mut values = get("values")
                .map(|v| strings_of(&v, replace))
                .unwrap_or_default();
            let values = if values.len() == 1 {
                Strs::One(values.pop().unwrap_or_default())
            } else {
                Strs::Many(values)
            };
            st.conditions.push(Condition {
                test,
                variable,
                values,
            });
        }
        Ok(st)
    }

    fn principals(
        &self,
        body: &hcl::edit::structure::Body,
        name: &str,
        scope: &Scope,
        replace: bool,
    ) -> Result<Vec<Principal>, String> {
        let blocks = self
            .blocks_named(body, name, scope)
            .map_err(|r| format!("the {name}' for_each ({r}) is unknown"))?;
        let mut out = Vec::new();
        for (pb, ps) in blocks {
            let get = |n: &str| {
                pb.body.get_attribute(n).map(|a| {
                    self.eval(&a.value, &ps)
                        .unwrap_or_else(|e| Value::unknown(e.text))
                })
            };
            let ptype = get("type").map(|v| scalar_string(&v)).unwrap_or_default();
            let ids = get("identifiers")
                .map(|v| strings_of(&v, replace))
                .unwrap_or_default();
            let ids = match set_strings(ids) {
                Some(s) => s,
                None => Strs::Many(Vec::new()),
            };
            out.push(Principal { ptype, ids });
        }
        Ok(out)
    }
}

/// The strings of a set or list attribute; unknowns written `${EXPR}`.
fn strings_of(v: &Value, replace_vars: bool) -> Vec<String> {
    let items: Vec<String> = match v {
        Value::List(items) => items
            .iter()
            .filter(|i| !matches!(i, Value::Null))
            .map(scalar_string)
            .collect(),
        Value::Null => Vec::new(),
        other => vec![scalar_string(other)],
    };
    if replace_vars {
        items.into_iter().map(|s| s.replace("&{", "${")).collect()
    } else {
        items
    }
}

fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Unknown(u) => format!("${{{}}}", u.reason),
        Value::Null => String::new(),
        other => other.to_json().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_escaping_matches_encoding_json() {
        let mut s = String::new();
        write_json_string(&mut s, "a<b>&\"\\\n\u{1}\u{2028}");
        assert_eq!(s, r#""a\u003cb\u003e\u0026\"\\\n\u0001\u2028""#);
    }

    #[test]
    fn merge_replaces_by_sid_and_appends_others() {
        let mut d = parse_doc(r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow"},{"Effect":"Deny"}]}"#)
            .unwrap_or_default();
        d.merge(
            parse_doc(
                r#"{"Statement":[{"Sid":"A","Effect":"Deny"},{"Sid":"B","Effect":"Allow"}]}"#,
            )
            .unwrap_or_default(),
        );
        let (_, min) = d.render();
        assert_eq!(
            min,
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny"},{"Effect":"Deny"},{"Sid":"B","Effect":"Allow"}]}"#
        );
    }

    #[test]
    fn source_principal_lists_come_out_descending_and_conditions_flattened() {
        let d = parse_doc(
            r#"{"Statement":[{"Principal":{"AWS":["a","c","b"]},"Condition":{"StringEquals":{"k":"v"}}}]}"#,
        )
        .unwrap_or_default();
        let (_, min) = d.render();
        assert_eq!(
            min,
            r#"{"Statement":[{"Principal":{"AWS":["c","b","a"]},"Condition":{"StringEquals":{"k":"v"}}}]}"#
        );
    }
}
