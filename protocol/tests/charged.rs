//! Issue 22 items 5 and 7: work done for a peer is charged. A rejected reply replayed costs a
//! lookup, junk broadcasts free no quota slot, and reply deduplication holds whatever the
//! flood. Each test is the reproducer, smaller.

use sweet_gossip::testing::*;
use sweet_gossip::*;

mod common;
use common::{line_with as line, rejected_at, step_until_sent, MSG};

const REPLAYS: usize = 100;

/// Crypto operations that cost a node real work (everything but hashes).
fn heavy(c: CryptoCounts) -> [u64; 4] {
    [c.verify, c.open, c.derive, c.sym_decrypt]
}

/// Before: 2 verifications per replayed invoice-stripped reply at the sender (2000 for 1000).
#[test]
fn a_replayed_stripped_reply_costs_the_sender_one_check_only() {
    let mut net = line(52, Limits::default());
    let id = net.broadcast(0);
    let bytes = step_until_sent(&mut net, 1, 0, FrameKind::Reply);
    let Ok(Frame::Reply(mut f)) = Frame::decode(&bytes) else {
        panic!("a reply");
    };
    f.invoices.clear();
    let stripped = Frame::Reply(f).encode();
    net.inject(1, 0, stripped.clone());
    assert_eq!(rejected_at(&net, 0, &RejectReason::MissingInvoice), 1);
    let first = net.nodes[0].crypto_counts();
    for _ in 0..REPLAYS {
        net.inject(1, 0, stripped.clone());
    }
    let after = net.nodes[0].crypto_counts();
    assert_eq!(heavy(after), heavy(first), "replays cost no verification");
    let refused = net.rejections().iter().filter(|(n, ..)| *n == 0).count();
    assert_eq!(refused, REPLAYS + 1, "every copy is refused");
    net.drive();
    assert_eq!(
        net.delivered.len(),
        1,
        "the genuine reply of {id:?} still arrives"
    );
}

/// Before: a certified replier replaying one bad-fee reply cost a middleman 2 verifications,
/// 1 open and 1 key derivation per copy.
#[test]
fn a_replayed_bad_fee_reply_costs_the_middleman_one_check_only() {
    let mut net = line(53, Limits::default());
    let id = net.broadcast(0);
    let bytes = step_until_sent(&mut net, 3, 2, FrameKind::Reply);
    let Ok(Frame::Reply(mut f)) = Frame::decode(&bytes) else {
        panic!("a reply");
    };
    let mine = net.account(2, &id);
    let payload = &mut f.signed_reply_payload.payload;
    for i in &mut payload.payment_crypto_instruction_list {
        if i.account == mine {
            i.amount += 1;
        }
    }
    let creds = net.configs[3]
        .keys
        .held()
        .expect("test nodes hold their keys")
        .clone();
    let crypto = net.configs[3].crypto.clone();
    f.signed_reply_payload =
        SignedReplyPayload::sign(crypto.as_ref(), &creds.identity, payload.clone()).unwrap();
    let bad = Frame::Reply(f).encode();
    net.inject(3, 2, bad.clone());
    assert_eq!(
        rejected_at(&net, 2, &RejectReason::RoutingInstructionMismatch),
        1
    );
    let first = net.nodes[2].crypto_counts();
    assert_eq!(first.open, 0, "a bad fee is refused before any open");
    for _ in 0..REPLAYS {
        net.inject(3, 2, bad.clone());
    }
    let after = net.nodes[2].crypto_counts();
    assert_eq!(heavy(after), heavy(first), "replays cost no verification");
    let refused = net.rejections().iter().filter(|(n, ..)| *n == 2).count();
    assert_eq!(refused, REPLAYS + 1);
}

/// Before: a junk broadcast removed the conditions it claimed to meet, so a peer could ask
/// and send junk forever: 8 topics with a quota of 4 gave 0 `quota_exceeded`.
#[test]
fn junk_broadcasts_free_no_quota_slot() {
    let limits = Limits {
        conditions_per_peer_max: 4,
        ..Limits::default()
    };
    let mut net = Net::builder(vec![relay(5), relay(7)])
        .line()
        .seed(54)
        .limits(limits)
        .build();
    net.tamper = Some(Box::new(|from, to, bytes: &mut Vec<u8>| {
        if (from, to) != (0, 1) {
            return;
        }
        if let Ok(Frame::PowBroadcast(mut f)) = Frame::decode(bytes) {
            f.proof_of_work.pow_target = PowTarget::from_expected_hashes(1);
            *bytes = Frame::PowBroadcast(f).encode();
        }
    }));
    for k in 1..=8 {
        net.broadcast(0);
        let answered = |net: &Net| {
            rejected_at(net, 1, &RejectReason::PowMismatch)
                + rejected_at(net, 1, &RejectReason::QuotaExceeded)
        };
        while answered(&net) < k {
            assert!(net.step());
        }
    }
    assert_eq!(rejected_at(&net, 1, &RejectReason::PowMismatch), 4);
    assert_eq!(rejected_at(&net, 1, &RejectReason::QuotaExceeded), 4);
}

/// Before: with room for 2 invoices (`invoices_max`, which bounded carried replies too), two more replies made a middleman forget the
/// first, which could then be replayed and invoiced again. Now each is kept for the reply
/// deadline, and a middleman that holds `carried_max` of them refuses more instead.
#[test]
fn a_flood_of_replies_does_not_make_a_middleman_forget_a_carried_one() {
    let limits = Limits {
        carried_max: 2,
        ..Limits::default()
    };
    // 0 = sender, 1 = the middleman, 2 = replier.
    let mut net = Net::builder(vec![relay(5), relay(7), replier(13, MSG)])
        .line()
        .seed(55)
        .limits(limits)
        .build();
    net.broadcast(0);
    let first = step_until_sent(&mut net, 2, 1, FrameKind::Reply);
    for _ in 0..2 {
        net.broadcast(0);
    }
    // Every topic's reply reaches node 1 well within the 5 s reply deadline.
    let handled = |net: &Net| {
        let forwarded = net.count_events_at(1, |e| matches!(e, Event::ReplyForwarded { .. }));
        let all = net.rejections();
        forwarded
            + all
                .iter()
                .filter(|(n, k, _)| *n == 1 && *k == FrameKind::Reply)
                .count()
    };
    while handled(&net) < 3 {
        assert!(net.step());
    }
    net.inject(2, 1, first);
    assert_eq!(
        rejected_at(&net, 1, &RejectReason::DuplicateReply),
        1,
        "the replay is refused"
    );
    let invoices = net.count_events_at(1, |e| matches!(e, Event::InvoiceIssued { .. }));
    assert_eq!(
        invoices, 2,
        "two replies carried, the third refused, the replay refused"
    );
}
