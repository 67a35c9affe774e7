//! Plan and state JSON (`terraform show -json`), format 0.x and 1.x.
//!
//! The file is deserialised into borrowed, typed records: `before`, `after`
//! and the unknown/sensitive masks stay `&RawValue` slices of the input, and
//! only the resource types in [`types`](super::types) are
//! decoded further. That keeps a 100 MB plan well under a second and its
//! memory close to the file's size.

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{
    ChangeKind, Ingested, Mode, Provenance, ResourceInstance, SourceKind, is_relevant_type,
};
use crate::error::{Error, Result};
use crate::model::location::{LazyLines, Location};
use crate::model::value::Value;

/// The top level of a plan or a state; every field optional so that any
/// `terraform show -json` output (and only that) is accepted.
#[derive(Deserialize, Default)]
struct TopLevel<'a> {
    /// Which fields a member-by-member read has filled (see
    /// [`members::Fields`]), one bit each.
    #[serde(skip)]
    seen: u8,
    #[serde(borrow)]
    format_version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resource_changes: Option<Relevant<ResourceChange<'a>>>,
    #[serde(borrow, default)]
    prior_state: Option<State<'a>>,
    #[serde(borrow, default)]
    values: Option<StateValues<'a>>,
    #[serde(borrow, default)]
    planned_values: Option<&'a RawValue>,
    #[serde(borrow, default)]
    configuration: Option<&'a RawValue>,
    #[serde(borrow, default)]
    variables: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ResourceChange<'a> {
    #[serde(borrow)]
    address: Cow<'a, str>,
    #[serde(borrow, default)]
    previous_address: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    mode: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type")]
    resource_type: Cow<'a, str>,
    #[serde(borrow, default)]
    deposed: Option<Cow<'a, str>>,
    #[serde(borrow)]
    change: Change<'a>,
}

#[derive(Deserialize)]
struct Change<'a> {
    #[serde(borrow, default)]
    actions: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    before: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after_unknown: Option<&'a RawValue>,
    #[serde(borrow, default)]
    before_sensitive: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after_sensitive: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct State<'a> {
    #[serde(borrow, default)]
    values: Option<StateValues<'a>>,
}

#[derive(Deserialize)]
struct StateValues<'a> {
    #[serde(borrow, default)]
    root_module: Option<StateModule<'a>>,
}

#[derive(Deserialize)]
struct StateModule<'a> {
    #[serde(borrow, default)]
    resources: Relevant<StateResource<'a>>,
    #[serde(borrow, default)]
    child_modules: Vec<StateModule<'a>>,
}

#[derive(Deserialize)]
struct StateResource<'a> {
    #[serde(borrow)]
    address: Cow<'a, str>,
    #[serde(borrow, default)]
    mode: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type")]
    resource_type: Cow<'a, str>,
    #[serde(borrow, default)]
    deposed_key: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    values: Option<&'a RawValue>,
    #[serde(borrow, default)]
    sensitive_values: Option<&'a RawValue>,
}

/// A list of resources keeping only those the reader looks at: every
/// element is still read (and refused) as its record, but the records of
/// resource types trustdrift does not judge, and of deposed objects, are
/// dropped as they are read instead of being held until the reader skips
/// them.
struct Relevant<T>(Vec<T>);

impl<T> Default for Relevant<T> {
    fn default() -> Self {
        Relevant(Vec::new())
    }
}

impl<T> std::ops::Deref for Relevant<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

/// What [`Relevant`] keeps.
trait Kept {
    fn kept(&self) -> bool;
}

impl Kept for ResourceChange<'_> {
    fn kept(&self) -> bool {
        is_relevant_type(&self.resource_type) && self.deposed.is_none()
    }
}

impl Kept for StateResource<'_> {
    fn kept(&self) -> bool {
        is_relevant_type(&self.resource_type) && self.deposed_key.is_none()
    }
}

impl<'de, T: Deserialize<'de> + Kept> Deserialize<'de> for Relevant<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Seq<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Kept> serde::de::Visitor<'de> for Seq<T> {
            type Value = Relevant<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut kept = Vec::new();
                while let Some(item) = seq.next_element::<T>()? {
                    if item.kept() {
                        kept.push(item);
                    }
                }
                Ok(Relevant(kept))
            }
        }
        d.deserialize_seq(Seq(std::marker::PhantomData))
    }
}

/// Is this text (after leading whitespace) JSON rather than HCL?
pub fn looks_like_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[')
}

/// Is this text UTF-16 (what PowerShell's `>` writes), with or without a
/// byte order mark?
pub fn looks_like_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF")
        || (bytes.len() >= 2 && (bytes[0] == 0) != (bytes[1] == 0) && bytes[..2].contains(&b'{'))
}

/// The error for UTF-16 input, with the way to write UTF-8 instead.
pub fn utf16_error(name: &str) -> Error {
    Error::file(
        name,
        "this file is UTF-16 (what PowerShell's `>` writes); plan JSON must be UTF-8: \
         write it with `terraform show -json plan.out | Out-File -Encoding utf8 plan.json`, \
         or pipe it straight in with `| trustdrift check -`",
    )
}

/// The text is a JSON object, as `terraform show -json` writes (its first
/// byte past white space opens one): a list is refused before any reading,
/// since read whole it would fill the top level's fields in order.
fn is_object_text(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Parses `terraform show -json` output of a plan or a state. `name` is how
/// the file is named in errors and locations.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Ingested> {
    if looks_like_utf16(bytes) {
        return Err(utf16_error(name));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if !is_object_text(bytes) {
        return Err(Error::file(
            name,
            "not a Terraform plan or state: `terraform show -json` writes one JSON object, \
             {\"format_version\": \"1.2\", \"resource_changes\": [...], ...}, and this is not an object",
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(Error::file(
            name,
            "this is a binary plan file; give trustdrift the output of `terraform show -json PLANFILE`",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = LazyLines::new(bytes).position(e.valid_up_to());
        Error::at(
            name,
            line,
            column,
            "invalid UTF-8; plan and state JSON must be UTF-8",
        )
    })?;
    let top = read_top(name, text)?;
    let Some(version) = top.format_version else {
        return Err(Error::file(
            name,
            "not a Terraform plan or state: no top-level \"format_version\" (expected the output of `terraform show -json`)",
        ));
    };
    check_format_version(name, text, version)?;

    let is_plan = top.resource_changes.is_some()
        || top.planned_values.is_some()
        || top.prior_state.is_some()
        || top.configuration.is_some();
    let mut reader = Reader {
        name,
        text,
        lines: LazyLines::new(text.as_bytes()),
        out: Ingested::default(),
    };
    if is_plan {
        reader.resource_changes(top.resource_changes.as_deref().unwrap_or_default())?;
        // Data sources read while planning live in the refreshed prior state.
        if let Some(root) = top
            .prior_state
            .as_ref()
            .and_then(|s| s.values.as_ref())
            .and_then(|v| v.root_module.as_ref())
        {
            reader.state_module(root, SourceKind::Plan, Some(Mode::Data))?;
        }
    } else if let Some(root) = top.values.as_ref().and_then(|v| v.root_module.as_ref()) {
        reader.state_module(root, SourceKind::State, None)?;
    }
    reader.sensitive_variables(top.configuration, top.variables)?;
    build_arns(&mut reader.out.instances);
    if let Some(configuration) = top.configuration
        && super::references::wanted(&reader.out.instances)
    {
        let configuration = reader.decode(configuration)?;
        super::references::join(&configuration, &mut reader.out.instances);
    }
    Ok(reader.out)
}

/// Keys of the large members of a plan, in the order Terraform writes them,
/// where the top level is cut to be read on two threads.
const LANDMARKS: &[&str] = &["\"resource_changes\"", "\"prior_state\""];

/// Below this size a plan's top level is read on one thread.
const SPLIT_FROM: usize = 4 << 20;

/// The top level, read member by member (large plans in pieces on two
/// threads); any text that does not read so is read whole, for its error.
fn read_top<'a>(name: &str, text: &'a str) -> Result<TopLevel<'a>> {
    let split = text.len() >= SPLIT_FROM && super::hcl::thread_count() > 1;
    read_top_with(name, text, split)
}

fn read_top_with<'a>(name: &str, text: &'a str, split: bool) -> Result<TopLevel<'a>> {
    let by_members = || super::members::read::<TopLevel<'a>>(text, LANDMARKS, split);
    let again = || {
        split
            .then(|| super::members::read::<TopLevel<'a>>(text, LANDMARKS, false))
            .flatten()
    };
    match by_members().or_else(again) {
        Some(top) => Ok(top),
        None => serde_json::from_str(text).map_err(|e| json_error(name, &e)),
    }
}

/// Everything a top level holds, with where each raw value sits in the
/// text: two reads of one text give the same digest when they agree.
#[cfg(any(test, fuzzing))]
fn digest(top: &TopLevel<'_>) -> String {
    use std::fmt::Write;
    fn raw(out: &mut String, r: Option<&RawValue>) {
        let _ = match r {
            Some(r) => write!(out, "{:?}@{:p};", r.get(), r.get().as_ptr()),
            None => write!(out, "-;"),
        };
    }
    fn module(out: &mut String, m: Option<&StateModule<'_>>) {
        let Some(m) = m else {
            out.push_str("no module;");
            return;
        };
        for r in m.resources.iter() {
            let _ = write!(
                out,
                "{}|{:?}|{}|{:?}|",
                r.address, r.mode, r.resource_type, r.deposed_key
            );
            raw(out, r.values);
            raw(out, r.sensitive_values);
        }
        for c in &m.child_modules {
            out.push('(');
            module(out, Some(c));
            out.push(')');
        }
    }
    let mut out = String::new();
    raw(&mut out, top.format_version);
    for rc in top.resource_changes.iter().flat_map(|r| r.iter()) {
        let _ = write!(
            out,
            "{}|{:?}|{:?}|{}|{:?}|{:?}|",
            rc.address,
            rc.previous_address,
            rc.mode,
            rc.resource_type,
            rc.deposed,
            rc.change.actions
        );
        let c = &rc.change;
        for r in [
            c.before,
            c.after,
            c.after_unknown,
            c.before_sensitive,
            c.after_sensitive,
        ] {
            raw(&mut out, r);
        }
    }
    out.push_str(if top.resource_changes.is_some() {
        "rc;"
    } else {
        "no rc;"
    });
    for state in [
        top.prior_state.as_ref().map(|s| s.values.as_ref()),
        Some(top.values.as_ref()),
    ] {
        match state {
            None => out.push_str("no state;"),
            Some(v) => module(&mut out, v.and_then(|v| v.root_module.as_ref())),
        }
    }
    for r in [top.planned_values, top.configuration, top.variables] {
        raw(&mut out, r);
    }
    out
}

/// The three ways of reading a top level, as digests: in pieces, member by
/// member on one thread, and whole (or its error's text). A text that is
/// not an object is refused before any of them, as [`parse`] refuses it
/// (read whole, a list would fill the fields in order).
#[cfg(any(test, fuzzing))]
pub fn top_level_reads(
    text: &str,
) -> (
    Option<String>,
    Option<String>,
    std::result::Result<String, String>,
) {
    let read = |split| super::members::read::<TopLevel<'_>>(text, LANDMARKS, split);
    let whole = if is_object_text(text.as_bytes()) {
        serde_json::from_str::<TopLevel<'_>>(text)
            .as_ref()
            .map(digest)
            .map_err(|e| e.to_string())
    } else {
        Err("not an object".to_string())
    };
    (
        read(true).as_ref().map(digest),
        read(false).as_ref().map(digest),
        whole,
    )
}

impl<'a> super::members::Fields<'a> for TopLevel<'a> {
    fn member(&mut self, key: &str, text: &'a str, at: usize) -> Option<usize> {
        use super::members::value;
        fn once<'a, T: Deserialize<'a>>(
            seen: &mut u8,
            bit: u8,
            slot: &mut T,
            text: &'a str,
            at: usize,
        ) -> Option<usize> {
            if *seen & bit != 0 {
                return None;
            }
            *seen |= bit;
            let (v, end) = value::<T>(text, at)?;
            *slot = v;
            Some(end)
        }
        let seen = &mut self.seen;
        match key {
            "format_version" => once(seen, 1, &mut self.format_version, text, at),
            "resource_changes" => once(seen, 2, &mut self.resource_changes, text, at),
            "prior_state" => once(seen, 4, &mut self.prior_state, text, at),
            "values" => once(seen, 8, &mut self.values, text, at),
            "planned_values" => once(seen, 16, &mut self.planned_values, text, at),
            "configuration" => once(seen, 32, &mut self.configuration, text, at),
            "variables" => once(seen, 64, &mut self.variables, text, at),
            _ => value::<serde::de::IgnoredAny>(text, at).map(|(_, end)| end),
        }
    }

    fn join(self, other: Self) -> Option<Self> {
        if self.seen & other.seen != 0 {
            return None;
        }
        Some(TopLevel {
            seen: self.seen | other.seen,
            format_version: self.format_version.or(other.format_version),
            resource_changes: self.resource_changes.or(other.resource_changes),
            prior_state: self.prior_state.or(other.prior_state),
            values: self.values.or(other.values),
            planned_values: self.planned_values.or(other.planned_values),
            configuration: self.configuration.or(other.configuration),
            variables: self.variables.or(other.variables),
        })
    }
}

fn check_format_version(name: &str, text: &str, raw: &RawValue) -> Result<()> {
    let version: Option<String> = serde_json::from_str(raw.get()).ok();
    let major = version
        .as_deref()
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u64>().ok());
    match major {
        Some(0 | 1) => Ok(()),
        _ => {
            let offset = offset_in(text, raw.get());
            let (line, column) = LazyLines::new(text.as_bytes()).position(offset);
            Err(Error::at(
                name,
                line,
                column,
                format!(
                    "format_version {} is not supported (trustdrift reads plan and state JSON format 0.x and 1.x)",
                    raw.get()
                ),
            ))
        }
    }
}

/// serde_json's message without its " at line L column C" suffix, placed at
/// that line and column.
fn json_error(name: &str, e: &serde_json::Error) -> Error {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => &full[..i],
        None => &full,
    };
    let what = if e.is_eof() {
        "truncated JSON"
    } else if e.is_syntax() {
        "invalid JSON"
    } else {
        "not a valid plan or state"
    };
    Error::at(
        name,
        e.line() as u32,
        e.column().max(1) as u32,
        format!("{what}: {message}"),
    )
}

/// Byte offset of `part` within `whole`, when `part` is a slice of it.
fn offset_in(whole: &str, part: &str) -> usize {
    let start = whole.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    if p >= start && p <= start + whole.len() {
        p - start
    } else {
        0
    }
}

struct Reader<'t> {
    name: &'t str,
    text: &'t str,
    lines: LazyLines<'t>,
    out: Ingested,
}

impl Reader<'_> {
    fn location_of(&self, part: &str) -> Location {
        let (line, column) = self.lines.position(offset_in(self.text, part));
        Location::new(self.name, line, column)
    }

    /// Where `"key":` is written inside the object `raw`, if it is.
    fn attr_location(&self, raw: &RawValue, key: &str) -> Option<Location> {
        let needle = format!("\"{key}\"");
        let body = raw.get();
        let at = body.find(&needle)?;
        Some(self.location_of(&body[at..]))
    }

    /// Records where the policy attributes findings point at are written.
    fn locate_policy_attrs(&self, rtype: &str, raw: &RawValue, provenance: &mut Provenance) {
        for key in super::types::policy_attrs(rtype) {
            if let Some(loc) = self.attr_location(raw, key) {
                provenance.attrs.insert(key.to_string(), loc);
            }
        }
    }

    /// Decodes a part of the plan. Terraform never writes a key twice in
    /// one object; a plan that does was edited, and either value could hide
    /// trust, so it is refused at the duplicate's line and column.
    fn decode(&self, raw: &RawValue) -> Result<serde_json::Value> {
        crate::model::json::parse_refusing_duplicates(raw.get()).map_err(|e| {
            let start = self.location_of(raw.get());
            let (line, column) = if e.line() <= 1 {
                (
                    start.line,
                    start.column + e.column().saturating_sub(1) as u32,
                )
            } else {
                (start.line + e.line() as u32 - 1, e.column().max(1) as u32)
            };
            let message = e.to_string();
            let message = match message.rfind(" at line ") {
                Some(i) => &message[..i],
                None => &message,
            };
            Error::at(
                self.name,
                line,
                column,
                format!("not a plan Terraform wrote: {message}"),
            )
        })
    }

    /// The values of root variables the configuration declares sensitive:
    /// judged like any value, redacted from every report.
    fn sensitive_variables(
        &mut self,
        configuration: Option<&RawValue>,
        variables: Option<&RawValue>,
    ) -> Result<()> {
        let (Some(configuration), Some(variables)) = (configuration, variables) else {
            return Ok(());
        };
        #[derive(Deserialize)]
        struct Configuration {
            #[serde(default)]
            root_module: Option<RootModule>,
        }
        #[derive(Deserialize)]
        struct RootModule {
            #[serde(default)]
            variables: Option<std::collections::BTreeMap<String, VariableDecl>>,
        }
        #[derive(Deserialize)]
        struct VariableDecl {
            #[serde(default)]
            sensitive: Option<bool>,
        }
        let declared: Configuration =
            serde_json::from_str(configuration.get()).map_err(|e| json_error(self.name, &e))?;
        let Some(declared) = declared.root_module.and_then(|m| m.variables) else {
            return Ok(());
        };
        if !declared.values().any(|d| d.sensitive == Some(true)) {
            return Ok(());
        }
        let values = self.decode(variables)?;
        for (name, decl) in &declared {
            if decl.sensitive == Some(true)
                && let Some(v) = values.get(name).and_then(|v| v.get("value"))
            {
                crate::model::value::leaf_texts(
                    &Value::from_json(v.clone()),
                    &mut self.out.secrets,
                );
            }
        }
        Ok(())
    }

    /// Every resource change, in order; many (16,384 or more of the types
    /// trustdrift judges: below that the second thread costs more memory
    /// than it saves time) are read in two halves side by side, the later
    /// half with its own line count, the instances put back in order and the
    /// first error in order the one returned.
    fn resource_changes(&mut self, rcs: &[ResourceChange<'_>]) -> Result<()> {
        if rcs.len() < 16_384 {
            for rc in rcs {
                self.resource_change(rc)?;
            }
            return Ok(());
        }
        let (first, second) = rcs.split_at(rcs.len() / 2);
        let (name, text) = (self.name, self.text);
        let (later, here) = crate::threads::side_by_side(
            || -> Result<Vec<ResourceInstance>> {
                let mut other = Reader {
                    name,
                    text,
                    lines: LazyLines::new(text.as_bytes()),
                    out: Ingested::default(),
                };
                for rc in second {
                    other.resource_change(rc)?;
                }
                Ok(other.out.instances)
            },
            || -> Result<()> {
                for rc in first {
                    self.resource_change(rc)?;
                }
                Ok(())
            },
        );
        here?;
        self.out.instances.append(&mut later?);
        Ok(())
    }

    fn resource_change(&mut self, rc: &ResourceChange<'_>) -> Result<()> {
        if !is_relevant_type(&rc.resource_type) || rc.deposed.is_some() {
            return Ok(());
        }
        let mode = parse_mode(rc.mode.as_deref());
        let change = change_kind(&rc.change.actions).ok_or_else(|| {
            let loc = self.location_of(&rc.resource_type);
            Error::at(
                self.name,
                loc.line,
                loc.column,
                format!(
                    "{}: unrecognised change actions {:?}",
                    rc.address, rc.change.actions
                ),
            )
        })?;
        // Data sources planned for reading at apply time are unknown until then;
        // a role that uses one shows it as an unknown attribute.
        if mode == Mode::Data {
            return Ok(());
        }
        let before = rc.change.before.map(|r| self.decode(r)).transpose()?;
        let after = rc.change.after.map(|r| self.decode(r)).transpose()?;
        let after_unknown = rc
            .change
            .after_unknown
            .map(|r| self.decode(r))
            .transpose()?;
        let (attrs, attrs_raw) = if change.removes() {
            (before.clone(), rc.change.before)
        } else {
            (after, rc.change.after)
        };
        let attrs = merge_unknown(
            attrs.unwrap_or(serde_json::Value::Null),
            after_unknown.as_ref().filter(|_| !change.removes()),
        );
        let attrs = match attrs {
            Value::Null => Value::Object(Default::default()),
            v => v,
        };
        let sensitive_mask = if change.removes() {
            rc.change.before_sensitive
        } else {
            rc.change.after_sensitive
        };
        let sensitive = sensitive_mask
            .map(|r| self.decode(r))
            .transpose()?
            .map(|m| sensitive_attrs(&m))
            .unwrap_or_default();

        let mut provenance = Provenance::new(SourceKind::Plan, self.location_of(&rc.resource_type));
        if let Some(raw) = attrs_raw {
            self.locate_policy_attrs(&rc.resource_type, raw, &mut provenance);
        }
        self.out.instances.push(ResourceInstance {
            address: rc.address.to_string(),
            previous_address: rc.previous_address.as_ref().map(|a| a.to_string()),
            mode,
            resource_type: rc.resource_type.to_string(),
            attrs,
            before: before.map(Value::from_json),
            change: Some(change),
            sensitive,
            provenance,
        });
        Ok(())
    }

    /// Resources of a state (or of a plan's prior state, `only` = data sources).
    fn state_module(
        &mut self,
        module: &StateModule<'_>,
        kind: SourceKind,
        only: Option<Mode>,
    ) -> Result<()> {
        for r in module.resources.iter() {
            let mode = parse_mode(r.mode.as_deref());
            if !is_relevant_type(&r.resource_type)
                || r.deposed_key.is_some()
                || only.is_some_and(|m| m != mode)
            {
                continue;
            }
            let attrs = match r.values.map(|v| self.decode(v)).transpose()? {
                Some(v @ serde_json::Value::Object(_)) => Value::from_json(v),
                _ => Value::Object(Default::default()),
            };
            let sensitive = r
                .sensitive_values
                .map(|v| self.decode(v))
                .transpose()?
                .map(|m| sensitive_attrs(&m))
                .unwrap_or_default();
            let mut provenance = Provenance::new(kind, self.location_of(&r.resource_type));
            if let Some(raw) = r.values {
                self.locate_policy_attrs(&r.resource_type, raw, &mut provenance);
            }
            self.out.instances.push(ResourceInstance {
                address: r.address.to_string(),
                previous_address: None,
                mode,
                resource_type: r.resource_type.to_string(),
                attrs,
                before: None,
                change: None,
                sensitive,
                provenance,
            });
        }
        for child in &module.child_modules {
            self.state_module(child, kind, only)?;
        }
        Ok(())
    }
}

fn parse_mode(mode: Option<&str>) -> Mode {
    match mode {
        Some("data") => Mode::Data,
        _ => Mode::Managed,
    }
}

/// `change.actions` → what happens to the instance.
pub fn change_kind(actions: &[Cow<'_, str>]) -> Option<ChangeKind> {
    let a: Vec<&str> = actions.iter().map(|s| s.as_ref()).collect();
    Some(match a.as_slice() {
        ["no-op"] => ChangeKind::NoOp,
        ["create"] => ChangeKind::Create,
        ["read"] => ChangeKind::Read,
        ["update"] => ChangeKind::Update,
        ["delete", "create"] | ["create", "delete"] => ChangeKind::Replace,
        ["delete"] => ChangeKind::Delete,
        ["forget"] => ChangeKind::Forget,
        // Created and then forgotten: exists after apply, unmanaged.
        ["create", "forget"] => ChangeKind::Create,
        _ => return None,
    })
}

/// `after` with every leaf that `after_unknown` marks `true` replaced by
/// `Unknown`. Unknown object attributes are absent from `after`; unknown
/// list elements are `null` there.
fn merge_unknown(after: serde_json::Value, unknown: Option<&serde_json::Value>) -> Value {
    use serde_json::Value as J;
    match (after, unknown) {
        (_, Some(J::Bool(true))) => Value::unknown("a value known only after apply"),
        (J::Object(mut obj), Some(J::Object(mask))) => {
            let mut out = std::collections::BTreeMap::new();
            for (k, m) in mask {
                let v = obj.remove(k).unwrap_or(J::Null);
                if m == &J::Bool(true) || matches!(m, J::Object(_) | J::Array(_)) {
                    out.insert(k.clone(), merge_unknown(v, Some(m)));
                } else {
                    out.insert(k.clone(), Value::from_json(v));
                }
            }
            for (k, v) in obj {
                out.insert(k, Value::from_json(v));
            }
            Value::Object(out)
        }
        (J::Array(items), Some(J::Array(mask))) => {
            let n = items.len().max(mask.len());
            let mut items = items.into_iter();
            Value::List(
                (0..n)
                    .map(|i| merge_unknown(items.next().unwrap_or(J::Null), mask.get(i)))
                    .collect(),
            )
        }
        (v, _) => Value::from_json(v),
    }
}

/// Top-level attribute names that a `*_sensitive` mask marks anywhere inside.
fn sensitive_attrs(mask: &serde_json::Value) -> BTreeSet<String> {
    fn any_true(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Bool(b) => *b,
            serde_json::Value::Array(a) => a.iter().any(any_true),
            serde_json::Value::Object(o) => o.values().any(any_true),
            _ => false,
        }
    }
    match mask {
        serde_json::Value::Object(o) => o
            .iter()
            .filter(|(_, v)| any_true(v))
            .map(|(k, _)| k.clone())
            .collect(),
        _ => BTreeSet::new(),
    }
}

#[cfg(test)]
mod tests {
    /// Found by the `plan_json` fuzz target: a list read whole fills the
    /// top level's fields in order, so it is refused before any reading.
    #[test]
    fn a_list_at_the_top_is_no_plan_however_it_is_read() {
        for text in ["[[]]", " []", "[\"1.2\", []]"] {
            let (split, members, whole) = super::top_level_reads(text);
            assert_eq!((split, members), (None, None), "{text}");
            assert!(whole.is_err(), "{text}");
            assert!(super::parse("p.json", text.as_bytes()).is_err(), "{text}");
        }
        let (_, members, whole) = super::top_level_reads("{\"format_version\":\"1.2\"}");
        assert!(members.is_some() && whole.is_ok());
    }

    use super::*;

    fn actions(a: &[&'static str]) -> Vec<Cow<'static, str>> {
        a.iter().map(|s| Cow::Borrowed(*s)).collect()
    }

    /// A plan with every member the reader looks at, some twice as deep,
    /// written with the spacing `sp`.
    fn whole_plan(sp: &str) -> String {
        let rc = |i: usize, t: &str| {
            format!(
                r#"{{"address":"{t}.r{i}","mode":"managed","type":"{t}","name":"r{i}","change":{{"actions":["update"],"before":{{"name":"a{i}"}},"after":{{"name":"b{i}","assume_role_policy":"{{\"Version\":\"2012-10-17\"}}"}},"after_unknown":{{}},"before_sensitive":false,"after_sensitive":{{}}}}}}"#
            )
        };
        let rcs: Vec<String> = (0..6)
            .map(|i| {
                rc(
                    i,
                    if i % 2 == 0 {
                        "aws_iam_role"
                    } else {
                        "aws_s3_bucket"
                    },
                )
            })
            .collect();
        let data = r#"{"address":"data.aws_caller_identity.me","mode":"data","type":"aws_caller_identity","name":"me","values":{"account_id":"111111111111"},"sensitive_values":{}}"#;
        format!(
            "{sp}{{{sp}\"format_version\"{sp}:{sp}\"1.2\",\"terraform_version\":\"1.11.0\",{sp}\"variables\":{{\"v\":{{\"value\":1}}}},\"planned_values\":{{\"root_module\":{{\"resources\":[],\"note\":\"\\\"prior_state\\\":\"}}}},{sp}\"resource_changes\"{sp}:{sp}[{}]{sp},\"resource_drift\":[],\"prior_state\":{{\"values\":{{\"root_module\":{{\"resources\":[{data}],\"child_modules\":[{{\"resources\":[{data}],\"child_modules\":[]}}]}}}}}},\"configuration\":{{\"root_module\":{{}}}},\"errored\":false{sp}}}{sp}",
            rcs.join(&format!(",{sp}"))
        )
    }

    #[test]
    fn a_top_level_read_in_pieces_is_the_same_as_read_whole() {
        for sp in ["", " ", "\n  ", "\t\r\n"] {
            let text = whole_plan(sp);
            let whole: TopLevel<'_> = serde_json::from_str(&text).expect("valid plan");
            assert!(whole.prior_state.is_some() && whole.resource_changes.is_some());
            let want = digest(&whole);
            for split in [true, false] {
                let top = super::super::members::read::<TopLevel<'_>>(&text, LANDMARKS, split);
                assert_eq!(
                    top.as_ref().map(digest).as_deref(),
                    Some(want.as_str()),
                    "{split} {sp:?}"
                );
                let top = read_top_with("p.json", &text, split).expect("reads");
                assert_eq!(digest(&top), want);
            }
        }
    }

    #[test]
    fn a_top_level_that_does_not_read_in_pieces_has_the_whole_reads_error() {
        let text = whole_plan(" ");
        let broken = [
            text.replacen("\"prior_state\"", "\"resource_changes\"", 1),
            text.replacen("\"errored\":false", "\"errored\":false,", 1),
            text.replacen("[", "{", 1),
            text.replacen("\"configuration\":", "\"configuration\"", 1),
            format!("{text}x"),
            text[..text.len() / 2].to_string(),
        ];
        for b in &broken {
            let want = match serde_json::from_str::<TopLevel<'_>>(b) {
                Ok(_) => panic!("{b} reads"),
                Err(e) => json_error("p.json", &e).to_string(),
            };
            for split in [true, false] {
                assert!(super::super::members::read::<TopLevel<'_>>(b, LANDMARKS, split).is_none());
                match read_top_with("p.json", b, split) {
                    Ok(_) => panic!("{b} reads"),
                    Err(e) => assert_eq!(e.to_string(), want),
                }
            }
        }
    }

    proptest::proptest! {
        /// Members in any order, any of them twice, any spacing: read in
        /// pieces, member by member, or whole, a top level is the same, and
        /// what does not read in pieces does not read whole.
        #[test]
        fn any_member_order_reads_the_same(
            order in proptest::collection::vec(0usize..9, 0..12),
            sp in "[ \t\n]{0,2}",
        ) {
            let members = [
                r#""format_version":"1.2""#,
                r#""resource_changes":[{"address":"aws_iam_role.r","type":"aws_iam_role","change":{"actions":["create"],"after":{"name":"r"}}}]"#,
                r#""prior_state":{"values":{"root_module":{"resources":[]}}}"#,
                r#""planned_values":{"x":[1,2,{"resource_changes":3}],"resource_changes":4}"#,
                r#""configuration":null"#,
                r#""variables":{}"#,
                r#""values":{"root_module":{"child_modules":[{"resources":[]}]}}"#,
                r#""other":["prior_state",{"prior_state":1}]"#,
                r#""resource_changes":null"#,
            ];
            let body: Vec<&str> = order.iter().map(|i| members[*i]).collect();
            let text = format!("{sp}{{{sp}{}{sp}}}", body.join(&format!("{sp},{sp}")));
            let whole = serde_json::from_str::<TopLevel<'_>>(&text).map(|t| digest(&t)).ok();
            for split in [true, false] {
                let top = super::super::members::read::<TopLevel<'_>>(&text, LANDMARKS, split);
                let got = top.as_ref().map(digest);
                if split {
                    // A cut that cannot read falls back to one thread.
                    if got.is_some() {
                        proptest::prop_assert_eq!(&got, &whole);
                    }
                } else {
                    proptest::prop_assert_eq!(&got, &whole);
                }
            }
        }
    }

    /// Many resource changes are read in two halves side by side: the
    /// instances come back in order, and the first bad one in order is the
    /// error, whichever half it is in.
    #[test]
    fn resource_changes_read_in_halves_keep_their_order_and_first_error() {
        let plan = |bad: &[usize]| {
            let rcs: Vec<String> = (0..20_000)
                .map(|i| {
                    let action = if bad.contains(&i) { "explode" } else { "create" };
                    format!(
                        r#"{{"address":"aws_iam_role.r[{i}]","mode":"managed","type":"aws_iam_role","name":"r","change":{{"actions":["{action}"],"before":null,"after":{{"name":"r{i}"}},"after_unknown":{{}}}}}}"#
                    )
                })
                .collect();
            format!(
                "{{\"format_version\":\"1.2\",\"resource_changes\":[\n{}\n]}}",
                rcs.join(",\n")
            )
        };
        let ingested = parse("p.json", plan(&[]).as_bytes()).expect("reads");
        let addresses: Vec<&str> = ingested
            .instances
            .iter()
            .map(|i| i.address.as_str())
            .collect();
        let want: Vec<String> = (0..20_000)
            .map(|i| format!("aws_iam_role.r[{i}]"))
            .collect();
        assert_eq!(addresses, want);
        let lines: Vec<u32> = ingested
            .instances
            .iter()
            .map(|i| i.provenance.location.line)
            .collect();
        assert_eq!(lines, (2..20_002).collect::<Vec<u32>>());
        for (bad, first) in [
            (vec![12_000, 15_000], 12_000),
            (vec![100, 15_000], 100),
            (vec![19_999], 19_999),
        ] {
            let text = plan(&bad);
            let e = match parse("p.json", text.as_bytes()) {
                Ok(_) => panic!("{first}: read"),
                Err(e) => e.to_string(),
            };
            assert!(
                e.starts_with(&format!("p.json:{}:", first + 2))
                    && e.contains(&format!("aws_iam_role.r[{first}]: unrecognised")),
                "{e}"
            );
        }
    }

    #[test]
    fn every_action_list_maps_to_a_change() {
        assert_eq!(
            change_kind(&actions(&["delete", "create"])),
            Some(ChangeKind::Replace)
        );
        assert_eq!(
            change_kind(&actions(&["create", "delete"])),
            Some(ChangeKind::Replace)
        );
        assert_eq!(change_kind(&actions(&["forget"])), Some(ChangeKind::Forget));
        assert_eq!(
            change_kind(&actions(&["create", "forget"])),
            Some(ChangeKind::Create)
        );
        assert_eq!(change_kind(&actions(&["read"])), Some(ChangeKind::Read));
        assert_eq!(change_kind(&actions(&["explode"])), None);
    }

    #[test]
    fn unknown_policy_is_unknown_not_absent() {
        let after = serde_json::json!({"name": "r"});
        let mask = serde_json::json!({"assume_role_policy": true, "tags": {}});
        let v = merge_unknown(after, Some(&mask));
        assert!(v.get("assume_role_policy").is_some_and(Value::is_unknown));
        assert_eq!(v.get("name").and_then(Value::as_str), Some("r"));
    }

    #[test]
    fn unknown_list_elements_keep_their_position() {
        let after = serde_json::json!({"l": ["a", null]});
        let mask = serde_json::json!({"l": [false, true]});
        let v = merge_unknown(after, Some(&mask));
        let Some(Value::List(l)) = v.get("l") else {
            panic!("not a list")
        };
        assert_eq!(l[0], Value::String("a".into()));
        assert!(l[1].is_unknown());
    }
}

/// What a plan already knows that code evaluation can use: the root
/// module's input values and every resource's known attributes.
#[derive(Debug, Clone, Default)]
pub struct PlanValues {
    /// The plan's `variables`: name → value.
    pub variables: std::collections::BTreeMap<String, Value>,
    /// Instance address → attributes: the prior state's, overlaid with the
    /// planned values (which leave out what is only known after apply).
    pub resources: std::collections::BTreeMap<String, Value>,
}

/// The values of a plan (`None` for anything that is not plan JSON).
pub fn plan_values(bytes: &[u8]) -> Option<PlanValues> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let top: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let mut out = PlanValues::default();
    if let Some(vars) = top.get("variables").and_then(|v| v.as_object()) {
        for (name, v) in vars {
            if let Some(value) = v.get("value") {
                out.variables
                    .insert(name.clone(), Value::from_json(value.clone()));
            }
        }
    }
    let modules = [
        top.pointer("/prior_state/values/root_module"),
        top.pointer("/planned_values/root_module"),
    ];
    for root in modules.into_iter().flatten() {
        let mut stack = vec![root];
        // Module nesting is bounded by the JSON parser's own depth limit.
        while let Some(module) = stack.pop() {
            for r in module
                .get("resources")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
            {
                let (Some(address), Some(serde_json::Value::Object(values))) =
                    (r.get("address").and_then(|a| a.as_str()), r.get("values"))
                else {
                    continue;
                };
                let entry = out
                    .resources
                    .entry(address.to_string())
                    .or_insert_with(|| Value::Object(Default::default()));
                if let Value::Object(attrs) = entry {
                    for (k, v) in values {
                        attrs.insert(k.clone(), Value::from_json(v.clone()));
                    }
                }
            }
            stack.extend(
                module
                    .get("child_modules")
                    .and_then(|c| c.as_array())
                    .into_iter()
                    .flatten(),
            );
        }
    }
    Some(out)
}

/// ARNs a plan leaves to apply although the arguments fix them: an OIDC
/// provider's from its `url`, a role's from its `name` and `path`, in the
/// account the plan read the caller's identity in (or standing for it).
fn build_arns(instances: &mut [ResourceInstance]) {
    let accounts: BTreeSet<String> = instances
        .iter()
        .filter(|i| i.mode == Mode::Data && i.resource_type == "aws_caller_identity")
        .filter_map(|i| i.attrs.get("account_id").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    let own = match accounts.len() {
        1 => accounts.into_iter().next().unwrap_or_default(),
        _ => "${data.aws_caller_identity.current.account_id}".to_string(),
    };
    for inst in instances.iter_mut().filter(|i| i.mode == Mode::Managed) {
        if !matches!(inst.attrs.get("arn"), Some(Value::Unknown(_))) {
            continue;
        }
        let text = |k: &str| {
            inst.attrs
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let arn = match inst.resource_type.as_str() {
            "aws_iam_openid_connect_provider" => text("url").map(|url| {
                let host = url
                    .strip_prefix("https://")
                    .or_else(|| url.strip_prefix("http://"))
                    .unwrap_or(&url)
                    .to_string();
                format!(
                    "arn:${{data.aws_partition.current.partition}}:iam::{own}:oidc-provider/{host}"
                )
            }),
            "aws_iam_role" => text("name").map(|name| {
                let path = text("path").unwrap_or_else(|| "/".to_string());
                let path = path.strip_prefix('/').unwrap_or(&path).to_string();
                format!(
                    "arn:${{data.aws_partition.current.partition}}:iam::{own}:role/{path}{name}"
                )
            }),
            _ => None,
        };
        if let (Some(arn), Value::Object(attrs)) = (arn, &mut inst.attrs) {
            attrs.insert("arn".into(), Value::String(arn));
        }
    }
}
