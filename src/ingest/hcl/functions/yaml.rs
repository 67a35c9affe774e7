//! `yamldecode` and `yamlencode`, following the YAML mapping Terraform uses:
//! plain scalars resolve to null, bools (`yes`/`on` included), numbers and
//! strings; quoted scalars are strings; anchors and aliases expand, within a
//! budget so that a small document cannot explode into a huge value; `<<`
//! merges mappings. Encoding writes block style with every string and key
//! double-quoted.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

use super::{
    FR, Flow, FuncContext, Value, arity, fail, known, nth, number_to_string, parse_number,
    string_unknown, type_name,
};

/// Deeper documents are refused rather than built.
const MAX_DEPTH: usize = 256;
/// Nodes a document may expand to, aliases counted at their full size.
const MAX_NODES: usize = 1_000_000;

pub(super) fn yamldecode(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let src = match known(nth(&a, 0))? {
        Value::String(s) => s.clone(),
        other => {
            return fail(
                f,
                format!("argument must be a string, got {}", type_name(other)),
            );
        }
    };
    match decode(&src) {
        Ok(v) => Ok(v),
        Err(msg) => match string_unknown(&src) {
            // A template with `${var.x}` in place of a value: partly unknown.
            Some(u) => Err(Flow::Unknown(u)),
            None => fail(f, msg),
        },
    }
}

/// One collection being built.
enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        size: usize,
    },
    Map {
        entries: BTreeMap<String, Value>,
        /// Merged in by `<<`: used where the mapping has no key of its own.
        merged: BTreeMap<String, Value>,
        key: Option<KeyState>,
        anchor: usize,
        size: usize,
    },
}

enum KeyState {
    Key(String),
    Merge,
}

struct Builder {
    stack: Vec<Frame>,
    anchors: BTreeMap<usize, (Value, usize)>,
    nodes: usize,
    documents: usize,
    result: Option<Value>,
}

fn decode(src: &str) -> Result<Value, String> {
    let mut parser = Parser::new_from_str(src);
    let mut b = Builder {
        stack: Vec::new(),
        anchors: BTreeMap::new(),
        nodes: 0,
        documents: 0,
        result: None,
    };
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            format!(
                "on line {}, column {}: {}",
                e.marker().line(),
                e.marker().col() + 1,
                e.info()
            )
        })?;
        let at = |msg: String| format!("on line {}, column {}: {msg}", mark.line(), mark.col() + 1);
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                b.documents += 1;
                if b.documents > 1 {
                    return Err(at("more than one YAML document".into()));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let v = resolve(&text, style, tag.as_ref()).map_err(at)?;
                b.complete(v, 1, anchor, Some(&text), style).map_err(at)?;
            }
            Event::Alias(id) => {
                let Some((v, size)) = b.anchors.get(&id).cloned() else {
                    return Err(at("alias to an unknown anchor".into()));
                };
                b.complete(v, size, 0, None, TScalarStyle::Plain)
                    .map_err(at)?;
            }
            Event::SequenceStart(anchor, tag) => {
                check_collection_tag(tag.as_ref(), "seq").map_err(at)?;
                b.open(Frame::Seq {
                    items: Vec::new(),
                    anchor,
                    size: 1,
                })
                .map_err(at)?;
            }
            Event::MappingStart(anchor, tag) => {
                check_collection_tag(tag.as_ref(), "map").map_err(at)?;
                b.open(Frame::Map {
                    entries: BTreeMap::new(),
                    merged: BTreeMap::new(),
                    key: None,
                    anchor,
                    size: 1,
                })
                .map_err(at)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (v, size, anchor) = match b.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        anchor,
                        size,
                    }) => (Value::List(items), size, anchor),
                    Some(Frame::Map {
                        mut entries,
                        merged,
                        anchor,
                        size,
                        ..
                    }) => {
                        for (k, v) in merged {
                            entries.entry(k).or_insert(v);
                        }
                        (Value::Object(entries), size, anchor)
                    }
                    None => return Err(at("unbalanced collection".into())),
                };
                b.complete(v, size, anchor, None, TScalarStyle::Plain)
                    .map_err(at)?;
            }
            _ => {}
        }
    }
    Ok(b.result.unwrap_or(Value::Null))
}

impl Builder {
    fn open(&mut self, frame: Frame) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            return Err("a mapping key must be a scalar".into());
        }
        self.stack.push(frame);
        Ok(())
    }

    /// A finished node: goes into the collection being built, or is the
    /// document.
    fn complete(
        &mut self,
        v: Value,
        size: usize,
        anchor: usize,
        scalar: Option<&str>,
        style: TScalarStyle,
    ) -> Result<(), String> {
        self.nodes = self.nodes.saturating_add(size);
        if self.nodes > MAX_NODES {
            return Err(format!(
                "the document expands to more than {MAX_NODES} values (aliases counted)"
            ));
        }
        if anchor > 0 {
            self.anchors.insert(anchor, (v.clone(), size));
        }
        match self.stack.last_mut() {
            None => {
                if self.result.is_some() {
                    return Err("more than one YAML document".into());
                }
                self.result = Some(v);
            }
            Some(Frame::Seq { items, size: s, .. }) => {
                items.push(v);
                *s = s.saturating_add(size);
            }
            Some(Frame::Map {
                entries,
                merged,
                key,
                size: s,
                ..
            }) => match key.take() {
                None => {
                    let Some(text) = scalar else {
                        return Err("a mapping key must be a scalar".into());
                    };
                    *key = Some(if text == "<<" && style == TScalarStyle::Plain {
                        KeyState::Merge
                    } else {
                        KeyState::Key(match v {
                            Value::String(s) => s,
                            _ => text.to_string(),
                        })
                    });
                }
                Some(KeyState::Key(k)) => {
                    entries.insert(k, v);
                    *s = s.saturating_add(size);
                }
                Some(KeyState::Merge) => {
                    let sources = match v {
                        Value::Object(m) => vec![m],
                        Value::List(l) => {
                            let mut out = Vec::new();
                            for item in l {
                                match item {
                                    Value::Object(m) => out.push(m),
                                    _ => return Err("<< merges only mappings".into()),
                                }
                            }
                            out
                        }
                        _ => return Err("<< merges only mappings".into()),
                    };
                    // Earlier sources win over later ones, as in YAML's merge.
                    for m in sources {
                        for (k, x) in m {
                            merged.entry(k).or_insert(x);
                        }
                    }
                    *s = s.saturating_add(size);
                }
            },
        }
        Ok(())
    }
}

fn is_core_tag(tag: &Tag) -> bool {
    tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:"
}

fn check_collection_tag(tag: Option<&Tag>, expected: &str) -> Result<(), String> {
    match tag {
        None => Ok(()),
        Some(t) if is_core_tag(t) && t.suffix == expected => Ok(()),
        Some(t) => Err(format!("unsupported tag \"{}{}\"", t.handle, t.suffix)),
    }
}

/// A scalar as Terraform's YAML decoder resolves it.
fn resolve(text: &str, style: TScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let tag = match tag {
        None => None,
        Some(t) if is_core_tag(t) => Some(t.suffix.as_str()),
        Some(t) => return Err(format!("unsupported tag \"{}{}\"", t.handle, t.suffix)),
    };
    let quoted = style != TScalarStyle::Plain;
    match tag {
        Some("str") => return Ok(Value::String(text.to_string())),
        Some("binary") => {
            let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            return if super::encoding::is_base64(&clean) {
                Ok(Value::String(text.to_string()))
            } else {
                Err(format!(
                    "cannot parse {text:?} as !!binary: not valid base64"
                ))
            };
        }
        Some("null") => return Ok(Value::Null),
        Some("bool") => {
            return match keyword(text) {
                Some(v @ Value::Bool(_)) => Ok(v),
                _ => Err(format!("cannot parse {text:?} as !!bool")),
            };
        }
        Some("int" | "float") => {
            return number(text).ok_or_else(|| format!("cannot parse {text:?} as a number"));
        }
        Some("timestamp") => {
            return timestamp(text).ok_or_else(|| format!("cannot parse {text:?} as !!timestamp"));
        }
        Some(other) => return Err(format!("unsupported tag \"!!{other}\"")),
        None if quoted => return Ok(Value::String(text.to_string())),
        None => {}
    }
    if let Some(v) = keyword(text) {
        return Ok(v);
    }
    if matches!(
        text,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
    ) {
        return Err(format!("{text}: infinity cannot be represented"));
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Err("floating point NaN is not supported".into());
    }
    match text.as_bytes().first() {
        Some(b'.') => {
            if let Some(n) = parse_number(text) {
                return Ok(Value::Number(n));
            }
        }
        Some(b'0'..=b'9' | b'+' | b'-') => {
            if let Some(t) = timestamp(text) {
                return Ok(t);
            }
            if let Some(n) = number(text) {
                return Ok(n);
            }
        }
        _ => {}
    }
    Ok(Value::String(text.to_string()))
}

/// null, true and false in their YAML spellings.
fn keyword(text: &str) -> Option<Value> {
    Some(match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Value::Bool(false)
        }
        _ => return None,
    })
}

/// Decimal numbers (with `_` separators), and `0b`, `0o`, `0x` integers.
fn number(text: &str) -> Option<Value> {
    let plain: String = text.chars().filter(|c| *c != '_').collect();
    if let Some(n) = parse_number(&plain) {
        return Some(Value::Number(n));
    }
    let (neg, digits) = match plain.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    let (radix, body) = if let Some(b) = digits.strip_prefix("0b") {
        (2, b)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else if let Some(x) = digits.strip_prefix("0x") {
        (16, x)
    } else {
        return None;
    };
    let n = i64::from_str_radix(body, radix).ok()?;
    Some(Value::Number(if neg { (-n).into() } else { n.into() }))
}

/// `YYYY-MM-DD` and RFC 3339 timestamps, written back in RFC 3339 as
/// Terraform's YAML decoder does (a date alone is midnight UTC).
fn timestamp(text: &str) -> Option<Value> {
    let b = text.as_bytes();
    if b.len() < 10 || b.get(4) != Some(&b'-') || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let date = text.get(..10)?;
    let ok_date = date.as_bytes().iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    if !ok_date {
        return None;
    }
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(Value::String(format!("{date}T00:00:00Z")));
    }
    // Full date-times: kept when already RFC 3339 with a zone.
    let time = rest.strip_prefix('T').or_else(|| rest.strip_prefix('t'))?;
    let ok = time.len() >= 9
        && time.as_bytes().get(2) == Some(&b':')
        && time.as_bytes().get(5) == Some(&b':')
        && (time.ends_with('Z')
            || time.contains('+')
            || time.get(8..).is_some_and(|z| z.contains('-')));
    ok.then(|| Value::String(format!("{date}T{}", time.replace('z', "Z"))))
}

pub(super) fn yamlencode(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let v = nth(&a, 0);
    if let Some(u) = super::first_unknown(v) {
        return Err(Flow::Unknown(u.clone()));
    }
    let mut w = Writer::default();
    match v {
        Value::List(l) if !l.is_empty() => {
            if !w.block(v, 0, 0) {
                return fail(
                    f,
                    format!("value is nested more than {MAX_DEPTH} levels deep"),
                );
            }
        }
        Value::Object(o) if !o.is_empty() => {
            if !w.block(v, 0, 0) {
                return fail(
                    f,
                    format!("value is nested more than {MAX_DEPTH} levels deep"),
                );
            }
        }
        // A document that is one scalar: open-ended ones end with `...`.
        _ => {
            if w.scalar(v, 2) {
                w.put("...\n");
            }
        }
    }
    Ok(Value::String(w.out))
}

/// The YAML emitter's line width: double-quoted strings fold at a space past it.
const BEST_WIDTH: usize = 80;

/// Block-style YAML as Terraform's encoder writes it, keeping the column
/// so that long strings fold where it folds them.
#[derive(Default)]
struct Writer {
    out: String,
    column: usize,
}

impl Writer {
    fn put(&mut self, s: &str) {
        for c in s.chars() {
            if c == '\n' {
                self.column = 0;
            } else {
                self.column += 1;
            }
        }
        self.out.push_str(s);
    }

    /// A new line (unless at the start of one) indented to `indent`.
    fn indent(&mut self, indent: usize) {
        let past = self.column > indent || (self.column == indent && !self.out.ends_with(' '));
        if past && self.column > 0 {
            self.put("\n");
        }
        while self.column < indent {
            self.put(" ");
        }
    }

    /// A non-empty collection whose entries sit at column `indent`; the
    /// first continues the current line (after `- `), if there is one.
    fn block(&mut self, v: &Value, indent: usize, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match v {
            Value::List(items) => {
                for item in items {
                    self.indent(indent);
                    self.put("-");
                    if is_block(item) {
                        self.put(" ");
                        if !self.block(item, indent + 2, depth + 1) {
                            return false;
                        }
                    } else {
                        self.put(" ");
                        self.scalar(item, indent + 2);
                    }
                }
            }
            Value::Object(entries) => {
                for (k, item) in entries {
                    self.indent(indent);
                    self.double_quoted(k, false, indent);
                    self.put(":");
                    match item {
                        Value::Object(o) if !o.is_empty() => {
                            if !self.block(item, indent + 2, depth + 1) {
                                return false;
                            }
                        }
                        // A sequence in a mapping sits at the key's indent.
                        Value::List(l) if !l.is_empty() => {
                            if !self.block(item, indent, depth + 1) {
                                return false;
                            }
                        }
                        _ => {
                            self.put(" ");
                            self.scalar(item, indent + 2);
                        }
                    }
                }
            }
            other => {
                self.scalar(other, indent + 2);
            }
        }
        true
    }

    /// A scalar (or empty collection) ending its line; `indent` is where its
    /// continuation lines start. Returns whether it is open-ended (a plain
    /// scalar, or a literal block keeping its trailing line breaks).
    fn scalar(&mut self, v: &Value, indent: usize) -> bool {
        let open = match v {
            Value::String(s) if literal_allowed(s) => self.literal(s, indent),
            Value::String(s) => {
                self.double_quoted(s, true, indent);
                false
            }
            Value::List(_) => {
                self.put("[]");
                false
            }
            Value::Object(_) => {
                self.put("{}");
                false
            }
            Value::Bool(b) => {
                self.put(if *b { "true" } else { "false" });
                true
            }
            Value::Number(n) => {
                self.put(&number_to_string(n));
                true
            }
            Value::Null | Value::Unknown(_) => {
                self.put("null");
                true
            }
        };
        if self.column > 0 {
            self.put("\n");
        }
        open
    }

    /// `|` block: the text as it is, each line at `indent`.
    fn literal(&mut self, s: &str, indent: usize) -> bool {
        if !self.out.is_empty() && !self.out.ends_with(' ') && self.column > 0 {
            self.put(" ");
        }
        self.put("|");
        if s.starts_with(' ') || s.starts_with('\n') {
            self.put("2");
        }
        let trailing = s.len() - s.trim_end_matches('\n').len();
        let keep = match trailing {
            0 => {
                self.put("-");
                false
            }
            1 if s.len() > 1 => false,
            _ => {
                self.put("+");
                true
            }
        };
        self.put("\n");
        let mut at_line_start = true;
        for c in s.chars() {
            if c == '\n' {
                self.put("\n");
                at_line_start = true;
            } else {
                if at_line_start {
                    while self.column < indent {
                        self.put(" ");
                    }
                    at_line_start = false;
                }
                let mut buf = [0u8; 4];
                self.put(c.encode_utf8(&mut buf));
            }
        }
        keep
    }

    /// A double-quoted string, escaped as the YAML emitter escapes it; where
    /// `breaks` allows, folded at a space once past the line width.
    fn double_quoted(&mut self, s: &str, breaks: bool, indent: usize) {
        self.put("\"");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if let Some(e) = escape(c) {
                self.put(&e);
                spaces = false;
            } else if c == ' ' {
                if breaks && !spaces && self.column > BEST_WIDTH && i != 0 && i + 1 != chars.len() {
                    self.put("\n");
                    while self.column < indent {
                        self.put(" ");
                    }
                    if chars.get(i + 1) == Some(&' ') {
                        self.put("\\");
                    }
                } else {
                    self.put(" ");
                }
                spaces = true;
            } else {
                let mut buf = [0u8; 4];
                self.put(c.encode_utf8(&mut buf));
                spaces = false;
            }
        }
        self.put("\"");
    }
}

fn is_block(v: &Value) -> bool {
    matches!(v, Value::List(l) if !l.is_empty()) || matches!(v, Value::Object(o) if !o.is_empty())
}

/// What the YAML emitter writes unescaped: line feed, printable ASCII and
/// the Basic Multilingual Plane's printable characters.
fn printable(c: char) -> bool {
    let n = c as u32;
    n == 0x0A
        || (0x20..=0x7E).contains(&n)
        || (0xA0..=0xD7FF).contains(&n)
        || ((0xE000..=0xFFFD).contains(&n) && n != 0xFEFF)
}

/// Multi-line strings are written as `|` blocks where a block can hold them
/// exactly: no other control characters, no space before a line break or at
/// the end.
fn literal_allowed(s: &str) -> bool {
    s.contains('\n')
        && s.chars()
            .all(|c| printable(c) && !matches!(c, '\u{2028}' | '\u{2029}'))
        && !s.ends_with(' ')
        && !s.contains(" \n")
}

/// The escape the emitter writes for `c` in a double-quoted string, if any.
fn escape(c: char) -> Option<String> {
    let n = c as u32;
    let named = match c {
        '\0' => "\\0",
        '\u{7}' => "\\a",
        '\u{8}' => "\\b",
        '\t' => "\\t",
        '\n' => "\\n",
        '\u{b}' => "\\v",
        '\u{c}' => "\\f",
        '\r' => "\\r",
        '\u{1b}' => "\\e",
        '"' => "\\\"",
        '\\' => "\\\\",
        '\u{85}' => "\\N",
        '\u{2028}' => "\\L",
        '\u{2029}' => "\\P",
        _ if printable(c) => return None,
        _ if n <= 0xFF => return Some(format!("\\x{n:02X}")),
        _ if n <= 0xFFFF => return Some(format!("\\u{n:04X}")),
        _ => return Some(format!("\\U{n:08X}")),
    };
    Some(named.to_string())
}
