//! The baseline snapshot (`.trustdrift/baseline.json`): every trust grant
//! (and, later, every Bedrock reach) a compliance team has seen, with its
//! normalised content, a hash of it, and an optional approval (who owns it,
//! until when, why). It is the "before" that drift compares with, and its
//! history in the repository is the audit trail of who approved what.
//!
//! The bytes are deterministic (entries sorted by key, object keys sorted,
//! two-space indentation, a trailing newline), so the same grants always give
//! the same file. It is written to a temporary file in the same directory,
//! flushed and renamed: a crash leaves the old file whole. A file written by
//! a newer format version, or one that is not a baseline, is refused and left
//! untouched.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value as J;

use crate::error::{Error, Result};
use crate::model::date::Date;

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// Where `check` looks for a baseline when `--baseline` is not given.
pub const DEFAULT_PATH: &str = ".trustdrift/baseline.json";

/// A baseline read from a file: the snapshot, the file's name, and the
/// line each entry starts on (for findings about an entry).
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub path: String,
    pub baseline: Baseline,
    pub lines: BTreeMap<String, u32>,
}

impl Loaded {
    /// Reads the baseline at `path`.
    pub fn read(path: &Path) -> Result<Loaded> {
        let shown = path.display().to_string();
        let text = read_text(path)?;
        let baseline = Baseline::parse(&shown, &text)?;
        let lines = key_lines(&text, &baseline.entries);
        Ok(Loaded {
            path: shown,
            baseline,
            lines,
        })
    }

    /// How a finding names this before: `the baseline`, `the plan's
    /// before`, or `revision REV`.
    pub fn described(&self) -> String {
        if let Some(rev) = self
            .path
            .strip_prefix("(at ")
            .and_then(|r| r.strip_suffix(')'))
        {
            format!("revision {rev}")
        } else if self.path == "(the plan's before)" {
            "the plan's before values".to_string()
        } else {
            "the baseline".to_string()
        }
    }

    /// Where entry `key` is written.
    pub fn location(&self, key: &str) -> crate::model::location::Location {
        crate::model::location::Location::new(
            &self.path,
            self.lines.get(key).copied().unwrap_or(1),
            1,
        )
    }
}

/// The line each entry's `"key": …` is first written on, found in one pass
/// over the text (a search per key from the start was quadratic: minutes
/// at 20,000 grants).
fn key_lines(text: &str, entries: &BTreeMap<String, Entry>) -> BTreeMap<String, u32> {
    const NEEDLE: &str = "\"key\": ";
    let mut found: Vec<(String, u32)> = Vec::with_capacity(entries.len());
    let (mut line, mut counted) = (1u32, 0usize);
    for at in memchr::memmem::find_iter(text.as_bytes(), NEEDLE) {
        line += bytecount::count(&text.as_bytes()[counted..at], b'\n') as u32;
        counted = at;
        let rest = &text[at + NEEDLE.len()..];
        // A key with no escape in it is the text between its quotes.
        let plain = rest.strip_prefix('"').and_then(|r| {
            let end = r.find(['"', '\\'])?;
            (r.as_bytes()[end] == b'"').then(|| &r[..end])
        });
        let key = match plain {
            Some(k) => std::borrow::Cow::Borrowed(k),
            None => {
                let Some(Ok(key)) = serde_json::Deserializer::from_str(rest)
                    .into_iter::<String>()
                    .next()
                else {
                    continue;
                };
                std::borrow::Cow::Owned(key)
            }
        };
        if entries.contains_key(key.as_ref()) {
            found.push((key.into_owned(), line));
        }
    }
    // The first line of each key; the file lists them in order, so the map
    // is built in one pass.
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup_by(|later, first| later.0 == first.0);
    found.into_iter().collect()
}

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Who may assume a role: one grant.
    Trust,
    /// Where one identity may invoke Bedrock: its reach.
    Bedrock,
}

/// One grant as the baseline holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    // Fields in name order: the file's keys are sorted as written.
    pub approval: Option<Approval>,
    /// The normalised content drift compares.
    pub content: Content,
    /// `sha256:` of the content's canonical JSON.
    pub hash: String,
    /// The grant key (`ROLE_ADDRESS|PRINCIPAL`).
    pub key: String,
    pub kind: EntryKind,
    /// The role (or document) it is about.
    pub subject: String,
}

/// A reviewer's approval of a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    // Fields in name order: the file's keys are sorted as written.
    /// The day it was given (YYYY-MM-DD).
    pub approved: String,
    /// The content hash it was given for: a grant that changed since shows
    /// its approval as given for something else.
    pub content_hash: String,
    /// YYYY-MM-DD.
    pub expires: String,
    pub owner: String,
    pub reason: String,
    #[serde(default)]
    pub ticket: Option<String>,
}

/// The whole snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub version: u64,
    /// The trustdrift that wrote it.
    pub tool: String,
    /// By key.
    pub entries: BTreeMap<String, Entry>,
}

/// The file as the careful reader takes it: every value a tree.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OnDisk {
    entries: Vec<Object<EntryOnDisk>>,
    tool: String,
    version: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryOnDisk {
    #[serde(default)]
    approval: Option<Object<Approval>>,
    content: J,
    hash: String,
    key: String,
    kind: EntryKind,
    subject: String,
}

/// The file as the quick reader takes it: each entry's content left as the
/// text it is written as, and only brought to canonical form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuickDisk<'a> {
    #[serde(borrow)]
    entries: Vec<Object<QuickEntry<'a>>>,
    tool: String,
    version: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuickEntry<'a> {
    #[serde(default)]
    approval: Option<Object<Approval>>,
    #[serde(borrow)]
    content: &'a serde_json::value::RawValue,
    #[serde(borrow)]
    hash: std::borrow::Cow<'a, str>,
    key: String,
    kind: EntryKind,
    subject: String,
}

/// `T` read only from a JSON object: a derived struct also takes a list of
/// its fields in order (`[[], "tool", 1]` for a whole file), which is no
/// baseline trustdrift writes. Both readers refuse it.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Fields<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Fields<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Object)
            }
        }
        d.deserialize_map(Fields(std::marker::PhantomData))
    }
}

/// An entry's normalised content, held as its canonical JSON text (object
/// keys sorted, no spaces): the text its hash is taken of. Compared, hashed
/// and written as text; read as a tree only where a change is explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content(String);

impl Content {
    /// The canonical text of `value`.
    pub fn of(value: &J) -> Content {
        // A Value's maps are sorted, so its compact text is canonical.
        Content(serde_json::to_string(value).unwrap_or_default())
    }

    /// Content whose canonical text is `text` (the caller vouches for it).
    pub(crate) fn from_canonical(text: String) -> Content {
        Content(text)
    }

    /// The canonical JSON text.
    pub fn text(&self) -> &str {
        &self.0
    }

    /// The content as a tree.
    pub fn value(&self) -> J {
        serde_json::from_str(&self.0).unwrap_or(J::Null)
    }

    /// `sha256:HEX` of the canonical text.
    pub fn hash(&self) -> String {
        sha256_text(&self.0)
    }
}

impl Serialize for Content {
    /// As the tree it stands for: the same bytes, compact or pretty.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

/// `sha256:HEX` of a value's canonical JSON (object keys sorted, no spaces).
pub fn content_hash(content: &J) -> String {
    sha256_text(&serde_json::to_string(content).unwrap_or_default())
}

/// `sha256:HEX` of `text`.
fn sha256_text(text: &str) -> String {
    use sha2::{Digest, Sha256};
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// Replaces every sensitive value (3 characters or more) inside strings by
/// `(sensitive HASH)`, HASH the first 12 hex digits of the value's SHA-256:
/// the baseline is committed to the repository, so it must not hold the
/// value, and a changed value must still show as drift.
pub struct Redactor {
    /// (value, marker), longest value first, so a value inside another is
    /// not half-replaced.
    pairs: Vec<(String, String)>,
}

impl Redactor {
    pub fn new(secrets: &std::collections::BTreeSet<String>) -> Redactor {
        use sha2::{Digest, Sha256};
        let mut pairs: Vec<(String, String)> = secrets
            .iter()
            .filter(|s| s.chars().count() >= crate::report::MIN_REDACTED_LEN)
            .map(|s| {
                let digest = Sha256::digest(s.as_bytes());
                let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
                (s.clone(), format!("(sensitive {hex})"))
            })
            .collect();
        pairs.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        Redactor { pairs }
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// `s` with every sensitive value replaced by its marker.
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (secret, marker) in &self.pairs {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), marker);
            }
        }
        out
    }

    /// `v` with every string (keys too) passed through [`Redactor::text`].
    pub fn value(&self, v: &J) -> J {
        match v {
            J::String(s) => J::String(self.text(s)),
            J::Array(items) => J::Array(items.iter().map(|i| self.value(i)).collect()),
            J::Object(m) => J::Object(
                m.iter()
                    .map(|(k, v)| (self.text(k), self.value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

impl Entry {
    pub fn new(key: String, kind: EntryKind, subject: String, content: J) -> Entry {
        Entry::of_content(key, kind, subject, Content::of(&content))
    }

    /// An entry of content already in canonical form.
    pub fn of_content(key: String, kind: EntryKind, subject: String, content: Content) -> Entry {
        let hash = content.hash();
        Entry {
            key,
            kind,
            subject,
            content,
            hash,
            approval: None,
        }
    }
}

/// What `update` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateSummary {
    /// Keys new in the baseline (unapproved).
    pub added: Vec<String>,
    /// Keys dropped because their grant no longer exists.
    pub removed: Vec<String>,
    /// Keys whose content changed (their approval is kept, marked as given
    /// for other content).
    pub changed: Vec<String>,
    /// Approvals carried over.
    pub approvals_kept: usize,
}

impl Baseline {
    /// A baseline of `entries`, none approved.
    pub fn new(entries: Vec<Entry>) -> Baseline {
        Baseline {
            version: FORMAT_VERSION,
            tool: tool_version(),
            entries: entries.into_iter().map(|e| (e.key.clone(), e)).collect(),
        }
    }

    /// Parses a baseline file's text; `name` is how errors name it.
    ///
    /// A file as trustdrift writes it is read quickly: typed, each entry's
    /// content brought to canonical text without building a tree. Anything
    /// the quick reader does not take (any error, content not in canonical
    /// key order, a hash that does not match) is read again by the careful
    /// reader, which gives the same baseline or says exactly what is wrong.
    pub fn parse(name: &str, text: &str) -> Result<Baseline> {
        match Baseline::parse_quick(text) {
            Some(b) => Ok(b),
            None => Baseline::parse_careful(name, text),
        }
    }

    /// The careful reader alone: the baseline fuzz target holds the quick
    /// reader to it.
    #[cfg(any(test, fuzzing))]
    pub fn parse_carefully(name: &str, text: &str) -> Result<Baseline> {
        Baseline::parse_careful(name, text)
    }

    /// The quick reader: `None` for whatever it does not take.
    fn parse_quick(text: &str) -> Option<Baseline> {
        let Object(disk) = serde_json::from_str::<Object<QuickDisk<'_>>>(text).ok()?;
        if disk.version > FORMAT_VERSION {
            return None;
        }
        let mut list = Vec::with_capacity(disk.entries.len());
        for Object(e) in disk.entries {
            let mut canonical = Vec::with_capacity(e.content.get().len());
            let mut de = serde_json::Deserializer::from_str(e.content.get());
            serde::de::DeserializeSeed::deserialize(
                Canonical {
                    out: &mut canonical,
                },
                &mut de,
            )
            .ok()?;
            de.end().ok()?;
            let content = Content(String::from_utf8(canonical).ok()?);
            if content.hash() != e.hash {
                return None;
            }
            let approval = e.approval.map(|Object(a)| a);
            if let Some(a) = &approval
                && (Date::parse(&a.expires).is_none() || Date::parse(&a.approved).is_none())
            {
                return None;
            }
            list.push(Entry {
                approval,
                content,
                hash: e.hash.into_owned(),
                key: e.key,
                kind: e.kind,
                subject: e.subject,
            });
        }
        // Written sorted: then the map is built in one pass.
        if !list.windows(2).all(|w| w[0].key < w[1].key) {
            let mut entries = BTreeMap::new();
            for e in list {
                let key = e.key.clone();
                if entries.insert(key, e).is_some() {
                    return None;
                }
            }
            return Some(Baseline {
                version: disk.version,
                tool: disk.tool,
                entries,
            });
        }
        Some(Baseline {
            version: disk.version,
            tool: disk.tool,
            entries: list.into_iter().map(|e| (e.key.clone(), e)).collect(),
        })
    }

    /// The careful reader: the whole file as a tree, refusing duplicate
    /// keys, each error at its place.
    fn parse_careful(name: &str, text: &str) -> Result<Baseline> {
        let json = crate::model::json::parse_refusing_duplicates(text).map_err(|e| {
            Error::at(
                name,
                e.line() as u32,
                e.column().max(1) as u32,
                format!("not a baseline file: {}", strip_position(&e.to_string())),
            )
        })?;
        let version = json.get("version").and_then(J::as_u64);
        match version {
            Some(v) if v > FORMAT_VERSION => {
                return Err(Error::file(
                    name,
                    format!(
                        "baseline format version {v} was written by a newer trustdrift; this one reads version {FORMAT_VERSION} (upgrade trustdrift)"
                    ),
                ));
            }
            Some(_) => {}
            None => {
                return Err(Error::file(
                    name,
                    "not a baseline file: no \"version\" number (trustdrift baseline create writes one)",
                ));
            }
        }
        let disk: OnDisk = serde_json::from_value(json)
            .map_err(|e| Error::file(name, format!("not a baseline file: {e}")))?;
        let mut entries = BTreeMap::new();
        for Object(e) in disk.entries {
            let approval = e.approval.map(|Object(a)| a);
            let content = Content::of(&e.content);
            if content.hash() != e.hash {
                return Err(Error::file(
                    name,
                    format!(
                        "entry {}: its hash does not match its content (the file was edited by hand; run trustdrift baseline update)",
                        e.key
                    ),
                ));
            }
            if let Some(a) = &approval {
                for (what, day) in [("expires", &a.expires), ("approved", &a.approved)] {
                    if Date::parse(day).is_none() {
                        return Err(Error::file(
                            name,
                            format!(
                                "entry {}: approval {what} {day:?} is not a date (YYYY-MM-DD)",
                                e.key
                            ),
                        ));
                    }
                }
            }
            let key = e.key.clone();
            let entry = Entry {
                approval,
                content,
                hash: e.hash,
                key: e.key,
                kind: e.kind,
                subject: e.subject,
            };
            if entries.insert(key.clone(), entry).is_some() {
                return Err(Error::file(name, format!("entry {key} appears twice")));
            }
        }
        Ok(Baseline {
            version: disk.version,
            tool: disk.tool,
            entries,
        })
    }

    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Baseline> {
        Baseline::parse(&path.display().to_string(), &read_text(path)?)
    }

    /// The file's bytes: deterministic, pretty, with a trailing newline.
    ///
    /// Written as serde_json's pretty printer writes the tree of the file
    /// (keys sorted, two-space indentation), from the entries as they are:
    /// the compact text of the file, then its layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut compact = Vec::with_capacity(
            64 + self
                .entries
                .values()
                .map(|e| e.content.0.len() + e.key.len() + e.subject.len() + 150)
                .sum::<usize>(),
        );
        let string = |out: &mut Vec<u8>, s: &str| {
            // Writing a string to memory cannot fail.
            let _ = serde_json::to_writer(&mut *out, s);
        };
        compact.extend_from_slice(b"{\"entries\":[");
        for (i, e) in self.entries.values().enumerate() {
            if i > 0 {
                compact.push(b',');
            }
            compact.push(b'{');
            if let Some(a) = &e.approval {
                compact.extend_from_slice(b"\"approval\":");
                let _ = serde_json::to_writer(&mut compact, a);
                compact.push(b',');
            }
            compact.extend_from_slice(b"\"content\":");
            compact.extend_from_slice(e.content.0.as_bytes());
            compact.extend_from_slice(b",\"hash\":");
            string(&mut compact, &e.hash);
            compact.extend_from_slice(b",\"key\":");
            string(&mut compact, &e.key);
            compact.extend_from_slice(b",\"kind\":");
            let _ = serde_json::to_writer(&mut compact, &e.kind);
            compact.extend_from_slice(b",\"subject\":");
            string(&mut compact, &e.subject);
            compact.push(b'}');
        }
        compact.extend_from_slice(b"],\"tool\":");
        string(&mut compact, &self.tool);
        compact.extend_from_slice(b",\"version\":");
        let _ = serde_json::to_writer(&mut compact, &self.version);
        compact.push(b'}');
        let mut out = pretty(&compact);
        out.push(b'\n');
        out
    }

    /// Writes the file atomically; refuses to replace an existing file
    /// unless `force`.
    pub fn write(&self, path: &Path, force: bool) -> Result<()> {
        let shown = path.display().to_string();
        if !force && path.symlink_metadata().is_ok() {
            return Err(Error::file(
                &shown,
                "a baseline already exists here: use `trustdrift baseline update` to keep its approvals, or --force to replace it",
            ));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display(), e))?;
        }
        crate::output::write_atomically(path, &self.to_bytes())
            .map_err(|e| Error::file(&shown, format!("cannot write the baseline: {e}")))
    }

    /// This baseline brought up to `current` (the grants that exist now):
    /// new grants are added unapproved, vanished ones dropped, and every
    /// grant that still exists keeps its approval, whatever its content now.
    pub fn update(&self, current: Vec<Entry>) -> (Baseline, UpdateSummary) {
        let mut summary = UpdateSummary::default();
        let mut entries = BTreeMap::new();
        for mut e in current {
            match self.entries.get(&e.key) {
                Some(old) => {
                    if old.hash != e.hash {
                        summary.changed.push(e.key.clone());
                    }
                    if let Some(a) = &old.approval {
                        e.approval = Some(a.clone());
                        summary.approvals_kept += 1;
                    }
                }
                None => summary.added.push(e.key.clone()),
            }
            entries.insert(e.key.clone(), e);
        }
        summary.removed = self
            .entries
            .keys()
            .filter(|k| !entries.contains_key(*k))
            .cloned()
            .collect();
        (
            Baseline {
                version: FORMAT_VERSION,
                tool: tool_version(),
                entries,
            },
            summary,
        )
    }

    /// Approves every entry whose key matches `pattern` (a glob: `*` any
    /// run of characters, `?` one). Refuses an expiry that is not after
    /// `today` or is more than `max_days` away, and a pattern matching
    /// nothing. Returns the keys approved.
    pub fn approve(
        &mut self,
        pattern: &str,
        approval: ApprovalRequest,
        today: Date,
        max_days: u32,
    ) -> Result<Vec<String>> {
        let expires = Date::parse(&approval.expires).ok_or_else(|| {
            Error::Usage(format!(
                "--expires {:?} is not a date (YYYY-MM-DD)",
                approval.expires
            ))
        })?;
        if expires <= today {
            return Err(Error::Usage(format!(
                "--expires {expires} is not after today ({today}): an approval must expire in the future"
            )));
        }
        if expires.days_since(today) > i64::from(max_days) {
            return Err(Error::Usage(format!(
                "--expires {expires} is more than max_expiry_days ({max_days}) after today ({today})"
            )));
        }
        for (what, value) in [("--owner", &approval.owner), ("--reason", &approval.reason)] {
            if value.trim().is_empty() {
                return Err(Error::Usage(format!("{what} must not be empty")));
            }
        }
        let matched: Vec<String> = self
            .entries
            .keys()
            .filter(|k| crate::model::policy::wildcard_match(pattern, k, false))
            .cloned()
            .collect();
        if matched.is_empty() {
            return Err(Error::Usage(format!(
                "no grant in the baseline matches {pattern:?} (see `trustdrift baseline show`)"
            )));
        }
        for key in &matched {
            if let Some(e) = self.entries.get_mut(key) {
                e.approval = Some(Approval {
                    owner: approval.owner.clone(),
                    expires: expires.to_string(),
                    reason: approval.reason.clone(),
                    ticket: approval.ticket.clone(),
                    approved: today.to_string(),
                    content_hash: e.hash.clone(),
                });
            }
        }
        self.tool = tool_version();
        Ok(matched)
    }
}

/// What `baseline approve` was asked to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRequest {
    pub owner: String,
    pub expires: String,
    pub reason: String,
    pub ticket: Option<String>,
}

/// A baseline file's text: a regular file, UTF-8.
fn read_text(path: &Path) -> Result<String> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(&shown, e))?;
    if !meta.is_file() {
        return Err(Error::file(&shown, "the baseline is not a regular file"));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(&shown, e))?;
    String::from_utf8(bytes).map_err(|_| Error::file(&shown, "not a baseline file: not UTF-8"))
}

/// Compact JSON as written by serde_json (no space outside strings) laid
/// out as serde_json's pretty printer lays it out: two-space indentation,
/// `": "` after keys, `{}` and `[]` when empty.
fn pretty(compact: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(compact.len() * 3);
    let mut depth = 0usize;
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.resize(out.len() + 2 * depth, b' ');
    };
    let mut i = 0;
    while i < compact.len() {
        let b = compact[i];
        match b {
            b'"' => {
                // A string, escapes and all, as it is.
                let start = i;
                i += 1;
                while i < compact.len() {
                    match compact[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                i = (i + 1).min(compact.len());
                out.extend_from_slice(&compact[start..i]);
                continue;
            }
            b'{' | b'[' => {
                out.push(b);
                let close = if b == b'{' { b'}' } else { b']' };
                if compact.get(i + 1) == Some(&close) {
                    out.push(close);
                    i += 2;
                    continue;
                }
                depth += 1;
                newline(&mut out, depth);
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(b);
            }
            b',' => {
                out.push(b',');
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            _ => out.push(b),
        }
        i += 1;
    }
    out
}

/// Reads one JSON value and writes its canonical compact text (as
/// `serde_json::to_string` writes the tree it stands for) to `out`, with no
/// tree in between. Refuses (as an error) an object whose keys are not in
/// strictly increasing order: that is not canonical text, and the careful
/// reader takes it.
struct Canonical<'o> {
    out: &'o mut Vec<u8>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Canonical<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Canonical<'_> {
    fn leaf<T: Serialize + ?Sized, E>(self, v: &T) -> std::result::Result<(), E> {
        // Writing to memory cannot fail.
        let _ = serde_json::to_writer(&mut *self.out, v);
        Ok(())
    }
}

impl<'de> serde::de::Visitor<'de> for Canonical<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<(), E> {
        self.leaf(&v)
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<(), E> {
        self.leaf(&J::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<(), E> {
        self.leaf(&J::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<(), E> {
        self.leaf(&J::from(v))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<(), E> {
        self.leaf(v)
    }
    fn visit_unit<E>(self) -> std::result::Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn visit_none<E>(self) -> std::result::Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        self.out.push(b'[');
        let mut first = true;
        loop {
            if !first {
                self.out.push(b',');
            }
            match seq.next_element_seed(Canonical {
                out: &mut *self.out,
            })? {
                Some(()) => first = false,
                None => {
                    if !first {
                        self.out.pop();
                    }
                    break;
                }
            }
        }
        self.out.push(b']');
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<(), A::Error> {
        use serde::de::Error as _;
        self.out.push(b'{');
        let mut last: Option<std::borrow::Cow<'de, str>> = None;
        while let Some(key) = map.next_key_seed(KeyText)? {
            if let Some(before) = &last {
                if key <= *before {
                    return Err(A::Error::custom("keys out of canonical order"));
                }
                self.out.push(b',');
            }
            let _ = serde_json::to_writer(&mut *self.out, key.as_ref());
            self.out.push(b':');
            map.next_value_seed(Canonical {
                out: &mut *self.out,
            })?;
            last = Some(key);
        }
        self.out.push(b'}');
        Ok(())
    }
}

/// An object key, borrowed from the text when it holds no escape.
struct KeyText;

impl<'de> serde::de::DeserializeSeed<'de> for KeyText {
    type Value = std::borrow::Cow<'de, str>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeyText {
    type Value = std::borrow::Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v))
    }
}

fn tool_version() -> String {
    format!("trustdrift {}", env!("CARGO_PKG_VERSION"))
}

/// serde_json's message without its " at line L column C" suffix.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `baseline` fuzz target: the quick reader took a list of
    /// a file's fields in order as the file, which the careful reader
    /// refused; and both took an entry's or an approval's fields as a list.
    /// Both refuse every such list now, with the careful reader's error.
    #[test]
    fn lists_in_place_of_objects_are_refused_by_both_readers() {
        let hash = Content::of(&serde_json::json!({"actions": []})).hash();
        let approval = format!(
            r#"{{"approved":"2026-12-01","content_hash":"{hash}","expires":"2027-01-01","owner":"o","reason":"r"}}"#
        );
        let file = |entry: &str| format!(r#"{{"entries":[{entry}],"tool":"t","version":1}}"#);
        let object = file(&format!(
            r#"{{"content":{{"actions":[]}},"hash":"{hash}","key":"k","kind":"trust","subject":"s"}}"#
        ));
        assert!(Baseline::parse("b.json", &object).is_ok(), "{object}");
        for text in [
            r#"[[],  "sh",0]"#.to_string(),
            r#"[[], "trustdrift 0.1.0", 1]"#.to_string(),
            file(&format!(
                r#"[null,{{"actions":[]}},"{hash}","k","trust","s"]"#
            )),
            file(&format!(
                r#"{{"approval":["2026-12-01","{hash}","2027-01-01","o","r"],"content":{{"actions":[]}},"hash":"{hash}","key":"k","kind":"trust","subject":"s"}}"#
            )),
        ] {
            let quick = Baseline::parse("b.json", &text);
            let careful = Baseline::parse_carefully("b.json", &text);
            assert!(careful.is_err(), "{text}");
            assert_eq!(
                quick.map_err(|e| e.to_string()),
                careful.map_err(|e| e.to_string()),
                "{text}"
            );
        }
        // An approval written as an object still reads, quickly or not.
        let approved = file(&format!(
            r#"{{"approval":{approval},"content":{{"actions":[]}},"hash":"{hash}","key":"k","kind":"trust","subject":"s"}}"#
        ));
        let quick = Baseline::parse_quick(&approved).expect("read quickly");
        assert_eq!(
            Some(quick),
            Baseline::parse_carefully("b.json", &approved).ok()
        );
    }

    fn entry(key: &str, content: J) -> Entry {
        let subject = key.split('|').next().unwrap_or_default().to_string();
        Entry::new(key.to_string(), EntryKind::Trust, subject, content)
    }

    fn day(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    fn request(expires: &str) -> ApprovalRequest {
        ApprovalRequest {
            owner: "team-a".into(),
            expires: expires.into(),
            reason: "vendor access".into(),
            ticket: Some("SEC-1".into()),
        }
    }

    #[test]
    fn bytes_are_deterministic_sorted_and_round_trip() {
        let a = Baseline::new(vec![
            entry("b|AWS:x", serde_json::json!({"z": 1, "a": [2, 1]})),
            entry("a|AWS:y", serde_json::json!({"k": "v"})),
        ]);
        let b = Baseline::new(vec![
            entry("a|AWS:y", serde_json::json!({"k": "v"})),
            entry("b|AWS:x", serde_json::json!({"a": [2, 1], "z": 1})),
        ]);
        assert_eq!(a.to_bytes(), b.to_bytes());
        let text = String::from_utf8(a.to_bytes()).expect("utf8");
        assert!(text.ends_with("}\n"));
        assert!(text.find("a|AWS:y") < text.find("b|AWS:x"));
        let back = Baseline::parse("b.json", &text).expect("parses");
        assert_eq!(back, a);
        assert_eq!(back.to_bytes(), a.to_bytes());
    }

    #[test]
    fn update_keeps_approvals_adds_and_drops() {
        let mut base = Baseline::new(vec![
            entry("r1|p", serde_json::json!(1)),
            entry("r2|p", serde_json::json!(2)),
        ]);
        base.approve("r1|*", request("2027-01-10"), day("2026-12-01"), 90)
            .expect("approves");
        let (next, summary) = base.update(vec![
            entry("r1|p", serde_json::json!(10)),
            entry("r3|p", serde_json::json!(3)),
        ]);
        assert_eq!(summary.added, vec!["r3|p"]);
        assert_eq!(summary.removed, vec!["r2|p"]);
        assert_eq!(summary.changed, vec!["r1|p"]);
        assert_eq!(summary.approvals_kept, 1);
        let kept = next.entries["r1|p"]
            .approval
            .as_ref()
            .expect("approval kept");
        assert_ne!(kept.content_hash, next.entries["r1|p"].hash);
        assert!(next.entries["r3|p"].approval.is_none());
        // Updating with no change changes no byte.
        let current: Vec<Entry> = next.entries.values().cloned().collect();
        let (again, summary) = next.update(current);
        assert_eq!(again.to_bytes(), next.to_bytes());
        assert_eq!(
            summary,
            UpdateSummary {
                approvals_kept: 1,
                ..Default::default()
            }
        );
    }

    #[test]
    fn approve_refuses_past_far_and_unmatched() {
        let mut base = Baseline::new(vec![entry("r1|p", serde_json::json!(1))]);
        let today = day("2026-12-01");
        assert!(
            base.approve("r1|p", request("2026-12-01"), today, 90)
                .is_err()
        );
        assert!(
            base.approve("r1|p", request("2027-06-01"), today, 90)
                .is_err()
        );
        assert!(
            base.approve("nothing*", request("2027-01-01"), today, 90)
                .is_err()
        );
        assert!(
            base.approve("r1|p", request("2027-02-29"), today, 90)
                .is_err()
        );
        let approved = base
            .approve("r1|p", request("2027-02-28"), today, 90)
            .expect("approves");
        assert_eq!(approved, vec!["r1|p"]);
    }

    #[test]
    fn the_layout_is_serde_jsons_pretty_layout() {
        let v = serde_json::json!({
            "a": [], "b": {}, "c": [1, -2, 2.5, null, true, {"d": "x\"y:,{["}],
            "e\\\"": {"f": [[], [{}]]}, "g": "\u{1}\n\t\u{7f}é"
        });
        let compact = serde_json::to_vec(&v).expect("json");
        let expected = serde_json::to_vec_pretty(&v).expect("json");
        assert_eq!(
            String::from_utf8(pretty(&compact)).expect("utf8"),
            String::from_utf8(expected).expect("utf8")
        );
    }

    #[test]
    fn the_quick_reader_takes_what_the_careful_one_takes() {
        let mut b = Baseline::new(vec![
            entry(
                "r\\|\"q\"",
                serde_json::json!({"z": [1, 2.0, -3, {"\"k": null}], "a": "\u{2028}é\\"}),
            ),
            entry("a|p", serde_json::json!({})),
            entry("b|p", serde_json::json!([])),
        ]);
        b.approve("a|p", request("2027-01-10"), day("2026-12-01"), 90)
            .expect("approves");
        let text = String::from_utf8(b.to_bytes()).expect("utf8");
        let quick = Baseline::parse_quick(&text).expect("quick");
        let careful = Baseline::parse_careful("b.json", &text).expect("careful");
        assert_eq!(quick, careful);
        assert_eq!(quick, b);
        // Content keys out of order, or written twice, are the careful
        // reader's to judge.
        let hash = b.entries["a|p"].hash.clone();
        let unordered = text.replace("\"content\": {},", "\"content\": {\"y\": 1, \"x\": 2},");
        assert!(Baseline::parse_quick(&unordered).is_none());
        let e = Baseline::parse("b.json", &unordered).expect_err("edited");
        assert!(e.to_string().contains("hash does not match"), "{e}");
        let twice = text.replace("\"content\": {},", "\"content\": {\"x\": 1, \"x\": 1},");
        assert!(Baseline::parse_quick(&twice).is_none());
        let e = Baseline::parse("b.json", &twice).expect_err("duplicate");
        assert!(e.to_string().contains("written twice"), "{e}");
        // Content nested past serde_json's depth limit is refused with a
        // position, not a crash, whichever reader meets it first.
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let nested = text.replacen("\"content\": {},", &format!("\"content\": {deep},"), 1);
        assert!(Baseline::parse_quick(&nested).is_none());
        let e = Baseline::parse("b.json", &nested).expect_err("too deep");
        assert!(e.to_string().starts_with("b.json:"), "{e}");
        // Equal content in another layout and key order reads the same.
        let reordered = Entry::new(
            "c|p".into(),
            EntryKind::Trust,
            "c".into(),
            serde_json::json!({"x": 2, "y": 1}),
        );
        let relaid = text.replacen(
            "\"entries\": [",
            &format!(
                "\"entries\": [{{\"content\": {{\"y\": 1,\"x\":2}}, \"hash\": \"{}\", \"key\": \"c|p\", \"kind\": \"trust\", \"subject\": \"c\"}},",
                reordered.hash
            ),
            1,
        );
        assert!(Baseline::parse_quick(&relaid).is_none());
        let read = Baseline::parse("b.json", &relaid).expect("reads");
        assert_eq!(read.entries["c|p"], reordered);
        assert_ne!(hash, reordered.hash);
    }

    #[test]
    fn newer_corrupt_and_edited_files_are_refused() {
        let newer = r#"{"version": 2, "tool": "trustdrift 9", "entries": []}"#;
        let e = Baseline::parse("b.json", newer).expect_err("newer");
        assert!(e.to_string().contains("newer trustdrift"), "{e}");
        let e = Baseline::parse("b.json", "{\"version\": 1,\n  \"tool\": ").expect_err("truncated");
        assert!(e.to_string().starts_with("b.json:2:"), "{e}");
        let e = Baseline::parse("b.json", "[]").expect_err("not an object");
        assert!(e.to_string().contains("not a baseline"), "{e}");
        let mut edited = String::from_utf8(
            Baseline::new(vec![entry("r|p", serde_json::json!({"a": 1}))]).to_bytes(),
        )
        .expect("utf8");
        edited = edited.replace("\"a\": 1", "\"a\": 2");
        let e = Baseline::parse("b.json", &edited).expect_err("edited");
        assert!(e.to_string().contains("hash does not match"), "{e}");
    }
}
