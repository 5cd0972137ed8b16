//! Two-sided churn: an offline node neither sends, receives nor processes anything. Frames
//! arriving while it is offline are lost; everything else that falls due (timers, proof-of-work
//! completions, payment results, settlements, adversary wakes) is held and handled in its
//! original order when the node comes back, like a suspended device. Its device work, proof of
//! work included, is paused while it is offline. Peers are not told: they notice a departure
//! only through the protocol's own timeouts.

use super::{Ev, World};
use crate::network::session_s;
use sweet_gossip::{AskId, Duration};

impl World {
    /// Whether node `i` is online (unknown nodes count as online).
    pub(super) fn is_online(&self, i: u32) -> bool {
        self.nodes.get(i as usize).map_or(true, |n| n.online)
    }

    /// Microseconds node `i` has spent offline so far.
    pub(super) fn paused_us(&self, i: u32) -> u64 {
        self.churners.get(&i).map_or(0, |c| c.paused_us)
    }

    /// Applies churn to `ev`, due now at `node`: returns it if the node handles it now, or
    /// consumes it (a churn transition, a frame lost offline, an event held or deferred).
    pub(super) fn gate(&mut self, node: u32, ev: Ev) -> Option<Ev> {
        let now = self.now;
        match ev {
            Ev::Churn { online, .. } => {
                self.churn(node, online);
                None
            }
            Ev::Deliver { from, to, .. } => {
                self.links.arrived(from, to, now);
                if self.is_online(to) {
                    Some(ev)
                } else {
                    self.metrics.frame_lost_offline();
                    None
                }
            }
            ev if !self.is_online(node) => {
                let c = self.churners.entry(node).or_default();
                c.held.push((now, ev));
                None
            }
            Ev::PowDone {
                node,
                id,
                nonce,
                paused_us,
            } => {
                let paused = self.paused_us(node);
                if paused == paused_us {
                    return Some(ev);
                }
                // The search was paused since it was timed: it finishes that much later.
                let at = now + Duration(paused - paused_us);
                self.push(at, pow_done(node, id, nonce, paused));
                None
            }
            ev => Some(ev),
        }
    }

    /// Node `node` goes online or offline now; its next transition is one session later.
    fn churn(&mut self, node: u32, online: bool) {
        let now = self.now;
        let c = self.churners.entry(node).or_default();
        let sn = &mut self.nodes[node as usize];
        if online && !sn.online {
            let gap = now.saturating_since(c.offline_since);
            c.paused_us += gap.0;
            if sn.busy_until > c.offline_since {
                sn.busy_until = sn.busy_until + gap;
            }
            let paused = c.paused_us;
            for (due, ev) in std::mem::take(&mut c.held) {
                match ev {
                    Ev::PowDone {
                        node,
                        id,
                        nonce,
                        paused_us,
                    } => {
                        let at = due + Duration(paused - paused_us);
                        self.queue.push(at, pow_done(node, id, nonce, paused));
                    }
                    ev => self.queue.push(now, ev),
                }
            }
        } else if !online && sn.online {
            c.offline_since = now;
        }
        self.nodes[node as usize].online = online;
        let n = &self.network;
        let mean = if online {
            n.online_mean_s
        } else {
            n.offline_mean_s
        };
        let t = session_s(n, &mut self.churn_rng, mean);
        let at = now + Duration::from_secs_f64(t);
        let ev = Ev::Churn {
            node,
            online: !online,
        };
        self.push(at, ev);
    }
}

fn pow_done(node: u32, id: AskId, nonce: u64, paused_us: u64) -> Ev {
    Ev::PowDone {
        node,
        id,
        nonce,
        paused_us,
    }
}
