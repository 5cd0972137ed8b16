//! The event queue: events ordered by (virtual time, sequence number), in a timing wheel.
//!
//! Time is cut into buckets of [`BUCKET_US`] microseconds. Events of the current bucket sit in a
//! small binary heap (`near`); those of the next [`WHEEL`] − 1 buckets sit unsorted in the
//! wheel's slots; later ones in an overflow heap (`far`). A bucket is heapified only when time
//! reaches it, so most events are pushed in O(1) and popped from a heap of one bucket's events
//! instead of all pending ones. Keys are 24 bytes; events sit in a slab, so nothing moves them.
//! The order is exactly a single heap's: every event of a later bucket is strictly later.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use sweet_gossip::Timestamp;

/// log2 of a bucket's width in microseconds.
const BUCKET_SHIFT: u32 = 8;
/// A bucket's width in microseconds.
#[cfg(test)]
const BUCKET_US: u64 = 1 << BUCKET_SHIFT;
/// Slots of the wheel: it spans WHEEL · BUCKET_US microseconds (about one second).
const WHEEL: u64 = 1 << 12;

/// Time, then insertion order, then the slab slot.
type Key = (Timestamp, u64, u32);

/// A priority queue of events; equal times pop in insertion order.
pub(super) struct EventQueue<E> {
    /// Events of bucket `cur` and earlier.
    near: BinaryHeap<Reverse<Key>>,
    /// Slot b % WHEEL holds the events of bucket b, for cur < b < cur + WHEEL. A slot's
    /// vector becomes `near` when time reaches it, so no slot keeps memory it no longer needs.
    wheel: Vec<Vec<Reverse<Key>>>,
    /// Keys in the wheel's slots.
    in_wheel: usize,
    /// Events of bucket cur + WHEEL and later.
    far: BinaryHeap<Reverse<Key>>,
    /// The current bucket.
    cur: u64,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    seq: u64,
}

fn bucket(at: Timestamp) -> u64 {
    at.0 >> BUCKET_SHIFT
}

impl<E> EventQueue<E> {
    pub(super) fn new() -> Self {
        Self {
            near: BinaryHeap::new(),
            wheel: (0..WHEEL).map(|_| Vec::new()).collect(),
            in_wheel: 0,
            far: BinaryHeap::new(),
            cur: 0,
            slab: Vec::new(),
            free: Vec::new(),
            seq: 0,
        }
    }

    /// Schedules `ev` at `at`, after every event already scheduled at `at`.
    pub(super) fn push(&mut self, at: Timestamp, ev: E) {
        self.seq += 1;
        let idx = match self.free.pop() {
            Some(i) => {
                self.slab[i as usize] = Some(ev);
                i
            }
            None => {
                self.slab.push(Some(ev));
                u32::try_from(self.slab.len() - 1)
                    .expect("invariant: fewer than 2^32 pending events")
            }
        };
        self.place((at, self.seq, idx));
    }

    /// Puts a key where its bucket belongs.
    fn place(&mut self, key: Key) {
        let b = bucket(key.0);
        if b <= self.cur {
            self.near.push(Reverse(key));
        } else if b - self.cur < WHEEL {
            self.wheel[(b % WHEEL) as usize].push(Reverse(key));
            self.in_wheel += 1;
        } else {
            self.far.push(Reverse(key));
        }
    }

    /// The earliest event.
    pub(super) fn pop(&mut self) -> Option<(Timestamp, E)> {
        let Reverse((at, _, idx)) = loop {
            if let Some(k) = self.near.pop() {
                break k;
            }
            if !self.advance() {
                return None;
            }
        };
        let ev = self.slab[idx as usize]
            .take()
            .expect("invariant: a queued slot holds its event");
        self.free.push(idx);
        Some((at, ev))
    }

    /// Moves to the next bucket that may hold events (`near` is empty); false if none is left.
    fn advance(&mut self) -> bool {
        if self.in_wheel == 0 {
            match self.far.peek() {
                None => return false,
                Some(Reverse(k)) => self.cur = bucket(k.0),
            }
        } else {
            self.cur += 1;
        }
        let slot = std::mem::take(&mut self.wheel[(self.cur % WHEEL) as usize]);
        self.in_wheel -= slot.len();
        // `near` is empty: the slot's keys become the heap in place.
        self.near = BinaryHeap::from(slot);
        while let Some(&Reverse(k)) = self.far.peek() {
            if bucket(k.0) - self.cur >= WHEEL {
                break;
            }
            self.far.pop();
            self.place(k);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn orders_by_time_then_insertion() {
        let mut q = EventQueue::new();
        q.push(Timestamp(5), "a");
        q.push(Timestamp(1), "b");
        q.push(Timestamp(5), "c");
        assert_eq!(q.pop(), Some((Timestamp(1), "b")));
        q.push(Timestamp(1), "d");
        assert_eq!(q.pop(), Some((Timestamp(1), "d")));
        assert_eq!(q.pop(), Some((Timestamp(5), "a")));
        assert_eq!(q.pop(), Some((Timestamp(5), "c")));
        assert_eq!(q.pop(), None);
    }

    proptest! {
        /// The wheel pops exactly what one binary heap of (time, sequence) would, for pushes
        /// never earlier than the last pop (as the engine guarantees), within a bucket, across
        /// the wheel and beyond it.
        #[test]
        fn pops_as_one_heap_would(ops in proptest::collection::vec(
            (0u8..4, prop_oneof![0u64..BUCKET_US * 3, 0u64..BUCKET_US * WHEEL * 3]), 1..400)
        ) {
            let mut q = EventQueue::new();
            let mut reference = BinaryHeap::new();
            let (mut now, mut seq) = (0u64, 0u64);
            for (i, (op, delta)) in ops.into_iter().enumerate() {
                if op == 0 {
                    let want = reference.pop().map(|Reverse((t, _, i))| (Timestamp(t), i));
                    prop_assert_eq!(q.pop(), want);
                    if let Some((t, _)) = want {
                        now = t.0;
                    }
                } else {
                    seq += 1;
                    q.push(Timestamp(now + delta), i);
                    reference.push(Reverse((now + delta, seq, i)));
                }
            }
            while let Some(Reverse((t, _, i))) = reference.pop() {
                prop_assert_eq!(q.pop(), Some((Timestamp(t), i)));
            }
            prop_assert_eq!(q.pop(), None);
        }
    }
}
