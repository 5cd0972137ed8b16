//! Unit tests of the placement rules and the frame rules.

use super::placement::{corrupt, Sybils};
use super::rules::{outgoing, sender_key, Context, Verdict};
use crate::graph::PeerGraph;
use crate::rng::{stream, Concern};
use crate::scenario::{Attach, Attack, AttackKind};
use crate::workload::Role;
use sweet_gossip::{
    AskForBroadcastFrame, AskId, Certificate, Frame, FrameKind, Geohash, Invoice, Onion, PayloadId,
    PaymentHash, PublicKey, ReplyFrame, ReplyPayload, RequestPayload, Signature,
    SignedReplyPayload, SignedRequestPayload, TaxiTopic, Timestamp, Topic,
};

fn ring(n: u32) -> PeerGraph {
    PeerGraph::from_edges(n, (0..n).flat_map(|i| [(i, (i + 1) % n), (i, (i + 2) % n)]))
        .expect("valid ring")
}

fn sybils(kind: AttackKind, attach: Attach, degree: u32, victim: Option<u32>) -> Sybils {
    Sybils {
        kind,
        attach,
        degree,
        victim,
        target: victim,
    }
}

#[test]
fn corrupted_nodes_are_plain_gossipers() {
    let roles: Vec<Role> = (0..20)
        .map(|i| match i % 4 {
            0 => Role::Customer,
            1 => Role::Worker,
            _ => Role::Gossiper,
        })
        .collect();
    let attack = Attack {
        kind: AttackKind::Silent,
        share: 0.4,
        ..Attack::default()
    };
    let picked = corrupt(&attack, &roles, None, &mut stream(1, 0, Concern::Attack));
    assert_eq!(picked.len(), 8);
    assert!(picked.iter().all(|i| roles[*i as usize] == Role::Gossiper));
    // Asking for more than there are gossipers takes them all, never anyone else.
    let greedy = Attack {
        share: 0.9,
        ..attack
    };
    let all = corrupt(&greedy, &roles, None, &mut stream(1, 0, Concern::Attack));
    assert_eq!(all.len(), 10);
}

#[test]
fn eclipse_replaces_the_victims_slots_and_keeps_its_degree() {
    let mut g = ring(30);
    let mut rng = stream(2, 0, Concern::Attack);
    let plan = sybils(AttackKind::Eclipse, Attach::Random, 3, Some(7));
    assert!(plan.place(&mut g, 6, &mut rng).is_empty());
    assert_eq!(g.node_count(), 36);
    let peers = g.peers(7);
    assert_eq!(peers, &[30, 31, 32, 33], "4 slots, all Sybils");
    for s in 30..36 {
        assert_eq!(
            g.peers(s).len(),
            3,
            "Sybil {s}: the victim counts as one slot"
        );
    }
    // Fewer Sybils than slots: a partial eclipse.
    let mut g = ring(30);
    let plan = sybils(AttackKind::Eclipse, Attach::Random, 3, Some(7));
    plan.place(&mut g, 2, &mut rng);
    let peers = g.peers(7);
    assert_eq!(peers.len(), 4);
    assert_eq!(peers.iter().filter(|p| **p >= 30).count(), 2);
}

#[test]
fn cold_boot_splits_honest_links_and_keeps_honest_degrees() {
    let honest = ring(40);
    let mut g = honest.clone();
    let plan = sybils(AttackKind::ColdBoot, Attach::Random, 4, None);
    plan.place(&mut g, 5, &mut stream(3, 0, Concern::Attack));
    for h in 0..40 {
        assert_eq!(g.peers(h).len(), honest.peers(h).len(), "node {h}");
    }
    for s in 40..45 {
        assert_eq!(g.peers(s).len(), 4);
    }
    let honest_links = g.edges().filter(|(a, b)| *a < 40 && *b < 40).count() as u64;
    assert_eq!(honest_links, honest.edge_count() - 10);
}

#[test]
fn targeted_sybils_crowd_the_victim_and_flash_sybils_wait() {
    let mut g = ring(20);
    g.add_edge(12, 3);
    g.add_edge(12, 5);
    let plan = sybils(AttackKind::Sybil, Attach::Targeted, 2, Some(9));
    plan.place(&mut g, 4, &mut stream(4, 0, Concern::Attack));
    // Every Sybil has the victim; the other slot rotates through the busiest nodes (12 of
    // degree 4, then 3 and 5 of degree 3, then by index), so Sybils do not all share one peer.
    let other = |s: u32| {
        let p = g.peers(s);
        assert!(p.contains(&9), "Sybil {s} links the victim: {p:?}");
        p.iter().copied().find(|x| *x != 9).expect("two peers")
    };
    assert_eq!([other(20), other(21), other(22), other(23)], [12, 3, 5, 0]);
    let mut g = ring(20);
    let plan = sybils(AttackKind::Flash, Attach::Random, 3, None);
    let later = plan.place(&mut g, 2, &mut stream(4, 0, Concern::Attack));
    assert_eq!(later.len(), 6);
    assert!(g.peers(20).is_empty() && g.peers(21).is_empty());
}

fn certificate(key: u8) -> Certificate {
    Certificate {
        public_key: PublicKey([key; 32]),
        name: "member".into(),
        value: String::new(),
        not_valid_before: Timestamp(0),
        not_valid_after: Timestamp(1),
        ca_name: "ca".into(),
        ca_signature: Signature([0; 64]),
    }
}

fn request(sender: u8) -> SignedRequestPayload {
    SignedRequestPayload {
        payload: RequestPayload {
            payload_id: PayloadId([sender; 16]),
            topic: Topic::Taxi(TaxiTopic {
                pickup_geohash: Geohash::encode(-33.86, 151.2, 7),
                dropoff_geohash: Geohash::encode(-33.8, 151.1, 7),
                pickup_after: Timestamp(0),
                dropoff_before: Timestamp(1),
            }),
            sender_certificate: certificate(sender),
        },
        signature: Signature([0; 64]),
    }
}

fn reply(sender: u8, amounts: &[u64]) -> Vec<u8> {
    let invoices = amounts
        .iter()
        .enumerate()
        .map(|(i, a)| Invoice {
            account: PublicKey([i as u8; 32]),
            payment_hash: PaymentHash([i as u8; 32]),
            amount: *a,
        })
        .collect();
    Frame::Reply(ReplyFrame {
        replier_certificate: certificate(99),
        signed_reply_payload: SignedReplyPayload {
            payload: ReplyPayload {
                signed_request_payload: request(sender),
                encrypted_message: vec![1, 2, 3],
                payment_crypto_instruction_list: Vec::new(),
            },
            signature: Signature([0; 64]),
        },
        forward_onion: Onion::default(),
        invoices,
    })
    .encode()
}

fn ctx(kind: AttackKind) -> Context {
    Context {
        kind,
        now: Timestamp(10),
        start: Timestamp(10),
        victim: Some(3),
        victim_key: Some(PublicKey([1; 32])),
        inflate_factor: 2.5,
    }
}

fn invoices(v: &Verdict) -> Vec<u64> {
    let bytes = match v {
        Verdict::Pass(b) | Verdict::Tampered { bytes: b, .. } => b,
        Verdict::Drop => return Vec::new(),
    };
    match Frame::decode(bytes).expect("valid frame") {
        Frame::Reply(f) => f.invoices.iter().map(|i| i.amount).collect(),
        other => panic!("not a reply: {other:?}"),
    }
}

#[test]
fn dishonest_middlemen_rewrite_only_their_own_invoice() {
    let bytes = reply(2, &[10, 10, 10]);
    let v = outgoing(
        &ctx(AttackKind::InflateInvoice),
        0,
        FrameKind::Reply,
        bytes.clone(),
    );
    assert_eq!(invoices(&v), vec![10, 10, 25]);
    assert!(matches!(v, Verdict::Tampered { inflated: Some((h, 10)), .. } if h.0 == [2; 32]));
    let v = outgoing(
        &ctx(AttackKind::WithholdInvoice),
        0,
        FrameKind::Reply,
        bytes.clone(),
    );
    assert_eq!(v, Verdict::Pass(bytes), "a withholder invoices honestly");
    let garbage = vec![0xff; 7];
    let v = outgoing(
        &ctx(AttackKind::InflateInvoice),
        0,
        FrameKind::Reply,
        garbage.clone(),
    );
    assert_eq!(
        v,
        Verdict::Pass(garbage),
        "bad bytes are passed, never a panic"
    );
}

#[test]
fn censors_and_eclipsers_recognise_the_victims_topics() {
    let ask = |sender| {
        Frame::AskForBroadcast(AskForBroadcastFrame {
            ask_id: AskId(1),
            signed_request_payload: request(sender),
        })
        .encode()
    };
    assert_eq!(sender_key(&ask(1)), Some(PublicKey([1; 32])));
    assert_eq!(sender_key(&reply(1, &[1])), Some(PublicKey([1; 32])));
    let c = ctx(AttackKind::Censorship);
    assert_eq!(outgoing(&c, 0, FrameKind::Ask, ask(1)), Verdict::Drop);
    assert_eq!(
        outgoing(&c, 0, FrameKind::Reply, reply(1, &[1])),
        Verdict::Drop
    );
    assert_eq!(
        outgoing(&c, 0, FrameKind::Ask, ask(2)),
        Verdict::Pass(ask(2))
    );
    let e = ctx(AttackKind::Eclipse);
    assert_eq!(
        outgoing(&e, 3, FrameKind::Ask, ask(2)),
        Verdict::Drop,
        "to the victim"
    );
    let cond = vec![9, 9];
    assert_eq!(
        outgoing(&e, 3, FrameKind::Conditions, cond.clone()),
        Verdict::Pass(cond)
    );
    assert_eq!(
        outgoing(&e, 4, FrameKind::Ask, ask(2)),
        Verdict::Pass(ask(2))
    );
}

/// The warm-up: every kind passes every frame before the strike, and drops from it on.
#[test]
fn every_kind_forwards_until_it_strikes() {
    let bytes = reply(1, &[10, 10]);
    for kind in [
        AttackKind::Silent,
        AttackKind::Sybil,
        AttackKind::CovertFlash,
        AttackKind::ColdBoot,
        AttackKind::Censorship,
        AttackKind::Eclipse,
        AttackKind::InflateInvoice,
    ] {
        let mut c = ctx(kind);
        c.now = Timestamp(9);
        let v = outgoing(&c, 3, FrameKind::Reply, bytes.clone());
        assert_eq!(
            v,
            Verdict::Pass(bytes.clone()),
            "{kind:?} before the strike"
        );
        c.now = Timestamp(10);
        let v = outgoing(&c, 3, FrameKind::Reply, bytes.clone());
        assert_ne!(v, Verdict::Pass(bytes.clone()), "{kind:?} at the strike");
    }
    let c = ctx(AttackKind::CovertFlash);
    let bytes = vec![1, 2, 3];
    assert_eq!(
        outgoing(&c, 0, FrameKind::Broadcast, bytes.clone()),
        Verdict::Drop
    );
    assert_eq!(
        outgoing(&c, 0, FrameKind::Conditions, bytes.clone()),
        Verdict::Pass(bytes)
    );
}
