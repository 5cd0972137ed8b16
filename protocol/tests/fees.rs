//! Fee arithmetic on amounts from the wire (issue 11, hole 1): a middleman asking a fee near
//! `u64::MAX` neither panics the sender nor makes its route look cheap.

use sweet_gossip::testing::*;
use sweet_gossip::*;

const MSG: &[u8] = b"Taxi 7, 3 min away";

/// A relay asking `fee` that accepts any fee from the next hop (the old default).
fn permissive(fee: u64) -> Box<dyn Policy> {
    let mut params = params(fee);
    params.routing_fee_max_sat = u64::MAX;
    Box::new(TestPolicy {
        params,
        reply: None,
    })
}

/// 0 = sender; honest route 0 → 1 → 4 (fees 5 + 13); greedy route 0 → 2 → 3 → 4 where 3 asks
/// `greedy` and 2 lets it. `sender` is the sender's policy.
fn two_routes(sender: Box<dyn Policy>, mid: u64, greedy: u64) -> Net {
    let policies = vec![
        sender,
        relay(5),
        permissive(mid),
        permissive(greedy),
        replier(13, MSG),
    ];
    let mut net = Net::new(policies, &[(0, 1), (1, 4), (0, 2), (2, 3), (3, 4)], 21);
    net.broadcast(0);
    net.drive();
    net
}

fn assert_honest_route_paid(net: &Net) {
    let rejected: Vec<_> = net.rejections();
    assert_eq!(
        rejected,
        [(0, FrameKind::Reply, RejectReason::ExcessiveFee)],
        "the sender refuses the greedy route, nobody else rejects anything"
    );
    assert_eq!(net.delivered.len(), 1);
    assert_eq!(
        net.delivered[0].fee_paid_sat,
        5 + 13,
        "the honest route is paid"
    );
    assert_eq!(net.earned.get(&3), None, "the greedy middleman is not paid");
    assert_eq!(net.spent.get(&0), Some(&18));
}

#[test]
fn a_fee_near_u64_max_neither_panics_the_sender_nor_looks_cheap() {
    // Unchecked, 5 + (u64::MAX - 10) + 13 panics in debug and wraps to 7 sat in release,
    // cheaper than the honest 18 sat.
    let net = two_routes(relay(1), 5, u64::MAX - 10);
    assert_honest_route_paid(&net);
}

#[test]
fn a_route_whose_fees_overflow_is_refused_even_by_a_permissive_sender() {
    // Each hop within a sender cap of u64::MAX, but the sum does not fit in 64 bits.
    let half = u64::MAX / 2 + 1;
    let net = two_routes(permissive(1), half, half);
    assert_honest_route_paid(&net);
}

#[test]
fn the_default_cap_declines_conditions_above_it() {
    let cap = PolicyParams::default().routing_fee_max_sat;
    assert!(
        cap <= u64::MAX / Limits::default().max_hops as u64,
        "a full route cannot overflow"
    );
    let mut net = Net::new(
        vec![relay(1), relay(cap + 1), replier(13, MSG)],
        &[(0, 1), (1, 2)],
        3,
    );
    let mut sender = Net::new(
        vec![relay(1), relay(cap), replier(13, MSG)],
        &[(0, 1), (1, 2)],
        3,
    );
    net.broadcast(0);
    net.drive();
    sender.broadcast(0);
    sender.drive();
    assert_eq!(
        net.count_events(|e| *e == Event::ConditionsDeclined { from: PeerId(1) }),
        1
    );
    assert!(net.delivered.is_empty());
    assert_eq!(sender.delivered.len(), 1, "a fee at the cap is accepted");
}
