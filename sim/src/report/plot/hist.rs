//! Histograms of per-run distributions (route fee, route length).

use plotters::prelude::*;

use super::super::format::nice_step;
use super::super::model::Dataset;
use super::common::{
    draw_markers, series_style, Axis, Chart, Figure, LegendEntry, PResult, Sample, SeriesStyle,
};
use super::common::{point_style, PlotOutcome};
use super::grid::render;

/// Per-point histograms up to this many points; beyond, one pooled histogram.
const MAX_SERIES: usize = 4;

/// Bins: first edge, width, count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bins {
    pub start: f64,
    pub width: f64,
    pub count: usize,
}

impl Bins {
    /// Bins covering all finite values: one per integer when the values are
    /// integers over a short range, else about 20 "nice" bins.
    pub(crate) fn for_values(values: &[f64]) -> Option<Bins> {
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        if !lo.is_finite() {
            return None;
        }
        let integral = values
            .iter()
            .filter(|v| v.is_finite())
            .all(|v| v.fract() == 0.0);
        if integral && hi - lo <= 60.0 {
            return Some(Bins {
                start: lo - 0.5,
                width: 1.0,
                count: (hi - lo) as usize + 1,
            });
        }
        let span = hi - lo;
        let raw = if span > 0.0 {
            span / 20.0
        } else if lo != 0.0 {
            lo.abs() / 10.0
        } else {
            1.0
        };
        let width = nice_step(raw);
        let start = (lo / width).floor() * width;
        let count = (((hi - start) / width).floor() as usize + 1).clamp(1, 200);
        Some(Bins {
            start,
            width,
            count,
        })
    }

    fn index(&self, v: f64) -> usize {
        let i = ((v - self.start) / self.width).floor();
        if i <= 0.0 {
            0
        } else {
            (i as usize).min(self.count - 1)
        }
    }

    fn end(&self) -> f64 {
        self.start + self.width * self.count as f64
    }
}

/// Share (%) of the values in each bin.
pub(crate) fn shares(values: &[f64], bins: &Bins) -> Vec<f64> {
    let mut counts = vec![0usize; bins.count];
    let mut total = 0usize;
    for &v in values.iter().filter(|v| v.is_finite()) {
        counts[bins.index(v)] += 1;
        total += 1;
    }
    counts
        .iter()
        .map(|&c| {
            if total == 0 {
                0.0
            } else {
                100.0 * c as f64 / total as f64
            }
        })
        .collect()
}

struct Series {
    label: String,
    style: SeriesStyle,
    values: Vec<f64>,
}

/// One series per point, or one pooled series when there are too many points to tell apart.
fn hist_series(d: &Dataset, per_point: &[(usize, Vec<f64>)], pooled: bool) -> Vec<Series> {
    if pooled {
        let values: Vec<f64> = per_point.iter().flat_map(|(_, v)| v.clone()).collect();
        return vec![Series {
            label: format!("all {} points (n={})", d.points.len(), values.len()),
            style: series_style(0),
            values,
        }];
    }
    per_point
        .iter()
        .map(|(p, v)| Series {
            label: format!("{} (n={})", d.label(*p), v.len()),
            style: point_style(d, *p),
            values: v.clone(),
        })
        .collect()
}

/// Series `j` of `k`: its bar in each bin holding a share, side by side with the others'; a
/// marker on each bar top when several series share the plot.
fn draw_bars(
    chart: &mut Chart<'_, '_>,
    bins: &Bins,
    shares: &[f64],
    j: usize,
    k: usize,
    style: &SeriesStyle,
) -> PResult {
    let mut tops = Vec::new();
    let mut bars = Vec::new();
    for (b, &share) in shares.iter().enumerate() {
        if share <= 0.0 {
            continue;
        }
        let left = bins.start + bins.width * b as f64;
        let x0 = left + bins.width * (0.08 + 0.84 * j as f64 / k as f64);
        let x1 = left + bins.width * (0.08 + 0.84 * (j + 1) as f64 / k as f64);
        bars.push([(x0, 0.0), (x1, share)]);
        tops.push(((x0 + x1) / 2.0, share));
    }
    chart.draw_series(
        bars.iter()
            .map(|r| Rectangle::new(*r, style.color.mix(0.85).filled())),
    )?;
    chart.draw_series(
        bars.iter()
            .map(|r| Rectangle::new(*r, BLACK.stroke_width(1))),
    )?;
    if k > 1 {
        draw_markers(chart, &tops, style, 4)?;
    }
    Ok(())
}

pub(crate) fn histogram(
    d: &Dataset,
    file: &'static str,
    dist: &str,
    title: &str,
    x_desc: &str,
) -> Result<PlotOutcome, String> {
    let per_point: Vec<(usize, Vec<f64>)> = d
        .points
        .iter()
        .map(|p| (p.index, d.distribution(p.index, dist)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if per_point.is_empty() {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            &format!("no run has samples of `{dist}`."),
        ));
    }
    let pooled = d.points.len() > MAX_SERIES;
    let series = hist_series(d, &per_point, pooled);
    let all: Vec<f64> = series.iter().flat_map(|s| s.values.clone()).collect();
    let Some(bins) = Bins::for_values(&all) else {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            &format!("`{dist}` has no finite sample."),
        ));
    };
    let heights: Vec<Vec<f64>> = series.iter().map(|s| shares(&s.values, &bins)).collect();
    let top = heights.iter().flatten().fold(0.0_f64, |a, &b| a.max(b));
    let fig = Figure {
        title: title.to_string(),
        x: Axis::numeric(x_desc, bins.start, bins.end()),
        y: Axis::numeric("share of samples (%)", 0.0, (top * 1.08).max(1.0)),
        legend_title: if pooled {
            "pooled over points".to_string()
        } else {
            "sweep point".to_string()
        },
        legend: series
            .iter()
            .map(|s| LegendEntry {
                label: s.label.clone(),
                style: s.style,
                sample: Sample::Bar,
            })
            .collect(),
    };
    let svg = render(&fig, |chart: &mut Chart<'_, '_>| -> PResult {
        for (j, (s, h)) in series.iter().zip(&heights).enumerate() {
            draw_bars(chart, &bins, h, j, series.len(), &s.style)?;
        }
        Ok(())
    })?;
    let how = if pooled {
        format!(
            "pooled over all runs of all {} sweep points",
            d.points.len()
        )
    } else {
        "per sweep point, pooled over its replicates (markers on the bars tell the points apart in greyscale)"
            .to_string()
    };
    Ok(PlotOutcome::drawn(
        file,
        title,
        format!("Share of `{dist}` samples per bin, {how}; n is the number of samples."),
        svg,
    ))
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn integer_values_get_unit_bins() {
        let b = Bins::for_values(&[3.0, 4.0, 4.0, 6.0]).unwrap();
        assert_eq!(b.start, 2.5);
        assert_eq!(b.count, 4);
        assert_eq!(
            shares(&[3.0, 4.0, 4.0, 6.0], &b),
            vec![25.0, 50.0, 0.0, 25.0]
        );
    }

    #[test]
    fn real_values_get_nice_bins_covering_the_max() {
        let v = [0.13, 7.9, 100.0];
        let b = Bins::for_values(&v).unwrap();
        assert_eq!(b.width, 5.0);
        assert!(b.end() > 100.0);
        assert!((shares(&v, &b).iter().sum::<f64>() - 100.0).abs() < 1e-9);
        assert!(Bins::for_values(&[]).is_none());
        let one = Bins::for_values(&[2.5]).unwrap();
        assert_eq!(one.count, 1);
    }
}
