//! Words and numbers the sentences share: names of points, metrics in words, statistics with
//! their interval and n, the tests behind them.

use super::super::format::{
    decimals_for, fmt_fixed, md_escape, metric_phrase, metric_unit, short_key,
};
use super::super::model::{Dataset, ATTACK_SHARE};
use super::stat::{Quantity, Stat, Test};
use super::Threshold;

/// Most points named in one sentence; the rest are counted.
pub(super) const MAX_NAMES: usize = 6;

/// `**label**` of a point.
pub(super) fn name(d: &Dataset, point: usize) -> String {
    format!("**{}**", md_escape(&d.label(point)))
}

/// Names of `points`, at most [`MAX_NAMES`] and then "and k more".
pub(super) fn names(d: &Dataset, points: &[usize]) -> String {
    let shown: Vec<String> = points.iter().take(MAX_NAMES).map(|&p| name(d, p)).collect();
    let more = points.len().saturating_sub(MAX_NAMES);
    let mut all = shown;
    if more > 0 {
        all.push(format!("{more} more"));
    }
    join(&all)
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A metric in words.
pub(super) fn phrase(metric: &str) -> String {
    match metric {
        "ln_success_share" => "Lightning payment success".to_owned(),
        "ln_fee_overhead" => "Lightning fee overhead".to_owned(),
        "ln_recoveries" => "payment recoveries (paper 3.9)".to_owned(),
        "ln_time_to_pay_s" => "time to pay a gig over Lightning".to_owned(),
        other => metric_phrase(other),
    }
}

/// Decimals that show about three significant digits of every number of `stats`.
pub(super) fn dec(stats: &[&Stat]) -> usize {
    let max = stats
        .iter()
        .flat_map(|s| [Some(s.mean), s.low, s.high])
        .flatten()
        .fold(0.0_f64, |a, v| a.max(v.abs()));
    decimals_for(max)
}

fn num(v: f64, decimals: usize, signed: bool) -> String {
    let t = fmt_fixed(v, decimals);
    if signed && !t.starts_with('-') && t.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{t}")
    } else {
        t
    }
}

/// `mean [low, high] unit (n=k)`; `(n=k, no interval)` without one; signed for differences.
pub(super) fn stat_text(s: &Stat, decimals: usize, signed: bool) -> String {
    let unit = metric_unit(s.metric());
    let n = match s.n_baseline {
        Some(b) => format!("n={} and {b}", s.n),
        None => format!("n={}", s.n),
    };
    match s.ci() {
        Some((l, h)) => format!(
            "{} [{}, {}]{unit} ({n})",
            num(s.mean, decimals, signed),
            num(l, decimals, signed),
            num(h, decimals, signed)
        ),
        None => format!("{}{unit} ({n}, no interval)", num(s.mean, decimals, signed)),
    }
}

/// A difference with its own decimals.
pub(super) fn diff_text(s: &Stat) -> String {
    stat_text(s, dec(&[s]), true)
}

/// The tests behind `stats`, named once each.
pub(super) fn tests(stats: &[&Stat]) -> String {
    let mut named: Vec<&str> = Vec::new();
    for s in stats {
        let t = match &s.of {
            Quantity::Diff { test, .. } => *test,
            Quantity::Gap { .. } => Test::WithinRunT,
            Quantity::Mean { .. } => continue,
        };
        if !named.contains(&t.phrase()) {
            named.push(t.phrase());
        }
    }
    named.join("; ")
}

/// What passing `t` in every run means: the clause, its question form ("did …"), its denial
/// as a sentence, the test and the failed test.
pub(super) struct Words {
    pub yes: String,
    pub asked: String,
    pub denied: String,
    pub test: String,
    pub not: String,
}

/// The [`Words`] of `t`.
pub(super) fn threshold_words(t: &Threshold) -> Words {
    match (t.metric.as_str(), t.at_least) {
        ("reach99_share", 1.0) => Words {
            yes: "every topic of every replicate reached 99 % of its eligible nodes".into(),
            asked: "did every topic of every replicate reach 99 % of its eligible nodes".into(),
            denied: "Not every topic of every replicate reached 99 % of its eligible nodes".into(),
            test: "`reach99_share` = 1 in every run".into(),
            not: "`reach99_share` < 1 in some run".into(),
        },
        (m, x) => Words {
            yes: format!("{} was at least {x} in every replicate", phrase(m)),
            asked: format!("was {} at least {x} in every replicate", phrase(m)),
            denied: format!("{} was below {x} in some replicate", capitalise(&phrase(m))),
            test: format!("`{m}` ≥ {x} in every run"),
            not: format!("`{m}` < {x} in some run"),
        },
    }
}

pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The share of a point as the sweep writes it.
pub(super) fn share(d: &Dataset, point: usize) -> String {
    md_escape(d.param(point, ATTACK_SHARE).unwrap_or("?"))
}

/// `a, b` of a list of swept values, for "with fanout=flood".
pub(super) fn group_text(group: &[(String, String)]) -> String {
    let keys: Vec<String> = group.iter().map(|(k, _)| k.clone()).collect();
    group
        .iter()
        .map(|(k, v)| format!("{}={}", md_escape(&short_key(k, &keys)), md_escape(v)))
        .collect::<Vec<_>>()
        .join(", ")
}
