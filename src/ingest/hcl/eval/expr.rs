//! Expressions: literals, operators, `for`, templates and function calls.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use hcl::edit::Span;
use hcl::edit::expr::{BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, UnaryOperator};
use hcl::edit::template::{Directive, Element, Strip, Template};

use crate::ingest::hcl::functions::{self, FuncContext};
use crate::ingest::hcl::source::{SourceFile, Syntax};
use crate::ingest::hcl::types;
use crate::model::value::Value;

use super::{Bindings, EvalErr, Evaluator, MAX_EVAL_DEPTH, R, Scope, bind, lookup};

fn strip_start(s: Strip) -> bool {
    matches!(s, Strip::Start | Strip::Both)
}
fn strip_end(s: Strip) -> bool {
    matches!(s, Strip::End | Strip::Both)
}

impl<'a> Evaluator<'a> {
    /// Evaluates an expression.
    pub fn eval(&self, expr: &Expression, scope: &Scope) -> R {
        if let Some(stop) = self.stopped(scope, expr) {
            return Err(stop);
        }
        let d = self.depth.get();
        if d >= MAX_EVAL_DEPTH {
            return self.fail_expr(scope, expr, "expression nested too deeply to evaluate");
        }
        self.depth.set(d + 1);
        let out = self.eval_inner(expr, scope);
        self.depth.set(d);
        out
    }

    fn eval_inner(&self, expr: &Expression, scope: &Scope) -> R {
        match expr {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => Ok(Value::Number(hcl_number(n.value()))),
            Expression::String(s) => Ok(Value::String(s.value().to_string())),
            Expression::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    let v = self.eval(item, scope)?;
                    self.spend_nodes(&v, scope, expr)?;
                    out.push(v);
                }
                Ok(Value::List(out))
            }
            Expression::Object(obj) => {
                let mut out = BTreeMap::new();
                for (k, v) in obj.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::Variable(i)) => i.as_str().to_string(),
                        ObjectKey::Expression(e) => match self.eval(e, scope)? {
                            Value::String(s) => s,
                            Value::Number(n) => n.to_string(),
                            Value::Bool(b) => b.to_string(),
                            Value::Unknown(u) => format!("${{{}}}", u.reason),
                            _ => {
                                return self.fail_expr(scope, e, "object key must be a string");
                            }
                        },
                    };
                    let v = self.eval(v.expr(), scope)?;
                    self.spend_nodes(&v, scope, expr)?;
                    out.insert(key, v);
                }
                Ok(Value::Object(out))
            }
            Expression::StringTemplate(t) => self.eval_template(t, scope, expr),
            Expression::HeredocTemplate(h) => {
                let v = self.eval_template(&h.template, scope, expr)?;
                if let Value::String(s) = &v {
                    self.register_heredoc(scope, expr, s);
                }
                Ok(v)
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), scope),
            Expression::Variable(v) => match lookup(&scope.binds, v.as_str()) {
                Some(val) => Ok(val.clone()),
                None => self.fail_expr(scope, expr, format!("unknown variable \"{}\"", v.as_str())),
            },
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, scope)?;
                match to_bool(&cond) {
                    Some(true) => self.eval(&c.true_expr, scope),
                    Some(false) => self.eval(&c.false_expr, scope),
                    None if cond.is_unknown() => Ok(Value::unknown(self.text(scope, expr))),
                    None => self.fail_expr(scope, &c.cond_expr, "condition must be a bool"),
                }
            }
            Expression::FuncCall(call) => self.eval_call(call, scope, expr),
            Expression::Traversal(t) => self.eval_traversal(t, scope, expr),
            Expression::UnaryOp(op) => {
                let v = self.eval(&op.expr, scope)?;
                if v.is_unknown() {
                    return Ok(Value::unknown(self.text(scope, expr)));
                }
                match op.operator.value() {
                    UnaryOperator::Not => match to_bool(&v) {
                        Some(b) => Ok(Value::Bool(!b)),
                        None => self.fail_expr(scope, expr, "operand of ! must be a bool"),
                    },
                    UnaryOperator::Neg => match to_f64(&v) {
                        Some(_) => {
                            Ok(arith(&Value::Number(0.into()), &v, '-').unwrap_or(Value::Null))
                        }
                        None => self.fail_expr(scope, expr, "operand of - must be a number"),
                    },
                }
            }
            Expression::BinaryOp(op) => self.eval_binary(op, scope, expr),
            Expression::ForExpr(f) => self.eval_for(f, scope, expr),
        }
    }

    fn eval_binary(&self, op: &hcl::edit::expr::BinaryOp, scope: &Scope, expr: &Expression) -> R {
        let operator = *op.operator.value();
        // && and || short-circuit on a known left side.
        if matches!(operator, BinaryOperator::And | BinaryOperator::Or) {
            let lhs = self.eval(&op.lhs_expr, scope)?;
            let l = to_bool(&lhs);
            match (operator, l) {
                (BinaryOperator::And, Some(false)) => return Ok(Value::Bool(false)),
                (BinaryOperator::Or, Some(true)) => return Ok(Value::Bool(true)),
                _ => {}
            }
            if l.is_none() && !lhs.is_unknown() {
                return self.fail_expr(scope, &op.lhs_expr, "operand must be a bool");
            }
            let rhs = self.eval(&op.rhs_expr, scope)?;
            let r = to_bool(&rhs);
            if r.is_none() && !rhs.is_unknown() {
                return self.fail_expr(scope, &op.rhs_expr, "operand must be a bool");
            }
            return Ok(match (operator, l, r) {
                (BinaryOperator::And, _, Some(false)) => Value::Bool(false),
                (BinaryOperator::Or, _, Some(true)) => Value::Bool(true),
                (_, Some(_), Some(b)) => Value::Bool(b),
                _ => Value::unknown(self.text(scope, expr)),
            });
        }
        let lhs = self.eval(&op.lhs_expr, scope)?;
        let rhs = self.eval(&op.rhs_expr, scope)?;
        match operator {
            BinaryOperator::Eq | BinaryOperator::NotEq => match functions::equal(&lhs, &rhs) {
                Some(eq) => Ok(Value::Bool(eq == (operator == BinaryOperator::Eq))),
                None => Ok(Value::unknown(self.text(scope, expr))),
            },
            _ => {
                if lhs.is_unknown() || rhs.is_unknown() {
                    return Ok(Value::unknown(self.text(scope, expr)));
                }
                let (Some(a), Some(b)) = (to_f64(&lhs), to_f64(&rhs)) else {
                    return self.fail_expr(scope, expr, "operands must be numbers");
                };
                let out = match operator {
                    BinaryOperator::Less => Value::Bool(a < b),
                    BinaryOperator::LessEq => Value::Bool(a <= b),
                    BinaryOperator::Greater => Value::Bool(a > b),
                    BinaryOperator::GreaterEq => Value::Bool(a >= b),
                    BinaryOperator::Plus => arith(&lhs, &rhs, '+').unwrap_or(Value::Null),
                    BinaryOperator::Minus => arith(&lhs, &rhs, '-').unwrap_or(Value::Null),
                    BinaryOperator::Mul => arith(&lhs, &rhs, '*').unwrap_or(Value::Null),
                    BinaryOperator::Div => {
                        if b == 0.0 {
                            return self.fail_expr(scope, expr, "division by zero");
                        }
                        arith(&lhs, &rhs, '/').unwrap_or(Value::Null)
                    }
                    BinaryOperator::Mod => {
                        if b == 0.0 {
                            return self.fail_expr(scope, expr, "modulo by zero");
                        }
                        arith(&lhs, &rhs, '%').unwrap_or(Value::Null)
                    }
                    _ => Value::Null,
                };
                Ok(out)
            }
        }
    }

    fn eval_for(&self, f: &ForExpr, scope: &Scope, expr: &Expression) -> R {
        let coll = self.eval(&f.intro.collection_expr, scope)?;
        let pairs: Vec<(Value, Value)> = match coll {
            Value::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Number((i as u64).into()), v))
                .collect(),
            Value::Object(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
            Value::Unknown(_) => return Ok(Value::unknown(self.text(scope, expr))),
            Value::Null => {
                return self.fail_expr(scope, &f.intro.collection_expr, "cannot iterate over null");
            }
            _ => {
                return self.fail_expr(
                    scope,
                    &f.intro.collection_expr,
                    "a for expression needs a list, set, map or object",
                );
            }
        };
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let value_var = f.intro.value_var.as_str().to_string();
        let mut list = Vec::new();
        let mut obj: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, v) in pairs {
            self.spend_work(1, 0, scope, expr)?;
            let mut inner = scope.clone();
            if let Some(kv) = &key_var {
                inner.binds = bind(&inner.binds, kv, k);
            }
            inner.binds = bind(&inner.binds, &value_var, v);
            if let Some(cond) = &f.cond {
                let c = self.eval(&cond.expr, &inner)?;
                match to_bool(&c) {
                    Some(true) => {}
                    Some(false) => continue,
                    None if c.is_unknown() => return Ok(Value::unknown(self.text(scope, expr))),
                    None => return self.fail_expr(scope, &cond.expr, "condition must be a bool"),
                }
            }
            match &f.key_expr {
                None => list.push(self.eval(&f.value_expr, &inner)?),
                Some(ke) => {
                    let key = match self.eval(ke, &inner)? {
                        Value::String(s) => s,
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Unknown(_) => return Ok(Value::unknown(self.text(scope, expr))),
                        _ => return self.fail_expr(scope, ke, "object key must be a string"),
                    };
                    let val = self.eval(&f.value_expr, &inner)?;
                    if f.grouping {
                        groups.entry(key).or_default().push(val);
                    } else {
                        match obj.entry(key) {
                            std::collections::btree_map::Entry::Occupied(o) => {
                                let msg = format!(
                                    "duplicate object key \"{}\" (use ... to group)",
                                    o.key()
                                );
                                return self.fail_expr(scope, expr, msg);
                            }
                            std::collections::btree_map::Entry::Vacant(v) => {
                                v.insert(val);
                            }
                        }
                    }
                }
            }
        }
        Ok(if f.key_expr.is_none() {
            Value::List(list)
        } else if f.grouping {
            Value::Object(
                groups
                    .into_iter()
                    .map(|(k, v)| (k, Value::List(v)))
                    .collect(),
            )
        } else {
            Value::Object(obj)
        })
    }

    // ----- templates -----------------------------------------------------

    fn eval_template(&self, t: &Template, scope: &Scope, expr: &Expression) -> R {
        // "${x}" alone yields x itself, not its string form.
        let mut elems = t.iter();
        if let (Some(Element::Interpolation(i)), None) = (elems.next(), elems.next()) {
            return self.eval(&i.expr, scope);
        }
        let mut out = TemplateOut::default();
        match self.render(t, scope, &mut out)? {
            true => {
                let s = out.finish();
                self.spend_work(0, s.len(), scope, expr)?;
                Ok(Value::String(s))
            }
            false => Ok(Value::unknown(self.text(scope, expr))),
        }
    }

    /// Renders template elements into `out`. `Ok(false)`: a directive's
    /// condition or collection is unknown, so the whole template is.
    fn render(&self, t: &Template, scope: &Scope, out: &mut TemplateOut) -> Result<bool, EvalErr> {
        for el in t.iter() {
            match el {
                Element::Literal(s) => out.literal(s.value()),
                Element::Interpolation(i) => {
                    if strip_start(i.strip) {
                        out.trim_end();
                    }
                    let v = self.eval(&i.expr, scope)?;
                    match template_string(&v) {
                        Ok(s) => out.push(&s),
                        Err(msg) => {
                            let v = self.fail_expr(scope, &i.expr, msg)?;
                            out.push(&template_string(&v).unwrap_or_default());
                        }
                    }
                    if strip_end(i.strip) {
                        out.strip_next = true;
                    }
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(ifd) => {
                        if strip_start(ifd.if_expr.strip) {
                            out.trim_end();
                        }
                        let c = self.eval(&ifd.if_expr.cond_expr, scope)?;
                        let Some(cond) = to_bool(&c) else {
                            if c.is_unknown() {
                                return Ok(false);
                            }
                            self.fail_expr(
                                scope,
                                &ifd.if_expr.cond_expr,
                                "condition must be a bool",
                            )?;
                            return Ok(false);
                        };
                        let end_strip = ifd.endif_expr.strip;
                        if cond {
                            out.strip_next = strip_end(ifd.if_expr.strip);
                            if !self.render(&ifd.if_expr.template, scope, out)? {
                                return Ok(false);
                            }
                            let close =
                                ifd.else_expr.as_ref().map(|e| e.strip).unwrap_or(end_strip);
                            if strip_start(close) {
                                out.trim_end();
                            }
                        } else if let Some(else_expr) = &ifd.else_expr {
                            out.strip_next = strip_end(else_expr.strip);
                            if !self.render(&else_expr.template, scope, out)? {
                                return Ok(false);
                            }
                            if strip_start(end_strip) {
                                out.trim_end();
                            }
                        } else if strip_end(ifd.if_expr.strip) || strip_start(end_strip) {
                            out.trim_end();
                        }
                        out.strip_next = strip_end(end_strip);
                    }
                    Directive::For(ford) => {
                        let fe = &ford.for_expr;
                        if strip_start(fe.strip) {
                            out.trim_end();
                        }
                        let coll = self.eval(&fe.collection_expr, scope)?;
                        let pairs: Vec<(Value, Value)> = match coll {
                            Value::List(items) => items
                                .into_iter()
                                .enumerate()
                                .map(|(i, v)| (Value::Number((i as u64).into()), v))
                                .collect(),
                            Value::Object(m) => {
                                m.into_iter().map(|(k, v)| (Value::String(k), v)).collect()
                            }
                            Value::Unknown(_) => return Ok(false),
                            _ => {
                                self.fail_expr(
                                    scope,
                                    &fe.collection_expr,
                                    "a template for needs a list or map",
                                )?;
                                return Ok(false);
                            }
                        };
                        for (k, v) in pairs {
                            let mut inner = scope.clone();
                            if let Some(kv) = &fe.key_var {
                                inner.binds = bind(&inner.binds, kv.as_str(), k);
                            }
                            inner.binds = bind(&inner.binds, fe.value_var.as_str(), v);
                            out.strip_next = strip_end(fe.strip);
                            if !self.render(&fe.template, &inner, out)? {
                                return Ok(false);
                            }
                            if strip_start(ford.endfor_expr.strip) {
                                out.trim_end();
                            }
                        }
                        out.strip_next = strip_end(ford.endfor_expr.strip);
                    }
                },
            }
        }
        Ok(true)
    }

    // ----- function calls ------------------------------------------------

    fn eval_call(&self, call: &FuncCall, scope: &Scope, expr: &Expression) -> R {
        let mut name = String::new();
        for ns in &call.name.namespace {
            name.push_str(ns.as_str());
            name.push_str("::");
        }
        name.push_str(call.name.name.as_str());
        match name.as_str() {
            "try" => return self.eval_try(call, scope, expr),
            "can" => return self.eval_can(call, scope, expr),
            _ => {}
        }
        let mut args = Vec::with_capacity(call.args.len());
        let n = call.args.len();
        for (i, a) in call.args.iter().enumerate() {
            let v = self.eval(a, scope)?;
            if call.args.expand_final() && i + 1 == n {
                match v {
                    Value::List(items) => args.extend(items),
                    Value::Unknown(_) => return Ok(Value::unknown(self.text(scope, expr))),
                    _ => return self.fail_expr(scope, a, "only a list can be expanded with ..."),
                }
            } else {
                args.push(v);
            }
        }
        if name == "templatefile" {
            return self.templatefile(args, scope, expr);
        }
        if name == "sensitive" {
            let mut secrets = self.secrets.borrow_mut();
            args.iter()
                .for_each(|a| crate::model::value::leaf_texts(a, &mut secrets));
        }
        let ctx = FuncContext {
            root: &self.scan.boundary,
            module_dir: &self.root_dir,
        };
        match functions::call(&name, args, &ctx) {
            Ok(v) => {
                if let Value::String(s) = &v {
                    self.spend_work(0, s.len(), scope, expr)?;
                } else {
                    self.spend_nodes(&v, scope, expr)?;
                }
                if name == "jsonencode"
                    && let (Value::String(s), Some(arg)) = (&v, call.args.get(0))
                {
                    self.register_jsonencode(scope, arg, s);
                }
                Ok(v)
            }
            Err(msg) => self.fail_expr(scope, expr, msg),
        }
    }

    /// `try`: the first argument that evaluates without error. An argument
    /// that evaluates to an unknown value decides the result (unknown), as
    /// in Terraform: only errors fall through.
    fn eval_try(&self, call: &FuncCall, scope: &Scope, expr: &Expression) -> R {
        let mut inner = scope.clone();
        inner.in_try = true;
        let mut last_err = None;
        for a in call.args.iter() {
            match self.eval(a, &inner) {
                Ok(v) => return Ok(v),
                Err(e) => last_err = Some(e),
            }
        }
        let detail = last_err.map(|e| format!(": {}", e.msg)).unwrap_or_default();
        self.fail_expr(
            scope,
            expr,
            format!("try(): no expression succeeded{detail}"),
        )
    }

    fn eval_can(&self, call: &FuncCall, scope: &Scope, expr: &Expression) -> R {
        if call.args.len() != 1 {
            return self.fail_expr(scope, expr, "can(): expected 1 argument");
        }
        let mut inner = scope.clone();
        inner.in_try = true;
        match call.args.get(0).map(|a| self.eval(a, &inner)) {
            Some(Ok(Value::Unknown(_))) => Ok(Value::unknown(self.text(scope, expr))),
            Some(Ok(_)) => Ok(Value::Bool(true)),
            _ => Ok(Value::Bool(false)),
        }
    }

    fn templatefile(&self, args: Vec<Value>, scope: &Scope, expr: &Expression) -> R {
        let mut args = args.into_iter();
        let (path, vars) = match (args.next(), args.next(), args.next()) {
            (Some(p), Some(v), None) => (p, v),
            _ => return self.fail_expr(scope, expr, "templatefile(): expected 2 arguments"),
        };
        let path = match path {
            Value::String(s) => s,
            Value::Unknown(_) => return Ok(Value::unknown(self.text(scope, expr))),
            _ => return self.fail_expr(scope, expr, "templatefile(): path must be a string"),
        };
        let vars = match vars {
            Value::Object(m) => m,
            Value::Unknown(_) => return Ok(Value::unknown(self.text(scope, expr))),
            _ => return self.fail_expr(scope, expr, "templatefile(): vars must be an object"),
        };
        if path.contains("${") {
            return Ok(Value::unknown(self.text(scope, expr)));
        }
        let full = if std::path::Path::new(&path).is_absolute() {
            PathBuf::from(&path)
        } else {
            self.root_dir.join(&path)
        };
        let canonical = match self.scan.resolve_inside(&full) {
            Ok(c) => c,
            Err(e) => {
                let msg = if e.contains(" is outside ") {
                    format!(
                        "templatefile(): {path} is outside {}: not read",
                        self.scan.boundary_name()
                    )
                } else {
                    format!("templatefile(): cannot read {path}")
                };
                return self.fail_expr(scope, expr, msg);
            }
        };
        let cached = self.templates.borrow().get(&canonical).cloned();
        let tpl = match cached {
            Some(t) => t,
            None => {
                let display = self.scan.display(&canonical);
                let text = match crate::ingest::hcl::source::read_text(&canonical, &display) {
                    Ok(t) => t,
                    Err(e) => return self.fail_expr(scope, expr, format!("templatefile(): {e}")),
                };
                let parsed =
                    crate::ingest::hcl::source::within_parse_deadline(&display, &text, |t| {
                        hcl::edit::parser::parse_template(&t)
                    });
                let parsed = match parsed {
                    Ok(p) => p,
                    Err(e) => {
                        self.hit_limit(self.loc(scope, expr.span()), e.to_string());
                        return self.fail_expr(scope, expr, format!("templatefile(): {e}"));
                    }
                };
                let template = match parsed {
                    Ok(t) => t,
                    Err(e) => {
                        return self.fail_expr(
                            scope,
                            expr,
                            format!(
                                "templatefile(): {display}:{}:{}: {}",
                                e.location().line(),
                                e.location().column(),
                                e.message()
                            ),
                        );
                    }
                };
                let id = {
                    let mut files = self.files.borrow_mut();
                    files.push(Arc::new(SourceFile::new(display, text, Syntax::Native)));
                    files.len() - 1
                };
                let t = Rc::new((id, template));
                self.templates.borrow_mut().insert(canonical, t.clone());
                t
            }
        };
        let mut binds: Bindings = None;
        for (k, v) in vars {
            binds = bind(&binds, &k, v);
        }
        let inner = Scope {
            inst: scope.inst,
            file: tpl.0,
            anchor: 0,
            binds,
            in_try: scope.in_try,
            isolated: true,
            addr: scope.addr.clone(),
        };
        let mut out = TemplateOut::default();
        match self.render(&tpl.1, &inner, &mut out)? {
            true => Ok(Value::String(out.finish())),
            false => Ok(Value::unknown(self.text(scope, expr))),
        }
    }

    // ----- references ----------------------------------------------------
}

/// Accumulates a template's output, applying `~` strip markers.
#[derive(Default)]
struct TemplateOut {
    buf: String,
    /// Where the last literal starts (trim_end only trims literal text).
    literal_start: Option<usize>,
    strip_next: bool,
}

impl TemplateOut {
    fn literal(&mut self, s: &str) {
        let s = if self.strip_next {
            self.strip_next = false;
            s.trim_start()
        } else {
            s
        };
        if self.literal_start.is_none() {
            self.literal_start = Some(self.buf.len());
        }
        self.buf.push_str(s);
    }

    fn push(&mut self, s: &str) {
        self.strip_next = false;
        self.literal_start = None;
        self.buf.push_str(s);
    }

    fn trim_end(&mut self) {
        if let Some(start) = self.literal_start {
            let keep = self.buf[start..].trim_end().len();
            self.buf.truncate(start + keep);
        }
    }

    fn finish(self) -> String {
        self.buf
    }
}

/// A value as it appears inside a template.
fn template_string(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Unknown(u) => Ok(format!("${{{}}}", u.reason)),
        Value::Null => Err("cannot interpolate null into a string".into()),
        Value::List(_) => Err("cannot interpolate a list into a string".into()),
        Value::Object(_) => Err("cannot interpolate an object into a string".into()),
    }
}

pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Object(_) => "object",
        Value::Unknown(_) => "unknown value",
    }
}

pub fn hcl_number(n: &hcl::Number) -> serde_json::Number {
    if let Some(i) = n.as_i64() {
        i.into()
    } else if let Some(u) = n.as_u64() {
        u.into()
    } else {
        n.as_f64()
            .and_then(types::number_from_f64)
            .unwrap_or_else(|| 0.into())
    }
}

pub fn to_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

pub fn to_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn to_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Arithmetic: exact on integers, floating otherwise.
fn arith(a: &Value, b: &Value, op: char) -> Option<Value> {
    if let (Some(x), Some(y)) = (to_i64(a), to_i64(b)) {
        let r = match op {
            '+' => x.checked_add(y),
            '-' => x.checked_sub(y),
            '*' => x.checked_mul(y),
            '%' => x.checked_rem(y),
            '/' if y != 0 && x % y == 0 => x.checked_div(y),
            _ => None,
        };
        if let Some(r) = r {
            return Some(Value::Number(r.into()));
        }
    }
    let (x, y) = (to_f64(a)?, to_f64(b)?);
    let r = match op {
        '+' => x + y,
        '-' => x - y,
        '*' => x * y,
        '/' => x / y,
        '%' => x % y,
        _ => return None,
    };
    types::number_from_f64(r).map(Value::Number)
}
