//! Measurements of one run, collected from the nodes' outputs and events as the engine sees
//! them, and reduced to named per-run metrics, distributions and a coverage curve.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use sweet_gossip::{CryptoCounts, FrameKind, PayloadId, RejectReason, Timestamp};

/// Number of samples of a coverage curve (including time 0).
pub const COVERAGE_SAMPLES: usize = 101;

/// Everything measured in one run. Serialised as one line of `runs.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    /// Named scalar metrics; `None` where undefined (e.g. 99 % coverage never reached).
    pub metrics: BTreeMap<String, Option<f64>>,
    /// Named samples, e.g. the fee of every paid route.
    pub distributions: BTreeMap<String, Vec<f64>>,
    /// Mean coverage over topics at `COVERAGE_SAMPLES` evenly spaced times since broadcast.
    pub coverage: Vec<(f64, f64)>,
}

#[derive(Debug)]
struct TopicStats {
    start: Timestamp,
    sender: u32,
    /// Honest online nodes other than the sender at broadcast time.
    eligible: u32,
    /// Seconds after start at which each counted node first verified the topic.
    accepted_s: Vec<f64>,
    /// Per node: how many times the node accepted (verified) the topic.
    accepts: Vec<u32>,
    first_reply_s: Option<f64>,
    replies: u32,
    delivered: Option<Delivered>,
}

#[derive(Debug, Clone, Copy)]
struct Delivered {
    latency_s: f64,
    fee_sat: u64,
    route_length: u32,
}

/// Accumulates measurements while a run executes.
#[derive(Debug)]
pub struct Collector {
    honest: Vec<bool>,
    topics: BTreeMap<PayloadId, TopicStats>,
    topic_order: Vec<PayloadId>,
    frames: BTreeMap<FrameKind, (u64, u64)>,
    honest_frames_received: u64,
    adversary_frames: u64,
    pow_hashes: u64,
    adversary_pow_hashes: u64,
    rejected: BTreeMap<&'static str, u64>,
    frames_lost: u64,
    frames_lost_offline: u64,
    payment_failures: u64,
    unpaid: u64,
    /// Engine events processed.
    pub events: u64,
}

impl Collector {
    /// A collector for nodes whose honesty is given by `honest` (index = node).
    pub fn new(honest: Vec<bool>) -> Self {
        Self {
            honest,
            topics: BTreeMap::new(),
            topic_order: Vec::new(),
            frames: BTreeMap::new(),
            honest_frames_received: 0,
            adversary_frames: 0,
            pow_hashes: 0,
            adversary_pow_hashes: 0,
            rejected: BTreeMap::new(),
            frames_lost: 0,
            frames_lost_offline: 0,
            payment_failures: 0,
            unpaid: 0,
            events: 0,
        }
    }

    /// Marks a node honest or not (e.g. a Sybil that joins later).
    pub fn set_honest(&mut self, node: u32, honest: bool) {
        let i = node as usize;
        if self.honest.len() <= i {
            self.honest.resize(i + 1, true);
        }
        self.honest[i] = honest;
    }

    /// A topic was broadcast by `sender` with `eligible` honest online nodes besides it.
    pub fn topic_started(&mut self, id: PayloadId, sender: u32, at: Timestamp, eligible: u32) {
        self.topic_order.push(id);
        let stats = TopicStats {
            start: at,
            sender,
            eligible,
            accepted_s: Vec::new(),
            accepts: vec![0; self.honest.len()],
            first_reply_s: None,
            replies: 0,
            delivered: None,
        };
        self.topics.insert(id, stats);
    }

    /// `node` verified topic `id` at `at`. Only honest nodes other than the sender are
    /// counted; the first acceptance sets the node's coverage time, later ones (multibroadcast)
    /// only raise its acceptance count.
    pub fn topic_accepted(&mut self, id: PayloadId, node: u32, at: Timestamp) {
        let Some(t) = self.topics.get_mut(&id) else {
            return;
        };
        let counts = &mut t.accepts;
        let i = node as usize;
        if node == t.sender || !self.honest.get(i).copied().unwrap_or(false) {
            return;
        }
        if counts.len() <= i {
            counts.resize(i + 1, 0);
        }
        counts[i] = counts[i].saturating_add(1);
        if counts[i] == 1 {
            t.accepted_s
                .push(at.saturating_since(t.start).as_secs_f64());
        }
    }

    /// Whether `node` has verified topic `id` (always false for adversarial nodes).
    pub fn has_accepted(&self, id: &PayloadId, node: u32) -> bool {
        self.topics
            .get(id)
            .and_then(|t| t.accepts.get(node as usize).copied())
            .is_some_and(|n| n > 0)
    }

    /// A frame was delivered to `node` (counted only for honest nodes).
    pub fn frame_received(&mut self, node: u32) {
        if self.is_honest(node) {
            self.honest_frames_received += 1;
        }
    }

    /// A frame was sent by `node`.
    pub fn frame_sent(&mut self, node: u32, kind: FrameKind, bytes: usize) {
        let e = self.frames.entry(kind).or_default();
        e.0 += 1;
        e.1 += bytes as u64;
        if !self.is_honest(node) {
            self.adversary_frames += 1;
        }
    }

    /// A frame was lost on its link.
    pub fn frame_lost(&mut self) {
        self.frames_lost += 1;
    }

    /// A frame arrived at a node that was offline.
    pub fn frame_lost_offline(&mut self) {
        self.frames_lost_offline += 1;
    }

    /// `node` computed `attempts` proof-of-work hashes.
    pub fn pow(&mut self, node: u32, attempts: u64) {
        self.pow_hashes += attempts;
        if !self.is_honest(node) {
            self.adversary_pow_hashes += attempts;
        }
    }

    /// `node` rejected a frame; only honest nodes' rejections are counted (an adversary's own
    /// protocol node rejecting traffic is not load on the honest network).
    pub fn rejected(&mut self, node: u32, reason: &RejectReason) {
        if self.is_honest(node) {
            *self.rejected.entry(reason.name()).or_default() += 1;
        }
    }

    /// The sender of `id` received a valid reply route at `at`.
    pub fn reply_received(&mut self, id: PayloadId, at: Timestamp) {
        if let Some(t) = self.topics.get_mut(&id) {
            t.replies += 1;
            if t.first_reply_s.is_none() {
                t.first_reply_s = Some(at.saturating_since(t.start).as_secs_f64());
            }
        }
    }

    /// The sender of `id` decrypted a reply at `at` after paying `fee_sat`.
    pub fn reply_delivered(
        &mut self,
        id: PayloadId,
        at: Timestamp,
        fee_sat: u64,
        route_length: u32,
    ) {
        if let Some(t) = self.topics.get_mut(&id) {
            let latency_s = at.saturating_since(t.start).as_secs_f64();
            t.delivered = Some(Delivered {
                latency_s,
                fee_sat,
                route_length,
            });
        }
    }

    /// One invoice payment failed.
    pub fn payment_failed(&mut self) {
        self.payment_failures += 1;
    }

    /// A sender gave up paying for a topic's replies.
    pub fn reply_unpaid(&mut self) {
        self.unpaid += 1;
    }

    fn is_honest(&self, node: u32) -> bool {
        self.honest.get(node as usize).copied().unwrap_or(true)
    }

    /// Coverage of topic `id` (share of eligible nodes that verified it), if it exists.
    pub fn coverage_of(&self, id: &PayloadId) -> Option<f64> {
        self.topics
            .get(id)
            .map(|t| share(t.accepted_s.len(), t.eligible))
    }

    /// The ids of the topics in broadcast order, with their senders.
    pub fn topics(&self) -> Vec<(PayloadId, u32)> {
        self.topic_order
            .iter()
            .map(|id| (*id, self.topics[id].sender))
            .collect()
    }

    /// Frames delivered to honest nodes so far.
    pub fn honest_frames_received(&self) -> u64 {
        self.honest_frames_received
    }

    /// The most times any honest node accepted one topic (0 without acceptances).
    pub fn honest_accepts_max(&self) -> u32 {
        self.topics
            .values()
            .flat_map(|t| t.accepts.iter().copied())
            .max()
            .unwrap_or(0)
    }

    /// One summary per topic, in broadcast order.
    pub fn topic_summaries(&self) -> Vec<TopicSummary> {
        self.topic_order
            .iter()
            .map(|id| {
                let t = &self.topics[id];
                TopicSummary {
                    id: *id,
                    sender: t.sender,
                    start: t.start,
                    coverage: share(t.accepted_s.len(), t.eligible),
                    reply_latency_s: t.delivered.map(|d| d.latency_s),
                }
            })
            .collect()
    }

    /// Reduces everything to the run's metrics. `horizon_s` is the span of coverage curves.
    pub fn finish(mut self, totals: &Totals, horizon_s: f64) -> RunMetrics {
        // Acceptances arrive in event order, not time order: sort once for every quantile.
        for t in self.topics.values_mut() {
            t.accepted_s.sort_by(f64::total_cmp);
        }
        let mut m: BTreeMap<String, Option<f64>> = BTreeMap::new();
        let mut put = |k: &str, v: Option<f64>| {
            m.insert(k.to_owned(), v);
        };
        let topics: Vec<&TopicStats> = self.topic_order.iter().map(|id| &self.topics[id]).collect();
        let n = f64::from(totals.nodes.max(1));
        put("nodes", Some(f64::from(totals.nodes)));
        put("honest_nodes", Some(f64::from(totals.honest_nodes)));
        put(
            "graph_connected",
            Some(f64::from(u8::from(totals.graph_connected))),
        );
        put("topics", Some(topics.len() as f64));
        put(
            "coverage_final",
            mean(topics.iter().map(|t| share(t.accepted_s.len(), t.eligible))),
        );
        for (name, q) in [("t50_s", 0.5), ("t90_s", 0.9), ("t99_s", 0.99)] {
            put(name, mean(topics.iter().filter_map(|t| time_to(t, q))));
        }
        let reached99 = topics.iter().filter(|t| time_to(t, 0.99).is_some()).count();
        put(
            "reach99_share",
            ratio(reached99 as f64, topics.len() as f64),
        );
        let (mut frames, mut bytes) = (0u64, 0u64);
        for kind in FrameKind::ALL {
            let (f, b) = self.frames.get(&kind).copied().unwrap_or_default();
            if kind != FrameKind::Malformed {
                put(&format!("frames_{}", kind.name()), Some(f as f64));
                put(&format!("bytes_{}", kind.name()), Some(b as f64));
            }
            frames += f;
            bytes += b;
        }
        put("frames_total", Some(frames as f64));
        put("bytes_total", Some(bytes as f64));
        put("frames_per_node", Some(frames as f64 / n));
        put("bytes_per_node", Some(bytes as f64 / n));
        put("frames_lost", Some(self.frames_lost as f64));
        put("frames_lost_offline", Some(self.frames_lost_offline as f64));
        put("pow_hashes", Some(self.pow_hashes as f64));
        put("pow_hashes_per_node", Some(self.pow_hashes as f64 / n));
        let c = &totals.crypto;
        for (k, v) in [
            ("crypto_sign", c.sign),
            ("crypto_verify", c.verify),
            ("crypto_seal", c.seal),
            ("crypto_open", c.open),
            ("crypto_sym", c.sym_encrypt + c.sym_decrypt),
            ("crypto_hash", c.hash),
        ] {
            put(k, Some(v as f64));
        }
        let replies: u32 = topics.iter().map(|t| t.replies).sum();
        put("replies_received", Some(f64::from(replies)));
        put(
            "time_to_first_reply_s",
            mean(topics.iter().filter_map(|t| t.first_reply_s)),
        );
        let delivered: Vec<Delivered> = topics.iter().filter_map(|t| t.delivered).collect();
        let with_reply = topics.iter().filter(|t| t.replies > 0).count();
        put("replies_delivered", Some(delivered.len() as f64));
        put(
            "payment_success_rate",
            ratio(delivered.len() as f64, with_reply as f64),
        );
        put(
            "reply_latency_s",
            mean(delivered.iter().map(|d| d.latency_s)),
        );
        put(
            "route_length_mean",
            mean(delivered.iter().map(|d| f64::from(d.route_length))),
        );
        put(
            "route_fee_paid_sat",
            mean(delivered.iter().map(|d| d.fee_sat as f64)),
        );
        put(
            "invoice_payment_failures",
            Some(self.payment_failures as f64),
        );
        put("topics_unpaid", Some(self.unpaid as f64));
        put(
            "fees_conserved",
            Some(f64::from(u8::from(totals.fees_conserved))),
        );
        let (mut honest_fee, mut honest_n, mut adv_fee, mut adv_n) = (0u64, 0u64, 0u64, 0u64);
        for (i, fee) in totals.earned.iter().enumerate() {
            if self.honest.get(i).copied().unwrap_or(true) {
                honest_fee += fee;
                honest_n += 1;
            } else {
                adv_fee += fee;
                adv_n += 1;
            }
        }
        put(
            "fees_earned_per_honest_node_sat",
            ratio(honest_fee as f64, honest_n as f64),
        );
        put(
            "fees_earned_per_adversary_node_sat",
            ratio(adv_fee as f64, adv_n as f64),
        );
        put("attacker_frames", Some(self.adversary_frames as f64));
        put(
            "attacker_pow_hashes",
            Some(self.adversary_pow_hashes as f64),
        );
        let rejected: u64 = self.rejected.values().sum();
        put("rejected_total", Some(rejected as f64));
        for name in RejectReason::NAMES {
            put(
                &format!("rejected_{name}"),
                Some(self.rejected.get(name).copied().unwrap_or(0) as f64),
            );
        }
        put("events", Some(self.events as f64));
        for (k, v) in &totals.extra {
            put(k, *v);
        }
        let mut distributions = BTreeMap::new();
        distributions.insert(
            "route_fee_sat".to_owned(),
            delivered.iter().map(|d| d.fee_sat as f64).collect(),
        );
        distributions.insert(
            "route_length".to_owned(),
            delivered
                .iter()
                .map(|d| f64::from(d.route_length))
                .collect(),
        );
        let coverage = coverage_curve(&topics, horizon_s);
        RunMetrics {
            metrics: m,
            distributions,
            coverage,
        }
    }
}

/// What one topic came to, for attack-specific measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSummary {
    /// The topic.
    pub id: PayloadId,
    /// Who broadcast it.
    pub sender: u32,
    /// When it was broadcast.
    pub start: Timestamp,
    /// Share of the honest online nodes (sender excluded) that verified it.
    pub coverage: f64,
    /// Seconds from broadcast to the sender decrypting a paid reply, if it did.
    pub reply_latency_s: Option<f64>,
}

/// Run-wide totals the engine supplies when a run ends.
#[derive(Debug, Default)]
pub struct Totals {
    /// Nodes in the run, Sybils included.
    pub nodes: u32,
    /// Honest nodes.
    pub honest_nodes: u32,
    /// Whether the peer graph was connected at the start.
    pub graph_connected: bool,
    /// Crypto operations summed over nodes.
    pub crypto: CryptoCounts,
    /// Satoshis earned per node.
    pub earned: Vec<u64>,
    /// Whether the ledger conserved fees.
    pub fees_conserved: bool,
    /// Further metrics (e.g. attack-specific).
    pub extra: Vec<(String, Option<f64>)>,
}

fn share(count: usize, eligible: u32) -> f64 {
    if eligible == 0 {
        1.0
    } else {
        count as f64 / f64::from(eligible)
    }
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// The mean of `values`, `None` when there are none.
pub(crate) fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0u64);
    for v in values {
        sum += v;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

/// Seconds until the topic reached share `q` of its eligible nodes (`accepted_s` sorted).
fn time_to(t: &TopicStats, q: f64) -> Option<f64> {
    if t.eligible == 0 {
        return Some(0.0);
    }
    let need = libm::ceil(q * f64::from(t.eligible)) as usize;
    t.accepted_s.get(need.max(1) - 1).copied()
}

fn coverage_curve(topics: &[&TopicStats], horizon_s: f64) -> Vec<(f64, f64)> {
    (0..COVERAGE_SAMPLES)
        .map(|i| {
            let at = horizon_s * i as f64 / (COVERAGE_SAMPLES - 1) as f64;
            let cov = mean(
                topics
                    .iter()
                    .map(|t| share(t.accepted_s.partition_point(|x| *x <= at), t.eligible)),
            );
            (at, cov.unwrap_or(0.0))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_times_and_curve() {
        let mut c = Collector::new(vec![true; 5]);
        let id = PayloadId([1; 16]);
        c.topic_started(id, 0, Timestamp(1_000_000), 4);
        for (node, t) in [
            (1, 1_100_000),
            (2, 1_200_000),
            (2, 1_250_000),
            (3, 1_400_000),
            (0, 1_500_000),
        ] {
            c.topic_accepted(id, node, Timestamp(t));
        }
        assert!(
            (c.coverage_of(&id).unwrap() - 0.75).abs() < 1e-12,
            "sender and repeats do not count"
        );
        let totals = Totals {
            nodes: 5,
            honest_nodes: 5,
            earned: vec![0; 5],
            ..Totals::default()
        };
        let r = c.finish(&totals, 1.0);
        assert_eq!(r.metrics["coverage_final"], Some(0.75));
        assert_eq!(r.metrics["t50_s"], Some(0.2));
        assert_eq!(r.metrics["t90_s"], None, "never reached");
        assert_eq!(r.coverage.len(), COVERAGE_SAMPLES);
        assert_eq!(r.coverage[0], (0.0, 0.0));
        assert!(
            (r.coverage[20].1 - 0.5).abs() < 1e-12,
            "{:?}",
            r.coverage[20]
        );
        assert!((r.coverage[100].1 - 0.75).abs() < 1e-12);
    }
}
