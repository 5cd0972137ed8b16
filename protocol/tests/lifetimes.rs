//! Issue 22 item 2: every ask a node keeps has a finite lifetime bounded by its policy, and
//! proof of work it no longer needs is cancelled.

use sweet_gossip::testing::*;
use sweet_gossip::*;

/// 0 = sender, 1 = a middleman whose conditions to 0 are rewritten by `rewrite`.
fn pair(limits: Limits, rewrite: fn(&mut PowBroadcastConditionsFrame)) -> Net {
    let mut net = Net::builder(vec![relay(5), relay(7)])
        .line()
        .seed(22)
        .limits(limits)
        .build();
    net.tamper = Some(Box::new(move |from, to, bytes: &mut Vec<u8>| {
        if (from, to) != (1, 0) {
            return;
        }
        if let Ok(Frame::PowBroadcastConditions(mut f)) = Frame::decode(bytes) {
            rewrite(&mut f);
            *bytes = Frame::PowBroadcastConditions(f).encode();
        }
    }));
    net
}

fn asks_sent(net: &Net) -> usize {
    let asks = net
        .sent
        .iter()
        .filter(|(f, t, k, _)| (*f, *t, *k) == (0, 1, FrameKind::Ask));
    asks.count()
}

fn declined(net: &Net) -> usize {
    net.count_events_at(0, |e| matches!(e, Event::ConditionsDeclined { .. }))
}

/// The reproducer: a peer answers every ask with conditions valid forever and work
/// nobody solves. Before the fix each pinned an ask slot for good (8 asks for 9 topics with
/// `asks_max` 8, and `next_expiry` stuck at `u64::MAX`).
#[test]
fn conditions_valid_forever_are_declined_and_pin_no_ask_slot() {
    let limits = Limits {
        asks_max: 8,
        ..Limits::default()
    };
    let mut net = pair(limits, |f| {
        f.valid_till = Timestamp(u64::MAX);
        f.work_request.pow_target = PowTarget::from_expected_hashes(1 << 36);
        f.routing_payment_instruction.amount = 10_000;
    });
    for _ in 0..9 {
        net.broadcast(0);
        net.drive();
    }
    assert_eq!(asks_sent(&net), 9, "every topic is still offered");
    assert_eq!(declined(&net), 9);
    assert_eq!(
        net.pow_given_up, 0,
        "no work started for declined conditions"
    );
    let day = Timestamp(net.now.0 + 86_400_000_000);
    net.nodes[0].expire(day);
    assert!(net.nodes[0].poll_output().is_none());
    assert_eq!(net.nodes[0].next_expiry(), None, "nothing outlives a day");
}

#[test]
fn conditions_asking_too_much_work_per_satoshi_are_declined() {
    // 2^34 expected hashes for 1 sat: under the absolute cap (1e12), over 1e9 per sat.
    let mut net = pair(Limits::default(), |f| {
        f.work_request.pow_target = PowTarget::from_expected_hashes(1 << 34);
        f.routing_payment_instruction.amount = 1;
    });
    net.broadcast(0);
    net.drive();
    assert_eq!(declined(&net), 1);
    assert_eq!(net.pow_given_up, 0);
    // The same work for a fee that pays for it is accepted (and then given up by the driver).
    let mut net = pair(Limits::default(), |f| {
        f.work_request.pow_target = PowTarget::from_expected_hashes(1 << 34);
        f.routing_payment_instruction.amount = 100;
    });
    net.broadcast(0);
    net.drive();
    assert_eq!((declined(&net), net.pow_given_up), (0, 1));
}

/// Proof of work that outlasts its ask (60 s of work, conditions valid 10 s plus a 10 s
/// timeout) is cancelled when the ask expires, and the driver stops solving it.
#[test]
fn proof_of_work_for_an_expired_ask_is_cancelled() {
    let mut net = Net::builder(vec![relay(5), relay(7)])
        .line()
        .seed(23)
        .pow_time(Duration::from_secs(60))
        .build();
    net.broadcast(0);
    let start = net.now;
    while net.pending() > 1 {
        assert!(net.step());
    }
    // Only the proof of work is left, due at 60 s; at 25 s the ask has expired.
    net.advance_to(start + Duration::from_secs(25));
    net.with_node(0, |n, now| n.expire(now));
    assert_eq!((net.pow_cancelled, net.pending()), (1, 0));
    let forwarded = net.count_events_at(0, |e| matches!(e, Event::TopicForwarded { .. }));
    assert_eq!(forwarded, 0, "no broadcast for an expired ask");
}

/// Honest conditions (valid 10 s, 16 hashes for 7 sat) are never declined by the new bounds.
#[test]
fn honest_conditions_are_accepted() {
    let mut net = pair(Limits::default(), |_| {});
    net.broadcast(0);
    net.drive();
    assert_eq!(declined(&net), 0);
    let forwarded = net.count_events_at(0, |e| matches!(e, Event::TopicForwarded { .. }));
    assert_eq!(forwarded, 1);
}

/// A sender whose payments never come back forgets the topic after its reply deadline plus
/// `seen_ttl`: before, it kept it for good, and a result reported a day later still bought
/// the reply.
#[test]
fn a_sender_forgets_a_topic_whose_payments_never_return() {
    let mut net = Net::builder(vec![relay(5), relay(7), replier(13, b"late")])
        .line()
        .seed(24)
        .build();
    net.withheld = Some(Vec::new());
    net.broadcast(0);
    net.drive();
    let held = net.withheld.take().expect("set above");
    assert_eq!(held.len(), 1, "the replier's invoice is ordered");
    assert!(
        net.nodes[0].next_expiry().is_some(),
        "the topic is due to be forgotten"
    );
    net.advance_to(net.now + Duration::from_secs(86_400));
    for (payer, id, invoices) in held {
        for inv in invoices {
            net.pay_now(payer, id, &inv);
        }
    }
    net.drive();
    assert!(
        net.delivered.is_empty(),
        "a day late, the result is ignored"
    );
}
