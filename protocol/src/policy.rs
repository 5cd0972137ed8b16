//! What the paper leaves to node owners: which topics to accept, whether to reply, fees, work
//! asked, fanout, multibroadcast and route choice. A node is built with one [`Policy`].

use crate::crypto::PublicKey;
use crate::ids::{PayloadId, PeerId};
use crate::pow::{PowScheme, PowTarget, WorkRequest};
use crate::time::{Duration, Timestamp};
use crate::topic::Topic;
use rand_core::RngCore;

/// Default per-hop fee cap, in satoshis: a thousand times the default fee, and small enough
/// that a route of `u64::MAX / ROUTING_FEE_MAX_SAT` hops cannot overflow (see
/// `docs/protocol.md`, "Hardening").
pub const ROUTING_FEE_MAX_SAT: u64 = 10_000;

/// How far in the future a broadcast payload's timestamp may be, for clocks that differ
/// between originator and middleman (see `docs/protocol.md`, "Hardening").
pub const TIMESTAMP_SKEW_MAX: Duration = Duration::from_secs(2);

/// Default [`PolicyParams::decoy_hops_max`]: a first middleman sees a one-entry list, and so
/// knows its peer is the sender, for a third of the topics instead of all of them.
pub const DECOY_HOPS_MAX: u32 = 2;

/// Numbers the default behaviour of every policy is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyParams {
    /// Fee asked for carrying a topic one hop, in satoshis.
    pub routing_fee_sat: u64,
    /// Proof-of-work target asked of originators.
    pub pow_target: PowTarget,
    /// How old a broadcast payload may be on arrival (it may also be up to
    /// [`TIMESTAMP_SKEW_MAX`] in the future).
    pub timestamp_tolerance: Duration,
    /// How long conditions stay valid after they are sent.
    pub conditions_ttl: Duration,
    /// How long an originator waits for conditions before forgetting the ask.
    pub ask_timeout: Duration,
    /// Times this node forwards the same payload id (at least 1).
    pub multibroadcast: u32,
    /// Times this node replies to the same payload id over different routes.
    pub reply_routes_max: u32,
    /// Topics revealing a finer geohash than this are refused (paper 3.2 suggests 8).
    pub geohash_precision_max: usize,
    /// How long a sender collects replies before choosing a route.
    pub reply_deadline: Duration,
    /// Conditions asking more than this many expected hashes are declined by an originator.
    pub pow_expected_hashes_max: f64,
    /// Conditions asking a higher fee than this are declined by an originator, and a sender
    /// refuses reply routes with a hop above it ([`RejectReason::ExcessiveFee`]).
    ///
    /// [`RejectReason::ExcessiveFee`]: crate::RejectReason::ExcessiveFee
    pub routing_fee_max_sat: u64,
    /// A hardened sender starts each topic's route with 0 to `decoy_hops_max` decoy routing
    /// instructions (uniform, fixed per topic) for accounts it holds itself, so the first
    /// middleman cannot tell from the list's length that its peer is the sender (issue 11
    /// hole 7). Decoys are never invoiced: the sender opens their preimages itself.
    pub decoy_hops_max: u32,
    /// Conditions valid for longer than this after they arrive are declined by an originator:
    /// the ask they answer, and any proof of work for it, lives at most this plus
    /// `ask_timeout` (issue 22 item 2).
    pub conditions_validity_max: Duration,
    /// Conditions asking more expected hashes per satoshi of fee than this (a fee of 0 counts
    /// as 1 sat) are declined by an originator, on top of `pow_expected_hashes_max`.
    pub pow_hashes_per_sat_max: f64,
    /// A hardened sender refuses a reply route whose invoices sum above this
    /// ([`RejectReason::ExcessiveFee`]): the most one reply can cost it.
    ///
    /// [`RejectReason::ExcessiveFee`]: crate::RejectReason::ExcessiveFee
    pub reply_fee_budget_sat: u64,
    /// A hardened sender never pays more than this in total for one topic, over all the
    /// routes it tries: a route whose payment would exceed it is not tried.
    pub topic_fee_budget_sat: u64,
}

impl Default for PolicyParams {
    fn default() -> Self {
        Self {
            routing_fee_sat: 10,
            pow_target: PowTarget::from_expected_hashes(256),
            timestamp_tolerance: Duration::from_secs(30),
            conditions_ttl: Duration::from_secs(10),
            ask_timeout: Duration::from_secs(10),
            multibroadcast: 1,
            reply_routes_max: 3,
            geohash_precision_max: 8,
            reply_deadline: Duration::from_secs(5),
            pow_expected_hashes_max: 1e12,
            routing_fee_max_sat: ROUTING_FEE_MAX_SAT,
            decoy_hops_max: DECOY_HOPS_MAX,
            conditions_validity_max: Duration::from_secs(60),
            pow_hashes_per_sat_max: 1e9,
            reply_fee_budget_sat: 2 * ROUTING_FEE_MAX_SAT,
            topic_fee_budget_sat: 6 * ROUTING_FEE_MAX_SAT,
        }
    }
}

/// What a fanout decision may look at.
#[derive(Debug)]
pub struct FanoutContext<'a> {
    /// The topic being spread.
    pub payload_id: PayloadId,
    /// Its content.
    pub topic: &'a Topic,
    /// Its round: the number of middlemen it has passed (0 at the sender).
    pub hop: u32,
    /// The peer it came from (`None` at the sender).
    pub from: Option<PeerId>,
    /// Candidate peers: all current peers except `from`, ascending.
    pub candidates: &'a [PeerId],
    /// When the decision is made.
    pub now: Timestamp,
}

/// A reply route the sender may pay.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteOption {
    /// The replier's certificate key.
    pub replier: PublicKey,
    /// Middlemen and replier on the route.
    pub length: u32,
    /// Sum of all invoices on the route, in satoshis.
    pub fee_total_sat: u64,
    /// Sum of the invoices whose preimages the sender does not hold yet.
    pub fee_unpaid_sat: u64,
    /// The peer the reply arrived from.
    pub via: PeerId,
    /// When the reply arrived.
    pub arrived: Timestamp,
}

/// Things a node learns that a policy may use (e.g. for reputation).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Feedback {
    /// A reply that arrived from `via` was paid: as sender, the route was paid in full; as
    /// middleman, this node's invoice for it was settled.
    ReplyPaid {
        /// The peer that brought the reply.
        via: PeerId,
    },
    /// A reply that arrived from `via` could not be used (rejected or unpaid).
    ReplyFailed {
        /// The peer that brought the reply.
        via: PeerId,
    },
}

/// A node owner's choices. Every method has a default built from [`Policy::params`]; an
/// implementation overrides what it changes. Methods are called synchronously from the node's
/// input handlers and must be deterministic given the RNG they are handed.
pub trait Policy: Send {
    /// The numbers behind the defaults.
    fn params(&self) -> &PolicyParams;

    /// Whether to carry (or reply to) this topic. Default: refuse geohashes finer than
    /// `geohash_precision_max`.
    fn accept_topic(&self, topic: &Topic) -> bool {
        topic
            .geohash_precision()
            .is_none_or(|p| p <= self.params().geohash_precision_max)
    }

    /// Whether this node replies to the topic instead of forwarding it. Default: never.
    fn will_reply(&self, _topic: &Topic) -> bool {
        false
    }

    /// The reply message, asked only when [`Policy::will_reply`] is true. Default: empty.
    fn reply_message(&mut self, _topic: &Topic, _rng: &mut dyn RngCore) -> Vec<u8> {
        Vec::new()
    }

    /// The fee asked for this topic. Default: `routing_fee_sat`.
    fn routing_fee(&self, _topic: &Topic) -> u64 {
        self.params().routing_fee_sat
    }

    /// The work asked of `peer` for this topic. Default: SHA-256 at `pow_target`.
    fn work_request(&self, _topic: &Topic, _peer: PeerId) -> WorkRequest {
        WorkRequest {
            pow_scheme: PowScheme::Sha256,
            pow_target: self.params().pow_target,
            challenge: crate::pow::Challenge::default(),
        }
    }

    /// Whether to accept conditions from a middleman. Default: fee, work and work per
    /// satoshi of fee within the maxima. (Conditions valid for longer than
    /// `conditions_validity_max` are declined whatever this answers.)
    fn accept_conditions(&self, work: &WorkRequest, fee_sat: u64) -> bool {
        let p = self.params();
        let hashes = work.pow_target.expected_hashes();
        fee_sat <= p.routing_fee_max_sat
            && hashes <= p.pow_expected_hashes_max
            && hashes <= p.pow_hashes_per_sat_max * fee_sat.max(1) as f64
    }

    /// The peers to offer the topic to. Default: flood, every candidate.
    fn fanout(&mut self, ctx: &FanoutContext<'_>, _rng: &mut dyn RngCore) -> Vec<PeerId> {
        ctx.candidates.to_vec()
    }

    /// Times to forward the same payload id. Default: `multibroadcast`, at least 1.
    fn multibroadcast(&self) -> u32 {
        self.params().multibroadcast.max(1)
    }

    /// Which route to pay among `routes` (never empty), or `None` to pay none. Default: the
    /// fewest unpaid satoshis, then the shortest, then the earliest.
    fn choose_route(&self, routes: &[RouteOption]) -> Option<usize> {
        routes
            .iter()
            .enumerate()
            .min_by_key(|(i, r)| (r.fee_unpaid_sat, r.length, r.arrived, *i))
            .map(|(i, _)| i)
    }

    /// Learns from the outcome of replies. Default: ignores it.
    fn observe(&mut self, _feedback: &Feedback) {}
}

/// The default policy: every method at its default, with the given numbers.
#[derive(Debug, Clone, Default)]
pub struct DefaultPolicy {
    /// The numbers.
    pub params: PolicyParams,
}

impl Policy for DefaultPolicy {
    fn params(&self) -> &PolicyParams {
        &self.params
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topic::{Geohash, TaxiTopic};

    fn topic(precision: usize) -> Topic {
        Topic::Taxi(TaxiTopic {
            pickup_geohash: Geohash::encode(-33.8647, 151.2096, precision),
            dropoff_geohash: Geohash::encode(-33.87, 151.21, 5),
            pickup_after: Timestamp(0),
            dropoff_before: Timestamp(1),
        })
    }

    #[test]
    fn default_refuses_precise_geohash() {
        let p = DefaultPolicy::default();
        assert!(p.accept_topic(&topic(8)));
        assert!(!p.accept_topic(&topic(9)));
    }

    #[test]
    fn default_route_is_cheapest_unpaid() {
        let p = DefaultPolicy::default();
        let r = |unpaid, len, t| RouteOption {
            replier: PublicKey([0; 32]),
            length: len,
            fee_total_sat: 100,
            fee_unpaid_sat: unpaid,
            via: PeerId(0),
            arrived: Timestamp(t),
        };
        assert_eq!(
            p.choose_route(&[r(30, 2, 1), r(20, 5, 2), r(20, 4, 3)]),
            Some(2)
        );
    }
}
