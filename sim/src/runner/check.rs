//! `sgsim check`: everything `run` checks before its first run (the scenario, every file it
//! references, every point against its graphs, the resource estimate), one sweep point at a
//! time, so that checking a sweep of many points holds one point in memory, not all of them.

use super::estimate::{Estimate, Estimator};
use super::preflight::Preflight;
use super::{emit_points, threads_for, RunnerError};
use crate::scenario::{self, PointIter, ScenarioFile, SweepPoint};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What `check` found: the estimate of a full run on all cores, and the point files written.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The estimate of running the whole sweep on all cores.
    pub estimate: Estimate,
    /// The point files written by `--emit`, in point order.
    pub emitted: Vec<PathBuf>,
}

/// A one-point file holding `point`, with the sweep's name, path and digest.
fn one_point(name: &str, path: &Path, digest: &str, point: SweepPoint) -> ScenarioFile {
    ScenarioFile {
        path: path.to_path_buf(),
        name: name.to_owned(),
        digest: digest.to_owned(),
        references: Vec::new(),
        points: vec![point],
    }
}

/// Checks the scenario at `path` as `run` would before its first run, then writes its
/// resolved sweep ([`ScenarioFile::resolved_toml`], byte for byte) to `out` and, with `emit`,
/// one runnable file per point. Points are checked in a first pass and written in a second,
/// each resolved again, so nothing is written unless every point passes and no more than one
/// point is held at a time. A result folder's `scenario.toml` is read whole.
pub fn check_streaming(
    path: &Path,
    out: &mut dyn Write,
    emit: Option<&Path>,
) -> Result<Checked, RunnerError> {
    let text = scenario::read_text(path)?;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let write_err = |e| RunnerError::io("write", Path::new("<stdout>"), e);
    if super::output::is_resolved(&text) {
        let file = ScenarioFile::from_resolved_toml(&text, path)?;
        let mut checked = file.clone();
        let sizes = super::check_references(&mut checked, path, &base_dir)?;
        let runs = checked
            .points
            .iter()
            .map(|p| p.scenario.replicates as usize);
        let runs = runs.sum::<usize>();
        let estimate = super::estimate(&checked, &sizes, runs, threads_for(None, runs));
        out.write_all(file.resolved_toml().as_bytes())
            .map_err(write_err)?;
        let emitted = match emit {
            Some(dir) => emit_points(&file, dir)?,
            None => Vec::new(),
        };
        return Ok(Checked { estimate, emitted });
    }
    let iter = PointIter::new(&text, path)?;
    let total = iter.len();
    let mut estimator = Estimator::default();
    let mut preflight = Preflight::default();
    for point in iter {
        let point = point?;
        let size = preflight.check_point(&point, path, &base_dir)?;
        estimator.add(&point.scenario, &size);
    }
    let runs = estimator.runs();
    let estimate = estimator.finish(runs, threads_for(None, runs));
    let digest = PointIter::new(&text, path)?.digest();
    let mut emitted = Vec::new();
    let mut name = String::new();
    for (i, point) in PointIter::new(&text, path)?.enumerate() {
        let point = point?;
        if i == 0 {
            name.clone_from(&point.scenario.name);
        }
        let one = one_point(&name, path, &digest, point);
        out.write_all(one.resolved_piece(total, i == 0).as_bytes())
            .map_err(write_err)?;
        if let Some(dir) = emit {
            emitted.extend(emit_points(&one, dir)?);
        }
    }
    Ok(Checked { estimate, emitted })
}

/// What `sgsim check` adds to the scenario checks: reads and checks every referenced file,
/// checks every point fits its graphs, and returns the estimate of a full run on all cores.
pub fn check_file(path: &Path) -> Result<Estimate, RunnerError> {
    check_streaming(path, &mut std::io::sink(), None).map(|c| c.estimate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_resolved_sweep_is_the_whole_one_byte_for_byte() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/small-sweep.toml");
        let file = crate::runner::load_scenario(&path).unwrap();
        assert!(file.points.len() > 1);
        let d = tempfile::tempdir().unwrap();
        let mut out = Vec::new();
        let checked = check_streaming(&path, &mut out, Some(d.path())).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), file.resolved_toml());
        assert_eq!(checked.emitted, emit_points(&file, d.path()).unwrap());
        let runs: usize = file
            .points
            .iter()
            .map(|p| p.scenario.replicates as usize)
            .sum();
        assert_eq!(checked.estimate.runs, runs);
    }
}
