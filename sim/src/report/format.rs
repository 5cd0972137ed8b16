//! Deterministic text formatting: numbers, metric names, point labels, ticks.
//!
//! No `log10`/`powf` here: only IEEE-exact operations (comparisons, `*`, `/`,
//! `sqrt`) and Rust's exact decimal formatting, so the output is the same on
//! every machine.

/// Known metrics: name, table header, phrase used in sentences, unit.
const METRICS: &[(&str, &str, &str, &str)] = &[
    ("coverage_final", "final coverage", "final coverage", ""),
    ("t50_s", "t50 (s)", "time to 50 % coverage", "s"),
    ("t90_s", "t90 (s)", "time to 90 % coverage", "s"),
    ("t99_s", "t99 (s)", "time to 99 % coverage", "s"),
    (
        "reach50_share",
        "reach50",
        "share of topics reaching 50 %",
        "",
    ),
    (
        "reach90_share",
        "reach90",
        "share of topics reaching 90 %",
        "",
    ),
    (
        "reach99_share",
        "reach99",
        "share of topics reaching 99 %",
        "",
    ),
    (
        "late_joiner_coverage",
        "late-joiner coverage",
        "late-joiner coverage",
        "",
    ),
    ("fees_paid_sat", "fees paid (sat)", "fees paid", "sat"),
    (
        "fees_credited_sat",
        "fees credited (sat)",
        "fees credited",
        "sat",
    ),
    (
        "fees_settled_sat",
        "fees settled (sat)",
        "fees settled",
        "sat",
    ),
    (
        "fees_unbalanced_sat",
        "fees unbalanced (sat)",
        "unbalanced fees",
        "sat",
    ),
    ("frames_per_node", "frames/node", "frames per node", ""),
    ("bytes_per_node", "bytes/node", "bytes per node", "B"),
    (
        "pow_hashes_per_node",
        "PoW hashes/node",
        "PoW hashes per node",
        "",
    ),
    ("frames_total", "frames total", "frames in total", ""),
    ("bytes_total", "bytes total", "bytes in total", "B"),
    ("replies_received", "replies", "replies received", ""),
    (
        "replies_delivered",
        "replies delivered",
        "replies delivered",
        "",
    ),
    (
        "time_to_first_reply_s",
        "first reply (s)",
        "time to the first reply",
        "s",
    ),
    ("reply_latency_s", "reply latency (s)", "reply latency", "s"),
    (
        "route_length_mean",
        "route length (hops)",
        "mean route length",
        "hops",
    ),
    (
        "route_fee_paid_sat",
        "route fee (sat)",
        "route fee paid",
        "sat",
    ),
    (
        "payment_success_rate",
        "payment success",
        "payment success rate",
        "",
    ),
    (
        "fees_earned_per_honest_node_sat",
        "fees/honest node (sat)",
        "fees earned per honest node",
        "sat",
    ),
    (
        "fees_earned_per_adversary_node_sat",
        "fees/adversary node (sat)",
        "fees earned per adversarial node",
        "sat",
    ),
    ("victim_coverage", "victim coverage", "victim coverage", ""),
    (
        "attacker_pow_hashes",
        "attacker PoW hashes",
        "attacker PoW hashes",
        "",
    ),
    ("attacker_frames", "attacker frames", "attacker frames", ""),
];

/// Table groups: heading and member metrics, in display order. Metrics not
/// listed here go to an "Other metrics" group.
pub(crate) const GROUPS: &[(&str, &[&str])] = &[
    (
        "Propagation",
        &[
            "coverage_final",
            "late_joiner_coverage",
            "t50_s",
            "reach50_share",
            "t90_s",
            "reach90_share",
            "t99_s",
            "reach99_share",
        ],
    ),
    (
        "Cost per honest node",
        &["frames_per_node", "bytes_per_node", "pow_hashes_per_node"],
    ),
    (
        "Replies and payments",
        &[
            "replies_received",
            "time_to_first_reply_s",
            "reply_latency_s",
            "route_length_mean",
            "route_fee_paid_sat",
            "payment_success_rate",
        ],
    ),
    (
        "Fee accounting",
        &[
            "fees_paid_sat",
            "fees_credited_sat",
            "fees_settled_sat",
            "fees_unbalanced_sat",
        ],
    ),
    (
        "Attack",
        &[
            "victim_coverage",
            "fees_earned_per_honest_node_sat",
            "fees_earned_per_adversary_node_sat",
            "attacker_pow_hashes",
            "attacker_frames",
        ],
    ),
    (
        "Lightning cost",
        &[
            "ln_fee_sat",
            "ln_fee_overhead",
            "ln_time_to_pay_s",
            "ln_locked_per_middleman_sat",
            "ln_locked_peak_sat",
        ],
    ),
    (
        "Lightning payments",
        &[
            "ln_success_share",
            "payment_attempts_per_invoice",
            "ln_failures_no_route",
            "ln_failures_attempts",
            "ln_recoveries",
            "ln_money_unbalanced_msat",
        ],
    ),
];

fn lookup(name: &str) -> Option<&'static (&'static str, &'static str, &'static str, &'static str)> {
    METRICS.iter().find(|m| m.0 == name)
}

/// Column header for a metric, e.g. `t90 (s)`; unknown metrics keep their name.
pub(crate) fn metric_header(name: &str) -> String {
    lookup(name).map_or_else(|| name.to_string(), |m| m.1.to_string())
}

/// Phrase for sentences, e.g. `time to 90 % coverage`.
pub(crate) fn metric_phrase(name: &str) -> String {
    lookup(name).map_or_else(|| name.replace('_', " "), |m| m.2.to_string())
}

/// Unit suffix for a value in a sentence (`" s"`, `" sat"`, or empty).
pub(crate) fn metric_unit(name: &str) -> String {
    match lookup(name) {
        Some(m) if !m.3.is_empty() => format!(" {}", m.3),
        Some(_) => String::new(),
        None if name.ends_with("_s") => " s".to_string(),
        None if name.ends_with("_sat") => " sat".to_string(),
        None => String::new(),
    }
}

/// Number of decimals that shows about three significant digits of values up
/// to `max_abs` (at least 3 decimals below 10, fewer for large values).
pub(crate) fn decimals_for(max_abs: f64) -> usize {
    let a = max_abs.abs();
    if !a.is_finite() || a == 0.0 {
        return 3;
    }
    if a >= 1000.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 10.0 {
        2
    } else if a >= 0.1 {
        3
    } else {
        let mut d = 3;
        let mut v = a;
        while v < 0.1 && d < 9 {
            v *= 10.0;
            d += 1;
        }
        d
    }
}

/// Fixed-point formatting without a negative zero.
pub(crate) fn fmt_fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// `mean [low, high]` (or just the mean when the interval is unknown).
pub(crate) fn fmt_mean_ci(
    mean: f64,
    low: Option<f64>,
    high: Option<f64>,
    decimals: usize,
) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!(
            "{} [{}, {}]",
            fmt_fixed(mean, decimals),
            fmt_fixed(l, decimals),
            fmt_fixed(h, decimals)
        ),
        _ => fmt_fixed(mean, decimals),
    }
}

/// Last path segment of a key (`policy.fanout` -> `fanout`), or the whole key
/// when another key in `all` has the same last segment.
pub(crate) fn short_key(key: &str, all: &[String]) -> String {
    let last = |k: &str| k.rsplit('.').next().unwrap_or(k).to_string();
    let mine = last(key);
    let clashes = all.iter().filter(|k| last(k) == mine).count();
    if clashes > 1 {
        key.to_string()
    } else {
        mine
    }
}

/// Point label, e.g. `fanout=flood, share=0.1`; `fallback` when there are no params.
pub(crate) fn point_label(params: &[(String, String)], fallback: &str) -> String {
    if params.is_empty() {
        return fallback.to_string();
    }
    let keys: Vec<String> = params.iter().map(|(k, _)| k.clone()).collect();
    params
        .iter()
        .map(|(k, v)| format!("{}={}", short_key(k, &keys), v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes text for a Markdown table cell or inline text.
pub(crate) fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Decimals needed to print multiples of `step` (a 1-2-5 step) exactly.
pub(crate) fn step_decimals(step: f64) -> usize {
    let mut decimals = 0;
    let mut m = step.abs();
    while m > 0.0 && m < 0.999_999 && decimals < 12 {
        m *= 10.0;
        decimals += 1;
    }
    decimals
}

/// The smallest "nice" step (1, 2 or 5 times a power of ten) that is at
/// least `raw > 0`.
pub(crate) fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let mut mag = 1.0_f64;
    let mut guard = 0;
    while mag > raw && guard < 400 {
        mag /= 10.0;
        guard += 1;
    }
    while mag * 10.0 <= raw && guard < 800 {
        mag *= 10.0;
        guard += 1;
    }
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// "Nice" tick values covering `[lo, hi]` with about `target` ticks, and the
/// step between them.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let span = hi - lo;
    if !span.is_finite() || span <= 0.0 || target == 0 {
        return (vec![lo], 1.0);
    }
    let step = nice_step(span / target as f64);
    // The tolerance keeps a tick at an end point despite rounding (0.6 / 0.2 < 3).
    let first = (lo / step - 1e-9).ceil();
    let last = (hi / step + 1e-9).floor();
    let mut ticks = Vec::new();
    let mut i = first;
    while i <= last && ticks.len() < 100 {
        let v = i * step;
        ticks.push(if v == 0.0 { 0.0 } else { v });
        i += 1.0;
    }
    (ticks, step)
}

/// How tick labels of one axis are printed: `value / scale` with fixed
/// decimals and an SI suffix (k, M, G, ...) for large values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TickFormat {
    pub scale: f64,
    pub suffix: &'static str,
    pub decimals: usize,
}

impl TickFormat {
    /// Format for ticks spaced by `step` whose largest magnitude is `max_abs`.
    pub(crate) fn new(max_abs: f64, step: f64) -> Self {
        const SI: [(f64, &str); 6] = [
            (1e18, "E"),
            (1e15, "P"),
            (1e12, "T"),
            (1e9, "G"),
            (1e6, "M"),
            (1e3, "k"),
        ];
        if max_abs >= 1e5 {
            if let Some(&(scale, suffix)) = SI.iter().find(|(s, _)| max_abs >= *s) {
                return TickFormat {
                    scale,
                    suffix,
                    decimals: step_decimals(step / scale).min(3),
                };
            }
        }
        TickFormat {
            scale: 1.0,
            suffix: "",
            decimals: step_decimals(step),
        }
    }

    pub(crate) fn format(&self, v: f64) -> String {
        if v == 0.0 {
            return fmt_fixed(0.0, self.decimals);
        }
        format!(
            "{}{}",
            fmt_fixed(v / self.scale, self.decimals),
            self.suffix
        )
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn formats_numbers_deterministically() {
        assert_eq!(fmt_fixed(-0.0001, 3), "0.000");
        assert_eq!(fmt_fixed(0.98149, 3), "0.981");
        assert_eq!(decimals_for(14.2), 2);
        assert_eq!(decimals_for(0.0012), 5);
        assert_eq!(
            fmt_mean_ci(0.981, Some(0.975), Some(0.987), 3),
            "0.981 [0.975, 0.987]"
        );
        assert_eq!(fmt_mean_ci(2.5, None, Some(1.0), 3), "2.500");
    }

    #[test]
    fn labels_use_last_segment_unless_ambiguous() {
        let p = vec![
            ("policy.fanout".to_string(), "flood".to_string()),
            ("attack.share".to_string(), "0.1".to_string()),
        ];
        assert_eq!(point_label(&p, "x"), "fanout=flood, share=0.1");
        let q = vec![
            ("a.share".to_string(), "1".to_string()),
            ("b.share".to_string(), "2".to_string()),
        ];
        assert_eq!(point_label(&q, "x"), "a.share=1, b.share=2");
        assert_eq!(point_label(&[], "all runs"), "all runs");
    }

    #[test]
    fn ticks_are_nice() {
        let (t, step) = nice_ticks(0.0, 1.0, 5);
        assert_eq!(t.len(), 6);
        let f = TickFormat::new(1.0, step);
        assert_eq!(f.decimals, 1);
        assert_eq!(f.format(t[3]), "0.6");
        let (t, step) = nice_ticks(3.0, 47.0, 5);
        assert_eq!(step_decimals(step), 0);
        assert_eq!(t, vec![10.0, 20.0, 30.0, 40.0]);
        let (t, step) = nice_ticks(0.0, 2.4e12, 5);
        let f = TickFormat::new(2.0e12, step);
        assert_eq!(f.format(t[1]), "0.5T");
        assert_eq!(f.format(t[0]), "0.0");
        assert_eq!(TickFormat::new(2.0e6, 5e5).format(1.5e6), "1.5M");
    }
}
