//! A result folder is sealed by its `sweep.json`: `digest` is the SHA-256 of `scenario.toml`
//! and `sha256` holds the SHA-256 of each table written with it ([`super::output::SEALED`]).
//! A folder whose files no longer match is refused by `report`, `report --rebuild` and
//! `inspect`, naming the file and both digests, so a report never describes a scenario or
//! values that were not the runs'.

use super::output::sha256_hex;
use super::{runs_digest, RunnerError, SweepMeta};
use crate::scenario::ScenarioFile;
use std::fs;
use std::path::Path;

/// Reads `dir/sweep.json`.
pub fn read_meta(dir: &Path) -> Result<SweepMeta, RunnerError> {
    let path = dir.join("sweep.json");
    let text = fs::read_to_string(&path).map_err(|e| RunnerError::io("read", &path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| RunnerError::Usage(format!("{}: not a sweep.json: {e}", path.display())))
}

/// Checks that `dir/scenario.toml` is the sweep `meta` describes: its SHA-256 must equal
/// `meta.digest`.
pub fn check_scenario(dir: &Path, meta: &SweepMeta) -> Result<(), RunnerError> {
    let path = dir.join("scenario.toml");
    let bytes = fs::read(&path).map_err(|e| RunnerError::io("read", &path, e))?;
    let actual = sha256_hex(&bytes);
    if actual == meta.digest {
        return Ok(());
    }
    Err(RunnerError::Sealed(format!(
        "{} does not match {}: its SHA-256 is {actual}, but the sweep that produced these \
         results had {}. The file was edited after the run (or copied from another sweep), \
         so the results do not describe it; restore it, or run the edited scenario into a new \
         folder with `sgsim run`",
        path.display(),
        dir.join("sweep.json").display(),
        meta.digest
    )))
}

/// Checks each of `tables` that exists in `dir` against the SHA-256 `sweep.json` recorded
/// for it. Returns a note for each table present that `sweep.json` does not seal (folders of
/// older versions), so it can be said that it was taken unchecked.
fn check_tables(dir: &Path, meta: &SweepMeta, tables: &[&str]) -> Result<Vec<String>, RunnerError> {
    let mut notes = Vec::new();
    for name in tables {
        let path = dir.join(name);
        let Ok(bytes) = fs::read(&path) else {
            continue; // absent: the caller names what it needs
        };
        let Some(recorded) = meta.sha256.get(*name) else {
            notes.push(format!(
                "{} records no SHA-256 of {name} (written by an older sgsim): it is taken \
                 as it is, unchecked",
                dir.join("sweep.json").display()
            ));
            continue;
        };
        let actual = sha256_hex(&bytes);
        if &actual != recorded {
            return Err(RunnerError::Sealed(format!(
                "{} does not match {}: its SHA-256 is {actual}, but the run wrote {recorded}. \
                 The file was edited after the run, so its values are not the runs' results; \
                 restore it, or rerun the scenario (`sgsim run {} --out ...`)",
                path.display(),
                dir.join("sweep.json").display(),
                dir.join("scenario.toml").display()
            )));
        }
    }
    Ok(notes)
}

/// Reads `dir/sweep.json` and checks the folder against it: `scenario.toml` and each of
/// `tables` present (see [`check_tables`]). Returns the sweep, with the reuse key of its saved
/// runs derived from `scenario.toml`, and notes on tables taken unchecked.
pub fn verify(dir: &Path, tables: &[&str]) -> Result<(SweepMeta, Vec<String>), RunnerError> {
    let mut meta = read_meta(dir)?;
    check_scenario(dir, &meta)?;
    let notes = check_tables(dir, &meta, tables)?;
    let path = dir.join("scenario.toml");
    let text = fs::read_to_string(&path).map_err(|e| RunnerError::io("read", &path, e))?;
    meta.runs_digest = runs_digest(&ScenarioFile::from_resolved_toml(&text, &path)?);
    Ok((meta, notes))
}

/// Rewrites a result folder's tables and report from its own files, without simulating:
/// the runs come from `runs.jsonl` and `coverage.csv` when present, else from `runs/`. Used
/// to bring an existing folder to the current table format; returns the number of runs.
/// Everything is read and checked first (the folder's seal, see this module; a missing
/// `runs.jsonl` with no saved run to rebuild from is named as missing), and nothing is
/// written unless all of it can be ([`super::publish`]). The caller holds the folder's lock.
pub fn rebuild(dir: &Path) -> Result<usize, RunnerError> {
    let (meta, _) = verify(dir, &["runs.jsonl", "coverage.csv"])?;
    let records = if dir.join("runs.jsonl").is_file() {
        super::read_assembled(dir, &meta)?
    } else {
        let saved = super::saved_runs(dir, &meta);
        if saved.is_empty() {
            return Err(RunnerError::Invalid(format!(
                "{} is missing, and {} holds none of the sweep's {} runs: there is nothing \
                 to rebuild the tables from. Restore runs.jsonl, or rerun the scenario with \
                 `sgsim run {} --out ...`",
                dir.join("runs.jsonl").display(),
                dir.join("runs").display(),
                meta.points.len() * meta.replicates as usize,
                dir.join("scenario.toml").display()
            )));
        }
        saved
    };
    super::publish(dir, &meta, &records)?;
    Ok(records.len())
}

/// `sgsim report DIR [--rebuild] [--png]`: locks the folder, checks it against its seal
/// (when it has a `sweep.json`), rebuilds the tables if asked ([`rebuild`]), and writes
/// the report and, if asked, PNGs of its plots. Returns the files written and notes on files
/// taken unchecked.
pub fn report_folder(
    dir: &Path,
    rebuild: bool,
    png: bool,
) -> Result<(Vec<std::path::PathBuf>, Vec<String>), RunnerError> {
    if !dir.is_dir() {
        return Err(RunnerError::Usage(format!(
            "{} is not a result folder: no such folder",
            dir.display()
        )));
    }
    let _lock = crate::outdir::lock(dir, "sgsim report")?;
    let mut notes = Vec::new();
    if rebuild {
        notes = verify(dir, &["runs.jsonl", "coverage.csv"])?.1;
        self::rebuild(dir)?;
    } else if dir.join("sweep.json").is_file() {
        notes = verify(dir, &super::SEALED)?.1;
    }
    let mut files = if rebuild {
        let mut f: Vec<std::path::PathBuf> = vec![dir.join(crate::report::REPORT_FILE)];
        f.extend(
            crate::report::PLOT_FILES
                .iter()
                .map(|n| dir.join(n))
                .filter(|p| p.is_file()),
        );
        f
    } else {
        crate::report::write_report(dir)?
    };
    if png {
        // Every SVG the report shows, inspect's picture included.
        let svgs = crate::report::report_svgs(dir);
        files.extend(crate::report::write_pngs(&svgs)?);
    }
    Ok((files, notes))
}
