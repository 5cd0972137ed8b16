//! Plot axes: ranges and ticks computed here (IEEE-exact arithmetic only), and
//! a plotters coordinate type that uses exactly those ticks.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged, ReversibleRanged};

use super::super::format::{nice_ticks, TickFormat};

/// A linear f64 axis whose (bold) key points are given ticks; no light mesh.
/// The mapping is the one of plotters' `RangedCoordf64`.
#[derive(Debug, Clone)]
pub(crate) struct TickedRange {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for TickedRange {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.1 - limit.0) / 2;
        }
        let logic = (value - self.lo) / (self.hi - self.lo);
        let actual = limit.1 - limit.0;
        if actual == 0 || !logic.is_finite() {
            return if logic.is_sign_negative() {
                limit.0
            } else {
                limit.1
            };
        }
        if actual > 0 {
            limit.0 + (f64::from(actual) * logic + 1e-3).floor() as i32
        } else {
            limit.0 + (f64::from(actual) * logic - 1e-3).ceil() as i32
        }
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ReversibleRanged for TickedRange {
    fn unmap(&self, p: i32, (min, max): (i32, i32)) -> Option<f64> {
        if p < min.min(max) || p > max.max(min) || min == max {
            return None;
        }
        let offset = f64::from(p - min) / f64::from(max - min);
        Some((self.hi - self.lo) * offset + self.lo)
    }
}
/// One axis: description (with unit), range, tick values and tick decimals.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    pub desc: String,
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub format: TickFormat,
}

impl Axis {
    /// A numeric axis over `[lo, hi]` with "nice" ticks.
    pub(crate) fn numeric(desc: &str, lo: f64, hi: f64) -> Self {
        let (lo, hi) = sane_range(lo, hi);
        let (ticks, step) = nice_ticks(lo, hi, 6);
        let max_abs = ticks.iter().fold(0.0_f64, |a, t| a.max(t.abs()));
        Axis {
            desc: desc.to_string(),
            lo,
            hi,
            ticks,
            format: TickFormat::new(max_abs, step),
        }
    }

    pub(crate) fn ranged(&self) -> TickedRange {
        TickedRange {
            lo: self.lo,
            hi: self.hi,
            ticks: self.ticks.clone(),
        }
    }

    /// Categories 0..n at integer positions.
    pub(crate) fn categories(desc: &str, n: usize) -> Self {
        let n = n.max(1);
        let every = n.div_ceil(16);
        Axis {
            desc: desc.to_string(),
            lo: -0.5,
            hi: n as f64 - 0.5,
            ticks: (0..n).step_by(every).map(|i| i as f64).collect(),
            format: TickFormat::new(0.0, 1.0),
        }
    }
}

/// A non-empty, finite range (a degenerate one is widened around its value).
pub(crate) fn sane_range(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (lo.min(hi), lo.max(hi)),
        (true, false) => (lo, lo),
        (false, true) => (hi, hi),
        (false, false) => (0.0, 1.0),
    };
    if hi > lo {
        return (lo, hi);
    }
    let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
    (lo - pad, hi + pad)
}

/// Range of the finite values padded by 5 % of the span on each side;
/// with `zero` the range also includes 0.
pub(crate) fn data_range(values: impl IntoIterator<Item = f64>, zero: bool) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
        if lo == 0.0 && hi == 0.0 {
            return (0.0, 1.0);
        }
    }
    let (lo, hi) = sane_range(lo, hi);
    let pad = (hi - lo) * 0.05;
    let lo2 = if zero && lo == 0.0 { 0.0 } else { lo - pad };
    let hi2 = if zero && hi == 0.0 { 0.0 } else { hi + pad };
    (lo2, hi2)
}
