//! The chatterbox: a node that floods the network with topics of its own (paper 4.2.2).
//!
//! From the strike (`attack.start_s`) on, each chatterbox ticks `chatterbox_rate_per_s` times
//! per virtual second, with a random phase. On each tick it tries to originate a fresh topic
//! (uniform pickup and dropoff in `workload.bbox`, like a customer's) through its own protocol
//! node's normal broadcast: it asks its fanout peers, and pays the proof of work each peer's
//! conditions demand on its own device. A try is skipped while the device is still busy with
//! earlier proofs of work (or the node is offline): a rational attacker does not queue work it
//! cannot finish, so proof of work throttles how many topics it actually starts
//! (`chatterbox_topics_tried` vs `chatterbox_topics_broadcast`).
//!
//! With `chatterbox_replay = true` each tick also replays: each chatterbox keeps the last
//! [`RECORDS_MAX`] topics it was offered (the signed request of every ask it received, and the
//! last proof-of-work broadcast frame for it), takes the next recorded topic in round-robin
//! order and sends to every current peer:
//!
//! 1. the recorded `POWBroadcastFrame`, byte for byte (a replay: the receiver never issued
//!    conditions for that ask id to the chatterbox, so it is dropped as `unknown_ask`), and
//! 2. a fresh `AskForBroadcastFrame` for the topic (a repeated ask: dropped as
//!    `duplicate_payload` once the receiver has used up its multibroadcast count, or as
//!    `repeated_ask` while conditions are outstanding).
//!
//! When an honest peer answers one of these asks with conditions, the chatterbox completes the
//! exchange the expensive way: it builds a broadcast payload with the recorded onion and
//! routing list plus the peer's instruction, stamped with the current time, solves the proof
//! of work (counted as attacker work) and sends it. The receiver accepts it only while it has
//! not used up its multibroadcast count. The chatterbox's protocol node otherwise behaves
//! honestly (it forwards what it accepts), and never sees the conditions of the adversary's
//! asks.

use super::Action;
use super::Wake;
use crate::model::PowSolver;
use crate::rng::unit;
use crate::scenario::BBox;
use rand::RngCore;
use rand_chacha::ChaCha12Rng;
use std::collections::{BTreeMap, VecDeque};
use sweet_gossip::{
    encode, AskForBroadcastFrame, AskId, BroadcastPayload, Duration, Frame, FrameKind, Geohash,
    OnionFormat, PayloadId, PeerId, PowBroadcastConditionsFrame, PowBroadcastFrame, ProofOfWork,
    SignedRequestPayload, TaxiTopic, Timestamp, Topic,
};

/// A chatterbox's own topic at `now`: pickup and dropoff uniform in `bbox` at `precision`, the
/// same shape as a customer's (so gig workers may reply to it).
pub(super) fn topic(now: Timestamp, bbox: BBox, precision: u8, rng: &mut ChaCha12Rng) -> Topic {
    let mut point = || {
        let lat = bbox.lat_min + (bbox.lat_max - bbox.lat_min) * unit(rng);
        let lon = bbox.lon_min + (bbox.lon_max - bbox.lon_min) * unit(rng);
        Geohash::encode(lat, lon, usize::from(precision))
    };
    Topic::Taxi(TaxiTopic {
        pickup_geohash: point(),
        dropoff_geohash: point(),
        pickup_after: now,
        dropoff_before: now + Duration::from_secs(3_600),
    })
}

/// Topics each chatterbox remembers for replay.
pub(super) const RECORDS_MAX: usize = 16;
/// Outstanding adversary asks remembered over all chatterboxes.
const ASKS_MAX: usize = 1 << 16;
/// Conditions asking more expected hashes than this are ignored (the attacker declines).
const POW_EXPECTED_MAX: f64 = 1e7;
/// Attempts before the attacker gives up one proof of work.
const POW_ATTEMPTS_MAX: u64 = 1 << 32;
/// Longest routing list the chatterbox extends.
const HOPS_MAX: usize = 64;

#[derive(Debug, Clone)]
struct Record {
    request: SignedRequestPayload,
    broadcast: Option<PowBroadcastFrame>,
}

#[derive(Debug, Default)]
struct Buffer {
    records: VecDeque<Record>,
    cursor: usize,
}

/// The state of every chatterbox of a run.
#[derive(Debug)]
pub(super) struct Chatter {
    period: Option<Duration>,
    buffers: BTreeMap<u32, Buffer>,
    asks: BTreeMap<(u32, AskId), (u32, PayloadId)>,
    asks_order: VecDeque<(u32, AskId)>,
    pow: PowSolver,
    pow_rng: ChaCha12Rng,
    /// The network's onion format: a chatterbox starting a route builds an onion honest
    /// middlemen accept.
    onion: OnionFormat,
}

impl Chatter {
    /// Chatterboxes ticking `rate_per_s` times per second (never, if not positive and finite).
    pub(super) fn new(
        rate_per_s: f64,
        pow: PowSolver,
        pow_rng: ChaCha12Rng,
        onion: OnionFormat,
    ) -> Self {
        let period = (rate_per_s.is_finite() && rate_per_s > 0.0)
            .then(|| Duration::from_secs_f64(1.0 / rate_per_s))
            .filter(|d| d.as_micros() > 0);
        Self {
            period,
            buffers: BTreeMap::new(),
            asks: BTreeMap::new(),
            asks_order: VecDeque::new(),
            pow,
            pow_rng,
            onion,
        }
    }

    /// The first tick of one chatterbox: uniform in the first period after `start`.
    pub(super) fn first_tick(&self, start: Timestamp, rng: &mut ChaCha12Rng) -> Option<Timestamp> {
        let p = self.period?;
        let phase = (p.as_micros() as f64 * unit(rng)) as u64;
        Some(Timestamp(start.0.saturating_add(phase)))
    }

    /// One tick of chatterbox `node`: schedules the next tick and, when `replay`, replays the
    /// next recorded topic to `peers`.
    pub(super) fn tick(
        &mut self,
        now: Timestamp,
        node: u32,
        peers: &[PeerId],
        replay: bool,
        rng: &mut ChaCha12Rng,
    ) -> Vec<Action> {
        let mut out = Vec::new();
        if let Some(p) = self.period {
            out.push(Action::Wake {
                at: now + p,
                node,
                wake: Wake::Chatter,
            });
        }
        let Some(buf) = self.buffers.get_mut(&node).filter(|_| replay) else {
            return out;
        };
        if buf.records.is_empty() {
            return out;
        }
        let i = buf.cursor % buf.records.len();
        buf.cursor = buf.cursor.wrapping_add(1);
        let rec = buf.records[i].clone();
        let replay = rec.broadcast.map(|b| Frame::PowBroadcast(b).encode());
        for peer in peers {
            let to = peer.0 as u32;
            if let Some(bytes) = &replay {
                out.push(send(node, to, FrameKind::Broadcast, bytes.clone(), 0));
            }
            let ask_id = AskId(rng.next_u64());
            let ask = Frame::AskForBroadcast(AskForBroadcastFrame {
                ask_id,
                signed_request_payload: rec.request.clone(),
            });
            self.remember_ask(node, ask_id, to, rec.request.payload.payload_id);
            out.push(send(node, to, FrameKind::Ask, ask.encode(), 0));
        }
        out
    }

    /// A frame reached chatterbox `to` from `from`. Records offered topics (returns `None`: the
    /// protocol node handles the frame too); consumes conditions answering the adversary's own
    /// asks and returns the proof-of-work broadcast that completes them.
    pub(super) fn receive(
        &mut self,
        now: Timestamp,
        to: u32,
        from: u32,
        bytes: &[u8],
    ) -> Option<Vec<Action>> {
        match Frame::decode(bytes).ok()? {
            Frame::AskForBroadcast(f) => {
                self.record(to, f.signed_request_payload, None);
                None
            }
            Frame::PowBroadcast(f) => {
                let request = f.broadcast_payload.signed_request_payload.clone();
                self.record(to, request, Some(f));
                None
            }
            Frame::PowBroadcastConditions(c) => {
                let (peer, payload_id) = *self.asks.get(&(to, c.ask_id))?;
                if peer != from {
                    return None;
                }
                self.asks.remove(&(to, c.ask_id));
                Some(
                    self.complete(now, to, from, payload_id, c)
                        .into_iter()
                        .collect(),
                )
            }
            Frame::Reply(_) => None,
        }
    }

    fn complete(
        &mut self,
        now: Timestamp,
        me: u32,
        peer: u32,
        payload_id: PayloadId,
        c: PowBroadcastConditionsFrame,
    ) -> Option<Action> {
        if c.work_request.pow_target.expected_hashes() > POW_EXPECTED_MAX || now > c.valid_till {
            return None;
        }
        let rec = self
            .buffers
            .get(&me)?
            .records
            .iter()
            .find(|r| r.request.payload.payload_id == payload_id)?;
        let (onion, mut list) = match &rec.broadcast {
            Some(b) => (
                b.broadcast_payload.backward_onion.clone(),
                b.broadcast_payload.routing_payment_instruction_list.clone(),
            ),
            None => (self.onion.origin(&mut self.pow_rng), Vec::new()),
        };
        if list.len() >= HOPS_MAX {
            return None;
        }
        list.push(c.routing_payment_instruction);
        let payload = BroadcastPayload {
            signed_request_payload: rec.request.clone(),
            backward_onion: onion,
            routing_payment_instruction_list: list,
            timestamp: now,
        };
        let work = c.work_request;
        let (nonce, attempts) = self.pow.solve(&encode(&payload), &work, &mut self.pow_rng);
        if attempts > POW_ATTEMPTS_MAX {
            return None;
        }
        let frame = Frame::PowBroadcast(PowBroadcastFrame {
            ask_id: c.ask_id,
            broadcast_payload: payload,
            proof_of_work: ProofOfWork {
                pow_scheme: work.pow_scheme,
                pow_target: work.pow_target,
                nonce,
            },
        });
        Some(send(
            me,
            peer,
            FrameKind::Broadcast,
            frame.encode(),
            attempts,
        ))
    }

    fn record(&mut self, node: u32, request: SignedRequestPayload, b: Option<PowBroadcastFrame>) {
        let buf = self.buffers.entry(node).or_default();
        let id = request.payload.payload_id;
        if let Some(r) = buf
            .records
            .iter_mut()
            .find(|r| r.request.payload.payload_id == id)
        {
            if b.is_some() {
                r.broadcast = b;
            }
            return;
        }
        if buf.records.len() >= RECORDS_MAX {
            buf.records.pop_front();
        }
        buf.records.push_back(Record {
            request,
            broadcast: b,
        });
    }

    fn remember_ask(&mut self, node: u32, ask: AskId, peer: u32, payload_id: PayloadId) {
        if self.asks.insert((node, ask), (peer, payload_id)).is_none() {
            self.asks_order.push_back((node, ask));
        }
        while self.asks_order.len() > ASKS_MAX {
            if let Some(old) = self.asks_order.pop_front() {
                self.asks.remove(&old);
            }
        }
    }
}

fn send(from: u32, to: u32, kind: FrameKind, bytes: Vec<u8>, pow_attempts: u64) -> Action {
    Action::Send {
        from,
        to,
        kind,
        bytes,
        pow_attempts,
    }
}
