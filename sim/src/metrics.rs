//! Measurements of one run, collected from the nodes' outputs and events as the engine sees
//! them, and reduced to named per-run metrics, distributions and a coverage curve.

pub mod latency;

pub use latency::LatencyHistogram;
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
    /// First-receipt delays of every eligible (node, topic) pair, fixed bins
    /// ([`latency`]); empty in runs read back from files written before it existed.
    pub first_receipt_hist: LatencyHistogram,
}

#[derive(Debug)]
struct TopicStats {
    start: Timestamp,
    sender: u32,
    /// Honest online nodes other than the sender at broadcast time: the coverage denominator.
    eligible: u32,
    /// Honest nodes other than the sender that were offline at broadcast, sorted. They are
    /// never eligible; their acceptances count only as late joiners.
    offline: Vec<u32>,
    /// Offline-at-broadcast nodes that verified the topic later.
    late: u32,
    /// Seconds after start at which each eligible node first verified the topic.
    accepted_s: Vec<f64>,
    /// The node of each entry of `accepted_s`.
    accepted_by: Vec<u32>,
    /// Per node: how many times the node accepted (verified) the topic.
    accepts: Vec<u32>,
    first_reply_s: Option<f64>,
    replies: u32,
    delivered: Option<Delivered>,
    /// Routing instructions a peer of the sender saw when it took the topic straight from the
    /// sender: one means that peer could tell it is adjacent to the sender.
    first_hop_list: Option<u32>,
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
    adversary_bytes: u64,
    fees: FeePaths,
    pow_hashes: u64,
    adversary_pow_hashes: u64,
    rejected: BTreeMap<&'static str, u64>,
    frames_lost: u64,
    frames_lost_offline: u64,
    payment_failures: u64,
    onion_full_stops: u64,
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
            adversary_bytes: 0,
            fees: FeePaths::default(),
            pow_hashes: 0,
            adversary_pow_hashes: 0,
            rejected: BTreeMap::new(),
            frames_lost: 0,
            frames_lost_offline: 0,
            payment_failures: 0,
            onion_full_stops: 0,
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

    /// A topic was broadcast by `sender` with `eligible` honest online nodes besides it, while
    /// the honest nodes `offline` (sorted, sender excluded) were offline.
    pub fn topic_started(
        &mut self,
        id: PayloadId,
        sender: u32,
        at: Timestamp,
        eligible: u32,
        offline: Vec<u32>,
    ) {
        debug_assert!(offline.windows(2).all(|w| w[0] < w[1]), "offline sorted");
        self.topic_order.push(id);
        let stats = TopicStats {
            start: at,
            sender,
            eligible,
            offline,
            late: 0,
            accepted_s: Vec::new(),
            accepted_by: Vec::new(),
            accepts: vec![0; self.honest.len()],
            first_reply_s: None,
            replies: 0,
            delivered: None,
            first_hop_list: None,
        };
        self.topics.insert(id, stats);
    }

    /// `node` verified topic `id` at `at`. Only honest nodes other than the sender are
    /// counted; the first acceptance of an eligible node sets its coverage time, that of a node
    /// offline at broadcast counts it as a late joiner; later ones (multibroadcast) only raise
    /// its acceptance count.
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
        if counts[i] > 1 {
            return;
        }
        if t.offline.binary_search(&node).is_ok() {
            t.late += 1;
        } else {
            t.accepted_s
                .push(at.saturating_since(t.start).as_secs_f64());
            t.accepted_by.push(node);
        }
    }

    /// A node took topic `id` from `from` with `list` routing instructions. Every peer of the
    /// sender sees the same count (the sender's decoys plus its own), so the first is kept.
    pub fn topic_accepted_from(&mut self, id: PayloadId, from: u32, list: u32) {
        if let Some(t) = self.topics.get_mut(&id) {
            if from == t.sender && t.first_hop_list.is_none() {
                t.first_hop_list = Some(list);
            }
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
            self.adversary_bytes += bytes as u64;
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

    /// A payer was told its payment of an invoice of `amount_sat` succeeded (payer path).
    pub fn fee_paid(&mut self, amount_sat: u64) {
        self.fees.paid += amount_sat;
    }

    /// The ledger's record of a settled payment of `amount_sat` reached payee `node`.
    pub fn fee_credit_delivered(&mut self, node: u32, amount_sat: u64) {
        *grow(&mut self.fees.delivered, node) += amount_sat;
    }

    /// Payee `node`'s protocol node reported an invoice of `amount_sat` settled (payee path).
    pub fn fee_settled(&mut self, node: u32, amount_sat: u64) {
        *grow(&mut self.fees.settled, node) += amount_sat;
    }

    /// A middleman did not forward a verified topic: its route filled the padded onion.
    pub fn onion_full(&mut self) {
        self.onion_full_stops += 1;
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
            .and_then(|t| share(t.accepted_s.len(), t.eligible))
    }

    /// Every counted node that verified topic `id`, with the seconds from broadcast to its
    /// first verification, in the order they happened (empty for an unknown topic).
    pub fn first_receipts(&self, id: &PayloadId) -> Vec<(u32, f64)> {
        self.topics.get(id).map_or_else(Vec::new, |t| {
            t.accepted_by
                .iter()
                .copied()
                .zip(t.accepted_s.iter().copied())
                .collect()
        })
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
    /// Every key is defined in `sgsim list metrics`.
    pub fn finish(mut self, totals: &Totals, horizon_s: f64) -> RunMetrics {
        // Acceptances arrive in event order, not time order: sort once for every quantile.
        for t in self.topics.values_mut() {
            t.accepted_s.sort_by(f64::total_cmp);
        }
        let mut m = Metrics::default();
        let topics: Vec<&TopicStats> = self.topic_order.iter().map(|id| &self.topics[id]).collect();
        m.put("nodes", f64::from(totals.nodes));
        m.put("honest_nodes", f64::from(totals.honest_nodes));
        m.flag("graph_connected", totals.graph_connected);
        m.flag("honest_graph_connected", totals.honest_graph_connected);
        m.flag(
            "honest_forwarder_graph_connected",
            totals.honest_forwarder_graph_connected,
        );
        propagation(&mut m, &topics);
        self.traffic(&mut m, totals);
        crypto(&mut m, &totals.crypto);
        let delivered = replies(&mut m, &topics);
        self.payments(&mut m, totals);
        self.rejections(&mut m);
        m.put("events", self.events as f64);
        for (k, v) in &totals.extra {
            m.0.insert(k.clone(), *v);
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
            metrics: m.0,
            distributions,
            coverage,
            first_receipt_hist: receipt_histogram(&topics),
        }
    }

    /// Frames, bytes and proof of work: totals over all nodes, per-node values over honest
    /// nodes only (what the honest network pays).
    fn traffic(&self, m: &mut Metrics, totals: &Totals) {
        let (mut frames, mut bytes) = (0u64, 0u64);
        for kind in FrameKind::ALL {
            let (f, b) = self.frames.get(&kind).copied().unwrap_or_default();
            if kind != FrameKind::Malformed {
                m.put(&format!("frames_{}", kind.name()), f as f64);
                m.put(&format!("bytes_{}", kind.name()), b as f64);
            }
            frames += f;
            bytes += b;
        }
        let honest = f64::from(totals.honest_nodes);
        m.put("frames_total", frames as f64);
        m.put("bytes_total", bytes as f64);
        let honest_frames = frames - self.adversary_frames;
        let honest_bytes = bytes - self.adversary_bytes;
        let honest_pow = self.pow_hashes - self.adversary_pow_hashes;
        m.opt("frames_per_node", ratio(honest_frames as f64, honest));
        m.opt("bytes_per_node", ratio(honest_bytes as f64, honest));
        m.put("frames_lost", self.frames_lost as f64);
        m.put("frames_lost_offline", self.frames_lost_offline as f64);
        m.put("topics_stopped_onion_full", self.onion_full_stops as f64);
        m.put("pow_hashes", self.pow_hashes as f64);
        m.opt("pow_hashes_per_node", ratio(honest_pow as f64, honest));
        m.put("attacker_frames", self.adversary_frames as f64);
        m.put("attacker_pow_hashes", self.adversary_pow_hashes as f64);
    }

    /// Payment outcomes, earnings by honesty, and the fee check across independent paths.
    fn payments(&self, m: &mut Metrics, totals: &Totals) {
        m.put("invoice_payment_failures", self.payment_failures as f64);
        m.put("topics_unpaid", self.unpaid as f64);
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
        m.opt(
            "fees_earned_per_honest_node_sat",
            ratio(honest_fee as f64, honest_n as f64),
        );
        m.opt(
            "fees_earned_per_adversary_node_sat",
            ratio(adv_fee as f64, adv_n as f64),
        );
        let credited: u64 = totals.earned.iter().sum();
        m.put("fees_paid_sat", self.fees.paid as f64);
        m.put("fees_credited_sat", credited as f64);
        m.put(
            "fees_settled_sat",
            self.fees.settled.iter().sum::<u64>() as f64,
        );
        m.put(
            "fees_unbalanced_sat",
            self.fees.unbalanced_sat(credited) as f64,
        );
    }

    fn rejections(&self, m: &mut Metrics) {
        let rejected: u64 = self.rejected.values().sum();
        m.put("rejected_total", rejected as f64);
        for name in RejectReason::NAMES {
            let n = self.rejected.get(name).copied().unwrap_or(0);
            m.put(&format!("rejected_{name}"), n as f64);
        }
    }
}

/// The run's named metrics while they are being filled in.
#[derive(Default)]
struct Metrics(BTreeMap<String, Option<f64>>);

impl Metrics {
    fn put(&mut self, k: &str, v: f64) {
        self.0.insert(k.to_owned(), Some(v));
    }

    fn opt(&mut self, k: &str, v: Option<f64>) {
        self.0.insert(k.to_owned(), v);
    }

    fn flag(&mut self, k: &str, v: bool) {
        self.put(k, f64::from(u8::from(v)));
    }
}

/// Coverage, late joiners and time to each coverage quantile with the share of topics that
/// reached it (times are means over those topics only: censored data).
fn propagation(m: &mut Metrics, topics: &[&TopicStats]) {
    m.put("topics", topics.len() as f64);
    m.opt(
        "coverage_final",
        mean(
            topics
                .iter()
                .filter_map(|t| share(t.accepted_s.len(), t.eligible)),
        ),
    );
    m.opt(
        "late_joiner_coverage",
        mean(
            topics
                .iter()
                .filter(|t| !t.offline.is_empty())
                .map(|t| f64::from(t.late) / t.offline.len() as f64),
        ),
    );
    let late: u32 = topics.iter().map(|t| t.late).sum();
    let offline: usize = topics.iter().map(|t| t.offline.len()).sum();
    m.opt(
        "late_joiner_coverage_pooled",
        ratio(f64::from(late), offline as f64),
    );
    for (q, pct) in [(0.5, 50), (0.9, 90), (0.99, 99)] {
        m.opt(
            &format!("t{pct}_s"),
            mean(topics.iter().filter_map(|t| time_to(t, q))),
        );
        let reached = topics.iter().filter(|t| time_to(t, q).is_some()).count();
        let reachable = topics.iter().filter(|t| t.eligible > 0).count();
        m.opt(
            &format!("reach{pct}_share"),
            ratio(reached as f64, reachable as f64),
        );
    }
}

fn crypto(m: &mut Metrics, c: &CryptoCounts) {
    for (k, v) in [
        ("crypto_sign", c.sign),
        ("crypto_verify", c.verify),
        ("crypto_seal", c.seal),
        ("crypto_open", c.open),
        ("crypto_sym", c.sym_encrypt + c.sym_decrypt),
        ("crypto_hash", c.hash),
        ("crypto_derive", c.derive),
    ] {
        m.put(k, v as f64);
    }
}

/// Reply and delivery metrics; returns the delivered replies for the distributions.
fn replies(m: &mut Metrics, topics: &[&TopicStats]) -> Vec<Delivered> {
    let replies: u32 = topics.iter().map(|t| t.replies).sum();
    m.put("replies_received", f64::from(replies));
    m.opt(
        "time_to_first_reply_s",
        mean(topics.iter().filter_map(|t| t.first_reply_s)),
    );
    let delivered: Vec<Delivered> = topics.iter().filter_map(|t| t.delivered).collect();
    let with_reply = topics.iter().filter(|t| t.replies > 0).count();
    m.put("replies_delivered", delivered.len() as f64);
    m.opt(
        "payment_success_rate",
        ratio(delivered.len() as f64, with_reply as f64),
    );
    m.opt(
        "reply_latency_s",
        mean(delivered.iter().map(|d| d.latency_s)),
    );
    m.opt(
        "route_length_mean",
        mean(delivered.iter().map(|d| f64::from(d.route_length))),
    );
    m.opt(
        "route_fee_paid_sat",
        mean(delivered.iter().map(|d| d.fee_sat as f64)),
    );
    // Every route of a topic starts at a peer of the sender that saw the same list.
    let exposed: u32 = topics
        .iter()
        .filter(|t| t.first_hop_list == Some(1))
        .map(|t| t.replies)
        .sum();
    m.opt(
        "sender_exposed_route_share",
        ratio(f64::from(exposed), f64::from(replies)),
    );
    delivered
}

/// Fees seen on three independent paths: what payers were told they paid, what the ledger's
/// settlements delivered to each payee, and what each payee's protocol node reported settled.
#[derive(Debug, Default)]
struct FeePaths {
    paid: u64,
    /// Per node: amounts of the ledger settlements delivered to it.
    delivered: Vec<u64>,
    /// Per node: amounts its protocol node reported settled.
    settled: Vec<u64>,
}

impl FeePaths {
    /// Satoshis on which the paths disagree: |paid − credited| plus, per node, |settlements
    /// delivered − settlements reported|. Zero in a correct run; settlements still in flight
    /// at the end are in neither per-node path.
    fn unbalanced_sat(&self, credited: u64) -> u64 {
        let n = self.delivered.len().max(self.settled.len());
        let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
        let per_node: u64 = (0..n)
            .map(|i| at(&self.delivered, i).abs_diff(at(&self.settled, i)))
            .sum();
        self.paid.abs_diff(credited) + per_node
    }
}

/// `v[i]`, growing `v` with zeros as needed.
fn grow(v: &mut Vec<u64>, i: u32) -> &mut u64 {
    let i = i as usize;
    if v.len() <= i {
        v.resize(i + 1, 0);
    }
    &mut v[i]
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
    /// Share of the eligible nodes (honest, online at broadcast, sender excluded) that
    /// verified it; `None` when no node was eligible.
    pub coverage: Option<f64>,
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
    /// Whether the simulated peer graph (after the adversary's rewiring, Sybils included) was
    /// connected at time 0; nodes that have no link yet (flash Sybils) are left out.
    pub graph_connected: bool,
    /// Whether the honest nodes were connected by honest–honest links alone at time 0.
    pub honest_graph_connected: bool,
    /// Whether the honest customers and gossipers were connected by links between them alone
    /// at time 0, with every honest gig worker a peer of one of them.
    pub honest_forwarder_graph_connected: bool,
    /// Crypto operations summed over nodes.
    pub crypto: CryptoCounts,
    /// Satoshis earned per node.
    pub earned: Vec<u64>,
    /// Further metrics (e.g. attack-specific).
    pub extra: Vec<(String, Option<f64>)>,
}

/// Share of a topic's `eligible` nodes that `count` is; undefined when no node was eligible
/// (every honest node but the sender offline), so such a topic is left out of coverage means.
fn share(count: usize, eligible: u32) -> Option<f64> {
    (eligible > 0).then(|| count as f64 / f64::from(eligible))
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
        return None; // nobody to reach: left out of times and of reach shares
    }
    let need = libm::ceil(q * f64::from(t.eligible)) as usize;
    t.accepted_s.get(need.max(1) - 1).copied()
}

/// Every eligible node's first-receipt delay per topic, and the eligible nodes that never
/// verified it; topics without eligible nodes add nothing.
fn receipt_histogram(topics: &[&TopicStats]) -> LatencyHistogram {
    let mut h = LatencyHistogram::new();
    for t in topics {
        for s in &t.accepted_s {
            h.record_s(*s);
        }
        h.never += u64::from(t.eligible).saturating_sub(t.accepted_s.len() as u64);
    }
    h
}

fn coverage_curve(topics: &[&TopicStats], horizon_s: f64) -> Vec<(f64, f64)> {
    (0..COVERAGE_SAMPLES)
        .map(|i| {
            let at = horizon_s * i as f64 / (COVERAGE_SAMPLES - 1) as f64;
            let cov = mean(
                topics
                    .iter()
                    .filter_map(|t| share(t.accepted_s.partition_point(|x| *x <= at), t.eligible)),
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
        c.topic_started(id, 0, Timestamp(1_000_000), 4, Vec::new());
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
        assert_eq!(r.metrics["reach50_share"], Some(1.0));
        assert_eq!(r.metrics["reach90_share"], Some(0.0));
        assert_eq!(
            r.metrics["late_joiner_coverage"], None,
            "nobody was offline"
        );
        // Three of four eligible nodes received it (0.1, 0.2, 0.4 s after broadcast).
        let h = &r.first_receipt_hist;
        assert_eq!(h.never, 1);
        assert_eq!(h.counts.iter().sum::<u64>(), 3);
        for us in [100_000, 200_000, 400_000] {
            assert_eq!(h.counts[LatencyHistogram::bin(us)], 1, "{us}");
        }
    }

    /// The defect: a node offline at broadcast that accepts later raised the numerator only,
    /// so coverage could exceed 1.
    #[test]
    fn nodes_offline_at_broadcast_count_as_late_joiners_not_coverage() {
        let mut c = Collector::new(vec![true; 6]);
        let id = PayloadId([2; 16]);
        // Nodes 4 and 5 were offline: eligible are 1, 2, 3.
        c.topic_started(id, 0, Timestamp(0), 3, vec![4, 5]);
        for node in [1, 2, 3, 4] {
            c.topic_accepted(id, node, Timestamp(10));
        }
        assert_eq!(c.coverage_of(&id), Some(1.0));
        let r = c.finish(&Totals::default(), 1.0);
        assert_eq!(r.metrics["coverage_final"], Some(1.0));
        assert_eq!(r.metrics["late_joiner_coverage"], Some(0.5));
        assert!(r.coverage.iter().all(|(_, v)| *v <= 1.0));
    }

    /// `late_joiner_coverage` weighs topics alike; its pooled twin weighs late joiners alike.
    #[test]
    fn late_joiner_coverage_is_a_mean_over_topics_and_its_twin_is_pooled() {
        let mut c = Collector::new(vec![true; 6]);
        let (a, b) = (PayloadId([5; 16]), PayloadId([6; 16]));
        // Topic a: 1 late joiner of 1 verifies it; topic b: 1 of 3.
        c.topic_started(a, 0, Timestamp(0), 4, vec![5]);
        c.topic_started(b, 0, Timestamp(0), 2, vec![3, 4, 5]);
        for (id, node) in [(a, 5), (b, 4)] {
            c.topic_accepted(id, node, Timestamp(10));
        }
        let r = c.finish(&Totals::default(), 1.0);
        let mean = r.metrics["late_joiner_coverage"].unwrap();
        assert!((mean - (1.0 + 1.0 / 3.0) / 2.0).abs() < 1e-12, "{mean}");
        assert_eq!(r.metrics["late_joiner_coverage_pooled"], Some(0.5));
        let none = Collector::new(vec![true; 2]).finish(&Totals::default(), 1.0);
        assert_eq!(none.metrics["late_joiner_coverage_pooled"], None);
    }

    /// A topic broadcast while every other honest node was offline has no coverage: it used
    /// to count as fully covered.
    #[test]
    fn a_topic_with_no_eligible_node_is_left_out() {
        let mut c = Collector::new(vec![true; 3]);
        let (a, b) = (PayloadId([3; 16]), PayloadId([4; 16]));
        c.topic_started(a, 0, Timestamp(0), 0, vec![1, 2]);
        c.topic_started(b, 0, Timestamp(0), 2, Vec::new());
        c.topic_accepted(b, 1, Timestamp(5));
        assert_eq!(c.coverage_of(&a), None);
        let r = c.finish(&Totals::default(), 1.0);
        assert_eq!(r.metrics["coverage_final"], Some(0.5));
        assert_eq!(r.metrics["reach50_share"], Some(1.0));
        assert_eq!(r.metrics["t50_s"], Some(5e-6));
    }

    #[test]
    fn fee_paths_that_disagree_are_unbalanced() {
        let mut f = FeePaths::default();
        assert_eq!(f.unbalanced_sat(0), 0);
        f.paid = 30;
        f.delivered = vec![0, 10, 20];
        f.settled = vec![0, 10, 20];
        assert_eq!(f.unbalanced_sat(30), 0);
        assert_eq!(
            f.unbalanced_sat(40),
            10,
            "ledger credited more than payers paid"
        );
        f.settled[2] = 15;
        assert_eq!(
            f.unbalanced_sat(30),
            5,
            "a payee's node saw less than it was credited"
        );
        f.settled.push(7);
        assert_eq!(
            f.unbalanced_sat(30),
            12,
            "a settlement the ledger never delivered"
        );
    }
}
