//! The distribution of delivery latency (`latency_cdf.svg`): per sweep point, the empirical CDF
//! of the delay from a topic's broadcast to an eligible node's first verification of it,
//! pooled over the topics and replicates of the point from each run's fixed-bin histogram
//! (`first_receipt_hist`), with the delays by which 50, 90 and 99 % of the pairs were reached
//! marked on every curve.

use plotters::prelude::*;

use super::super::format::{decimals_for, fmt_fixed};
use super::super::model::Dataset;
use super::axis::spans_decades;
use super::common::{
    draw_line, draw_markers, Axis, Chart, Dash, LegendEntry, PResult, PlotOutcome, Sample,
    SeriesStyle, FONT, GREY,
};
use super::grid::{render_grid, Grid};
use super::layout::Layout;
use super::points::layout_phrase;
use super::style::Marker;
use crate::metrics::latency::{bin_range_s, LatencyHistogram, BIN_COUNT};

/// The levels marked on each curve: t50, t90, t99.
pub(crate) const LEVELS: [(f64, &str); 3] = [(0.5, "t50"), (0.9, "t90"), (0.99, "t99")];

/// The CDF of one point.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cdf {
    /// (delay s, share of pairs reached by then) at the first bin's lower edge, then at the
    /// upper edge of every bin up to the last that holds a receipt.
    pub steps: Vec<(f64, f64)>,
    /// Pairs counted (reached or not).
    pub pairs: u64,
    /// Pairs never reached.
    pub never: u64,
    /// The delay by which each of [`LEVELS`] was reached (linear within its bin), if it was.
    pub levels: [Option<f64>; 3],
}

/// The histograms of the point's runs, added up; `None` when no run has one.
pub(crate) fn pooled(d: &Dataset, point: usize) -> Option<LatencyHistogram> {
    let mut sum = LatencyHistogram::new();
    let mut any = false;
    for r in d.runs.iter().filter(|r| r.point == point) {
        if let Some(h) = r
            .first_receipt_hist
            .as_ref()
            .filter(|h| h.counts.len() == BIN_COUNT)
        {
            sum.add(h);
            any = true;
        }
    }
    any.then_some(sum)
}

/// The upper edge of bin `i` in seconds (the open last bin gets a tenth more than its start).
fn upper(i: usize) -> f64 {
    let (lo, hi) = bin_range_s(i);
    if hi.is_finite() {
        hi
    } else {
        lo * 1.1
    }
}

impl Cdf {
    /// The CDF of histogram `h`; `None` when it counts no pair.
    pub(crate) fn of(h: &LatencyHistogram) -> Option<Cdf> {
        let reached: u64 = h.counts.iter().sum();
        let pairs = reached + h.never;
        if pairs == 0 {
            return None;
        }
        let share = |c: u64| c as f64 / pairs as f64;
        let first = h.counts.iter().position(|c| *c > 0);
        let last = h.counts.iter().rposition(|c| *c > 0);
        let mut steps = Vec::new();
        let mut levels = [None; 3];
        if let (Some(first), Some(last)) = (first, last) {
            steps.push((bin_range_s(first).0, 0.0));
            let mut cum = 0u64;
            for i in first..=last {
                let before = cum;
                cum += h.counts[i];
                steps.push((upper(i), share(cum)));
                for (k, (q, _)) in LEVELS.iter().enumerate() {
                    let need = q * pairs as f64;
                    if levels[k].is_none() && cum as f64 >= need && h.counts[i] > 0 {
                        let lo = bin_range_s(i).0;
                        let frac = (need - before as f64) / h.counts[i] as f64;
                        levels[k] = Some(lo + (upper(i) - lo) * frac.clamp(0.0, 1.0));
                    }
                }
            }
        }
        Some(Cdf {
            steps,
            pairs,
            never: h.never,
            levels,
        })
    }
}

fn guide_style() -> SeriesStyle {
    SeriesStyle {
        color: GREY,
        marker: Marker::Circle,
        dash: Dash::Dotted,
    }
}

fn draw_panel(
    chart: &mut Chart<'_, '_>,
    layout: &Layout,
    cdfs: &[(usize, Cdf)],
    x: &Axis,
) -> PResult {
    for (q, name) in LEVELS {
        draw_line(chart, &[(x.lo, q), (x.hi, q)], &guide_style())?;
        let style = (FONT, 11).into_font().color(&GREY);
        let label = Text::new(name.to_string(), (4, -14), style);
        chart.draw_series(std::iter::once(EmptyElement::at((x.lo, q)) + label))?;
    }
    for (p, c) in cdfs {
        let st = layout.style(*p);
        let steps: Vec<(f64, f64)> = c
            .steps
            .iter()
            .copied()
            .filter(|s| !x.log || s.0 > 0.0)
            .collect();
        draw_line(chart, &steps, &st)?;
        let marks: Vec<(f64, f64)> = LEVELS
            .iter()
            .zip(&c.levels)
            .filter_map(|((q, _), t)| Some(((*t)?, *q)))
            .collect();
        draw_markers(chart, &marks, &st, 5)?;
    }
    Ok(())
}

/// "label t50 / t90 / t99 s" of one point, for the caption.
fn caption_entry(label: &str, c: &Cdf) -> String {
    let top = c.levels.iter().flatten().fold(0.0_f64, |a, b| a.max(*b));
    let dec = decimals_for(top);
    let levels: Vec<String> = c
        .levels
        .iter()
        .map(|t| t.map_or_else(|| "never".to_string(), |t| fmt_fixed(t, dec)))
        .collect();
    let mut s = format!("{label}: {} s", levels.join(" / "));
    if c.never > 0 {
        let pct = 100.0 * c.never as f64 / c.pairs as f64;
        let pct = if pct < 0.1 {
            "< 0.1".to_string()
        } else {
            fmt_fixed(pct, 1)
        };
        s.push_str(&format!(" ({pct} % never reached)"));
    }
    s
}

/// The delay axis: from 0 (or, on a log axis where the delays span two decades, from the
/// first bin with a receipt) to the end of the last bin with one.
fn delay_axis(cdfs: &[&(usize, Cdf)]) -> Axis {
    let end = cdfs
        .iter()
        .filter_map(|(_, c)| c.steps.last().map(|s| s.0))
        .fold(0.0, f64::max);
    let start = cdfs
        .iter()
        .filter_map(|(_, c)| c.steps.get(1).map(|s| s.0))
        .fold(f64::INFINITY, f64::min);
    let desc = "delay from broadcast to first receipt (s)";
    if spans_decades(&[start, end]) {
        Axis::padded(desc, &[start, end], true, false)
    } else {
        Axis::numeric(desc, 0.0, end)
    }
}

/// `latency_cdf.svg`.
pub(crate) fn latency_cdf(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "latency_cdf.svg";
    let title = "Delivery latency: CDF of first-receipt delay";
    let layout = Layout::of(d);
    let per_panel = layout.per_panel(|p| Cdf::of(&pooled(d, p)?));
    let all: Vec<&(usize, Cdf)> = per_panel.iter().flatten().collect();
    if all.is_empty() {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            "no run of `runs.jsonl` has a `first_receipt_hist` (written by sgsim since the \
             histogram exists; rerun the sweep to get it).",
        ));
    }
    let x = delay_axis(&all);
    let y = Axis::numeric("share of eligible (node, topic) pairs reached", 0.0, 1.0);
    let panels = layout.panels(&x, &y);
    let mut grid = Grid::new(title, panels, 3);
    let shown: Vec<usize> = all.iter().map(|c| c.0).collect();
    grid.legend = layout.legend(d, &shown, Sample::LineMarker);
    grid.legend.push(LegendEntry {
        label: "50 / 90 / 99 % levels".to_string(),
        style: guide_style(),
        sample: Sample::Line,
    });
    grid.legend_title = layout.legend_title(d);
    let svg = render_grid(&grid, |i, chart| {
        draw_panel(chart, &layout, &per_panel[i], &x)
    })?;
    let entries: Vec<String> = all
        .iter()
        .map(|(p, c)| caption_entry(&layout.series_label(d, *p), c))
        .collect();
    Ok(PlotOutcome::drawn(
        file,
        title,
        format!(
            "Share of eligible (node, topic) pairs whose node had verified the topic, against \
             the delay since its broadcast: every topic of every replicate of the point pooled, \
             from the runs' fixed-bin histograms (`first_receipt_hist`, each bin at most 15.4 % \
             wider than where it starts; the curve is linear within a bin). A curve ends below 1 \
             by the pairs never reached. \
             Markers: the delays by which 50, 90 and 99 % of the pairs were reached (t50 / t90 / \
             t99 of the pooled distribution; the tables' t90_s is instead a mean over topics of \
             each topic's own time to 90 %). Layout: {}. t50 / t90 / t99 per point: {}.",
            layout_phrase(d, &layout, Some("curve")),
            entries.join("; ")
        ),
        svg,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cdf_reaches_its_levels_inside_the_right_bins() {
        let mut h = LatencyHistogram::new();
        for _ in 0..9 {
            h.record_s(0.1);
        }
        h.record_s(0.5);
        h.never = 0;
        let c = Cdf::of(&h).unwrap();
        assert_eq!(c.pairs, 10);
        let bin = |s: f64| bin_range_s(LatencyHistogram::bin((s * 1e6) as u64));
        // 50 % and 90 % fall in the 0.1 s bin, 99 % in the 0.5 s bin.
        for (k, s) in [(0, 0.1), (1, 0.1), (2, 0.5)] {
            let (lo, hi) = bin(s);
            let t = c.levels[k].unwrap();
            assert!(lo <= t && t <= hi, "level {k}: {t} not in [{lo}, {hi}]");
        }
        assert_eq!(c.steps.last().unwrap().1, 1.0);
        h.never = 10;
        let c = Cdf::of(&h).unwrap();
        assert_eq!(c.levels[2], None, "half the pairs were never reached");
        assert!(c.levels[0].is_some());
        assert_eq!(c.steps.last().unwrap().1, 0.5);
        assert!(Cdf::of(&LatencyHistogram::new()).is_none());
    }
}
