//! Human-readable report of one scenario's result folder.
//!
//! [`write_report`] reads the files the engine wrote into a result folder
//! (`runs.jsonl`, `summary.csv`, and optionally `coverage.csv`, `sweep.json`,
//! `scenario.toml`) and writes `report.md` plus a set of SVG plots next to them.
//!
//! Everything here is deterministic: inputs are kept in file order or in
//! `BTreeMap`s, floats are printed with fixed precision, plot tick positions are
//! computed here (not by the plotting library), and the SVG backend only ever
//! estimates text extents arithmetically (plotters without its `ttf`/`ab_glyph`
//! features uses a built-in width estimate, so no font is loaded or needed).
//!
//! The readers ([`read_summary`], [`read_runs`], [`read_coverage`],
//! [`read_sweep`], [`read_scenario_info`]) are public so other tools can reuse
//! them; all of them report malformed input as a [`ReportError`] naming the file
//! and, where it applies, the 1-based line.

mod claims;
mod csv;
mod describe;
mod format;
mod glossary;
mod input;
mod markdown;
mod model;
mod paired;
pub(crate) mod plot;
#[cfg(test)]
mod tests;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use claims::{
    check_claims, headline, Claim, ClaimCheck, ClaimsFile, Direction, Entry, Headline, Quantity,
    Section, Stat, Test, CLAIMS_FILE, HEADLINES,
};
pub(crate) use csv::{parse_csv, read_csv, CsvOut};
pub use csv::{read_coverage, read_summary};
pub use input::{
    read_runs, read_scenario_info, read_sweep, CoverageSample, Params, RunRecord, ScenarioInfo,
    Summary, SummaryRow, SweepInfo, SweepPoint,
};
pub use plot::write_pngs;

/// File names of the inputs inside a result folder.
pub const RUNS_FILE: &str = "runs.jsonl";
/// See [`RUNS_FILE`].
pub const SUMMARY_FILE: &str = "summary.csv";
/// See [`RUNS_FILE`].
pub const COVERAGE_FILE: &str = "coverage.csv";
/// See [`RUNS_FILE`].
pub const SWEEP_FILE: &str = "sweep.json";
/// See [`RUNS_FILE`].
pub const SCENARIO_FILE: &str = "scenario.toml";
/// The Markdown report written by [`write_report`].
pub const REPORT_FILE: &str = "report.md";

/// Every SVG file name [`write_report`] may produce, in the order it produces them.
///
/// A plot whose data is absent is not written, and a stale copy of it left by an
/// earlier run is removed, so the folder always matches `report.md`.
pub const PLOT_FILES: [&str; 10] = [
    "coverage.svg",
    "coverage_vs_cost.svg",
    "coverage_vs_pow.svg",
    "t90.svg",
    "route_fee.svg",
    "route_length.svg",
    "attack_coverage.svg",
    "attack_earnings.svg",
    "ln_cost.svg",
    "ln_success.svg",
];

/// Errors from reading a result folder or writing its report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A required input file does not exist.
    #[error("required result file {} is missing", path.display())]
    MissingFile {
        /// The path that was looked for.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// "read", "write" or "remove".
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// An input file is malformed; `line` is 1-based (the header is line 1).
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        /// The malformed file.
        path: PathBuf,
        /// 1-based line number of the problem.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The inputs are well-formed but hold nothing to report.
    #[error("{}: {message}", path.display())]
    NoData {
        /// The file that should have held the data.
        path: PathBuf,
        /// What is missing.
        message: String,
    },
    /// Drawing a plot failed.
    #[error("cannot draw {}: {message}", path.display())]
    Plot {
        /// The SVG being drawn.
        path: PathBuf,
        /// The plotting library's message.
        message: String,
    },
}

/// Reads DIR's result files and writes DIR/report.md, DIR/claims.json (the claims behind the
/// report's sentences, see [`check_claims`]) and DIR/*.svg; returns the list of files written
/// (report.md, claims.json, then the plots in [`PLOT_FILES`] order). Deterministic: same
/// inputs, same bytes.
///
/// `runs.jsonl` and `summary.csv` are required; `coverage.csv`, `sweep.json` and
/// `scenario.toml` are used when present. Plots whose data is absent are skipped
/// (and named as skipped in the report).
pub fn write_report(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let data = model::Dataset::load(dir)?;
    let mut written = Vec::new();
    let mut plots = Vec::new();
    let mut skipped = Vec::new();

    for outcome in plot::all_plots(&data, dir)? {
        match outcome.svg {
            Some(svg) => {
                let path = dir.join(outcome.file);
                write_file(&path, svg.as_bytes())?;
                plots.push(outcome.meta);
                written.push(path);
            }
            None => skipped.push(outcome.meta),
        }
    }
    // Remove stale plots from an earlier report of this folder.
    for name in PLOT_FILES {
        let path = dir.join(name);
        if !written.contains(&path) && path.is_file() {
            fs::remove_file(&path).map_err(|source| ReportError::Io {
                action: "remove",
                path: path.clone(),
                source,
            })?;
        }
    }

    let claims = claims::derive(&data);
    let mut text = markdown::render(&data, &claims, &plots, &skipped);
    text.push_str(&plot::run::report_section(dir));
    let report = dir.join(REPORT_FILE);
    write_file(&report, text.as_bytes())?;
    let claims_path = dir.join(CLAIMS_FILE);
    write_file(&claims_path, claims::to_json(&claims).as_bytes())?;
    written.insert(0, claims_path);
    written.insert(0, report);
    Ok(written)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    fs::write(path, bytes).map_err(|source| ReportError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}
