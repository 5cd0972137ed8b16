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
pub mod headline;
mod input;
mod markdown;
mod model;
mod paired;
pub(crate) mod plot;
#[cfg(test)]
mod tests;

use crate::outdir;
use std::io;
use std::path::{Path, PathBuf};

pub use claims::{
    check_claims, headline, Claim, ClaimCheck, ClaimsFile, Direction, Entry, Headline, Quantity,
    Section, Stat, Test, CLAIMS_FILE, HEADLINES,
};
pub(crate) use csv::{parse_csv, read_csv, CsvOut};
pub use csv::{read_coverage, read_summary};
pub(crate) use input::{params_json, RunParams};
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
pub const PLOT_FILES: [&str; 12] = [
    "coverage.svg",
    "latency_cdf.svg",
    "t90.svg",
    "frontier.svg",
    "frontier_bytes.svg",
    "frontier_pow.svg",
    "route_fee.svg",
    "route_length.svg",
    "attack_headline.svg",
    "attack_earnings.svg",
    "ln_cost.svg",
    "ln_success.svg",
];

/// Plots earlier versions wrote and this one replaces: removed from a folder it reports on.
const RETIRED_PLOTS: [&str; 3] = [
    "coverage_vs_cost.svg",
    "coverage_vs_pow.svg",
    "attack_coverage.svg",
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
    /// The folder could not be written (or another process is writing it).
    #[error(transparent)]
    Output(#[from] outdir::OutError),
    /// Drawing a plot failed.
    #[error("cannot draw {}: {message}", path.display())]
    Plot {
        /// The SVG being drawn.
        path: PathBuf,
        /// The plotting library's message.
        message: String,
    },
}

/// A report rendered in memory: every file [`write_report`] would write, in order
/// (`report.md` first, then `claims.json`, then the plots in [`PLOT_FILES`] order, then the metric catalogue
/// `metrics.json`, [`crate::definitions::render_json`]), and the plots it would remove because
/// their data is absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// File name in the result folder and its bytes.
    pub files: Vec<(String, Vec<u8>)>,
    /// Plot file names that must not be left over from an earlier report.
    pub stale: Vec<&'static str>,
}

/// Reads DIR's result files and renders the report and its plots without writing anything.
/// Deterministic: same inputs, same bytes.
///
/// `runs.jsonl` and `summary.csv` are required; `coverage.csv`, `sweep.json` and
/// `scenario.toml` are used when present. Plots whose data is absent are skipped
/// (and named as skipped in the report).
pub fn render_report(dir: &Path) -> Result<Rendered, ReportError> {
    let data = model::Dataset::load(dir)?;
    let mut files = Vec::new();
    let mut plots = Vec::new();
    let mut skipped = Vec::new();
    for outcome in plot::all_plots(&data, dir)? {
        match outcome.svg {
            Some(svg) => {
                files.push((outcome.file.to_owned(), svg.into_bytes()));
                plots.push(outcome.meta);
            }
            None => skipped.push(outcome.meta),
        }
    }
    let stale = PLOT_FILES
        .iter()
        .chain(&RETIRED_PLOTS)
        .copied()
        .filter(|name| !files.iter().any(|(f, _)| f == name))
        .collect();
    let claims = claims::derive(&data);
    let mut text = markdown::render(&data, &claims, &plots, &skipped);
    text.push_str(&plot::run::report_section(dir));
    files.insert(
        0,
        (
            CLAIMS_FILE.to_owned(),
            claims::to_json(&claims).into_bytes(),
        ),
    );
    files.insert(0, (REPORT_FILE.to_owned(), text.into_bytes()));
    let catalogue = crate::definitions::render_json().into_bytes();
    files.push((crate::definitions::CATALOGUE_FILE.to_owned(), catalogue));
    Ok(Rendered { files, stale })
}

/// Reads DIR's result files and writes DIR/report.md, DIR/claims.json (the claims behind the
/// report's sentences, see [`check_claims`]), DIR/*.svg and DIR/metrics.json; returns the
/// files written but the catalogue (report.md, claims.json, then the plots in [`PLOT_FILES`]
/// order). Deterministic: same inputs, same bytes. Nothing is written unless the whole
/// report renders, and each file is replaced atomically ([`crate::outdir`]); stale plots of
/// an earlier report are removed last.
pub fn write_report(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let rendered = render_report(dir)?;
    let mut stage = outdir::Stage::new(dir)?;
    for (name, bytes) in &rendered.files {
        stage.put(name, bytes)?;
    }
    let mut written = stage.commit(&rendered.stale)?;
    written.retain(|p| !p.ends_with(crate::definitions::CATALOGUE_FILE));
    Ok(written)
}

/// Every SVG that DIR's `report.md` shows, in its order: the plots of [`PLOT_FILES`] present
/// and the picture `sgsim inspect --report` adds ([`plot::run::REPORT_PICTURE`]) if present.
/// What `sgsim report --png` renders.
pub fn report_svgs(dir: &Path) -> Vec<PathBuf> {
    PLOT_FILES
        .iter()
        .chain(std::iter::once(&plot::run::REPORT_PICTURE))
        .map(|name| dir.join(name))
        .filter(|p| p.is_file())
        .collect()
}
