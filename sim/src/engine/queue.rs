//! The event queue: events ordered by (virtual time, sequence number). The heap holds only
//! 24-byte keys; events sit in a slab, so sifting never moves them.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use sweet_gossip::Timestamp;

/// A priority queue of events; equal times pop in insertion order.
pub(super) struct EventQueue<E> {
    heap: BinaryHeap<Reverse<(Timestamp, u64, u32)>>,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    seq: u64,
}

impl<E> EventQueue<E> {
    pub(super) fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
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
        self.heap.push(Reverse((at, self.seq, idx)));
    }

    /// The earliest event.
    pub(super) fn pop(&mut self) -> Option<(Timestamp, E)> {
        let Reverse((at, _, idx)) = self.heap.pop()?;
        let ev = self.slab[idx as usize]
            .take()
            .expect("invariant: a queued slot holds its event");
        self.free.push(idx);
        Some((at, ev))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
