//! Shared fixtures for the protocol benchmarks.
//!
//! [`Recording`] runs one broadcast and its reply with real cryptography along a chain
//! `sender → upstream middlemen → M → replier`, where `M` is the middleman under test, and keeps
//! every frame `M` received. The benches replay those frames into fresh copies of `M` (same
//! configuration, same RNG seed, same `now`), so a timed replay does exactly one middleman's
//! work for one hop and produces byte-identical output to the recording.

use rand_chacha::ChaCha12Rng;
use rand_core::{RngCore, SeedableRng};
use std::collections::VecDeque;
use std::sync::Arc;
use sweet_gossip::{
    decode, pow, AskId, CertificateAuthority, CryptoCounts, CryptoProvider, DefaultPolicy, Frame,
    FrameKind, Geohash, Keypair, Node, NodeConfig, Onion, Output, PeerId, Policy, PolicyParams,
    PublicKey, RealCrypto, SignedRequestPayload, TaxiTopic, Timestamp, Topic, TrustStore,
    WorkRequest, SEAL_OVERHEAD,
};

/// Virtual time of every input, in the recording and in the replays.
pub const NOW: Timestamp = Timestamp(1_000_000_000);

/// Upstream middlemen in the default chain: `M` relays at hop 4, a typical onion depth.
pub const DEFAULT_UPSTREAM: usize = 3;

/// Tag the protocol prefixes to the encoded request payload before signing it.
const REQUEST_TAG: &[u8] = b"sweet-gossip/request/v1";

/// A policy that replies to every topic with a fixed message.
struct ReplierPolicy {
    params: PolicyParams,
    message: Vec<u8>,
}

impl Policy for ReplierPolicy {
    fn params(&self) -> &PolicyParams {
        &self.params
    }
    fn will_reply(&self, _topic: &Topic) -> bool {
        true
    }
    fn reply_message(&mut self, _topic: &Topic, _rng: &mut dyn RngCore) -> Vec<u8> {
        self.message.clone()
    }
}

/// The policy numbers of every node in the chain: default, with easy proof of work so the
/// recording solves quickly (checking costs one hash whatever the target).
fn params() -> PolicyParams {
    PolicyParams {
        routing_fee_sat: 10,
        pow_target: sweet_gossip::PowTarget::from_expected_hashes(64),
        ..PolicyParams::default()
    }
}

/// A taxi topic as a rider would broadcast it.
pub fn taxi_topic() -> Topic {
    Topic::Taxi(TaxiTopic {
        pickup_geohash: Geohash::encode(-33.8647, 151.2096, 7),
        dropoff_geohash: Geohash::encode(-33.87, 151.2, 6),
        pickup_after: Timestamp(0),
        dropoff_before: Timestamp(3_600_000_000),
    })
}

fn keypair(crypto: &dyn CryptoProvider, node: usize, tag: u8) -> Keypair {
    let mut seed = [tag; 32];
    seed[..8].copy_from_slice(&(node as u64).to_le_bytes());
    crypto.keypair_from_seed(seed)
}

fn rng_seed(node: usize) -> u64 {
    0x5eed ^ (node as u64).wrapping_mul(0x9e37_79b9)
}

enum Ev {
    Frame {
        from: usize,
        to: usize,
        bytes: Vec<u8>,
    },
    Pow {
        node: usize,
        id: AskId,
        nonce: u64,
    },
}

/// What the recording saw: frames sent and proofs of work solved.
#[derive(Default)]
struct Log {
    queue: VecDeque<Ev>,
    sent: Vec<(usize, usize, FrameKind, Vec<u8>)>,
    solved: Vec<(usize, AskId, u64)>,
}

impl Log {
    fn drain(&mut self, node: usize, n: &mut Node) {
        while let Some(out) = n.poll_output() {
            match out {
                Output::Send { to, kind, bytes } => {
                    let to = to.0 as usize;
                    self.sent.push((node, to, kind, bytes.clone()));
                    self.queue.push_back(Ev::Frame {
                        from: node,
                        to,
                        bytes,
                    });
                }
                Output::SolvePow { id, work, data } => {
                    let (nonce, _) = pow::solve(&data, &work, 0, u64::MAX).expect("easy target");
                    self.solved.push((node, id, nonce));
                    self.queue.push_back(Ev::Pow { node, id, nonce });
                }
                Output::Event(sweet_gossip::Event::FrameRejected { from, kind, reason }) => {
                    panic!("node {node} rejected {kind:?} from {from}: {reason:?}")
                }
                _ => {}
            }
        }
    }

    fn frame(&self, from: usize, to: usize, kind: FrameKind) -> Vec<u8> {
        self.sent
            .iter()
            .find(|s| s.0 == from && s.1 == to && s.2 == kind)
            .map(|s| s.3.clone())
            .unwrap_or_else(|| panic!("no {kind:?} frame from {from} to {to}"))
    }
}

/// The frames one middleman `M` received for one broadcast and its reply, and everything
/// needed to replay them into a fresh `M`.
pub struct Recording {
    cfg: NodeConfig,
    rng_seed: u64,
    /// `M`'s upstream peer (the originator of the broadcast `M` relays) and its onion key.
    pub prev: (PeerId, PublicKey),
    /// `M`'s downstream peer (the replier) and its onion key.
    pub next: (PeerId, PublicKey),
    /// AskForBroadcastFrame from `prev`.
    pub ask: Vec<u8>,
    /// POWBroadcastFrame from `prev`.
    pub broadcast: Vec<u8>,
    /// PowBroadcastConditionsFrame from `next`, answering `M`'s ask.
    pub conditions: Vec<u8>,
    /// The proof of work `M` asked its driver for: ask id and nonce.
    pub solved: (AskId, u64),
    /// ReplyFrame from `next`.
    pub reply: Vec<u8>,
    forwarded: Vec<u8>,
    replied: Vec<u8>,
}

impl Recording {
    /// Records a broadcast and its reply along `sender → upstream middlemen → M → replier`,
    /// then checks that a replay into a fresh `M` reproduces `M`'s recorded frames.
    pub fn new(upstream: usize) -> Recording {
        let crypto: Arc<dyn CryptoProvider> = Arc::new(RealCrypto);
        let ca = CertificateAuthority::new("ca", crypto.keypair_from_seed([200; 32]));
        let mut trust = TrustStore::new();
        trust.trust("ca", ca.public_key());
        let trust = Arc::new(trust);
        let (m, r) = (upstream + 1, upstream + 2);
        let cfgs: Vec<NodeConfig> = (0..=r)
            .map(|i| {
                let identity = keypair(crypto.as_ref(), i, 1);
                let certificate = ca.issue(
                    crypto.as_ref(),
                    identity.public(),
                    "member",
                    &format!("node {i}"),
                    Timestamp(0),
                    Timestamp(u64::MAX / 2),
                );
                NodeConfig {
                    address: PeerId(i as u64),
                    identity,
                    certificate,
                    account: keypair(crypto.as_ref(), i, 2),
                    peer_key: keypair(crypto.as_ref(), i, 3),
                    trust: trust.clone(),
                    crypto: crypto.clone(),
                    limits: Default::default(),
                }
            })
            .collect();
        let key = |i: usize| (PeerId(i as u64), cfgs[i].peer_key.public());
        let mut nodes: Vec<Node> = cfgs
            .iter()
            .enumerate()
            .map(|(i, cfg)| {
                let rng = ChaCha12Rng::seed_from_u64(rng_seed(i));
                let mut n = Node::new(cfg.clone(), policy(i == r), rng);
                for j in [i.wrapping_sub(1), i + 1] {
                    if j <= r {
                        n.add_peer(key(j).0, key(j).1);
                    }
                }
                n
            })
            .collect();

        let mut log = Log::default();
        nodes[0].broadcast(NOW, taxi_topic()).expect("broadcast");
        log.drain(0, &mut nodes[0]);
        while let Some(ev) = log.queue.pop_front() {
            let node = match ev {
                Ev::Frame { from, to, bytes } => {
                    nodes[to].handle_frame(NOW, PeerId(from as u64), &bytes);
                    to
                }
                Ev::Pow { node, id, nonce } => {
                    nodes[node].handle_pow_solved(NOW, id, nonce);
                    node
                }
            };
            log.drain(node, &mut nodes[node]);
        }
        assert!(
            log.sent
                .iter()
                .any(|s| s.0 == 1 && s.1 == 0 && s.2 == FrameKind::Reply),
            "the reply reached the sender"
        );
        let solved = log
            .solved
            .iter()
            .find(|s| s.0 == m)
            .map(|s| (s.1, s.2))
            .expect("M solved a proof of work");
        let rec = Recording {
            cfg: cfgs[m].clone(),
            rng_seed: rng_seed(m),
            prev: key(m - 1),
            next: key(r),
            ask: log.frame(m - 1, m, FrameKind::Ask),
            broadcast: log.frame(m - 1, m, FrameKind::Broadcast),
            conditions: log.frame(r, m, FrameKind::Conditions),
            solved,
            reply: log.frame(r, m, FrameKind::Reply),
            forwarded: log.frame(m, r, FrameKind::Broadcast),
            replied: log.frame(m, m - 1, FrameKind::Reply),
        };
        rec.check_replay();
        rec
    }

    /// A fresh `M`: the recorded configuration and RNG seed, connected to `prev` and `next`.
    pub fn middleman(&self) -> Node {
        let rng = ChaCha12Rng::seed_from_u64(self.rng_seed);
        let mut n = Node::new(self.cfg.clone(), policy(false), rng);
        n.add_peer(self.prev.0, self.prev.1);
        n.add_peer(self.next.0, self.next.1);
        n
    }

    /// A fresh `M` that has already relayed the broadcast, ready for the reply.
    pub fn relayed_middleman(&self) -> Node {
        let mut n = self.middleman();
        self.relay_hop(&mut n, &mut drop);
        n
    }

    /// One relay hop of a fresh `M` ([`Recording::middleman`]): the ask from `prev`, the
    /// broadcast from `prev`, the conditions from `next` and the solved proof of work, each
    /// followed by draining every output into `sink`.
    pub fn relay_hop(&self, node: &mut Node, sink: &mut impl FnMut(Output)) {
        node.handle_frame(NOW, self.prev.0, &self.ask);
        drain(node, sink);
        node.handle_frame(NOW, self.prev.0, &self.broadcast);
        drain(node, sink);
        node.handle_frame(NOW, self.next.0, &self.conditions);
        drain(node, sink);
        node.handle_pow_solved(NOW, self.solved.0, self.solved.1);
        drain(node, sink);
    }

    /// One reply hop of a relayed `M` ([`Recording::relayed_middleman`]): the reply from
    /// `next`, then draining every output into `sink`.
    pub fn reply_hop(&self, node: &mut Node, sink: &mut impl FnMut(Output)) {
        node.handle_frame(NOW, self.next.0, &self.reply);
        drain(node, sink);
    }

    /// `M`'s configuration (its keys).
    pub fn config(&self) -> &NodeConfig {
        &self.cfg
    }

    /// The signed request being broadcast.
    pub fn request(&self) -> SignedRequestPayload {
        match decode(&self.ask).expect("recorded frame") {
            Frame::AskForBroadcast(f) => f.signed_request_payload,
            _ => unreachable!("recorded as an ask"),
        }
    }

    /// The bytes the sender signed: tag and encoded request payload.
    pub fn request_signed_bytes(&self) -> Vec<u8> {
        let mut out = REQUEST_TAG.to_vec();
        out.extend(sweet_gossip::encode(&self.request().payload));
        out
    }

    /// What `M` checks the proof of work of: encoded broadcast payload, work and nonce.
    pub fn pow_input(&self) -> (Vec<u8>, WorkRequest, u64) {
        match decode(&self.broadcast).expect("recorded frame") {
            Frame::PowBroadcast(f) => {
                let p = f.proof_of_work;
                let work = WorkRequest {
                    pow_scheme: p.pow_scheme,
                    pow_target: p.pow_target,
                };
                (sweet_gossip::encode(&f.broadcast_payload), work, p.nonce)
            }
            _ => unreachable!("recorded as a broadcast"),
        }
    }

    /// Plaintext length of the onion layer `M` seals to `next` when relaying.
    pub fn grown_layer_len(&self) -> usize {
        match decode(&self.forwarded).expect("recorded frame") {
            Frame::PowBroadcast(f) => f.broadcast_payload.backward_onion.len() - SEAL_OVERHEAD,
            _ => unreachable!("recorded as a broadcast"),
        }
    }

    /// The onion `M` peels on the reply, and `M`'s sealed preimage in the reply.
    pub fn reply_sealed(&self) -> (Onion, Vec<u8>) {
        match decode(&self.reply).expect("recorded frame") {
            Frame::Reply(f) => {
                let me = self.cfg.account.public();
                let list = f
                    .signed_reply_payload
                    .payload
                    .payment_crypto_instruction_list;
                let mine = list.into_iter().find(|i| i.account == me).expect("M's");
                (f.forward_onion, mine.sealed_preimage)
            }
            _ => unreachable!("recorded as a reply"),
        }
    }

    /// Replays into a fresh `M` and checks it does the recorded work with the recorded result.
    fn check_replay(&self) {
        let mut n = self.middleman();
        let mut sent = Vec::new();
        let mut sink = |o: Output| {
            if let Output::Send { to, bytes, .. } = o {
                sent.push((to, bytes));
            }
        };
        self.relay_hop(&mut n, &mut sink);
        let relay = n.crypto_counts();
        let expected = CryptoCounts {
            verify: 2,
            seal: 1,
            hash: 3,
            ..Default::default()
        };
        assert_eq!(relay, expected, "relay hop crypto");
        self.reply_hop(&mut n, &mut sink);
        let reply = n.crypto_counts().since(&relay);
        let expected = CryptoCounts {
            open: 2,
            hash: 1,
            ..Default::default()
        };
        assert_eq!(reply, expected, "reply hop crypto");
        assert!(sent.contains(&(self.next.0, self.forwarded.clone())));
        assert!(sent.contains(&(self.prev.0, self.replied.clone())));
    }
}

fn policy(replier: bool) -> Box<dyn Policy> {
    if replier {
        Box::new(ReplierPolicy {
            params: params(),
            message: b"Taxi 42, 4 min away, AUD 23".to_vec(),
        })
    } else {
        Box::new(DefaultPolicy { params: params() })
    }
}

fn drain(node: &mut Node, sink: &mut impl FnMut(Output)) {
    while let Some(o) = node.poll_output() {
        sink(o);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recording_replays() {
        // `new` checks the replay; this also checks onion sizes grow with depth.
        let short = Recording::new(1);
        let long = Recording::new(DEFAULT_UPSTREAM);
        assert!(long.grown_layer_len() > short.grown_layer_len());
        let (onion, sealed) = long.reply_sealed();
        let cfg = long.config();
        assert!(onion.peel(&RealCrypto, &cfg.peer_key).is_ok());
        assert_eq!(
            RealCrypto.open(&cfg.account, &sealed).map(|p| p.len()),
            Ok(32)
        );
        let (data, work, nonce) = long.pow_input();
        assert!(pow::check(&data, &work, nonce));
        let req = long.request();
        assert!(req.verify_signature(&RealCrypto));
        assert!(RealCrypto.verify(
            &req.payload.sender_certificate.public_key,
            &long.request_signed_bytes(),
            &req.signature
        ));
    }
}
