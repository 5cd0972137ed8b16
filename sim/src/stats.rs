//! Summary statistics over replicates: mean, sample standard deviation and the 95 % confidence
//! interval of the mean (Student's t).

/// Mean, standard deviation and 95 % confidence interval of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Sample size.
    pub n: usize,
    /// Mean (`None` when n = 0).
    pub mean: Option<f64>,
    /// Sample standard deviation, n − 1 in the denominator (`None` when n < 2).
    pub std: Option<f64>,
    /// Half-width of the 95 % confidence interval of the mean (`None` when n < 2).
    pub ci95: Option<f64>,
}

/// Two-sided 97.5 % quantiles of Student's t for 1..=30 degrees of freedom.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (table to 30, then the
/// values at 40, 60, 120 and the normal limit).
pub fn t975(df: usize) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T975[df - 1],
        31..=40 => 2.021,
        41..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
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
        assert!((s.ci95.unwrap() - 2.365 * sd / 8f64.sqrt()).abs() < 1e-12);
        assert_eq!(summarize([f64::NAN, 1.0]).n, 1);
        assert_eq!(summarize([]).mean, None);
        assert_eq!(summarize([3.0]).std, None);
    }
}
