//! The sentence of a [`Claim::Best`].

use super::super::model::Dataset;
use super::stat::Stat;
use super::words::{
    capitalise, dec, diff_text, join, name, phrase, stat_text, tests, threshold_words,
};
use super::{Claim, Direction, Scope};

/// "Of the 4 unattacked points where …, " (empty for all points).
fn scope_text(scope: &Scope, among: usize) -> String {
    let attacked = if scope.unattacked { "unattacked " } else { "" };
    match &scope.every_run {
        Some(t) => {
            let yes = threshold_words(t).yes;
            if among == 1 {
                format!("At the only {attacked}point where {yes}, ")
            } else {
                format!("Of the {among} {attacked}points where {yes}, ")
            }
        }
        None if scope.unattacked => "Without attack (attacker share 0), ".to_owned(),
        None => String::new(),
    }
}

/// The sentence of a [`Claim::Best`].
pub(super) fn best(d: &Dataset, c: &Claim) -> String {
    let Claim::Best {
        metric,
        better,
        scope,
        among,
        best,
        tied,
        behind,
        untested,
    } = c
    else {
        return String::new();
    };
    let prefix = scope_text(scope, among.len());
    let (most, more_than) = match better {
        Direction::Up => ("highest", "lower"),
        Direction::Down => ("lowest", "higher"),
    };
    let p = phrase(metric);
    let leader = name(d, best.point());
    let value = stat_text(best, dec(&[best]), false);
    let mut s = if tied.is_empty() && behind.is_empty() {
        match &scope.every_run {
            Some(t) if untested.is_empty() => {
                let yes = threshold_words(t).yes;
                let attacked = if scope.unattacked { "unattacked " } else { "" };
                format!("The only {attacked}point where {yes} is {leader}, with mean {p} {value}")
            }
            _ => sentence_start(&prefix, &format!("{leader} has mean {p} {value}")),
        }
    } else if tied.is_empty() {
        let closest = closest(behind);
        let test = tests(&behind.iter().collect::<Vec<_>>());
        let others = if behind.len() == 1 {
            format!(
                "{}, the only other point compared, is {more_than} by {}, a difference whose 95 % \
                 CI excludes 0 ({test})",
                name(d, closest.point()),
                diff_text(closest)
            )
        } else {
            format!(
                "the other {} points compared are all {more_than}, each by a difference whose 95 % \
                 CI excludes 0 ({test}); the closest is {}, by {}",
                behind.len(),
                name(d, closest.point()),
                diff_text(closest)
            )
        };
        sentence_start(
            &prefix,
            &format!("{leader} has the {most} mean {p}, {value}; {others}"),
        )
    } else {
        sentence_start(&prefix, &tie(d, c, most, more_than))
    };
    if !untested.is_empty() {
        s.push_str(&format!(
            "; {} point{} without an interval for the difference {} not compared",
            untested.len(),
            if untested.len() == 1 { "" } else { "s" },
            if untested.len() == 1 { "is" } else { "are" }
        ));
    }
    s.push('.');
    s
}

fn sentence_start(prefix: &str, rest: &str) -> String {
    if prefix.is_empty() {
        capitalise(rest)
    } else {
        format!("{prefix}{rest}")
    }
}

/// The difference closest to 0.
fn closest(stats: &[Stat]) -> &Stat {
    stats
        .iter()
        .reduce(|a, b| if b.mean.abs() < a.mean.abs() { b } else { a })
        .expect("invariant: called with at least one difference")
}

fn tie(d: &Dataset, c: &Claim, most: &str, more_than: &str) -> String {
    let Claim::Best {
        metric,
        best,
        tied,
        behind,
        ..
    } = c
    else {
        return String::new();
    };
    let shown: Vec<&Stat> = tied.iter().take(5).collect();
    let mut names: Vec<String> = std::iter::once(best.point())
        .chain(shown.iter().map(|s| s.point()))
        .map(|p| name(d, p))
        .collect();
    if tied.len() > shown.len() {
        names.push(format!("{} more", tied.len() - shown.len()));
    }
    let diffs: Vec<String> = shown
        .iter()
        .map(|s| format!("{} {}", name(d, s.point()), diff_text(s)))
        .collect();
    let each = if tied.len() == 1 {
        "the difference of the other to it has a 95 % CI that contains 0"
    } else {
        "the difference of each other to it has a 95 % CI that contains 0"
    };
    let mut s = format!(
        "{} tie for the {most} mean {}: {} has {}, and {each} ({}): {}",
        join(&names),
        phrase(metric),
        name(d, best.point()),
        stat_text(best, dec(&[best]), false),
        tests(&tied.iter().collect::<Vec<_>>()),
        join(&diffs)
    );
    if !behind.is_empty() {
        s.push_str(&format!(
            "; {} {more_than} (95 % CI of the difference excludes 0)",
            if behind.len() == 1 {
                "the remaining point is".to_owned()
            } else {
                format!("the other {} points are", behind.len())
            }
        ));
    }
    s
}
