//! Seed derivation and the few distributions the simulator samples, in pure arithmetic so that
//! every machine draws the same numbers.
//!
//! Every random stream is derived from the scenario seed, the replicate and a concern tag (and
//! the node for per-node streams) by SHA-256. The sweep point is deliberately not an input:
//! replicate r of every point sees the same graph, roles and workload (common random numbers),
//! so differences between points come from the swept parameters, not from luck.

use rand::RngCore;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha12Rng;
use sha2::{Digest, Sha256};

/// What a random stream is used for; each concern gets an independent stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concern {
    /// Building the peer graph.
    Graph,
    /// Assigning roles and service areas.
    Roles,
    /// Topic arrivals and contents.
    Workload,
    /// Link latency and loss.
    Network,
    /// Node churn.
    Churn,
    /// Payment failures.
    Payments,
    /// Attacker placement and behaviour.
    Attack,
    /// Proof-of-work attempt counts of honest nodes.
    Pow,
    /// Proof-of-work attempt counts of attackers.
    AttackPow,
    /// A node's own protocol RNG (keys, nonces, fanout choices).
    Node(u32),
    /// A node's key seeds.
    Keys(u32),
    /// The Lightning payment model's streams (channel graph, keys, hop delays, router seed).
    Lightning(u32),
}

impl Concern {
    fn tag(self) -> (u8, u32) {
        match self {
            Concern::Graph => (1, 0),
            Concern::Roles => (2, 0),
            Concern::Workload => (3, 0),
            Concern::Network => (4, 0),
            Concern::Churn => (5, 0),
            Concern::Payments => (6, 0),
            Concern::Attack => (7, 0),
            Concern::Pow => (10, 0),
            Concern::AttackPow => (11, 0),
            Concern::Node(n) => (8, n),
            Concern::Keys(n) => (9, n),
            Concern::Lightning(k) => (12, k),
        }
    }
}

/// The 32-byte seed of `concern` in replicate `replicate` of a scenario seeded `seed`.
pub fn derive_seed(seed: u64, replicate: u32, concern: Concern) -> [u8; 32] {
    let (tag, node) = concern.tag();
    let mut h = Sha256::new();
    h.update(b"sgsim/seed/v1");
    h.update(seed.to_le_bytes());
    h.update(replicate.to_le_bytes());
    h.update([tag]);
    h.update(node.to_le_bytes());
    h.finalize().into()
}

/// The RNG of `concern`: ChaCha12, a fixed, version-pinned algorithm.
pub fn stream(seed: u64, replicate: u32, concern: Concern) -> ChaCha12Rng {
    ChaCha12Rng::from_seed(derive_seed(seed, replicate, concern))
}

/// A node's protocol RNG: xoshiro256++ (32 bytes of state, where ChaCha keeps 320; a
/// million nodes hold one each). Fixed algorithm, seeded like every other stream.
pub fn node_stream(seed: u64, replicate: u32, node: u32) -> rand_xoshiro::Xoshiro256PlusPlus {
    rand_xoshiro::Xoshiro256PlusPlus::from_seed(derive_seed(seed, replicate, Concern::Node(node)))
}

/// The seed reported for a run: the first 8 bytes of its graph seed.
pub fn run_seed(seed: u64, replicate: u32) -> u64 {
    let s = derive_seed(seed, replicate, Concern::Graph);
    u64::from_le_bytes(s[..8].try_into().expect("8 bytes"))
}

/// Uniform in [0, 1) with 53 random bits.
pub fn unit(rng: &mut impl RngCore) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform integer in [0, n); `n` must be positive. Unbiased (rejection sampling).
pub fn below(rng: &mut impl RngCore, n: u64) -> u64 {
    assert!(n > 0, "invariant: below() needs a non-empty range");
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

/// True with probability `p`.
pub fn chance(rng: &mut impl RngCore, p: f64) -> bool {
    p > 0.0 && unit(rng) < p
}

/// Exponential with the given mean.
pub fn exponential(rng: &mut impl RngCore, mean: f64) -> f64 {
    -mean * libm::log(1.0 - unit(rng))
}

/// Standard normal (Box–Muller).
pub fn normal(rng: &mut impl RngCore) -> f64 {
    let u1 = 1.0 - unit(rng);
    let u2 = unit(rng);
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
}

/// Geometric number of Bernoulli(p) trials up to and including the first success (≥ 1).
pub fn geometric_trials(rng: &mut impl RngCore, p: f64) -> u64 {
    if p >= 1.0 {
        return 1;
    }
    let u = 1.0 - unit(rng);
    let k = libm::ceil(libm::log(u) / libm::log1p(-p));
    if k.is_finite() && k >= 1.0 {
        k.min(u64::MAX as f64) as u64
    } else {
        1
    }
}

/// Picks `k` distinct items of `items` uniformly (partial Fisher–Yates), in pick order.
pub fn sample<T: Copy>(rng: &mut impl RngCore, items: &[T], k: usize) -> Vec<T> {
    let mut pool = items.to_vec();
    let k = k.min(pool.len());
    for i in 0..k {
        let j = i + below(rng, (pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_independent_and_reproducible() {
        let a = derive_seed(1, 0, Concern::Graph);
        assert_eq!(a, derive_seed(1, 0, Concern::Graph));
        assert_ne!(a, derive_seed(1, 1, Concern::Graph));
        assert_ne!(a, derive_seed(1, 0, Concern::Roles));
        assert_ne!(
            derive_seed(1, 0, Concern::Node(1)),
            derive_seed(1, 0, Concern::Node(2))
        );
        assert_ne!(
            derive_seed(1, 0, Concern::Node(1)),
            derive_seed(1, 0, Concern::Keys(1))
        );
    }

    #[test]
    fn distributions_have_the_right_means() {
        let mut rng = stream(3, 0, Concern::Network);
        let n = 20_000;
        let e: f64 = (0..n).map(|_| exponential(&mut rng, 2.0)).sum::<f64>() / n as f64;
        assert!((e - 2.0).abs() < 0.1, "exponential mean {e}");
        let g: f64 = (0..n)
            .map(|_| geometric_trials(&mut rng, 0.1) as f64)
            .sum::<f64>()
            / n as f64;
        assert!((g - 10.0).abs() < 0.5, "geometric mean {g}");
        let z: f64 = (0..n).map(|_| normal(&mut rng)).sum::<f64>() / n as f64;
        assert!(z.abs() < 0.05, "normal mean {z}");
        let s = sample(&mut rng, &[1, 2, 3, 4, 5], 3);
        assert_eq!(s.len(), 3);
        let mut d = s.clone();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), 3);
        assert!((0..1000).all(|_| below(&mut rng, 7) < 7));
    }
}
