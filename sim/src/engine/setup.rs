//! Building a run's world from a scenario: graph, roles, keys, certificates, policies, nodes.

use super::{Role, SimNode};
use crate::adversary::Adversary;
use crate::fanout::{FanoutRule, SimPolicy};
use crate::graph::{GraphError, PeerGraph};
use crate::rng::{below, stream, unit, Concern};
use crate::scenario::{FanoutPolicy, Scenario};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use sweet_gossip::{
    CertificateAuthority, CryptoProvider, Duration, Geohash, KeyDirectory, Limits, Node,
    NodeConfig, PeerId, PolicyParams, PowTarget, PublicKey, RequestPool, Sharing, Timestamp,
    TrustStore,
};

/// A node's keys as the world knows them.
pub(super) struct NodeKeys {
    pub(super) peer_key: PublicKey,
}

/// Every node's onion key by index, filled once all nodes are built: one copy for the run
/// instead of one per peer per node.
#[derive(Default)]
pub(super) struct OnionKeys(OnceLock<Vec<PublicKey>>);

impl OnionKeys {
    /// Fills the directory. Nodes built before this see an empty directory, which is harmless:
    /// a key the directory does not give is kept by the node itself.
    pub(super) fn fill(&self, keys: Vec<PublicKey>) {
        assert!(self.0.set(keys).is_ok(), "invariant: filled once per run");
    }

    /// The onion key of node `index`.
    pub(super) fn get(&self, index: usize) -> PublicKey {
        self.0.get().expect("invariant: filled at setup")[index]
    }
}

impl KeyDirectory for OnionKeys {
    fn onion_key(&self, peer: PeerId) -> Option<PublicKey> {
        let keys = self.0.get()?;
        keys.get(usize::try_from(peer.0).ok()?).copied()
    }
}

/// The protocol numbers of honest nodes in `s`.
pub(crate) fn policy_params(s: &Scenario) -> PolicyParams {
    let p = &s.policy;
    PolicyParams {
        routing_fee_sat: p.routing_fee_sat,
        pow_target: PowTarget::from_expected_hashes(p.pow_difficulty.round().max(1.0) as u64),
        timestamp_tolerance: Duration::from_secs_f64(p.timestamp_tolerance_s),
        conditions_ttl: Duration::from_secs_f64(p.conditions_ttl_s),
        ask_timeout: Duration::from_secs_f64(p.ask_timeout_s),
        multibroadcast: p.multibroadcast,
        reply_routes_max: p.reply_routes_max,
        geohash_precision_max: usize::from(p.geohash_precision_max),
        reply_deadline: Duration::from_secs_f64(s.workload.reply_deadline_s),
        ..PolicyParams::default()
    }
}

/// The fanout rule of honest nodes in `s`, in a network of `nodes` nodes.
pub(crate) fn fanout_rule(s: &Scenario, nodes: u32) -> FanoutRule {
    let p = &s.policy;
    match p.fanout {
        FanoutPolicy::Flood => FanoutRule::Flood,
        FanoutPolicy::Fixed => FanoutRule::Fixed { k: p.fanout_k },
        FanoutPolicy::Probabilistic => FanoutRule::Probabilistic { p: p.fanout_p },
        FanoutPolicy::Logarithmic => FanoutRule::Logarithmic {
            c: p.fanout_c,
            nodes,
        },
        FanoutPolicy::Adaptive => FanoutRule::Adaptive {
            target_rounds: p.adaptive_target_rounds,
            k_min: p.adaptive_k_min,
            k_max: p.adaptive_k_max,
            nodes,
        },
        FanoutPolicy::Reputation => FanoutRule::Reputation {
            k: p.fanout_k,
            explore: p.reputation_explore,
        },
    }
}

/// Assigns roles: customers first, then gig workers, drawn without replacement from a random
/// permutation of the nodes. The victim of an eclipse or censorship attack is then made a
/// customer (see [`Adversary::ensure_victim_customer`]).
pub(super) fn roles(s: &Scenario, replicate: u32, nodes: u32) -> (Vec<Role>, Vec<Option<Geohash>>) {
    let mut rng = stream(s.seed, replicate, Concern::Roles);
    let (customers, workers) = s.roles.counts(nodes);
    let mut order: Vec<u32> = (0..nodes).collect();
    for i in (1..order.len()).rev() {
        let j = below(&mut rng, i as u64 + 1) as usize;
        order.swap(i, j);
    }
    let mut roles = vec![Role::Gossiper; nodes as usize];
    let mut areas: Vec<Option<Geohash>> = vec![None; nodes as usize];
    let b = s.workload.bbox;
    for (rank, &n) in order.iter().enumerate() {
        let rank = rank as u32;
        if rank < customers {
            roles[n as usize] = Role::Customer;
        } else if rank < customers.saturating_add(workers) {
            roles[n as usize] = Role::Worker;
            let lat = b.lat_min + (b.lat_max - b.lat_min) * unit(&mut rng);
            let lon = b.lon_min + (b.lon_max - b.lon_min) * unit(&mut rng);
            let precision = usize::from(s.roles.service_area_precision);
            areas[n as usize] = Some(Geohash::encode(lat, lon, precision));
        }
    }
    Adversary::ensure_victim_customer(s, &mut roles, &mut areas);
    (roles, areas)
}

/// Everything needed to make nodes.
pub(super) struct Factory {
    pub(super) crypto: Arc<dyn CryptoProvider>,
    pub(super) ca: CertificateAuthority,
    pub(super) rogue_ca: CertificateAuthority,
    pub(super) trust: Arc<TrustStore>,
    pub(super) seed: u64,
    pub(super) replicate: u32,
    pub(super) keys: Arc<OnionKeys>,
    limits: Arc<Limits>,
    requests: Arc<RequestPool>,
}

impl Factory {
    pub(super) fn new(crypto: Arc<dyn CryptoProvider>, seed: u64, replicate: u32) -> Self {
        let ca_seed = crate::rng::derive_seed(seed, replicate, Concern::Keys(u32::MAX));
        let rogue_seed = crate::rng::derive_seed(seed, replicate, Concern::Keys(u32::MAX - 1));
        let ca = CertificateAuthority::new("sweet-gossip-ca", crypto.keypair_from_seed(ca_seed));
        let rogue_ca = CertificateAuthority::new("rogue-ca", crypto.keypair_from_seed(rogue_seed));
        let mut trust = TrustStore::new();
        trust.trust(ca.name(), ca.public_key());
        Self {
            crypto,
            ca,
            rogue_ca,
            trust: Arc::new(trust),
            seed,
            replicate,
            keys: Arc::default(),
            limits: Arc::default(),
            requests: Arc::default(),
        }
    }

    /// Node `index` with `policy`; `trusted` picks the certificate's authority.
    pub(super) fn node(&self, index: u32, policy: SimPolicy, trusted: bool) -> (Node, NodeKeys) {
        let mut seeds = stream(self.seed, self.replicate, Concern::Keys(index));
        let mut key = || {
            let mut s = [0u8; 32];
            rand::RngCore::fill_bytes(&mut seeds, &mut s);
            self.crypto.keypair_from_seed(s)
        };
        let (identity, account, peer_key) = (key(), key(), key());
        let ca = if trusted { &self.ca } else { &self.rogue_ca };
        let certificate = ca.issue(
            self.crypto.as_ref(),
            identity.public(),
            "sweet-gossip-member",
            &format!("node-{index}"),
            Timestamp::ZERO,
            Timestamp(u64::MAX / 2),
        );
        let keys = NodeKeys {
            peer_key: peer_key.public(),
        };
        let cfg = NodeConfig {
            address: PeerId(u64::from(index)),
            identity,
            certificate,
            account,
            peer_key,
            trust: Arc::clone(&self.trust),
            crypto: Arc::clone(&self.crypto),
            limits: Arc::clone(&self.limits),
            sharing: Sharing {
                requests: Some(Arc::clone(&self.requests)),
                keys: Some(Arc::clone(&self.keys) as Arc<dyn KeyDirectory>),
            },
        };
        let rng = crate::rng::node_stream(self.seed, self.replicate, index);
        (Node::new(cfg, Box::new(policy), rng), keys)
    }
}

/// Builds the honest nodes of `s` over `graph`.
pub(super) fn build_nodes(
    s: &Scenario,
    replicate: u32,
    graph: &PeerGraph,
    factory: &Factory,
) -> (Vec<SimNode>, Vec<NodeKeys>) {
    let n = graph.node_count();
    let (roles, areas) = roles(s, replicate, n);
    let params = Arc::new(policy_params(s));
    let rule = fanout_rule(s, n);
    let mut fee_rng = stream(s.seed, replicate, Concern::Roles);
    let mut nodes = Vec::with_capacity(n as usize);
    let mut keys = Vec::with_capacity(n as usize);
    for i in 0..n {
        let jitter = if s.policy.fee_jitter_sat > 0 {
            below(&mut fee_rng, s.policy.fee_jitter_sat + 1)
        } else {
            0
        };
        let policy = SimPolicy {
            params: Arc::clone(&params),
            routing_fee_sat: params.routing_fee_sat + jitter,
            fanout: rule.clone(),
            route_choice: s.policy.route_choice,
            service_area: areas[i as usize].clone(),
            message_bytes: s.workload.message_bytes as usize,
            scores: BTreeMap::new(),
        };
        let (node, k) = factory.node(i, policy, true);
        nodes.push(SimNode::new(node, roles[i as usize]));
        keys.push(k);
    }
    (nodes, keys)
}

/// Builds `count` Sybil nodes with indices `first..first + count`: plain gossipers with the
/// honest protocol numbers (no fee jitter), flooding to every peer to maximise their reach, with
/// certificates of the trusted authority when `trusted`, else of the rogue one.
pub(super) fn build_sybils(
    s: &Scenario,
    factory: &Factory,
    first: u32,
    count: u32,
    trusted: bool,
) -> (Vec<SimNode>, Vec<NodeKeys>) {
    let params = Arc::new(policy_params(s));
    (first..first.saturating_add(count))
        .map(|i| {
            let policy = SimPolicy {
                params: Arc::clone(&params),
                routing_fee_sat: params.routing_fee_sat,
                fanout: FanoutRule::Flood,
                route_choice: s.policy.route_choice,
                service_area: None,
                message_bytes: s.workload.message_bytes as usize,
                scores: BTreeMap::new(),
            };
            let (node, keys) = factory.node(i, policy, trusted);
            (SimNode::new(node, Role::Gossiper), keys)
        })
        .unzip()
}

/// Generates the graph of `s`, resolving edge-list paths against `base_dir`.
pub(super) fn build_graph(
    s: &Scenario,
    replicate: u32,
    base_dir: &Path,
) -> Result<PeerGraph, GraphError> {
    s.graph
        .generate(&mut stream(s.seed, replicate, Concern::Graph), base_dir)
}
