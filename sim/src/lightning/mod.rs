//! Invoice payments over a Lightning channel graph, routed by LDK (`payments.model =
//! "lightning"`; see `docs/lightning.md`).
//!
//! Every gossip node is an LN node of a generated scale-free graph, or is mapped onto a node of
//! a loaded lnd `describegraph` snapshot. A payment asks LDK's `find_route` for a single-path
//! route (the payer's own channels as exact first hops), walks it against the channel
//! balances, and either locks the amount on every hop until it settles (balances move when
//! its in-flight time has passed) or fails at the first hop that lacks liquidity, which the
//! scorer learns and the next attempt avoids (`previously_failed_channels`), up to
//! `max_attempts`. A final failure reaches the protocol as an ordinary failed payment.
//!
//! All randomness comes from the run's `Concern::Lightning` streams; time is virtual.

mod graph;
mod metrics;
mod router;
mod snapshot;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sweet_gossip::{Duration, PayloadId, PaymentFailure, Timestamp};

pub use crate::scenario::lightning::{
    fill_defaults, validate_payments, BalanceSplit, CapacityDistribution, LightningSpec,
    PaymentModel, ScorerScope, SnapshotMapping,
};
pub use graph::{generate, ChannelGraph, ChannelSpec, Policy};
pub use metrics::{unbalanced_msat, Books, LnStats};
pub use router::{Hop, Router};
pub use snapshot::{check_scales, load, parse, read_text, Snapshot, SnapshotError};

use crate::record::PaymentAttempt;
use crate::rng::{sample, stream, Concern};
use crate::scenario::{Network, Scenario};

/// One channel's live state; side `a` is [`ChannelSpec::a`].
#[derive(Debug, Clone)]
struct Chan {
    a: u32,
    b: u32,
    bal_a_msat: u64,
    bal_b_msat: u64,
}

/// An HTLC path in flight: (channel index, a → b, msat) per hop, and its payee.
#[derive(Debug)]
struct Inflight {
    hops: Vec<(u32, bool, u64)>,
    payee: u32,
    amount_msat: u64,
}

/// The Lightning side of one run.
pub struct Lightning {
    router: Router,
    chans: Vec<Chan>,
    /// Sums of channel sides (each at most 21 million bitcoin) need more than 64 bits.
    capacity_msat: u128,
    start_msat: Vec<u128>,
    /// Per LN node: its channels as (channel index, it is side a).
    adjacency: Vec<Vec<(u32, bool)>>,
    /// Gossip node → LN node.
    ln_of: Vec<u32>,
    max_attempts: u32,
    network: Network,
    delay_rng: rand_chacha::ChaCha12Rng,
    inflight: BTreeMap<(Timestamp, u64), Inflight>,
    next_id: u64,
    locked_msat: u64,
    /// Per LN node: liquidity in flight toward it now, and its peak (msat).
    inbound: Vec<(u64, u64)>,
    fee_earned_msat: Vec<u64>,
    fee_paid_msat: Vec<u64>,
    payees: BTreeSet<u32>,
    decayed_at: Timestamp,
    stats: LnStats,
    /// Every payment attempt, kept only when asked ([`Lightning::record_attempts`]).
    log: Option<Vec<PaymentAttempt>>,
    /// Payments started, counted while the log is kept.
    logged_payments: u64,
}

/// A payment being made, for the attempt log.
struct Paying {
    payer: u32,
    payee: u32,
    amount_msat: u64,
    at: Timestamp,
}

/// How an invoice payment ended: paid after `delay`, or failed after `delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempted {
    /// Time from the payment's start to its final result (every attempt included).
    pub delay: Duration,
    /// `None` when paid.
    pub failure: Option<PaymentFailure>,
}

impl Lightning {
    /// The Lightning side of replicate `replicate` of `s` for `nodes` gossip nodes; relative
    /// snapshot paths resolve against `base_dir`.
    pub fn new(
        s: &Scenario,
        replicate: u32,
        nodes: u32,
        base_dir: &Path,
    ) -> Result<Lightning, SnapshotError> {
        let spec = s.payments.lightning.clone().unwrap_or_default();
        let mut graph_rng = stream(s.seed, replicate, Concern::Lightning(0));
        let (graph, ln_of) = if spec.is_generated() {
            let g = generate(&spec, nodes, &mut graph_rng);
            (g, (0..nodes).collect())
        } else {
            let path = base_dir.join(&spec.graph);
            let snap = load(&path, &spec, &mut graph_rng)?;
            let map = map_nodes(&snap, &spec, nodes, &mut graph_rng).map_err(|message| {
                SnapshotError {
                    path: path.clone(),
                    message,
                }
            })?;
            (snap.graph, map)
        };
        let graph = graph.scaled(spec.capacity_scale, spec.fee_scale);
        let mut key_rng = stream(s.seed, replicate, Concern::Lightning(1));
        let router = Router::new(&graph, &spec, &mut key_rng);
        Ok(Lightning::with_router(
            router,
            &graph,
            ln_of,
            &spec,
            s.network.clone(),
            stream(s.seed, replicate, Concern::Lightning(2)),
        ))
    }

    /// The Lightning side of a bare channel graph whose LN node i is gossip node i, for checks
    /// that call [`Lightning::pay`] directly (`sgsim validate`). `router` must have been built
    /// from a graph with the same channels; balances start as `graph`'s.
    pub fn from_graph(
        router: Router,
        graph: &ChannelGraph,
        spec: &LightningSpec,
        network: Network,
        delay_rng: rand_chacha::ChaCha12Rng,
    ) -> Lightning {
        let ln_of = (0..graph.nodes).collect();
        Lightning::with_router(router, graph, ln_of, spec, network, delay_rng)
    }

    /// The router back (its scorers keep what they learnt), to reuse it over the same channels.
    pub fn into_router(self) -> Router {
        self.router
    }

    fn with_router(
        router: Router,
        graph: &ChannelGraph,
        ln_of: Vec<u32>,
        spec: &LightningSpec,
        network: Network,
        delay_rng: rand_chacha::ChaCha12Rng,
    ) -> Lightning {
        let n = graph.nodes as usize;
        let mut adjacency = vec![Vec::new(); n];
        let mut start_msat = vec![0u128; n];
        let mut chans = Vec::with_capacity(graph.channels.len());
        let mut capacity_msat = 0;
        for (i, c) in graph.channels.iter().enumerate() {
            let cap = c.capacity_sat * 1000;
            capacity_msat += u128::from(cap);
            adjacency[c.a as usize].push((i as u32, true));
            adjacency[c.b as usize].push((i as u32, false));
            start_msat[c.a as usize] += u128::from(c.balance_a_msat);
            start_msat[c.b as usize] += u128::from(cap - c.balance_a_msat);
            chans.push(Chan {
                a: c.a,
                b: c.b,
                bal_a_msat: c.balance_a_msat,
                bal_b_msat: cap - c.balance_a_msat,
            });
        }
        Lightning {
            router,
            chans,
            capacity_msat,
            start_msat,
            adjacency,
            ln_of,
            max_attempts: spec.max_attempts,
            network,
            delay_rng,
            inflight: BTreeMap::new(),
            next_id: 0,
            locked_msat: 0,
            inbound: vec![(0, 0); n],
            fee_earned_msat: vec![0; n],
            fee_paid_msat: vec![0; n],
            payees: BTreeSet::new(),
            decayed_at: Timestamp::ZERO,
            stats: LnStats::default(),
            log: None,
            logged_payments: 0,
        }
    }

    /// Resolves every HTLC whose in-flight time has passed by `at`: the locked amounts move to
    /// the far side of each hop.
    pub fn settle_until(&mut self, at: Timestamp) {
        while let Some(entry) = self.inflight.first_entry() {
            if entry.key().0 > at {
                break;
            }
            let f = entry.remove();
            for (c, a_to_b, msat) in f.hops {
                let ch = &mut self.chans[c as usize];
                if a_to_b {
                    ch.bal_b_msat += msat;
                } else {
                    ch.bal_a_msat += msat;
                }
                self.locked_msat -= msat;
            }
            self.inbound[f.payee as usize].0 -= f.amount_msat;
        }
    }

    /// Pays `amount_sat` from gossip node `payer` to gossip node `payee` starting at `at`.
    /// Paid: the route's liquidity stays locked until `at + delay`, then moves.
    pub fn pay(&mut self, payer: u32, payee: u32, amount_sat: u64, at: Timestamp) -> Attempted {
        self.settle_until(at);
        self.decay(at);
        let (p, q) = (self.ln_of[payer as usize], self.ln_of[payee as usize]);
        let amount_msat = amount_sat.saturating_mul(1000);
        self.stats.invoice_sat_sum += amount_sat;
        let paying = Paying {
            payer,
            payee,
            amount_msat,
            at,
        };
        if amount_msat == 0 || p == q {
            // Nothing crosses a channel: settled at once, no fee.
            self.note(&paying, 1, Some(&[]), None, "paid");
            self.stats.paid += 1;
            return Attempted {
                delay: Duration::ZERO,
                failure: None,
            };
        }
        let mut failed: Vec<u64> = Vec::new();
        let mut elapsed_ms = 0.0;
        let now = std::time::Duration::from_micros(at.0);
        let first = self.first_hops(p);
        // The payer's own channels cannot carry the amount: LDK would find no route either.
        let outbound: u128 = first.iter().map(|f| u128::from(f.2)).sum();
        let failure = if outbound < u128::from(amount_msat) {
            PaymentFailure::InsufficientBalance
        } else {
            PaymentFailure::NoRoute
        };
        for attempt in 1..=self.max_attempts {
            self.stats.attempts += 1;
            let first = self.first_hops(p);
            let hops = match self.router.route(p, q, amount_msat, &failed, &first) {
                Ok(h) => h,
                Err(_) if failure == PaymentFailure::InsufficientBalance => {
                    self.note(&paying, attempt, None, None, "insufficient_balance");
                    self.stats.failed_balance += 1;
                    break;
                }
                Err(_) => {
                    self.note(&paying, attempt, None, None, "no_route");
                    self.stats.failed_no_route += 1;
                    break;
                }
            };
            let (stuck, delays_ms) = self.walk(&hops);
            elapsed_ms += 2.0 * delays_ms;
            let outcome = if stuck.is_some() {
                "failed_liquidity"
            } else {
                "paid"
            };
            self.note(&paying, attempt, Some(&hops), stuck, outcome);
            if let Some(i) = stuck {
                self.stats.attempt_failures_liquidity += 1;
                self.router.learn(p, &hops, Some(hops[i].scid), now);
                failed.push(hops[i].scid);
                if attempt == self.max_attempts {
                    self.stats.failed_attempts += 1;
                }
                continue;
            }
            self.router.learn(p, &hops, None, now);
            let delay = Duration::from_secs_f64(elapsed_ms / 1e3);
            self.lock(p, q, &hops, amount_msat, at + delay);
            self.payees.insert(q);
            return Attempted {
                delay,
                failure: None,
            };
        }
        Attempted {
            delay: Duration::from_secs_f64(elapsed_ms / 1e3),
            failure: Some(failure),
        }
    }

    /// Keeps every payment attempt from now on, for [`Lightning::take_attempts`].
    pub fn record_attempts(&mut self) {
        self.log.get_or_insert_with(Vec::new);
    }

    /// The payment attempts kept since [`Lightning::record_attempts`], in order.
    pub fn take_attempts(&mut self) -> Vec<PaymentAttempt> {
        self.log.take().unwrap_or_default()
    }

    /// Logs attempt `attempt` of `p` over `hops` (`None`: no route), stuck at hop `stuck`.
    fn note(
        &mut self,
        p: &Paying,
        attempt: u32,
        hops: Option<&[Hop]>,
        stuck: Option<usize>,
        outcome: &'static str,
    ) {
        let Some(log) = self.log.as_mut() else {
            return;
        };
        if attempt == 1 {
            self.logged_payments += 1;
        }
        let fee_msat = match hops {
            Some([first, ..]) if outcome == "paid" => first.amount_msat - p.amount_msat,
            _ => 0,
        };
        log.push(PaymentAttempt {
            payment: self.logged_payments - 1,
            at_us: p.at.0,
            payer: p.payer,
            payee: p.payee,
            amount_msat: p.amount_msat,
            attempt,
            hops: hops.map(|h| h.len() as u32),
            failing_hop: stuck.map(|i| i as u32),
            fee_msat,
            outcome,
        });
    }

    /// The payer's channels as LDK first hops: (scid, peer, outbound msat, capacity sat).
    fn first_hops(&self, p: u32) -> Vec<(u64, u32, u64, u64)> {
        self.adjacency[p as usize]
            .iter()
            .map(|&(c, is_a)| {
                let ch = &self.chans[c as usize];
                let (peer, out) = if is_a {
                    (ch.b, ch.bal_a_msat)
                } else {
                    (ch.a, ch.bal_b_msat)
                };
                let cap = (ch.bal_a_msat + ch.bal_b_msat) / 1000;
                (u64::from(c) + 1, peer, out, cap)
            })
            .collect()
    }

    /// Walks `hops` forward: the index of the first hop whose sender lacks the liquidity, and
    /// the one-way delays summed up to and including it (or the whole path), milliseconds.
    fn walk(&mut self, hops: &[Hop]) -> (Option<usize>, f64) {
        let mut ms = 0.0;
        for (i, h) in hops.iter().enumerate() {
            ms += crate::network::delay_ms(&self.network, &mut self.delay_rng);
            if self.outbound(h) < h.amount_msat {
                return (Some(i), ms);
            }
        }
        (None, ms)
    }

    fn outbound(&self, h: &Hop) -> u64 {
        let ch = &self.chans[(h.scid - 1) as usize];
        if ch.a == h.from {
            ch.bal_a_msat
        } else {
            ch.bal_b_msat
        }
    }

    /// Locks every hop's amount on its sender's side until `until`; books the fees.
    fn lock(&mut self, p: u32, q: u32, hops: &[Hop], amount_msat: u64, until: Timestamp) {
        let mut locked = Vec::with_capacity(hops.len());
        for h in hops {
            let c = (h.scid - 1) as u32;
            let ch = &mut self.chans[c as usize];
            let a_to_b = ch.a == h.from;
            let side = if a_to_b {
                &mut ch.bal_a_msat
            } else {
                &mut ch.bal_b_msat
            };
            *side -= h.amount_msat;
            self.locked_msat += h.amount_msat;
            self.fee_earned_msat[h.to as usize] += h.fee_msat;
            locked.push((c, a_to_b, h.amount_msat));
        }
        let fee = hops[0].amount_msat - amount_msat;
        self.fee_paid_msat[p as usize] += fee;
        self.stats.fee_msat += fee;
        self.stats.amount_sat += amount_msat / 1000;
        self.stats.hops += hops.len() as u64;
        self.stats.paid += 1;
        self.stats.locked_peak_msat = self.stats.locked_peak_msat.max(self.locked_msat);
        let inb = &mut self.inbound[q as usize];
        inb.0 += amount_msat;
        inb.1 = inb.1.max(inb.0);
        self.inflight.insert(
            (until, self.next_id),
            Inflight {
                hops: locked,
                payee: q,
                amount_msat,
            },
        );
        self.next_id += 1;
    }

    /// Lets the scorers forget, at most once per virtual minute (each call walks every
    /// channel the scorer knows).
    fn decay(&mut self, at: Timestamp) {
        if at.0 >= self.decayed_at.0 + 60_000_000 {
            self.decayed_at = at;
            self.router
                .time_passed(std::time::Duration::from_micros(at.0));
        }
    }

    /// Gossip node `payer` starts paying the invoices of a reply route of `payload` at `at`;
    /// a second batch for the same topic is a recovery (paper 3.9).
    pub fn batch_started(&mut self, payload: PayloadId, at: Timestamp) {
        let e = self.stats.gigs.entry(payload).or_insert((at, 0));
        e.1 += 1;
        if e.1 > 1 {
            self.stats.recoveries += 1;
        }
    }

    /// The reply of `payload` was delivered (every invoice of its route paid) at `at`.
    pub fn delivered(&mut self, payload: PayloadId, at: Timestamp) {
        self.stats.delivered += 1;
        if let Some(&(start, batches)) = self.stats.gigs.get(&payload) {
            self.stats
                .time_to_pay_s
                .push(at.0.saturating_sub(start.0) as f64 / 1e6);
            if batches > 1 {
                self.stats.recovered_gigs += 1;
            }
        }
    }

    /// Settles everything still in flight and closes the books; `invoice_net_sat[g]` is gossip
    /// node g's invoices received minus paid.
    pub fn close(&mut self, invoice_net_sat: &[i128]) -> Books {
        self.settle_until(Timestamp(u64::MAX));
        let n = self.start_msat.len();
        let mut now_msat = vec![0u128; n];
        for ch in &self.chans {
            now_msat[ch.a as usize] += u128::from(ch.bal_a_msat);
            now_msat[ch.b as usize] += u128::from(ch.bal_b_msat);
        }
        let mut net = vec![0i128; n];
        for (g, &x) in invoice_net_sat.iter().enumerate() {
            net[self.ln_of[g] as usize] += x;
        }
        Books {
            capacity_msat: self.capacity_msat,
            start_msat: self.start_msat.clone(),
            now_msat,
            pending_msat: self.locked_msat,
            fee_earned_msat: self.fee_earned_msat.clone(),
            fee_paid_msat: self.fee_paid_msat.clone(),
            invoice_net_sat: net,
        }
    }

    /// The run metrics, closing the books first; `earned` and `spent` are the invoice
    /// ledger's per gossip node totals.
    pub fn metrics(&mut self, earned: &[u64], spent: &[u64]) -> Vec<(String, Option<f64>)> {
        let net: Vec<i128> = (0..earned.len())
            .map(|g| i128::from(earned[g]) - i128::from(spent[g]))
            .collect();
        let books = self.close(&net);
        let delivered = self.stats.delivered;
        let peaks: Vec<f64> = self
            .payees
            .iter()
            .map(|&q| self.inbound[q as usize].1 as f64 / 1000.0)
            .collect();
        let unbalanced = unbalanced_msat(&books);
        assert_money_conserved(unbalanced);
        self.stats.metrics(delivered, &peaks, unbalanced)
    }

    /// The counters so far.
    pub fn stats(&self) -> &LnStats {
        &self.stats
    }
}

/// Money is conserved across channels, HTLCs, fees and the invoice ledger
/// ([`unbalanced_msat`] is 0). Runs once per run, so it stays on in release: a run whose books
/// disagree fails with its replay command instead of writing a result.
fn assert_money_conserved(unbalanced_msat: u128) {
    assert_eq!(
        unbalanced_msat, 0,
        "invariant: Lightning money is conserved (channel sides, HTLCs in flight, fees and \
         invoices disagree by {unbalanced_msat} msat)"
    );
}

/// A snapshot of `snapshot_nodes` LN nodes can serve `gossip_nodes` gossip nodes (honest and
/// Sybil): each needs its own LN node.
pub fn check_node_count(snapshot_nodes: u32, gossip_nodes: u32) -> Result<(), String> {
    if snapshot_nodes < gossip_nodes {
        return Err(format!(
            "has {snapshot_nodes} nodes but the scenario has {gossip_nodes} gossip nodes (each \
             needs its own LN node; payments.lightning.graph)"
        ));
    }
    Ok(())
}

/// Gossip node i → snapshot node, by `snapshot_mapping`.
fn map_nodes(
    snap: &Snapshot,
    spec: &LightningSpec,
    nodes: u32,
    rng: &mut impl rand::RngCore,
) -> Result<Vec<u32>, String> {
    check_node_count(snap.graph.nodes, nodes)?;
    let all: Vec<u32> = (0..snap.graph.nodes).collect();
    Ok(match spec.snapshot_mapping {
        SnapshotMapping::InOrder => all[..nodes as usize].to_vec(),
        SnapshotMapping::Random => sample(rng, &all, nodes as usize),
    })
}

impl Lightning {
    /// Pays `inv` from gossip node `payer` at `at` over the channels, recording it in the
    /// invoice `ledger`: the outcome, the payee when paid, and the time until the result.
    pub fn pay_invoice(
        &mut self,
        ledger: &mut crate::ledger::Ledger,
        payer: u32,
        inv: &sweet_gossip::Invoice,
        at: Timestamp,
    ) -> (sweet_gossip::PaymentOutcome, Option<u32>, Duration) {
        use sweet_gossip::PaymentOutcome;
        let Some((payee, amount, preimage)) = ledger.lookup(inv) else {
            return (ledger.refuse(), None, Duration::ZERO);
        };
        let r = self.pay(payer, payee, amount, at);
        ledger.record_external(payer, payee, amount, r.failure.is_none());
        match r.failure {
            None => (PaymentOutcome::Paid(preimage), Some(payee), r.delay),
            Some(f) => (PaymentOutcome::Failed(f), None, r.delay),
        }
    }
}
