//! `report.md`.

use std::fmt::Write as _;

use super::claims::{share_meaning, Entry, Section};
use super::format::{decimals_for, fmt_mean_ci, md_escape, metric_header, short_key, GROUPS};
use super::glossary::glossary;
use super::model::{Dataset, ATTACK_SHARE};
use super::paired;
use super::plot::PlotMeta;

/// Most metric columns in one table; "Other metrics" is split beyond this.
const MAX_COLUMNS: usize = 6;

/// Fewer defined replicates than this get a visible warning.
pub(crate) const SMALL_N: usize = 5;

/// The "how to read" paragraph of the summary.
const HOW_TO_READ: &str = "Mean over replicates with the 95 % confidence interval of the mean \
in brackets. Intervals: Student's t with the exact 97.5 % quantile for n − 1 degrees of freedom, \
its lower bound clamped at 0 for a count, time or amount (never negative in a run); \
for a share (unit `share [0,1]` in the glossary) that interval is clamped to [0, 1]; for a flag \
(unit `flag 0/1`, one Bernoulli outcome per run) it is the Wilson score interval over the n runs. The glossary names the interval each column uses. No interval below 2 \
defined replicates. `(n=k)` marks a metric defined in only k of the point's replicates; `n/a` one \
defined in none; points with fewer than 5 are flagged under their table. Each tNN is a mean over \
only the topics that reached NN % of their eligible nodes (censored data): read it with reachNN, \
the share of topics that did. All metrics and their standard deviations are in `summary.csv`.\n\n";

/// Renders the whole report from the data and its claims: headline (what was swept, the
/// headline claims), "What stands out", plots, tables (the "Other metrics" ones folded), paired
/// differences.
pub(crate) fn render(
    d: &Dataset,
    claims: &[Entry],
    plots: &[PlotMeta],
    skipped: &[PlotMeta],
) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Sweep report: {}\n", md_escape(&d.title));
    let _ = writeln!(md, "{}\n", scenario_sentence(d));

    md.push_str("## Headline\n\n");
    md.push_str(&parameters(d));
    bullets(&mut md, claims, Section::Headline);
    md.push('\n');
    md.push_str("## What stands out\n\n");
    if !bullets(&mut md, claims, Section::StandsOut) {
        md.push_str("- The metrics present allow no further comparison.\n");
    }
    md.push_str(CLAIMS_NOTE);

    md.push_str("## Plots\n\n");
    plots_section(&mut md, plots, skipped);

    md.push_str("## Summary\n\n");
    md.push_str(HOW_TO_READ);
    tables(&mut md, d);
    md.push_str(&paired::section(d));
    let mut md = md.trim_end().to_string();
    md.push('\n');
    md
}

/// Under "What stands out": where the sentences come from.
const CLAIMS_NOTE: &str = "\nEach sentence above is rendered from one claim in `claims.json` (its \
kind, points, metric, statistics and test) and is checked against this folder's `runs.jsonl`, \
`summary.csv` and `paired.csv` by `sgsim report DIR --check-claims`. A difference is \
\"detectable\" when its 95 % CI excludes 0; every statistic carries its n and its interval.\n\n";

/// The claims of `section` as bullets; whether there was one.
fn bullets(md: &mut String, claims: &[Entry], section: Section) -> bool {
    let mut any = false;
    for e in claims.iter().filter(|e| e.section == section) {
        let _ = writeln!(md, "- {}", e.text);
        any = true;
    }
    any
}

fn plots_section(md: &mut String, plots: &[PlotMeta], skipped: &[PlotMeta]) {
    if plots.is_empty() {
        md.push_str("No plot could be drawn from the data present.\n\n");
    }
    for p in plots {
        let _ = writeln!(
            md,
            "### {}\n\n![{}]({})\n\n{}\n",
            md_escape(&p.title),
            md_escape(&p.title),
            p.file,
            p.caption
        );
    }
    if !skipped.is_empty() {
        md.push_str("Not drawn:\n\n");
        for p in skipped {
            let _ = writeln!(md, "- `{}`: {}", p.file, p.caption);
        }
        md.push('\n');
    }
}

/// The summary tables: the known groups and their glossary, then the "Other metrics" tables
/// and their glossary folded in a `<details>` block.
fn tables(md: &mut String, d: &Dataset) {
    let groups = table_groups(d);
    if groups.is_empty() {
        md.push_str("`summary.csv` holds no metric.\n\n");
        return;
    }
    let (main, other): (Vec<_>, Vec<_>) = groups.iter().partition(|(_, _, o)| !*o);
    for (heading, metrics, _) in &main {
        let _ = writeln!(md, "### {heading}\n\n{}", table(d, metrics));
        md.push_str(&small_n_warning(d, metrics));
    }
    let columns: Vec<String> = main.iter().flat_map(|(_, m, _)| m.clone()).collect();
    if !columns.is_empty() {
        md.push_str(&glossary(d, &columns, "### Glossary"));
    }
    if other.is_empty() {
        return;
    }
    let n: usize = other.iter().map(|(_, m, _)| m.len()).sum();
    let _ = writeln!(
        md,
        "<details>\n<summary>Other metrics: {n} more columns in {} table{}</summary>\n",
        other.len(),
        if other.len() == 1 { "" } else { "s" }
    );
    for (heading, metrics, _) in &other {
        let _ = writeln!(md, "### {heading}\n\n{}", table(d, metrics));
        md.push_str(&small_n_warning(d, metrics));
    }
    let columns: Vec<String> = other.iter().flat_map(|(_, m, _)| m.clone()).collect();
    md.push_str(&glossary(d, &columns, "### Glossary of the other metrics"));
    md.push_str("</details>\n\n");
}

fn scenario_sentence(d: &Dataset) -> String {
    let mut s = String::new();
    if let Some(desc) = &d.description {
        s.push_str(&md_escape(desc));
        if !desc.ends_with('.') {
            s.push('.');
        }
        s.push(' ');
    }
    let n_points = d.points.len();
    let reps: Vec<usize> = d.points.iter().map(|p| p.replicates).collect();
    let (lo, hi) = (
        reps.iter().copied().min().unwrap_or(0),
        reps.iter().copied().max().unwrap_or(0),
    );
    let reps_text = if lo == hi {
        format!("{lo} replicate{}", if lo == 1 { "" } else { "s" })
    } else {
        format!("between {lo} and {hi} replicates")
    };
    let runs = match d.runs.len() {
        1 => "1 run".to_string(),
        n => format!("{n} runs"),
    };
    if n_points == 1 {
        let _ = write!(s, "One point, run with {reps_text} ({runs} in total)");
    } else {
        let _ = write!(
            s,
            "{n_points} sweep points, each run with {reps_text} ({runs} in total)"
        );
    }
    if let Some(n) = d.nodes {
        let _ = write!(s, " on a network of {n} nodes");
    }
    s.push('.');
    s
}

fn parameters(d: &Dataset) -> String {
    if d.swept.is_empty() {
        return "- Nothing is swept: one point.\n".to_string();
    }
    let mut s = String::new();
    for key in &d.swept {
        let mut values: Vec<&str> = Vec::new();
        for p in &d.points {
            if let Some(v) = d.param(p.index, key) {
                if !values.contains(&v) {
                    values.push(v);
                }
            }
        }
        let shown: Vec<String> = values
            .iter()
            .map(|v| {
                if v.contains('`') {
                    md_escape(v)
                } else {
                    format!("`{v}`")
                }
            })
            .collect();
        let meaning = match (key.as_str(), d.attack_kind()) {
            (ATTACK_SHARE, Some(kind)) => format!(", {}", share_meaning(kind)),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "- Swept `{key}` ({} value{}{meaning}): {}.",
            values.len(),
            if values.len() == 1 { "" } else { "s" },
            shown.join(", ")
        );
    }
    s
}

/// Metrics grouped for tables: known groups first, then the rest in chunks ("Other metrics",
/// flagged `true`).
fn table_groups(d: &Dataset) -> Vec<(String, Vec<String>, bool)> {
    let present: Vec<&String> = d.metrics.iter().filter(|m| d.has_metric(m)).collect();
    let mut groups = Vec::new();
    for (heading, members) in GROUPS {
        let chosen: Vec<String> = members
            .iter()
            .filter(|m| present.iter().any(|p| p == m))
            .map(|m| m.to_string())
            .collect();
        if !chosen.is_empty() {
            groups.push((heading.to_string(), chosen, false));
        }
    }
    // Counters that stayed zero in every run stay in summary.csv but get no column.
    let rest: Vec<String> = present
        .iter()
        .filter(|m| !GROUPS.iter().any(|(_, ms)| ms.contains(&m.as_str())))
        .filter(|m| !d.is_always_zero(m))
        .map(|m| m.to_string())
        .collect();
    let chunks: Vec<&[String]> = rest.chunks(MAX_COLUMNS).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let heading = if chunks.len() == 1 {
            "Other metrics".to_string()
        } else {
            format!("Other metrics ({} of {})", i + 1, chunks.len())
        };
        groups.push((heading, chunk.to_vec(), true));
    }
    groups
}

/// A visible warning naming the points where some column of the table has fewer than
/// [`SMALL_N`] defined replicates; empty when there are none.
fn small_n_warning(d: &Dataset, metrics: &[String]) -> String {
    let small: Vec<String> = d
        .points
        .iter()
        .filter_map(|p| {
            let n = metrics
                .iter()
                .filter_map(|m| d.row(p.index, m).map(|r| r.n).filter(|n| *n > 0))
                .min()?;
            (n < SMALL_N).then(|| format!("#{} (n={n})", p.index))
        })
        .collect();
    if small.is_empty() {
        return String::new();
    }
    format!(
        "> ⚠ **Small sample:** fewer than {SMALL_N} replicates at {}; these intervals rest on \
         few runs and may be far off.\n\n",
        small.join(", ")
    )
}

/// One row per point: `#`, one column per swept key, one per metric.
fn table(d: &Dataset, metrics: &[String]) -> String {
    let mut s = String::new();
    let mut header = vec!["#".to_string()];
    header.extend(d.swept.iter().map(|k| md_escape(&short_key(k, &d.swept))));
    header.extend(metrics.iter().map(|m| md_escape(&metric_header(m))));
    let _ = writeln!(s, "| {} |", header.join(" | "));
    let mut align = vec!["---:".to_string()];
    align.extend(d.swept.iter().map(|_| "---".to_string()));
    align.extend(metrics.iter().map(|_| "---:".to_string()));
    let _ = writeln!(s, "|{}|", align.join("|"));

    // One precision per column, from the largest mean in it.
    let decimals: Vec<usize> = metrics
        .iter()
        .map(|m| {
            let max = d
                .points
                .iter()
                .filter_map(|p| d.mean(p.index, m))
                .fold(0.0_f64, |a, v| a.max(v.abs()));
            decimals_for(max)
        })
        .collect();
    for p in &d.points {
        let mut row = vec![p.index.to_string()];
        row.extend(
            d.swept
                .iter()
                .map(|k| md_escape(d.param(p.index, k).unwrap_or(""))),
        );
        for (m, &dec) in metrics.iter().zip(&decimals) {
            row.push(summary_cell(d, p.index, m, dec));
        }
        let _ = writeln!(s, "| {} |", row.join(" | "));
    }
    s
}

/// `mean [low, high]`, with `(n=k)` when fewer replicates define it.
pub(crate) fn summary_cell(d: &Dataset, point: usize, metric: &str, decimals: usize) -> String {
    let Some(r) = d.row(point, metric) else {
        return String::new();
    };
    let Some(mean) = r.mean.filter(|_| r.n > 0) else {
        return "n/a".to_string();
    };
    let mut cell = fmt_mean_ci(mean, r.ci95_low, r.ci95_high, decimals);
    let reps = d.point(point).map_or(0, |p| p.replicates);
    if r.n < reps {
        let _ = write!(cell, " (n={})", r.n);
    }
    cell
}
