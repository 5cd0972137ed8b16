//! The catalogue of run metrics: one definition per key of `runs.jsonl` (`sgsim list metrics`).
//!
//! Conventions shared by every entry:
//! - *honest* nodes are the simulated nodes that are neither Sybils nor corrupted;
//! - a topic's *eligible* nodes are the honest nodes other than its sender that were online when
//!   it was broadcast; honest non-sender nodes offline at broadcast are its *late joiners*; a
//!   node *reaches* a topic when it first verifies it;
//! - a value is `null` (undefined) where its denominator is empty; summaries skip it and report
//!   the number of runs that define it.
//!
//! Families of keys (`frames_<kind>`, `bytes_<kind>`, `rejected_<reason>`, `crypto_<op>`) are
//! one entry each, with the allowed suffixes listed in [`Family`].

use serde::Serialize;
use std::fmt::Write as _;
use sweet_gossip::{FrameKind, RejectReason};

/// The unit of a metric's per-run value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share in [0, 1]; its confidence intervals are Student t clamped to [0, 1].
    Share,
    /// 1 or 0 per run; its confidence interval is Wilson's over the runs.
    Flag,
    /// Seconds of virtual time.
    Seconds,
    /// Frames.
    Frames,
    /// Bytes of encoded frames.
    Bytes,
    /// Proof-of-work hash attempts.
    Hashes,
    /// Satoshis.
    Sat,
    /// Millisatoshis (1/1000 satoshi).
    Msat,
    /// Hops of a reply route.
    Hops,
    /// A plain count (nodes, topics, replies, operations, events): a whole number per run, or a
    /// mean or maximum of such numbers where the scope says so.
    Count,
    /// A quotient of two quantities that is not bounded by 1 (e.g. attempts per invoice):
    /// dimensionless, never negative.
    Ratio,
}
// Every unit but Share and Flag is a magnitude: no run value is negative (differences are
// reported as absolute values, e.g. `fees_unbalanced_sat`), so intervals are clamped at 0.

/// Every unit, in the order `metrics.json` lists them.
pub const UNITS: [Unit; 11] = [
    Unit::Share,
    Unit::Flag,
    Unit::Seconds,
    Unit::Frames,
    Unit::Bytes,
    Unit::Hashes,
    Unit::Sat,
    Unit::Msat,
    Unit::Hops,
    Unit::Count,
    Unit::Ratio,
];

impl Unit {
    /// Short name, e.g. `share [0,1]`.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Share => "share [0,1]",
            Unit::Flag => "flag 0/1",
            Unit::Seconds => "s",
            Unit::Frames => "frames",
            Unit::Bytes => "bytes",
            Unit::Hashes => "hashes",
            Unit::Sat => "sat",
            Unit::Msat => "msat",
            Unit::Hops => "hops",
            Unit::Count => "count",
            Unit::Ratio => "ratio",
        }
    }

    /// Machine-readable name, as in `metrics.json`: `share`, `flag`, `s`, `frames`, `bytes`,
    /// `hashes`, `sat`, `msat`, `hops`, `count` or `ratio`.
    pub fn id(self) -> &'static str {
        match self {
            Unit::Share => "share",
            Unit::Flag => "flag",
            other => other.name(),
        }
    }

    /// What one unit of the value is, in a sentence.
    pub fn meaning(self) -> &'static str {
        match self {
            Unit::Share => "a share in [0, 1]",
            Unit::Flag => "1 or 0 per run",
            Unit::Seconds => "seconds of virtual time",
            Unit::Frames => "frames",
            Unit::Bytes => "bytes of encoded frames",
            Unit::Hashes => "proof-of-work hash attempts",
            Unit::Sat => "satoshis",
            Unit::Msat => "millisatoshis (1/1000 satoshi)",
            Unit::Hops => "hops of a route",
            Unit::Count => "a plain count (nodes, topics, replies, operations, events)",
            Unit::Ratio => "a quotient of two quantities, not bounded by 1",
        }
    }

    /// The largest value a run can give (`None`: unbounded); the smallest is always 0.
    pub fn max(self) -> Option<f64> {
        self.is_share().then_some(1.0)
    }

    /// Whether values live in [0, 1] (shares and flags), so intervals are bounded there.
    pub fn is_share(self) -> bool {
        matches!(self, Unit::Share | Unit::Flag)
    }
}

/// Which suffixes a family key accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A single key.
    Single,
    /// `<prefix><kind>` for every `FrameKind` except `malformed`.
    FrameKind,
    /// `<prefix><reason>` for every `RejectReason::NAMES` entry.
    RejectReason,
    /// `<prefix><op>` for `sign`, `verify`, `seal`, `open`, `sym`, `hash`.
    CryptoOp,
}

/// The crypto operations counted as `crypto_<op>`.
pub const CRYPTO_OPS: [&str; 7] = ["sign", "verify", "seal", "open", "sym", "hash", "derive"];

/// One catalogue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricDef {
    /// The key, or for a family its prefix followed by `<kind>`, `<reason>` or `<op>`.
    pub name: &'static str,
    /// Unit of the per-run value.
    pub unit: Unit,
    /// Over what the value is taken (per run, mean over topics, per honest node, ...).
    pub scope: &'static str,
    /// Exact definition.
    pub definition: &'static str,
    /// Single key or family.
    pub family: Family,
}

const RUN: &str = "per run";
const TOPICS: &str = "mean over topics";
const PER_HONEST: &str = "per honest node";

const fn def(name: &'static str, unit: Unit, scope: &'static str, d: &'static str) -> MetricDef {
    MetricDef {
        name,
        unit,
        scope,
        definition: d,
        family: Family::Single,
    }
}

const fn fam(name: &'static str, unit: Unit, d: &'static str, family: Family) -> MetricDef {
    MetricDef {
        name,
        unit,
        scope: RUN,
        definition: d,
        family,
    }
}

/// Every run metric, grouped as the report groups them.
pub const METRICS: &[MetricDef] = &[
    def("nodes", Unit::Count, RUN, "Nodes simulated, Sybils included."),
    def("honest_nodes", Unit::Count, RUN, "Honest nodes (neither Sybil nor corrupted)."),
    def("graph_connected", Unit::Flag, RUN, "1 iff the simulated peer graph at time 0 (after the adversary's rewiring, Sybils included) is connected; nodes with no link yet (flash Sybils before they connect) are left out."),
    def("honest_graph_connected", Unit::Flag, RUN, "1 iff the honest nodes reach each other over honest–honest links alone at time 0 (after the adversary's rewiring). It does not promise that flooding reaches every honest node: gig workers answer the topics of their service area instead of forwarding them (see honest_forwarder_graph_connected)."),
    def("honest_forwarder_graph_connected", Unit::Flag, RUN, "1 iff the honest customers and gossipers (the nodes that forward every topic; gig workers answer the topics of their service area instead of forwarding them) reach each other over links between them alone at time 0 (after the adversary's rewiring), and every honest gig worker has one of them as a peer: then flooding can reach every honest node whichever topics the workers answer (loss, churn and the onion's hop cap aside). 0 where honest_graph_connected is 1 means some honest node may depend on a worker to forward."),
    def("topics", Unit::Count, RUN, "Topics broadcast during the run."),
    def("coverage_final", Unit::Share, TOPICS, "Share of the topic's eligible nodes that verified it by the end of the run; nodes offline at broadcast count in neither numerator nor denominator, so it never exceeds 1; topics with no eligible node are left out."),
    def("late_joiner_coverage", Unit::Share, "mean over topics with a late joiner", "Per topic with at least one late joiner (honest non-sender node offline at broadcast), the share of its late joiners that verified it before the run ended; averaged over those topics, each weighing the same however many late joiners it had (late_joiner_coverage_pooled weighs each late joiner the same); undefined when no topic had one."),
    def("late_joiner_coverage_pooled", Unit::Share, "pooled over topics", "Late joiners that verified their topic before the run ended, summed over topics, divided by the late joiners summed over topics (a node offline at the broadcast of two topics counts twice); undefined when no topic had one."),
    def("t50_s", Unit::Seconds, "mean over topics that reached 50 %", "Seconds from broadcast until 50 % of the topic's eligible nodes verified it, averaged over the topics that got there (censored: read with reach50_share)."),
    def("t90_s", Unit::Seconds, "mean over topics that reached 90 %", "Seconds from broadcast until 90 % of the topic's eligible nodes verified it, averaged over the topics that got there (censored: read with reach90_share)."),
    def("t99_s", Unit::Seconds, "mean over topics that reached 99 %", "Seconds from broadcast until 99 % of the topic's eligible nodes verified it, averaged over the topics that got there (censored: read with reach99_share)."),
    def("reach50_share", Unit::Share, "share of topics", "Share of the run's topics with at least one eligible node that reached 50 % of their eligible nodes before the run ended."),
    def("reach90_share", Unit::Share, "share of topics", "Share of the run's topics with at least one eligible node that reached 90 % of their eligible nodes before the run ended."),
    def("reach99_share", Unit::Share, "share of topics", "Share of the run's topics with at least one eligible node that reached 99 % of their eligible nodes before the run ended."),
    fam("frames_<kind>", Unit::Frames, "Frames of that kind sent by all nodes (adversarial included).", Family::FrameKind),
    fam("bytes_<kind>", Unit::Bytes, "Encoded bytes of the frames of that kind sent by all nodes (adversarial included).", Family::FrameKind),
    def("frames_total", Unit::Frames, RUN, "Frames sent by all nodes, every kind (malformed included)."),
    def("bytes_total", Unit::Bytes, RUN, "Encoded bytes sent by all nodes, every kind (malformed included)."),
    def("frames_per_node", Unit::Frames, PER_HONEST, "Frames sent by honest nodes divided by the number of honest nodes."),
    def("bytes_per_node", Unit::Bytes, PER_HONEST, "Encoded bytes sent by honest nodes divided by the number of honest nodes."),
    def("frames_lost", Unit::Frames, RUN, "Frames lost on their link (packet loss), from any sender."),
    def("frames_lost_offline", Unit::Frames, RUN, "Frames lost to churn: those that arrived at a node while it was offline (an offline node receives nothing), and those its sender had not finished sending on its uplink when it went offline (an offline node sends nothing)."),
    def("pow_hashes", Unit::Hashes, RUN, "Proof-of-work hash attempts computed by all nodes."),
    def("pow_hashes_per_node", Unit::Hashes, PER_HONEST, "Proof-of-work hash attempts computed by honest nodes divided by the number of honest nodes."),
    fam("crypto_<op>", Unit::Count, "Cryptographic operations of that kind summed over all nodes (sym = symmetric encryptions plus decryptions; derive = key pairs derived for per-topic accounts and decoys, charged as a signature).", Family::CryptoOp),
    def("replies_received", Unit::Count, RUN, "Valid reply routes received by topic senders, summed over topics."),
    def("time_to_first_reply_s", Unit::Seconds, "mean over topics with a reply", "Seconds from broadcast to the sender's first valid reply route."),
    def("sender_exposed_route_share", Unit::Share, RUN, "Reply routes whose first middleman (a peer of the sender) took the topic with a one-entry routing instruction list, and so could tell its peer is the sender, divided by replies_received (undefined without replies). The sender's decoy instructions lower it; the paper's protocol has it at 1."),
    def("topics_stopped_onion_full", Unit::Count, RUN, "Times a middleman verified a topic but did not forward it because its route already filled the padded onion (protocol.onion_hops layers). Nonzero means the onion cap, not the fanout, ended dissemination somewhere; always 0 when protocol.hardening = false."),
    def("replies_delivered", Unit::Count, RUN, "Topics whose sender paid a route and decrypted its reply."),
    def("payment_success_rate", Unit::Share, "share of topics with a reply", "Topics with a delivered (paid, decrypted) reply divided by topics that received at least one reply."),
    def("reply_latency_s", Unit::Seconds, "mean over delivered replies", "Seconds from broadcast to the sender decrypting the paid reply."),
    def("route_length_mean", Unit::Hops, "mean over delivered replies", "Hops of the paid reply route."),
    def("route_fee_paid_sat", Unit::Sat, "mean over delivered replies", "Satoshis the sender paid for the route (sum of its invoices)."),
    def("invoice_payment_failures", Unit::Count, RUN, "Invoice payments that failed."),
    def("topics_unpaid", Unit::Count, RUN, "Topics whose sender gave up paying for their replies."),
    def("fees_paid_sat", Unit::Sat, RUN, "Sum of the invoice amounts payers were told were paid."),
    def("fees_credited_sat", Unit::Sat, RUN, "Sum the Lightning ledger credited to payees."),
    def("fees_settled_sat", Unit::Sat, RUN, "Sum of the amounts payee protocol nodes reported settled."),
    def("fees_unbalanced_sat", Unit::Sat, RUN, "Satoshis on which three independent paths disagree: |fees_paid_sat − fees_credited_sat| plus, summed over payees, |amounts of the ledger settlements delivered to the payee − amounts its protocol node reported settled|; 0 in a correct run (settlements still in flight at the end are in neither per-payee path)."),
    def("fees_earned_per_honest_node_sat", Unit::Sat, PER_HONEST, "Satoshis the ledger credited to honest nodes divided by the number of honest nodes."),
    def("fees_earned_per_adversary_node_sat", Unit::Sat, "per adversarial node", "Satoshis credited to adversarial nodes divided by their number; undefined without any."),
    def("attacker_frames", Unit::Frames, RUN, "Frames sent by adversarial nodes, injected ones included."),
    def("attacker_pow_hashes", Unit::Hashes, RUN, "Proof-of-work hash attempts computed by adversarial nodes."),
    def("rejected_total", Unit::Count, RUN, "Frames rejected by honest nodes, every reason."),
    fam("rejected_<reason>", Unit::Count, "Frames honest nodes rejected for that reason.", Family::RejectReason),
    def("events", Unit::Count, RUN, "Engine events processed."),
    def("sybils", Unit::Count, RUN, "Sybil nodes added by the attack."),
    def("corrupted_nodes", Unit::Count, RUN, "Originally honest nodes the attack corrupted."),
    def("honest_frames_received", Unit::Frames, RUN, "Frames delivered to honest nodes."),
    def("honest_frames_received_per_node", Unit::Frames, PER_HONEST, "Frames delivered to honest nodes divided by the number of honest nodes."),
    def("honest_accepts_per_payload_max", Unit::Count, RUN, "Most times any honest node verified one payload id."),
    def("attacker_frames_dropped", Unit::Frames, RUN, "Frames adversarial protocol nodes wanted to send and the attack behaviour dropped."),
    def("attacker_frames_injected", Unit::Frames, RUN, "Frames the adversary made itself."),
    def("replies_tampered", Unit::Count, RUN, "Replies on which a corrupted node inflated its own invoice (inflate_invoice)."),
    def("invoices_withheld", Unit::Count, RUN, "Payments of a withholding middleman's invoice that it refused to settle (withhold_invoice); each fails as not settled."),
    def("inflated_invoices_paid", Unit::Count, RUN, "Inflated invoices a sender paid (0 when the protocol's check holds)."),
    def("victim_topics", Unit::Count, RUN, "Topics the victim published at or after the strike (attack.start_s)."),
    def("victim_coverage", Unit::Share, "mean over the victim's topics after the strike", "coverage_final restricted to the victim's topics broadcast at or after the strike; undefined without a victim or such topics."),
    def("victim_coverage_before_attack", Unit::Share, "mean over the victim's topics before the strike", "coverage_final restricted to the victim's topics broadcast before the strike (the warm-up)."),
    def("nonvictim_coverage", Unit::Share, "mean over other senders' topics after the strike", "coverage_final restricted to topics of senders other than the victim broadcast at or after the strike."),
    def("victim_received_share", Unit::Share, "share of other senders' topics after the strike", "Share of the other senders' topics broadcast at or after the strike that the victim verified."),
    def("victim_replies_delivered", Unit::Count, RUN, "Victim's topics after the strike with a paid, decrypted reply."),
    def("victim_reply_latency_s", Unit::Seconds, "mean over the victim's delivered replies after the strike", "reply_latency_s restricted to the victim's topics broadcast at or after the strike."),
    def("topics_before_attack", Unit::Count, RUN, "Topics broadcast before the attack's start_s."),
    def("topics_after_attack", Unit::Count, RUN, "Topics broadcast at or after the attack's start_s."),
    def("coverage_before_attack", Unit::Share, "mean over topics before the attack", "coverage_final restricted to topics broadcast before start_s."),
    def("coverage_after_attack", Unit::Share, "mean over topics after the attack", "coverage_final restricted to topics broadcast at or after start_s."),
    def("coverage_after_attack_first_half", Unit::Share, "mean over topics after the attack", "coverage_final over the first half (by broadcast order) of the topics after start_s."),
    def("coverage_after_attack_second_half", Unit::Share, "mean over topics after the attack", "coverage_final over the second half (by broadcast order) of the topics after start_s."),
    def("reply_share_after_attack", Unit::Share, "share of topics after the attack", "Share of the topics broadcast at or after start_s whose sender decrypted a paid reply."),
    def("reply_share_before_attack", Unit::Share, "share of topics before the attack", "Share of the topics broadcast before start_s whose sender decrypted a paid reply."),
    def("reply_latency_after_attack_s", Unit::Seconds, "mean over delivered replies after the attack", "Seconds from broadcast to the decrypted reply, over topics broadcast at or after start_s that got one."),
    def("fees_earned_per_adversary_node_before_attack_sat", Unit::Sat, "per adversarial node", "Fees adversarial nodes were paid before the strike (settled when the sender pays), divided by the number of adversarial nodes."),
    def("fees_earned_per_adversary_node_after_attack_sat", Unit::Sat, "per adversarial node", "Fees adversarial nodes were paid at or after the strike (a reply carried before the strike may be paid after it), divided by the number of adversarial nodes."),
    def("honest_pow_hashes", Unit::Hashes, RUN, "Proof-of-work hashes computed by honest nodes."),
    def("honest_pow_hashes_to_adversary", Unit::Hashes, RUN, "Proof-of-work hashes honest nodes computed to meet conditions issued by an adversarial node (work an attacker makes honest nodes waste or spend on it)."),
    def("honest_pow_hashes_to_adversary_after_attack", Unit::Hashes, RUN, "honest_pow_hashes_to_adversary for work started at or after the strike."),
    def("honest_pow_share_to_adversary", Unit::Share, RUN, "honest_pow_hashes_to_adversary divided by honest_pow_hashes (undefined when honest nodes did no proof of work)."),
    def("attacker_identities_created", Unit::Count, RUN, "Identities the attacker created (Sybils)."),
    def("attacker_identity_cost_sat", Unit::Sat, RUN, "attacker_identities_created × attack.sybil_cost_sat: the price of creating them."),
    def("chatterbox_topics_tried", Unit::Count, RUN, "Topics the chatterboxes tried to originate (one per tick at chatterbox_rate_per_s from the strike on)."),
    def("chatterbox_topics_broadcast", Unit::Count, RUN, "Chatterbox topics actually broadcast (a tick is skipped while the chatterbox's device is busy with proof of work, or it is offline)."),
    def("chatterbox_broadcast_share", Unit::Share, RUN, "chatterbox_topics_broadcast divided by chatterbox_topics_tried: how far proof of work throttles the chatterbox."),
    // Lightning payment model only (payments.model = "lightning"; docs/lightning.md).
    def("ln_fee_sat", Unit::Sat, "per delivered reply", "Lightning routing fees (LDK routes) of every invoice paid in the run, in satoshi (millisatoshi / 1000), divided by the replies delivered: what paying one gig's micro-invoices costs on top of them; undefined without a delivered reply."),
    def("ln_fee_total_sat", Unit::Sat, RUN, "Lightning routing fees of every invoice paid in the run, satoshi (millisatoshi / 1000)."),
    def("ln_fee_overhead", Unit::Ratio, RUN, "ln_fee_total_sat divided by the Sweet-Gossip invoice amounts paid over Lightning (the middlemen's and repliers' fees): above 1, Lightning takes more than the middlemen."),
    def("payment_attempts", Unit::Count, RUN, "Route attempts of every invoice payment: one per find_route call (a failure to find a route included), retries after a hop lacked liquidity included."),
    def("payment_attempts_per_invoice", Unit::Ratio, "per invoice paid or failed over Lightning", "payment_attempts divided by the invoice payments that reached the router (paid or failed)."),
    def("ln_payments_ok", Unit::Count, RUN, "Invoice payments that reached their payee over Lightning."),
    def("ln_failures_no_route", Unit::Count, RUN, "Invoice payments that failed because LDK found no route (none at all, or none avoiding the channels that already failed) although the payer's own channels held the amount."),
    def("ln_failures_attempts", Unit::Count, RUN, "Invoice payments that failed because every one of max_attempts attempts hit a hop lacking liquidity."),
    def("ln_failures_balance", Unit::Count, RUN, "Invoice payments that failed because the payer's own channels held less than the amount (reported to the protocol as insufficient balance)."),
    def("ln_attempt_failures_liquidity", Unit::Count, RUN, "Attempts that failed at a hop whose sender lacked the liquidity to forward the amount (payment_path_failed; the next attempt avoids that channel)."),
    def("ln_success_share", Unit::Share, RUN, "ln_payments_ok divided by the invoice payments that reached the router (undefined when none did)."),
    def("ln_invoice_sat_mean", Unit::Sat, "mean over invoices routed", "Amount of an invoice that reached the Lightning router (paid or failed)."),
    def("ln_hops_mean", Unit::Hops, "mean over paid invoices", "Channels on the route of a paid invoice."),
    def("ln_recoveries", Unit::Count, RUN, "Payment batches a customer started for a topic it had already tried to pay: another route of the same replier after a failed one (paper 3.9 recovery)."),
    def("ln_recovered_gigs", Unit::Count, RUN, "Delivered replies whose topic needed at least one recovery (ln_recoveries)."),
    def("ln_time_to_pay_s", Unit::Seconds, "mean over delivered replies", "Seconds from a topic's first invoice payment to the delivery of its reply (every invoice of the route paid, retries and recoveries included)."),
    def("ln_locked_peak_sat", Unit::Sat, RUN, "Peak, over the run, of the liquidity locked in in-flight HTLCs on all channels (every hop's amount counted)."),
    def("ln_locked_per_middleman_sat", Unit::Sat, "mean over paid payees", "Per node paid at least one invoice (middlemen and repliers): the peak of its invoice amounts in flight toward it at once (the inbound liquidity it needs); averaged over those nodes."),
    def("ln_money_unbalanced_msat", Unit::Msat, RUN, "Millisatoshi on which the books disagree after every HTLC resolved: |channel sides + locked − capacity| + |fees earned − fees paid| + Σ over nodes |channel-side change − (invoices received − paid + fees earned − fees paid)|; 0 in a correct run."),
    def("attacked_peers", Unit::Count, RUN, "Honest nodes that are peers of an adversarial node at time 0: the victims of reply_replay, ask_flood and pow_reuse (only those kinds)."),
    def("attacked_peer_crypto_s", Unit::Seconds, "mean over attacked peers", "Virtual seconds an attacked peer's device spent on cryptography over the run (signatures, verifications, seals, opens, symmetric operations and hashes at the device profile's costs; proof of work excluded), averaged over attacked_peers; the victims' CPU (reply_replay, ask_flood, pow_reuse)."),
    def("honest_crypto_s_per_node", Unit::Seconds, PER_HONEST, "attacked_peer_crypto_s over every honest node (reply_replay, ask_flood, pow_reuse): the baseline the victims' CPU compares with."),
    def("replies_replayed", Unit::Frames, RUN, "Copies of replies the replaying middlemen sent (reply_replay): replay_copies per reply carried after the strike."),
    def("flood_asks", Unit::Frames, RUN, "Asks for fresh payload ids the flooders sent (ask_flood)."),
    def("attacker_pow_solved", Unit::Count, RUN, "Proofs of work adversarial nodes solved (pow_reuse)."),
    def("pow_replays", Unit::Frames, RUN, "Broadcasts the attackers resent under a fresh ask without new proof of work (pow_reuse)."),
    def("accepted_per_attacker_pow", Unit::Ratio, RUN, "Broadcasts from adversarial nodes that honest nodes accepted, divided by attacker_pow_solved (pow_reuse): at most 1 when every proof of work buys one acceptance, above 1 when replayed work is accepted again."),
    def("revoked_nodes", Unit::Count, RUN, "Adversarial nodes the trusted authority revoked at attack.revoke_at_s (those holding its certificates)."),
    def("topics_before_revocation", Unit::Count, RUN, "Topics broadcast from the strike (attack.start_s) until attack.revoke_at_s."),
    def("topics_after_revocation", Unit::Count, RUN, "Topics broadcast at or after attack.revoke_at_s."),
    def("coverage_before_revocation", Unit::Share, "mean over topics before the revocation", "coverage_final restricted to topics broadcast from the strike until attack.revoke_at_s."),
    def("coverage_after_revocation", Unit::Share, "mean over topics after the revocation", "coverage_final restricted to topics broadcast at or after attack.revoke_at_s."),
    def("reply_share_before_revocation", Unit::Share, "share of topics before the revocation", "Share of the topics broadcast from the strike until attack.revoke_at_s whose sender decrypted a paid reply."),
    def("reply_share_after_revocation", Unit::Share, "share of topics after the revocation", "Share of the topics broadcast at or after attack.revoke_at_s whose sender decrypted a paid reply."),
];

/// The main metrics whose paired differences between sweep points are reported (`paired.csv`
/// and the report), in display order; attack metrics only where a run defines them.
pub const PAIRED: &[&str] = &[
    "coverage_final",
    "t90_s",
    "frames_per_node",
    "replies_delivered",
    "pow_hashes_per_node",
    "victim_coverage",
    "nonvictim_coverage",
    "coverage_after_attack",
    "honest_frames_received_per_node",
    "fees_earned_per_honest_node_sat",
    "fees_earned_per_adversary_node_sat",
];

/// `first_receipt_hist`, the per-run object next to `metrics` in `runs.jsonl`: its definition
/// as `sgsim list metrics` prints it.
pub const FIRST_RECEIPT_HIST: &str = "first_receipt_hist  [counts of (node, topic) pairs; per \
run]\n      Every eligible (node, topic) pair of the run, counted once: in `counts` by the delay \
from the topic's broadcast to the node's first verification of it, or in `never` when the node \
did not verify it before the run ended. 146 fixed bins, the same in every run: bin 0 below 1 ms, \
bin i in [edge i-1, edge i), bin 145 at or above 1000 s; the 145 edges are the E24 preferred \
numbers (1.0, 1.1, 1.2, 1.3, 1.5, 1.6, 1.8, 2.0, 2.2, 2.4, 2.7, 3.0, 3.3, 3.6, 3.9, 4.3, 4.7, \
5.1, 5.6, 6.2, 6.8, 7.5, 8.2, 9.1) times 1 ms, 10 ms, ... 100 s, then 1000 s.";

/// The definition of `key`, resolving families; `None` for a key the catalogue does not know.
pub fn lookup(key: &str) -> Option<&'static MetricDef> {
    METRICS.iter().find(|d| matches_key(d, key))
}

fn matches_key(d: &MetricDef, key: &str) -> bool {
    let Some(prefix) = d.name.split('<').next() else {
        return false;
    };
    let Some(suffix) = key.strip_prefix(prefix) else {
        return false;
    };
    match d.family {
        Family::Single => d.name == key,
        Family::FrameKind => family_suffixes(d.family).contains(&suffix),
        Family::RejectReason => RejectReason::NAMES.contains(&suffix),
        Family::CryptoOp => CRYPTO_OPS.contains(&suffix),
    }
}

/// The suffixes a family accepts (empty for a single key).
pub fn family_suffixes(family: Family) -> Vec<&'static str> {
    match family {
        Family::Single => Vec::new(),
        Family::FrameKind => FrameKind::ALL
            .iter()
            .filter(|k| **k != FrameKind::Malformed)
            .map(|k| k.name())
            .collect(),
        Family::RejectReason => RejectReason::NAMES.to_vec(),
        Family::CryptoOp => CRYPTO_OPS.to_vec(),
    }
}

/// The values `key` can take, which decides its confidence interval (unknown keys: unbounded).
pub fn bounds(key: &str) -> crate::stats::Bounds {
    use crate::stats::Bounds;
    match lookup(key).map(|d| d.unit) {
        Some(Unit::Flag) => Bounds::Flag,
        Some(Unit::Share) => Bounds::Share,
        Some(_) => Bounds::NonNegative,
        None => Bounds::Unbounded,
    }
}

/// The keys of `keys` the catalogue does not define, in the given order.
pub fn undefined<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    keys.into_iter().filter(|k| lookup(k).is_none()).collect()
}

/// The conventions every definition relies on (module doc), as `metrics.json` states them.
pub const CONVENTIONS: [&str; 4] = [
    "honest nodes are the simulated nodes that are neither Sybils nor corrupted",
    "a topic's eligible nodes are the honest nodes other than its sender that were online when \
     it was broadcast; honest non-sender nodes offline at broadcast are its late joiners",
    "a node reaches a topic when it first verifies it",
    "null is an undefined value (its denominator is empty); summaries skip it and report the \
     number of runs that define it",
];

/// The catalogue as printed by `sgsim list metrics`.
pub fn render() -> String {
    let mut s = String::from(
        "Run metrics (keys of runs.jsonl `metrics`; `sgsim list metrics --json` for the same \
         catalogue as JSON)\n",
    );
    for c in CONVENTIONS {
        let _ = writeln!(s, "- {c}");
    }
    for d in METRICS {
        let _ = writeln!(s, "\n  {}  [{}; {}]", d.name, d.unit.name(), d.scope);
        let _ = writeln!(s, "      {}", d.definition);
        let suffixes = family_suffixes(d.family);
        if !suffixes.is_empty() {
            let _ = writeln!(s, "      one key per: {}", suffixes.join(", "));
        }
    }
    let _ = writeln!(
        s,
        "\nBeside `metrics` in runs.jsonl:\n\n  {FIRST_RECEIPT_HIST}"
    );
    s
}

/// The file every result folder holds the catalogue in ([`render_json`]'s bytes).
pub const CATALOGUE_FILE: &str = "metrics.json";

#[derive(Serialize)]
struct CatalogueJson {
    about: &'static str,
    conventions: &'static [&'static str],
    units: Vec<UnitJson>,
    metrics: Vec<MetricJson>,
}

#[derive(Serialize)]
struct UnitJson {
    id: &'static str,
    meaning: &'static str,
    min: u8,
    max: Option<u8>,
}

#[derive(Serialize)]
struct MetricJson {
    name: &'static str,
    unit: &'static str,
    min: u8,
    max: Option<u8>,
    scope: &'static str,
    definition: &'static str,
    family: Option<FamilyJson>,
}

#[derive(Serialize)]
struct FamilyJson {
    placeholder: &'static str,
    regex: String,
    keys: Vec<String>,
}

/// The family part of an entry: its placeholder, a regular expression matching exactly its keys,
/// and the keys; `None` for a single key.
fn family_json(d: &MetricDef) -> Option<FamilyJson> {
    let suffixes = family_suffixes(d.family);
    if suffixes.is_empty() {
        return None;
    }
    let prefix = d.name.split('<').next()?;
    Some(FamilyJson {
        placeholder: &d.name[prefix.len()..],
        regex: format!("^{prefix}({})$", suffixes.join("|")),
        keys: suffixes.iter().map(|x| format!("{prefix}{x}")).collect(),
    })
}

/// The catalogue as JSON: what `sgsim list metrics --json` prints and every result folder holds
/// as [`CATALOGUE_FILE`]. Same code, same bytes (entries in catalogue order, family keys in
/// the protocol's order, pretty-printed, ending in a newline). Every metric is at least 0;
/// `max` is 1 for shares and flags, `null` (unbounded) otherwise.
pub fn render_json() -> String {
    let bound = |u: Unit| u.max().map(|_| 1u8);
    let doc = CatalogueJson {
        about: "Run metrics of sgsim: the keys of `metrics` in runs.jsonl (one line per run), \
                the `metric` column of summary.csv and paired.csv, the metric columns of \
                runs.csv. A family entry (name with a <placeholder>) stands for the keys it \
                lists.",
        conventions: &CONVENTIONS,
        units: UNITS
            .iter()
            .map(|&u| UnitJson {
                id: u.id(),
                meaning: u.meaning(),
                min: 0,
                max: bound(u),
            })
            .collect(),
        metrics: METRICS
            .iter()
            .map(|d| MetricJson {
                name: d.name,
                unit: d.unit.id(),
                min: 0,
                max: bound(d.unit),
                scope: d.scope,
                definition: d.definition,
                family: family_json(d),
            })
            .collect(),
    };
    let json = serde_json::to_string_pretty(&doc).expect("invariant: the catalogue serialises");
    json + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_resolve_only_known_suffixes() {
        assert_eq!(lookup("frames_ask").unwrap().name, "frames_<kind>");
        assert_eq!(lookup("bytes_reply").unwrap().unit, Unit::Bytes);
        assert!(lookup("frames_malformed").is_none());
        assert_eq!(
            lookup("rejected_duplicate_payload").unwrap().name,
            "rejected_<reason>"
        );
        assert!(lookup("rejected_nonsense").is_none());
        assert_eq!(lookup("rejected_total").unwrap().name, "rejected_total");
        assert_eq!(lookup("crypto_sym").unwrap().family, Family::CryptoOp);
        assert_eq!(lookup("frames_total").unwrap().family, Family::Single);
        assert!(lookup("fees_conserved").is_none(), "removed");
    }

    #[test]
    fn shares_and_flags_are_bounded() {
        use crate::stats::Bounds;
        assert_eq!(bounds("coverage_final"), Bounds::Share);
        assert_eq!(bounds("graph_connected"), Bounds::Flag);
        assert_eq!(bounds("t90_s"), Bounds::NonNegative);
        assert_eq!(bounds("unknown_key"), Bounds::Unbounded);
    }

    /// The unit a name announces: `_msat` millisatoshis, `_sat` satoshis, `_s` seconds,
    /// `share`/`coverage`/`rate` a share in [0, 1], `connected` a flag; a quotient (`_per_`,
    /// `overhead`, `mean`) is never a plain count, which is a whole number per run.
    #[test]
    fn every_unit_agrees_with_the_name() {
        let mut wrong = Vec::new();
        for d in METRICS {
            let tokens: Vec<&str> = d.name.split('_').collect();
            let has = |t: &str| tokens.contains(&t);
            let rules = [
                ("msat", has("msat"), d.unit == Unit::Msat),
                ("sat", has("sat"), d.unit == Unit::Sat),
                ("s", has("s"), d.unit == Unit::Seconds),
                (
                    "share",
                    has("share") || has("coverage") || has("rate"),
                    d.unit == Unit::Share,
                ),
                ("connected", has("connected"), d.unit == Unit::Flag),
            ];
            for (token, named, unit) in rules {
                if named != unit {
                    wrong.push(format!("{}: {} vs `{token}`", d.name, d.unit.name()));
                }
            }
            let quotient = has("per") || has("overhead") || has("mean");
            if d.unit == Unit::Count && quotient && tokens.last() != Some(&"max") {
                wrong.push(format!("{}: a quotient labelled count", d.name));
            }
        }
        assert!(
            wrong.is_empty(),
            "units that contradict names:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn the_json_catalogue_holds_every_entry_with_its_unit_and_family_keys() {
        let text = render_json();
        assert_eq!(text, render_json(), "same bytes every time");
        assert!(text.ends_with("}\n"));
        let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let entries = doc["metrics"].as_array().expect("metrics list");
        assert_eq!(entries.len(), METRICS.len());
        for (e, d) in entries.iter().zip(METRICS) {
            assert_eq!(e["name"], d.name);
            assert_eq!(e["unit"], d.unit.id());
            assert_eq!(e["definition"], d.definition);
            assert_eq!(e["scope"], d.scope);
            let top = if d.unit.is_share() {
                1.into()
            } else {
                serde_json::Value::Null
            };
            assert_eq!((&e["min"], &e["max"]), (&0.into(), &top), "{}", d.name);
        }
        let units: Vec<&str> = doc["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap())
            .collect();
        assert!(entries
            .iter()
            .all(|e| units.contains(&e["unit"].as_str().unwrap())));
        let rejected = entries
            .iter()
            .find(|e| e["name"] == "rejected_<reason>")
            .unwrap();
        let family = &rejected["family"];
        assert_eq!(family["placeholder"], "<reason>");
        let keys = family["keys"].as_array().unwrap();
        assert_eq!(keys.len(), RejectReason::NAMES.len());
        for k in keys {
            let k = k.as_str().unwrap();
            assert_eq!(lookup(k).map(|d| d.name), Some("rejected_<reason>"), "{k}");
            assert!(family["regex"]
                .as_str()
                .unwrap()
                .contains(&k["rejected_".len()..]));
        }
        assert!(family["regex"].as_str().unwrap().starts_with("^rejected_("));
        assert_eq!(entries[0]["family"], serde_json::Value::Null);
    }

    #[test]
    fn names_are_unique_and_every_entry_is_printed() {
        let text = render();
        for (i, d) in METRICS.iter().enumerate() {
            assert!(METRICS[..i].iter().all(|e| e.name != d.name), "{}", d.name);
            assert!(text.contains(d.name) && text.contains(d.definition));
        }
        assert_eq!(undefined(["t90_s", "bogus", "frames_ask"]), vec!["bogus"]);
        assert!(text.contains(FIRST_RECEIPT_HIST));
    }

    /// The printed definition of `first_receipt_hist` states the bins the code uses.
    #[test]
    fn the_histogram_definition_matches_its_bins() {
        use crate::metrics::latency::{BIN_COUNT, EDGES_US, EDGE_COUNT};
        assert!(FIRST_RECEIPT_HIST.contains(&format!("{BIN_COUNT} fixed bins")));
        assert!(FIRST_RECEIPT_HIST.contains(&format!("the {EDGE_COUNT} edges")));
        assert!(FIRST_RECEIPT_HIST.contains(&format!("bin {} at or above", BIN_COUNT - 1)));
        assert_eq!(
            (EDGES_US[0], EDGES_US[EDGE_COUNT - 1]),
            (1_000, 1_000_000_000)
        );
    }
}
