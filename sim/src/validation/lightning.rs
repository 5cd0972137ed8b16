//! The Lightning check: on a line of channels with balances drawn uniformly afresh for every
//! trial, no fees and one attempt per payment, the share of payments that succeed is
//! P = ∏ (c + 1 − a)/(c + 1) over the path's channels (c capacity, a amount, millisatoshi),
//! the uniform-liquidity model (Pickhardt and Richter 2021). Each trial pays through
//! [`Lightning::pay`]: LDK routes it and the simulator walks it against the balances.

use super::{Comparison, Outcome, SweepFigure, SweepPoint};
use crate::lightning::{ChannelGraph, ChannelSpec, Lightning, LightningSpec, Policy, Router};
use crate::rng::{below, stream, Concern};
use crate::scenario::Network;
use std::path::PathBuf;
use sweet_gossip::Timestamp;

/// Channels on the line from payer to payee.
pub const LN_HOPS: u32 = 2;
/// Capacity of every channel, satoshi.
pub const LN_CAPACITY_SAT: u64 = 1_000;
/// Payment amounts, satoshi: a curve from nearly always to rarely paid.
pub const LN_AMOUNTS_SAT: [u64; 4] = [50, 200, 500, 800];
/// Independent trials per amount.
pub const LN_TRIALS: u64 = 5_000;
/// Seed of the balance draws and node keys.
pub const LN_SEED: u64 = 1005;

/// P(success) = ∏ (c + 1 − a)/(c + 1) for `hops` channels of `capacity_msat`.
pub fn uniform_liquidity_success(capacity_msat: u64, amount_msat: u64, hops: u32) -> f64 {
    let (c, a) = (capacity_msat as f64, amount_msat as f64);
    libm::pow(((c + 1.0 - a) / (c + 1.0)).max(0.0), f64::from(hops))
}

/// P(X ≤ x) for X binomial(m, p).
fn binomial_cdf(x: u64, m: u64, p: f64) -> f64 {
    if p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return if x >= m { 1.0 } else { 0.0 };
    }
    let lg = |v: u64| libm::lgamma(v as f64 + 1.0);
    let (lp, lq) = (libm::log(p), libm::log1p(-p));
    (0..=x.min(m))
        .map(|i| libm::exp(lg(m) - lg(i) - lg(m - i) + i as f64 * lp + (m - i) as f64 * lq))
        .sum::<f64>()
        .min(1.0)
}

/// The p in [0, 1] where the decreasing function `f` crosses `target`, by bisection.
fn crossing(f: impl Fn(f64) -> f64, target: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Exact (Clopper–Pearson) two-sided interval for `x` successes of `m` trials at confidence
/// 1 − `alpha`.
pub fn clopper_pearson(x: u64, m: u64, alpha: f64) -> (f64, f64) {
    let lo = if x == 0 {
        0.0
    } else {
        // P(X ≥ x | p) = 1 − cdf(x − 1) rises with p: find where it reaches alpha/2.
        crossing(|p| binomial_cdf(x - 1, m, p), 1.0 - alpha / 2.0)
    };
    let hi = if x == m {
        1.0
    } else {
        crossing(|p| binomial_cdf(x, m, p), alpha / 2.0)
    };
    (lo, hi)
}

/// The line 0 – 1 – … – hops, every channel `capacity_sat`, no fees, balances from `draw`.
fn line(hops: u32, capacity_sat: u64, mut draw: impl FnMut() -> u64) -> ChannelGraph {
    let policy = Policy {
        fee_base_msat: 0,
        fee_ppm: 0,
        cltv_delta: 40,
        htlc_min_msat: 1,
        htlc_max_msat: capacity_sat * 1000,
        disabled: false,
    };
    let channels = (0..hops)
        .map(|i| ChannelSpec {
            a: i,
            b: i + 1,
            capacity_sat,
            balance_a_msat: draw(),
            a_to_b: policy,
            b_to_a: policy,
        })
        .collect();
    ChannelGraph {
        nodes: hops + 1,
        channels,
    }
}

/// Runs the Lightning check: for each amount, [`LN_TRIALS`] single-attempt payments from one
/// end of the line to the other, each over fresh balances uniform on 0..=c msat.
pub fn lightning_check() -> Outcome {
    let spec = LightningSpec {
        max_attempts: 1,
        history_penalties: false,
        ..LightningSpec::default()
    };
    let cap_msat = LN_CAPACITY_SAT * 1000;
    let mut balances = stream(LN_SEED, 0, Concern::Lightning(0));
    let mut router = Some(Router::new(
        &line(LN_HOPS, LN_CAPACITY_SAT, || 0),
        &spec,
        &mut stream(LN_SEED, 0, Concern::Lightning(1)),
    ));
    let mut comparisons = Vec::new();
    let mut at = 0u64;
    for (j, &amount) in LN_AMOUNTS_SAT.iter().enumerate() {
        let mut paid = 0u64;
        for _ in 0..LN_TRIALS {
            let g = line(LN_HOPS, LN_CAPACITY_SAT, || {
                below(&mut balances, cap_msat + 1)
            });
            let delays = stream(LN_SEED, j as u32, Concern::Lightning(2));
            let r = router.take().expect("invariant: the router is handed back");
            let mut ln = Lightning::from_graph(r, &g, &spec, Network::default(), delays);
            at += 1_000_000;
            paid += u64::from(ln.pay(0, LN_HOPS, amount, Timestamp(at)).failure.is_none());
            router = Some(ln.into_router());
        }
        let theory = uniform_liquidity_success(cap_msat, amount * 1000, LN_HOPS);
        let measured = paid as f64 / LN_TRIALS as f64;
        let ci = clopper_pearson(paid, LN_TRIALS, 0.001);
        comparisons.push(
            Comparison::new(
                &format!("P(paid), amount {amount} sat"),
                theory,
                measured,
                LN_TRIALS,
                ci,
                0.0,
                super::share_se(theory, LN_TRIALS),
            )
            .rule("99.9 % Clopper–Pearson interval (exact binomial)".to_string()),
        );
    }
    let notes = vec![
        format!(
            "line of {LN_HOPS} channels of c = {LN_CAPACITY_SAT} sat = {cap_msat} msat, no fees, \
             one attempt, payer node 0, payee node {LN_HOPS}; every channel's payer-side balance \
             uniform on 0..=c msat, drawn afresh for each of {LN_TRIALS} trials per amount"
        ),
        "theory: P(paid) = ∏ over the path of (c + 1 − a)/(c + 1), a the amount in msat"
            .to_string(),
    ];
    Outcome {
        kind: super::CheckKind::LightningLine,
        file: PathBuf::from("sim/src/validation/lightning.rs"),
        comparisons,
        notes,
    }
}

/// The Lightning check as a figure: the share paid per amount (as a share of the capacity) with
/// its Clopper–Pearson interval, over the curve ∏ (c + 1 − a)/(c + 1).
pub fn lightning_figure() -> SweepFigure {
    let o = lightning_check();
    let cap_msat = LN_CAPACITY_SAT * 1000;
    let points = o
        .comparisons
        .iter()
        .zip(LN_AMOUNTS_SAT)
        .map(|(c, a)| SweepPoint {
            x: a as f64 / LN_CAPACITY_SAT as f64,
            series: 0,
            theory: c.theory,
            measured: c.measured,
            ci: (c.ci.0.min(c.measured), c.ci.1.max(c.measured)),
            n: c.n,
        })
        .collect();
    let theory = (0..=100)
        .map(|i| {
            let x = f64::from(i) / 100.0;
            let a = libm::round(x * cap_msat as f64) as u64;
            (x, uniform_liquidity_success(cap_msat, a, LN_HOPS))
        })
        .collect();
    SweepFigure {
        kind: super::CheckKind::LightningLine,
        file: "lightning-line.svg".into(),
        title: "Lightning on a line of channels: payment success vs amount".into(),
        x_desc: "amount a / capacity c".into(),
        y_desc: "P(paid)".into(),
        series: vec!["simulated: share paid (one attempt)".into()],
        points,
        theory,
        theory_name: "theory: ((c + 1 − a)/(c + 1))^hops".into(),
        caption: format!(
            "The built-in `lightning-line` check: {LN_TRIALS} single-attempt payments per amount \
             over a line of {LN_HOPS} channels of {LN_CAPACITY_SAT} sat with fresh uniform \
             balances and no fees, the share paid with its 99.9 % Clopper–Pearson interval, \
             against the uniform-liquidity model."
        ),
    }
}
