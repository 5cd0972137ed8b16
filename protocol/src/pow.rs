//! SHA-256 proof of work: a nonce such that SHA-256(challenge ‖ data ‖ nonce) ≤ target.

use crate::encoding::fixed_bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Proof-of-work hash function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum PowScheme {
    /// SHA-256 over the conditions' challenge, the encoded broadcast payload and the nonce,
    /// little endian.
    Sha256,
}

/// A 256-bit big-endian target; a hash is valid iff it is ≤ the target. A larger target is
/// easier: the expected number of hashes is 2^256 / (target + 1).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PowTarget(#[serde(with = "fixed_bytes")] pub [u8; 32]);

impl fmt::Debug for PowTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PowTarget(~{:.1} hashes)", self.expected_hashes())
    }
}

impl PowTarget {
    /// The easiest target: every hash is valid.
    pub const MAX: PowTarget = PowTarget([0xff; 32]);

    /// The target that needs `bits` leading zero bits (bits ≥ 256 gives target 0).
    pub fn from_leading_zero_bits(bits: u32) -> PowTarget {
        let mut t = [0xffu8; 32];
        for (i, byte) in t.iter_mut().enumerate() {
            let start = i as u32 * 8;
            if bits >= start + 8 {
                *byte = 0;
            } else if bits > start {
                *byte = 0xff >> (bits - start);
            }
        }
        PowTarget(t)
    }

    /// The target floor((2^256 − 1) / hashes): on average `hashes` attempts find a nonce.
    /// Exact integer arithmetic, so every machine gets the same target. `hashes` 0 or 1 give
    /// [`PowTarget::MAX`].
    pub fn from_expected_hashes(hashes: u64) -> PowTarget {
        if hashes <= 1 {
            return PowTarget::MAX;
        }
        let mut out = [0u8; 32];
        let mut rem: u128 = 0;
        for byte in out.iter_mut() {
            let cur = (rem << 8) | 0xff;
            *byte = (cur / hashes as u128) as u8;
            rem = cur % hashes as u128;
        }
        PowTarget(out)
    }

    /// Probability that one hash meets the target, (target + 1) / 2^256, as f64 (for models and
    /// reports; not used in validity checks).
    pub fn success_probability(&self) -> f64 {
        // Scaling by 1/256 is exact in binary, so every build computes the same value.
        let (mut p, mut scale) = (0.0f64, 1.0f64);
        for b in self.0 {
            scale /= 256.0;
            p += f64::from(b) * scale;
        }
        // Adds the "+1" of (target + 1) at the last byte's scale.
        (p + scale).min(1.0)
    }

    /// Expected number of hashes to meet the target: 1 / success probability.
    pub fn expected_hashes(&self) -> f64 {
        1.0 / self.success_probability()
    }

    /// True iff `hash` ≤ target.
    pub fn is_met_by(&self, hash: &[u8; 32]) -> bool {
        hash <= &self.0
    }
}

/// A middleman's fresh value for one ask, which the work must cover: a payload solved for one
/// set of conditions does not meet another, even when fee, target and account are equal
/// (issue 11, hole 4). All zero means no challenge, as in the paper.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Challenge(#[serde(with = "fixed_bytes")] pub [u8; 16]);

/// What a middleman asks the originator to compute (paper figure 7, plus the challenge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkRequest {
    /// Hash function.
    pub pow_scheme: PowScheme,
    /// Target the hash must meet.
    pub pow_target: PowTarget,
    /// Prefixed to the data before hashing; set by the middleman, not by its policy.
    pub challenge: Challenge,
}

/// A solved proof of work carried in a broadcast frame (paper figure 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofOfWork {
    /// Hash function.
    pub pow_scheme: PowScheme,
    /// Target the work claims to meet.
    pub pow_target: PowTarget,
    /// The nonce found; encoded as 8 fixed bytes so a frame's size does not depend on it.
    #[serde(with = "fixed_u64")]
    pub nonce: u64,
}

mod fixed_u64 {
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        crate::encoding::fixed_bytes::serialize(&v.to_le_bytes(), s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        crate::encoding::fixed_bytes::deserialize::<D, 8>(d).map(u64::from_le_bytes)
    }
}

/// The proof-of-work hash of `data` under `challenge` with `nonce`.
pub fn pow_hash(challenge: &Challenge, data: &[u8], nonce: u64) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(challenge.0);
    h.update(data);
    h.update(nonce.to_le_bytes());
    h.finalize().into()
}

/// True iff `nonce` solves `work` (its target under its challenge) for `data`.
pub fn check(data: &[u8], work: &WorkRequest, nonce: u64) -> bool {
    match work.pow_scheme {
        PowScheme::Sha256 => work
            .pow_target
            .is_met_by(&pow_hash(&work.challenge, data, nonce)),
    }
}

/// Searches nonces `start, start+1, …` for at most `max_attempts`; returns the nonce found and
/// the attempts it took. Deterministic; absorbs `data` once and reuses the midstate.
pub fn solve(data: &[u8], work: &WorkRequest, start: u64, max_attempts: u64) -> Option<(u64, u64)> {
    let mut base = Sha256::new();
    base.update(work.challenge.0);
    base.update(data);
    for i in 0..max_attempts {
        let nonce = start.wrapping_add(i);
        let mut h = base.clone();
        h.update(nonce.to_le_bytes());
        let hash: [u8; 32] = h.finalize().into();
        if work.pow_target.is_met_by(&hash) {
            return Some((nonce, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_arithmetic() {
        assert_eq!(PowTarget::from_leading_zero_bits(0), PowTarget::MAX);
        let t8 = PowTarget::from_leading_zero_bits(8);
        assert_eq!(t8.0[0], 0);
        assert_eq!(t8.0[1], 0xff);
        let t12 = PowTarget::from_leading_zero_bits(12);
        assert_eq!(&t12.0[..3], &[0, 0x0f, 0xff]);
        assert_eq!(PowTarget::from_leading_zero_bits(300).0, [0; 32]);
        // 2^k expected hashes is k leading zero bits.
        assert_eq!(PowTarget::from_expected_hashes(256), t8);
        assert_eq!(PowTarget::from_expected_hashes(4096), t12);
        assert_eq!(PowTarget::from_expected_hashes(1), PowTarget::MAX);
        assert!((t12.expected_hashes() - 4096.0).abs() < 1e-6);
        let t1000 = PowTarget::from_expected_hashes(1000);
        assert!((t1000.expected_hashes() - 1000.0).abs() < 1e-6);
        // Harder targets are smaller.
        assert!(PowTarget::from_expected_hashes(1001) < t1000);
    }

    #[test]
    fn solve_then_check() {
        let work = WorkRequest {
            pow_scheme: PowScheme::Sha256,
            pow_target: PowTarget::from_expected_hashes(64),
            challenge: Challenge::default(),
        };
        let (nonce, attempts) = solve(b"payload", &work, 0, 1 << 20).unwrap();
        assert!(attempts >= 1);
        assert!(check(b"payload", &work, nonce));
        // Every earlier nonce failed.
        assert!((0..nonce).all(|n| !check(b"payload", &work, n)));
    }

    #[test]
    fn work_for_one_challenge_does_not_meet_another() {
        let base = WorkRequest {
            pow_scheme: PowScheme::Sha256,
            pow_target: PowTarget::from_expected_hashes(256),
            challenge: Challenge([1; 16]),
        };
        let other = WorkRequest {
            challenge: Challenge([2; 16]),
            ..base
        };
        // Of 64 nonces solved under one challenge, about 64/256 meet the other by chance.
        let reused = (0..64u64)
            .map(|i| solve(&i.to_le_bytes(), &base, 0, 1 << 20).unwrap().0)
            .enumerate()
            .filter(|(i, n)| check(&(*i as u64).to_le_bytes(), &other, *n))
            .count();
        assert!(reused <= 4, "{reused} of 64 proofs reusable");
    }

    #[test]
    fn mean_attempts_match_difficulty() {
        let work = WorkRequest {
            pow_scheme: PowScheme::Sha256,
            pow_target: PowTarget::from_expected_hashes(32),
            challenge: Challenge::default(),
        };
        let mut total = 0u64;
        let trials = 400u64;
        for i in 0..trials {
            let data = i.to_le_bytes();
            total += solve(&data, &work, 0, 1 << 20).unwrap().1;
        }
        let mean = total as f64 / trials as f64;
        // Geometric with mean 32, sd 31.5: the mean of 400 is within 32 ± 8 with > 5 sigma.
        assert!((24.0..40.0).contains(&mean), "mean attempts {mean}");
    }
}
