//! The one CSV codec of the crate, on the `csv` crate: [`CsvOut`] writes every table of a
//! result folder (`summary.csv`, `paired.csv`, `coverage.csv`, `runs.csv`), [`parse_csv`]
//! reads them back, and the `summary.csv` / `coverage.csv` readers sit on top.
//!
//! Writers quote a field only when it holds a comma, a quote or a line break, and end every
//! record with `\n`; the reader accepts RFC 4180 (quotes, `""`, CRLF, a leading BOM, blank
//! lines). Whatever a writer emits reads back field for field (a property test checks it).

use std::path::Path;

use super::input::{parse_err, read_text, CoverageSample, Summary, SummaryRow};
use super::ReportError;

/// A CSV file: header fields and data rows with their 1-based line numbers.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct CsvTable {
    /// Header fields (line 1), as written.
    pub(crate) header: Vec<String>,
    /// `(line, fields)` for each non-blank data record.
    pub(crate) rows: Vec<(usize, Vec<String>)>,
}

impl CsvTable {
    /// Index of a header column (header fields compared trimmed).
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.trim() == name)
    }
}

/// Builds one CSV file in memory. Every record must have the header's width: a table with
/// ragged rows is a bug in its writer, so it panics naming that invariant.
pub(crate) struct CsvOut(csv::Writer<Vec<u8>>);

impl CsvOut {
    /// A table with this header.
    pub(crate) fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(Vec::new());
        let mut out = CsvOut(writer);
        out.row(header);
        out
    }

    /// Appends one record.
    pub(crate) fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.0
            .write_record(fields)
            .expect("invariant: every CSV record has the header's width");
    }

    /// The file's text.
    pub(crate) fn finish(self) -> String {
        let bytes = self
            .0
            .into_inner()
            .expect("invariant: writing to memory cannot fail");
        String::from_utf8(bytes).expect("invariant: fields are UTF-8 strings")
    }
}

/// Reads a CSV file with a header line. Blank lines are skipped; every data record
/// must have as many fields as the header.
pub(crate) fn read_csv(path: &Path) -> Result<CsvTable, ReportError> {
    let text = read_text(path, true)?.unwrap_or_default();
    parse_csv(path, &text)
}

/// Parses CSV text (see [`read_csv`]); errors name `path` and the 1-based line.
pub(crate) fn parse_csv(path: &Path, text: &str) -> Result<CsvTable, ReportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = CsvTable::default();
    let mut have_header = false;
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map_or(line, |p| p.line() as usize);
                return Err(parse_err(path, at, format!("malformed CSV: {e}")));
            }
        }
        let line = record.position().map_or(line, |p| p.line() as usize);
        let fields: Vec<String> = record.iter().map(str::to_owned).collect();
        if !have_header {
            table.header = fields;
            have_header = true;
            continue;
        }
        if fields.len() != table.header.len() {
            return Err(parse_err(
                path,
                line,
                format!(
                    "expected {} fields as in the header, found {}",
                    table.header.len(),
                    fields.len()
                ),
            ));
        }
        table.rows.push((line, fields));
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
        .map(|&c| table.header[c].trim().to_string())
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
                .map(|&c| (table.header[c].trim().to_string(), f[c].trim().to_string()))
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

#[cfg(test)]
mod codec {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any strings a writer puts in a table (its first column is always an integer)
        /// read back unchanged, header and fields, whatever quotes, commas or line breaks
        /// they hold.
        #[test]
        fn whatever_a_writer_emits_reads_back_unchanged(
            header in proptest::collection::vec(any::<String>(), 1..5),
            rows in proptest::collection::vec(proptest::collection::vec(any::<String>(), 5), 0..6),
        ) {
            let width = header.len() + 1;
            let mut full_header = vec!["point".to_owned()];
            full_header.extend(header);
            let rows: Vec<Vec<String>> = rows
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut row = vec![i.to_string()];
                    row.extend(r.into_iter().take(width - 1));
                    row
                })
                .collect();
            let mut out = CsvOut::new(&full_header);
            for r in &rows {
                out.row(r);
            }
            let text = out.finish();
            let table = parse_csv(Path::new("t.csv"), &text).unwrap();
            prop_assert_eq!(&table.header, &full_header);
            let back: Vec<Vec<String>> = table.rows.into_iter().map(|(_, f)| f).collect();
            prop_assert_eq!(back, rows);
        }
    }

    #[test]
    fn fields_are_quoted_only_when_needed_and_lines_end_in_newline() {
        let mut out = CsvOut::new(["point", "policy.fanout"]);
        out.row(["0", "a,b"]);
        out.row(["1", "say \"hi\""]);
        out.row(["2", "0.25"]);
        assert_eq!(
            out.finish(),
            "point,policy.fanout\n0,\"a,b\"\n1,\"say \"\"hi\"\"\"\n2,0.25\n"
        );
    }

    #[test]
    fn errors_name_the_line_of_a_multi_line_record() {
        let text = "point,x\n0,\"two\nlines\"\n1,a,b\n";
        let err = parse_csv(Path::new("t.csv"), text).unwrap_err().to_string();
        assert!(err.starts_with("t.csv:4:"), "{err}");
    }
}
