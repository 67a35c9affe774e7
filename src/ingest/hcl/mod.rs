//! Terraform HCL: walk, parse, evaluate, functions, modules, policy documents.
//! Evaluated resources become [`ResourceInstance`](super::ResourceInstance)s
//! with the same attribute shape a plan would give.
//!
//! [`load`] takes a directory (walked recursively) or one `.tf` / `.tf.json`
//! file. In a directory, every folder holding configuration is a module; the
//! folders no other scanned folder calls as a local module are the root
//! modules, each evaluated on its own (with its own tfvars).

pub mod eval;
pub mod functions;
pub mod json_syntax;
pub mod module;
pub mod overrides;
pub mod policy_document;
pub mod refused;
pub mod source;
mod stream;
pub mod types;
pub mod walk;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use rayon::prelude::*;

use hcl::edit::Span;
use hcl::edit::expr::Expression;

use crate::error::{Error, Result};
use crate::ingest::{Ingested, Mode, Provenance, ResourceInstance, SourceKind, is_relevant_type};
use crate::model::location::Location;
use crate::model::value::Value;

use eval::{Budget, Children, Evaluator, InstId};
use module::{Loader, ModuleIndex};
use source::{SourceFile, Syntax, display_path};

/// Input values from the command line and the environment.
#[derive(Debug, Clone, Default)]
pub struct HclOptions {
    /// `--var` and `--var-file`, in command-line order: as in Terraform, a
    /// later one overrides an earlier one.
    pub inputs: Vec<CliInput>,
    /// `TF_VAR_*` (name without the prefix), already filtered by the caller.
    pub env_vars: Vec<(String, String)>,
    /// `--root`: where local module sources and `file()` may reach. Without
    /// it, the repository that holds the scanned path (or that path itself).
    pub root: Option<PathBuf>,
    /// `--code`: the Terraform code of a plan given as input, evaluated for
    /// the roles whose trust the plan only knows after apply.
    pub code: Option<PathBuf>,
    /// A plan's values, when code is evaluated for that plan: its variables
    /// are the root module's inputs, its known attributes are used as such.
    pub plan_values: Option<crate::ingest::plan::PlanValues>,
}

/// One input value option from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliInput {
    /// `--var NAME=VALUE`.
    Var { name: String, value: String },
    /// `--var-file FILE`.
    File(PathBuf),
}

/// Stack for the evaluation thread: deep but bounded recursion (the parser
/// and the evaluator both limit nesting) fits comfortably.
const STACK_SIZE: usize = 256 * 1024 * 1024;

/// Reads the Terraform configuration at `path` (a directory or a single
/// `.tf` / `.tf.json` file) into resource instances.
pub fn load(path: &Path, opts: &HclOptions) -> Result<Ingested> {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("trustdrift-hcl".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, || load_here(path, opts));
        match handle {
            Ok(h) => h.join().unwrap_or_else(|_| {
                Err(Error::file(
                    display_path(path),
                    "internal error while reading Terraform configuration",
                ))
            }),
            Err(_) => load_here(path, opts),
        }
    })
}

/// Environment variable: how many threads read, parse and evaluate. `1` gives a
/// single-threaded run; the output is the same bytes either way.
pub const THREADS_ENV: &str = "TRUSTDRIFT_THREADS";

/// The threads for this run: `TRUSTDRIFT_THREADS` when it is a whole number
/// above zero, else one per core.
pub fn thread_count() -> usize {
    std::env::var(THREADS_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Stack for a thread that reads and parses files (the parse itself runs
/// on a thread of its own, see [`source::within_parse_deadline`]).
const READ_STACK_SIZE: usize = 16 * 1024 * 1024;

/// A rayon pool of [`thread_count`] threads with stacks of `stack` bytes;
/// `None` (work stays on the calling thread) when the system will not start
/// one.
fn worker_pool(stack: usize) -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(thread_count())
        .stack_size(stack)
        .thread_name(|i| format!("trustdrift-worker-{i}"))
        .build()
        .ok()
}

fn load_here(path: &Path, opts: &HclOptions) -> Result<Ingested> {
    let scan = walk::scan(path)?.with_boundary(opts.root.as_deref())?;
    if scan.dirs.is_empty() {
        return Err(nothing_to_check(&scan));
    }
    if scan.single_file.is_none()
        && let Some(out) = stream::load(&scan, opts)
    {
        return out;
    }
    load_all_at_once(&scan, opts)
}

/// Reads every directory, then evaluates every root module: the way a run
/// that [`stream::load`] leaves (an error, a limit) is read, so that it
/// ends as it always has.
fn load_all_at_once(scan: &walk::Scan, opts: &HclOptions) -> Result<Ingested> {
    let mut notes = scan.notes.clone();
    let mut loader = Loader::new(scan);
    // Threads only where there are files to share among them: a single file
    // is read as before, on this thread.
    let to_read: usize = scan.dirs.values().map(Vec::len).sum();
    if thread_count() > 1
        && to_read > 1
        && let Some(pool) = worker_pool(READ_STACK_SIZE)
    {
        pool.install(|| loader.preparse(scan.dirs.keys().map(PathBuf::as_path)));
    }
    let mut walked = Vec::new();
    for dir in scan.dirs.keys() {
        walked.push(loader.load_dir(dir)?);
    }
    let roots: Vec<usize> = if scan.single_file.is_some() {
        walked.clone()
    } else {
        let mut called: BTreeSet<PathBuf> = BTreeSet::new();
        for &d in &walked {
            for target in loader.local_calls(d) {
                if loader.defs.get(d).map(|x| &x.dir) != Some(&target) {
                    called.insert(target);
                }
            }
        }
        let roots: Vec<usize> = walked
            .iter()
            .copied()
            .filter(|&d| loader.defs.get(d).is_some_and(|x| !called.contains(&x.dir)))
            .collect();
        if roots.is_empty() {
            walked.first().copied().into_iter().collect()
        } else {
            roots
        }
    };
    let mut trees = Vec::new();
    for &r in &roots {
        trees.push((r, loader.resolve_calls(r, &mut notes)?));
    }
    notes.append(&mut loader.notes);
    source::end_parse_thread();
    let files = std::mem::take(&mut loader.files);
    let defs = std::mem::take(&mut loader.defs);
    let indexes: Vec<ModuleIndex<'_>> = defs.iter().map(ModuleIndex::build).collect();
    for ix in &indexes {
        ix.check_local_cycles(&files)?;
    }
    let files: Vec<Arc<SourceFile>> = files.into_inner();

    let run = RunContext {
        scan,
        files: &files,
        indexes: &indexes,
        defs: &defs,
        opts,
        several_roots: trees.len() > 1,
    };
    let full = Budget::default();
    // Every root evaluated at once, each as if it came first (with the whole
    // budget); see `evaluate_roots`.
    // Evaluating needs the evaluation thread's deep stack: that pool is
    // started only when there are roots to share among threads.
    let pool = (thread_count() > 1 && trees.len() > 1)
        .then(|| worker_pool(STACK_SIZE))
        .flatten();
    let ahead: Vec<Option<Result<Option<RootOutcome>>>> = match &pool {
        Some(pool) => pool.install(|| {
            trees
                .par_iter()
                .map(|(root, targets)| Some(run.evaluate(*root, targets, full)))
                .collect()
        }),
        _ => trees.iter().map(|_| None).collect(),
    };
    let mut out = Ingested::default();
    let mut budget = full;
    let mut sources_taken = false;
    for ((root, targets), ahead) in trees.iter().zip(ahead) {
        // A root evaluated ahead stands when it is what this root gives after
        // the ones before it: it started with the same budget, or it hit no
        // limit and spent no more than is left. Otherwise it is evaluated
        // again with what is left, as a single thread would.
        let outcome = match ahead {
            Some(Ok(Some(o))) if o.from == budget || o.limit_hit.is_none() && o.fits(budget) => {
                Some(o)
            }
            Some(Err(e)) if budget == full => return Err(e),
            Some(Ok(None)) => None,
            _ => run.evaluate(*root, targets, budget)?,
        };
        let Some(outcome) = outcome else {
            continue;
        };
        if let Some(e) = outcome.limit_hit {
            return Err(e);
        }
        budget = outcome.left_after(budget);
        out.instances.extend(outcome.instances);
        out.refused.extend(outcome.refused);
        out.moves.extend(outcome.moves);
        notes.extend(outcome.notes);
        out.secrets.extend(outcome.secrets);
        // The scanned files once, then what this root read besides them
        // (templates, tfvars): not every file again for every root.
        let read_before = if sources_taken { outcome.scanned } else { 0 };
        sources_taken = true;
        for f in outcome.files_read.iter().skip(read_before) {
            if f.syntax == Syntax::Native && !out.sources.contains_key(&f.display) {
                out.sources.insert(f.display.clone(), f.text.clone());
            }
        }
    }
    out.notes = notes;
    // The parsed trees are no longer needed: freeing them (a good part of
    // the load's time on a large tree) is shared among the evaluation
    // threads, and done before what comes next allocates.
    drop(indexes);
    match &pool {
        Some(pool) => pool.install(|| defs.into_par_iter().for_each(drop)),
        None => drop(defs),
    }
    Ok(out)
}

/// What every root module of a run reads and shares.
struct RunContext<'r, 'a> {
    scan: &'r walk::Scan,
    files: &'r [Arc<SourceFile>],
    indexes: &'r [ModuleIndex<'a>],
    defs: &'r [module::ModuleDef],
    opts: &'r HclOptions,
    /// More than one root module: each root's addresses start with its
    /// directory (relative to the scanned one), so that `envs/dev` and
    /// `envs/prod` both keep their `aws_iam_role.app`.
    several_roots: bool,
}

/// What one root module gives, evaluated from a given budget.
struct RootOutcome {
    instances: Vec<ResourceInstance>,
    refused: Vec<crate::model::inventory::Refused>,
    moves: Vec<(String, String)>,
    notes: Vec<crate::ingest::IngestNote>,
    secrets: BTreeSet<String>,
    files_read: Vec<Arc<SourceFile>>,
    /// How many of `files_read` were given to it (the configuration files
    /// read before it): the rest it read itself (tfvars, templates).
    scanned: usize,
    /// The budget it started from, and what was left of it at the end.
    from: Budget,
    left: Budget,
    /// The first limit hit: the run ends with it.
    limit_hit: Option<Error>,
}

impl RootOutcome {
    /// What it spent.
    fn spent(&self) -> Budget {
        Budget {
            instances: self.from.instances.saturating_sub(self.left.instances),
            for_iterations: self
                .from
                .for_iterations
                .saturating_sub(self.left.for_iterations),
            string_bytes: self
                .from
                .string_bytes
                .saturating_sub(self.left.string_bytes),
            value_nodes: self.from.value_nodes.saturating_sub(self.left.value_nodes),
        }
    }

    /// Whether what it spent is within `left`.
    fn fits(&self, left: Budget) -> bool {
        let spent = self.spent();
        spent.instances <= left.instances
            && spent.for_iterations <= left.for_iterations
            && spent.string_bytes <= left.string_bytes
            && spent.value_nodes <= left.value_nodes
    }

    /// The budget left after it, had it started from `left`.
    fn left_after(&self, left: Budget) -> Budget {
        let spent = self.spent();
        Budget {
            instances: left.instances.saturating_sub(spent.instances),
            for_iterations: left.for_iterations.saturating_sub(spent.for_iterations),
            string_bytes: left.string_bytes.saturating_sub(spent.string_bytes),
            value_nodes: left.value_nodes.saturating_sub(spent.value_nodes),
        }
    }
}

impl RunContext<'_, '_> {
    /// Evaluates root module `root` from `budget`. `None` when there is no
    /// such module.
    fn evaluate(
        &self,
        root: usize,
        targets: &HashMap<String, module::Target>,
        budget: Budget,
    ) -> Result<Option<RootOutcome>> {
        let Some(root_def) = self.defs.get(root) else {
            return Ok(None);
        };
        let mut ev = Evaluator::new(
            self.scan,
            self.files.to_vec(),
            self.indexes,
            targets,
            root_def.dir.clone(),
        );
        ev.budget.set(budget);
        if let Some(plan) = &self.opts.plan_values {
            ev.known_attrs = plan.resources.clone();
        }
        // A plan's values name addresses without a root: only code read on
        // its own is told apart by root.
        let label = if self.several_roots && self.opts.plan_values.is_none() {
            match eval::relative_path(&self.scan.root, &root_def.dir).as_str() {
                "." => String::new(),
                rel => format!("{rel}/"),
            }
        } else {
            String::new()
        };
        let root_inst = ev.add_root_at(root, label.clone());
        let inputs = match &self.opts.plan_values {
            // A plan's variables are the values Terraform settled on.
            Some(plan) => plan
                .variables
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            None => root_inputs(&ev, root_inst, self.scan, &root_def.dir, self.opts)?,
        };
        *ev.root_inputs.borrow_mut() = inputs;
        let mut instances = Vec::new();
        let mut refused = Vec::new();
        emit(&ev, root_inst, &mut instances, &mut refused);
        let moves = moved_blocks(&ev, root_inst, root_def)
            .into_iter()
            .map(|(from, to)| (format!("{label}{from}"), format!("{label}{to}")))
            .collect();
        let limit_hit = ev.limit_hit.borrow_mut().take();
        let secrets = std::mem::take(&mut *ev.secrets.borrow_mut());
        Ok(Some(RootOutcome {
            instances,
            refused,
            moves,
            notes: ev.take_notes(),
            secrets,
            files_read: ev.files_read(),
            scanned: self.files.len(),
            from: budget,
            left: ev.budget.get(),
            limit_hit,
        }))
    }
}

/// A directory with no configuration in it is an error, not a clean run:
/// the gate would pass on nothing. Where plan JSON sits there, say that it
/// is read as a file.
fn nothing_to_check(scan: &walk::Scan) -> Error {
    let mut json: Vec<String> = std::fs::read_dir(&scan.root)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    json.sort();
    let mut message = "no Terraform configuration here: expected .tf or .tf.json files in this \
                       directory or below it"
        .to_string();
    if let Some(first) = json.first() {
        let shown = source::display_join(&scan.root_display, first);
        message.push_str(&format!(
            "; if {first} is the output of `terraform show -json`, pass it as a file: trustdrift check {shown}"
        ));
    }
    Error::file(&scan.root_display, message)
}

/// The root module's `moved { from = A  to = B }` blocks, as addresses.
fn moved_blocks(
    ev: &Evaluator<'_>,
    root: InstId,
    def: &module::ModuleDef,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (fi, body) in def.bodies.iter().enumerate() {
        let Some(file) = def.files.get(fi).copied() else {
            continue;
        };
        for block in body.blocks().filter(|b| b.ident.as_str() == "moved") {
            let scope = ev.constant_scope_in(root, file);
            let text = |name: &str| {
                block
                    .body
                    .get_attribute(name)
                    .map(|a| ev.text(&scope, &a.value).trim().to_string())
            };
            if let (Some(from), Some(to)) = (text("from"), text("to")) {
                out.push((from, to));
            }
        }
    }
    out
}

// ----- variables -------------------------------------------------------------

/// Root variable values in Terraform's precedence: environment, then
/// `terraform.tfvars(.json)`, then `*.auto.tfvars(.json)` by name, then
/// `--var-file`, then `--var`; later ones win.
fn root_inputs(
    ev: &Evaluator<'_>,
    root: InstId,
    scan: &walk::Scan,
    root_dir: &Path,
    opts: &HclOptions,
) -> Result<HashMap<String, Value>> {
    let mut m = HashMap::new();
    for (name, raw) in &opts.env_vars {
        if let Some(v) = cli_value(ev, root, name, raw, &format!("TF_VAR_{name}")) {
            m.insert(name.clone(), v);
        }
    }
    let mut tfvars: Vec<PathBuf> = scan.tfvars.get(root_dir).cloned().unwrap_or_default();
    let rank = |p: &PathBuf| {
        let n = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let first = match n.as_str() {
            "terraform.tfvars" => 0,
            "terraform.tfvars.json" => 1,
            _ => 2,
        };
        (first, n)
    };
    tfvars.sort_by_key(rank);
    for f in &tfvars {
        let display = scan.display(f);
        m.extend(read_tfvars(ev, root, f, &display)?);
    }
    for input in &opts.inputs {
        match input {
            CliInput::File(f) => {
                let display = display_path(f);
                m.extend(read_tfvars(ev, root, f, &display)?);
            }
            CliInput::Var { name, value } => {
                if let Some(v) = cli_value(ev, root, name, value, &format!("--var {name}")) {
                    m.insert(name.clone(), v);
                } else if ev.root_var_type(root, name).is_none() {
                    ev.note(
                        Location::new("--var", 1, 1),
                        None,
                        format!(
                            "--var {name}: no variable \"{name}\" is declared in the root module"
                        ),
                    );
                }
            }
        }
    }
    Ok(m)
}

/// A value given as text (`--var`, `TF_VAR_`): raw for primitive types,
/// an HCL expression for collections and objects.
fn cli_value(
    ev: &Evaluator<'_>,
    root: InstId,
    name: &str,
    raw: &str,
    origin: &str,
) -> Option<Value> {
    let ty = ev.root_var_type(root, name)?;
    if types::is_primitive(&ty) {
        return Some(Value::String(raw.to_string()));
    }
    let file = ev.add_file(SourceFile::new(
        origin.to_string(),
        raw.to_string(),
        Syntax::Native,
    ));
    match hcl::edit::parser::parse_expr(raw.trim()) {
        Ok(expr) => {
            let scope = ev.constant_scope_in(root, file);
            Some(
                ev.eval(&expr, &scope)
                    .unwrap_or_else(|e| Value::unknown(e.text)),
            )
        }
        Err(e) => {
            ev.note(
                Location::new(origin, 1, e.location().column() as u32),
                None,
                format!("{origin}: not a valid value: {}", e.message()),
            );
            None
        }
    }
}

/// Reads a tfvars file (native or JSON syntax).
fn read_tfvars(
    ev: &Evaluator<'_>,
    root: InstId,
    path: &Path,
    display: &str,
) -> Result<HashMap<String, Value>> {
    let text = source::read_text(path, display)?;
    let mut out = HashMap::new();
    if display.ends_with(".json") {
        let json = json_syntax::parse_json(display, &text)?;
        let serde_json::Value::Object(map) = json else {
            return Err(Error::at(
                display,
                1,
                1,
                "a .tfvars.json file must hold a JSON object",
            ));
        };
        for (k, v) in map {
            out.insert(k, Value::from_json(v));
        }
        return Ok(out);
    }
    let (body, _duplicates) = source::parse_native(display, &text)?;
    let file = ev.add_file(SourceFile::new(display.to_string(), text, Syntax::Native));
    let scope = ev.constant_scope_in(root, file);
    for attr in body.attributes() {
        let v = ev
            .eval(&attr.value, &scope)
            .unwrap_or_else(|e| Value::unknown(e.text));
        out.insert(attr.key.as_str().to_string(), v);
    }
    Ok(out)
}

// ----- output ----------------------------------------------------------------

/// Emits the relevant resource instances of `inst` and, below it, of every
/// module instance it calls.
fn emit(
    ev: &Evaluator<'_>,
    inst: InstId,
    out: &mut Vec<ResourceInstance>,
    refused_out: &mut Vec<crate::model::inventory::Refused>,
) {
    let Some(ix) = ev.index_of(inst) else {
        return;
    };
    for (ri, res) in ix.resources.iter().enumerate() {
        if !is_relevant_type(res.rtype) {
            continue;
        }
        let base = ev.resource_scope(inst, res, None, eval::InstKey::None);
        refused::check(ev, res, base.addr.as_deref().unwrap_or(""), refused_out);
        let exp = ev.resource_expansion(inst, ri);
        for (key, binds) in &exp.items {
            let scope = ev.resource_scope(inst, res, binds.clone(), key.clone());
            let address = scope.addr.as_deref().unwrap_or("").to_string();
            let block_loc = ev.loc_in(res.decl.file, res.decl.block.span(), res.decl.offset);
            let mut prov = Provenance::new(SourceKind::Hcl, block_loc.clone());
            let body = &res.decl.block.body;
            for attr in body.attributes() {
                prov.attrs.insert(
                    attr.key.as_str().to_string(),
                    ev.loc_in(res.decl.file, attr.span(), res.decl.offset),
                );
            }
            // Arguments an override file replaced are written there.
            if let Some(merged) = ix.def.overridden.get(&(res.decl.file, res.decl.offset)) {
                for (key, file, span) in merged {
                    prov.attrs
                        .insert(key.clone(), ev.loc_in(*file, span.clone(), 0));
                }
            }
            let becomes = crate::ingest::types::lookup(res.mode, res.rtype).map(|t| t.becomes);
            let attrs = if becomes == Some(crate::ingest::types::Becomes::PolicyDocument) {
                let v = ev.policy_doc_instance(inst, ri, key);
                let mut m = BTreeMap::new();
                for k in ["json", "minified_json"] {
                    if let Some(x) = v.get(k) {
                        m.insert(k.to_string(), x.clone());
                    }
                }
                prov.attrs.entry("json".into()).or_insert(block_loc.clone());
                m
            } else {
                let mut m = ev.body_value(body, &scope, true);
                if res.mode == Mode::Managed && crate::ingest::types::is_taggable(res.rtype) {
                    let alias = provider_alias(body);
                    if let Some(all) = tags_all(ev, inst, m.get("tags"), alias.as_deref()) {
                        m.insert("tags_all".into(), all);
                    }
                }
                m
            };
            let overridden = ix.def.overridden.get(&(res.decl.file, res.decl.offset));
            for (name, v) in &attrs {
                let Value::String(s) = v else { continue };
                // An override's statements have no place of their own: the
                // argument in the override file stands for them.
                if overridden.is_some_and(|o| o.iter().any(|(k, _, _)| k == name)) {
                    continue;
                }
                if let Some(locs) = ev.policy_locs.borrow().get(s) {
                    for (i, loc) in locs.iter().enumerate() {
                        prov.statements.insert((name.clone(), i), loc.clone());
                    }
                }
            }
            let sensitive = {
                let secrets = ev.secrets.borrow();
                attrs
                    .iter()
                    .filter(|(_, v)| holds_secret(v, &secrets))
                    .map(|(k, _)| k.clone())
                    .collect()
            };
            out.push(ResourceInstance {
                address,
                previous_address: None,
                mode: res.mode,
                resource_type: res.rtype.to_string(),
                attrs: Value::Object(attrs),
                before: None,
                change: None,
                sensitive,
                provenance: prov,
            });
        }
    }
    for ci in 0..ix.calls.len() {
        let children = ev.children(inst, ci);
        if let Children::Instances { items, .. } = children.as_ref() {
            for (_, child) in items {
                emit(ev, *child, out, refused_out);
            }
        }
    }
}

/// Whether a value holds (inside a string, as written or JSON-escaped) the
/// text of a sensitive value: Terraform would mark it sensitive, and so is it
/// marked here.
fn holds_secret(v: &Value, secrets: &BTreeSet<String>) -> bool {
    if secrets.is_empty() {
        return false;
    }
    match v {
        Value::String(s) => secrets.iter().any(|secret| {
            s.contains(secret.as_str())
                || crate::model::value::json_escaped(secret).is_some_and(|e| s.contains(e.as_str()))
        }),
        Value::Number(n) => secrets.contains(&n.to_string()),
        Value::List(items) => items.iter().any(|i| holds_secret(i, secrets)),
        Value::Object(m) => m.values().any(|i| holds_secret(i, secrets)),
        _ => false,
    }
}

/// `provider = aws.NAME` of a resource.
fn provider_alias(body: &hcl::edit::structure::Body) -> Option<String> {
    let attr = body.get_attribute("provider")?;
    match &attr.value {
        Expression::Traversal(t) => t.operators.first().and_then(|op| match op.value() {
            hcl::edit::expr::TraversalOperator::GetAttr(a) => Some(a.as_str().to_string()),
            _ => None,
        }),
        _ => None,
    }
}

/// `tags_all`: the root module's aws provider `default_tags` merged with the
/// resource's `tags`; `None` when neither exists.
fn tags_all(
    ev: &Evaluator<'_>,
    inst: InstId,
    tags: Option<&Value>,
    alias: Option<&str>,
) -> Option<Value> {
    let defaults = default_tags(ev, inst, alias);
    match (defaults, tags) {
        (None, None) => None,
        (None, Some(t)) => Some(t.clone()),
        (Some(d), None) | (Some(d), Some(Value::Null)) => Some(d),
        (Some(Value::Object(mut d)), Some(Value::Object(t))) => {
            for (k, v) in t {
                d.insert(k.clone(), v.clone());
            }
            Some(Value::Object(d))
        }
        (Some(Value::Unknown(u)), _) => Some(Value::Unknown(u)),
        (Some(_), Some(t)) => Some(t.clone()),
    }
}

fn default_tags(ev: &Evaluator<'_>, inst: InstId, alias: Option<&str>) -> Option<Value> {
    // The root instance is the first one created.
    let root = {
        let mut cur = inst;
        while let Some((p, _, _)) = ev.inst(cur).parent.clone() {
            cur = p;
        }
        cur
    };
    let ix = ev.index_of(root)?;
    let provider = ix.providers.iter().find(|p| {
        let a = module::literal_attr(&p.block.body, "alias");
        a.as_deref() == alias
    })?;
    let dt = provider.block.body.get_blocks("default_tags").next()?;
    let tags = dt.body.get_attribute("tags")?;
    let scope = eval::Scope {
        inst: root,
        file: provider.file,
        anchor: provider.offset,
        binds: None,
        in_try: false,
        isolated: false,
        addr: Some(Rc::from("provider.aws")),
    };
    let v = ev
        .eval(&tags.value, &scope)
        .unwrap_or_else(|e| Value::unknown(e.text));
    if matches!(v, Value::Null) {
        None
    } else {
        Some(v)
    }
}
