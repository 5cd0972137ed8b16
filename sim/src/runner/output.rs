//! Result files. Every run is first saved alone under `runs/`, so an interrupted sweep keeps
//! what it finished; the sweep files are then assembled from those in a fixed order, so their
//! bytes never depend on thread timing or on how the sweep was split into shards.

use super::RunnerError;
use crate::definitions::{bounds, PAIRED};
use crate::metrics::RunMetrics;
use crate::stats::{baselines, interval, paired_difference, summarize};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// One run's saved result: `runs/p<point>-r<replicate>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    /// Sweep point index.
    pub point: u32,
    /// Replicate index.
    pub replicate: u32,
    /// The run's seed (derived from the scenario seed and the replicate).
    pub seed: u64,
    /// The swept keys and their values at this point.
    pub params: Vec<(String, String)>,
    /// The reuse key of the sweep the run belongs to (`runner::runs_digest`: independent of
    /// the replicate count); `--resume` and `merge` take only matching runs.
    pub sweep_digest: String,
    /// SHA-256 of the run's event trace.
    pub trace_sha256: String,
    /// The measurements.
    #[serde(flatten)]
    pub metrics: RunMetrics,
}

/// What the assembled files need to know about the sweep: saved as `sweep.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepMeta {
    /// Scenario name.
    pub name: String,
    /// The scenario in a sentence (the first comment line of its file).
    pub description: String,
    /// Swept keys, in file order.
    pub swept: Vec<String>,
    /// Every point with its parameter values.
    pub points: Vec<PointMeta>,
    /// Replicates per point.
    pub replicates: u32,
    /// SHA-256 of the resolved scenario (file plus command-line overrides).
    pub digest: String,
    /// Crate version that produced the results.
    pub version: String,
    /// The key saved runs carry (`RunRecord::sweep_digest`, see `runner::runs_digest`); not
    /// written to `sweep.json`: it is derived from `scenario.toml`.
    #[serde(skip)]
    pub runs_digest: String,
}

/// One sweep point in `sweep.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointMeta {
    /// Point index.
    pub index: u32,
    /// Swept keys and values.
    pub params: Vec<(String, String)>,
}

/// Path of the saved run.
pub fn run_path(dir: &Path, point: u32, replicate: u32) -> PathBuf {
    dir.join("runs")
        .join(format!("p{point:05}-r{replicate:05}.json"))
}

/// Writes `bytes` to `path` atomically (temporary file, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RunnerError> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes).map_err(|e| RunnerError::io("write", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| RunnerError::io("rename", path, e))
}

/// Reads a saved run, `None` if it is absent, unreadable or from another sweep.
pub fn read_run(path: &Path, digest: &str) -> Option<RunRecord> {
    let text = fs::read_to_string(path).ok()?;
    let rec: RunRecord = serde_json::from_str(&text).ok()?;
    (rec.sweep_digest == digest).then_some(rec)
}

/// Writes `sweep.json`, `runs.jsonl`, `summary.csv`, `paired.csv` and `coverage.csv` from the
/// saved runs; returns how many runs were found.
pub fn assemble(dir: &Path, meta: &SweepMeta) -> Result<usize, RunnerError> {
    let mut records = Vec::new();
    for p in &meta.points {
        for r in 0..meta.replicates {
            if let Some(rec) = read_run(&run_path(dir, p.index, r), &meta.runs_digest) {
                records.push(rec);
            }
        }
    }
    let json = serde_json::to_string_pretty(meta).expect("invariant: sweep meta serialises");
    write_atomic(&dir.join("sweep.json"), format!("{json}\n").as_bytes())?;
    let mut runs = String::new();
    let mut coverage = String::from("point,replicate,time_s,coverage\n");
    for rec in &records {
        let line = serde_json::json!({
            "point": rec.point,
            "replicate": rec.replicate,
            "seed": rec.seed,
            "params": rec.params,
            "trace_sha256": rec.trace_sha256,
            "metrics": rec.metrics.metrics,
            "distributions": rec.metrics.distributions,
        });
        runs.push_str(&line.to_string());
        runs.push('\n');
        for (t, c) in &rec.metrics.coverage {
            let _ = writeln!(
                coverage,
                "{},{},{},{}",
                rec.point,
                rec.replicate,
                num(*t),
                num(*c)
            );
        }
    }
    write_atomic(&dir.join("runs.jsonl"), runs.as_bytes())?;
    write_atomic(&dir.join("coverage.csv"), coverage.as_bytes())?;
    write_atomic(
        &dir.join("summary.csv"),
        summary_csv(meta, &records).as_bytes(),
    )?;
    write_atomic(
        &dir.join("paired.csv"),
        paired_csv(meta, &records).as_bytes(),
    )?;
    Ok(records.len())
}

fn summary_csv(meta: &SweepMeta, records: &[RunRecord]) -> String {
    let mut out = String::from("point");
    for k in &meta.swept {
        out.push(',');
        out.push_str(&csv_field(k));
    }
    out.push_str(",metric,n,mean,std,ci95_low,ci95_high,ci95_method\n");
    for p in &meta.points {
        let runs: Vec<&RunRecord> = records.iter().filter(|r| r.point == p.index).collect();
        let names: BTreeSet<&String> = runs.iter().flat_map(|r| r.metrics.metrics.keys()).collect();
        for name in names {
            let values: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.metrics.metrics.get(name).copied().flatten())
                .collect();
            let s = summarize(values.iter().copied());
            out.push_str(&point_columns(meta, p));
            let (lo, hi, method) = match interval(&values, bounds(name)) {
                Some(i) => (num(i.low), num(i.high), i.method.name()),
                None => (String::new(), String::new(), ""),
            };
            let opt = |v: Option<f64>| v.map(num).unwrap_or_default();
            let _ = writeln!(
                out,
                ",{},{},{},{},{lo},{hi},{method}",
                name,
                s.n,
                opt(s.mean),
                opt(s.std)
            );
        }
    }
    out
}

/// `point,<swept values...>` of one point (no trailing comma).
fn point_columns(meta: &SweepMeta, p: &PointMeta) -> String {
    let mut out = p.index.to_string();
    for k in &meta.swept {
        let v = p
            .params
            .iter()
            .find(|(pk, _)| pk == k)
            .map_or("", |(_, v)| v.as_str());
        let _ = write!(out, ",{}", csv_field(v));
    }
    out
}

/// Per replicate (index = replicate), the metric's value at `point`.
fn by_replicate(
    meta: &SweepMeta,
    records: &[RunRecord],
    point: u32,
    metric: &str,
) -> Vec<Option<f64>> {
    let mut v = vec![None; meta.replicates as usize];
    for r in records.iter().filter(|r| r.point == point) {
        if let Some(slot) = v.get_mut(r.replicate as usize) {
            *slot = r.metrics.metrics.get(metric).copied().flatten();
        }
    }
    v
}

/// `paired.csv`: for each point with a baseline (see [`baselines`]: same values except the last
/// swept key, set to its first value) and each [`PAIRED`] metric some run defines, the mean of
/// (point − baseline) over the replicates where both are defined, with its Student-t 95 % CI.
fn paired_csv(meta: &SweepMeta, records: &[RunRecord]) -> String {
    let mut out = String::from("point");
    for k in &meta.swept {
        out.push(',');
        out.push_str(&csv_field(k));
    }
    out.push_str(",baseline,metric,n,mean_diff,std,ci95_low,ci95_high\n");
    let params: Vec<Vec<(String, String)>> = meta.points.iter().map(|p| p.params.clone()).collect();
    let present: Vec<&str> = PAIRED
        .iter()
        .copied()
        .filter(|m| {
            records
                .iter()
                .any(|r| r.metrics.metrics.get(*m).copied().flatten().is_some())
        })
        .collect();
    for (p, base) in meta.points.iter().zip(baselines(&params)) {
        let Some(base) = base.map(|b| &meta.points[b]) else {
            continue;
        };
        for m in &present {
            let s = paired_difference(
                &by_replicate(meta, records, p.index, m),
                &by_replicate(meta, records, base.index, m),
            );
            let opt = |v: Option<f64>| v.map(num).unwrap_or_default();
            let (lo, hi) = s
                .t_interval()
                .map_or((None, None), |(l, h)| (Some(l), Some(h)));
            let _ = writeln!(
                out,
                "{},{},{m},{},{},{},{},{}",
                point_columns(meta, p),
                base.index,
                s.n,
                opt(s.mean),
                opt(s.std),
                opt(lo),
                opt(hi)
            );
        }
    }
    out
}

/// Shortest round-trip decimal form of `v`: the same bits always print the same text.
fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn meta(values: &[&str], replicates: u32) -> SweepMeta {
        SweepMeta {
            name: "t".into(),
            description: String::new(),
            swept: vec!["policy.fanout".into()],
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| PointMeta {
                    index: i as u32,
                    params: vec![("policy.fanout".into(), (*v).into())],
                })
                .collect(),
            replicates,
            digest: "d".into(),
            version: "0".into(),
            runs_digest: "d".into(),
        }
    }

    fn record(point: u32, replicate: u32, metrics: &[(&str, Option<f64>)]) -> RunRecord {
        RunRecord {
            point,
            replicate,
            seed: 0,
            params: Vec::new(),
            sweep_digest: "d".into(),
            trace_sha256: String::new(),
            metrics: RunMetrics {
                metrics: metrics
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), *v))
                    .collect::<BTreeMap<_, _>>(),
                distributions: BTreeMap::new(),
                coverage: Vec::new(),
            },
        }
    }

    fn row<'a>(csv: &'a str, metric: &str) -> Vec<&'a str> {
        csv.lines()
            .find(|l| l.split(',').nth(2) == Some(metric))
            .unwrap_or_else(|| panic!("{metric} missing:\n{csv}"))
            .split(',')
            .collect()
    }

    #[test]
    fn share_intervals_are_bounded_and_named() {
        let m = meta(&["flood"], 3);
        let recs: Vec<RunRecord> = [(0.0, 0.0, 1.0), (0.0, 0.1, 5.0), (1.0, 0.0, 9.0)]
            .iter()
            .enumerate()
            .map(|(r, (flag, reach, frames))| {
                record(
                    0,
                    r as u32,
                    &[
                        ("graph_connected", Some(*flag)),
                        ("reach99_share", Some(*reach)),
                        ("frames_per_node", Some(*frames)),
                    ],
                )
            })
            .collect();
        let csv = summary_csv(&m, &recs);
        assert!(csv
            .starts_with("point,policy.fanout,metric,n,mean,std,ci95_low,ci95_high,ci95_method\n"));
        let flag = row(&csv, "graph_connected");
        assert_eq!(flag[8], "wilson");
        let (lo, hi): (f64, f64) = (flag[6].parse().unwrap(), flag[7].parse().unwrap());
        assert!(lo > 0.0 && hi < 1.0, "{flag:?}");
        let reach = row(&csv, "reach99_share");
        assert_eq!((reach[6], reach[8]), ("0", "t_clamped"), "never negative");
        let frames = row(&csv, "frames_per_node");
        assert_eq!(frames[8], "t");
        assert!(
            frames[6].parse::<f64>().unwrap() < 0.0,
            "unbounded metrics are not clamped"
        );
    }

    #[test]
    fn paired_csv_compares_each_point_with_the_first_value_by_replicate() {
        let m = meta(&["flood", "fixed", "sqrt"], 3);
        let mut recs = Vec::new();
        for r in 0..3u32 {
            let base = [10.0, 50.0, 90.0][r as usize];
            for p in 0..3u32 {
                // Replicate 2 of point 2 leaves t90 undefined: that pair is skipped.
                let t90 = (p != 2 || r != 2).then_some(base + f64::from(p) + f64::from(r) * 0.01);
                recs.push(record(p, r, &[("t90_s", t90), ("mystery", Some(1.0))]));
            }
        }
        let csv = paired_csv(&m, &recs);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "point,policy.fanout,baseline,metric,n,mean_diff,std,ci95_low,ci95_high"
        );
        assert_eq!(
            lines.len(),
            3,
            "points 1 and 2, t90 only (not a main metric: mystery)"
        );
        let one: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(&one[..6], &["1", "fixed", "0", "t90_s", "3", "1"]);
        assert_eq!(one[6], "0");
        let two: Vec<&str> = lines[2].split(',').collect();
        assert_eq!(&two[..5], &["2", "sqrt", "0", "t90_s", "2"]);
    }
}
