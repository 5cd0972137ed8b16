//! "What stands out": sentences computed from the numbers. Each function
//! returns nothing when its comparison is impossible with the data present.

use super::format::{decimals_for, fmt_fixed, fmt_mean_ci, md_escape, metric_phrase, metric_unit};
use super::model::{Dataset, ATTACK_SHARE};

/// All sentences, in a fixed order.
pub(crate) fn what_stands_out(d: &Dataset) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(best_coverage(d));
    out.extend(cheapest_full_coverage(d));
    out.extend(t90_spread(d));
    if d.is_attack_sweep() {
        out.extend(attack_trends(d, "coverage_final", "honest final coverage"));
        out.extend(attack_trends(d, "victim_coverage", "victim coverage"));
        out.extend(earnings(d));
    }
    out
}

fn name(d: &Dataset, point: usize) -> String {
    format!("**{}**", md_escape(&d.label(point)))
}

/// `(point, mean)` of every point with a defined mean, in point order.
fn means(d: &Dataset, metric: &str) -> Vec<(usize, f64)> {
    d.points
        .iter()
        .filter_map(|p| d.mean(p.index, metric).map(|m| (p.index, m)))
        .collect()
}

fn cell(d: &Dataset, point: usize, metric: &str, decimals: usize) -> String {
    match d.row(point, metric) {
        Some(r) if r.n > 0 && r.mean.is_some() => {
            let m = r.mean.unwrap_or_default();
            format!(
                "{}{}",
                fmt_mean_ci(m, r.ci95_low, r.ci95_high, decimals),
                metric_unit(metric)
            )
        }
        _ => "n/a".to_string(),
    }
}

fn ci(d: &Dataset, point: usize, metric: &str) -> Option<(f64, f64)> {
    d.estimate(point, metric)?.ci
}

fn best_coverage(d: &Dataset) -> Option<String> {
    let metric = "coverage_final";
    let mut ranked = means(d, metric);
    if ranked.is_empty() {
        return None;
    }
    // Highest mean first; ties keep point order (the sort is stable).
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let dec = 3;
    let (best, bm) = ranked[0];
    if ranked.len() == 1 {
        return Some(format!(
            "Mean final coverage is {}.",
            cell(d, best, metric, dec)
        ));
    }
    let (second, sm) = ranked[1];
    if fmt_fixed(bm, dec) == fmt_fixed(sm, dec) {
        let tied: Vec<String> = ranked
            .iter()
            .filter(|(_, m)| fmt_fixed(*m, dec) == fmt_fixed(bm, dec))
            .map(|(p, _)| name(d, *p))
            .collect();
        return Some(format!(
            "{} tie for the highest mean final coverage, {}.",
            join_names(&tied),
            fmt_fixed(bm, dec)
        ));
    }
    // Points whose 95 % interval overlaps the leader's are not ranked below it.
    let tied: Vec<usize> = ranked[1..]
        .iter()
        .filter(|(p, _)| overlaps(d, best, *p, metric) == Some(true))
        .map(|(p, _)| *p)
        .collect();
    if !tied.is_empty() {
        let mut names = vec![name(d, best)];
        names.extend(tied.iter().take(5).map(|&p| name(d, p)));
        let more = if tied.len() > 5 {
            ", among others,"
        } else {
            ""
        };
        return Some(format!(
            "{}{more} tie for the highest mean final coverage: their 95 % intervals overlap \
             the leader's ({} with {}).",
            join_names(&names),
            name(d, best),
            cell(d, best, metric, dec)
        ));
    }
    let mut s = format!(
        "{} reaches the highest mean final coverage, {}; the next best is {} with {}",
        name(d, best),
        cell(d, best, metric, dec),
        name(d, second),
        cell(d, second, metric, dec)
    );
    if overlaps(d, best, second, metric) == Some(false) {
        s.push_str(", and the two 95 % intervals do not overlap");
    } else {
        s.push_str(" (no interval to compare them)");
    }
    s.push('.');
    let (worst, wm) = ranked[ranked.len() - 1];
    if ranked.len() > 2 {
        s.push_str(&format!(
            " The lowest is {} with {}.",
            name(d, worst),
            fmt_fixed(wm, dec)
        ));
    }
    Some(s)
}

/// Whether the 95 % intervals of `metric` at points `a` and `b` overlap (touching counts);
/// `None` when either has no interval.
fn overlaps(d: &Dataset, a: usize, b: usize, metric: &str) -> Option<bool> {
    let ((al, ah), (bl, bh)) = (ci(d, a, metric)?, ci(d, b, metric)?);
    Some(al <= bh && bl <= ah)
}

fn join_names(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// Whether every replicate of the point reaches 99 % coverage; `None` when the
/// runs carry neither `t99_s` nor `coverage_final`.
fn reaches_99(d: &Dataset, point: usize) -> Option<bool> {
    if d.runs_report("t99_s") {
        let v = d.run_values(point, "t99_s").unwrap_or_default();
        return Some(!v.is_empty() && v.iter().all(Option::is_some));
    }
    if d.runs_report("coverage_final") {
        let v = d.run_values(point, "coverage_final").unwrap_or_default();
        return Some(!v.is_empty() && v.iter().all(|x| x.is_some_and(|c| c >= 0.99)));
    }
    None
}

fn cheapest_full_coverage(d: &Dataset) -> Option<String> {
    let mut reached = Vec::new();
    for p in &d.points {
        if p.replicates == 0 {
            continue;
        }
        if reaches_99(d, p.index)? {
            reached.push(p.index);
        }
    }
    let total = d.points.iter().filter(|p| p.replicates > 0).count();
    if reached.is_empty() {
        return Some(format!(
            "No point reaches 99 % coverage in every replicate ({total} point{} checked).",
            if total == 1 { "" } else { "s" }
        ));
    }
    let cost = "frames_per_node";
    let mut costed: Vec<(usize, f64)> = reached
        .iter()
        .filter_map(|&p| d.mean(p, cost).map(|m| (p, m)))
        .collect();
    costed.sort_by(|a, b| a.1.total_cmp(&b.1));
    let how_many = if reached.len() == total {
        format!("All {total} points reach")
    } else {
        format!(
            "{} of {total} point{} reach",
            reached.len(),
            if total == 1 { "" } else { "s" }
        )
    };
    match costed.len() {
        0 => {
            let names: Vec<String> = reached.iter().take(6).map(|&p| name(d, p)).collect();
            let more = if reached.len() > 6 { ", among others" } else { "" };
            Some(format!(
                "{how_many} 99 % coverage in every replicate: {}{more}.",
                join_names(&names)
            ))
        }
        1 if reached.len() == 1 => Some(format!(
            "Only {} reaches 99 % coverage in every replicate, with {} frames per node.",
            name(d, costed[0].0),
            fmt_fixed(costed[0].1, decimals_for(costed[0].1))
        )),
        1 => Some(format!(
            "{how_many} 99 % coverage in every replicate; of those with a frame count, {} sends {} frames per node.",
            name(d, costed[0].0),
            fmt_fixed(costed[0].1, decimals_for(costed[0].1))
        )),
        _ => {
            let (p0, c0) = costed[0];
            let (p1, c1) = costed[1];
            let dec = decimals_for(c0.abs().max(c1.abs()));
            let (a, b) = (fmt_fixed(c0, dec), fmt_fixed(c1, dec));
            let (n0, n1) = (name(d, p0), name(d, p1));
            if overlaps(d, p0, p1, cost) == Some(true) || c0 == c1 {
                return Some(format!(
                    "{how_many} 99 % coverage in every replicate; the two cheapest tie: {n0} with {a} and {n1} with {b} frames per node (95 % intervals overlap)."
                ));
            }
            Some(format!(
                "{how_many} 99 % coverage in every replicate; the cheapest of them is {n0} with {a} frames per node (next: {n1} with {b})."
            ))
        }
    }
}

fn t90_spread(d: &Dataset) -> Option<String> {
    let metric = "t90_s";
    let mut ranked = means(d, metric);
    if ranked.is_empty() {
        return None;
    }
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (fast, fm) = ranked[0];
    let (slow, sm) = ranked[ranked.len() - 1];
    let dec = decimals_for(fm.abs().max(sm.abs()));
    let mut s = if ranked.len() == 1 {
        format!(
            "Mean time to 90 % coverage is {} s at {}.",
            fmt_fixed(fm, dec),
            name(d, fast)
        )
    } else {
        let mut s = format!(
            "Mean time to 90 % coverage ranges from {} s at {} to {} s at {}",
            fmt_fixed(fm, dec),
            name(d, fast),
            fmt_fixed(sm, dec),
            name(d, slow)
        );
        if fm > 0.0 && sm / fm >= 1.05 {
            s.push_str(&format!(" ({:.1}× slower)", sm / fm));
        }
        s.push('.');
        s
    };
    let partial: Vec<String> = d
        .points
        .iter()
        .filter_map(|p| {
            let v = d.run_values(p.index, metric)?;
            let defined = v.iter().filter(|x| x.is_some()).count();
            (defined < v.len()).then(|| format!("{} ({defined} of {})", name(d, p.index), v.len()))
        })
        .collect();
    if !partial.is_empty() {
        s.push_str(&format!(
            " 90 % coverage is not reached in every replicate at {}.",
            join_names(&partial)
        ));
    }
    Some(s)
}

/// Other swept params of a point (everything but the attack share), as a label.
fn group_label(d: &Dataset, point: usize) -> String {
    let others: Vec<(String, String)> = d
        .point(point)
        .map(|p| {
            p.params
                .iter()
                .filter(|(k, _)| k != ATTACK_SHARE)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    super::format::point_label(&others, "")
}

/// Points grouped by their other swept params (first-appearance order), each
/// group sorted by numeric attack share.
pub(crate) fn attack_groups(d: &Dataset) -> Vec<(String, Vec<(usize, f64)>)> {
    let mut groups: Vec<(String, Vec<(usize, f64)>)> = Vec::new();
    for p in &d.points {
        let Some(share) = d
            .param(p.index, ATTACK_SHARE)
            .and_then(|s| s.parse::<f64>().ok())
        else {
            continue;
        };
        if !share.is_finite() {
            continue;
        }
        let label = group_label(d, p.index);
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, members)) => members.push((p.index, share)),
            None => groups.push((label, vec![(p.index, share)])),
        }
    }
    for (_, members) in &mut groups {
        members.sort_by(|a, b| a.1.total_cmp(&b.1));
    }
    groups
}

fn attack_trends(d: &Dataset, metric: &str, phrase: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (label, members) in attack_groups(d) {
        let with: Vec<(usize, f64, f64)> = members
            .iter()
            .filter_map(|&(p, share)| d.mean(p, metric).map(|m| (p, share, m)))
            .collect();
        let (Some(&(p0, s0, m0)), Some(&(p1, s1, m1))) = (with.first(), with.last()) else {
            continue;
        };
        if s0 == s1 {
            continue;
        }
        let share = |p: usize| md_escape(d.param(p, ATTACK_SHARE).unwrap_or_default());
        let dec = decimals_for(m0.abs().max(m1.abs()));
        let (a, b) = (fmt_fixed(m0, dec), fmt_fixed(m1, dec));
        let prefix = if label.is_empty() {
            format!("Mean {phrase}")
        } else {
            format!("With {}, mean {phrase}", md_escape(&label))
        };
        let sentence = if a == b {
            format!(
                "{prefix} stays at {a} from attacker share {} to {}.",
                share(p0),
                share(p1)
            )
        } else {
            let verb = if m1 < m0 { "falls" } else { "rises" };
            format!(
                "{prefix} {verb} from {a} at attacker share {} to {b} at share {} ({}{}).",
                share(p0),
                share(p1),
                if m1 > m0 { "+" } else { "" },
                fmt_fixed(m1 - m0, dec)
            )
        };
        out.push(sentence);
    }
    out
}

fn earnings(d: &Dataset) -> Option<String> {
    let (h, a) = (
        "fees_earned_per_honest_node_sat",
        "fees_earned_per_adversary_node_sat",
    );
    let both: Vec<(usize, f64, f64)> = d
        .points
        .iter()
        .filter_map(|p| Some((p.index, d.mean(p.index, h)?, d.mean(p.index, a)?)))
        .collect();
    if both.is_empty() {
        return None;
    }
    let k = both.len();
    let honest_more: Vec<usize> = both.iter().filter(|x| x.1 > x.2).map(|x| x.0).collect();
    let (hp, ap) = (metric_phrase(h), metric_phrase(a));
    let pts = if k == 1 { "point" } else { "points" };
    if honest_more.len() == k {
        let (p, hv, av) = both[0];
        Some(format!(
            "Honest nodes earn more per node than adversarial nodes at all {k} {pts} where both are defined (e.g. {} vs {} sat at {}).",
            fmt_auto2(hv, av).0,
            fmt_auto2(hv, av).1,
            name(d, p)
        ))
    } else if honest_more.is_empty() {
        Some(format!(
            "Adversarial nodes earn at least as much per node as honest nodes at all {k} {pts} where both {hp} and {ap} are defined."
        ))
    } else {
        let losers: Vec<String> = both
            .iter()
            .filter(|x| x.1 <= x.2)
            .take(6)
            .map(|x| name(d, x.0))
            .collect();
        Some(format!(
            "Honest nodes earn more per node than adversarial nodes at {} of {k} points; adversarial nodes earn at least as much at {}.",
            honest_more.len(),
            join_names(&losers)
        ))
    }
}

fn fmt_auto2(a: f64, b: f64) -> (String, String) {
    let dec = decimals_for(a.abs().max(b.abs()));
    (fmt_fixed(a, dec), fmt_fixed(b, dec))
}
