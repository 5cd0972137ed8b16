//! Issue 11 hole 7: what a middleman can learn about its distance from the sender. Padded
//! onions have one size at every hop, accounts are fresh per topic, and decoy instructions
//! hide from the first middleman that its peer is the sender.

use std::collections::BTreeSet;
use sweet_gossip::testing::*;
use sweet_gossip::*;

const MSG: &[u8] = b"Taxi 9, 2 min away";

/// Sender 0, middlemen 1 to 3, replier 4, in a line.
fn line(limits: Limits) -> Net {
    let policies = vec![relay(5), relay(7), relay(11), relay(3), replier(13, MSG)];
    Net::builder(policies)
        .line()
        .seed(21)
        .limits(limits)
        .build()
}

/// The onion sizes seen in the frames of `kind`.
fn onion_sizes(net: &Net, kind: FrameKind) -> BTreeSet<usize> {
    net.sent
        .iter()
        .filter(|s| s.2 == kind)
        .map(
            |s| match Frame::decode(&s.3).expect("honest frames decode") {
                Frame::PowBroadcast(b) => b.broadcast_payload.backward_onion.len(),
                Frame::Reply(r) => r.forward_onion.len(),
                _ => unreachable!("only broadcasts and replies carry onions"),
            },
        )
        .collect()
}

#[test]
fn a_padded_onion_has_one_size_at_every_hop() {
    let mut net = line(Limits::default());
    net.broadcast(0);
    net.drive();
    assert_eq!(net.delivered.len(), 1, "{:?}", net.rejections());
    let size = Limits::default().onion_hops * PADDED_HEAD_LEN;
    assert_eq!(
        onion_sizes(&net, FrameKind::Broadcast),
        BTreeSet::from([size])
    );
    assert_eq!(onion_sizes(&net, FrameKind::Reply), BTreeSet::from([size]));
    // The paper's onion grows by one layer per hop: four hops, four sizes each way.
    let mut paper = line(Limits::unhardened());
    paper.broadcast(0);
    paper.drive();
    assert_eq!(paper.delivered.len(), 1);
    assert_eq!(onion_sizes(&paper, FrameKind::Broadcast).len(), 4);
    assert_eq!(onion_sizes(&paper, FrameKind::Reply).len(), 4);
}

/// The accounts node 1 names in its conditions, one per topic of node 0.
fn accounts_of_node_1(limits: Limits, topics: usize) -> BTreeSet<PublicKey> {
    let mut net = line(limits);
    for _ in 0..topics {
        net.broadcast(0);
        net.drive();
    }
    assert_eq!(net.delivered.len(), topics);
    net.sent
        .iter()
        .filter(|s| (s.0, s.1, s.2) == (1, 0, FrameKind::Conditions))
        .map(
            |s| match Frame::decode(&s.3).expect("honest frames decode") {
                Frame::PowBroadcastConditions(c) => c.routing_payment_instruction.account,
                _ => unreachable!("conditions"),
            },
        )
        .collect()
}

#[test]
fn a_node_names_a_fresh_account_per_topic() {
    assert_eq!(accounts_of_node_1(Limits::default(), 4).len(), 4);
    assert_eq!(accounts_of_node_1(Limits::unhardened(), 4).len(), 1);
}

/// How many instructions the first middleman saw, per topic of node 0 (all delivered).
fn first_hop_lists(limits: Limits, topics: usize) -> Vec<u32> {
    let mut net = line(limits);
    for _ in 0..topics {
        net.broadcast(0);
        net.drive();
    }
    assert_eq!(net.delivered.len(), topics, "{:?}", net.rejections());
    assert!(net.delivered.iter().all(|d| d.message == MSG));
    net.events
        .iter()
        .filter_map(|(n, e)| match e {
            Event::TopicAccepted { hop, from, .. } if *n == 1 && *from == PeerId(0) => Some(*hop),
            _ => None,
        })
        .collect()
}

#[test]
fn decoys_hide_the_sender_from_the_first_middleman() {
    let seen = first_hop_lists(Limits::default(), 60);
    let exposed = seen.iter().filter(|h| **h == 1).count();
    // 0 to DECOY_HOPS_MAX = 2 decoys, uniform: about 20 of 60 lists have one entry.
    assert!((8..=32).contains(&exposed), "{exposed} of 60 exposed");
    let lengths: BTreeSet<u32> = seen.iter().copied().collect();
    assert_eq!(lengths, BTreeSet::from([1, 2, 3]));
    // Decoys are never invoiced: each reply pays the three middlemen and the replier.
    let paper = first_hop_lists(Limits::unhardened(), 10);
    assert!(paper.iter().all(|h| *h == 1), "the paper's list tells");
}

#[test]
fn decoys_cost_the_sender_nothing_and_recovery_still_works() {
    // Two routes; the cheap middleman's invoices fail, so the sender recovers (paper 3.9).
    let mut net = Net::new(
        vec![relay(1), relay(5), relay(50), replier(13, MSG)],
        &[(0, 1), (0, 2), (1, 3), (2, 3)],
        3,
    );
    net.failing_payees.insert(1);
    for _ in 0..6 {
        net.broadcast(0);
        net.drive();
    }
    assert_eq!(net.delivered.len(), 6, "{:?}", net.rejections());
    // Every delivery paid the replier (13) and the dear middleman (50), never a decoy.
    for d in &net.delivered {
        assert_eq!(d.fee_paid_sat, 63);
    }
    let payees: BTreeSet<u64> = net.payments.iter().map(|p| p.2).collect();
    assert!(payees.is_subset(&BTreeSet::from([5, 13, 50])), "{payees:?}");
}

#[test]
fn a_full_padded_onion_stops_the_topic_and_says_so() {
    // Three layers: the third middleman's route (3 instructions, more with decoys) fills it.
    let short = Limits {
        onion_hops: 3,
        ..Limits::default()
    };
    let mut net = line(short);
    net.broadcast(0);
    net.drive();
    assert!(net.delivered.is_empty(), "the replier is beyond the cap");
    let stops = |net: &Net| net.count_events(|e| matches!(e, Event::TopicStoppedOnionFull { .. }));
    assert_eq!(
        stops(&net),
        1,
        "one middleman stops the topic and reports it"
    );
    assert!(
        net.rejections().is_empty(),
        "a full onion is a stop, not a rejection"
    );
    // The default leaves room for this route, and the paper's growing onion has no cap.
    for limits in [
        Limits::default(),
        Limits {
            onion_hops: 3,
            ..Limits::unhardened()
        },
    ] {
        let mut net = line(limits);
        net.broadcast(0);
        net.drive();
        assert_eq!(net.delivered.len(), 1);
        assert_eq!(stops(&net), 0);
    }
}

#[test]
fn the_asks_of_one_topic_cost_one_account_derivation() {
    // A diamond: node 3 is asked by nodes 1 and 2 at once, before either broadcast arrives.
    let policies = vec![relay(5), relay(7), relay(11), relay(3)];
    let edges = [(0, 1), (0, 2), (1, 3), (2, 3)];
    let mut net = Net::builder(policies).edges(&edges).seed(4).build();
    for _ in 0..3 {
        net.broadcast(0);
    }
    net.drive();
    let asked = net
        .sent
        .iter()
        .filter(|s| s.1 == 3 && s.2 == FrameKind::Ask)
        .count();
    let answered = net
        .sent
        .iter()
        .filter(|s| s.0 == 3 && s.2 == FrameKind::Conditions)
        .count();
    assert_eq!((asked, answered), (6, 6), "both peers' asks answered");
    let derived = net.with_node(3, |n, _| n.crypto_counts().derive);
    assert_eq!(derived, 3, "one derivation per topic");
}
