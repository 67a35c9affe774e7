//! JSON read with every key written twice in one object kept in view.
//!
//! `serde_json` keeps the last of two equal keys without a word, so
//! `{"AWS": "*", "AWS": "arn:…:role/x"}` reads as a single role and hides
//! the wildcard. What IAM does with such a document is not documented, so it
//! must not be guessed: [`parse_both_ways`] reads the text twice over, once
//! keeping the first of each duplicate and once keeping the last, and says
//! where duplicates are. A caller judges both readings (or refuses the input).

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as J};

/// A key written more than once in one object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duplicate {
    /// Where the object is: `Statement[0].Principal` (empty at the top).
    pub path: String,
    pub key: String,
}

impl fmt::Display for Duplicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "key \"{}\" is written twice at the top level", self.key)
        } else {
            write!(f, "key \"{}\" is written twice in {}", self.key, self.path)
        }
    }
}

/// The text read keeping the first and keeping the last value of each
/// duplicated key (equal when there is none), and the duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct BothWays {
    pub first: J,
    pub last: J,
    pub duplicates: Vec<Duplicate>,
}

/// Parses JSON text as [`BothWays`]. Nesting is bounded by serde_json's
/// recursion limit, so hostile depth is an error, not a crash.
pub fn parse_both_ways(text: &str) -> Result<BothWays, serde_json::Error> {
    let state = State::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let (first, last) = Seed { state: &state }.deserialize(&mut de)?;
    de.end()?;
    let mut duplicates = state.duplicates.into_inner();
    duplicates.sort();
    duplicates.dedup();
    Ok(BothWays {
        first,
        last,
        duplicates,
    })
}

/// Parses JSON text holding no duplicated key as its one reading: `None`
/// at the first duplicate (read it with [`parse_both_ways`] then). Errors
/// are those [`parse_both_ways`] gives for the same text, at the same place.
pub fn parse_unless_duplicated(text: &str) -> Result<Option<J>, serde_json::Error> {
    let state = State {
        refuse: true,
        quick: true,
        ..State::default()
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let read = Seed { state: &state }.deserialize(&mut de);
    if state.duplicated.get() {
        return Ok(None);
    }
    let (_, last) = read?;
    de.end()?;
    Ok(Some(last))
}

/// Parses JSON that must not hold a duplicate key (machine-written input
/// such as plan JSON): a duplicate is an error at its line and column.
pub fn parse_refusing_duplicates(text: &str) -> Result<J, serde_json::Error> {
    let state = State {
        refuse: true,
        ..State::default()
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let (_, last) = Seed { state: &state }.deserialize(&mut de)?;
    de.end()?;
    Ok(last)
}

#[derive(Default)]
struct State {
    path: RefCell<Vec<Step>>,
    duplicates: RefCell<Vec<Duplicate>>,
    /// Fail at the first duplicate, and build only the last reading.
    refuse: bool,
    /// With `refuse`: keep no path, and fail at the first duplicate only to
    /// set `duplicated`.
    quick: bool,
    duplicated: std::cell::Cell<bool>,
}

/// One step of the path to the value being read: an array index or an
/// object key (held here while its value is read, then taken back).
enum Step {
    Index(usize),
    Key(String),
}

impl State {
    fn path_text(&self) -> String {
        let mut out = String::new();
        for p in self.path.borrow().iter() {
            match p {
                Step::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
                Step::Key(k) => {
                    if !(k.starts_with('[') || out.is_empty()) {
                        out.push('.');
                    }
                    out.push_str(k);
                }
            }
        }
        out
    }

    /// The key of the innermost step, taken back once its value is read.
    fn pop_key(&self) -> String {
        match self.path.borrow_mut().pop() {
            Some(Step::Key(k)) => k,
            _ => String::new(),
        }
    }
}

struct Seed<'s> {
    state: &'s State,
}

impl Seed<'_> {
    /// The first reading's copy of a leaf; nothing when only the last is built.
    fn twin(&self, make: impl FnOnce() -> J) -> J {
        if self.state.refuse { J::Null } else { make() }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = (J, J);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = (J, J);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok((J::Bool(v), J::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok((J::from(v), J::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok((J::from(v), J::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok((J::from(v), J::from(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok((
            self.twin(|| J::String(v.to_string())),
            J::String(v.to_string()),
        ))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok((self.twin(|| J::String(v.clone())), J::String(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok((J::Null, J::Null))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok((J::Null, J::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let (mut first, mut last) = (Vec::new(), Vec::new());
        if self.state.quick {
            while let Some((_, l)) = seq.next_element_seed(Seed { state: self.state })? {
                last.push(l);
            }
            return Ok((J::Null, J::Array(last)));
        }
        loop {
            self.state.path.borrow_mut().push(Step::Index(last.len()));
            let next = seq.next_element_seed(Seed { state: self.state });
            self.state.path.borrow_mut().pop();
            match next? {
                Some((f, l)) => {
                    if !self.state.refuse {
                        first.push(f);
                    }
                    last.push(l);
                }
                None => break,
            }
        }
        Ok((self.twin(|| J::Array(first)), J::Array(last)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut first, mut last) = (Map::new(), Map::new());
        if self.state.quick {
            while let Some(key) = map.next_key::<String>()? {
                let (_, l) = map.next_value_seed(Seed { state: self.state })?;
                match last.entry(key) {
                    serde_json::map::Entry::Vacant(v) => {
                        v.insert(l);
                    }
                    serde_json::map::Entry::Occupied(_) => {
                        self.state.duplicated.set(true);
                        return Err(A::Error::custom("a key is written twice"));
                    }
                }
            }
            return Ok((J::Null, J::Object(last)));
        }
        while let Some(key) = map.next_key::<String>()? {
            self.state.path.borrow_mut().push(Step::Key(key));
            let value = map.next_value_seed(Seed { state: self.state });
            let key = self.state.pop_key();
            let (f, l) = value?;
            if self.state.refuse {
                if last.contains_key(&key) {
                    let path = self.state.path_text();
                    let at = if path.is_empty() {
                        "at the top level".to_string()
                    } else {
                        format!("in {path}")
                    };
                    return Err(A::Error::custom(format!(
                        "key \"{key}\" is written twice {at}"
                    )));
                }
            } else if first.contains_key(&key) {
                self.state.duplicates.borrow_mut().push(Duplicate {
                    path: self.state.path_text(),
                    key: key.clone(),
                });
            } else {
                first.insert(key.clone(), f);
            }
            last.insert(key, l);
        }
        Ok((self.twin(|| J::Object(first)), J::Object(last)))
    }
}

/// `compact`, JSON text as `serde_json::to_string` writes it, laid out as
/// `serde_json::to_string_pretty` lays out the same value (two-space indent,
/// `": "` after keys, empty objects and lists as `{}` and `[]`), without
/// reading it again: numbers keep their exact digits.
pub fn pretty(compact: &str) -> String {
    let bytes = compact.as_bytes();
    let mut out = String::with_capacity(compact.len() * 2);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // Bytes from `start` on are not yet copied. Every byte acted on is
    // ASCII, so each cut falls between characters.
    let mut start = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                let close = if b == b'{' { b'}' } else { b']' };
                if bytes.get(i + 1) == Some(&close) {
                    i += 2;
                    continue;
                }
                out.push_str(&compact[start..=i]);
                depth += 1;
                newline(&mut out, depth);
                start = i + 1;
            }
            b'}' | b']' => {
                out.push_str(&compact[start..i]);
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                start = i;
            }
            b',' => {
                out.push_str(&compact[start..=i]);
                newline(&mut out, depth);
                start = i + 1;
            }
            b':' => {
                out.push_str(&compact[start..=i]);
                out.push(' ');
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&compact[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any JSON value: strings with quotes, escapes and non-ASCII text,
    /// numbers of every kind, nested and empty objects and lists.
    fn values() -> impl proptest::strategy::Strategy<Value = J> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(J::Null),
            any::<bool>().prop_map(J::Bool),
            any::<i64>().prop_map(J::from),
            any::<u64>().prop_map(J::from),
            any::<f64>().prop_map(J::from),
            "[a-z\"\\\\/:{},\\[\\] \u{1}\n\u{e9}\u{1f600}]{0,8}".prop_map(J::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(J::Array),
                prop::collection::btree_map("[a-z\":{},\\[\\]]{0,5}", inner, 0..5)
                    .prop_map(|m| J::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2048, ..Default::default() })]

        #[test]
        fn pretty_lays_out_compact_text_as_serde_json_does(v in values()) {
            let compact = serde_json::to_string(&v).expect("writes");
            let expected = serde_json::to_string_pretty(&v).expect("writes");
            proptest::prop_assert_eq!(pretty(&compact), expected);
        }
    }

    #[test]
    fn pretty_keeps_empty_containers_and_exact_digits() {
        let compact =
            r#"{"a":{},"b":[],"c":[1,{"d":"{x,y:[z]}"}],"e":0.30000000000000004,"f":"\\"}"#;
        assert_eq!(
            pretty(compact),
            "{\n  \"a\": {},\n  \"b\": [],\n  \"c\": [\n    1,\n    {\n      \"d\": \"{x,y:[z]}\"\n    }\n  ],\n  \"e\": 0.30000000000000004,\n  \"f\": \"\\\\\"\n}"
        );
        assert_eq!(pretty("\"s\""), "\"s\"");
        assert_eq!(pretty("[]"), "[]");
    }

    #[test]
    fn both_readings_and_where_the_duplicate_is() {
        let b = parse_both_ways(
            r#"{"Statement":[{"Principal":{"AWS":"*","AWS":"arn:aws:iam::1:role/x"}}]}"#,
        )
        .expect("json");
        assert_eq!(b.first["Statement"][0]["Principal"]["AWS"], "*");
        assert_eq!(
            b.last["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::1:role/x"
        );
        assert_eq!(
            b.duplicates,
            vec![Duplicate {
                path: "Statement[0].Principal".into(),
                key: "AWS".into()
            }]
        );
        assert_eq!(
            b.duplicates[0].to_string(),
            "key \"AWS\" is written twice in Statement[0].Principal"
        );
    }

    #[test]
    fn no_duplicates_reads_as_serde_json_does() {
        let text = r#"{"a":[1,2.5,{"b":null,"c":true}],"d":"e"}"#;
        let b = parse_both_ways(text).expect("json");
        let plain: J = serde_json::from_str(text).expect("json");
        assert_eq!(b.first, plain);
        assert_eq!(b.last, plain);
        assert!(b.duplicates.is_empty());
        assert_eq!(parse_refusing_duplicates(text).expect("json"), plain);
        let e =
            parse_refusing_duplicates("{\"a\": {\"b\": 1,\n \"b\": 2}}").expect_err("duplicate");
        assert!(
            e.to_string().contains("key \"b\" is written twice in a"),
            "{e}"
        );
        assert_eq!(e.line(), 2);
    }

    #[test]
    fn duplicate_paths_name_keys_and_indexes() {
        let b = parse_both_ways(r#"{"a":[{"[k]":[0,{"x":1,"x":2}]}]}"#).expect("json");
        assert_eq!(b.duplicates[0].path, "a[0][k][1]");
        let e = parse_refusing_duplicates(r#"{"a":[{"b.c":[0,{"x":1,"x":2}]}]}"#)
            .expect_err("duplicate");
        assert!(
            e.to_string()
                .contains("key \"x\" is written twice in a[0].b.c[1]"),
            "{e}"
        );
        let e = parse_refusing_duplicates(r#"{"x":1,"x":2}"#).expect_err("duplicate");
        assert!(
            e.to_string()
                .contains("key \"x\" is written twice at the top level"),
            "{e}"
        );
    }

    #[test]
    fn hostile_depth_is_an_error() {
        let deep = "[".repeat(100_000);
        assert!(parse_both_ways(&deep).is_err());
        assert!(parse_both_ways("{\"a\":1} x").is_err());
    }
}
