//! CSV reading: a small RFC 4180 line parser and the `summary.csv` /
//! `coverage.csv` readers.

use std::path::Path;

use super::input::{parse_err, read_text, CoverageSample, Summary, SummaryRow};
use super::ReportError;

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

/// Reads `summary.csv` (header `point,<swept keys...>,metric,n,mean,std,ci95_low,ci95_high`,
/// optionally followed by `ci95_method`).
pub fn read_summary(path: &Path) -> Result<Summary, ReportError> {
    let table = read_csv(path)?;
    let c_point = require_column(path, &table, "point")?;
    let c_metric = require_column(path, &table, "metric")?;
    let c_n = require_column(path, &table, "n")?;
    let c_mean = require_column(path, &table, "mean")?;
    let c_std = require_column(path, &table, "std")?;
    let c_low = require_column(path, &table, "ci95_low")?;
    let c_high = require_column(path, &table, "ci95_high")?;
    let c_method = table.column("ci95_method");
    let swept_cols: Vec<usize> = if c_point < c_metric {
        (c_point + 1..c_metric).collect()
    } else {
        Vec::new()
    };
    let swept: Vec<String> = swept_cols
        .iter()
        .map(|&c| table.header[c].clone())
        .collect();
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
            ci95_method: c_method
                .map(|c| f[c].trim().to_string())
                .filter(|m| !m.is_empty()),
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
