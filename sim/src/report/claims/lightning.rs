//! Lightning claims (runs of `payments.model = "lightning"`): payment success against each swept
//! key, Lightning fees against the middlemen's, recoveries, time to pay.

use super::super::model::Dataset;
use super::general::spread;
use super::stat::{self, Stat};
use super::Claim;

/// Payment success over Lightning, per invoice routed.
pub(crate) const SUCCESS: &str = "ln_success_share";
/// Lightning fees over the middlemen's invoice amounts.
pub(crate) const OVERHEAD: &str = "ln_fee_overhead";
const RECOVERIES: &str = "ln_recoveries";
const TIME_TO_PAY: &str = "ln_time_to_pay_s";

/// Whether the runs used the Lightning payment model.
pub(crate) fn is_lightning(d: &Dataset) -> bool {
    d.runs_report(SUCCESS)
}

/// (headline claims, further claims); both empty outside Lightning runs.
pub(super) fn claims(d: &Dataset) -> (Vec<Claim>, Vec<Claim>) {
    if !is_lightning(d) {
        return (Vec::new(), Vec::new());
    }
    let mut lead: Vec<Claim> = d
        .swept
        .iter()
        .filter_map(|k| effect(d, SUCCESS, k))
        .collect();
    lead.extend(limit(d, OVERHEAD, 1.0));
    let mut rest: Vec<Claim> = occurs(d, RECOVERIES).into_iter().collect();
    rest.extend(spread(d, TIME_TO_PAY));
    (lead, rest)
}

/// The paired change of `metric` from `key`'s first to its last value (in point order), at each
/// combination of the other swept keys that has both.
pub(crate) fn effect(d: &Dataset, metric: &str, key: &str) -> Option<Claim> {
    let mut values: Vec<&str> = Vec::new();
    for p in &d.points {
        if let Some(v) = d.param(p.index, key) {
            if !values.contains(&v) {
                values.push(v);
            }
        }
    }
    let (&from, &to) = (values.first()?, values.last()?);
    if values.len() < 2 {
        return None;
    }
    let (mut up, mut down, mut unclear) = (Vec::new(), Vec::new(), Vec::new());
    for p in d
        .points
        .iter()
        .filter(|p| d.param(p.index, key) == Some(to))
    {
        let Some(base) = counterpart(d, p.index, key, from) else {
            continue;
        };
        let Some(s) = stat::diff(d, p.index, base, metric) else {
            continue;
        };
        s.ci()?;
        if s.above(0.0) {
            up.push(s);
        } else if s.below(0.0) {
            down.push(s);
        } else {
            unclear.push(s);
        }
    }
    (up.len() + down.len() + unclear.len() > 0).then(|| Claim::Effect {
        metric: metric.to_owned(),
        key: key.to_owned(),
        from: from.to_owned(),
        to: to.to_owned(),
        up,
        down,
        unclear,
    })
}

/// The point whose swept values equal `point`'s except `key` = `value`.
pub(crate) fn counterpart(d: &Dataset, point: usize, key: &str, value: &str) -> Option<usize> {
    let want: Vec<(&str, &str)> = d
        .point(point)?
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), if k == key { value } else { v.as_str() }))
        .collect();
    d.points
        .iter()
        .find(|q| {
            q.params.len() == want.len()
                && q.params
                    .iter()
                    .zip(&want)
                    .all(|((k, v), (wk, wv))| k == wk && v == wv)
        })
        .map(|q| q.index)
}

/// Each point's mean of `metric` against `limit`.
pub(crate) fn limit(d: &Dataset, metric: &str, limit: f64) -> Option<Claim> {
    let stats: Vec<Stat> = d
        .points
        .iter()
        .filter_map(|p| stat::mean(d, p.index, metric))
        .collect();
    let highest = stats
        .iter()
        .fold(None::<&Stat>, |best, s| match best {
            Some(b) if b.mean >= s.mean => Some(b),
            _ => Some(s),
        })?
        .clone();
    if stats.iter().any(|s| s.ci().is_none()) {
        return None;
    }
    let (mut above, mut below, mut unclear) = (Vec::new(), Vec::new(), Vec::new());
    for s in stats {
        if s.above(limit) {
            above.push(s);
        } else if s.below(limit) {
            below.push(s);
        } else {
            unclear.push(s);
        }
    }
    Some(Claim::Limit {
        metric: metric.to_owned(),
        limit,
        above,
        below,
        unclear,
        highest,
    })
}

/// Where a count is above 0 in some run, and where it is 0 in every run.
pub(crate) fn occurs(d: &Dataset, metric: &str) -> Option<Claim> {
    let (mut some, mut none) = (Vec::new(), Vec::new());
    for p in &d.points {
        let v: Vec<f64> = d
            .run_values(p.index, metric)
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect();
        if v.is_empty() {
            continue;
        }
        if v.iter().any(|x| *x > 0.0) {
            some.push(stat::mean(d, p.index, metric)?);
        } else {
            none.push(p.index);
        }
    }
    (!some.is_empty() || !none.is_empty()).then(|| Claim::Occurs {
        metric: metric.to_owned(),
        some,
        none,
    })
}
