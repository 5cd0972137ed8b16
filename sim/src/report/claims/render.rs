//! The sentence of each claim. Every number printed is one of the claim's statistics, with its
//! interval and n; every comparison names its test.

use super::super::format::fmt_fixed;
use super::super::model::Dataset;
use super::stat::Stat;
use super::words::{
    capitalise, dec, diff_text, join, name, names, phrase, stat_text, tests, threshold_words,
    Words, MAX_NAMES,
};
use super::{Claim, Defined, Threshold};

/// The sentence of `c`, as `report.md` prints it.
pub(crate) fn sentence(d: &Dataset, c: &Claim) -> String {
    match c {
        Claim::Level { stat } => format!(
            "Mean {} is {}.",
            phrase(stat.metric()),
            stat_text(stat, dec(&[stat]), false)
        ),
        Claim::Same {
            metric,
            unattacked,
            points,
            stat,
        } => format!(
            "Mean {} is the same at {} {}points in every replicate: {}.",
            phrase(metric),
            match points.len() {
                2 => "both".to_owned(),
                n => format!("all {n}"),
            },
            if *unattacked {
                "unattacked (attacker share 0) "
            } else {
                ""
            },
            stat_text(stat, dec(&[stat]), false)
        ),
        Claim::Best { .. } => super::render_best::best(d, c),
        Claim::EveryRun {
            threshold,
            of,
            points,
        } => every_run(d, threshold, of, points),
        Claim::Spread {
            metric,
            low,
            high,
            diff,
        } => spread(d, metric, low, high, diff),
        Claim::Undefined { metric, points } => undefined(d, metric, points),
        Claim::Attack { .. } => super::render_attack::attack(d, c),
        Claim::Earnings {
            more,
            less,
            unclear,
        } => super::render_attack::earnings(d, more, less, unclear),
        Claim::Effect { .. } => super::render_attack::effect(d, c),
        Claim::Limit { .. } => super::render_attack::limit(d, c),
        Claim::Occurs { metric, some, none } => occurs(d, metric, some, none),
    }
}

fn every_run(d: &Dataset, t: &Threshold, of: &[usize], points: &[usize]) -> String {
    let Words {
        yes,
        asked: no,
        denied,
        test,
        not,
    } = threshold_words(t);
    let total = of.len();
    if total == 1 {
        return if points.is_empty() {
            format!("{denied} ({not}).")
        } else {
            format!("{} ({test}).", capitalise(&yes))
        };
    }
    match points.len() {
        0 => format!("At none of the {total} points {no} ({not} of each)."),
        k if k == total => format!("At all {total} points {yes} ({test})."),
        k => format!(
            "At {k} of {total} points {yes} ({test}): {}.",
            names(d, points)
        ),
    }
}

/// Decimals at which `a` and `b` print differently (when they differ), at least `start`.
fn distinct(a: f64, b: f64, start: usize) -> usize {
    let mut d = start;
    while a != b && fmt_fixed(a, d) == fmt_fixed(b, d) && d < 12 {
        d += 1;
    }
    d
}

fn spread(d: &Dataset, metric: &str, low: &Stat, high: &Stat, diff: &Stat) -> String {
    let dec = distinct(low.mean, high.mean, dec(&[low, high]));
    let (lo, hi) = (stat_text(low, dec, false), stat_text(high, dec, false));
    let (a, b) = (name(d, low.point()), name(d, high.point()));
    let p = phrase(metric);
    let test = tests(&[diff]);
    if diff.above(0.0) && fmt_fixed(low.mean, dec) != fmt_fixed(high.mean, dec) {
        return format!(
            "Mean {p} ranges from {lo} at {a} to {hi} at {b}; {b} − {a} = {} ({test}).",
            diff_text(diff)
        );
    }
    let why = match diff.contains(0.0) {
        Some(true) => format!("whose 95 % CI contains 0 ({test})"),
        Some(false) => format!("over the runs both define ({test})"),
        None => "with no interval".to_owned(),
    };
    format!(
        "Mean {p} differs little between points: the highest, {hi} at {b}, exceeds the lowest, \
         {lo} at {a}, by {} {why}.",
        diff_text(diff)
    )
}

fn undefined(d: &Dataset, metric: &str, points: &[Defined]) -> String {
    let why = match metric {
        "t90_s" => " (no topic reached 90 % of its eligible nodes)",
        "t99_s" => " (no topic reached 99 % of its eligible nodes)",
        _ => "",
    };
    let listed: Vec<String> = points
        .iter()
        .take(MAX_NAMES)
        .map(|p| {
            format!(
                "{} (defined in {} of {} runs)",
                name(d, p.point),
                p.defined,
                p.runs
            )
        })
        .collect();
    let mut listed = listed;
    if points.len() > MAX_NAMES {
        listed.push(format!("{} more", points.len() - MAX_NAMES));
    }
    format!(
        "`{metric}` is undefined{why} in some runs at {} point{}: {}; those means cover only the \
         runs that define it.",
        points.len(),
        if points.len() == 1 { "" } else { "s" },
        join(&listed)
    )
}

fn occurs(d: &Dataset, metric: &str, some: &[Stat], none: &[usize]) -> String {
    let total = some.len() + none.len();
    let p = capitalise(&phrase(metric));
    let Some(most) = some
        .iter()
        .reduce(|a, b| if b.mean > a.mean { b } else { a })
    else {
        return format!("{p} (`{metric}`): none in any run at any of the {total} points.");
    };
    let rest = if none.is_empty() {
        String::new()
    } else {
        format!("; none in any run at the other {}", none.len())
    };
    format!(
        "{p} (`{metric}`) occur at {} of {total} points, most at {}: {}{rest}.",
        some.len(),
        name(d, most.point()),
        stat_text(most, dec(&[most]), false)
    )
}
