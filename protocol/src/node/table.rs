//! Small sorted tables for per-node state. A node usually holds a handful of entries per table
//! (a few asks, a few conditions), and a million nodes hold them at once: a sorted
//! [`ThinVec`] costs one pointer inline, exactly its entries on the heap and nothing when empty,
//! where a `BTreeMap` allocates room for eleven.

use crate::time::Timestamp;
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
        debug_assert!(
            self.entries.windows(2).all(|w| w[0].0 < w[1].0),
            "invariant: node tables stay sorted (keys strictly ascending)"
        );
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

    /// Every entry, ascending.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &(K, V)> {
        self.entries.iter()
    }

    /// Keeps only the entries `keep` accepts.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        self.entries.retain(|(k, v)| keep(k, v));
        self.release_if_empty();
    }

    /// Entries with keys at or after `key`, ascending.
    pub(crate) fn starting_at(&self, key: &K) -> &[(K, V)] {
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

/// A value that is forgotten at a given time.
pub(crate) trait Expires {
    /// The last instant the value is kept; an input strictly after it forgets it.
    fn expires(&self) -> Timestamp;
}

/// The `earliest` of an empty timed table (an `Option` would double its size).
const NONE: Timestamp = Timestamp(u64::MAX);

/// A table whose entries expire. It keeps a lower bound of the earliest expiry and sweeps
/// when that passes, instead of a second table sorted by expiry: one allocation per table
/// per node fewer, and tables are small. Callers never move an entry's expiry earlier.
#[derive(Debug, Clone)]
pub(crate) struct TimedTable<K, V> {
    table: Table<K, V>,
    /// At most the earliest expiry of any entry; [`NONE`] when the table is empty.
    earliest: Timestamp,
}

impl<K: Ord, V> Default for TimedTable<K, V> {
    fn default() -> Self {
        Self {
            table: Table::default(),
            earliest: NONE,
        }
    }
}

impl<K: Ord, V: Expires> TimedTable<K, V> {
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.table.get(key)
    }

    /// The entry of `key`; the caller must not make its expiry earlier.
    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.table.get_mut(key)
    }

    pub(crate) fn starting_at(&self, key: &K) -> &[(K, V)] {
        self.table.starting_at(key)
    }

    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.earliest = self.earliest.min(value.expires());
        self.table.insert(key, value)
    }

    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        let v = self.table.remove(key)?;
        if self.table.len() == 0 {
            self.earliest = NONE;
        }
        Some(v)
    }

    /// At most the earliest expiry of any entry.
    pub(crate) fn earliest(&self) -> Option<Timestamp> {
        (self.table.len() > 0).then_some(self.earliest)
    }

    /// Forgets every entry that expired before `now`.
    pub(crate) fn purge(&mut self, now: Timestamp) {
        if self.earliest < now {
            self.table.retain(|_, v| v.expires() >= now);
            let earliest = self.table.iter().map(|(_, v)| v.expires()).min();
            self.earliest = earliest.unwrap_or(NONE);
        }
    }

    /// The entries that [`TimedTable::purge`] at `now` would forget, ascending.
    pub(crate) fn expired(&self, now: Timestamp) -> impl Iterator<Item = &(K, V)> {
        self.table.iter().filter(move |(_, v)| v.expires() < now)
    }

    /// The key of the entry that expires first (the smallest key among equals).
    pub(crate) fn oldest(&self) -> Option<&K> {
        let entry = self
            .table
            .iter()
            .min_by(|(a, x), (b, y)| (x.expires(), a).cmp(&(y.expires(), b)));
        entry.map(|(k, _)| k)
    }
}

/// A map that forgets its oldest insertions beyond a bound, in insertion order. Removing a
/// key early leaves its place in the order; it is skipped when its turn comes.
#[derive(Debug)]
pub(crate) struct Fifo<K, V> {
    table: Table<K, V>,
    order: std::collections::VecDeque<K>,
}

impl<K: Ord, V> Default for Fifo<K, V> {
    fn default() -> Self {
        Self {
            table: Table::default(),
            order: std::collections::VecDeque::new(),
        }
    }
}

impl<K: Ord + Copy, V> Fifo<K, V> {
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.table.get(key)
    }

    /// Inserts `key` unless present (true if inserted), then forgets the oldest beyond `max`.
    pub(crate) fn insert(&mut self, key: K, value: V, max: usize) -> bool {
        if self.table.insert(key, value).is_some() {
            return false;
        }
        self.order.push_back(key);
        while self.order.len() > max {
            if let Some(old) = self.order.pop_front() {
                self.table.remove(&old);
            }
        }
        true
    }

    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        self.table.remove(key)
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

    pub(crate) fn pop_first(&mut self) -> Option<K> {
        self.table.pop_first().map(|(k, _)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "invariant: node tables stay sorted")]
    fn an_unsorted_table_is_caught_at_its_next_insert() {
        let mut t = Table::default();
        t.entries.push((2u8, ()));
        t.entries.push((1, ()));
        t.insert(3, ());
    }

    #[test]
    fn a_fifo_forgets_its_oldest_insertions_beyond_its_bound() {
        let mut f = Fifo::default();
        assert!(f.insert(1u8, 'a', 2));
        assert!(!f.insert(1, 'b', 2), "present keys are not inserted again");
        assert!(f.insert(2, 'c', 2));
        assert_eq!(f.remove(&2), Some('c'));
        assert!(f.insert(3, 'd', 2));
        assert!(f.get(&1).is_none(), "1 was the oldest");
        assert!(f.get(&3).is_some());
    }

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
                        let from: Vec<(u8, u16)> = t.starting_at(&k).to_vec();
                        let expected: Vec<(u8, u16)> = m.range(k..).map(|(a, b)| (*a, *b)).collect();
                        prop_assert_eq!(from, expected);
                    }
                    _ => prop_assert_eq!(t.get(&k), m.get(&k)),
                }
                prop_assert_eq!(t.len(), m.len());
                prop_assert_eq!(t.iter().next().map(|e| (e.0, e.1)), m.first_key_value().map(|(a, b)| (*a, *b)));
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    struct At(u64);

    impl Expires for At {
        fn expires(&self) -> Timestamp {
            Timestamp(self.0)
        }
    }

    proptest! {
        /// A timed table forgets exactly what an index sorted by expiry would, and its
        /// earliest expiry is never later than the true one.
        #[test]
        fn timed_table_expires_like_a_sorted_index(
            ops in proptest::collection::vec((0u8..4, 0u8..20, 0u64..50), 0..200)
        ) {
            let (mut t, mut m) = (TimedTable::default(), BTreeMap::new());
            let mut now = 0u64;
            for (op, k, v) in ops {
                match op {
                    0 => prop_assert_eq!(t.insert(k, At(now + v)), m.insert(k, At(now + v))),
                    1 => prop_assert_eq!(t.remove(&k), m.remove(&k)),
                    2 => {
                        now += v / 5;
                        t.purge(Timestamp(now));
                        m.retain(|_, a: &mut At| a.0 >= now);
                    }
                    _ => {
                        let oldest = m.iter().min_by_key(|(k, a)| (a.0, **k)).map(|(k, _)| *k);
                        prop_assert_eq!(t.oldest().copied(), oldest);
                    }
                }
                prop_assert_eq!(t.len(), m.len());
                let truth = m.values().map(|a| a.0).min();
                match (t.earliest(), truth) {
                    (Some(e), Some(tr)) => prop_assert!(e.0 <= tr),
                    (None, None) => {}
                    (e, tr) => prop_assert!(false, "earliest {:?} vs {:?}", e, tr),
                }
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
