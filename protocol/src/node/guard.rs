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
