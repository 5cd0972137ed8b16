//! 95 % intervals of the difference of a metric between two sweep points, paired over
//! replicates (common random numbers) or unpaired (Welch), that stay inside what the difference
//! can take and never claim certainty from a sample that happens not to vary.
//!
//! A difference of shares lies in [−1, 1], so its t interval is clamped there. When every
//! paired difference is the same value (or, unpaired, every run of each point is), the t
//! interval has zero width; the interval is then the difference of the two points' own 97.5 %
//! intervals, `[low_a − high_b, high_a − low_b]`, which covers the true difference at least
//! 95 % of the time by Bonferroni whatever the correlation between the points.

use super::{clopper_pearson_at, pairs, summarize, t975, t_quantile, Bounds, Interval, Method};

/// The 95 % interval of the mean of `point[r] − baseline[r]` over the replicates r where both
/// are finite (`None` with fewer than two pairs). [`Bounds::Unbounded`] and
/// [`Bounds::NonNegative`] metrics get the Student-t interval ([`Method::T`]); shares and
/// flags get it clamped to [−1, 1] ([`Method::TClamped`]), or [`Method::ExactArms`] over the
/// paired replicates when every difference is equal.
pub fn paired(point: &[Option<f64>], baseline: &[Option<f64>], bounds: Bounds) -> Option<Interval> {
    let (a, b): (Vec<f64>, Vec<f64>) = pairs(point, baseline).unzip();
    let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
    let (low, high) = summarize(d.iter().copied()).t_interval()?;
    if !is_share(bounds) {
        return Some(Interval {
            low,
            high,
            method: Method::T,
        });
    }
    if d.iter().all(|x| *x == d[0]) {
        return exact_arms(&a, &b);
    }
    Some(clamped(low, high))
}

/// Welch's unpaired difference `mean(a) − mean(b)` of the finite values and its 95 %
/// interval: Welch–Satterthwaite degrees of freedom rounded down, at least 1; `None` for the
/// mean when either side is empty, `None` for the interval when either has fewer than two
/// values. Shares and flags are clamped to [−1, 1], or get [`Method::ExactArms`] when both
/// sides are constant (zero standard error).
pub fn welch(a: &[f64], b: &[f64], bounds: Bounds) -> Option<(f64, Option<Interval>)> {
    let (sa, sb) = (summarize(a.iter().copied()), summarize(b.iter().copied()));
    let mean = sa.mean? - sb.mean?;
    let (Some(da), Some(db)) = (sa.std, sb.std) else {
        return Some((mean, None));
    };
    let (na, nb) = (sa.n as f64, sb.n as f64);
    let (va, vb) = (da * da / na, db * db / nb);
    let se = libm::sqrt(va + vb);
    if se == 0.0 {
        let i = if is_share(bounds) {
            exact_arms(a, b)
        } else {
            Some(Interval {
                low: mean,
                high: mean,
                method: Method::T,
            })
        };
        return Some((mean, i));
    }
    let df = (va + vb) * (va + vb) / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    let df = (libm::floor(df) as usize).max(1);
    let half = t975(df) * se;
    let (low, high) = (mean - half, mean + half);
    let i = if is_share(bounds) {
        clamped(low, high)
    } else {
        Interval {
            low,
            high,
            method: Method::T,
        }
    };
    Some((mean, Some(i)))
}

fn is_share(bounds: Bounds) -> bool {
    matches!(bounds, Bounds::Share | Bounds::Flag)
}

fn clamped(low: f64, high: f64) -> Interval {
    Interval {
        low: low.clamp(-1.0, 1.0),
        high: high.clamp(-1.0, 1.0),
        method: Method::TClamped,
    }
}

/// `[low_a − high_b, high_a − low_b]` from each side's 97.5 % interval, inside [−1, 1].
fn exact_arms(a: &[f64], b: &[f64]) -> Option<Interval> {
    let (la, ha) = arm(a)?;
    let (lb, hb) = arm(b)?;
    Some(Interval {
        low: (la - hb).max(-1.0),
        high: (ha - lb).min(1.0),
        method: Method::ExactArms,
    })
}

/// A share's 97.5 % interval: Clopper–Pearson of `v·n` in n when all n runs give `v`, else
/// Student t clamped to [0, 1].
fn arm(v: &[f64]) -> Option<(f64, f64)> {
    let n = v.len();
    if n == 0 {
        return None;
    }
    if v.iter().all(|x| *x == v[0]) {
        return clopper_pearson_at(v[0].clamp(0.0, 1.0) * n as f64, n as f64, 0.025);
    }
    let s = summarize(v.iter().copied());
    // t(0.9875) is below 26 for df ≥ 1 (25.45 at df = 1).
    let half = t_quantile(n - 1, 0.025, 30.0) * s.std? / libm::sqrt(n as f64);
    let m = s.mean?;
    Some(((m - half).max(0.0), (m + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().copied().map(Some).collect()
    }

    #[test]
    fn a_constant_difference_of_shares_gets_a_nonzero_width_interval_inside_minus_one_one() {
        // Eclipse: the victim is reached in every baseline run and in no attacked run.
        let i = paired(&some(&[0.0; 20]), &some(&[1.0; 20]), Bounds::Share).unwrap();
        assert_eq!(i.method, Method::ExactArms);
        assert_eq!(i.low, -1.0);
        // Clopper–Pearson 97.5 % for 0 of 20 has upper bound 1 − 0.0125^(1/20) ≈ 0.1970.
        let upper = 1.0 - libm::pow(0.0125, 1.0 / 20.0);
        assert!((i.high - (-1.0 + 2.0 * upper)).abs() < 1e-9, "{i:?}");
        // A zero difference is not "exactly no difference".
        let z = paired(&some(&[1.0; 10]), &some(&[1.0; 10]), Bounds::Share).unwrap();
        let lower10 = libm::pow(0.0125, 1.0 / 10.0);
        assert!(
            (z.high - (1.0 - lower10)).abs() < 1e-9 && z.low == -z.high,
            "{z:?}"
        );
    }

    #[test]
    fn a_t_interval_of_shares_is_clamped_to_minus_one_one() {
        let a = some(&[0.0, 0.0, 0.0, 0.0, 0.01]);
        let b = some(&[1.0, 1.0, 1.0, 1.0, 0.99]);
        let t = summarize([-1.0, -1.0, -1.0, -1.0, -0.98])
            .t_interval()
            .unwrap();
        assert!(t.0 < -1.0, "the raw t interval leaves the range: {t:?}");
        let i = paired(&a, &b, Bounds::Share).unwrap();
        assert_eq!((i.method, i.low), (Method::TClamped, -1.0));
        assert!((i.high - t.1).abs() < 1e-15);
    }

    #[test]
    fn magnitudes_keep_the_plain_t_interval() {
        let i = paired(
            &some(&[3.0, 5.0, 4.0]),
            &some(&[1.0, 2.0, 2.0]),
            Bounds::NonNegative,
        );
        let t = summarize([2.0, 3.0, 2.0]).t_interval().unwrap();
        assert_eq!(
            i.map(|i| (i.low, i.high, i.method)),
            Some((t.0, t.1, Method::T))
        );
        assert_eq!(paired(&[Some(1.0)], &[Some(0.0)], Bounds::Share), None);
    }

    #[test]
    fn welch_of_constant_shares_uses_the_arms_and_of_varying_shares_is_clamped() {
        let (m, i) = welch(&[1.0; 8], &[0.5; 8], Bounds::Share).unwrap();
        let i = i.unwrap();
        assert_eq!((m, i.method), (0.5, Method::ExactArms));
        assert!(i.low < 0.5 && i.high > 0.5 && i.high <= 1.0, "{i:?}");
        let (_, i) = welch(&[0.0, 0.02, 0.0], &[1.0, 0.98, 1.0], Bounds::Share).unwrap();
        assert_eq!(i.unwrap().method, Method::TClamped);
        assert!(i.unwrap().low >= -1.0);
    }

    #[test]
    fn welch_matches_a_hand_computation() {
        // a: mean 2, var 1; b: mean 1, var 1; se = sqrt(1/3 + 1/3), df = 4.
        let (m, ci) = welch(&[1.0, 2.0, 3.0], &[0.0, 1.0, 2.0], Bounds::Unbounded).unwrap();
        assert_eq!(m, 1.0);
        let half = t975(4) * (2.0f64 / 3.0).sqrt();
        let ci = ci.unwrap();
        assert!((ci.low - (1.0 - half)).abs() < 1e-12 && (ci.high - (1.0 + half)).abs() < 1e-12);
        assert_eq!(
            welch(&[1.0], &[2.0, 3.0], Bounds::Unbounded).unwrap(),
            (-1.5, None)
        );
        let (_, same) = welch(&[2.0, 2.0], &[1.0, 1.0], Bounds::Unbounded).unwrap();
        assert_eq!(same.map(|i| (i.low, i.high)), Some((1.0, 1.0)));
        assert!(welch(&[], &[1.0], Bounds::Unbounded).is_none());
    }

    #[test]
    fn the_97_5_t_quantile_matches_statrs() {
        use statrs::distribution::{ContinuousCDF, StudentsT};
        for df in [1usize, 2, 5, 19, 100] {
            let r = StudentsT::new(0.0, 1.0, df as f64)
                .unwrap()
                .inverse_cdf(0.9875);
            assert!((t_quantile(df, 0.025, 30.0) - r).abs() < 1e-3, "df {df}");
        }
    }
}
