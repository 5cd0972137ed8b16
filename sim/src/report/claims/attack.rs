//! Attack claims: each attack kind's headline metric along the attacker share, the share where
//! the attack starts to succeed, the attacker's cost there, and who earns more per node.

use super::super::input::Params;
use super::super::model::{Dataset, ATTACK_SHARE};
use super::stat;
use super::{Claim, Direction, Step};

/// The headline metric of one attack kind (the table in docs/attacks.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Headline {
    /// Attack kind, as `[attack] kind` names it.
    pub kind: &'static str,
    /// The metric that shows whether the attack works.
    pub metric: &'static str,
    /// Which way of it is harm.
    pub harmful: Direction,
    /// A fixed limit the attack must cross instead of the change against share 0 (for a metric
    /// undefined without an attacker).
    pub limit: Option<f64>,
    /// What the attacker spends.
    pub cost: &'static str,
    /// The metric in words.
    pub what: &'static str,
}

const fn h(
    kind: &'static str,
    metric: &'static str,
    harmful: Direction,
    cost: &'static str,
    what: &'static str,
) -> Headline {
    Headline {
        kind,
        metric,
        harmful,
        limit: None,
        cost,
        what,
    }
}

const AFTER: &str = "coverage of the topics broadcast after the strike";
const REPLIES: &str = "share of the topics broadcast after the strike whose sender got a paid, \
                       decrypted reply";
const SYBILS: &str = "attacker_identities_created";
const CORRUPTED: &str = "corrupted_nodes";
use Direction::{Down, Up};

/// One headline per attack kind of `sgsim list`.
pub const HEADLINES: &[Headline] = &[
    h("silent", "coverage_after_attack", Down, CORRUPTED, AFTER),
    h(
        "chatterbox",
        "honest_frames_received_per_node",
        Up,
        "attacker_pow_hashes",
        "frames delivered per honest node",
    ),
    h("sybil", "coverage_after_attack", Down, SYBILS, AFTER),
    h(
        "eclipse",
        "victim_coverage",
        Down,
        SYBILS,
        "coverage of the victim's topics broadcast after the strike",
    ),
    h(
        "censorship",
        "victim_coverage",
        Down,
        SYBILS,
        "coverage of the victim's topics broadcast after the strike",
    ),
    h("cold_boot", "coverage_after_attack", Down, SYBILS, AFTER),
    h("flash", "coverage_after_attack", Down, SYBILS, AFTER),
    h("covert_flash", "coverage_after_attack", Down, SYBILS, AFTER),
    h(
        "inflate_invoice",
        "reply_share_after_attack",
        Down,
        CORRUPTED,
        REPLIES,
    ),
    h(
        "withhold_invoice",
        "reply_share_after_attack",
        Down,
        CORRUPTED,
        REPLIES,
    ),
    h(
        "reply_replay",
        "reply_share_after_attack",
        Down,
        CORRUPTED,
        REPLIES,
    ),
    h(
        "ask_flood",
        "coverage_after_attack",
        Down,
        "flood_asks",
        AFTER,
    ),
    Headline {
        kind: "pow_reuse",
        metric: "accepted_per_attacker_pow",
        harmful: Up,
        limit: Some(1.0),
        cost: "attacker_pow_hashes",
        what: "broadcasts honest nodes accepted per proof of work the attackers solved",
    },
];

/// The headline of `kind`, if it has one.
pub fn headline(kind: &str) -> Option<&'static Headline> {
    HEADLINES.iter().find(|h| h.kind == kind)
}

/// What `attack.share` counts for `kind`.
pub(crate) fn share_meaning(kind: &str) -> &'static str {
    match kind {
        "sybil" | "eclipse" | "censorship" | "cold_boot" | "flash" | "covert_flash" => {
            "Sybil identities added per honest node"
        }
        "silent" | "chatterbox" | "inflate_invoice" | "withhold_invoice" | "reply_replay"
        | "ask_flood" | "pow_reuse" => "fraction of the nodes corrupted",
        _ => "attacker share",
    }
}

/// The headline used for a folder: its kind's, else (no resolved sweep) coverage after the
/// strike, or final coverage.
pub(crate) fn headline_of(d: &Dataset) -> Headline {
    if let Some(h) = d.attack_kind().and_then(headline) {
        return *h;
    }
    let metric = if d.runs_report("coverage_after_attack") {
        "coverage_after_attack"
    } else {
        "coverage_final"
    };
    Headline {
        kind: "unknown",
        metric,
        harmful: Down,
        limit: None,
        cost: "attacker_frames",
        what: if metric == "coverage_final" {
            "final coverage"
        } else {
            AFTER
        },
    }
}

/// One point of an attack group: (share as the sweep writes it, point, share).
pub(crate) type Member = (String, usize, f64);

/// Points grouped by their swept values other than `attack.share` (first-appearance order),
/// each group's members in increasing share.
pub(crate) fn groups(d: &Dataset) -> Vec<(Params, Vec<Member>)> {
    let mut out: Vec<(Params, Vec<Member>)> = Vec::new();
    for p in &d.points {
        let Some(text) = d.param(p.index, ATTACK_SHARE) else {
            continue;
        };
        let Some(share) = text.parse::<f64>().ok().filter(|s| s.is_finite()) else {
            continue;
        };
        let others: Params = p
            .params
            .iter()
            .filter(|(k, _)| k != ATTACK_SHARE)
            .cloned()
            .collect();
        let member = (text.to_owned(), p.index, share);
        match out.iter_mut().find(|(o, _)| *o == others) {
            Some((_, members)) => members.push(member),
            None => out.push((others, vec![member])),
        }
    }
    for (_, members) in &mut out {
        members.sort_by(|a, b| a.2.total_cmp(&b.2));
    }
    out
}

/// Whether `s` (a step's statistic) shows the attack succeeding.
pub(super) fn succeeds(h: &Headline, s: &stat::Stat) -> bool {
    let at = h.limit.unwrap_or(0.0);
    match h.harmful {
        Up => s.above(at),
        Down => s.below(at),
    }
}

/// The attack claims: (headline claims, further claims).
pub(super) fn claims(d: &Dataset) -> (Vec<Claim>, Vec<Claim>) {
    if !d.is_attack_sweep() {
        return (Vec::new(), Vec::new());
    }
    let h = headline_of(d);
    let lead = groups(d)
        .into_iter()
        .filter_map(|(group, members)| along(d, &h, group, &members))
        .collect();
    (lead, earnings(d).into_iter().collect())
}

fn along(d: &Dataset, h: &Headline, group: Params, members: &[Member]) -> Option<Claim> {
    let base = members.iter().find(|m| m.2 == 0.0).map(|m| m.1);
    if base.is_none() && h.limit.is_none() {
        return None;
    }
    let steps: Vec<Step> = members
        .iter()
        .filter(|m| m.2 > 0.0)
        .filter_map(|(share, point, _)| {
            let stat = match (h.limit, base) {
                (Some(_), _) => stat::mean(d, *point, h.metric),
                (None, Some(b)) => stat::diff(d, *point, b, h.metric),
                (None, None) => None,
            }?;
            Some(Step {
                share: share.clone(),
                point: *point,
                stat,
            })
        })
        .collect();
    if steps.iter().any(|s| s.stat.ci().is_none()) {
        return None; // a share without an interval can neither succeed nor fail
    }
    let last = steps.last()?;
    let first = steps.iter().position(|s| succeeds(h, &s.stat));
    let at = first.map_or(last.point, |i| steps[i].point);
    Some(Claim::Attack {
        attack: h.kind.to_owned(),
        metric: h.metric.to_owned(),
        harmful: h.harmful,
        limit: h.limit,
        group,
        baseline: base.and_then(|b| stat::mean(d, b, h.metric)),
        top: stat::mean(d, last.point, h.metric),
        cost: stat::mean(d, at, h.cost),
        first,
        steps,
    })
}

/// Honest minus adversarial fees per node, within the runs of each attacked point.
fn earnings(d: &Dataset) -> Option<Claim> {
    let (honest, adversary) = (
        "fees_earned_per_honest_node_sat",
        "fees_earned_per_adversary_node_sat",
    );
    let (mut more, mut less, mut unclear) = (Vec::new(), Vec::new(), Vec::new());
    for p in d.points.iter().filter(|p| d.is_attacked(p.index)) {
        let Some(s) = stat::gap(d, p.index, honest, adversary) else {
            continue;
        };
        s.ci()?;
        if s.above(0.0) {
            more.push(s);
        } else if s.below(0.0) {
            less.push(s);
        } else {
            unclear.push(s);
        }
    }
    (more.len() + less.len() + unclear.len() > 0).then_some(Claim::Earnings {
        more,
        less,
        unclear,
    })
}

#[cfg(test)]
mod same_headline {
    use super::HEADLINES;
    use crate::report::headline::headline_metric;
    use crate::scenario::AttackKind;

    #[test]
    fn plots_and_claims_lead_with_the_same_metric_for_every_kind() {
        for h in HEADLINES {
            let kind: AttackKind =
                serde_json::from_value(serde_json::Value::from(h.kind)).expect("a listed kind");
            assert_eq!(headline_metric(kind), h.metric, "{}", h.kind);
        }
    }
}
