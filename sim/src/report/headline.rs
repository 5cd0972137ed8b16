//! What each attack kind is judged by: one headline metric per kind (the attack's result as the
//! honest network sees it), the attacker's cost, and what `attack.share` counts. The report's
//! plots and sentences both read this table, so they always name the same metric.

use crate::scenario::AttackKind;

/// The headline of one attack kind: the one table the report's plots, its sentences and their
/// checker all read (docs/attacks.md names the same metrics, tested in `sim/tests/claims.rs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Headline {
    /// The kind.
    pub kind: AttackKind,
    /// The kind as `[attack] kind` names it, e.g. `eclipse`.
    pub key: &'static str,
    /// The kind's name for titles, e.g. `Eclipse attack`.
    pub name: &'static str,
    /// The run metric (`runs.jsonl` key) that states the attack's result.
    pub metric: &'static str,
    /// The metric in words for an axis, at most 45 characters.
    pub phrase: &'static str,
    /// The metric in words for a sentence.
    pub what: &'static str,
    /// Whether a higher value is better for the honest network.
    pub higher_is_better: bool,
    /// A fixed limit the attack must cross instead of the change against share 0 (for a metric
    /// undefined without an attacker).
    pub limit: Option<f64>,
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
const AFTER_WHAT: &str = "coverage of the topics broadcast after the strike";
const VICTIM_WHAT: &str = "coverage of the victim's topics broadcast after the strike";
const REPLY_WHAT: &str = "share of the topics broadcast after the strike whose sender got a \
                          paid, decrypted reply";
const SYBILS: &str = "attacker_identities_created";
const CORRUPTED: &str = "corrupted_nodes";

/// A kind whose harm is a fall of `metric` (`phrase` on the axis, `what` in sentences).
const fn down(
    (kind, key, name): (AttackKind, &'static str, &'static str),
    metric: &'static str,
    (phrase, what): (&'static str, &'static str),
    cost_metric: &'static str,
) -> Headline {
    Headline {
        kind,
        key,
        name,
        metric,
        phrase,
        what,
        higher_is_better: true,
        limit: None,
        cost_metric,
    }
}

/// One headline per attack kind of `sgsim list`.
pub const HEADLINES: [Headline; 13] = {
    use AttackKind as K;
    [
        down(
            (K::Silent, "silent", "Silent attack"),
            "coverage_after_attack",
            (AFTER, AFTER_WHAT),
            CORRUPTED,
        ),
        Headline {
            kind: K::Chatterbox,
            key: "chatterbox",
            name: "Chatterbox attack",
            metric: "honest_frames_received_per_node",
            phrase: "frames delivered per honest node",
            what: "frames delivered per honest node",
            higher_is_better: false,
            limit: None,
            cost_metric: "attacker_pow_hashes",
        },
        down(
            (K::Sybil, "sybil", "Sybil attack"),
            "coverage_after_attack",
            (AFTER, AFTER_WHAT),
            SYBILS,
        ),
        down(
            (K::Eclipse, "eclipse", "Eclipse attack"),
            "victim_coverage",
            (VICTIM, VICTIM_WHAT),
            SYBILS,
        ),
        down(
            (K::Censorship, "censorship", "Censorship attack"),
            "victim_coverage",
            (VICTIM, VICTIM_WHAT),
            SYBILS,
        ),
        down(
            (K::ColdBoot, "cold_boot", "Cold boot attack"),
            "coverage_after_attack",
            (AFTER, AFTER_WHAT),
            SYBILS,
        ),
        down(
            (K::Flash, "flash", "Flash attack"),
            "coverage_after_attack",
            (AFTER, AFTER_WHAT),
            SYBILS,
        ),
        down(
            (K::CovertFlash, "covert_flash", "Covert flash attack"),
            "coverage_after_attack",
            (AFTER, AFTER_WHAT),
            SYBILS,
        ),
        down(
            (
                K::InflateInvoice,
                "inflate_invoice",
                "Inflate invoice attack",
            ),
            "reply_share_after_attack",
            (REPLY, REPLY_WHAT),
            CORRUPTED,
        ),
        down(
            (
                K::WithholdInvoice,
                "withhold_invoice",
                "Withhold invoice attack",
            ),
            "reply_share_after_attack",
            (REPLY, REPLY_WHAT),
            CORRUPTED,
        ),
        down(
            (K::ReplyReplay, "reply_replay", "Reply replay attack"),
            "reply_share_after_attack",
            (REPLY, REPLY_WHAT),
            CORRUPTED,
        ),
        down(
            (K::AskFlood, "ask_flood", "Ask flood attack"),
            "coverage_after_attack",
            (AFTER, AFTER_WHAT),
            "flood_asks",
        ),
        Headline {
            kind: K::PowReuse,
            key: "pow_reuse",
            name: "PoW reuse attack",
            metric: "accepted_per_attacker_pow",
            phrase: "accepted broadcasts per attacker PoW",
            what: "broadcasts honest nodes accepted per proof of work the attackers solved",
            higher_is_better: false,
            limit: Some(1.0),
            cost_metric: "attacker_pow_hashes",
        },
    ]
};

/// The plots' headline without an attack: final coverage.
const NO_ATTACK: Headline = Headline {
    kind: AttackKind::None,
    key: "none",
    name: "No attack",
    metric: "coverage_final",
    phrase: "final coverage",
    what: "final coverage",
    higher_is_better: true,
    limit: None,
    cost_metric: "attacker_frames",
};

/// The headline of `kind`; see [`Headline`].
pub fn headline(kind: AttackKind) -> Headline {
    HEADLINES
        .iter()
        .find(|h| h.kind == kind)
        .copied()
        .unwrap_or(NO_ATTACK)
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
    fn the_table_has_every_kind_once_under_its_scenario_name() {
        for (i, h) in HEADLINES.iter().enumerate() {
            assert!(
                HEADLINES[..i].iter().all(|j| j.kind != h.kind),
                "{:?}",
                h.kind
            );
            let named: AttackKind =
                serde_json::from_value(serde_json::Value::from(h.key)).expect("a listed kind");
            assert_eq!(named, h.kind);
        }
        assert_eq!(HEADLINES.len() + 1, EVERY_KIND.len(), "every kind but none");
        assert_eq!(headline(AttackKind::None), NO_ATTACK);
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
