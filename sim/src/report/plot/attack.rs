//! Plots of attack sweeps (swept key `attack.share`).

use super::super::model::attack_groups;
use super::super::model::{Dataset, Estimate};
use super::common::{
    data_range, draw_line, draw_markers, draw_whiskers, render, series_style, Axis, Chart, Dash,
    Figure, LegendEntry, PResult, Sample, SeriesStyle,
};
use super::common::{PlotOutcome, FINAL_COVERAGE_AXIS};

const SHARE_AXIS: &str = "attacker share (fraction of nodes)";

/// One drawn line: legend label, style, `(share, estimate)` points.
struct Line {
    label: String,
    style: SeriesStyle,
    pts: Vec<(f64, Estimate)>,
}

fn group_name(label: &str) -> String {
    if label.is_empty() {
        "all points".to_string()
    } else {
        label.to_string()
    }
}

/// `(share, estimate)` of a metric along one group.
fn along(d: &Dataset, members: &[(usize, f64)], metric: &str) -> Vec<(f64, Estimate)> {
    members
        .iter()
        .filter_map(|&(p, share)| Some((share, d.estimate(p, metric)?)))
        .collect()
}

fn draw_lines(
    lines: &[Line],
    title: &str,
    y_desc: &str,
    legend_title: &str,
) -> Result<String, String> {
    let xs = lines.iter().flat_map(|l| l.pts.iter().map(|p| p.0));
    let (x0, x1) = data_range(xs, true);
    let ys = lines
        .iter()
        .flat_map(|l| l.pts.iter())
        .flat_map(|p| p.1.values());
    let (y0, y1) = data_range(ys, true);
    let fig = Figure {
        title: title.to_string(),
        x: Axis::numeric(SHARE_AXIS, x0, x1),
        y: Axis::numeric(y_desc, y0, y1),
        legend_title: legend_title.to_string(),
        legend: lines
            .iter()
            .map(|l| LegendEntry {
                label: l.label.clone(),
                style: l.style,
                sample: Sample::LineMarker,
            })
            .collect(),
    };
    render(&fig, |chart: &mut Chart<'_, '_>| -> PResult {
        for l in lines {
            let whiskers: Vec<(f64, f64, f64)> = l
                .pts
                .iter()
                .filter_map(|p| p.1.ci.map(|(lo, hi)| (p.0, lo, hi)))
                .collect();
            draw_whiskers(chart, &whiskers, &l.style.color)?;
            let xy: Vec<(f64, f64)> = l.pts.iter().map(|p| (p.0, p.1.mean)).collect();
            draw_line(chart, &xy, &l.style)?;
            draw_markers(chart, &xy, &l.style, 6)?;
        }
        Ok(())
    })
}

pub(crate) fn attack_coverage(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "attack_coverage.svg";
    let title = "Honest coverage vs attacker share";
    let lines: Vec<Line> = attack_groups(d)
        .iter()
        .enumerate()
        .map(|(g, (label, members))| Line {
            label: group_name(label),
            style: series_style(g),
            pts: along(d, members, "coverage_final"),
        })
        .filter(|l| !l.pts.is_empty())
        .collect();
    if lines.is_empty() {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            "no point has a numeric `attack.share` and a defined `coverage_final`.",
        ));
    }
    let svg = draw_lines(&lines, title, FINAL_COVERAGE_AXIS, "other parameters")?;
    Ok(PlotOutcome::drawn(
        file,
        title,
        "Mean final coverage of honest online nodes against the attacker share, one line per \
         value of the other swept parameters; whiskers: 95 % CI of the mean."
            .to_string(),
        svg,
    ))
}

pub(crate) fn attack_earnings(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "attack_earnings.svg";
    let title = "Fees earned per node vs attacker share";
    let metrics = [
        ("honest", "fees_earned_per_honest_node_sat", Dash::Solid),
        (
            "adversary",
            "fees_earned_per_adversary_node_sat",
            Dash::Dashed,
        ),
    ];
    let groups = attack_groups(d);
    let mut lines = Vec::new();
    for (g, (label, members)) in groups.iter().enumerate() {
        for (k, (who, metric, dash)) in metrics.iter().enumerate() {
            let pts = along(d, members, metric);
            if pts.is_empty() {
                continue;
            }
            let name = if groups.len() == 1 {
                format!("{who} nodes")
            } else {
                format!("{who}, {}", group_name(label))
            };
            lines.push(Line {
                label: name,
                style: SeriesStyle {
                    dash: *dash,
                    ..series_style(2 * g + k)
                },
                pts,
            });
        }
    }
    if lines.is_empty() {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            "no point has fees earned per honest or adversarial node.",
        ));
    }
    let svg = draw_lines(&lines, title, "fees earned per node (sat)", "node kind")?;
    Ok(PlotOutcome::drawn(
        file,
        title,
        "Mean fees earned per honest node (solid) and per adversarial node (dashed) against the \
         attacker share; whiskers: 95 % CI of the mean."
            .to_string(),
        svg,
    ))
}
