//! `sgsim`: run Sweet-Gossip scenarios and get reproducible measurements and reports.

use clap::{Parser, Subcommand};
use sgsim::runner::{self, RunOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Deterministic simulator and research harness for the Sweet-Gossip protocol.
#[derive(Parser)]
#[command(name = "sgsim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every sweep point × replicate of one or more scenarios; write each one's results
    /// and report to OUT/<scenario name>/.
    #[command(after_help = RUN_HELP)]
    Run {
        /// Scenario files (TOML), or folders whose *.toml files are run; all their runs share
        /// one pool of threads.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Worker threads (default or 0: all cores; clamped to the runs and to 256); never
        /// changes results.
        #[arg(long)]
        threads: Option<usize>,
        /// Replicates per sweep point, overriding the file.
        #[arg(long)]
        replicates: Option<u32>,
        /// Scenario seed, overriding the file.
        #[arg(long)]
        seed: Option<u64>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Keep runs saved by an earlier, interrupted run of the same sweep; run the rest.
        #[arg(long)]
        resume: bool,
        /// Run only shard I of N (e.g. 2/8); combine shards with `sgsim merge`.
        #[arg(long, value_parser = parse_shard)]
        shard: Option<(u32, u32)>,
        /// Refuse a sweep whose estimated peak memory exceeds this many GiB (default 16).
        #[arg(long, value_name = "GIB", value_parser = parse_gib)]
        max_memory: Option<f64>,
        /// Replace results of another sweep with the same name in OUT (default: refuse).
        #[arg(long)]
        overwrite: bool,
        /// Also replay every run traced and keep its trace, node table, graph and pictures
        /// under OUT/<name>/trace/pPPPPP-rRRRRR/ (see `sgsim inspect`).
        #[arg(long)]
        trace: bool,
        /// Refuse input files (scenario, edge lists, Lightning snapshots) above this many MiB
        /// (default 256).
        #[arg(long, value_name = "MIB", value_parser = parse_mib)]
        max_input_mib: Option<u64>,
    },
    /// Validate a scenario and print it resolved, with every default filled in.
    #[command(after_help = CHECK_HELP)]
    Check {
        /// The scenario file (TOML), or a result folder's scenario.toml.
        scenario: PathBuf,
        /// Also write one runnable scenario file per sweep point, DIR/<name>-pNNNNN.toml.
        #[arg(long, value_name = "DIR")]
        emit: Option<PathBuf>,
        /// Refuse input files (scenario, edge lists, Lightning snapshots) above this many MiB
        /// (default 256).
        #[arg(long, value_name = "MIB", value_parser = parse_mib)]
        max_input_mib: Option<u64>,
    },
    /// List graph generators, fanout policies, latency models, attacks and their parameters;
    /// `list metrics` defines every run metric.
    #[command(after_help = LIST_HELP)]
    List {
        /// What to list instead of the scenario catalogue.
        #[command(subcommand)]
        what: Option<ListWhat>,
    },
    /// Regenerate the report of a result folder from its result files alone.
    #[command(after_help = REPORT_HELP)]
    Report {
        /// A result folder, e.g. reports/quickstart.
        dir: PathBuf,
        /// First rewrite the folder's tables (runs.csv, summary.csv, paired.csv, coverage.csv,
        /// runs.jsonl, sweep.json) from its runs.jsonl and coverage.csv (or runs/), without
        /// simulating: brings a folder written by an older version to the current format.
        #[arg(long)]
        rebuild: bool,
        /// Also write a PNG (1600 × 1000) next to each SVG, for papers; text uses the
        /// system's fonts, so PNGs are not byte-reproducible across machines.
        #[arg(long)]
        png: bool,
        /// Write nothing: re-derive the report's claims from DIR's runs.jsonl, summary.csv and
        /// paired.csv, check them and those of DIR/claims.json against the data, print every
        /// contradiction and exit non-zero if there is one.
        #[arg(long, conflicts_with_all = ["rebuild", "png"])]
        check_claims: bool,
    },
    /// Run the validation-against-theory checks and the parameter sweeps of their figures;
    /// write OUT/validation/report.md and its SVGs; exit non-zero if a check fails.
    #[command(after_help = VALIDATE_HELP)]
    Validate {
        /// Output folder.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Folder holding the validation scenarios.
        #[arg(long, default_value = "scenarios/validation")]
        scenarios: PathBuf,
    },
    /// Replay one run of a result folder, verify its trace hash and metrics against
    /// runs.jsonl, and write its trace.jsonl, nodes.csv, graph.graphml and pictures to OUT.
    #[command(after_help = INSPECT_HELP)]
    Inspect {
        /// A result folder, e.g. reports/quickstart.
        dir: PathBuf,
        /// Sweep point.
        #[arg(long)]
        point: u32,
        /// Replicate.
        #[arg(long)]
        replicate: u32,
        /// Folder to write the files to.
        #[arg(long)]
        out: PathBuf,
        /// Print this node's inputs and outputs (trace.jsonl lines).
        #[arg(long)]
        node: Option<u32>,
        /// Draw pictures of this topic only (index in broadcast order, from 0).
        #[arg(long)]
        topic: Option<usize>,
        /// Folder that relative paths in the scenario (edge lists) are resolved against.
        #[arg(long, default_value = ".")]
        base_dir: PathBuf,
        /// Also copy the propagation picture of the topic (default 0) into DIR as inside.svg
        /// and regenerate DIR/report.md, which then shows it.
        #[arg(long)]
        report: bool,
    },
    /// Combine shard result folders into one result folder, as one unsharded run would write.
    #[command(after_help = MERGE_HELP)]
    Merge {
        /// Output result folder.
        #[arg(long)]
        out: PathBuf,
        /// Shard result folders.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Merge even when runs of the sweep are missing (they are listed).
        #[arg(long)]
        allow_partial: bool,
        /// Replace results of another sweep, or other files, in OUT (default: refuse).
        #[arg(long)]
        overwrite: bool,
    },
}

const RUN_HELP: &str = "\
The scenario's `name` picks the result folder: results go to OUT/<name>/ (default reports/<name>/).

Examples:
  sgsim run scenarios/quickstart.toml                       # -> reports/quickstart/report.md
  sgsim run scenarios/quickstart.toml --out results --replicates 3 --seed 7
  sgsim run scenarios/quickstart.toml --resume              # keep finished runs, run the rest
  sgsim run reports/quickstart/scenario.toml --out again    # rerun a result folder as is
  sgsim run scenarios/fanout-comparison.toml --shard 0/4 --out shards/0 --quiet
  sgsim run scenarios/quickstart.toml scenarios/attacks/  # several scenarios, one thread pool

Several scenarios (files, or folders of *.toml files) run as one batch: every run of every
scenario is scheduled on one pool of threads, and each scenario's folder gets exactly the
files a run of it alone writes. A result folder is locked while it is written; a second sgsim
writing the same folder is refused and told the PID of the first.";

const CHECK_HELP: &str = "\
Examples:
  sgsim check scenarios/quickstart.toml                     # print every key with its default
  sgsim check scenarios/quickstart.toml --emit points/      # points/quickstart-p00000.toml, ...
  sgsim check reports/quickstart/scenario.toml              # a result folder's resolved sweep";

const LIST_HELP: &str = "\
Examples:
  sgsim list                 # generators, fanout policies, latency models, attacks
  sgsim list metrics         # every metric key: unit, scope and exact definition
  sgsim list metrics --json  # the same as JSON, as in every result folder's metrics.json";

const REPORT_HELP: &str = "\
Examples:
  sgsim report reports/quickstart             # rewrite report.md and the plots
  sgsim report reports/quickstart --rebuild   # also rewrite the tables, without simulating
  sgsim report reports/quickstart --png       # also a PNG of each plot, for papers
  sgsim report reports/quickstart --check-claims   # check the report's claims, write nothing";

const VALIDATE_HELP: &str = "\
Examples:
  sgsim validate                              # -> reports/validation/report.md
  sgsim validate --out /tmp/v --scenarios scenarios/validation";

const MERGE_HELP: &str = "\
Examples:
  sgsim merge --out reports/fanout-comparison shards/*/fanout-comparison
  sgsim merge --out merged --allow-partial shards/0/fanout-comparison   # some shards missing
  sgsim merge --out reports/fanout-comparison --overwrite shards/*/fanout-comparison";

const INSPECT_HELP: &str = "\
Examples:
  sgsim inspect reports/quickstart --point 0 --replicate 0 --out inside
  sgsim inspect reports/quickstart --point 1 --replicate 3 --out inside --topic 0
  sgsim inspect reports/quickstart --point 0 --replicate 0 --out inside --node 417  # one node's log
  sgsim inspect reports/quickstart --point 0 --replicate 0 --out inside --report   # adds inside.svg

The replay must reproduce the recorded run: same seed, same trace hash, same metrics; any
difference is an error naming the file and what differs. --node and --topic must name a node
and a topic of the run.";

#[derive(Subcommand)]
enum ListWhat {
    /// Every run metric of `runs.jsonl`: name, unit, scope and exact definition.
    Metrics {
        /// Print the catalogue as JSON (name, unit, range, scope, definition, and for a
        /// family its regular expression and keys): the bytes of every result folder's
        /// metrics.json.
        #[arg(long)]
        json: bool,
    },
}

fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let (i, n) = s.split_once('/').ok_or("expected I/N, e.g. 0/4")?;
    let i: u32 = i
        .trim()
        .parse()
        .map_err(|_| format!("shard index {i:?} is not a number"))?;
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("shard count {n:?} is not a number"))?;
    if n == 0 || i >= n {
        return Err(format!("need 0 <= I < N, got {i}/{n}"));
    }
    Ok((i, n))
}

fn parse_gib(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!(
            "expected a number of GiB above 0, such as 16 or 0.5, got {s:?}"
        )),
    }
}

fn parse_mib(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(v) if (1..=1 << 30).contains(&v) => Ok(v),
        _ => Err(format!(
            "expected a whole number of MiB from 1 to 1073741824, such as 1024, got {s:?}"
        )),
    }
}

impl Command {
    /// `--max-input-mib`, for the commands that read scenario inputs.
    fn max_input_mib(&self) -> Option<u64> {
        match self {
            Command::Run { max_input_mib, .. } | Command::Check { max_input_mib, .. } => {
                *max_input_mib
            }
            _ => None,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(mib) = cli.command.max_input_mib() {
        sgsim::input::set_max_bytes(mib.saturating_mul(1024 * 1024));
    }
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn execute(command: Command) -> Result<(), String> {
    match command {
        Command::Run {
            scenarios,
            out,
            threads,
            replicates,
            seed,
            quiet,
            resume,
            shard,
            max_memory,
            overwrite,
            trace,
            ..
        } => {
            let opts = RunOptions {
                out,
                threads,
                replicates,
                seed,
                quiet,
                resume,
                shard,
                max_memory_gib: max_memory,
                overwrite,
            };
            run(&scenarios, &opts, trace)
        }
        Command::Check { scenario, emit, .. } => check(&scenario, emit.as_deref()),
        Command::List { what: None } => {
            print!("{}", list());
            Ok(())
        }
        Command::List {
            what: Some(ListWhat::Metrics { json }),
        } => {
            list_metrics(json);
            Ok(())
        }
        cmd @ Command::Report { .. } => report(cmd),
        Command::Inspect {
            dir,
            point,
            replicate,
            out,
            node,
            topic,
            base_dir,
            report,
        } => {
            let opts = sgsim::inspect::InspectOptions {
                point,
                replicate,
                topic,
                node,
                base_dir,
                report,
            };
            inspect(&dir, &out, &opts)
        }
        Command::Validate { out, scenarios } => validate(&out, &scenarios),
        Command::Merge {
            out,
            shards,
            allow_partial,
            overwrite,
        } => merge(&out, &shards, allow_partial, overwrite),
    }
}

/// `sgsim merge`: shard folders combined into `out`.
fn merge(
    out: &Path,
    shards: &[PathBuf],
    allow_partial: bool,
    overwrite: bool,
) -> Result<(), String> {
    let m = runner::merge_with(out, shards, allow_partial, overwrite).map_err(|e| e.to_string())?;
    let report = out.join("report.md");
    eprintln!(
        "merged {} of {} runs -> {}",
        m.found,
        m.expected,
        report.display()
    );
    Ok(())
}

/// `sgsim list metrics [--json]`: the metric catalogue as text or JSON.
fn list_metrics(json: bool) {
    if json {
        print!("{}", sgsim::definitions::render_json());
    } else {
        print!("{}", sgsim::definitions::render());
    }
}

/// `sgsim run`: the sweeps, then their traces with `--trace`, each folder locked throughout.
fn run(args: &[PathBuf], opts: &RunOptions, trace: bool) -> Result<(), String> {
    let paths = runner::scenario_files(args).map_err(|e| e.to_string())?;
    // The process ends after the batch: a world may be left for the OS to reclaim.
    sgsim::engine::exit_follows_runs();
    let (results, _locks) = runner::run_files_locked(&paths, opts).map_err(|e| e.to_string())?;
    for r in &results {
        if !opts.quiet {
            let last = if opts.shard.is_some() {
                "runs"
            } else {
                "report.md"
            };
            eprintln!(
                "{} runs ({} executed, {} reused) -> {}",
                r.runs_total,
                r.runs_executed,
                r.runs_resumed,
                r.dir.join(last).display()
            );
        }
    }
    if trace {
        for (r, path) in results.iter().zip(&paths) {
            let base = path.parent().unwrap_or(Path::new(""));
            let n =
                sgsim::inspect::trace_all(&r.dir, base, opts.threads).map_err(|e| e.to_string())?;
            if !opts.quiet {
                eprintln!("{n} runs traced -> {}", r.dir.join("trace").display());
            }
        }
    }
    Ok(())
}

/// `sgsim check`: the resolved sweep to stdout (point by point), its estimate to stderr, point
/// files on request.
fn check(scenario: &Path, emit: Option<&Path>) -> Result<(), String> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let checked = runner::check_streaming(scenario, &mut out, emit).map_err(|e| e.to_string())?;
    std::io::Write::flush(&mut out).map_err(|e| e.to_string())?;
    eprintln!("{}", checked.estimate.line());
    if let Some(dir) = emit {
        eprintln!(
            "{} scenario files -> {}",
            checked.emitted.len(),
            dir.display()
        );
    }
    Ok(())
}

/// `sgsim report --check-claims`: every contradiction between DIR's claims and its data.
fn check_claims(dir: &Path) -> Result<(), String> {
    let check = sgsim::report::check_claims(dir).map_err(|e| e.to_string())?;
    for c in &check.contradictions {
        println!("{c}");
    }
    if check.is_ok() {
        println!(
            "{}: {} claims checked, none contradicts the data",
            dir.display(),
            check.claims
        );
        Ok(())
    } else {
        Err(format!(
            "{}: {} of the claims' conditions contradict the data",
            dir.display(),
            check.contradictions.len()
        ))
    }
}

/// `sgsim report`: the folder checked against its seal, its report (and tables) rewritten; or
/// only its claims checked.
fn report(cmd: Command) -> Result<(), String> {
    let Command::Report {
        dir,
        rebuild,
        png,
        check_claims: check,
    } = cmd
    else {
        return Err("internal: not a report command".to_owned());
    };
    if check {
        return check_claims(&dir);
    }
    let (files, notes) =
        runner::seal::report_folder(&dir, rebuild, png).map_err(|e| e.to_string())?;
    notes.iter().for_each(|n| eprintln!("note: {n}"));
    files.iter().for_each(|f| println!("{}", f.display()));
    Ok(())
}

/// `sgsim inspect`: the verified replay's files, or one node's log with `--node`.
fn inspect(dir: &Path, out: &Path, opts: &sgsim::inspect::InspectOptions) -> Result<(), String> {
    let done = sgsim::inspect::inspect(dir, out, opts).map_err(|e| e.to_string())?;
    let status = format!(
        "trace_sha256 {} and metrics verified",
        done.trace.trace_sha256
    );
    let Some(n) = opts.node else {
        println!("{status}");
        done.files.iter().for_each(|f| println!("{}", f.display()));
        return Ok(());
    };
    eprintln!("{status}");
    for line in sgsim::inspect::node_log(&done.trace, n) {
        println!("{line}");
    }
    Ok(())
}

fn validate(out: &std::path::Path, scenarios: &std::path::Path) -> Result<(), String> {
    use sgsim::validation;
    let outcomes = validation::run_all(scenarios).map_err(|e| e.to_string())?;
    let figures = validation::run_sweeps(scenarios).map_err(|e| e.to_string())?;
    let path = validation::write_report(out, &outcomes, &figures).map_err(|e| e.to_string())?;
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.pass())
        .map(|o| o.kind.stem())
        .collect();
    eprintln!("{} checks -> {}", outcomes.len(), path.display());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("validation failed: {}", failed.join(", ")))
    }
}

fn list() -> String {
    use std::fmt::Write as _;
    let mut s = String::from("Graph generators ([graph] generator = ...)\n");
    for g in sgsim::graph::generator_catalogue() {
        let _ = writeln!(s, "  {:<16} {}", g.name, g.summary);
        for (k, v) in &g.params {
            let _ = writeln!(s, "      {k:<14} {v}");
        }
    }
    for group in sgsim::scenario::catalogue() {
        let _ = writeln!(
            s,
            "\n{} ({} = ..., default {})",
            group.title, group.key, group.default
        );
        for e in group.entries {
            let _ = writeln!(s, "  {:<16} {}", e.name, e.summary);
            for p in e.params {
                let _ = writeln!(
                    s,
                    "      {:<24} (default {}) {}",
                    p.key, p.default, p.meaning
                );
            }
        }
    }
    s.push_str("\nRun metrics: `sgsim list metrics` defines every key of runs.jsonl.\n");
    s
}
