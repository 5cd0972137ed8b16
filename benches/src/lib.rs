//! Shared fixtures for the protocol benchmarks.
//!
//! [`Recording`] runs one broadcast and its reply with real cryptography along a chain
//! `sender → upstream middlemen → M → replier`, where `M` is the middleman under test, over the
//! protocol's in-memory driver ([`sweet_gossip::testing::Net`], zero latency, so every event
//! happens at [`NOW`] in FIFO order), and keeps every frame `M` received. The benches replay
//! those frames into fresh copies of `M` (same configuration, same RNG seed, same `now`), so a
//! timed replay does exactly one middleman's work for one hop and produces byte-identical
//! output to the recording.

use rand_chacha::ChaCha12Rng;
use rand_core::SeedableRng;
use sweet_gossip::testing::{Net, TestPolicy};
use sweet_gossip::{
    decode, topic_account, AskId, Credentials, CryptoCounts, Duration, Frame, FrameKind, Keypair,
    Node, NodeConfig, Onion, OnionFormat, Output, PeerId, Policy, PolicyParams, PowTarget,
    PublicKey, RealCrypto, SignedRequestPayload, Timestamp, WorkRequest, PADDED_HEAD_LEN,
    SEAL_OVERHEAD,
};

/// Virtual time of every input, in the recording and in the replays.
pub const NOW: Timestamp = Timestamp(1_000_000_000);

/// Upstream middlemen in the default chain: `M` relays at hop 4, a typical onion depth.
pub const DEFAULT_UPSTREAM: usize = 3;

/// The seed the recording's node RNGs derive from ([`Net::rng_seed`]).
const SEED: u64 = 0x5eed;

/// Tag the protocol prefixes to the encoded request payload before signing it.
const REQUEST_TAG: &[u8] = b"sweet-gossip/request/v1";

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
    /// PowBroadcastConditionsFrame `M` sent to `prev`: its challenge binds `prev`'s work.
    issued: Vec<u8>,
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
        let (m, r) = (upstream + 1, upstream + 2);
        let policies = (0..=r).map(|i| policy(i == r)).collect();
        let mut net = Net::builder(policies)
            .line()
            .seed(SEED)
            .start(NOW)
            .latency(Duration::ZERO)
            .pow_time(Duration::ZERO)
            .build();
        net.broadcast(0);
        net.drive();
        assert_eq!(net.rejections(), [], "the recording is clean");
        assert_eq!(net.delivered.len(), 1, "the reply reached the sender");
        let forwarded = net.frame(m, r, FrameKind::Broadcast);
        let solved = match decode(&forwarded).expect("recorded frame") {
            Frame::PowBroadcast(f) => (f.ask_id, f.proof_of_work.nonce),
            _ => unreachable!("recorded as a broadcast"),
        };
        let peer = |i: usize| (PeerId(i as u64), held(&net.configs[i]).peer_key.public());
        let rec = Recording {
            cfg: net.configs[m].clone(),
            rng_seed: Net::rng_seed(SEED, m),
            prev: peer(m - 1),
            next: peer(r),
            ask: net.frame(m - 1, m, FrameKind::Ask),
            broadcast: net.frame(m - 1, m, FrameKind::Broadcast),
            conditions: net.frame(r, m, FrameKind::Conditions),
            issued: net.frame(m, m - 1, FrameKind::Conditions),
            solved,
            reply: net.frame(r, m, FrameKind::Reply),
            forwarded,
            replied: net.frame(m, m - 1, FrameKind::Reply),
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

    /// `M`'s keys.
    pub fn credentials(&self) -> &Credentials {
        held(&self.cfg)
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
                let challenge = match decode(&self.issued).expect("recorded frame") {
                    Frame::PowBroadcastConditions(c) => c.work_request.challenge,
                    _ => unreachable!("recorded as conditions"),
                };
                let work = WorkRequest {
                    pow_scheme: p.pow_scheme,
                    pow_target: p.pow_target,
                    challenge,
                };
                (sweet_gossip::encode(&f.broadcast_payload), work, p.nonce)
            }
            _ => unreachable!("recorded as a broadcast"),
        }
    }

    /// Plaintext length of the onion layer `M` seals to `next` when relaying: the whole inner
    /// onion when onions grow, only the head when they are padded (the body is streamed).
    pub fn grown_layer_len(&self) -> usize {
        match decode(&self.forwarded).expect("recorded frame") {
            Frame::PowBroadcast(f) => match self.cfg.limits.onion_format() {
                OnionFormat::Growing => f.broadcast_payload.backward_onion.len() - SEAL_OVERHEAD,
                OnionFormat::Padded { .. } => PADDED_HEAD_LEN - SEAL_OVERHEAD,
            },
            _ => unreachable!("recorded as a broadcast"),
        }
    }

    /// The onion `M` peels on the reply, `M`'s sealed preimage in the reply and the account
    /// key (per topic) that opens it.
    pub fn reply_sealed(&self) -> (Onion, Vec<u8>, Keypair) {
        match decode(&self.reply).expect("recorded frame") {
            Frame::Reply(f) => {
                let payload = f.signed_reply_payload.payload;
                let id = payload.signed_request_payload.payload.payload_id;
                let account = topic_account(&RealCrypto, held(&self.cfg).account.seed(), &id);
                let me = account.public();
                let list = payload.payment_crypto_instruction_list;
                let mine = list.into_iter().find(|i| i.account == me).expect("M's");
                (f.forward_onion, mine.sealed_preimage, account)
            }
            _ => unreachable!("recorded as a reply"),
        }
    }

    /// The onion format of the recorded network.
    pub fn onion_format(&self) -> OnionFormat {
        self.cfg.limits.onion_format()
    }

    /// Replays into a fresh `M` and checks it does the recorded work with the recorded result.
    fn check_replay(&self) {
        let mut n = self.middleman();
        let mut sent = Vec::new();
        let mut sink = |o: Output| {
            if let Output::Send { to, bytes, .. } = o {
                sent.push((to, Vec::from(bytes)));
            }
        };
        self.relay_hop(&mut n, &mut sink);
        let relay = n.crypto_counts();
        // A padded onion costs a stream pass per layer grown or peeled; a hardened node names
        // a per-topic account, derived on the ask and again to open its preimage.
        let padded = u64::from(matches!(self.onion_format(), OnionFormat::Padded { .. }));
        let per_topic = u64::from(self.cfg.limits.hardened);
        let expected = CryptoCounts {
            verify: 2,
            seal: 1,
            sym_encrypt: padded,
            hash: 3,
            derive: per_topic,
            ..Default::default()
        };
        assert_eq!(relay, expected, "relay hop crypto");
        self.reply_hop(&mut n, &mut sink);
        let reply = n.crypto_counts().since(&relay);
        // Middlemen verify the replier's certificate and signature (`relay_verifies_replies`),
        // and digest the reply once more so a replayed copy costs a lookup (issue 22 item 5).
        let expected = CryptoCounts {
            verify: 2,
            open: 2,
            sym_decrypt: padded,
            hash: 2,
            derive: per_topic,
            ..Default::default()
        };
        assert_eq!(reply, expected, "reply hop crypto");
        assert!(sent.contains(&(self.next.0, self.forwarded.clone())));
        assert!(sent.contains(&(self.prev.0, self.replied.clone())));
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
fn policy(replier: bool) -> Box<dyn Policy> {
    let reply = replier.then(|| b"Taxi 42, 4 min away, AUD 23".to_vec());
    Box::new(TestPolicy {
        params: params(),
        reply,
    })
}

/// The credentials a bench node holds.
fn held(cfg: &NodeConfig) -> &Credentials {
    cfg.keys.held().expect("bench nodes hold their keys")
}

fn drain(node: &mut Node, sink: &mut impl FnMut(Output)) {
    while let Some(o) = node.poll_output() {
        sink(o);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sweet_gossip::{pow, CryptoProvider, RealCrypto};

    #[test]
    fn recording_replays() {
        // `new` checks the replay; padded onions cost the same at every depth.
        let short = Recording::new(1);
        let long = Recording::new(DEFAULT_UPSTREAM);
        assert_eq!(long.grown_layer_len(), short.grown_layer_len());
        let (onion, sealed, account) = long.reply_sealed();
        let cfg = long.credentials();
        assert!(onion
            .peel(&RealCrypto, &cfg.peer_key, long.onion_format())
            .is_ok());
        assert_eq!(RealCrypto.open(&account, &sealed).map(|p| p.len()), Ok(32));
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
