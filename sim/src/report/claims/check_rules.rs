//! What each kind of claim asserts, tested against the data: who is best, who ties, which
//! points pass, where an attack first succeeds, and that every list is complete.

use super::super::model::{Dataset, ATTACK_SHARE};
use super::check_data::{close, runs};
use super::stat::{Quantity, Stat};
use super::{Claim, Defined, Direction, Scope, Step, Threshold};

/// Contradictions unless `s` is the mean of `metric` at `point`.
pub(super) fn is_mean(s: &Stat, point: usize, metric: &str) -> Vec<String> {
    match &s.of {
        Quantity::Mean {
            point: p,
            metric: m,
        } if *p == point && m == metric => Vec::new(),
        other => vec![format!(
            "states {other:?} where the mean of `{metric}` at #{point} belongs"
        )],
    }
}

/// Contradictions unless `s` is the difference of `metric` between `point` and `baseline`.
pub(super) fn is_diff(s: &Stat, point: usize, baseline: usize, metric: &str) -> Vec<String> {
    match &s.of {
        Quantity::Diff {
            point: p,
            baseline: b,
            metric: m,
            ..
        } if *p == point && *b == baseline && m == metric => Vec::new(),
        other => vec![format!(
            "states {other:?} where `{metric}` at #{point} − #{baseline} belongs"
        )],
    }
}

/// How many values a difference of `metric` between two points rests on: the pairs (runs of a
/// replicate with one seed, both defined) when the points share seeds, else the fewer of the two
/// points' defined runs.
pub(super) fn support(d: &Dataset, a: usize, b: usize, metric: &str) -> usize {
    let (x, y) = (runs(d, a, metric), runs(d, b, metric));
    let mut shared = 0;
    let mut seeds_shared = true;
    for r in d.runs.iter().filter(|r| r.point == a) {
        if let Some(o) = d.run(b, r.replicate) {
            shared += 1;
            seeds_shared &= r.seed.is_some() && o.seed == r.seed;
        }
    }
    if seeds_shared && shared > 0 {
        x.iter().filter(|r| y.iter().any(|s| s.0 == r.0)).count()
    } else {
        x.len().min(y.len())
    }
}

/// Whether a difference of `metric` between two points can have an interval.
fn testable(d: &Dataset, a: usize, b: usize, metric: &str) -> bool {
    support(d, a, b, metric) >= 2
}

fn all_points(d: &Dataset) -> Vec<usize> {
    d.points.iter().map(|p| p.index).collect()
}

fn with_mean(d: &Dataset, metric: &str, among: &[usize]) -> Vec<usize> {
    among
        .iter()
        .copied()
        .filter(|p| d.mean(*p, metric).is_some())
        .collect()
}

pub(super) fn same(
    d: &Dataset,
    metric: &str,
    unattacked: bool,
    points: &[usize],
    stat: &Stat,
) -> Vec<String> {
    let mut out = Vec::new();
    let Some(&first) = points.first() else {
        return vec!["names no point".to_owned()];
    };
    out.extend(is_mean(stat, first, metric));
    let values = |p: usize| -> Vec<(usize, Option<f64>)> {
        let mut v: Vec<(usize, Option<f64>)> = d
            .runs
            .iter()
            .filter(|r| r.point == p)
            .map(|r| (r.replicate, r.metrics.get(metric).copied().flatten()))
            .collect();
        v.sort_by_key(|x| x.0);
        v
    };
    for &p in points {
        if values(p) != values(first) {
            out.push(format!(
                "`{metric}` at #{p} differs from #{first} in some replicate"
            ));
        }
    }
    let scope: Vec<usize> = all_points(d)
        .into_iter()
        .filter(|p| !unattacked || !d.is_attacked(*p))
        .collect();
    let all: Vec<usize> = with_mean(d, metric, &scope);
    if points.len() < 2 || points != all.as_slice() {
        out.push(format!(
            "says all points {points:?}, the points with `{metric}` are {all:?}"
        ));
    }
    out
}

/// Whether every run of `point` has `t.metric ≥ t.at_least` (and there is a run).
fn passes(d: &Dataset, point: usize, t: &Threshold) -> bool {
    let runs: Vec<_> = d.runs.iter().filter(|r| r.point == point).collect();
    !runs.is_empty()
        && runs.iter().all(|r| {
            r.metrics
                .get(&t.metric)
                .copied()
                .flatten()
                .is_some_and(|v| v >= t.at_least)
        })
}

pub(super) fn every_run(d: &Dataset, t: &Threshold, of: &[usize], points: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    let with_runs: Vec<usize> = d
        .points
        .iter()
        .map(|p| p.index)
        .filter(|p| d.runs.iter().any(|r| r.point == *p))
        .collect();
    if of != with_runs.as_slice() {
        out.push(format!(
            "checks points {of:?}, the points with runs are {with_runs:?}"
        ));
    }
    let pass: Vec<usize> = with_runs
        .iter()
        .copied()
        .filter(|p| passes(d, *p, t))
        .collect();
    if points != pass.as_slice() {
        out.push(format!(
            "says `{}` ≥ {} in every run at {points:?}; it is so at {pass:?}",
            t.metric, t.at_least
        ));
    }
    out
}

fn better(dir: Direction, a: f64, b: f64) -> bool {
    match dir {
        Direction::Up => a > b,
        Direction::Down => a < b,
    }
}

fn scope_points(d: &Dataset, scope: &Scope) -> Vec<usize> {
    all_points(d)
        .into_iter()
        .filter(|p| !scope.unattacked || !d.is_attacked(*p))
        .filter(|p| scope.every_run.as_ref().is_none_or(|t| passes(d, *p, t)))
        .collect()
}

pub(super) fn best(d: &Dataset, c: &Claim) -> Vec<String> {
    let Claim::Best {
        metric,
        better: dir,
        scope,
        among,
        best,
        tied,
        behind,
        untested,
    } = c
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let want = scope_points(d, scope);
    if *among != want {
        out.push(format!("compares {among:?}, its scope selects {want:?}"));
    }
    if scope.unattacked && among.iter().any(|p| d.is_attacked(*p)) {
        out.push("calls an attacked point unattacked".to_owned());
    }
    let bp = best.point();
    out.extend(is_mean(best, bp, metric));
    let candidates = with_mean(d, metric, among);
    if !candidates.contains(&bp) {
        out.push(format!("its best point #{bp} is not among those compared"));
    }
    for &p in &candidates {
        if d.mean(p, metric)
            .is_some_and(|m| better(*dir, m, best.mean) && !close(m, best.mean))
        {
            out.push(format!(
                "#{p} has a better mean of `{metric}` than the best, #{bp}"
            ));
        }
    }
    let mut listed: Vec<usize> = tied.iter().chain(behind).map(Stat::point).collect();
    listed.extend(untested);
    listed.sort_unstable();
    let others: Vec<usize> = candidates.iter().copied().filter(|p| *p != bp).collect();
    if listed != others {
        out.push(format!(
            "compares {listed:?} with the best, the others are {others:?}"
        ));
    }
    for s in tied {
        out.extend(is_diff(s, s.point(), bp, metric));
        if s.contains(0.0) != Some(true) {
            out.push(format!(
                "calls #{} a tie, but its difference's CI {:?} excludes 0 or is absent",
                s.point(),
                s.ci()
            ));
        }
    }
    for s in behind {
        out.extend(is_diff(s, s.point(), bp, metric));
        let worse = match dir {
            Direction::Up => s.below(0.0),
            Direction::Down => s.above(0.0),
        };
        if !worse {
            out.push(format!("ranks #{} behind, but its difference's CI {:?} does not exclude 0 on the worse side", s.point(), s.ci()));
        }
    }
    for &p in untested {
        if testable(d, p, bp, metric) {
            out.push(format!(
                "leaves #{p} untested, but its difference has an interval"
            ));
        }
    }
    out
}

pub(super) fn spread(
    d: &Dataset,
    metric: &str,
    low: &Stat,
    high: &Stat,
    diff: &Stat,
) -> Vec<String> {
    let mut out = is_mean(low, low.point(), metric);
    out.extend(is_mean(high, high.point(), metric));
    out.extend(is_diff(diff, high.point(), low.point(), metric));
    let means: Vec<f64> = all_points(d)
        .iter()
        .filter_map(|p| d.mean(*p, metric))
        .collect();
    let min = means.iter().copied().fold(f64::INFINITY, f64::min);
    let max = means.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !close(low.mean, min) || !close(high.mean, max) {
        out.push(format!(
            "states the range {} to {}, the means span {min} to {max}",
            low.mean, high.mean
        ));
    }
    if low.point() == high.point() {
        out.push("compares a point with itself".to_owned());
    }
    out
}

pub(super) fn undefined(d: &Dataset, metric: &str, points: &[Defined]) -> Vec<String> {
    let mut want = Vec::new();
    for p in &d.points {
        let reps: Vec<_> = d.runs.iter().filter(|r| r.point == p.index).collect();
        if !reps.iter().any(|r| r.metrics.contains_key(metric)) {
            continue;
        }
        let defined = reps
            .iter()
            .filter(|r| r.metrics.get(metric).copied().flatten().is_some())
            .count();
        if defined < reps.len() {
            want.push(Defined {
                point: p.index,
                defined,
                runs: reps.len(),
            });
        }
    }
    if points != want.as_slice() {
        return vec![format!(
            "lists {points:?} as partly undefined, the runs give {want:?}"
        )];
    }
    Vec::new()
}

pub(super) fn occurs(d: &Dataset, metric: &str, some: &[Stat], none: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    let (mut want_some, mut want_none) = (Vec::new(), Vec::new());
    for p in all_points(d) {
        let v = runs(d, p, metric);
        if v.is_empty() {
            continue;
        }
        if v.iter().any(|r| r.2 > 0.0) {
            want_some.push(p);
        } else {
            want_none.push(p);
        }
    }
    let got: Vec<usize> = some.iter().map(Stat::point).collect();
    if got != want_some || none != want_none.as_slice() {
        out.push(format!(
            "says `{metric}` > 0 in some run at {got:?} and never at {none:?}; the runs give {want_some:?} and {want_none:?}"
        ));
    }
    for s in some {
        out.extend(is_mean(s, s.point(), metric));
    }
    out
}

/// Attack steps need the group's points: the points whose swept values other than
/// `attack.share` equal `group`, as (share text, point, share) in increasing share.
pub(super) fn group_members(d: &Dataset, group: &[(String, String)]) -> Vec<(String, usize, f64)> {
    let mut v: Vec<(String, usize, f64)> = d
        .points
        .iter()
        .filter(|p| {
            let others: Vec<&(String, String)> =
                p.params.iter().filter(|(k, _)| k != ATTACK_SHARE).collect();
            others.len() == group.len() && others.iter().zip(group).all(|(a, b)| *a == b)
        })
        .filter_map(|p| {
            let t = d.param(p.index, ATTACK_SHARE)?;
            let s = t.parse::<f64>().ok().filter(|s| s.is_finite())?;
            Some((t.to_owned(), p.index, s))
        })
        .collect();
    v.sort_by(|a, b| a.2.total_cmp(&b.2));
    v
}

/// The step list a claim should have, for comparison: (share text, point) in order.
pub(super) fn step_points(steps: &[Step]) -> Vec<(String, usize)> {
    steps.iter().map(|s| (s.share.clone(), s.point)).collect()
}
