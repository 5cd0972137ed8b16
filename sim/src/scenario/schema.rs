//! The resolved scenario: top level, roles, workload and scale.
//!
//! Every struct here is plain data. Serde fills the documented defaults and
//! rejects unknown keys; value ranges are checked in `validate.rs`.

use std::fmt;

use serde::de::{self, Unexpected, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::graph::GraphSpec;

use super::policy::{Attack, Device, Network, Payments, PolicySpec, Protocol};

/// One fully resolved simulation setup (a single sweep point): every default
/// filled in, every value checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Human-readable name of the scenario, used in reports and result folder
    /// names. Required; must not be empty.
    pub name: String,
    /// Master seed of every random number generator of the run, 0 to
    /// 18446744073709551615. Required. Cannot be swept. TOML integers are signed, so a
    /// seed above 9223372036854775807 is written as a string of digits
    /// (`seed = "18446744073709551615"`); resolved files write it that way too.
    #[serde(with = "seed_format")]
    pub seed: u64,
    /// Independent runs of each sweep point, each with a seed derived from
    /// `seed` and the replicate index (default 1, at least 1). Cannot be swept.
    #[serde(default = "default_replicates")]
    pub replicates: u32,
    /// Virtual seconds simulated per run (default 60.0, must be > 0).
    #[serde(default = "default_duration_s")]
    pub duration_s: f64,
    /// Network topology generator (required `[graph]` table, key `generator`
    /// selects the kind).
    pub graph: GraphSpec,
    /// Which nodes are customers and gig workers (`[roles]`).
    #[serde(default)]
    pub roles: Roles,
    /// Which topics are broadcast, where and when (`[workload]`).
    #[serde(default)]
    pub workload: Workload,
    /// Honest nodes' protocol policy (`[policy]`).
    #[serde(default)]
    pub policy: PolicySpec,
    /// Honest nodes' defences (`[protocol]`); left out of resolved files when default.
    #[serde(default, skip_serializing_if = "Protocol::is_default")]
    pub protocol: Protocol,
    /// Links: latency, loss, churn and bandwidth (`[network]`).
    #[serde(default)]
    pub network: Network,
    /// Device speeds that turn computation into virtual time (`[device]`).
    #[serde(default)]
    pub device: Device,
    /// Lightning-like payment layer (`[payments]`).
    #[serde(default)]
    pub payments: Payments,
    /// Adversary (`[attack]`).
    #[serde(default)]
    pub attack: Attack,
    /// Fidelity of the run (`[scale]`).
    #[serde(default)]
    pub scale: Scale,
}

fn default_replicates() -> u32 {
    1
}

fn default_duration_s() -> f64 {
    60.0
}

impl Scenario {
    /// A scenario with every section at its default.
    pub fn new(name: impl Into<String>, seed: u64, graph: GraphSpec) -> Self {
        Scenario {
            name: name.into(),
            seed,
            replicates: default_replicates(),
            duration_s: default_duration_s(),
            graph,
            roles: Roles::default(),
            workload: Workload::default(),
            policy: PolicySpec::default(),
            protocol: Protocol::default(),
            network: Network::default(),
            device: Device::default(),
            payments: Payments::default(),
            attack: Attack::default(),
            scale: Scale::default(),
        }
    }

    /// Number of honest nodes the graph generator creates, or `None` when it is
    /// only known after reading an edge list.
    pub fn node_count(&self) -> Option<u32> {
        graph_node_count(&self.graph)
    }
}

/// Number of nodes a graph specification yields (`None` for edge lists, whose
/// size is only known once the file is read).
pub fn graph_node_count(graph: &GraphSpec) -> Option<u32> {
    match graph {
        GraphSpec::Complete { nodes }
        | GraphSpec::ErdosRenyi { nodes, .. }
        | GraphSpec::RandomRegular { nodes, .. }
        | GraphSpec::BarabasiAlbert { nodes, .. }
        | GraphSpec::WattsStrogatz { nodes, .. } => Some(*nodes),
        GraphSpec::Grid { rows, cols } | GraphSpec::Torus { rows, cols } => rows.checked_mul(*cols),
        GraphSpec::EdgeList { .. } => None,
    }
}

/// A number of nodes given either as a whole count or as a fraction of the
/// graph's nodes.
///
/// In a file, a value below 1.0 (such as `0.1`) is a fraction of the nodes;
/// any other value (such as `1`, `3` or `3.0`) is a whole count. A fraction
/// resolves to the nearest whole number of nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    /// Exactly this many nodes.
    Count(u32),
    /// This share of the nodes, in [0, 1).
    Fraction(f64),
}

impl Amount {
    /// Number of nodes this amount stands for in a graph of `nodes` nodes:
    /// a count as is, a fraction rounded to the nearest whole number; never
    /// more than `nodes`.
    pub fn resolve(&self, nodes: u32) -> u32 {
        match *self {
            Amount::Count(count) => count.min(nodes),
            Amount::Fraction(share) => {
                let exact = (share * f64::from(nodes)).round();
                if exact.is_nan() || exact <= 0.0 {
                    0
                } else if exact >= f64::from(nodes) {
                    nodes
                } else {
                    exact as u32
                }
            }
        }
    }

    /// The fraction, if this amount is one.
    pub fn fraction(&self) -> Option<f64> {
        match *self {
            Amount::Count(_) => None,
            Amount::Fraction(share) => Some(share),
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Count(count) => write!(f, "{count}"),
            Amount::Fraction(share) => write!(f, "{share:?}"),
        }
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Amount::Count(count) => serializer.serialize_u32(count),
            Amount::Fraction(share) => serializer.serialize_f64(share),
        }
    }
}

const AMOUNT_EXPECTED: &str =
    "a whole count of nodes (0, 1, 2, ... up to 4294967295) or a fraction of the nodes in [0, 1)";

struct AmountVisitor;

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(AMOUNT_EXPECTED)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
        u32::try_from(v)
            .map(Amount::Count)
            .map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
        u32::try_from(v)
            .map(Amount::Count)
            .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
        if (0.0..1.0).contains(&v) {
            Ok(Amount::Fraction(v))
        } else if v >= 1.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) {
            Ok(Amount::Count(v as u32))
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AmountVisitor)
    }
}

/// Who is who among the graph's nodes (`[roles]`). Nodes that are neither
/// customers nor gig workers (nor attackers) are plain gossipers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Roles {
    /// Customers, who publish topics: a count, or a fraction of the nodes when
    /// below 1.0 (default 1). At least one customer is required.
    pub customers: Amount,
    /// Gig workers, who answer topics in their service area: a count, or a
    /// fraction of the nodes when below 1.0 (default 0.1).
    pub gig_workers: Amount,
    /// Geohash precision (1..=12) of each gig worker's service area (default
    /// 4): each worker serves one geohash cell of this precision around a
    /// random point of `workload.bbox`, and replies to topics whose pickup
    /// geohash starts with it. Must not exceed `workload.precision`.
    pub service_area_precision: u8,
}

impl Default for Roles {
    fn default() -> Self {
        Roles {
            customers: Amount::Count(1),
            gig_workers: Amount::Fraction(0.1),
            service_area_precision: 4,
        }
    }
}

impl Roles {
    /// `(customers, gig_workers)` in a graph of `nodes` nodes.
    pub fn counts(&self, nodes: u32) -> (u32, u32) {
        (
            self.customers.resolve(nodes),
            self.gig_workers.resolve(nodes),
        )
    }
}

/// How new topics arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrivals {
    /// A Poisson process of rate `workload.rate_per_s` over the whole network.
    #[default]
    Poisson,
    /// Exactly at the times listed in `workload.times_s`.
    Fixed,
}

/// A latitude/longitude rectangle, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BBox {
    /// Southern edge, degrees in [-90, 90], below `lat_max`.
    pub lat_min: f64,
    /// Northern edge, degrees in [-90, 90].
    pub lat_max: f64,
    /// Western edge, degrees in [-180, 180], below `lon_max`.
    pub lon_min: f64,
    /// Eastern edge, degrees in [-180, 180].
    pub lon_max: f64,
}

impl Default for BBox {
    /// Sydney, Australia.
    fn default() -> Self {
        BBox {
            lat_min: -34.0,
            lat_max: -33.7,
            lon_min: 151.0,
            lon_max: 151.3,
        }
    }
}

/// The topics customers publish (`[workload]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Workload {
    /// Arrival process of new topics: "poisson" or "fixed" (default "poisson").
    pub arrivals: Arrivals,
    /// Poisson arrival rate of new topics over the whole network, topics per
    /// virtual second (default 0.2, at least 0). Used when arrivals = "poisson"; the stream
    /// stops at duration_s − reply_deadline_s (the end-of-run rule).
    pub rate_per_s: f64,
    /// At most this many topics are published in a run, whatever the arrival
    /// process (default 5).
    pub topics_max: u32,
    /// Publication times in virtual seconds, ascending, each in
    /// [0, duration_s − reply_deadline_s] (default empty), so every topic can finish inside
    /// the run. Used, and required non-empty, when arrivals = "fixed". Sweep it with a list
    /// of lists.
    pub times_s: Vec<f64>,
    /// Virtual second at which Poisson arrivals start (default 1.0, in
    /// [0, duration_s)), leaving time for the network to settle.
    pub start_s: f64,
    /// Area from which pickup points are drawn uniformly, and where gig
    /// workers' service areas lie (default Sydney: lat -34.0..-33.7,
    /// lon 151.0..151.3). An inline table `{ lat_min, lat_max, lon_min, lon_max }`.
    pub bbox: BBox,
    /// Geohash precision (1..=12) of a topic's pickup location (default 7).
    pub precision: u8,
    /// Virtual seconds a customer waits for replies to a topic (default 5.0, > 0).
    pub reply_deadline_s: f64,
    /// Size in bytes of a gig worker's reply plaintext (default 64, at least 1).
    pub message_bytes: u32,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            arrivals: Arrivals::Poisson,
            rate_per_s: 0.2,
            topics_max: 5,
            times_s: Vec::new(),
            start_s: 1.0,
            bbox: BBox::default(),
            precision: 7,
            reply_deadline_s: 5.0,
            message_bytes: 64,
        }
    }
}

/// Fidelity of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleMode {
    /// Real cryptography and real proof of work.
    #[default]
    Real,
    /// Cryptography and proof of work replaced by faithful models (same
    /// sizes, same virtual time, same outcomes) for very large runs.
    Model,
}

/// Fidelity of the run (`[scale]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scale {
    /// "real" or "model" (default "real").
    pub mode: ScaleMode,
}

/// A `u64` seed in TOML: an integer up to `i64::MAX`, or a string of decimal digits.
pub(crate) mod seed_format {
    use super::*;

    const EXPECTED: &str = "a seed from 0 to 18446744073709551615: an integer up to \
                            9223372036854775807, or a string of digits for larger seeds, \
                            such as \"18446744073709551615\"";

    /// Writes an integer when TOML can hold it, a string of digits otherwise.
    pub fn serialize<S: Serializer>(seed: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        if i64::try_from(*seed).is_ok() {
            serializer.serialize_u64(*seed)
        } else {
            serializer.serialize_str(&seed.to_string())
        }
    }

    struct SeedVisitor;

    impl Visitor<'_> for SeedVisitor {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(EXPECTED)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            let digits = !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
            digits
                .then(|| v.parse().ok())
                .flatten()
                .ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
        }
    }

    /// Reads an integer or a string of digits.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_any(SeedVisitor)
    }
}
