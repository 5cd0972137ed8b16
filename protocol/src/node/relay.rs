//! Broadcasting: the sender's start, the ask / conditions / proof-of-work exchange, the checks
//! on a received broadcast, and forwarding to the peers the fanout policy picks.

use super::table::Expires;
use super::{Event, Node, Output, TimerKind};
use crate::crypto::{CryptoError, PublicKey};
use crate::encoding::{decode, encode};
use crate::error::RejectReason;
use crate::frame::{
    AskForBroadcastFrame, BroadcastPayload, Frame, FrameKind, PowBroadcastConditionsFrame,
    PowBroadcastFrame, RequestPayload, SignedRequestPayload,
};
use crate::ids::{AskId, PayloadId, PeerId};
use crate::onion::{Onion, OnionFormat, PADDED_HEAD_LEN};
use crate::payment::RoutingPaymentInstruction;
use crate::policy::FanoutContext;
use crate::pow::{ProofOfWork, WorkRequest};
use crate::shared::SharedRequest;
use crate::time::{Duration, Timestamp};
use crate::topic::Topic;
use std::sync::Arc;

/// What a node remembers of a payload id.
#[derive(Debug, Clone)]
pub(super) struct Seen {
    /// Accepted arrivals of this payload id.
    pub(super) arrivals: u32,
    /// The smallest and largest fee this node asked for it over its arrivals (a policy may
    /// ask different fees of different originators; a reply on any of their routes is paid).
    pub(super) fees: (u64, u64),
    /// This node is the payload's sender.
    pub(super) own: bool,
    /// When the node forgets the payload id.
    pub(super) expires: Timestamp,
}

impl Expires for Seen {
    fn expires(&self) -> Timestamp {
        self.expires
    }
}

impl Expires for IssuedConditions {
    fn expires(&self) -> Timestamp {
        self.expires
    }
}

impl Expires for PendingAsk {
    fn expires(&self) -> Timestamp {
        self.expires
    }
}

/// Conditions this node sent and waits to see met.
#[derive(Debug, Clone)]
pub(super) struct IssuedConditions {
    pub(super) payload_id: PayloadId,
    pub(super) digest: [u8; 32],
    pub(super) valid_till: Timestamp,
    pub(super) work: WorkRequest,
    pub(super) fee: u64,
    /// This node's account for the topic, named in the conditions.
    pub(super) account: PublicKey,
    pub(super) tolerance: Duration,
    /// When the node forgets these conditions: `valid_till` plus a grace period, so a late
    /// broadcast gets the precise reason rather than "unknown ask".
    pub(super) expires: Timestamp,
}

/// What a forwarder carries into every hop it offers the topic to.
#[derive(Debug)]
pub(super) struct ForwardBase {
    /// Shared through the request pool, if the node has one.
    pub(super) request: Arc<SharedRequest>,
    /// The onion and routing instructions received, encoded back to back in one allocation: a
    /// node keeps its base while any ask may still be answered, at a wave's peak most nodes.
    path: Box<[u8]>,
}

impl ForwardBase {
    fn new(
        request: Arc<SharedRequest>,
        onion: &Onion,
        instructions: &[RoutingPaymentInstruction],
    ) -> Self {
        let path = encode(&(onion, instructions)).into_boxed_slice();
        Self { request, path }
    }

    /// The onion and routing instructions this base was made with.
    fn path(&self) -> (Onion, Vec<RoutingPaymentInstruction>) {
        decode(&self.path).expect("invariant: encoded by ForwardBase::new")
    }
}

/// An ask this node sent.
#[derive(Debug)]
pub(super) struct PendingAsk {
    pub(super) peer: PeerId,
    pub(super) base: Arc<ForwardBase>,
    pub(super) expires: Timestamp,
    /// Set once conditions arrived: the payload after its request
    /// ([`BroadcastPayload::encode_rest`]) and the work it needs.
    pub(super) solving: Option<Box<(Vec<u8>, WorkRequest)>>,
}

/// Why an application command was refused. Only contract violations by the driver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// `now` is earlier than an input already handled.
    #[error("time went backwards")]
    TimeWentBackwards,
    /// The topic is malformed.
    #[error("malformed topic")]
    MalformedTopic,
    /// This node's own certificate key cannot sign (foreign keypair).
    #[error("signing failed: {0}")]
    Crypto(#[from] CryptoError),
}

impl Node {
    /// Starts broadcasting `topic` as its sender: signs a fresh request, offers it to the peers
    /// the fanout policy picks, and collects replies until the policy's reply deadline.
    pub fn broadcast(&mut self, now: Timestamp, topic: Topic) -> Result<PayloadId, CommandError> {
        if !self.advance(now) {
            return Err(CommandError::TimeWentBackwards);
        }
        if !topic.is_well_formed() {
            return Err(CommandError::MalformedTopic);
        }
        let mut id = [0u8; 16];
        self.rng.fill_bytes(&mut id);
        let payload_id = PayloadId(id);
        let payload = RequestPayload {
            payload_id,
            topic,
            sender_certificate: self.credentials().certificate.clone(),
        };
        let request = SignedRequestPayload::sign(
            self.cfg.crypto.as_ref(),
            &self.credentials().identity,
            payload,
        )?;
        self.counts.sign += 1;
        self.counts.hash += 1;
        let digest = request.digest();
        self.remember_seen(payload_id, 0, true);
        let deadline = now + self.policy.params().reply_deadline;
        let decoys = self.decoys(&payload_id);
        let fee = self.policy.routing_fee(&request.payload.topic);
        let route: Vec<RoutingPaymentInstruction> = decoys
            .iter()
            .map(|k| RoutingPaymentInstruction {
                account: k.public(),
                amount: fee,
            })
            .collect();
        self.start_own(payload_id, digest, decoys, fee);
        self.set_timer(TimerKind::ReplyDeadline(payload_id), deadline);
        self.event(Event::TopicBroadcast { payload_id });
        let request = Arc::new(SharedRequest::new(request));
        let origin = self.cfg.limits.onion_format().origin(&mut *self.rng);
        let base = Arc::new(ForwardBase::new(request, &origin, &route));
        self.offer(base, 0, None);
        Ok(payload_id)
    }

    /// Asks every peer the fanout policy picks for conditions to carry `base`.
    fn offer(&mut self, base: Arc<ForwardBase>, hop: u32, from: Option<PeerId>) {
        let candidates: Vec<PeerId> = self
            .peer_list
            .iter()
            .copied()
            .filter(|p| Some(*p) != from)
            .collect();
        let ctx = FanoutContext {
            payload_id: base.request.signed.payload.payload_id,
            topic: &base.request.signed.payload.topic,
            hop,
            from,
            candidates: &candidates,
            now: self.now,
        };
        let mut chosen = self.policy.fanout(&ctx, &mut *self.rng);
        chosen.sort_unstable();
        chosen.dedup();
        for peer in chosen {
            if candidates.binary_search(&peer).is_err()
                || self.asks.len() >= self.cfg.limits.asks_max
            {
                continue;
            }
            let ask_id = AskId(self.rng.next_u64());
            let expires = self.now + self.policy.params().ask_timeout;
            let bytes = AskForBroadcastFrame::bytes(ask_id, &base.request.encoded);
            self.send_bytes(peer, FrameKind::Ask, bytes);
            self.asks.insert(
                ask_id,
                PendingAsk {
                    peer,
                    base: Arc::clone(&base),
                    expires,
                    solving: None,
                },
            );
        }
    }

    pub(super) fn on_ask(
        &mut self,
        from: PeerId,
        f: AskForBroadcastFrame,
    ) -> Result<(), RejectReason> {
        let req = &f.signed_request_payload;
        let payload_id = req.payload.payload_id;
        if self.is_exhausted(payload_id, &req.payload.topic) {
            return Err(RejectReason::DuplicatePayload);
        }
        let issued_to_peer = self.issued.starting_at(&(from, AskId(0)));
        if issued_to_peer
            .iter()
            .take_while(|((peer, _), _)| *peer == from)
            .any(|(_, c)| c.payload_id == payload_id)
        {
            return Err(RejectReason::RepeatedAsk);
        }
        self.check_quota(from)?;
        if self.issued.len() >= self.cfg.limits.conditions_max {
            return Err(RejectReason::Overloaded);
        }
        let digest = self.verify_request(req)?;
        let params = self.policy.params();
        let (ttl, tolerance) = (params.conditions_ttl, params.timestamp_tolerance);
        let fee = self.policy.routing_fee(&req.payload.topic);
        let account = self.account_public(&payload_id);
        let mut work = self.policy.work_request(&req.payload.topic, from);
        if self.cfg.limits.hardened {
            self.rng.fill_bytes(&mut work.challenge.0);
        }
        let valid_till = self.now + ttl;
        let expires = valid_till + ttl;
        let issued = IssuedConditions {
            payload_id,
            digest,
            valid_till,
            work,
            fee,
            account,
            tolerance,
            expires,
        };
        self.issued.insert((from, f.ask_id), issued);
        let frame = Frame::PowBroadcastConditions(PowBroadcastConditionsFrame {
            ask_id: f.ask_id,
            valid_till,
            work_request: work,
            timestamp_tolerance: tolerance,
            routing_payment_instruction: RoutingPaymentInstruction {
                account,
                amount: fee,
            },
        });
        self.send(from, &frame);
        Ok(())
    }

    pub(super) fn on_conditions(
        &mut self,
        from: PeerId,
        f: PowBroadcastConditionsFrame,
    ) -> Result<(), RejectReason> {
        let Some(ask) = self.asks.get(&f.ask_id) else {
            return Err(RejectReason::UnexpectedConditions);
        };
        if ask.peer != from || ask.solving.is_some() {
            return Err(RejectReason::UnexpectedConditions);
        }
        if self.now > f.valid_till {
            return Err(RejectReason::ConditionsExpired);
        }
        let fee = f.routing_payment_instruction.amount;
        let too_long = f.valid_till > self.now + self.policy.params().conditions_validity_max;
        if too_long || !self.policy.accept_conditions(&f.work_request, fee) {
            self.drop_ask(f.ask_id);
            self.event(Event::ConditionsDeclined { from });
            return Ok(());
        }
        let Some(peer_key) = self.peer_key(from) else {
            return Err(RejectReason::UnknownNextHop);
        };
        let base = Arc::clone(&ask.base);
        let (onion, mut instructions) = base.path();
        let onion = onion
            .grow(
                self.cfg.crypto.as_ref(),
                self.cfg.address,
                &peer_key,
                &mut *self.rng,
                self.cfg.limits.onion_format(),
            )
            .map_err(|_| RejectReason::BadOnion)?;
        self.counts.seal += 1;
        if let OnionFormat::Padded { .. } = self.cfg.limits.onion_format() {
            self.counts.sym_encrypt += 1;
        }
        instructions.push(f.routing_payment_instruction);
        let rest = BroadcastPayload::encode_rest(&onion, &instructions, self.now);
        let data = [&base.request.encoded[..], &rest].concat();
        let ask = self
            .asks
            .get_mut(&f.ask_id)
            .expect("invariant: looked up above");
        // Keep the ask past the middleman's deadline: clocks may differ, the middleman judges.
        ask.expires = ask
            .expires
            .max(f.valid_till + self.policy.params().ask_timeout);
        ask.solving = Some(Box::new((rest, f.work_request)));
        self.outputs.push_back(Output::SolvePow {
            id: f.ask_id,
            work: f.work_request,
            data,
        });
        Ok(())
    }

    pub(super) fn on_pow_solved(&mut self, id: AskId, nonce: u64) {
        let Some(ask) = self.asks.get(&id) else {
            return;
        };
        if ask.solving.is_none() {
            return;
        }
        let ask = self.drop_ask(id).expect("invariant: present above");
        let (rest, work) = *ask.solving.expect("invariant: checked above");
        let request = &ask.base.request;
        let payload_id = request.signed.payload.payload_id;
        let pow = ProofOfWork {
            pow_scheme: work.pow_scheme,
            pow_target: work.pow_target,
            nonce,
        };
        let bytes = PowBroadcastFrame::bytes(id, &request.encoded, &rest, &pow);
        self.send_bytes(ask.peer, FrameKind::Broadcast, bytes);
        self.event(Event::TopicForwarded {
            payload_id,
            to: ask.peer,
        });
    }

    fn drop_ask(&mut self, id: AskId) -> Option<PendingAsk> {
        self.asks.remove(&id)
    }

    pub(super) fn on_broadcast(
        &mut self,
        from: PeerId,
        f: PowBroadcastFrame,
    ) -> Result<(), RejectReason> {
        // The conditions stay until a valid broadcast meets them: junk frees no quota slot.
        let issued = self
            .issued
            .get(&(from, f.ask_id))
            .cloned()
            .ok_or(RejectReason::UnknownAsk)?;
        if self.now > issued.valid_till {
            return Err(RejectReason::ConditionsExpired);
        }
        let pow = f.proof_of_work;
        if pow.pow_scheme != issued.work.pow_scheme || pow.pow_target != issued.work.pow_target {
            return Err(RejectReason::PowMismatch);
        }
        let payload = f.broadcast_payload;
        self.counts.hash += 1;
        if payload.signed_request_payload.digest() != issued.digest {
            return Err(RejectReason::PayloadMismatch);
        }
        // Revoked or expired since the ask: the status is checked again (a lookup).
        let sender = &payload.signed_request_payload.payload.sender_certificate;
        self.cfg.trust.check_status(sender, self.now)?;
        self.check_route(&issued, &payload)?;
        self.counts.hash += 1;
        if !self
            .cfg
            .crypto
            .pow_check(&encode(&payload), &issued.work, pow.nonce)
        {
            return Err(RejectReason::PowInsufficient);
        }
        self.remove_issued(from, f.ask_id);
        let topic = &payload.signed_request_payload.payload.topic;
        if self.is_exhausted(issued.payload_id, topic) {
            return Err(RejectReason::DuplicatePayload);
        }
        let hop = payload.routing_payment_instruction_list.len() as u32;
        self.remember_seen(issued.payload_id, issued.fee, false);
        self.event(Event::TopicAccepted {
            payload_id: issued.payload_id,
            from,
            hop,
        });
        if self.policy.will_reply(topic) {
            let message = self.policy.reply_message(topic, &mut *self.rng);
            return self.reply_to(from, payload, message);
        }
        let request = match &self.cfg.sharing.requests {
            Some(pool) => pool.intern(issued.digest, payload.signed_request_payload),
            None => Arc::new(SharedRequest::new(payload.signed_request_payload)),
        };
        let base = Arc::new(ForwardBase::new(
            request,
            &payload.backward_onion,
            &payload.routing_payment_instruction_list,
        ));
        // A padded onion holds `onion_hops` layers: one more hop would push the first off.
        let format = self.cfg.limits.onion_format();
        let full = matches!(format, OnionFormat::Padded { hops } if hop as usize >= hops);
        if full {
            self.event(Event::TopicStoppedOnionFull {
                payload_id: issued.payload_id,
            });
        } else {
            self.offer(base, hop, Some(from));
        }
        Ok(())
    }

    /// Checks a broadcast's route against the conditions it meets: its length, its onion's
    /// size, this node's instruction last and nowhere earlier, and its timestamp.
    fn check_route(
        &self,
        issued: &IssuedConditions,
        payload: &BroadcastPayload,
    ) -> Result<(), RejectReason> {
        let list = &payload.routing_payment_instruction_list;
        if list.len() > self.cfg.limits.max_hops {
            return Err(RejectReason::TooManyHops);
        }
        if let OnionFormat::Padded { hops } = self.cfg.limits.onion_format() {
            if payload.backward_onion.len() != hops * PADDED_HEAD_LEN {
                return Err(RejectReason::BadOnion);
            }
        }
        let mine = RoutingPaymentInstruction {
            account: issued.account,
            amount: issued.fee,
        };
        let (last, earlier) = list
            .split_last()
            .ok_or(RejectReason::RoutingInstructionMismatch)?;
        if *last != mine {
            return Err(RejectReason::RoutingInstructionMismatch);
        }
        if earlier.iter().any(|i| i.account == mine.account) {
            return Err(RejectReason::RoutingLoop);
        }
        let ts = payload.timestamp;
        let skew = if self.cfg.limits.hardened {
            crate::policy::TIMESTAMP_SKEW_MAX
        } else {
            Duration::ZERO
        };
        if ts > self.now + skew || self.now > ts + issued.tolerance {
            return Err(RejectReason::TimestampOutOfTolerance);
        }
        Ok(())
    }

    /// True iff this node handled `id` as many times as its policy allows.
    fn is_exhausted(&self, id: PayloadId, topic: &Topic) -> bool {
        let Some(seen) = self.seen.get(&id) else {
            return false;
        };
        let limit = if self.policy.will_reply(topic) {
            self.policy.params().reply_routes_max
        } else {
            self.policy.multibroadcast()
        };
        seen.own || seen.arrivals >= limit
    }

    fn remember_seen(&mut self, id: PayloadId, fee: u64, own: bool) {
        let hardened = self.cfg.limits.hardened;
        if let Some(seen) = self.seen.get_mut(&id) {
            seen.arrivals += 1;
            if hardened {
                // Unhardened, only the first arrival's fee is invoiced (the paper's node).
                seen.fees = (seen.fees.0.min(fee), seen.fees.1.max(fee));
            }
            return;
        }
        if self.seen.len() >= self.cfg.limits.seen_max {
            if let Some(&old) = self.seen.oldest() {
                self.seen.remove(&old);
            }
        }
        let arrivals = u32::from(!own);
        let expires = self.now + self.cfg.limits.seen_ttl;
        let seen = Seen {
            arrivals,
            fees: (fee, fee),
            own,
            expires,
        };
        self.seen.insert(id, seen);
    }

    /// The fees this node asked for `id` (smallest to largest), if it still remembers it.
    pub(super) fn fees_for(&self, id: &PayloadId) -> Option<std::ops::RangeInclusive<u64>> {
        self.seen.get(id).map(|s| s.fees.0..=s.fees.1)
    }
}
