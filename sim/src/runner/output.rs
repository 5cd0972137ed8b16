//! Result files. Every run is first saved alone under `runs/`, so an interrupted sweep keeps
//! what it finished; the sweep files are then assembled from those in a fixed order, so their
//! bytes never depend on thread timing or on how the sweep was split into shards.

use super::RunnerError;
use crate::definitions::{bounds, PAIRED};
use crate::metrics::RunMetrics;
use crate::report::{params_json, read_csv, CsvOut, ReportError, RunParams};
use crate::scenario::{self, ScenarioError, ScenarioFile};
use crate::stats::{baselines, difference, interval, paired_difference, summarize};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::collections::BTreeSet;
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
    /// The seal of the tables written with this file: SHA-256 (hex) of each by file name.
    /// `report` and `report --rebuild` refuse a table that no longer matches. Empty (and not
    /// written) for a shard, which has no tables, and in folders of older versions.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sha256: BTreeMap<String, String>,
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

/// Writes `bytes` to `path` atomically (see [`crate::outdir::write_atomic`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RunnerError> {
    Ok(crate::outdir::write_atomic(path, bytes)?)
}

/// Reads a saved run, `None` if it is absent, unreadable or from another sweep.
pub fn read_run(path: &Path, digest: &str) -> Option<RunRecord> {
    let text = fs::read_to_string(path).ok()?;
    let rec: RunRecord = serde_json::from_str(&text).ok()?;
    (rec.sweep_digest == digest).then_some(rec)
}

/// The saved runs of `meta` found under `dir/runs/`, in (point, replicate) order.
pub fn saved_runs(dir: &Path, meta: &SweepMeta) -> Vec<RunRecord> {
    let mut records = Vec::new();
    for p in &meta.points {
        for r in 0..meta.replicates {
            if let Some(rec) = read_run(&run_path(dir, p.index, r), &meta.runs_digest) {
                records.push(rec);
            }
        }
    }
    records
}

/// Assembles the saved runs of `meta` found under `dir/runs/` into the sweep files and the
/// report (see [`publish`]); returns how many runs were found.
pub fn assemble(dir: &Path, meta: &SweepMeta) -> Result<usize, RunnerError> {
    let records = saved_runs(dir, meta);
    publish(dir, meta, &records)?;
    Ok(records.len())
}

/// The tables of the runs the tables seal (see [`SweepMeta::sha256`]).
pub const SEALED: [&str; 5] = [
    "runs.jsonl",
    "runs.csv",
    "coverage.csv",
    "summary.csv",
    "paired.csv",
];

/// The sweep files of `records` (in the order given), by file name: the tables, then
/// `sweep.json` with each table's SHA-256. The same bytes whether the records come from
/// `runs/` or were read back from an earlier `runs.jsonl`.
pub fn table_files(meta: &SweepMeta, records: &[RunRecord]) -> Vec<(&'static str, String)> {
    let mut runs = String::new();
    for rec in records {
        let line = serde_json::json!({
            "point": rec.point,
            "replicate": rec.replicate,
            "seed": rec.seed,
            "params": params_json(&rec.params),
            "trace_sha256": rec.trace_sha256,
            "metrics": rec.metrics.metrics,
            "distributions": rec.metrics.distributions,
            "first_receipt_hist": rec.metrics.first_receipt_hist,
        });
        runs.push_str(&line.to_string());
        runs.push('\n');
    }
    let mut files = vec![
        (SEALED[0], runs),
        (SEALED[1], runs_csv(meta, records)),
        (SEALED[2], coverage_csv(meta, records)),
        (SEALED[3], summary_csv(meta, records)),
        (SEALED[4], paired_csv(meta, records)),
    ];
    let mut sealed = meta.clone();
    sealed.sha256 = files
        .iter()
        .map(|(name, text)| ((*name).to_owned(), sha256_hex(text.as_bytes())))
        .collect();
    let json = serde_json::to_string_pretty(&sealed).expect("invariant: sweep meta serialises");
    files.push(("sweep.json", format!("{json}\n")));
    files
}

/// SHA-256 of `bytes`, hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// Writes the sweep files of `records` and the report rendered from them into `dir`, all or
/// nothing: everything is prepared in a stage folder inside `dir` first (the report is read
/// from the staged tables), then each file is renamed into place, `sweep.json` last.
pub fn publish(dir: &Path, meta: &SweepMeta, records: &[RunRecord]) -> Result<(), RunnerError> {
    let mut stage = crate::outdir::Stage::new(dir)?;
    for (name, text) in table_files(meta, records) {
        stage.put(name, text.as_bytes())?;
    }
    // What the report reads besides the tables.
    stage.mirror("scenario.toml")?;
    stage.mirror(crate::report::plot::run::REPORT_PICTURE)?;
    let rendered = crate::report::render_report(stage.path())?;
    for (name, bytes) in &rendered.files {
        stage.put(name, bytes)?;
    }
    // The seal goes last: a folder killed while committing fails its check, not silently.
    let sweep = fs::read(stage.path().join("sweep.json"))
        .map_err(|e| RunnerError::io("read", &stage.path().join("sweep.json"), e))?;
    stage.put("sweep.json", &sweep)?;
    stage.commit(&rendered.stale)?;
    Ok(())
}

/// One line of `runs.jsonl`, as [`table_files`] writes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonlRun {
    point: u32,
    replicate: u32,
    seed: u64,
    /// An object, or the list of pairs of older folders.
    params: RunParams,
    trace_sha256: String,
    metrics: BTreeMap<String, Option<f64>>,
    distributions: BTreeMap<String, Vec<f64>>,
    /// Absent in folders written before the histogram existed.
    #[serde(default)]
    first_receipt_hist: crate::metrics::LatencyHistogram,
}

/// Reads the runs back from an assembled folder's `runs.jsonl` and `coverage.csv` (either
/// layout: with or without the swept-value columns), so the tables can be rewritten without
/// `runs/` and without simulating. `sweep_digest` is set to `meta`'s.
pub fn read_assembled(dir: &Path, meta: &SweepMeta) -> Result<Vec<RunRecord>, RunnerError> {
    let path = dir.join("runs.jsonl");
    let text = fs::read_to_string(&path).map_err(|e| RunnerError::io("read", &path, e))?;
    let mut records = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let run: JsonlRun = serde_json::from_str(line).map_err(|e| ReportError::Parse {
            path: path.clone(),
            line: i + 1,
            message: format!("not a run record of this version: {e}"),
        })?;
        records.push(RunRecord {
            point: run.point,
            replicate: run.replicate,
            seed: run.seed,
            params: run.params.0,
            sweep_digest: meta.digest.clone(),
            trace_sha256: run.trace_sha256,
            metrics: RunMetrics {
                metrics: run.metrics,
                distributions: run.distributions,
                coverage: Vec::new(),
                first_receipt_hist: run.first_receipt_hist,
            },
        });
    }
    let mut curves = read_curves(&dir.join("coverage.csv"))?;
    for rec in &mut records {
        rec.metrics.coverage = curves
            .remove(&(rec.point, rec.replicate))
            .unwrap_or_default();
    }
    Ok(records)
}

/// Coverage curves by (point, replicate): (time_s, coverage) samples.
type Curves = BTreeMap<(u32, u32), Vec<(f64, f64)>>;

/// `coverage.csv` as curves per (point, replicate); an empty value reads as NaN, which
/// [`num`] writes back as empty.
fn read_curves(path: &Path) -> Result<Curves, RunnerError> {
    let table = read_csv(path)?;
    let col = |name: &str| {
        table.column(name).ok_or_else(|| ReportError::Parse {
            path: path.to_path_buf(),
            line: 1,
            message: format!("header has no `{name}` column"),
        })
    };
    let cols = [
        col("point")?,
        col("replicate")?,
        col("time_s")?,
        col("coverage")?,
    ];
    let mut curves = Curves::new();
    for (line, f) in &table.rows {
        let bad = |what: &str, text: &str| ReportError::Parse {
            path: path.to_path_buf(),
            line: *line,
            message: format!("column `{what}`: expected a number, found {text:?}"),
        };
        let int = |c: usize, what: &str| f[c].parse::<u32>().map_err(|_| bad(what, &f[c]));
        let float = |c: usize, what: &str| match f[c].as_str() {
            "" => Ok(f64::NAN),
            t => t.parse::<f64>().map_err(|_| bad(what, t)),
        };
        let key = (int(cols[0], "point")?, int(cols[1], "replicate")?);
        let sample = (float(cols[2], "time_s")?, float(cols[3], "coverage")?);
        curves.entry(key).or_default().push(sample);
    }
    Ok(curves)
}

/// Header of a per-point table: `point`, the swept keys, then `rest`. A swept key that
/// equals a fixed column name is written `param.<key>` so no two columns share a name.
fn header(meta: &SweepMeta, rest: &[&str]) -> Vec<String> {
    let mut h = vec!["point".to_owned()];
    for k in &meta.swept {
        let clash = k == "point" || rest.contains(&k.as_str());
        h.push(if clash {
            format!("param.{k}")
        } else {
            k.clone()
        });
    }
    h.extend(rest.iter().map(|s| (*s).to_owned()));
    h
}

/// `point` and the swept values of the point with index `point` (empty when unknown).
fn point_fields(meta: &SweepMeta, point: u32) -> Vec<String> {
    let params = meta
        .points
        .iter()
        .find(|p| p.index == point)
        .map_or(&[][..], |p| p.params.as_slice());
    let mut out = vec![point.to_string()];
    for k in &meta.swept {
        let v = params.iter().find(|(pk, _)| pk == k).map_or("", |(_, v)| v);
        out.push(v.to_owned());
    }
    out
}

/// `coverage.csv`: one row per run and sample time, with the point's swept values.
fn coverage_csv(meta: &SweepMeta, records: &[RunRecord]) -> String {
    let mut out = CsvOut::new(header(meta, &["replicate", "time_s", "coverage"]));
    for rec in records {
        let mut fields = point_fields(meta, rec.point);
        fields.push(rec.replicate.to_string());
        let width = fields.len();
        for (t, c) in &rec.metrics.coverage {
            fields.truncate(width);
            fields.push(num(*t));
            fields.push(num(*c));
            out.row(&fields);
        }
    }
    out.finish()
}

/// `runs.csv`: one row per run; every metric any run defines is a column (sorted by name),
/// empty where the run leaves it undefined. Values are exact (shortest round-trip).
fn runs_csv(meta: &SweepMeta, records: &[RunRecord]) -> String {
    let names: BTreeSet<&String> = records
        .iter()
        .flat_map(|r| r.metrics.metrics.keys())
        .collect();
    let mut fixed = vec!["replicate", "seed", "trace_sha256"];
    fixed.extend(names.iter().map(|s| s.as_str()));
    let mut out = CsvOut::new(header(meta, &fixed));
    for rec in records {
        let mut fields = point_fields(meta, rec.point);
        fields.push(rec.replicate.to_string());
        fields.push(rec.seed.to_string());
        fields.push(rec.trace_sha256.clone());
        for name in &names {
            let v = rec.metrics.metrics.get(*name).copied().flatten();
            fields.push(v.map(num).unwrap_or_default());
        }
        out.row(&fields);
    }
    out.finish()
}

fn summary_csv(meta: &SweepMeta, records: &[RunRecord]) -> String {
    let mut out = CsvOut::new(header(
        meta,
        &[
            "metric",
            "n",
            "mean",
            "std",
            "ci95_low",
            "ci95_high",
            "ci95_method",
        ],
    ));
    for p in &meta.points {
        let runs: Vec<&RunRecord> = records.iter().filter(|r| r.point == p.index).collect();
        let names: BTreeSet<&String> = runs.iter().flat_map(|r| r.metrics.metrics.keys()).collect();
        for name in names {
            let values: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.metrics.metrics.get(name).copied().flatten())
                .collect();
            let s = summarize(values.iter().copied());
            let (lo, hi, method) = match interval(&values, bounds(name)) {
                Some(i) => (num(i.low), num(i.high), i.method.name()),
                None => (String::new(), String::new(), ""),
            };
            let opt = |v: Option<f64>| v.map(num).unwrap_or_default();
            let mut fields = point_fields(meta, p.index);
            fields.extend([name.clone(), s.n.to_string(), opt(s.mean), opt(s.std)]);
            fields.extend([lo, hi, method.to_owned()]);
            out.row(&fields);
        }
    }
    out.finish()
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
/// (point − baseline) over the replicates where both are defined, with its 95 % CI and how it
/// was computed ([`difference::paired`]: Student t, clamped to [−1, 1] for shares, or from
/// both points' exact intervals when every difference is equal).
fn paired_csv(meta: &SweepMeta, records: &[RunRecord]) -> String {
    let mut out = CsvOut::new(header(
        meta,
        &[
            "baseline",
            "metric",
            "n",
            "mean_diff",
            "std",
            "ci95_low",
            "ci95_high",
            "ci95_method",
        ],
    ));
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
            let (a, b) = (
                by_replicate(meta, records, p.index, m),
                by_replicate(meta, records, base.index, m),
            );
            let s = paired_difference(&a, &b);
            let i = difference::paired(&a, &b, bounds(m));
            let opt = |v: Option<f64>| v.map(num).unwrap_or_default();
            let (lo, hi) = (i.map(|i| i.low), i.map(|i| i.high));
            let mut fields = point_fields(meta, p.index);
            fields.extend([base.index.to_string(), (*m).to_owned(), s.n.to_string()]);
            fields.extend([opt(s.mean), opt(s.std), opt(lo), opt(hi)]);
            fields.push(i.map(|i| i.method.name()).unwrap_or_default().to_owned());
            out.row(&fields);
        }
    }
    out.finish()
}

/// `v` rounded to 15 significant digits, printed in the shortest form that reads back to that
/// rounded value: `0.26400000000000007` (a sum's last-bit noise) prints as `0.264`. Rounding
/// and printing use Rust's exact decimal conversion, so the same bits print the same text on
/// every platform. 15 digits is what an f64 always holds exactly; the exact bits of every
/// per-run value stay in `runs.jsonl`. Non-finite values print as an empty cell.
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let rounded: f64 = format!("{v:.14e}")
        .parse()
        .expect("invariant: Rust parses its own exponent form");
    format!("{rounded}")
}

/// Parses a scenario file, or a result folder's `scenario.toml` (the resolved sweep, told
/// apart by its top-level `[[points]]` tables), so a result folder can be run again as is.
pub fn parse_scenario(text: &str, path: &Path) -> Result<ScenarioFile, ScenarioError> {
    if is_resolved(text) {
        ScenarioFile::from_resolved_toml(text, path)
    } else {
        scenario::parse(text, path)
    }
}

/// Whether `text` is a result folder's resolved sweep (top-level `[[points]]` tables).
pub(crate) fn is_resolved(text: &str) -> bool {
    text.lines().any(|l| l.trim() == "[[points]]")
}

/// Loads a scenario file or a result folder's `scenario.toml` (see [`parse_scenario`]), with
/// the input limit (see [`scenario::read_text`]).
pub fn load_scenario(path: &Path) -> Result<ScenarioFile, ScenarioError> {
    parse_scenario(&scenario::read_text(path)?, path)
}

/// Writes one runnable scenario file per sweep point, `dir/<name>-pNNNNN.toml`, each named
/// `<name>-pNNNNN` so its results get their own folder. Replicate r of a written file is the
/// same run as replicate r of that point of the sweep (same seed, scenario and replicate;
/// the name and the point index never reach a run). Returns the files in point order.
pub fn emit_points(file: &ScenarioFile, dir: &Path) -> Result<Vec<PathBuf>, RunnerError> {
    fs::create_dir_all(dir).map_err(|e| RunnerError::io("create", dir, e))?;
    let mut written = Vec::new();
    for p in &file.points {
        let name = format!("{}-p{:05}", file.name, p.index);
        let mut scenario = p.scenario.clone();
        scenario.name.clone_from(&name);
        let params: Vec<String> = p.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let text = format!(
            "# Point {} of sweep {:?} ({}), every default filled in; written by \
             `sgsim check --emit`.\n\n{}",
            p.index,
            file.name,
            if params.is_empty() {
                "nothing swept".to_owned()
            } else {
                params.join(", ")
            },
            scenario.to_toml()
        );
        let path = dir.join(format!("{name}.toml"));
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_without_last_bit_noise_and_read_back_stably() {
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(0.26400000000000007), "0.264");
        assert_eq!(num(268.74999999999997), "268.75");
        assert_eq!(num(1.0 / 3.0), "0.333333333333333");
        assert_eq!(num(2.5e-20), "0.000000000000000000025");
        assert_eq!(num(42.0), "42");
        assert_eq!(num(f64::NAN), "");
        for v in [0.1 + 0.2, 1.0 / 3.0, 6.02214076e23, -7.25e-9] {
            let once = num(v);
            assert_eq!(num(once.parse().unwrap()), once, "printing is idempotent");
        }
    }
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
            sha256: BTreeMap::new(),
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
                first_receipt_hist: Default::default(),
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
        assert_eq!(
            (frames[6], frames[8]),
            ("0", "t_nonneg"),
            "a count is never negative"
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
            "point,policy.fanout,baseline,metric,n,mean_diff,std,ci95_low,ci95_high,ci95_method"
        );
        assert_eq!(
            lines.len(),
            3,
            "points 1 and 2, t90 only (not a main metric: mystery)"
        );
        let one: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(&one[..6], &["1", "fixed", "0", "t90_s", "3", "1"]);
        assert_eq!(one[6], "0");
        assert_eq!(one[9], "t", "a time difference gets Student t");
        let two: Vec<&str> = lines[2].split(',').collect();
        assert_eq!(&two[..5], &["2", "sqrt", "0", "t90_s", "2"]);
    }

    #[test]
    fn paired_csv_never_gives_a_share_difference_a_zero_width_or_out_of_range_interval() {
        let m = meta(&["flood", "fixed", "sqrt"], 4);
        let mut recs = Vec::new();
        for r in 0..4u32 {
            // fixed: always 0.5 below flood; sqrt: about 1 below, varying.
            let sqrt = if r == 0 { 0.02 } else { 0.0 };
            for (p, c) in [(0u32, 1.0), (1, 0.5), (2, sqrt)] {
                recs.push(record(p, r, &[("coverage_final", Some(c))]));
            }
        }
        let csv = paired_csv(&m, &recs);
        let rows: Vec<Vec<&str>> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect())
            .collect();
        let num = |s: &str| s.parse::<f64>().unwrap();
        let (one, two) = (&rows[0], &rows[1]);
        assert_eq!(
            (one[3], one[5], one[9]),
            ("coverage_final", "-0.5", "exact_arms")
        );
        assert!(num(one[7]) < -0.5 && num(one[8]) > -0.5, "{one:?}");
        assert_eq!((two[7], two[9]), ("-1", "t_clamped"), "{two:?}");
    }

    #[test]
    fn runs_csv_has_one_row_per_run_and_empty_cells_for_undefined_metrics() {
        let m = meta(&["flood", "a,b"], 1);
        let recs = vec![
            record(0, 0, &[("t99_s", Some(1.5)), ("coverage_final", Some(1.0))]),
            record(1, 0, &[("t99_s", None)]),
        ];
        assert_eq!(
            runs_csv(&m, &recs),
            "point,policy.fanout,replicate,seed,trace_sha256,coverage_final,t99_s\n\
             0,flood,0,0,,1,1.5\n\
             1,\"a,b\",0,0,,,\n"
        );
    }
}
