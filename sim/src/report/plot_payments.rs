//! Plots of Lightning-model sweeps (`payments.model = "lightning"`): what a gig costs per sweep
//! point, and payment success against invoice amount.

use plotters::prelude::*;

use super::model::Dataset;
use super::plot_common::{
    data_range, draw_line, draw_markers, draw_whiskers, render, series_style, Axis, Chart, Figure,
    LegendEntry, PResult, Sample, FONT,
};
use super::plots::PlotOutcome;

/// The metric only Lightning runs have; its presence selects these plots.
pub(crate) const LN_MARKER: &str = "ln_fee_sat";
/// The swept key that sets every invoice's size.
const INVOICE_KEY: &str = "policy.routing_fee_sat";

/// Whether the dataset comes from the Lightning payment model.
pub(crate) fn is_lightning(d: &Dataset) -> bool {
    d.has_metric(LN_MARKER)
}

/// Per point: (Sweet-Gossip fees per delivered reply, LN fees per delivered reply, PoW hashes
/// per delivered reply), from the run means; points without a delivered reply are left out.
fn costs(d: &Dataset) -> Vec<(usize, f64, f64, f64)> {
    d.points
        .iter()
        .filter_map(|p| {
            let replies = d.mean(p.index, "replies_delivered")?;
            if replies <= 0.0 {
                return None;
            }
            let gossip = d.mean(p.index, "fees_paid_sat")? / replies;
            let ln = d.mean(p.index, "ln_fee_total_sat")? / replies;
            let pow = d.mean(p.index, "pow_hashes").unwrap_or(0.0) / replies;
            Some((p.index, gossip, ln, pow))
        })
        .collect()
}

pub(crate) fn cost_breakdown(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "ln_cost.svg";
    let title = "What a gig costs, per sweep point";
    let rows = costs(d);
    if rows.is_empty() {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            "no point delivered a reply, so no cost per gig is defined.",
        ));
    }
    let top = rows.iter().map(|r| r.1 + r.2).fold(0.0_f64, f64::max);
    let (gossip_style, ln_style) = (series_style(0), series_style(1));
    let fig = Figure {
        title: title.to_string(),
        x: Axis::categories("sweep point (#, see the tables)", rows.len()),
        y: Axis::numeric("satoshi per delivered reply (sat)", 0.0, top * 1.15),
        legend_title: "cost".to_string(),
        legend: vec![
            LegendEntry {
                label: "Sweet-Gossip invoices".to_string(),
                style: gossip_style,
                sample: Sample::Bar,
            },
            LegendEntry {
                label: "Lightning routing fees".to_string(),
                style: ln_style,
                sample: Sample::Bar,
            },
        ],
    };
    let svg = render(&fig, |chart: &mut Chart<'_, '_>| -> PResult {
        for (i, &(_, gossip, ln, pow)) in rows.iter().enumerate() {
            let (x0, x1) = (i as f64 - 0.35, i as f64 + 0.35);
            for (lo, hi, st) in [(0.0, gossip, gossip_style), (gossip, gossip + ln, ln_style)] {
                let r = [(x0, lo), (x1, hi)];
                chart.draw_series(std::iter::once(Rectangle::new(r, st.color.filled())))?;
                chart.draw_series(std::iter::once(Rectangle::new(r, BLACK.stroke_width(1))))?;
            }
            let label = format!("PoW {:.0} h", pow);
            let at = (i as f64 - 0.3, gossip + ln + top * 0.07);
            chart.draw_series(std::iter::once(Text::new(label, at, (FONT, 11))))?;
        }
        Ok(())
    })?;
    Ok(PlotOutcome::drawn(
        file,
        title,
        "Per sweep point (x: the point's # in the tables), the mean over replicates of what a \
         delivered reply cost its customer: the Sweet-Gossip invoices paid to middlemen and \
         repliers (fees_paid_sat ÷ replies_delivered) with the Lightning routing fees on top \
         (ln_fee_total_sat ÷ replies_delivered); the label above each bar is the proof of work \
         spent per delivered reply (pow_hashes ÷ replies_delivered, hashes). Ratios of run \
         means; failed and abandoned payments' fees included."
            .to_string(),
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

pub(crate) fn success_vs_amount(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "ln_success.svg";
    let title = "Payment success vs invoice amount";
    let mut lines = Vec::new();
    for (g, (label, points)) in groups(d).into_iter().enumerate() {
        let mut pts: Vec<(f64, f64, Option<(f64, f64)>)> = points
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
    let xs = lines.iter().flat_map(|l| l.2.iter().map(|p| p.0));
    let (x0, x1) = data_range(xs, true);
    let fig = Figure {
        title: title.to_string(),
        x: Axis::numeric("mean invoice amount (sat)", x0, x1),
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
         against the mean invoice amount (ln_invoice_sat_mean), one line per value of the other \
         swept keys; whiskers: 95 % CI of the mean over replicates."
            .to_string(),
        svg,
    ))
}
