//! Attack-specific metrics, computed from the collector's per-topic results at the end of a run.

use super::{has_victim, is_timed, Adversary};
use crate::metrics::mean;
use crate::metrics::{Collector, TopicSummary};

type Metrics = Vec<(String, Option<f64>)>;

/// The metrics of `adv`'s attack kind (see `docs/attacks.md`).
pub(super) fn attack_metrics(adv: &Adversary, c: &Collector) -> Metrics {
    let mut out: Metrics = Vec::new();
    let mut put = |k: &str, v: Option<f64>| out.push((k.to_owned(), v));
    let corrupted = (0..adv.honest_nodes)
        .filter(|i| adv.is_adversarial(*i))
        .count();
    put("sybils", Some(f64::from(adv.sybils)));
    put("corrupted_nodes", Some(corrupted as f64));
    let honest = adv.adversarial.iter().filter(|a| !**a).count() as f64;
    let received = c.honest_frames_received() as f64;
    put("honest_frames_received", Some(received));
    put(
        "honest_frames_received_per_node",
        (honest > 0.0).then(|| received / honest),
    );
    put(
        "honest_accepts_per_payload_max",
        Some(f64::from(c.honest_accepts_max())),
    );
    let topics = c.topic_summaries();
    if has_victim(adv.attack.kind) {
        for (k, v) in victim_metrics(adv.victim, &topics, c) {
            put(k, v);
        }
    }
    if is_timed(adv.attack.kind) {
        let (before, after): (Vec<&TopicSummary>, Vec<&TopicSummary>) =
            topics.iter().partition(|t| t.start < adv.start);
        put("topics_before_attack", Some(before.len() as f64));
        put("topics_after_attack", Some(after.len() as f64));
        put(
            "coverage_before_attack",
            mean(before.iter().map(|t| t.coverage)),
        );
        put(
            "coverage_after_attack",
            mean(after.iter().map(|t| t.coverage)),
        );
        // Recovery: does coverage come back as the attack goes on (e.g. reputation learning)?
        let (early, late) = after.split_at(after.len() / 2);
        put(
            "coverage_after_attack_first_half",
            mean(early.iter().map(|t| t.coverage)),
        );
        put(
            "coverage_after_attack_second_half",
            mean(late.iter().map(|t| t.coverage)),
        );
        put(
            "reply_share_after_attack",
            mean(
                after
                    .iter()
                    .map(|t| f64::from(u8::from(t.reply_latency_s.is_some()))),
            ),
        );
    }
    out
}

/// Victim metrics; all `None` without a victim (or without topics of the relevant kind).
fn victim_metrics(
    victim: Option<u32>,
    topics: &[TopicSummary],
    c: &Collector,
) -> Vec<(&'static str, Option<f64>)> {
    let Some(v) = victim else {
        return [
            "victim_topics",
            "victim_coverage",
            "nonvictim_coverage",
            "victim_received_share",
            "victim_replies_delivered",
            "victim_reply_latency_s",
        ]
        .into_iter()
        .map(|k| (k, None))
        .collect();
    };
    let (own, others): (Vec<&TopicSummary>, Vec<&TopicSummary>) =
        topics.iter().partition(|t| t.sender == v);
    let delivered: Vec<f64> = own.iter().filter_map(|t| t.reply_latency_s).collect();
    vec![
        ("victim_topics", Some(own.len() as f64)),
        ("victim_coverage", mean(own.iter().map(|t| t.coverage))),
        (
            "nonvictim_coverage",
            mean(others.iter().map(|t| t.coverage)),
        ),
        (
            "victim_received_share",
            mean(
                others
                    .iter()
                    .map(|t| f64::from(u8::from(c.has_accepted(&t.id, v)))),
            ),
        ),
        ("victim_replies_delivered", Some(delivered.len() as f64)),
        ("victim_reply_latency_s", mean(delivered.into_iter())),
    ]
}
