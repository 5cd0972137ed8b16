//! Plot axes: ranges and ticks computed here, and a plotters coordinate type that uses exactly
//! those ticks. Linear axes use IEEE-exact arithmetic only; logarithmic ones map values with
//! the pure-Rust `libm` (the same bits on every host) and put ticks on powers of ten parsed
//! from their decimal text.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged, ReversibleRanged};

use super::super::format::{nice_ticks, TickFormat};

/// An f64 axis whose (bold) key points are given ticks; no light mesh. Linear: the mapping
/// of plotters' `RangedCoordf64`; logarithmic: the same on log10 of the value.
#[derive(Debug, Clone)]
pub(crate) struct TickedRange {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    log: bool,
}

impl TickedRange {
    /// Where `v` sits on the axis: itself, or its log10 on a logarithmic axis (values ≤ 0
    /// map below every positive value).
    fn pos(&self, v: f64) -> f64 {
        if !self.log {
            v
        } else if v > 0.0 {
            libm::log10(v)
        } else {
            f64::NEG_INFINITY
        }
    }
}

impl Ranged for TickedRange {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.1 - limit.0) / 2;
        }
        let (lo, hi) = (self.pos(self.lo), self.pos(self.hi));
        let logic = (self.pos(*value) - lo) / (hi - lo);
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
        let (lo, hi) = (self.pos(self.lo), self.pos(self.hi));
        let v = (hi - lo) * offset + lo;
        Some(if self.log { libm::pow(10.0, v) } else { v })
    }
}
/// One axis: description (with unit), range, tick values and how ticks are labelled.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    pub desc: String,
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub format: TickFormat,
    /// Logarithmic (base 10) instead of linear.
    pub log: bool,
    /// Category names: tick `i` is labelled `labels[i]` (empty: numeric labels).
    pub labels: Vec<String>,
    /// The range leaves out 0 although the quantity starts there: the renderer marks the axis
    /// as cut.
    pub cut: bool,
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
            log: false,
            labels: Vec::new(),
            cut: false,
        }
    }

    /// A numeric axis for non-negative values over `[lo, hi]`: from 0 when `lo` is within the
    /// lower half of the span, else zoomed in and marked as cut (the description says so).
    pub(crate) fn from_zero_or_cut(desc: &str, lo: f64, hi: f64) -> Self {
        if lo <= 0.0 || lo < hi - lo {
            return Axis::numeric(desc, 0.0, hi);
        }
        let desc = match desc.strip_suffix(')') {
            Some(open) => format!("{open}; axis cut, not from 0)"),
            None => format!("{desc} (axis cut, not from 0)"),
        };
        let mut a = Axis::numeric(&desc, lo, hi);
        a.cut = true;
        a
    }

    /// A base-10 logarithmic axis over `[lo, hi]` (both > 0) with a tick at each power of ten.
    pub(crate) fn log(desc: &str, lo: f64, hi: f64) -> Self {
        let ticks = decades(lo, hi);
        Axis {
            desc: desc.to_string(),
            lo,
            hi,
            ticks,
            format: TickFormat::new(0.0, 1.0),
            log: true,
            labels: Vec::new(),
            cut: false,
        }
    }

    pub(crate) fn ranged(&self) -> TickedRange {
        TickedRange {
            lo: self.lo,
            hi: self.hi,
            ticks: self.ticks.clone(),
            log: self.log,
        }
    }

    /// Categories 0..n at integer positions, labelled with their numbers.
    pub(crate) fn categories(desc: &str, n: usize) -> Self {
        let n = n.max(1);
        let every = n.div_ceil(16);
        Axis {
            desc: desc.to_string(),
            lo: -0.5,
            hi: n as f64 - 0.5,
            ticks: (0..n).step_by(every).map(|i| i as f64).collect(),
            format: TickFormat::new(0.0, 1.0),
            log: false,
            labels: Vec::new(),
            cut: false,
        }
    }

    /// Categories at integer positions 0..labels.len(), each tick labelled with its name.
    pub(crate) fn named(desc: &str, labels: Vec<String>) -> Self {
        let mut a = Axis::categories(desc, labels.len());
        a.ticks = (0..labels.len()).map(|i| i as f64).collect();
        a.labels = labels;
        a
    }

    /// The label of tick value `v`.
    pub(crate) fn tick_label(&self, v: f64) -> String {
        if !self.labels.is_empty() {
            let i = libm::round(v);
            return if i >= 0.0 {
                self.labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            };
        }
        if self.log {
            return decade_label(v);
        }
        self.format.format(v)
    }

    /// The range `[lo, hi]` padded for data `values`: linear with 5 % of the span on each
    /// side (and 0 included with `zero`), or on a log axis 5 % of the decades spanned.
    pub(crate) fn padded(desc: &str, values: &[f64], log: bool, zero: bool) -> Self {
        if log {
            let pos: Vec<f64> = values.iter().copied().filter(|v| *v > 0.0).collect();
            let lo = pos.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = pos.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if lo.is_finite() && hi > lo {
                let pad = libm::pow(hi / lo, 0.05);
                return Axis::log(desc, lo / pad, hi * pad);
            }
        }
        let (lo, hi) = data_range(values.iter().copied(), zero);
        Axis::numeric(desc, lo, hi)
    }
}

/// Whether values spread over two decades or more (all positive): they go on a log axis.
pub(crate) fn spans_decades(values: &[f64]) -> bool {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    lo > 0.0 && hi.is_finite() && hi >= 100.0 * lo
}

/// 10^k for `k`, parsed from its decimal text (exactly the double nearest 10^k).
fn pow10(k: i32) -> f64 {
    format!("1e{k}").parse().unwrap_or(f64::NAN)
}

/// The powers of ten in `[lo, hi]`.
fn decades(lo: f64, hi: f64) -> Vec<f64> {
    let mut k = -300;
    while k < 300 && pow10(k) < lo {
        k += 1;
    }
    let mut out = Vec::new();
    while k <= 300 && pow10(k) <= hi && out.len() < 40 {
        out.push(pow10(k));
        k += 1;
    }
    out
}

/// `0.001`, `1`, `1000` for powers of ten from 10^-3 to 10^4, else `1e-5`, `1e6`.
fn decade_label(v: f64) -> String {
    let k = (-300..=300)
        .find(|k| pow10(*k) >= v * (1.0 - 1e-9))
        .unwrap_or(0);
    match k {
        -3..=-1 => format!("{:.*}", (-k) as usize, pow10(k)),
        0..=4 => format!("{}", pow10(k) as u64),
        _ => format!("1e{k}"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axes_tick_every_decade_with_plain_labels() {
        let a = Axis::padded("x", &[1e-4, 0.01, 1.0], true, false);
        assert!(a.log && a.lo < 1e-4 && a.hi > 1.0);
        assert_eq!(a.ticks, vec![1e-4, 1e-3, 1e-2, 1e-1, 1.0]);
        let labels: Vec<String> = a.ticks.iter().map(|t| a.tick_label(*t)).collect();
        assert_eq!(labels, ["1e-4", "0.001", "0.01", "0.1", "1"]);
        assert_eq!(Axis::log("y", 0.5, 2e6).tick_label(1e6), "1e6");
        assert_eq!(Axis::log("y", 0.5, 2e4).tick_label(1e4), "10000");
        // Equal decades take equal space.
        let r = a.ranged();
        let (p0, p1, p2) = (
            r.map(&1e-4, (0, 1000)),
            r.map(&1e-2, (0, 1000)),
            r.map(&1.0, (0, 1000)),
        );
        assert!((p1 - p0 - (p2 - p1)).abs() <= 1, "{p0} {p1} {p2}");
    }

    #[test]
    fn two_decades_make_a_log_axis() {
        assert!(spans_decades(&[1.0, 10.0, 100.0]));
        assert!(!spans_decades(&[1.0, 99.0]));
        assert!(!spans_decades(&[0.0, 0.1, 0.4]), "0 has no logarithm");
    }

    #[test]
    fn an_axis_far_from_zero_is_cut_and_says_so() {
        let cut = Axis::from_zero_or_cut("coverage", 0.998, 1.0);
        assert!(cut.cut && cut.lo > 0.99 && cut.desc == "coverage (axis cut, not from 0)");
        let cut = Axis::from_zero_or_cut("coverage (share)", 0.998, 1.0);
        assert_eq!(cut.desc, "coverage (share; axis cut, not from 0)");
        let full = Axis::from_zero_or_cut("coverage", 0.3, 1.0);
        assert!(!full.cut && full.lo == 0.0);
        let named = Axis::named("fanout", vec!["flood".into(), "fixed".into()]);
        assert_eq!(named.tick_label(1.0), "fixed");
    }
}
