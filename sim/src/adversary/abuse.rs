//! The abuses of issue 11: attacks on the protocol's own bookkeeping, each mitigated by a
//! defence of the hardened node (`docs/protocol.md`, "Hardening"); `protocol.hardening =
//! false` shows the damage without it. From the strike (`attack.start_s`) on:
//!
//! - **reply_replay** (hole 2): a corrupted middleman sends every reply it carries back
//!   `replay_copies` more times, byte for byte, right after the original, and never settles
//!   its own invoices (as `withhold_invoice`), so the sender's recovery (paper 3.9) retries
//!   its copies. Hardened nodes refuse the copies as `duplicate_reply` before any cryptography.
//! - **ask_flood** (hole 5): each flooder ticks `flood_rate_per_s` times per second (random
//!   phase); on each tick it signs one request for a fresh payload id (a random topic, its own
//!   trusted certificate) and asks every honest peer to carry it. It never pays proof of work:
//!   the conditions its peers answer with are dropped. Each ask costs the peer two signature
//!   verifications and, unhardened, one slot of its shared conditions table
//!   (`conditions_max`) for twice `conditions_ttl_s`, until honest originators are refused as
//!   `overloaded`. Hardened peers stop it at `conditions_per_peer_max` (`quota_exceeded`).
//! - **pow_reuse** (hole 4): a corrupted originator (a chatterbox: it originates topics at
//!   `chatterbox_rate_per_s` and pays the proof of work its peers ask) follows every
//!   proof-of-work broadcast its node sends with a fresh ask for the same request to the same
//!   middleman; when the conditions come back it resends the same broadcast (same payload,
//!   timestamp and nonce) under the new ask id, without new work, up to `replay_copies` times.
//!   A middleman whose conditions are identical accepts it again, up to `multibroadcast` times
//!   (or `reply_routes_max` replies from a gig worker); the per-ask challenge of the hardened
//!   node makes the old proof of work fail (`pow_insufficient`).

use super::Action;
use crate::rng::unit;
use crate::scenario::BBox;
use rand::RngCore;
use rand_chacha::ChaCha12Rng;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use sweet_gossip::{
    AskForBroadcastFrame, AskId, Credentials, CryptoProvider, Duration, Frame, FrameKind,
    PayloadId, PowBroadcastFrame, RequestPayload, SignedRequestPayload, Timestamp,
};

/// Adversary asks remembered (FIFO) until their conditions come back.
const ASKS_MAX: usize = 1 << 16;

/// A broadcast to replay to `to` once conditions for the remembered ask arrive.
#[derive(Debug, Clone)]
struct Replay {
    to: u32,
    frame: Box<PowBroadcastFrame>,
    left: u32,
}

/// Counters of the abuses.
#[derive(Debug, Default, Clone)]
pub(super) struct AbuseCounters {
    /// Copies of replies sent by replaying middlemen.
    pub(super) replies_replayed: u64,
    /// Asks sent by flooders.
    pub(super) flood_asks: u64,
    /// Broadcasts resent under a fresh ask without new proof of work.
    pub(super) pow_replays: u64,
}

/// The state of every abusing node of a run.
#[derive(Default)]
pub(super) struct Abuse {
    /// Per flooder: its credentials (signs the flood's requests).
    flooders: BTreeMap<u32, Credentials>,
    crypto: Option<Arc<dyn CryptoProvider>>,
    flood_period: Option<Duration>,
    /// Asks of the adversary whose conditions it consumes: flood asks (no replay) and
    /// pow_reuse asks (with the broadcast to replay).
    asks: BTreeMap<(u32, AskId), Option<Replay>>,
    asks_order: VecDeque<(u32, AskId)>,
    /// Replies already replayed, by middleman and replier signature (FIFO).
    replayed: BTreeSet<(u32, [u8; 64])>,
    replayed_order: VecDeque<(u32, [u8; 64])>,
    pub(super) counters: AbuseCounters,
}

impl std::fmt::Debug for Abuse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Abuse")
            .field("flooders", &self.flooders.keys().collect::<Vec<_>>())
            .field("asks", &self.asks.len())
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

impl Abuse {
    /// Flooders tick `rate_per_s` times per second (never, if not positive and finite).
    pub(super) fn new(rate_per_s: f64) -> Self {
        let flood_period = (rate_per_s.is_finite() && rate_per_s > 0.0)
            .then(|| Duration::from_secs_f64(1.0 / rate_per_s))
            .filter(|d| d.as_micros() > 0);
        Self {
            flood_period,
            ..Self::default()
        }
    }

    /// Gives flooder `node` its credentials; `crypto` signs with them.
    pub(super) fn arm(&mut self, node: u32, creds: Credentials, crypto: Arc<dyn CryptoProvider>) {
        self.flooders.insert(node, creds);
        self.crypto = Some(crypto);
    }

    /// The first tick of one flooder: uniform in the first period after `start`.
    pub(super) fn first_flood(&self, start: Timestamp, rng: &mut ChaCha12Rng) -> Option<Timestamp> {
        let p = self.flood_period?;
        let phase = (p.as_micros() as f64 * unit(rng)) as u64;
        Some(Timestamp(start.0.saturating_add(phase)))
    }

    /// One tick of flooder `node`: the next tick, and one ask for a fresh payload id to each
    /// of `victims`.
    pub(super) fn flood(
        &mut self,
        now: Timestamp,
        node: u32,
        victims: &[u32],
        area: (BBox, u8),
        rng: &mut ChaCha12Rng,
    ) -> Vec<Action> {
        let mut out = Vec::with_capacity(victims.len() + 1);
        if let Some(p) = self.flood_period {
            out.push(Action::Wake {
                at: now + p,
                node,
                wake: super::Wake::Flood,
            });
        }
        let (Some(creds), Some(crypto)) = (self.flooders.get(&node), self.crypto.as_ref()) else {
            return out;
        };
        let mut id = [0u8; 16];
        rng.fill_bytes(&mut id);
        let payload = RequestPayload {
            payload_id: PayloadId(id),
            topic: super::chatterbox::topic(now, area.0, area.1, rng),
            sender_certificate: creds.certificate.clone(),
        };
        let Ok(request) = SignedRequestPayload::sign(crypto.as_ref(), &creds.identity, payload)
        else {
            return out;
        };
        for &to in victims {
            let ask_id = AskId(rng.next_u64());
            self.remember(node, ask_id, None);
            out.push(ask(node, to, ask_id, request.clone()));
        }
        self.counters.flood_asks += victims.len() as u64;
        out
    }

    /// Copies of a reply `from` sends to `to`: `copies` sends of the same bytes, the first
    /// time `from` carries this reply (known by the replier's signature). Copies it receives
    /// back (unhardened nodes carry them all) are passed on once each but not multiplied again,
    /// so the load grows linearly, not geometrically, with the replaying middlemen on a path.
    pub(super) fn replay_reply(
        &mut self,
        from: u32,
        to: u32,
        bytes: &[u8],
        copies: u32,
    ) -> Vec<Action> {
        let Ok(Frame::Reply(f)) = Frame::decode(bytes) else {
            return Vec::new();
        };
        let key = (from, f.signed_reply_payload.signature.0);
        if !self.replayed.insert(key) {
            return Vec::new();
        }
        self.replayed_order.push_back(key);
        while self.replayed_order.len() > ASKS_MAX {
            if let Some(old) = self.replayed_order.pop_front() {
                self.replayed.remove(&old);
            }
        }
        self.counters.replies_replayed += u64::from(copies);
        (0..copies)
            .map(|_| send(from, to, FrameKind::Reply, bytes.to_vec()))
            .collect()
    }

    /// pow_reuse: `from` just sent a proof-of-work broadcast to `to`; returns a fresh ask for
    /// the same request, remembering the broadcast to replay `copies` times.
    pub(super) fn after_broadcast(
        &mut self,
        from: u32,
        to: u32,
        bytes: &[u8],
        copies: u32,
        rng: &mut ChaCha12Rng,
    ) -> Vec<Action> {
        let Ok(Frame::PowBroadcast(frame)) = Frame::decode(bytes) else {
            return Vec::new();
        };
        let replay = Replay {
            to,
            frame: Box::new(frame),
            left: copies,
        };
        self.ask_again(from, replay, rng).into_iter().collect()
    }

    fn ask_again(&mut self, from: u32, replay: Replay, rng: &mut ChaCha12Rng) -> Option<Action> {
        if replay.left == 0 {
            return None;
        }
        let ask_id = AskId(rng.next_u64());
        let request = replay
            .frame
            .broadcast_payload
            .signed_request_payload
            .clone();
        let to = replay.to;
        self.remember(from, ask_id, Some(replay));
        Some(ask(from, to, ask_id, request))
    }

    /// Conditions from `from` reached adversarial node `to`. `None` if they answer no ask of
    /// the adversary (the node handles them); else the actions that consume them: nothing for
    /// a flood ask, the replayed broadcast (and the next ask) for a pow_reuse ask.
    pub(super) fn receive(
        &mut self,
        to: u32,
        from: u32,
        bytes: &[u8],
        rng: &mut ChaCha12Rng,
    ) -> Option<Vec<Action>> {
        let Ok(Frame::PowBroadcastConditions(c)) = Frame::decode(bytes) else {
            return None;
        };
        let entry = self.asks.remove(&(to, c.ask_id))?;
        let Some(mut replay) = entry else {
            return Some(Vec::new()); // a flood ask: never paid
        };
        if replay.to != from {
            return Some(Vec::new());
        }
        let mut frame = replay.frame.clone();
        frame.ask_id = c.ask_id;
        let mut out = vec![send(
            to,
            from,
            FrameKind::Broadcast,
            Frame::PowBroadcast(*frame).encode(),
        )];
        self.counters.pow_replays += 1;
        replay.left -= 1;
        out.extend(self.ask_again(to, replay, rng));
        Some(out)
    }

    fn remember(&mut self, node: u32, ask: AskId, replay: Option<Replay>) {
        if self.asks.insert((node, ask), replay).is_none() {
            self.asks_order.push_back((node, ask));
        }
        while self.asks_order.len() > ASKS_MAX {
            if let Some(old) = self.asks_order.pop_front() {
                self.asks.remove(&old);
            }
        }
    }

    /// The flooders, ascending.
    pub(super) fn flooders(&self) -> BTreeSet<u32> {
        self.flooders.keys().copied().collect()
    }
}

fn ask(from: u32, to: u32, ask_id: AskId, request: SignedRequestPayload) -> Action {
    let frame = Frame::AskForBroadcast(AskForBroadcastFrame {
        ask_id,
        signed_request_payload: request,
    });
    send(from, to, FrameKind::Ask, frame.encode())
}

fn send(from: u32, to: u32, kind: FrameKind, bytes: Vec<u8>) -> Action {
    Action::Send {
        from,
        to,
        kind,
        bytes,
        pow_attempts: 0,
    }
}
