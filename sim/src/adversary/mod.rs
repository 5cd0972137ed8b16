//! Adversaries: the attacks of the paper's section 4 as node behaviours that a scenario's
//! `[attack]` section switches on.
//!
//! An adversarial node still runs the unmodified protocol [`sweet_gossip::Node`]: it answers
//! asks with conditions, accepts broadcasts, issues invoices and earns fees like any node. What
//! makes it adversarial is what the engine lets through between that node and the network. The
//! engine calls four hooks, and nothing else about a run changes:
//!
//! - at setup, [`Adversary::new`] picks the corrupted nodes, appends the Sybils to the peer
//!   graph and rewires it; [`Adversary::ensure_victim_customer`] and
//!   [`Adversary::assign_victim_topics`] make the victim a publishing customer;
//! - every frame an adversarial node's protocol node sends passes [`Adversary::on_send`], which
//!   lets it through, drops it or rewrites it;
//! - every frame delivered to an adversarial node passes [`Adversary::on_receive`] first, which
//!   may record it or consume it (the chatterbox's own asks);
//! - scheduled adversary events ([`Wake`]) run [`Adversary::on_wake`]: chatterbox topics (and
//!   replays) and the flash Sybils connecting at `start_s`;
//! - accounting hooks that change nothing: [`Adversary::on_pay`], [`Adversary::on_paid`],
//!   [`Adversary::on_honest_pow`], [`Adversary::on_originate`]; and one payment hook that does:
//!   [`Adversary::refuses`] (withheld settlements).
//!
//! Every kind but cold boot has a warm-up: until the strike (`attack.start_s`) adversarial
//! nodes behave honestly (Sybils relay by flooding and earn fees), so honest nodes build
//! reputation first. Cold boot strikes at 0, before any reputation exists.
//!
//! Honest nodes never know who is adversarial. Who attacks and where Sybils join is documented
//! in `placement.rs`, what happens to their frames in `rules.rs`, the replays in
//! `chatterbox.rs`; `docs/attacks.md` collects the rules and the metrics. Every random choice
//! comes from the run's [`Concern::Attack`] stream, used in event order, so runs are
//! reproducible.

mod abuse;
mod chatterbox;
mod measure;
mod placement;
pub mod results;
mod rules;

use crate::graph::PeerGraph;
use crate::metrics::Collector;
use crate::model::PowSolver;
use crate::rng::{stream, Concern};
use crate::scenario::{Attack, AttackKind, Scenario};
use crate::workload::{Arrival, Role};
use chatterbox::Chatter;
use rand_chacha::ChaCha12Rng;
use std::collections::{BTreeMap, BTreeSet};
use sweet_gossip::{
    Duration, FrameBytes, FrameKind, Invoice, PaymentHash, PeerId, PublicKey, Timestamp, Topic,
};

/// Hard cap on Sybil identities in one run, whatever `attack.share` says: a scenario can ask
/// for up to 1000 × the honest nodes, which would not fit in memory for large graphs.
pub const SYBILS_MAX: u32 = 100_000;

/// Inflated invoices remembered for the `inflated_invoices_paid` check, and withheld invoices
/// remembered until paid.
const TAMPERED_MAX: usize = 1 << 16;

/// A scheduled adversary event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// A chatterbox tries to originate a topic (and replays one, with `chatterbox_replay`).
    Chatter,
    /// Flash Sybils connect to their honest peers (`attack.start_s`).
    Connect,
    /// An ask flooder sends its next round of asks.
    Flood,
    /// The trusted authority revokes the detected attackers (`attack.revoke_at_s`).
    Revoke,
}

/// Something the engine must do for the adversary.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send a frame the adversary made itself. It bypasses [`Adversary::on_send`] and counts as
    /// an attacker frame; when `pow_attempts > 0` the sender's device first spends that many
    /// proof-of-work hashes (counted as attacker work) and the frame leaves when they are done.
    Send {
        /// Sender (an adversarial node).
        from: u32,
        /// Receiver.
        to: u32,
        /// The frame's kind.
        kind: FrameKind,
        /// The encoded frame.
        bytes: Vec<u8>,
        /// Proof-of-work hashes computed before sending.
        pow_attempts: u64,
    },
    /// Connect `a` and `b` as peers (both protocol nodes learn the other's onion key).
    Connect {
        /// One end.
        a: u32,
        /// The other end.
        b: u32,
    },
    /// Chatterbox `node` starts broadcasting `topic` through its protocol node, if its device
    /// is free and it is online; the engine reports the outcome to [`Adversary::on_originate`].
    Originate {
        /// The chatterbox.
        node: u32,
        /// Its topic (boxed: rare and large).
        topic: Box<Topic>,
    },
    /// Run [`Adversary::on_wake`] for `node` at `at`.
    Wake {
        /// When.
        at: Timestamp,
        /// Which adversarial node.
        node: u32,
        /// What to do.
        wake: Wake,
    },
}

/// What [`Adversary::on_receive`] decided about a delivered frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    /// Hand the frame to the receiver's protocol node as usual.
    Pass,
    /// The adversary used the frame itself; do not hand it to the node. Carry out the actions.
    Consumed(Vec<Action>),
}

/// Counters of what the adversary did.
#[derive(Debug, Clone, Default)]
struct Counters {
    /// Frames adversarial protocol nodes wanted to send but the behaviour dropped.
    dropped: u64,
    /// Reply frames whose invoices were inflated or withheld.
    tampered: u64,
    /// Frames the adversary made itself (chatterbox replays and asks).
    injected: u64,
    /// Invoices paid by senders at an inflated amount.
    inflated_paid: u64,
    /// Payments to a withholding middleman it refused to settle.
    withheld: u64,
    /// Chatterbox ticks after the strike (one topic tried per tick).
    originate_tried: u64,
    /// Chatterbox topics whose broadcast the protocol node started.
    originated: u64,
    /// Fees settled to adversarial nodes before / after the strike, in satoshis.
    earned_before: u64,
    earned_after: u64,
    /// Proof-of-work hashes honest nodes computed: all, and answering adversarial conditions.
    honest_pow: u64,
    honest_pow_to_adversary: u64,
    honest_pow_to_adversary_after: u64,
    /// Proofs of work adversarial nodes solved, and broadcasts from adversarial nodes that
    /// honest nodes accepted.
    attacker_pow_solved: u64,
    accepted_from_adversary: u64,
}

/// The adversary of one run: who is adversarial, the attack's parameters and its state.
///
/// Invariants: nodes `0..honest_nodes` are the graph's original identities (some of them
/// corrupted for the corrupting kinds); Sybils are `honest_nodes..honest_nodes + sybils`.
/// With `attack.kind = "none"` every hook is a no-op and the run is the honest run.
#[derive(Debug)]
pub struct Adversary {
    attack: Attack,
    honest_nodes: u32,
    sybils: u32,
    adversarial: Vec<bool>,
    victim: Option<u32>,
    victim_key: Option<PublicKey>,
    start: Timestamp,
    deferred: Vec<(u32, u32)>,
    chatter: Chatter,
    inflated: BTreeMap<PaymentHash, u64>,
    inflated_order: std::collections::VecDeque<PaymentHash>,
    withheld: BTreeSet<PaymentHash>,
    withheld_order: std::collections::VecDeque<PaymentHash>,
    area: (crate::scenario::BBox, u8),
    counters: Counters,
    rng: ChaCha12Rng,
    abuse: abuse::Abuse,
    /// Honest peers of adversarial nodes at time 0 (the abuse kinds' victims), ascending.
    attacked: Vec<u32>,
    /// Actions to carry out after the frame [`Adversary::on_send`] let through.
    pending: Vec<Action>,
    revoke_at: Option<Timestamp>,
}

impl Adversary {
    /// Plans replicate `replicate`'s attack on `graph` (the honest graph, whose nodes have
    /// `roles`): picks corrupted nodes among the plain gossipers, appends Sybils as new nodes and
    /// rewires the graph as the attack kind says. Flash Sybils stay isolated until `start_s`.
    pub fn new(s: &Scenario, replicate: u32, graph: &mut PeerGraph, roles: &[Role]) -> Adversary {
        let honest_nodes = graph.node_count();
        let mut rng = stream(s.seed, replicate, Concern::Attack);
        let attack = s.attack.clone();
        let victim = has_victim(attack.kind)
            .then_some(attack.victim)
            .filter(|v| *v < honest_nodes);
        let sybils = attack.sybils(honest_nodes).min(SYBILS_MAX);
        let mut adversarial = vec![false; honest_nodes as usize];
        for i in placement::corrupt(&attack, roles, victim, &mut rng) {
            adversarial[i as usize] = true;
        }
        let plan = placement::Sybils {
            kind: attack.kind,
            attach: attack.attach,
            degree: attack.sybil_degree,
            victim,
            target: Some(attack.victim).filter(|v| *v < honest_nodes),
        };
        let deferred = plan.place(graph, sybils, &mut rng);
        adversarial.resize(graph.node_count() as usize, true);
        let start = Timestamp(Duration::from_secs_f64(attack.strike_s().max(0.0)).as_micros());
        let attacked = if is_abuse(attack.kind) {
            attacked_peers(graph, &adversarial)
        } else {
            Vec::new()
        };
        let at = |s: f64| Timestamp(Duration::from_secs_f64(s.max(0.0)).as_micros());
        Adversary {
            abuse: abuse::Abuse::new(attack.flood_rate_per_s),
            attacked,
            pending: Vec::new(),
            revoke_at: attack.revoke_at_s.map(at),
            chatter: Chatter::new(
                attack.chatterbox_rate_per_s,
                PowSolver::new(s.scale.mode),
                stream(s.seed, replicate, Concern::AttackPow),
                s.limits().onion_format(),
            ),
            attack,
            honest_nodes,
            sybils,
            adversarial,
            victim,
            victim_key: None,
            start,
            deferred,
            inflated: BTreeMap::new(),
            inflated_order: std::collections::VecDeque::new(),
            withheld: BTreeSet::new(),
            withheld_order: std::collections::VecDeque::new(),
            area: (s.workload.bbox, s.workload.precision),
            counters: Counters::default(),
            rng,
        }
    }

    /// Makes the victim of an eclipse or censorship attack a customer (before nodes are built) by
    /// swapping its role, and the matching entry of `extra` (e.g. service areas), with the
    /// lowest-index customer. Does nothing for other kinds, an out-of-range victim, or when there
    /// is no customer to swap with.
    pub fn ensure_victim_customer<T>(s: &Scenario, roles: &mut [Role], extra: &mut [T]) {
        let v = s.attack.victim as usize;
        if !has_victim(s.attack.kind) || v >= roles.len() || roles[v] == Role::Customer {
            return;
        }
        // The lowest-index customer gives up its role; deterministic and cheap.
        if let Some(c) = roles.iter().position(|r| *r == Role::Customer) {
            roles.swap(v, c);
            extra.swap(v, c);
        }
    }

    /// Whether the attack kind is not "none".
    pub fn is_active(&self) -> bool {
        self.attack.kind != AttackKind::None
    }

    /// Nodes in the run, Sybils included.
    pub fn node_count(&self) -> u32 {
        self.adversarial.len() as u32
    }

    /// Number of Sybil identities (indices `honest_nodes..`).
    pub fn sybil_count(&self) -> u32 {
        self.sybils
    }

    /// Whether Sybils hold certificates of the trusted authority.
    pub fn sybils_trusted(&self) -> bool {
        self.attack.trusted_certificates
    }

    /// Whether `node` is a Sybil.
    pub fn is_sybil(&self, node: u32) -> bool {
        node >= self.honest_nodes && node < self.node_count()
    }

    /// Whether `node` is adversarial (corrupted or Sybil).
    pub fn is_adversarial(&self, node: u32) -> bool {
        match self.adversarial.get(node as usize) {
            Some(a) => *a,
            None => panic!(
                "invariant: is_adversarial asked about node {node}, the adversary knows {} nodes",
                self.adversarial.len()
            ),
        }
    }

    /// Per node, whether it is honest (what the metrics collector counts).
    pub fn honest_flags(&self) -> Vec<bool> {
        self.adversarial.iter().map(|a| !a).collect()
    }

    /// The victim of an eclipse or censorship attack.
    pub fn victim(&self) -> Option<u32> {
        self.victim
    }

    /// Tells the adversary the victim's certificate key, which recognises its topics.
    pub fn set_victim_key(&mut self, key: PublicKey) {
        self.victim_key = Some(key);
    }

    /// Makes every second topic (arrivals 0, 2, 4, …) the victim's, when there is a victim and it
    /// is a customer; the other arrivals keep the customer the workload drew.
    pub fn assign_victim_topics(&self, arrivals: &mut [Arrival], customers: &[u32]) {
        let Some(v) = self.victim else { return };
        let Some(at) = customers.iter().position(|c| *c == v) else {
            return;
        };
        for a in arrivals.iter_mut().step_by(2) {
            a.customer = at;
        }
    }

    /// The events to schedule when the run starts.
    pub fn initial_actions(&mut self) -> Vec<Action> {
        let mut out = Vec::new();
        match self.attack.kind {
            AttackKind::Chatterbox | AttackKind::PowReuse => {
                for node in 0..self.node_count() {
                    if self.is_adversarial(node) {
                        if let Some(at) = self.chatter.first_tick(self.start, &mut self.rng) {
                            out.push(Action::Wake {
                                at,
                                node,
                                wake: Wake::Chatter,
                            });
                        }
                    }
                }
            }
            AttackKind::Flash if !self.deferred.is_empty() => out.push(Action::Wake {
                at: self.start,
                node: self.honest_nodes,
                wake: Wake::Connect,
            }),
            AttackKind::AskFlood => {
                for node in self.abuse.flooders() {
                    if let Some(at) = self.abuse.first_flood(self.start, &mut self.rng) {
                        out.push(Action::Wake {
                            at,
                            node,
                            wake: Wake::Flood,
                        });
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// Whether the attack kind needs its corrupted nodes' credentials (it signs requests).
    pub fn needs_credentials(&self) -> bool {
        self.attack.kind == AttackKind::AskFlood
    }

    /// Gives corrupted node `node` its credentials (see [`Adversary::needs_credentials`]).
    pub fn arm(
        &mut self,
        node: u32,
        creds: sweet_gossip::Credentials,
        crypto: std::sync::Arc<dyn sweet_gossip::CryptoProvider>,
    ) {
        if self.is_adversarial(node) && !self.is_sybil(node) {
            self.abuse.arm(node, creds, crypto);
        }
    }

    /// When the trusted authority revokes the detected attackers, if it does.
    pub fn revoke_at(&self) -> Option<Timestamp> {
        self.revoke_at
    }

    /// The nodes the authority revokes: every adversarial node holding one of its certificates
    /// (corrupted nodes, and Sybils with `trusted_certificates`). "Detected" is this simple
    /// oracle: the authority learns exactly who attacks.
    pub fn revoked(&self) -> Vec<u32> {
        (0..self.node_count())
            .filter(|i| self.is_adversarial(*i))
            .filter(|i| !self.is_sybil(*i) || self.attack.trusted_certificates)
            .collect()
    }

    /// Actions to carry out after the frame [`Adversary::on_send`] just let through (replayed
    /// replies, pow_reuse asks); empty for every other kind.
    pub fn take_pending(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.pending)
    }

    /// Whether [`Adversary::take_pending`] has anything.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Honest `node` accepted a broadcast from `from`; counts those from adversarial nodes.
    pub fn on_accepted(&mut self, node: u32, from: u32) {
        if !self.is_adversarial(node) && self.is_adversarial(from) {
            self.counters.accepted_from_adversary += 1;
        }
    }

    /// Whether [`Adversary::metrics`] needs each node's cryptography time.
    pub fn measures_crypto(&self) -> bool {
        is_abuse(self.attack.kind)
    }

    /// A scheduled adversary event for `node`, whose current peers are `peers`.
    pub fn on_wake(
        &mut self,
        now: Timestamp,
        node: u32,
        wake: Wake,
        peers: &[PeerId],
    ) -> Vec<Action> {
        match wake {
            Wake::Connect => std::mem::take(&mut self.deferred)
                .into_iter()
                .map(|(a, b)| Action::Connect { a, b })
                .collect(),
            Wake::Flood => {
                let victims: Vec<u32> = peers
                    .iter()
                    .map(|p| p.0 as u32)
                    .filter(|p| !self.is_adversarial(*p))
                    .collect();
                let area = self.area;
                let out = self.abuse.flood(now, node, &victims, area, &mut self.rng);
                self.counters.injected += victims.len() as u64;
                out
            }
            Wake::Revoke => Vec::new(), // carried out by the engine
            Wake::Chatter => {
                let replay =
                    self.attack.kind == AttackKind::Chatterbox && self.attack.chatterbox_replay;
                let mut out = self.chatter.tick(now, node, peers, replay, &mut self.rng);
                self.counters.injected += out
                    .iter()
                    .filter(|a| matches!(a, Action::Send { .. }))
                    .count() as u64;
                self.counters.originate_tried += 1;
                let topic = chatterbox::topic(now, self.area.0, self.area.1, &mut self.rng);
                out.push(Action::Originate {
                    node,
                    topic: Box::new(topic),
                });
                out
            }
        }
    }

    /// A frame from `from` is about to be delivered to `to`. Only adversarial receivers are
    /// looked at; honest nodes always get [`Received::Pass`].
    pub fn on_receive(&mut self, now: Timestamp, to: u32, from: u32, bytes: &[u8]) -> Received {
        if matches!(
            self.attack.kind,
            AttackKind::AskFlood | AttackKind::PowReuse
        ) && self.is_adversarial(to)
        {
            return match self.abuse.receive(to, from, bytes, &mut self.rng) {
                Some(actions) => {
                    self.counters.injected += actions.len() as u64;
                    Received::Consumed(actions)
                }
                None => Received::Pass,
            };
        }
        let replays = self.attack.kind == AttackKind::Chatterbox && self.attack.chatterbox_replay;
        if !replays || !self.is_adversarial(to) {
            return Received::Pass;
        }
        match self.chatter.receive(now, to, from, bytes) {
            Some(actions) => {
                self.counters.injected += actions.len() as u64;
                Received::Consumed(actions)
            }
            None => Received::Pass,
        }
    }

    /// The protocol node of `from` wants to send `bytes` (a `kind` frame) to `to` at `now`.
    /// Returns the bytes to send (possibly rewritten), or `None` to drop the frame. Frames of
    /// honest nodes pass untouched (and uncopied).
    pub fn on_send(
        &mut self,
        now: Timestamp,
        from: u32,
        to: u32,
        kind: FrameKind,
        bytes: FrameBytes,
    ) -> Option<FrameBytes> {
        if !self.is_adversarial(from) {
            return Some(bytes);
        }
        let ctx = rules::Context {
            kind: self.attack.kind,
            now,
            start: self.start,
            victim: self.victim,
            victim_key: self.victim_key,
            inflate_factor: self.attack.inflate_factor,
        };
        match rules::outgoing(&ctx, to, kind, bytes.into()) {
            rules::Verdict::Pass(bytes) => {
                if now >= self.start {
                    self.abuse_after_send(from, to, kind, &bytes);
                }
                Some(bytes.into())
            }
            rules::Verdict::Drop => {
                self.counters.dropped += 1;
                None
            }
            rules::Verdict::Tampered { bytes, inflated } => {
                self.counters.tampered += 1;
                if let Some((hash, honest)) = inflated {
                    self.remember_inflated(hash, honest);
                }
                Some(bytes.into())
            }
        }
    }

    /// reply_replay and pow_reuse: what follows a frame an adversarial node sent after the
    /// strike (see `abuse.rs`).
    fn abuse_after_send(&mut self, from: u32, to: u32, kind: FrameKind, bytes: &[u8]) {
        let copies = self.attack.replay_copies;
        let more = match (self.attack.kind, kind) {
            (AttackKind::ReplyReplay, FrameKind::Reply) => {
                self.abuse.replay_reply(from, to, bytes, copies)
            }
            (AttackKind::PowReuse, FrameKind::Broadcast) => {
                self.abuse
                    .after_broadcast(from, to, bytes, copies, &mut self.rng)
            }
            _ => return,
        };
        self.counters.injected += more.len() as u64;
        self.pending.extend(more);
    }

    /// A sender is paying `invoices`; counts any paid above the amount its issuer signed.
    pub fn on_pay(&mut self, invoices: &[Invoice]) {
        for inv in invoices {
            if self
                .inflated
                .get(&inv.payment_hash)
                .is_some_and(|honest| inv.amount > *honest)
            {
                self.counters.inflated_paid += 1;
            }
        }
    }

    /// The ledger settled `amount` sat to `payee` at `at`; counts adversarial earnings before
    /// and after the strike.
    pub fn on_paid(&mut self, at: Timestamp, payee: u32, amount: u64) {
        if !self.is_adversarial(payee) {
            return;
        }
        let c = &mut self.counters;
        let slot = if at < self.start {
            &mut c.earned_before
        } else {
            &mut c.earned_after
        };
        *slot = slot.saturating_add(amount);
    }

    /// Honest or adversarial `node` computed `attempts` proof-of-work hashes at `at`, in answer
    /// to conditions from `toward` (`None` when not answering a delivered frame). Counts honest
    /// work, and honest work for conditions an adversarial node issued.
    pub fn on_honest_pow(&mut self, at: Timestamp, node: u32, toward: Option<u32>, attempts: u64) {
        if self.is_adversarial(node) {
            self.counters.attacker_pow_solved += 1;
            return;
        }
        let c = &mut self.counters;
        c.honest_pow = c.honest_pow.saturating_add(attempts);
        if toward.is_some_and(|t| self.adversarial.get(t as usize).copied().unwrap_or(false)) {
            c.honest_pow_to_adversary = c.honest_pow_to_adversary.saturating_add(attempts);
            if at >= self.start {
                c.honest_pow_to_adversary_after =
                    c.honest_pow_to_adversary_after.saturating_add(attempts);
            }
        }
    }

    /// A chatterbox's [`Action::Originate`] ended: `started` is true when its protocol node
    /// began the broadcast (device free, node online).
    pub fn on_originate(&mut self, started: bool) {
        self.counters.originated += u64::from(started);
    }

    /// `node` registered an invoice with hash `hash` at `at`. A withholding middleman (from the
    /// strike on) will refuse to settle it: see [`Adversary::refuses`].
    pub fn on_register(&mut self, at: Timestamp, node: u32, hash: PaymentHash) {
        let withholds = matches!(
            self.attack.kind,
            AttackKind::WithholdInvoice | AttackKind::ReplyReplay
        );
        if !withholds || !self.is_adversarial(node) || at < self.start {
            return;
        }
        if self.withheld.insert(hash) {
            self.withheld_order.push_back(hash);
        }
        while self.withheld_order.len() > TAMPERED_MAX {
            if let Some(old) = self.withheld_order.pop_front() {
                self.withheld.remove(&old);
            }
        }
    }

    /// Whether the payee of the invoice `hash` refuses to settle it (withhold_invoice): the
    /// payment then fails as not settled and moves no money. Every refused payment is counted
    /// (one invoice can be paid again through another route that shares it).
    pub fn refuses(&mut self, hash: &PaymentHash) -> bool {
        let refused = self.withheld.contains(hash);
        self.counters.withheld += u64::from(refused);
        refused
    }

    fn remember_inflated(&mut self, hash: PaymentHash, honest: u64) {
        if self.inflated.insert(hash, honest).is_none() {
            self.inflated_order.push_back(hash);
        }
        while self.inflated_order.len() > TAMPERED_MAX {
            if let Some(old) = self.inflated_order.pop_front() {
                self.inflated.remove(&old);
            }
        }
    }

    /// The attack's metrics (empty for kind "none"); see `docs/attacks.md` for definitions.
    /// `crypto_s` is each node's virtual seconds of cryptography, by index (read only
    /// when [`Adversary::measures_crypto`]).
    pub fn metrics(&self, collector: &Collector, crypto_s: &[f64]) -> Vec<(String, Option<f64>)> {
        if !self.is_active() {
            return Vec::new();
        }
        let mut out = measure::attack_metrics(self, collector);
        let c = &self.counters;
        for (k, v) in [
            ("attacker_frames_dropped", c.dropped),
            ("attacker_frames_injected", c.injected),
            ("replies_tampered", c.tampered),
            ("inflated_invoices_paid", c.inflated_paid),
            ("invoices_withheld", c.withheld),
            ("honest_pow_hashes", c.honest_pow),
            ("honest_pow_hashes_to_adversary", c.honest_pow_to_adversary),
            (
                "honest_pow_hashes_to_adversary_after_attack",
                c.honest_pow_to_adversary_after,
            ),
        ] {
            out.push((k.to_owned(), Some(v as f64)));
        }
        out.extend(measure::cost_metrics(self));
        if is_abuse(self.attack.kind) {
            out.extend(measure::abuse_metrics(self, crypto_s));
        }
        if self.revoke_at.is_some() {
            out.extend(measure::revocation_metrics(self, collector));
        }
        out
    }
}

/// Whether `kind` is one of the abuses of issue 11 (`abuse.rs`).
pub fn is_abuse(kind: AttackKind) -> bool {
    matches!(
        kind,
        AttackKind::ReplyReplay | AttackKind::AskFlood | AttackKind::PowReuse
    )
}

/// The honest peers of the adversarial nodes in `graph`, ascending.
fn attacked_peers(graph: &PeerGraph, adversarial: &[bool]) -> Vec<u32> {
    let mut out: Vec<u32> = (0..graph.node_count())
        .filter(|a| adversarial[*a as usize])
        .flat_map(|a| graph.peers(a).iter().copied())
        .filter(|p| !adversarial[*p as usize])
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether `kind` has a victim (a customer whose topics the attack targets).
pub fn has_victim(kind: AttackKind) -> bool {
    matches!(kind, AttackKind::Eclipse | AttackKind::Censorship)
}

#[cfg(test)]
mod tests;
