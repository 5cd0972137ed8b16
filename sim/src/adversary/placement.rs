//! Where attackers sit: which existing nodes are corrupted, and how Sybils join the peer graph.
//!
//! Rules (also in `docs/attacks.md`):
//!
//! - Corrupting kinds take `round(share × nodes)` nodes uniformly at random from the plain
//!   gossipers (never a customer or gig worker).
//! - Sybils are appended after the honest nodes, indices `n..n + round(share × n)`.
//! - "random" attachment: each Sybil connects to `sybil_degree` distinct honest nodes drawn
//!   uniformly. "targeted": each Sybil connects to node `attack.victim` and `sybil_degree − 1`
//!   honest nodes taken in turn from the honest nodes ranked by descending degree (ties: lower
//!   index): Sybil j takes the window starting at j × (sybil_degree − 1), wrapping around. So the
//!   Sybils crowd the best-connected nodes first but spread over them, each honest node getting
//!   at most ⌈S × (sybil_degree − 1) / (n − 1)⌉ Sybils. (All Sybils on the same
//!   `sybil_degree − 1` nodes would act as one Sybil: they could reach only those nodes, and a
//!   censoring Sybil would never be on a paid reply route.)
//! - sybil, censorship, covert flash: Sybil edges are added at setup, on top of the honest graph.
//! - flash: the same edges, but connected only at `start_s`.
//! - eclipse: the victim keeps its degree d, but `min(Sybils, d)` of its honest edges (chosen at
//!   random) are removed and replaced by edges to Sybils `n, n+1, …`; every Sybil then fills its
//!   remaining `sybil_degree − 1` (or `sybil_degree`) slots by the attachment rule, never with
//!   the victim.
//! - cold boot: Sybils take slots in the honest mesh as it forms: each Sybil takes
//!   `sybil_degree / 2` honest–honest edges (a, b) in turn, removes them and connects to both a
//!   and b, so honest degrees stay the same but honest–honest links are lost; an odd last slot
//!   goes to a random honest node. "random" takes edges in random order; "targeted" takes the
//!   victim's edges first, then edges by descending degree of their busier end.

use super::has_victim;
use crate::graph::PeerGraph;
use crate::rng::{below, sample};
use crate::scenario::{Attach, Attack, AttackKind};
use crate::workload::Role;
use rand_chacha::ChaCha12Rng;

/// The existing nodes the attack corrupts: `attack.corrupted(n)` plain gossipers drawn
/// uniformly (fewer if there are not enough gossipers), ascending.
pub(super) fn corrupt(
    attack: &Attack,
    roles: &[Role],
    victim: Option<u32>,
    rng: &mut ChaCha12Rng,
) -> Vec<u32> {
    let want = attack.corrupted(roles.len() as u32) as usize;
    if want == 0 {
        return Vec::new();
    }
    let gossipers: Vec<u32> = (0..roles.len() as u32)
        .filter(|i| roles[*i as usize] == Role::Gossiper && Some(*i) != victim)
        .collect();
    let mut picked = sample(rng, &gossipers, want);
    picked.sort_unstable();
    picked
}

/// How Sybils join the graph.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sybils {
    /// The attack kind.
    pub(super) kind: AttackKind,
    /// Random or targeted attachment.
    pub(super) attach: Attach,
    /// Honest peers per Sybil.
    pub(super) degree: u32,
    /// The victim, for kinds that have one.
    pub(super) victim: Option<u32>,
    /// `attack.victim` when it is a node: the first target of "targeted" attachment.
    pub(super) target: Option<u32>,
}

impl Sybils {
    /// Appends `count` Sybils to `graph` and connects them by the kind's rule. Returns the edges
    /// to connect later (flash), empty for every other kind.
    pub(super) fn place(
        &self,
        graph: &mut PeerGraph,
        count: u32,
        rng: &mut ChaCha12Rng,
    ) -> Vec<(u32, u32)> {
        let n = graph.node_count();
        if count == 0 || n == 0 || !self.kind.uses_sybils() {
            return Vec::new();
        }
        let honest = graph.clone();
        let first = n;
        for _ in 0..count {
            graph.add_node();
        }
        let sybils = first..first + count;
        let ranked = self.ranking(&honest);
        match self.kind {
            AttackKind::Flash => {
                let mut deferred = Vec::new();
                for s in sybils {
                    let targets = self.targets(&ranked, self.degree, None, s - first, rng);
                    deferred.extend(targets.into_iter().map(|t| (t, s)));
                }
                deferred
            }
            AttackKind::Eclipse => {
                let taken = self.eclipse(graph, &honest, first, count, rng);
                for s in sybils {
                    let slots = self.degree.saturating_sub(u32::from(s - first < taken));
                    let targets = self.targets(&ranked, slots, self.victim, s - first, rng);
                    connect(graph, s, &targets);
                }
                Vec::new()
            }
            AttackKind::ColdBoot => {
                self.cold_boot(graph, &honest, first, count, rng);
                Vec::new()
            }
            _ => {
                for s in sybils {
                    let targets = self.targets(&ranked, self.degree, None, s - first, rng);
                    connect(graph, s, &targets);
                }
                Vec::new()
            }
        }
    }

    /// Up to `slots` distinct honest nodes for one Sybil, never `exclude`. `ranked` is the
    /// targeted order (see [`Sybils::ranking`]); random attachment ignores it.
    /// `nth` is the Sybil's position among the Sybils (its window in the targeted order).
    fn targets(
        &self,
        ranked: &[u32],
        slots: u32,
        exclude: Option<u32>,
        nth: u32,
        rng: &mut ChaCha12Rng,
    ) -> Vec<u32> {
        match self.attach {
            Attach::Random => distinct(rng, ranked.len() as u32, slots, |x| Some(x) == exclude),
            Attach::Targeted => {
                let pool: Vec<u32> = ranked
                    .iter()
                    .copied()
                    .filter(|x| Some(*x) != exclude)
                    .collect();
                let want = (slots as usize).min(pool.len());
                // The target (victim) is in every Sybil's list; the rest rotate.
                let head =
                    usize::from(self.target.is_some() && pool.first() == self.target.as_ref());
                let (fixed, rest) = pool.split_at(head.min(want));
                let mut out = fixed.to_vec();
                let k = want - out.len();
                if !rest.is_empty() {
                    let offset = (nth as usize).wrapping_mul(k) % rest.len();
                    out.extend((0..k).map(|m| rest[(offset + m) % rest.len()]));
                }
                out
            }
        }
    }

    /// Every honest node in targeted order: `target` first, then by descending degree in
    /// `honest`, ties by lower index.
    fn ranking(&self, honest: &PeerGraph) -> Vec<u32> {
        let mut by_degree: Vec<u32> = (0..honest.node_count())
            .filter(|i| Some(*i) != self.target)
            .collect();
        by_degree.sort_by_key(|i| (std::cmp::Reverse(honest.peers(*i).len()), *i));
        self.target
            .filter(|t| *t < honest.node_count())
            .into_iter()
            .chain(by_degree)
            .collect()
    }

    /// Replaces victim edges by Sybil edges; returns how many Sybils (from `first`) took a slot.
    fn eclipse(
        &self,
        graph: &mut PeerGraph,
        honest: &PeerGraph,
        first: u32,
        count: u32,
        rng: &mut ChaCha12Rng,
    ) -> u32 {
        let Some(v) = self.victim.filter(|_| has_victim(self.kind)) else {
            return 0;
        };
        let peers = honest.peers(v).to_vec();
        let taken = count.min(peers.len() as u32);
        for p in sample(rng, &peers, taken as usize) {
            graph.remove_edge(v, p);
        }
        for s in first..first + taken {
            graph.add_edge(v, s);
        }
        taken
    }

    fn cold_boot(
        &self,
        graph: &mut PeerGraph,
        honest: &PeerGraph,
        first: u32,
        count: u32,
        rng: &mut ChaCha12Rng,
    ) {
        let all: Vec<(u32, u32)> = honest.edges().collect();
        let mut order = sample(rng, &all, all.len());
        if self.attach == Attach::Targeted {
            let deg = |x: u32| honest.peers(x).len();
            let victim = self.target;
            order.sort_by_key(|&(a, b)| {
                let hits_victim = victim.is_some_and(|v| v == a || v == b);
                (!hits_victim, std::cmp::Reverse(deg(a).max(deg(b))))
            });
        }
        let mut pool: std::collections::VecDeque<(u32, u32)> = order.into();
        for s in first..first + count {
            let mut slots = self.degree;
            // Edges touching a node this Sybil already links to wait for the next Sybil, so
            // every split keeps both honest degrees.
            let mut later = Vec::new();
            while slots >= 2 {
                let Some((a, b)) = pool.pop_front() else {
                    break;
                };
                if graph.has_edge(a, s) || graph.has_edge(b, s) {
                    later.push((a, b));
                    continue;
                }
                graph.remove_edge(a, b);
                graph.add_edge(a, s);
                graph.add_edge(b, s);
                slots -= 2;
            }
            for e in later.into_iter().rev() {
                pool.push_front(e);
            }
            if slots > 0 {
                let n = honest.node_count();
                let extra = distinct(rng, n, slots, |h| graph.has_edge(h, s));
                connect(graph, s, &extra);
            }
        }
    }
}

/// Up to `k` distinct nodes of `0..n` drawn uniformly, skipping those `skip` rejects.
fn distinct(rng: &mut ChaCha12Rng, n: u32, k: u32, skip: impl Fn(u32) -> bool) -> Vec<u32> {
    if u64::from(k) * 4 >= u64::from(n) {
        let pool: Vec<u32> = (0..n).filter(|x| !skip(*x)).collect();
        return sample(rng, &pool, k as usize);
    }
    // Few picks from many nodes: rejection sampling, which terminates quickly because at most
    // a quarter of the nodes are picked and `skip` rejects few (a victim or a Sybil's peers).
    let mut out = Vec::with_capacity(k as usize);
    let mut tries = 0u64;
    while out.len() < k as usize && tries < 64 * u64::from(n) {
        tries += 1;
        let x = below(rng, u64::from(n)) as u32;
        if !skip(x) && !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

fn connect(graph: &mut PeerGraph, sybil: u32, targets: &[u32]) {
    for &t in targets {
        graph.add_edge(sybil, t);
    }
}
