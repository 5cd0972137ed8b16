//! Tracing a run for `sgsim inspect`: the world's hooks into a [`Recorder`]. Every hook is
//! behind the world's `Option<Box<Recorder>>`, so a run without tracing only tests it.

use super::{EngineError, Ev, Role, RunOutput, World};
use crate::network::Transmit;
use crate::record::{Outcome, Recorder, ScoreRow, SendFate, Trace};
use crate::scenario::Scenario;
use std::path::Path;
use sweet_gossip::{Event, FrameBytes, FrameKind, Timestamp};

/// Runs replicate `replicate` of `s` as [`super::run`] does, recording its trace. The run's
/// results and trace hash are those of the untraced run.
pub fn run_traced(
    s: &Scenario,
    replicate: u32,
    base_dir: &Path,
) -> Result<(RunOutput, Trace), EngineError> {
    let mut world = World::build_with(s, replicate, base_dir, Some(Box::default()))?;
    world.record_scores();
    if let Some(ln) = world.lightning.as_deref_mut() {
        ln.record_attempts();
    }
    world.run_to_end();
    let lattice = match s.graph {
        crate::graph::GraphSpec::Grid { rows, cols }
        | crate::graph::GraphSpec::Torus { rows, cols } => Some((rows, cols)),
        _ => None,
    };
    let n = world.nodes.len() as u32;
    let mut rec = *world
        .recorder
        .take()
        .expect("invariant: built with a recorder");
    if let Some(ln) = world.lightning.as_deref_mut() {
        rec.payments = Some(ln.take_attempts());
    }
    let mut pairs: Vec<(u32, u32)> = (0..n)
        .flat_map(|a| {
            let peers = world.blueprint.peers(a);
            peers.iter().filter(move |&&b| a < b).map(move |&b| (a, b))
        })
        .chain(rec.connected.iter().map(|&(a, b)| (a.min(b), a.max(b))))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let edges = pairs
        .into_iter()
        .map(|(a, b)| (a, b, world.links.base_ms(a, b)))
        .collect();
    let roles = world.nodes.iter().map(|sn| role_name(sn.role)).collect();
    let adversary = (0..n).map(|i| world.adversary.is_adversarial(i)).collect();
    let sybil = (0..n).map(|i| world.adversary.is_sybil(i)).collect();
    let mut earned = world.ledger.earned().to_vec();
    earned.resize(n as usize, 0);
    let out = world.finish();
    let trace = Trace {
        rec,
        roles,
        adversary,
        sybil,
        earned,
        edges,
        lattice,
        trace_sha256: out.trace_sha256.clone(),
    };
    Ok((out, trace))
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Customer => "customer",
        Role::Worker => "worker",
        Role::Gossiper => "gossiper",
    }
}

impl World {
    /// Records event `ev` (code `code`, for `node`) as it is popped.
    pub(super) fn record_event(&mut self, code: u8, node: u32, ev: &Ev) {
        let now = self.now;
        let Some(r) = self.recorder.as_deref_mut() else {
            return;
        };
        let mut scratch = std::mem::take(&mut r.scratch);
        scratch.clear();
        let peer = match ev {
            Ev::Deliver { from, bytes, .. } => {
                bytes.write_to(&mut scratch);
                Some(*from)
            }
            _ => None,
        };
        r.event(now, code, node, peer, &scratch);
        r.scratch = scratch;
    }

    /// Records a frame `from` offered to `to` at `at`, starting on the uplink at `start`;
    /// `outcome` is `None` when the sender was offline.
    pub(super) fn record_offered(
        &mut self,
        at: Timestamp,
        start: Timestamp,
        link: (u32, u32),
        kind: FrameKind,
        bytes: &FrameBytes,
        outcome: Option<Transmit>,
    ) {
        let Some(r) = self.recorder.as_deref_mut() else {
            return;
        };
        let fate = match outcome {
            None => SendFate::SenderOffline,
            Some(Transmit::Arrives(t)) => SendFate::Arrives(t.0),
            Some(Transmit::Lost) => SendFate::Lost,
            Some(Transmit::SenderLeft) => SendFate::SenderLeft,
        };
        r.offered(at, start, link, kind, bytes.len(), fate);
    }

    /// Moves the score changes logged since the last call into the recorder, at the current
    /// time (policies change scores only while their node handles an input, at that time).
    pub(super) fn record_scores(&mut self) {
        let Some(log) = self.blueprint.score_log.as_ref() else {
            return;
        };
        let changes = std::mem::take(&mut *log.lock().expect("invariant: one thread per run"));
        let now = self.now;
        if let Some(r) = self.recorder.as_deref_mut() {
            let reputation = r.reputation.get_or_insert_with(Vec::new);
            reputation.extend(changes.into_iter().map(|c| ScoreRow {
                t_us: now.0,
                node: c.node,
                peer: c.peer as u32,
                offered: c.score.offered,
                paid: c.score.paid,
                failed: c.score.failed,
                what: c.what,
            }));
        }
    }

    /// Records why the event with code `code` for `node` was not handed to the node.
    pub(super) fn record_gated(&mut self, code: u8, node: u32) {
        let online = self.is_online(node);
        if let Some(r) = self.recorder.as_deref_mut() {
            r.outcome(match code {
                7 if online => Outcome::WentOnline,
                7 => Outcome::WentOffline,
                1 => Outcome::LostOffline,
                3 if online => Outcome::PowRescheduled,
                _ => Outcome::HeldOffline,
            });
        }
    }

    /// Records a protocol event `e` of node `i` at `at`.
    pub(super) fn record_observed(&mut self, i: u32, at: Timestamp, e: &Event) {
        if self.recorder.is_none() {
            return;
        }
        let online: Vec<bool> = match e {
            Event::TopicBroadcast { .. } => self.nodes.iter().map(|n| n.online).collect(),
            _ => Vec::new(),
        };
        let honest = self.honest.get(i as usize).copied().unwrap_or(false);
        let Some(r) = self.recorder.as_deref_mut() else {
            return;
        };
        match e {
            Event::TopicBroadcast { payload_id } if honest => {
                r.topic_started(*payload_id, i, at, online)
            }
            Event::TopicAccepted {
                payload_id,
                from,
                hop,
            } => r.accepted(payload_id, i, at, from.0 as u32, *hop),
            Event::FrameRejected { reason, .. } => r.rejected(i, reason.name()),
            Event::TopicReplied { payload_id, to } | Event::ReplyForwarded { payload_id, to } => {
                r.reply_hop(payload_id, i, to.0 as u32)
            }
            _ => {}
        }
    }

    /// The recorder, when this run is traced.
    pub(super) fn recorder(&mut self) -> Option<&mut Recorder> {
        self.recorder.as_deref_mut()
    }
}
