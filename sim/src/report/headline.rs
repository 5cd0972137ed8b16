//! What each attack kind is judged by: one headline metric per kind (the attack's result as the
//! honest network sees it), the attacker's cost, and what `attack.share` counts. The report's
//! plots and sentences both read this table, so they always name the same metric.

use crate::scenario::AttackKind;

/// The headline of one attack kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headline {
    /// The kind's name for titles, e.g. `Eclipse attack`.
    pub name: &'static str,
    /// The run metric (`runs.jsonl` key) that states the attack's result.
    pub metric: &'static str,
    /// The metric in words for an axis, at most 45 characters.
    pub phrase: &'static str,
    /// Whether a higher value is better for the honest network.
    pub higher_is_better: bool,
    /// The run metric that counts what the attack cost the attacker.
    pub cost_metric: &'static str,
}

/// The headline metric of `kind` (a key of `runs.jsonl`'s `metrics`).
pub fn headline_metric(kind: AttackKind) -> &'static str {
    headline(kind).metric
}

const AFTER: &str = "coverage after the strike (share)";
const VICTIM: &str = "victim's coverage after the strike (share)";
const REPLY: &str = "topics after the strike with a reply (share)";

const fn h(
    name: &'static str,
    metric: &'static str,
    phrase: &'static str,
    higher_is_better: bool,
    cost_metric: &'static str,
) -> Headline {
    Headline {
        name,
        metric,
        phrase,
        higher_is_better,
        cost_metric,
    }
}

/// One headline per kind: the kind, then name, metric, axis phrase, whether higher is better
/// for the honest network, and the attacker's cost metric.
const TABLE: [(AttackKind, Headline); 14] = {
    use AttackKind as K;
    [
        (
            K::None,
            h(
                "No attack",
                "coverage_final",
                "final coverage",
                true,
                "attacker_frames",
            ),
        ),
        (
            K::Silent,
            h(
                "Silent attack",
                "coverage_after_attack",
                AFTER,
                true,
                "corrupted_nodes",
            ),
        ),
        (
            K::Chatterbox,
            h(
                "Chatterbox attack",
                "honest_frames_received_per_node",
                "frames delivered per honest node",
                false,
                "attacker_pow_hashes",
            ),
        ),
        (
            K::Sybil,
            h(
                "Sybil attack",
                "coverage_after_attack",
                AFTER,
                true,
                "sybils",
            ),
        ),
        (
            K::Eclipse,
            h("Eclipse attack", "victim_coverage", VICTIM, true, "sybils"),
        ),
        (
            K::Censorship,
            h(
                "Censorship attack",
                "victim_coverage",
                VICTIM,
                true,
                "sybils",
            ),
        ),
        (
            K::ColdBoot,
            h(
                "Cold boot attack",
                "coverage_after_attack",
                AFTER,
                true,
                "sybils",
            ),
        ),
        (
            K::Flash,
            h(
                "Flash attack",
                "coverage_after_attack",
                AFTER,
                true,
                "sybils",
            ),
        ),
        (
            K::CovertFlash,
            h(
                "Covert flash attack",
                "coverage_after_attack",
                AFTER,
                true,
                "sybils",
            ),
        ),
        (
            K::InflateInvoice,
            h(
                "Inflate invoice attack",
                "reply_share_after_attack",
                REPLY,
                true,
                "corrupted_nodes",
            ),
        ),
        (
            K::WithholdInvoice,
            h(
                "Withhold invoice attack",
                "reply_share_after_attack",
                REPLY,
                true,
                "corrupted_nodes",
            ),
        ),
        (
            K::ReplyReplay,
            h(
                "Reply replay attack",
                "reply_share_after_attack",
                REPLY,
                true,
                "replies_replayed",
            ),
        ),
        (
            K::AskFlood,
            h(
                "Ask flood attack",
                "coverage_after_attack",
                AFTER,
                true,
                "flood_asks",
            ),
        ),
        (
            K::PowReuse,
            h(
                "PoW reuse attack",
                "accepted_per_attacker_pow",
                "accepted broadcasts per attacker PoW",
                false,
                "attacker_pow_solved",
            ),
        ),
    ]
};

/// The headline of `kind`; see [`Headline`].
pub fn headline(kind: AttackKind) -> Headline {
    TABLE
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, h)| *h)
        .expect("invariant: TABLE has a row for every AttackKind")
}

/// What `attack.share` counts for `kind`, as an axis label.
pub fn share_meaning(kind: Option<AttackKind>) -> &'static str {
    match kind {
        Some(k) if k.uses_sybils() => "Sybil identities per honest node (attack.share)",
        Some(k) if k.corrupts_nodes() => "share of nodes corrupted (attack.share)",
        _ => "attacker share (attack.share)",
    }
}

/// The attack kind of a result folder's resolved sweep (`scenario.toml`): `None` when the text
/// is not a resolved sweep or its points differ in kind; a point without `[attack]` has none.
pub fn attack_kind(scenario_toml: &str) -> Option<AttackKind> {
    let doc: toml::Value = toml::from_str(scenario_toml).ok()?;
    let points = doc.get("points")?.as_array()?;
    let mut kind = None;
    for p in points {
        let k = match p.get("scenario")?.get("attack").and_then(|a| a.get("kind")) {
            Some(v) => v.clone().try_into::<AttackKind>().ok()?,
            None => AttackKind::None,
        };
        if kind.is_some_and(|seen| seen != k) {
            return None;
        }
        kind = Some(k);
    }
    kind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_every_kind_once() {
        for (i, (k, _)) in TABLE.iter().enumerate() {
            assert!(TABLE[..i].iter().all(|(j, _)| j != k), "{k:?}");
        }
        assert_eq!(TABLE.len(), EVERY_KIND.len());
    }

    const EVERY_KIND: [AttackKind; 14] = [
        AttackKind::None,
        AttackKind::Silent,
        AttackKind::Chatterbox,
        AttackKind::Sybil,
        AttackKind::Eclipse,
        AttackKind::Censorship,
        AttackKind::ColdBoot,
        AttackKind::Flash,
        AttackKind::CovertFlash,
        AttackKind::InflateInvoice,
        AttackKind::WithholdInvoice,
        AttackKind::ReplyReplay,
        AttackKind::AskFlood,
        AttackKind::PowReuse,
    ];

    #[test]
    fn every_headline_and_cost_is_a_catalogued_metric() {
        for k in EVERY_KIND {
            let h = headline(k);
            for m in [h.metric, h.cost_metric] {
                assert!(crate::definitions::lookup(m).is_some(), "{k:?}: {m}");
            }
        }
        assert_eq!(headline_metric(AttackKind::Eclipse), "victim_coverage");
        assert_eq!(headline_metric(AttackKind::Silent), "coverage_after_attack");
        assert_eq!(
            headline_metric(AttackKind::PowReuse),
            "accepted_per_attacker_pow"
        );
    }

    #[test]
    fn phrases_fit_an_axis() {
        for k in EVERY_KIND {
            assert!(headline(k).phrase.chars().count() <= 45, "{k:?}");
        }
    }

    #[test]
    fn share_says_what_it_counts() {
        assert!(share_meaning(Some(AttackKind::Eclipse)).starts_with("Sybil identities per"));
        assert!(share_meaning(Some(AttackKind::Silent)).starts_with("share of nodes corrupted"));
        assert_eq!(share_meaning(None), "attacker share (attack.share)");
    }

    #[test]
    fn the_kind_is_read_from_the_resolved_sweep() {
        let one = |kind: &str| format!("[[points]]\n[points.scenario.attack]\nkind = \"{kind}\"\n");
        assert_eq!(attack_kind(&one("eclipse")), Some(AttackKind::Eclipse));
        let two = format!("{}{}", one("eclipse"), one("eclipse"));
        assert_eq!(attack_kind(&two), Some(AttackKind::Eclipse));
        let mixed = format!("{}{}", one("eclipse"), one("silent"));
        assert_eq!(attack_kind(&mixed), None);
        assert_eq!(
            attack_kind("[[points]]\n[points.scenario]\nseed = 1\n"),
            Some(AttackKind::None)
        );
        assert_eq!(attack_kind("name = \"x\"\n"), None);
    }
}
