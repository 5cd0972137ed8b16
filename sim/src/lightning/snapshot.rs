//! Loading a channel graph from lnd's `lncli describegraph` JSON.
//!
//! lnd writes 64-bit numbers as strings (`"capacity": "1000000"`); both strings and JSON
//! numbers are accepted. Fields the simulator does not use (aliases, addresses, features,
//! `chan_point`, `last_update`) are ignored. A missing (`null`) policy makes that direction
//! unusable. Snapshots carry no balances: the scenario's `balance_split` splits each channel.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand::RngCore;
use serde::{de, Deserialize, Deserializer};

use super::graph::{ChannelGraph, ChannelSpec, Policy};
use crate::rng::unit;
use crate::scenario::lightning::{BalanceSplit, LightningSpec};
use crate::scenario::MAX_MONEY_SAT;

/// Why a snapshot could not be loaded; every message names the file.
#[derive(Debug, thiserror::Error)]
#[error("lightning snapshot {path}: {message}")]
pub struct SnapshotError {
    /// The snapshot file.
    pub path: PathBuf,
    /// What is wrong, with the JSON position or the offending entry.
    pub message: String,
}

/// A whole number written as a JSON string (lnd's style) or a JSON number.
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Num(u64),
        Str(String),
    }
    match Raw::deserialize(d)? {
        Raw::Num(n) => Ok(n),
        Raw::Str(s) => s.trim().parse().map_err(|_| {
            de::Error::invalid_value(de::Unexpected::Str(&s), &"a whole number (as lnd writes)")
        }),
    }
}

#[derive(Deserialize)]
struct Describegraph {
    nodes: Vec<LndNode>,
    edges: Vec<LndEdge>,
}

#[derive(Deserialize)]
struct LndNode {
    pub_key: String,
}

#[derive(Deserialize)]
struct LndEdge {
    #[serde(deserialize_with = "number")]
    channel_id: u64,
    node1_pub: String,
    node2_pub: String,
    #[serde(deserialize_with = "number")]
    capacity: u64,
    node1_policy: Option<LndPolicy>,
    node2_policy: Option<LndPolicy>,
}

#[derive(Deserialize)]
struct LndPolicy {
    #[serde(deserialize_with = "number")]
    time_lock_delta: u64,
    #[serde(deserialize_with = "number")]
    min_htlc: u64,
    #[serde(deserialize_with = "number")]
    fee_base_msat: u64,
    #[serde(deserialize_with = "number")]
    fee_rate_milli_msat: u64,
    #[serde(default)]
    disabled: bool,
    #[serde(default, deserialize_with = "number")]
    max_htlc_msat: u64,
}

/// A loaded snapshot: its channel graph (LN node i is the i-th entry of `nodes`) and the
/// node public keys in file order.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The channels, in file order; balances split by the scenario's rule.
    pub graph: ChannelGraph,
    /// `pub_key` of every node, in file order.
    pub pub_keys: Vec<String>,
}

/// Reads (with the input limit) and checks the snapshot at `path`, and checks it against
/// the scales of `spec`.
pub fn load(
    path: &Path,
    spec: &LightningSpec,
    rng: &mut impl RngCore,
) -> Result<Snapshot, SnapshotError> {
    let err = |message: String| SnapshotError {
        path: path.to_path_buf(),
        message,
    };
    let text = read_text(path)?;
    let snap = parse(&text, spec, rng).map_err(err)?;
    snap.check_scales(spec).map_err(err)?;
    Ok(snap)
}

/// The snapshot's text, read with the input limit (see [`crate::input`]); the error names
/// the file.
pub fn read_text(path: &Path) -> Result<String, SnapshotError> {
    crate::input::read_to_string(path).map_err(|e| SnapshotError {
        path: path.to_path_buf(),
        message: match e {
            crate::input::InputError::Io { source, .. } => format!("cannot read: {source}"),
            other => other.to_string(),
        },
    })
}

impl Snapshot {
    /// Largest capacity (sat), base fee (msat) and proportional fee (ppm) of any channel.
    pub fn maxima(&self) -> (u64, u32, u32) {
        let mut m = (0, 0, 0);
        for c in &self.graph.channels {
            m.0 = m.0.max(c.capacity_sat);
            for p in [&c.a_to_b, &c.b_to_a] {
                m.1 = m.1.max(p.fee_base_msat);
                m.2 = m.2.max(p.fee_ppm);
            }
        }
        m
    }

    /// Checks that `capacity_scale` and `fee_scale` keep every channel within what the router
    /// computes: see [`check_scales`].
    pub fn check_scales(&self, spec: &LightningSpec) -> Result<(), String> {
        check_scales(self.maxima(), spec)
    }
}

/// Checks a snapshot's largest capacity, base fee and proportional fee (see
/// [`Snapshot::maxima`]) against `capacity_scale` and `fee_scale`: a scaled capacity must be at
/// most 21 million bitcoin (what LDK accepts) and a scaled fee must fit 32 bits.
pub fn check_scales(maxima: (u64, u32, u32), spec: &LightningSpec) -> Result<(), String> {
    let (capacity, base, ppm) = maxima;
    let scaled = capacity as f64 * spec.capacity_scale;
    if scaled > MAX_MONEY_SAT as f64 {
        return Err(format!(
            "its largest channel capacity ({capacity} sat) x payments.lightning.capacity_scale \
             ({:?}) = {scaled:?} sat is above {MAX_MONEY_SAT} sat (21 million bitcoin, the \
             largest capacity LDK accepts); lower capacity_scale",
            spec.capacity_scale
        ));
    }
    for (what, fee) in [("base fee (msat)", base), ("proportional fee (ppm)", ppm)] {
        let scaled = f64::from(fee) * spec.fee_scale;
        if scaled > f64::from(u32::MAX) {
            return Err(format!(
                "its largest {what} {fee} x payments.lightning.fee_scale ({:?}) = {scaled:?} \
                 does not fit 32 bits (at most {}); lower fee_scale",
                spec.fee_scale,
                u32::MAX
            ));
        }
    }
    Ok(())
}

/// Parses describegraph JSON text; the error says which entry and field is wrong.
pub fn parse(text: &str, spec: &LightningSpec, rng: &mut impl RngCore) -> Result<Snapshot, String> {
    let raw: Describegraph = serde_json::from_str(text).map_err(|e| {
        format!("not lnd describegraph JSON (needs `nodes` with `pub_key` and `edges`): {e}")
    })?;
    let mut index = BTreeMap::new();
    for (i, n) in raw.nodes.iter().enumerate() {
        let ok = n.pub_key.len() == 66 && n.pub_key.bytes().all(|b| b.is_ascii_hexdigit());
        if !ok {
            return Err(format!(
                "nodes[{i}].pub_key must be 66 hex digits (a compressed public key), got {:?}",
                n.pub_key
            ));
        }
        if index.insert(n.pub_key.as_str(), i as u32).is_some() {
            return Err(format!("nodes[{i}].pub_key {} appears twice", n.pub_key));
        }
    }
    let mut seen = BTreeMap::new();
    let mut channels = Vec::with_capacity(raw.edges.len());
    for (i, e) in raw.edges.iter().enumerate() {
        let at = format!("edges[{i}] (channel_id {})", e.channel_id);
        let end = |key: &str, pk: &str| {
            index
                .get(pk)
                .copied()
                .ok_or_else(|| format!("{at}: {key} {pk} is not among the nodes"))
        };
        let (a, b) = (
            end("node1_pub", &e.node1_pub)?,
            end("node2_pub", &e.node2_pub)?,
        );
        if a == b {
            return Err(format!("{at}: node1_pub and node2_pub are the same node"));
        }
        if e.capacity == 0 || e.capacity > MAX_MONEY_SAT {
            return Err(format!(
                "{at}: capacity must be 1..={MAX_MONEY_SAT} sat (at most 21 million bitcoin), \
                 got {}",
                e.capacity
            ));
        }
        if let Some(j) = seen.insert(e.channel_id, i) {
            return Err(format!("{at}: channel_id already used by edges[{j}]"));
        }
        let policy = |p: &Option<LndPolicy>, key: &str| convert(p.as_ref(), e.capacity, &at, key);
        let share = match spec.balance_split {
            BalanceSplit::Uniform => unit(rng),
            BalanceSplit::Even => 0.5,
        };
        channels.push(ChannelSpec {
            a,
            b,
            capacity_sat: e.capacity,
            balance_a_msat: (e.capacity as f64 * 1000.0 * share) as u64,
            a_to_b: policy(&e.node1_policy, "node1_policy")?,
            b_to_a: policy(&e.node2_policy, "node2_policy")?,
        });
    }
    let nodes = raw.nodes.len() as u32;
    let pub_keys = raw.nodes.into_iter().map(|n| n.pub_key).collect();
    Ok(Snapshot {
        graph: ChannelGraph { nodes, channels },
        pub_keys,
    })
}

/// lnd's policy of one direction; `None` (never announced) is a disabled direction.
fn convert(p: Option<&LndPolicy>, capacity: u64, at: &str, key: &str) -> Result<Policy, String> {
    let cap_msat = capacity * 1000;
    let Some(p) = p else {
        return Ok(Policy {
            fee_base_msat: 0,
            fee_ppm: 0,
            cltv_delta: 0,
            htlc_min_msat: 0,
            htlc_max_msat: cap_msat,
            disabled: true,
        });
    };
    let small = |field: &str, v: u64, max: u64| {
        if v <= max {
            Ok(v)
        } else {
            Err(format!(
                "{at}: {key}.{field} must be at most {max}, got {v}"
            ))
        }
    };
    let max = if p.max_htlc_msat == 0 {
        cap_msat
    } else {
        p.max_htlc_msat.min(cap_msat)
    };
    Ok(Policy {
        fee_base_msat: small("fee_base_msat", p.fee_base_msat, u32::MAX.into())? as u32,
        fee_ppm: small(
            "fee_rate_milli_msat",
            p.fee_rate_milli_msat,
            u32::MAX.into(),
        )? as u32,
        cltv_delta: small("time_lock_delta", p.time_lock_delta, u16::MAX.into())? as u16,
        htlc_min_msat: p.min_htlc.min(max),
        htlc_max_msat: max,
        disabled: p.disabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Concern};

    fn try_parse(text: &str) -> Result<Snapshot, String> {
        let spec = LightningSpec::default();
        parse(text, &spec, &mut stream(1, 0, Concern::Lightning(0)))
    }

    const A: &str = "02aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "03bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn edge(capacity: &str, n2: &str) -> String {
        format!(
            r#"{{"nodes":[{{"pub_key":"{A}","alias":"a"}},{{"pub_key":"{B}"}}],
            "edges":[{{"channel_id":"77","chan_point":"x:0","node1_pub":"{A}","node2_pub":"{n2}",
            "capacity":{capacity},"node1_policy":{{"time_lock_delta":40,"min_htlc":"1000",
            "fee_base_msat":"1000","fee_rate_milli_msat":"100","disabled":false,
            "max_htlc_msat":"500000000"}},"node2_policy":null}}]}}"#
        )
    }

    #[test]
    fn reads_lnd_strings_and_numbers() {
        for cap in ["\"1000000\"", "1000000"] {
            let s = try_parse(&edge(cap, B)).unwrap();
            let c = &s.graph.channels[0];
            assert_eq!((c.a, c.b, c.capacity_sat), (0, 1, 1_000_000));
            assert_eq!(c.a_to_b.fee_base_msat, 1000);
            assert_eq!(c.a_to_b.fee_ppm, 100);
            assert_eq!(c.a_to_b.htlc_max_msat, 500_000_000);
            assert!(!c.a_to_b.disabled && c.b_to_a.disabled);
        }
    }

    #[test]
    fn bad_snapshots_are_named_errors() {
        let e = try_parse(&edge("\"lots\"", B)).unwrap_err();
        assert!(e.contains("whole number") && e.contains("line"), "{e}");
        let e = try_parse(&edge("\"5\"", "03cc")).unwrap_err();
        assert!(
            e.contains("edges[0] (channel_id 77): node2_pub 03cc"),
            "{e}"
        );
        let e = try_parse(&edge("\"0\"", B)).unwrap_err();
        assert!(e.contains("capacity must be"), "{e}");
        let e = try_parse(&edge("\"5\"", A)).unwrap_err();
        assert!(e.contains("same node"), "{e}");
        let e = try_parse("{\"nodes\": []}").unwrap_err();
        assert!(e.contains("edges"), "{e}");
    }
}
