//! Value checks run on every deserialized sweep point.

use std::fmt;

use super::schema::{graph_node_count, Amount, Arrivals, BBox, Scenario};
use crate::graph::GraphSpec;

/// A value that deserialized but is impossible, with the dotted key it is
/// attributed to (such as `policy.fanout_k`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Dotted key path, such as `policy.fanout_k`.
    pub key: String,
    /// What is wrong and what is allowed, such as `must be at least 1, got 0`.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key `{}`: {}", self.key, self.message)
    }
}

impl std::error::Error for Violation {}

type Check = Result<(), Violation>;

/// The topic bounding box: latitudes and longitudes in range, each minimum below its maximum.
fn validate_bbox(b: &BBox) -> Check {
    within(
        "workload.bbox.lat_min",
        b.lat_min,
        -90.0,
        90.0,
        "a latitude",
    )?;
    within(
        "workload.bbox.lat_max",
        b.lat_max,
        -90.0,
        90.0,
        "a latitude",
    )?;
    within(
        "workload.bbox.lon_min",
        b.lon_min,
        -180.0,
        180.0,
        "a longitude",
    )?;
    within(
        "workload.bbox.lon_max",
        b.lon_max,
        -180.0,
        180.0,
        "a longitude",
    )?;
    if b.lat_min >= b.lat_max {
        fail(
            "workload.bbox.lat_min",
            format!(
                "must be below lat_max ({:?}), got {:?}",
                b.lat_max, b.lat_min
            ),
        )?;
    }
    if b.lon_min >= b.lon_max {
        fail(
            "workload.bbox.lon_min",
            format!(
                "must be below lon_max ({:?}), got {:?}",
                b.lon_max, b.lon_min
            ),
        )?;
    }
    Ok(())
}

fn fail(key: &str, message: String) -> Check {
    Err(Violation {
        key: key.to_string(),
        message,
    })
}

fn finite(key: &str, v: f64) -> Check {
    if v.is_finite() {
        Ok(())
    } else {
        fail(key, format!("must be a finite number, got {v:?}"))
    }
}

fn at_least(key: &str, v: f64, min: f64) -> Check {
    finite(key, v)?;
    if v >= min {
        Ok(())
    } else {
        fail(key, format!("must be at least {min:?}, got {v:?}"))
    }
}

fn positive(key: &str, v: f64) -> Check {
    finite(key, v)?;
    if v > 0.0 {
        Ok(())
    } else {
        fail(key, format!("must be greater than 0, got {v:?}"))
    }
}

fn within(key: &str, v: f64, lo: f64, hi: f64, what: &str) -> Check {
    finite(key, v)?;
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        fail(
            key,
            format!("must be {what} in [{lo:?}, {hi:?}], got {v:?}"),
        )
    }
}

fn probability(key: &str, v: f64) -> Check {
    within(key, v, 0.0, 1.0, "a probability")
}

fn share(key: &str, v: f64) -> Check {
    within(key, v, 0.0, 1.0, "a fraction")
}

fn int_at_least(key: &str, v: u64, min: u64) -> Check {
    if v >= min {
        Ok(())
    } else {
        fail(key, format!("must be at least {min}, got {v}"))
    }
}

fn precision(key: &str, v: u8) -> Check {
    if (1..=12).contains(&v) {
        Ok(())
    } else {
        fail(
            key,
            format!("must be a geohash precision in 1..=12, got {v}"),
        )
    }
}

fn before_end(key: &str, v: f64, duration_s: f64) -> Check {
    at_least(key, v, 0.0)?;
    if v < duration_s {
        Ok(())
    } else {
        fail(
            key,
            format!("must be before the end of the run (duration_s = {duration_s:?}), got {v:?}"),
        )
    }
}

/// Longest scenario name: it names a folder.
pub const MAX_NAME_LEN: usize = 100;

/// Most replicates per sweep point.
pub const MAX_REPLICATES: u64 = 100_000;

/// Whether `name` is a plain folder name: 1 to [`MAX_NAME_LEN`] ASCII letters, digits, `-`,
/// `_` or `.`, starting with a letter or digit (so never `.`, `..`, absolute or a path).
pub fn is_slug(name: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    name.len() <= MAX_NAME_LEN
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(ok)
}

fn slug(key: &str, v: &str) -> Check {
    if is_slug(v) {
        Ok(())
    } else {
        fail(
            key,
            format!(
                "names the result folder, so it must be 1 to {MAX_NAME_LEN} ASCII letters, \
                 digits, '-', '_' or '.', starting with a letter or digit (no '/', '\\', \
                 spaces, '.' or '..'), got {v:?}"
            ),
        )
    }
}

/// Longest run, virtual seconds (about 116 days).
pub const MAX_DURATION_S: f64 = 1.0e7;
/// Most topics one run may publish (`workload.topics_max`, `workload.times_s`).
pub const MAX_TOPICS: u64 = 1_000_000;
/// Highest arrival rate, topics per virtual second.
pub const MAX_RATE_PER_S: f64 = 1.0e6;
/// Largest reply plaintext, bytes.
pub const MAX_MESSAGE_BYTES: u64 = 65_536;
/// Longest link delay or jitter mean, ms (one day).
pub const MAX_DELAY_MS: f64 = 86_400_000.0;
/// Largest log-normal sigma.
pub const MAX_SIGMA: f64 = 10.0;
/// Fastest device, hashes per second.
pub const MAX_HASH_RATE: f64 = 1.0e15;
/// Longest time span any key may give (deadlines, timeouts, session means, attack start),
/// seconds: the longest run, so every timer of a run fits virtual time (microseconds in a
/// `u64`) with room to add them up.
pub const MAX_SPAN_S: f64 = MAX_DURATION_S;
/// Slowest crypto operation, microseconds: one that takes the longest run.
pub const MAX_CRYPTO_US: f64 = MAX_DURATION_S * 1e6;
/// All the money there will ever be, satoshi (21 million bitcoin): the largest amount any key
/// may give, and what LDK accepts as a channel's capacity.
pub const MAX_MONEY_SAT: u64 = 2_100_000_000_000_000;

/// A time span in (0, [`MAX_SPAN_S`]].
fn span(key: &str, v: f64) -> Check {
    positive(key, v)?;
    if v <= MAX_SPAN_S {
        Ok(())
    } else {
        fail(
            key,
            format!(
                "must be at most {MAX_SPAN_S:?} s (the longest run, so the run's timers fit \
                 its virtual clock), got {v:?}"
            ),
        )
    }
}

const MONEY_WHY: &str = "21 million bitcoin, all there will ever be";

/// An amount of money in [0, [`MAX_MONEY_SAT`]] satoshi.
fn money(key: &str, v: f64) -> Check {
    at_least(key, v, 0.0)?;
    if v <= MAX_MONEY_SAT as f64 {
        Ok(())
    } else {
        fail(
            key,
            format!("must be at most {MAX_MONEY_SAT} sat ({MONEY_WHY}), got {v:?}"),
        )
    }
}

fn at_most_f(key: &str, v: f64, max: f64) -> Check {
    if v <= max {
        Ok(())
    } else {
        fail(key, format!("must be at most {max:?}, got {v:?}"))
    }
}

fn at_most(key: &str, v: u64, max: u64) -> Check {
    if v <= max {
        Ok(())
    } else {
        fail(key, format!("must be at most {max}, got {v}"))
    }
}

impl Scenario {
    /// Checks every value and every cross-field constraint; returns the first
    /// violation, in file-section order.
    pub fn validate(&self) -> Check {
        if self.name.trim().is_empty() {
            fail("name", "must not be empty".to_string())?;
        }
        slug("name", &self.name)?;
        int_at_least("replicates", self.replicates.into(), 1)?;
        at_most("replicates", self.replicates.into(), MAX_REPLICATES)?;
        positive("duration_s", self.duration_s)?;
        at_most_f("duration_s", self.duration_s, MAX_DURATION_S)?;
        let nodes = validate_graph(&self.graph)?;
        self.validate_roles(nodes)?;
        self.validate_workload()?;
        self.validate_policy()?;
        self.validate_protocol()?;
        self.validate_network()?;
        self.validate_device_and_payments()?;
        self.validate_attack(nodes)
    }

    /// The checks that need the node count, for graphs whose size is only
    /// known once built (edge lists): roles, attackers and the victim index.
    pub fn validate_for_nodes(&self, nodes: u32) -> Check {
        self.validate_roles(Some(nodes))?;
        self.validate_attack(Some(nodes))
    }

    fn validate_roles(&self, nodes: Option<u32>) -> Check {
        let roles = &self.roles;
        precision("roles.service_area_precision", roles.service_area_precision)?;
        if roles.service_area_precision > self.workload.precision {
            fail(
                "roles.service_area_precision",
                format!(
                    "must not exceed workload.precision ({}), got {} (a gig worker's service \
                     cell must be a prefix of a topic's geohash)",
                    self.workload.precision, roles.service_area_precision
                ),
            )?;
        }
        let Some(nodes) = nodes else {
            // Edge-list graphs: only fractions can be checked before the file is read.
            let total = roles.customers.fraction().unwrap_or(0.0)
                + roles.gig_workers.fraction().unwrap_or(0.0);
            if total > 1.0 {
                fail(
                    "roles.gig_workers",
                    format!(
                        "customers + gig_workers must not exceed 1.0 of the nodes, got {total:?}"
                    ),
                )?;
            }
            return Ok(());
        };
        self.validate_role_counts(nodes)
    }

    /// Roles (and corrupted attackers) fit a graph of `nodes` nodes.
    fn validate_role_counts(&self, nodes: u32) -> Check {
        let roles = &self.roles;
        if let Amount::Count(count) = roles.customers {
            if count > nodes {
                fail(
                    "roles.customers",
                    format!("must not exceed the node count ({nodes}), got {count}"),
                )?;
            }
        }
        let (customers, workers) = roles.counts(nodes);
        if customers == 0 {
            fail(
                "roles.customers",
                format!(
                    "must give at least 1 customer, but {} of {nodes} nodes rounds to 0",
                    roles.customers
                ),
            )?;
        }
        if let Amount::Count(count) = roles.gig_workers {
            if count > nodes {
                fail(
                    "roles.gig_workers",
                    format!("must not exceed the node count ({nodes}), got {count}"),
                )?;
            }
        }
        if u64::from(customers) + u64::from(workers) > u64::from(nodes) {
            fail(
                "roles.gig_workers",
                format!(
                    "customers ({customers}) + gig_workers ({workers}) must not exceed the \
                     node count ({nodes}), got {}",
                    u64::from(customers) + u64::from(workers)
                ),
            )?;
        }
        let corrupted_share = if self.attack.kind.corrupts_nodes() {
            self.attack.share
        } else {
            0.0
        };
        if corrupted_share > 0.0 && corrupted_share <= 1.0 {
            let attackers = self.attack.corrupted(nodes);
            let total = u64::from(customers) + u64::from(workers) + u64::from(attackers);
            if total > u64::from(nodes) {
                fail(
                    "attack.share",
                    format!(
                        "customers ({customers}) + gig_workers ({workers}) + attackers \
                         ({attackers}) must not exceed the node count ({nodes}), got {total}"
                    ),
                )?;
            }
        }
        Ok(())
    }

    fn validate_workload(&self) -> Check {
        let w = &self.workload;
        at_most("workload.topics_max", w.topics_max.into(), MAX_TOPICS)?;
        at_least("workload.rate_per_s", w.rate_per_s, 0.0)?;
        at_most_f("workload.rate_per_s", w.rate_per_s, MAX_RATE_PER_S)?;
        at_most("workload.times_s", w.times_s.len() as u64, MAX_TOPICS)?;
        for (i, &t) in w.times_s.iter().enumerate() {
            before_end("workload.times_s", t, self.duration_s)?;
            if i > 0 && t < w.times_s[i - 1] {
                fail(
                    "workload.times_s",
                    format!(
                        "must be in ascending order, got {t:?} after {:?}",
                        w.times_s[i - 1]
                    ),
                )?;
            }
        }
        if w.arrivals == Arrivals::Fixed && w.times_s.is_empty() {
            fail(
                "workload.times_s",
                "must list at least one time when workload.arrivals = \"fixed\"".to_string(),
            )?;
        }
        before_end("workload.start_s", w.start_s, self.duration_s)?;
        validate_bbox(&w.bbox)?;
        precision("workload.precision", w.precision)?;
        span("workload.reply_deadline_s", w.reply_deadline_s)?;
        self.validate_end_of_run()?;
        int_at_least("workload.message_bytes", w.message_bytes.into(), 1)?;
        at_most(
            "workload.message_bytes",
            w.message_bytes.into(),
            MAX_MESSAGE_BYTES,
        )
    }

    /// The end-of-run rule: every topic is published by `duration_s − reply_deadline_s`.
    fn validate_end_of_run(&self) -> Check {
        let w = &self.workload;
        let last = self.last_publish_s();
        let rule = format!(
            "every topic is published by duration_s - workload.reply_deadline_s = {last:?} s, \
             so its replies and payments end inside the run"
        );
        if let Some(t) = w.times_s.iter().find(|t| **t > last) {
            fail(
                "workload.times_s",
                format!("a topic published at {t:?} s cannot finish: {rule}"),
            )?;
        }
        if w.arrivals == Arrivals::Poisson && w.start_s > last {
            fail(
                "workload.start_s",
                format!(
                    "Poisson topics starting at {:?} s cannot finish: {rule}",
                    w.start_s
                ),
            )?;
        }
        Ok(())
    }

    fn validate_policy(&self) -> Check {
        let p = &self.policy;
        int_at_least("policy.fanout_k", p.fanout_k.into(), 1)?;
        probability("policy.fanout_p", p.fanout_p)?;
        finite("policy.fanout_c", p.fanout_c)?;
        int_at_least(
            "policy.adaptive_target_rounds",
            p.adaptive_target_rounds.into(),
            1,
        )?;
        int_at_least("policy.adaptive_k_min", p.adaptive_k_min.into(), 1)?;
        if p.adaptive_k_max < p.adaptive_k_min {
            fail(
                "policy.adaptive_k_max",
                format!(
                    "must be at least policy.adaptive_k_min ({}), got {}",
                    p.adaptive_k_min, p.adaptive_k_max
                ),
            )?;
        }
        share("policy.reputation_explore", p.reputation_explore)?;
        int_at_least("policy.multibroadcast", p.multibroadcast.into(), 1)?;
        int_at_least("policy.reply_routes_max", p.reply_routes_max.into(), 1)?;
        let cap = sweet_gossip::ROUTING_FEE_MAX_SAT;
        let why = "the protocol's per-hop fee cap ROUTING_FEE_MAX_SAT: originators decline \
                   conditions above it and senders refuse routes that ask more";
        if p.routing_fee_sat > cap {
            fail(
                "policy.routing_fee_sat",
                format!("must be at most {cap} ({why}), got {}", p.routing_fee_sat),
            )?;
        }
        if p.routing_fee_sat.saturating_add(p.fee_jitter_sat) > cap {
            fail(
                "policy.fee_jitter_sat",
                format!(
                    "routing_fee_sat + fee_jitter_sat must be at most {cap} ({why}), got {} + {}",
                    p.routing_fee_sat, p.fee_jitter_sat
                ),
            )?;
        }
        at_least("policy.pow_difficulty", p.pow_difficulty, 1.0)?;
        let solve_s = p.pow_difficulty / self.device.hash_rate_per_s;
        if self.device.hash_rate_per_s > 0.0 && solve_s > self.duration_s {
            fail(
                "policy.pow_difficulty",
                format!(
                    "must be at most duration_s x device.hash_rate_per_s ({:?}): one proof of \
                     work would take {solve_s:?} s on average, longer than the run, got {:?}",
                    self.duration_s * self.device.hash_rate_per_s,
                    p.pow_difficulty
                ),
            )?;
        }
        precision("policy.geohash_precision_max", p.geohash_precision_max)?;
        span("policy.timestamp_tolerance_s", p.timestamp_tolerance_s)?;
        span("policy.conditions_ttl_s", p.conditions_ttl_s)?;
        span("policy.ask_timeout_s", p.ask_timeout_s)
    }

    /// The padded onion needs room for the sender's decoys and one middleman, and no more
    /// layers than a route may have instructions.
    fn validate_protocol(&self) -> Check {
        let hops = u64::from(self.protocol.onion_hops);
        let decoys = u64::from(sweet_gossip::DECOY_HOPS_MAX);
        let max = sweet_gossip::Limits::default().max_hops as u64;
        if hops < decoys + 2 || hops > max {
            fail(
                "protocol.onion_hops",
                format!(
                    "must be in [{}, {max}] (room for the sender's {decoys} decoy instructions \
                     and a middleman, and at most Limits::max_hops instructions), got {hops}",
                    decoys + 2
                ),
            )?;
        }
        Ok(())
    }

    fn validate_network(&self) -> Check {
        let n = &self.network;
        at_least(
            "network.one_way_delay_ms_mean",
            n.one_way_delay_ms_mean,
            0.0,
        )?;
        at_least("network.one_way_delay_ms_min", n.one_way_delay_ms_min, 0.0)?;
        if n.one_way_delay_ms_min > n.one_way_delay_ms_mean {
            fail(
                "network.one_way_delay_ms_min",
                format!(
                    "must not exceed one_way_delay_ms_mean ({:?}), got {:?}",
                    n.one_way_delay_ms_mean, n.one_way_delay_ms_min
                ),
            )?;
        }
        at_least("network.lognormal_sigma", n.lognormal_sigma, 0.0)?;
        probability("network.packet_loss_probability", n.packet_loss_probability)?;
        share("network.churn_fraction", n.churn_fraction)?;
        span("network.offline_mean_s", n.offline_mean_s)?;
        span("network.online_mean_s", n.online_mean_s)?;
        finite("network.pareto_shape", n.pareto_shape)?;
        if n.pareto_shape <= 1.0 {
            fail(
                "network.pareto_shape",
                format!(
                    "must be greater than 1 (a Pareto of shape <= 1 has no mean), got {:?}",
                    n.pareto_shape
                ),
            )?;
        }
        at_least("network.weibull_shape", n.weibull_shape, 0.1)?;
        at_least("network.jitter_ms_mean", n.jitter_ms_mean, 0.0)?;
        for (key, v) in [
            ("network.one_way_delay_ms_mean", n.one_way_delay_ms_mean),
            ("network.one_way_delay_ms_min", n.one_way_delay_ms_min),
            ("network.jitter_ms_mean", n.jitter_ms_mean),
        ] {
            at_most_f(key, v, MAX_DELAY_MS)?;
        }
        at_most_f("network.lognormal_sigma", n.lognormal_sigma, MAX_SIGMA)
    }

    fn validate_device_and_payments(&self) -> Check {
        let d = &self.device;
        positive("device.hash_rate_per_s", d.hash_rate_per_s)?;
        at_most_f("device.hash_rate_per_s", d.hash_rate_per_s, MAX_HASH_RATE)?;
        for (key, v) in [
            ("device.sign_us", d.sign_us),
            ("device.verify_us", d.verify_us),
            ("device.seal_us", d.seal_us),
            ("device.open_us", d.open_us),
            ("device.sym_us", d.sym_us),
            ("device.hash_us", d.hash_us),
        ] {
            at_least(key, v, 0.0)?;
            at_most_f(key, v, MAX_CRYPTO_US)?;
        }
        let balance = self.payments.balance_sat;
        if balance > MAX_MONEY_SAT {
            fail(
                "payments.balance_sat",
                format!("must be at most {MAX_MONEY_SAT} sat ({MONEY_WHY}), got {balance}"),
            )?;
        }
        probability(
            "payments.failure_probability",
            self.payments.failure_probability,
        )?;
        crate::scenario::lightning::validate_payments(&self.payments)
    }

    fn validate_attack(&self, nodes: Option<u32>) -> Check {
        let a = &self.attack;
        if a.kind.uses_sybils() {
            within(
                "attack.share",
                a.share,
                0.0,
                1000.0,
                "a multiple of the honest nodes",
            )?;
        } else {
            share("attack.share", a.share)?;
        }
        int_at_least("attack.sybil_degree", a.sybil_degree.into(), 1)?;
        at_least("attack.chatterbox_rate_per_s", a.chatterbox_rate_per_s, 0.0)?;
        at_most_f(
            "attack.chatterbox_rate_per_s",
            a.chatterbox_rate_per_s,
            MAX_RATE_PER_S,
        )?;
        at_least("attack.start_s", a.start_s, 0.0)?;
        at_most_f("attack.start_s", a.start_s, MAX_SPAN_S)?;
        // Every kind strikes at start_s except "none" and "cold_boot" (which strikes at 0).
        if !matches!(
            a.kind,
            super::policy::AttackKind::None | super::policy::AttackKind::ColdBoot
        ) {
            before_end("attack.start_s", a.start_s, self.duration_s)?;
        }
        at_least("attack.inflate_factor", a.inflate_factor, 1.0)?;
        money("attack.sybil_cost_sat", a.sybil_cost_sat)?;
        int_at_least("attack.replay_copies", a.replay_copies.into(), 1)?;
        at_most("attack.replay_copies", a.replay_copies.into(), 1_000)?;
        positive("attack.flood_rate_per_s", a.flood_rate_per_s)?;
        at_most_f(
            "attack.flood_rate_per_s",
            a.flood_rate_per_s,
            MAX_RATE_PER_S,
        )?;
        if let Some(t) = a.revoke_at_s {
            at_least("attack.revoke_at_s", t, 0.0)?;
            before_end("attack.revoke_at_s", t, self.duration_s)?;
        }
        if let Some(nodes) = nodes {
            if a.victim >= nodes {
                fail(
                    "attack.victim",
                    format!(
                        "must be a node index below the node count ({nodes}), got {}",
                        a.victim
                    ),
                )?;
            }
            if a.kind.uses_sybils() && a.sybil_degree > nodes {
                fail(
                    "attack.sybil_degree",
                    format!(
                        "must not exceed the honest node count ({nodes}), got {}",
                        a.sybil_degree
                    ),
                )?;
            }
        }
        Ok(())
    }
}

/// Checks the graph and returns its node count when known.
fn validate_graph(graph: &GraphSpec) -> Result<Option<u32>, Violation> {
    match graph {
        GraphSpec::Complete { nodes }
        | GraphSpec::ErdosRenyi { nodes, .. }
        | GraphSpec::RandomRegular { nodes, .. }
        | GraphSpec::BarabasiAlbert { nodes, .. }
        | GraphSpec::WattsStrogatz { nodes, .. } => {
            int_at_least("graph.nodes", (*nodes).into(), 1)?
        }
        GraphSpec::Grid { rows, cols } | GraphSpec::Torus { rows, cols } => {
            int_at_least("graph.rows", (*rows).into(), 1)?;
            int_at_least("graph.cols", (*cols).into(), 1)?;
            if rows.checked_mul(*cols).is_none() {
                fail(
                    "graph.cols",
                    format!("rows * cols must be at most {}", u32::MAX),
                )?;
            }
        }
        GraphSpec::EdgeList { .. } => {}
    }
    if let Err(error) = graph.validate() {
        let message = error.to_string();
        return Err(Violation {
            key: graph_key_in(graph, &message),
            message,
        });
    }
    Ok(graph_node_count(graph))
}

/// The graph key a generator's error message is about: the field named
/// earliest in the message, or `graph` itself.
fn graph_key_in(graph: &GraphSpec, message: &str) -> String {
    let fields: Vec<String> = match toml::Value::try_from(graph) {
        Ok(toml::Value::Table(table)) => table
            .keys()
            .filter(|k| k.as_str() != "generator")
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut best: Option<(usize, &str)> = None;
    for field in &fields {
        for (at, _) in message.match_indices(field.as_str()) {
            let before = message[..at].chars().next_back();
            let after = message[at + field.len()..].chars().next();
            let earlier = match best {
                Some((b, _)) => at < b,
                None => true,
            };
            if !is_word(before) && !is_word(after) && earlier {
                best = Some((at, field));
            }
        }
    }
    match best {
        Some((_, field)) => format!("graph.{field}"),
        None => "graph".to_string(),
    }
}
