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
/// `terraform show -json` writes one line of many megabytes, and a plan
/// re-serialised with sorted keys is asked for positions out of order, so
/// columns come from a table of character counts every [`STRIDE`] bytes:
/// each answer costs a binary search and at most `STRIDE` bytes of counting,
/// whatever the order of the questions.
pub struct LineIndex {
    starts: Vec<usize>,
    /// UTF-8 characters that start before byte `k * STRIDE`.
    chars_before: Vec<usize>,
}

/// Bytes between two entries of the character-count table.
const STRIDE: usize = 256;

impl LineIndex {
    pub fn new(text: &[u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        let mut chars_before = Vec::with_capacity(text.len() / STRIDE + 2);
        let mut chars = 0usize;
        for chunk in text.chunks(STRIDE) {
            chars_before.push(chars);
            chars += bytecount::num_chars(chunk);
        }
        chars_before.push(chars);
        LineIndex {
            starts,
            chars_before,
        }
    }

    /// UTF-8 characters that start before byte `offset`.
    fn chars_to(&self, text: &[u8], offset: usize) -> usize {
        let k = offset / STRIDE;
        let base = self.chars_before.get(k).copied().unwrap_or(0);
        let from = (k * STRIDE).min(text.len());
        base + bytecount::num_chars(&text[from..offset.min(text.len())])
    }

    /// Line and column of `offset`; the column counts UTF-8 characters.
    pub fn position(&self, text: &[u8], offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.starts[line];
        let column = 1 + self.chars_to(text, offset) - self.chars_to(text, line_start);
        (line as u32 + 1, column as u32)
    }
}

/// Byte offset → (line, column), both 1-based, like [`LineIndex`], for a
/// text asked about in only a few places: nothing is counted up front, and
/// the text is read only as far as the furthest question.
///
/// A mark every [`MARK_STRIDE`] bytes, written the first time a question
/// reaches past it, holds the line and column there, so an answer costs at
/// most `MARK_STRIDE` bytes of counting, in whatever order the questions
/// come.
pub struct LazyLines<'t> {
    text: &'t [u8],
    marks: std::cell::RefCell<Vec<Mark>>,
}

/// Where the text stands at byte `k * MARK_STRIDE`: newlines before it, and
/// UTF-8 characters between the start of its line and it.
#[derive(Clone, Copy)]
struct Mark {
    line: usize,
    column: usize,
}

/// Bytes between two marks of a [`LazyLines`].
const MARK_STRIDE: usize = 4096;

impl Mark {
    /// The mark `bytes` further on.
    fn after(self, bytes: &[u8]) -> Mark {
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => Mark {
                line: self.line + bytecount::count(bytes, b'\n'),
                column: bytecount::num_chars(&bytes[last + 1..]),
            },
            None => Mark {
                line: self.line,
                column: self.column + bytecount::num_chars(bytes),
            },
        }
    }
}

impl<'t> LazyLines<'t> {
    pub fn new(text: &'t [u8]) -> Self {
        LazyLines {
            text,
            marks: std::cell::RefCell::new(vec![Mark { line: 0, column: 0 }]),
        }
    }

    /// Line and column of `offset`; the column counts UTF-8 characters.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let k = offset / MARK_STRIDE;
        let mut marks = self.marks.borrow_mut();
        while marks.len() <= k {
            let j = marks.len() - 1;
            let from = j * MARK_STRIDE;
            let next = marks[j].after(&self.text[from..from + MARK_STRIDE]);
            marks.push(next);
        }
        let from = k * MARK_STRIDE;
        let at = marks[k].after(&self.text[from..offset]);
        (at.line as u32 + 1, at.column as u32 + 1)
    }
}

/// The last line (0-based) of the statement or block that starts on line
/// `first` at character `column` (0-based): through the bracket it opens
/// closing again, or that line alone when it opens none. Brackets inside
/// strings and after a `#` comment do not count; an unclosed bracket runs to
/// the last line.
pub fn block_end(lines: &[&str], first: usize, column: usize) -> usize {
    let mut depth = 0i64;
    for (j, line) in lines.iter().enumerate().skip(first) {
        depth += depth_change(line, if j == first { column } else { 0 });
        if depth <= 0 {
            return j;
        }
    }
    lines.len().saturating_sub(1)
}

/// [`block_end`] from the start of every line, `ends[i]` for line `i`, in
/// one pass: asking line by line costs the length of each block again, and
/// a block under thousands of lines that each ask would cost their product.
///
/// After line `j` the depth counted from the start of line `i` is
/// `total[j + 1] - total[i]`, where `total[k]` sums the depth changes of the
/// lines before `k`; line `i`'s block ends at the first `j >= i` where that
/// is at most 0, the first `k > i` with `total[k] <= total[i]`, found for
/// every `i` at once with a stack.
pub fn block_ends(lines: &[&str]) -> Vec<usize> {
    let mut total = Vec::with_capacity(lines.len() + 1);
    total.push(0i64);
    for line in lines {
        let last = total.last().copied().unwrap_or(0);
        total.push(last + depth_change(line, 0));
    }
    let last_line = lines.len().saturating_sub(1);
    let mut ends = vec![last_line; lines.len()];
    // Indexes of `total` whose next at-most-equal entry is still unknown,
    // their totals strictly increasing from the bottom.
    let mut open: Vec<usize> = Vec::new();
    for (k, t) in total.iter().enumerate() {
        while let Some(&i) = open.last() {
            if total[i] < *t {
                break;
            }
            open.pop();
            if let Some(end) = ends.get_mut(i) {
                *end = k - 1;
            }
        }
        open.push(k);
    }
    ends
}

/// Brackets opened less brackets closed on `line` from character `skip`,
/// outside strings and before a `#` comment.
fn depth_change(line: &str, skip: usize) -> i64 {
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars().skip(skip) {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => break,
            '{' | '[' | '(' => depth += 1,
            '}' | ']' | ')' => depth -= 1,
            _ => {}
        }
    }
    depth
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_ends_in_one_pass_are_block_end_from_every_line() {
        let texts = [
            "a = {\n  b = [\n    1,\n  ]\n}\nc = 1\n",
            "x = \"{\" # {\n}\n{\n\"}\\\"\"\n)\n",
            "{\n{\n{\n}\n",
            "}\n}\n{ }\n[\n",
            "",
            "resource \"r\" \"n\" {\n  # trustdrift:ignore\n  tags = {\n    k = \"v\"\n  }\n}\n# end\n",
        ];
        for text in texts {
            let lines: Vec<&str> = text.lines().collect();
            let ends = block_ends(&lines);
            assert_eq!(ends.len(), lines.len());
            for (i, end) in ends.iter().enumerate() {
                assert_eq!(*end, block_end(&lines, i, 0), "line {i} of {text:?}");
            }
        }
    }

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

    #[test]
    fn word_counts_match_byte_counts() {
        let bytes: Vec<u8> = (0..2000u32).map(|i| (i * 37 % 256) as u8).collect();
        for from in 0..20 {
            let part = &bytes[from..];
            assert_eq!(
                (bytecount::count(part, b'\n'), bytecount::num_chars(part)),
                (
                    part.iter().filter(|b| **b == b'\n').count(),
                    part.iter().filter(|b| (**b & 0xC0) != 0x80).count()
                )
            );
        }
    }

    #[test]
    fn lazy_positions_match_the_index_in_any_order() {
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(if i % 7 == 0 { "é" } else { "x" });
            if i % 1000 == 999 || i % 13 == 0 && i > 2000 {
                text.push('\n');
            }
        }
        text.push_str(&"y".repeat(9000));
        text.push_str("\n\nlast é");
        let bytes = text.as_bytes();
        let idx = LineIndex::new(bytes);
        let lazy = LazyLines::new(bytes);
        let mut offsets: Vec<usize> = (0..=bytes.len() + 3).step_by(37).collect();
        offsets.extend([bytes.len(), bytes.len() + 10, 0, 4096, 4095, 4097, 8192, 1]);
        offsets.extend((0..=bytes.len()).rev().step_by(101));
        for offset in offsets {
            assert_eq!(
                lazy.position(offset),
                idx.position(bytes, offset),
                "{offset}"
            );
        }
        let fresh = LazyLines::new(bytes);
        assert_eq!(
            fresh.position(bytes.len()),
            idx.position(bytes, bytes.len())
        );
    }

    #[test]
    fn positions_on_a_long_line_in_any_order_match_counting() {
        let line: String = (0..5000)
            .map(|i| if i % 7 == 0 { 'é' } else { 'x' })
            .collect();
        let text = format!("first\n{line}\nlast");
        let bytes = text.as_bytes();
        let idx = LineIndex::new(bytes);
        for offset in [bytes.len(), 6, 9000, 300, 6 + 256, 6 + 255, 4000, 0] {
            let offset = (0..=offset)
                .rev()
                .find(|o| text.is_char_boundary(*o))
                .unwrap_or(0);
            let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
            let expect_line = text[..offset].matches('\n').count() as u32 + 1;
            let expect_col = text[line_start..offset].chars().count() as u32 + 1;
            assert_eq!(
                idx.position(bytes, offset),
                (expect_line, expect_col),
                "{offset}"
            );
        }
    }
}
