//! Defences against peers that spend a node's resources: a per-peer quota of outstanding
//! conditions, and a leaky bucket of failed cryptographic checks per peer.

use super::table::Table;
use super::Node;
use crate::error::RejectReason;
use crate::ids::PeerId;
use crate::time::Timestamp;

/// One failure, in the bucket's fixed-point unit (a millionth of a failure per microsecond of
/// leak at one failure per second).
const UNIT: u64 = 1_000_000;

/// A peer's bucket of failed checks: `level` in millionths of a failure, leaking
/// `crypto_failures_per_s` failures per second since `at`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    level: u64,
    at: Timestamp,
}

impl Bucket {
    fn level_at(&self, now: Timestamp, per_s: u32) -> u64 {
        let leaked = now
            .saturating_since(self.at)
            .0
            .saturating_mul(u64::from(per_s));
        self.level.saturating_sub(leaked)
    }
}

/// Peers with recent failed cryptographic checks. Honest peers never appear in it.
#[derive(Debug, Default)]
pub(super) struct Throttle {
    buckets: Table<PeerId, Bucket>,
}

/// True iff the bucket cannot take one more failure.
fn full(level: u64, burst: u32) -> bool {
    level.saturating_add(UNIT) > u64::from(burst).saturating_mul(UNIT)
}

impl Node {
    /// Refuses a frame from `from` before any cryptography while the peer is throttled.
    pub(super) fn check_throttle(&self, from: PeerId) -> Result<(), RejectReason> {
        if !self.cfg.limits.hardened {
            return Ok(());
        }
        let Some(bucket) = self
            .rare
            .as_ref()
            .and_then(|r| r.throttle.buckets.get(&from))
        else {
            return Ok(());
        };
        let level = bucket.level_at(self.now, self.cfg.limits.crypto_failures_per_s);
        if full(level, self.cfg.limits.crypto_failures_burst) {
            Err(RejectReason::Throttled)
        } else {
            Ok(())
        }
    }

    /// Charges `from` one failure if `reason` is a failed cryptographic check (one that cost
    /// this node a verification, an open or a decryption).
    pub(super) fn charge_failure(&mut self, from: PeerId, reason: &RejectReason) {
        if !self.cfg.limits.hardened || !costs_crypto(reason) {
            return;
        }
        let (now, per_s) = (self.now, self.cfg.limits.crypto_failures_per_s);
        let throttle = &mut self.rare.get_or_insert_with(Box::default).throttle;
        let level = throttle
            .buckets
            .get(&from)
            .map_or(0, |b| b.level_at(now, per_s));
        // Forget peers whose bucket drained, so the table holds only recent offenders.
        throttle.buckets.retain(|_, b| b.level_at(now, per_s) > 0);
        let bucket = Bucket {
            level: level.saturating_add(UNIT),
            at: now,
        };
        throttle.buckets.insert(from, bucket);
    }

    /// Refuses an ask from a peer that already holds its quota of outstanding conditions.
    pub(super) fn check_quota(&self, from: PeerId) -> Result<(), RejectReason> {
        if !self.cfg.limits.hardened {
            return Ok(());
        }
        let held = self
            .issued
            .starting_at(&(from, crate::ids::AskId(0)))
            .iter()
            .take_while(|((peer, _), _)| *peer == from)
            .count();
        if held >= self.cfg.limits.conditions_per_peer_max {
            Err(RejectReason::QuotaExceeded)
        } else {
            Ok(())
        }
    }
}

/// A time a [`super::table::TimedTable`] entry is forgotten at.
#[derive(Debug, Clone, Copy)]
pub(super) struct Until(pub(super) Timestamp);

impl super::table::Expires for Until {
    fn expires(&self) -> Timestamp {
        self.0
    }
}

impl Node {
    /// For a reply when hardened: `Some(None)` if its bytes were rejected before, else
    /// `Some(Some(digest))` to remember it by if it is rejected now. `None` otherwise.
    pub(super) fn rejected_before(
        &mut self,
        frame: &crate::frame::Frame,
        bytes: &[u8],
    ) -> Option<Option<[u8; 32]>> {
        if !self.cfg.limits.hardened || !matches!(frame, crate::frame::Frame::Reply(_)) {
            return None;
        }
        self.counts.hash += 1;
        let digest = crate::crypto::sha256(&[bytes]);
        let known = self
            .rare
            .as_ref()
            .is_some_and(|r| r.rejected.get(&digest).is_some());
        Some((!known).then_some(digest))
    }

    /// Remembers a reply rejected for a reason its bytes alone cause, so a replay of it costs
    /// a hash and a lookup. The oldest entry is forgotten beyond `rejected_max`.
    pub(super) fn remember_rejected(&mut self, digest: [u8; 32], reason: &RejectReason) {
        if !permanent(reason) {
            return;
        }
        let (max, until) = (
            self.cfg.limits.rejected_max,
            Until(self.now + self.cfg.limits.seen_ttl),
        );
        let table = &mut self.rare.get_or_insert_with(Box::default).rejected;
        if table.len() >= max {
            if let Some(&old) = table.oldest() {
                table.remove(&old);
            }
        }
        table.insert(digest, until);
    }
}

impl Node {
    /// The replier of `f` if this node checks its signature before anything only the
    /// replier could get wrong: always for its own topics, else with relay verification.
    pub(super) fn reply_signer(
        &self,
        f: &crate::frame::ReplyFrame,
    ) -> Option<crate::crypto::PublicKey> {
        let payload = &f
            .signed_reply_payload
            .payload
            .signed_request_payload
            .payload;
        let own = self.seen.get(&payload.payload_id).is_some_and(|s| s.own);
        (own || self.cfg.limits.relay_verifies_replies).then_some(f.replier_certificate.public_key)
    }

    /// Charges a failure to whoever could have prevented it. A sealed preimage that does not
    /// match its hash in a reply whose signature verified is the replier's alone: the replier
    /// is banned and the peer that carried it is not charged. A bad onion layer in a reply
    /// could come from any earlier hop, undetectable by the peer: nobody is charged (replays
    /// cost a lookup, see [`Node::remember_rejected`]). Anything else is charged to `from`.
    pub(super) fn blame(
        &mut self,
        from: PeerId,
        kind: crate::frame::FrameKind,
        signer: Option<crate::crypto::PublicKey>,
        reason: &RejectReason,
    ) {
        if !self.cfg.limits.hardened {
            return;
        }
        let reply = kind == crate::frame::FrameKind::Reply;
        match (reason, signer) {
            (RejectReason::PreimageMismatch, Some(replier)) if reply => self.ban(replier),
            (RejectReason::PreimageMismatch | RejectReason::BadOnion, _) if reply => {}
            _ => self.charge_failure(from, reason),
        }
    }

    fn ban(&mut self, replier: crate::crypto::PublicKey) {
        let until = Until(self.now + self.cfg.limits.replier_ban);
        let max = self.cfg.limits.banned_max;
        let banned = &mut self.rare.get_or_insert_with(Box::default).banned;
        if banned.len() >= max && banned.get(&replier).is_none() {
            if let Some(&old) = banned.oldest() {
                banned.remove(&old);
            }
        }
        banned.insert(replier, until);
    }

    /// Refuses a reply of a banned replier before any cryptography.
    pub(super) fn check_replier(
        &self,
        replier: &crate::crypto::PublicKey,
    ) -> Result<(), RejectReason> {
        let banned = self
            .rare
            .as_ref()
            .is_some_and(|r| r.banned.get(replier).is_some());
        if banned {
            Err(RejectReason::Throttled)
        } else {
            Ok(())
        }
    }
}

/// True for reply rejections that hold for the same bytes whenever they come back.
fn permanent(reason: &RejectReason) -> bool {
    use crate::certificate::CertificateError;
    matches!(
        reason,
        RejectReason::Certificate(
            CertificateError::BadSignature
                | CertificateError::UntrustedAuthority
                | CertificateError::Expired
                | CertificateError::Revoked
        ) | RejectReason::BadReplySignature
            | RejectReason::PreimageMismatch
            | RejectReason::BadOnion
            | RejectReason::PayloadMismatch
            | RejectReason::RoutingInstructionMismatch
            | RejectReason::MissingOwnInstruction
            | RejectReason::TooManyHops
            | RejectReason::MissingInvoice
            | RejectReason::InflatedInvoice
            | RejectReason::InvoiceMismatch
            | RejectReason::MalformedInstructions
            | RejectReason::ExcessiveFee
    )
}

/// True for rejections that follow a failed signature verification, onion peel, sealed-box
/// open or decryption: the checks a peer can make a node pay for with junk.
fn costs_crypto(reason: &RejectReason) -> bool {
    use crate::certificate::CertificateError;
    matches!(
        reason,
        RejectReason::Certificate(CertificateError::BadSignature)
            | RejectReason::BadRequestSignature
            | RejectReason::BadOnion
            | RejectReason::BadReplySignature
            | RejectReason::PreimageMismatch
    )
}
