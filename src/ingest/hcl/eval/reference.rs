//! References and scopes: variables, locals, outputs, resources and module
//! outputs, and the scopes their expressions are evaluated in.

use std::collections::BTreeMap;
use std::rc::Rc;

use hcl::edit::Span;
use hcl::edit::expr::{Expression, Traversal, TraversalOperator};
use hcl::edit::structure::Body;

use crate::ingest::Mode;
use crate::ingest::hcl::module::ResDecl;
use crate::ingest::hcl::source::FileId;
use crate::ingest::hcl::types::{self, Ty};
use crate::model::value::Value;

use super::expr::{kind, to_f64};
use super::instance::{Children, InstKey, Slot};
use super::{Bindings, Evaluator, InstId, R, Scope, lookup};

/// `sensitive = true` in a `variable` or `output` block.
fn declared_sensitive(body: &Body) -> bool {
    matches!(
        body.get_attribute("sensitive").map(|a| &a.value),
        Some(Expression::Bool(b)) if *b.value()
    )
}

/// Resource attributes that are only known after apply, even when a block
/// of another type writes an argument of that name.
const COMPUTED_ATTRS: &[&str] = &["arn", "id", "unique_id", "tags_all", "create_date"];

impl<'a> Evaluator<'a> {
    pub(super) fn eval_traversal(&self, t: &Traversal, scope: &Scope, expr: &Expression) -> R {
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        if let Expression::Variable(v) = &t.expr {
            let name = v.as_str();
            if let Some(val) = lookup(&scope.binds, name) {
                return self.apply_ops(val, &ops, scope, expr);
            }
            if scope.isolated {
                return self.fail_expr(
                    scope,
                    expr,
                    format!(
                        "\"{name}\" cannot be referred to here (only constants, or the variables passed to templatefile)"
                    ),
                );
            }
            return self.eval_reference(name, &ops, scope, expr);
        }
        let base = self.eval(&t.expr, scope)?;
        self.apply_ops(&base, &ops, scope, expr)
    }

    /// Applies traversal operators to a value (by reference; only the result
    /// is cloned).
    fn apply_ops(
        &self,
        base: &Value,
        ops: &[&TraversalOperator],
        scope: &Scope,
        expr: &Expression,
    ) -> R {
        let mut cur = base;
        for (i, op) in ops.iter().enumerate() {
            if cur.is_unknown() {
                return Ok(if i == 0 {
                    cur.clone()
                } else {
                    Value::unknown(self.text(scope, expr))
                });
            }
            match op {
                TraversalOperator::GetAttr(name) => match cur {
                    Value::Object(m) => match m.get(name.as_str()) {
                        Some(v) => cur = v,
                        None => {
                            return self.fail_expr(
                                scope,
                                expr,
                                format!("object has no attribute \"{}\"", name.as_str()),
                            );
                        }
                    },
                    Value::Null => {
                        return self.fail_expr(
                            scope,
                            expr,
                            format!("cannot read attribute \"{}\" of null", name.as_str()),
                        );
                    }
                    _ => {
                        return self.fail_expr(
                            scope,
                            expr,
                            format!(
                                "cannot read attribute \"{}\" of a {}",
                                name.as_str(),
                                kind(cur)
                            ),
                        );
                    }
                },
                TraversalOperator::Index(ie) => {
                    let key = self.eval(ie, scope)?;
                    match self.index(cur, &key) {
                        Ok(Some(v)) => cur = v,
                        Ok(None) => return Ok(Value::unknown(self.text(scope, expr))),
                        Err(msg) => return self.fail_expr(scope, expr, msg),
                    }
                }
                TraversalOperator::LegacyIndex(n) => {
                    let key = Value::Number((*n.value()).into());
                    match self.index(cur, &key) {
                        Ok(Some(v)) => cur = v,
                        Ok(None) => return Ok(Value::unknown(self.text(scope, expr))),
                        Err(msg) => return self.fail_expr(scope, expr, msg),
                    }
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let rest = &ops[i + 1..];
                    let (each_ops, after): (&[&TraversalOperator], &[&TraversalOperator]) =
                        if matches!(op, TraversalOperator::FullSplat(_)) {
                            (rest, &[])
                        } else {
                            let n = rest
                                .iter()
                                .take_while(|o| matches!(o, TraversalOperator::GetAttr(_)))
                                .count();
                            rest.split_at(n)
                        };
                    let elems: Vec<&Value> = match cur {
                        Value::List(items) => items.iter().collect(),
                        Value::Null => Vec::new(),
                        other => vec![other],
                    };
                    let mut out = Vec::with_capacity(elems.len());
                    for e in elems {
                        out.push(self.apply_ops(e, each_ops, scope, expr)?);
                    }
                    let list = Value::List(out);
                    return if after.is_empty() {
                        Ok(list)
                    } else {
                        self.apply_ops(&list, after, scope, expr)
                    };
                }
            }
        }
        Ok(cur.clone())
    }

    /// `cur[key]`: `Ok(None)` when the key is unknown.
    fn index<'v>(&self, cur: &'v Value, key: &Value) -> Result<Option<&'v Value>, String> {
        if key.is_unknown() {
            return Ok(None);
        }
        match cur {
            Value::List(items) => {
                let i = to_f64(key).ok_or("a list index must be a number")?;
                if i < 0.0 || i.fract() != 0.0 {
                    return Err(format!("invalid list index {i}"));
                }
                items
                    .get(i as usize)
                    .map(Some)
                    .ok_or_else(|| format!("index {i} out of range for a list of {}", items.len()))
            }
            Value::Object(m) => {
                let k = match key {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return Err("a map key must be a string".into()),
                };
                m.get(&k)
                    .map(Some)
                    .ok_or_else(|| format!("no element with key \"{k}\""))
            }
            Value::Null => Err("cannot index null".into()),
            other => Err(format!("cannot index a {}", kind(other))),
        }
    }

    fn eval_reference(
        &self,
        name: &str,
        ops: &[&TraversalOperator],
        scope: &Scope,
        expr: &Expression,
    ) -> R {
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        match name {
            "var" => {
                let Some(v) = attr(0) else {
                    return self.fail_expr(scope, expr, "var needs a variable name");
                };
                match self.var_value(scope.inst, v) {
                    Some(val) => self.apply_ops(&val, &ops[1..], scope, expr),
                    None => self.fail_expr(
                        scope,
                        expr,
                        format!("reference to undeclared input variable \"{v}\""),
                    ),
                }
            }
            "local" => {
                let Some(l) = attr(0) else {
                    return self.fail_expr(scope, expr, "local needs a name");
                };
                match self.local_value(scope.inst, l, scope) {
                    Ok(val) => self.apply_ops(&val, &ops[1..], scope, expr),
                    Err(msg) => self.fail_expr(scope, expr, msg),
                }
            }
            "path" => {
                let val = match attr(0) {
                    Some("module") => Value::String(self.path_module(scope.inst)),
                    Some("root") => Value::String(".".into()),
                    Some("cwd") => Value::unknown("path.cwd"),
                    _ => return self.fail_expr(scope, expr, "unknown path attribute"),
                };
                self.apply_ops(&val, &ops[1..], scope, expr)
            }
            "terraform" => match attr(0) {
                Some("workspace") => Ok(Value::unknown("terraform.workspace")),
                _ => Ok(Value::unknown(self.text(scope, expr))),
            },
            "count" | "each" => self.fail_expr(
                scope,
                expr,
                format!(
                    "{name} is only available in a block with {}",
                    if name == "count" { "count" } else { "for_each" }
                ),
            ),
            "self" => Ok(Value::unknown(self.text(scope, expr))),
            "module" => {
                let Some(call) = attr(0) else {
                    return self.fail_expr(scope, expr, "module needs a name");
                };
                self.module_reference(call, &ops[1..], scope, expr)
            }
            "data" => {
                let (Some(t), Some(n)) = (attr(0), attr(1)) else {
                    return self.fail_expr(scope, expr, "data needs a type and a name");
                };
                self.resource_reference(Mode::Data, t, n, &ops[2..], scope, expr)
            }
            _ => match attr(0) {
                Some(n) => self.resource_reference(Mode::Managed, name, n, &ops[1..], scope, expr),
                None => self.fail_expr(scope, expr, format!("unknown variable \"{name}\"")),
            },
        }
    }

    /// `path.module`: the module's directory relative to the root module's.
    fn path_module(&self, inst: InstId) -> String {
        let Some(ix) = self.index_of(inst) else {
            return ".".into();
        };
        relative_path(&self.root_dir, &ix.def.dir)
    }

    fn resource_reference(
        &self,
        mode: Mode,
        rtype: &str,
        rname: &str,
        rest: &[&TraversalOperator],
        scope: &Scope,
        expr: &Expression,
    ) -> R {
        let Some(ix) = self.index_of(scope.inst) else {
            return Ok(Value::unknown(self.text(scope, expr)));
        };
        let Some(&ri) = ix.res_lookup.get(&(mode == Mode::Data, rtype, rname)) else {
            let what = if mode == Mode::Data {
                format!("data.{rtype}.{rname}")
            } else {
                format!("{rtype}.{rname}")
            };
            return self.fail_expr(
                scope,
                expr,
                format!("reference to undeclared resource {what}"),
            );
        };
        if crate::ingest::types::lookup(mode, rtype).map(|t| t.becomes)
            == Some(crate::ingest::types::Becomes::PolicyDocument)
        {
            // With count / for_each unknown, the one representative instance
            // stands for whichever instance is indexed.
            let exp = self.resource_expansion(scope.inst, ri);
            if exp.items.iter().any(|(k, _)| *k == InstKey::Unknown) {
                let doc = self.policy_doc_instance(scope.inst, ri, &InstKey::Unknown);
                return match rest.first() {
                    Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)) => {
                        self.apply_ops(&doc, &rest[1..], scope, expr)
                    }
                    Some(TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)) => {
                        self.apply_ops(&Value::List(vec![doc]), rest, scope, expr)
                    }
                    _ => Ok(Value::unknown(self.text(scope, expr))),
                };
            }
            let v = self.policy_doc_value(scope.inst, ri);
            return self.apply_ops(&v, rest, scope, expr);
        }
        let exp = self.resource_expansion(scope.inst, ri);
        let unknown = || Ok(Value::unknown(self.text(scope, expr)));
        let get = |i: usize| rest.get(i).copied();
        match (exp.keyed, get(0), get(1)) {
            (false, Some(TraversalOperator::GetAttr(a)), _) => {
                let Some((k, binds)) = exp.items.first() else {
                    return unknown();
                };
                match self.resource_attr(scope.inst, ri, (k, binds), a.as_str()) {
                    Some(v) => self.apply_ops(&v, &rest[1..], scope, expr),
                    None if mode == Mode::Managed => {
                        Ok(self.computed_unknown(scope.inst, ri, (k, binds), a.as_str()))
                    }
                    None => unknown(),
                }
            }
            (true, Some(TraversalOperator::Index(ie)), Some(TraversalOperator::GetAttr(a))) => {
                let key = self.eval(ie, scope)?;
                if key.is_unknown() {
                    return unknown();
                }
                let Some((k, binds)) = exp.items.iter().find(|(k, _)| k.matches(&key)) else {
                    if exp.items.iter().any(|(k, _)| *k == InstKey::Unknown) {
                        return unknown();
                    }
                    return self.fail_expr(scope, expr, "no resource instance with that key");
                };
                match self.resource_attr(scope.inst, ri, (k, binds), a.as_str()) {
                    Some(v) => self.apply_ops(&v, &rest[2..], scope, expr),
                    None if mode == Mode::Managed => {
                        Ok(self.computed_unknown(scope.inst, ri, (k, binds), a.as_str()))
                    }
                    None => unknown(),
                }
            }
            (
                _,
                Some(TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)),
                Some(TraversalOperator::GetAttr(a)),
            ) => {
                if exp.items.iter().any(|(k, _)| *k == InstKey::Unknown) {
                    return unknown();
                }
                let mut out = Vec::new();
                for (k, binds) in &exp.items {
                    match self.resource_attr(scope.inst, ri, (k, binds), a.as_str()) {
                        Some(v) => out.push(self.apply_ops(&v, &rest[2..], scope, expr)?),
                        None => return unknown(),
                    }
                }
                Ok(Value::List(out))
            }
            // The instances themselves: `aws_iam_role.r` (a map or list of
            // instance objects) or `aws_iam_role.r["k"]`.
            (_, None, _) => {
                if exp.items.iter().any(|(k, _)| *k == InstKey::Unknown) {
                    return unknown();
                }
                let objects = exp
                    .items
                    .iter()
                    .map(|(k, binds)| (k, self.instance_object(scope.inst, ri, (k, binds))));
                Ok(match exp.items.first().map(|(k, _)| k) {
                    Some(InstKey::Str(_)) => Value::Object(
                        objects
                            .filter_map(|(k, v)| match k {
                                InstKey::Str(s) => Some((s.clone(), v)),
                                _ => None,
                            })
                            .collect(),
                    ),
                    Some(InstKey::Int(_)) => Value::List(objects.map(|(_, v)| v).collect()),
                    Some(InstKey::None) if !exp.keyed => {
                        objects.map(|(_, v)| v).next().unwrap_or(Value::Null)
                    }
                    // No instances (`count = 0`, an empty `for_each`).
                    _ if exp.keyed => {
                        if matches!(
                            self.index_of(scope.inst)
                                .and_then(|ix| ix.resources.get(ri))
                                .map(|r| r.decl.block.body.has_attribute("for_each")),
                            Some(true)
                        ) {
                            Value::Object(BTreeMap::new())
                        } else {
                            Value::List(Vec::new())
                        }
                    }
                    _ => return unknown(),
                })
            }
            (true, Some(TraversalOperator::Index(ie)), _) => {
                let key = self.eval(ie, scope)?;
                if key.is_unknown() {
                    return unknown();
                }
                let Some((k, binds)) = exp.items.iter().find(|(k, _)| k.matches(&key)) else {
                    if exp.items.iter().any(|(k, _)| *k == InstKey::Unknown) {
                        return unknown();
                    }
                    return self.fail_expr(scope, expr, "no resource instance with that key");
                };
                let v = self.instance_object(scope.inst, ri, (k, binds));
                self.apply_ops(&v, &rest[1..], scope, expr)
            }
            _ => unknown(),
        }
    }

    /// A computed attribute of one managed resource instance, known only
    /// after apply: unknown, named by the instance's full address
    /// (`module.m.aws_iam_policy.p[0].arn`) so that whatever takes it (a
    /// policy attachment) can be joined to that instance.
    fn computed_unknown(
        &self,
        inst: InstId,
        ri: usize,
        (key, binds): (&InstKey, &Bindings),
        attr: &str,
    ) -> Value {
        let Some(res) = self.index_of(inst).and_then(|ix| ix.resources.get(ri)) else {
            return Value::unknown(attr.to_string());
        };
        let scope = self.resource_scope(inst, res, binds.clone(), key.clone());
        Value::unknown(format!("{}.{attr}", scope.addr.as_deref().unwrap_or("")))
    }

    /// One resource instance as an object: its written arguments, and its
    /// computed attributes built where the arguments fix them, unknown where
    /// they do not.
    fn instance_object(
        &self,
        inst: InstId,
        ri: usize,
        (key, binds): (&InstKey, &Bindings),
    ) -> Value {
        let Some(res) = self.index_of(inst).and_then(|ix| ix.resources.get(ri)) else {
            return Value::unknown("resource");
        };
        let scope = self.resource_scope(inst, res, binds.clone(), key.clone());
        let addr = scope.addr.as_deref().unwrap_or("").to_string();
        match self.instance_objects.borrow().get(&addr) {
            Some(Some(v)) => return v.clone(),
            Some(None) => return Value::unknown(addr.clone()),
            None => {}
        }
        self.instance_objects
            .borrow_mut()
            .insert(addr.clone(), None);
        let mut attrs = self.body_value(&res.decl.block.body, &scope, true);
        for name in COMPUTED_ATTRS {
            if res.mode == Mode::Data && attrs.contains_key(*name) {
                continue;
            }
            let v = self
                .resource_attr(inst, ri, (key, binds), name)
                .unwrap_or_else(|| Value::unknown(format!("{addr}.{name}")));
            attrs.insert((*name).to_string(), v);
        }
        let v = Value::Object(attrs);
        self.instance_objects
            .borrow_mut()
            .insert(addr, Some(v.clone()));
        v
    }

    /// A resource attribute known from configuration: written in the block
    /// and not one the provider computes.
    fn resource_attr(
        &self,
        inst: InstId,
        ri: usize,
        (key, binds): (&InstKey, &Bindings),
        attr: &str,
    ) -> Option<Value> {
        let ix = self.index_of(inst)?;
        let res = ix.resources.get(ri)?;
        if !self.known_attrs.is_empty() {
            let addr = self.resource_scope(inst, res, None, key.clone()).addr;
            if let Some(v) = addr
                .and_then(|a| self.known_attrs.get(a.as_ref()))
                .and_then(|attrs| attrs.get(attr))
                .filter(|v| !v.is_unknown() && !matches!(v, Value::Null))
            {
                return Some(v.clone());
            }
        }
        let scope = self.resource_scope(inst, res, binds.clone(), InstKey::None);
        let written = |name: &str| {
            let a = res.decl.block.body.get_attribute(name)?;
            self.eval(&a.value, &scope).ok()
        };
        // A data source's arguments are what it returns; a managed
        // resource's computed attributes are the provider's, unless their
        // shape is fixed by its arguments.
        if COMPUTED_ATTRS.contains(&attr) && res.mode == Mode::Managed
            || attr == "name" && res.mode == Mode::Data && res.rtype == "aws_service_principal"
            || attr == "arn" && res.mode == Mode::Data && written(attr).is_none()
        {
            // The account the plan ran in, where it read the caller's identity.
            let own = self
                .known_attrs
                .iter()
                .filter(|(a, _)| a.starts_with("data.aws_caller_identity."))
                .find_map(|(_, v)| v.get("account_id").and_then(Value::as_str))
                .map(|a| a.to_string())
                .unwrap_or_else(|| OWN_ACCOUNT_REF.to_string());
            return constructed_attr(res.mode, res.rtype, attr, &own, &written);
        }
        written(attr)
    }

    /// The scope of a resource instance's body.
    pub fn resource_scope(
        &self,
        inst: InstId,
        res: &ResDecl<'_>,
        binds: Bindings,
        key: InstKey,
    ) -> Scope {
        let i = self.inst(inst);
        let addr = match res.mode {
            Mode::Managed => format!("{}{}.{}{}", i.prefix, res.rtype, res.name, key.suffix()),
            Mode::Data => format!(
                "{}data.{}.{}{}",
                i.prefix,
                res.rtype,
                res.name,
                key.suffix()
            ),
        };
        Scope {
            inst,
            file: res.decl.file,
            anchor: res.decl.offset,
            binds,
            in_try: false,
            isolated: false,
            addr: Some(Rc::from(addr)),
        }
    }

    fn var_type(&self, inst: InstId, name: &str) -> Rc<Ty> {
        let def = self.inst(inst).def;
        if let Some(t) = self.types.borrow().get(&(def, name.to_string())) {
            return t.clone();
        }
        let ty = match self
            .idx
            .get(def)
            .and_then(|ix| ix.variables.get(name))
            .and_then(|d| d.block.body.get_attribute("type"))
        {
            Some(a) => {
                let scope = self.constant_scope(inst);
                types::parse_type(&a.value, &|e| self.eval(e, &scope).unwrap_or(Value::Null))
            }
            None => Ty::Any,
        };
        let ty = Rc::new(ty);
        self.types
            .borrow_mut()
            .insert((def, name.to_string()), ty.clone());
        ty
    }

    /// A scope for constants (defaults, type defaults): nothing to refer to.
    pub fn constant_scope(&self, inst: InstId) -> Scope {
        self.constant_scope_in(inst, 0)
    }

    /// A scope for constants written in `file` (tfvars).
    pub fn constant_scope_in(&self, inst: InstId, file: FileId) -> Scope {
        Scope {
            inst,
            file,
            anchor: 0,
            binds: None,
            in_try: false,
            isolated: true,
            addr: None,
        }
    }

    /// The declared type of a root variable (for reading command-line values).
    pub fn root_var_type(&self, root: InstId, name: &str) -> Option<Rc<Ty>> {
        let ix = self.index_of(root)?;
        ix.variables.get(name)?;
        Some(self.var_type(root, name))
    }

    /// `var.NAME` in module instance `inst`; `None` when not declared.
    pub fn var_value(&self, inst: InstId, name: &str) -> Option<Rc<Value>> {
        let i = self.inst(inst);
        if let Some(v) = i.vars.borrow().get(name) {
            return Some(v.clone());
        }
        let ix = self.idx.get(i.def)?;
        let decl = *ix.variables.get(name)?;
        let var_scope = Scope {
            inst,
            file: decl.file,
            anchor: decl.offset,
            binds: None,
            in_try: false,
            isolated: true,
            addr: None,
        };
        let default = || {
            decl.block.body.get_attribute("default").map(|a| {
                self.eval(&a.value, &var_scope)
                    .unwrap_or(Value::unknown(format!("var.{name}")))
            })
        };
        let given: Option<Value> = match &i.parent {
            None => self.root_inputs.borrow().get(name).cloned(),
            Some((pinst, ci, binds)) => {
                let pix = self.index_of(*pinst);
                let call = pix.and_then(|p| p.calls.get(*ci));
                match call.and_then(|c| c.decl.block.body.get_attribute(name).map(|a| (c, a))) {
                    Some((c, a)) => {
                        let pi = self.inst(*pinst);
                        let scope = Scope {
                            inst: *pinst,
                            file: c.decl.file,
                            anchor: c.decl.offset,
                            binds: binds.clone(),
                            in_try: false,
                            isolated: false,
                            addr: Some(Rc::from(format!("{}module.{}", pi.prefix, c.name))),
                        };
                        Some(
                            self.eval(&a.value, &scope)
                                .unwrap_or(Value::unknown(format!("var.{name}"))),
                        )
                    }
                    None => None,
                }
            }
        };
        let nullable = !matches!(
            decl.block.body.get_attribute("nullable").map(|a| &a.value),
            Some(Expression::Bool(b)) if !*b.value()
        );
        let raw = match given {
            Some(Value::Null) if !nullable => default().unwrap_or(Value::Null),
            Some(v) => v,
            None => default().unwrap_or_else(|| Value::unknown(format!("var.{name}"))),
        };
        let ty = self.var_type(inst, name);
        let value = match types::convert(raw.clone(), &ty) {
            Ok(v) => v,
            Err(msg) => {
                let f = self.file(decl.file);
                if let Some(f) = f {
                    self.note(
                        f.location(decl.offset),
                        Some(&format!("{}var.{name}", i.prefix)),
                        format!("value of var.{name} does not match its type: {msg}"),
                    );
                }
                raw
            }
        };
        if declared_sensitive(&decl.block.body) {
            crate::model::value::leaf_texts(&value, &mut self.secrets.borrow_mut());
        }
        let v = Rc::new(value);
        i.vars.borrow_mut().insert(name.to_string(), v.clone());
        Some(v)
    }

    /// `local.NAME` in module instance `inst`.
    fn local_value(&self, inst: InstId, name: &str, from: &Scope) -> Result<Rc<Value>, String> {
        let i = self.inst(inst);
        match i.locals.borrow().get(name) {
            Some(Slot::Done(v)) => return Ok(v.clone()),
            Some(Slot::Busy) => {
                return Err(format!("local.{name} depends on itself"));
            }
            None => {}
        }
        let ix = self.idx.get(i.def).ok_or("no module")?;
        let decl = *ix
            .locals
            .get(name)
            .ok_or_else(|| format!("reference to undeclared local value \"{name}\""))?;
        i.locals.borrow_mut().insert(name.to_string(), Slot::Busy);
        let scope = Scope {
            inst,
            file: decl.file,
            anchor: decl.attr.span().map(|s| s.start).unwrap_or(0),
            binds: None,
            in_try: false,
            isolated: false,
            addr: from.addr.clone(),
        };
        let v = self
            .eval(&decl.attr.value, &scope)
            .unwrap_or_else(|e| Value::unknown(e.text));
        let v = Rc::new(v);
        i.locals
            .borrow_mut()
            .insert(name.to_string(), Slot::Done(v.clone()));
        Ok(v)
    }

    /// Output `name` of module instance `inst`.
    fn output_value(&self, inst: InstId, name: &str) -> Option<Rc<Value>> {
        let i = self.inst(inst);
        if let Some(v) = i.outputs.borrow().get(name) {
            return Some(v.clone());
        }
        let ix = self.idx.get(i.def)?;
        let decl = *ix.outputs.get(name)?;
        let v = match decl.block.body.get_attribute("value") {
            Some(a) => {
                let scope = Scope {
                    inst,
                    file: decl.file,
                    anchor: decl.offset,
                    binds: None,
                    in_try: false,
                    isolated: false,
                    addr: Some(Rc::from(format!("{}output.{name}", i.prefix))),
                };
                self.eval(&a.value, &scope)
                    .unwrap_or_else(|e| Value::unknown(e.text))
            }
            None => Value::Null,
        };
        if declared_sensitive(&decl.block.body) {
            crate::model::value::leaf_texts(&v, &mut self.secrets.borrow_mut());
        }
        let v = Rc::new(v);
        i.outputs.borrow_mut().insert(name.to_string(), v.clone());
        Some(v)
    }

    fn all_outputs(&self, inst: InstId) -> Value {
        let Some(ix) = self.index_of(inst) else {
            return Value::Object(BTreeMap::new());
        };
        let mut out = BTreeMap::new();
        for name in ix.outputs.keys() {
            if let Some(v) = self.output_value(inst, name) {
                out.insert(name.to_string(), (*v).clone());
            }
        }
        Value::Object(out)
    }

    fn module_reference(
        &self,
        call: &str,
        rest: &[&TraversalOperator],
        scope: &Scope,
        expr: &Expression,
    ) -> R {
        let Some(ix) = self.index_of(scope.inst) else {
            return Ok(Value::unknown(self.text(scope, expr)));
        };
        let Some(&ci) = ix.call_lookup.get(call) else {
            return self.fail_expr(
                scope,
                expr,
                format!("reference to undeclared module \"{call}\""),
            );
        };
        let children = self.children(scope.inst, ci);
        let Children::Instances { keyed, items } = children.as_ref() else {
            return Ok(Value::unknown(self.text(scope, expr)));
        };
        let unknown = || Ok(Value::unknown(self.text(scope, expr)));
        if items.iter().any(|(k, _)| *k == InstKey::Unknown) {
            return unknown();
        }
        let output = |child: InstId, name: &str, more: &[&TraversalOperator]| -> R {
            match self.output_value(child, name) {
                Some(v) => self.apply_ops(&v, more, scope, expr),
                None => self.fail_expr(
                    scope,
                    expr,
                    format!("module \"{call}\" has no output \"{name}\""),
                ),
            }
        };
        let get = |i: usize| rest.get(i).copied();
        match (*keyed, get(0), get(1)) {
            (false, Some(TraversalOperator::GetAttr(o)), _) => match items.first() {
                Some((_, child)) => output(*child, o.as_str(), &rest[1..]),
                None => unknown(),
            },
            (true, Some(TraversalOperator::Index(ie)), Some(TraversalOperator::GetAttr(o))) => {
                let key = self.eval(ie, scope)?;
                if key.is_unknown() {
                    return unknown();
                }
                match items.iter().find(|(k, _)| k.matches(&key)) {
                    Some((_, child)) => output(*child, o.as_str(), &rest[2..]),
                    None => self.fail_expr(scope, expr, "no module instance with that key"),
                }
            }
            (
                true,
                Some(TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)),
                Some(TraversalOperator::GetAttr(o)),
            ) => {
                let mut out = Vec::new();
                for (_, child) in items {
                    out.push(output(*child, o.as_str(), &rest[2..])?);
                }
                Ok(Value::List(out))
            }
            _ => {
                let whole = if !*keyed {
                    match items.first() {
                        Some((_, child)) => self.all_outputs(*child),
                        None => Value::Null,
                    }
                } else if items.iter().all(|(k, _)| matches!(k, InstKey::Int(_))) {
                    Value::List(items.iter().map(|(_, c)| self.all_outputs(*c)).collect())
                } else {
                    Value::Object(
                        items
                            .iter()
                            .map(|(k, c)| {
                                let key = match k {
                                    InstKey::Str(s) => s.clone(),
                                    InstKey::Int(i) => i.to_string(),
                                    _ => String::new(),
                                };
                                (key, self.all_outputs(*c))
                            })
                            .collect(),
                    )
                };
                self.apply_ops(&whole, rest, scope, expr)
            }
        }
    }

    // ----- blocks --------------------------------------------------------
}

/// Stands for the account the code is applied in (the role's own).
const OWN_ACCOUNT_REF: &str = "${data.aws_caller_identity.current.account_id}";
/// Stands for the partition the code is applied in.
const PARTITION_REF: &str = "${data.aws_partition.current.partition}";

/// A computed attribute whose shape the provider fixes from the resource's
/// arguments: the ARN of an OIDC or SAML provider, a role or a user in the
/// account the code is applied in, a service principal's name. `None` when
/// an argument it needs is not written (a generated name, say).
fn constructed_attr(
    mode: Mode,
    rtype: &str,
    attr: &str,
    own_account: &str,
    written: &dyn Fn(&str) -> Option<Value>,
) -> Option<Value> {
    let iam_arn = |kind: &str, rest: String| {
        Value::String(format!(
            "arn:{PARTITION_REF}:iam::{own_account}:{kind}/{rest}"
        ))
    };
    let text = |name: &str| match written(name)? {
        Value::String(s) => Some(s),
        Value::Unknown(u) => Some(format!("${{{}}}", u.reason)),
        _ => None,
    };
    match (mode, rtype, attr) {
        (Mode::Managed, "aws_iam_openid_connect_provider", "arn" | "id")
        | (Mode::Data, "aws_iam_openid_connect_provider", "arn") => {
            let url = text("url")?;
            let host = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))
                .unwrap_or(&url);
            Some(iam_arn("oidc-provider", host.to_string()))
        }
        (Mode::Managed, "aws_iam_saml_provider", "arn" | "id") => {
            Some(iam_arn("saml-provider", text("name")?))
        }
        (Mode::Managed, "aws_iam_role" | "aws_iam_user", "arn") => {
            let name = text("name")?;
            let path = match written("path") {
                None | Some(Value::Null) => "/".to_string(),
                Some(_) => text("path")?,
            };
            let kind = if rtype == "aws_iam_role" {
                "role"
            } else {
                "user"
            };
            let path = path.strip_prefix('/').unwrap_or(&path).to_string();
            Some(iam_arn(kind, format!("{path}{name}")))
        }
        (Mode::Managed, "aws_iam_role" | "aws_iam_user", "id") => written("name"),
        (Mode::Data, "aws_iam_role", "arn") => Some(iam_arn("role", text("name")?)),
        (Mode::Data, "aws_service_principal", "name") => {
            let service = text("service_name")?;
            Some(Value::String(format!(
                "{service}.${{data.aws_partition.current.dns_suffix}}"
            )))
        }
        _ => None,
    }
}

/// `to` relative to `from`, with `/` separators (`.` when equal).
pub fn relative_path(from: &std::path::Path, to: &std::path::Path) -> String {
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..f.len() {
        parts.push("..".into());
    }
    for c in &t[common..] {
        parts.push(c.as_os_str().to_string_lossy().to_string());
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}
