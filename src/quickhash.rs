//! A quick hash for trustdrift's in-memory maps keyed by addresses, grant
//! keys and document texts: a multiply-rotate hash over 8-byte words (far
//! cheaper than SipHash on long keys), seeded once per process so that
//! crafted input cannot choose its collisions in advance. Iteration order of
//! these maps is never observable in output (as with std's random seed).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

const K: u64 = 0xf135_7aea_2e62_a9c5;

/// A hash map with the quick hash.
pub type QuickMap<K, V> = HashMap<K, V, Quick>;
/// A hash set with the quick hash.
pub type QuickSet<T> = HashSet<T, Quick>;

/// Builds [`QuickHasher`]s from the process's seed.
#[derive(Clone, Copy, Debug)]
pub struct Quick {
    seed: u64,
}

impl Default for Quick {
    fn default() -> Quick {
        static SEED: OnceLock<u64> = OnceLock::new();
        let seed = *SEED.get_or_init(|| std::hash::RandomState::new().hash_one(0x74_7275_7374_u64));
        Quick { seed }
    }
}

impl BuildHasher for Quick {
    type Hasher = QuickHasher;
    fn build_hasher(&self) -> QuickHasher {
        QuickHasher(self.seed)
    }
}

/// See the module comment.
#[derive(Clone, Copy, Debug)]
pub struct QuickHasher(u64);

impl QuickHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for QuickHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let p = u128::from(self.0) * u128::from(K);
        (p as u64) ^ ((p >> 64) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_hash_equal_and_lookups_work() {
        let mut m: QuickMap<String, usize> = QuickMap::default();
        for i in 0..1000 {
            m.insert(format!("aws_iam_role.r[{i}]"), i);
        }
        for i in 0..1000 {
            assert_eq!(m.get(format!("aws_iam_role.r[{i}]").as_str()), Some(&i));
        }
        assert_eq!(m.get(""), None);
        let b = Quick::default();
        assert_eq!(b.hash_one("abc"), b.hash_one("abc"));
        assert_ne!(b.hash_one("abc"), b.hash_one("abd"));
    }
}
