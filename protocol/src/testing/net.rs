//! The network of a test: an event queue over a virtual clock, a toy ledger and logs.

use super::builder::NetBuilder;
use super::taxi;
use crate::{
    pow, AskId, CertificateAuthority, Duration, Event, FrameKind, Invoice, Node, NodeConfig,
    Output, PayloadId, PaymentFailure, PaymentHash, PaymentOutcome, PeerId, Policy, Preimage,
    PublicKey, RejectReason, Sharing, TimerKind, Timestamp,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Attempts after which the driver gives up a proof of work (a peer may ask for any target).
pub const POW_ATTEMPTS_MAX: u64 = 1 << 20;

/// Events processed by [`Net::drive`] before it declares the network never idles.
pub const DRIVE_EVENTS_MAX: usize = 1_000_000;

#[derive(Debug)]
enum Ev {
    Frame {
        to: usize,
        from: usize,
        bytes: Vec<u8>,
    },
    Timer {
        node: usize,
        timer: TimerKind,
    },
    Pow {
        node: usize,
        id: AskId,
        nonce: u64,
    },
    Payment {
        node: usize,
        payload: PayloadId,
        hash: PaymentHash,
        outcome: PaymentOutcome,
    },
    Settled {
        node: usize,
        hash: PaymentHash,
    },
}

/// A reply delivered to its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The sender.
    pub node: usize,
    /// The topic.
    pub payload_id: PayloadId,
    /// The plaintext reply.
    pub message: Vec<u8>,
    /// Satoshis paid for the route.
    pub fee_paid_sat: u64,
    /// Middlemen and replier on the route.
    pub route_length: u32,
}

/// Rewrites a frame sent from the first node to the second before it is logged and queued.
pub type Tamper = Box<dyn FnMut(usize, usize, &mut Vec<u8>)>;

/// Nodes linked in memory. Every output is carried out as soon as it is polled: frames and
/// payment messages arrive `latency` later, proofs of work take `pow_time`, invoices are paid
/// from a ledger of registered invoices. Public fields are logs and knobs a test may read or
/// set between steps.
pub struct Net {
    /// The nodes; node `i` has address `PeerId(i)`.
    pub nodes: Vec<Node>,
    /// The configuration each node was built with.
    pub configs: Vec<NodeConfig>,
    /// Virtual time: that of the last event processed.
    pub now: Timestamp,
    queue: BTreeMap<(Timestamp, u64), Ev>,
    seq: u64,
    /// One-way delay of frames and payment messages.
    pub latency: Duration,
    /// Time a proof of work takes.
    pub pow_time: Duration,
    /// The authority that issued every certificate.
    pub ca: CertificateAuthority,
    /// Registered invoices: hash → (payee node, amount, preimage).
    invoices: BTreeMap<PaymentHash, (usize, u64, Preimage)>,
    /// Satoshis received per node.
    pub earned: BTreeMap<usize, u64>,
    /// Satoshis paid per node.
    pub spent: BTreeMap<usize, u64>,
    /// Every invoice paid, in order: (payer, hash, amount).
    pub payments: Vec<(usize, PaymentHash, u64)>,
    /// Hashes whose payment fails.
    pub failing: BTreeSet<PaymentHash>,
    /// Nodes whose invoices fail (accounts are per topic, so nodes are named instead).
    pub failing_payees: BTreeSet<usize>,
    /// Replies delivered, in order.
    pub delivered: Vec<Delivered>,
    /// Every event, in order, with the node that reported it.
    pub events: Vec<(usize, Event)>,
    /// Per node: how many entries of `events` [`Net::expect_events`] has checked.
    checked: Vec<usize>,
    /// Every frame sent, after tampering: (from, to, kind, bytes).
    pub sent: Vec<(usize, usize, FrameKind, Vec<u8>)>,
    /// Rewrites frames in flight.
    pub tamper: Option<Tamper>,
    /// Proof-of-work hashes computed.
    pub pow_hashes: u64,
    /// Proofs of work given up after [`POW_ATTEMPTS_MAX`] attempts.
    pub pow_given_up: u64,
    /// Payment orders held back instead of paid: (payer, topic, invoices). A test may
    /// report their outcomes itself, late or never.
    pub withheld: Option<Vec<(usize, PayloadId, Vec<Invoice>)>>,
    /// Proofs of work cancelled ([`Output::CancelPow`]) before they were reported solved.
    pub pow_cancelled: u64,
    /// Calls [`Node::expire`] on every node as soon as something expires, before each event.
    pub eager_expiry: bool,
    /// What the nodes share ([`NetBuilder::shared`]).
    pub sharing: Arc<Sharing>,
}

impl Net {
    /// Settings for a network of nodes with these policies (index = node).
    pub fn builder(policies: Vec<Box<dyn Policy>>) -> NetBuilder {
        NetBuilder::new(policies)
    }

    /// Shorthand: nodes with `policies`, linked along `edges`, RNGs from `seed`.
    pub fn new(policies: Vec<Box<dyn Policy>>, edges: &[(usize, usize)], seed: u64) -> Net {
        Self::builder(policies).edges(edges).seed(seed).build()
    }

    /// The RNG seed of node `node` in a network seeded with `seed`.
    pub fn rng_seed(seed: u64, node: usize) -> u64 {
        seed ^ (node as u64).wrapping_mul(0x9e37_79b9)
    }

    pub(super) fn new_idle(
        nodes: Vec<Node>,
        configs: Vec<NodeConfig>,
        ca: CertificateAuthority,
        sharing: Arc<Sharing>,
        now: Timestamp,
    ) -> Net {
        let checked = vec![0; nodes.len()];
        Net {
            nodes,
            configs,
            now,
            queue: BTreeMap::new(),
            seq: 0,
            latency: Duration::ZERO,
            pow_time: Duration::ZERO,
            ca,
            invoices: BTreeMap::new(),
            earned: BTreeMap::new(),
            spent: BTreeMap::new(),
            payments: Vec::new(),
            failing: BTreeSet::new(),
            failing_payees: BTreeSet::new(),
            delivered: Vec::new(),
            events: Vec::new(),
            checked,
            sent: Vec::new(),
            tamper: None,
            pow_hashes: 0,
            pow_given_up: 0,
            pow_cancelled: 0,
            withheld: None,
            eager_expiry: false,
            sharing,
        }
    }

    fn push(&mut self, at: Timestamp, ev: Ev) {
        self.seq += 1;
        self.queue.insert((at, self.seq), ev);
    }

    /// Node `node` broadcasts [`taxi`] now; returns its payload id.
    pub fn broadcast(&mut self, node: usize) -> PayloadId {
        self.with_node(node, |n, now| n.broadcast(now, taxi()))
            .expect("invariant: the test topic is well formed and time is monotonic")
    }

    /// Delivers raw bytes to `to` as if sent by `from`, now.
    pub fn inject(&mut self, from: usize, to: usize, bytes: Vec<u8>) {
        self.with_node(to, |n, now| {
            n.handle_frame(now, PeerId(from as u64), &bytes)
        });
    }

    /// Gives `f` node `node` and the current time, then carries out every output it produced.
    pub fn with_node<T>(&mut self, node: usize, f: impl FnOnce(&mut Node, Timestamp) -> T) -> T {
        let now = self.now;
        let result = f(&mut self.nodes[node], now);
        self.drain(node);
        result
    }

    /// Moves the clock forward to `at` without processing events (none may be earlier).
    pub fn advance_to(&mut self, at: Timestamp) {
        self.now = self.now.max(at);
    }

    /// Registers an invoice of node `payee` as if it had output [`Output::RegisterInvoice`]
    /// (for attackers that invoice accounts they hold outside any node).
    pub fn register_invoice(&mut self, payee: usize, invoice: &Invoice, preimage: Preimage) {
        let entry = (payee, invoice.amount, preimage);
        self.invoices.insert(invoice.payment_hash, entry);
    }

    /// Pays `invoice` for node `payer`'s topic `id` now, as a [`Output::PayInvoices`] would
    /// (e.g. one held in [`Net::withheld`]); the outcome reaches the payer `latency` later.
    pub fn pay_now(&mut self, payer: usize, id: PayloadId, invoice: &Invoice) {
        let outcome = self.pay(payer, invoice);
        let ev = Ev::Payment {
            node: payer,
            payload: id,
            hash: invoice.payment_hash,
            outcome,
        };
        self.push(self.now + self.latency, ev);
    }

    /// Events waiting in the queue.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    fn drain(&mut self, i: usize) {
        while let Some(out) = self.nodes[i].poll_output() {
            self.apply(i, out);
        }
    }

    fn apply(&mut self, i: usize, out: Output) {
        let now = self.now;
        match out {
            Output::Send { to, kind, bytes } => {
                let mut bytes = Vec::from(bytes);
                let to = to.0 as usize;
                if let Some(t) = self.tamper.as_mut() {
                    t(i, to, &mut bytes);
                }
                self.sent.push((i, to, kind, bytes.clone()));
                self.push(now + self.latency, Ev::Frame { to, from: i, bytes });
            }
            Output::SetTimer { timer, at } => self.push(at, Ev::Timer { node: i, timer }),
            Output::SolvePow { id, work, data } => {
                match pow::solve(&data, &work, 0, POW_ATTEMPTS_MAX) {
                    Some((nonce, attempts)) => {
                        self.pow_hashes += attempts;
                        let ev = Ev::Pow { node: i, id, nonce };
                        self.push(now + self.pow_time, ev);
                    }
                    None => self.pow_given_up += 1,
                }
            }
            Output::CancelPow { id } => {
                let pending = self.queue.iter().find_map(|(k, ev)| match ev {
                    Ev::Pow { node, id: p, .. } if (*node, *p) == (i, id) => Some(*k),
                    _ => None,
                });
                if let Some(k) = pending {
                    self.queue.remove(&k);
                    self.pow_cancelled += 1;
                }
            }
            Output::RegisterInvoice { invoice, preimage } => {
                let entry = (i, invoice.amount, preimage);
                self.invoices.insert(invoice.payment_hash, entry);
            }
            Output::PayInvoices {
                payload_id,
                invoices,
            } => {
                if let Some(held) = self.withheld.as_mut() {
                    held.push((i, payload_id, invoices));
                    return;
                }
                for inv in invoices {
                    let outcome = self.pay(i, &inv);
                    let (node, payload, hash) = (i, payload_id, inv.payment_hash);
                    let ev = Ev::Payment {
                        node,
                        payload,
                        hash,
                        outcome,
                    };
                    self.push(now + self.latency, ev);
                }
            }
            Output::DeliverReply {
                payload_id,
                message,
                fee_paid_sat,
                route_length,
                ..
            } => {
                self.delivered.push(Delivered {
                    node: i,
                    payload_id,
                    message,
                    fee_paid_sat,
                    route_length,
                });
            }
            Output::Event(e) => self.events.push((i, e)),
        }
    }

    fn pay(&mut self, payer: usize, inv: &Invoice) -> PaymentOutcome {
        let payee_fails = self
            .invoices
            .get(&inv.payment_hash)
            .is_some_and(|(payee, ..)| self.failing_payees.contains(payee));
        if self.failing.contains(&inv.payment_hash) || payee_fails {
            return PaymentOutcome::Failed(PaymentFailure::NoRoute);
        }
        let Some(&(payee, amount, preimage)) = self.invoices.get(&inv.payment_hash) else {
            return PaymentOutcome::Failed(PaymentFailure::NotSettled);
        };
        let earned = self.earned.entry(payee).or_default();
        *earned = earned.saturating_add(amount);
        let spent = self.spent.entry(payer).or_default();
        *spent = spent.saturating_add(amount);
        self.payments.push((payer, inv.payment_hash, amount));
        let (node, hash) = (payee, inv.payment_hash);
        self.push(self.now + self.latency, Ev::Settled { node, hash });
        PaymentOutcome::Paid(preimage)
    }

    /// Processes the earliest event and carries out its outputs; false when idle.
    pub fn step(&mut self) -> bool {
        let Some(((at, _), ev)) = self.queue.pop_first() else {
            return false;
        };
        self.now = self.now.max(at);
        let now = self.now;
        if self.eager_expiry {
            for i in 0..self.nodes.len() {
                while let Some(t) = self.nodes[i].next_expiry().filter(|t| *t <= now) {
                    self.nodes[i].expire(t);
                    self.drain(i);
                    let next = self.nodes[i].next_expiry();
                    assert!(next.is_none_or(|n| n > t), "expire frees what it announced");
                }
            }
        }
        let node = match ev {
            Ev::Frame { to, from, bytes } => {
                self.nodes[to].handle_frame(now, PeerId(from as u64), &bytes);
                to
            }
            Ev::Timer { node, timer } => {
                self.nodes[node].handle_timer(now, timer);
                node
            }
            Ev::Pow { node, id, nonce } => {
                self.nodes[node].handle_pow_solved(now, id, nonce);
                node
            }
            Ev::Payment {
                node,
                payload,
                hash,
                outcome,
            } => {
                self.nodes[node].handle_payment_result(now, payload, hash, outcome);
                node
            }
            Ev::Settled { node, hash } => {
                self.nodes[node].handle_invoice_settled(now, hash);
                node
            }
        };
        self.drain(node);
        true
    }

    /// Processes at most `max_events` events; true iff the network is idle afterwards.
    pub fn drive_bounded(&mut self, max_events: usize) -> bool {
        for _ in 0..max_events {
            if !self.step() {
                return true;
            }
        }
        self.queue.is_empty()
    }

    /// Runs until idle.
    ///
    /// # Panics
    /// If the network is still busy after [`DRIVE_EVENTS_MAX`] events.
    pub fn drive(&mut self) {
        assert!(
            self.drive_bounded(DRIVE_EVENTS_MAX),
            "the network did not idle within {DRIVE_EVENTS_MAX} events"
        );
    }

    /// Asserts that the events `node` reported since the last call for `node` are exactly
    /// `expected`, in order, and marks them checked.
    #[track_caller]
    pub fn expect_events(&mut self, node: usize, expected: &[Event]) {
        let from = self.checked[node];
        let got: Vec<&Event> = self.events[from..]
            .iter()
            .filter(|(n, _)| *n == node)
            .map(|(_, e)| e)
            .collect();
        let want: Vec<&Event> = expected.iter().collect();
        assert_eq!(got, want, "events of node {node}");
        self.checked[node] = self.events.len();
    }

    /// Every rejection so far, in order: (node, frame kind, reason).
    pub fn rejections(&self) -> Vec<(usize, FrameKind, RejectReason)> {
        self.events
            .iter()
            .filter_map(|(n, e)| match e {
                Event::FrameRejected { kind, reason, .. } => Some((*n, *kind, reason.clone())),
                _ => None,
            })
            .collect()
    }

    /// Events matching `f`, across all nodes.
    pub fn count_events(&self, f: impl Fn(&Event) -> bool) -> usize {
        self.events.iter().filter(|(_, e)| f(e)).count()
    }

    /// Events of node `node` for which `f` holds.
    pub fn count_events_at(&self, node: usize, f: impl Fn(&Event) -> bool) -> usize {
        self.events
            .iter()
            .filter(|(n, e)| *n == node && f(e))
            .count()
    }

    /// Node `node`'s account key for the topic `id`.
    pub fn account(&mut self, node: usize, id: &PayloadId) -> PublicKey {
        self.nodes[node].account_for(id).public()
    }

    /// The first frame of `kind` sent from `from` to `to`.
    ///
    /// # Panics
    /// If there is none.
    #[track_caller]
    pub fn frame(&self, from: usize, to: usize, kind: FrameKind) -> Vec<u8> {
        self.sent
            .iter()
            .find(|s| s.0 == from && s.1 == to && s.2 == kind)
            .map(|s| s.3.clone())
            .unwrap_or_else(|| panic!("no {kind:?} frame from {from} to {to}"))
    }
}
