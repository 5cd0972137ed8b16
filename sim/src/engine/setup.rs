//! Building a run's world from a scenario: graph, roles, keys, certificates, policies, nodes.

use super::{Role, SimNode};
use crate::adversary::Adversary;
use crate::fanout::{FanoutRule, ScoreLog, SharedPolicy, SimPolicy};
use crate::graph::{Adjacency, GraphError, PeerGraph};
use crate::rng::{below, stream, unit, Concern};
use crate::scenario::{FanoutPolicy, Scenario};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use sweet_gossip::{
    CertificateAuthority, CredentialSource, Credentials, CryptoProvider, Duration, Geohash,
    KeyDirectory, Keys, Limits, Node, NodeConfig, PeerId, PolicyParams, PowTarget, PublicKey,
    RequestPool, Sharing, Timestamp, TrustStore,
};

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

/// The limits and defences of every node in `s`: the protocol's defaults, or with
/// `protocol.hardening = false` the unhardened protocol ([`Limits::unhardened`]).
pub(crate) fn limits(s: &Scenario) -> Limits {
    s.limits()
}

/// The shared part of the policy of nodes in `s` that fan out by `fanout`.
fn shared_policy(s: &Scenario, fanout: FanoutRule) -> SharedPolicy {
    SharedPolicy {
        params: policy_params(s),
        fanout,
        route_choice: s.policy.route_choice,
        message_bytes: s.workload.message_bytes as usize,
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
    sharing: Arc<Sharing>,
}

impl Factory {
    pub(super) fn new(
        crypto: Arc<dyn CryptoProvider>,
        seed: u64,
        replicate: u32,
        limits: Limits,
    ) -> Self {
        let ca_seed = crate::rng::derive_seed(seed, replicate, Concern::Keys(u32::MAX));
        let rogue_seed = crate::rng::derive_seed(seed, replicate, Concern::Keys(u32::MAX - 1));
        let ca = CertificateAuthority::new("sweet-gossip-ca", crypto.keypair_from_seed(ca_seed));
        let rogue_ca = CertificateAuthority::new("rogue-ca", crypto.keypair_from_seed(rogue_seed));
        let mut trust = TrustStore::new();
        trust.trust(ca.name(), ca.public_key());
        let keys: Arc<OnionKeys> = Arc::default();
        Self {
            crypto,
            ca,
            rogue_ca,
            trust: Arc::new(trust),
            seed,
            replicate,
            sharing: Arc::new(Sharing {
                requests: Some(Arc::new(RequestPool::default())),
                keys: Some(Arc::clone(&keys) as Arc<dyn KeyDirectory>),
            }),
            keys,
            limits: Arc::new(limits),
        }
    }

    /// The seeds of node `index`'s identity, account and onion keys.
    fn key_seeds(&self, index: u32) -> [[u8; 32]; 3] {
        let mut rng = stream(self.seed, self.replicate, Concern::Keys(index));
        let mut seeds = [[0u8; 32]; 3];
        for s in &mut seeds {
            rand::RngCore::fill_bytes(&mut rng, s);
        }
        seeds
    }

    /// The onion key node `index` gets from [`Factory::node`], without building the node.
    pub(super) fn peer_key(&self, index: u32) -> PublicKey {
        self.crypto
            .keypair_from_seed(self.key_seeds(index)[2])
            .public()
    }

    /// Node `index`'s credentials, certified by the trusted authority or the rogue one.
    fn credentials_of(&self, index: u32, trusted: bool) -> Credentials {
        Credentials::issue(
            self.crypto.as_ref(),
            if trusted { &self.ca } else { &self.rogue_ca },
            self.key_seeds(index),
            "sweet-gossip-member",
            &format!("node-{index}"),
            Timestamp::ZERO,
            Timestamp(u64::MAX / 2),
        )
    }

    /// Node `index` with `policy`; `trusted` picks the certificate's authority. Trusted nodes
    /// derive their credentials from the factory when they first need them.
    pub(super) fn node(self: &Arc<Self>, index: u32, policy: SimPolicy, trusted: bool) -> Node {
        let keys = if trusted {
            Keys::Derived(Arc::clone(self) as Arc<dyn CredentialSource>)
        } else {
            self.credentials_of(index, false).into()
        };
        let cfg = NodeConfig {
            address: PeerId(u64::from(index)),
            keys,
            trust: Arc::clone(&self.trust),
            crypto: Arc::clone(&self.crypto),
            limits: Arc::clone(&self.limits),
            sharing: Arc::clone(&self.sharing),
        };
        let rng = crate::rng::node_stream(self.seed, self.replicate, index);
        Node::new(cfg, Box::new(policy), rng)
    }
}

/// Credentials of the trusted authority's members, by node index.
impl CredentialSource for Factory {
    fn account_seed(&self, address: PeerId) -> [u8; 32] {
        let index = u32::try_from(address.0).expect("invariant: sim addresses are node indices");
        self.key_seeds(index)[1]
    }

    fn credentials(&self, address: PeerId) -> Credentials {
        let index = u32::try_from(address.0).expect("invariant: sim addresses are node indices");
        self.credentials_of(index, true)
    }
}

/// How to build honest node `i` on its first input. A node's keys, RNG and policy depend on
/// its index alone, so when it is built changes nothing it does; a world built this way holds
/// only the nodes that traffic reached, which matters most mid-wave at a million nodes.
pub(super) struct Blueprint {
    pub(super) factory: Arc<Factory>,
    policy: Arc<SharedPolicy>,
    /// Per node fee jitter, in index order; empty when the scenario has none.
    jitter: Vec<u64>,
    /// Service areas of gig workers.
    areas: BTreeMap<u32, Geohash>,
    /// The peers every node starts with (the graph after the adversary's rewiring).
    peers: Adjacency,
    /// Traced runs with reputation fanout: where the nodes built here (honest and corrupted)
    /// log their score changes.
    pub(super) score_log: Option<ScoreLog>,
}

impl Blueprint {
    /// The blueprint of the `n` honest nodes of `s` and their roles.
    pub(super) fn new(
        s: &Scenario,
        replicate: u32,
        n: u32,
        factory: Arc<Factory>,
    ) -> (Blueprint, Vec<Role>) {
        let (roles, areas) = roles(s, replicate, n);
        let mut fee_rng = stream(s.seed, replicate, Concern::Roles);
        let jitter = if s.policy.fee_jitter_sat > 0 {
            (0..n)
                .map(|_| below(&mut fee_rng, s.policy.fee_jitter_sat + 1))
                .collect()
        } else {
            Vec::new()
        };
        let areas = areas
            .into_iter()
            .enumerate()
            .filter_map(|(i, a)| Some((i as u32, a?)))
            .collect();
        let blueprint = Blueprint {
            factory,
            policy: Arc::new(shared_policy(s, fanout_rule(s, n))),
            jitter,
            areas,
            peers: Adjacency::default(),
            score_log: None,
        };
        (blueprint, roles)
    }

    /// Fixes the peers nodes start with to those of `graph`.
    pub(super) fn freeze_peers(&mut self, graph: &PeerGraph) {
        self.peers = Adjacency::freeze(graph);
    }

    /// The peers node `i` starts with, sorted.
    pub(super) fn peers(&self, i: u32) -> &[u32] {
        self.peers.peers(i)
    }

    /// Connects `node`, node `i`, to the peers it starts with.
    pub(super) fn add_peers(&self, node: &mut Node, i: u32) {
        for &b in self.peers.peers(i) {
            node.add_peer(PeerId(u64::from(b)), self.factory.keys.get(b as usize));
        }
    }

    /// Honest node `i`, without peers.
    pub(super) fn node(&self, i: u32) -> Node {
        let jitter = self.jitter.get(i as usize).copied().unwrap_or(0);
        let fee = self.policy.params.routing_fee_sat + jitter;
        let mut policy = SimPolicy::new(Arc::clone(&self.policy), fee, self.areas.get(&i).cloned());
        policy.log = self.score_log.as_ref().map(|log| (i, Arc::clone(log)));
        self.factory.node(i, policy, true)
    }

    /// Makes nodes built from now on log their score changes, if they fan out by
    /// reputation (other rules keep no score that matters).
    pub(super) fn log_scores(&mut self) {
        if matches!(self.policy.fanout, FanoutRule::Reputation { .. }) {
            self.score_log = Some(ScoreLog::default());
        }
    }
}

/// Builds `count` Sybil nodes with indices `first..first + count`: plain gossipers with the
/// honest protocol numbers (no fee jitter), flooding to every peer to maximise their reach, with
/// certificates of the trusted authority when `trusted`, else of the rogue one.
pub(super) fn build_sybils(
    s: &Scenario,
    factory: &Arc<Factory>,
    first: u32,
    count: u32,
    trusted: bool,
) -> Vec<SimNode> {
    let shared = Arc::new(shared_policy(s, FanoutRule::Flood));
    (first..first.saturating_add(count))
        .map(|i| {
            let fee = shared.params.routing_fee_sat;
            let policy = SimPolicy::new(Arc::clone(&shared), fee, None);
            SimNode::new(Some(factory.node(i, policy, trusted)), Role::Gossiper)
        })
        .collect()
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
