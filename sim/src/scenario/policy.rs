//! Policy, network, device, payment and attack sections of a scenario.

use serde::{Deserialize, Serialize};

/// How many peers an honest node forwards a broadcast to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FanoutPolicy {
    /// Every peer.
    #[default]
    Flood,
    /// `fanout_k` peers chosen uniformly at random.
    Fixed,
    /// Each peer independently with probability `fanout_p`.
    Probabilistic,
    /// `ceil(ln n + fanout_c)` random peers (at least 1), n = known network size.
    Logarithmic,
    /// Between `adaptive_k_min` and `adaptive_k_max` peers, tuned so the
    /// infection saturates within `adaptive_target_rounds` rounds.
    Adaptive,
    /// `fanout_k` peers, best reputation first, a `reputation_explore` share
    /// of picks uniformly at random.
    Reputation,
}

/// Which reply route a customer pays for when several arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteChoice {
    /// Lowest total of middlemen's invoices.
    #[default]
    Cheapest,
    /// Fewest hops.
    Shortest,
    /// First reply received.
    First,
}

/// The honest nodes' protocol policy (`[policy]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicySpec {
    /// Fanout policy: "flood", "fixed", "probabilistic", "logarithmic",
    /// "adaptive" or "reputation" (default "flood").
    pub fanout: FanoutPolicy,
    /// Peers per forward for "fixed" and "reputation" (default 4, at least 1).
    pub fanout_k: u32,
    /// Per-peer forwarding probability for "probabilistic" (default 0.5, in [0, 1]).
    pub fanout_p: f64,
    /// Additive constant c of "logarithmic": ceil(ln n + c) peers (default 1.0).
    pub fanout_c: f64,
    /// "adaptive": rounds by which the infection should saturate (default 6, at least 1).
    pub adaptive_target_rounds: u32,
    /// "adaptive": fewest peers per forward (default 1, at least 1).
    pub adaptive_k_min: u32,
    /// "adaptive": most peers per forward (default 8, at least `adaptive_k_min`).
    pub adaptive_k_max: u32,
    /// "reputation": share of picks made uniformly at random (default 0.1, in [0, 1]).
    pub reputation_explore: f64,
    /// Times a node forwards the same payload id (default 1, at least 1).
    pub multibroadcast: u32,
    /// Times a gig worker replies to the same topic over different routes
    /// (default 3, at least 1).
    pub reply_routes_max: u32,
    /// Base routing fee each middleman invoices, in satoshi (default 10).
    pub routing_fee_sat: u64,
    /// Each node's fee is `routing_fee_sat` plus a uniform draw from
    /// 0..=fee_jitter_sat satoshi, fixed per node (default 0).
    pub fee_jitter_sat: u64,
    /// Proof-of-work difficulty a node asks of others, as the expected number
    /// of hashes (default 256.0, at least 1).
    pub pow_difficulty: f64,
    /// Topics whose pickup geohash is finer than this precision (1..=12) are
    /// refused (default 8).
    pub geohash_precision_max: u8,
    /// Which reply route the customer pays: "cheapest", "shortest" or "first"
    /// (default "cheapest").
    pub route_choice: RouteChoice,
    /// Messages whose timestamp is further than this from the receiver's
    /// clock, in seconds, are dropped (default 30.0, > 0).
    pub timestamp_tolerance_s: f64,
    /// Seconds a node's broadcast conditions (PoW ask, fee) stay valid
    /// (default 10.0, > 0).
    pub conditions_ttl_s: f64,
    /// Seconds an originator waits for conditions before it forgets an ask
    /// (default 1.0, > 0); conditions arriving later are rejected as
    /// unexpected. A peer that already has the topic never answers an ask.
    pub ask_timeout_s: f64,
}

impl Default for PolicySpec {
    fn default() -> Self {
        PolicySpec {
            fanout: FanoutPolicy::Flood,
            fanout_k: 4,
            fanout_p: 0.5,
            fanout_c: 1.0,
            adaptive_target_rounds: 6,
            adaptive_k_min: 1,
            adaptive_k_max: 8,
            reputation_explore: 0.1,
            multibroadcast: 1,
            reply_routes_max: 3,
            routing_fee_sat: 10,
            fee_jitter_sat: 0,
            pow_difficulty: 256.0,
            geohash_precision_max: 8,
            route_choice: RouteChoice::Cheapest,
            timestamp_tolerance_s: 30.0,
            conditions_ttl_s: 10.0,
            ask_timeout_s: 1.0,
        }
    }
}

/// Distribution of one-way link delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatencyModel {
    /// Always `one_way_delay_ms_mean`.
    Constant,
    /// Uniform on [min, 2 * mean - min], so the mean is `one_way_delay_ms_mean`.
    Uniform,
    /// `one_way_delay_ms_min` plus an exponential with the remaining mean.
    Exponential,
    /// `one_way_delay_ms_min` plus a log-normal of shape `lognormal_sigma`
    /// with the remaining mean.
    #[default]
    Lognormal,
}

/// Distribution of a mobile node's online and offline period lengths; every model has the
/// configured mean (`online_mean_s` / `offline_mean_s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionModel {
    /// Exponential (memoryless).
    #[default]
    Exponential,
    /// Pareto of shape `pareto_shape` (heavy-tailed).
    Pareto,
    /// Weibull of shape `weibull_shape` (heavy-tailed below shape 1).
    Weibull,
}

/// Which frames a lossy network loses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossModel {
    /// Every frame is lost independently with `packet_loss_probability`.
    #[default]
    Frame,
    /// Each link has its own loss rate, drawn once per run with mean
    /// `packet_loss_probability`; its frames are lost independently at that rate.
    Link,
}

/// Links between nodes (`[network]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    /// Delay distribution: "constant", "uniform", "exponential" or
    /// "lognormal" (default "lognormal").
    pub latency: LatencyModel,
    /// Mean one-way delay of a message, milliseconds (default 50.0, at least 0).
    pub one_way_delay_ms_mean: f64,
    /// Smallest one-way delay, milliseconds (default 5.0, in [0, mean]).
    pub one_way_delay_ms_min: f64,
    /// Shape of the log-normal delay (default 0.5, at least 0).
    pub lognormal_sigma: f64,
    /// Probability that a message is lost (default 0.0, in [0, 1]).
    pub packet_loss_probability: f64,
    /// Share of nodes that are mobile and alternate offline and online
    /// periods (default 0.0, in [0, 1]).
    pub churn_fraction: f64,
    /// Mean length of a mobile node's offline period, seconds (default 10.0, > 0).
    pub offline_mean_s: f64,
    /// Mean length of a mobile node's online period, seconds (default 30.0, > 0).
    pub online_mean_s: f64,
    /// Per-node uplink bandwidth, kilobits per second; frames queue for the
    /// uplink in send order; 0 = unlimited (default 0).
    pub bandwidth_kbps: u32,
    /// Online and offline period lengths: "exponential", "pareto" or
    /// "weibull" (default "exponential").
    pub session_lengths: SessionModel,
    /// Shape of "pareto" session lengths (default 1.5, greater than 1).
    pub pareto_shape: f64,
    /// Shape of "weibull" session lengths (default 0.5, at least 0.1).
    pub weibull_shape: f64,
    /// Mean of the exponential per-frame jitter added to a link's base
    /// latency, milliseconds (default 2.0, at least 0).
    pub jitter_ms_mean: f64,
    /// Whether frames on one link may overtake each other; false keeps every
    /// directed link FIFO (default false).
    pub reordering: bool,
    /// Loss model: "frame" or "link" (default "frame").
    pub loss: LossModel,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            latency: LatencyModel::Lognormal,
            one_way_delay_ms_mean: 50.0,
            one_way_delay_ms_min: 5.0,
            lognormal_sigma: 0.5,
            packet_loss_probability: 0.0,
            churn_fraction: 0.0,
            offline_mean_s: 10.0,
            online_mean_s: 30.0,
            bandwidth_kbps: 0,
            session_lengths: SessionModel::Exponential,
            pareto_shape: 1.5,
            weibull_shape: 0.5,
            jitter_ms_mean: 2.0,
            reordering: false,
            loss: LossModel::Frame,
        }
    }
}

/// Speeds of a node's device; they turn computation into virtual time
/// (`[device]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Device {
    /// Proof-of-work hashes per second (default 1.0e6, > 0).
    pub hash_rate_per_s: f64,
    /// Microseconds to make one signature (default 25.0, at least 0).
    pub sign_us: f64,
    /// Microseconds to verify one signature (default 60.0, at least 0).
    pub verify_us: f64,
    /// Microseconds to seal (public-key encrypt) one onion layer (default 90.0, at least 0).
    pub seal_us: f64,
    /// Microseconds to open one sealed layer (default 80.0, at least 0).
    pub open_us: f64,
    /// Microseconds per symmetric encryption or decryption (default 2.0, at least 0).
    pub sym_us: f64,
    /// Microseconds per hash outside proof of work (default 1.0, at least 0).
    pub hash_us: f64,
}

impl Default for Device {
    fn default() -> Self {
        Device {
            hash_rate_per_s: 1.0e6,
            sign_us: 25.0,
            verify_us: 60.0,
            seal_us: 90.0,
            open_us: 80.0,
            sym_us: 2.0,
            hash_us: 1.0,
        }
    }
}

/// The payment layer (`[payments]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Payments {
    /// Starting balance of every node, satoshi (default 1000000).
    pub balance_sat: u64,
    /// Each invoice payment fails independently with this probability
    /// (default 0.0, in [0, 1]).
    pub failure_probability: f64,
    /// "ledger" (default) or "lightning" (LDK routes every invoice over a channel graph,
    /// `[payments.lightning]`; `balance_sat` and `failure_probability` are then unused).
    #[serde(skip_serializing_if = "crate::scenario::lightning::PaymentModel::is_ledger")]
    pub model: crate::scenario::lightning::PaymentModel,
    /// The channel graph and router of the "lightning" model; filled with its defaults when
    /// that model is chosen without the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lightning: Option<crate::scenario::lightning::LightningSpec>,
}

impl Default for Payments {
    fn default() -> Self {
        Payments {
            balance_sat: 1_000_000,
            failure_probability: 0.0,
            model: crate::scenario::lightning::PaymentModel::Ledger,
            lightning: None,
        }
    }
}

/// The honest nodes' defences (`[protocol]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Protocol {
    /// Run the hardened protocol (default true): reply deduplication, replies carried only for
    /// topics carried and verified at every middleman, per-peer conditions quota, throttling of
    /// junk cryptography, per-replier route cap and per-hop fee cap (`docs/protocol.md`,
    /// "Hardening"). false runs the paper's protocol as written (`Limits::unhardened`), for
    /// contrast studies of what each defence buys.
    pub hardening: bool,
    /// Layers of the hardened protocol's padded onion (default 32, in [4, 64]): every onion is
    /// `onion_hops` × 88 bytes and a middleman forwards a topic only while its route is
    /// shorter, so it trades bytes per frame against the deepest reachable hop. Counted by
    /// `topics_stopped_onion_full`; ignored when `hardening = false` (the paper's onion grows).
    #[serde(skip_serializing_if = "is_default_onion_hops")]
    pub onion_hops: u32,
}

/// [`sweet_gossip::ONION_HOPS`] as a scenario value.
const ONION_HOPS: u32 = sweet_gossip::ONION_HOPS as u32;

fn is_default_onion_hops(v: &u32) -> bool {
    *v == ONION_HOPS
}

impl Default for Protocol {
    fn default() -> Self {
        Protocol {
            hardening: true,
            onion_hops: ONION_HOPS,
        }
    }
}

impl Protocol {
    /// Whether every key is at its default. A default `[protocol]` section is left out of
    /// resolved files, so scenarios written before it existed keep their digests.
    pub fn is_default(&self) -> bool {
        *self == Protocol::default()
    }
}

/// Kind of adversary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttackKind {
    /// No adversary.
    #[default]
    None,
    /// Corrupted nodes drop everything they should forward.
    Silent,
    /// Corrupted nodes originate topics of their own at `chatterbox_rate_per_s`, paying the
    /// proof of work their peers demand (optionally also replaying others' topics).
    Chatterbox,
    /// Sybil identities join and drop what they receive.
    Sybil,
    /// Sybils surround node `victim` to cut it off.
    Eclipse,
    /// Sybils drop topics sent by node `victim`.
    Censorship,
    /// Sybils are present from the start and crowd new nodes' peer lists; they strike at
    /// time 0, before any reputation exists (`start_s` is ignored).
    ColdBoot,
    /// Sybils connect at `start_s` and stop forwarding at once.
    Flash,
    /// Sybils behave honestly, then stop forwarding at `start_s`.
    CovertFlash,
    /// Corrupted middlemen invoice `inflate_factor` times their fee.
    InflateInvoice,
    /// Corrupted middlemen invoice honestly but never settle (withhold the preimage) when
    /// a sender pays them, so the payment fails and the sender falls back to another route.
    WithholdInvoice,
    /// Corrupted middlemen resend every reply they carry `replay_copies` more times and never
    /// settle their own invoices, so the sender's recovery (paper 3.9) retries their copies.
    ReplyReplay,
    /// Corrupted certified nodes send each honest peer `flood_rate_per_s` asks per second for
    /// fresh payload ids, never paying proof of work, to fill its conditions table.
    AskFlood,
    /// Corrupted originators replay each proof-of-work broadcast they send under
    /// `replay_copies` fresh asks to the same middleman, reusing one proof of work.
    PowReuse,
}

impl AttackKind {
    /// True for kinds that add Sybil identities to the graph.
    pub fn uses_sybils(self) -> bool {
        matches!(
            self,
            AttackKind::Sybil
                | AttackKind::Eclipse
                | AttackKind::Censorship
                | AttackKind::ColdBoot
                | AttackKind::Flash
                | AttackKind::CovertFlash
        )
    }

    /// True for kinds that corrupt a share of the existing nodes.
    pub fn corrupts_nodes(self) -> bool {
        matches!(
            self,
            AttackKind::Silent
                | AttackKind::Chatterbox
                | AttackKind::InflateInvoice
                | AttackKind::WithholdInvoice
                | AttackKind::ReplyReplay
                | AttackKind::AskFlood
                | AttackKind::PowReuse
        )
    }
}

/// Where Sybils attach to the honest graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attach {
    /// To peers chosen uniformly at random.
    #[default]
    Random,
    /// To the victim and the best-connected nodes.
    Targeted,
}

/// The adversary (`[attack]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Attack {
    /// Attack kind (default "none"); see `sgsim list`.
    pub kind: AttackKind,
    /// Attacker share (default 0.0). For "silent", "chatterbox",
    /// "inflate_invoice" and "withhold_invoice": the fraction of existing
    /// nodes corrupted, in [0, 1], taken from the plain gossipers. For the
    /// Sybil-based kinds: Sybil identities added, as a multiple of the number
    /// of honest nodes, in [0, 1000].
    pub share: f64,
    /// "random" or "targeted" attachment of Sybils (default "random").
    pub attach: Attach,
    /// Honest peers each Sybil connects to (default 8, at least 1).
    pub sybil_degree: u32,
    /// Sybils hold certificates from the trusted authority (default true).
    pub trusted_certificates: bool,
    /// Topics per second each chatterbox tries to originate from `start_s` on (default 5.0,
    /// at least 0). A try is skipped while the chatterbox's device is still busy.
    pub chatterbox_rate_per_s: f64,
    /// Chatterboxes also replay topics they were offered, at the same rate (default false).
    pub chatterbox_replay: bool,
    /// Node index of the eclipse victim or of the censored sender (default 0,
    /// below the node count).
    pub victim: u32,
    /// Virtual second the attack strikes (default 10.0, in [0, duration_s)). Before it
    /// every adversarial node behaves honestly (Sybils relay by flooding and earn), so honest
    /// nodes warm up their reputation; "flash" Sybils connect only then. Ignored by
    /// "cold_boot", which strikes at 0.
    pub start_s: f64,
    /// "inflate_invoice": factor applied to the honest fee (default 2.0, at least 1).
    pub inflate_factor: f64,
    /// What creating one Sybil identity costs the attacker, in satoshis (default 0.0, at
    /// least 0); reported as `attacker_identity_cost_sat`.
    pub sybil_cost_sat: f64,
    /// "reply_replay": extra copies of each reply a corrupted middleman carries; "pow_reuse":
    /// replays of each solved broadcast to the same middleman (default 3, in [1, 1000]).
    #[serde(skip_serializing_if = "is_default_copies")]
    pub replay_copies: u32,
    /// "ask_flood": asks per second each flooder sends to each of its honest peers (default
    /// 100.0, > 0).
    #[serde(skip_serializing_if = "is_default_flood_rate")]
    pub flood_rate_per_s: f64,
    /// Virtual second at which the trusted authority revokes every adversarial node that holds
    /// one of its certificates and every honest node installs the new revocation list (in
    /// [0, duration_s); default: never).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoke_at_s: Option<f64>,
}

const REPLAY_COPIES: u32 = 3;
const FLOOD_RATE_PER_S: f64 = 100.0;

/// Keys left out of resolved files while at their default (written as in TOML), so the
/// digests of scenarios written before the keys existed do not change.
#[cfg(test)]
pub(crate) const UNWRITTEN_DEFAULTS: &[(&str, &str)] = &[
    ("protocol.hardening", "true"),
    ("protocol.onion_hops", "32"),
    ("attack.replay_copies", "3"),
    ("attack.flood_rate_per_s", "100.0"),
];

fn is_default_copies(v: &u32) -> bool {
    *v == REPLAY_COPIES
}

fn is_default_flood_rate(v: &f64) -> bool {
    *v == FLOOD_RATE_PER_S
}

impl Default for Attack {
    fn default() -> Self {
        Attack {
            kind: AttackKind::None,
            share: 0.0,
            attach: Attach::Random,
            sybil_degree: 8,
            trusted_certificates: true,
            chatterbox_rate_per_s: 5.0,
            chatterbox_replay: false,
            victim: 0,
            start_s: 10.0,
            inflate_factor: 2.0,
            sybil_cost_sat: 0.0,
            replay_copies: REPLAY_COPIES,
            flood_rate_per_s: FLOOD_RATE_PER_S,
            revoke_at_s: None,
        }
    }
}

impl Attack {
    /// The virtual second the attack strikes: 0 for "cold_boot" (reputation starts empty),
    /// `start_s` for every other kind.
    pub fn strike_s(&self) -> f64 {
        if self.kind == AttackKind::ColdBoot {
            0.0
        } else {
            self.start_s
        }
    }

    /// Existing nodes corrupted in a graph of `nodes` nodes (0 unless the kind
    /// corrupts nodes): `share * nodes` rounded to the nearest whole number.
    pub fn corrupted(&self, nodes: u32) -> u32 {
        if self.kind.corrupts_nodes() {
            round_share(self.share, nodes)
        } else {
            0
        }
    }

    /// Sybil identities added next to `honest_nodes` honest nodes (0 unless
    /// the kind uses Sybils): `share * honest_nodes` rounded.
    pub fn sybils(&self, honest_nodes: u32) -> u32 {
        if self.kind.uses_sybils() {
            round_share(self.share, honest_nodes)
        } else {
            0
        }
    }
}

fn round_share(share: f64, nodes: u32) -> u32 {
    let exact = (share * f64::from(nodes)).round();
    if exact.is_nan() || exact <= 0.0 {
        0
    } else if exact >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        exact as u32
    }
}
