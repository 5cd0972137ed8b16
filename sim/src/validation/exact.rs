//! The exact law of the number of nodes infect-and-die push reaches on a finite complete graph.
//!
//! The sender asks k of its n − 1 peers; every other node, once reached, asks k of the n − 2
//! peers other than itself and the one the topic came from. Count as *targeted* every node
//! some reached node has asked: each targeted node is reached (no loss), and the node asking
//! and its parent are themselves targeted, so when a node asks, the number of new targets is
//! hypergeometric — k draws from n − 2 candidates of which n − i are untargeted, i the
//! targeted count — whatever the order and timing of the asks. Processing one reached node
//! per step gives a chain over i whose absorption (no node left to process) is the final reach.

/// ln C(a, b).
fn ln_choose(a: u32, b: u32) -> f64 {
    let f = |x: u32| libm::lgamma(f64::from(x) + 1.0);
    f(a) - f(b) - f(a - b)
}

/// P(X = x) for X hypergeometric: `draws` from `total` of which `good` are good.
fn hypergeometric(total: u32, good: u32, draws: u32, x: u32) -> f64 {
    if x > good || draws - x > total - good {
        return 0.0;
    }
    libm::exp(ln_choose(good, x) + ln_choose(total - good, draws - x) - ln_choose(total, draws))
}

/// P(the topic reaches exactly r nodes, its sender included) for r = 0..=n, for fanout `k`
/// on the complete graph of `n ≥ 3` nodes.
pub fn push_reach_distribution(n: u32, k: u32) -> Vec<f64> {
    let nu = n as usize;
    let mut done = vec![0.0; nu + 1];
    // cur[i]: probability that i nodes are targeted after t processed (i − t still to do).
    let mut cur = vec![0.0; nu + 1];
    let first = k.min(n - 1);
    cur[1 + first as usize] = 1.0;
    let draws = k.min(n - 2);
    for t in 1..=nu {
        done[t] += cur[t];
        cur[t] = 0.0;
        let mut next = vec![0.0; nu + 1];
        for i in t + 1..=nu {
            let p = cur[i];
            if p == 0.0 {
                continue;
            }
            let fresh = n - i as u32;
            for x in 0..=draws.min(fresh) {
                next[i + x as usize] += p * hypergeometric(n - 2, fresh, draws, x);
            }
        }
        cur = next;
    }
    done
}

/// Mean and standard deviation of f(r) under the distribution `dist` restricted to the r
/// where `keep(r)` holds (conditional on it); NaN when nothing is kept.
pub fn conditional_moments(
    dist: &[f64],
    keep: impl Fn(usize) -> bool,
    f: impl Fn(usize) -> f64,
) -> (f64, f64) {
    let (mut w, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for (r, p) in dist.iter().enumerate().filter(|(r, _)| keep(*r)) {
        w += p;
        m1 += p * f(r);
        m2 += p * f(r) * f(r);
    }
    let mean = m1 / w;
    (mean, libm::sqrt((m2 / w - mean * mean).max(0.0)))
}
