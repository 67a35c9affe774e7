//! Module instances and expansion: `count`, `for_each`, module calls and
//! `dynamic` blocks.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Block, Body};

use crate::ingest::hcl::module::{ModuleIndex, Target};
use crate::model::value::Value;

use super::expr::to_f64;
use super::{Bindings, Evaluator, InstId, Scope, bind};

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

    pub(super) fn matches(&self, v: &Value) -> bool {
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

pub(super) enum Slot {
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
    pub(super) vars: RefCell<HashMap<String, Rc<Value>>>,
    pub(super) locals: RefCell<HashMap<String, Slot>>,
    pub(super) outputs: RefCell<HashMap<String, Rc<Value>>>,
    pub(super) children: RefCell<HashMap<usize, Rc<Children>>>,
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

impl<'a> Evaluator<'a> {
    /// Creates the root module instance.
    pub fn add_root(&self, def: usize) -> InstId {
        self.add_root_at(def, String::new())
    }

    /// A root module whose addresses all start with `prefix` (`envs/dev/`):
    /// when one scan holds several root modules, the same address in two of
    /// them names two different resources.
    pub fn add_root_at(&self, def: usize, prefix: String) -> InstId {
        self.new_inst(def, String::new(), prefix, None)
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
}
