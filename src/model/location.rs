//! Where something came from: a file and a 1-based line and column.

use serde::Serialize;

/// A position in a scanned file. Columns count characters, from 1.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(file: impl Into<String>, line: u32, column: u32) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Byte offset → (line, column), both 1-based, built once per file.
///
/// `terraform show -json` writes one line of many megabytes, so columns are
/// counted on from the previous answer when the offsets only grow, instead
/// of from the start of the line each time.
pub struct LineIndex {
    starts: Vec<usize>,
    /// The last answer: (offset, line index, column).
    last: std::cell::Cell<(usize, usize, u32)>,
}

impl LineIndex {
    pub fn new(text: &[u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            starts,
            last: std::cell::Cell::new((0, 0, 1)),
        }
    }

    /// Line and column of `offset`; the column counts UTF-8 characters.
    pub fn position(&self, text: &[u8], offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let count = |from: usize| {
            text[from..offset]
                .iter()
                .filter(|b| (**b & 0xC0) != 0x80)
                .count() as u32
        };
        let (last_offset, last_line, last_column) = self.last.get();
        let column = if last_line == line && last_offset <= offset {
            last_column + count(last_offset)
        } else {
            1 + count(self.starts[line])
        };
        self.last.set((offset, line, column));
        (line as u32 + 1, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let text = b"ab\ncd\n\xc3\xa9f";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(idx.position(text, 4), (2, 2));
        assert_eq!(idx.position(text, 8), (3, 2));
        // Backwards after forwards still answers from the line start.
        assert_eq!(idx.position(text, 4), (2, 2));
        assert_eq!(idx.position(text, 3), (2, 1));
        assert_eq!(idx.position(text, 5), (2, 3));
    }
}
