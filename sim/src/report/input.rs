//! Readers for the files of a result folder: plain structs, the JSON readers
//! and the `scenario.toml` scan. The CSV readers are in `csv`.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::ReportError;

/// Swept parameters of one point, as `(key, value)` pairs in sweep order,
/// e.g. `[("policy.fanout", "flood"), ("attack.share", "0.1")]`.
pub type Params = Vec<(String, String)>;

/// `sweep.json`: the sweep a result folder was produced from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SweepInfo {
    /// Sweep name.
    pub name: String,
    /// One-sentence description.
    pub description: String,
    /// Swept keys in order, e.g. `["policy.fanout", "attack.share"]`.
    pub swept: Vec<String>,
    /// The points of the sweep.
    pub points: Vec<SweepPoint>,
}

/// One point of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// Point index (as used by `runs.jsonl` and the CSV files).
    pub index: usize,
    /// Parameter values of this point.
    pub params: Params,
}

/// One line of `runs.jsonl`: one replicate of one point.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// Sweep point index.
    pub point: usize,
    /// Replicate index within the point.
    pub replicate: usize,
    /// RNG seed of the run, when recorded.
    pub seed: Option<u64>,
    /// Parameter values of the point.
    pub params: Params,
    /// Per-run metrics; `None` for an undefined value (JSON `null`).
    pub metrics: BTreeMap<String, Option<f64>>,
    /// Per-run samples (e.g. `route_fee_sat`); JSON `null` entries are dropped.
    pub distributions: BTreeMap<String, Vec<f64>>,
    /// First-receipt delay histogram (`first_receipt_hist`), when the file has one.
    pub first_receipt_hist: Option<crate::metrics::LatencyHistogram>,
}

/// One row of `summary.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Sweep point index.
    pub point: usize,
    /// Values of the swept-key columns.
    pub params: Params,
    /// Metric name.
    pub metric: String,
    /// Number of replicates with a defined value.
    pub n: usize,
    /// Mean over those replicates (`None` when empty / NaN / null in the file).
    pub mean: Option<f64>,
    /// Sample standard deviation.
    pub std: Option<f64>,
    /// Lower end of the 95 % confidence interval of the mean.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95 % confidence interval of the mean.
    pub ci95_high: Option<f64>,
    /// How the interval was computed (`t`, `t_nonneg`, `t_clamped`, `wilson`), when the file
    /// says.
    pub ci95_method: Option<String>,
}

/// `summary.csv`: the swept-key columns plus all rows in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Names of the swept-key columns (between `point` and `metric`).
    pub swept: Vec<String>,
    /// Rows in file order.
    pub rows: Vec<SummaryRow>,
}

/// One row of `coverage.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoverageSample {
    /// Sweep point index.
    pub point: usize,
    /// Replicate index.
    pub replicate: usize,
    /// Time since broadcast, seconds.
    pub time_s: f64,
    /// Share of honest online nodes that verified the topic by then.
    pub coverage: f64,
}

/// What `write_report` uses from `scenario.toml` (found by a line scan, not a
/// full TOML parse).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScenarioInfo {
    /// Top-level `name`.
    pub name: Option<String>,
    /// Top-level `description`.
    pub description: Option<String>,
    /// First integer key named `nodes`, `node_count`, `n_nodes` or `num_nodes`.
    pub nodes: Option<u64>,
    /// First integer key named `replicates`.
    pub replicates: Option<u64>,
}

pub(crate) fn parse_err(path: &Path, line: usize, message: impl Into<String>) -> ReportError {
    ReportError::Parse {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Reads a whole file; `Ok(None)` when it does not exist and `required` is false.
pub(crate) fn read_text(path: &Path, required: bool) -> Result<Option<String>, ReportError> {
    match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Some(text)),
            Err(e) => {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
                Err(parse_err(path, line, "not valid UTF-8"))
            }
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if required {
                Err(ReportError::MissingFile {
                    path: path.to_path_buf(),
                })
            } else {
                Ok(None)
            }
        }
        Err(source) => Err(ReportError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Renders a JSON parameter value as plain text (strings without quotes).
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn params_text(raw: Vec<(String, Value)>) -> Params {
    raw.into_iter().map(|(k, v)| (k, value_text(&v))).collect()
}

/// The `params` of a `runs.jsonl` line: an object from swept key to value, in key order. A
/// value is a JSON number or boolean where its text reads back as exactly that text
/// (`0.1`, `3`, `true`), else a string (`"flood"`), so [`RunParams`] reads back `params`.
pub(crate) fn params_json(params: &[(String, String)]) -> Value {
    let typed = |text: &str| match serde_json::from_str::<Value>(text) {
        Ok(v @ (Value::Number(_) | Value::Bool(_))) if value_text(&v) == text => v,
        _ => Value::String(text.to_owned()),
    };
    let map: Map<String, Value> = params.iter().map(|(k, v)| (k.clone(), typed(v))).collect();
    Value::Object(map)
}

/// The `params` of a `runs.jsonl` line as `(key, value text)` pairs, read from either
/// encoding: the object [`params_json`] writes, or the list of `[key, value]` pairs written
/// before it (committed result folders), so `sgsim report --rebuild` reads both.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RunParams(pub Params);

impl<'de> Deserialize<'de> for RunParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let pair = |v: Value| match v {
            Value::Array(mut kv) if kv.len() == 2 => match (kv.remove(0), kv.remove(0)) {
                (Value::String(k), v) => Some((k, value_text(&v))),
                _ => None,
            },
            _ => None,
        };
        match Value::deserialize(d)? {
            Value::Object(map) => Ok(RunParams(
                map.into_iter().map(|(k, v)| (k, value_text(&v))).collect(),
            )),
            Value::Array(list) => list
                .into_iter()
                .map(pair)
                .collect::<Option<Params>>()
                .map(RunParams)
                .ok_or_else(|| D::Error::custom("params: a list entry is not a [key, value] pair")),
            other => Err(D::Error::custom(format!(
                "params: expected an object of swept key to value (or a list of [key, value] \
                 pairs), found {other}"
            ))),
        }
    }
}

#[derive(Deserialize)]
struct RawRun {
    point: usize,
    #[serde(default)]
    replicate: usize,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    params: RunParams,
    #[serde(default)]
    metrics: BTreeMap<String, Option<f64>>,
    #[serde(default)]
    distributions: BTreeMap<String, Vec<Option<f64>>>,
    #[serde(default)]
    first_receipt_hist: Option<crate::metrics::LatencyHistogram>,
}

/// Reads `runs.jsonl`, one JSON object per non-blank line.
pub fn read_runs(path: &Path) -> Result<Vec<RunRecord>, ReportError> {
    let text = read_text(path, true)?.unwrap_or_default();
    let mut runs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawRun = serde_json::from_str(line).map_err(|e| {
            let mut message = e.to_string();
            if let Some(at) = message.rfind(" at line ") {
                message.truncate(at);
            }
            parse_err(
                path,
                i + 1,
                format!("invalid run record (column {}): {message}", e.column()),
            )
        })?;
        if let Some(h) = raw.first_receipt_hist.as_ref() {
            let bins = crate::metrics::latency::BIN_COUNT;
            if !h.counts.is_empty() && h.counts.len() != bins {
                let message = format!(
                    "`first_receipt_hist.counts` has {} bins; expected {bins} (the fixed bins \
                     of sgsim's metrics::latency)",
                    h.counts.len()
                );
                return Err(parse_err(path, i + 1, message));
            }
        }
        runs.push(RunRecord {
            point: raw.point,
            replicate: raw.replicate,
            seed: raw.seed,
            params: raw.params.0,
            metrics: raw.metrics,
            distributions: raw
                .distributions
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().flatten().collect()))
                .collect(),
            first_receipt_hist: raw.first_receipt_hist,
        });
    }
    Ok(runs)
}

#[derive(Deserialize)]
struct RawSweepPoint {
    index: usize,
    #[serde(default)]
    params: Vec<(String, Value)>,
}

#[derive(Deserialize)]
struct RawSweep {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    swept: Vec<String>,
    #[serde(default)]
    points: Vec<RawSweepPoint>,
}

/// Reads `sweep.json`.
pub fn read_sweep(path: &Path) -> Result<SweepInfo, ReportError> {
    let text = read_text(path, true)?.unwrap_or_default();
    let raw: RawSweep =
        serde_json::from_str(&text).map_err(|e| parse_err(path, e.line().max(1), e.to_string()))?;
    Ok(SweepInfo {
        name: raw.name,
        description: raw.description,
        swept: raw.swept,
        points: raw
            .points
            .into_iter()
            .map(|p| SweepPoint {
                index: p.index,
                params: params_text(p.params),
            })
            .collect(),
    })
}

/// Scans `scenario.toml` for the few keys the report shows. Lines that are not
/// simple `key = value` pairs are ignored, so this never fails on valid TOML.
pub fn read_scenario_info(path: &Path) -> Result<ScenarioInfo, ReportError> {
    let text = read_text(path, true)?.unwrap_or_default();
    Ok(scan_scenario(&text))
}

pub(crate) fn scan_scenario(text: &str) -> ScenarioInfo {
    let mut info = ScenarioInfo::default();
    let mut top_level = true;
    for raw in text.lines() {
        let line = raw.trim();
        if line.starts_with('[') {
            top_level = false;
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        let value = value.trim();
        match key {
            "name" if top_level && info.name.is_none() => info.name = toml_string(value),
            "description" if top_level && info.description.is_none() => {
                info.description = toml_string(value)
            }
            "nodes" | "node_count" | "n_nodes" | "num_nodes" if info.nodes.is_none() => {
                info.nodes = toml_int(value)
            }
            "replicates" if info.replicates.is_none() => info.replicates = toml_int(value),
            _ => {}
        }
    }
    info
}

fn strip_comment(value: &str) -> &str {
    match value.find('#') {
        Some(i) => value[..i].trim(),
        None => value,
    }
}

fn toml_int(value: &str) -> Option<u64> {
    strip_comment(value).replace('_', "").parse().ok()
}

fn toml_string(value: &str) -> Option<String> {
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &value[1..];
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        if c == quote {
            return Some(out);
        }
        if c == '\\' && quote == '"' {
            match chars.next() {
                Some('n') => out.push(' '),
                Some('t') => out.push(' '),
                Some(other) => out.push(other),
                None => return None,
            }
        } else {
            out.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(kv: &[(&str, &str)]) -> Params {
        kv.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// `params` is an object pandas' `json_normalize` flattens, with numbers and booleans typed
    /// only where their text reads back unchanged.
    #[test]
    fn params_are_written_as_an_object_of_typed_values() {
        let p = pairs(&[
            ("policy.fanout", "flood"),
            ("attack.share", "0.1"),
            ("policy.routing_fee_sat", "3"),
            ("protocol.hardening", "true"),
            ("x.scale", "1e-4"),
            ("x.null", "null"),
        ]);
        assert_eq!(
            params_json(&p).to_string(),
            "{\"attack.share\":0.1,\"policy.fanout\":\"flood\",\"policy.routing_fee_sat\":3,\
             \"protocol.hardening\":true,\"x.null\":\"null\",\"x.scale\":\"1e-4\"}"
        );
    }

    /// Both encodings read back as the same text: the object written now, and the list of
    /// pairs of the result folders written before it.
    #[test]
    fn both_params_encodings_read_back_as_the_same_text() {
        let p = pairs(&[("policy.fanout", "flood"), ("attack.share", "0.0")]);
        let object: RunParams = serde_json::from_value(params_json(&p)).unwrap();
        let old = r#"[["policy.fanout","flood"],["attack.share","0.0"]]"#;
        let list: RunParams = serde_json::from_str(old).unwrap();
        assert_eq!(list.0, p, "the list keeps its order");
        let mut sorted = p.clone();
        sorted.sort();
        assert_eq!(object.0, sorted, "an object reads in key order");
        let bad = serde_json::from_str::<RunParams>("[[1, 2]]").unwrap_err();
        assert!(bad.to_string().contains("[key, value]"), "{bad}");
        let bad = serde_json::from_str::<RunParams>("7").unwrap_err();
        assert!(bad.to_string().contains("object of swept key"), "{bad}");
    }
}
