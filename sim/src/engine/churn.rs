//! Two-sided churn: an offline node neither sends, receives nor processes anything. Frames
//! arriving while it is offline are lost; everything else that falls due (timers, proof-of-work
//! completions, payment results, settlements, adversary wakes) is held and handled in its
//! original order when the node comes back, like a suspended device. Its device work, proof of
//! work included, is paused while it is offline. Offline means silent: a frame that has not
//! left the uplink when its node departs is dropped, with the frames queued behind it
//! (`frames_lost_offline`). Peers are not told: they notice a departure
//! only through the protocol's own timeouts.

use super::{Ev, World};
use crate::network::{session_s, NEVER};
use sweet_gossip::{AskId, Duration};

impl World {
    /// Whether node `i` is online (unknown nodes count as online).
    pub(super) fn is_online(&self, i: u32) -> bool {
        self.nodes.get(i as usize).is_none_or(|n| n.online)
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
        self.links
            .set_departure(node, if online { at } else { NEVER });
        let ev = Ev::Churn {
            node,
            online: !online,
        };
        self.push(at, ev);
    }
}

/// A proof-of-work completion timed when node `node` had been offline `paused_us` in all.
pub(super) fn pow_done(node: u32, id: AskId, nonce: u64, paused_us: u64) -> Ev {
    Ev::PowDone {
        node,
        id,
        nonce,
        paused_us,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Ev, World};
    use super::pow_done;
    use crate::metrics::{Collector, Totals};
    use crate::scenario::{parse, Scenario};
    use std::path::Path;
    use sweet_gossip::{
        Duration, FrameKind, Invoice, Output, PayloadId, PaymentFailure, PaymentOutcome, Preimage,
        PublicKey, TimerKind, Timestamp,
    };

    fn scenario(network: &str) -> Scenario {
        let text = format!(
            "name = \"t\"\nseed = 3\nduration_s = 20.0\n[graph]\ngenerator = \"random_regular\"\n\
             nodes = 30\ndegree = 4\n[workload]\narrivals = \"fixed\"\ntimes_s = [1.0]\n\
             [network]\n{network}"
        );
        parse(&text, Path::new("t.toml")).unwrap().points[0]
            .scenario
            .clone()
    }

    fn world(network: &str) -> World {
        World::build(&scenario(network), 0, Path::new(".")).unwrap()
    }

    /// Pops every queued event of `node`, with its time, in order.
    fn events_of(w: &mut World, node: u32) -> Vec<(Timestamp, Ev)> {
        let mut out = Vec::new();
        while let Some((at, ev)) = w.queue.pop() {
            let n = match &ev {
                Ev::Deliver { to, .. } => *to,
                Ev::Timer { node, .. } | Ev::PowDone { node, .. } => *node,
                Ev::Payment { node, .. } | Ev::Settled { node, .. } => *node,
                _ => u32::MAX,
            };
            if n == node {
                out.push((at, ev));
            }
        }
        out
    }

    const fn secs(s: u64) -> Timestamp {
        Timestamp(s * 1_000_000)
    }

    /// Node `node` goes offline or comes back now; the churn event itself is never handed on.
    fn churn(w: &mut World, node: u32, online: bool) -> Option<Ev> {
        w.gate(node, Ev::Churn { node, online })
    }

    #[test]
    fn offline_node_loses_frames_and_resumes_held_events_in_order() {
        let mut w = world("");
        let timer = TimerKind::ReplyDeadline(PayloadId([1; 16]));
        w.now = secs(1);
        assert!(churn(&mut w, 5, false).is_none());
        assert!(!w.is_online(5));
        w.now = secs(2);
        let frame = Ev::Deliver {
            to: 5,
            from: 6,
            bytes: vec![1u8, 2].into(),
        };
        assert!(w.gate(5, frame).is_none());
        let pow = pow_done(5, sweet_gossip::AskId(9), 1, 0);
        assert!(w.gate(5, pow).is_none(), "a PoW completion is held");
        assert!(
            w.gate(5, Ev::Timer { node: 5, timer }).is_none(),
            "a timer is held"
        );
        w.queue = super::super::queue::EventQueue::new();
        w.now = secs(4);
        assert!(churn(&mut w, 5, true).is_none());
        let got = events_of(&mut w, 5);
        // The frame is gone; the timer fires on return; the search, paused at 1 s and due at
        // 2 s, had 1 s left and finishes 1 s after the return.
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            matches!(got[0], (t, Ev::Timer { .. }) if t == secs(4)),
            "{got:?}"
        );
        assert!(matches!(got[1], (t, Ev::PowDone { paused_us: 3_000_000, .. }) if t == secs(5)));
    }

    #[test]
    fn a_search_running_across_an_offline_period_finishes_that_much_later() {
        let mut w = world("");
        w.now = secs(1);
        churn(&mut w, 5, false);
        w.now = secs(3);
        churn(&mut w, 5, true);
        w.queue = super::super::queue::EventQueue::new();
        // Timed before the outage (paused 0), due after the return: 2 s late.
        w.now = secs(6);
        let pow = pow_done(5, sweet_gossip::AskId(9), 1, 0);
        assert!(w.gate(5, pow).is_none());
        let got = events_of(&mut w, 5);
        assert!(matches!(got[..], [(t, Ev::PowDone { paused_us: 2_000_000, .. })] if t == secs(8)));
        let pow = pow_done(5, sweet_gossip::AskId(9), 1, 2_000_000);
        assert!(w.gate(5, pow).is_some(), "no outage since: handled now");
    }

    #[test]
    fn paying_an_offline_payee_fails_not_settled() {
        let mut w = world("");
        let pre = Preimage([7; 32]);
        let invoice = Invoice {
            account: PublicKey([0; 32]),
            payment_hash: pre.payment_hash(),
            amount: 5,
        };
        w.ledger.register(5, &invoice, pre);
        w.now = secs(1);
        churn(&mut w, 5, false);
        w.queue = super::super::queue::EventQueue::new();
        let pay = Output::PayInvoices {
            payload_id: PayloadId([2; 16]),
            invoices: vec![invoice],
        };
        w.apply(0, secs(1), pay);
        assert_eq!((w.ledger.payments_ok, w.ledger.payments_failed), (0, 1));
        let got = events_of(&mut w, 0);
        let failed = PaymentOutcome::Failed(PaymentFailure::NotSettled);
        assert!(matches!(&got[..], [(_, Ev::Payment { result, .. })] if result.2 == failed));
    }

    /// The payload index of every frame from 0 to 1, in delivery order.
    fn delivery_order(network: &str) -> Vec<u8> {
        let mut w = world(network);
        w.queue = super::super::queue::EventQueue::new();
        for i in 0..60u8 {
            w.transmit(0, 1, FrameKind::Broadcast, vec![i].into(), secs(1));
        }
        let mut order = Vec::new();
        while let Some((_, ev)) = w.queue.pop() {
            if let Ev::Deliver { from: 0, bytes, .. } = ev {
                let mut buf = Vec::new();
                bytes.write_to(&mut buf);
                order.push(buf[0]);
            }
        }
        order
    }

    #[test]
    fn jittered_frames_on_one_link_arrive_in_send_order_unless_reordering() {
        let fifo = delivery_order("jitter_ms_mean = 20.0\n");
        assert_eq!(fifo, (0..60).collect::<Vec<u8>>());
        let free = delivery_order("jitter_ms_mean = 20.0\nreordering = true\n");
        assert_eq!(free.len(), 60);
        assert!(free.windows(2).any(|w| w[0] > w[1]), "never reordered");
    }

    /// Arrival times of the frames from 0 to `to` queued now, in order.
    fn arrivals_from_0(w: &mut World, to: u32) -> Vec<Timestamp> {
        let mut times = Vec::new();
        while let Some((at, ev)) = w.queue.pop() {
            if matches!(ev, Ev::Deliver { from: 0, to: t, .. } if t == to) {
                times.push(at);
            }
        }
        times
    }

    #[test]
    fn a_departing_node_drops_what_its_uplink_has_not_finished_sending() {
        // 8 kbit/s: a 100-byte frame holds the uplink 100 ms; node 0 leaves at 1.25 s.
        let mut w = world("latency = \"constant\"\njitter_ms_mean = 0.0\nbandwidth_kbps = 8\n");
        let p = w.node_mut(0).peers()[0].0 as u32;
        w.queue = super::super::queue::EventQueue::new();
        w.links.set_departure(0, Timestamp(1_250_000));
        w.now = secs(1);
        for _ in 0..5 {
            w.transmit(0, p, FrameKind::Broadcast, vec![0u8; 100].into(), secs(1));
        }
        // Two frames leave the radio before 1.25 s; the one on air and the two queued are lost.
        let ms = |m: u64| Timestamp(m * 1_000);
        assert_eq!(arrivals_from_0(&mut w, p), vec![ms(1_150), ms(1_250)]);
        let c = std::mem::replace(&mut w.metrics, Collector::new(Vec::new()));
        let m = c.finish(&Totals::default(), 20.0).metrics;
        assert_eq!(m["frames_lost_offline"], Some(3.0));
        assert_eq!(
            m["frames_total"],
            Some(2.0),
            "dropped frames never left the node"
        );
        // Back at 2 s, the uplink is idle: nothing queued before the departure delays it.
        w.now = ms(1_250);
        churn(&mut w, 0, false);
        w.now = secs(2);
        churn(&mut w, 0, true);
        w.queue = super::super::queue::EventQueue::new();
        w.transmit(0, p, FrameKind::Broadcast, vec![0u8; 100].into(), secs(2));
        assert_eq!(arrivals_from_0(&mut w, p), vec![ms(2_150)]);
    }

    #[test]
    fn coming_online_tells_the_links_when_the_node_will_leave() {
        let mut w = world("churn_fraction = 1.0\nbandwidth_kbps = 8\n");
        w.queue = super::super::queue::EventQueue::new();
        w.now = secs(1);
        churn(&mut w, 5, false);
        w.now = secs(2);
        churn(&mut w, 5, true);
        let leave = std::iter::from_fn(|| w.queue.pop())
            .find_map(|(at, ev)| {
                matches!(
                    ev,
                    Ev::Churn {
                        node: 5,
                        online: false
                    }
                )
                .then_some(at)
            })
            .expect("a departure is scheduled");
        assert_eq!(w.links.departure(5), leave);
    }

    #[test]
    fn a_burst_on_a_slow_uplink_finishes_one_serialisation_per_frame_later() {
        // 8 kbit/s: a 100-byte frame holds the uplink 100 ms.
        let mut w = world("latency = \"constant\"\njitter_ms_mean = 0.0\nbandwidth_kbps = 8\n");
        let peers: Vec<u32> = w.node_mut(0).peers().iter().map(|p| p.0 as u32).collect();
        let d = peers.len() as u64;
        w.queue = super::super::queue::EventQueue::new();
        for &p in &peers {
            w.transmit(0, p, FrameKind::Broadcast, vec![0u8; 100].into(), secs(1));
        }
        let mut times: Vec<Timestamp> = Vec::new();
        while let Some((at, ev)) = w.queue.pop() {
            if let Ev::Deliver { from: 0, .. } = ev {
                times.push(at);
            }
        }
        let ser = Duration::from_millis(100);
        assert_eq!(times.len() as u64, d);
        assert_eq!(times[0], secs(1) + ser + Duration::from_millis(50));
        assert_eq!(times[times.len() - 1].0 - times[0].0, (d - 1) * ser.0);
    }
}
