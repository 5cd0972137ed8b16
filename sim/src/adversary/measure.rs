//! Attack-specific metrics, computed from the collector's per-topic results and the
//! adversary's counters at the end of a run. Topics are split at the strike (`attack.start_s`,
//! or 0 for cold boot): a topic is "after the attack" when it was broadcast at or after it.
//! Only honest senders' topics are topics here (a chatterbox's own are not).

use super::{has_victim, Adversary};
use crate::metrics::mean;
use crate::metrics::{Collector, TopicSummary};
use crate::scenario::AttackKind;

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
    let (before, after): (Vec<&TopicSummary>, Vec<&TopicSummary>) =
        topics.iter().partition(|t| t.start < adv.start);
    if has_victim(adv.attack.kind) {
        for (k, v) in victim_metrics(adv.victim, &after, c) {
            put(k, v);
        }
        let v = adv.victim;
        put(
            "victim_coverage_before_attack",
            v.and_then(|v| {
                mean(
                    before
                        .iter()
                        .filter(|t| t.sender == v)
                        .filter_map(|t| t.coverage),
                )
            }),
        );
    }
    for (k, v) in split_metrics(&before, &after) {
        put(k, v);
    }
    out
}

/// Coverage and replies of the honest topics before and after the strike.
fn split_metrics(
    before: &[&TopicSummary],
    after: &[&TopicSummary],
) -> Vec<(&'static str, Option<f64>)> {
    // Recovery: does coverage come back as the attack goes on (e.g. reputation learning)?
    let (early, late) = after.split_at(after.len() / 2);
    let replied = |t: &&TopicSummary| f64::from(u8::from(t.reply_latency_s.is_some()));
    vec![
        ("topics_before_attack", Some(before.len() as f64)),
        ("topics_after_attack", Some(after.len() as f64)),
        (
            "coverage_before_attack",
            mean(before.iter().filter_map(|t| t.coverage)),
        ),
        (
            "coverage_after_attack",
            mean(after.iter().filter_map(|t| t.coverage)),
        ),
        (
            "coverage_after_attack_first_half",
            mean(early.iter().filter_map(|t| t.coverage)),
        ),
        (
            "coverage_after_attack_second_half",
            mean(late.iter().filter_map(|t| t.coverage)),
        ),
        (
            "reply_share_before_attack",
            mean(before.iter().map(replied)),
        ),
        ("reply_share_after_attack", mean(after.iter().map(replied))),
        (
            "reply_latency_after_attack_s",
            mean(after.iter().filter_map(|t| t.reply_latency_s)),
        ),
    ]
}

/// What the attack cost: identities, the chatterbox's throttled topics, adversarial earnings
/// before and after the strike, and the honest proof of work spent on adversarial peers.
pub(super) fn cost_metrics(adv: &Adversary) -> Metrics {
    let c = &adv.counters;
    let nodes = adv.adversarial.iter().filter(|a| **a).count() as f64;
    let per_node = |sat: u64| (nodes > 0.0).then(|| sat as f64 / nodes);
    let sybils = f64::from(adv.sybils);
    let mut out: Metrics = vec![
        ("attacker_identities_created".into(), Some(sybils)),
        (
            "attacker_identity_cost_sat".into(),
            Some(sybils * adv.attack.sybil_cost_sat),
        ),
        (
            "honest_pow_share_to_adversary".into(),
            (c.honest_pow > 0).then(|| c.honest_pow_to_adversary as f64 / c.honest_pow as f64),
        ),
        (
            "fees_earned_per_adversary_node_before_attack_sat".into(),
            per_node(c.earned_before),
        ),
        (
            "fees_earned_per_adversary_node_after_attack_sat".into(),
            per_node(c.earned_after),
        ),
    ];
    if adv.attack.kind == AttackKind::Chatterbox {
        let tried = c.originate_tried as f64;
        out.push(("chatterbox_topics_tried".into(), Some(tried)));
        out.push((
            "chatterbox_topics_broadcast".into(),
            Some(c.originated as f64),
        ));
        out.push((
            "chatterbox_broadcast_share".into(),
            (tried > 0.0).then(|| c.originated as f64 / tried),
        ));
    }
    out
}

/// Victim metrics over `topics` (those after the strike); all `None` without a victim (or
/// without topics of the relevant kind).
fn victim_metrics(
    victim: Option<u32>,
    topics: &[&TopicSummary],
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
        topics.iter().copied().partition(|t| t.sender == v);
    let delivered: Vec<f64> = own.iter().filter_map(|t| t.reply_latency_s).collect();
    vec![
        ("victim_topics", Some(own.len() as f64)),
        (
            "victim_coverage",
            mean(own.iter().filter_map(|t| t.coverage)),
        ),
        (
            "nonvictim_coverage",
            mean(others.iter().filter_map(|t| t.coverage)),
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

/// The abuse kinds' metrics (`abuse.rs`): the work of the attacked peers, the adversary's
/// frames, and for pow_reuse the broadcasts accepted per proof of work.
pub(super) fn abuse_metrics(adv: &Adversary, crypto_s: &[f64]) -> Metrics {
    let secs = |i: &u32| crypto_s.get(*i as usize).copied().unwrap_or(0.0);
    let honest = (0..adv.node_count()).filter(|i| !adv.is_adversarial(*i));
    let a = &adv.abuse.counters;
    let c = &adv.counters;
    let mut out: Metrics = vec![
        ("attacked_peers".into(), Some(adv.attacked.len() as f64)),
        (
            "attacked_peer_crypto_s".into(),
            mean(adv.attacked.iter().map(secs)),
        ),
        (
            "honest_crypto_s_per_node".into(),
            mean(honest.map(|i| secs(&i))),
        ),
    ];
    match adv.attack.kind {
        AttackKind::ReplyReplay => {
            out.push(("replies_replayed".into(), Some(a.replies_replayed as f64)));
        }
        AttackKind::AskFlood => {
            out.push(("flood_asks".into(), Some(a.flood_asks as f64)));
        }
        AttackKind::PowReuse => {
            let solved = c.attacker_pow_solved as f64;
            out.push(("attacker_pow_solved".into(), Some(solved)));
            out.push(("pow_replays".into(), Some(a.pow_replays as f64)));
            out.push((
                "accepted_per_attacker_pow".into(),
                (solved > 0.0).then(|| c.accepted_from_adversary as f64 / solved),
            ));
        }
        _ => {}
    }
    out
}

/// Recovery after the authority revokes the attackers (`attack.revoke_at_s`): honest topics
/// broadcast from the strike until the revocation against those broadcast after it.
pub(super) fn revocation_metrics(adv: &Adversary, c: &Collector) -> Metrics {
    let Some(at) = adv.revoke_at else {
        return Vec::new();
    };
    let topics = c.topic_summaries();
    let attacked: Vec<&TopicSummary> = topics
        .iter()
        .filter(|t| t.start >= adv.start && t.start < at)
        .collect();
    let revoked: Vec<&TopicSummary> = topics.iter().filter(|t| t.start >= at).collect();
    let replied = |t: &&TopicSummary| f64::from(u8::from(t.reply_latency_s.is_some()));
    let coverage = |ts: &[&TopicSummary]| mean(ts.iter().filter_map(|t| t.coverage));
    vec![
        ("revoked_nodes".into(), Some(adv.revoked().len() as f64)),
        (
            "topics_before_revocation".into(),
            Some(attacked.len() as f64),
        ),
        ("topics_after_revocation".into(), Some(revoked.len() as f64)),
        ("coverage_before_revocation".into(), coverage(&attacked)),
        ("coverage_after_revocation".into(), coverage(&revoked)),
        (
            "reply_share_before_revocation".into(),
            mean(attacked.iter().map(replied)),
        ),
        (
            "reply_share_after_revocation".into(),
            mean(revoked.iter().map(replied)),
        ),
    ]
}
