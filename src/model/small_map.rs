//! A map of a few entries held as one sorted list: a role's tags and the
//! places of its statements. A `BTreeMap` takes a node of eleven slots for
//! even one entry (half a kilobyte for two tags), and every role of a large
//! input carries several such maps.

use std::borrow::Borrow;

use serde::{Serialize, Serializer};

/// Entries sorted by key, no key twice; reads like a `BTreeMap` (the later
/// of two equal keys collected stands, as there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmallMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SmallMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries
            .binary_search_by(|(k, _)| k.borrow().cmp(key))
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    /// In key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SmallMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut entries: Vec<(K, V)> = iter.into_iter().collect();
        // Stable: of equal keys the later stays after the earlier, and is
        // the one kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(K, V)> = Vec::with_capacity(entries.len());
        for e in entries {
            match kept.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => kept.push(e),
            }
        }
        kept.shrink_to_fit();
        SmallMap { entries: kept }
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SmallMap<K, V> {
    fn from(items: [(K, V); N]) -> Self {
        items.into_iter().collect()
    }
}

/// Written as a JSON object in key order, as a `BTreeMap` is.
impl<K: Serialize, V: Serialize> Serialize for SmallMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.entries.iter().map(|(k, v)| (k, v)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::SmallMap;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 1024, ..Default::default() })]

        /// Collected (the later of two equal keys standing), read and
        /// written, it is the `BTreeMap` of the same entries.
        #[test]
        fn reads_and_writes_as_a_btree_map(
            items in proptest::collection::vec(("[a-d]{0,2}", 0u8..4), 0..12),
        ) {
            let small: SmallMap<String, u8> = items.iter().cloned().collect();
            let tree: BTreeMap<String, u8> = items.iter().cloned().collect();
            let pairs: Vec<(&String, &u8)> = small.iter().collect();
            proptest::prop_assert_eq!(pairs, tree.iter().collect::<Vec<_>>());
            for k in ["", "a", "ab", "dd", "e"] {
                proptest::prop_assert_eq!(small.get(k), tree.get(k));
            }
            proptest::prop_assert_eq!(small.is_empty(), tree.is_empty());
            proptest::prop_assert_eq!(
                serde_json::to_string(&small).expect("writes"),
                serde_json::to_string(&tree).expect("writes")
            );
        }
    }
}
