//! The glossary under the summary tables: unit, interval and definition of every column.

use std::fmt::Write as _;

use super::format::{md_escape, metric_header};
use super::model::Dataset;
use crate::definitions::{lookup, Family};

/// Interval methods in display order: `summary.csv` name and wording.
const METHODS: [(&str, &str); 6] = [
    ("t", "Student t"),
    ("t_nonneg", "Student t clamped at 0"),
    (
        "t_clamped",
        "Student t clamped to the range ([0, 1]; [−1, 1] for a difference)",
    ),
    ("wilson", "Wilson score"),
    (
        "exact_runs",
        "Clopper–Pearson over the runs (the same share in every run)",
    ),
    (
        "exact_arms",
        "both points' exact 97.5 % intervals, Bonferroni (the same difference in every pair)",
    ),
];

/// Which intervals a column's cells use, from `summary.csv`'s `ci95_method` (or, for files
/// without that column, from the metric's unit).
fn interval_text(d: &Dataset, metric: &str) -> String {
    let used: Vec<String> = d
        .points
        .iter()
        .filter_map(|p| d.row(p.index, metric)?.ci95_method.clone())
        .collect();
    let named: Vec<&str> = METHODS
        .iter()
        .filter(|(k, _)| used.iter().any(|u| u == k))
        .map(|(_, text)| *text)
        .collect();
    if !named.is_empty() {
        return named.join("; ");
    }
    let has_ci = d.points.iter().any(|p| {
        d.row(p.index, metric)
            .is_some_and(|r| r.ci95_low.is_some() && r.ci95_high.is_some())
    });
    match lookup(metric) {
        _ if !has_ci => "none (n < 2)".to_string(),
        Some(def) if def.unit.is_share() => {
            "Student t, unclamped (summary.csv predates ci95_method)".to_string()
        }
        _ => "Student t".to_string(),
    }
}

/// The glossary under `heading`: one row per metric column in `columns` (deduplicated, in
/// order).
pub(crate) fn glossary(d: &Dataset, columns: &[String], heading: &str) -> String {
    let mut s = format!(
        "{heading}\n\n`#` is the sweep point; the columns after it are the swept scenario \
         keys. Every metric column:\n\n\
         | column | key | unit | scope | interval | definition |\n|---|---|---|---|---|---|\n",
    );
    let mut seen: Vec<&String> = Vec::new();
    for m in columns {
        if seen.contains(&m) {
            continue;
        }
        seen.push(m);
        let (unit, scope, definition) = match lookup(m) {
            Some(def) if def.family != Family::Single => {
                let prefix = def.name.split('<').next().unwrap_or("");
                let member = m.strip_prefix(prefix).unwrap_or(m);
                let d = format!("{} Here: {member}.", def.definition);
                (def.unit.name(), def.scope, d)
            }
            Some(def) => (def.unit.name(), def.scope, def.definition.to_string()),
            None => (
                "?",
                "?",
                "not in the metric catalogue (`sgsim list metrics`)".to_string(),
            ),
        };
        let _ = writeln!(
            s,
            "| {} | `{}` | {} | {} | {} | {} |",
            md_escape(&metric_header(m)),
            m,
            unit,
            scope,
            interval_text(d, m),
            md_escape(&definition)
        );
    }
    s.push('\n');
    s
}
