//! The "Paired differences" section: each sweep point against its baseline, run by run.
//!
//! Replicate r of every point shares its graph, roles and workload (common random numbers), so
//! the difference of two points within a replicate cancels the between-replicate noise. A
//! point's baseline is the point that differs only in the *last* swept key, set to that key's
//! first value ([`crate::stats::baselines`]); the same numbers are in `paired.csv`.

use std::fmt::Write as _;

use super::claims::headline_metrics;
use super::format::{decimals_for, fmt_fixed, md_escape, metric_header, short_key};
use super::model::Dataset;
use crate::definitions::bounds;
use crate::definitions::PAIRED;
use crate::stats::{baselines, difference, paired_difference, Interval, Summary};

/// Most metric columns in one table.
const MAX_COLUMNS: usize = 5;

/// `(point, baseline)` for every point that has a baseline, in point order.
pub(crate) fn pairs(d: &Dataset) -> Vec<(usize, usize)> {
    let params: Vec<Vec<(String, String)>> = d.points.iter().map(|p| p.params.clone()).collect();
    d.points
        .iter()
        .zip(baselines(&params))
        .filter_map(|(p, b)| Some((p.index, d.points[b?].index)))
        .collect()
}

/// The paired difference of `metric` between `point` and `baseline`, and its interval as
/// `paired.csv` gives it ([`difference::paired`]).
pub(crate) fn difference(
    d: &Dataset,
    point: usize,
    baseline: usize,
    metric: &str,
) -> (Summary, Option<Interval>) {
    let (a, b) = (
        d.by_replicate(point, metric),
        d.by_replicate(baseline, metric),
    );
    (
        paired_difference(&a, &b),
        difference::paired(&a, &b, bounds(metric)),
    )
}

/// The section's Markdown (heading included); empty when nothing is swept.
pub(crate) fn section(d: &Dataset) -> String {
    let Some(last) = d.swept.last() else {
        return String::new();
    };
    let mut md = String::from("## Paired differences\n\n");
    let first = d.points.first().and_then(|p| d.param(p.index, last));
    let _ = writeln!(
        md,
        "Replicate r of every point runs on the same graph, roles and workload (common random \
         numbers), so points are compared run by run. Each point's baseline is the point that \
         differs only in the last swept key, `{last}`, set to its first value (`{}`). A cell is \
         the mean of (point − baseline) over the replicates where both are defined, with the \
         Student-t 95 % CI of that mean and the number of pairs n; an interval that excludes 0 \
         is a difference the runs support; ⚠ marks fewer than 5 pairs. The main metrics are also \
         in `paired.csv`; a headline metric of the report not among them is computed the same \
         way from `runs.jsonl`.\n",
        first.unwrap_or("")
    );
    let pairs = pairs(d);
    let mut metrics: Vec<&str> = PAIRED
        .iter()
        .copied()
        .filter(|m| {
            d.runs
                .iter()
                .any(|r| r.metrics.get(*m).is_some_and(Option::is_some))
        })
        .collect();
    for m in headline_metrics(d) {
        if !metrics.contains(&m) {
            metrics.push(m);
        }
    }
    if pairs.is_empty() || metrics.is_empty() {
        md.push_str("No point has a baseline to compare with, or no main metric is present.\n\n");
        return md;
    }
    for chunk in metrics.chunks(MAX_COLUMNS) {
        md.push_str(&table(d, &pairs, chunk));
        md.push('\n');
    }
    md
}

fn table(d: &Dataset, pairs: &[(usize, usize)], metrics: &[&str]) -> String {
    let mut s = String::new();
    let mut header = vec!["#".to_string()];
    header.extend(d.swept.iter().map(|k| md_escape(&short_key(k, &d.swept))));
    header.push("vs #".to_string());
    header.extend(
        metrics
            .iter()
            .map(|m| format!("Δ {}", md_escape(&metric_header(m)))),
    );
    let _ = writeln!(s, "| {} |", header.join(" | "));
    let mut align = vec!["---:".to_string()];
    align.extend(d.swept.iter().map(|_| "---".to_string()));
    align.push("---:".to_string());
    align.extend(metrics.iter().map(|_| "---:".to_string()));
    let _ = writeln!(s, "|{}|", align.join("|"));
    let decimals: Vec<usize> = metrics
        .iter()
        .map(|m| {
            let max = pairs
                .iter()
                .filter_map(|(p, b)| difference(d, *p, *b, m).0.mean)
                .fold(0.0_f64, |a, v| a.max(v.abs()));
            decimals_for(max)
        })
        .collect();
    for (p, b) in pairs {
        let mut row = vec![p.to_string()];
        row.extend(
            d.swept
                .iter()
                .map(|k| md_escape(d.param(*p, k).unwrap_or(""))),
        );
        row.push(b.to_string());
        for (m, &dec) in metrics.iter().zip(&decimals) {
            let (diff, i) = difference(d, *p, *b, m);
            row.push(cell(&diff, i, dec));
        }
        let _ = writeln!(s, "| {} |", row.join(" | "));
    }
    s
}

/// `+mean [low, high] (n=k)`, `n/a` without pairs; `⚠` marks n < 5. The interval is
/// [`difference::paired`]'s, as in `paired.csv`.
fn cell(s: &Summary, i: Option<Interval>, decimals: usize) -> String {
    let Some(mean) = s.mean else {
        return "n/a".to_string();
    };
    let signed = |v: f64| {
        let t = fmt_fixed(v, decimals);
        if t.starts_with('-') || t.chars().all(|c| c == '0' || c == '.') {
            t
        } else {
            format!("+{t}")
        }
    };
    let mut out = match i {
        Some(i) => format!("{} [{}, {}]", signed(mean), signed(i.low), signed(i.high)),
        None => signed(mean),
    };
    let _ = write!(out, " (n={})", s.n);
    if s.n < 5 {
        out.push_str(" ⚠");
    }
    out
}
