//! A simulated Lightning ledger: balances, invoices by payment hash, preimages revealed on
//! payment, and failures. What payers lose is what payees gain; the engine checks this against
//! what payers and payees' protocol nodes saw (`fees_unbalanced_sat`).

use crate::rng::chance;
use rand_chacha::ChaCha12Rng;
use std::collections::BTreeMap;
use sweet_gossip::{Invoice, PaymentFailure, PaymentHash, PaymentOutcome, Preimage};

#[derive(Debug, Clone)]
struct Registered {
    payee: u32,
    amount: u64,
    preimage: Preimage,
}

/// Balances of every node and the invoices they issued.
#[derive(Debug)]
pub struct Ledger {
    balances: Vec<u64>,
    earned: Vec<u64>,
    spent: Vec<u64>,
    invoices: BTreeMap<PaymentHash, Registered>,
    failure_probability: f64,
    rng: ChaCha12Rng,
    /// Invoices paid successfully.
    pub payments_ok: u64,
    /// Invoice payments that failed.
    pub payments_failed: u64,
}

impl Ledger {
    /// `nodes` accounts holding `balance_sat` each; each payment fails independently with
    /// `failure_probability`, drawn from `rng`.
    pub fn new(nodes: usize, balance_sat: u64, failure_probability: f64, rng: ChaCha12Rng) -> Self {
        Self {
            balances: vec![balance_sat; nodes],
            earned: vec![0; nodes],
            spent: vec![0; nodes],
            invoices: BTreeMap::new(),
            failure_probability,
            rng,
            payments_ok: 0,
            payments_failed: 0,
        }
    }

    /// Adds an account (for nodes that join later).
    pub fn add_account(&mut self, balance_sat: u64) {
        self.balances.push(balance_sat);
        self.earned.push(0);
        self.spent.push(0);
    }

    /// Records an invoice issued by `payee`; a later registration of the same hash replaces it.
    pub fn register(&mut self, payee: u32, invoice: &Invoice, preimage: Preimage) {
        self.invoices.insert(
            invoice.payment_hash,
            Registered {
                payee,
                amount: invoice.amount,
                preimage,
            },
        );
    }

    /// Pays `invoice` from `payer`. On success the payee's preimage is revealed, and the payee
    /// is returned so the driver can tell it.
    pub fn pay(&mut self, payer: u32, invoice: &Invoice) -> (PaymentOutcome, Option<u32>) {
        let outcome = self.try_pay(payer, invoice);
        match outcome {
            Ok((pre, payee)) => {
                self.payments_ok += 1;
                (PaymentOutcome::Paid(pre), Some(payee))
            }
            Err(f) => {
                self.payments_failed += 1;
                (PaymentOutcome::Failed(f), None)
            }
        }
    }

    /// The node that issued `invoice`, if it was registered.
    pub fn payee(&self, invoice: &Invoice) -> Option<u32> {
        self.invoices.get(&invoice.payment_hash).map(|r| r.payee)
    }

    /// Records a payment that failed because its payee was offline (no settlement possible).
    pub fn refuse(&mut self) -> PaymentOutcome {
        self.payments_failed += 1;
        PaymentOutcome::Failed(PaymentFailure::NotSettled)
    }

    fn try_pay(
        &mut self,
        payer: u32,
        invoice: &Invoice,
    ) -> Result<(Preimage, u32), PaymentFailure> {
        if chance(&mut self.rng, self.failure_probability) {
            return Err(PaymentFailure::NoRoute);
        }
        let reg = self
            .invoices
            .get(&invoice.payment_hash)
            .ok_or(PaymentFailure::NotSettled)?;
        let (payer, payee, amount) = (payer as usize, reg.payee as usize, reg.amount);
        if self.balances[payer] < amount {
            return Err(PaymentFailure::InsufficientBalance);
        }
        self.balances[payer] -= amount;
        self.spent[payer] += amount;
        self.balances[payee] += amount;
        self.earned[payee] += amount;
        Ok((reg.preimage, reg.payee))
    }

    /// The payee, registered amount and preimage of `invoice`, if it was registered.
    pub fn lookup(&self, invoice: &Invoice) -> Option<(u32, u64, Preimage)> {
        self.invoices
            .get(&invoice.payment_hash)
            .map(|r| (r.payee, r.amount, r.preimage))
    }

    /// Records a payment whose money moved outside these balances (the Lightning model's
    /// channels): when `paid`, `amount` joins the payer's spent and the payee's earned; the
    /// success or failure is counted either way.
    pub fn record_external(&mut self, payer: u32, payee: u32, amount: u64, paid: bool) {
        if paid {
            self.spent[payer as usize] += amount;
            self.earned[payee as usize] += amount;
            self.payments_ok += 1;
        } else {
            self.payments_failed += 1;
        }
    }

    /// The amount of the invoice registered under `hash`, if any.
    pub fn amount_of(&self, hash: &PaymentHash) -> Option<u64> {
        self.invoices.get(hash).map(|r| r.amount)
    }

    /// Satoshis each node received.
    pub fn earned(&self) -> &[u64] {
        &self.earned
    }

    /// Satoshis each node paid.
    pub fn spent(&self) -> &[u64] {
        &self.spent
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Concern};
    use sweet_gossip::PublicKey;

    fn invoice(h: u8, amount: u64) -> (Invoice, Preimage) {
        let pre = Preimage([h; 32]);
        (
            Invoice {
                account: PublicKey([0; 32]),
                payment_hash: pre.payment_hash(),
                amount,
            },
            pre,
        )
    }

    #[test]
    fn pays_reveals_preimage_and_conserves() {
        let mut l = Ledger::new(3, 100, 0.0, stream(1, 0, Concern::Payments));
        let (inv, pre) = invoice(1, 30);
        l.register(2, &inv, pre);
        assert_eq!(l.pay(0, &inv), (PaymentOutcome::Paid(pre), Some(2)));
        assert_eq!((l.earned()[2], l.spent()[0]), (30, 30));
        let (unknown, _) = invoice(9, 1);
        assert_eq!(
            l.pay(0, &unknown).0,
            PaymentOutcome::Failed(PaymentFailure::NotSettled)
        );
        let (big, pre) = invoice(3, 1_000);
        l.register(1, &big, pre);
        assert_eq!(
            l.pay(0, &big).0,
            PaymentOutcome::Failed(PaymentFailure::InsufficientBalance)
        );
        assert_eq!(
            l.balances,
            vec![70, 100, 130],
            "failed payments move nothing"
        );
        assert_eq!(l.amount_of(&inv.payment_hash), Some(30));
        assert_eq!((l.payments_ok, l.payments_failed), (1, 2));
    }

    #[test]
    fn failure_probability_one_always_fails() {
        let mut l = Ledger::new(2, 100, 1.0, stream(1, 0, Concern::Payments));
        let (inv, pre) = invoice(1, 1);
        l.register(1, &inv, pre);
        assert!(matches!(l.pay(0, &inv).0, PaymentOutcome::Failed(_)));
    }
}
