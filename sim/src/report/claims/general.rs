//! Claims every sweep gets: final coverage, reaching 99 %, cost, time to 90 %.

use super::super::model::Dataset;
use super::stat::{self, Stat};
use super::{Claim, Defined, Direction, Scope, Threshold};

/// Points with a defined mean of `metric`, in point order.
fn defined(d: &Dataset, metric: &str, among: &[usize]) -> Vec<usize> {
    among
        .iter()
        .copied()
        .filter(|p| d.mean(*p, metric).is_some())
        .collect()
}

fn all_points(d: &Dataset) -> Vec<usize> {
    d.points.iter().map(|p| p.index).collect()
}

/// Final coverage: its level at a single point, the same everywhere, or the best point.
pub(super) fn coverage(d: &Dataset) -> Vec<Claim> {
    let metric = "coverage_final";
    // Along a swept attacker share, policies are compared where no adversary acts.
    let unattacked = d.is_attack_sweep() && d.points.iter().any(|p| d.is_attacked(p.index));
    let among: Vec<usize> = all_points(d)
        .into_iter()
        .filter(|p| !unattacked || !d.is_attacked(*p))
        .collect();
    level_same_or_best(d, metric, Direction::Up, unattacked, &among)
        .into_iter()
        .collect()
}

fn level_same_or_best(
    d: &Dataset,
    metric: &str,
    better: Direction,
    unattacked: bool,
    among: &[usize],
) -> Option<Claim> {
    let points = defined(d, metric, among);
    match points.as_slice() {
        [] => None,
        [p] if d.points.len() == 1 => Some(Claim::Level {
            stat: stat::mean(d, *p, metric)?,
        }),
        _ => same(d, metric, &points, unattacked).or_else(|| {
            let scope = Scope {
                unattacked,
                every_run: None,
            };
            best(d, metric, better, scope, among.to_vec())
        }),
    }
}

/// [`Claim::Same`] when the metric takes one value per replicate at all `points` (two or more),
/// every point having the same replicates.
pub(super) fn same(d: &Dataset, metric: &str, points: &[usize], unattacked: bool) -> Option<Claim> {
    if points.len() < 2 {
        return None;
    }
    let first = d.by_replicate(points[0], metric);
    let reps = |p: usize| -> Vec<usize> {
        let mut v: Vec<usize> = d
            .runs
            .iter()
            .filter(|r| r.point == p)
            .map(|r| r.replicate)
            .collect();
        v.sort_unstable();
        v
    };
    let all_same = points
        .iter()
        .all(|&p| reps(p) == reps(points[0]) && d.by_replicate(p, metric) == first);
    if !all_same {
        return None;
    }
    Some(Claim::Same {
        metric: metric.to_owned(),
        unattacked,
        points: points.to_vec(),
        stat: stat::mean(d, points[0], metric)?,
    })
}

/// [`Claim::Best`] over `among`; `None` without a defined mean, or when some point beats the
/// best mean by its own interval (the runs disagree with the means: no claim).
pub(super) fn best(
    d: &Dataset,
    metric: &str,
    better: Direction,
    scope: Scope,
    among: Vec<usize>,
) -> Option<Claim> {
    let candidates = defined(d, metric, &among);
    let mut best_point = *candidates.first()?;
    for &p in &candidates {
        let (m, b) = (d.mean(p, metric)?, d.mean(best_point, metric)?);
        let beats = match better {
            Direction::Up => m > b,
            Direction::Down => m < b,
        };
        if beats {
            best_point = p;
        }
    }
    let (mut tied, mut behind, mut untested) = (Vec::new(), Vec::new(), Vec::new());
    for &p in candidates.iter().filter(|p| **p != best_point) {
        let Some(s) = stat::diff(d, p, best_point, metric).filter(|s| s.ci().is_some()) else {
            untested.push(p);
            continue;
        };
        let worse = match better {
            Direction::Up => s.below(0.0),
            Direction::Down => s.above(0.0),
        };
        if s.contains(0.0) == Some(true) {
            tied.push(s);
        } else if worse {
            behind.push(s);
        } else {
            return None;
        }
    }
    if tied.is_empty() && behind.is_empty() && !untested.is_empty() {
        return None; // nothing could be compared: no claim
    }
    Some(Claim::Best {
        metric: metric.to_owned(),
        better,
        scope,
        among,
        best: stat::mean(d, best_point, metric)?,
        tied,
        behind,
        untested,
    })
}

/// Whether every run of `point` passes `t` (and the point has a run).
pub(super) fn passes(d: &Dataset, point: usize, t: &Threshold) -> bool {
    let v = d.run_values(point, &t.metric).unwrap_or_default();
    !v.is_empty() && v.iter().all(|x| x.is_some_and(|x| x >= t.at_least))
}

/// The test "every topic of every replicate reached 99 %" when the runs carry
/// `reach99_share`, else "final coverage ≥ 0.99 in every run".
pub(super) fn reach_threshold(d: &Dataset) -> Option<Threshold> {
    let (metric, at_least) = if d.runs_report("reach99_share") {
        ("reach99_share", 1.0)
    } else if d.runs_report("coverage_final") {
        ("coverage_final", 0.99)
    } else {
        return None;
    };
    Some(Threshold {
        metric: metric.to_owned(),
        at_least,
    })
}

/// Where every run reached 99 %, and the cheapest of those points that no adversary attacks.
pub(super) fn reach_and_cost(d: &Dataset) -> Vec<Claim> {
    let Some(threshold) = reach_threshold(d) else {
        return Vec::new();
    };
    let of: Vec<usize> = d
        .points
        .iter()
        .filter(|p| p.replicates > 0)
        .map(|p| p.index)
        .collect();
    let points: Vec<usize> = of
        .iter()
        .copied()
        .filter(|p| passes(d, *p, &threshold))
        .collect();
    let mut out = vec![Claim::EveryRun {
        threshold: threshold.clone(),
        of,
        points: points.clone(),
    }];
    let unattacked = d.points.iter().any(|p| d.is_attacked(p.index));
    let among: Vec<usize> = points.into_iter().filter(|p| !d.is_attacked(*p)).collect();
    let cost = "frames_per_node";
    let with_cost = defined(d, cost, &among);
    // A cost identical at every such point in every replicate ranks nothing: no claim.
    if d.points.len() > 1 && !with_cost.is_empty() && same(d, cost, &with_cost, false).is_none() {
        let scope = Scope {
            unattacked,
            every_run: Some(threshold),
        };
        out.extend(best(d, cost, Direction::Down, scope, among));
    }
    out
}

/// The lowest and highest mean of `metric` and their difference, or [`Claim::Same`].
pub(super) fn spread(d: &Dataset, metric: &str) -> Option<Claim> {
    let points = defined(d, metric, &all_points(d));
    if points.len() < 2 {
        return None;
    }
    if let Some(c) = same(d, metric, &points, false) {
        return Some(c);
    }
    let m = |p: usize| d.mean(p, metric).unwrap_or(f64::NAN);
    let mut low = points[0];
    let mut high = points[0];
    for &p in &points {
        if m(p) < m(low) {
            low = p;
        }
        if m(p) > m(high) {
            high = p;
        }
    }
    if low == high {
        high = *points.iter().find(|p| **p != low)?;
    }
    Some(Claim::Spread {
        metric: metric.to_owned(),
        low: stat::mean(d, low, metric)?,
        high: stat::mean(d, high, metric)?,
        diff: stat::diff(d, high, low, metric).filter(|s| s.ci().is_some())?,
    })
}

/// Time to 90 %: its level, spread or sameness, and where some runs never got there.
pub(super) fn t90(d: &Dataset) -> Vec<Claim> {
    let metric = "t90_s";
    let mut out = Vec::new();
    if d.points.len() == 1 {
        out.extend(stat::mean(d, d.points[0].index, metric).map(|stat| Claim::Level { stat }));
    } else {
        out.extend(spread(d, metric));
    }
    let points: Vec<Defined> = d
        .points
        .iter()
        .filter_map(|p| {
            let v = d.run_values(p.index, metric)?;
            let defined = v.iter().filter(|x| x.is_some()).count();
            (defined < v.len()).then_some(Defined {
                point: p.index,
                defined,
                runs: v.len(),
            })
        })
        .collect();
    if !points.is_empty() {
        out.push(Claim::Undefined {
            metric: metric.to_owned(),
            points,
        });
    }
    out
}

/// Every statistic a claim states.
pub(super) fn stats_of(c: &Claim) -> Vec<&Stat> {
    match c {
        Claim::Level { stat } | Claim::Same { stat, .. } => vec![stat],
        Claim::Best {
            best, tied, behind, ..
        } => std::iter::once(best).chain(tied).chain(behind).collect(),
        Claim::Spread {
            low, high, diff, ..
        } => vec![low, high, diff],
        Claim::Attack {
            baseline,
            steps,
            top,
            cost,
            ..
        } => baseline
            .iter()
            .chain(steps.iter().map(|s| &s.stat))
            .chain(top)
            .chain(cost)
            .collect(),
        Claim::Earnings {
            more,
            less,
            unclear,
        } => more.iter().chain(less).chain(unclear).collect(),
        Claim::Effect {
            up, down, unclear, ..
        } => up.iter().chain(down).chain(unclear).collect(),
        Claim::Limit {
            above,
            below,
            unclear,
            highest,
            ..
        } => above
            .iter()
            .chain(below)
            .chain(unclear)
            .chain(std::iter::once(highest))
            .collect(),
        Claim::Occurs { some, .. } => some.iter().collect(),
        Claim::EveryRun { .. } | Claim::Undefined { .. } => Vec::new(),
    }
}
