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

mod expr;
mod instance;
mod limits;
mod policy_locs;
mod reference;

pub use expr::{hcl_number, to_bool, to_f64};
pub use instance::{Children, Expansion, Inst, InstKey};
pub use limits::{Budget, MAX_FOR_ITERATIONS, MAX_INSTANCES, MAX_STRING_BYTES, MAX_VALUE_NODES};
pub use policy_locs::{statement_count, statement_offsets};
pub use reference::relative_path;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::template::Template;

use crate::ingest::IngestNote;
use crate::model::location::Location;
use crate::model::value::Value;

use super::module::{ModuleIndex, Target};
use super::source::{FileId, SourceFile, Syntax};
use super::types::Ty;
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

/// Evaluates one root module and everything it calls.
pub struct Evaluator<'a> {
    pub scan: &'a Scan,
    files: RefCell<Vec<Arc<SourceFile>>>,
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

impl<'a> Evaluator<'a> {
    pub fn new(
        scan: &'a Scan,
        files: Vec<Arc<SourceFile>>,
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

    pub fn file(&self, id: FileId) -> Option<Arc<SourceFile>> {
        self.files.borrow().get(id).cloned()
    }

    /// Adds a file read during evaluation (tfvars, command-line values).
    pub fn add_file(&self, file: SourceFile) -> FileId {
        let mut files = self.files.borrow_mut();
        files.push(Arc::new(file));
        files.len() - 1
    }

    /// Every file read so far, configuration and evaluation alike.
    pub fn files_read(&self) -> Vec<Arc<SourceFile>> {
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
}
