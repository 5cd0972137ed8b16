//! The plots of a report: coverage curves, coverage against cost, t90. The
//! histograms are in `hist`, the attack plots in `attack`, the pictures of one
//! run in `run`; what they share is in `common`.

use std::path::Path;

use super::format::metric_phrase;
use super::model::{Dataset, Estimate};
use super::ReportError;
pub(crate) use common::PlotMeta;
use common::{
    data_range, draw_band, draw_line, draw_markers, draw_whiskers, render, series_style, Axis,
    Chart, Figure, LegendEntry, PResult, Sample, SeriesStyle, GREY,
};
use common::{point_style, PlotOutcome, FINAL_COVERAGE_AXIS};

mod attack;
mod axis;
mod common;
mod hist;
mod payments;
mod png;
pub(crate) mod run;
mod style;

pub use png::write_pngs;

/// Draws every plot in [`super::PLOT_FILES`] order.
pub(crate) fn all_plots(d: &Dataset, dir: &Path) -> Result<Vec<PlotOutcome>, ReportError> {
    let plot_err = |file: &str, message: String| ReportError::Plot {
        path: dir.join(file),
        message,
    };
    let mut out = vec![coverage(d).map_err(|m| plot_err("coverage.svg", m))?];
    out.push(
        coverage_vs(
            d,
            "coverage_vs_cost.svg",
            "frames_per_node",
            "Final coverage vs frames per node",
            "frames sent per node (frames)",
        )
        .map_err(|m| plot_err("coverage_vs_cost.svg", m))?,
    );
    out.push(
        coverage_vs(
            d,
            "coverage_vs_pow.svg",
            "pow_hashes_per_node",
            "Final coverage vs proof-of-work per node",
            "PoW hashes per node (hashes)",
        )
        .map_err(|m| plot_err("coverage_vs_pow.svg", m))?,
    );
    out.push(t90(d).map_err(|m| plot_err("t90.svg", m))?);
    out.push(
        hist::histogram(
            d,
            "route_fee.svg",
            "route_fee_sat",
            "Route fee distribution",
            "route fee paid per reply (sat)",
        )
        .map_err(|m| plot_err("route_fee.svg", m))?,
    );
    out.push(
        hist::histogram(
            d,
            "route_length.svg",
            "route_length",
            "Route length distribution",
            "route length (hops)",
        )
        .map_err(|m| plot_err("route_length.svg", m))?,
    );
    if d.is_attack_sweep() {
        out.push(attack::attack_coverage(d).map_err(|m| plot_err("attack_coverage.svg", m))?);
        out.push(attack::attack_earnings(d).map_err(|m| plot_err("attack_earnings.svg", m))?);
    }
    if payments::is_lightning(d) {
        out.push(payments::cost_breakdown(d).map_err(|m| plot_err("ln_cost.svg", m))?);
        out.push(payments::success_vs_amount(d).map_err(|m| plot_err("ln_success.svg", m))?);
    }
    Ok(out)
}

pub(crate) const COVERAGE_AXIS: &str = "coverage (share of honest online nodes)";

fn coverage(d: &Dataset) -> Result<PlotOutcome, String> {
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
    let times = curves.iter().flat_map(|c| c.samples.iter().map(|s| s.0));
    let (t0, t1) = data_range(times, true);
    let y_hi = curves
        .iter()
        .flat_map(|c| c.samples.iter().map(|s| s.1))
        .fold(1.0_f64, f64::max);
    let mut legend: Vec<LegendEntry> = curves
        .iter()
        .map(|c| LegendEntry {
            label: d.label(c.point),
            style: point_style(d, c.point),
            sample: Sample::LineMarker,
        })
        .collect();
    legend.push(LegendEntry {
        label: "95 % CI of the mean".to_string(),
        style: SeriesStyle {
            color: GREY,
            ..series_style(0)
        },
        sample: Sample::Band,
    });
    let fig = Figure {
        title: title.to_string(),
        x: Axis::numeric("time since broadcast (s)", t0, t1),
        y: Axis::numeric(COVERAGE_AXIS, 0.0, y_hi),
        legend_title: "sweep point".to_string(),
        legend,
    };
    let n_series = curves.len();
    let svg = render(&fig, |chart: &mut Chart<'_, '_>| -> PResult {
        for c in &curves {
            let st = point_style(d, c.point);
            let upper: Vec<(f64, f64)> = c.samples.iter().map(|s| (s.0, s.3.min(y_hi))).collect();
            let lower: Vec<(f64, f64)> = c.samples.iter().map(|s| (s.0, s.2.max(0.0))).collect();
            draw_band(chart, &upper, &lower, &st.color)?;
        }
        for (k, c) in curves.iter().enumerate() {
            let st = point_style(d, c.point);
            let line: Vec<(f64, f64)> = c.samples.iter().map(|s| (s.0, s.1)).collect();
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
    })?;
    let reps = d.points.iter().map(|p| p.replicates).max().unwrap_or(0);
    Ok(PlotOutcome::drawn(
        file,
        title,
        format!(
            "Share of honest online nodes that verified the topic, against time since broadcast: \
             mean over replicates (up to {reps} per point) with a shaded 95 % band \
             (Student t, mean ± t·sd/√n, clamped to [0, 1]; none where n < 2)."
        ),
        svg,
    ))
}

/// `(point, x mean, y estimate)` for points with both means.
fn paired(d: &Dataset, x_metric: &str, y_metric: &str) -> Vec<(usize, f64, Estimate)> {
    d.points
        .iter()
        .filter_map(|p| {
            let x = d.mean(p.index, x_metric)?;
            Some((p.index, x, d.estimate(p.index, y_metric)?))
        })
        .collect()
}

fn coverage_vs(
    d: &Dataset,
    file: &'static str,
    x_metric: &str,
    title: &str,
    x_desc: &str,
) -> Result<PlotOutcome, String> {
    let pts = paired(d, x_metric, "coverage_final");
    if pts.is_empty() {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            &format!("no point has both `coverage_final` and `{x_metric}`."),
        ));
    }
    let (x0, x1) = data_range(pts.iter().map(|p| p.1), true);
    let (y0, y1) = data_range(pts.iter().flat_map(|p| p.2.values()), false);
    let fig = Figure {
        title: title.to_string(),
        x: Axis::numeric(x_desc, x0, x1),
        y: Axis::numeric(FINAL_COVERAGE_AXIS, y0, y1),
        legend_title: "sweep point".to_string(),
        legend: pts
            .iter()
            .map(|p| LegendEntry {
                label: d.label(p.0),
                style: point_style(d, p.0),
                sample: Sample::Marker,
            })
            .collect(),
    };
    let svg = render(&fig, |chart: &mut Chart<'_, '_>| -> PResult {
        for &(p, x, y) in &pts {
            let st = point_style(d, p);
            if let Some((lo, hi)) = y.ci {
                draw_whiskers(chart, &[(x, lo, hi)], &st.color)?;
            }
            draw_markers(chart, &[(x, y.mean)], &st, 7)?;
        }
        Ok(())
    })?;
    Ok(PlotOutcome::drawn(
        file,
        title,
        format!(
            "Mean final coverage against mean {} per sweep point; whiskers: 95 % CI of the mean coverage.",
            metric_phrase(x_metric)
        ),
        svg,
    ))
}

fn t90(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "t90.svg";
    let title = "Time to 90 % coverage per sweep point";
    let metric = "t90_s";
    let pts: Vec<(usize, Estimate)> = d
        .points
        .iter()
        .filter_map(|p| Some((p.index, d.estimate(p.index, metric)?)))
        .collect();
    if pts.is_empty() {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            "no point reaches 90 % coverage (or `t90_s` is absent).",
        ));
    }
    let (y0, y1) = data_range(pts.iter().flat_map(|p| p.1.values()), true);
    let slots = d.points.iter().map(|p| p.index + 1).max().unwrap_or(1);
    let fig = Figure {
        title: title.to_string(),
        x: Axis::categories("sweep point (#)", slots),
        y: Axis::numeric("time to 90 % coverage (s)", y0, y1),
        legend_title: "sweep point".to_string(),
        legend: pts
            .iter()
            .map(|p| LegendEntry {
                label: format!("#{} {}", p.0, d.label(p.0)),
                style: point_style(d, p.0),
                sample: Sample::Marker,
            })
            .collect(),
    };
    let svg = render(&fig, |chart: &mut Chart<'_, '_>| -> PResult {
        for &(p, e) in &pts {
            let st = point_style(d, p);
            let x = p as f64;
            if let Some((lo, hi)) = e.ci {
                draw_whiskers(chart, &[(x, lo, hi)], &st.color)?;
            }
            draw_markers(chart, &[(x, e.mean)], &st, 7)?;
        }
        Ok(())
    })?;
    let missing = d.points.len() - pts.len();
    let mut caption = "Mean time to 90 % coverage per sweep point (x: the point's # as in the \
                       summary table and the legend); whiskers: 95 % CI of the mean."
        .to_string();
    if missing > 0 {
        caption.push_str(&format!(
            " {missing} point(s) never reach 90 % and are not shown."
        ));
    }
    Ok(PlotOutcome::drawn(file, title, caption, svg))
}
