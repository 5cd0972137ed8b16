//! Validation against theory: four checks that run the real simulator ([`crate::engine`]) on
//! the scenarios in `scenarios/validation/` and compare what it measures with a closed-form
//! prediction, with a tolerance derived from the sample size (see `docs/validation.md`).
//!
//! A check is chosen by the scenario file's stem ([`CheckKind::from_stem`]); the check first
//! verifies that the scenario meets the theory's assumptions and returns a
//! [`ValidationError::Assumption`] naming the key otherwise, so a wrong file fails with a
//! message, never a panic or a meaningless comparison.

mod exact;
mod figures;
mod lightning;
mod power;

pub use exact::{conditional_moments, push_reach_distribution};
pub use figures::{draw, figures_markdown, run_sweeps, write_figures, SweepFigure, SweepPoint};
pub use lightning::{
    clopper_pearson, lightning_check, lightning_figure, uniform_liquidity_success, LN_AMOUNTS_SAT,
    LN_CAPACITY_SAT, LN_HOPS, LN_TRIALS,
};
pub use power::{normal_cdf, power_markdown, power_row, pp, TARGET_ERROR, Z80};

use crate::engine::{EngineError, World};
use crate::graph::GraphSpec;
use crate::rng::{stream, Concern};
use crate::scenario::Amount;
use crate::scenario::{
    self, AttackKind, FanoutPolicy, LatencyModel, Scenario, ScenarioError, ScenarioFile,
};
use rayon::prelude::*;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Two-sided 99.9 % quantile of the standard normal distribution, z(0.9995).
pub const Z999: f64 = 3.290_526_731_491_926;

/// Why a validation could not be carried out (a failed comparison is not an error: see
/// [`Outcome::pass`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The scenario file is missing or invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The simulator could not build a run.
    #[error("{file}: {source}")]
    Engine {
        /// The scenario file.
        file: PathBuf,
        /// What went wrong.
        source: EngineError,
    },
    /// The file name names no check.
    #[error("{file}: no validation check is named {stem:?}; expected one of {known}")]
    UnknownCheck {
        /// The scenario file.
        file: PathBuf,
        /// Its stem.
        stem: String,
        /// The known stems, comma separated.
        known: String,
    },
    /// The scenario breaks an assumption of the theory it is compared with.
    #[error("{file}: key {key}: {what}")]
    Assumption {
        /// The scenario file.
        file: PathBuf,
        /// The dotted scenario key.
        key: &'static str,
        /// What the check needs.
        what: String,
    },
    /// The folder of scenarios could not be read, or the report not written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The checks: four tied to a scenario file stem, and the built-in Lightning check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// Fixed fanout k, complete graph: final size π = 1 − e^(−kπ).
    PushFinalSize,
    /// Fanout ceil(ln n + c), complete graph: P(all reached) → e^(−e^(−c_eff)).
    AllReached,
    /// Flood, constant latency: first receipt = BFS distance × per-hop time, exactly.
    FloodBfs,
    /// Probabilistic fanout p, random d-regular graph: bond percolation.
    Percolation,
    /// Lightning payments on a line of channels: the uniform-liquidity success probability.
    LightningLine,
}

impl CheckKind {
    /// Every check, in report order.
    pub const ALL: [CheckKind; 5] = [
        CheckKind::PushFinalSize,
        CheckKind::AllReached,
        CheckKind::FloodBfs,
        CheckKind::Percolation,
        CheckKind::LightningLine,
    ];

    /// True for the checks that run a scenario file (all but the built-in Lightning check).
    pub fn has_file(self) -> bool {
        self != CheckKind::LightningLine
    }

    /// The scenario file stem (`scenarios/validation/<stem>.toml`) of this check.
    pub fn stem(self) -> &'static str {
        match self {
            CheckKind::PushFinalSize => "push-fixed-complete",
            CheckKind::AllReached => "logarithmic-complete",
            CheckKind::FloodBfs => "flood-bfs",
            CheckKind::Percolation => "probabilistic-regular",
            CheckKind::LightningLine => "lightning-line",
        }
    }

    /// The check run on the scenario file of this stem, if any.
    pub fn from_stem(stem: &str) -> Option<CheckKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.has_file() && k.stem() == stem)
    }

    /// One-line statement of the theory checked.
    pub fn title(self) -> &'static str {
        match self {
            CheckKind::PushFinalSize => "push, fixed fanout k, complete graph: π = 1 − e^(−kπ)",
            CheckKind::AllReached => {
                "fanout ceil(ln n + c), complete graph: P(all reached) → e^(−e^(−c))"
            }
            CheckKind::FloodBfs => "flood, constant latency: receipt time = BFS distance × hop",
            CheckKind::Percolation => {
                "probabilistic fanout p, random d-regular graph: bond percolation"
            }
            CheckKind::LightningLine => {
                "Lightning, line of channels, uniform balances: P(paid) = ∏ (c + 1 − a)/(c + 1)"
            }
        }
    }
}

/// One compared quantity of a check.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// What is compared.
    pub quantity: String,
    /// The theoretical value.
    pub theory: f64,
    /// The measured value.
    pub measured: f64,
    /// Sample size behind `measured` (topics or nodes).
    pub n: u64,
    /// The 99.9 % confidence interval of the measurement (a point for exact checks).
    pub ci: (f64, f64),
    /// Finite-size allowance added on both sides of `ci` (0 where the theory is exact at n).
    pub allowance: f64,
    /// Standard error of `measured` (0 for exact counts), in the quantity's unit.
    pub se: f64,
    /// The quantity's value for a share of 1 (n for node counts, 1 for shares): errors are
    /// judged in share units, the quantity divided by `scale`.
    pub scale: f64,
    /// How the interval and the allowance were made.
    pub rule: String,
    /// Whether `theory` lies in [`Comparison::acceptance`].
    pub pass: bool,
}

impl Comparison {
    fn new(
        quantity: &str,
        theory: f64,
        measured: f64,
        n: u64,
        ci: (f64, f64),
        allowance: f64,
        se: f64,
    ) -> Self {
        let (lo, hi) = (ci.0 - allowance, ci.1 + allowance);
        Comparison {
            quantity: quantity.to_string(),
            theory,
            measured,
            n,
            ci,
            allowance,
            se,
            scale: 1.0,
            rule: String::new(),
            pass: lo <= theory && theory <= hi,
        }
    }

    /// The acceptance interval: `ci` widened by `allowance` on both sides.
    pub fn acceptance(&self) -> (f64, f64) {
        (self.ci.0 - self.allowance, self.ci.1 + self.allowance)
    }

    fn rule(mut self, rule: String) -> Self {
        self.rule = rule;
        self
    }

    fn scale(mut self, scale: f64) -> Self {
        self.scale = scale;
        self
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Which check.
    pub kind: CheckKind,
    /// The scenario file run (for the built-in Lightning check, its source file).
    pub file: PathBuf,
    /// The compared quantities.
    pub comparisons: Vec<Comparison>,
    /// Facts a reader needs (parameters, derived constants, filtered topics).
    pub notes: Vec<String>,
}

impl Outcome {
    /// True iff every comparison passed.
    pub fn pass(&self) -> bool {
        self.comparisons.iter().all(|c| c.pass)
    }
}

// ---------------------------------------------------------------- theory

/// The root π in (0, 1) of π = 1 − e^(−kπ), the final share reached by infect-and-die push
/// with fanout k on a large complete graph; 0 when k ≤ 1 (no major outbreak).
pub fn push_final_size(k: f64) -> f64 {
    if k <= 1.0 {
        return 0.0;
    }
    // Fixed-point iteration from 1 converges monotonically to the positive root.
    let mut pi = 1.0;
    for _ in 0..10_000 {
        let next = 1.0 - libm::exp(-k * pi);
        if (next - pi).abs() < 1e-15 {
            return next;
        }
        pi = next;
    }
    pi
}

/// The fanout ceil(ln n + c) of the `logarithmic` rule, as the simulator computes it.
pub fn logarithmic_fanout(n: u32, c: f64) -> u32 {
    libm::ceil(libm::log(f64::from(n.max(1))) + c).max(0.0) as u32
}

/// e^(−e^(−c)): the limit of P(every node reached) for fanout ln n + c (Kermarrec,
/// Massoulié and Ganesh 2003).
pub fn all_reached_limit(c: f64) -> f64 {
    libm::exp(-libm::exp(-c))
}

/// The same probability at finite n for fixed fanout k on a complete graph, from the Poisson
/// approximation of missed nodes: a node is missed when none of the other n − 1 nodes, each
/// picking k of its n − 2 candidates, picks it, so λ = (n − 1)(1 − k/(n − 2))^(n − 1) and
/// P = e^(−λ). Used only to size the allowance between the finite n run and the limit.
pub fn all_reached_finite(n: u32, k: u32) -> f64 {
    let n = f64::from(n);
    let miss = libm::pow(1.0 - f64::from(k) / (n - 2.0), n - 1.0);
    libm::exp(-(n - 1.0) * miss)
}

/// Bond percolation with occupation p on a random d-regular graph, started from one node:
/// returns (u, S) where u = 1 − p + p·u^(d−1) is the probability that an edge does not lead
/// to the giant cluster (smallest root in [0, 1]) and S = 1 − u^d is both the probability that
/// a source starts a major outbreak and the share of nodes a major outbreak reaches.
pub fn percolation_regular(d: u32, p: f64) -> (f64, f64) {
    let mut u = 0.0;
    for _ in 0..100_000 {
        let next = 1.0 - p + p * libm::pow(u, f64::from(d) - 1.0);
        if (next - u).abs() < 1e-15 {
            u = next;
            break;
        }
        u = next;
    }
    (u, 1.0 - libm::pow(u, f64::from(d)))
}

// ---------------------------------------------------------------- statistics

/// The quantile of Student's t with `df` degrees of freedom at the level where the standard
/// normal quantile is `z`, by the Cornish–Fisher expansion to 1/df⁴ (error below 0.002 for
/// df ≥ 10 at z = 3.29; checks use far more samples).
pub fn t_quantile(z: f64, df: u64) -> f64 {
    let v = df.max(1) as f64;
    let p = |k: f64| libm::pow(z, k);
    let g1 = (p(3.0) + z) / 4.0;
    let g2 = (5.0 * p(5.0) + 16.0 * p(3.0) + 3.0 * z) / 96.0;
    let g3 = (3.0 * p(7.0) + 19.0 * p(5.0) + 17.0 * p(3.0) - 15.0 * z) / 384.0;
    let g4 =
        (79.0 * p(9.0) + 776.0 * p(7.0) + 1482.0 * p(5.0) - 1920.0 * p(3.0) - 945.0 * z) / 92_160.0;
    z + g1 / v + g2 / (v * v) + g3 / libm::pow(v, 3.0) + g4 / libm::pow(v, 4.0)
}

/// Wilson score interval for `successes` of `n` trials at normal quantile `z`, in [0, 1].
pub fn wilson(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (n, ph) = (n as f64, successes as f64 / n as f64);
    let z2 = z * z;
    let centre = (ph + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * libm::sqrt(ph * (1.0 - ph) / n + z2 / (4.0 * n * n));
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Mean and the half-width t(0.9995, m − 1)·s/√m of its 99.9 % interval (∞ below 2 values).
pub fn mean_interval(values: &[f64]) -> (f64, f64) {
    let m = values.len();
    if m == 0 {
        return (f64::NAN, f64::INFINITY);
    }
    let mean = values.iter().sum::<f64>() / m as f64;
    if m < 2 {
        return (mean, f64::INFINITY);
    }
    let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (m - 1) as f64;
    let half = t_quantile(Z999, m as u64 - 1) * libm::sqrt(var / m as f64);
    (mean, half)
}

/// Standard error s/√m of the mean of `values` (∞ below 2 values).
pub fn mean_se(values: &[f64]) -> f64 {
    let (_, half) = mean_interval(values);
    half / t_quantile(Z999, values.len().max(2) as u64 - 1)
}

/// Standard error √(θ(1 − θ)/m) of a share of m trials whose true value is θ.
pub fn share_se(theta: f64, m: u64) -> f64 {
    libm::sqrt(theta * (1.0 - theta) / m.max(1) as f64)
}

// ---------------------------------------------------------------- running

/// What one topic came to: its sender and each reached node with its first receipt time.
#[derive(Debug, Clone)]
struct TopicRun {
    sender: u32,
    receipts: Vec<(u32, f64)>,
}

/// One replicate: its graph's adjacency lists and its topics in broadcast order.
#[derive(Debug, Clone)]
struct Replicate {
    adj: Vec<Vec<u32>>,
    topics: Vec<TopicRun>,
}

/// Every replicate of `s`, in replicate order.
fn simulate(s: &Scenario, file: &Path) -> Result<Vec<Replicate>, ValidationError> {
    let base = file.parent().unwrap_or(Path::new("."));
    (0..s.replicates)
        .into_par_iter()
        .map(|r| {
            let engine = |source| ValidationError::Engine {
                file: file.to_path_buf(),
                source,
            };
            let graph = s
                .graph
                .generate(&mut stream(s.seed, r, Concern::Graph), base)
                .map_err(|e| engine(EngineError::Graph(e)))?;
            let adj = (0..graph.node_count())
                .map(|i| graph.peers(i).to_vec())
                .collect();
            let mut world = World::build(s, r, base).map_err(engine)?;
            world.run_to_end();
            let m = world.metrics();
            let topics = m
                .topics()
                .into_iter()
                .map(|(id, sender)| TopicRun {
                    sender,
                    receipts: m.first_receipts(&id),
                })
                .collect();
            Ok(Replicate { adj, topics })
        })
        .collect()
}

/// Loads `file`, checks it names a known check and has one sweep point, and runs the check.
pub fn run_check(file: &Path) -> Result<Outcome, ValidationError> {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(kind) = CheckKind::from_stem(&stem) else {
        let known: Vec<&str> = CheckKind::ALL
            .iter()
            .filter(|k| k.has_file())
            .map(|k| k.stem())
            .collect();
        return Err(ValidationError::UnknownCheck {
            file: file.to_path_buf(),
            stem,
            known: known.join(", "),
        });
    };
    let parsed: ScenarioFile = scenario::load(file)?;
    let need = |key, what: &str| ValidationError::Assumption {
        file: file.to_path_buf(),
        key,
        what: what.to_string(),
    };
    if parsed.points.len() != 1 {
        return Err(need(
            "(any)",
            "a validation scenario sweeps nothing (one point)",
        ));
    }
    let s = &parsed.points[0].scenario;
    common_assumptions(s).map_err(|(key, what)| need(key, &what))?;
    kind_assumptions(kind, s).map_err(|(key, what)| need(key, &what))?;
    let runs = simulate(s, file)?;
    let (comparisons, notes) = match kind {
        CheckKind::PushFinalSize => push_check(s, &runs),
        CheckKind::AllReached => all_reached_check(s, &runs),
        CheckKind::FloodBfs => bfs_check(s, &runs),
        CheckKind::Percolation => percolation_check(s, &runs),
        CheckKind::LightningLine => return Ok(lightning_check()),
    };
    Ok(Outcome {
        kind,
        file: file.to_path_buf(),
        comparisons,
        notes,
    })
}

type Unmet = (&'static str, String);

/// Assumptions every check shares: nothing but the protocol moves topics.
fn common_assumptions(s: &Scenario) -> Result<(), Unmet> {
    let unmet = |key, what: &str| Err((key, what.to_string()));
    if s.roles.gig_workers != Amount::Count(0) {
        return unmet(
            "roles.gig_workers",
            "must be 0: a gig worker replies instead of forwarding",
        );
    }
    if s.attack.kind != AttackKind::None {
        return unmet("attack.kind", "must be \"none\"");
    }
    if s.policy.multibroadcast != 1 {
        return unmet(
            "policy.multibroadcast",
            "must be 1: each node forwards a topic once",
        );
    }
    if crate::scenario::graph_node_count(&s.graph).is_some_and(|n| n < 10) {
        return unmet(
            "graph.nodes",
            "needs at least 10 nodes (the theory is for large n)",
        );
    }
    let n = &s.network;
    if n.packet_loss_probability != 0.0 || n.churn_fraction != 0.0 {
        return unmet(
            "network.packet_loss_probability",
            "loss and network.churn_fraction must be 0",
        );
    }
    Ok(())
}

/// Assumptions of one check's theory.
fn kind_assumptions(kind: CheckKind, s: &Scenario) -> Result<(), Unmet> {
    let unmet = |key, what: &str| Err((key, what.to_string()));
    let complete = matches!(s.graph, GraphSpec::Complete { .. });
    let regular = matches!(s.graph, GraphSpec::RandomRegular { .. });
    let fanout = s.policy.fanout;
    match kind {
        CheckKind::PushFinalSize if fanout != FanoutPolicy::Fixed => {
            unmet("policy.fanout", "must be \"fixed\"")
        }
        CheckKind::PushFinalSize if s.policy.fanout_k < 2 => unmet(
            "policy.fanout_k",
            "must be at least 2 (k = 1 has no major outbreak)",
        ),
        CheckKind::AllReached if fanout != FanoutPolicy::Logarithmic => {
            unmet("policy.fanout", "must be \"logarithmic\"")
        }
        CheckKind::PushFinalSize | CheckKind::AllReached if !complete => {
            unmet("graph.generator", "must be \"complete\"")
        }
        CheckKind::FloodBfs => flood_assumptions(s),
        CheckKind::Percolation if fanout != FanoutPolicy::Probabilistic => {
            unmet("policy.fanout", "must be \"probabilistic\"")
        }
        CheckKind::Percolation if !regular => {
            unmet("graph.generator", "must be \"random_regular\"")
        }
        _ => Ok(()),
    }
}

/// The flood check needs exact timing: constant latency, no bandwidth limit, no device costs,
/// proof of work of one attempt that takes no time.
fn flood_assumptions(s: &Scenario) -> Result<(), Unmet> {
    let unmet = |key, what: &str| Err((key, what.to_string()));
    let d = &s.device;
    if s.policy.fanout != FanoutPolicy::Flood {
        return unmet("policy.fanout", "must be \"flood\"");
    }
    if s.network.latency != LatencyModel::Constant {
        return unmet("network.latency", "must be \"constant\"");
    }
    if s.network.bandwidth_kbps != 0 {
        return unmet("network.bandwidth_kbps", "must be 0 (no uplink limit)");
    }
    if s.network.jitter_ms_mean != 0.0 {
        return unmet("network.jitter_ms_mean", "must be 0 (no per-frame jitter)");
    }
    if s.policy.pow_difficulty.round() > 1.0 {
        return unmet(
            "policy.pow_difficulty",
            "must be 1 (every hash meets the target)",
        );
    }
    if 1e6 / d.hash_rate_per_s >= 0.5 {
        return unmet(
            "device.hash_rate_per_s",
            "must be above 2e6: one attempt takes no time",
        );
    }
    let costs = [
        d.sign_us,
        d.verify_us,
        d.seal_us,
        d.open_us,
        d.sym_us,
        d.hash_us,
    ];
    if costs.iter().any(|c| *c != 0.0) {
        return unmet(
            "device.sign_us",
            "every device cost (device.*_us) must be 0",
        );
    }
    Ok(())
}

// ---------------------------------------------------------------- checks

/// Share of the n nodes a topic reached, its sender included.
fn reached_share(t: &TopicRun, n: usize) -> f64 {
    (t.receipts.len() + 1) as f64 / n as f64
}

fn around(mean: f64, half: f64) -> (f64, f64) {
    (mean - half, mean + half)
}

/// Check 1: mean share reached by major outbreaks against its exact finite-n value (the limit
/// π(k) is noted).
fn push_check(s: &Scenario, runs: &[Replicate]) -> (Vec<Comparison>, Vec<String>) {
    let k = s.policy.fanout_k;
    let pi = push_final_size(f64::from(k));
    let n = runs.first().map_or(0, |r| r.adj.len());
    let shares: Vec<f64> = runs
        .iter()
        .flat_map(|r| r.topics.iter().map(|t| reached_share(t, n)))
        .collect();
    let major: Vec<f64> = shares.iter().copied().filter(|x| *x > pi / 2.0).collect();
    let dist = push_reach_distribution(n as u32, k);
    let share = |r: usize| r as f64 / n as f64;
    let (exact, _) = conditional_moments(&dist, |r| share(r) > pi / 2.0, share);
    let (mean, half) = mean_interval(&major);
    let cmp = Comparison::new(
        "mean share reached (major outbreaks)",
        exact,
        mean,
        major.len() as u64,
        around(mean, half),
        0.0,
        mean_se(&major),
    )
    .rule("mean ± t(0.9995, m−1)·s/√m against the exact finite-n mean".to_string());
    let notes = vec![
        format!("n = {n}, k = {k}: exact finite-n mean {exact:.4} (the n → ∞ limit π = {pi:.4})"),
        format!(
            "{} of {} topics were minor outbreaks (share ≤ π/2) and are left out",
            shares.len() - major.len(),
            shares.len()
        ),
    ];
    (vec![cmp], notes)
}

/// Check 2: share of topics that reached everyone and the mean number of missed nodes, against
/// their exact finite-n values (the limits e^(−e^(−c_eff)) and e^(−c_eff) are noted).
fn all_reached_check(s: &Scenario, runs: &[Replicate]) -> (Vec<Comparison>, Vec<String>) {
    let n = runs.first().map_or(0, |r| r.adj.len()) as u32;
    let k = logarithmic_fanout(n, s.policy.fanout_c);
    let c_eff = f64::from(k) - libm::log(f64::from(n));
    let dist = push_reach_distribution(n, k);
    let exact_all = dist[n as usize];
    let missed_of = |r: usize| f64::from(n) - r as f64;
    let (exact_missed, _) = conditional_moments(&dist, |_| true, missed_of);
    let missed: Vec<f64> = runs
        .iter()
        .flat_map(|r| {
            r.topics
                .iter()
                .map(|t| (n - 1) as f64 - t.receipts.len() as f64)
        })
        .collect();
    let m = missed.len() as u64;
    let all = missed.iter().filter(|x| **x == 0.0).count() as u64;
    let p = Comparison::new(
        "P(every node reached)",
        exact_all,
        all as f64 / m.max(1) as f64,
        m,
        wilson(all, m, Z999),
        0.0,
        share_se(exact_all, m),
    )
    .rule("99.9 % Wilson interval against the exact finite-n probability".to_string());
    let (mean, half) = mean_interval(&missed);
    let miss = Comparison::new(
        "mean nodes missed per topic",
        exact_missed,
        mean,
        m,
        around(mean, half),
        0.0,
        mean_se(&missed),
    )
    .scale(f64::from(n))
    .rule("mean ± t(0.9995, m−1)·s/√m against the exact finite-n mean".to_string());
    let notes = vec![
        format!(
            "n = {n}, c = {}, fanout k = ceil(ln n + c) = {k}, effective c = k − ln n = {c_eff:.4}",
            s.policy.fanout_c
        ),
        format!(
            "limits as n → ∞: P(every node reached) = e^(−e^(−c_eff)) = {:.4}, mean missed = \
             e^(−c_eff) = {:.4}; Poisson approximation at n: {:.4}",
            all_reached_limit(c_eff),
            libm::exp(-c_eff),
            all_reached_finite(n, k)
        ),
    ];
    (vec![p, miss], notes)
}

/// Hop distances from `src` (u32::MAX where unreachable).
fn bfs(adj: &[Vec<u32>], src: u32) -> Vec<u32> {
    let mut dist = vec![u32::MAX; adj.len()];
    dist[src as usize] = 0;
    let mut queue = VecDeque::from([src]);
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v as usize] {
            if dist[w as usize] == u32::MAX {
                dist[w as usize] = dist[v as usize] + 1;
                queue.push_back(w);
            }
        }
    }
    dist
}

/// Check 3: every node's first receipt time equals its BFS distance × (3 one-way delays).
fn bfs_check(s: &Scenario, runs: &[Replicate]) -> (Vec<Comparison>, Vec<String>) {
    let one_way_us = libm::round(s.network.one_way_delay_ms_mean * 1e3) as i64;
    let hop_us = 3 * one_way_us;
    let (mut checked, mut wrong, mut unreached, mut max_err, mut depth) =
        (0u64, 0u64, 0u64, 0i64, 0);
    for Replicate { adj, topics } in runs {
        for t in topics {
            let dist = bfs(adj, t.sender);
            let mut seen = vec![false; adj.len()];
            for &(v, secs) in &t.receipts {
                seen[v as usize] = true;
                let got = libm::round(secs * 1e6) as i64;
                let want = i64::from(dist[v as usize]) * hop_us;
                let err = (got - want).abs();
                checked += 1;
                wrong += u64::from(err != 0 || dist[v as usize] == u32::MAX);
                max_err = max_err.max(err);
                depth = depth.max(dist[v as usize]);
            }
            let missed = (0..adj.len())
                .filter(|&v| v != t.sender as usize && dist[v] != u32::MAX && !seen[v]);
            unreached += missed.count() as u64;
        }
    }
    let bad = (wrong + unreached) as f64;
    let cmp = Comparison::new(
        "nodes whose first receipt ≠ BFS distance × hop time",
        0.0,
        bad,
        checked + unreached,
        (bad, bad),
        0.0,
        0.0,
    )
    .rule("exact, in integer microseconds".to_string());
    let notes = vec![
        format!(
            "hop time = ask + conditions + broadcast = 3 × {:.3} ms = {:.3} ms (PoW and device costs 0)",
            one_way_us as f64 / 1e3,
            hop_us as f64 / 1e3
        ),
        format!(
            "{checked} receipts checked, {unreached} reachable nodes never reached, \
             largest error {max_err} µs, deepest node {depth} hops"
        ),
    ];
    (vec![cmp], notes)
}

/// Check 4: share of major outbreaks and their mean reach against the percolation S.
fn percolation_check(s: &Scenario, runs: &[Replicate]) -> (Vec<Comparison>, Vec<String>) {
    let (p, d) = (s.policy.fanout_p, graph_degree(s));
    let (u, big_s) = percolation_regular(d, p);
    let n = runs.first().map_or(0, |r| r.adj.len());
    let shares: Vec<f64> = runs
        .iter()
        .flat_map(|r| r.topics.iter().map(|t| reached_share(t, n)))
        .collect();
    let major: Vec<f64> = shares
        .iter()
        .copied()
        .filter(|x| *x > big_s / 2.0)
        .collect();
    let (m, majors) = (shares.len() as u64, major.len() as u64);
    let share = Comparison::new(
        "P(major outbreak)",
        big_s,
        majors as f64 / m.max(1) as f64,
        m,
        wilson(majors, m, Z999),
        0.0,
        share_se(big_s, m),
    )
    .rule("99.9 % Wilson interval".to_string());
    let (mean, half) = mean_interval(&major);
    let allowance = 1.0 / n as f64;
    let reach = Comparison::new(
        "mean share reached (major outbreaks)",
        big_s,
        mean,
        majors,
        around(mean, half),
        allowance,
        mean_se(&major),
    )
    .rule(format!(
        "mean ± t(0.9995, m−1)·s/√m ± 1/n (finite-size allowance {allowance:.4})"
    ));
    let notes = vec![
        format!("n = {n}, d = {d}, p = {p}, u = {u:.4}, S = 1 − u^d = {big_s:.4}"),
        format!(
            "a topic is a major outbreak when it reaches more than S/2 = {:.4}",
            big_s / 2.0
        ),
    ];
    (vec![share, reach], notes)
}

fn graph_degree(s: &Scenario) -> u32 {
    match s.graph {
        GraphSpec::RandomRegular { degree, .. } => degree,
        _ => 0,
    }
}

// ---------------------------------------------------------------- all checks and the report

/// Runs every check, in [`CheckKind::ALL`] order: those with a scenario on `dir/<stem>.toml`,
/// and the built-in Lightning check.
pub fn run_all(dir: &Path) -> Result<Vec<Outcome>, ValidationError> {
    CheckKind::ALL
        .iter()
        .map(|k| match k.has_file() {
            true => run_check(&dir.join(format!("{}.toml", k.stem()))),
            false => Ok(lightning_check()),
        })
        .collect()
}

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.4}")
    } else {
        "—".to_string()
    }
}

/// The validation report as Markdown: one row per comparison, then each check's notes.
/// Depends only on `outcomes` (no time, no paths beyond the file names given).
pub fn report_markdown(outcomes: &[Outcome]) -> String {
    let mut md = String::from("# Validation against theory\n\n");
    md.push_str(
        "Each check runs the simulator on a scenario of `scenarios/validation/` (lightning-line \
         pays over its own line of channels) and passes when the theoretical value lies in the acceptance interval: the 99.9 % confidence interval \
         of the measurement widened on both sides by the finite-size allowance. n is the number \
         of topics (nodes for flood-bfs, payments for lightning-line) behind the measurement. \
         See `docs/validation.md`.\n\n",
    );
    md.push_str("| check | quantity | theory | measured | n | 99.9 % CI | allowance | result |\n");
    md.push_str("|---|---|---:|---:|---:|---|---:|---|\n");
    for o in outcomes {
        for c in &o.comparisons {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | [{}, {}] | ±{} | {} |",
                o.kind.stem(),
                c.quantity,
                num(c.theory),
                num(c.measured),
                c.n,
                num(c.ci.0),
                num(c.ci.1),
                num(c.allowance),
                if c.pass { "pass" } else { "**FAIL**" }
            );
        }
    }
    md.push_str(&power_markdown(outcomes));
    for o in outcomes {
        // Scenario checks name their file; the built-in check names its source.
        let file = match o.kind.has_file() {
            true => o.file.file_name().map(|f| f.to_string_lossy().into_owned()),
            false => Some(o.file.to_string_lossy().into_owned()),
        };
        let _ = writeln!(
            md,
            "\n## {}\n\n{} (`{}`)\n",
            o.kind.stem(),
            o.kind.title(),
            file.unwrap_or_default()
        );
        for c in &o.comparisons {
            let _ = writeln!(md, "- {}: {}", c.quantity, c.rule);
        }
        for n in &o.notes {
            let _ = writeln!(md, "- {n}");
        }
    }
    md
}

/// Writes `out/validation/report.md`, with the sweep figures `figs` as SVGs beside it and
/// shown in it; returns the report's path.
pub fn write_report(
    out: &Path,
    outcomes: &[Outcome],
    figs: &[SweepFigure],
) -> Result<PathBuf, ValidationError> {
    let dir = out.join("validation");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ValidationError::Io { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    write_figures(&dir, figs)?;
    let path = dir.join("report.md");
    let md = report_markdown(outcomes) + &figures_markdown(figs);
    std::fs::write(&path, md).map_err(io(&path))?;
    Ok(path)
}
