//! The expression evaluator: Terraform semantics over the `hcl::edit` tree,
//! with unknowns.
//!
//! Why not `hcl::eval`: it has no unknown values (an unresolvable reference is
//! an error), evaluates `try`/`can` arguments eagerly, takes plain function
//! pointers (no scanned root for `file()`), and works on span-less trees. Here
//! every expression keeps its span, so an unknown carries the expression's
//! text and a note carries its file:line:col.
//!
//! Evaluation is lazy: only the resources whose type matters are evaluated,
//! and locals, variables, module outputs and other resources' attributes only
//! when something refers to them (each once, cached per module instance).
//! An evaluation error turns the failing expression into `Unknown` plus a note,
//! except inside `try`/`can`, where it travels up to be caught.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::PathBuf;
use std::rc::Rc;

use hcl::edit::Span;
use hcl::edit::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, Traversal, TraversalOperator,
    UnaryOperator,
};
use hcl::edit::structure::{Block, Body};
use hcl::edit::template::{Directive, Element, Strip, Template};

use crate::ingest::{IngestNote, Mode};
use crate::model::location::Location;
use crate::model::value::Value;

use super::functions::{self, FuncContext};
use super::module::{ModuleIndex, ResDecl, Target};
use super::source::{FileId, SourceFile, Syntax};
use super::types::{self, Ty};
use super::walk::Scan;

/// Deepest expression nesting (counting locals and outputs followed) the
/// evaluator follows before giving up on an expression.
pub const MAX_EVAL_DEPTH: usize = 400;

pub type InstId = usize;

/// Names bound by `for`, `dynamic` iterators, `each`, `count`, template
/// `for` and `templatefile`: a persistent list, innermost first.
pub struct Bind {
    name: String,
    value: Value,
    next: Bindings,
}
pub type Bindings = Option<Rc<Bind>>;

pub fn bind(b: &Bindings, name: &str, value: Value) -> Bindings {
    Some(Rc::new(Bind {
        name: name.to_string(),
        value,
        next: b.clone(),
    }))
}

fn lookup<'b>(b: &'b Bindings, name: &str) -> Option<&'b Value> {
    let mut cur = b.as_ref();
    while let Some(node) = cur {
        if node.name == name {
            return Some(&node.value);
        }
        cur = node.next.as_ref();
    }
    None
}

/// Where an expression is evaluated.
#[derive(Clone)]
pub struct Scope {
    pub inst: InstId,
    pub file: FileId,
    /// Offset of the enclosing block: the location of expressions without a
    /// span of their own (JSON syntax).
    pub anchor: usize,
    pub binds: Bindings,
    /// Inside `try`/`can`: errors propagate instead of becoming notes.
    pub in_try: bool,
    /// In a `templatefile` template: only the passed variables exist.
    pub isolated: bool,
    /// The address being evaluated, for notes.
    pub addr: Option<Rc<str>>,
}

/// An evaluation error on its way to a `try`, or to become a note.
#[derive(Debug, Clone)]
pub struct EvalErr {
    pub loc: Location,
    pub msg: String,
    pub text: String,
}

pub type R = Result<Value, EvalErr>;

/// An instance key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstKey {
    None,
    Int(i64),
    Str(String),
    /// `count`/`for_each` not known statically: one instance stands for all.
    Unknown,
}

impl InstKey {
    /// The address suffix: `[0]`, `["a"]`, `[*]`.
    pub fn suffix(&self) -> String {
        match self {
            InstKey::None => String::new(),
            InstKey::Int(i) => format!("[{i}]"),
            InstKey::Str(s) => format!("[{}]", quote_key(s)),
            InstKey::Unknown => "[*]".to_string(),
        }
    }

    fn matches(&self, v: &Value) -> bool {
        match (self, v) {
            (InstKey::Int(i), Value::Number(n)) => n.as_f64() == Some(*i as f64),
            (InstKey::Int(i), Value::String(s)) => s.parse::<i64>().ok() == Some(*i),
            (InstKey::Str(s), Value::String(k)) => s == k,
            (InstKey::Str(s), Value::Number(n)) => *s == n.to_string(),
            _ => false,
        }
    }
}

/// A string instance key as Terraform writes it in an address.
fn quote_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The instances `count` / `for_each` give.
pub struct Expansion {
    /// Whether the block has `count` or `for_each` (instances have keys).
    pub keyed: bool,
    pub items: Vec<(InstKey, Bindings)>,
}

enum Slot {
    Busy,
    Done(Rc<Value>),
}

/// One instance of a module (the root, or one per key of a module call).
pub struct Inst {
    pub def: usize,
    /// Static call path (`a.b`), the key of `.terraform/modules/modules.json`.
    pub keypath: String,
    /// Address prefix: `""` for the root, `module.a["x"].` below.
    pub prefix: String,
    /// The calling instance, the call's index in its module, and the call
    /// instance's `each`/`count`.
    pub parent: Option<(InstId, usize, Bindings)>,
    vars: RefCell<HashMap<String, Rc<Value>>>,
    locals: RefCell<HashMap<String, Slot>>,
    outputs: RefCell<HashMap<String, Rc<Value>>>,
    children: RefCell<HashMap<usize, Rc<Children>>>,
}

/// A module call's instances.
pub enum Children {
    Instances {
        keyed: bool,
        items: Vec<(InstKey, InstId)>,
    },
    /// Not scanned; values from it are unknown.
    Unavailable,
}

/// Evaluates one root module and everything it calls.
pub struct Evaluator<'a> {
    pub scan: &'a Scan,
    files: RefCell<Vec<Rc<SourceFile>>>,
    pub idx: &'a [ModuleIndex<'a>],
    targets: &'a HashMap<String, Target>,
    /// Canonical directory of the root module: Terraform's working directory,
    /// against which `file()` and `templatefile()` paths resolve.
    pub root_dir: PathBuf,
    /// Root variable values after precedence, before type conversion.
    pub root_inputs: RefCell<HashMap<String, Value>>,
    insts: RefCell<Vec<Rc<Inst>>>,
    notes: RefCell<Vec<IngestNote>>,
    seen_notes: RefCell<HashSet<(Location, String)>>,
    /// Policy JSON strings → where each of their statements is written.
    pub policy_locs: RefCell<HashMap<String, Rc<Vec<Location>>>>,
    depth: Cell<usize>,
    expansions: RefCell<HashMap<(InstId, usize), Rc<Expansion>>>,
    pub(super) docs: RefCell<HashMap<(InstId, usize, String), Value>>,
    templates: RefCell<HashMap<PathBuf, Rc<(FileId, Template)>>>,
    types: RefCell<HashMap<(usize, String), Rc<Ty>>>,
    /// The text of every value Terraform treats as sensitive (a variable or
    /// output declared `sensitive = true`, a `sensitive()` argument): judged
    /// like any value, redacted wherever it would be printed.
    pub secrets: RefCell<std::collections::BTreeSet<String>>,
    /// What this run may still spend, shared by every root module of it.
    pub budget: Cell<Budget>,
    /// The first limit hit: the run ends with it (exit 2), since what lies
    /// beyond the limit was not read.
    pub limit_hit: RefCell<Option<crate::error::Error>>,
    /// Resource attributes a plan already knows, by instance address: used
    /// before anything is built or left unknown.
    pub known_attrs: BTreeMap<String, Value>,
    /// Resource instances referred to whole, built once each (`None` while
    /// being built: a reference back to it is a cycle, and unknown).
    instance_objects: RefCell<HashMap<String, Option<Value>>>,
}

/// The most resource and module instances one run expands (`count`,
/// `for_each`, module calls, across every root module): past it the run
/// stops with an error naming the block, instead of growing without bound.
pub const MAX_INSTANCES: usize = 100_000;
/// The most `for` expression iterations one run evaluates (nested `for`s
/// multiply: three over `range(1024)` would be a billion).
pub const MAX_FOR_ITERATIONS: usize = 5_000_000;
/// The most string bytes one run builds by templates and function calls.
pub const MAX_STRING_BYTES: usize = 512 << 20;

/// The most value nodes (list and object elements, counted deep) one run
/// builds in list and object constructors and function results:
/// `[local.b, local.b]` chains double at each step.
pub const MAX_VALUE_NODES: usize = 4_000_000;

/// What a run may still spend: its limits, counted down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub instances: usize,
    pub for_iterations: usize,
    pub string_bytes: usize,
    pub value_nodes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            instances: MAX_INSTANCES,
            for_iterations: MAX_FOR_ITERATIONS,
            string_bytes: MAX_STRING_BYTES,
            value_nodes: MAX_VALUE_NODES,
        }
    }
}

/// Nodes in `v` (itself and every element, deep), counting no further than
/// `cap`.
fn weight(v: &Value, cap: usize) -> usize {
    let mut n = 1usize;
    match v {
        Value::List(items) => {
            for i in items {
                if n > cap {
                    break;
                }
                n += weight(i, cap - n);
            }
        }
        Value::Object(m) => {
            for i in m.values() {
                if n > cap {
                    break;
                }
                n += weight(i, cap - n);
            }
        }
        _ => {}
    }
    n
}

/// `sensitive = true` in a `variable` or `output` block.
fn declared_sensitive(body: &Body) -> bool {
    matches!(
        body.get_attribute("sensitive").map(|a| &a.value),
        Some(Expression::Bool(b)) if *b.value()
    )
}

fn strip_start(s: Strip) -> bool {
    matches!(s, Strip::Start | Strip::Both)
}
fn strip_end(s: Strip) -> bool {
    matches!(s, Strip::End | Strip::Both)
}

/// Resource attributes that are only known after apply, even when a block
/// of another type writes an argument of that name.
const COMPUTED_ATTRS: &[&str] = &["arn", "id", "unique_id", "tags_all", "create_date"];

impl<'a> Evaluator<'a> {
    pub fn new(
        scan: &'a Scan,
        files: Vec<Rc<SourceFile>>,
        idx: &'a [ModuleIndex<'a>],
        targets: &'a HashMap<String, Target>,
        root_dir: PathBuf,
    ) -> Self {
        Evaluator {
            scan,
            files: RefCell::new(files),
            idx,
            targets,
            root_dir,
            root_inputs: RefCell::new(HashMap::new()),
            insts: RefCell::new(Vec::new()),
            notes: RefCell::new(Vec::new()),
            seen_notes: RefCell::new(HashSet::new()),
            policy_locs: RefCell::new(HashMap::new()),
            depth: Cell::new(0),
            expansions: RefCell::new(HashMap::new()),
            docs: RefCell::new(HashMap::new()),
            templates: RefCell::new(HashMap::new()),
            types: RefCell::new(HashMap::new()),
            secrets: RefCell::new(std::collections::BTreeSet::new()),
            budget: Cell::new(Budget::default()),
            limit_hit: RefCell::new(None),
            known_attrs: BTreeMap::new(),
            instance_objects: RefCell::new(HashMap::new()),
        }
    }

    /// Creates the root module instance.
    pub fn add_root(&self, def: usize) -> InstId {
        self.new_inst(def, String::new(), String::new(), None)
    }

    fn new_inst(
        &self,
        def: usize,
        keypath: String,
        prefix: String,
        parent: Option<(InstId, usize, Bindings)>,
    ) -> InstId {
        let mut insts = self.insts.borrow_mut();
        insts.push(Rc::new(Inst {
            def,
            keypath,
            prefix,
            parent,
            vars: RefCell::new(HashMap::new()),
            locals: RefCell::new(HashMap::new()),
            outputs: RefCell::new(HashMap::new()),
            children: RefCell::new(HashMap::new()),
        }));
        insts.len() - 1
    }

    pub fn inst(&self, id: InstId) -> Rc<Inst> {
        let insts = self.insts.borrow();
        match insts.get(id) {
            Some(i) => i.clone(),
            // Ids only come from new_inst; fall back to the root.
            None => insts.first().cloned().unwrap_or_else(|| {
                Rc::new(Inst {
                    def: 0,
                    keypath: String::new(),
                    prefix: String::new(),
                    parent: None,
                    vars: RefCell::new(HashMap::new()),
                    locals: RefCell::new(HashMap::new()),
                    outputs: RefCell::new(HashMap::new()),
                    children: RefCell::new(HashMap::new()),
                })
            }),
        }
    }

    pub fn index_of(&self, inst: InstId) -> Option<&'a ModuleIndex<'a>> {
        self.idx.get(self.inst(inst).def)
    }

    pub fn file(&self, id: FileId) -> Option<Rc<SourceFile>> {
        self.files.borrow().get(id).cloned()
    }

    /// Adds a file read during evaluation (tfvars, command-line values).
    pub fn add_file(&self, file: SourceFile) -> FileId {
        let mut files = self.files.borrow_mut();
        files.push(Rc::new(file));
        files.len() - 1
    }

    /// Every file read so far, configuration and evaluation alike.
    pub fn files_read(&self) -> Vec<Rc<SourceFile>> {
        self.files.borrow().clone()
    }

    pub fn take_notes(&self) -> Vec<IngestNote> {
        std::mem::take(&mut *self.notes.borrow_mut())
    }

    // ----- locations, texts, notes ---------------------------------------

    /// The location of a span in the scope's file (or of the scope's block
    /// when the span does not belong to the file text).
    pub fn loc(&self, scope: &Scope, span: Option<Range<usize>>) -> Location {
        self.loc_in(scope.file, span, scope.anchor)
    }

    pub fn loc_in(&self, file: FileId, span: Option<Range<usize>>, anchor: usize) -> Location {
        match self.file(file) {
            Some(f) => {
                let offset = match (f.syntax, span) {
                    (Syntax::Native, Some(s)) => s.start,
                    _ => anchor,
                };
                f.location(offset)
            }
            None => Location::new("(unknown)", 1, 1),
        }
    }

    /// The source text of an expression (the reason of an unknown).
    pub fn text(&self, scope: &Scope, expr: &Expression) -> String {
        self.text_span(scope, expr.span(), || expr.to_string())
    }

    fn text_span(
        &self,
        scope: &Scope,
        span: Option<Range<usize>>,
        fallback: impl FnOnce() -> String,
    ) -> String {
        if let (Some(f), Some(span)) = (self.file(scope.file), span)
            && let Some(s) = f.snippet(&span)
        {
            return s.trim().to_string();
        }
        fallback().trim().to_string()
    }

    pub fn note(&self, location: Location, address: Option<&str>, message: String) {
        self.push_note(location, address, message, false);
    }

    /// A note about code the scan could not read at all.
    pub fn note_unscanned(&self, location: Location, address: Option<&str>, message: String) {
        self.push_note(location, address, message, true);
    }

    fn push_note(
        &self,
        location: Location,
        address: Option<&str>,
        message: String,
        unscanned: bool,
    ) {
        let key = (location.clone(), message.clone());
        if !self.seen_notes.borrow_mut().insert(key) {
            return;
        }
        self.notes.borrow_mut().push(IngestNote {
            location,
            address: address.map(str::to_string),
            message,
            unscanned,
        });
    }

    /// An evaluation error at `span`: caught by an enclosing `try`, else the
    /// value is unknown (reason `text`) and a note says why.
    fn fail(&self, scope: &Scope, span: Option<Range<usize>>, text: String, msg: String) -> R {
        let loc = self.loc(scope, span);
        if scope.in_try {
            return Err(EvalErr { loc, msg, text });
        }
        self.note(loc, scope.addr.as_deref(), format!("{text}: {msg}"));
        Ok(Value::unknown(text))
    }

    fn fail_expr(&self, scope: &Scope, expr: &Expression, msg: impl Into<String>) -> R {
        let text = self.text(scope, expr);
        self.fail(scope, expr.span(), text, msg.into())
    }

    // ----- expressions ---------------------------------------------------

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
                let text = match super::source::read_text(&canonical, &display) {
                    Ok(t) => t,
                    Err(e) => return self.fail_expr(scope, expr, format!("templatefile(): {e}")),
                };
                let parsed = super::source::within_parse_deadline(&display, &text, |t| {
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
                    files.push(Rc::new(SourceFile::new(display, text, Syntax::Native)));
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

    fn eval_traversal(&self, t: &Traversal, scope: &Scope, expr: &Expression) -> R {
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

    /// The instances of resource `ri` of module instance `inst`.
    pub fn resource_expansion(&self, inst: InstId, ri: usize) -> Rc<Expansion> {
        if let Some(e) = self.expansions.borrow().get(&(inst, ri)) {
            return e.clone();
        }
        let exp = match self.index_of(inst).and_then(|ix| ix.resources.get(ri)) {
            Some(res) => {
                let scope = self.resource_scope(inst, res, None, InstKey::None);
                self.expand(res.decl.block, &scope)
            }
            None => Expansion {
                keyed: false,
                items: Vec::new(),
            },
        };
        let exp = Rc::new(exp);
        self.expansions.borrow_mut().insert((inst, ri), exp.clone());
        exp
    }

    /// Expands `count` / `for_each` of a block, within the run's instance
    /// budget: past it, no instance and the limit recorded.
    pub fn expand(&self, block: &Block, scope: &Scope) -> Expansion {
        let exp = self.expand_unbounded(block, scope);
        if self.spend(exp.items.len(), block, scope) {
            exp
        } else {
            Expansion {
                keyed: exp.keyed,
                items: Vec::new(),
            }
        }
    }

    /// Takes `n` instances from the budget; `false` (and the limit recorded
    /// at `block`) when there are not that many left.
    fn spend(&self, n: usize, block: &Block, scope: &Scope) -> bool {
        let mut budget = self.budget.get();
        if n <= budget.instances && self.limit_hit.borrow().is_none() {
            budget.instances -= n;
            self.budget.set(budget);
            return true;
        }
        let what = scope.addr.as_deref().unwrap_or("a block");
        self.hit_limit(
            self.loc(scope, block.span()),
            format!(
                "{what} expands to {n} more instances, past the limit of {MAX_INSTANCES} resource and module instances per run (limit max_instances)"
            ),
        );
        false
    }

    /// Records the first limit hit; the run ends with it.
    fn hit_limit(&self, loc: Location, message: String) {
        if self.limit_hit.borrow().is_none() {
            *self.limit_hit.borrow_mut() = Some(crate::error::Error::at(
                &loc.file,
                loc.line,
                loc.column,
                format!("{message}: trustdrift stops rather than judge part of the configuration"),
            ));
        }
    }

    /// Spends evaluation work (`for` iterations, string bytes built) from the
    /// run's budget; past it, an error that ends the evaluation.
    fn spend_work(
        &self,
        iterations: usize,
        bytes: usize,
        scope: &Scope,
        expr: &Expression,
    ) -> Result<(), EvalErr> {
        let mut budget = self.budget.get();
        if iterations <= budget.for_iterations && bytes <= budget.string_bytes {
            budget.for_iterations -= iterations;
            budget.string_bytes -= bytes;
            self.budget.set(budget);
            return Ok(());
        }
        let loc = self.loc(scope, expr.span());
        let message = if iterations > budget.for_iterations {
            format!(
                "for expressions iterate more than {MAX_FOR_ITERATIONS} times in this run (limit max_for_iterations)"
            )
        } else {
            format!(
                "more than {} MiB of strings are built in this run (limit max_string_bytes)",
                MAX_STRING_BYTES >> 20
            )
        };
        self.hit_limit(loc.clone(), message.clone());
        Err(EvalErr {
            loc,
            msg: message,
            text: self.text(scope, expr),
        })
    }

    /// Spends the nodes of a value built by a constructor or a function.
    fn spend_nodes(&self, v: &Value, scope: &Scope, expr: &Expression) -> Result<(), EvalErr> {
        let mut budget = self.budget.get();
        let n = weight(v, budget.value_nodes);
        if n <= budget.value_nodes {
            budget.value_nodes -= n;
            self.budget.set(budget);
            return Ok(());
        }
        let loc = self.loc(scope, expr.span());
        let message = format!(
            "more than {MAX_VALUE_NODES} list and object elements are built in this run (limit max_value_nodes)"
        );
        self.hit_limit(loc.clone(), message.clone());
        Err(EvalErr {
            loc,
            msg: message,
            text: self.text(scope, expr),
        })
    }

    /// Once a limit is hit, evaluation stops everywhere at once.
    fn stopped(&self, scope: &Scope, expr: &Expression) -> Option<EvalErr> {
        self.limit_hit.borrow().as_ref().map(|e| EvalErr {
            loc: self.loc(scope, expr.span()),
            msg: e.to_string(),
            text: self.text(scope, expr),
        })
    }

    fn expand_unbounded(&self, block: &Block, scope: &Scope) -> Expansion {
        let body = &block.body;
        if let Some(count) = body.get_attribute("count") {
            let v = self
                .eval(&count.value, scope)
                .unwrap_or(Value::unknown("count"));
            let n = match &v {
                Value::Number(_) | Value::String(_) => to_f64(&v),
                _ => None,
            };
            return match n {
                // Past the budget: refused before anything is built.
                Some(n)
                    if n >= 0.0 && n.fract() == 0.0 && n > self.budget.get().instances as f64 =>
                {
                    self.spend(n as usize, block, scope);
                    Expansion {
                        keyed: true,
                        items: Vec::new(),
                    }
                }
                Some(n) if n >= 0.0 && n.fract() == 0.0 => Expansion {
                    keyed: true,
                    items: (0..n as i64)
                        .map(|i| {
                            let obj = Value::Object(BTreeMap::from([(
                                "index".to_string(),
                                Value::Number(i.into()),
                            )]));
                            (InstKey::Int(i), bind(&scope.binds, "count", obj))
                        })
                        .collect(),
                },
                _ => {
                    let text = self.text(scope, &count.value);
                    if !v.is_unknown() {
                        self.note(
                            self.loc(scope, count.value.span()),
                            scope.addr.as_deref(),
                            format!("count = {text} is not a whole number"),
                        );
                    }
                    self.unknown_expansion(scope, &text, "count")
                }
            };
        }
        if let Some(fe) = body.get_attribute("for_each") {
            let v = self
                .eval(&fe.value, scope)
                .unwrap_or(Value::unknown("for_each"));
            let pairs: Option<Vec<(String, Value)>> = match v {
                Value::Object(m) => Some(m.into_iter().collect()),
                Value::List(items) => {
                    let mut keys: Vec<String> = Vec::with_capacity(items.len());
                    let mut ok = true;
                    for i in items {
                        match i {
                            Value::String(s) => keys.push(s),
                            _ => ok = false,
                        }
                    }
                    if ok {
                        keys.sort();
                        keys.dedup();
                        Some(
                            keys.into_iter()
                                .map(|k| (k.clone(), Value::String(k)))
                                .collect(),
                        )
                    } else {
                        None
                    }
                }
                Value::Null => Some(Vec::new()),
                _ => None,
            };
            return match pairs {
                Some(pairs) => Expansion {
                    keyed: true,
                    items: pairs
                        .into_iter()
                        .map(|(k, val)| {
                            let obj = Value::Object(BTreeMap::from([
                                ("key".to_string(), Value::String(k.clone())),
                                ("value".to_string(), val),
                            ]));
                            (InstKey::Str(k), bind(&scope.binds, "each", obj))
                        })
                        .collect(),
                },
                None => {
                    let text = self.text(scope, &fe.value);
                    self.unknown_expansion(scope, &text, "for_each")
                }
            };
        }
        Expansion {
            keyed: false,
            items: vec![(InstKey::None, scope.binds.clone())],
        }
    }

    fn unknown_expansion(&self, scope: &Scope, text: &str, what: &str) -> Expansion {
        self.note(
            self.loc_in(scope.file, None, scope.anchor),
            scope.addr.as_deref(),
            format!(
                "{what} = {text} is not known statically: one instance [*] stands for all, with unknown keys"
            ),
        );
        let binds = bind(
            &scope.binds,
            "count",
            Value::Object(BTreeMap::from([(
                "index".to_string(),
                Value::unknown("count.index"),
            )])),
        );
        let binds = bind(
            &binds,
            "each",
            Value::Object(BTreeMap::from([
                ("key".to_string(), Value::unknown("each.key")),
                ("value".to_string(), Value::unknown("each.value")),
            ])),
        );
        Expansion {
            keyed: true,
            items: vec![(InstKey::Unknown, binds)],
        }
    }

    // ----- variables, locals, outputs, module calls ----------------------

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

    /// The instances of module call `ci` in module instance `inst`.
    pub fn children(&self, inst: InstId, ci: usize) -> Rc<Children> {
        let i = self.inst(inst);
        if let Some(c) = i.children.borrow().get(&ci) {
            return c.clone();
        }
        let made = Rc::new(self.make_children(inst, &i, ci));
        i.children.borrow_mut().insert(ci, made.clone());
        made
    }

    fn make_children(&self, inst: InstId, i: &Inst, ci: usize) -> Children {
        let Some(ix) = self.idx.get(i.def) else {
            return Children::Unavailable;
        };
        let Some(call) = ix.calls.get(ci) else {
            return Children::Unavailable;
        };
        let keypath = if i.keypath.is_empty() {
            call.name.to_string()
        } else {
            format!("{}.{}", i.keypath, call.name)
        };
        let call_addr = format!("{}module.{}", i.prefix, call.name);
        let def = match self.targets.get(&keypath) {
            Some(Target::Module(d)) => *d,
            Some(Target::NotScanned(msg)) => {
                self.note_unscanned(
                    self.loc_in(call.decl.file, call.decl.block.span(), call.decl.offset),
                    Some(&call_addr),
                    msg.clone(),
                );
                return Children::Unavailable;
            }
            None => return Children::Unavailable,
        };
        let scope = Scope {
            inst,
            file: call.decl.file,
            anchor: call.decl.offset,
            binds: None,
            in_try: false,
            isolated: false,
            addr: Some(Rc::from(call_addr.clone())),
        };
        let exp = self.expand(call.decl.block, &scope);
        let mut items = Vec::with_capacity(exp.items.len());
        for (key, binds) in exp.items {
            let prefix = format!("{call_addr}{}.", key.suffix());
            let id = self.new_inst(def, keypath.clone(), prefix, Some((inst, ci, binds)));
            items.push((key, id));
        }
        Children::Instances {
            keyed: exp.keyed,
            items,
        }
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

    /// The blocks of type `name` in `body`, written or generated by
    /// `dynamic "name"`, in order, each with the scope its content sees.
    /// `Err` holds the text of a `for_each` that is not known.
    pub fn blocks_named<'b>(
        &self,
        body: &'b Body,
        name: &str,
        scope: &Scope,
    ) -> Result<Vec<(&'b Block, Scope)>, String> {
        let mut out = Vec::new();
        for block in body.blocks() {
            let ident = block.ident.as_str();
            if ident == name {
                out.push((block, scope.clone()));
                continue;
            }
            if ident != "dynamic" || block.labels.first().map(|l| l.as_str()) != Some(name) {
                continue;
            }
            let Some(content) = block.body.get_blocks("content").next() else {
                continue;
            };
            let iterator = match block.body.get_attribute("iterator").map(|a| &a.value) {
                Some(Expression::Variable(v)) => v.as_str().to_string(),
                Some(Expression::String(s)) => s.value().to_string(),
                _ => name.to_string(),
            };
            let Some(fe) = block.body.get_attribute("for_each") else {
                continue;
            };
            let mut dyn_scope = scope.clone();
            if let Some(off) = block.span().map(|s| s.start) {
                dyn_scope.anchor = off;
            }
            let v = self
                .eval(&fe.value, &dyn_scope)
                .unwrap_or_else(|e| Value::unknown(e.text));
            let pairs: Vec<(Value, Value)> = match v {
                Value::List(items) => items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (Value::Number((i as u64).into()), v))
                    .collect(),
                Value::Object(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
                Value::Null => Vec::new(),
                Value::Unknown(_) => return Err(self.text(scope, &fe.value)),
                _ => {
                    self.note(
                        self.loc(scope, fe.value.span()),
                        scope.addr.as_deref(),
                        format!("dynamic \"{name}\": for_each must be a list, set or map"),
                    );
                    return Err(self.text(scope, &fe.value));
                }
            };
            for (k, v) in pairs {
                let obj = Value::Object(BTreeMap::from([
                    ("key".to_string(), k),
                    ("value".to_string(), v),
                ]));
                let mut inner = dyn_scope.clone();
                inner.binds = bind(&inner.binds, &iterator, obj);
                out.push((content, inner));
            }
        }
        Ok(out)
    }

    /// A block body as a plan would show it: attributes, and nested blocks as
    /// lists of objects.
    pub fn body_value(&self, body: &Body, scope: &Scope, top: bool) -> BTreeMap<String, Value> {
        const META: &[&str] = &["count", "for_each", "provider", "depends_on"];
        const META_BLOCKS: &[&str] = &[
            "lifecycle",
            "provisioner",
            "connection",
            "dynamic",
            "content",
        ];
        let mut out = BTreeMap::new();
        for attr in body.attributes() {
            let key = attr.key.as_str();
            if top && META.contains(&key) {
                continue;
            }
            let v = self
                .eval(&attr.value, scope)
                .unwrap_or_else(|e| Value::unknown(e.text));
            out.insert(key.to_string(), v);
        }
        let mut names: Vec<&str> = Vec::new();
        for b in body.blocks() {
            let n = if b.ident.as_str() == "dynamic" {
                match b.labels.first() {
                    Some(l) => l.as_str(),
                    None => continue,
                }
            } else {
                b.ident.as_str()
            };
            if (b.ident.as_str() == "dynamic" || !META_BLOCKS.contains(&n)) && !names.contains(&n) {
                names.push(n);
            }
        }
        for n in names {
            match self.blocks_named(body, n, scope) {
                Ok(blocks) => {
                    let items = blocks
                        .into_iter()
                        .map(|(b, s)| Value::Object(self.body_value(&b.body, &s, false)))
                        .collect();
                    out.insert(n.to_string(), Value::List(items));
                }
                Err(reason) => {
                    out.insert(n.to_string(), Value::unknown(reason));
                }
            }
        }
        out
    }

    // ----- statement locations -------------------------------------------

    /// Remembers where the statements of a policy built by
    /// `jsonencode({... Statement = [{...}, ...]})` are written.
    fn register_jsonencode(&self, scope: &Scope, arg: &Expression, json: &str) {
        let Expression::Object(obj) = arg else {
            return;
        };
        let statements = obj.iter().find_map(|(k, v)| {
            let key = match k {
                ObjectKey::Ident(i) => i.as_str(),
                ObjectKey::Expression(Expression::String(s)) => s.value().as_str(),
                _ => return None,
            };
            (key == "Statement").then(|| v.expr())
        });
        let Some(Expression::Array(items)) = statements else {
            return;
        };
        let locs: Vec<Location> = items.iter().map(|e| self.loc(scope, e.span())).collect();
        if statement_count(json) == Some(locs.len()) {
            self.policy_locs
                .borrow_mut()
                .entry(json.to_string())
                .or_insert_with(|| Rc::new(locs));
        }
    }

    /// Remembers where the statements of a heredoc JSON policy are written.
    fn register_heredoc(&self, scope: &Scope, expr: &Expression, rendered: &str) {
        let (Some(f), Some(span)) = (self.file(scope.file), expr.span()) else {
            return;
        };
        let Some(src) = f.snippet(&span) else {
            return;
        };
        if !src.contains("Statement") {
            return;
        }
        let offsets = statement_offsets(src);
        if offsets.is_empty() || statement_count(rendered) != Some(offsets.len()) {
            return;
        }
        let locs = offsets.iter().map(|o| f.location(span.start + o)).collect();
        self.policy_locs
            .borrow_mut()
            .entry(rendered.to_string())
            .or_insert_with(|| Rc::new(locs));
    }
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

fn kind(v: &Value) -> &'static str {
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

/// `to` relative to `from`, with `/` separators (`.` when equal).
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

/// How many statements a JSON policy string holds.
pub fn statement_count(json: &str) -> Option<usize> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    match v.get("Statement")? {
        serde_json::Value::Array(a) => Some(a.len()),
        serde_json::Value::Object(_) => Some(1),
        _ => None,
    }
}

/// Byte offsets (in `src`) of the objects of the `"Statement"` array of a
/// JSON policy written in source text (a heredoc). Strings and `${…}` are
/// skipped; an unexpected shape gives no offsets.
pub fn statement_offsets(src: &str) -> Vec<usize> {
    let bytes = src.as_bytes();
    let Some(key) = src.find("\"Statement\"") else {
        return Vec::new();
    };
    let mut i = key + "\"Statement\"".len();
    while i < bytes.len() && (bytes[i] as char).is_whitespace() {
        i += 1;
    }
    if bytes.get(i) != Some(&b':') {
        return Vec::new();
    }
    i += 1;
    while i < bytes.len() && (bytes[i] as char).is_whitespace() {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'{') => return vec![i],
        Some(b'[') => {}
        _ => return Vec::new(),
    }
    let mut out = Vec::new();
    let mut depth = 0usize; // depth inside the array
    let mut in_str = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
        } else {
            match c {
                b'"' => in_str = true,
                b'[' | b'{' => {
                    if depth == 1 && c == b'{' {
                        out.push(i);
                    }
                    depth += 1;
                }
                b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return out;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    out
}
