//! Readers for the files of a result folder. Plain structs, no I/O beyond
//! reading the one file each reader is given.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

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

/// A CSV file: header fields and data rows with their 1-based line numbers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsvTable {
    /// Header fields (line 1).
    pub header: Vec<String>,
    /// `(line, fields)` for each non-blank data line.
    pub rows: Vec<(usize, Vec<String>)>,
}

impl CsvTable {
    /// Index of a header column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

fn parse_err(path: &Path, line: usize, message: impl Into<String>) -> ReportError {
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

/// Splits one CSV line into fields (RFC 4180 quoting, `""` inside quotes is a
/// quote; records spanning lines are not supported).
pub fn parse_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut in_quotes = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
        } else if c == ',' {
            fields.push(std::mem::take(&mut field));
            was_quoted = false;
        } else if c == '"' {
            if !field.is_empty() || was_quoted {
                return Err(format!("stray quote in field {}", fields.len() + 1));
            }
            in_quotes = true;
            was_quoted = true;
        } else if was_quoted {
            return Err(format!(
                "unexpected text after closing quote in field {}",
                fields.len() + 1
            ));
        } else {
            field.push(c);
        }
    }
    if in_quotes {
        return Err(format!("unterminated quote in field {}", fields.len() + 1));
    }
    fields.push(field);
    Ok(fields)
}

/// Reads a CSV file with a header line. Blank lines are skipped; every data line
/// must have as many fields as the header.
pub fn read_csv(path: &Path) -> Result<CsvTable, ReportError> {
    let text = read_text(path, true)?.unwrap_or_default();
    parse_csv(path, &text)
}

pub(crate) fn parse_csv(path: &Path, text: &str) -> Result<CsvTable, ReportError> {
    let mut table = CsvTable::default();
    let mut have_header = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let line = if line_no == 1 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        if line.trim().is_empty() {
            continue;
        }
        let fields = parse_csv_line(line).map_err(|m| parse_err(path, line_no, m))?;
        if !have_header {
            table.header = fields.into_iter().map(|f| f.trim().to_string()).collect();
            have_header = true;
            continue;
        }
        if fields.len() != table.header.len() {
            return Err(parse_err(
                path,
                line_no,
                format!(
                    "expected {} fields as in the header, found {}",
                    table.header.len(),
                    fields.len()
                ),
            ));
        }
        table.rows.push((line_no, fields));
    }
    if !have_header {
        return Err(parse_err(path, 1, "empty file: expected a header line"));
    }
    Ok(table)
}

fn require_column(path: &Path, table: &CsvTable, name: &str) -> Result<usize, ReportError> {
    table
        .column(name)
        .ok_or_else(|| parse_err(path, 1, format!("header has no `{name}` column")))
}

fn parse_index(path: &Path, line: usize, column: &str, text: &str) -> Result<usize, ReportError> {
    text.trim().parse::<usize>().map_err(|_| {
        parse_err(
            path,
            line,
            format!("column `{column}`: expected a non-negative integer, found {text:?}"),
        )
    })
}

/// Parses a number; empty, `nan`, `null`, `na`, `none` (any case) mean undefined.
fn parse_opt_f64(
    path: &Path,
    line: usize,
    column: &str,
    text: &str,
) -> Result<Option<f64>, ReportError> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    if matches!(lower.as_str(), "" | "nan" | "-nan" | "null" | "na" | "none") {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(_) => Ok(None),
        Err(_) => Err(parse_err(
            path,
            line,
            format!("column `{column}`: expected a number, found {text:?}"),
        )),
    }
}

/// Reads `summary.csv` (header `point,<swept keys...>,metric,n,mean,std,ci95_low,ci95_high`).
pub fn read_summary(path: &Path) -> Result<Summary, ReportError> {
    let table = read_csv(path)?;
    let c_point = require_column(path, &table, "point")?;
    let c_metric = require_column(path, &table, "metric")?;
    let c_n = require_column(path, &table, "n")?;
    let c_mean = require_column(path, &table, "mean")?;
    let c_std = require_column(path, &table, "std")?;
    let c_low = require_column(path, &table, "ci95_low")?;
    let c_high = require_column(path, &table, "ci95_high")?;
    let swept_cols: Vec<usize> = if c_point < c_metric {
        (c_point + 1..c_metric).collect()
    } else {
        Vec::new()
    };
    let swept: Vec<String> = swept_cols.iter().map(|&c| table.header[c].clone()).collect();
    let mut rows = Vec::with_capacity(table.rows.len());
    for (line, f) in &table.rows {
        let line = *line;
        let metric = f[c_metric].trim().to_string();
        if metric.is_empty() {
            return Err(parse_err(path, line, "column `metric` is empty"));
        }
        rows.push(SummaryRow {
            point: parse_index(path, line, "point", &f[c_point])?,
            params: swept_cols
                .iter()
                .map(|&c| (table.header[c].clone(), f[c].trim().to_string()))
                .collect(),
            metric,
            n: parse_index(path, line, "n", &f[c_n])?,
            mean: parse_opt_f64(path, line, "mean", &f[c_mean])?,
            std: parse_opt_f64(path, line, "std", &f[c_std])?,
            ci95_low: parse_opt_f64(path, line, "ci95_low", &f[c_low])?,
            ci95_high: parse_opt_f64(path, line, "ci95_high", &f[c_high])?,
        });
    }
    Ok(Summary { swept, rows })
}

/// Reads `coverage.csv` (header `point,replicate,time_s,coverage`, any column
/// order). Rows with an undefined coverage value are dropped.
pub fn read_coverage(path: &Path) -> Result<Vec<CoverageSample>, ReportError> {
    let table = read_csv(path)?;
    let c_point = require_column(path, &table, "point")?;
    let c_rep = require_column(path, &table, "replicate")?;
    let c_time = require_column(path, &table, "time_s")?;
    let c_cov = require_column(path, &table, "coverage")?;
    let mut out = Vec::with_capacity(table.rows.len());
    for (line, f) in &table.rows {
        let line = *line;
        let point = parse_index(path, line, "point", &f[c_point])?;
        let replicate = parse_index(path, line, "replicate", &f[c_rep])?;
        let time = parse_opt_f64(path, line, "time_s", &f[c_time])?;
        let cov = parse_opt_f64(path, line, "coverage", &f[c_cov])?;
        let Some(time_s) = time else {
            return Err(parse_err(path, line, "column `time_s` is undefined"));
        };
        if let Some(coverage) = cov {
            out.push(CoverageSample {
                point,
                replicate,
                time_s,
                coverage,
            });
        }
    }
    Ok(out)
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

#[derive(Deserialize)]
struct RawRun {
    point: usize,
    #[serde(default)]
    replicate: usize,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    params: Vec<(String, Value)>,
    #[serde(default)]
    metrics: BTreeMap<String, Option<f64>>,
    #[serde(default)]
    distributions: BTreeMap<String, Vec<Option<f64>>>,
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
        runs.push(RunRecord {
            point: raw.point,
            replicate: raw.replicate,
            seed: raw.seed,
            params: params_text(raw.params),
            metrics: raw.metrics,
            distributions: raw
                .distributions
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().flatten().collect()))
                .collect(),
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
