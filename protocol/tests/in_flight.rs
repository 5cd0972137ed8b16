//! Issue 22 item 6: a sender's certificate is checked again when the broadcast that answers
//! an ask arrives, so a revocation (or expiry) between ask and broadcast takes effect.

use sweet_gossip::*;

mod common;
use common::{line, step_until_sent};

/// Before: node 1 accepted and forwarded the broadcast, and node 0 got its reply.
#[test]
fn a_sender_revoked_between_ask_and_broadcast_is_refused() {
    let mut net = line(61);
    net.broadcast(0);
    step_until_sent(&mut net, 1, 0, FrameKind::Conditions);
    net.ca.revoke(net.nodes[0].certificate().public_key);
    let list = net.ca.revocation_list(&RealCrypto, net.now);
    let now = net.now;
    net.nodes[1].handle_revocation_list(now, &list).unwrap();
    net.drive();
    let revoked = RejectReason::Certificate(CertificateError::Revoked);
    assert_eq!(net.rejections(), vec![(1, FrameKind::Broadcast, revoked)]);
    assert!(net.delivered.is_empty());
}

/// A certificate that expires between ask (5 ms before) and broadcast (6 ms after) is
/// refused the same way.
#[test]
fn a_sender_certificate_expiring_in_flight_is_refused() {
    let mut net = line(62);
    let not_after = net.nodes[0].certificate().not_valid_after;
    net.advance_to(Timestamp(not_after.0 - 10_000));
    net.latency = Duration::from_millis(5);
    net.broadcast(0);
    net.drive();
    let expired = RejectReason::Certificate(CertificateError::Expired);
    let at_1: Vec<_> = net
        .rejections()
        .into_iter()
        .filter(|(n, ..)| *n == 1)
        .collect();
    assert_eq!(at_1, vec![(1, FrameKind::Broadcast, expired)]);
}
