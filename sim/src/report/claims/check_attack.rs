//! Conditions of the attack and Lightning claims, tested against the data.

use super::super::model::Dataset;
use super::attack::headline;
use super::check_data::close;
use super::check_rules::{group_members, is_diff, is_mean, step_points, support};
use super::stat::Stat;
use super::{Claim, Direction};

fn harmful(dir: Direction, limit: Option<f64>, s: &Stat) -> bool {
    let at = limit.unwrap_or(0.0);
    match dir {
        Direction::Up => s.low.is_some_and(|l| l > at),
        Direction::Down => s.high.is_some_and(|h| h < at),
    }
}

/// The attack kind and its headline metric match the folder's scenario.
fn kind(d: &Dataset, c: &Claim) -> Vec<String> {
    let Claim::Attack {
        attack,
        metric,
        harmful,
        limit,
        ..
    } = c
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let scenario = d.attack_kind().unwrap_or("unknown");
    if scenario != attack && !(attack == "unknown" && headline(scenario).is_none()) {
        out.push(format!(
            "names the attack `{attack}`, the scenario runs `{scenario}`"
        ));
    }
    if let Some(h) = headline(attack) {
        if h.metric != metric || super::attack::harmful(h) != *harmful || h.limit != *limit {
            out.push(format!(
                "uses `{metric}`, the headline of `{attack}` is `{}`",
                h.metric
            ));
        }
    }
    out
}

/// The conditions of a [`Claim::Attack`].
pub(super) fn attack(d: &Dataset, c: &Claim) -> Vec<String> {
    let Claim::Attack {
        metric,
        harmful: dir,
        limit,
        group,
        baseline,
        steps,
        top,
        first,
        cost,
        attack,
    } = c
    else {
        return Vec::new();
    };
    let mut out = kind(d, c);
    let members = group_members(d, group);
    let base = members.iter().find(|m| m.2 == 0.0).map(|m| m.1);
    match (baseline, base) {
        (Some(b), Some(p)) => out.extend(is_mean(b, p, metric)),
        (Some(b), None) => out.push(format!(
            "states a share-0 mean at #{}, the group has no share 0",
            b.point()
        )),
        (None, Some(p)) if d.mean(p, metric).is_some() => {
            out.push(format!("omits the mean at share 0 (#{p})"))
        }
        _ => {}
    }
    let want: Vec<(String, usize)> = members
        .iter()
        .filter(|m| m.2 > 0.0)
        .filter(|m| match (limit, base) {
            (Some(_), _) => d.mean(m.1, metric).is_some(),
            (None, Some(b)) => support(d, m.1, b, metric) > 0,
            (None, None) => false,
        })
        .map(|m| (m.0.clone(), m.1))
        .collect();
    if step_points(steps) != want {
        out.push(format!(
            "steps through {:?}, the group's attacked points are {want:?}",
            step_points(steps)
        ));
    }
    for s in steps {
        out.extend(match (limit, base) {
            (Some(_), _) | (None, None) => is_mean(&s.stat, s.point, metric),
            (None, Some(b)) => is_diff(&s.stat, s.point, b, metric),
        });
    }
    if steps.iter().any(|s| s.stat.ci().is_none()) {
        out.push("judges a share without an interval".to_owned());
    }
    let want_first = steps.iter().position(|s| harmful(*dir, *limit, &s.stat));
    if *first != want_first {
        out.push(format!(
            "says the attack first succeeds at step {first:?}, the intervals say {want_first:?}"
        ));
    }
    if let (Some(t), Some(last)) = (top, steps.last()) {
        out.extend(is_mean(t, last.point, metric));
    }
    if let Some(k) = cost {
        let at = first
            .and_then(|i| steps.get(i))
            .or(steps.last())
            .map_or(usize::MAX, |s| s.point);
        let want = headline(attack).map_or("attacker_frames", |h| h.cost_metric);
        out.extend(is_mean(k, at, want));
    }
    out
}

/// The conditions of a [`Claim::Earnings`].
pub(super) fn earnings(d: &Dataset, more: &[Stat], less: &[Stat], unclear: &[Stat]) -> Vec<String> {
    let (h, a) = (
        "fees_earned_per_honest_node_sat",
        "fees_earned_per_adversary_node_sat",
    );
    let mut out = Vec::new();
    let want: Vec<usize> = d
        .points
        .iter()
        .map(|p| p.index)
        .filter(|p| d.is_attacked(*p))
        .filter(|p| {
            d.runs.iter().filter(|r| r.point == *p).any(|r| {
                r.metrics.get(h).copied().flatten().is_some()
                    && r.metrics.get(a).copied().flatten().is_some()
            })
        })
        .collect();
    let mut got: Vec<usize> = more
        .iter()
        .chain(less)
        .chain(unclear)
        .map(Stat::point)
        .collect();
    got.sort_unstable();
    if got != want {
        out.push(format!(
            "compares earnings at {got:?}, the attacked points where both earn are {want:?}"
        ));
    }
    for (list, name, ok) in [
        (more, "more", (|s: &Stat| s.above(0.0)) as fn(&Stat) -> bool),
        (less, "less", |s: &Stat| s.below(0.0)),
        (unclear, "no detectably different", |s: &Stat| {
            s.ci().is_some() && !s.above(0.0) && !s.below(0.0)
        }),
    ] {
        for s in list {
            if !ok(s) {
                out.push(format!(
                    "says honest nodes earn {name} at #{}, its CI is {:?}",
                    s.point(),
                    s.ci()
                ));
            }
        }
    }
    out
}

/// The conditions of a [`Claim::Effect`].
pub(super) fn effect(d: &Dataset, c: &Claim) -> Vec<String> {
    let Claim::Effect {
        metric,
        key,
        from,
        to,
        up,
        down,
        unclear,
    } = c
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut values: Vec<&str> = Vec::new();
    for p in &d.points {
        if let Some(v) = d.param(p.index, key) {
            if !values.contains(&v) {
                values.push(v);
            }
        }
    }
    if values.first() != Some(&from.as_str()) || values.last() != Some(&to.as_str()) {
        out.push(format!(
            "compares `{key}` {from} → {to}, its values are {values:?}"
        ));
    }
    let mut want = Vec::new();
    for p in d
        .points
        .iter()
        .filter(|p| d.param(p.index, key) == Some(to.as_str()))
    {
        if let Some(b) = super::lightning::counterpart(d, p.index, key, from) {
            if support(d, p.index, b, metric) > 0 {
                want.push((p.index, b));
            }
        }
    }
    let mut got: Vec<(usize, usize)> = Vec::new();
    for s in up.iter().chain(down).chain(unclear) {
        if let Some(&(p, b)) = want.iter().find(|w| w.0 == s.point()) {
            out.extend(is_diff(s, p, b, metric));
        }
        got.push((s.point(), 0));
    }
    let mut got: Vec<usize> = got.into_iter().map(|g| g.0).collect();
    got.sort_unstable();
    let want_points: Vec<usize> = want.iter().map(|w| w.0).collect();
    if got != want_points {
        out.push(format!("compares {got:?}, the points with `{key}` = {to} and a counterpart are {want_points:?}"));
    }
    out.extend(categories(up, down, unclear, 0.0));
    out
}

/// Each list's intervals lie above, below, or around `at`.
fn categories(above: &[Stat], below: &[Stat], unclear: &[Stat], at: f64) -> Vec<String> {
    let mut out = Vec::new();
    for s in above.iter().filter(|s| !s.above(at)) {
        out.push(format!(
            "puts #{} above {at}, its CI is {:?}",
            s.point(),
            s.ci()
        ));
    }
    for s in below.iter().filter(|s| !s.below(at)) {
        out.push(format!(
            "puts #{} below {at}, its CI is {:?}",
            s.point(),
            s.ci()
        ));
    }
    for s in above
        .iter()
        .chain(below)
        .chain(unclear)
        .filter(|s| s.ci().is_none())
    {
        out.push(format!(
            "sorts #{} by an interval it does not have",
            s.point()
        ));
    }
    for s in unclear.iter().filter(|s| s.above(at) || s.below(at)) {
        out.push(format!(
            "calls #{} undecided about {at}, its CI is {:?}",
            s.point(),
            s.ci()
        ));
    }
    out
}

/// The conditions of a [`Claim::Limit`].
pub(super) fn limit(d: &Dataset, c: &Claim) -> Vec<String> {
    let Claim::Limit {
        metric,
        limit,
        above,
        below,
        unclear,
        highest,
    } = c
    else {
        return Vec::new();
    };
    let mut out = categories(above, below, unclear, *limit);
    let mut got: Vec<usize> = above
        .iter()
        .chain(below)
        .chain(unclear)
        .map(Stat::point)
        .collect();
    got.sort_unstable();
    let want: Vec<usize> = d
        .points
        .iter()
        .map(|p| p.index)
        .filter(|p| d.mean(*p, metric).is_some())
        .collect();
    if got != want {
        out.push(format!(
            "covers {got:?}, the points with `{metric}` are {want:?}"
        ));
    }
    for s in above
        .iter()
        .chain(below)
        .chain(unclear)
        .chain(std::iter::once(highest))
    {
        out.extend(is_mean(s, s.point(), metric));
    }
    let max = want
        .iter()
        .filter_map(|p| d.mean(*p, metric))
        .fold(f64::NEG_INFINITY, f64::max);
    if !close(highest.mean, max) {
        out.push(format!(
            "calls {} the highest mean of `{metric}`, it is {max}",
            highest.mean
        ));
    }
    out
}
