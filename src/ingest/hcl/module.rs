//! Modules: a directory's files parsed once ([`ModuleDef`]), an index of its
//! blocks by name ([`ModuleIndex`]), and where each module call leads
//! ([`Target`]): a local directory, a copy listed in
//! `.terraform/modules/modules.json`, or nowhere we may read.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use hcl::edit::Span;
use hcl::edit::expr::{Expression, Traversal, TraversalOperator};
use hcl::edit::structure::{Attribute, Block, Body, Structure};
use hcl::edit::visit::{self, Visit};

use crate::error::Error;
use crate::ingest::{IngestNote, Mode};
use crate::model::location::Location;

use super::json_syntax;
use super::source::{Files, SourceFile, Syntax, parse_native, read_text};
use super::walk::Scan;

/// How deep module calls may nest before we stop following them.
pub const MAX_MODULE_DEPTH: usize = 24;
/// How many module-call paths one root may expand to statically.
const MAX_CALL_PATHS: usize = 20_000;

/// A module directory's parsed files.
pub struct ModuleDef {
    /// Canonical directory.
    pub dir: PathBuf,
    pub display_dir: String,
    pub files: Vec<FileId>,
    pub bodies: Vec<Body>,
    /// Per file, per top-level structure: where it is written (JSON syntax
    /// only; native files have spans).
    pub offsets: Vec<Vec<usize>>,
    /// Arguments an override file replaced, per block (its file and byte
    /// offset): the argument's name, and where the override writes it.
    pub overridden: HashMap<(FileId, usize), Vec<OverriddenArg>>,
}

/// An argument an override replaced: its name, and the override file and
/// span where it is written.
pub type OverriddenArg = (String, FileId, Option<std::ops::Range<usize>>);

pub use super::source::FileId;

/// A block with the file it is written in.
#[derive(Clone, Copy)]
pub struct Decl<'a> {
    pub block: &'a Block,
    pub file: FileId,
    /// Byte offset of the block in its file.
    pub offset: usize,
}

/// A `resource` or `data` block.
#[derive(Clone, Copy)]
pub struct ResDecl<'a> {
    pub mode: Mode,
    pub rtype: &'a str,
    pub name: &'a str,
    pub decl: Decl<'a>,
}

/// A `module` block.
pub struct CallDecl<'a> {
    pub name: &'a str,
    pub decl: Decl<'a>,
    pub source: Option<String>,
}

/// A `locals` entry.
#[derive(Clone, Copy)]
pub struct LocalDecl<'a> {
    pub attr: &'a Attribute,
    pub file: FileId,
}

/// A module's blocks by name.
pub struct ModuleIndex<'a> {
    pub def: &'a ModuleDef,
    pub variables: HashMap<&'a str, Decl<'a>>,
    pub locals: HashMap<&'a str, LocalDecl<'a>>,
    pub outputs: BTreeMap<&'a str, Decl<'a>>,
    pub resources: Vec<ResDecl<'a>>,
    pub res_lookup: HashMap<(bool, &'a str, &'a str), usize>,
    pub calls: Vec<CallDecl<'a>>,
    pub call_lookup: HashMap<&'a str, usize>,
    /// `provider "aws"` blocks.
    pub providers: Vec<Decl<'a>>,
}

/// Where a module call leads.
#[derive(Debug, Clone)]
pub enum Target {
    Module(usize),
    /// Not read; the message says why (shown once as a note).
    NotScanned(String),
}

/// Reads and parses module directories, each once.
pub struct Loader<'s> {
    pub scan: &'s Scan,
    pub files: Files,
    pub defs: Vec<ModuleDef>,
    /// What loading noticed (keys written twice in one object).
    pub notes: Vec<IngestNote>,
    by_dir: HashMap<PathBuf, usize>,
    /// Files read and parsed ahead, on worker threads: taken by
    /// [`Loader::load_dir`] in its own file order, so the first error is the
    /// one a single thread would meet.
    parsed: HashMap<PathBuf, Result<ParsedFile, Error>>,
}

/// One configuration file, read and parsed.
pub struct ParsedFile {
    pub display: String,
    pub text: String,
    pub syntax: Syntax,
    pub body: Body,
    /// Per top-level structure: where it is written (JSON syntax only).
    pub offsets: Vec<usize>,
    /// Keys written twice in one object.
    pub notes: Vec<IngestNote>,
}

/// [`prune_unreferenced`] on one directory's files, read and parsed ahead:
/// only when every one of them parsed, in native syntax, and none is an
/// override file.
pub fn prune_parsed(files: &mut [(PathBuf, Result<ParsedFile, Error>)]) {
    let plain = files.iter().all(|(path, parsed)| {
        let override_file = path
            .file_name()
            .is_some_and(|n| super::overrides::is_override_name(&n.to_string_lossy()));
        !override_file && parsed.as_ref().is_ok_and(|p| p.syntax == Syntax::Native)
    });
    if !plain {
        return;
    }
    let mut bodies: Vec<(&str, &mut Body)> = files
        .iter_mut()
        .filter_map(|(_, parsed)| parsed.as_mut().ok())
        .map(|p| (p.text.as_str(), &mut p.body))
        .collect();
    let texts: Vec<&str> = bodies.iter().map(|(t, _)| *t).collect();
    prune_unreferenced(&texts, &mut bodies);
}

/// Reads and parses one configuration file (native or JSON syntax).
pub fn read_and_parse(path: &Path, display: String) -> Result<ParsedFile, Error> {
    let text = read_text(path, &display)?;
    parse_file(path, display, text)
}

/// Parses one configuration file already read (native or JSON syntax, by
/// its name).
pub fn parse_file(path: &Path, display: String, text: String) -> Result<ParsedFile, Error> {
    let is_json = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".json"));
    if is_json {
        let jb = json_syntax::parse_config(&display, &text)?;
        Ok(ParsedFile {
            display,
            text,
            syntax: Syntax::Json,
            body: jb.body,
            offsets: jb.offsets,
            notes: Vec::new(),
        })
    } else {
        let (body, notes) = parse_native(&display, &text)?;
        Ok(ParsedFile {
            display,
            text,
            syntax: Syntax::Native,
            body,
            offsets: Vec::new(),
            notes,
        })
    }
}

impl<'s> Loader<'s> {
    pub fn new(scan: &'s Scan) -> Self {
        Loader {
            scan,
            files: Files::default(),
            defs: Vec::new(),
            notes: Vec::new(),
            by_dir: HashMap::new(),
            parsed: HashMap::new(),
        }
    }

    /// Reads and parses the files of `dirs` in parallel (on the current
    /// rayon pool), ahead of [`Loader::load_dir`]. A directory that cannot be
    /// listed is skipped here: `load_dir` meets and reports it in order.
    pub fn preparse<'d>(&mut self, dirs: impl Iterator<Item = &'d Path>) {
        use rayon::prelude::*;
        let mut groups: Vec<Vec<PathBuf>> = Vec::new();
        for dir in dirs {
            if let Ok(files) = self.scan.module_files(dir) {
                groups.push(files);
            }
        }
        let scan = self.scan;
        // A directory at a time (its files in parallel), its unreachable
        // blocks dropped as soon as it is parsed: the trees of every
        // directory are never all held at once.
        let parsed: Vec<Vec<(PathBuf, Result<ParsedFile, Error>)>> = groups
            .into_par_iter()
            .map(|paths| {
                let mut files: Vec<(PathBuf, Result<ParsedFile, Error>)> = paths
                    .into_par_iter()
                    .map(|path| {
                        let display = scan.display(&path);
                        let parsed = read_and_parse(&path, display);
                        (path, parsed)
                    })
                    .collect();
                prune_parsed(&mut files);
                files
            })
            .collect();
        self.parsed.extend(parsed.into_iter().flatten());
    }

    /// Parses the module in `dir` (canonical), once.
    pub fn load_dir(&mut self, dir: &Path) -> Result<usize, Error> {
        if let Some(i) = self.by_dir.get(dir) {
            return Ok(*i);
        }
        let display_dir = self.scan.display(dir);
        let mut def = ModuleDef {
            dir: dir.to_path_buf(),
            display_dir,
            files: Vec::new(),
            bodies: Vec::new(),
            offsets: Vec::new(),
            overridden: HashMap::new(),
        };
        let mut overrides: Vec<(FileId, Body, Vec<usize>)> = Vec::new();
        // Files parsed ahead had the folder's unreachable blocks dropped
        // then, all together (see `prune_parsed`): not searched for again.
        let mut pruned_ahead = true;
        for path in self.scan.module_files(dir)? {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let parsed = match self.parsed.remove(&path) {
                Some(parsed) => parsed?,
                None => {
                    pruned_ahead = false;
                    read_and_parse(&path, self.scan.display(&path))?
                }
            };
            let ParsedFile {
                display,
                text,
                syntax,
                body,
                offsets,
                mut notes,
            } = parsed;
            self.notes.append(&mut notes);
            let id = self.files.add(SourceFile::new(display, text, syntax));
            if super::overrides::is_override_name(&name) {
                overrides.push((id, body, offsets));
                continue;
            }
            def.files.push(id);
            def.bodies.push(body);
            def.offsets.push(offsets);
        }
        if overrides.is_empty() && !pruned_ahead {
            let native = def.files.iter().all(|id| {
                self.files
                    .get(*id)
                    .is_some_and(|f| f.syntax == Syntax::Native)
            });
            if native {
                let texts: Vec<&str> = def
                    .files
                    .iter()
                    .filter_map(|id| self.files.get(*id).map(|f| f.text.as_str()))
                    .collect();
                let mut bodies: Vec<(&str, &mut Body)> =
                    texts.iter().copied().zip(def.bodies.iter_mut()).collect();
                prune_unreferenced(&texts, &mut bodies);
            }
        }
        // Override files apply after every other file, in name order.
        for (id, body, offsets) in &overrides {
            let merged = super::overrides::apply(&mut def.bodies, body);
            if let Ok(merged) = &merged {
                for m in merged {
                    if let (Some(file), Some(start)) = (def.files.get(m.body), m.block_start) {
                        def.overridden.entry((*file, start)).or_default().push((
                            m.key.clone(),
                            *id,
                            m.span.clone(),
                        ));
                    }
                }
            }
            if let Err(e) = merged {
                let offset = e
                    .span
                    .map(|s| s.start)
                    .or_else(|| offsets.get(e.index).copied())
                    .unwrap_or(0);
                let (path, line, column) = match self.files.get(*id) {
                    Some(f) => {
                        let (l, c) = f.position(offset);
                        (f.display.clone(), l, c)
                    }
                    None => (def.display_dir.clone(), 1, 1),
                };
                return Err(Error::at(path, line, column, e.message));
            }
        }
        self.defs.push(def);
        let idx = self.defs.len() - 1;
        self.by_dir.insert(dir.to_path_buf(), idx);
        Ok(idx)
    }

    /// Local module sources (`./x`, `../x`) written in module `def`, resolved
    /// to canonical directories inside the root.
    pub fn local_calls(&self, def: usize) -> Vec<PathBuf> {
        match self.defs.get(def) {
            Some(d) => local_calls_in(self.scan, &d.dir, d.bodies.iter()),
            None => Vec::new(),
        }
    }

    /// Files read and parsed elsewhere, for [`Loader::load_dir`] to take.
    pub fn add_parsed(&mut self, files: impl IntoIterator<Item = (PathBuf, ParsedFile)>) {
        self.parsed
            .extend(files.into_iter().map(|(path, parsed)| (path, Ok(parsed))));
    }

    /// Takes the parsed trees of module `def` out of it (its files stay):
    /// once the only root module that uses them is evaluated, nothing reads
    /// them again.
    pub fn take_trees(&mut self, def: usize) -> Vec<Body> {
        match self.defs.get_mut(def) {
            Some(d) => {
                d.offsets = Vec::new();
                std::mem::take(&mut d.bodies)
            }
            None => Vec::new(),
        }
    }

    /// Resolves every module call reachable from root module `root`, keyed
    /// by call path (`a.b`), loading the modules they lead to.
    pub fn resolve_calls(
        &mut self,
        root: usize,
        notes: &mut Vec<IngestNote>,
    ) -> Result<HashMap<String, Target>, Error> {
        let root_dir = self
            .defs
            .get(root)
            .map(|d| d.dir.clone())
            .unwrap_or_default();
        let manifest = read_modules_manifest(self.scan, &root_dir);
        let mut targets = HashMap::new();
        let mut stack = vec![(root, String::new(), 0usize, vec![root])];
        let mut visited = HashSet::new();
        while let Some((def, path, depth, chain)) = stack.pop() {
            if !visited.insert((def, path.clone())) {
                continue;
            }
            if visited.len() > MAX_CALL_PATHS {
                notes.push(IngestNote {
                    location: Location::new(self.defs[root].display_dir.clone(), 1, 1),
                    address: None,
                    message: format!(
                        "more than {MAX_CALL_PATHS} module call paths: the rest are not scanned"
                    ),
                    unscanned: true,
                });
                break;
            }
            let calls = self.calls_of(def);
            for (name, source, loc) in calls {
                let key = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                if depth + 1 > MAX_MODULE_DEPTH {
                    targets.insert(
                        key,
                        Target::NotScanned(format!(
                            "module \"{name}\" is nested more than {MAX_MODULE_DEPTH} levels deep: not scanned"
                        )),
                    );
                    continue;
                }
                let Some(src) = source else {
                    targets.insert(
                        key,
                        Target::NotScanned(format!(
                            "module \"{name}\" has no literal source: not scanned"
                        )),
                    );
                    continue;
                };
                let dir_result = if is_local_source(&src) {
                    let base = self.defs[def].dir.join(&src);
                    self.scan.resolve_inside(&base).map_err(|e| {
                        format!("module \"{name}\" (source \"{src}\") is not scanned: {e}")
                    })
                } else if let Some(dir) = manifest.get(&key) {
                    self.scan.resolve_inside(&root_dir.join(dir)).map_err(|e| {
                        format!("module \"{name}\" (source \"{src}\") is not scanned: {e}")
                    })
                } else {
                    Err(format!(
                        "module \"{name}\" (source \"{src}\") is not scanned: run terraform init or scan a plan"
                    ))
                };
                match dir_result {
                    Ok(dir) if dir.is_dir() => {
                        let child = self.load_dir(&dir)?;
                        if chain.contains(&child) {
                            // Terraform cannot load a module that calls
                            // itself; following it would only multiply
                            // instances. Said once, at this call.
                            targets.insert(
                                key,
                                Target::NotScanned(format!(
                                    "module \"{name}\" (source \"{src}\") calls {}, which is already on its own call path: a module that calls itself cannot be loaded, so it is not followed",
                                    self.scan.display(&dir)
                                )),
                            );
                            continue;
                        }
                        targets.insert(key.clone(), Target::Module(child));
                        let mut chain = chain.clone();
                        chain.push(child);
                        stack.push((child, key, depth + 1, chain));
                    }
                    Ok(dir) => {
                        targets.insert(
                            key,
                            Target::NotScanned(format!(
                                "module \"{name}\" (source \"{src}\") is not scanned: {} is not a directory",
                                self.scan.display(&dir)
                            )),
                        );
                    }
                    Err(msg) => {
                        let _ = loc;
                        targets.insert(key, Target::NotScanned(msg));
                    }
                }
            }
        }
        Ok(targets)
    }

    fn calls_of(&self, def: usize) -> Vec<(String, Option<String>, usize)> {
        let mut out = Vec::new();
        let Some(d) = self.defs.get(def) else {
            return out;
        };
        for body in &d.bodies {
            for block in body.blocks() {
                if block.ident.as_str() != "module" {
                    continue;
                }
                let Some(name) = block.labels.first().map(|l| l.as_str().to_string()) else {
                    continue;
                };
                out.push((name, literal_attr(&block.body, "source"), 0));
            }
        }
        out
    }
}

/// Local module sources (`./x`, `../x`) written in `bodies` (the files of
/// the module in `dir`), resolved to canonical directories inside the root.
pub fn local_calls_in<'b>(
    scan: &Scan,
    dir: &Path,
    bodies: impl Iterator<Item = &'b Body>,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for body in bodies {
        for block in body.blocks() {
            if block.ident.as_str() != "module" {
                continue;
            }
            if let Some(src) = literal_attr(&block.body, "source")
                && is_local_source(&src)
                && let Ok(c) = scan.resolve_inside(&dir.join(&src))
            {
                out.push(c);
            }
        }
    }
    out
}

/// Whether native HCL text may declare a `module` block: it holds the word
/// `module` followed by something that cannot continue an identifier or a
/// reference (`module.x`). A file without one declares no module call.
pub fn may_declare_module(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|rest| rest.find("module")) {
        let end = from + at + "module".len();
        match bytes.get(end) {
            None => return true,
            Some(b) if !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) => {
                return true;
            }
            _ => from = end,
        }
    }
    false
}

/// `./x` and `../x` sources are read from disk; everything else is remote.
pub fn is_local_source(src: &str) -> bool {
    src.starts_with("./") || src.starts_with("../") || src == "." || src == ".."
}

/// A string attribute written as a literal (`source = "./x"`).
pub fn literal_attr(body: &Body, name: &str) -> Option<String> {
    let attr = body.get_attribute(name)?;
    match &attr.value {
        Expression::String(s) => Some(s.value().to_string()),
        Expression::StringTemplate(t) => {
            let mut s = String::new();
            for e in t.iter() {
                s.push_str(e.as_literal()?.value());
            }
            Some(s)
        }
        _ => None,
    }
}

/// `.terraform/modules/modules.json`: call path → directory (relative to
/// the root module).
fn read_modules_manifest(scan: &Scan, root_dir: &Path) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let path = root_dir.join(".terraform/modules/modules.json");
    let Ok(canonical) = scan.resolve_inside(&path) else {
        return out;
    };
    let Ok(text) = read_text(&canonical, "modules.json") else {
        return out;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return out;
    };
    if let Some(mods) = json.get("Modules").and_then(|m| m.as_array()) {
        for m in mods {
            if let (Some(key), Some(dir)) = (
                m.get("Key").and_then(|k| k.as_str()),
                m.get("Dir").and_then(|d| d.as_str()),
            ) && !key.is_empty()
            {
                out.insert(key.to_string(), dir.to_string());
            }
        }
    }
    out
}

impl<'a> ModuleIndex<'a> {
    pub fn build(def: &'a ModuleDef) -> Self {
        let mut idx = ModuleIndex {
            def,
            variables: HashMap::new(),
            locals: HashMap::new(),
            outputs: BTreeMap::new(),
            resources: Vec::new(),
            res_lookup: HashMap::new(),
            calls: Vec::new(),
            call_lookup: HashMap::new(),
            providers: Vec::new(),
        };
        for (fi, body) in def.bodies.iter().enumerate() {
            let file = def.files.get(fi).copied().unwrap_or(0);
            let offsets = def.offsets.get(fi);
            for (si, structure) in body.iter().enumerate() {
                let Structure::Block(block) = structure else {
                    continue;
                };
                let offset = offsets
                    .and_then(|o| o.get(si).copied())
                    .or_else(|| block.span().map(|s| s.start))
                    .unwrap_or(0);
                let decl = Decl {
                    block,
                    file,
                    offset,
                };
                let label = |i: usize| block.labels.get(i).map(|l| l.as_str());
                match block.ident.as_str() {
                    "variable" => {
                        if let Some(n) = label(0) {
                            idx.variables.entry(n).or_insert(decl);
                        }
                    }
                    "output" => {
                        if let Some(n) = label(0) {
                            idx.outputs.entry(n).or_insert(decl);
                        }
                    }
                    "locals" => {
                        for attr in block.body.attributes() {
                            idx.locals
                                .entry(attr.key.as_str())
                                .or_insert(LocalDecl { attr, file });
                        }
                    }
                    "resource" | "data" => {
                        let mode = if block.ident.as_str() == "data" {
                            Mode::Data
                        } else {
                            Mode::Managed
                        };
                        if let (Some(t), Some(n)) = (label(0), label(1)) {
                            if idx.res_lookup.contains_key(&(mode == Mode::Data, t, n)) {
                                continue;
                            }
                            idx.res_lookup
                                .insert((mode == Mode::Data, t, n), idx.resources.len());
                            idx.resources.push(ResDecl {
                                mode,
                                rtype: t,
                                name: n,
                                decl,
                            });
                        }
                    }
                    "module" => {
                        if let Some(n) = label(0) {
                            if idx.call_lookup.contains_key(n) {
                                continue;
                            }
                            idx.call_lookup.insert(n, idx.calls.len());
                            idx.calls.push(CallDecl {
                                name: n,
                                decl,
                                source: literal_attr(&block.body, "source"),
                            });
                        }
                    }
                    "provider" if label(0) == Some("aws") => {
                        idx.providers.push(decl);
                    }
                    _ => {}
                }
            }
        }
        idx
    }

    /// Terraform rejects locals that depend on themselves; so do we, naming
    /// the locals of the cycle.
    pub fn check_local_cycles(&self, files: &Files) -> Result<(), Error> {
        let mut deps: HashMap<&str, Vec<String>> = HashMap::new();
        for (name, decl) in &self.locals {
            let mut c = LocalRefs::default();
            visit::visit_expr(&mut c, &decl.attr.value);
            deps.insert(name, c.names);
        }
        // Iterative DFS with colours; names sorted for a deterministic report.
        let mut names: Vec<&str> = deps.keys().copied().collect();
        names.sort_unstable();
        let mut state: HashMap<&str, u8> = HashMap::new(); // 1 = on stack, 2 = done
        for start in names {
            if state.get(start).copied().unwrap_or(0) != 0 {
                continue;
            }
            let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
            state.insert(start, 1);
            while let Some((node, i)) = stack.pop() {
                let next = deps.get(node).and_then(|d| d.get(i)).cloned();
                match next {
                    None => {
                        state.insert(node, 2);
                    }
                    Some(dep) => {
                        stack.push((node, i + 1));
                        let Some((&dep_key, _)) = deps.get_key_value(dep.as_str()) else {
                            continue;
                        };
                        match state.get(dep_key).copied().unwrap_or(0) {
                            0 => {
                                state.insert(dep_key, 1);
                                stack.push((dep_key, 0));
                            }
                            1 => {
                                let mut cycle: Vec<&str> = Vec::new();
                                let from =
                                    stack.iter().position(|(n, _)| *n == dep_key).unwrap_or(0);
                                for (n, _) in &stack[from..] {
                                    if cycle.last() != Some(n) {
                                        cycle.push(n);
                                    }
                                }
                                return Err(self.cycle_error(files, &cycle, dep_key));
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn cycle_error(&self, files: &Files, cycle: &[&str], back_to: &str) -> Error {
        let first = cycle.first().copied().unwrap_or(back_to);
        let (path, line, col) = match self.locals.get(first) {
            Some(d) => {
                let offset = d.attr.span().map(|s| s.start).unwrap_or(0);
                match files.get(d.file) {
                    Some(f) => {
                        let (l, c) = f.position(offset);
                        (f.display.clone(), l, c)
                    }
                    None => (self.def.display_dir.clone(), 1, 1),
                }
            }
            None => (self.def.display_dir.clone(), 1, 1),
        };
        let message = if cycle.len() <= 1 {
            format!("local.{first} refers to itself (a cycle)")
        } else {
            let chain: Vec<String> = cycle
                .iter()
                .chain(std::iter::once(&back_to))
                .map(|n| format!("local.{n}"))
                .collect();
            let second = cycle.get(1).copied().unwrap_or(back_to);
            format!(
                "local.{first} and local.{second} refer to each other (cycle: {})",
                chain.join(" -> ")
            )
        };
        Error::at(path, line, col, message)
    }
}

/// Collects the `local.NAME` references of an expression.
#[derive(Default)]
struct LocalRefs {
    names: Vec<String>,
}

impl Visit for LocalRefs {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(v) = &node.expr
            && v.as_str() == "local"
            && let Some(op) = node.operators.first()
            && let TraversalOperator::GetAttr(name) = op.value()
        {
            self.names.push(name.as_str().to_string());
        }
        visit::visit_traversal(self, node);
    }
}

/// Drops the `resource` and `data` blocks nothing can reach, so that the
/// parsed trees of a large configuration are not held for nothing: blocks
/// of a type trustdrift does not judge (no instance of it is emitted),
/// whose type the module's text names nowhere but in those blocks' own
/// labels. An expression can only reach a resource through its type's name
/// (`aws_s3_bucket.x`, `data.aws_vpc.y`, `depends_on`), and only from the
/// same module; a type named anywhere else (a reference, a comment, a
/// string) keeps all its blocks.
///
/// `texts` is the text of every file of the module, `bodies` the parsed
/// native-syntax files among them (a module with files in JSON syntax, or
/// with override files, is left as it is by the caller).
pub fn prune_unreferenced(texts: &[&str], bodies: &mut [(&str, &mut Body)]) {
    // Per type not judged: its blocks, and whether each label is written
    // plainly (the type's name, quoted or not) where its span says.
    let mut blocks: BTreeMap<String, (usize, bool)> = BTreeMap::new();
    for (text, body) in bodies.iter() {
        for block in body.blocks() {
            if !matches!(block.ident.as_str(), "resource" | "data") {
                continue;
            }
            let Some(label) = block.labels.first() else {
                continue;
            };
            let rtype = label.as_str();
            if crate::ingest::is_relevant_type(rtype) {
                continue;
            }
            let plain = !rtype.is_empty()
                && rtype
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                && label
                    .span()
                    .and_then(|s| text.get(s))
                    .is_some_and(|written| {
                        written == rtype
                            || written.strip_prefix('"').and_then(|w| w.strip_suffix('"'))
                                == Some(rtype)
                    });
            let entry = blocks.entry(rtype.to_string()).or_insert((0, true));
            entry.0 += 1;
            entry.1 &= plain;
        }
    }
    blocks.retain(|_, (_, plain)| *plain);
    if blocks.is_empty() {
        return;
    }
    let names: Vec<&String> = blocks.keys().collect();
    let Ok(finder) = aho_corasick::AhoCorasick::new(&names) else {
        return;
    };
    let mut written = vec![0usize; names.len()];
    for text in texts {
        for m in finder.find_overlapping_iter(*text) {
            if let Some(n) = written.get_mut(m.pattern().as_usize()) {
                *n += 1;
            }
        }
    }
    let unreached: HashSet<&str> = names
        .iter()
        .zip(&written)
        .filter(|(name, n)| {
            blocks
                .get(name.as_str())
                .is_some_and(|(count, _)| count == *n)
        })
        .map(|(name, _)| name.as_str())
        .collect();
    if unreached.is_empty() {
        return;
    }
    for (_, body) in bodies.iter_mut() {
        let mut i = body.len();
        while i > 0 {
            i -= 1;
            let drop = match body.get(i) {
                Some(Structure::Block(block)) => {
                    matches!(block.ident.as_str(), "resource" | "data")
                        && block
                            .labels
                            .first()
                            .is_some_and(|l| unreached.contains(l.as_str()))
                }
                _ => false,
            };
            if drop {
                body.remove(i);
            }
        }
    }
}

#[cfg(test)]
mod prune_tests {
    use super::*;

    fn kept(texts: &[&str]) -> Vec<Vec<String>> {
        let mut bodies: Vec<Body> = texts
            .iter()
            .map(|t| hcl::edit::parser::parse_body(t).expect("parses"))
            .collect();
        let mut pairs: Vec<(&str, &mut Body)> =
            texts.iter().copied().zip(bodies.iter_mut()).collect();
        prune_unreferenced(texts, &mut pairs);
        bodies
            .iter()
            .map(|b| {
                b.blocks()
                    .map(|bl| {
                        let labels: Vec<&str> = bl.labels.iter().map(|l| l.as_str()).collect();
                        format!("{} {}", bl.ident.as_str(), labels.join("."))
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn unreferenced_blocks_of_types_not_judged_are_dropped() {
        let a = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\nresource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n}\ndata \"aws_vpc\" \"v\" {}\n";
        let b = "resource \"aws_sqs_queue\" \"q\" {\n  name = \"q\"\n}\n";
        assert_eq!(
            kept(&[a, b]),
            vec![
                vec!["resource aws_iam_role.r".to_string()],
                Vec::<String>::new()
            ]
        );
    }

    #[test]
    fn a_type_named_anywhere_else_keeps_its_blocks() {
        // A reference in another file, a data source, a comment, and a type
        // whose name another type's name contains.
        let a = "resource \"aws_s3_bucket\" \"b\" {}\ndata aws_vpc \"v\" {}\nresource \"aws_sqs_queue\" \"q\" {}\nresource \"aws_sqs_queue_policy\" \"p\" {}\n# aws_kms_key is shared\nresource \"aws_kms_key\" \"k\" {}\n";
        let b = "locals {\n  arn = aws_s3_bucket.b.arn\n  vpc = data.aws_vpc.v.id\n}\n";
        assert_eq!(
            kept(&[a, b])[0],
            vec![
                "resource aws_s3_bucket.b",
                "data aws_vpc.v",
                "resource aws_sqs_queue.q",
                "resource aws_kms_key.k"
            ]
        );
    }
}
