//! The discrete-event engine: events ordered by (virtual time, sequence number), each node a
//! protocol [`Node`], outputs turned into events after link latency, proof of work and
//! cryptography turned into virtual time by the device profile, payments through the ledger.
//!
//! Adversaries ([`crate::adversary`]) hook in at four places only: setup (graph and roles),
//! every frame an adversarial node sends ([`Adversary::on_send`]), every frame delivered to one
//! ([`Adversary::on_receive`]), and their own scheduled events ([`Adversary::on_wake`]).

mod attack;
mod churn;
mod queue;
mod setup;
mod trace;

pub use crate::workload::{arrivals, Arrival, Role};
pub use trace::run_traced;

use crate::adversary::{Adversary, Received, Wake};
use crate::graph::GraphError;
use crate::ledger::Ledger;
use crate::metrics::{Collector, RunMetrics, Totals};
use crate::model::PowSolver;
use crate::network::{session_s, DeviceCosts, Links, Transmit};
use crate::rng::{stream, Concern};
use crate::scenario::{Network, Scenario};
use queue::EventQueue;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use sweet_gossip::{
    AskId, CryptoCounts, Duration, Event, FrameBytes, FrameKind, Invoice, Node, Output, PayloadId,
    PaymentHash, PaymentOutcome, PeerId, TimerKind, Timestamp,
};

/// A node in the world.
pub struct SimNode {
    /// Built on the node's first input (see [`setup::Blueprint`]).
    node: Option<Box<Node>>,
    role: Role,
    online: bool,
    busy_until: Timestamp,
    /// When the node is next told to forget expired state ([`NEVER`]: not scheduled).
    expiry: Timestamp,
}

/// No expiry scheduled.
const NEVER: Timestamp = Timestamp(u64::MAX);

impl SimNode {
    fn new(node: Option<Node>, role: Role) -> Self {
        Self {
            node: node.map(Box::new),
            role,
            online: true,
            busy_until: Timestamp::ZERO,
            expiry: NEVER,
        }
    }

    /// The protocol node; only for nodes already built.
    fn live(&mut self) -> &mut Node {
        self.node
            .as_deref_mut()
            .expect("invariant: built before its first input")
    }
}

#[derive(Debug)]
enum Ev {
    Deliver {
        to: u32,
        from: u32,
        bytes: FrameBytes,
    },
    Timer {
        node: u32,
        timer: TimerKind,
    },
    PowDone {
        node: u32,
        id: AskId,
        nonce: u64,
        /// The node's offline time ([`Churner::paused_us`]) when the search was last timed.
        paused_us: u64,
    },
    /// Rare and large: boxed, so every queued event stays 40 bytes.
    Payment {
        node: u32,
        result: Box<(PayloadId, PaymentHash, PaymentOutcome)>,
    },
    Settled {
        node: u32,
        hash: Box<PaymentHash>,
    },
    Publish {
        arrival: usize,
    },
    Churn {
        node: u32,
        online: bool,
    },
    Adversary {
        node: u32,
        wake: Wake,
    },
}

/// A mobile node's churn state. While it is offline, its timers, proof-of-work completions,
/// payment results, settlements and adversary wakes wait in `held`, in the order they fell due.
#[derive(Debug, Default)]
struct Churner {
    /// When it last went offline.
    offline_since: Timestamp,
    /// Microseconds it has spent offline so far: its device work is paused for that long.
    paused_us: u64,
    /// Events that fell due while it was offline, with their due times.
    held: Vec<(Timestamp, Ev)>,
}

/// Why a run could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The peer graph could not be built.
    #[error("graph: {0}")]
    Graph(#[from] GraphError),
    /// The scenario does not fit the graph it built (e.g. an edge list with fewer nodes than
    /// the roles or the attack victim need).
    #[error("scenario does not fit its {nodes}-node graph: {violation}")]
    Scenario {
        /// Nodes in the graph.
        nodes: u32,
        /// What does not fit.
        violation: crate::scenario::Violation,
    },
    /// The run panicked: a broken invariant (a bug). The runner catches it per run, keeps the
    /// sweep's other runs and names the command that replays this run alone.
    #[error("panicked: {message}; replay this run alone with: {replay}")]
    Panicked {
        /// The panic message.
        message: String,
        /// Shell command that reruns exactly this run.
        replay: String,
    },
    /// The Lightning channel-graph snapshot could not be loaded or mapped.
    #[error(transparent)]
    Lightning(#[from] crate::lightning::SnapshotError),
}

/// Connectivity of the simulated peer graph at time 0, after the adversary's rewiring.
#[derive(Debug, Clone, Copy)]
struct Connectivity {
    /// Every node that has a link is reachable from every other (Sybils included; nodes
    /// without any link yet, such as flash Sybils before they connect, are left out).
    all: bool,
    /// Honest nodes reach each other over honest–honest links alone.
    honest: bool,
    /// Honest customers and gossipers (which forward every topic; gig workers answer some
    /// instead) reach each other over links between them alone, and every honest gig worker
    /// is a peer of one of them.
    honest_forwarders: bool,
}

impl Connectivity {
    /// `roles[i]` is node i's role (nodes past its end, Sybils, are not workers).
    fn of(graph: &crate::graph::PeerGraph, roles: &[Role], honest: impl Fn(u32) -> bool) -> Self {
        let linked = |i: u32| honest(i) || !graph.peers(i).is_empty();
        let worker = |i: u32| roles.get(i as usize) == Some(&Role::Worker);
        let forwarder = |i: u32| honest(i) && !worker(i);
        let workers_attached = (0..graph.node_count())
            .filter(|&i| honest(i) && worker(i))
            .all(|w| graph.peers(w).iter().any(|&p| forwarder(p)));
        Connectivity {
            all: graph.is_connected_among(linked, |_, _| true),
            honest: graph.is_connected_among(&honest, |a, b| honest(a) && honest(b)),
            honest_forwarders: workers_attached && graph.is_connected_among(forwarder, |_, _| true),
        }
    }
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The measurements.
    pub metrics: RunMetrics,
    /// SHA-256 of the event trace (time, event kind, node of every event), hex.
    pub trace_sha256: String,
}

/// One simulated world.
pub struct World {
    nodes: Vec<SimNode>,
    /// Per node: honest (not corrupted, not a Sybil).
    honest: Vec<bool>,
    /// How to build honest nodes, the peers every node starts with and their onion keys.
    blueprint: setup::Blueprint,
    adversary: Adversary,
    queue: EventQueue<Ev>,
    /// The frame being delivered, as one contiguous buffer reused for every delivery.
    delivered: Vec<u8>,
    /// Nodes to tell to forget expired state, outside the event trace: expiring early is
    /// invisible to the protocol ([`Node::expire`]) and only bounds memory.
    expiries: BinaryHeap<Reverse<(Timestamp, u32)>>,
    now: Timestamp,
    end: Timestamp,
    links: Links,
    device: DeviceCosts,
    ledger: Ledger,
    metrics: Collector,
    arrivals: Vec<Arrival>,
    customers: Vec<u32>,
    churn_rng: rand_chacha::ChaCha12Rng,
    /// Churn state of the nodes that have gone offline at least once.
    churners: BTreeMap<u32, Churner>,
    network: Network,
    trace: Sha256,
    graph_connected: Connectivity,
    horizon_s: f64,
    pow: PowSolver,
    pow_rng: rand_chacha::ChaCha12Rng,
    /// Proofs of work a device is solving: (node, ask) → (start, done), so a cancelled one
    /// frees the device ([`Output::CancelPow`]).
    pow_jobs: BTreeMap<(u32, AskId), (Timestamp, Timestamp)>,
    /// Sender of the frame being handled (whose conditions a proof of work answers).
    input_from: Option<u32>,
    /// Present only when the run is traced ([`run_traced`]).
    recorder: Option<Box<crate::record::Recorder>>,
    /// Present only with `payments.model = "lightning"`: invoices are routed by LDK.
    lightning: Option<Box<crate::lightning::Lightning>>,
}

/// Set by a process that exits right after its runs ([`exit_follows_runs`]).
static EXIT_FOLLOWS: AtomicBool = AtomicBool::new(false);
/// Finished worlds are leaked instead of dropped ([`leak_finished_worlds`]).
static LEAK: AtomicBool = AtomicBool::new(false);

/// Declares that the process exits once its runs are written (the `sgsim` binary), so
/// [`leak_finished_worlds`] may take effect; a library user never calls it.
pub fn exit_follows_runs() {
    EXIT_FOLLOWS.store(true, Ordering::Relaxed);
}

/// Asks [`run`] to leak each finished world instead of freeing it (at 10^6 nodes freeing
/// takes seconds), only when [`exit_follows_runs`] was declared: the caller asks it when
/// every thread runs at most one run, so leaking cannot raise the peak memory of the batch.
/// Results are the same either way.
pub fn leak_finished_worlds(on: bool) {
    LEAK.store(
        on && EXIT_FOLLOWS.load(Ordering::Relaxed),
        Ordering::Relaxed,
    );
}

/// Runs replicate `replicate` of `s`; `base_dir` resolves relative paths in the scenario.
pub fn run(s: &Scenario, replicate: u32, base_dir: &Path) -> Result<RunOutput, EngineError> {
    let mut world = World::build(s, replicate, base_dir)?;
    world.run_to_end();
    Ok(world.finish())
}

/// [`run`] with a virtual-time observer (see [`World::run_to_end_observed`]); same output.
pub fn run_observed(
    s: &Scenario,
    replicate: u32,
    base_dir: &Path,
    every: u64,
    observe: &mut dyn FnMut(u64, u64),
) -> Result<RunOutput, EngineError> {
    let mut world = World::build(s, replicate, base_dir)?;
    world.run_to_end_observed(every, observe);
    Ok(world.finish())
}

impl World {
    /// Builds the world of replicate `replicate` of `s`: the honest graph and nodes, then the
    /// adversary's corrupted nodes, Sybils and rewiring (see [`crate::adversary`]).
    pub fn build(s: &Scenario, replicate: u32, base_dir: &Path) -> Result<World, EngineError> {
        World::build_with(s, replicate, base_dir, None)
    }

    /// [`World::build`], recording into `recorder` from the start when given.
    fn build_with(
        s: &Scenario,
        replicate: u32,
        base_dir: &Path,
        recorder: Option<Box<crate::record::Recorder>>,
    ) -> Result<World, EngineError> {
        let mut graph = setup::build_graph(s, replicate, base_dir)?;
        let nodes = graph.node_count();
        s.validate_for_nodes(nodes)
            .map_err(|violation| EngineError::Scenario { nodes, violation })?;
        let factory = Arc::new(setup::Factory::new(
            PowSolver::new(s.scale.mode).provider(),
            s.seed,
            replicate,
            setup::limits(s),
        ));
        let (mut blueprint, roles) = setup::Blueprint::new(s, replicate, nodes, factory);
        if recorder.is_some() {
            blueprint.log_scores();
        }
        let adversary = Adversary::new(s, replicate, &mut graph, &roles);
        let graph_connected = Connectivity::of(&graph, &roles, |i| !adversary.is_adversarial(i));
        let mut nodes: Vec<SimNode> = roles.iter().map(|r| SimNode::new(None, *r)).collect();
        let first_sybil = nodes.len() as u32;
        nodes.extend(setup::build_sybils(
            s,
            &blueprint.factory,
            first_sybil,
            adversary.sybil_count(),
            adversary.sybils_trusted(),
        ));
        let keys: Vec<_> = (0..nodes.len() as u32)
            .into_par_iter()
            .map(|i| blueprint.factory.peer_key(i))
            .collect();
        blueprint.factory.keys.fill(keys);
        blueprint.freeze_peers(&graph);
        drop(graph);
        let mut world = World::empty(s, replicate, nodes, graph_connected, adversary, blueprint);
        world.recorder = recorder;
        if s.payments.model == crate::lightning::PaymentModel::Lightning {
            let n = world.nodes.len() as u32;
            let ln = crate::lightning::Lightning::new(s, replicate, n, base_dir)?;
            world.lightning = Some(Box::new(ln));
        }
        for i in first_sybil..world.nodes.len() as u32 {
            let World {
                nodes, blueprint, ..
            } = &mut world;
            blueprint.add_peers(nodes[i as usize].live(), i);
        }
        if let Some(v) = world.adversary.victim() {
            let key = world.node_mut(v).certificate().public_key;
            world.adversary.set_victim_key(key);
        }
        world.arm_adversary();
        world.schedule_workload(s, replicate);
        world.schedule_churn(s);
        for action in world.adversary.initial_actions() {
            world.act(Timestamp::ZERO, action);
        }
        Ok(world)
    }

    fn empty(
        s: &Scenario,
        replicate: u32,
        nodes: Vec<SimNode>,
        graph_connected: Connectivity,
        adversary: Adversary,
        blueprint: setup::Blueprint,
    ) -> World {
        let n = nodes.len();
        let customers: Vec<u32> = (0..n as u32)
            .filter(|i| nodes[*i as usize].role == Role::Customer)
            .collect();
        let honest = adversary.honest_flags();
        World {
            nodes,
            blueprint,
            adversary,
            queue: EventQueue::new(),
            delivered: Vec::new(),
            expiries: BinaryHeap::new(),
            now: Timestamp::ZERO,
            end: Timestamp(Duration::from_secs_f64(s.duration_s).as_micros()),
            links: Links::new(
                s.network.clone(),
                stream(s.seed, replicate, Concern::Network),
                n,
            ),
            device: DeviceCosts::new(s.device.clone()),
            ledger: Ledger::new(
                n,
                s.payments.balance_sat,
                s.payments.failure_probability,
                stream(s.seed, replicate, Concern::Payments),
            ),
            metrics: Collector::new(honest.clone()),
            honest,
            arrivals: Vec::new(),
            customers,
            churn_rng: stream(s.seed, replicate, Concern::Churn),
            churners: BTreeMap::new(),
            network: s.network.clone(),
            trace: Sha256::new(),
            graph_connected,
            horizon_s: s.workload.reply_deadline_s,
            pow: PowSolver::new(s.scale.mode),
            pow_rng: stream(s.seed, replicate, Concern::Pow),
            pow_jobs: BTreeMap::new(),
            input_from: None,
            recorder: None,
            lightning: None,
        }
    }

    fn schedule_workload(&mut self, s: &Scenario, replicate: u32) {
        self.arrivals = arrivals(s, replicate, self.customers.len());
        self.adversary
            .assign_victim_topics(&mut self.arrivals, &self.customers);
        for i in 0..self.arrivals.len() {
            let at = self.arrivals[i].at;
            self.push(at, Ev::Publish { arrival: i });
        }
    }

    fn schedule_churn(&mut self, s: &Scenario) {
        let f = s.network.churn_fraction;
        if f <= 0.0 {
            return;
        }
        // Customers stay online; a share of the other nodes is mobile. Sybils are always online.
        for i in 0..self.nodes.len() as u32 {
            if self.nodes[i as usize].role != Role::Customer
                && !self.adversary.is_sybil(i)
                && crate::rng::chance(&mut self.churn_rng, f)
            {
                let t = session_s(&s.network, &mut self.churn_rng, s.network.online_mean_s);
                let leaves = Timestamp(Duration::from_secs_f64(t).as_micros());
                self.links.set_departure(i, leaves);
                self.push(
                    leaves,
                    Ev::Churn {
                        node: i,
                        online: false,
                    },
                );
            }
        }
    }

    /// Node `i`, built with its graph peers on first use.
    fn node_mut(&mut self, i: u32) -> &mut Node {
        let World {
            nodes, blueprint, ..
        } = self;
        nodes[i as usize].node.get_or_insert_with(|| {
            let mut node = blueprint.node(i);
            blueprint.add_peers(&mut node, i);
            Box::new(node)
        })
    }

    fn push(&mut self, at: Timestamp, ev: Ev) {
        assert!(
            at >= self.now,
            "invariant: no event is queued earlier than now ({} us < {} us)",
            at.0,
            self.now.0
        );
        self.queue.push(at, ev);
    }

    /// Processes events until the queue is empty or the scenario's duration has passed.
    pub fn run_to_end(&mut self) {
        while self.step_next() {}
    }

    /// Handles the next queued event; false once the queue is empty or past the end.
    fn step_next(&mut self) -> bool {
        let Some((at, ev)) = self.queue.pop() else {
            return false;
        };
        if at > self.end {
            return false;
        }
        assert!(
            at >= self.now,
            "invariant: time is monotonic (next event at {} us, now {} us)",
            at.0,
            self.now.0
        );
        self.expire_until(at);
        self.now = at;
        self.metrics.events += 1;
        self.step(ev);
        if self.recorder.is_some() {
            self.record_scores();
        }
        true
    }

    /// [`World::run_to_end`] that also calls `observe(now_us, end_us)` after every `every`
    /// events (virtual microseconds, for progress display). Processes exactly the same events
    /// in the same order: the observer cannot reach the run.
    pub fn run_to_end_observed(&mut self, every: u64, observe: &mut dyn FnMut(u64, u64)) {
        let every = every.max(1);
        while self.step_next() {
            if self.metrics.events % every == 0 {
                observe(self.now.0, self.end.0);
            }
        }
    }

    /// The node an event is for and the event's kind code in the trace.
    fn event_node(&self, ev: &Ev) -> (u32, u8) {
        match ev {
            Ev::Deliver { to, .. } => (*to, 1u8),
            Ev::Timer { node, .. } => (*node, 2),
            Ev::PowDone { node, .. } => (*node, 3),
            Ev::Payment { node, .. } => (*node, 4),
            Ev::Settled { node, .. } => (*node, 5),
            Ev::Publish { arrival } => (self.customers[self.arrivals[*arrival].customer], 6),
            Ev::Churn { node, .. } => (*node, 7),
            Ev::Adversary { node, .. } => (*node, 8),
        }
    }

    /// Handles one event: traced, gated by churn, then either the adversary's or an input to
    /// the node's protocol state machine, whose crypto cost keeps its device busy.
    fn step(&mut self, ev: Ev) {
        let now = self.now;
        let (node, code) = self.event_node(&ev);
        let mut entry = [0u8; 13];
        entry[..8].copy_from_slice(&now.0.to_le_bytes());
        entry[8] = code;
        entry[9..].copy_from_slice(&node.to_le_bytes());
        self.trace.update(entry);
        if self.recorder.is_some() {
            self.record_event(code, node, &ev);
        }
        let Some(ev) = self.gate(node, ev) else {
            if self.recorder.is_some() {
                self.record_gated(code, node);
            }
            return;
        };
        if let Ev::Adversary { node, wake } = ev {
            return self.wake(node, wake);
        }
        let sn = &mut self.nodes[node as usize];
        // A busy device handles the input when it is free again.
        if matches!(ev, Ev::Deliver { .. }) && sn.busy_until > now {
            let at = sn.busy_until;
            self.push(at, ev);
            if let Some(r) = self.recorder() {
                r.deferred(at);
            }
            return;
        }
        let before = self.node_mut(node).crypto_counts();
        if let Err(e) = self.node_mut(node).check_input(now) {
            panic!("invariant: the engine keeps the driver contract of node {node}: {e}");
        }
        self.input_from = match &ev {
            Ev::Deliver { from, .. } => Some(*from),
            _ => None,
        };
        if !self.input(node, now, ev) {
            return;
        }
        let sn = &mut self.nodes[node as usize];
        let cost = self
            .device
            .crypto(&sn.live().crypto_counts().since(&before));
        let done = now + cost;
        sn.busy_until = sn.busy_until.max(done);
        self.drain(node, done);
        self.schedule_expiry(node);
    }

    /// Gives input `ev` to `node`'s protocol state machine; false if the adversary consumed
    /// the frame instead (no input, no cost).
    fn input(&mut self, node: u32, now: Timestamp, ev: Ev) -> bool {
        let sn = &mut self.nodes[node as usize];
        match ev {
            Ev::Deliver { from, bytes, .. } => {
                self.metrics.frame_received(node);
                bytes.write_to(&mut self.delivered);
                let bytes = &self.delivered;
                match self.adversary.on_receive(now, node, from, bytes) {
                    Received::Pass => sn.live().handle_frame(now, PeerId(u64::from(from)), bytes),
                    Received::Consumed(actions) => {
                        if let Some(r) = self.recorder.as_deref_mut() {
                            r.outcome(crate::record::Outcome::Consumed);
                        }
                        for action in actions {
                            self.act(now, action);
                        }
                        return false;
                    }
                }
            }
            Ev::Timer { timer, .. } => sn.live().handle_timer(now, timer),
            Ev::PowDone { id, nonce, .. } => {
                self.pow_jobs.remove(&(node, id));
                sn.live().handle_pow_solved(now, id, nonce)
            }
            Ev::Payment { result, .. } => {
                let (payload, hash, outcome) = *result;
                sn.live().handle_payment_result(now, payload, hash, outcome)
            }
            Ev::Settled { hash, .. } => {
                let amount = self.ledger.amount_of(&hash).unwrap_or(0);
                self.metrics.fee_credit_delivered(node, amount);
                sn.live().handle_invoice_settled(now, *hash)
            }
            Ev::Publish { arrival } => {
                let topic = self.arrivals[arrival].topic.clone();
                if let Err(e) = sn.live().broadcast(now, topic) {
                    panic!("invariant: a customer's node accepts the workload's topic: {e}");
                }
            }
            Ev::Adversary { .. } | Ev::Churn { .. } => return false, // handled in `gate`
        }
        true
    }

    /// Tells every node whose state expires by `at` to forget it.
    fn expire_until(&mut self, at: Timestamp) {
        while let Some(&Reverse((t, i))) = self.expiries.peek() {
            if t > at {
                break;
            }
            self.expiries.pop();
            let sn = &mut self.nodes[i as usize];
            if sn.expiry != t {
                continue; // superseded by an earlier one
            }
            sn.expiry = NEVER;
            sn.live().expire(t);
            self.drain(i, t);
            self.schedule_expiry(i);
        }
    }

    fn schedule_expiry(&mut self, i: u32) {
        let sn = &mut self.nodes[i as usize];
        let Some(node) = sn.node.as_deref() else {
            return;
        };
        match node.next_expiry() {
            Some(t) if t < sn.expiry && t <= self.end => {
                sn.expiry = t;
                self.expiries.push(Reverse((t, i)));
            }
            _ => {}
        }
    }

    fn drain(&mut self, i: u32, at: Timestamp) {
        while let Some(out) = self.nodes[i as usize].live().poll_output() {
            self.apply(i, at, out);
        }
    }

    fn apply(&mut self, i: u32, at: Timestamp, out: Output) {
        match out {
            Output::Send { to, kind, bytes } => self.send(i, to.0 as u32, kind, bytes, at),
            Output::SetTimer { timer, at: when } => self.push(when, Ev::Timer { node: i, timer }),
            Output::SolvePow { id, work, data } => {
                let (nonce, attempts) = self.pow.solve(&data, &work, &mut self.pow_rng);
                self.metrics.pow(i, attempts);
                if let Some(r) = self.recorder() {
                    r.pow(i, attempts);
                }
                self.adversary
                    .on_honest_pow(at, i, self.input_from, attempts);
                let sn = &mut self.nodes[i as usize];
                let start = sn.busy_until.max(at);
                let done = start + self.device.pow(attempts);
                sn.busy_until = done;
                self.pow_jobs.insert((i, id), (start, done));
                let ev = churn::pow_done(i, id, nonce, self.paused_us(i));
                self.push(done, ev);
            }
            Output::CancelPow { id } => {
                // The device stops: it is free again unless later work is queued behind.
                if let Some((start, done)) = self.pow_jobs.remove(&(i, id)) {
                    let sn = &mut self.nodes[i as usize];
                    if sn.busy_until == done {
                        sn.busy_until = start.max(at);
                    }
                }
            }
            Output::RegisterInvoice { invoice, preimage } => {
                self.adversary.on_register(at, i, invoice.payment_hash);
                self.ledger.register(i, &invoice, preimage)
            }
            Output::PayInvoices {
                payload_id,
                invoices,
            } => {
                self.adversary.on_pay(&invoices);
                if let Some(ln) = self.lightning.as_deref_mut() {
                    ln.batch_started(payload_id, at);
                }
                for inv in invoices {
                    let (outcome, payee, delay) = self.pay(i, &inv, at);
                    if let (Some(r), PaymentOutcome::Paid(_), Some(p)) =
                        (self.recorder.as_deref_mut(), &outcome, payee)
                    {
                        r.paid(&payload_id, p);
                    }
                    let rtt = delay.unwrap_or_else(|| {
                        Duration::from_secs_f64(2.0 * self.links.delay_ms() / 1e3)
                    });
                    let hash = inv.payment_hash;
                    self.push(
                        at + rtt,
                        Ev::Payment {
                            node: i,
                            result: Box::new((payload_id, hash, outcome)),
                        },
                    );
                    if let Some(payee) = payee {
                        let hash = Box::new(hash);
                        self.push(at + rtt, Ev::Settled { node: payee, hash });
                    }
                }
            }
            Output::DeliverReply {
                payload_id,
                fee_paid_sat,
                route_length,
                ..
            } => {
                if let Some(ln) = self.lightning.as_deref_mut() {
                    ln.delivered(payload_id, at);
                }
                self.metrics
                    .reply_delivered(payload_id, at, fee_paid_sat, route_length);
            }
            Output::Event(e) => self.observe(i, at, e),
        }
    }

    /// `payer` pays `inv` at `at`: refused if a withholding middleman issued it or its payee is
    /// offline (Lightning needs the payee online to settle), else through the ledger or the
    /// Lightning model. Returns the outcome, when paid the payee to tell, and the Lightning
    /// model's time to the result (`None`: one round trip).
    fn pay(
        &mut self,
        payer: u32,
        inv: &Invoice,
        at: Timestamp,
    ) -> (PaymentOutcome, Option<u32>, Option<Duration>) {
        let offline = self.ledger.payee(inv).is_some_and(|p| !self.is_online(p));
        if self.adversary.refuses(&inv.payment_hash) || offline {
            return (self.ledger.refuse(), None, None);
        }
        let (outcome, payee, delay) = match self.lightning.as_deref_mut() {
            None => {
                let (o, p) = self.ledger.pay(payer, inv);
                (o, p, None)
            }
            Some(ln) => {
                let (o, p, d) = ln.pay_invoice(&mut self.ledger, payer, inv, at);
                (o, p, Some(d))
            }
        };
        if let (PaymentOutcome::Paid(_), Some(p)) = (&outcome, payee) {
            self.metrics.fee_paid(inv.amount);
            self.adversary.on_paid(at, p, inv.amount);
        }
        (outcome, payee, delay)
    }

    /// A protocol node's frame: the adversary may drop or rewrite it if `from` is adversarial.
    fn send(&mut self, from: u32, to: u32, kind: FrameKind, bytes: FrameBytes, at: Timestamp) {
        if let Some(bytes) = self.adversary.on_send(at, from, to, kind, bytes) {
            self.transmit(from, to, kind, bytes, at);
        }
        if self.adversary.has_pending() {
            for action in self.adversary.take_pending() {
                self.act(at, action);
            }
        }
    }

    /// Puts a frame on the link from `from` to `to` at `at`.
    /// An offline node sends nothing, nor does one that leaves before the frame is on its way.
    fn transmit(&mut self, from: u32, to: u32, kind: FrameKind, bytes: FrameBytes, at: Timestamp) {
        if !self.is_online(from) {
            self.record_offered(at, at, (from, to), kind, &bytes, None);
            return;
        }
        let start = self.links.uplink_free(from).max(at);
        let outcome = self.links.transmit(from, to, bytes.len(), at);
        self.record_offered(at, start, (from, to), kind, &bytes, Some(outcome));
        if outcome == Transmit::SenderLeft {
            self.metrics.frame_lost_offline();
            return;
        }
        self.metrics.frame_sent(from, kind, bytes.len());
        if let Some(r) = self.recorder.as_deref_mut() {
            r.sent(at, from, kind);
        }
        match outcome.arrival() {
            Some(arrives) => self.push(arrives, Ev::Deliver { to, from, bytes }),
            None => self.metrics.frame_lost(),
        }
    }

    fn observe(&mut self, i: u32, at: Timestamp, e: Event) {
        if self.recorder.is_some() {
            self.record_observed(i, at, &e);
        }
        match e {
            // A chatterbox's own topics are attack traffic, not topics of the workload.
            Event::TopicBroadcast { .. } if !self.honest[i as usize] => {}
            Event::TopicBroadcast { payload_id } => {
                let (eligible, offline) = self.eligible(i);
                self.metrics
                    .topic_started(payload_id, i, at, eligible, offline);
            }
            Event::InvoiceSettled { amount_sat, .. } => self.metrics.fee_settled(i, amount_sat),
            Event::TopicAccepted {
                payload_id,
                from,
                hop,
            } => {
                let from = u32::try_from(from.0).expect("invariant: sim addresses are indices");
                self.adversary.on_accepted(i, from);
                self.metrics.topic_accepted(payload_id, i, at);
                self.metrics.topic_accepted_from(payload_id, from, hop);
            }
            Event::FrameRejected { reason, .. } => self.metrics.rejected(i, &reason),
            Event::ReplyReceived { payload_id, .. } => self.metrics.reply_received(payload_id, at),
            Event::TopicStoppedOnionFull { .. } => self.metrics.onion_full(),
            Event::PaymentFailed { .. } => self.metrics.payment_failed(),
            Event::ReplyUnpaid { .. } => self.metrics.reply_unpaid(),
            _ => {}
        }
    }

    /// The coverage denominator of a topic `sender` broadcasts now: the number of honest
    /// online nodes other than `sender`, and the honest nodes offline now (sorted).
    fn eligible(&self, sender: u32) -> (u32, Vec<u32>) {
        let (mut eligible, mut offline) = (0u32, Vec::new());
        for (i, n) in self.nodes.iter().enumerate() {
            if !self.honest[i] || i == sender as usize {
                continue;
            }
            if n.online {
                eligible += 1;
            } else {
                offline.push(i as u32);
            }
        }
        (eligible, offline)
    }

    /// The measurements collected so far (read-only; e.g. per-node first receipt times).
    pub fn metrics(&self) -> &Collector {
        &self.metrics
    }

    /// Reduces the run to its measurements.
    pub fn finish(mut self) -> RunOutput {
        let mut crypto = CryptoCounts::default();
        for n in self.nodes.iter().filter_map(|n| n.node.as_deref()) {
            crypto += n.crypto_counts();
        }
        let crypto_s: Vec<f64> = if self.adversary.measures_crypto() {
            let device = &self.device;
            let secs = |n: &SimNode| {
                n.node.as_deref().map_or(0.0, |n| {
                    let d = device.crypto(&n.crypto_counts());
                    d.as_micros() as f64 / 1e6
                })
            };
            self.nodes.iter().map(secs).collect()
        } else {
            Vec::new()
        };
        let mut totals = Totals {
            nodes: self.nodes.len() as u32,
            honest_nodes: self.honest.iter().filter(|h| **h).count() as u32,
            graph_connected: self.graph_connected.all,
            honest_graph_connected: self.graph_connected.honest,
            honest_forwarder_graph_connected: self.graph_connected.honest_forwarders,
            crypto,
            earned: self.ledger.earned().to_vec(),
            extra: self.adversary.metrics(&self.metrics, &crypto_s),
        };
        if let Some(ln) = self.lightning.as_deref_mut() {
            let (e, sp) = (self.ledger.earned(), self.ledger.spent());
            totals.extra.extend(ln.metrics(e, sp));
        }
        let trace_sha256 = hex::encode(self.trace.finalize());
        let metrics = self.metrics.finish(&totals, self.horizon_s);
        let unbalanced = metrics
            .metrics
            .get("fees_unbalanced_sat")
            .copied()
            .flatten();
        assert_fees_conserved(self.ledger.spent(), self.ledger.earned(), unbalanced);
        assert_metrics_computed(&metrics.metrics);
        if LEAK.load(Ordering::Relaxed) {
            std::mem::forget(std::mem::take(&mut self.nodes));
            std::mem::forget(std::mem::replace(&mut self.queue, EventQueue::new()));
        }
        RunOutput {
            metrics,
            trace_sha256,
        }
    }
}

/// Fees are conserved, checked as a pair: inside the ledger (what payers lost is what payees
/// gained) and across the run (payers, ledger and payees' nodes agree: `fees_unbalanced_sat`
/// is 0). Runs once per run, so it stays on in release.
fn assert_fees_conserved(spent: &[u64], earned: &[u64], unbalanced_sat: Option<f64>) {
    let (out, into) = (spent.iter().sum::<u64>(), earned.iter().sum::<u64>());
    assert_eq!(
        out, into,
        "invariant: fees are conserved at the ledger (paid out {out} sat, paid in {into} sat)"
    );
    assert_eq!(
        unbalanced_sat,
        Some(0.0),
        "invariant: payers, ledger and payees' nodes agree on fees at the end of the run"
    );
}

/// Every metric is a finite number or undefined (`None`, written as null): an infinite or NaN
/// value (an overflow) would be written as null and read as "undefined", so it fails the run.
fn assert_metrics_computed(metrics: &std::collections::BTreeMap<String, Option<f64>>) {
    for (name, value) in metrics {
        if let Some(v) = value {
            assert!(
                v.is_finite(),
                "invariant: metric {name} is a finite number or undefined, got {v:?}"
            );
        }
    }
}

#[cfg(test)]
mod tests_invariants;

#[cfg(test)]
mod tests {
    #[test]
    #[should_panic(expected = "invariant: fees are conserved at the ledger")]
    fn fees_lost_inside_the_ledger_break_the_run() {
        super::assert_fees_conserved(&[5, 3], &[0, 7], Some(0.0));
    }

    #[test]
    #[should_panic(expected = "invariant: payers, ledger and payees' nodes agree on fees")]
    fn fees_seen_differently_by_payers_and_payees_break_the_run() {
        super::assert_fees_conserved(&[5], &[5], Some(2.0));
    }

    #[test]
    #[should_panic(expected = "invariant: metric attacker_identity_cost_sat is a finite number")]
    fn a_metric_that_overflows_breaks_the_run() {
        let metrics = [
            ("coverage_final".to_string(), Some(1.0)),
            ("t99_s".to_string(), None),
            (
                "attacker_identity_cost_sat".to_string(),
                Some(f64::INFINITY),
            ),
        ];
        super::assert_metrics_computed(&metrics.into_iter().collect());
    }

    #[test]
    fn conserved_fees_pass() {
        super::assert_fees_conserved(&[5, 0], &[0, 5], Some(0.0));
    }

    /// A gossiper whose only honest peer is a gig worker leaves the honest graph connected
    /// but not the honest forwarders: the worker may answer a topic instead of forwarding it.
    #[test]
    fn a_node_behind_a_gig_worker_breaks_forwarder_connectivity_only() {
        use super::{Connectivity, Role};
        use crate::graph::PeerGraph;
        let (c, w, g) = (Role::Customer, Role::Worker, Role::Gossiper);
        // 0 customer - 1 gossiper - 2 worker - 3 gossiper; node 4 (a Sybil) links 1 and 3.
        let graph = PeerGraph::from_edges(5, [(0, 1), (1, 2), (2, 3), (1, 4), (4, 3)]).unwrap();
        let honest = |i: u32| i < 4;
        let behind = Connectivity::of(&graph, &[c, g, w, g], honest);
        assert!(behind.honest && behind.all && !behind.honest_forwarders);
        // The same worker as a leaf, or node 3 also a gossiper's peer: forwarders connected.
        let leaf = PeerGraph::from_edges(4, [(0, 1), (1, 2), (1, 3)]).unwrap();
        assert!(Connectivity::of(&leaf, &[c, g, w, g], honest).honest_forwarders);
        let both = PeerGraph::from_edges(4, [(0, 1), (1, 2), (2, 3), (1, 3)]).unwrap();
        assert!(Connectivity::of(&both, &[c, g, w, g], honest).honest_forwarders);
        // A worker whose only peers are workers is not reached through a forwarder.
        let pair = PeerGraph::from_edges(4, [(0, 1), (1, 2), (2, 3)]).unwrap();
        assert!(!Connectivity::of(&pair, &[c, g, w, w], honest).honest_forwarders);
    }

    /// A library user that never declared it exits after its runs never leaks worlds, even
    /// when the runner asks (it does for every batch with at most one run per thread).
    #[test]
    fn worlds_leak_only_in_a_process_that_exits_after_its_runs() {
        super::leak_finished_worlds(true);
        assert!(!super::LEAK.load(std::sync::atomic::Ordering::Relaxed));
    }

    /// Millions of events wait in the queue at a wave's peak: keep each one small.
    #[test]
    fn queued_events_stay_small() {
        assert!(std::mem::size_of::<super::Ev>() <= 40);
    }
}
