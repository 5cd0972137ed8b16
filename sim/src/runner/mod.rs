//! Whole sweeps: every sweep point × replicate, in parallel, with results written in a fixed
//! order. Runs are independent, so thread count and sharding never change a result byte.

mod output;
mod progress;

pub use output::{assemble, read_run, run_path, PointMeta, RunRecord, SweepMeta};
pub use output::{
    emit_points, load_scenario, parse_scenario, read_assembled, rebuild, saved_runs, write_tables,
};
pub use progress::{LogLines, LOG_INTERVAL};

use crate::engine::EngineError;
use crate::rng::run_seed;
use crate::scenario::{ScenarioError, ScenarioFile};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why a sweep could not run or finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunnerError {
    /// The scenario file is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A file could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was attempted.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A run failed; the runs that finished are saved.
    #[error("run of point {point}, replicate {replicate} failed: {source}")]
    Run {
        /// Sweep point.
        point: u32,
        /// Replicate.
        replicate: u32,
        /// Cause.
        source: EngineError,
    },
    /// Bad command-line value.
    #[error("{0}")]
    Usage(String),
    /// The report could not be written.
    #[error("report: {0}")]
    Report(#[from] crate::report::ReportError),
}

impl RunnerError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        RunnerError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How to run a sweep.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Results go to `<out>/<scenario name>/`.
    pub out: PathBuf,
    /// Worker threads (default: all cores). Never changes results.
    pub threads: Option<usize>,
    /// Overrides the file's `replicates`.
    pub replicates: Option<u32>,
    /// Overrides the file's `seed`.
    pub seed: Option<u64>,
    /// No progress bar.
    pub quiet: bool,
    /// Keep runs already saved for the same resolved sweep and run only the others.
    pub resume: bool,
    /// Run only share `i` of `n` (runs whose index modulo n is i); skip assembling.
    pub shard: Option<(u32, u32)>,
}

/// What a finished sweep produced.
#[derive(Debug, Clone)]
pub struct SweepResult {
    /// The result folder.
    pub dir: PathBuf,
    /// Runs in the sweep (this shard's share when sharded).
    pub runs_total: usize,
    /// Runs executed now.
    pub runs_executed: usize,
    /// Runs kept from an earlier, interrupted execution.
    pub runs_resumed: usize,
}

/// Loads `path`, applies the overrides of `opts`, and returns the file with its sweep metadata.
pub fn prepare(path: &Path, opts: &RunOptions) -> Result<(ScenarioFile, SweepMeta), RunnerError> {
    let text = fs::read_to_string(path).map_err(|e| RunnerError::io("read", path, e))?;
    let mut file = output::parse_scenario(&text, path)?;
    for p in &mut file.points {
        if let Some(seed) = opts.seed {
            p.scenario.seed = seed;
        }
        if let Some(r) = opts.replicates {
            if r == 0 {
                return Err(RunnerError::Usage("--replicates must be at least 1".into()));
            }
            p.scenario.replicates = r;
        }
    }
    // Results must not depend on where the file was read from.
    file.path = PathBuf::from(path.file_name().unwrap_or(path.as_os_str()));
    let resolved = file.resolved_toml();
    let digest = hex::encode(Sha256::digest(resolved.as_bytes()));
    let mut swept: Vec<String> = Vec::new();
    for p in &file.points {
        for (k, _) in &p.params {
            if !swept.contains(k) {
                swept.push(k.clone());
            }
        }
    }
    let meta = SweepMeta {
        name: file.name.clone(),
        description: description(&text),
        swept,
        points: file
            .points
            .iter()
            .map(|p| PointMeta {
                index: p.index,
                params: p.params.clone(),
            })
            .collect(),
        replicates: file.points.first().map_or(1, |p| p.scenario.replicates),
        digest,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    Ok((file, meta))
}

/// The first comment line of a scenario file, without the `#`.
fn description(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.starts_with('#') || l.is_empty())
        .find_map(|l| l.strip_prefix('#').map(str::trim).filter(|l| !l.is_empty()))
        .unwrap_or_default()
        .to_owned()
}

/// Runs the sweep of `path`: saves every run, then assembles the sweep files and the report.
pub fn run_file(path: &Path, opts: &RunOptions) -> Result<SweepResult, RunnerError> {
    let (file, meta) = prepare(path, opts)?;
    let dir = opts.out.join(&meta.name);
    let runs_dir = dir.join("runs");
    if !opts.resume && runs_dir.exists() {
        fs::remove_dir_all(&runs_dir).map_err(|e| RunnerError::io("clear", &runs_dir, e))?;
    }
    fs::create_dir_all(&runs_dir).map_err(|e| RunnerError::io("create", &runs_dir, e))?;
    output::write_atomic(&dir.join("scenario.toml"), file.resolved_toml().as_bytes())?;
    let mut jobs: Vec<(usize, u32)> = Vec::new();
    for (pi, p) in file.points.iter().enumerate() {
        for r in 0..p.scenario.replicates {
            jobs.push((pi, r));
        }
    }
    if let Some((i, n)) = opts.shard {
        if n == 0 || i >= n {
            return Err(RunnerError::Usage(format!(
                "--shard {i}/{n}: need 0 <= I < N"
            )));
        }
        jobs = jobs
            .into_iter()
            .enumerate()
            .filter(|(k, _)| *k as u32 % n == i)
            .map(|(_, j)| j)
            .collect();
    }
    let total = jobs.len();
    let pending: Vec<(usize, u32)> = jobs
        .into_iter()
        .filter(|(pi, r)| {
            let p = &file.points[*pi];
            !opts.resume || read_run(&run_path(&dir, p.index, *r), &meta.digest).is_none()
        })
        .collect();
    let resumed = total - pending.len();
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let bar = progress::Progress::new(pending.len() as u64, opts.quiet);
    let first_error: Mutex<Option<RunnerError>> = Mutex::new(None);
    let work = || {
        pending.par_iter().for_each(|&(pi, r)| {
            let p = &file.points[pi];
            let result = bar
                .run(&p.scenario, r, &base_dir)
                .map_err(|source| RunnerError::Run {
                    point: p.index,
                    replicate: r,
                    source,
                })
                .and_then(|out| {
                    let rec = RunRecord {
                        point: p.index,
                        replicate: r,
                        seed: run_seed(p.scenario.seed, r),
                        params: p.params.clone(),
                        sweep_digest: meta.digest.clone(),
                        trace_sha256: out.trace_sha256,
                        metrics: out.metrics,
                    };
                    let json = serde_json::to_string(&rec).expect("invariant: records serialise");
                    output::write_atomic(&run_path(&dir, p.index, r), json.as_bytes())
                });
            if let Err(e) = result {
                let mut slot = first_error
                    .lock()
                    .expect("invariant: no thread panics holding it");
                slot.get_or_insert(e);
            }
            bar.inc(1);
        })
    };
    match opts.threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build()
            .map_err(|e| RunnerError::Usage(format!("cannot start {t} threads: {e}")))?
            .install(work),
        None => work(),
    }
    bar.finish_and_clear();
    if opts.shard.is_none() {
        assemble(&dir, &meta)?;
        crate::report::write_report(&dir)?;
    } else {
        let json = serde_json::to_string_pretty(&meta).expect("invariant: sweep meta serialises");
        output::write_atomic(&dir.join("sweep.json"), format!("{json}\n").as_bytes())?;
    }
    if let Some(e) = first_error
        .into_inner()
        .expect("invariant: no thread panicked")
    {
        return Err(e);
    }
    Ok(SweepResult {
        dir,
        runs_total: total,
        runs_executed: pending.len(),
        runs_resumed: resumed,
    })
}

/// Combines the saved runs of shard folders into `out`, then assembles the sweep files and the
/// report exactly as a single run would. Every shard must belong to the same resolved sweep.
pub fn merge(out: &Path, shards: &[PathBuf]) -> Result<usize, RunnerError> {
    let mut meta: Option<SweepMeta> = None;
    let mut scenario_toml: Option<Vec<u8>> = None;
    for s in shards {
        let p = s.join("sweep.json");
        let text = fs::read_to_string(&p).map_err(|e| RunnerError::io("read", &p, e))?;
        let m: SweepMeta = serde_json::from_str(&text)
            .map_err(|e| RunnerError::Usage(format!("{}: not a sweep.json: {e}", p.display())))?;
        if let Some(first) = &meta {
            if first.digest != m.digest {
                return Err(RunnerError::Usage(format!(
                    "{} belongs to another sweep (digest {} vs {})",
                    s.display(),
                    m.digest,
                    first.digest
                )));
            }
        } else {
            let t = s.join("scenario.toml");
            scenario_toml = Some(fs::read(&t).map_err(|e| RunnerError::io("read", &t, e))?);
            meta = Some(m);
        }
    }
    let meta =
        meta.ok_or_else(|| RunnerError::Usage("merge needs at least one shard folder".into()))?;
    let runs_dir = out.join("runs");
    fs::create_dir_all(&runs_dir).map_err(|e| RunnerError::io("create", &runs_dir, e))?;
    if let Some(t) = scenario_toml {
        output::write_atomic(&out.join("scenario.toml"), &t)?;
    }
    for s in shards {
        for p in &meta.points {
            for r in 0..meta.replicates {
                let src = run_path(s, p.index, r);
                if read_run(&src, &meta.digest).is_some() {
                    let dst = run_path(out, p.index, r);
                    fs::copy(&src, &dst).map_err(|e| RunnerError::io("copy", &src, e))?;
                }
            }
        }
    }
    let found = assemble(out, &meta)?;
    crate::report::write_report(out)?;
    Ok(found)
}
