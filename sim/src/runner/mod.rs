//! Whole sweeps: every sweep point × replicate, in parallel, with results written in a fixed
//! order. Runs are independent, so thread count and sharding never change a result byte.

mod batch;
mod check;
mod estimate;
mod guard;
mod merge;
mod output;
mod preflight;
mod progress;
pub mod seal;

pub use batch::{run_file, run_files, run_files_locked, scenario_files};
pub use check::{check_file, check_streaming, Checked};
pub use estimate::{estimate, Estimate, Estimator};
pub use guard::{check_existing, clear_runs, result_dir};
pub use merge::{merge, merge_with, MergeSummary};
pub use output::{assemble, read_run, run_path, PointMeta, RunRecord, SweepMeta};
pub use output::{
    emit_points, load_scenario, parse_scenario, publish, read_assembled, saved_runs, table_files,
    SEALED,
};
pub use preflight::{check_references, GraphSize, PointSize, Preflight, SnapshotSize};
pub use progress::{LogLines, LOG_INTERVAL};
pub use seal::rebuild;

use crate::engine::EngineError;
use crate::scenario::{ScenarioError, ScenarioFile, MAX_REPLICATES};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

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
    /// Runs failed; the runs that finished are saved. Names the first failed run in
    /// (point, replicate) order, whatever the thread timing.
    #[error(
        "{failed} of {total} runs failed; the first, point {point}, replicate {replicate} \
         (seed {seed}): {source}. Finished runs are saved; fix the cause and rerun with --resume"
    )]
    Run {
        /// Sweep point.
        point: u32,
        /// Replicate.
        replicate: u32,
        /// The run's seed (as in `runs.jsonl`).
        seed: u64,
        /// Runs that failed.
        failed: usize,
        /// Runs attempted.
        total: usize,
        /// Cause.
        source: EngineError,
    },
    /// Bad command-line value, or a refused output.
    #[error("{0}")]
    Usage(String),
    /// The scenario cannot run as written (a referenced file, roles that do not fit the graph,
    /// a sweep beyond the resource limit).
    #[error("{0}")]
    Invalid(String),
    /// The report could not be written.
    #[error("report: {0}")]
    Report(#[from] crate::report::ReportError),
    /// A result folder's file does not match the digest its `sweep.json` recorded.
    #[error("{0}")]
    Sealed(String),
    /// A result folder could not be written, or another process is writing it.
    #[error(transparent)]
    Output(#[from] crate::outdir::OutError),
    /// Several scenarios ran and some failed; the others were assembled.
    #[error(
        "{failed} of {total} scenarios failed ({names}); the others are assembled. The \
         first, {}: {first}",
        path.display()
    )]
    Scenarios {
        /// Scenarios that failed.
        failed: usize,
        /// Scenarios run.
        total: usize,
        /// Their names.
        names: String,
        /// The first failed scenario's file.
        path: PathBuf,
        /// Its error.
        first: Box<RunnerError>,
    },
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

/// Default of `--max-memory`: 16 GiB, two thirds of a 24 GiB machine.
pub const DEFAULT_MAX_MEMORY_GIB: f64 = 16.0;

/// Most worker threads; more are clamped (as are more threads than runs).
pub const MAX_THREADS: usize = 256;

/// How to run a sweep.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Results go to `<out>/<scenario name>/`.
    pub out: PathBuf,
    /// Worker threads; `None` or `Some(0)`: all cores. Clamped to the runs to execute and to
    /// [`MAX_THREADS`]. Never changes results.
    pub threads: Option<usize>,
    /// Overrides the file's `replicates`.
    pub replicates: Option<u32>,
    /// Overrides the file's `seed`.
    pub seed: Option<u64>,
    /// No progress bar.
    pub quiet: bool,
    /// Keep runs already saved for the same sweep and run only the others.
    pub resume: bool,
    /// Run only share `i` of `n` (runs whose index modulo n is i); skip assembling.
    pub shard: Option<(u32, u32)>,
    /// Refuse a sweep whose estimated peak memory exceeds this many GiB (`None`:
    /// [`DEFAULT_MAX_MEMORY_GIB`]).
    pub max_memory_gib: Option<f64>,
    /// Replace the results of another sweep with the same name in `out`.
    pub overwrite: bool,
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
    /// Runs reused from an earlier execution of the same sweep (`--resume`).
    pub runs_resumed: usize,
}

/// The key a saved run must carry to be reused: SHA-256 of the resolved sweep with every
/// point's replicate count set to 1 and the source file's name and digest left out, so that
/// adding replicates or editing comments keeps finished runs, while any value, the seed or a
/// referenced file's contents (see [`check_references`]) changes it.
pub fn runs_digest(file: &ScenarioFile) -> String {
    let mut key = file.clone();
    key.path = PathBuf::new();
    key.digest = String::new();
    for p in &mut key.points {
        p.scenario.replicates = 1;
    }
    let text = format!("sgsim runs v1\n{}", key.resolved_toml());
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Loads `path` (with the input limit), applies the overrides of `opts`, reads and checks every
/// file it references, and returns the file with its sweep metadata and each point's sizes.
pub fn prepare(
    path: &Path,
    opts: &RunOptions,
) -> Result<(ScenarioFile, SweepMeta, Vec<PointSize>), RunnerError> {
    let text = crate::scenario::read_text(path)?;
    let mut file = output::parse_scenario(&text, path)?;
    if let Some(r) = opts.replicates {
        if r == 0 || u64::from(r) > MAX_REPLICATES {
            return Err(RunnerError::Usage(format!(
                "--replicates must be from 1 to {MAX_REPLICATES}, got {r}"
            )));
        }
    }
    for p in &mut file.points {
        if let Some(seed) = opts.seed {
            p.scenario.seed = seed;
        }
        if let Some(r) = opts.replicates {
            p.scenario.replicates = r;
        }
    }
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let sizes = check_references(&mut file, path, &base_dir)?;
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
        sha256: Default::default(),
        runs_digest: runs_digest(&file),
    };
    Ok((file, meta, sizes))
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

/// Worker threads for `runs` runs: `requested` (0 or `None`: all cores), at most `runs` and
/// [`MAX_THREADS`], at least 1.
pub fn threads_for(requested: Option<usize>, runs: usize) -> usize {
    let all = || rayon::current_num_threads();
    let t = match requested {
        None | Some(0) => all(),
        Some(t) => t,
    };
    t.min(runs).clamp(1, MAX_THREADS)
}

/// Number of runs of this shard (0 for an invalid shard, which [`jobs`] refuses), without
/// listing them.
pub(super) fn job_count(file: &ScenarioFile, shard: Option<(u32, u32)>) -> usize {
    let all: u64 = file
        .points
        .iter()
        .map(|p| u64::from(p.scenario.replicates))
        .sum();
    let share = match shard {
        None => all,
        Some((i, n)) if n > 0 && i < n => {
            all / u64::from(n) + u64::from(all % u64::from(n) > u64::from(i))
        }
        Some(_) => 0,
    };
    usize::try_from(share).unwrap_or(usize::MAX)
}

/// Every (point position, replicate) of this shard, in order.
fn jobs(file: &ScenarioFile, shard: Option<(u32, u32)>) -> Result<Vec<(usize, u32)>, RunnerError> {
    let mut jobs: Vec<(usize, u32)> = Vec::new();
    for (pi, p) in file.points.iter().enumerate() {
        for r in 0..p.scenario.replicates {
            jobs.push((pi, r));
        }
    }
    if let Some((i, n)) = shard {
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
    Ok(jobs)
}

/// Refuses a sweep whose estimated peak memory exceeds the limit of `opts`.
fn check_memory(est: &Estimate, opts: &RunOptions) -> Result<(), RunnerError> {
    let limit = opts.max_memory_gib.unwrap_or(DEFAULT_MAX_MEMORY_GIB);
    let gib = est.peak_bytes / (1024.0 * 1024.0 * 1024.0);
    if gib > limit {
        return Err(RunnerError::Invalid(format!(
            "the sweep would need about {gib:.2} GiB at its peak ({} run(s) at once), above \
             the limit of {limit} GiB; pass --max-memory GIB to raise it, or --threads to run \
             fewer runs at once ({})",
            est.threads,
            est.line()
        )));
    }
    Ok(())
}

/// Runs replicate `r` of point `p`; a panic inside it becomes [`EngineError::Panicked`],
/// naming the command that replays the run (`dir` is the result folder, `name` the sweep's).
fn run_caught(
    bar: &progress::Progress,
    p: &crate::scenario::SweepPoint,
    r: u32,
    base_dir: &Path,
    dir: &Path,
    name: &str,
) -> Result<crate::engine::RunOutput, EngineError> {
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        #[cfg(test)]
        tests::injected_panic(name, p.index, r);
        bar.run(&p.scenario, r, base_dir)
    }));
    caught.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)")
            .to_owned();
        Err(EngineError::Panicked {
            message,
            replay: replay_command(dir, name, p.index, r),
        })
    })
}

/// The commands that rerun replicate `r` of point `point` of the sweep in `dir` by itself: one
/// file for the point (`check --emit`), then its first `r + 1` replicates, the last of which is
/// the run (same seed, scenario and replicate; see [`emit_points`]).
pub fn replay_command(dir: &Path, name: &str, point: u32, r: u32) -> String {
    let replay = dir.join("replay");
    format!(
        "sgsim check {} --emit {} && sgsim run {} --replicates {} --threads 1 --out {}",
        dir.join("scenario.toml").display(),
        replay.display(),
        replay.join(format!("{name}-p{point:05}.toml")).display(),
        r + 1,
        replay.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use std::fs;

    fn file(extra: &str) -> ScenarioFile {
        let text = format!(
            "name = \"t\"\nseed = 3\nreplicates = 2\n{extra}\n[graph]\ngenerator = \"complete\"\n\
             nodes = 5\n"
        );
        scenario::parse(&text, Path::new("t.toml")).unwrap()
    }

    #[test]
    fn the_reuse_key_ignores_replicates_and_the_source_but_not_values_or_references() {
        let base = runs_digest(&file(""));
        let mut more = file("");
        more.points[0].scenario.replicates = 9;
        assert_eq!(runs_digest(&more), base);
        let mut renamed = file("# a comment changes the source digest");
        renamed.path = PathBuf::from("other.toml");
        assert_eq!(runs_digest(&renamed), base);
        let mut seeded = file("");
        seeded.points[0].scenario.seed = u64::MAX;
        let mut seeded2 = file("");
        seeded2.points[0].scenario.seed = u64::MAX - 1;
        assert_ne!(runs_digest(&seeded), runs_digest(&seeded2));
        assert_ne!(runs_digest(&seeded), base);
        let mut referenced = file("");
        referenced.references.push(scenario::Reference {
            key: "graph.path".into(),
            path: "g.txt".into(),
            sha256: "00".into(),
        });
        let with_ref = runs_digest(&referenced);
        referenced.references[0].sha256 = "01".into();
        assert_ne!(with_ref, base);
        assert_ne!(runs_digest(&referenced), with_ref);
    }

    /// Runs (sweep name, point, replicate) that panic on purpose; see [`injected_panic`].
    static INJECTED: std::sync::Mutex<Vec<(String, u32, u32)>> = std::sync::Mutex::new(Vec::new());

    /// Test aid: panics inside the run if a test asked for it.
    pub(super) fn injected_panic(name: &str, point: u32, replicate: u32) {
        let list = INJECTED.lock().unwrap_or_else(|e| e.into_inner());
        if list
            .iter()
            .any(|(n, p, r)| n == name && *p == point && *r == replicate)
        {
            drop(list);
            panic!("invariant: injected by a test (point {point}, replicate {replicate})");
        }
    }

    #[test]
    fn a_panic_in_one_run_is_reported_with_its_replay_and_the_others_are_saved() {
        let d = tempfile::tempdir().unwrap();
        let text = fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/small-sweep.toml"),
        )
        .unwrap()
        .replace("name = \"small-sweep\"", "name = \"panics-once\"");
        let path = d.path().join("panics-once.toml");
        fs::write(&path, text).unwrap();
        INJECTED.lock().unwrap().push(("panics-once".into(), 1, 0));
        let opts = RunOptions {
            out: d.path().join("out"),
            threads: Some(2),
            quiet: true,
            ..RunOptions::default()
        };
        let Err(RunnerError::Run {
            point: 1,
            replicate: 0,
            failed: 1,
            total: 4,
            source: EngineError::Panicked { message, replay },
            ..
        }) = run_file(&path, &opts)
        else {
            panic!("expected point 1 replicate 0 to fail alone with a caught panic");
        };
        assert!(message.contains("injected by a test"), "{message}");
        let dir = d.path().join("out/panics-once");
        let saved: Vec<_> = [(0, 0), (0, 1), (1, 1)]
            .iter()
            .filter(|(p, r)| run_path(&dir, *p, *r).is_file())
            .collect();
        assert_eq!(saved.len(), 3, "the other runs are saved");
        assert!(!run_path(&dir, 1, 0).exists());
        // The replay names a point file that `check --emit` writes, and the run's replicate.
        let file = load_scenario(&dir.join("scenario.toml")).unwrap();
        let emitted = emit_points(&file, &dir.join("replay")).unwrap();
        assert!(
            replay.contains(&emitted[1].display().to_string()),
            "{replay}"
        );
        assert!(replay.contains("--replicates 1 "), "{replay}");
    }

    #[test]
    fn in_a_batch_a_failing_scenario_is_named_and_the_others_are_assembled() {
        let d = tempfile::tempdir().unwrap();
        let small = fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/small-sweep.toml"),
        )
        .unwrap();
        let mut paths = Vec::new();
        for name in ["batch-ok", "batch-fails"] {
            let path = d.path().join(format!("{name}.toml"));
            fs::write(&path, small.replace("small-sweep", name)).unwrap();
            paths.push(path);
        }
        INJECTED.lock().unwrap().push(("batch-fails".into(), 0, 1));
        let opts = RunOptions {
            out: d.path().join("out"),
            threads: Some(2),
            quiet: true,
            ..RunOptions::default()
        };
        let Err(
            e @ RunnerError::Scenarios {
                failed: 1,
                total: 2,
                ..
            },
        ) = run_files(&paths, &opts)
        else {
            panic!("expected one of two scenarios to fail");
        };
        let shown = e.to_string();
        assert!(
            shown.contains("batch-fails.toml") && shown.contains("point 0, replicate 1"),
            "{shown}"
        );
        assert!(d.path().join("out/batch-ok/report.md").is_file());
        assert!(!d.path().join("out/batch-fails/runs.jsonl").exists());
        assert!(run_path(&d.path().join("out/batch-fails"), 1, 1).is_file());
    }

    #[test]
    fn a_failed_run_names_point_replicate_seed_and_how_many_failed() {
        let e = RunnerError::Run {
            point: 2,
            replicate: 3,
            seed: u64::MAX,
            failed: 4,
            total: 6,
            source: EngineError::Scenario {
                nodes: 5,
                violation: scenario::Violation {
                    key: "roles.customers".into(),
                    message: "must not exceed the node count (5), got 10".into(),
                },
            },
        };
        let shown = e.to_string();
        for needle in [
            "4 of 6 runs failed",
            "point 2, replicate 3 (seed 18446744073709551615)",
            "roles.customers",
            "--resume",
        ] {
            assert!(shown.contains(needle), "{shown}");
        }
    }

    #[test]
    fn thread_counts_are_clamped_and_zero_means_all_cores() {
        assert_eq!(threads_for(Some(10_000), 3), 3);
        assert_eq!(threads_for(Some(10_000), 100_000), MAX_THREADS);
        assert_eq!(threads_for(Some(0), 1_000), threads_for(None, 1_000));
        assert_eq!(threads_for(Some(5), 0), 1);
    }
}
