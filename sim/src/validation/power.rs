//! What each check can detect: the smallest error it catches with 80 % power, and its power
//! against a 3-percentage-point error, computed from its n (see `docs/validation.md`).

use super::{Comparison, Outcome, Z999};
use std::fmt::Write as _;

/// Standard normal quantile z(0.80): one-sided 80 % power.
pub const Z80: f64 = 0.841_621_233_572_914_3;

/// The error, in share units, every check must be able to detect (3 percentage points).
pub const TARGET_ERROR: f64 = 0.03;

/// Standard normal distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

impl Comparison {
    /// Standard error and allowance in share units (the quantity divided by its `scale`).
    fn share_units(&self) -> (f64, f64) {
        (self.se / self.scale, self.allowance / self.scale)
    }

    /// The smallest error, in share units, that moves the theory out of the acceptance
    /// interval with probability at least 80 %: allowance + (z(0.9995) + z(0.80))·SE. For an
    /// exact count (SE 0) it is one node in n: a single wrong node fails the check.
    pub fn detectable(&self) -> f64 {
        let (se, allowance) = self.share_units();
        if se == 0.0 && allowance == 0.0 {
            return 1.0 / self.n.max(1) as f64;
        }
        allowance + (Z999 + Z80) * se
    }

    /// The probability that the check fails when the truth is `shift` (share units) away
    /// from the theory, by the normal approximation of the measurement.
    pub fn power(&self, shift: f64) -> f64 {
        let (se, allowance) = self.share_units();
        if se == 0.0 {
            return if shift * self.n as f64 >= 1.0 - 1e-9 || shift > allowance {
                1.0
            } else {
                0.0
            };
        }
        let half = allowance + Z999 * se;
        normal_cdf((shift - half) / se) + normal_cdf((-shift - half) / se)
    }
}

/// Percentage points with two decimals, e.g. `1.30 pp`.
pub fn pp(x: f64) -> String {
    format!("{:.2} pp", 100.0 * x)
}

/// One row of the power table: check, quantity, n, detectable error, power against 3 pp.
/// The report and `docs/validation.md` carry the same rows (a test compares them).
pub fn power_row(stem: &str, c: &Comparison) -> String {
    format!(
        "| {stem} | {} | {} | {} | {:.3} |",
        c.quantity,
        c.n,
        pp(c.detectable()),
        c.power(TARGET_ERROR)
    )
}

/// The power table of `outcomes` as Markdown, headed.
pub fn power_markdown(outcomes: &[Outcome]) -> String {
    let mut md = String::from(
        "\n## What each check can detect\n\n\
         Detectable error: the smallest error, in percentage points of a share (nodes missed \
         count as a share of n; for flood-bfs one wrong node in n), that fails the check with \
         80 % power, allowance + (z(0.9995) + z(0.80))·SE. Power: the probability that the \
         check fails when the truth is 3 percentage points from the theory.\n\n\
         | check | quantity | n | detectable error | power vs 3 pp |\n\
         |---|---|---:|---:|---:|\n",
    );
    for o in outcomes {
        for c in &o.comparisons {
            let _ = writeln!(md, "{}", power_row(o.kind.stem(), c));
        }
    }
    md
}
