//! Summary statistics over replicates: mean, sample standard deviation, 95 % confidence
//! intervals (Student's t; clamped at 0 for magnitudes; clamped, exact or Wilson score for
//! shares) and
//! paired differences between
//! sweep points.
//!
//! [`difference`] gives the intervals of differences between points.
//!
//! Only IEEE basic operations and the pure-Rust `libm` functions are used, so every number is
//! bit-identical on every machine.

pub mod difference;

/// Mean, standard deviation and 95 % confidence interval of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Sample size.
    pub n: usize,
    /// Mean (`None` when n = 0).
    pub mean: Option<f64>,
    /// Sample standard deviation, n − 1 in the denominator (`None` when n < 2).
    pub std: Option<f64>,
    /// Half-width of the Student-t 95 % confidence interval of the mean (`None` when n < 2).
    pub ci95: Option<f64>,
}

impl Summary {
    /// The symmetric Student-t interval `mean ± ci95`, when both are defined.
    pub fn t_interval(&self) -> Option<(f64, f64)> {
        Some((self.mean? - self.ci95?, self.mean? + self.ci95?))
    }
}

/// How a 95 % confidence interval was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `mean ± t(0.975, n−1)·sd/√n`.
    T,
    /// The Student-t interval clamped to what the quantity can take: [0, 1] for a share whose
    /// per-run values are not all 0/1, [−1, 1] for a difference of shares.
    TClamped,
    /// The Student-t interval with its lower bound clamped at 0 (a count, time or amount,
    /// never negative per run).
    TNonNegative,
    /// Wilson score interval over the n runs (a share whose per-run values are all 0 or 1).
    Wilson,
    /// Clopper–Pearson exact interval of `v·n` successes in n trials, one trial per run: a
    /// share that is the same value `v` in every run, whose t interval would have zero width.
    /// Counting a run as one trial ignores the topics it pools, so it is conservative.
    ExactRuns,
    /// A difference of shares whose every pair (or every run of each point) is the same: the
    /// difference of the two points' 97.5 % intervals (Clopper–Pearson per run when a point's
    /// runs agree, Student t otherwise), which covers at least 95 % by Bonferroni. See
    /// [`difference`].
    ExactArms,
}

impl Method {
    /// Stable name written to `summary.csv` (`t`, `t_nonneg`, `t_clamped`, `wilson`,
    /// `exact_runs`, `exact_arms`).
    pub fn name(self) -> &'static str {
        match self {
            Method::T => "t",
            Method::TClamped => "t_clamped",
            Method::TNonNegative => "t_nonneg",
            Method::Wilson => "wilson",
            Method::ExactRuns => "exact_runs",
            Method::ExactArms => "exact_arms",
        }
    }
}

/// A 95 % confidence interval of a mean: bounds and how they were computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// The method.
    pub method: Method,
}

/// The 0.975 quantile of the standard normal distribution.
pub const Z975: f64 = 1.959_963_984_540_054;

/// Two-sided 95 % critical value of Student's t, i.e. its 97.5 % quantile, for `df` degrees of
/// freedom (`NaN` for df = 0).
///
/// Exact to the last bits the bisection can resolve: it bisects on t until the interval stops
/// shrinking, with P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2) evaluated by the regularised
/// incomplete beta function's continued fraction. Deterministic and portable (libm only).
pub fn t975(df: usize) -> f64 {
    // The quantile is below 12.71 for df ≥ 1 and above the normal quantile.
    t_quantile(df, 0.05, 13.0)
}

/// Two-sided critical value of Student's t at level `1 − alpha` (alpha ≤ 0.05), found by
/// bisection between the normal 97.5 % quantile and `hi`, which must bound it.
fn t_quantile(df: usize, alpha: f64, hi: f64) -> f64 {
    if df == 0 {
        return f64::NAN;
    }
    let nu = df as f64;
    let (mut lo, mut hi) = (Z975, hi);
    loop {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            return hi;
        }
        let tail = inc_beta(0.5 * nu, 0.5, nu / (nu + mid * mid));
        if tail > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
    }
}

/// Regularised incomplete beta function I_x(a, b) for a, b > 0, 0 ≤ x ≤ 1.
fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
        + a * libm::log(x)
        + b * libm::log1p(-x);
    let front = libm::exp(ln_front);
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// Continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// Summarises the defined values of `values`.
pub fn summarize(values: impl IntoIterator<Item = f64>) -> Summary {
    let v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    let n = v.len();
    if n == 0 {
        return Summary {
            n,
            mean: None,
            std: None,
            ci95: None,
        };
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Summary {
            n,
            mean: Some(mean),
            std: None,
            ci95: None,
        };
    }
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let std = libm::sqrt(var);
    let ci95 = t975(n - 1) * std / libm::sqrt(n as f64);
    Summary {
        n,
        mean: Some(mean),
        std: Some(std),
        ci95: Some(ci95),
    }
}

/// Wilson score 95 % interval for `successes` out of `n` Bernoulli trials (`None` when n = 0).
/// Always inside [0, 1].
pub fn wilson(successes: usize, n: usize) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let p = successes as f64 / nf;
    let z2 = Z975 * Z975;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z975 * libm::sqrt(p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)) / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Clopper–Pearson 95 % interval for `k` successes in `n` trials (`k` may be fractional:
/// the beta quantiles are defined for any 0 ≤ k ≤ n). `None` when n = 0. Bisection on the
/// incomplete beta, so every machine gets the same bits.
pub fn clopper_pearson(k: f64, n: f64) -> Option<(f64, f64)> {
    clopper_pearson_at(k, n, 0.05)
}

/// Clopper–Pearson interval at level `1 − alpha` (see [`clopper_pearson`]).
fn clopper_pearson_at(k: f64, n: f64, alpha: f64) -> Option<(f64, f64)> {
    if !(n > 0.0 && (0.0..=n).contains(&k)) {
        return None;
    }
    let low = if k == 0.0 {
        0.0
    } else {
        beta_quantile(alpha / 2.0, k, n - k + 1.0)
    };
    let high = if k == n {
        1.0
    } else {
        beta_quantile(1.0 - alpha / 2.0, k + 1.0, n - k)
    };
    Some((low, high))
}

/// The x in [0, 1] with I_x(a, b) = p, by 200 bisection steps.
fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if inc_beta(a, b, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// What values a metric can take, which decides its interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bounds {
    /// Any real number: Student t.
    Unbounded,
    /// A magnitude, never negative per run: Student t with its lower bound clamped at 0.
    NonNegative,
    /// A share in [0, 1] averaged over topics or nodes: Student t clamped to [0, 1].
    Share,
    /// 0 or 1 per run (a Bernoulli outcome per run): Wilson score interval over the runs.
    Flag,
}

/// The 95 % confidence interval of the mean of the defined `values` (`None` when fewer than two).
///
/// [`Bounds::Unbounded`]: Student t. [`Bounds::NonNegative`]: Student t, lower bound clamped
/// at 0 (the clamp only removes values no run can take). [`Bounds::Share`]: Student t clamped to [0, 1] (a share
/// averaged over topics is not a Bernoulli sample, so it never gets Wilson). [`Bounds::Flag`]:
/// the Wilson score interval of (number of 1s, n); clamped Student t if a value is not 0 or 1.
pub fn interval(values: &[f64], bounds: Bounds) -> Option<Interval> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let (low, high) = summarize(v.iter().copied()).t_interval()?;
    if bounds == Bounds::Unbounded {
        return Some(Interval {
            low,
            high,
            method: Method::T,
        });
    }
    if bounds == Bounds::NonNegative {
        return Some(Interval {
            low: low.max(0.0),
            high,
            method: Method::TNonNegative,
        });
    }
    if bounds == Bounds::Share && v.iter().all(|x| *x == v[0]) {
        // Every run gave the same share: a zero-width t interval would claim certainty.
        let (low, high) = clopper_pearson(v[0].clamp(0.0, 1.0) * v.len() as f64, v.len() as f64)?;
        return Some(Interval {
            low,
            high,
            method: Method::ExactRuns,
        });
    }
    if bounds == Bounds::Flag && v.iter().all(|x| *x == 0.0 || *x == 1.0) {
        let ones = v.iter().filter(|x| **x == 1.0).count();
        let (low, high) = wilson(ones, v.len())?;
        return Some(Interval {
            low,
            high,
            method: Method::Wilson,
        });
    }
    Some(Interval {
        low: low.clamp(0.0, 1.0),
        high: high.clamp(0.0, 1.0),
        method: Method::TClamped,
    })
}

/// Mean paired difference `point − baseline` over the replicates where both are defined, with
/// its Student-t 95 % CI. `point[r]` and `baseline[r]` are replicate r's values.
pub fn paired_difference(point: &[Option<f64>], baseline: &[Option<f64>]) -> Summary {
    summarize(pairs(point, baseline).map(|(a, b)| a - b))
}

/// The replicates where both `point[r]` and `baseline[r]` are finite, as (point, baseline).
fn pairs<'a>(
    point: &'a [Option<f64>],
    baseline: &'a [Option<f64>],
) -> impl Iterator<Item = (f64, f64)> + 'a {
    point
        .iter()
        .zip(baseline)
        .filter_map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) if a.is_finite() && b.is_finite() => Some((*a, *b)),
            _ => None,
        })
}

/// The baseline of every sweep point, for paired differences: the point whose parameters equal
/// this point's except the *last* swept key, which is set to that key's first value (its value
/// at the first point listed). `params[i]` are point i's `(key, value)` pairs in sweep order.
/// `None` for a point that is its own baseline, when nothing is swept, or when no such point
/// exists.
pub fn baselines(params: &[Vec<(String, String)>]) -> Vec<Option<usize>> {
    let last_key = params
        .first()
        .and_then(|p| p.last())
        .map(|(k, _)| k.clone());
    let Some(last_key) = last_key else {
        return vec![None; params.len()];
    };
    let first_value = params
        .iter()
        .find_map(|p| p.iter().find(|(k, _)| *k == last_key))
        .map(|(_, v)| v.clone());
    params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let want: Vec<(String, String)> = p
                .iter()
                .map(|(k, v)| match (*k == last_key, &first_value) {
                    (true, Some(f)) => (k.clone(), f.clone()),
                    _ => (k.clone(), v.clone()),
                })
                .collect();
            let b = params.iter().position(|q| *q == want)?;
            (b != i).then_some(b)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sample() {
        let s = summarize([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(s.n, 8);
        assert_eq!(s.mean, Some(5.0));
        let sd = (32.0f64 / 7.0).sqrt();
        assert!((s.std.unwrap() - sd).abs() < 1e-12);
        assert!((s.ci95.unwrap() - 2.364624 * sd / 8f64.sqrt()).abs() < 1e-6);
        assert_eq!(summarize([f64::NAN, 1.0]).n, 1);
        assert_eq!(summarize([]).mean, None);
        assert_eq!(summarize([3.0]).std, None);
    }

    #[test]
    fn t975_matches_closed_forms_and_tables() {
        // Closed forms: df = 1 is tan(π(p − 1/2)), df = 2 is (2p − 1)/√(2p(1 − p)), p = 0.975.
        let t1 = libm::tan(std::f64::consts::PI * 0.475);
        assert!((t975(1) - t1).abs() < 1e-9, "{}", t975(1));
        let p = 0.975f64;
        let t2 = (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
        assert!((t975(2) - t2).abs() < 1e-9, "{}", t975(2));
        for (df, t) in [
            (5, 2.570582),
            (10, 2.228139),
            (30, 2.042272),
            (120, 1.979930),
        ] {
            assert!((t975(df) - t).abs() < 1e-5, "df {df}: {}", t975(df));
        }
        assert!((t975(100_000) - Z975).abs() < 1e-4);
        assert!(t975(0).is_nan());
    }

    #[test]
    fn t975_matches_statrs_for_df_1_to_200() {
        use statrs::distribution::{ContinuousCDF, StudentsT};
        for df in 1..=200usize {
            let reference = StudentsT::new(0.0, 1.0, df as f64)
                .unwrap()
                .inverse_cdf(0.975);
            assert!(
                (t975(df) - reference).abs() < 1e-3,
                "df {df}: {} vs statrs {reference}",
                t975(df)
            );
        }
    }

    #[test]
    fn t975_decreases_with_df() {
        let v: Vec<f64> = (1..=300).map(t975).collect();
        assert!(v.windows(2).all(|w| w[0] > w[1]));
    }

    #[test]
    fn wilson_of_zero_zero_one_is_inside_unit_interval() {
        let (lo, hi) = wilson(1, 3).unwrap();
        assert!(
            lo > 0.0 && lo < 1.0 / 3.0 && hi > 1.0 / 3.0 && hi < 1.0,
            "{lo} {hi}"
        );
        // Reference: Wilson 95 % for 1/3 is [0.0615, 0.7923].
        assert!((lo - 0.0615).abs() < 1e-3 && (hi - 0.7923).abs() < 1e-3);
        let i = interval(&[0.0, 0.0, 1.0], Bounds::Flag).unwrap();
        assert_eq!(i.method, Method::Wilson);
        assert_eq!((i.low, i.high), (lo, hi));
        // The plain t interval would go negative.
        assert!(summarize([0.0, 0.0, 1.0]).t_interval().unwrap().0 < 0.0);
    }

    #[test]
    fn a_share_equal_in_every_run_gets_an_exact_interval_not_zero_width() {
        // Eclipse's victim_coverage read 0 [0, 0] at n = 20.
        let none = interval(&[0.0; 20], Bounds::Share).unwrap();
        assert_eq!((none.low, none.method), (0.0, Method::ExactRuns));
        assert!((none.high - (1.0 - libm::pow(0.025, 1.0 / 20.0))).abs() < 1e-12);
        let all = interval(&[1.0; 20], Bounds::Share).unwrap();
        assert!((all.low - libm::pow(0.025, 1.0 / 20.0)).abs() < 1e-12);
        assert_eq!((all.high, all.method), (1.0, Method::ExactRuns));
        // A per-run flag is a Bernoulli outcome per run: Wilson, never zero-width either.
        assert_eq!(
            interval(&[1.0; 20], Bounds::Flag).unwrap().method,
            Method::Wilson
        );
        let half = interval(&[0.5; 10], Bounds::Share).unwrap();
        assert!(
            half.low < 0.5 && half.high > 0.5 && half.high - half.low > 0.3,
            "{half:?}"
        );
        // Counts keep their (clamped) t interval.
        assert_eq!(
            interval(&[0.0; 4], Bounds::NonNegative).unwrap().method,
            Method::TNonNegative
        );
    }

    #[test]
    fn clopper_pearson_matches_published_values() {
        // 3 of 10: (0.0667, 0.6525), the textbook exact interval.
        let (lo, hi) = clopper_pearson(3.0, 10.0).unwrap();
        assert!(
            (lo - 0.066_739).abs() < 1e-5 && (hi - 0.652_453).abs() < 1e-5,
            "{lo} {hi}"
        );
        assert_eq!(clopper_pearson(1.0, 0.0), None);
    }

    #[test]
    fn share_intervals_never_leave_unit_interval() {
        for sample in [
            vec![0.0, 0.0, 0.5],
            vec![0.1, 0.0, 0.0, 0.0],
            vec![1.0, 0.9, 1.0],
            vec![0.0, 1.0],
            vec![0.0, 0.0, 0.0],
            vec![1.0, 1.0],
        ] {
            let i = interval(&sample, Bounds::Share).unwrap();
            assert!(i.low >= 0.0 && i.high <= 1.0, "{sample:?}: {i:?}");
            let i = interval(&sample, Bounds::Flag).unwrap();
            assert!(i.low >= 0.0 && i.high <= 1.0, "{sample:?}: {i:?}");
            assert!(i.low <= i.high);
        }
        assert_eq!(
            interval(&[0.1, 0.0, 0.0], Bounds::Flag).unwrap().method,
            Method::TClamped
        );
        let raw = interval(&[0.1, 0.0, 0.0], Bounds::Unbounded).unwrap();
        assert_eq!(raw.method, Method::T);
        assert!(raw.low < 0.0);
        let count = interval(&[0.1, 0.0, 0.0], Bounds::NonNegative).unwrap();
        assert_eq!(
            (count.low, count.high, count.method),
            (0.0, raw.high, Method::TNonNegative),
            "only the impossible part is cut"
        );
        let far = interval(&[10.0, 11.0, 12.0], Bounds::NonNegative).unwrap();
        let t = interval(&[10.0, 11.0, 12.0], Bounds::Unbounded).unwrap();
        assert_eq!((far.low, far.high), (t.low, t.high), "no clamp away from 0");
        assert_eq!(interval(&[0.5], Bounds::Share), None);
        // A share that is 1 in every run gets the exact interval of 5 successes in 5 runs,
        // not the zero-width [1, 1] a t interval gives.
        let all_one = interval(&[1.0; 5], Bounds::Share).unwrap();
        assert_eq!((all_one.high, all_one.method), (1.0, Method::ExactRuns));
        assert!(
            (all_one.low - libm::pow(0.025, 0.2)).abs() < 1e-12,
            "{all_one:?}"
        );
    }

    #[test]
    fn paired_difference_skips_undefined_replicates() {
        let a = [Some(3.0), Some(5.0), None, Some(4.0)];
        let b = [Some(1.0), Some(2.0), Some(9.0), None];
        let s = paired_difference(&a, &b);
        assert_eq!(s.n, 2);
        assert_eq!(s.mean, Some(2.5));
    }

    #[test]
    fn baseline_is_the_first_value_of_the_last_key() {
        let p = |f: &str, s: &str| {
            vec![
                ("policy.fanout".to_string(), f.to_string()),
                ("attack.share".to_string(), s.to_string()),
            ]
        };
        let params = vec![
            p("flood", "0"),
            p("flood", "0.1"),
            p("fixed", "0"),
            p("fixed", "0.1"),
        ];
        assert_eq!(baselines(&params), vec![None, Some(0), None, Some(2)]);
        let one = |f: &str| vec![("policy.fanout".to_string(), f.to_string())];
        assert_eq!(
            baselines(&[one("flood"), one("fixed"), one("reputation")]),
            vec![None, Some(0), Some(0)]
        );
        assert_eq!(baselines(&[vec![]]), vec![None]);
    }
}
