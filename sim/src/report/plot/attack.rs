//! Plots of attack sweeps (swept key `attack.share`): the attack's headline metric (the one
//! `report::headline` names for its kind) and the fees earned, against the attacker share,
//! whose axis says what the share counts for that kind.

use super::super::claims::headline_of;
use super::super::headline::{share_meaning, Headline};
use super::super::model::{attack_groups, Dataset, Estimate};
use super::common::PlotOutcome;
use super::common::{
    data_range, draw_line, draw_markers, draw_whiskers, series_style, Axis, Chart, Dash, Figure,
    LegendEntry, PResult, Sample, SeriesStyle,
};
use super::grid::render;

/// The headline of the dataset's attack, the one its sentences lead with (a generic one when
/// the kind is unknown).
fn attack_headline(d: &Dataset) -> Headline {
    headline_of(d)
}

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
    axes: (&str, &str),
    legend_title: &str,
) -> Result<String, String> {
    let (x_desc, y_desc) = axes;
    let xs = lines.iter().flat_map(|l| l.pts.iter().map(|p| p.0));
    let (x0, x1) = data_range(xs, true);
    let ys = lines
        .iter()
        .flat_map(|l| l.pts.iter())
        .flat_map(|p| p.1.values());
    let (y0, y1) = data_range(ys, true);
    let fig = Figure {
        title: title.to_string(),
        x: Axis::numeric(x_desc, x0, x1),
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

/// `attack_headline.svg`: the attack's headline metric against the share.
pub(crate) fn attack_headline_plot(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "attack_headline.svg";
    let h = attack_headline(d);
    let share = share_meaning(d.attack_kind);
    let title = format!("{}: {} vs attacker share", h.name, h.metric);
    let lines: Vec<Line> = attack_groups(d)
        .iter()
        .enumerate()
        .map(|(g, (label, members))| Line {
            label: group_name(label),
            style: series_style(g),
            pts: along(d, members, h.metric),
        })
        .filter(|l| !l.pts.is_empty())
        .collect();
    if lines.is_empty() {
        return Ok(PlotOutcome::skipped(
            file,
            &title,
            &format!(
                "no point has a numeric `attack.share` and a defined `{}`.",
                h.metric
            ),
        ));
    }
    let svg = draw_lines(&lines, &title, (share, h.phrase), "other parameters")?;
    let better = if h.higher_is_better {
        "higher"
    } else {
        "lower"
    };
    Ok(PlotOutcome::drawn(
        file,
        &title,
        format!(
            "The attack's headline metric, mean `{}` ({}; {better} is better for the honest \
             network), against `attack.share` ({share}), one line per value of the other swept \
             parameters; whiskers: 95 % CI of the mean. Points where no run defines the metric \
             are left out.",
            h.metric, h.phrase
        ),
        svg,
    ))
}

/// `attack_earnings.svg`: fees earned per honest and per adversarial node against the share.
pub(crate) fn attack_earnings(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "attack_earnings.svg";
    let h = attack_headline(d);
    let title = format!("{}: fees earned per node vs attacker share", h.name);
    let title = title.as_str();
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
    let axes = (share_meaning(d.attack_kind), "fees earned per node (sat)");
    let svg = draw_lines(&lines, title, axes, "node kind")?;
    Ok(PlotOutcome::drawn(
        file,
        title,
        "Mean fees earned per honest node (solid) and per adversarial node (dashed) against the \
         attacker share; whiskers: 95 % CI of the mean."
            .to_string(),
        svg,
    ))
}
