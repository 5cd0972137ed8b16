//! The resource forecast `check` prints and `run` enforces (`--max-memory`): peak memory and
//! CPU time of a sweep from its scenario and the sizes of the files it references.
//!
//! The model (README "Resource limits") counts the work a run does and prices each unit with
//! constants measured on the committed scenarios with the release binary (`sim/tests/
//! resources.rs` checks the model against those measurements, and its memory against live
//! runs, to a factor of 2):
//!
//! - memory of one run: [`BASE_BYTES`] + per node (honest and Sybil) [`NODE_BYTES`] and
//!   [`LINK_END_BYTES`] per peer + per node and live topic ([`TOPIC_NODE_BYTES`] plus
//!   [`ONION_BYTES_SHARE`] of the padded onion when hardened; a topic stays live for
//!   `policy.conditions_ttl_s`) + [`CONDITION_BYTES`] per condition a flooder makes its peers
//!   hold (up to the protocol's limits) + the Lightning graph ([`LN_CHANNEL_BYTES`] per
//!   channel, [`LN_NODE_BYTES`] per LN node) or, if larger, a snapshot's text while it is
//!   parsed ([`SNAPSHOT_TEXT_FACTOR`] per byte);
//! - CPU of one run: [`SETUP_SECONDS`] per node and per link end, [`SECONDS_PER_FORWARD`] per
//!   topic offered to a peer (nodes x fanout x topics x `multibroadcast`, attackers' topics
//!   included), [`SECONDS_PER_REPLY_HOP`] per reply and hop (gig workers x topics x ln nodes),
//!   [`SECONDS_PER_ASK`] per flooder's ask, and [`LN_SECONDS_PER_CHANNEL`] per Lightning
//!   channel; the first of each pair is real mode, the second model mode.
//!
//! Runs of one sweep execute `threads` at a time: peak memory is the largest run times the
//! threads, wall time the summed CPU over the threads.

use super::preflight::{gossip_sybils, PointSize};
use crate::graph::GraphSpec;
use crate::scenario::{AttackKind, FanoutPolicy, ScaleMode, Scenario, ScenarioFile};

/// Bytes of a run of a handful of nodes (the binary, tables, buffers).
pub const BASE_BYTES: f64 = 8.0 * 1024.0 * 1024.0;
/// Bytes per node besides its links and topics.
pub const NODE_BYTES: f64 = 1_790.0;
/// Bytes per link end (adjacency, frozen adjacency, per-link latency and queue state).
pub const LINK_END_BYTES: f64 = 40.0;
/// Bytes per node and live topic (seen set, conditions, metrics).
pub const TOPIC_NODE_BYTES: f64 = 200.0;
/// Bytes per node and live topic per byte of a hardened node's padded onion (held for
/// forwarding and in frames in flight).
pub const ONION_BYTES_SHARE: f64 = 0.6;
/// Bytes per outstanding condition a flooded node holds.
pub const CONDITION_BYTES: f64 = 300.0;
/// Bytes per Lightning channel (LDK's network graph and scorer, balances).
pub const LN_CHANNEL_BYTES: f64 = 2_500.0;
/// Bytes per Lightning node (keys, LDK's node entry, books).
pub const LN_NODE_BYTES: f64 = 1_500.0;
/// Bytes per byte of a Lightning snapshot's JSON text while it is read and parsed (the text
/// and what serde makes of it; freed before the graph is built).
pub const SNAPSHOT_TEXT_FACTOR: f64 = 1.5;
/// CPU seconds to set up one node and one link end, in real and in model mode.
pub const SETUP_SECONDS: [(f64, f64); 2] = [(120e-6, 2.5e-6), (5e-6, 2.5e-6)];
/// CPU seconds per topic offered to a peer (the ask, and for a new receiver its conditions,
/// proof of work, broadcast and checks), in real and in model mode.
pub const SECONDS_PER_FORWARD: [f64; 2] = [32e-6, 11.5e-6];
/// CPU seconds per reply and hop of its route (onion layers, preimages, invoices), in real
/// and in model mode.
pub const SECONDS_PER_REPLY_HOP: [f64; 2] = [500e-6, 50e-6];
/// CPU seconds per ask a flooder sends (its checks at the flooded node), in real and in model
/// mode.
pub const SECONDS_PER_ASK: [f64; 2] = [40e-6, 10e-6];
/// CPU seconds per Lightning channel (LDK's graph, keys, scoring).
pub const LN_SECONDS_PER_CHANNEL: f64 = 20e-6;

/// A rough forecast of a sweep's needs (see the module documentation for the model).
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Runs to execute.
    pub runs: usize,
    /// Runs executing at once.
    pub threads: usize,
    /// Peak bytes of the largest run.
    pub run_bytes: f64,
    /// Peak bytes of the sweep: the largest run times the runs executing at once.
    pub peak_bytes: f64,
    /// CPU seconds of the whole sweep.
    pub cpu_seconds: f64,
    /// Wall-clock seconds for the sweep on `threads` cores.
    pub seconds: f64,
}

impl Estimate {
    /// The estimate as one line, such as `estimate: 6 runs on 2 threads, peak memory about
    /// 0.10 GiB (0.05 GiB per run), about 3 s`.
    pub fn line(&self) -> String {
        const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
        format!(
            "estimate: {} run(s) on {} thread(s), peak memory about {:.2} GiB ({:.2} GiB per \
             run), about {:.0} s ({:.0} s of CPU; a model good to a factor of 2, see README \
             \"Resource limits\")",
            self.runs,
            self.threads,
            self.peak_bytes / GIB,
            self.run_bytes / GIB,
            self.seconds.max(1.0),
            self.cpu_seconds.max(1.0)
        )
    }
}

/// Mean number of peers per node of a point's graph.
fn mean_degree(spec: &GraphSpec, size: &PointSize) -> f64 {
    match *spec {
        GraphSpec::Complete { nodes } => f64::from(nodes.saturating_sub(1)),
        GraphSpec::ErdosRenyi { nodes, p } => p * f64::from(nodes.saturating_sub(1)),
        GraphSpec::RandomRegular { degree, .. } => f64::from(degree),
        GraphSpec::BarabasiAlbert { m, .. } => 2.0 * f64::from(m),
        GraphSpec::WattsStrogatz { k, .. } => f64::from(k),
        GraphSpec::Grid { .. } | GraphSpec::Torus { .. } => 4.0,
        GraphSpec::EdgeList { .. } => size
            .graph
            .map_or(8.0, |s| 2.0 * s.edges as f64 / f64::from(s.nodes.max(1))),
    }
}

/// Peers a node offers a topic to, on average.
fn fanout(s: &Scenario, nodes: f64, degree: f64) -> f64 {
    let p = &s.policy;
    let fan = match p.fanout {
        FanoutPolicy::Flood => degree,
        FanoutPolicy::Fixed | FanoutPolicy::Reputation => f64::from(p.fanout_k),
        FanoutPolicy::Probabilistic => p.fanout_p * degree,
        FanoutPolicy::Logarithmic => (nodes.max(1.0).ln() + p.fanout_c).ceil().max(1.0),
        FanoutPolicy::Adaptive => f64::from(p.adaptive_k_min.max(1) + p.adaptive_k_max) / 2.0,
    };
    fan.clamp(0.0, degree)
}

/// Topics the honest customers publish in a run.
fn topics(s: &Scenario) -> f64 {
    let w = &s.workload;
    let listed = if w.times_s.is_empty() {
        w.rate_per_s * (s.duration_s - w.start_s).max(0.0)
    } else {
        w.times_s.len() as f64
    };
    listed.min(f64::from(w.topics_max)).max(1.0)
}

/// Topics attackers originate (chatterboxes and proof-of-work reusers), each spreading like
/// an honest one.
fn attack_topics(s: &Scenario, honest: u32) -> f64 {
    let a = &s.attack;
    match a.kind {
        AttackKind::Chatterbox | AttackKind::PowReuse => {
            let active = (s.duration_s - a.start_s).max(0.0);
            f64::from(a.corrupted(honest)) * a.chatterbox_rate_per_s * active
        }
        _ => 0.0,
    }
}

/// Asks flooders send, and the conditions their peers hold at once because of them.
fn flood(s: &Scenario, honest: u32, degree: f64) -> (f64, f64) {
    let a = &s.attack;
    if a.kind != AttackKind::AskFlood {
        return (0.0, 0.0);
    }
    let flooders = f64::from(a.corrupted(honest));
    let peers = flooders * degree;
    let asks = peers * a.flood_rate_per_s * (s.duration_s - a.start_s).max(0.0);
    let limits = s.limits();
    let cap = if s.protocol.hardening {
        limits.conditions_per_peer_max as f64
    } else {
        limits.conditions_max as f64
    };
    let held = (a.flood_rate_per_s * s.policy.conditions_ttl_s).min(cap);
    (asks, peers * held)
}

/// Topics held at once by a node: those published within `policy.conditions_ttl_s`.
fn live_topics(s: &Scenario, topics: f64) -> f64 {
    let w = &s.workload;
    let span = match (w.times_s.first(), w.times_s.last()) {
        (Some(first), Some(last)) => last - first,
        _ => topics / w.rate_per_s.max(1e-9),
    };
    (topics * s.policy.conditions_ttl_s / span.max(1e-9)).clamp(1.0, topics)
}

/// Peak bytes and CPU seconds of the Lightning side of one run of `nodes` gossip nodes.
fn lightning(s: &Scenario, size: &PointSize, nodes: f64) -> (f64, f64) {
    let Some(ln) = s.payments.lightning.as_ref() else {
        return (0.0, 0.0);
    };
    let (parse, ln_nodes, channels) = match size.snapshot {
        Some(snap) => (
            SNAPSHOT_TEXT_FACTOR * snap.bytes as f64,
            f64::from(snap.nodes),
            snap.channels as f64,
        ),
        None => (0.0, nodes, nodes * f64::from(ln.channels_per_node)),
    };
    let graph = LN_CHANNEL_BYTES * channels + LN_NODE_BYTES * ln_nodes;
    (parse.max(graph), LN_SECONDS_PER_CHANNEL * channels)
}

/// The forecast of one sweep point: peak bytes of one run and CPU seconds of all its runs.
fn point(s: &Scenario, size: &PointSize) -> (f64, f64) {
    let honest = s.node_count().or(size.graph.map(|g| g.nodes)).unwrap_or(0);
    let nodes = f64::from(honest) + f64::from(gossip_sybils(s, honest));
    let degree = mean_degree(&s.graph, size);
    let fan = fanout(s, nodes, degree);
    let topics = topics(s) + attack_topics(s, honest);
    let onion = if s.protocol.hardening {
        f64::from(s.protocol.onion_hops) * sweet_gossip::PADDED_HEAD_LEN as f64
    } else {
        0.0
    };
    let (asks, conditions) = flood(s, honest, degree);
    let per_topic = TOPIC_NODE_BYTES + ONION_BYTES_SHARE * onion;
    let (ln_bytes, ln_seconds) = lightning(s, size, nodes);
    let bytes = BASE_BYTES
        + nodes * (NODE_BYTES + LINK_END_BYTES * degree + live_topics(s, topics) * per_topic)
        + CONDITION_BYTES * conditions
        + ln_bytes;
    let mode = usize::from(s.scale.mode == ScaleMode::Model);
    let (per_node, per_link) = SETUP_SECONDS[mode];
    let forwards = nodes * fan * topics * f64::from(s.policy.multibroadcast.max(1));
    let workers = f64::from(s.roles.gig_workers.resolve(honest));
    let reply_hops = workers * topics * nodes.max(2.0).ln();
    let seconds = per_node * nodes
        + per_link * nodes * degree
        + SECONDS_PER_FORWARD[mode] * forwards
        + SECONDS_PER_REPLY_HOP[mode] * reply_hops
        + SECONDS_PER_ASK[mode] * asks
        + ln_seconds;
    (bytes, seconds * f64::from(s.replicates))
}

/// Accumulates the forecast point by point, so a sweep need not be held whole.
#[derive(Debug, Clone, Default)]
pub struct Estimator {
    run_bytes: f64,
    cpu_seconds: f64,
    runs: usize,
}

impl Estimator {
    /// Adds one sweep point (all its replicates) with the sizes of the files it references.
    pub fn add(&mut self, s: &Scenario, size: &PointSize) {
        let (bytes, seconds) = point(s, size);
        self.run_bytes = self.run_bytes.max(bytes);
        self.cpu_seconds += seconds;
        self.runs = self.runs.saturating_add(s.replicates as usize);
    }

    /// Runs of the points added so far.
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// The forecast of running `runs` of the runs added (a shard's share) on `threads`
    /// threads; the CPU time scales with the share.
    pub fn finish(&self, runs: usize, threads: usize) -> Estimate {
        let threads = threads.clamp(1, runs.max(1));
        let share = if self.runs == 0 {
            0.0
        } else {
            runs as f64 / self.runs as f64
        };
        let cpu_seconds = self.cpu_seconds * share;
        Estimate {
            runs,
            threads,
            run_bytes: self.run_bytes,
            peak_bytes: self.run_bytes * threads as f64,
            cpu_seconds,
            seconds: cpu_seconds / threads as f64,
        }
    }
}

/// Forecasts `runs` runs of the sweep (its points with their sizes) on `threads` threads.
pub fn estimate(file: &ScenarioFile, sizes: &[PointSize], runs: usize, threads: usize) -> Estimate {
    let mut e = Estimator::default();
    for (p, size) in file.points.iter().zip(sizes) {
        e.add(&p.scenario, size);
    }
    e.finish(runs, threads)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Peak bytes of one run of the million-node scale scenario with `protocol` appended.
    fn million_bytes(protocol: &str) -> f64 {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/scale/million.toml");
        let text = std::fs::read_to_string(&path).unwrap() + protocol;
        let file = crate::scenario::parse(&text, &path).unwrap();
        estimate(&file, &[PointSize::default()], 1, 1).run_bytes
    }

    #[test]
    fn memory_follows_the_padded_onion() {
        const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
        let hardened = million_bytes("");
        let paper = million_bytes("\n[protocol]\nhardening = false\n");
        let half = million_bytes("\n[protocol]\nonion_hops = 16\n");
        // The calibration runs (README "Scale"), /usr/bin/time -v maximum resident set size.
        let within = |est: f64, kb: f64| (est / (kb * 1024.0) - 1.0).abs() < 0.1;
        assert!(within(hardened, 3_913_492.0), "{}", hardened / GIB);
        assert!(within(paper, 2_268_200.0), "{}", paper / GIB);
        let onion = 1e6 * ONION_BYTES_SHARE * 32.0 * sweet_gossip::PADDED_HEAD_LEN as f64;
        assert!((hardened - paper - onion).abs() < 1.0);
        assert!((hardened - half - onion / 2.0).abs() < 1.0);
    }
}
