//! Building a [`Net`]: nodes, links, keys and the driver's knobs.

use super::net::Net;
use super::{key_seed, test_ca};
use crate::{
    CertificateAuthority, CredentialSource, Credentials, CryptoProvider, Duration, KeyDirectory,
    Keys, Limits, Node, NodeConfig, PeerId, Policy, PublicKey, RealCrypto, RequestPool, Sharing,
    Timestamp, TrustStore,
};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha12Rng;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A credential source that always gives the same credentials, to test derived keys.
struct Fixed(Credentials);

impl CredentialSource for Fixed {
    fn account_seed(&self, _: PeerId) -> [u8; 32] {
        *self.0.account.seed()
    }
    fn credentials(&self, _: PeerId) -> Credentials {
        self.0.clone()
    }
}

/// Settings of a [`Net`], set with chained setters and finished by [`NetBuilder::build`].
pub struct NetBuilder {
    policies: Vec<Box<dyn Policy>>,
    edges: Vec<(usize, usize)>,
    seed: u64,
    start: Timestamp,
    latency: Duration,
    pow_time: Duration,
    limits: Limits,
    authority: Option<(CertificateAuthority, TrustStore)>,
    shared: bool,
    eager_expiry: bool,
    crypto: Arc<dyn CryptoProvider>,
}

impl NetBuilder {
    /// Nodes `0..policies.len()` with these policies (index = node), no links, seed 0, start
    /// at 1 s, 10 ms links, 1 ms proofs of work, default limits, the [`test_ca`] authority.
    pub fn new(policies: Vec<Box<dyn Policy>>) -> Self {
        Self {
            policies,
            edges: Vec::new(),
            seed: 0,
            start: Timestamp(1_000_000),
            latency: Duration::from_millis(10),
            pow_time: Duration::from_millis(1),
            limits: Limits::default(),
            authority: None,
            shared: false,
            eager_expiry: false,
            crypto: Arc::new(RealCrypto),
        }
    }

    /// Links each pair both ways.
    pub fn edges(mut self, edges: &[(usize, usize)]) -> Self {
        self.edges.extend_from_slice(edges);
        self
    }

    /// Links `0 - 1 - … - n-1`.
    pub fn line(self) -> Self {
        let edges: Vec<_> = (1..self.policies.len()).map(|i| (i - 1, i)).collect();
        self.edges(&edges)
    }

    /// The seed node RNGs derive from ([`Net::rng_seed`]).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The virtual time before the first event.
    pub fn start(mut self, now: Timestamp) -> Self {
        self.start = now;
        self
    }

    /// One-way delay of every frame and payment message (0: same instant, FIFO).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// How long a node's proof of work takes.
    pub fn pow_time(mut self, pow_time: Duration) -> Self {
        self.pow_time = pow_time;
        self
    }

    /// Limits of every node.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The authority issuing every certificate and the trust store every node uses.
    pub fn authority(mut self, ca: CertificateAuthority, trust: TrustStore) -> Self {
        self.authority = Some((ca, trust));
        self
    }

    /// Share one request pool and one key directory, and derive credentials on demand. The
    /// directory gives node 1 a wrong key, which its peers must override with the right one.
    pub fn shared(mut self) -> Self {
        self.shared = true;
        self
    }

    /// Call [`Node::expire`] on every node as soon as something expires, before each event.
    pub fn eager_expiry(mut self) -> Self {
        self.eager_expiry = true;
        self
    }

    /// The cryptography every node uses (default [`RealCrypto`]); keys come from it too.
    pub fn crypto(mut self, crypto: Arc<dyn CryptoProvider>) -> Self {
        self.crypto = crypto;
        self
    }

    /// The configuration of every node, in node order.
    fn configs(
        crypto: &Arc<dyn CryptoProvider>,
        n: usize,
        ca: &CertificateAuthority,
        trust: TrustStore,
        limits: Limits,
        sharing: &Arc<Sharing>,
        shared: bool,
    ) -> Vec<NodeConfig> {
        let (trust, limits) = (Arc::new(trust), Arc::new(limits));
        (0..n)
            .map(|i| {
                let credentials = Credentials::issue(
                    crypto.as_ref(),
                    ca,
                    [1, 2, 3].map(|tag| key_seed(i, tag)),
                    "member",
                    &format!("node {i}"),
                    Timestamp(0),
                    Timestamp(u64::MAX / 2),
                );
                NodeConfig {
                    address: PeerId(i as u64),
                    keys: if shared {
                        Keys::Derived(Arc::new(Fixed(credentials)))
                    } else {
                        credentials.into()
                    },
                    trust: Arc::clone(&trust),
                    crypto: Arc::clone(crypto),
                    limits: Arc::clone(&limits),
                    sharing: Arc::clone(sharing),
                }
            })
            .collect()
    }

    /// What the nodes share: nothing, or a pool and a directory with a wrong key for node 1.
    fn sharing(keys: &[PublicKey], shared: bool) -> Sharing {
        if !shared {
            return Sharing::default();
        }
        let mut directory: BTreeMap<PeerId, PublicKey> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (PeerId(i as u64), *k))
            .collect();
        directory.insert(PeerId(1), PublicKey([9; 32]));
        let keys: Arc<dyn KeyDirectory> = Arc::new(directory);
        Sharing {
            requests: Some(Arc::new(RequestPool::default())),
            keys: Some(keys),
        }
    }

    /// The network, idle at the start time.
    pub fn build(self) -> Net {
        let n = self.policies.len();
        let (ca, trust) = self.authority.unwrap_or_else(test_ca);
        let keys: Vec<PublicKey> = (0..n)
            .map(|i| self.crypto.keypair_from_seed(key_seed(i, 3)).public())
            .collect();
        let sharing = Arc::new(Self::sharing(&keys, self.shared));
        let configs = Self::configs(
            &self.crypto,
            n,
            &ca,
            trust,
            self.limits,
            &sharing,
            self.shared,
        );
        let mut nodes: Vec<Node> = configs
            .iter()
            .zip(self.policies)
            .enumerate()
            .map(|(i, (cfg, policy))| {
                let rng = ChaCha12Rng::seed_from_u64(Net::rng_seed(self.seed, i));
                Node::new(cfg.clone(), policy, rng)
            })
            .collect();
        for &(a, b) in &self.edges {
            nodes[a].add_peer(PeerId(b as u64), keys[b]);
            nodes[b].add_peer(PeerId(a as u64), keys[a]);
        }
        let mut net = Net::new_idle(nodes, configs, ca, sharing, self.start);
        net.latency = self.latency;
        net.pow_time = self.pow_time;
        net.eager_expiry = self.eager_expiry;
        net
    }
}
