//! The members of a large JSON object, read in pieces on two threads.
//!
//! A plan's top level is a handful of members, three of them large
//! (`planned_values`, `resource_changes`, `prior_state`). Each member's value
//! is read by serde_json on its own, from where it starts in the text, so
//! the object can be cut at the keys of its large members ("landmarks") and
//! the pieces read side by side. Borrowed values stay slices of the one
//! text, so positions worked out from them are unchanged.
//!
//! [`read`] only ever answers what reading the object whole with the same
//! member types would: any doubt (a landmark that turns out to sit inside a
//! value, a member seen twice, anything that does not read) gives `None`,
//! and the caller reads the text whole instead, for its exact error.

use serde::Deserialize;

/// What the members of an object are read into.
pub trait Fields<'a>: Default + Send + Sized {
    /// Reads member `key`'s value, which starts at byte `at` of `text`, and
    /// answers the offset just past it; `None` when the value does not read
    /// as the member's type, or the member was already read.
    fn member(&mut self, key: &str, text: &'a str, at: usize) -> Option<usize>;
    /// The members of both; `None` when a member was read in both.
    fn join(self, other: Self) -> Option<Self>;
}

/// One JSON value of type `T` starting at byte `at` of `text`, and the
/// offset just past it.
pub fn value<'a, T: Deserialize<'a>>(text: &'a str, at: usize) -> Option<(T, usize)> {
    let mut stream = serde_json::Deserializer::from_str(text.get(at..)?).into_iter::<T>();
    match stream.next() {
        Some(Ok(v)) => Some((v, at + stream.byte_offset())),
        _ => None,
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// The object that is the whole of `text` (whitespace around it aside),
/// read member by member into `F`; cut at the first place each of
/// `landmarks` (a key, quotes included, in the order the keys are expected)
/// is written as a key, when `split`. `None` when it does not read so.
pub fn read<'a, F: Fields<'a>>(text: &'a str, landmarks: &[&str], split: bool) -> Option<F> {
    let b = text.as_bytes();
    let open = skip_ws(b, 0);
    if b.get(open) != Some(&b'{') {
        return None;
    }
    let first = skip_ws(b, open + 1);
    if b.get(first) == Some(&b'}') {
        return (skip_ws(b, first + 1) == b.len()).then(F::default);
    }
    let mut starts = vec![first];
    if split {
        for landmark in landmarks {
            let from = starts.last().copied().unwrap_or(first);
            if let Some(at) = find_key(text, landmark, from) {
                starts.push(at);
            }
        }
    }
    // Piece k runs from starts[k] up to starts[k + 1], the last to the
    // closing brace.
    let pieces: Vec<(usize, Option<usize>)> = starts
        .iter()
        .enumerate()
        .map(|(k, s)| (*s, starts.get(k + 1).copied()))
        .collect();
    let read_all = |ps: &[(usize, Option<usize>)]| -> Option<F> {
        let mut fields = F::default();
        for (from, stop) in ps {
            walk(text, *from, *stop, &mut fields)?;
        }
        Some(fields)
    };
    if pieces.len() == 1 {
        return read_all(&pieces);
    }
    // The longest piece on a thread of its own, the rest on this one.
    let size = |(from, stop): &(usize, Option<usize>)| stop.unwrap_or(b.len()) - from;
    let longest = (0..pieces.len()).max_by_key(|k| size(&pieces[*k]))?;
    let alone = [pieces[longest]];
    let rest: Vec<(usize, Option<usize>)> = pieces
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != longest)
        .map(|(_, p)| *p)
        .collect();
    let (a, r) = std::thread::scope(|s| {
        match std::thread::Builder::new()
            .name("trustdrift-plan".into())
            .stack_size(8 * 1024 * 1024)
            .spawn_scoped(s, || read_all(&alone))
        {
            Ok(handle) => {
                let r = read_all(&rest);
                (handle.join().ok().flatten(), r)
            }
            Err(_) => (read_all(&alone), read_all(&rest)),
        }
    });
    a?.join(r?)
}

/// Where `key` (quotes included) is first written as a member's key after
/// byte `from`: after a comma, before a colon.
fn find_key(text: &str, key: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let hay = b.get(from + 1..)?;
    memchr::memmem::find_iter(hay, key.as_bytes())
        .map(|i| from + 1 + i)
        .find(|&at| {
            let before = b[..at]
                .iter()
                .rposition(|c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t'));
            before.is_some_and(|p| b[p] == b',') && b.get(skip_ws(b, at + key.len())) == Some(&b':')
        })
}

/// Reads the members from the key at `at` on, until the key at `stop` or,
/// with no stop, through the closing brace and the end of the text.
fn walk<'a, F: Fields<'a>>(
    text: &'a str,
    mut at: usize,
    stop: Option<usize>,
    fields: &mut F,
) -> Option<()> {
    let b = text.as_bytes();
    loop {
        match stop {
            Some(s) if at == s => return Some(()),
            Some(s) if at > s => return None,
            _ => {}
        }
        if b.get(at) != Some(&b'"') {
            return None;
        }
        let (key, after_key) = value::<std::borrow::Cow<'a, str>>(text, at)?;
        let colon = skip_ws(b, after_key);
        if b.get(colon) != Some(&b':') {
            return None;
        }
        let end = fields.member(&key, text, skip_ws(b, colon + 1))?;
        let next = skip_ws(b, end);
        match b.get(next) {
            Some(b',') => at = skip_ws(b, next + 1),
            Some(b'}') => {
                return (stop.is_none() && skip_ws(b, next + 1) == b.len()).then_some(());
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IgnoredAny;
    use serde_json::value::RawValue;

    /// Two members kept as raw text, everything else read and dropped.
    #[derive(Default, Debug, PartialEq)]
    struct Two<'a> {
        big: Option<&'a str>,
        other: Option<&'a str>,
        seen: u8,
    }

    impl<'a> Fields<'a> for Two<'a> {
        fn member(&mut self, key: &str, text: &'a str, at: usize) -> Option<usize> {
            let (bit, slot) = match key {
                "big" => (1, &mut self.big),
                "other" => (2, &mut self.other),
                _ => return value::<IgnoredAny>(text, at).map(|(_, end)| end),
            };
            if self.seen & bit != 0 {
                return None;
            }
            self.seen |= bit;
            let (raw, end) = value::<&RawValue>(text, at)?;
            *slot = Some(raw.get());
            Some(end)
        }
        fn join(self, other: Self) -> Option<Self> {
            if self.seen & other.seen != 0 {
                return None;
            }
            Some(Two {
                big: self.big.or(other.big),
                other: self.other.or(other.other),
                seen: self.seen | other.seen,
            })
        }
    }

    fn both(text: &str) -> (Option<Two<'_>>, Option<Two<'_>>) {
        (
            read(text, &["\"big\"", "\"other\""], true),
            read(text, &["\"big\"", "\"other\""], false),
        )
    }

    #[test]
    fn pieces_read_as_the_whole() {
        let text = " {\"a\": [1, {\"big\": 2}], \"big\" :{\"x\":\"\\\"big\\\":\"} ,\n\"z\":null,\"other\":[3] , \"q\": 1.5e3}\n";
        let (split, whole) = both(text);
        assert_eq!(split, whole);
        let t = split.expect("reads");
        assert_eq!(t.big, Some("{\"x\":\"\\\"big\\\":\"}"));
        assert_eq!(t.other, Some("[3]"));
        // The values are slices of the text itself.
        let offset = t.big.map(|b| b.as_ptr() as usize - text.as_ptr() as usize);
        assert_eq!(offset, text.find("{\"x\""));
    }

    #[test]
    fn anything_the_whole_would_refuse_is_refused() {
        let invalid = [
            "{\"a\":1,\"big\":2,}",
            "{\"a\":1 \"big\":2}",
            "{\"a\":1,\"big\":2} x",
            "{\"a\":1,\"big\":[2}",
            "{\"a\":1,\"big\":2",
            "{\"a\":01,\"big\":2}",
            "{\"a\":1,\"big\":\"\u{1}\"}",
            "{1:1,\"big\":2}",
            "{\"a\":tru,\"big\":2}",
        ];
        for text in invalid {
            assert!(serde_json::from_str::<IgnoredAny>(text).is_err(), "{text}");
        }
        // Valid JSON, but a member twice, or not an object.
        let twice = [
            "{\"big\":1,\"big\":2}",
            "{\"a\":1,\"big\":2,\"other\":3,\"big\":4}",
            "[{\"big\":2}]",
        ];
        for text in invalid.into_iter().chain(twice) {
            let (split, whole) = both(text);
            assert_eq!(split, None, "{text}");
            assert_eq!(whole, None, "{text}");
        }
    }

    #[test]
    fn a_landmark_inside_a_value_is_not_a_cut() {
        // "big" is first written as a key of a nested object: cutting there
        // cannot read, and the whole still does.
        let text = "{\"a\":{\"p\":1,\"big\":1},\"big\":2}";
        let (split, whole) = both(text);
        assert_eq!(split, None);
        assert_eq!(whole.and_then(|t| t.big), Some("2"));
    }

    #[test]
    fn empty_and_first_member_landmarks() {
        assert_eq!(both(" { } ").0, Some(Two::default()));
        let (split, whole) = both("{\"big\":7,\"other\":8}");
        assert_eq!(split, whole);
        assert_eq!(whole.and_then(|t| t.other), Some("8"));
    }
}
