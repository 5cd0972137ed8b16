//! The channel graph as plain data, and the scale-free generator.

use rand::RngCore;

use crate::rng::{below, normal, unit};
use crate::scenario::lightning::{BalanceSplit, CapacityDistribution, LightningSpec};
use crate::scenario::MAX_MONEY_SAT;

/// One direction's forwarding policy (what its source node charges to forward over it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Base fee, millisatoshi.
    pub fee_base_msat: u32,
    /// Proportional fee, parts per million.
    pub fee_ppm: u32,
    /// CLTV delta, blocks.
    pub cltv_delta: u16,
    /// Smallest HTLC, millisatoshi.
    pub htlc_min_msat: u64,
    /// Largest HTLC, millisatoshi (at most the capacity).
    pub htlc_max_msat: u64,
    /// The direction forwards nothing.
    pub disabled: bool,
}

/// One channel between LN nodes `a` and `b` (`a != b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSpec {
    /// First end (LN node index).
    pub a: u32,
    /// Second end.
    pub b: u32,
    /// Capacity, satoshi.
    pub capacity_sat: u64,
    /// `a`'s side of the balance at the start, millisatoshi (`b` holds the rest).
    pub balance_a_msat: u64,
    /// Policy of the direction a → b.
    pub a_to_b: Policy,
    /// Policy of the direction b → a.
    pub b_to_a: Policy,
}

/// A whole channel graph: `nodes` LN nodes and their channels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelGraph {
    /// LN nodes.
    pub nodes: u32,
    /// Channels, in a fixed order (the short channel id of channel i is i + 1).
    pub channels: Vec<ChannelSpec>,
}

/// Draws a capacity, satoshi (at least 1).
fn capacity(spec: &LightningSpec, rng: &mut impl RngCore) -> u64 {
    let raw = match spec.capacity_distribution {
        CapacityDistribution::Lognormal => {
            spec.capacity_sat * libm::exp(spec.capacity_shape * normal(rng))
        }
        CapacityDistribution::Pareto => {
            spec.capacity_sat / libm::pow(1.0 - unit(rng), 1.0 / spec.capacity_shape)
        }
    };
    // At most 21 M BTC; the scale applies to loaded snapshots too (see `scaled`).
    raw.clamp(1.0, MAX_MONEY_SAT as f64) as u64
}

fn in_range(rng: &mut impl RngCore, lo: u64, hi: u64) -> u64 {
    lo + below(rng, hi - lo + 1)
}

/// Draws one direction's policy for a channel of `capacity_sat`.
fn policy(spec: &LightningSpec, capacity_sat: u64, rng: &mut impl RngCore) -> Policy {
    let base = in_range(
        rng,
        spec.fee_base_msat_min.into(),
        spec.fee_base_msat_max.into(),
    );
    let ppm = in_range(rng, spec.fee_ppm_min.into(), spec.fee_ppm_max.into());
    let cltv = in_range(rng, spec.cltv_delta_min.into(), spec.cltv_delta_max.into());
    Policy {
        fee_base_msat: base as u32,
        fee_ppm: ppm as u32,
        cltv_delta: cltv as u16,
        htlc_min_msat: 1,
        htlc_max_msat: capacity_sat * 1000,
        disabled: false,
    }
}

/// A scale-free channel graph of `nodes` LN nodes: node i (i ≥ 1) opens
/// `min(channels_per_node, i)` channels to distinct earlier nodes chosen with probability
/// proportional to their channel count (Barabási–Albert, as the public graph's degree tail).
/// Capacities, balance splits and both policies are drawn from `rng` in channel order, before
/// any scaling, so `capacity_scale` and `fee_scale` change no other draw.
pub fn generate(spec: &LightningSpec, nodes: u32, rng: &mut impl RngCore) -> ChannelGraph {
    let mut channels = Vec::new();
    // One entry per channel end: picking uniformly from it is picking by degree.
    let mut ends: Vec<u32> = Vec::new();
    for i in 1..nodes {
        let m = spec.channels_per_node.min(i) as usize;
        let mut peers: Vec<u32> = Vec::with_capacity(m);
        while peers.len() < m {
            let p = if ends.is_empty() {
                below(rng, u64::from(i)) as u32
            } else {
                ends[below(rng, ends.len() as u64) as usize]
            };
            if !peers.contains(&p) {
                peers.push(p);
                continue;
            }
            // A hub picked twice: a uniform pick keeps the loop short.
            let q = below(rng, u64::from(i)) as u32;
            if !peers.contains(&q) {
                peers.push(q);
            }
        }
        for p in peers {
            ends.push(i);
            ends.push(p);
            channels.push(channel(spec, i, p, rng));
        }
    }
    ChannelGraph { nodes, channels }
}

fn channel(spec: &LightningSpec, a: u32, b: u32, rng: &mut impl RngCore) -> ChannelSpec {
    let capacity_sat = capacity(spec, rng);
    let share = match spec.balance_split {
        BalanceSplit::Uniform => unit(rng),
        BalanceSplit::Even => 0.5,
    };
    let a_to_b = policy(spec, capacity_sat, rng);
    let b_to_a = policy(spec, capacity_sat, rng);
    ChannelSpec {
        a,
        b,
        capacity_sat,
        balance_a_msat: (capacity_sat as f64 * 1000.0 * share) as u64,
        a_to_b,
        b_to_a,
    }
}

impl ChannelGraph {
    /// Applies `capacity_scale` (capacities, balances and HTLC maxima, keeping each channel's
    /// balance share; a capacity stays in [1 sat, 21 million bitcoin], what LDK accepts) and
    /// `fee_scale` (base and proportional fees, rounded down).
    pub fn scaled(mut self, capacity_scale: f64, fee_scale: f64) -> Self {
        for c in &mut self.channels {
            let old = c.capacity_sat.max(1) as f64;
            let share = c.balance_a_msat as f64 / (old * 1000.0);
            c.capacity_sat = ((old * capacity_scale) as u64).clamp(1, MAX_MONEY_SAT);
            c.balance_a_msat = (c.capacity_sat as f64 * 1000.0 * share) as u64;
            for p in [&mut c.a_to_b, &mut c.b_to_a] {
                p.fee_base_msat = (f64::from(p.fee_base_msat) * fee_scale) as u32;
                p.fee_ppm = (f64::from(p.fee_ppm) * fee_scale) as u32;
                p.htlc_max_msat = p.htlc_max_msat.min(c.capacity_sat * 1000).max(1);
                p.htlc_min_msat = p.htlc_min_msat.min(p.htlc_max_msat);
            }
        }
        self
    }

    /// Channels per node (both ends counted).
    pub fn degrees(&self) -> Vec<u32> {
        let mut d = vec![0u32; self.nodes as usize];
        for c in &self.channels {
            d[c.a as usize] += 1;
            d[c.b as usize] += 1;
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Concern};

    #[test]
    fn generated_graph_is_connected_scale_free_and_reproducible() {
        let spec = LightningSpec::default();
        let g = generate(&spec, 2000, &mut stream(1, 0, Concern::Lightning(0)));
        assert_eq!(
            g,
            generate(&spec, 2000, &mut stream(1, 0, Concern::Lightning(0)))
        );
        assert_eq!(g.channels.len(), 1 + 2 + 3 * 1997);
        assert!(g.channels.iter().all(|c| c.a != c.b));
        let d = g.degrees();
        assert!(d.iter().all(|&x| x >= 1), "every node has a channel");
        let max = *d.iter().max().unwrap();
        // A uniform attachment would give a maximum degree near 3 ln n ≈ 25; hubs are far above.
        assert!(max > 60, "no hub: max degree {max}");
        let caps: Vec<u64> = g.channels.iter().map(|c| c.capacity_sat).collect();
        let mean = caps.iter().sum::<u64>() as f64 / caps.len() as f64;
        let mut sorted = caps.clone();
        sorted.sort();
        let median = sorted[sorted.len() / 2] as f64;
        assert!(
            mean > 2.0 * median,
            "heavy tail: mean {mean} median {median}"
        );
    }

    #[test]
    fn scaling_changes_only_amounts() {
        let spec = LightningSpec::default();
        let g = generate(&spec, 50, &mut stream(2, 0, Concern::Lightning(0)));
        let s = g.clone().scaled(0.5, 2.0);
        for (a, b) in g.channels.iter().zip(&s.channels) {
            assert_eq!((a.a, a.b), (b.a, b.b));
            assert!(b.capacity_sat.abs_diff(a.capacity_sat / 2) <= 1);
            assert!(b.balance_a_msat <= b.capacity_sat * 1000);
            assert_eq!(b.a_to_b.fee_ppm, a.a_to_b.fee_ppm * 2);
        }
    }
}
