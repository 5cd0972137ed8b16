//! Issue 11's holes, each shown closed: reply replay, replies a middleman never carried, the
//! conditions-table lock-out, peers that make a node pay for junk cryptography, and revocation
//! at run time.

use sweet_gossip::testing::*;
use sweet_gossip::*;

mod common;
use common::{line, line_with, rejected_at, step_until_sent, MSG};

#[test]
fn a_replayed_reply_is_refused_by_the_sender() {
    let mut net = line(1);
    net.broadcast(0);
    let reply = step_until_sent(&mut net, 1, 0, FrameKind::Reply);
    // Let node 0 take the genuine copy, then replay it more often than it keeps routes.
    while net.count_events(|e| matches!(e, Event::ReplyReceived { .. })) == 0 {
        assert!(net.step());
    }
    for _ in 0..70 {
        net.inject(1, 0, reply.clone());
    }
    net.drive();
    assert_eq!(
        net.count_events(|e| matches!(e, Event::ReplyReceived { .. })),
        1
    );
    assert_eq!(rejected_at(&net, 0, &RejectReason::DuplicateReply), 70);
    assert_eq!(net.delivered.len(), 1);
}

#[test]
fn a_middleman_carries_each_reply_once() {
    let mut net = line(2);
    net.broadcast(0);
    let reply = step_until_sent(&mut net, 2, 1, FrameKind::Reply);
    net.drive();
    for _ in 0..5 {
        net.inject(2, 1, reply.clone());
    }
    net.drive();
    assert_eq!(rejected_at(&net, 1, &RejectReason::DuplicateReply), 5);
    let issued_by_1 = net.count_events_at(1, |e| matches!(e, Event::InvoiceIssued { .. }));
    assert_eq!(issued_by_1, 1, "one invoice for one reply");
}

#[test]
fn a_reply_for_a_topic_never_carried_is_refused() {
    let mut carried = line(3);
    carried.broadcast(0);
    let reply = step_until_sent(&mut carried, 2, 1, FrameKind::Reply);
    // The same nodes (same keys), but node 1 never carried this topic.
    let mut fresh = line(3);
    fresh.inject(2, 1, reply);
    fresh.drive();
    assert_eq!(
        fresh.rejections(),
        vec![(1, FrameKind::Reply, RejectReason::NotForwarded)]
    );
    assert!(fresh.sent.is_empty(), "nothing was carried on");
    assert_eq!(
        fresh.nodes[1].crypto_counts().open,
        0,
        "refused before any open"
    );
}

#[test]
fn the_sender_keeps_no_more_routes_per_replier_than_its_policy_allows() {
    // Diamond: the replier gets the topic twice and replies twice; the sender takes one.
    let mut sender = params(5);
    sender.reply_routes_max = 1;
    let sender = Box::new(TestPolicy {
        params: sender,
        reply: None,
    });
    let mut net = Net::new(
        vec![sender, relay(5), relay(6), replier(13, MSG)],
        &[(0, 1), (0, 2), (1, 3), (2, 3)],
        4,
    );
    net.broadcast(0);
    net.drive();
    assert_eq!(
        net.count_events(|e| matches!(e, Event::ReplyReceived { .. })),
        1
    );
    assert_eq!(rejected_at(&net, 0, &RejectReason::TooManyRoutes), 1);
    assert_eq!(net.delivered.len(), 1);
}

#[test]
fn one_peer_cannot_lock_others_out_of_the_conditions_table() {
    // 0 = flooding originator, 2 = honest originator, both asking 1.
    let limits = Limits {
        conditions_max: 48,
        conditions_per_peer_max: 32,
        ..Limits::default()
    };
    let mut net = Net::builder(vec![relay(1), relay(1), relay(1)])
        .edges(&[(0, 1), (2, 1)])
        .seed(5)
        .limits(limits)
        .build();
    for _ in 0..60 {
        net.broadcast(0);
    }
    net.broadcast(2);
    net.drive();
    assert_eq!(rejected_at(&net, 1, &RejectReason::QuotaExceeded), 28);
    assert_eq!(rejected_at(&net, 1, &RejectReason::Overloaded), 0);
    let from_2 = net.count_events_at(
        1,
        |e| matches!(e, Event::TopicAccepted { from, .. } if *from == PeerId(2)),
    );
    assert_eq!(from_2, 1, "the honest originator still gets through");
}

#[test]
fn a_peer_sending_junk_signatures_is_throttled_then_forgiven() {
    let mut net = Net::new(vec![relay(1), relay(1)], &[(0, 1)], 6);
    net.broadcast(0);
    let valid = step_until_sent(&mut net, 0, 1, FrameKind::Ask);
    let mut fresh = Net::new(vec![relay(1), relay(1)], &[(0, 1)], 6);
    let burst = Limits::default().crypto_failures_burst as usize;
    for i in 0..burst + 10 {
        fresh.inject(0, 1, forged_ask(&valid, i));
    }
    assert_eq!(
        rejected_at(&fresh, 1, &RejectReason::BadRequestSignature),
        burst
    );
    assert_eq!(rejected_at(&fresh, 1, &RejectReason::Throttled), 10);
    let verifies = fresh.nodes[1].crypto_counts().verify;
    assert!(verifies <= 2 * burst as u64, "{verifies} verifications");
    // After the bucket drains, the peer is heard again.
    let drain = burst as u64 / u64::from(Limits::default().crypto_failures_per_s) + 1;
    fresh.now = fresh.now + Duration::from_secs(drain);
    fresh.inject(0, 1, valid);
    assert_eq!(
        fresh.count_events(|e| matches!(e, Event::FrameRejected { .. })),
        burst + 10,
        "the genuine ask is accepted: {:?}",
        fresh.rejections().last()
    );
}

#[test]
fn relay_verification_stops_a_forged_reply_at_the_first_middleman() {
    for verify in [false, true] {
        let limits = Limits {
            relay_verifies_replies: verify,
            ..Limits::default()
        };
        let mut net = Net::builder(vec![relay(5), relay(7), relay(11), replier(13, MSG)])
            .line()
            .seed(7)
            .limits(limits)
            .build();
        // The replier's own frame is altered on the wire: its signature no longer verifies.
        net.tamper = Some(Box::new(|from, _, bytes: &mut Vec<u8>| {
            if from != 3 {
                return;
            }
            if let Ok(Frame::Reply(mut f)) = Frame::decode(bytes) {
                f.signed_reply_payload.payload.encrypted_message[0] ^= 1;
                *bytes = Frame::Reply(f).encode();
            }
        }));
        net.broadcast(0);
        net.drive();
        let expected = if verify {
            vec![(2, FrameKind::Reply, RejectReason::BadReplySignature)]
        } else {
            vec![(0, FrameKind::Reply, RejectReason::BadReplySignature)]
        };
        assert_eq!(net.rejections(), expected, "verify = {verify}");
        let invoices = net.count_events(|e| matches!(e, Event::InvoiceIssued { .. }));
        assert_eq!(invoices, if verify { 1 } else { 3 }, "verify = {verify}");
    }
}

#[test]
fn a_revocation_list_installed_at_run_time_takes_effect() {
    let mut net = line(8);
    let sender_key = net.nodes[0].certificate().public_key;
    net.ca.revoke(sender_key);
    let list = net.ca.revocation_list(&RealCrypto, net.now);
    net.nodes[1]
        .handle_revocation_list(net.now, &list)
        .expect("fresh list from the trusted authority");
    assert_eq!(
        net.nodes[1].handle_revocation_list(net.now, &list),
        Err(RevocationError::Stale)
    );
    net.broadcast(0);
    net.drive();
    assert_eq!(
        net.rejections(),
        vec![(
            1,
            FrameKind::Ask,
            RejectReason::Certificate(CertificateError::Revoked)
        )]
    );
    assert!(net.delivered.is_empty());
}

#[test]
fn a_forged_or_foreign_revocation_list_changes_nothing() {
    let mut net = line(9);
    let sender_key = net.nodes[0].certificate().public_key;
    let mut rogue = CertificateAuthority::new("ca", RealCrypto.keypair_from_seed([77; 32]));
    rogue.revoke(sender_key);
    let forged = rogue.revocation_list(&RealCrypto, net.now);
    assert_eq!(
        net.nodes[1].handle_revocation_list(net.now, &forged),
        Err(RevocationError::BadSignature)
    );
    let mut other = CertificateAuthority::new("other", RealCrypto.keypair_from_seed([78; 32]));
    other.revoke(sender_key);
    let foreign = other.revocation_list(&RealCrypto, net.now);
    assert_eq!(
        net.nodes[1].handle_revocation_list(net.now, &foreign),
        Err(RevocationError::UntrustedAuthority)
    );
    net.broadcast(0);
    net.drive();
    assert_eq!(net.delivered.len(), 1, "{:?}", net.rejections());
}

#[test]
fn a_replier_revoked_after_replying_is_never_paid() {
    let mut net = line(10);
    net.broadcast(0);
    while net.count_events(|e| matches!(e, Event::ReplyReceived { .. })) == 0 {
        assert!(net.step());
    }
    let replier_key = net.nodes[3].certificate().public_key;
    net.ca.revoke(replier_key);
    let list = net.ca.revocation_list(&RealCrypto, net.now);
    let now = net.now;
    net.nodes[0].handle_revocation_list(now, &list).unwrap();
    net.drive();
    assert!(net.payments.is_empty(), "paid {:?}", net.payments);
    assert_eq!(
        net.count_events(|e| matches!(e, Event::ReplyUnpaid { .. })),
        1
    );
}

#[test]
fn a_fee_near_u64_max_is_refused_not_wrapped() {
    // Middleman 1 asks almost u64::MAX and everyone accepts any fee: only the checked sum
    // stops it (the default `routing_fee_max_sat` would refuse the hop alone).
    let open_wallet = |fee: u64, reply: Option<&[u8]>| -> Box<dyn Policy> {
        let mut p = params(fee);
        p.routing_fee_max_sat = u64::MAX;
        Box::new(TestPolicy {
            params: p,
            reply: reply.map(<[u8]>::to_vec),
        })
    };
    let mut net = Net::new(
        vec![
            open_wallet(5, None),
            open_wallet(u64::MAX - 5, None),
            open_wallet(11, None),
            open_wallet(13, Some(MSG)),
        ],
        &[(0, 1), (1, 2), (2, 3)],
        11,
    );
    net.broadcast(0);
    net.drive();
    assert_eq!(
        net.rejections(),
        vec![(0, FrameKind::Reply, RejectReason::ExcessiveFee)]
    );
    assert!(net.payments.is_empty());
}

#[test]
fn unhardened_nodes_accept_what_hardened_nodes_refuse() {
    // The same replay against the paper's protocol as written: every copy is carried and
    // stored, and none is refused for a defence of issue 11.
    let mut net = line_with(2, Limits::unhardened());
    net.broadcast(0);
    let reply = step_until_sent(&mut net, 2, 1, FrameKind::Reply);
    net.drive();
    for _ in 0..5 {
        net.inject(2, 1, reply.clone());
    }
    net.drive();
    assert_eq!(rejected_at(&net, 1, &RejectReason::DuplicateReply), 0);
    let issued_by_1 = net.count_events_at(1, |e| matches!(e, Event::InvoiceIssued { .. }));
    assert_eq!(issued_by_1, 6, "one invoice per copy");
    assert_eq!(rejected_at(&net, 0, &RejectReason::DuplicateReply), 0);
    // And a reply for a topic node 1 never carried goes through it.
    let mut fresh = line_with(2, Limits::unhardened());
    fresh.inject(2, 1, reply);
    fresh.drive();
    assert_eq!(rejected_at(&fresh, 1, &RejectReason::NotForwarded), 0);
    assert_eq!(
        fresh.count_events_at(1, |e| matches!(e, Event::ReplyForwarded { .. })),
        1
    );
}

/// Node 0 broadcasts to replier 1, which answers a payload up to 3 times; then node 0 asks
/// again for the same payload and replays its first broadcast, proof of work included, under
/// the new ask. Returns the net and the replies node 1 sent.
fn replay_pow(limits: Limits) -> (Net, usize) {
    let mut net = Net::builder(vec![relay(5), replier(13, MSG)])
        .edges(&[(0, 1)])
        .seed(8)
        .limits(limits)
        .build();
    net.broadcast(0);
    net.drive();
    let ask = net.frame(0, 1, FrameKind::Ask);
    let broadcast = net.frame(0, 1, FrameKind::Broadcast);
    for fresh in 1..=2u64 {
        let again = match Frame::decode(&ask).unwrap() {
            Frame::AskForBroadcast(mut a) => {
                a.ask_id = AskId(1_000 + fresh);
                Frame::AskForBroadcast(a)
            }
            _ => unreachable!("an ask"),
        };
        net.inject(0, 1, again.encode());
        net.drive();
        let replayed = match Frame::decode(&broadcast).unwrap() {
            Frame::PowBroadcast(mut b) => {
                b.ask_id = AskId(1_000 + fresh);
                Frame::PowBroadcast(b)
            }
            _ => unreachable!("a broadcast"),
        };
        net.inject(0, 1, replayed.encode());
        net.drive();
    }
    let replies = net.count_events_at(1, |e| matches!(e, Event::TopicReplied { .. }));
    (net, replies)
}

#[test]
fn one_proof_of_work_buys_one_forward() {
    let (net, replies) = replay_pow(Limits::default());
    assert_eq!(replies, 1, "the replays bought nothing");
    // The failed replay keeps its conditions (only a valid broadcast frees them), so the
    // second fresh ask for the same payload is refused outright.
    assert_eq!(rejected_at(&net, 1, &RejectReason::PowInsufficient), 1);
    assert_eq!(rejected_at(&net, 1, &RejectReason::RepeatedAsk), 1);
    // The paper's protocol: identical conditions, so the same nonce passes again.
    let (net, replies) = replay_pow(Limits::unhardened());
    assert_eq!(replies, 3, "one proof of work bought three replies");
    assert_eq!(rejected_at(&net, 1, &RejectReason::PowInsufficient), 0);
}

/// A relay whose fee rises by one satoshi at every ask, as a fee that follows load would, and
/// that forwards its n-th arrival of a topic to its n-th replier only.
struct RisingFee {
    params: PolicyParams,
    next: std::cell::Cell<u64>,
    repliers: Vec<PeerId>,
    arrivals: usize,
}

impl Policy for RisingFee {
    fn params(&self) -> &PolicyParams {
        &self.params
    }
    fn routing_fee(&self, _topic: &Topic) -> u64 {
        let fee = self.next.get();
        self.next.set(fee + 1);
        fee
    }
    fn fanout(
        &mut self,
        _ctx: &FanoutContext<'_>,
        _rng: &mut dyn rand_core::RngCore,
    ) -> Vec<PeerId> {
        self.arrivals += 1;
        vec![self.repliers[self.arrivals - 1]]
    }
}

#[test]
fn a_middleman_accepts_the_fee_it_asked_on_every_arrival_not_only_the_first() {
    // 0 sends through 1 and 2 to middleman 3; 3 asks 10 sat of the first, 11 of the second,
    // and carries the first arrival to replier 4, the second to replier 5.
    let rising = RisingFee {
        params: PolicyParams {
            multibroadcast: 2,
            ..params(10)
        },
        next: std::cell::Cell::new(10),
        repliers: vec![PeerId(4), PeerId(5)],
        arrivals: 0,
    };
    let policies = vec![
        relay(5),
        relay(7),
        relay(11),
        Box::new(rising),
        replier(13, MSG),
        replier(17, MSG),
    ];
    let edges = [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (3, 5)];
    let mut net = Net::builder(policies).edges(&edges).seed(8).build();
    net.broadcast(0);
    net.drive();
    assert_eq!(
        rejected_at(&net, 3, &RejectReason::RoutingInstructionMismatch),
        0
    );
    let amounts: std::collections::BTreeSet<u64> = net
        .events
        .iter()
        .filter_map(|(n, e)| match e {
            Event::InvoiceIssued { amount_sat, .. } if *n == 3 => Some(*amount_sat),
            _ => None,
        })
        .collect();
    assert_eq!(amounts, [10, 11].into(), "an invoice for each fee it asked");
    assert_eq!(net.delivered.len(), 1);
}

/// Node 0's clock runs 1 s ahead: its broadcast's timestamp is re-stamped 1 s later and its
/// proof of work solved again. Returns node 1's rejections of it.
fn future_broadcast(limits: Limits) -> Vec<RejectReason> {
    use std::cell::RefCell;
    use std::rc::Rc;
    let mut net = Net::builder(vec![relay(5), relay(7)])
        .line()
        .seed(91)
        .limits(limits)
        .build();
    let work: Rc<RefCell<Option<WorkRequest>>> = Rc::default();
    let seen = Rc::clone(&work);
    net.tamper = Some(Box::new(
        move |_, _, bytes: &mut Vec<u8>| match Frame::decode(bytes) {
            Ok(Frame::PowBroadcastConditions(c)) => *seen.borrow_mut() = Some(c.work_request),
            Ok(Frame::PowBroadcast(mut b)) => {
                let w = seen.borrow().expect("conditions came first");
                b.broadcast_payload.timestamp =
                    b.broadcast_payload.timestamp + Duration::from_secs(1);
                let data = encode(&b.broadcast_payload);
                b.proof_of_work.nonce = pow::solve(&data, &w, 0, 1 << 24).expect("easy work").0;
                *bytes = Frame::PowBroadcast(b).encode();
            }
            _ => {}
        },
    ));
    net.broadcast(0);
    net.drive();
    net.rejections().into_iter().map(|(.., r)| r).collect()
}

#[test]
fn a_clock_skew_of_a_second_is_tolerated_only_when_hardened() {
    assert_eq!(future_broadcast(Limits::default()), vec![]);
    assert_eq!(
        future_broadcast(Limits::unhardened()),
        vec![RejectReason::TimestampOutOfTolerance]
    );
}
