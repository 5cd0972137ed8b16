//! The scenario keys of the Lightning payment model (`[payments.lightning]`).

use serde::{Deserialize, Serialize};

use crate::scenario::{Payments, Violation, MAX_MONEY_SAT};

/// Which payment model settles invoices (`payments.model`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentModel {
    /// One balance per node and a flat failure probability (`payments.failure_probability`).
    #[default]
    Ledger,
    /// Every payment routed by LDK over a channel graph (`[payments.lightning]`).
    Lightning,
}

impl PaymentModel {
    /// True for the default model (its key is then left out of resolved scenario files, so
    /// ledger-mode reports stay byte-identical to those written before the key existed).
    pub fn is_ledger(&self) -> bool {
        *self == PaymentModel::Ledger
    }
}

/// Heavy-tailed distribution of generated channel capacities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapacityDistribution {
    /// Lognormal with median `capacity_sat` and sigma `capacity_shape`.
    #[default]
    Lognormal,
    /// Pareto with minimum `capacity_sat` and tail index `capacity_shape`.
    Pareto,
}

/// How a channel's capacity is split between its two ends at the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BalanceSplit {
    /// The first node's share is uniform in [0, 1].
    #[default]
    Uniform,
    /// Half on each side.
    Even,
}

/// Whose experience the probabilistic scorer learns from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScorerScope {
    /// One scorer shared by every payer: every payment's success or failure teaches all.
    #[default]
    Global,
    /// One scorer per paying node, learning only from that node's own payments (as real
    /// nodes do).
    PerNode,
}

/// How gossip nodes map onto the nodes of a loaded snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotMapping {
    /// Gossip node i is a node drawn without replacement from the snapshot's nodes (seeded).
    #[default]
    Random,
    /// Gossip node i is the i-th node of the snapshot's `nodes` list.
    InOrder,
}

/// The Lightning channel graph and router (`[payments.lightning]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LightningSpec {
    /// "generated" (default) or the path of an lnd `describegraph` JSON snapshot, relative to
    /// the scenario file.
    pub graph: String,
    /// Generated graph: channels each new node opens to earlier nodes chosen by preferential
    /// attachment (scale-free; default 3, at least 1).
    pub channels_per_node: u32,
    /// Generated graph: "lognormal" (default) or "pareto".
    pub capacity_distribution: CapacityDistribution,
    /// Generated graph: lognormal median or Pareto minimum capacity, satoshi (default 2000000;
    /// times `capacity_scale` at most 21 million bitcoin). Draws are clamped to [1 sat, 21
    /// million bitcoin] after scaling.
    pub capacity_sat: f64,
    /// Generated graph: lognormal sigma or Pareto tail index (default 1.5, > 0).
    pub capacity_shape: f64,
    /// Every channel's capacity (generated or loaded) is multiplied by this (default 1.0, in
    /// (0, 1e6]); a scaled capacity is at least 1 sat and at most 21 million bitcoin.
    pub capacity_scale: f64,
    /// Generated graph: "uniform" (default) or "even".
    pub balance_split: BalanceSplit,
    /// Generated graph: smallest base fee, millisatoshi (default 0).
    pub fee_base_msat_min: u32,
    /// Generated graph: largest base fee, millisatoshi (default 1000).
    pub fee_base_msat_max: u32,
    /// Generated graph: smallest proportional fee, parts per million (default 1).
    pub fee_ppm_min: u32,
    /// Generated graph: largest proportional fee, parts per million (default 500).
    pub fee_ppm_max: u32,
    /// Every fee policy (generated or loaded) is multiplied by this (default 1.0, in [0, 1e6];
    /// a scaled fee must fit 32 bits).
    pub fee_scale: f64,
    /// Generated graph: smallest CLTV delta, blocks (default 40).
    pub cltv_delta_min: u16,
    /// Generated graph: largest CLTV delta, blocks (default 144).
    pub cltv_delta_max: u16,
    /// "global" (default) or "per_node".
    pub scorer: ScorerScope,
    /// LDK's history-based liquidity penalties (default true, LDK's default).
    pub history_penalties: bool,
    /// Route attempts per invoice before it fails (default 10, 1..=100).
    pub max_attempts: u32,
    /// Snapshot: "random" (default) or "in_order".
    pub snapshot_mapping: SnapshotMapping,
}

impl Default for LightningSpec {
    fn default() -> Self {
        LightningSpec {
            graph: "generated".to_string(),
            channels_per_node: 3,
            capacity_distribution: CapacityDistribution::Lognormal,
            capacity_sat: 2_000_000.0,
            capacity_shape: 1.5,
            capacity_scale: 1.0,
            balance_split: BalanceSplit::Uniform,
            fee_base_msat_min: 0,
            fee_base_msat_max: 1000,
            fee_ppm_min: 1,
            fee_ppm_max: 500,
            fee_scale: 1.0,
            cltv_delta_min: 40,
            cltv_delta_max: 144,
            scorer: ScorerScope::Global,
            history_penalties: true,
            max_attempts: 10,
            snapshot_mapping: SnapshotMapping::Random,
        }
    }
}

fn violation(key: &str, message: String) -> Result<(), Violation> {
    Err(Violation {
        key: format!("payments.lightning.{key}"),
        message,
    })
}

fn positive(key: &str, v: f64, max: f64) -> Result<(), Violation> {
    if v.is_finite() && v > 0.0 && v <= max {
        Ok(())
    } else {
        violation(key, format!("must be in (0, {max:?}], got {v:?}"))
    }
}

fn ordered(key: &str, lo: u64, hi: u64) -> Result<(), Violation> {
    if lo <= hi {
        Ok(())
    } else {
        violation(
            &format!("{key}_min"),
            format!("must not exceed {key}_max ({hi}), got {lo}"),
        )
    }
}

impl LightningSpec {
    /// True when the channel graph is generated rather than loaded.
    pub fn is_generated(&self) -> bool {
        self.graph == "generated"
    }

    /// Checks every value; the error names the dotted key and what is allowed.
    pub fn validate(&self) -> Result<(), Violation> {
        if self.graph.trim().is_empty() {
            violation(
                "graph",
                "must be \"generated\" or the path of an lnd describegraph JSON file, got \"\""
                    .into(),
            )?;
        }
        if !(1..=64).contains(&self.channels_per_node) {
            violation(
                "channels_per_node",
                format!("must be in 1..=64, got {}", self.channels_per_node),
            )?;
        }
        let money = MAX_MONEY_SAT as f64;
        positive("capacity_sat", self.capacity_sat, money)?;
        positive("capacity_shape", self.capacity_shape, 10.0)?;
        positive("capacity_scale", self.capacity_scale, 1e6)?;
        let scaled = self.capacity_sat * self.capacity_scale;
        if scaled > money {
            violation(
                "capacity_scale",
                format!(
                    "capacity_sat x capacity_scale must be at most {MAX_MONEY_SAT} sat (21 \
                     million bitcoin, the largest capacity LDK accepts: {} msat), got {:?} x \
                     {:?} = {scaled:?}",
                    MAX_MONEY_SAT * 1000,
                    self.capacity_sat,
                    self.capacity_scale
                ),
            )?;
        }
        if !(self.fee_scale.is_finite() && (0.0..=1e6).contains(&self.fee_scale)) {
            violation(
                "fee_scale",
                format!("must be in [0, 1e6], got {:?}", self.fee_scale),
            )?;
        }
        for (key, max) in [
            ("fee_base_msat_max", self.fee_base_msat_max),
            ("fee_ppm_max", self.fee_ppm_max),
        ] {
            let fee = f64::from(max) * self.fee_scale;
            if fee > f64::from(u32::MAX) {
                violation(
                    "fee_scale",
                    format!(
                        "{key} x fee_scale must be at most {} (a scaled fee must fit 32 \
                         bits), got {max} x {:?} = {fee:?}",
                        u32::MAX,
                        self.fee_scale
                    ),
                )?;
            }
        }
        ordered(
            "fee_base_msat",
            self.fee_base_msat_min.into(),
            self.fee_base_msat_max.into(),
        )?;
        ordered("fee_ppm", self.fee_ppm_min.into(), self.fee_ppm_max.into())?;
        ordered(
            "cltv_delta",
            self.cltv_delta_min.into(),
            self.cltv_delta_max.into(),
        )?;
        if !(1..=100).contains(&self.max_attempts) {
            violation(
                "max_attempts",
                format!("must be in 1..=100, got {}", self.max_attempts),
            )?;
        }
        Ok(())
    }
}

/// Checks `[payments]` as far as the Lightning model is concerned.
pub fn validate_payments(p: &Payments) -> Result<(), Violation> {
    match (&p.model, &p.lightning) {
        (PaymentModel::Ledger, Some(_)) => Err(Violation {
            key: "payments.lightning".into(),
            message: "is only used with payments.model = \"lightning\"; set that model or \
                      remove the table"
                .into(),
        }),
        (_, Some(l)) => l.validate(),
        _ => Ok(()),
    }
}

/// With `model = "lightning"` and no `[payments.lightning]` table, fills it with the defaults
/// (so resolved scenario files show every Lightning key); changes nothing in ledger mode.
pub fn fill_defaults(p: &mut Payments) {
    if p.model == PaymentModel::Lightning && p.lightning.is_none() {
        p.lightning = Some(LightningSpec::default());
    }
}
