//! Issue 22 item 4 (active part): a middleman that raises every earlier instruction's amount
//! by 1 sat is refused whether those were real hops or the sender's decoys, so its pay does
//! not tell it which.

use std::cell::RefCell;
use std::rc::Rc;
use sweet_gossip::testing::*;
use sweet_gossip::*;

mod common;
use common::MSG;

/// 0 = sender, 1 and 2 = middlemen, 3 = replier; middleman `attacker` raises every earlier
/// instruction of the broadcast it forwards by 1 sat and solves the proof of work again.
fn probed(seed: u64, attacker: usize) -> Net {
    let mut net = Net::builder(vec![relay(5), relay(7), relay(11), replier(13, MSG)])
        .line()
        .seed(seed)
        .build();
    let work: Rc<RefCell<Option<WorkRequest>>> = Rc::default();
    net.tamper = Some(Box::new(
        move |from, to, bytes: &mut Vec<u8>| match Frame::decode(bytes) {
            Ok(Frame::PowBroadcastConditions(c)) if to == attacker => {
                *work.borrow_mut() = Some(c.work_request);
            }
            Ok(Frame::PowBroadcast(mut b)) if from == attacker => {
                let w = work.borrow().expect("conditions came first");
                let list = &mut b.broadcast_payload.routing_payment_instruction_list;
                let earlier = list.len().saturating_sub(2);
                for i in &mut list[..earlier] {
                    i.amount += 1;
                }
                let data = encode(&b.broadcast_payload);
                b.proof_of_work.nonce = pow::solve(&data, &w, 0, 1 << 24).expect("easy").0;
                *bytes = Frame::PowBroadcast(b).encode();
            }
            _ => {}
        },
    ));
    net
}

/// The first seed whose topic starts with at least one decoy.
fn seed_with_decoys() -> u64 {
    (0..64)
        .find(|&seed| {
            let mut net = probed(seed, 9);
            net.broadcast(0);
            net.drive();
            let Ok(Frame::PowBroadcast(b)) = Frame::decode(&net.frame(0, 1, FrameKind::Broadcast))
            else {
                return false;
            };
            b.broadcast_payload.routing_payment_instruction_list.len() >= 2
        })
        .expect("a third of topics have decoys")
}

/// Before: the first middleman probing only decoys was paid (7 sat), one probing a real hop
/// was not, so pay revealed the sender. Now both are refused for the same reason.
#[test]
fn a_tampered_decoy_amount_is_refused_as_a_tampered_real_one() {
    let seed = seed_with_decoys();
    let mismatch = RejectReason::RoutingInstructionMismatch;
    // Node 1 is adjacent to the sender: every earlier instruction is a decoy.
    let mut net = probed(seed, 1);
    net.broadcast(0);
    net.drive();
    assert_eq!(net.earned.get(&1), None, "the probe is not paid");
    let at_sender: Vec<_> = net
        .rejections()
        .into_iter()
        .filter(|(n, ..)| *n == 0)
        .collect();
    assert_eq!(at_sender, vec![(0, FrameKind::Reply, mismatch.clone())]);
    // Node 2 probes a real hop (node 1) and the decoys: node 1 refuses the same way.
    let mut net = probed(seed, 2);
    net.broadcast(0);
    net.drive();
    assert_eq!(net.earned.get(&2), None);
    let at_1: Vec<_> = net
        .rejections()
        .into_iter()
        .filter(|(n, ..)| *n == 1)
        .collect();
    assert_eq!(at_1, vec![(1, FrameKind::Reply, mismatch)]);
}
