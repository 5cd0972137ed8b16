//! Attack claims: each attack kind's headline metric along the attacker share, the share where
//! the attack starts to succeed, the attacker's cost there, and who earns more per node.

use super::super::input::Params;
use super::super::model::{Dataset, ATTACK_SHARE};
use super::stat;
use super::{Claim, Direction, Step};
pub use crate::report::headline::{Headline, HEADLINES};
use Direction::{Down, Up};

/// The headline of `kind` (its `[attack] kind` name), if it has one.
pub fn headline(kind: &str) -> Option<&'static Headline> {
    HEADLINES.iter().find(|h| h.key == kind)
}

/// Which way of the headline metric is harm.
pub(crate) fn harmful(h: &Headline) -> Direction {
    if h.higher_is_better {
        Down
    } else {
        Up
    }
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
        kind: crate::scenario::AttackKind::None,
        key: "unknown",
        name: "Attack",
        metric,
        phrase: if metric == "coverage_final" {
            "final coverage (share of honest online nodes)"
        } else {
            "coverage after the strike (share)"
        },
        what: if metric == "coverage_final" {
            "final coverage"
        } else {
            "coverage of the topics broadcast after the strike"
        },
        higher_is_better: true,
        limit: None,
        cost_metric: "attacker_frames",
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
    match harmful(h) {
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
        attack: h.key.to_owned(),
        metric: h.metric.to_owned(),
        harmful: harmful(h),
        limit: h.limit,
        group,
        baseline: base.and_then(|b| stat::mean(d, b, h.metric)),
        top: stat::mean(d, last.point, h.metric),
        cost: stat::mean(d, at, h.cost_metric),
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
