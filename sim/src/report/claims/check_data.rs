//! The plain recomputations the checks share.

use super::super::model::Dataset;
use crate::stats::t975;

/// Equal up to the rounding of the files' printed numbers.
pub(super) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

pub(super) fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => close(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// Mean and Student-t 95 % interval of `v` (no interval below two values).
pub(super) fn t_summary(v: &[f64]) -> (Option<f64>, Option<(f64, f64)>) {
    let n = v.len();
    if n == 0 {
        return (None, None);
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (Some(mean), None);
    }
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let half = t975(n - 1) * libm::sqrt(var) / libm::sqrt(n as f64);
    (Some(mean), Some((mean - half, mean + half)))
}

/// The defined values of `metric` in each run of `point`: (replicate, seed, value).
pub(super) fn runs(d: &Dataset, point: usize, metric: &str) -> Vec<(usize, Option<u64>, f64)> {
    d.runs
        .iter()
        .filter(|r| r.point == point)
        .filter_map(|r| {
            let v = r.metrics.get(metric).copied().flatten()?;
            v.is_finite().then_some((r.replicate, r.seed, v))
        })
        .collect()
}
