//! What the Lightning model measures, and the money-conservation check across both ledgers.

use std::collections::BTreeMap;

use sweet_gossip::{PayloadId, Timestamp};

/// Counters of one run's Lightning payments.
#[derive(Debug, Default, Clone)]
pub struct LnStats {
    /// Invoice payments that reached their payee.
    pub paid: u64,
    /// Invoice payments for which LDK found no (further) route.
    pub failed_no_route: u64,
    /// Invoice payments the payer's own channels could not carry (no route from the start).
    pub failed_balance: u64,
    /// Invoice payments that used up `max_attempts` attempts.
    pub failed_attempts: u64,
    /// Route attempts, successful or not.
    pub attempts: u64,
    /// Attempts that failed at a hop lacking liquidity.
    pub attempt_failures_liquidity: u64,
    /// LN routing fees of paid invoices, millisatoshi.
    pub fee_msat: u64,
    /// Sweet-Gossip invoice amounts paid over LN, satoshi.
    pub amount_sat: u64,
    /// Hops of paid invoices.
    pub hops: u64,
    /// Peak of the liquidity locked in in-flight HTLCs, network-wide, millisatoshi.
    pub locked_peak_msat: u64,
    /// Per gig: when its first invoices were sent to be paid, and payment batches so far.
    pub gigs: BTreeMap<PayloadId, (Timestamp, u32)>,
    /// Payment batches after a route failed (paper 3.9 recovery).
    pub recoveries: u64,
    /// Gigs delivered after at least one recovery.
    pub recovered_gigs: u64,
    /// Replies delivered (gigs paid in full).
    pub delivered: u64,
    /// Per delivered gig: seconds from its first payment to delivery.
    pub time_to_pay_s: Vec<f64>,
    /// Amounts of every invoice that reached the router, paid or not, satoshi.
    pub invoice_sat_sum: u64,
}

/// The money state of both ledgers at the end of a run, after every HTLC resolved.
#[derive(Debug, Clone, Default)]
pub struct Books {
    /// Sum of channel capacities, millisatoshi (128 bits: each channel holds up to 21 million
    /// bitcoin, so sums exceed 64 bits).
    pub capacity_msat: u128,
    /// Per LN node: the sum of its channel sides at the start, millisatoshi.
    pub start_msat: Vec<u128>,
    /// Per LN node: the sum of its channel sides now, millisatoshi.
    pub now_msat: Vec<u128>,
    /// Still locked in unresolved HTLCs, millisatoshi.
    pub pending_msat: u64,
    /// Per LN node: routing fees earned and paid, millisatoshi.
    pub fee_earned_msat: Vec<u64>,
    /// Per LN node: routing fees paid as a sender.
    pub fee_paid_msat: Vec<u64>,
    /// Per LN node: Sweet-Gossip invoices received minus paid (from the invoice ledger), sat.
    pub invoice_net_sat: Vec<i128>,
}

/// Millisatoshi by which the books disagree: 0 exactly when money is conserved. Three
/// checks are summed: channel sides plus locked HTLCs equal total capacity; fees earned equal
/// fees paid; and every node's channel-side change equals its invoice ledger change plus
/// fees earned minus fees paid.
pub fn unbalanced_msat(b: &Books) -> u128 {
    let sides: u128 = b.now_msat.iter().sum();
    let mut off = (sides + u128::from(b.pending_msat)).abs_diff(b.capacity_msat);
    let earned: u128 = b.fee_earned_msat.iter().map(|&x| u128::from(x)).sum();
    let paid: u128 = b.fee_paid_msat.iter().map(|&x| u128::from(x)).sum();
    off += earned.abs_diff(paid);
    for n in 0..b.now_msat.len() {
        // Each side is below 2^127: at most 2^32 nodes x 2^32 channels x 2.1e18 msat.
        let change = b.now_msat[n] as i128 - b.start_msat[n] as i128;
        let expect = b.invoice_net_sat[n] * 1000 + i128::from(b.fee_earned_msat[n])
            - i128::from(b.fee_paid_msat[n]);
        off += (change - expect).unsigned_abs();
    }
    off
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then_some(a / b)
}

impl LnStats {
    /// The run metrics of the Lightning model (names as in `sgsim list metrics`); `delivered`
    /// is the number of gigs whose reply was delivered, `middlemen_peak_sat` the per-middleman
    /// peaks of liquidity in flight toward them, `unbalanced` from [`unbalanced_msat`].
    pub fn metrics(
        &self,
        delivered: u64,
        middlemen_peak_sat: &[f64],
        unbalanced: u128,
    ) -> Vec<(String, Option<f64>)> {
        let fee_sat = self.fee_msat as f64 / 1000.0;
        let invoices =
            self.paid + self.failed_no_route + self.failed_attempts + self.failed_balance;
        let v = |k: &str, x: Option<f64>| (k.to_string(), x);
        let n = |k: &str, x: u64| (k.to_string(), Some(x as f64));
        vec![
            v("ln_fee_sat", ratio(fee_sat, delivered as f64)),
            v("ln_fee_total_sat", Some(fee_sat)),
            v("ln_fee_overhead", ratio(fee_sat, self.amount_sat as f64)),
            n("payment_attempts", self.attempts),
            v(
                "payment_attempts_per_invoice",
                ratio(self.attempts as f64, invoices as f64),
            ),
            n("ln_payments_ok", self.paid),
            n("ln_failures_no_route", self.failed_no_route),
            n("ln_failures_attempts", self.failed_attempts),
            n("ln_failures_balance", self.failed_balance),
            n(
                "ln_attempt_failures_liquidity",
                self.attempt_failures_liquidity,
            ),
            v("ln_success_share", ratio(self.paid as f64, invoices as f64)),
            v(
                "ln_invoice_sat_mean",
                ratio(self.invoice_sat_sum as f64, invoices as f64),
            ),
            v("ln_hops_mean", ratio(self.hops as f64, self.paid as f64)),
            n("ln_recoveries", self.recoveries),
            n("ln_recovered_gigs", self.recovered_gigs),
            v("ln_time_to_pay_s", mean(&self.time_to_pay_s)),
            v(
                "ln_locked_peak_sat",
                Some(self.locked_peak_msat as f64 / 1000.0),
            ),
            v("ln_locked_per_middleman_sat", mean(middlemen_peak_sat)),
            v("ln_money_unbalanced_msat", Some(unbalanced as f64)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn books() -> Books {
        // Node 0 paid a 10-sat invoice to node 2 via node 1, which kept a 1000-msat fee.
        Books {
            capacity_msat: 200_000,
            start_msat: vec![50_000, 100_000, 50_000],
            now_msat: vec![39_000, 101_000, 60_000],
            pending_msat: 0,
            fee_earned_msat: vec![0, 1000, 0],
            fee_paid_msat: vec![1000, 0, 0],
            invoice_net_sat: vec![-10, 0, 10],
        }
    }

    #[test]
    fn balanced_books_pass_and_any_leak_is_caught() {
        assert_eq!(unbalanced_msat(&books()), 0);
        let mut leak = books();
        leak.now_msat[2] += 1; // one msat from nowhere
        assert!(unbalanced_msat(&leak) > 0);
        let mut lost_fee = books();
        lost_fee.fee_earned_msat[1] = 0; // the router forgot to credit a fee
        assert!(unbalanced_msat(&lost_fee) > 0);
        let mut stuck = books();
        stuck.pending_msat = 5; // locked money that no channel side lost
        assert!(unbalanced_msat(&stuck) > 0);
        let mut ledger = books();
        ledger.invoice_net_sat[2] = 9; // the invoice ledger and the channels disagree
        assert!(unbalanced_msat(&ledger) > 0);
    }
}
