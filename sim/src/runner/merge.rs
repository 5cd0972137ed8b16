//! `sgsim merge`: shard folders into one result folder, never writing into an input and never
//! passing an incomplete set off as complete.

use super::{assemble, guard, read_run, run_path, runs_digest, RunnerError, SweepMeta};
use crate::scenario::ScenarioFile;
use std::fs;
use std::path::{Path, PathBuf};

/// What a merge combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeSummary {
    /// Runs found in the shards and merged.
    pub found: usize,
    /// Runs of the sweep: points × replicates, from `sweep.json`.
    pub expected: usize,
}

/// `path` made absolute with symbolic links and `..` resolved, even when its last
/// components do not exist yet.
fn resolve(path: &Path) -> Result<PathBuf, RunnerError> {
    let mut existing = path.to_path_buf();
    let mut rest: Vec<PathBuf> = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(c) => {
                let mut full = c;
                for part in rest.iter().rev() {
                    full.push(part);
                }
                return Ok(full);
            }
            Err(e) => {
                let (Some(parent), Some(last)) = (existing.parent(), existing.file_name()) else {
                    return Err(RunnerError::io("resolve", path, e));
                };
                rest.push(PathBuf::from(last));
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
        }
    }
}

/// Refuses an output folder that is one of the inputs or lies inside one.
fn check_output(out: &Path, shards: &[PathBuf]) -> Result<(), RunnerError> {
    let out_c = resolve(out)?;
    for s in shards {
        let s_c = s
            .canonicalize()
            .map_err(|e| RunnerError::io("read", s, e))?;
        if out_c.starts_with(&s_c) {
            return Err(RunnerError::Usage(format!(
                "--out {} is {} the input {}; merging there would overwrite the shard's own \
                 files: choose a folder outside every input",
                out.display(),
                if out_c == s_c {
                    "the same folder as"
                } else {
                    "inside"
                },
                s.display()
            )));
        }
    }
    Ok(())
}

/// Reads the shards' `sweep.json` (all must share one digest) and the reuse key of their runs.
fn read_shards(shards: &[PathBuf]) -> Result<(SweepMeta, Vec<u8>), RunnerError> {
    let mut first: Option<(SweepMeta, Vec<u8>)> = None;
    for s in shards {
        let p = s.join("sweep.json");
        let text = fs::read_to_string(&p).map_err(|e| RunnerError::io("read", &p, e))?;
        let m: SweepMeta = serde_json::from_str(&text)
            .map_err(|e| RunnerError::Usage(format!("{}: not a sweep.json: {e}", p.display())))?;
        match &first {
            Some((f, _)) if f.digest != m.digest => {
                return Err(RunnerError::Usage(format!(
                    "{} belongs to another sweep (digest {} vs {} of {})",
                    s.display(),
                    m.digest,
                    f.digest,
                    shards[0].display()
                )))
            }
            Some(_) => {}
            None => {
                let t = s.join("scenario.toml");
                let toml = fs::read(&t).map_err(|e| RunnerError::io("read", &t, e))?;
                first = Some((m, toml));
            }
        }
    }
    let (mut meta, toml) =
        first.ok_or_else(|| RunnerError::Usage("merge needs at least one shard folder".into()))?;
    let p = shards[0].join("scenario.toml");
    let text = String::from_utf8_lossy(&toml);
    let file = ScenarioFile::from_resolved_toml(&text, &p)?;
    meta.runs_digest = runs_digest(&file);
    Ok((meta, toml))
}

/// Combines the saved runs of shard folders into `out`, then assembles the sweep files and
/// the report exactly as a single run would. Every shard must belong to the same sweep;
/// `out` must not be an input or lie inside one; unless `allow_partial`, every run of the
/// sweep (points × replicates of `sweep.json`) must be found, and the missing ones are listed;
/// unless `overwrite`, `out` must not hold another sweep's results or other files. Every run
/// is read before `out` is locked and written.
pub fn merge_with(
    out: &Path,
    shards: &[PathBuf],
    allow_partial: bool,
    overwrite: bool,
) -> Result<MergeSummary, RunnerError> {
    let (meta, scenario_toml) = read_shards(shards)?;
    check_output(out, shards)?;
    let mut found: Vec<(u32, u32, Vec<u8>)> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for p in &meta.points {
        for r in 0..meta.replicates {
            let src = shards
                .iter()
                .map(|s| run_path(s, p.index, r))
                .find(|src| read_run(src, &meta.runs_digest).is_some());
            match src {
                Some(src) => {
                    let bytes = fs::read(&src).map_err(|e| RunnerError::io("read", &src, e))?;
                    found.push((p.index, r, bytes));
                }
                None => missing.push(format!("point {}, replicate {r}", p.index)),
            }
        }
    }
    let expected = meta.points.len() * meta.replicates as usize;
    if found.is_empty() || (!missing.is_empty() && !allow_partial) {
        return Err(incomplete(&missing, found.len(), expected));
    }
    let created = !out.exists();
    fs::create_dir_all(out).map_err(|e| RunnerError::io("create", out, e))?;
    let lock = crate::outdir::lock(out, "sgsim merge")?;
    if let Err(e) = guard::check_existing(out, &meta, overwrite) {
        drop(lock);
        if created {
            let _ = fs::remove_dir(out);
        }
        return Err(e);
    }
    let runs_dir = out.join("runs");
    fs::create_dir_all(&runs_dir).map_err(|e| RunnerError::io("create", &runs_dir, e))?;
    guard::clear_runs(&runs_dir)?;
    super::output::write_atomic(&out.join("scenario.toml"), &scenario_toml)?;
    for (point, r, bytes) in &found {
        super::output::write_atomic(&run_path(out, *point, *r), bytes)?;
    }
    let n = assemble(out, &meta)?;
    Ok(MergeSummary { found: n, expected })
}

/// The refusal of an incomplete set of shards, listing the first missing runs.
fn incomplete(missing: &[String], found: usize, expected: usize) -> RunnerError {
    let shown: Vec<&str> = missing.iter().take(20).map(String::as_str).collect();
    let more = missing.len().saturating_sub(shown.len());
    RunnerError::Usage(format!(
        "the shards hold {found} of {expected} runs of the sweep; missing: {}{}. Run the \
         missing shards (or `sgsim run --resume --shard I/N`){}",
        shown.join("; "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        },
        if found == 0 {
            ""
        } else {
            ", or pass --allow-partial to merge what there is"
        }
    ))
}

/// [`merge_with`] refusing an incomplete set and a non-empty `out` of another sweep; returns
/// the number of runs merged.
pub fn merge(out: &Path, shards: &[PathBuf]) -> Result<usize, RunnerError> {
    merge_with(out, shards, false, false).map(|m| m.found)
}
