//! Sources → resource instances. Plan JSON, state JSON and evaluated HCL all
//! yield the same [`ResourceInstance`], whose `attrs` have the shape of a
//! plan's `after` object; [`resources`] turns them into the model.

pub mod hcl;
mod members;
pub mod permissions;
pub mod plan;
pub mod references;
pub mod resources;
pub mod types;
pub mod whole;

use std::collections::{BTreeMap, BTreeSet};

pub use crate::model::inventory::ChangeKind;
use crate::model::location::Location;
use crate::model::value::Value;

/// `managed` resources and `data` sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

/// Which kind of input an instance came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Plan,
    State,
    Hcl,
}

/// One resource or data-source instance with its attributes.
#[derive(Debug, Clone)]
pub struct ResourceInstance {
    /// Full address as a plan names it: `module.a["x"].aws_iam_role.r[0]`.
    pub address: String,
    /// Where a plan says the instance moved from.
    pub previous_address: Option<String>,
    pub mode: Mode,
    /// `aws_iam_role`, `aws_iam_policy_document`, ...
    pub resource_type: String,
    /// The attributes after the change (or the state's, or the evaluated
    /// HCL's); an `Object`, possibly holding `Unknown`s.
    pub attrs: Value,
    /// The attributes before the change, where a plan has them.
    pub before: Option<Value>,
    pub change: Option<ChangeKind>,
    /// Top-level attributes whose value is sensitive: analysed, never printed.
    pub sensitive: BTreeSet<String>,
    pub provenance: Provenance,
}

/// Where an instance and its parts are written.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub kind: SourceKind,
    /// The resource itself (its block in HCL, its record in plan JSON).
    pub location: Location,
    /// Per top-level attribute (`assume_role_policy`), where it is written.
    pub attrs: BTreeMap<String, Location>,
    /// Per (attribute, statement index) of a policy document attribute, where
    /// that statement is written (HCL: the object in `jsonencode`, or the
    /// `statement` block of a policy document). Missing entries fall back to
    /// the attribute's location.
    pub statements: BTreeMap<(String, usize), Location>,
    /// Where a plan holds this instance's trust as known only after apply,
    /// when that trust was evaluated from the code instead (the locations
    /// above are then the code's).
    pub trust_from_code_for: Option<Location>,
}

impl Provenance {
    pub fn new(kind: SourceKind, location: Location) -> Self {
        Provenance {
            kind,
            location,
            attrs: BTreeMap::new(),
            statements: BTreeMap::new(),
            trust_from_code_for: None,
        }
    }

    /// Where statement `index` of policy attribute `attr` is written.
    pub fn statement(&self, attr: &str, index: usize) -> &Location {
        self.statements
            .get(&(attr.to_string(), index))
            .or_else(|| self.attrs.get(attr))
            .unwrap_or(&self.location)
    }
}

/// Something an ingester noticed that is not an error: a module it could not
/// read, a value it could not evaluate. Reported as an info finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IngestNote {
    pub location: Location,
    /// The address the note is about (`module.vpc`), when there is one.
    pub address: Option<String>,
    pub message: String,
    /// Code the scan could not read (a module not downloaded, a file refused):
    /// trust may sit behind it unseen.
    pub unscanned: bool,
}

/// What one or more sources yielded.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    pub instances: Vec<ResourceInstance>,
    pub notes: Vec<IngestNote>,
    /// What Terraform would refuse in trust-bearing blocks.
    pub refused: Vec<crate::model::inventory::Refused>,
    /// The text of every source file read as input, by display name: the
    /// only text a report may quote. Nothing else is ever opened to show an
    /// excerpt, so a finding placed at a file that was refused (a symlink
    /// out of the root) shows no content.
    pub sources: BTreeMap<String, String>,
    /// The text of every sensitive value read (a sensitive variable's value,
    /// a `sensitive()` argument): redacted from every report.
    pub secrets: BTreeSet<String>,
    /// `moved` blocks: (from, to) addresses; a renamed role keeps its history.
    pub moves: Vec<(String, String)>,
}

/// Whether instances of type `t` reach the model (see [`types`]).
pub fn is_relevant_type(t: &str) -> bool {
    types::is_relevant(t)
}

/// The instances as they were before a plan's change (taken, not copied):
/// each with its `before` values as attributes (its previous address, when it moved), and
/// none of those the plan creates or only reads.
pub fn before_side(instances: Vec<ResourceInstance>) -> Vec<ResourceInstance> {
    instances
        .into_iter()
        .filter_map(|mut i| {
            i.attrs = match (i.before.take(), i.change) {
                (Some(b), _) if !matches!(b, Value::Null) => b,
                // Data sources and state keep their values on both sides.
                (None, None) => i.attrs,
                _ => return None,
            };
            i.change = None;
            if let Some(prev) = i.previous_address.take() {
                i.address = prev;
            }
            Some(i)
        })
        .collect()
}

/// The largest policy document read (bytes of its JSON text). IAM's own
/// limits are a few kilobytes (trust policies at most 4,096 characters, a
/// managed policy 6,144), so a larger document is not one AWS would accept:
/// the run stops with an error naming it rather than spend memory on it.
pub const MAX_POLICY_DOCUMENT_BYTES: usize = 256 * 1024;

/// Refuses an input holding a policy document past
/// [`MAX_POLICY_DOCUMENT_BYTES`].
fn check_document_sizes(ingested: &Ingested) -> crate::Result<()> {
    for inst in &ingested.instances {
        for attr in types::policy_attrs(&inst.resource_type) {
            let Some(Value::String(doc)) = inst.attrs.get(attr) else {
                continue;
            };
            if doc.len() > MAX_POLICY_DOCUMENT_BYTES {
                let at = inst
                    .provenance
                    .attrs
                    .get(*attr)
                    .unwrap_or(&inst.provenance.location);
                return Err(crate::error::Error::at(
                    &at.file,
                    at.line,
                    at.column,
                    format!(
                        "{}.{attr} is a policy document of {} bytes, past the limit of {} KiB (limit max_policy_document_bytes; IAM accepts a few KiB)",
                        inst.address,
                        doc.len(),
                        MAX_POLICY_DOCUMENT_BYTES / 1024
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Reads one command-line input: `-` (JSON on standard input), a plan or
/// state JSON file (recognised by content), a `.tf` file or a directory.
pub fn load_path(
    path: &str,
    hcl_options: &hcl::HclOptions,
    stdin: &mut dyn std::io::Read,
) -> crate::Result<Ingested> {
    let ingested = load_path_unchecked(path, hcl_options, stdin)?;
    check_document_sizes(&ingested)?;
    Ok(ingested)
}

fn load_path_unchecked(
    path: &str,
    hcl_options: &hcl::HclOptions,
    stdin: &mut dyn std::io::Read,
) -> crate::Result<Ingested> {
    use crate::error::Error;
    if path == "-" {
        let bytes = whole::read_stream(stdin).map_err(|e| Error::io("<stdin>", e))?;
        if plan::looks_like_utf16(&bytes) {
            return Err(plan::utf16_error("<stdin>"));
        }
        if !plan::looks_like_json(&bytes) {
            return Err(Error::file(
                "<stdin>",
                "expected plan or state JSON (`terraform show -json`) on standard input",
            ));
        }
        let mut ingested = plan::parse("<stdin>", &bytes)?;
        if let Some(code) = &hcl_options.code {
            trust_from_code(&mut ingested, &bytes, code, hcl_options)?;
        }
        return Ok(ingested);
    }
    let p = std::path::Path::new(path);
    let meta = std::fs::metadata(p).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() || path.ends_with(".tf") || path.ends_with(".tf.json") {
        return hcl::load(p, hcl_options);
    }
    if !meta.is_file() {
        return Err(Error::file(
            path,
            "not a regular file (trustdrift reads plan JSON from a file or from `-`, standard input)",
        ));
    }
    let bytes = whole::read_file(p).map_err(|e| Error::io(path, e))?;
    if plan::looks_like_json(&bytes)
        || bytes.starts_with(b"PK\x03\x04")
        || plan::looks_like_utf16(&bytes)
    {
        let mut ingested = plan::parse(path, &bytes)?;
        match &hcl_options.code {
            Some(code) => trust_from_code(&mut ingested, &bytes, code, hcl_options)?,
            None => {
                if let Some(dir) = code_beside(p)
                    && let Err(e) = trust_from_code(&mut ingested, &bytes, &dir, hcl_options)
                {
                    ingested.notes.push(IngestNote {
                        location: Location::new(path, 1, 1),
                        address: None,
                        message: format!(
                            "the code beside the plan could not be read, so trust the plan knows only after apply stays unknown: {e}"
                        ),
                        unscanned: true,
                    });
                }
            }
        }
        return Ok(ingested);
    }
    Err(Error::file(
        path,
        "not a plan or state JSON file (expected the output of `terraform show -json`), a .tf file or a directory",
    ))
}

/// The directory holding `plan`, when it holds Terraform code.
fn code_beside(plan: &std::path::Path) -> Option<std::path::PathBuf> {
    let dir = match plan.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let has_code = std::fs::read_dir(&dir).ok()?.flatten().any(|e| {
        let name = e.file_name().to_string_lossy().to_string();
        hcl::walk::is_config_name(&name) && e.path().is_file()
    });
    has_code.then_some(dir)
}

/// Roles whose plan trust is only known after apply, evaluated from the
/// code in `dir` with the plan's values as inputs: its `variables` for the
/// root module's variables, the known attributes of its resources for their
/// references. A role the code yields a trust document for is judged on
/// it, at the code's locations, and says so.
fn trust_from_code(
    ingested: &mut Ingested,
    bytes: &[u8],
    dir: &std::path::Path,
    options: &hcl::HclOptions,
) -> crate::Result<()> {
    let waiting = |i: &ResourceInstance| {
        i.mode == Mode::Managed
            && i.resource_type == "aws_iam_role"
            && !i.change.is_some_and(ChangeKind::removes)
            && matches!(i.attrs.get("assume_role_policy"), Some(Value::Unknown(_)))
    };
    if !ingested.instances.iter().any(waiting) {
        return Ok(());
    }
    let Some(values) = plan::plan_values(bytes) else {
        return Ok(());
    };
    let code_options = hcl::HclOptions {
        plan_values: Some(values),
        inputs: Vec::new(),
        env_vars: Vec::new(),
        root: options.root.clone(),
        code: None,
    };
    let code = hcl::load(dir, &code_options)?;
    let mut used = false;
    for inst in ingested.instances.iter_mut().filter(|i| waiting(i)) {
        let Some(from) = code.instances.iter().find(|c| {
            c.mode == Mode::Managed
                && c.resource_type == inst.resource_type
                && c.address == inst.address
        }) else {
            continue;
        };
        let Some(policy @ Value::String(_)) = from.attrs.get("assume_role_policy") else {
            continue;
        };
        if let Value::Object(attrs) = &mut inst.attrs {
            attrs.insert("assume_role_policy".into(), policy.clone());
        }
        let plan_location = inst.provenance.location.clone();
        inst.provenance = from.provenance.clone();
        inst.provenance.kind = SourceKind::Plan;
        inst.provenance.trust_from_code_for = Some(plan_location);
        if from.sensitive.contains("assume_role_policy") {
            inst.sensitive.insert("assume_role_policy".into());
        }
        used = true;
    }
    if used {
        let mut sources = code.sources;
        ingested.sources.append(&mut sources);
        let mut secrets = code.secrets;
        ingested.secrets.append(&mut secrets);
    }
    Ok(())
}
