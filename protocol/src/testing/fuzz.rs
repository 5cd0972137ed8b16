//! Bodies of the fuzz targets under `fuzz/`, shared with the stable test that replays their
//! corpus (`protocol/tests/fuzz_corpus.rs`). Each panics exactly when an invariant breaks.

use super::{relay, replier, Net};
use crate::{
    AskId, Frame, FrameKind, PayloadId, PaymentFailure, PaymentHash, PaymentOutcome, PeerId,
    Preimage, TimerKind, Timestamp,
};

/// Frame decoding: whatever decodes re-encodes to bytes that decode to the same frame, of the
/// same kind, and encode again identically.
pub fn frame_roundtrip(data: &[u8]) {
    let Ok(frame) = Frame::decode(data) else {
        return;
    };
    let bytes = frame.encode();
    let again = Frame::decode(&bytes).expect("a re-encoded frame decodes");
    assert_eq!(again, frame, "decode . encode is the identity");
    assert_eq!(again.kind(), frame.kind());
    assert_ne!(frame.kind(), FrameKind::Malformed);
    assert_eq!(again.encode(), bytes, "encoding is canonical");
}

/// Nodes in the [`node_inputs`] network: sender 0, middleman 1, replier 2, in a line.
const NODES: usize = 3;

/// Reads bytes off the front of the fuzz input; zeros once exhausted.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        *first
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(std::array::from_fn(|_| self.byte()))
    }
    fn array<const N: usize>(&mut self) -> [u8; N] {
        std::array::from_fn(|_| self.byte())
    }
    fn node(&mut self) -> usize {
        usize::from(self.byte()) % NODES
    }
    fn bytes(&mut self) -> Vec<u8> {
        let n = usize::from(self.byte());
        (0..n).map(|_| self.byte()).collect()
    }
}

/// The payload id of the last broadcast, or one read from the input.
fn payload_id(net: &Net, input: &mut Input<'_>) -> PayloadId {
    let last = net.events.iter().rev().find_map(|(_, e)| match e {
        crate::Event::TopicBroadcast { payload_id } => Some(*payload_id),
        _ => None,
    });
    match (input.byte() % 2, last) {
        (0, Some(id)) => id,
        _ => PayloadId(input.array()),
    }
}

/// One operation read from `input`, applied to `net`.
fn apply(net: &mut Net, input: &mut Input<'_>) {
    match input.byte() % 9 {
        0 => {
            let (from, to, bytes) = (input.node(), input.node(), input.bytes());
            net.inject(from, to, bytes);
        }
        1 => drop(net.drive_bounded(usize::from(input.byte()))),
        2 => {
            let node = input.node();
            drop(net.with_node(node, |n, now| n.broadcast(now, super::taxi())));
        }
        3 => {
            let (node, id) = (input.node(), payload_id(net, input));
            let timer = TimerKind::ReplyDeadline(id);
            net.with_node(node, |n, now| n.handle_timer(now, timer));
        }
        4 => {
            let (node, id, nonce) = (input.node(), AskId(input.u64()), input.u64());
            net.with_node(node, |n, now| n.handle_pow_solved(now, id, nonce));
        }
        5 => {
            let (node, id, hash) = (input.node(), payload_id(net, input), input.array());
            let outcome = match input.byte() % 2 {
                0 => PaymentOutcome::Paid(Preimage(input.array())),
                _ => PaymentOutcome::Failed(PaymentFailure::NoRoute),
            };
            let hash = PaymentHash(hash);
            net.with_node(node, |n, now| {
                n.handle_payment_result(now, id, hash, outcome)
            });
        }
        6 => {
            let ahead = u64::from(input.byte()) * 100_000;
            net.advance_to(Timestamp(net.now.0 + ahead));
        }
        7 | 8 => replay_sent(net, input),
        _ => unreachable!("op % 9"),
    }
}

/// Injects a frame sent earlier, to any node, with one byte flipped or unchanged.
fn replay_sent(net: &mut Net, input: &mut Input<'_>) {
    if net.sent.is_empty() {
        return;
    }
    let i = usize::from(input.byte()) % net.sent.len();
    let (from, to) = (input.node(), input.node());
    let mut bytes = net.sent[i].3.clone();
    let (pos, xor) = (usize::from(input.byte()), input.byte());
    if !bytes.is_empty() {
        let at = pos * bytes.len() / 256;
        bytes[at] ^= xor;
    }
    net.inject(from, to, bytes);
}

/// A [`Node`](crate::Node) fed an arbitrary sequence of frames, timers, proofs of work and
/// payment results. After each step every output is drained (the driver's contract) and time
/// never goes backwards; at the end, once everything has expired, no node holds timed state.
pub fn node_inputs(data: &[u8]) {
    let policies = vec![relay(3), relay(5), replier(7, b"offer")];
    let mut net = Net::builder(policies)
        .line()
        .seed(data.len() as u64)
        .build();
    let mut input = Input(data);
    let mut ops = 0;
    while !input.0.is_empty() && ops < 64 {
        let before = net.now;
        apply(&mut net, &mut input);
        assert!(net.now >= before, "time is monotonic");
        for n in &mut net.nodes {
            assert!(
                n.poll_output().is_none(),
                "outputs are drained after every input"
            );
        }
        ops += 1;
    }
    let idle = net.drive_bounded(100_000);
    assert!(idle, "three nodes idle within 100 000 events");
    let end = Timestamp(u64::MAX / 4);
    for (i, n) in net.nodes.iter_mut().enumerate() {
        n.expire(end);
        while n.poll_output().is_some() {}
        assert_eq!(n.next_expiry(), None, "node {i} forgets everything timed");
        assert!(n.peers().len() < NODES, "no peer appears from nowhere");
        assert!(n
            .peers()
            .iter()
            .all(|p| p.0 < NODES as u64 && *p != PeerId(i as u64)));
    }
}

/// Frames of one undisturbed broadcast and reply along the [`node_inputs`] line: seeds for
/// both targets.
pub fn seed_frames() -> Vec<Vec<u8>> {
    let policies = vec![relay(3), relay(5), replier(7, b"offer")];
    let mut net = Net::builder(policies).line().build();
    net.broadcast(0);
    net.drive();
    net.sent.into_iter().map(|s| s.3).collect()
}
