//! LDK as the router: a `NetworkGraph` fed the simulated channels without signatures,
//! `find_route` with the payer's own channels as exact first hops, and `ProbabilisticScorer`s
//! that learn from every attempt in virtual time.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use lightning::bitcoin::constants::ChainHash;
use lightning::bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning::bitcoin::Network;
use lightning::ln::channel_state::{ChannelCounterparty, ChannelDetails};
use lightning::ln::msgs::UnsignedChannelUpdate;
use lightning::ln::types::ChannelId;
use lightning::routing::gossip::{NetworkGraph, NodeId};
use lightning::routing::router::{find_route, Path, PaymentParameters, RouteParameters};
use lightning::routing::scoring::{
    ProbabilisticScorer, ProbabilisticScoringDecayParameters, ProbabilisticScoringFeeParameters,
    ScoreUpdate,
};
use lightning::types::features::{ChannelFeatures, InitFeatures};
use lightning::util::logger::{Logger, Record};
use rand::RngCore;

use super::graph::{ChannelGraph, Policy};
use crate::scenario::lightning::{LightningSpec, ScorerScope};

/// LDK's logger, silenced.
pub struct Quiet;

impl Logger for Quiet {
    fn log(&self, _record: Record) {}
}

static QUIET: Quiet = Quiet;

type Graph = NetworkGraph<&'static Quiet>;
type Scorer = ProbabilisticScorer<Rc<Graph>, &'static Quiet>;

/// Final CLTV delta of every invoice, blocks (LDK's minimum for received payments).
const FINAL_CLTV: u32 = 18;

/// One hop of a found route, in path order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    /// Short channel id (channel index + 1).
    pub scid: u64,
    /// The node the hop's HTLC leaves.
    pub from: u32,
    /// The node it reaches.
    pub to: u32,
    /// Millisatoshi crossing this channel (the payee's amount plus later hops' fees).
    pub amount_msat: u64,
    /// The fee `to` keeps for forwarding over the next hop (0 on the last hop).
    pub fee_msat: u64,
}

/// The router of one run: the graph, every node's key and the scorers.
pub struct Router {
    graph: Rc<Graph>,
    keys: Vec<PublicKey>,
    index: BTreeMap<PublicKey, u32>,
    scope: ScorerScope,
    global: Option<Scorer>,
    per_node: BTreeMap<u32, Scorer>,
    params: ProbabilisticScoringFeeParameters,
    seed_bytes: [u8; 32],
}

/// LDK's view of one direction; `dir` is 0 for a → b and 1 for b → a.
fn update(scid: u64, dir: u8, p: &Policy) -> UnsignedChannelUpdate {
    UnsignedChannelUpdate {
        chain_hash: ChainHash::using_genesis_block(Network::Regtest),
        short_channel_id: scid,
        timestamp: 1,
        message_flags: 1,
        channel_flags: dir | if p.disabled { 2 } else { 0 },
        cltv_expiry_delta: p.cltv_delta,
        htlc_minimum_msat: p.htlc_min_msat,
        htlc_maximum_msat: p.htlc_max_msat,
        fee_base_msat: p.fee_base_msat,
        fee_proportional_millionths: p.fee_ppm,
        excess_data: Vec::new(),
    }
}

impl Router {
    /// Feeds `g` to a fresh LDK graph; node keys come from 32 seeded bytes each of `rng`, and
    /// LDK's `random_seed_bytes` (which only pads CLTV) are drawn from it last.
    pub fn new(g: &ChannelGraph, spec: &LightningSpec, rng: &mut impl RngCore) -> Router {
        let secp = Secp256k1::signing_only();
        let mut keys = Vec::with_capacity(g.nodes as usize);
        while keys.len() < g.nodes as usize {
            let mut b = [0u8; 32];
            rng.fill_bytes(&mut b);
            if let Ok(sk) = SecretKey::from_slice(&b) {
                keys.push(PublicKey::from_secret_key(&secp, &sk));
            }
        }
        let graph = Rc::new(Graph::new(Network::Regtest, &QUIET));
        for (i, c) in g.channels.iter().enumerate() {
            let scid = i as u64 + 1;
            let (a, b) = (
                NodeId::from_pubkey(&keys[c.a as usize]),
                NodeId::from_pubkey(&keys[c.b as usize]),
            );
            // NodeId order decides LDK's direction bit: node_one is the smaller id.
            let (one, two, a_is_one) = if a < b { (a, b, true) } else { (b, a, false) };
            graph
                .add_channel_from_partial_announcement(
                    scid,
                    Some(c.capacity_sat),
                    1,
                    ChannelFeatures::empty(),
                    one,
                    two,
                )
                .expect("invariant: distinct ends and a fresh scid");
            let (d_ab, d_ba) = if a_is_one { (0, 1) } else { (1, 0) };
            for (dir, p) in [(d_ab, &c.a_to_b), (d_ba, &c.b_to_a)] {
                graph
                    .update_channel_unsigned(&update(scid, dir, p))
                    .expect("invariant: a valid update of a known channel");
            }
        }
        let mut params = ProbabilisticScoringFeeParameters::default();
        if !spec.history_penalties {
            params.historical_liquidity_penalty_multiplier_msat = 0;
            params.historical_liquidity_penalty_amount_multiplier_msat = 0;
        }
        let mut seed_bytes = [0u8; 32];
        rng.fill_bytes(&mut seed_bytes);
        let index = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i as u32))
            .collect();
        let global = (spec.scorer == ScorerScope::Global).then(|| scorer(&graph));
        Router {
            graph,
            keys,
            index,
            scope: spec.scorer,
            global,
            per_node: BTreeMap::new(),
            params,
            seed_bytes,
        }
    }

    fn scorer_of(&mut self, payer: u32) -> &mut Scorer {
        match self.scope {
            ScorerScope::Global => self.global.as_mut().expect("invariant: global scorer"),
            ScorerScope::PerNode => {
                let graph = &self.graph;
                self.per_node.entry(payer).or_insert_with(|| scorer(graph))
            }
        }
    }

    /// LDK's route for `amount_msat` from `payer` to `payee` avoiding `failed` channels, with
    /// the payer's channels given as first hops of `(scid, peer, outbound msat, capacity sat)`.
    pub fn route(
        &mut self,
        payer: u32,
        payee: u32,
        amount_msat: u64,
        failed: &[u64],
        first: &[(u64, u32, u64, u64)],
    ) -> Result<Vec<Hop>, &'static str> {
        let mut pp = PaymentParameters::from_node_id(self.keys[payee as usize], FINAL_CLTV);
        pp.max_path_count = 1;
        pp.previously_failed_channels = failed.to_vec();
        let rp = RouteParameters::from_payment_params_and_value(pp, amount_msat);
        let details: Vec<ChannelDetails> = first
            .iter()
            .map(|&(scid, peer, out, cap)| first_hop(scid, self.keys[peer as usize], out, cap))
            .collect();
        let refs: Vec<&ChannelDetails> = details.iter().collect();
        let payer_key = self.keys[payer as usize];
        let scorer: &Scorer = match self.scope {
            ScorerScope::Global => self.global.as_ref().expect("invariant: global scorer"),
            ScorerScope::PerNode => {
                let graph = &self.graph;
                self.per_node.entry(payer).or_insert_with(|| scorer(graph))
            }
        };
        let route = find_route(
            &payer_key,
            &rp,
            &self.graph,
            Some(&refs),
            &QUIET,
            scorer,
            &self.params,
            &self.seed_bytes,
        )?;
        let path = route.paths.into_iter().next().ok_or("no path")?;
        Ok(self.hops(payer, &path))
    }

    fn hops(&self, payer: u32, path: &Path) -> Vec<Hop> {
        let mut hops = Vec::with_capacity(path.hops.len());
        let mut from = payer;
        let mut remaining: u64 = path.hops.iter().map(|h| h.fee_msat).sum();
        let last = path.hops.len() - 1;
        for (i, h) in path.hops.iter().enumerate() {
            let to = self.index[&h.pubkey];
            hops.push(Hop {
                scid: h.short_channel_id,
                from,
                to,
                amount_msat: remaining,
                fee_msat: if i == last { 0 } else { h.fee_msat },
            });
            remaining -= h.fee_msat;
            from = to;
        }
        hops
    }

    /// Teaches the payer's scorer the outcome of an attempt over `hops`: failed at channel
    /// `failed_scid`, or succeeded when `None`. `now` is virtual time since the run's start.
    pub fn learn(&mut self, payer: u32, hops: &[Hop], failed_scid: Option<u64>, now: Duration) {
        let path = self.path_of(hops);
        let scorer = self.scorer_of(payer);
        match failed_scid {
            Some(scid) => scorer.payment_path_failed(&path, scid, now),
            None => scorer.payment_path_successful(&path, now),
        }
    }

    /// Lets the scorers' knowledge decay up to virtual time `now`.
    pub fn time_passed(&mut self, now: Duration) {
        if let Some(s) = self.global.as_mut() {
            s.time_passed(now);
        }
        for s in self.per_node.values_mut() {
            s.time_passed(now);
        }
    }

    fn path_of(&self, hops: &[Hop]) -> Path {
        use lightning::routing::router::RouteHop;
        use lightning::types::features::NodeFeatures;
        let last = hops.len().saturating_sub(1);
        let hops = hops
            .iter()
            .enumerate()
            .map(|(i, h)| RouteHop {
                pubkey: self.keys[h.to as usize],
                node_features: NodeFeatures::empty(),
                short_channel_id: h.scid,
                channel_features: ChannelFeatures::empty(),
                fee_msat: if i == last { h.amount_msat } else { h.fee_msat },
                cltv_expiry_delta: 0,
                maybe_announced_channel: true,
            })
            .collect();
        Path {
            hops,
            blinded_tail: None,
        }
    }
}

fn scorer(graph: &Rc<Graph>) -> Scorer {
    ProbabilisticScorer::new(
        ProbabilisticScoringDecayParameters::default(),
        graph.clone(),
        &QUIET,
    )
}

/// A usable, announced channel of the payer, as LDK's `ChannelManager` would list it.
fn first_hop(scid: u64, peer: PublicKey, outbound_msat: u64, capacity_sat: u64) -> ChannelDetails {
    let mut id = [0u8; 32];
    id[..8].copy_from_slice(&scid.to_be_bytes());
    ChannelDetails {
        channel_id: ChannelId(id),
        counterparty: ChannelCounterparty {
            node_id: peer,
            features: InitFeatures::empty(),
            unspendable_punishment_reserve: 0,
            forwarding_info: None,
            outbound_htlc_minimum_msat: None,
            outbound_htlc_maximum_msat: None,
        },
        funding_txo: None,
        channel_type: None,
        short_channel_id: Some(scid),
        outbound_scid_alias: None,
        inbound_scid_alias: None,
        channel_value_satoshis: capacity_sat,
        unspendable_punishment_reserve: None,
        user_channel_id: u128::from(scid),
        outbound_capacity_msat: outbound_msat,
        next_outbound_htlc_limit_msat: outbound_msat,
        next_outbound_htlc_minimum_msat: 1,
        inbound_capacity_msat: 0,
        confirmations_required: None,
        confirmations: None,
        force_close_spend_delay: None,
        is_outbound: true,
        is_channel_ready: true,
        channel_shutdown_state: None,
        is_usable: true,
        is_announced: true,
        inbound_htlc_minimum_msat: None,
        inbound_htlc_maximum_msat: None,
        config: None,
        pending_inbound_htlcs: Vec::new(),
        pending_outbound_htlcs: Vec::new(),
        funding_redeem_script: None,
        feerate_sat_per_1000_weight: None,
    }
}
