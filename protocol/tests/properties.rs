//! Property tests of the protocol's invariants over the in-memory driver.

use proptest::prelude::*;
use sweet_gossip::testing::*;
use sweet_gossip::*;

const MSG: &[u8] = b"offer: 12 AUD, arriving in 4 min";

fn line(seed: u64) -> Net {
    Net::new(
        vec![relay(1), relay(7), relay(11), replier(13, MSG)],
        &[(0, 1), (1, 2), (2, 3)],
        seed,
    )
}

/// The first frame of `kind` sent from `from` to `to` in an undisturbed run of `line(seed)`.
fn capture(seed: u64, kind: FrameKind, from: usize, to: usize) -> Vec<u8> {
    let mut net = line(seed);
    net.broadcast(0);
    net.drive();
    net.sent
        .iter()
        .find(|s| s.0 == from && s.1 == to && s.2 == kind)
        .map(|s| s.3.clone())
        .expect("frame sent")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A single altered byte in a broadcast frame is rejected, or decodes to the same topic,
    /// route and fees (harmless); the altered frame never makes a node accept another topic or
    /// fee, and never panics it.
    #[test]
    fn altered_broadcast_frame_is_rejected_or_harmless(pos in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let seed = 11;
        let original = capture(seed, FrameKind::Broadcast, 0, 1);
        let mut net = line(seed);
        net.tamper = Some(Box::new(move |from, to, bytes| {
            if from == 0 && to == 1 && matches!(Frame::decode(bytes), Ok(Frame::PowBroadcast(_))) {
                let i = pos.index(bytes.len());
                bytes[i] ^= xor;
            }
        }));
        net.broadcast(0);
        net.drive();
        let accepted = net.count_events(|e| matches!(e, Event::TopicAccepted { from: PeerId(0), .. }));
        if accepted > 0 {
            let Ok(Frame::PowBroadcast(orig)) = Frame::decode(&original) else { unreachable!() };
            let altered = net.sent.iter().find(|s| s.0 == 0 && s.1 == 1 && s.2 == FrameKind::Broadcast).unwrap();
            let Ok(Frame::PowBroadcast(alt)) = Frame::decode(&altered.3) else {
                return Err(TestCaseError::fail("accepted an undecodable frame"));
            };
            prop_assert_eq!(&alt.broadcast_payload.signed_request_payload, &orig.broadcast_payload.signed_request_payload);
            let (a, o) = (&alt.broadcast_payload.routing_payment_instruction_list, &orig.broadcast_payload.routing_payment_instruction_list);
            // Node 1 checks its own instruction (the last); the ones before it are the sender's
            // decoys, which no middleman can check. An altered decoy costs the sender nothing.
            prop_assert_eq!(a.len(), o.len());
            prop_assert_eq!(a.last(), o.last());
            for d in &net.delivered {
                prop_assert_eq!(&d.message, &MSG.to_vec());
                prop_assert_eq!(d.fee_paid_sat, 7 + 11 + 13);
            }
        } else {
            prop_assert!(net.rejections().iter().any(|r| r.0 == 1));
        }
    }

    /// A single altered byte in a reply frame on its last hop never delivers another message or
    /// makes the sender pay more than the honest route.
    #[test]
    fn altered_reply_frame_is_rejected_or_harmless(pos in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let mut net = line(12);
        net.tamper = Some(Box::new(move |from, to, bytes| {
            if from == 1 && to == 0 {
                let i = pos.index(bytes.len());
                bytes[i] ^= xor;
            }
        }));
        net.broadcast(0);
        net.drive();
        for d in &net.delivered {
            prop_assert_eq!(&d.message, &MSG.to_vec());
            prop_assert_eq!(d.fee_paid_sat, 7 + 11 + 13);
        }
        prop_assert!(net.spent.get(&0).copied().unwrap_or(0) <= 31);
        if net.delivered.is_empty() {
            let decrypt_failed = net.count_events(|e| matches!(e, Event::DecryptFailed { .. }));
            prop_assert!(!net.rejections().is_empty() || decrypt_failed == 1);
        }
    }

    /// Arbitrary bytes from a peer never panic a node and are always rejected.
    #[test]
    fn arbitrary_bytes_are_rejected_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut net = line(13);
        net.inject(1, 2, bytes);
        prop_assert_eq!(net.rejections().len(), 1);
    }

    /// The sender decrypts the reply iff every invoice on its (only) route is paid.
    #[test]
    fn decrypts_iff_every_invoice_paid(fail in proptest::collection::vec(any::<bool>(), 3)) {
        let mut net = line(14);
        for (i, f) in fail.iter().enumerate() {
            if *f {
                net.failing_payees.insert(i + 1);
            }
        }
        net.broadcast(0);
        net.drive();
        let all_paid = !fail.iter().any(|f| *f);
        prop_assert_eq!(net.delivered.len() == 1, all_paid);
        if all_paid {
            prop_assert_eq!(&net.delivered[0].message, &MSG.to_vec());
        } else {
            prop_assert_eq!(net.count_events(|e| matches!(e, Event::ReplyUnpaid { .. })), 1);
        }
    }

    /// A middleman that inflates its invoice is detected; the inflated invoice is never paid.
    #[test]
    fn inflated_invoice_is_detected(hop in 1usize..=2, extra in 1u64..1_000) {
        let mut net = line(15);
        net.tamper = Some(Box::new(move |from, _to, bytes| {
            if from == hop {
                if let Ok(Frame::Reply(mut r)) = Frame::decode(bytes) {
                    if let Some(last) = r.invoices.last_mut() {
                        last.amount += extra;
                    }
                    *bytes = Frame::Reply(r).encode();
                }
            }
        }));
        net.broadcast(0);
        net.drive();
        prop_assert!(net.rejections().iter().any(|r| r.0 == 0 && r.2 == RejectReason::InflatedInvoice));
        prop_assert!(net.delivered.is_empty());
        prop_assert!(net.payments.is_empty());
    }

    /// However often broadcast frames are replayed, no node forwards a payload id more than its
    /// multibroadcast count.
    #[test]
    fn forwards_at_most_multibroadcast_times(multi in 1u32..=3, replays in 0usize..4, seed in 0u64..1000) {
        let policy = |_: usize| -> Box<dyn Policy> {
            let mut p = params(3);
            p.multibroadcast = multi;
            Box::new(TestPolicy { params: p, reply: None })
        };
        // A complete graph on 5 nodes: many routes to every node.
        let edges: Vec<(usize, usize)> = (0..5).flat_map(|a| (a + 1..5).map(move |b| (a, b))).collect();
        let mut net = Net::new((0..5).map(policy).collect(), &edges, seed);
        net.broadcast(0);
        net.drive();
        let frames: Vec<_> = net.sent.iter().filter(|s| s.2 == FrameKind::Broadcast || s.2 == FrameKind::Ask).cloned().collect();
        for _ in 0..replays {
            for (from, to, _, bytes) in &frames {
                net.inject(*from, *to, bytes.clone());
            }
            net.drive();
        }
        for n in 1..5 {
            let accepted = net.events.iter().filter(|(i, e)| *i == n && matches!(e, Event::TopicAccepted { .. })).count();
            prop_assert!(accepted as u32 <= multi, "node {} accepted {} times", n, accepted);
            prop_assert!(accepted >= 1);
        }
    }
}
