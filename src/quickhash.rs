//! A quick hash for trustdrift's in-memory maps keyed by addresses, grant
//! keys and document texts: a folded multiply over 8-byte words (far
//! cheaper than SipHash on long keys), with two keys drawn once per process.
//! Each word is mixed by a full 64×128-bit product with a secret multiplier
//! whose high half is folded back, so a difference in one word cannot be
//! cancelled by a chosen difference in the next whatever the keys are (a
//! plain multiply-rotate lets a flipped top bit be cancelled for every key):
//! crafted input cannot choose its collisions in advance. Iteration order of
//! these maps is never observable in output (as with std's random seed).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

const K: u64 = 0xf135_7aea_2e62_a9c5;

/// The high and low halves of `a × b`, folded together.
#[inline]
fn folded(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// A hash map with the quick hash.
pub type QuickMap<K, V> = HashMap<K, V, Quick>;
/// A hash set with the quick hash.
pub type QuickSet<T> = HashSet<T, Quick>;

/// Builds [`QuickHasher`]s from the process's seed.
#[derive(Clone, Copy, Debug)]
pub struct Quick {
    seed: u64,
    multiplier: u64,
}

impl Default for Quick {
    fn default() -> Quick {
        static KEYS: OnceLock<(u64, u64)> = OnceLock::new();
        let (seed, multiplier) = *KEYS.get_or_init(|| {
            let random = std::hash::RandomState::new();
            (
                random.hash_one(0x74_7275_7374_u64),
                // Odd, with bits in both halves, so no product is trivial.
                random.hash_one(0x64_7269_6674_u64) | (1 << 63) | 1,
            )
        });
        Quick { seed, multiplier }
    }
}

impl BuildHasher for Quick {
    type Hasher = QuickHasher;
    fn build_hasher(&self) -> QuickHasher {
        QuickHasher {
            state: self.seed,
            multiplier: self.multiplier,
        }
    }
}

/// See the module comment.
#[derive(Clone, Copy, Debug)]
pub struct QuickHasher {
    state: u64,
    multiplier: u64,
}

impl QuickHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.state = folded(self.state ^ word, self.multiplier);
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
        folded(self.state.rotate_left(23), K)
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

    #[test]
    fn a_flipped_top_bit_is_not_cancelled_by_the_next_word() {
        // Under a plain multiply-rotate these two keys collide for every
        // seed: flipping a word's top bit flips only the top bit of the
        // product, which the rotation moves to bit 4 of the next word.
        let b = Quick::default();
        let key = |w1: u64, w2: u64| {
            let mut h = b.build_hasher();
            h.write_u64(w1);
            h.write_u64(w2);
            h.finish()
        };
        for (w1, w2) in [(1u64, 2u64), (0x4142_4344, 0x4546), (u64::MAX >> 1, 7)] {
            assert_ne!(key(w1, w2), key(w1 ^ (1 << 63), w2 ^ (1 << 4)));
        }
    }
}
