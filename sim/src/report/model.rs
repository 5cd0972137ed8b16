//! The loaded result folder and the lookups the report needs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::csv::{read_coverage, read_summary};
use super::describe::{attacks, describe};
use super::format::point_label;
use super::headline::attack_kind;
use super::input::{
    read_runs, read_scenario_info, read_sweep, read_text, CoverageSample, Params, RunRecord,
    Summary, SummaryRow, SweepInfo,
};
use super::{ReportError, COVERAGE_FILE, RUNS_FILE, SCENARIO_FILE, SUMMARY_FILE, SWEEP_FILE};
use crate::scenario::AttackKind;

/// The swept key that marks an attack sweep.
pub(crate) const ATTACK_SHARE: &str = "attack.share";

/// One sweep point.
#[derive(Debug, Clone)]
pub(crate) struct PointInfo {
    pub index: usize,
    pub params: Params,
    pub label: String,
    /// Number of runs of this point in `runs.jsonl`.
    pub replicates: usize,
}

/// Mean of a metric at a point, with its 95 % CI when the summary has one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    pub mean: f64,
    pub ci: Option<(f64, f64)>,
}

impl Estimate {
    /// The mean and, when known, both CI bounds (for axis ranges).
    pub(crate) fn values(&self) -> Vec<f64> {
        let mut v = vec![self.mean];
        if let Some((lo, hi)) = self.ci {
            v.extend([lo, hi]);
        }
        v
    }
}

/// Mean curve of one point: `(time_s, mean, ci_low, ci_high)` per grid time.
#[derive(Debug, Clone)]
pub(crate) struct Curve {
    pub point: usize,
    pub samples: Vec<(f64, f64, f64, f64)>,
}

/// Everything read from a result folder.
#[derive(Debug)]
pub(crate) struct Dataset {
    pub title: String,
    pub description: Option<String>,
    pub nodes: Option<u64>,
    pub swept: Vec<String>,
    pub points: Vec<PointInfo>,
    /// Metric names present in `summary.csv`, sorted.
    pub metrics: Vec<String>,
    pub runs: Vec<RunRecord>,
    pub coverage: Vec<CoverageSample>,
    /// The attack kind of every point, when `scenario.toml` is a resolved sweep with one kind.
    pub attack_kind: Option<AttackKind>,
    summary: BTreeMap<(usize, String), SummaryRow>,
    /// Per point: attack kind and share, from the resolved sweep in `scenario.toml` (empty
    /// when the folder has none).
    attacks: BTreeMap<usize, (String, f64)>,
}

/// Mean and sample standard deviation (0 for fewer than two values).
pub(crate) fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, (ss / (n - 1.0)).sqrt())
}

/// The sweep points, with their params from `sweep.json` first, then `summary.csv`, then
/// `runs.jsonl`, and their replicates counted in `runs.jsonl`.
fn point_infos(sweep: Option<&SweepInfo>, summary: &Summary, runs: &[RunRecord]) -> Vec<PointInfo> {
    let mut params: BTreeMap<usize, Params> = BTreeMap::new();
    if let Some(s) = sweep {
        for p in &s.points {
            params.entry(p.index).or_insert_with(|| p.params.clone());
        }
    }
    for row in &summary.rows {
        params
            .entry(row.point)
            .or_insert_with(|| row.params.clone());
    }
    let mut replicates: BTreeMap<usize, usize> = BTreeMap::new();
    for run in runs {
        params
            .entry(run.point)
            .or_insert_with(|| run.params.clone());
        *replicates.entry(run.point).or_default() += 1;
    }
    params
        .into_iter()
        .map(|(index, params)| PointInfo {
            label: point_label(&params, &format!("point {index}")),
            index,
            params,
            replicates: replicates.get(&index).copied().unwrap_or(0),
        })
        .collect()
}

impl Dataset {
    /// Reads the folder; `runs.jsonl` and `summary.csv` are required.
    pub(crate) fn load(dir: &Path) -> Result<Self, ReportError> {
        let runs_path = dir.join(RUNS_FILE);
        let runs = read_runs(&runs_path)?;
        if runs.is_empty() {
            return Err(ReportError::NoData {
                path: runs_path,
                message: "contains no runs".to_string(),
            });
        }
        let summary = read_summary(&dir.join(SUMMARY_FILE))?;
        let coverage_path = dir.join(COVERAGE_FILE);
        let coverage = if coverage_path.is_file() {
            read_coverage(&coverage_path)?
        } else {
            Vec::new()
        };
        let sweep_path = dir.join(SWEEP_FILE);
        let sweep = if sweep_path.is_file() {
            Some(read_sweep(&sweep_path)?)
        } else {
            None
        };
        let scenario_path = dir.join(SCENARIO_FILE);
        let scenario = if scenario_path.is_file() {
            read_scenario_info(&scenario_path)?
        } else {
            Default::default()
        };

        let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let title = sweep
            .as_ref()
            .and_then(|s| nonempty(&s.name))
            .or_else(|| scenario.name.clone())
            .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "scenario".to_string());
        // Generated from the resolved sweep when there is one; a hand-written line only as
        // a fallback for folders without it.
        let scenario_text = read_text(&scenario_path, false)?;
        let generated = scenario_text.as_deref().and_then(describe);
        let attack_kind = scenario_text.as_deref().and_then(attack_kind);
        let attacks = scenario_text
            .as_deref()
            .and_then(attacks)
            .unwrap_or_default();
        let nodes = if generated.is_some() {
            None
        } else {
            scenario.nodes
        };
        let description = generated
            .or_else(|| sweep.as_ref().and_then(|s| nonempty(&s.description)))
            .or_else(|| scenario.description.clone());

        let swept = match &sweep {
            Some(s) if !s.swept.is_empty() => s.swept.clone(),
            _ if !summary.swept.is_empty() => summary.swept.clone(),
            _ => runs[0].params.iter().map(|(k, _)| k.clone()).collect(),
        };

        let points = point_infos(sweep.as_ref(), &summary, &runs);
        let metrics: BTreeSet<String> = summary.rows.iter().map(|r| r.metric.clone()).collect();
        let mut by_key = BTreeMap::new();
        for row in summary.rows {
            by_key.entry((row.point, row.metric.clone())).or_insert(row);
        }
        Ok(Dataset {
            title,
            description,
            nodes,
            swept,
            points,
            metrics: metrics.into_iter().collect(),
            runs,
            coverage,
            attack_kind,
            summary: by_key,
            attacks,
        })
    }

    pub(crate) fn point(&self, index: usize) -> Option<&PointInfo> {
        self.points.iter().find(|p| p.index == index)
    }

    pub(crate) fn label(&self, index: usize) -> String {
        self.point(index)
            .map_or_else(|| format!("point {index}"), |p| p.label.clone())
    }

    /// The summary row of a point and metric, if any.
    pub(crate) fn row(&self, point: usize, metric: &str) -> Option<&SummaryRow> {
        self.summary.get(&(point, metric.to_string()))
    }

    /// Mean of a metric at a point, when defined in at least one replicate.
    pub(crate) fn mean(&self, point: usize, metric: &str) -> Option<f64> {
        self.row(point, metric)
            .filter(|r| r.n > 0)
            .and_then(|r| r.mean)
    }

    /// Mean and CI of a metric at a point, when the mean is defined.
    pub(crate) fn estimate(&self, point: usize, metric: &str) -> Option<Estimate> {
        let mean = self.mean(point, metric)?;
        let ci = self
            .row(point, metric)
            .and_then(|r| Some((r.ci95_low?, r.ci95_high?)));
        Some(Estimate { mean, ci })
    }

    /// Whether some point has a defined mean for the metric.
    pub(crate) fn has_metric(&self, metric: &str) -> bool {
        self.points
            .iter()
            .any(|p| self.mean(p.index, metric).is_some())
    }

    /// True iff every run reports the metric as exactly zero or undefined: a counter that never
    /// moved (e.g. a rejection reason nobody hit), not worth a table column.
    pub(crate) fn is_always_zero(&self, metric: &str) -> bool {
        self.runs.iter().all(|r| {
            r.metrics
                .get(metric)
                .is_none_or(|v| v.is_none_or(|x| x == 0.0))
        })
    }

    /// Per-replicate values of a metric at a point (`None` = undefined in that
    /// run). Returns `None` when no run of the point reports the metric at all.
    pub(crate) fn run_values(&self, point: usize, metric: &str) -> Option<Vec<Option<f64>>> {
        let runs: Vec<&RunRecord> = self.runs.iter().filter(|r| r.point == point).collect();
        if !runs.iter().any(|r| r.metrics.contains_key(metric)) {
            return None;
        }
        Some(
            runs.iter()
                .map(|r| r.metrics.get(metric).copied().flatten())
                .collect(),
        )
    }

    /// A metric's value at a point per replicate index (slot r = replicate r; `None` where that
    /// run is absent or leaves it undefined), sized to the largest replicate index of any point.
    pub(crate) fn by_replicate(&self, point: usize, metric: &str) -> Vec<Option<f64>> {
        let len = self.runs.iter().map(|r| r.replicate + 1).max().unwrap_or(0);
        let mut v = vec![None; len];
        for r in self.runs.iter().filter(|r| r.point == point) {
            v[r.replicate] = r.metrics.get(metric).copied().flatten();
        }
        v
    }

    /// Whether any run reports the metric (even as null).
    pub(crate) fn runs_report(&self, metric: &str) -> bool {
        self.runs.iter().any(|r| r.metrics.contains_key(metric))
    }

    /// All samples of a distribution at a point, pooled over its runs.
    pub(crate) fn distribution(&self, point: usize, name: &str) -> Vec<f64> {
        self.runs
            .iter()
            .filter(|r| r.point == point)
            .filter_map(|r| r.distributions.get(name))
            .flat_map(|v| v.iter().copied().filter(|x| x.is_finite()))
            .collect()
    }

    /// Value of a swept key at a point.
    pub(crate) fn param(&self, point: usize, key: &str) -> Option<&str> {
        self.point(point)?
            .params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The attack kind of the sweep (e.g. `eclipse`), from `scenario.toml`; `None` when no
    /// point has an attack or the folder has no resolved sweep.
    pub(crate) fn attack_kind(&self) -> Option<&str> {
        self.attacks
            .values()
            .map(|(k, _)| k.as_str())
            .find(|k| *k != "none")
    }

    /// The attacker share of a point: from `scenario.toml`, else its `attack.share` value.
    pub(crate) fn attack_share(&self, point: usize) -> Option<f64> {
        match self.attacks.get(&point) {
            Some((kind, share)) => Some(if kind == "none" { 0.0 } else { *share }),
            None => self
                .param(point, ATTACK_SHARE)
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|s| s.is_finite()),
        }
    }

    /// Whether an adversary acts at the point (an attack kind with a share above 0).
    pub(crate) fn is_attacked(&self, point: usize) -> bool {
        self.attack_share(point).is_some_and(|s| s > 0.0)
    }

    /// The run of replicate `rep` at `point`, if any.
    pub(crate) fn run(&self, point: usize, rep: usize) -> Option<&RunRecord> {
        self.runs
            .iter()
            .find(|r| r.point == point && r.replicate == rep)
    }

    /// Whether this is an attack sweep (swept key `attack.share`).
    pub(crate) fn is_attack_sweep(&self) -> bool {
        self.swept.iter().any(|k| k == ATTACK_SHARE)
    }

    /// Mean coverage curve per point, with a 95 % band: mean ± t(0.975, n−1)·sd/√n over the
    /// n replicates sampled at each grid time, clamped to [0, 1] (coverage is a share); no band
    /// (low = high = mean) where n < 2. Not Wilson even where every value is 0 or 1: a curve
    /// value is a mean over topics, and all-0 at time 0 is certain, not a Bernoulli sample.
    /// Points without samples are left out.
    pub(crate) fn coverage_curves(&self) -> Vec<Curve> {
        let mut by_point: BTreeMap<usize, Vec<(f64, f64)>> = BTreeMap::new();
        for s in &self.coverage {
            if s.time_s.is_finite() && s.coverage.is_finite() {
                by_point
                    .entry(s.point)
                    .or_default()
                    .push((s.time_s, s.coverage));
            }
        }
        let mut curves = Vec::new();
        for (point, mut samples) in by_point {
            samples.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut out = Vec::new();
            let mut i = 0;
            while i < samples.len() {
                let t = samples[i].0;
                let mut j = i;
                while j < samples.len() && samples[j].0 == t {
                    j += 1;
                }
                let values: Vec<f64> = samples[i..j].iter().map(|s| s.1).collect();
                let (mean, _) = mean_sd(&values);
                let (lo, hi) = crate::stats::summarize(values.iter().copied())
                    .t_interval()
                    .map_or((mean, mean), |(l, h)| {
                        (l.clamp(0.0, 1.0), h.clamp(0.0, 1.0))
                    });
                out.push((t, mean, lo, hi));
                i = j;
            }
            curves.push(Curve {
                point,
                samples: out,
            });
        }
        curves
    }
}

/// Other swept params of a point (everything but the attack share), as a label.
fn group_label(d: &Dataset, point: usize) -> String {
    let others: Vec<(String, String)> = d
        .point(point)
        .map(|p| {
            p.params
                .iter()
                .filter(|(k, _)| k != ATTACK_SHARE)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    point_label(&others, "")
}

/// Points grouped by their other swept params (first-appearance order), each
/// group sorted by numeric attack share.
pub(crate) fn attack_groups(d: &Dataset) -> Vec<(String, Vec<(usize, f64)>)> {
    let mut groups: Vec<(String, Vec<(usize, f64)>)> = Vec::new();
    for p in &d.points {
        let Some(share) = d
            .param(p.index, ATTACK_SHARE)
            .and_then(|s| s.parse::<f64>().ok())
        else {
            continue;
        };
        if !share.is_finite() {
            continue;
        }
        let label = group_label(d, p.index);
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, members)) => members.push((p.index, share)),
            None => groups.push((label, vec![(p.index, share)])),
        }
    }
    for (_, members) in &mut groups {
        members.sort_by(|a, b| a.1.total_cmp(&b.1));
    }
    groups
}

#[cfg(test)]
mod unit {
    use super::mean_sd;

    #[test]
    fn mean_sd_matches_hand_computation() {
        let (m, s) = mean_sd(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        assert_eq!(s, 1.0);
        assert_eq!(mean_sd(&[4.0]), (4.0, 0.0));
    }
}
