//! Scanned files: their text, their display name and byte offset → line and
//! column, and parsing them into an `hcl::edit` body (native or JSON syntax).

use std::ops::Range;
use std::path::Path;

use hcl::edit::structure::Body;

use crate::error::Error;
use crate::model::location::{LineIndex, Location};

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
    files: Vec<SourceFile>,
}

impl Files {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        self.files.len() - 1
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn into_inner(self) -> Vec<SourceFile> {
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
            let idx = LineIndex::new(bytes);
            let (line, column) = idx.position(bytes, valid);
            Err(Error::at(
                display,
                line,
                column,
                "file is not valid UTF-8 (Terraform reads only UTF-8 source)",
            ))
        }
    }
}

/// Reads a file as UTF-8 text.
pub fn read_text(path: &Path, display: &str) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(display, e))?;
    decode_utf8(display, bytes)
}

/// Parses native HCL, turning a parse error into an error at its file:line:col.
pub fn parse_native(display: &str, text: &str) -> Result<Body, Error> {
    hcl::edit::parser::parse_body(text).map_err(|e| {
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
    })
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
