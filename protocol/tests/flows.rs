//! End-to-end flows of the paper over the in-memory driver.

use sweet_gossip::testing::*;
use sweet_gossip::*;

const MSG: &[u8] = b"driver Alice, plate SG-042, call +61 400 000 000";

#[test]
fn line_sender_gets_plaintext_and_every_middleman_is_paid_its_fee() {
    // 0 = sender, 1 = M1 (fee 7), 2 = M2 (fee 11), 3 = replier (fee 13).
    let mut net = Net::new(
        vec![relay(5), relay(7), relay(11), replier(13, MSG)],
        &[(0, 1), (1, 2), (2, 3)],
        1,
    );
    let id = net.broadcast(0);
    net.drive();
    assert_eq!(net.delivered.len(), 1, "events: {:?}", net.rejections());
    let d = &net.delivered[0];
    assert_eq!((d.node, d.payload_id), (0, id));
    assert_eq!(d.message, MSG);
    assert_eq!(d.route_length, 3);
    assert_eq!(d.fee_paid_sat, 7 + 11 + 13);
    assert_eq!(net.earned.get(&1), Some(&7));
    assert_eq!(net.earned.get(&2), Some(&11));
    assert_eq!(net.earned.get(&3), Some(&13));
    assert_eq!(net.earned.get(&0), None, "the sender earns nothing");
    assert_eq!(net.spent.get(&0), Some(&31));
    assert!(net.rejections().is_empty(), "{:?}", net.rejections());
    // Every node verified the topic exactly once.
    for n in 1..=3 {
        let accepted = net
            .events
            .iter()
            .filter(|(i, e)| *i == n && matches!(e, Event::TopicAccepted { .. }))
            .count();
        assert_eq!(accepted, 1, "node {n}");
    }
    // Each middleman settled its invoice and learned the reply was paid.
    assert_eq!(
        net.count_events(|e| matches!(e, Event::InvoiceSettled { .. })),
        3
    );
}

#[test]
fn diamond_pays_the_cheaper_route() {
    // 0 = sender; 1 = cheap middleman (fee 5); 2 = dear middleman (fee 50); 3 = replier.
    let mut net = Net::new(
        vec![relay(1), relay(5), relay(50), replier(13, MSG)],
        &[(0, 1), (0, 2), (1, 3), (2, 3)],
        2,
    );
    net.broadcast(0);
    net.drive();
    assert_eq!(
        net.count_events(|e| matches!(e, Event::ReplyReceived { .. })),
        2
    );
    assert_eq!(net.delivered.len(), 1);
    assert_eq!(net.delivered[0].message, MSG);
    assert_eq!(net.delivered[0].fee_paid_sat, 5 + 13);
    assert_eq!(net.earned.get(&1), Some(&5));
    assert_eq!(net.earned.get(&2), None, "the dear route is not paid");
    assert_eq!(net.earned.get(&3), Some(&13));
}

#[test]
fn failed_payment_recovers_over_the_other_route_paying_only_missing_invoices() {
    let mut net = Net::new(
        vec![relay(1), relay(5), relay(50), replier(13, MSG)],
        &[(0, 1), (0, 2), (1, 3), (2, 3)],
        3,
    );
    // The cheap middleman's invoice cannot be paid.
    net.failing_payees.insert(1);
    net.broadcast(0);
    net.drive();
    assert_eq!(net.delivered.len(), 1, "{:?}", net.rejections());
    assert_eq!(net.delivered[0].message, MSG);
    // First attempt: replier (13) paid, cheap (5) failed. Second: only the dear middleman (50);
    // the replier's preimage is the same on both routes and is not paid twice.
    let amounts: Vec<u64> = net.payments.iter().map(|p| p.2).collect();
    assert_eq!(
        amounts.iter().filter(|a| **a == 13).count(),
        1,
        "{amounts:?}"
    );
    assert_eq!(amounts.iter().sum::<u64>(), 13 + 50);
    assert_eq!(net.delivered[0].fee_paid_sat, 63);
    assert_eq!(net.earned.get(&1), None);
    assert_eq!(net.earned.get(&2), Some(&50));
    assert_eq!(net.earned.get(&3), Some(&13));
    assert_eq!(
        net.count_events(|e| matches!(e, Event::PaymentFailed { .. })),
        1
    );
}

#[test]
fn revoked_replier_certificate_is_rejected() {
    let crypto = RealCrypto;
    let mut ca = CertificateAuthority::new("ca", crypto.keypair_from_seed([200; 32]));
    // Node 3's identity key, as the harness derives it.
    let mut seed = [1u8; 32];
    seed[..8].copy_from_slice(&3u64.to_le_bytes());
    ca.revoke(crypto.keypair_from_seed(seed).public());
    let mut trust = TrustStore::new();
    trust.trust("ca", ca.public_key());
    trust
        .apply_revocation_list(&crypto, &ca.revocation_list(&crypto, Timestamp(1)))
        .unwrap();
    let mut net = Net::builder(vec![relay(1), relay(7), replier(13, MSG), replier(13, MSG)])
        .edges(&[(0, 1), (1, 3)])
        .seed(4)
        .authority(ca, trust)
        .build();
    let id = net.broadcast(0);
    net.drive();
    assert!(net.delivered.is_empty());
    // The middleman verifies replies (`Limits::relay_verifies_replies`): it stops it first.
    assert!(net.rejections().iter().any(|(n, k, r)| *n == 1
        && *k == FrameKind::Reply
        && *r == RejectReason::Certificate(CertificateError::Revoked)));
    assert_eq!(
        net.count_events(|e| *e == Event::NoReply { payload_id: id }),
        1
    );
    assert!(net.payments.is_empty());
}

#[test]
fn expired_conditions_are_rejected() {
    let mut net = Net::new(
        vec![relay(1), relay(7), replier(13, MSG)],
        &[(0, 1), (1, 2)],
        5,
    );
    // Proof of work takes longer than the 10 s the conditions stay valid.
    net.pow_time = Duration::from_secs(11);
    net.broadcast(0);
    net.drive();
    assert!(net.delivered.is_empty());
    assert!(net.rejections().iter().any(|(n, k, r)| *n == 1
        && *k == FrameKind::Broadcast
        && *r == RejectReason::ConditionsExpired));
    assert_eq!(
        net.count_events(|e| matches!(e, Event::TopicAccepted { .. })),
        0
    );
}

#[test]
fn replayed_broadcast_is_rejected_and_not_forwarded_again() {
    let mut net = Net::new(
        vec![relay(1), relay(7), relay(9), replier(13, MSG)],
        &[(0, 1), (1, 2), (2, 3)],
        6,
    );
    net.broadcast(0);
    net.drive();
    let (from, to, _, bytes) = net
        .sent
        .iter()
        .find(|s| s.2 == FrameKind::Broadcast && s.1 == 1)
        .cloned()
        .unwrap();
    let before = net.count_events(|e| matches!(e, Event::TopicForwarded { .. }));
    net.inject(from, to, bytes);
    net.drive();
    assert_eq!(
        net.count_events(|e| matches!(e, Event::TopicForwarded { .. })),
        before
    );
    assert!(net
        .rejections()
        .iter()
        .any(|r| r.2 == RejectReason::UnknownAsk));
}

#[test]
fn withheld_invoice_is_detected_and_routed_around() {
    // Middleman 1 strips its invoice from replies; the sender must use the route via 2.
    let mut net = Net::new(
        vec![relay(1), relay(5), relay(50), replier(13, MSG)],
        &[(0, 1), (0, 2), (1, 3), (2, 3)],
        7,
    );
    net.tamper = Some(Box::new(|from, to, bytes| {
        if from == 1 && to == 0 {
            if let Ok(Frame::Reply(mut r)) = Frame::decode(bytes) {
                r.invoices.pop();
                *bytes = Frame::Reply(r).encode();
            }
        }
    }));
    net.broadcast(0);
    net.drive();
    assert!(net
        .rejections()
        .iter()
        .any(|r| r.2 == RejectReason::MissingInvoice));
    assert_eq!(net.delivered.len(), 1);
    assert_eq!(net.delivered[0].fee_paid_sat, 50 + 13);
}

#[test]
fn geohash_finer_than_policy_is_refused() {
    let mut p = params(1);
    p.geohash_precision_max = 6;
    let strict: Box<dyn Policy> = Box::new(TestPolicy {
        params: p,
        reply: None,
    });
    let mut net = Net::new(vec![relay(1), strict], &[(0, 1)], 8);
    net.broadcast(0);
    net.drive();
    assert!(net
        .rejections()
        .iter()
        .any(|r| r.1 == FrameKind::Ask && r.2 == RejectReason::TopicRefused));
}

/// Two routes to each of two repliers, with every middleman's ask timeout set to `ask_ms`.
fn mesh(shared: bool, eager_expiry: bool, ask_ms: u64) -> Net {
    let with_timeout = |mut p: Box<dyn Policy>| {
        let params = PolicyParams {
            ask_timeout: Duration::from_millis(ask_ms),
            ..p.params().clone()
        };
        p = Box::new(TestPolicy {
            params,
            reply: None,
        });
        p
    };
    let policies = vec![
        with_timeout(relay(1)),
        with_timeout(relay(5)),
        with_timeout(relay(9)),
        with_timeout(relay(3)),
        replier(13, MSG),
        replier(17, MSG),
    ];
    let edges = [
        (0, 1),
        (0, 2),
        (1, 3),
        (2, 3),
        (1, 4),
        (3, 4),
        (2, 5),
        (3, 5),
    ];
    let mut net = if shared {
        Net::builder(policies)
            .edges(&edges)
            .seed(7)
            .shared()
            .build()
    } else {
        Net::new(policies, &edges, 7)
    };
    net.eager_expiry = eager_expiry;
    net.broadcast(0);
    net.drive();
    net
}

fn assert_same_run(a: &Net, b: &Net) {
    assert_eq!(format!("{:?}", a.events), format!("{:?}", b.events));
    assert_eq!(a.sent, b.sent);
    assert_eq!(a.payments, b.payments);
    assert_eq!(format!("{:?}", a.delivered), format!("{:?}", b.delivered));
}

#[test]
fn sharing_requests_and_keys_changes_nothing() {
    // The directory gives node 1 a wrong key: its peers must keep the right one.
    let (plain, shared) = (mesh(false, false, 10_000), mesh(true, false, 10_000));
    let pool = shared
        .sharing
        .requests
        .as_ref()
        .expect("shared nodes have a pool");
    assert_eq!(pool.len(), 1, "every forwarder interned the one request");
    assert!(!plain.delivered.is_empty(), "{:?}", plain.rejections());
    assert!(!plain.payments.is_empty());
    assert_same_run(&plain, &shared);
}

#[test]
fn expiring_state_early_changes_nothing() {
    // A 15 ms ask timeout against 10 ms links: some conditions come too late.
    for ask_ms in [15, 10_000] {
        let (lazy, eager) = (mesh(false, false, ask_ms), mesh(false, true, ask_ms));
        assert_same_run(&lazy, &eager);
        if ask_ms == 15 {
            assert!(lazy
                .rejections()
                .iter()
                .any(|r| r.2 == RejectReason::UnexpectedConditions));
        }
    }
    // Once everything expired, an idle node announces nothing left to forget.
    let mut net = mesh(false, true, 15);
    let end = Timestamp(u64::MAX / 4);
    for n in &mut net.nodes {
        n.expire(end);
        assert_eq!(n.next_expiry(), None);
    }
}

#[test]
fn invoices_past_the_limit_are_forgotten_oldest_first() {
    let line = || vec![relay(5), relay(7), relay(11), replier(13, MSG)];
    let settled = |invoices_max: usize| {
        let limits = Limits {
            invoices_max,
            ..Limits::default()
        };
        let mut net = Net::builder(line()).line().seed(1).limits(limits).build();
        net.broadcast(0);
        net.drive();
        assert_eq!(net.delivered.len(), 1, "{:?}", net.rejections());
        net.count_events(|e| matches!(e, Event::InvoiceSettled { .. }))
    };
    assert_eq!(
        settled(1),
        3,
        "each node issued one invoice and remembers it"
    );
    assert_eq!(
        settled(0),
        0,
        "nothing remembered: payment still works, no feedback"
    );
}

#[test]
fn a_repeated_ask_is_rejected_while_conditions_are_outstanding() {
    let mut net = Net::new(vec![relay(5), relay(7)], &[(0, 1)], 3);
    net.broadcast(0);
    assert!(net.step(), "the ask reaches node 1");
    let (_, _, kind, ask) = net.sent[0].clone();
    assert_eq!(kind, FrameKind::Ask);
    let now = net.now;
    net.nodes[1].handle_frame(now, PeerId(0), &ask);
    let mut reasons = Vec::new();
    while let Some(out) = net.nodes[1].poll_output() {
        if let Output::Event(Event::FrameRejected { reason, .. }) = out {
            reasons.push(reason);
        }
    }
    assert_eq!(reasons, vec![RejectReason::RepeatedAsk]);
    // The first ask still completes.
    net.drive();
    assert_eq!(
        net.count_events(|e| matches!(e, Event::TopicAccepted { .. })),
        1
    );
}
