//! Plots of Lightning-model sweeps (`payments.model = "lightning"`): what a gig costs per sweep
//! point, and payment success against invoice amount.

use plotters::prelude::*;

use super::axis::spans_decades;
use super::common::{
    draw_line, draw_markers, draw_whiskers, series_style, Axis, Chart, Figure, LegendEntry,
    PResult, PlotOutcome, Sample, SeriesStyle, FONT,
};
use super::grid::{render, render_grid, Grid};
use super::layout::Layout;
use super::points::layout_phrase;
use crate::report::model::Dataset;

/// The metric only Lightning runs have; its presence selects these plots.
pub(crate) const LN_MARKER: &str = "ln_fee_sat";
/// The swept key that sets every invoice's size.
const INVOICE_KEY: &str = "policy.routing_fee_sat";

/// Whether the dataset comes from the Lightning payment model.
pub(crate) fn is_lightning(d: &Dataset) -> bool {
    d.has_metric(LN_MARKER)
}

/// Per point (by position): (Sweet-Gossip fees, LN fees, PoW hashes) per delivered reply, from
/// the run means; `None` where no reply was delivered.
fn costs(d: &Dataset) -> Vec<Option<(f64, f64, f64)>> {
    d.points
        .iter()
        .map(|p| {
            let replies = d.mean(p.index, "replies_delivered")?;
            if replies <= 0.0 {
                return None;
            }
            let gossip = d.mean(p.index, "fees_paid_sat")? / replies;
            let ln = d.mean(p.index, "ln_fee_total_sat")? / replies;
            let pow = d.mean(p.index, "pow_hashes").unwrap_or(0.0) / replies;
            Some((gossip, ln, pow))
        })
        .collect()
}

/// A short count: 950, 12k, 3.4M.
fn short(x: f64) -> String {
    match x {
        x if x >= 1e6 => format!("{:.1}M", x / 1e6),
        x if x >= 1e4 => format!("{:.0}k", x / 1e3),
        x if x >= 1e3 => format!("{:.1}k", x / 1e3),
        x => format!("{x:.0}"),
    }
}

/// One point's stacked bar: Sweet-Gossip share from 0 up to `cut` %, Lightning from `cut` to
/// 100 %, with the total and the proof of work per reply above it.
fn draw_bar(
    chart: &mut Chart<'_, '_>,
    (x0, x1): (f64, f64),
    (gossip, ln, pow): (f64, f64, f64),
    styles: (SeriesStyle, SeriesStyle),
) -> PResult {
    let total = (gossip + ln).max(f64::MIN_POSITIVE);
    let cut = 100.0 * gossip / total;
    for (lo, hi, st) in [(0.0, cut, styles.0), (cut, 100.0, styles.1)] {
        let r = [(x0, lo), (x1, hi)];
        chart.draw_series(std::iter::once(Rectangle::new(r, st.color.filled())))?;
        chart.draw_series(std::iter::once(Rectangle::new(r, BLACK.stroke_width(1))))?;
    }
    let label = format!("{} sat", short(total));
    chart.draw_series(std::iter::once(Text::new(label, (x0, 109.0), (FONT, 10))))?;
    let label = format!("{} h", short(pow));
    chart.draw_series(std::iter::once(Text::new(label, (x0, 104.0), (FONT, 10))))?;
    Ok(())
}

/// `ln_cost.svg`: per sweep point, how the satoshi paid per delivered reply split.
pub(crate) fn cost_breakdown(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "ln_cost.svg";
    let title = "What a gig costs, per sweep point";
    let rows = costs(d);
    if rows.iter().all(Option::is_none) {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            "no point delivered a reply, so no cost per gig is defined.",
        ));
    }
    let layout = Layout::of(d);
    let styles = (series_style(0), series_style(1));
    let x = layout.x_axis(d, 1.0);
    let y = Axis::numeric("share of the sat paid per delivered reply (%)", 0.0, 112.0);
    let panels = layout.panels(&x, &y);
    let mut grid = Grid::new(title, panels, 3);
    grid.legend_title = "cost".to_string();
    grid.legend = ["Sweet-Gossip invoices", "Lightning routing fees"]
        .iter()
        .zip([styles.0, styles.1])
        .map(|(label, style)| LegendEntry {
            label: (*label).to_string(),
            style,
            sample: Sample::Bar,
        })
        .collect();
    let svg = render_grid(&grid, |i, chart| {
        for &p in &layout.panels[i].points {
            let pos = d.points.iter().position(|q| q.index == p);
            if let Some(row) = pos.and_then(|k| rows[k]) {
                draw_bar(chart, layout.slot(layout.x(p), 0.7), row, styles)?;
            }
        }
        Ok(())
    })?;
    Ok(PlotOutcome::drawn(
        file,
        title,
        format!(
            "Per sweep point ({}), how the satoshi a customer paid per delivered reply split \
             between the Sweet-Gossip invoices of middlemen and repliers (fees_paid_sat ÷ \
             replies_delivered) and the Lightning routing fees on top (ln_fee_total_sat ÷ \
             replies_delivered), from the means over replicates; where the orange part passes \
             50 %, Lightning takes more than the middlemen. Above each bar: the total in sat, \
             and the proof of work spent per delivered reply in hashes (pow_hashes ÷ \
             replies_delivered). Fees of failed and abandoned routes are included; points \
             without a delivered reply have no bar.",
            layout_phrase(d, &layout, None)
        ),
        svg,
    ))
}

/// Groups of points sharing every swept value except the invoice size: (label, points).
fn groups(d: &Dataset) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for p in &d.points {
        let label: Vec<String> = d
            .swept
            .iter()
            .filter(|k| k.as_str() != INVOICE_KEY)
            .filter_map(|k| Some(format!("{k}={}", d.param(p.index, k)?)))
            .collect();
        let label = label.join(", ");
        match out.iter_mut().find(|g| g.0 == label) {
            Some(g) => g.1.push(p.index),
            None => out.push((label, vec![p.index])),
        }
    }
    out
}

/// (x, mean, 95 % CI) of one point.
type Pt = (f64, f64, Option<(f64, f64)>);

pub(crate) fn success_vs_amount(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "ln_success.svg";
    let title = "Payment success vs invoice amount";
    let mut lines = Vec::new();
    for (g, (label, points)) in groups(d).into_iter().enumerate() {
        let mut pts: Vec<Pt> = points
            .iter()
            .filter_map(|&p| {
                let x = d.mean(p, "ln_invoice_sat_mean")?;
                let y = d.estimate(p, "ln_success_share")?;
                Some((x, y.mean, y.ci))
            })
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        if !pts.is_empty() {
            let name = if label.is_empty() {
                "all points".to_string()
            } else {
                label
            };
            lines.push((name, series_style(g), pts));
        }
    }
    if lines.is_empty() {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            "no point routed an invoice over Lightning.",
        ));
    }
    let xs: Vec<f64> = lines.iter().flat_map(|l| l.2.iter().map(|p| p.0)).collect();
    let log = spans_decades(&xs);
    let fig = Figure {
        title: title.to_string(),
        x: Axis::padded("mean invoice amount (sat)", &xs, log, true),
        y: Axis::numeric("invoice payments that succeeded (share)", 0.0, 1.0),
        legend_title: "other swept values".to_string(),
        legend: lines
            .iter()
            .map(|l| LegendEntry {
                label: l.0.clone(),
                style: l.1,
                sample: Sample::LineMarker,
            })
            .collect(),
    };
    let svg = render(&fig, |chart: &mut Chart<'_, '_>| -> PResult {
        for (_, st, pts) in &lines {
            let w: Vec<(f64, f64, f64)> = pts
                .iter()
                .filter_map(|p| p.2.map(|(lo, hi)| (p.0, lo.max(0.0), hi.min(1.0))))
                .collect();
            draw_whiskers(chart, &w, &st.color)?;
            let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
            draw_line(chart, &xy, st)?;
            draw_markers(chart, &xy, st, 6)?;
        }
        Ok(())
    })?;
    Ok(PlotOutcome::drawn(
        file,
        title,
        "Share of invoice payments that reached their payee over Lightning (ln_success_share) \
         against the mean invoice amount (ln_invoice_sat_mean; a log axis where the amounts span \
         two decades or more), one line per value of the other swept keys; whiskers: 95 % CI of \
         the mean over replicates."
            .to_string(),
        svg,
    ))
}
