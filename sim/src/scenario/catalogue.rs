//! What `sgsim list` prints: every named choice of a scenario file and the
//! keys that tune it.

use serde::Serialize;

/// One key that tunes a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CatalogueParam {
    /// Dotted key, such as `policy.fanout_k`.
    pub key: &'static str,
    /// Default value, written as in TOML (strings quoted).
    pub default: &'static str,
    /// Meaning and unit.
    pub meaning: &'static str,
}

/// One named choice, such as the `fixed` fanout policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CatalogueEntry {
    /// The value to write in the file.
    pub name: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// The keys it reads.
    pub params: &'static [CatalogueParam],
}

/// All choices of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CatalogueGroup {
    /// Plural title, such as "fanout policies".
    pub title: &'static str,
    /// The dotted key that selects among the entries, such as `policy.fanout`.
    pub key: &'static str,
    /// The key's default value (an entry name).
    pub default: &'static str,
    /// The choices.
    pub entries: &'static [CatalogueEntry],
}

const fn p(key: &'static str, default: &'static str, meaning: &'static str) -> CatalogueParam {
    CatalogueParam {
        key,
        default,
        meaning,
    }
}

const fn e(
    name: &'static str,
    summary: &'static str,
    params: &'static [CatalogueParam],
) -> CatalogueEntry {
    CatalogueEntry {
        name,
        summary,
        params,
    }
}

const FANOUT_K: CatalogueParam = p("policy.fanout_k", "4", "peers per forward, at least 1");
const DELAY_MEAN: CatalogueParam = p(
    "network.one_way_delay_ms_mean",
    "50.0",
    "mean one-way delay, milliseconds",
);
const DELAY_MIN: CatalogueParam = p(
    "network.one_way_delay_ms_min",
    "5.0",
    "smallest one-way delay, milliseconds",
);
const JITTER: CatalogueParam = p(
    "network.jitter_ms_mean",
    "2.0",
    "mean exponential per-frame jitter on top of the link's base, milliseconds",
);
const REORDERING: CatalogueParam = p(
    "network.reordering",
    "false",
    "let frames on one link overtake each other (false: FIFO per directed link)",
);
const LOSS_P: CatalogueParam = p(
    "network.packet_loss_probability",
    "0.0",
    "mean probability that a frame is lost, in [0, 1]",
);
const SHARE_CORRUPT: CatalogueParam = p(
    "attack.share",
    "0.0",
    "fraction of existing nodes corrupted, in [0, 1]",
);
const START: CatalogueParam = p(
    "attack.start_s",
    "10.0",
    "virtual second the attack strikes; adversaries behave honestly before it",
);
const REPLAY_COPIES: CatalogueParam = p(
    "attack.replay_copies",
    "3",
    "reply_replay: copies of each reply; pow_reuse: replays of each broadcast, in [1, 1000]",
);
const HARDENING: CatalogueParam = p(
    "protocol.hardening",
    "true",
    "false runs the unhardened protocol (Limits::unhardened), for contrast",
);
const SYBIL_COST: CatalogueParam = p(
    "attack.sybil_cost_sat",
    "0.0",
    "cost of creating one Sybil identity, satoshis",
);
/// Sybil keys without `start_s` (cold boot strikes at 0).
const SYBIL_COLD: &[CatalogueParam] = &[
    p(
        "attack.share",
        "0.0",
        "Sybils added, as a multiple of the honest nodes",
    ),
    p("attack.attach", "\"random\"", "\"random\" or \"targeted\""),
    p("attack.sybil_degree", "8", "honest peers per Sybil"),
    p(
        "attack.trusted_certificates",
        "true",
        "Sybils hold trusted certificates",
    ),
    SYBIL_COST,
];
const SYBIL: &[CatalogueParam] = &[
    SYBIL_COLD[0],
    SYBIL_COLD[1],
    SYBIL_COLD[2],
    SYBIL_COLD[3],
    SYBIL_COST,
    START,
];
const SYBIL_VICTIM: &[CatalogueParam] = &[
    SYBIL_COLD[0],
    SYBIL_COLD[1],
    SYBIL_COLD[2],
    SYBIL_COLD[3],
    SYBIL_COST,
    START,
    p("attack.victim", "0", "node index of the victim"),
];

static CATALOGUE: &[CatalogueGroup] = &[
    CatalogueGroup {
        title: "fanout policies",
        key: "policy.fanout",
        default: "flood",
        entries: &[
            e("flood", "forward to every peer", &[]),
            e("fixed", "forward to k random peers", &[FANOUT_K]),
            e(
                "probabilistic",
                "forward to each peer with probability p",
                &[p(
                    "policy.fanout_p",
                    "0.5",
                    "per-peer probability, in [0, 1]",
                )],
            ),
            e(
                "logarithmic",
                "forward to ceil(ln n + c) random peers",
                &[p("policy.fanout_c", "1.0", "additive constant c")],
            ),
            e(
                "adaptive",
                "tune the fanout so the infection saturates in a target number of rounds",
                &[
                    p("policy.adaptive_target_rounds", "6", "rounds to saturation"),
                    p("policy.adaptive_k_min", "1", "fewest peers per forward"),
                    p("policy.adaptive_k_max", "8", "most peers per forward"),
                ],
            ),
            e(
                "reputation",
                "forward to the k best-reputed peers, exploring at random sometimes",
                &[
                    FANOUT_K,
                    p(
                        "policy.reputation_explore",
                        "0.1",
                        "share of picks made at random, in [0, 1]",
                    ),
                ],
            ),
        ],
    },
    CatalogueGroup {
        title: "latency models",
        key: "network.latency",
        default: "lognormal",
        entries: &[
            e(
                "constant",
                "every link's base delay is the mean",
                &[DELAY_MEAN, JITTER, REORDERING],
            ),
            e(
                "uniform",
                "link base delays uniform on [min, 2 mean - min]",
                &[DELAY_MEAN, DELAY_MIN, JITTER, REORDERING],
            ),
            e(
                "exponential",
                "link base delays: min plus an exponential",
                &[DELAY_MEAN, DELAY_MIN, JITTER, REORDERING],
            ),
            e(
                "lognormal",
                "link base delays: min plus a log-normal",
                &[
                    DELAY_MEAN,
                    DELAY_MIN,
                    p("network.lognormal_sigma", "0.5", "log-normal shape"),
                    JITTER,
                    REORDERING,
                ],
            ),
        ],
    },
    CatalogueGroup {
        title: "session length models",
        key: "network.session_lengths",
        default: "exponential",
        entries: &[
            e("exponential", "memoryless online and offline periods", &[]),
            e(
                "pareto",
                "heavy-tailed periods with the configured means",
                &[p(
                    "network.pareto_shape",
                    "1.5",
                    "Pareto shape, greater than 1",
                )],
            ),
            e(
                "weibull",
                "Weibull periods with the configured means (heavy-tailed below shape 1)",
                &[p(
                    "network.weibull_shape",
                    "0.5",
                    "Weibull shape, at least 0.1",
                )],
            ),
        ],
    },
    CatalogueGroup {
        title: "loss models",
        key: "network.loss",
        default: "frame",
        entries: &[
            e(
                "frame",
                "every frame is lost with packet_loss_probability",
                &[LOSS_P],
            ),
            e(
                "link",
                "each link draws its loss rate once per run, mean packet_loss_probability",
                &[LOSS_P],
            ),
        ],
    },
    CatalogueGroup {
        title: "attacks",
        key: "attack.kind",
        default: "none",
        entries: &[
            e("none", "no adversary", &[]),
            e(
                "silent",
                "corrupted nodes forward nothing",
                &[SHARE_CORRUPT, START],
            ),
            e(
                "chatterbox",
                "corrupted nodes originate topics of their own, paying proof of work",
                &[
                    SHARE_CORRUPT,
                    START,
                    p(
                        "attack.chatterbox_rate_per_s",
                        "5.0",
                        "topics per second each chatterbox tries to originate",
                    ),
                    p(
                        "attack.chatterbox_replay",
                        "false",
                        "also replay topics it was offered, at the same rate",
                    ),
                ],
            ),
            e("sybil", "Sybil identities join and drop traffic", SYBIL),
            e("eclipse", "Sybils surround the victim", SYBIL_VICTIM),
            e(
                "censorship",
                "Sybils drop the victim's topics",
                SYBIL_VICTIM,
            ),
            e(
                "cold_boot",
                "Sybils crowd the peer lists of a network as it boots; strike at 0",
                SYBIL_COLD,
            ),
            e(
                "flash",
                "Sybils connect at start_s and stop forwarding at once",
                SYBIL,
            ),
            e(
                "covert_flash",
                "Sybils behave until start_s, then stop forwarding",
                SYBIL,
            ),
            e(
                "inflate_invoice",
                "corrupted middlemen overcharge",
                &[
                    SHARE_CORRUPT,
                    START,
                    p(
                        "attack.inflate_factor",
                        "2.0",
                        "factor on the honest fee, at least 1",
                    ),
                ],
            ),
            e(
                "withhold_invoice",
                "corrupted middlemen never settle their invoices when paid",
                &[SHARE_CORRUPT, START],
            ),
            e(
                "reply_replay",
                "corrupted middlemen resend every reply they carry and never settle their invoices",
                &[SHARE_CORRUPT, START, REPLAY_COPIES, HARDENING],
            ),
            e(
                "ask_flood",
                "corrupted nodes ask every honest peer to carry fresh payload ids, never paying",
                &[
                    SHARE_CORRUPT,
                    START,
                    p(
                        "attack.flood_rate_per_s",
                        "100.0",
                        "asks per second each flooder sends each honest peer",
                    ),
                    HARDENING,
                ],
            ),
            e(
                "pow_reuse",
                "corrupted originators replay each solved broadcast under fresh asks",
                &[
                    SHARE_CORRUPT,
                    START,
                    p(
                        "attack.chatterbox_rate_per_s",
                        "5.0",
                        "topics per second each attacker tries to originate",
                    ),
                    REPLAY_COPIES,
                    HARDENING,
                ],
            ),
        ],
    },
    CatalogueGroup {
        title: "route choices",
        key: "policy.route_choice",
        default: "cheapest",
        entries: &[
            e("cheapest", "pay the reply route with the lowest fees", &[]),
            e("shortest", "pay the reply route with the fewest hops", &[]),
            e("first", "pay the first reply route received", &[]),
        ],
    },
    CatalogueGroup {
        title: "arrivals",
        key: "workload.arrivals",
        default: "poisson",
        entries: &[
            e(
                "poisson",
                "topics arrive as a Poisson process over the whole network",
                &[
                    p("workload.rate_per_s", "0.2", "topics per virtual second"),
                    p("workload.start_s", "1.0", "first possible arrival, seconds"),
                    p("workload.topics_max", "5", "most topics per run"),
                ],
            ),
            e(
                "fixed",
                "topics are published at listed times",
                &[
                    p(
                        "workload.times_s",
                        "[]",
                        "arrival times, seconds, ascending",
                    ),
                    p("workload.topics_max", "5", "most topics per run"),
                ],
            ),
        ],
    },
    CatalogueGroup {
        title: "Sybil attachments",
        key: "attack.attach",
        default: "random",
        entries: &[
            e("random", "Sybils connect to random honest nodes", &[]),
            e(
                "targeted",
                "Sybils connect to the victim and the best-connected nodes, spread over them",
                &[],
            ),
        ],
    },
    CatalogueGroup {
        title: "scale modes",
        key: "scale.mode",
        default: "real",
        entries: &[
            e("real", "real cryptography and proof of work", &[]),
            e(
                "model",
                "cryptography and proof of work replaced by faithful models",
                &[],
            ),
        ],
    },
];

/// Every named choice of a scenario file: fanout policies, latency models, session length
/// models, loss models, attacks, route choices, arrivals, Sybil attachments and scale modes,
/// each with the keys it reads and their defaults.
pub fn catalogue() -> &'static [CatalogueGroup] {
    CATALOGUE
}
