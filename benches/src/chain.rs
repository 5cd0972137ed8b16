//! A chain of nodes `0 → 1 → … → n-1` (sender first, replier last) and an in-memory driver that
//! runs one broadcast and its reply along it, logging every frame sent.

use crate::NOW;
use rand_chacha::ChaCha12Rng;
use rand_core::{RngCore, SeedableRng};
use std::collections::VecDeque;
use std::sync::Arc;
use sweet_gossip::{
    pow, AskId, CertificateAuthority, Credentials, CryptoProvider, DefaultPolicy, Event, FrameKind,
    Geohash, Node, NodeConfig, Output, PeerId, Policy, PolicyParams, PowTarget, PublicKey,
    RealCrypto, TaxiTopic, Timestamp, Topic, TrustStore,
};

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

/// The default policy numbers, with easy proof of work so the recording solves quickly
/// (checking costs one hash whatever the target).
fn params() -> PolicyParams {
    PolicyParams {
        routing_fee_sat: 10,
        pow_target: PowTarget::from_expected_hashes(64),
        ..PolicyParams::default()
    }
}

/// A relaying (default) or replying policy.
pub(crate) fn policy(replier: bool) -> Box<dyn Policy> {
    let params = params();
    if replier {
        let message = b"Taxi 42, 4 min away, AUD 23".to_vec();
        Box::new(ReplierPolicy { params, message })
    } else {
        Box::new(DefaultPolicy { params })
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

fn key_seed(node: usize, tag: u8) -> [u8; 32] {
    let mut seed = [tag; 32];
    seed[..8].copy_from_slice(&(node as u64).to_le_bytes());
    seed
}

/// The RNG seed of node `i`.
pub(crate) fn rng_seed(node: usize) -> u64 {
    0x5eed ^ (node as u64).wrapping_mul(0x9e37_79b9)
}

/// The configurations of `n` nodes certified by one authority.
pub(crate) fn configs(n: usize) -> Vec<NodeConfig> {
    let crypto: Arc<dyn CryptoProvider> = Arc::new(RealCrypto);
    let ca = CertificateAuthority::new("ca", crypto.keypair_from_seed([200; 32]));
    let mut trust = TrustStore::new();
    trust.trust("ca", ca.public_key());
    let trust = Arc::new(trust);
    (0..n)
        .map(|i| {
            let keys = Credentials::issue(
                crypto.as_ref(),
                &ca,
                [1, 2, 3].map(|tag| key_seed(i, tag)),
                "member",
                &format!("node {i}"),
                Timestamp(0),
                Timestamp(u64::MAX / 2),
            );
            NodeConfig {
                address: PeerId(i as u64),
                keys: keys.into(),
                trust: trust.clone(),
                crypto: crypto.clone(),
                limits: Default::default(),
                sharing: Default::default(),
            }
        })
        .collect()
}

/// The credentials a bench node holds.
pub(crate) fn held(cfg: &NodeConfig) -> &Credentials {
    cfg.keys.held().expect("bench nodes hold their keys")
}

/// Node `i`'s address and onion key.
pub(crate) fn peer(cfgs: &[NodeConfig], i: usize) -> (PeerId, PublicKey) {
    (PeerId(i as u64), held(&cfgs[i]).peer_key.public())
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

/// What a run saw: frames sent and proofs of work solved.
#[derive(Default)]
pub(crate) struct Log {
    queue: VecDeque<Ev>,
    sent: Vec<(usize, usize, FrameKind, Vec<u8>)>,
    /// Proofs of work solved: node, ask id, nonce.
    pub(crate) solved: Vec<(usize, AskId, u64)>,
}

impl Log {
    fn drain(&mut self, node: usize, n: &mut Node) {
        while let Some(out) = n.poll_output() {
            match out {
                Output::Send { to, kind, bytes } => {
                    let (to, bytes) = (to.0 as usize, Vec::from(bytes));
                    self.sent.push((node, to, kind, bytes.clone()));
                    let (from, bytes) = (node, bytes);
                    self.queue.push_back(Ev::Frame { from, to, bytes });
                }
                Output::SolvePow { id, work, data } => {
                    let (nonce, _) = pow::solve(&data, &work, 0, u64::MAX).expect("easy target");
                    self.solved.push((node, id, nonce));
                    self.queue.push_back(Ev::Pow { node, id, nonce });
                }
                Output::Event(Event::FrameRejected { from, kind, reason }) => {
                    panic!("node {node} rejected {kind:?} from {from}: {reason:?}")
                }
                _ => {}
            }
        }
    }

    /// The first frame of `kind` sent from `from` to `to`.
    pub(crate) fn frame(&self, from: usize, to: usize, kind: FrameKind) -> Vec<u8> {
        self.sent
            .iter()
            .find(|s| s.0 == from && s.1 == to && s.2 == kind)
            .map(|s| s.3.clone())
            .unwrap_or_else(|| panic!("no {kind:?} frame from {from} to {to}"))
    }
}

/// Runs a broadcast from node 0 along the chain of `cfgs` (the last node replies) at [`NOW`]
/// until every frame is delivered, and checks the reply came back to the sender.
pub(crate) fn run(cfgs: &[NodeConfig]) -> Log {
    let last = cfgs.len() - 1;
    let mut nodes: Vec<Node> = cfgs
        .iter()
        .enumerate()
        .map(|(i, cfg)| {
            let rng = ChaCha12Rng::seed_from_u64(rng_seed(i));
            let mut n = Node::new(cfg.clone(), policy(i == last), rng);
            for j in [i.wrapping_sub(1), i + 1] {
                if j <= last {
                    let (id, key) = peer(cfgs, j);
                    n.add_peer(id, key);
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
    let back = |s: &(usize, usize, FrameKind, Vec<u8>)| s.1 == 0 && s.2 == FrameKind::Reply;
    assert!(log.sent.iter().any(back), "the reply reached the sender");
    log
}
