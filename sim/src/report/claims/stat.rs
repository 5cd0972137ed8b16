//! The statistics a claim states, each with its n and its 95 % interval: the mean of a metric at
//! a point (as in `summary.csv`), the difference of a metric between two points (paired over
//! replicates, or Welch's when the runs do not share seeds), and the gap between two metrics
//! within the runs of one point.

use serde::{Deserialize, Serialize};

use super::super::model::Dataset;
use crate::definitions::bounds;
use crate::stats::{difference, paired_difference, summarize, Method};

/// How a difference's interval was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    /// Student t over the per-replicate differences: replicate r of both points ran with the
    /// same seed (common random numbers), as in `paired.csv`.
    PairedT,
    /// Welch's unpaired t (Welch–Satterthwaite degrees of freedom, rounded down): the points'
    /// runs do not share seeds.
    WelchT,
    /// Paired, but every per-replicate difference of the share is the same: the difference of
    /// both points' exact 97.5 % intervals (Bonferroni), see [`difference`].
    PairedExact,
    /// Unpaired, and every run of each point gives the same share: as [`Test::PairedExact`].
    WelchExact,
    /// Student t over the per-run differences of two metrics of the same runs.
    WithinRunT,
}

impl Test {
    /// The test as the report names it.
    pub fn phrase(self) -> &'static str {
        match self {
            Test::PairedT => "paired t over replicates",
            Test::WelchT => "Welch t, runs not paired",
            Test::PairedExact => "exact per-point intervals, the same difference in every pair",
            Test::WelchExact => "exact per-point intervals, every run of each point equal",
            Test::WithinRunT => "t over the per-run differences",
        }
    }
}

/// What a [`Stat`] is the mean of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "snake_case")]
pub enum Quantity {
    /// `metric` at `point` over its runs: the `summary.csv` row.
    Mean {
        /// Sweep point.
        point: usize,
        /// Metric key.
        metric: String,
    },
    /// `metric` at `point` minus `metric` at `baseline`.
    Diff {
        /// Sweep point.
        point: usize,
        /// The point subtracted.
        baseline: usize,
        /// Metric key.
        metric: String,
        /// How the interval was computed.
        test: Test,
    },
    /// `metric` minus `minus` within each run of `point`.
    Gap {
        /// Sweep point.
        point: usize,
        /// Metric key.
        metric: String,
        /// The metric subtracted.
        minus: String,
    },
}

/// A mean with its n and 95 % confidence interval (no interval below n = 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    /// What it is the mean of.
    #[serde(flatten)]
    pub of: Quantity,
    /// Runs (or pairs) it rests on; for a Welch difference, the runs of `point`.
    pub n: usize,
    /// For a Welch difference, the runs of `baseline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_baseline: Option<usize>,
    /// The mean.
    pub mean: f64,
    /// Lower end of the 95 % interval.
    pub low: Option<f64>,
    /// Upper end of the 95 % interval.
    pub high: Option<f64>,
}

impl Stat {
    /// The interval, when there is one.
    pub fn ci(&self) -> Option<(f64, f64)> {
        Some((self.low?, self.high?))
    }

    /// Whether the interval lies strictly above `v` (`false` without one).
    pub fn above(&self, v: f64) -> bool {
        self.low.is_some_and(|l| l > v)
    }

    /// Whether the interval lies strictly below `v` (`false` without one).
    pub fn below(&self, v: f64) -> bool {
        self.high.is_some_and(|h| h < v)
    }

    /// Whether the interval contains `v` (`None` without one).
    pub fn contains(&self, v: f64) -> Option<bool> {
        self.ci().map(|(l, h)| l <= v && v <= h)
    }

    /// The point the statistic is about.
    pub fn point(&self) -> usize {
        match &self.of {
            Quantity::Mean { point, .. }
            | Quantity::Diff { point, .. }
            | Quantity::Gap { point, .. } => *point,
        }
    }

    /// The metric the statistic is about.
    pub fn metric(&self) -> &str {
        match &self.of {
            Quantity::Mean { metric, .. }
            | Quantity::Diff { metric, .. }
            | Quantity::Gap { metric, .. } => metric,
        }
    }
}

/// The mean of `metric` at `point` as `summary.csv` states it; `None` when no run defines it.
pub(crate) fn mean(d: &Dataset, point: usize, metric: &str) -> Option<Stat> {
    let row = d.row(point, metric)?;
    let mean = row.mean.filter(|_| row.n > 0)?;
    let (low, high) = match (row.ci95_low, row.ci95_high) {
        (Some(l), Some(h)) => (Some(l), Some(h)),
        _ => (None, None),
    };
    Some(Stat {
        of: Quantity::Mean {
            point,
            metric: metric.to_owned(),
        },
        n: row.n,
        n_baseline: None,
        mean,
        low,
        high,
    })
}

/// Whether replicate r of `a` and of `b` ran with the same recorded seed, for every replicate
/// both have (and they share at least one).
pub(crate) fn pairable(d: &Dataset, a: usize, b: usize) -> bool {
    let mut shared = 0;
    for ra in d.runs.iter().filter(|r| r.point == a) {
        if let Some(rb) = d.run(b, ra.replicate) {
            if ra.seed.is_none() || ra.seed != rb.seed {
                return false;
            }
            shared += 1;
        }
    }
    shared > 0
}

/// `metric` at `point` minus at `baseline`: paired over replicates when [`pairable`], else
/// Welch's; `None` when no pair (or no run of either) defines it.
pub(crate) fn diff(d: &Dataset, point: usize, baseline: usize, metric: &str) -> Option<Stat> {
    let of = |test| Quantity::Diff {
        point,
        baseline,
        metric: metric.to_owned(),
        test,
    };
    if pairable(d, point, baseline) {
        let (a, b) = (
            d.by_replicate(point, metric),
            d.by_replicate(baseline, metric),
        );
        let s = paired_difference(&a, &b);
        let i = difference::paired(&a, &b, bounds(metric));
        let exact = i.is_some_and(|i| i.method == Method::ExactArms);
        return Some(Stat {
            of: of(if exact {
                Test::PairedExact
            } else {
                Test::PairedT
            }),
            n: s.n,
            n_baseline: None,
            mean: s.mean?,
            low: i.map(|c| c.low),
            high: i.map(|c| c.high),
        });
    }
    let values = |p: usize| -> Vec<f64> {
        d.run_values(p, metric)
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .filter(|x| x.is_finite())
            .collect()
    };
    let (a, b) = (values(point), values(baseline));
    let (mean, ci) = difference::welch(&a, &b, bounds(metric))?;
    let exact = ci.is_some_and(|i| i.method == Method::ExactArms);
    Some(Stat {
        of: of(if exact {
            Test::WelchExact
        } else {
            Test::WelchT
        }),
        n: a.len(),
        n_baseline: Some(b.len()),
        mean,
        low: ci.map(|c| c.low),
        high: ci.map(|c| c.high),
    })
}

/// `metric − minus` within each run of `point` that defines both; `None` when none does.
pub(crate) fn gap(d: &Dataset, point: usize, metric: &str, minus: &str) -> Option<Stat> {
    let values: Vec<f64> = d
        .runs
        .iter()
        .filter(|r| r.point == point)
        .filter_map(|r| {
            let a = r.metrics.get(metric).copied().flatten()?;
            let b = r.metrics.get(minus).copied().flatten()?;
            Some(a - b)
        })
        .collect();
    let s = summarize(values);
    let ci = s.t_interval();
    Some(Stat {
        of: Quantity::Gap {
            point,
            metric: metric.to_owned(),
            minus: minus.to_owned(),
        },
        n: s.n,
        n_baseline: None,
        mean: s.mean?,
        low: ci.map(|c| c.0),
        high: ci.map(|c| c.1),
    })
}
