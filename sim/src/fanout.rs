//! Fanout strategies and node roles as [`Policy`] implementations of the protocol crate: the
//! engine never special-cases them.

use crate::rng::{below, chance, sample};
pub use crate::scenario::RouteChoice;
use rand::RngCore;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use sweet_gossip::{
    FanoutContext, Feedback, Geohash, PeerId, Policy, PolicyParams, RouteOption, Topic,
};

/// How many and which peers a node offers a topic to.
#[derive(Debug, Clone, PartialEq)]
pub enum FanoutRule {
    /// Every peer but the one the topic came from.
    Flood,
    /// `k` distinct peers drawn uniformly from the candidates; a peer that declines is not
    /// replaced.
    Fixed {
        /// Peers per forward.
        k: u32,
    },
    /// Each candidate independently with probability `p`.
    Probabilistic {
        /// Inclusion probability.
        p: f64,
    },
    /// ceil(ln n + c) peers drawn uniformly, n the network size.
    Logarithmic {
        /// Additive constant.
        c: f64,
        /// Network size n.
        nodes: u32,
    },
    /// Fanout per round following a target infection curve (after Verma & Ooi, ICDCS 2005).
    ///
    /// The target is geometric growth that infects all n nodes in `target_rounds` rounds:
    /// I(r) = n^(r/R). A node forwarding in round r (its hop count) should make
    /// g = n^(1/R) − 1 new infections; a contacted peer is still uninfected with probability
    /// about 1 − I(r)/n, so the fanout is ceil(g / max(1 − I(r)/n, 0.05)), clamped to
    /// [k_min, k_max]. Early rounds use a small fanout; later rounds raise it to beat
    /// saturation.
    Adaptive {
        /// Rounds R in which the target curve reaches every node.
        target_rounds: u32,
        /// Lower clamp.
        k_min: u32,
        /// Upper clamp.
        k_max: u32,
        /// Network size n.
        nodes: u32,
    },
    /// `k` peers, preferring those that brought back paid replies for the topics offered to
    /// them: a peer's score is (paid − failed) / (offered + 1) (see [`Score`]), so a peer that
    /// stops delivering loses rank as it keeps being offered topics, a peer whose reply route
    /// ended in a failed payment loses a paid reply's worth, and a newcomer (score 0) never
    /// outranks a peer with a net record of paid replies. Each pick is uniform at random with
    /// probability `explore`; ties are broken at random.
    Reputation {
        /// Peers per forward.
        k: u32,
        /// Share of uniformly random picks.
        explore: f64,
    },
}

impl FanoutRule {
    /// The adaptive fanout for round `hop`.
    pub fn adaptive_fanout(
        hop: u32,
        target_rounds: u32,
        k_min: u32,
        k_max: u32,
        nodes: u32,
    ) -> u32 {
        let n = f64::from(nodes.max(2));
        let r = f64::from(target_rounds.max(1));
        let growth = libm::pow(n, 1.0 / r) - 1.0;
        let infected = libm::pow(n, (f64::from(hop) / r).min(1.0));
        let fresh = (1.0 - infected / n).max(0.05);
        let k = libm::ceil(growth / fresh);
        (k.min(f64::from(u32::MAX)) as u32).clamp(k_min, k_max.max(k_min))
    }

    fn pick(
        &self,
        ctx: &FanoutContext<'_>,
        scores: &BTreeMap<PeerId, Score>,
        rng: &mut dyn RngCore,
    ) -> Vec<PeerId> {
        let mut rng = rng;
        let c = ctx.candidates;
        match *self {
            FanoutRule::Flood => c.to_vec(),
            FanoutRule::Fixed { k } => sample(&mut rng, c, k as usize),
            FanoutRule::Probabilistic { p } => {
                c.iter().copied().filter(|_| chance(&mut rng, p)).collect()
            }
            FanoutRule::Logarithmic { c: add, nodes } => {
                let k = libm::ceil(libm::log(f64::from(nodes.max(1))) + add).max(0.0) as usize;
                sample(&mut rng, c, k)
            }
            FanoutRule::Adaptive {
                target_rounds,
                k_min,
                k_max,
                nodes,
            } => {
                let k = Self::adaptive_fanout(ctx.hop, target_rounds, k_min, k_max, nodes);
                sample(&mut rng, c, k as usize)
            }
            FanoutRule::Reputation { k, explore } => {
                // Random order first, so equal scores are broken at random.
                let mut pool = sample(&mut rng, c, c.len());
                let mut out = Vec::with_capacity(k as usize);
                while out.len() < k as usize && !pool.is_empty() {
                    let i = if chance(&mut rng, explore) {
                        below(&mut rng, pool.len() as u64) as usize
                    } else {
                        let score = |p: &PeerId| scores.get(p).copied().unwrap_or_default();
                        let mut best = 0;
                        for (j, p) in pool.iter().enumerate().skip(1) {
                            if score(p).beats(&score(&pool[best])) {
                                best = j;
                            }
                        }
                        best
                    };
                    out.push(pool.remove(i));
                }
                out
            }
        }
    }
}

/// What a node knows of a peer's delivery: topics offered to it, replies it brought back that
/// were paid, and replies it brought back whose payment failed.
///
/// The one reputation rule of the simulator: score = (paid − failed) / (offered + 1), no decay.
/// `paid` counts [`Feedback::ReplyPaid`] (as sender: the route was paid in full and decrypted;
/// as middleman: its own invoice was settled); `failed` counts [`Feedback::ReplyFailed`] (as
/// sender: at least one invoice of the route the peer brought could not be paid, so the sender
/// fell back to another route). `offered` counts topics this node's fanout gave the peer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    /// Paid replies the peer brought back.
    pub paid: u32,
    /// Replies the peer brought back whose payment failed.
    pub failed: u32,
    /// Topics offered to the peer.
    pub offered: u32,
}

impl Score {
    /// True iff (paid − failed) / (offered + 1) is strictly larger than `other`'s (exact
    /// integers).
    pub fn beats(&self, other: &Score) -> bool {
        let net = |s: &Score| i64::from(s.paid) - i64::from(s.failed);
        let lhs = i128::from(net(self)) * (i128::from(other.offered) + 1);
        let rhs = i128::from(net(other)) * (i128::from(self.offered) + 1);
        lhs > rhs
    }
}

/// One change of a score: the node keeping it, the peer, the score after the change and which
/// count grew (`offered`, `paid` or `failed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreChange {
    /// The node keeping the score.
    pub node: u32,
    /// The peer scored.
    pub peer: u64,
    /// The score after the change.
    pub score: Score,
    /// The count that grew by one.
    pub what: &'static str,
}

/// Where traced runs collect score changes, in the order they happen (one run is one thread).
pub type ScoreLog = Arc<Mutex<Vec<ScoreChange>>>;

/// What every node with the same policy shares.
#[derive(Debug, Clone)]
pub struct SharedPolicy {
    /// Protocol numbers.
    pub params: PolicyParams,
    /// Fanout rule.
    pub fanout: FanoutRule,
    /// Route choice as a sender.
    pub route_choice: RouteChoice,
    /// Size of the reply message in bytes.
    pub message_bytes: usize,
}

/// A simulated node's policy: protocol defaults from the shared part, plus this node's fee, a
/// service area in which gig workers reply, and the node's reputation scores.
#[derive(Debug, Clone)]
pub struct SimPolicy {
    /// Shared by every node with the same policy (32 bytes per node instead of 104).
    pub shared: Arc<SharedPolicy>,
    /// This node's routing fee (the shared number plus its jitter), in satoshis.
    pub routing_fee_sat: u64,
    /// Some(area) for gig workers: reply to topics picked up inside it (boxed: one node in
    /// thousands has one).
    pub service_area: Option<Box<Geohash>>,
    /// Reputation by peer (used by [`FanoutRule::Reputation`]); allocated on first use.
    pub scores: Option<Box<BTreeMap<PeerId, Score>>>,
    /// Traced runs: this node's index and where its score changes go.
    pub log: Option<(u32, ScoreLog)>,
}

impl SimPolicy {
    /// A node's policy with fee `routing_fee_sat` and, for a gig worker, `service_area`.
    pub fn new(
        shared: Arc<SharedPolicy>,
        routing_fee_sat: u64,
        service_area: Option<Geohash>,
    ) -> Self {
        Self {
            shared,
            routing_fee_sat,
            service_area: service_area.map(Box::new),
            scores: None,
            log: None,
        }
    }

    /// Adds one to count `what` of `peer`'s score, logging the change when traced.
    fn bump(&mut self, peer: PeerId, what: &'static str) {
        let s = self.score_mut(peer);
        let count = match what {
            "offered" => &mut s.offered,
            "paid" => &mut s.paid,
            _ => &mut s.failed,
        };
        *count = count.saturating_add(1);
        let score = *s;
        if let Some((node, log)) = &self.log {
            let change = ScoreChange {
                node: *node,
                peer: peer.0,
                score,
                what,
            };
            log.lock()
                .expect("invariant: one run is one thread")
                .push(change);
        }
    }

    fn score_mut(&mut self, peer: PeerId) -> &mut Score {
        self.scores
            .get_or_insert_with(Box::default)
            .entry(peer)
            .or_default()
    }
}

/// The scores of a node that has none yet.
const NO_SCORES: &BTreeMap<PeerId, Score> = &BTreeMap::new();

impl Policy for SimPolicy {
    fn params(&self) -> &PolicyParams {
        &self.shared.params
    }

    fn routing_fee(&self, _topic: &Topic) -> u64 {
        self.routing_fee_sat
    }

    fn will_reply(&self, topic: &Topic) -> bool {
        match (&self.service_area, topic.location()) {
            (Some(area), Some(at)) => at.is_within(area),
            _ => false,
        }
    }

    fn reply_message(&mut self, _topic: &Topic, rng: &mut dyn RngCore) -> Vec<u8> {
        let mut m = vec![0u8; self.shared.message_bytes];
        rng.fill_bytes(&mut m);
        m
    }

    fn fanout(&mut self, ctx: &FanoutContext<'_>, rng: &mut dyn RngCore) -> Vec<PeerId> {
        let scores = self.scores.as_deref().unwrap_or(NO_SCORES);
        let picked = self.shared.fanout.pick(ctx, scores, rng);
        if matches!(self.shared.fanout, FanoutRule::Reputation { .. }) {
            for p in &picked {
                self.bump(*p, "offered");
            }
        }
        picked
    }

    fn choose_route(&self, routes: &[RouteOption]) -> Option<usize> {
        let best = routes
            .iter()
            .enumerate()
            .min_by_key(|(i, r)| match self.shared.route_choice {
                RouteChoice::Cheapest => (r.fee_unpaid_sat, u64::from(r.length), r.arrived.0, *i),
                RouteChoice::Shortest => (u64::from(r.length), r.fee_unpaid_sat, r.arrived.0, *i),
                RouteChoice::First => (r.arrived.0, 0, 0, *i),
            });
        best.map(|(i, _)| i)
    }

    fn observe(&mut self, feedback: &Feedback) {
        match feedback {
            Feedback::ReplyPaid { via } => self.bump(*via, "paid"),
            Feedback::ReplyFailed { via } => self.bump(*via, "failed"),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Concern};
    use sweet_gossip::{PayloadId, TaxiTopic, Timestamp};

    fn topic() -> Topic {
        Topic::Taxi(TaxiTopic {
            pickup_geohash: Geohash::encode(-33.86, 151.2, 7),
            dropoff_geohash: Geohash::encode(-33.8, 151.1, 7),
            pickup_after: Timestamp(0),
            dropoff_before: Timestamp(1),
        })
    }

    fn pick(rule: FanoutRule, hop: u32, scores: &BTreeMap<PeerId, Score>) -> Vec<PeerId> {
        let candidates: Vec<PeerId> = (0..20).map(PeerId).collect();
        let t = topic();
        let ctx = FanoutContext {
            payload_id: PayloadId([0; 16]),
            topic: &t,
            hop,
            from: None,
            candidates: &candidates,
            now: Timestamp(0),
        };
        let mut rng = stream(1, 0, Concern::Node(0));
        rule.pick(&ctx, scores, &mut rng)
    }

    #[test]
    fn rules_pick_the_documented_number_of_distinct_peers() {
        let none = BTreeMap::new();
        assert_eq!(pick(FanoutRule::Flood, 0, &none).len(), 20);
        let fixed = pick(FanoutRule::Fixed { k: 5 }, 0, &none);
        let mut d = fixed.clone();
        d.sort();
        d.dedup();
        assert_eq!((fixed.len(), d.len()), (5, 5));
        // ceil(ln 1000 + 1) = ceil(7.9) = 8.
        assert_eq!(
            pick(
                FanoutRule::Logarithmic {
                    c: 1.0,
                    nodes: 1000
                },
                0,
                &none
            )
            .len(),
            8
        );
        assert!(pick(FanoutRule::Probabilistic { p: 0.0 }, 0, &none).is_empty());
        assert_eq!(
            pick(FanoutRule::Probabilistic { p: 1.0 }, 0, &none).len(),
            20
        );
    }

    #[test]
    fn adaptive_fanout_rises_with_the_round() {
        let f: Vec<u32> = (0..6)
            .map(|h| FanoutRule::adaptive_fanout(h, 6, 1, 20, 10_000))
            .collect();
        // n^(1/6) - 1 = 3.64 at round 0: fanout 4; later rounds need more.
        assert_eq!(f[0], 4);
        assert!(f.windows(2).all(|w| w[0] <= w[1]), "{f:?}");
        assert!(f[5] > f[0]);
        assert_eq!(
            FanoutRule::adaptive_fanout(5, 6, 1, 4, 10_000),
            4,
            "clamped to k_max"
        );
    }

    #[test]
    fn a_silent_peer_scores_what_an_unlucky_peer_scores() {
        // docs/attacks.md: offered topics alone never lower a score below 0.
        let silent = Score {
            paid: 0,
            failed: 0,
            offered: 500,
        };
        let unlucky = Score {
            paid: 0,
            failed: 0,
            offered: 1,
        };
        let paid_once = Score {
            paid: 1,
            failed: 0,
            offered: 500,
        };
        assert!(!silent.beats(&unlucky) && !unlucky.beats(&silent));
        assert!(paid_once.beats(&silent) && paid_once.beats(&unlucky));
    }

    #[test]
    fn reputation_prefers_paid_peers() {
        let mut scores = BTreeMap::new();
        scores.insert(
            PeerId(7),
            Score {
                paid: 9,
                offered: 10,
                ..Score::default()
            },
        );
        scores.insert(
            PeerId(3),
            Score {
                paid: 3,
                offered: 5,
                ..Score::default()
            },
        );
        // A record of paid replies beats a newcomer; a stopped peer decays below a steady one.
        assert!(Score {
            paid: 1,
            offered: 30,
            ..Score::default()
        }
        .beats(&Score::default()));
        assert!(Score {
            paid: 3,
            offered: 5,
            ..Score::default()
        }
        .beats(&Score {
            paid: 6,
            offered: 30,
            ..Score::default()
        }));
        let picked = pick(FanoutRule::Reputation { k: 2, explore: 0.0 }, 0, &scores);
        assert_eq!(picked, vec![PeerId(7), PeerId(3)]);
    }

    /// A failed payment on a route a peer brought costs that peer a paid reply's worth: it ties
    /// a newcomer after one failure and ranks below it after two.
    #[test]
    fn reputation_drops_a_peer_after_a_failed_payment() {
        let shared = SharedPolicy {
            params: PolicyParams::default(),
            fanout: FanoutRule::Reputation { k: 1, explore: 0.0 },
            route_choice: RouteChoice::Cheapest,
            message_bytes: 16,
        };
        let mut p = SimPolicy::new(Arc::new(shared), 10, None);
        let (good, fresh) = (PeerId(4), PeerId(9));
        p.observe(&Feedback::ReplyPaid { via: good });
        let score = |p: &SimPolicy, id| p.scores.as_ref().unwrap()[&id];
        p.score_mut(fresh);
        assert!(score(&p, good).beats(&score(&p, fresh)));
        p.observe(&Feedback::ReplyFailed { via: good });
        assert_eq!(score(&p, good).failed, 1);
        assert!(!score(&p, good).beats(&score(&p, fresh)));
        p.observe(&Feedback::ReplyFailed { via: good });
        assert!(score(&p, fresh).beats(&score(&p, good)));
        let picked = pick(p.shared.fanout.clone(), 0, p.scores.as_deref().unwrap());
        assert_ne!(
            picked,
            vec![good],
            "the failing peer is no longer the first pick"
        );
    }

    #[test]
    fn gig_worker_replies_only_inside_its_area() {
        let shared = SharedPolicy {
            params: PolicyParams::default(),
            fanout: FanoutRule::Flood,
            route_choice: RouteChoice::Cheapest,
            message_bytes: 16,
        };
        let area = Some(Geohash::encode(-33.86, 151.2, 4));
        let mut p = SimPolicy::new(Arc::new(shared), 10, area);
        assert!(p.will_reply(&topic()));
        p.service_area = Some(Box::new(Geohash::encode(51.5, 0.0, 4)));
        assert!(!p.will_reply(&topic()));
    }
}
