//! Small sorted tables for per-node state. A node usually holds a handful of entries per table
//! (a few asks, a few conditions), and a million nodes hold them at once: a sorted
//! [`ThinVec`] costs one pointer inline, exactly its entries on the heap and nothing when empty,
//! where a `BTreeMap` allocates room for eleven.

use thin_vec::ThinVec;

/// A map kept as a sorted vector; O(log n) lookups, O(n) inserts and removals.
#[derive(Debug, Clone)]
pub(crate) struct Table<K, V> {
    entries: ThinVec<(K, V)>,
}

impl<K: Ord, V> Default for Table<K, V> {
    fn default() -> Self {
        Self {
            entries: ThinVec::new(),
        }
    }
}

impl<K: Ord, V> Table<K, V> {
    fn find(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(key))
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub(crate) fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// Inserts or replaces; returns the old value.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                if self.entries.len() < 4 {
                    // Grow one entry at a time while small: most tables hold one or two.
                    self.entries.reserve_exact(1);
                }
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.find(key).ok()?;
        let (_, v) = self.entries.remove(i);
        self.release_if_empty();
        Some(v)
    }

    pub(crate) fn first(&self) -> Option<&(K, V)> {
        self.entries.first()
    }

    /// Entries with keys at or after `key`, ascending.
    pub(crate) fn from(&self, key: &K) -> &[(K, V)] {
        let i = self.find(key).unwrap_or_else(|i| i);
        &self.entries[i..]
    }

    pub(crate) fn pop_first(&mut self) -> Option<(K, V)> {
        if self.entries.is_empty() {
            return None;
        }
        let e = self.entries.remove(0);
        self.release_if_empty();
        Some(e)
    }

    /// Frees the buffer of an emptied table, so idle nodes hold no memory.
    fn release_if_empty(&mut self) {
        if self.entries.is_empty() {
            self.entries = ThinVec::new();
        }
    }
}

/// A set kept as a sorted vector.
#[derive(Debug, Clone)]
pub(crate) struct Set<K> {
    table: Table<K, ()>,
}

impl<K: Ord> Default for Set<K> {
    fn default() -> Self {
        Self {
            table: Table::default(),
        }
    }
}

impl<K: Ord + Copy> Set<K> {
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    pub(crate) fn contains(&self, key: &K) -> bool {
        self.table.contains_key(key)
    }

    /// True if the key was not present.
    pub(crate) fn insert(&mut self, key: K) -> bool {
        self.table.insert(key, ()).is_none()
    }

    /// True if the key was present.
    pub(crate) fn remove(&mut self, key: &K) -> bool {
        self.table.remove(key).is_some()
    }

    pub(crate) fn first(&self) -> Option<&K> {
        self.table.first().map(|(k, _)| k)
    }

    pub(crate) fn pop_first(&mut self) -> Option<K> {
        self.table.pop_first().map(|(k, _)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// The table behaves exactly like a BTreeMap under any sequence of operations.
        #[test]
        fn behaves_like_a_btreemap(ops in proptest::collection::vec((0u8..4, 0u8..20, any::<u16>()), 0..200)) {
            let (mut t, mut m) = (Table::default(), BTreeMap::new());
            for (op, k, v) in ops {
                match op {
                    0 => prop_assert_eq!(t.insert(k, v), m.insert(k, v)),
                    1 => prop_assert_eq!(t.remove(&k), m.remove(&k)),
                    2 => prop_assert_eq!(t.pop_first(), m.pop_first()),
                    3 if v % 2 == 0 => {
                        let from: Vec<(u8, u16)> = t.from(&k).to_vec();
                        let expected: Vec<(u8, u16)> = m.range(k..).map(|(a, b)| (*a, *b)).collect();
                        prop_assert_eq!(from, expected);
                    }
                    _ => prop_assert_eq!(t.get(&k), m.get(&k)),
                }
                prop_assert_eq!(t.len(), m.len());
                prop_assert_eq!(t.first().map(|e| (e.0, e.1)), m.first_key_value().map(|(a, b)| (*a, *b)));
            }
        }
    }

    #[test]
    fn emptied_table_frees_its_buffer() {
        let mut t = Table::default();
        t.insert(1u8, [0u8; 64]);
        t.remove(&1);
        assert_eq!(t.entries.capacity(), 0);
        let mut s = Set::default();
        assert!(s.insert(3u8));
        assert!(!s.insert(3u8));
        assert!(s.contains(&3));
        assert_eq!(s.pop_first(), Some(3));
        assert!(!s.contains(&3));
    }
}
