//! What the engine records about a traced run: every engine event with its outcome, every
//! frame put on a link, and per topic who received it first, from whom, and who was paid.

use std::collections::{BTreeMap, VecDeque};
use sweet_gossip::{FrameKind, PayloadId, Timestamp};

/// Engine event kinds, by the code the trace hash uses (index = code − 1).
pub const KINDS: [&str; 8] = [
    "deliver",
    "timer",
    "pow_done",
    "payment",
    "settled",
    "publish",
    "churn",
    "adversary",
];

/// The name of engine event code `code` (1..=8), `"unknown"` otherwise.
pub fn kind_name(code: u8) -> &'static str {
    KINDS
        .get(usize::from(code).wrapping_sub(1))
        .copied()
        .unwrap_or("unknown")
}

/// What became of one engine event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Given to the node (or the adversary), which raised no accept or reject for it.
    Handled,
    /// The node verified a topic from this frame.
    Accepted,
    /// The node dropped this frame, for the reason named.
    Rejected(&'static str),
    /// The node's device was busy: the frame is delivered again when it is free.
    DeferredBusy,
    /// The frame reached an offline node and was lost.
    LostOffline,
    /// The node was offline: the event waits until it is back.
    HeldOffline,
    /// A proof-of-work search was paused by churn: it completes later.
    PowRescheduled,
    /// The node went online.
    WentOnline,
    /// The node went offline.
    WentOffline,
    /// An adversarial node consumed the frame without handing it to its protocol node.
    Consumed,
}

impl Outcome {
    /// The name written to `trace.jsonl` (`rejected:<reason>` for rejections).
    pub fn name(self) -> String {
        match self {
            Outcome::Handled => "handled".into(),
            Outcome::Accepted => "accepted".into(),
            Outcome::Rejected(r) => format!("rejected:{r}"),
            Outcome::DeferredBusy => "deferred_busy".into(),
            Outcome::LostOffline => "lost_offline".into(),
            Outcome::HeldOffline => "held_offline".into(),
            Outcome::PowRescheduled => "pow_rescheduled".into(),
            Outcome::WentOnline => "went_online".into(),
            Outcome::WentOffline => "went_offline".into(),
            Outcome::Consumed => "consumed_by_adversary".into(),
        }
    }

    /// Whether the node took the frame in (counted as a frame received).
    pub fn received(self) -> bool {
        matches!(
            self,
            Outcome::Handled | Outcome::Accepted | Outcome::Rejected(_) | Outcome::Consumed
        )
    }
}

/// One engine event, in the order the engine processed it.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceLine {
    /// Virtual time, microseconds.
    pub t_us: u64,
    /// Event code, 1..=8 (see [`KINDS`]).
    pub code: u8,
    /// The node the event is for.
    pub node: u32,
    /// For deliveries: the sending node.
    pub peer: Option<u32>,
    /// For deliveries: the frame's kind, read from its first byte (the frame variant).
    pub frame: Option<FrameKind>,
    /// For deliveries: the frame's length in bytes.
    pub bytes: u32,
    /// What became of it.
    pub outcome: Outcome,
    /// For deliveries: the id of the frame's [`SendLine`].
    pub frame_id: Option<u64>,
}

impl TraceLine {
    /// The 13 bytes this event adds to `trace_sha256`: time (u64), code (u8), node (u32),
    /// little-endian.
    pub fn hashed_bytes(&self) -> [u8; 13] {
        let mut b = [0u8; 13];
        b[..8].copy_from_slice(&self.t_us.to_le_bytes());
        b[8] = self.code;
        b[9..].copy_from_slice(&self.node.to_le_bytes());
        b
    }
}

/// What became of a frame offered to a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendFate {
    /// It arrives at this time, microseconds (a delivery event then, if the run lasts).
    Arrives(u64),
    /// The link lost it (it still used the uplink).
    Lost,
    /// Its sender went offline before its last bit left the uplink: dropped, never delivered.
    SenderLeft,
    /// Its sender was offline when it was offered: never put on the uplink.
    SenderOffline,
}

impl SendFate {
    /// The name written to `trace.jsonl`.
    pub fn name(self) -> &'static str {
        match self {
            SendFate::Arrives(_) => "arrives",
            SendFate::Lost => "lost",
            SendFate::SenderLeft => "sender_left",
            SendFate::SenderOffline => "sender_offline",
        }
    }
}

/// One frame offered to a link, recorded after the engine event whose handling offered it.
#[derive(Debug, Clone, PartialEq)]
pub struct SendLine {
    /// Engine events recorded before it: it is written after line `after − 1`.
    pub after: usize,
    /// The frame's id: its index among the run's offered frames.
    pub id: u64,
    /// When the sender offered it, microseconds.
    pub offer_us: u64,
    /// When it starts (or would start) on the sender's uplink: the later of the offer and the
    /// end of the frames queued before it, microseconds.
    pub start_us: u64,
    /// The sender.
    pub from: u32,
    /// The receiver.
    pub to: u32,
    /// The frame's kind.
    pub kind: FrameKind,
    /// Its length in bytes.
    pub bytes: u32,
    /// What became of it.
    pub fate: SendFate,
}

/// One attempt of a Lightning invoice payment (a row of `payments.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentAttempt {
    /// The payment's index in the run (its attempts share it).
    pub payment: u64,
    /// When the payment started, microseconds.
    pub at_us: u64,
    /// Paying gossip node.
    pub payer: u32,
    /// Paid gossip node (the invoice's issuer).
    pub payee: u32,
    /// The invoice amount, millisatoshi (routing fees on top).
    pub amount_msat: u64,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Channels on the route tried; `None` when no route was found.
    pub hops: Option<u32>,
    /// The route's hop (0: the payer's own channel) whose sender lacked the liquidity.
    pub failing_hop: Option<u32>,
    /// Routing fees paid, millisatoshi (0 unless paid).
    pub fee_msat: u64,
    /// `paid`, `failed_liquidity`, `no_route` or `insufficient_balance`.
    pub outcome: &'static str,
}

/// One change of a node's reputation score of a peer (a row of `reputation.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRow {
    /// When it changed, microseconds.
    pub t_us: u64,
    /// The node keeping the score.
    pub node: u32,
    /// The peer scored.
    pub peer: u32,
    /// Topics offered to the peer so far.
    pub offered: u32,
    /// Paid replies it brought back so far.
    pub paid: u32,
    /// Replies it brought back whose payment failed, so far.
    pub failed: u32,
    /// The count that grew by one: `offered`, `paid` or `failed`.
    pub what: &'static str,
}

impl ScoreRow {
    /// The score, (paid − failed) / (offered + 1).
    pub fn score(&self) -> f64 {
        (f64::from(self.paid) - f64::from(self.failed)) / (f64::from(self.offered) + 1.0)
    }
}

/// A node's first receipt of a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// Virtual time, microseconds.
    pub t_us: u64,
    /// Middlemen the topic passed, this node included (the protocol's hop count).
    pub hop: u32,
    /// The peer that delivered it.
    pub parent: u32,
}

/// One topic of the workload, as it spread.
#[derive(Debug, Clone)]
pub struct TopicTrace {
    /// Its payload id.
    pub id: PayloadId,
    /// The customer who broadcast it.
    pub sender: u32,
    /// Broadcast time, microseconds.
    pub start_us: u64,
    /// Per node: online at broadcast.
    pub online: Vec<bool>,
    /// Per node: first verification of the topic.
    pub first: BTreeMap<u32, Receipt>,
    /// Reply hops (from, to): repliers and middlemen passing replies back.
    pub reply_edges: Vec<(u32, u32)>,
    /// Nodes whose invoice for this topic's reply was paid, in payment order.
    pub paid: Vec<u32>,
}

/// Collects a traced run. Only exists when tracing is on: the engine holds an `Option` of it.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Every engine event.
    pub lines: Vec<TraceLine>,
    /// Every frame put on a link: (time µs, sender, kind).
    pub sends: Vec<(u64, u32, FrameKind)>,
    /// Per node: proof-of-work hashes computed.
    pub pow: Vec<u64>,
    /// The workload's topics, in broadcast order.
    pub topics: Vec<TopicTrace>,
    /// Links the adversary added during the run.
    pub connected: Vec<(u32, u32)>,
    /// Every frame offered to a link, in the order offered.
    pub frames: Vec<SendLine>,
    /// Lightning runs: every payment attempt, in order; `None` for other runs.
    pub payments: Option<Vec<PaymentAttempt>>,
    /// Runs with reputation fanout: every change of a node's score of a peer (Sybils keep
    /// none), in order; `None` for other runs.
    pub reputation: Option<Vec<ScoreRow>>,
    /// Ids of frames queued for delivery, by (sender, receiver, due time µs), in queue order.
    pending: BTreeMap<(u32, u32, u64), VecDeque<u64>>,
    by_id: BTreeMap<PayloadId, usize>,
    /// Reused buffer for reading a delivered frame's first byte.
    pub(crate) scratch: Vec<u8>,
}

impl Recorder {
    /// Records an engine event; its outcome starts as [`Outcome::Handled`].
    pub fn event(&mut self, t: Timestamp, code: u8, node: u32, peer: Option<u32>, frame: &[u8]) {
        let kind = peer.map(|_| frame_kind(frame));
        let frame_id = peer.and_then(|from| self.due(from, node, t.0));
        self.lines.push(TraceLine {
            t_us: t.0,
            code,
            node,
            peer,
            frame: kind,
            bytes: frame.len() as u32,
            outcome: Outcome::Handled,
            frame_id,
        });
    }

    /// The id of the next frame queued from `from` to `to` for `t_us`. The event queue pops
    /// equal times in insertion order, so the first queued is the one delivered.
    fn due(&mut self, from: u32, to: u32, t_us: u64) -> Option<u64> {
        let key = (from, to, t_us);
        let ids = self.pending.get_mut(&key)?;
        let id = ids.pop_front();
        if ids.is_empty() {
            self.pending.remove(&key);
        }
        id
    }

    /// `from` offered a frame of `kind` and `bytes` bytes to `to` at `offer`; it starts on the
    /// uplink at `start` and meets `fate`.
    pub fn offered(
        &mut self,
        offer: Timestamp,
        start: Timestamp,
        (from, to): (u32, u32),
        kind: FrameKind,
        bytes: usize,
        fate: SendFate,
    ) {
        let id = self.frames.len() as u64;
        if let SendFate::Arrives(at) = fate {
            self.pending
                .entry((from, to, at))
                .or_default()
                .push_back(id);
        }
        self.frames.push(SendLine {
            after: self.lines.len(),
            id,
            offer_us: offer.0,
            start_us: start.0,
            from,
            to,
            kind,
            bytes: bytes as u32,
            fate,
        });
    }

    /// The delivery being processed was deferred to `at` (the device was busy): it keeps its
    /// frame id.
    pub fn deferred(&mut self, at: Timestamp) {
        self.outcome(Outcome::DeferredBusy);
        if let Some(l) = self.lines.last() {
            if let (Some(from), Some(id)) = (l.peer, l.frame_id) {
                let key = (from, l.node, at.0);
                self.pending.entry(key).or_default().push_back(id);
            }
        }
    }

    /// Sets the outcome of the event being processed.
    pub fn outcome(&mut self, outcome: Outcome) {
        if let Some(l) = self.lines.last_mut() {
            l.outcome = outcome;
        }
    }

    /// Sets the outcome of the event being processed if it is still [`Outcome::Handled`] and
    /// for `node`.
    fn refine(&mut self, node: u32, outcome: Outcome) {
        if let Some(l) = self.lines.last_mut() {
            if l.node == node && l.outcome == Outcome::Handled {
                l.outcome = outcome;
            }
        }
    }

    /// `from` put a frame of `kind` on a link at `t`.
    pub fn sent(&mut self, t: Timestamp, from: u32, kind: FrameKind) {
        self.sends.push((t.0, from, kind));
    }

    /// `node` computed `attempts` proof-of-work hashes.
    pub fn pow(&mut self, node: u32, attempts: u64) {
        let i = node as usize;
        if self.pow.len() <= i {
            self.pow.resize(i + 1, 0);
        }
        self.pow[i] += attempts;
    }

    /// Honest `sender` broadcast topic `id` at `t`, with nodes `online`.
    pub fn topic_started(&mut self, id: PayloadId, sender: u32, t: Timestamp, online: Vec<bool>) {
        self.by_id.insert(id, self.topics.len());
        self.topics.push(TopicTrace {
            id,
            sender,
            start_us: t.0,
            online,
            first: BTreeMap::new(),
            reply_edges: Vec::new(),
            paid: Vec::new(),
        });
    }

    /// `node` verified topic `id` at `t`, delivered by `parent`, `hop` middlemen out.
    pub fn accepted(&mut self, id: &PayloadId, node: u32, t: Timestamp, parent: u32, hop: u32) {
        self.refine(node, Outcome::Accepted);
        if let Some(&k) = self.by_id.get(id) {
            let receipt = Receipt {
                t_us: t.0,
                hop,
                parent,
            };
            self.topics[k].first.entry(node).or_insert(receipt);
        }
    }

    /// `node` dropped the frame it is handling, for `reason`.
    pub fn rejected(&mut self, node: u32, reason: &'static str) {
        self.refine(node, Outcome::Rejected(reason));
    }

    /// A reply to topic `id` went from `from` to `to`.
    pub fn reply_hop(&mut self, id: &PayloadId, from: u32, to: u32) {
        if let Some(&k) = self.by_id.get(id) {
            self.topics[k].reply_edges.push((from, to));
        }
    }

    /// `payee`'s invoice for the reply to topic `id` was paid.
    pub fn paid(&mut self, id: &PayloadId, payee: u32) {
        if let Some(&k) = self.by_id.get(id) {
            self.topics[k].paid.push(payee);
        }
    }
}

/// A frame's kind from its first byte, the variant of the `Frame` enum in its canonical
/// encoding (a one-byte varint): 0 ask, 1 conditions, 2 broadcast, 3 reply, else malformed.
pub fn frame_kind(bytes: &[u8]) -> FrameKind {
    match bytes.first() {
        Some(0) => FrameKind::Ask,
        Some(1) => FrameKind::Conditions,
        Some(2) => FrameKind::Broadcast,
        Some(3) => FrameKind::Reply,
        _ => FrameKind::Malformed,
    }
}

/// Everything known about a traced run once it has finished.
#[derive(Debug)]
pub struct Trace {
    /// What was recorded while it ran.
    pub rec: Recorder,
    /// Per node: role name (`customer`, `worker`, `gossiper`).
    pub roles: Vec<&'static str>,
    /// Per node: corrupted or Sybil.
    pub adversary: Vec<bool>,
    /// Per node: a Sybil.
    pub sybil: Vec<bool>,
    /// Per node: satoshis earned (ledger).
    pub earned: Vec<u64>,
    /// Links at time 0 (after the adversary's rewiring) plus links it added later, each once
    /// (a < b), with the link's base one-way latency in milliseconds.
    pub edges: Vec<(u32, u32, f64)>,
    /// `(rows, cols)` for grid and torus graphs.
    pub lattice: Option<(u32, u32)>,
    /// The engine's trace hash, hex.
    pub trace_sha256: String,
}

impl Trace {
    /// Nodes in the run, Sybils included.
    pub fn node_count(&self) -> usize {
        self.roles.len()
    }
}

/// Seconds after broadcast at which `node` first verified topic `t` (0 for its sender).
pub fn receipt_s(t: &TopicTrace, node: u32) -> Option<f64> {
    if node == t.sender {
        return Some(0.0);
    }
    t.first
        .get(&node)
        .map(|r| r.t_us.saturating_sub(t.start_us) as f64 / 1e6)
}
