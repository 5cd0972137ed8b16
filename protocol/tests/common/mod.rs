//! An in-memory driver for protocol tests: routes outputs to inputs over a virtual clock,
//! solves proofs of work, and runs a toy Lightning ledger.
#![allow(dead_code)]

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha12Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use sweet_gossip::*;

/// A credential source that always gives the same credentials, to test derived keys.
struct Fixed(Credentials);

impl CredentialSource for Fixed {
    fn account(&self, _: PeerId) -> PublicKey {
        self.0.account.public()
    }
    fn credentials(&self, _: PeerId) -> Credentials {
        self.0.clone()
    }
}

/// The seed of node `node`'s identity (tag 1), account (2) or onion (3) key.
pub fn key_seed(node: usize, tag: u8) -> [u8; 32] {
    let mut seed = [tag; 32];
    seed[..8].copy_from_slice(&(node as u64).to_le_bytes());
    seed
}

/// The authority every test node's certificate comes from, and a trust store trusting it.
pub fn test_ca() -> (CertificateAuthority, TrustStore) {
    let ca = CertificateAuthority::new("ca", RealCrypto.keypair_from_seed([200; 32]));
    let mut trust = TrustStore::new();
    trust.trust("ca", ca.public_key());
    (ca, trust)
}

/// A test policy: default behaviour plus a switch to reply.
pub struct TestPolicy {
    pub params: PolicyParams,
    pub reply: Option<Vec<u8>>,
}

impl Policy for TestPolicy {
    fn params(&self) -> &PolicyParams {
        &self.params
    }
    fn will_reply(&self, _t: &Topic) -> bool {
        self.reply.is_some()
    }
    fn reply_message(&mut self, _t: &Topic, _r: &mut dyn rand_core::RngCore) -> Vec<u8> {
        self.reply.clone().unwrap_or_default()
    }
}

pub fn params(fee: u64) -> PolicyParams {
    PolicyParams {
        routing_fee_sat: fee,
        pow_target: PowTarget::from_expected_hashes(16),
        reply_routes_max: 3,
        ..PolicyParams::default()
    }
}

pub fn taxi() -> Topic {
    Topic::Taxi(TaxiTopic {
        pickup_geohash: Geohash::encode(-33.8647, 151.2096, 7),
        dropoff_geohash: Geohash::encode(-33.87, 151.2, 6),
        pickup_after: Timestamp(0),
        dropoff_before: Timestamp(3_600_000_000),
    })
}

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

/// A delivered reply.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub node: usize,
    pub payload_id: PayloadId,
    pub message: Vec<u8>,
    pub fee_paid_sat: u64,
    pub route_length: u32,
}

pub type Tamper = Box<dyn FnMut(usize, usize, &mut Vec<u8>)>;

pub struct Net {
    pub nodes: Vec<Node>,
    pub now: Timestamp,
    queue: BTreeMap<(Timestamp, u64), Ev>,
    seq: u64,
    pub latency: Duration,
    pub pow_time: Duration,
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
    /// Accounts whose invoices fail.
    pub failing_accounts: BTreeSet<PublicKey>,
    pub delivered: Vec<Delivered>,
    pub events: Vec<(usize, Event)>,
    /// Every frame sent: (from, to, kind, bytes).
    pub sent: Vec<(usize, usize, FrameKind, Vec<u8>)>,
    pub tamper: Option<Tamper>,
    pub pow_hashes: u64,
    /// Calls [`Node::expire`] on every node as soon as something expires, before each event.
    pub eager_expiry: bool,
    /// What the nodes share ([`Net::new_shared`]).
    pub sharing: Arc<Sharing>,
}

impl Net {
    /// Nodes 0..n with the given policies (index = node), connected along `edges`.
    pub fn new(policies: Vec<Box<dyn Policy>>, edges: &[(usize, usize)], seed: u64) -> Net {
        let (ca, trust) = test_ca();
        Self::with_trust(policies, edges, seed, ca, trust)
    }

    pub fn with_trust(
        policies: Vec<Box<dyn Policy>>,
        edges: &[(usize, usize)],
        seed: u64,
        ca: CertificateAuthority,
        trust: TrustStore,
    ) -> Net {
        Self::build(policies, edges, seed, ca, trust, false, Limits::default())
    }

    /// As [`Net::new`], with `limits` for every node.
    pub fn with_limits(
        policies: Vec<Box<dyn Policy>>,
        edges: &[(usize, usize)],
        seed: u64,
        limits: Limits,
    ) -> Net {
        let (ca, trust) = test_ca();
        Self::build(policies, edges, seed, ca, trust, false, limits)
    }

    /// As [`Net::new`], but the nodes share one request pool and one key directory and derive
    /// their credentials on demand. The directory gives node 1 a wrong key, which its peers
    /// must override with the right one.
    pub fn new_shared(policies: Vec<Box<dyn Policy>>, edges: &[(usize, usize)], seed: u64) -> Net {
        let (ca, trust) = test_ca();
        Self::build(policies, edges, seed, ca, trust, true, Limits::default())
    }

    fn build(
        policies: Vec<Box<dyn Policy>>,
        edges: &[(usize, usize)],
        seed: u64,
        ca: CertificateAuthority,
        trust: TrustStore,
        share: bool,
        limits: Limits,
    ) -> Net {
        let limits = Arc::new(limits);
        let crypto: Arc<dyn CryptoProvider> = Arc::new(RealCrypto);
        let onion_key = |i: usize| crypto.keypair_from_seed(key_seed(i, 3)).public();
        let keys: Vec<PublicKey> = (0..policies.len()).map(onion_key).collect();
        let sharing = Arc::new(if share {
            let mut directory: BTreeMap<PeerId, PublicKey> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| (PeerId(i as u64), *k))
                .collect();
            directory.insert(PeerId(1), PublicKey([9; 32]));
            Sharing {
                requests: Some(Arc::new(RequestPool::default())),
                keys: Some(Arc::new(directory)),
            }
        } else {
            Sharing::default()
        });
        let trust = Arc::new(trust);
        let mut nodes = Vec::new();
        for (i, policy) in policies.into_iter().enumerate() {
            let credentials = Credentials::issue(
                crypto.as_ref(),
                &ca,
                [1, 2, 3].map(|tag| key_seed(i, tag)),
                "member",
                &format!("node {i}"),
                Timestamp(0),
                Timestamp(u64::MAX / 2),
            );
            let cfg = NodeConfig {
                address: PeerId(i as u64),
                keys: if share {
                    Keys::Derived(Arc::new(Fixed(credentials)))
                } else {
                    credentials.into()
                },
                trust: trust.clone(),
                crypto: crypto.clone(),
                limits: Arc::clone(&limits),
                sharing: Arc::clone(&sharing),
            };
            let rng = ChaCha12Rng::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9e37_79b9));
            nodes.push(Node::new(cfg, policy, rng));
        }
        for &(a, b) in edges {
            nodes[a].add_peer(PeerId(b as u64), keys[b]);
            nodes[b].add_peer(PeerId(a as u64), keys[a]);
        }
        Net {
            nodes,
            now: Timestamp(1_000_000),
            queue: BTreeMap::new(),
            seq: 0,
            latency: Duration::from_millis(10),
            pow_time: Duration::from_millis(1),
            ca,
            invoices: BTreeMap::new(),
            earned: BTreeMap::new(),
            spent: BTreeMap::new(),
            payments: Vec::new(),
            failing: BTreeSet::new(),
            failing_accounts: BTreeSet::new(),
            delivered: Vec::new(),
            events: Vec::new(),
            sent: Vec::new(),
            tamper: None,
            pow_hashes: 0,
            eager_expiry: false,
            sharing,
        }
    }

    fn push(&mut self, at: Timestamp, ev: Ev) {
        self.seq += 1;
        self.queue.insert((at, self.seq), ev);
    }

    pub fn broadcast(&mut self, node: usize) -> PayloadId {
        let now = self.now;
        let id = self.nodes[node].broadcast(now, taxi()).expect("broadcast");
        self.drain(node);
        id
    }

    /// Delivers raw bytes to `to` as if sent by `from`, now.
    pub fn inject(&mut self, from: usize, to: usize, bytes: Vec<u8>) {
        let now = self.now;
        self.nodes[to].handle_frame(now, PeerId(from as u64), &bytes);
        self.drain(to);
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
                let (nonce, attempts) = pow::solve(&data, &work, 0, u64::MAX).expect("easy target");
                self.pow_hashes += attempts;
                self.push(now + self.pow_time, Ev::Pow { node: i, id, nonce });
            }
            Output::RegisterInvoice { invoice, preimage } => {
                self.invoices
                    .insert(invoice.payment_hash, (i, invoice.amount, preimage));
            }
            Output::PayInvoices {
                payload_id,
                invoices,
            } => {
                for inv in invoices {
                    let outcome = self.pay(i, &inv);
                    self.push(
                        now + self.latency,
                        Ev::Payment {
                            node: i,
                            payload: payload_id,
                            hash: inv.payment_hash,
                            outcome,
                        },
                    );
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
        if self.failing.contains(&inv.payment_hash) || self.failing_accounts.contains(&inv.account)
        {
            return PaymentOutcome::Failed(PaymentFailure::NoRoute);
        }
        let Some(&(payee, amount, preimage)) = self.invoices.get(&inv.payment_hash) else {
            return PaymentOutcome::Failed(PaymentFailure::NotSettled);
        };
        *self.earned.entry(payee).or_default() += amount;
        *self.spent.entry(payer).or_default() += amount;
        self.payments.push((payer, inv.payment_hash, amount));
        let now = self.now;
        self.push(
            now + self.latency,
            Ev::Settled {
                node: payee,
                hash: inv.payment_hash,
            },
        );
        PaymentOutcome::Paid(preimage)
    }

    /// Processes one event; false when idle.
    pub fn step(&mut self) -> bool {
        let Some(((at, _), ev)) = self.queue.pop_first() else {
            return false;
        };
        self.now = self.now.max(at);
        let now = self.now;
        if self.eager_expiry {
            for n in &mut self.nodes {
                while let Some(t) = n.next_expiry().filter(|t| *t <= now) {
                    n.expire(t);
                    assert!(n.next_expiry() > Some(t), "expire frees what it announced");
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

    /// Runs until idle (bounded).
    pub fn run(&mut self) {
        for _ in 0..1_000_000 {
            if !self.step() {
                return;
            }
        }
        panic!("did not settle in a million events");
    }

    pub fn rejections(&self) -> Vec<(usize, FrameKind, RejectReason)> {
        self.events
            .iter()
            .filter_map(|(n, e)| match e {
                Event::FrameRejected { kind, reason, .. } => Some((*n, *kind, reason.clone())),
                _ => None,
            })
            .collect()
    }

    pub fn count_events(&self, f: impl Fn(&Event) -> bool) -> usize {
        self.events.iter().filter(|(_, e)| f(e)).count()
    }

    pub fn account(&self, node: usize) -> PublicKey {
        self.nodes[node].account()
    }
}

pub fn relay(fee: u64) -> Box<dyn Policy> {
    Box::new(TestPolicy {
        params: params(fee),
        reply: None,
    })
}

pub fn replier(fee: u64, msg: &[u8]) -> Box<dyn Policy> {
    Box::new(TestPolicy {
        params: params(fee),
        reply: Some(msg.to_vec()),
    })
}
