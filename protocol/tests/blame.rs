//! Issue 22 item 1: a node never charges a peer for a failure that peer could not detect. It
//! blames the replier whose signature covers the bad content and refuses its replies for a
//! while.

use rand::SeedableRng;
use sweet_gossip::testing::*;
use sweet_gossip::*;

/// 0 = sender, 1 and 2 = middlemen; 3 = a malicious replier and 4 = an honest one, both
/// behind node 2.
fn diamond(seed: u64) -> Net {
    let policies = vec![
        relay(5),
        relay(7),
        relay(11),
        replier(13, b"evil"),
        replier(17, b"good"),
    ];
    Net::builder(policies)
        .edges(&[(0, 1), (1, 2), (2, 3), (2, 4)])
        .seed(seed)
        .build()
}

/// Replier 3's genuine reply `genuine` re-signed with a fresh, valid preimage for node 2
/// (so node 2 carries it) and junk sealed to node 1 (so node 1 finds a preimage mismatch).
fn poisoned(net: &mut Net, genuine: &[u8], id: &PayloadId, k: u8) -> Vec<u8> {
    let Ok(Frame::Reply(mut f)) = Frame::decode(genuine) else {
        panic!("a reply");
    };
    let (a1, a2) = (net.account(1, id), net.account(2, id));
    let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(u64::from(k));
    let payload = &mut f.signed_reply_payload.payload;
    for i in &mut payload.payment_crypto_instruction_list {
        if i.account == a2 {
            let p = Preimage([k; 32]);
            i.payment_hash = p.payment_hash();
            i.sealed_preimage = RealCrypto.seal(&a2, &p.0, &mut rng).unwrap();
        } else if i.account == a1 {
            i.sealed_preimage = RealCrypto.seal(&a1, &[!k; 32], &mut rng).unwrap();
        }
    }
    let identity = &net.configs[3].keys.held().expect("held keys").identity;
    f.signed_reply_payload =
        SignedReplyPayload::sign(&RealCrypto, identity, payload.clone()).unwrap();
    Frame::Reply(f).encode()
}

fn replies_sent(net: &Net, from: usize, to: usize) -> Vec<Vec<u8>> {
    let sent = net
        .sent
        .iter()
        .filter(|(f, t, k, _)| (*f, *t, *k) == (from, to, FrameKind::Reply));
    sent.map(|(.., b)| b.clone()).collect()
}

/// The reproducer: before, 40 such replies made node 1 throttle honest node 2, and
/// node 0's next topic got no reply (0 delivered); now replier 3 is refused instead, and the
/// honest replier's reply arrives.
#[test]
fn a_replier_poisoning_an_upstream_instruction_is_blamed_not_the_relay() {
    let mut net = diamond(71);
    let id = net.broadcast(0);
    net.drive();
    assert_eq!(net.delivered.len(), 1);
    let genuine = replies_sent(&net, 3, 2).remove(0);
    for k in 0..40 {
        let bad = poisoned(&mut net, &genuine, &id, k);
        net.inject(3, 2, bad);
        net.drive();
    }
    let mismatches = net
        .rejections()
        .into_iter()
        .filter(|(n, _, r)| *n == 1 && *r == RejectReason::PreimageMismatch);
    assert_eq!(
        mismatches.count(),
        1,
        "one strike bans the replier at node 1"
    );
    let second = net.broadcast(0);
    net.drive();
    let got: Vec<&[u8]> = net
        .delivered
        .iter()
        .filter(|d| d.payload_id == second)
        .map(|d| &d.message[..])
        .collect();
    assert_eq!(
        got,
        vec![&b"good"[..]],
        "the honest replier's reply still arrives"
    );
    let throttled = net
        .rejections()
        .into_iter()
        .filter(|(n, _, r)| *n == 1 && *r == RejectReason::Throttled);
    assert!(
        throttled.count() >= 40,
        "replier 3's replies refused before any cryptography"
    );
}

/// The ban ends: after `replier_ban` replier 3's replies are carried again.
#[test]
fn a_replier_ban_expires() {
    let mut net = diamond(72);
    let id = net.broadcast(0);
    net.drive();
    let genuine = replies_sent(&net, 3, 2).remove(0);
    let bad = poisoned(&mut net, &genuine, &id, 1);
    net.inject(3, 2, bad);
    net.drive();
    let ban = Limits::default().replier_ban;
    net.advance_to(net.now + ban + Duration::from_secs(1));
    let before = net.count_events_at(1, |e| matches!(e, Event::ReplyForwarded { .. }));
    net.broadcast(0);
    net.drive();
    let after = net.count_events_at(1, |e| matches!(e, Event::ReplyForwarded { .. }));
    assert_eq!(
        after - before,
        2,
        "both repliers' replies carried after the ban"
    );
}
