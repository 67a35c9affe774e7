//! Scanned files: their text, their display name and byte offset → line and
//! column, and parsing them into an `hcl::edit` body (native or JSON syntax).

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use hcl::edit::expr::{Expression, Object, ObjectKey};
use hcl::edit::structure::Body;
use hcl::edit::visit_mut::{VisitMut, visit_object_mut};

use crate::error::Error;
use crate::ingest::IngestNote;
use crate::model::location::{LazyLines, LineIndex, Location};

/// Index of a file in [`Files`].
pub type FileId = usize;

/// How a file's spans relate to its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Native HCL: spans are byte offsets into the text.
    Native,
    /// Terraform's JSON syntax: expressions come from strings inside the JSON,
    /// their spans are not offsets into the file.
    Json,
}

/// One file read by the ingester.
pub struct SourceFile {
    /// The path as shown in locations (`testdata/hcl/basic/main.tf`).
    pub display: String,
    pub text: String,
    pub syntax: Syntax,
    lines: LineIndex,
}

impl SourceFile {
    pub fn new(display: String, text: String, syntax: Syntax) -> Self {
        let lines = LineIndex::new(text.as_bytes());
        SourceFile {
            display,
            text,
            syntax,
            lines,
        }
    }

    /// Line and column of a byte offset.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        self.lines.position(self.text.as_bytes(), offset)
    }

    pub fn location(&self, offset: usize) -> Location {
        let (line, column) = self.position(offset);
        Location::new(self.display.clone(), line, column)
    }

    /// The source text of a span, when the span belongs to this file's text.
    pub fn snippet(&self, span: &Range<usize>) -> Option<&str> {
        if self.syntax != Syntax::Native {
            return None;
        }
        self.text.get(span.clone())
    }
}

/// Every file read in one load, addressed by [`FileId`].
#[derive(Default)]
pub struct Files {
    files: Vec<Arc<SourceFile>>,
}

impl Files {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(Arc::new(file));
        self.files.len() - 1
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id).map(|f| &**f)
    }

    /// Every file so far, shared with the evaluators.
    pub fn shared(&self) -> &[Arc<SourceFile>] {
        &self.files
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn into_inner(self) -> Vec<Arc<SourceFile>> {
        self.files
    }
}

/// Decodes file bytes as UTF-8, or names the line and column of the first
/// invalid byte.
pub fn decode_utf8(display: &str, bytes: Vec<u8>) -> Result<String, Error> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let (line, column) = LazyLines::new(bytes).position(valid);
            Err(Error::at(
                display,
                line,
                column,
                "file is not valid UTF-8 (Terraform reads only UTF-8 source)",
            ))
        }
    }
}

/// Reads a regular file as UTF-8 text (a FIFO or a device is refused, not
/// opened).
pub fn read_text(path: &Path, display: &str) -> Result<String, Error> {
    super::walk::require_regular_file(path, display)?;
    let bytes = std::fs::read(path).map_err(|e| Error::io(display, e))?;
    decode_utf8(display, bytes)
}

/// Parses native HCL the way Terraform reads it, turning a parse error into
/// an error at its file:line:col.
///
/// A key written twice in one object literal is valid Terraform, which keeps
/// the later value; the parser refuses it. The earlier key is overwritten in
/// place with a marker of the same length (so every span stays true), the
/// text parsed again, and the marked item dropped from the tree. Each
/// dropped item comes back as a note: a duplicate inside a policy can hide a
/// principal or a condition from a reviewer.
pub fn parse_native(display: &str, text: &str) -> Result<(Body, Vec<IngestNote>), Error> {
    const MAX_DUPLICATES: usize = 256;
    let mut patched: Option<String> = None;
    let mut shadowed: Vec<(usize, String, usize)> = Vec::new();
    loop {
        let current = patched.as_deref().unwrap_or(text);
        match parse_body_within_deadline(display, current)? {
            Ok(mut body) => {
                if shadowed.is_empty() {
                    return Ok((body, Vec::new()));
                }
                let markers: HashSet<String> = shadowed
                    .iter()
                    .map(|(at, _, _)| marker_text(current, *at))
                    .collect();
                DropMarked { markers: &markers }.visit_body_mut(&mut body);
                let index = LineIndex::new(text.as_bytes());
                let notes = shadowed
                    .iter()
                    .map(|(first, key, later)| {
                        // A quoted key is shown from its opening quote.
                        let start = if text.as_bytes().get(first.wrapping_sub(1)) == Some(&b'"') {
                            first - 1
                        } else {
                            *first
                        };
                        let (line, column) = index.position(text.as_bytes(), start);
                        let (later_line, _) = index.position(text.as_bytes(), *later);
                        IngestNote {
                            location: Location::new(display, line, column),
                            address: None,
                            message: format!(
                                "key `{key}` is written again on line {later_line} of the same object: Terraform keeps the later value, so this one has no effect"
                            ),
                            unscanned: false,
                        }
                    })
                    .collect();
                return Ok((body, notes));
            }
            Err(e) => {
                let redefined = e.message().contains("redefined object key");
                let duplicate = redefined
                    .then(|| find_duplicate(current, e.location().offset()))
                    .flatten();
                match duplicate {
                    Some((first, key, later)) if shadowed.len() < MAX_DUPLICATES => {
                        let mut next = current.to_string();
                        let len = key_token_len(current, first);
                        next.replace_range(first..first + len, &marker(shadowed.len(), len));
                        shadowed.push((first, key, later));
                        patched = Some(next);
                    }
                    _ => return Err(parse_error(display, &e)),
                }
            }
        }
    }
}

/// The longest a parse may take: [`PARSE_SECONDS_BASE`] seconds, plus one
/// second per [`PARSE_BYTES_PER_SECOND`] bytes of text.
pub const PARSE_SECONDS_BASE: u64 = 5;
pub const PARSE_BYTES_PER_SECOND: usize = 100 * 1024;

/// Runs `parse` on a parse thread and waits no longer than the text's
/// parse deadline (`limit max_parse_seconds`). Some short inputs drive the
/// HCL parser into backtracking that takes minutes; past the deadline the
/// run ends with an error naming the file (the parse thread ends with the
/// process), instead of stalling a pull request's check.
///
/// Each calling thread keeps one parse thread and hands it every parse in
/// turn: starting a thread (and its allocator's fresh pages) per file cost
/// more than parsing a small file. A parse thread past its deadline, or
/// gone, is left behind and the next parse starts a new one.
pub fn within_parse_deadline<T: Send + 'static>(
    display: &str,
    text: &str,
    parse: impl FnOnce(String) -> T + Send + 'static,
) -> Result<T, Error> {
    let seconds = PARSE_SECONDS_BASE + (text.len() / PARSE_BYTES_PER_SECOND) as u64;
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = text.to_string();
    let job: ParseJob = Box::new(move || {
        let _ = tx.send(parse(owned));
    });
    if !PARSER
        .try_with(|p| p.borrow_mut().submit(job).is_ok())
        .unwrap_or(false)
    {
        return Err(Error::file(
            display,
            "cannot start a thread to parse the file",
        ));
    }
    match rx.recv_timeout(std::time::Duration::from_secs(seconds)) {
        Ok(v) => Ok(v),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            let _ = PARSER.try_with(|p| p.borrow_mut().abandon());
            Err(Error::file(
                display,
                format!(
                    "parsing took longer than {seconds} seconds (limit max_parse_seconds: {PARSE_SECONDS_BASE} s plus 1 s per {} KiB): the file drives the HCL parser into backtracking; trustdrift stops rather than pass what it could not read",
                    PARSE_BYTES_PER_SECOND / 1024
                ),
            ))
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            let _ = PARSER.try_with(|p| p.borrow_mut().abandon());
            Err(Error::file(
                display,
                "internal error while parsing the file",
            ))
        }
    }
}

/// One parse handed to a parse thread.
type ParseJob = Box<dyn FnOnce() + Send>;

/// A calling thread's parse thread: it runs the jobs sent to it one after
/// another and ends when its sender is dropped.
#[derive(Default)]
struct ParseThread {
    jobs: Option<std::sync::mpsc::Sender<ParseJob>>,
}

impl ParseThread {
    /// Sends `job` to the parse thread, starting one when there is none (or
    /// the last one is gone).
    fn submit(&mut self, job: ParseJob) -> Result<(), ()> {
        let job = match &self.jobs {
            Some(jobs) => match jobs.send(job) {
                Ok(()) => return Ok(()),
                Err(std::sync::mpsc::SendError(job)) => job,
            },
            None => job,
        };
        self.jobs = None;
        let (tx, rx) = std::sync::mpsc::channel::<ParseJob>();
        std::thread::Builder::new()
            .name("trustdrift-parse".into())
            .stack_size(64 * 1024 * 1024)
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job();
                }
            })
            .map_err(|_| ())?;
        tx.send(job).map_err(|_| ())?;
        self.jobs = Some(tx);
        Ok(())
    }

    /// Leaves the current parse thread behind (still busy, or gone): it
    /// ends once its job does, and the next parse starts a new one.
    fn abandon(&mut self) {
        self.jobs = None;
    }
}

/// Ends this thread's parse thread, once its files are parsed: its stack
/// is not held through evaluation. A later parse (a template) starts one.
pub fn end_parse_thread() {
    let _ = PARSER.try_with(|p| p.borrow_mut().abandon());
}

thread_local! {
    static PARSER: std::cell::RefCell<ParseThread> = std::cell::RefCell::new(ParseThread::default());
}

/// [`hcl::edit::parser::parse_body`] within the parse deadline.
pub fn parse_body_within_deadline(
    display: &str,
    text: &str,
) -> Result<Result<Body, hcl::edit::parser::Error>, Error> {
    within_parse_deadline(display, text, |t| hcl::edit::parser::parse_body(&t))
}

fn parse_error(display: &str, e: &hcl::edit::parser::Error) -> Error {
    let loc = e.location();
    let mut message = e.message().to_string();
    if message.contains("redefined object key") {
        message.push_str(
            " (a duplicate key: Terraform would keep the last value, which can hide a \
             principal or condition in a policy; remove the duplicate)",
        );
    }
    Error::at(
        display,
        loc.line() as u32,
        loc.column() as u32,
        format!("not valid HCL: {message}"),
    )
}

/// The `n`th identifier of exactly `len` characters, distinct for every `n`
/// (an identifier starts with a letter or `_`, then may hold digits and `-`).
fn marker(n: usize, len: usize) -> String {
    const FIRST: &[u8] = b"ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba_";
    const REST: &[u8] = b"0123456789ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba_-";
    let mut out = String::with_capacity(len);
    let mut rest = n;
    out.push(char::from(FIRST[rest % FIRST.len()]));
    rest /= FIRST.len();
    while out.len() < len {
        out.push(char::from(REST[rest % REST.len()]));
        rest /= REST.len();
    }
    out
}

/// The marker text written at `at` (an identifier, or a quoted key's body).
fn marker_text(text: &str, at: usize) -> String {
    let len = key_token_len(text, at);
    text.get(at..at + len).unwrap_or_default().to_string()
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Length in bytes of the key token starting at `at`: an identifier, or the
/// inside of a quoted key (`at` then points just past the opening quote).
fn key_token_len(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or_default();
    if at > 0 && text.as_bytes().get(at - 1) == Some(&b'"') {
        rest.find('"').unwrap_or(0)
    } else {
        rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len())
    }
}

/// From the parser's position at the redefined key, the key, where it is
/// first written in the same object (the nearest earlier `key =` / `key:`
/// at the same bracket depth), and where it is written again.
fn find_duplicate(text: &str, offset: usize) -> Option<(usize, String, usize)> {
    let bytes = text.as_bytes();
    // The parser points at (or just before) the second key.
    let mut later = offset.min(bytes.len());
    while later < bytes.len() && bytes[later].is_ascii_whitespace() {
        later += 1;
    }
    let quoted = bytes.get(later) == Some(&b'"');
    if quoted {
        later += 1;
    }
    let len = key_token_len(text, later);
    if len == 0 {
        return None;
    }
    let key = text.get(later..later + len)?.to_string();
    // Walk back over the object, tracking depth, to the same key at depth 0.
    let mut depth = 0i32;
    let mut i = later.checked_sub(if quoted { 1 } else { 0 })?;
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b'}' | b']' | b')' => depth += 1,
            b'{' | b'[' | b'(' => {
                if depth == 0 {
                    return None;
                }
                depth -= 1;
            }
            _ => {}
        }
        if depth != 0 || !text.is_char_boundary(i) {
            continue;
        }
        let start = if quoted { i + 1 } else { i };
        let matches_here = text.get(start..start + len) == Some(key.as_str())
            && (if quoted {
                bytes[i] == b'"' && bytes.get(start + len) == Some(&b'"')
            } else {
                (i == 0 || !text[..i].chars().next_back().is_some_and(is_ident_char))
                    && !text[start + len..]
                        .chars()
                        .next()
                        .is_some_and(is_ident_char)
            });
        if matches_here {
            let after = text[start + len..].trim_start_matches(['"', ' ', '\t']);
            if after.starts_with('=') || after.starts_with(':') {
                return Some((start, key, later));
            }
        }
    }
    None
}

/// Drops object items whose key is one of the markers.
struct DropMarked<'m> {
    markers: &'m HashSet<String>,
}

impl VisitMut for DropMarked<'_> {
    fn visit_object_mut(&mut self, node: &mut Object) {
        let marked: Vec<ObjectKey> = node
            .iter()
            .filter(|(k, _)| match k {
                ObjectKey::Ident(id) => self.markers.contains(id.as_str()),
                ObjectKey::Expression(Expression::String(s)) => self.markers.contains(s.as_str()),
                _ => false,
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in &marked {
            node.remove(k);
        }
        visit_object_mut(self, node);
    }
}

/// The display form of a path: `/` separators, no `./` prefix.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s).to_string();
    if s.is_empty() { ".".to_string() } else { s }
}

/// Joins a display directory and a file name.
pub fn display_join(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.to_string()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}
