//! The per-run histogram of first-receipt delays (`first_receipt_hist` in `runs.jsonl`), so a
//! sweep has the whole latency distribution of every run, not only its t50/t90/t99.
//!
//! Bins are fixed, the same for every run and scenario, so histograms add up across replicates
//! and points: the edges are the E24 preferred numbers (1.0, 1.1, 1.2, 1.3, 1.5, … 9.1) times
//! each power of ten from 1 ms to 100 s, plus 1000 s: [`EDGES_US`], 145 edges in integer
//! microseconds, each bin at most 15.4 % wider than its lower edge (1.3 to 1.5). Bin 0 holds
//! delays below 1 ms, bin `i` (1 ≤ i ≤ 144) delays in `[EDGES_US[i-1], EDGES_US[i])`, bin 145
//! delays of 1000 s or more. Eligible nodes that never verified the topic are counted in `never`.

use serde::{Deserialize, Serialize};

/// E24 preferred numbers, in tenths: one decade of bin edges.
const E24: [u64; 24] = [
    10, 11, 12, 13, 15, 16, 18, 20, 22, 24, 27, 30, 33, 36, 39, 43, 47, 51, 56, 62, 68, 75, 82, 91,
];

/// Decades covered: 1 ms to 1000 s.
const DECADES: usize = 6;

/// Number of bin edges (6 decades of 24, plus the last edge, 1000 s).
pub const EDGE_COUNT: usize = DECADES * E24.len() + 1;

/// Number of bins: below the first edge, between consecutive edges, at or above the last.
pub const BIN_COUNT: usize = EDGE_COUNT + 1;

/// The bin edges in microseconds: E24 × 10^k µs for k = 3..=8 (1 ms … 910 s), then 1000 s.
pub const EDGES_US: [u64; EDGE_COUNT] = edges();

const fn edges() -> [u64; EDGE_COUNT] {
    let mut out = [0u64; EDGE_COUNT];
    let mut scale = 100u64; // tenths × 100 µs = 1 ms at the first edge
    let mut d = 0;
    while d < DECADES {
        let mut i = 0;
        while i < E24.len() {
            out[d * E24.len() + i] = E24[i] * scale;
            i += 1;
        }
        scale *= 10;
        d += 1;
    }
    out[EDGE_COUNT - 1] = 10 * scale;
    out
}

/// First-receipt delays of one run: every eligible (node, topic) pair counted once, in the
/// bin of the delay from the topic's broadcast to the node's first verification of it, or in
/// `never` when the node did not verify it before the run ended.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyHistogram {
    /// [`BIN_COUNT`] counts, bin `i` as documented in the module (empty: not recorded).
    pub counts: Vec<u64>,
    /// Eligible (node, topic) pairs without a receipt.
    pub never: u64,
}

impl LatencyHistogram {
    /// An empty histogram with every bin present.
    pub fn new() -> Self {
        LatencyHistogram {
            counts: vec![0; BIN_COUNT],
            never: 0,
        }
    }

    /// The bin of a delay of `us` microseconds.
    pub fn bin(us: u64) -> usize {
        EDGES_US.partition_point(|e| *e <= us)
    }

    /// Counts one receipt `delay_s` seconds after broadcast.
    pub fn record_s(&mut self, delay_s: f64) {
        let us = libm::round(delay_s.max(0.0) * 1e6) as u64;
        self.counts[Self::bin(us)] += 1;
    }

    /// Adds `other` bin by bin (an unrecorded histogram adds nothing).
    pub fn add(&mut self, other: &LatencyHistogram) {
        if other.counts.len() != self.counts.len() {
            return;
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.never += other.never;
    }

    /// Whether the histogram holds any pair.
    pub fn is_empty(&self) -> bool {
        self.never == 0 && self.counts.iter().all(|c| *c == 0)
    }
}

/// `[lo, hi)` of bin `i` in seconds; `hi` is infinite for the last bin.
pub fn bin_range_s(i: usize) -> (f64, f64) {
    let at = |k: usize| EDGES_US.get(k).map_or(f64::INFINITY, |e| *e as f64 / 1e6);
    let lo = if i == 0 { 0.0 } else { at(i - 1) };
    (lo, at(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_e24_from_a_millisecond_to_a_thousand_seconds() {
        assert_eq!(EDGES_US[0], 1_000);
        assert_eq!(EDGES_US[1], 1_100);
        assert_eq!(EDGES_US[23], 9_100);
        assert_eq!(EDGES_US[24], 10_000);
        assert_eq!(EDGES_US[EDGE_COUNT - 2], 910_000_000);
        assert_eq!(EDGES_US[EDGE_COUNT - 1], 1_000_000_000);
        assert!(EDGES_US.windows(2).all(|w| w[0] < w[1]));
        // Each bin is at most 15.4 % wider than its lower edge (1.3 to 1.5).
        assert!(EDGES_US.windows(2).all(|w| w[1] * 13 <= w[0] * 15));
    }

    #[test]
    fn delays_fall_in_half_open_bins() {
        assert_eq!(LatencyHistogram::bin(0), 0);
        assert_eq!(LatencyHistogram::bin(999), 0);
        assert_eq!(LatencyHistogram::bin(1_000), 1);
        assert_eq!(LatencyHistogram::bin(1_099), 1);
        assert_eq!(LatencyHistogram::bin(1_100), 2);
        assert_eq!(LatencyHistogram::bin(2_000_000_000), BIN_COUNT - 1);
        let mut h = LatencyHistogram::new();
        h.record_s(0.0011);
        h.record_s(0.25);
        assert_eq!(h.counts[2], 1);
        assert_eq!(bin_range_s(2), (0.0011, 0.0012));
        let i = LatencyHistogram::bin(250_000);
        assert_eq!(h.counts[i], 1);
        let (lo, hi) = bin_range_s(i);
        assert!(lo <= 0.25 && 0.25 < hi, "{lo} {hi}");
        let mut sum = LatencyHistogram::new();
        sum.add(&h);
        sum.add(&h);
        sum.add(&LatencyHistogram::default());
        assert_eq!(sum.counts.iter().sum::<u64>(), 4);
    }
}
