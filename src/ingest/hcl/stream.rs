//! Root modules read and evaluated a few at a time, so that the parsed
//! trees of a large repository are never all held at once.
//!
//! Which folders are root modules depends only on the `module` blocks of
//! every folder: the files that may declare one are parsed first, every
//! other file is only read. The modules the roots call are then parsed and
//! kept; each batch of roots is parsed, evaluated (each root from the whole
//! budget, as [`super::load_all_at_once`] evaluates roots ahead) and its
//! trees dropped before the next batch is parsed.
//!
//! Whatever this way cannot settle as the whole-tree load would (an error
//! anywhere, a limit hit, a root whose outcome depends on the ones before
//! it, a module another root reaches after its trees were dropped) gives
//! `None`: the caller then loads the whole tree at once, which ends the run
//! exactly as before.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use hcl::edit::structure::Body;

use crate::error::Result;
use crate::ingest::Ingested;

use super::eval::Budget;
use super::module::{
    Loader, ModuleDef, ModuleIndex, ParsedFile, Target, local_calls_in, may_declare_module,
    parse_file, prune_parsed,
};
use super::overrides::is_override_name;
use super::source::{self, Syntax, read_text};
use super::walk::Scan;
use super::{
    HclOptions, READ_STACK_SIZE, RootOutcome, RunContext, STACK_SIZE, thread_count, worker_pool,
};

/// Roots parsed and evaluated together: about this many bytes of their text
/// (and at least one root).
const BATCH_BYTES: usize = 1 << 20;

/// A configuration file after the first pass: parsed (it may declare a
/// module call), or only read.
enum Stage {
    Parsed(ParsedFile),
    Read { display: String, text: String },
}

impl Stage {
    fn len(&self) -> usize {
        match self {
            Stage::Parsed(p) => p.text.len(),
            Stage::Read { text, .. } => text.len(),
        }
    }
}

/// A scanned folder's files after the first pass.
struct DirFiles {
    dir: PathBuf,
    files: Vec<(PathBuf, Stage)>,
    /// It holds override files: it is loaded whole in the first pass, since
    /// an override may change a module call's source.
    overrides: bool,
}

/// `f` on `pool` (on this thread without one).
fn run_in<R: Send>(pool: Option<&rayon::ThreadPool>, f: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// `f` on every item, in parallel on the current pool when `par`.
fn map_each<T: Send, R: Send>(
    items: Vec<T>,
    par: bool,
    f: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    if par {
        items.into_par_iter().map(f).collect()
    } else {
        items.into_iter().map(f).collect()
    }
}

/// Reads the files of scanned folder `dir`, parsing those that may declare
/// a module call (and every file of a folder with override files).
fn first_pass(scan: &Scan, dir: &Path, par: bool) -> Option<DirFiles> {
    let paths = scan.module_files(dir).ok()?;
    let overrides = paths.iter().any(|p| {
        p.file_name()
            .is_some_and(|n| is_override_name(&n.to_string_lossy()))
    });
    let files = map_each(paths, par, |path| {
        let display = scan.display(&path);
        let text = read_text(&path, &display).ok()?;
        let json = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".json"));
        let stage = if overrides || json || may_declare_module(&text) {
            Stage::Parsed(parse_file(&path, display, text).ok()?)
        } else {
            Stage::Read { display, text }
        };
        Some((path, stage))
    });
    Some(DirFiles {
        dir: dir.to_path_buf(),
        files: files.into_iter().collect::<Option<Vec<_>>>()?,
        overrides,
    })
}

/// Parses what the first pass only read, and drops each folder's
/// unreachable blocks as [`Loader::preparse`] does.
fn parse_rest(dirs: Vec<DirFiles>, par: bool) -> Option<Vec<(PathBuf, ParsedFile)>> {
    let parsed = map_each(dirs, par, |d| {
        let mut files: Vec<(
            PathBuf,
            std::result::Result<ParsedFile, crate::error::Error>,
        )> = map_each(d.files, par, |(path, stage)| {
            let parsed = match stage {
                Stage::Parsed(p) => Ok(p),
                Stage::Read { display, text } => parse_file(&path, display, text),
            };
            (path, parsed)
        });
        prune_parsed(&mut files);
        files
            .into_iter()
            .map(|(path, parsed)| parsed.ok().map(|p| (path, p)))
            .collect::<Option<Vec<_>>>()
    });
    Some(
        parsed
            .into_iter()
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect(),
    )
}

/// Frees parsed trees (a good part of a large load's time), on `pool`'s
/// threads when there is one.
fn free(pool: Option<&rayon::ThreadPool>, trees: Vec<Vec<Body>>) {
    match pool {
        Some(p) => p.install(|| trees.into_par_iter().for_each(drop)),
        None => drop(trees),
    }
}

/// Loads the configuration of scanned folders (not a single file) root by
/// root; `None` when the whole-tree load must decide (see the module doc).
pub(super) fn load(scan: &Scan, opts: &HclOptions) -> Option<Result<Ingested>> {
    let out = load_in(scan, opts);
    source::end_parse_thread();
    out
}

fn load_in(scan: &Scan, opts: &HclOptions) -> Option<Result<Ingested>> {
    let threads = thread_count() > 1;
    // Threads to read and parse only where there are files to share among
    // them; threads to evaluate (with their deep stacks) only where there
    // are roots to share. Never both at once: the second takes over the
    // first's work.
    let to_read: usize = scan.dirs.values().map(Vec::len).sum();
    let mut read_pool = (threads && to_read > 1)
        .then(|| worker_pool(READ_STACK_SIZE))
        .flatten();
    let par_read = read_pool.is_some();
    let dirs: Vec<&PathBuf> = scan.dirs.keys().collect();
    let read = run_in(read_pool.as_ref(), || {
        map_each(dirs, par_read, |d| first_pass(scan, d, par_read))
    });
    let mut read: Vec<DirFiles> = read.into_iter().collect::<Option<Vec<_>>>()?;

    // Root modules: the folders no other scanned folder calls.
    let mut loader = Loader::new(scan);
    let mut called: BTreeSet<PathBuf> = BTreeSet::new();
    for d in &mut read {
        let calls = if d.overrides {
            let files = std::mem::take(&mut d.files);
            loader.add_parsed(files.into_iter().filter_map(|(path, stage)| match stage {
                Stage::Parsed(p) => Some((path, p)),
                Stage::Read { .. } => None,
            }));
            let def = loader.load_dir(&d.dir).ok()?;
            loader.local_calls(def)
        } else {
            let bodies = d.files.iter().filter_map(|(_, stage)| match stage {
                Stage::Parsed(p) => Some(&p.body),
                Stage::Read { .. } => None,
            });
            local_calls_in(scan, &d.dir, bodies)
        };
        called.extend(calls.into_iter().filter(|t| *t != d.dir));
    }
    let mut is_root: Vec<bool> = read.iter().map(|d| !called.contains(&d.dir)).collect();
    if !is_root.contains(&true)
        && let Some(first) = is_root.first_mut()
    {
        *first = true;
    }
    let root_count = is_root.iter().filter(|&&r| r).count();
    let several_roots = root_count > 1;
    let mut roots: Vec<DirFiles> = Vec::new();
    let mut modules: Vec<DirFiles> = Vec::new();
    for (root, d) in is_root.into_iter().zip(read) {
        if root {
            roots.push(d);
        } else {
            modules.push(d);
        }
    }

    // The modules roots call are parsed once and kept to the end.
    let module_dirs: Vec<PathBuf> = modules.iter().map(|d| d.dir.clone()).collect();
    let parsed = run_in(read_pool.as_ref(), || parse_rest(modules, par_read))?;
    loader.add_parsed(parsed);
    for dir in &module_dirs {
        loader.load_dir(dir).ok()?;
    }
    let eval_pool = (threads && several_roots)
        .then(|| worker_pool(STACK_SIZE))
        .flatten();
    if eval_pool.is_some() {
        read_pool = None;
    }
    let par_eval = eval_pool.is_some();

    let full = Budget::default();
    let mut outcomes: Vec<Result<Option<RootOutcome>>> = Vec::new();
    let mut resolve_notes = Vec::new();
    let mut checked: Vec<bool> = Vec::new();
    let mut dropped: Vec<bool> = Vec::new();
    let empty = ModuleDef {
        dir: PathBuf::new(),
        display_dir: String::new(),
        files: Vec::new(),
        bodies: Vec::new(),
        offsets: Vec::new(),
        overridden: Default::default(),
    };
    roots.reverse();
    while !roots.is_empty() {
        let mut batch: Vec<DirFiles> = Vec::new();
        let mut bytes = 0;
        while bytes < BATCH_BYTES
            && let Some(d) = roots.pop()
        {
            bytes += d.files.iter().map(|(_, s)| s.len()).sum::<usize>();
            batch.push(d);
        }
        let batch_dirs: Vec<PathBuf> = batch.iter().map(|d| d.dir.clone()).collect();
        let parse_pool = eval_pool.as_ref().or(read_pool.as_ref());
        let par_parse = parse_pool.is_some();
        let parsed = run_in(parse_pool, || parse_rest(batch, par_parse))?;
        loader.add_parsed(parsed);
        let mut defs = Vec::new();
        for dir in &batch_dirs {
            defs.push(loader.load_dir(dir).ok()?);
        }
        let mut targets = Vec::new();
        for &def in &defs {
            targets.push(loader.resolve_calls(def, &mut resolve_notes).ok()?);
        }
        // Parsed: neither this thread's parse thread nor the reading
        // threads are held through evaluation.
        source::end_parse_thread();
        if roots.is_empty() {
            read_pool = None;
        }
        let count = loader.defs.len();
        checked.resize(count, false);
        dropped.resize(count, false);
        let mut needed = vec![false; count];
        for &def in &defs {
            needed[def] = true;
        }
        for t in targets.iter().flat_map(|t| t.values()) {
            if let Target::Module(m) = t
                && let Some(n) = needed.get_mut(*m)
            {
                *n = true;
            }
        }
        // A module whose trees are gone (a root another root reaches
        // through `.terraform/modules`): the whole-tree load decides.
        if needed.iter().zip(&dropped).any(|(n, d)| *n && *d) {
            return None;
        }
        {
            let indexes: Vec<ModuleIndex<'_>> = loader
                .defs
                .iter()
                .zip(&needed)
                .map(|(d, &n)| ModuleIndex::build(if n { d } else { &empty }))
                .collect();
            for (i, ix) in indexes.iter().enumerate() {
                if needed[i] && !checked[i] {
                    ix.check_local_cycles(&loader.files).ok()?;
                    checked[i] = true;
                }
            }
            let files = loader.files.shared().to_vec();
            let run = RunContext {
                scan,
                files: &files,
                indexes: &indexes,
                defs: &loader.defs,
                opts,
                several_roots,
            };
            let jobs: Vec<(usize, &std::collections::HashMap<String, Target>)> =
                defs.iter().copied().zip(&targets).collect();
            let results = run_in(eval_pool.as_ref(), || {
                map_each(jobs, par_eval, |(def, t)| run.evaluate(def, t, full))
            });
            for mut r in results {
                if let Ok(Some(o)) = &mut r {
                    // Only what it read itself is kept: the configuration
                    // files are all taken at the end.
                    let scanned = o.scanned.min(o.files_read.len());
                    o.files_read.drain(..scanned);
                    o.scanned = 0;
                }
                outcomes.push(r);
            }
        }
        let mut trees = Vec::new();
        for &def in &defs {
            if let Some(d) = dropped.get_mut(def) {
                *d = true;
            }
            trees.push(loader.take_trees(def));
        }
        free(eval_pool.as_ref(), trees);
    }

    // Every other module is checked as the whole-tree load checks it.
    for (i, def) in loader.defs.iter().enumerate() {
        if !checked.get(i).copied().unwrap_or(false) {
            ModuleIndex::build(def)
                .check_local_cycles(&loader.files)
                .ok()?;
        }
    }

    let mut notes = scan.notes.clone();
    notes.append(&mut resolve_notes);
    notes.append(&mut loader.notes);
    let mut out = Ingested::default();
    if !outcomes.is_empty() {
        for f in loader.files.shared() {
            if f.syntax == Syntax::Native && !out.sources.contains_key(&f.display) {
                out.sources.insert(f.display.clone(), f.text.clone());
            }
        }
    }
    let mut budget = full;
    for o in outcomes {
        // Each root was evaluated from the whole budget: it stands when a
        // single thread, after the roots before it, would give the same
        // (see `load_all_at_once`).
        let mut o = match o {
            Err(e) if budget == full => return Some(Err(e)),
            Err(_) => return None,
            Ok(None) => continue,
            Ok(Some(o)) => o,
        };
        if !(o.from == budget || o.limit_hit.is_none() && o.fits(budget)) {
            return None;
        }
        if let Some(e) = o.limit_hit.take() {
            return Some(Err(e));
        }
        budget = o.left_after(budget);
        out.instances.extend(o.instances);
        out.refused.extend(o.refused);
        out.moves.extend(o.moves);
        notes.extend(o.notes);
        out.secrets.extend(o.secrets);
        for f in o.files_read.iter().skip(o.scanned) {
            if f.syntax == Syntax::Native && !out.sources.contains_key(&f.display) {
                out.sources.insert(f.display.clone(), f.text.clone());
            }
        }
    }
    out.notes = notes;
    let defs = std::mem::take(&mut loader.defs);
    free(
        eval_pool.as_ref(),
        defs.into_iter().map(|d| d.bodies).collect::<Vec<_>>(),
    );
    Some(Ok(out))
}
