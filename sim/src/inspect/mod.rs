//! Looking inside one run: replay it from a result folder, verify its trace hash against
//! `runs.jsonl`, and write its event trace, per-node table, graph and pictures
//! (`docs/inspect.md`).
//!
//! A replay is the run itself: the engine is deterministic, so the same resolved scenario,
//! point and replicate give the same events. The recorded `trace_sha256` proves it; a replay
//! whose hash differs is refused ([`InspectError::HashMismatch`]).

mod compare;
mod files;

pub use crate::record::{
    frame_kind, kind_name, receipt_s, Outcome, PaymentAttempt, Receipt, Recorder, ScoreRow,
    SendFate, SendLine, TopicTrace, Trace, TraceLine, KINDS,
};
pub use files::{
    graphml, send_line_json, trace_line_json, write_nodes, write_payments, write_reputation,
    write_trace, NODES_HEADER, PAYMENTS_HEADER, REPUTATION_HEADER,
};

use crate::engine::{run_traced, EngineError};
use crate::rng::run_seed;
use crate::scenario::{self, ScenarioError, ScenarioFile};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// Why a run could not be inspected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InspectError {
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
    /// `nodes.csv` could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
    /// The result folder's `scenario.toml` is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The run could not be set up.
    #[error("replay of point {point}, replicate {replicate}: {source}")]
    Engine {
        /// Sweep point.
        point: u32,
        /// Replicate.
        replicate: u32,
        /// Cause.
        source: EngineError,
    },
    /// The result folder does not hold the run asked for, or holds it malformed.
    #[error("{0}")]
    NotFound(String),
    /// Bad command-line value.
    #[error("{0}")]
    Usage(String),
    /// The replay runs another seed than the recorded run: the folder's `scenario.toml` or
    /// the record's seed was changed.
    #[error(
        "{}: point {point}, replicate {replicate}: the run was recorded with seed {recorded}, \
         but the folder's scenario.toml gives this run seed {replayed}, so the replay is \
         another run; scenario.toml or the recorded seed was edited after the run",
        file.display()
    )]
    SeedMismatch {
        /// The file holding the recorded seed.
        file: PathBuf,
        /// Sweep point.
        point: u32,
        /// Replicate.
        replicate: u32,
        /// The recorded seed.
        recorded: u64,
        /// The replay's seed.
        replayed: u64,
    },
    /// The replay is the recorded run (same trace) but its measurements differ from the
    /// recorded ones: the record was edited, or the metric code changed.
    #[error(
        "{}: point {point}, replicate {replicate}: the replay reproduces the recorded trace \
         (trace_sha256 {trace_sha256}) but not the recorded measurements: {differences}. \
         The record was edited after the run, or the code that measures changed; the \
         recorded values are not what this run measures",
        file.display()
    )]
    MetricMismatch {
        /// The file holding the recorded metrics.
        file: PathBuf,
        /// Sweep point.
        point: u32,
        /// Replicate.
        replicate: u32,
        /// The run's trace hash.
        trace_sha256: String,
        /// Each differing metric with both values.
        differences: String,
    },
    /// The result folder's files do not match its seal (`sweep.json`).
    #[error(transparent)]
    Sealed(#[from] crate::runner::RunnerError),
    /// The replay is not the recorded run.
    #[error(
        "{}: point {point}, replicate {replicate}: the replay's trace hash {replayed} differs \
         from the recorded trace_sha256 {recorded}; the code or an input file changed since \
         the run, so this replay is not that run",
        file.display()
    )]
    HashMismatch {
        /// The file holding the recorded hash.
        file: PathBuf,
        /// Sweep point.
        point: u32,
        /// Replicate.
        replicate: u32,
        /// The recorded hash.
        recorded: String,
        /// The replay's hash.
        replayed: String,
    },
    /// The result folder's report could not be regenerated.
    #[error("report: {0}")]
    Report(#[from] crate::report::ReportError),
    /// A picture could not be drawn.
    #[error("picture {}: {message}", path.display())]
    Plot {
        /// The picture.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl InspectError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        InspectError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What a result folder recorded about one run: enough to check a replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The file it was read from.
    pub file: PathBuf,
    /// The run's seed.
    pub seed: u64,
    /// The run's trace hash.
    pub trace_sha256: String,
    /// The run's recorded scalar metrics (`null` where undefined).
    pub metrics: serde_json::Map<String, serde_json::Value>,
    /// The run's recorded distributions.
    pub distributions: serde_json::Map<String, serde_json::Value>,
}

/// Reads `scenario.toml`, the resolved sweep, of result folder `dir`.
pub fn load_sweep(dir: &Path) -> Result<ScenarioFile, InspectError> {
    let path = dir.join("scenario.toml");
    let text = fs::read_to_string(&path).map_err(|e| InspectError::io("read", &path, e))?;
    Ok(ScenarioFile::from_resolved_toml(&text, &path)?)
}

/// The record of run (`point`, `replicate`) in `file`, a JSON-lines file of run records
/// (`runs.jsonl`) or a single run record (`runs/pPPPPP-rRRRRR.json`).
pub fn recorded(file: &Path, point: u32, replicate: u32) -> Result<Recorded, InspectError> {
    let text = fs::read_to_string(file).map_err(|e| InspectError::io("read", file, e))?;
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let bad = |what: &str| {
            InspectError::NotFound(format!("{}, line {}: {what}", file.display(), n + 1))
        };
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| bad(&format!("not JSON: {e}")))?;
        let num = |k: &str| v.get(k).and_then(serde_json::Value::as_u64);
        if num("point") != Some(u64::from(point)) || num("replicate") != Some(u64::from(replicate))
        {
            continue;
        }
        let seed = num("seed").ok_or_else(|| bad("no unsigned integer `seed`"))?;
        let hash = v.get("trace_sha256").and_then(serde_json::Value::as_str);
        let hash = hash.ok_or_else(|| bad("no string `trace_sha256`"))?;
        let table = |k: &str| match v.get(k) {
            Some(serde_json::Value::Object(m)) => Ok(m.clone()),
            _ => Err(bad(&format!("no object `{k}`"))),
        };
        return Ok(Recorded {
            file: file.to_path_buf(),
            seed,
            trace_sha256: hash.to_owned(),
            metrics: table("metrics")?,
            distributions: table("distributions")?,
        });
    }
    Err(InspectError::NotFound(format!(
        "{} has no run with point {point} and replicate {replicate}",
        file.display()
    )))
}

/// Replays run (`point`, `replicate`) of `sweep` and checks it against `expected`: same seed,
/// same trace hash, same metrics and distributions (bit for bit). `base_dir` resolves relative
/// paths (edge lists) in the scenario.
pub fn replay(
    sweep: &ScenarioFile,
    point: u32,
    replicate: u32,
    expected: &Recorded,
    base_dir: &Path,
) -> Result<Trace, InspectError> {
    let p = sweep_point(sweep, point, replicate)?;
    let seed = run_seed(p.scenario.seed, replicate);
    if seed != expected.seed {
        return Err(InspectError::SeedMismatch {
            file: expected.file.clone(),
            point,
            replicate,
            recorded: expected.seed,
            replayed: seed,
        });
    }
    let engine = |source| InspectError::Engine {
        point,
        replicate,
        source,
    };
    let (out, trace) = run_traced(&p.scenario, replicate, base_dir).map_err(engine)?;
    let replayed = hash_of(&trace.rec.lines);
    debug_assert_eq!(
        replayed, trace.trace_sha256,
        "trace.jsonl is what is hashed"
    );
    if replayed != expected.trace_sha256 {
        return Err(InspectError::HashMismatch {
            file: expected.file.clone(),
            point,
            replicate,
            recorded: expected.trace_sha256.clone(),
            replayed,
        });
    }
    let differences = compare::differences(&out.metrics, expected);
    if !differences.is_empty() {
        return Err(InspectError::MetricMismatch {
            file: expected.file.clone(),
            point,
            replicate,
            trace_sha256: replayed,
            differences,
        });
    }
    Ok(trace)
}

/// Sweep point `point` of `sweep`, checked to have replicate `replicate`.
fn sweep_point(
    sweep: &ScenarioFile,
    point: u32,
    replicate: u32,
) -> Result<&scenario::SweepPoint, InspectError> {
    let points = sweep.points.len();
    let p = sweep
        .points
        .iter()
        .find(|p| p.index == point)
        .ok_or_else(|| {
            InspectError::NotFound(format!(
                "{}: no sweep point {point}; allowed: 0 to {}",
                sweep.path.display(),
                points.saturating_sub(1)
            ))
        })?;
    if replicate >= p.scenario.replicates {
        return Err(InspectError::NotFound(format!(
            "{}: no replicate {replicate}; allowed: 0 to {}",
            sweep.path.display(),
            p.scenario.replicates.saturating_sub(1)
        )));
    }
    Ok(p)
}

/// `trace_sha256` recomputed from trace lines: SHA-256 over each line's
/// [`TraceLine::hashed_bytes`], in order, hex.
pub fn hash_of(lines: &[TraceLine]) -> String {
    let mut h = Sha256::new();
    for l in lines {
        h.update(l.hashed_bytes());
    }
    hex::encode(h.finalize())
}

/// The trace lines of node `node`'s inputs (events for it) and outputs (frames it sent that
/// were delivered or lost offline), as `trace.jsonl` lines.
pub fn node_log(trace: &Trace, node: u32) -> Vec<String> {
    trace
        .rec
        .lines
        .iter()
        .filter(|l| l.node == node || l.peer == Some(node))
        .map(trace_line_json)
        .collect()
}

/// Writes `trace.jsonl`, `nodes.csv`, `graph.graphml` and the pictures of `trace` to `out`
/// (created if missing); pictures for topic `topic` only when given, else for every topic.
/// Returns the files written.
pub fn write_all(
    trace: &Trace,
    out: &Path,
    topic: Option<usize>,
) -> Result<Vec<PathBuf>, InspectError> {
    if let Some(t) = topic {
        if t >= trace.rec.topics.len() {
            return Err(InspectError::NotFound(format!(
                "--topic {t}: the run has {} topics; allowed: 0 to {}",
                trace.rec.topics.len(),
                trace.rec.topics.len().saturating_sub(1)
            )));
        }
    }
    fs::create_dir_all(out).map_err(|e| InspectError::io("create", out, e))?;
    let mut written = vec![out.join("trace.jsonl"), out.join("nodes.csv")];
    write_trace(&written[0], trace)?;
    write_nodes(&written[1], trace)?;
    if trace.rec.payments.is_some() {
        let path = out.join("payments.csv");
        write_payments(&path, trace)?;
        written.push(path);
    }
    if trace.rec.reputation.is_some() {
        let path = out.join("reputation.csv");
        write_reputation(&path, trace)?;
        written.push(path);
    }
    let g = out.join("graph.graphml");
    crate::outdir::write_atomic(&g, graphml(trace).as_bytes())
        .map_err(crate::runner::RunnerError::from)?;
    written.push(g);
    written.extend(crate::report::plot::run::draw_all(trace, out, topic).map_err(picture_error)?);
    Ok(written)
}

/// A picture's failure as the inspect error it always was.
fn picture_error(e: crate::report::ReportError) -> InspectError {
    match e {
        crate::report::ReportError::Plot { path, message } => InspectError::Plot { path, message },
        crate::report::ReportError::Io {
            action,
            path,
            source,
        } => InspectError::Io {
            action,
            path,
            source,
        },
        other => InspectError::Report(other),
    }
}

/// What `sgsim inspect` is asked for.
#[derive(Debug, Clone, Default)]
pub struct InspectOptions {
    /// Sweep point.
    pub point: u32,
    /// Replicate.
    pub replicate: u32,
    /// Draw pictures of this topic only.
    pub topic: Option<usize>,
    /// The node whose inputs and outputs are asked for (checked to be in the run).
    pub node: Option<u32>,
    /// Resolves relative paths (edge lists) in the scenario.
    pub base_dir: PathBuf,
    /// Also copy the topic's propagation picture into the result folder as
    /// [`crate::report::plot::run::REPORT_PICTURE`] and regenerate its report.
    pub report: bool,
}

/// A verified replay and the files written from it.
#[derive(Debug)]
pub struct Inspected {
    /// The replayed run; its hash equals the recorded one.
    pub trace: Trace,
    /// Files written.
    pub files: Vec<PathBuf>,
}

/// `sgsim inspect`: replays a run of result folder `dir`, verifies it against `runs.jsonl`,
/// and writes its files to `out` (see [`write_all`]).
pub fn inspect(dir: &Path, out: &Path, opts: &InspectOptions) -> Result<Inspected, InspectError> {
    let sweep = load_sweep(dir)?;
    if dir.join("sweep.json").is_file() {
        let meta = crate::runner::seal::read_meta(dir)?;
        crate::runner::seal::check_scenario(dir, &meta)?;
    }
    sweep_point(&sweep, opts.point, opts.replicate)?;
    let expected = recorded(&dir.join("runs.jsonl"), opts.point, opts.replicate)?;
    let trace = replay(
        &sweep,
        opts.point,
        opts.replicate,
        &expected,
        &opts.base_dir,
    )?;
    check_node(&trace, opts.node)?;
    let mut files = write_all(&trace, out, opts.topic)?;
    if opts.report {
        let _lock = crate::outdir::lock(dir, "sgsim inspect --report")
            .map_err(crate::runner::RunnerError::from)?;
        files.extend(add_to_report(dir, &trace, opts)?);
    }
    Ok(Inspected { trace, files })
}

/// Refuses a node the run does not have.
fn check_node(trace: &Trace, node: Option<u32>) -> Result<(), InspectError> {
    let n = trace.node_count();
    match node {
        Some(k) if k as usize >= n => Err(InspectError::NotFound(format!(
            "--node {k}: the run has {n} nodes (Sybils included); allowed: 0 to {}",
            n.saturating_sub(1)
        ))),
        _ => Ok(()),
    }
}

/// Writes the propagation picture of `opts.topic` (default 0) of `trace` into result folder
/// `dir` as [`crate::report::plot::run::REPORT_PICTURE`] and regenerates the folder's report,
/// which shows it. Returns the files written.
pub fn add_to_report(
    dir: &Path,
    trace: &Trace,
    opts: &InspectOptions,
) -> Result<Vec<PathBuf>, InspectError> {
    use crate::report::plot::run::{propagation, REPORT_PICTURE};
    let k = opts.topic.unwrap_or(0);
    if k >= trace.rec.topics.len() {
        return Err(InspectError::NotFound(format!(
            "--report: the run has no topic {k}"
        )));
    }
    let path = dir.join(REPORT_PICTURE);
    let label = format!(
        "Point {}, replicate {}, topic {k}",
        opts.point, opts.replicate
    );
    let svg = propagation(trace, k, &label).map_err(|message| InspectError::Plot {
        path: path.clone(),
        message,
    })?;
    crate::outdir::write_atomic(&path, svg.as_bytes()).map_err(crate::runner::RunnerError::from)?;
    let mut files = vec![path];
    files.extend(crate::report::write_report(dir)?);
    Ok(files)
}

/// The folder `sgsim run --trace` writes run (`point`, `replicate`) to.
pub fn trace_dir(dir: &Path, point: u32, replicate: u32) -> PathBuf {
    dir.join("trace")
        .join(format!("p{point:05}-r{replicate:05}"))
}

/// Replays every saved run of result folder `dir` (`runs/`), verifies each against its saved
/// record and writes its files to [`trace_dir`]; runs in parallel, each writing its own folder.
/// `threads` worker threads (default: all cores). Returns how many runs were traced.
pub fn trace_all(
    dir: &Path,
    base_dir: &Path,
    threads: Option<usize>,
) -> Result<usize, InspectError> {
    let sweep = load_sweep(dir)?;
    let mut jobs = Vec::new();
    for p in &sweep.points {
        for r in 0..p.scenario.replicates {
            let file = crate::runner::run_path(dir, p.index, r);
            if file.exists() {
                jobs.push((p.index, r, file));
            }
        }
    }
    let work = || {
        jobs.par_iter()
            .map(|(p, r, file)| {
                let expected = recorded(file, *p, *r)?;
                let trace = replay(&sweep, *p, *r, &expected, base_dir)?;
                write_all(&trace, &trace_dir(dir, *p, *r), None).map(|_| ())
            })
            .collect::<Result<Vec<()>, InspectError>>()
    };
    match threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build()
            .map_err(|e| InspectError::Usage(format!("--threads {t}: cannot start: {e}")))?
            .install(work),
        None => work(),
    }?;
    Ok(jobs.len())
}
