//! Coverage over time since broadcast: the mean curve of every point with its 95 % band, in
//! small multiples for sweeps of several keys; the time axis ends where the curves stop moving.

use super::super::model::{Curve, Dataset};
use super::common::{
    draw_band, draw_line, draw_markers, series_style, Axis, Chart, LegendEntry, PResult,
    PlotOutcome, Sample, SeriesStyle, GREY,
};
use super::grid::{render_grid, Grid};
use super::layout::Layout;
use super::points::layout_phrase;
use super::COVERAGE_AXIS;

/// A curve has stopped moving once its mean stays within this of its final value.
pub(crate) const SETTLED: f64 = 0.001;

/// The earliest time after which no curve's mean moves by more than [`SETTLED`] from its last
/// value, plus a tenth (at most the last sample time); the last sample time for a curve that
/// never settles.
pub(crate) fn settled_time(curves: &[Curve]) -> f64 {
    let mut end = 0.0_f64;
    let mut last = 0.0_f64;
    for c in curves {
        let Some(fin) = c.samples.last() else {
            continue;
        };
        last = last.max(fin.0);
        // The first sample from which every later mean stays within SETTLED of the last.
        let mut at = fin.0;
        for s in c.samples.iter().rev() {
            if (s.1 - fin.1).abs() > SETTLED {
                break;
            }
            at = s.0;
        }
        end = end.max(at);
    }
    if end <= 0.0 {
        return last;
    }
    (end * 1.1).min(last)
}

/// `coverage.svg`.
pub(crate) fn coverage(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "coverage.svg";
    let title = "Coverage over time since broadcast";
    let curves = d.coverage_curves();
    if curves.iter().all(|c| c.samples.is_empty()) {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            "`coverage.csv` is absent or holds no samples.",
        ));
    }
    let layout = Layout::of(d);
    let t_end = settled_time(&curves);
    let t_last = curves
        .iter()
        .filter_map(|c| c.samples.last().map(|s| s.0))
        .fold(0.0, f64::max);
    let y_hi = curves
        .iter()
        .flat_map(|c| c.samples.iter().map(|s| s.1))
        .fold(1.0_f64, f64::max);
    let panels = layout.panels(
        &Axis::numeric("time since broadcast (s)", 0.0, t_end),
        &Axis::numeric(COVERAGE_AXIS, 0.0, y_hi),
    );
    let mut grid = Grid::new(title, panels, 3);
    let shown: Vec<usize> = curves.iter().map(|c| c.point).collect();
    grid.legend = layout.legend(d, &shown, Sample::LineMarker);
    grid.legend.push(LegendEntry {
        label: "95 % CI of the mean".to_string(),
        style: SeriesStyle {
            color: GREY,
            ..series_style(0)
        },
        sample: Sample::Band,
    });
    grid.legend_title = layout.legend_title(d);
    let svg = render_grid(&grid, |i, chart| {
        let members: Vec<&Curve> = layout.panels[i]
            .points
            .iter()
            .filter_map(|p| curves.iter().find(|c| c.point == *p))
            .collect();
        draw_curves(chart, &layout, &members, t_end, y_hi)
    })?;
    let reps = d.points.iter().map(|p| p.replicates).max().unwrap_or(0);
    let cut = if t_end < t_last {
        format!(
            " The time axis ends at {t_end:.3} s: after it no mean curve moves by more than \
             {SETTLED} (the curves run to {t_last:.3} s, see `coverage.csv`)."
        )
    } else {
        String::new()
    };
    Ok(PlotOutcome::drawn(
        file,
        title,
        format!(
            "Share of honest online nodes that verified the topic, against time since broadcast: \
             mean over replicates (up to {reps} per point) with a shaded 95 % band \
             (Student t, mean ± t·sd/√n, clamped to [0, 1]; none where n < 2); {}.{cut}",
            layout_phrase(d, &layout, Some("curve"))
        ),
        svg,
    ))
}

fn draw_curves(
    chart: &mut Chart<'_, '_>,
    layout: &Layout,
    curves: &[&Curve],
    t_end: f64,
    y_hi: f64,
) -> PResult {
    let within = |t: f64| t <= t_end * (1.0 + 1e-9);
    for c in curves {
        let st = layout.style(c.point);
        let s = c.samples.iter().filter(|s| within(s.0));
        let upper: Vec<(f64, f64)> = s.clone().map(|s| (s.0, s.3.min(y_hi))).collect();
        let lower: Vec<(f64, f64)> = s.map(|s| (s.0, s.2.max(0.0))).collect();
        draw_band(chart, &upper, &lower, &st.color)?;
    }
    let n_series = curves.len();
    for (k, c) in curves.iter().enumerate() {
        let st = layout.style(c.point);
        let line: Vec<(f64, f64)> = c
            .samples
            .iter()
            .filter(|s| within(s.0))
            .map(|s| (s.0, s.1))
            .collect();
        draw_line(chart, &line, &st)?;
        // About eight markers per curve, staggered between curves.
        let every = (line.len() / 8).max(1);
        let offset = (k * every) / n_series.max(1);
        let marks: Vec<(f64, f64)> = line
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == offset % every)
            .map(|(_, p)| *p)
            .collect();
        draw_markers(chart, &marks, &st, 5)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(point: usize, means: &[f64]) -> Curve {
        Curve {
            point,
            samples: means
                .iter()
                .enumerate()
                .map(|(i, m)| (i as f64, *m, *m, *m))
                .collect(),
        }
    }

    #[test]
    fn the_time_axis_ends_where_the_slowest_curve_settles() {
        let fast = curve(0, &[0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        let slow = curve(
            1,
            &[0.0, 0.2, 0.4, 0.6, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95],
        );
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(settled_time(std::slice::from_ref(&fast)), 2.2));
        assert!(close(settled_time(&[fast, slow]), 5.5));
        let never = curve(0, &[0.0, 0.1, 0.2, 0.3]);
        assert_eq!(settled_time(&[never]), 3.0, "capped at the last sample");
    }
}
