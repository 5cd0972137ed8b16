//! `sgsim run` of one scenario or several: every (scenario, point, replicate) is scheduled on
//! one thread pool, and each scenario's results go to its own folder exactly as a run of it
//! alone would write them. Each folder is locked for the whole command and written only after
//! every scenario was read and checked.

use super::output::{self, publish, read_run, run_path, saved_runs, RunRecord, SweepMeta};
use super::{check_memory, estimate, job_count, jobs, prepare, Estimate, PointSize};
use super::{guard, progress, run_caught, threads_for, RunOptions, RunnerError, SweepResult};
use crate::outdir::{self, FolderLock};
use crate::rng::run_seed;
use crate::scenario::ScenarioFile;
use rayon::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One scenario of the command, read and checked.
struct Planned {
    path: PathBuf,
    file: ScenarioFile,
    meta: SweepMeta,
    sizes: Vec<PointSize>,
    dir: PathBuf,
    base_dir: PathBuf,
    jobs: Vec<(usize, u32)>,
}

/// The scenario files `args` name: each file as given, and for each folder the `*.toml`
/// files directly inside it, sorted by name.
pub fn scenario_files(args: &[PathBuf]) -> Result<Vec<PathBuf>, RunnerError> {
    let mut out = Vec::new();
    for a in args {
        if !a.is_dir() {
            out.push(a.clone());
            continue;
        }
        let entries = fs::read_dir(a).map_err(|e| RunnerError::io("read", a, e))?;
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
            .collect();
        if found.is_empty() {
            return Err(RunnerError::Usage(format!(
                "{} is a folder without scenario files (*.toml)",
                a.display()
            )));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// Reads and checks every scenario; refuses two that would write the same folder.
fn plan(paths: &[PathBuf], opts: &RunOptions) -> Result<Vec<Planned>, RunnerError> {
    let mut planned: Vec<Planned> = Vec::new();
    for path in paths {
        let (file, meta, sizes) = prepare(path, opts)?;
        let dir = guard::result_dir(&opts.out, &meta.name)?;
        if let Some(other) = planned.iter().find(|p| p.dir == dir) {
            return Err(RunnerError::Usage(format!(
                "{} and {} are both named {:?}: their results would share {}; give one \
                 another name",
                other.path.display(),
                path.display(),
                meta.name,
                dir.display()
            )));
        }
        // Refuse before listing the runs: a sweep may hold more runs than memory holds entries.
        let total = job_count(&file, opts.shard);
        check_memory(
            &estimate(&file, &sizes, total, threads_for(opts.threads, total)),
            opts,
        )?;
        let jobs = jobs(&file, opts.shard)?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        planned.push(Planned {
            path: path.clone(),
            file,
            meta,
            sizes,
            dir,
            base_dir,
            jobs,
        });
    }
    Ok(planned)
}

/// The estimate of all scenarios on one pool: the largest run at a time per thread, and the
/// sum of their CPU time.
fn estimate_all(planned: &[Planned], threads: Option<usize>) -> Estimate {
    let total: usize = planned.iter().map(|p| p.jobs.len()).sum();
    let threads = threads_for(threads, total);
    if let [one] = planned {
        return estimate(&one.file, &one.sizes, total, threads);
    }
    let each: Vec<Estimate> = planned
        .iter()
        .map(|p| estimate(&p.file, &p.sizes, p.jobs.len(), 1))
        .collect();
    let run_bytes = each.iter().map(|e| e.run_bytes).fold(0.0, f64::max);
    let threads = threads.clamp(1, total.max(1));
    let cpu_seconds = each.iter().map(|e| e.cpu_seconds).sum::<f64>();
    Estimate {
        runs: total,
        threads,
        run_bytes,
        peak_bytes: run_bytes * threads as f64,
        cpu_seconds,
        seconds: cpu_seconds / threads as f64,
    }
}

/// Locks every result folder and checks what it holds; on refusal, removes the folders this
/// call created (empty ones only).
fn lock_all(planned: &[Planned], opts: &RunOptions) -> Result<Vec<FolderLock>, RunnerError> {
    let mut locks = Vec::new();
    let mut created = Vec::new();
    let result = planned.iter().try_for_each(|p| {
        if !p.dir.exists() {
            fs::create_dir_all(&p.dir).map_err(|e| RunnerError::io("create", &p.dir, e))?;
            created.push(p.dir.clone());
        }
        locks.push(outdir::lock(&p.dir, "sgsim run")?);
        guard::check_existing(&p.dir, &p.meta, opts.overwrite)
    });
    if let Err(e) = result {
        drop(locks);
        for d in created {
            let _ = fs::remove_dir(d);
        }
        return Err(e);
    }
    Ok(locks)
}

/// Runs the sweep of `path`: saves every run, then assembles the sweep files and the report.
pub fn run_file(path: &Path, opts: &RunOptions) -> Result<SweepResult, RunnerError> {
    let (mut results, _locks) = run_files_locked(&[path.to_path_buf()], opts)?;
    Ok(results.remove(0))
}

/// Runs the sweeps of `paths` on one thread pool; see [`run_files_locked`].
pub fn run_files(paths: &[PathBuf], opts: &RunOptions) -> Result<Vec<SweepResult>, RunnerError> {
    run_files_locked(paths, opts).map(|(r, _)| r)
}

/// Runs the sweeps of `paths` (options apply to each) with every run of every sweep on one
/// thread pool, and writes each sweep's folder as [`run_file`] of it alone would. Every
/// scenario is read and checked, and every folder locked, before anything is written.
/// Returns the results in `paths` order and the folders' locks, held until dropped. If runs
/// of some sweeps fail, the others are still assembled and the error names the first.
pub fn run_files_locked(
    paths: &[PathBuf],
    opts: &RunOptions,
) -> Result<(Vec<SweepResult>, Vec<FolderLock>), RunnerError> {
    let planned = plan(paths, opts)?;
    check_memory(&estimate_all(&planned, opts.threads), opts)?;
    let locks = lock_all(&planned, opts)?;
    let mut pending: Vec<(usize, usize, u32)> = Vec::new();
    for (k, p) in planned.iter().enumerate() {
        let runs_dir = p.dir.join("runs");
        fs::create_dir_all(&runs_dir).map_err(|e| RunnerError::io("create", &runs_dir, e))?;
        if !opts.resume {
            guard::clear_runs(&runs_dir)?;
        }
        output::write_atomic(
            &p.dir.join("scenario.toml"),
            p.file.resolved_toml().as_bytes(),
        )?;
        pending.extend(p.jobs.iter().filter_map(|&(pi, r)| {
            let index = p.file.points[pi].index;
            let fresh = !opts.resume
                || read_run(&run_path(&p.dir, index, r), &p.meta.runs_digest).is_none();
            fresh.then_some((k, pi, r))
        }));
    }
    let mut failures = execute(&planned, &pending, opts)?;
    let mut results = Vec::new();
    for (k, p) in planned.iter().enumerate() {
        if failures[k].is_some() {
            continue;
        }
        if opts.shard.is_none() {
            let records = saved_runs(&p.dir, &p.meta);
            check_read_back(p, &records)?;
            publish(&p.dir, &p.meta, &records)?;
        } else {
            let json =
                serde_json::to_string_pretty(&p.meta).expect("invariant: sweep meta serialises");
            output::write_atomic(&p.dir.join("sweep.json"), format!("{json}\n").as_bytes())?;
        }
        let executed = pending.iter().filter(|j| j.0 == k).count();
        results.push(SweepResult {
            dir: p.dir.clone(),
            runs_total: p.jobs.len(),
            runs_executed: executed,
            runs_resumed: p.jobs.len() - executed,
        });
    }
    let failed: Vec<usize> = (0..planned.len())
        .filter(|k| failures[*k].is_some())
        .collect();
    let Some(&first) = failed.first() else {
        return Ok((results, locks));
    };
    let error = failures[first]
        .take()
        .expect("invariant: a failed sweep has its error");
    if planned.len() == 1 {
        return Err(error);
    }
    let names: Vec<&str> = failed
        .iter()
        .map(|k| planned[*k].meta.name.as_str())
        .collect();
    Err(RunnerError::Scenarios {
        failed: failed.len(),
        total: planned.len(),
        names: names.join(", "),
        path: planned[first].path.clone(),
        first: Box::new(error),
    })
}

/// Executes `pending` (sweep, point position, replicate) in parallel and saves each finished
/// run; per sweep, the failure of its first failed run in (point, replicate) order, counting
/// all its failures.
fn execute(
    planned: &[Planned],
    pending: &[(usize, usize, u32)],
    opts: &RunOptions,
) -> Result<Vec<Option<RunnerError>>, RunnerError> {
    let bar = progress::Progress::new(pending.len() as u64, opts.quiet);
    let errors: Mutex<Vec<(usize, u32, u32, RunnerError)>> = Mutex::new(Vec::new());
    let work = || {
        pending.par_iter().for_each(|&(k, pi, r)| {
            if let Err(e) = run_one(&planned[k], pi, r, &bar) {
                let index = planned[k].file.points[pi].index;
                errors
                    .lock()
                    .expect("invariant: no thread panics holding it")
                    .push((k, index, r, e));
            }
            bar.inc(1);
        })
    };
    let threads = threads_for(opts.threads, pending.len());
    crate::engine::leak_finished_worlds(pending.len() <= threads);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunnerError::Usage(format!("cannot start {threads} threads: {e}")))?
        .install(work);
    bar.finish_and_clear();
    let mut errors = errors.into_inner().expect("invariant: no thread panicked");
    errors.sort_by_key(|(k, p, r, _)| (*k, *p, *r));
    let mut out: Vec<Option<RunnerError>> = planned.iter().map(|_| None).collect();
    for (k, _, _, e) in errors {
        let total = pending.iter().filter(|j| j.0 == k).count();
        out[k] = Some(match (out[k].take(), e) {
            (
                None,
                RunnerError::Run {
                    point,
                    replicate,
                    seed,
                    source,
                    ..
                },
            ) => RunnerError::Run {
                point,
                replicate,
                seed,
                failed: 1,
                total,
                source,
            },
            (
                Some(RunnerError::Run {
                    point,
                    replicate,
                    seed,
                    failed,
                    total,
                    source,
                }),
                _,
            ) => RunnerError::Run {
                point,
                replicate,
                seed,
                failed: failed + 1,
                total,
                source,
            },
            (Some(first), _) => first,
            (None, other) => other,
        });
    }
    Ok(out)
}

/// Refuses to assemble a sweep whose every run finished but some saved run does not read back
/// as a run of this sweep (no table is written then), naming the first such file and why.
fn check_read_back(p: &Planned, records: &[RunRecord]) -> Result<(), RunnerError> {
    if records.len() == p.jobs.len() {
        return Ok(());
    }
    let missing = p.jobs.iter().find_map(|&(pi, r)| {
        let point = p.file.points[pi].index;
        let found = records.iter().any(|x| x.point == point && x.replicate == r);
        (!found).then(|| run_path(&p.dir, point, r))
    });
    let why = missing.as_ref().map_or_else(String::new, |path| {
        match fs::read_to_string(path).map(|t| serde_json::from_str::<RunRecord>(&t)) {
            Err(e) => format!("{}: {e}", path.display()),
            Ok(Err(e)) => format!("{}: {e}", path.display()),
            Ok(Ok(_)) => format!("{}: a run of another sweep", path.display()),
        }
    });
    Err(RunnerError::Invalid(format!(
        "{} of {} runs finished but do not read back as runs of this sweep, so nothing was \
         assembled; the first: {why}",
        p.jobs.len() - records.len(),
        p.jobs.len()
    )))
}

/// Runs replicate `r` of point position `pi` of sweep `p` and saves it.
fn run_one(p: &Planned, pi: usize, r: u32, bar: &progress::Progress) -> Result<(), RunnerError> {
    let point = &p.file.points[pi];
    let seed = run_seed(point.scenario.seed, r);
    let out = run_caught(bar, point, r, &p.base_dir, &p.dir, &p.meta.name).map_err(|source| {
        RunnerError::Run {
            point: point.index,
            replicate: r,
            seed,
            failed: 1,
            total: 1,
            source,
        }
    })?;
    let rec = RunRecord {
        point: point.index,
        replicate: r,
        seed,
        params: point.params.clone(),
        sweep_digest: p.meta.runs_digest.clone(),
        trace_sha256: out.trace_sha256,
        metrics: out.metrics,
    };
    let json = serde_json::to_string(&rec).expect("invariant: records serialise");
    output::write_atomic(&run_path(&p.dir, point.index, r), json.as_bytes())
}
