//! The line the hardening tests share: sender 0, middlemen 1 and 2, replier 3, and the steps
//! and counts they read it with.
#![allow(dead_code)] // each test file uses its own subset

use sweet_gossip::testing::*;
use sweet_gossip::*;

/// The replier's message.
pub const MSG: &[u8] = b"driver Alice, plate SG-042";

/// 0 = sender, 1 and 2 = middlemen (fees 7 and 11 sat), 3 = replier (13 sat).
pub fn line(seed: u64) -> Net {
    line_with(seed, Limits::default())
}

/// [`line`] with every node bounded by `limits`.
pub fn line_with(seed: u64, limits: Limits) -> Net {
    Net::builder(vec![relay(5), relay(7), relay(11), replier(13, MSG)])
        .line()
        .seed(seed)
        .limits(limits)
        .build()
}

/// Steps until `from` has sent a frame of `kind` to `to`; returns its bytes.
pub fn step_until_sent(net: &mut Net, from: usize, to: usize, kind: FrameKind) -> Vec<u8> {
    loop {
        let found = net
            .sent
            .iter()
            .find(|(f, t, k, _)| (*f, *t, *k) == (from, to, kind));
        if let Some((.., bytes)) = found {
            return bytes.clone();
        }
        assert!(net.step(), "{from} never sent {kind:?} to {to}");
    }
}

/// How many frames `node` rejected for `reason`.
pub fn rejected_at(net: &Net, node: usize, reason: &RejectReason) -> usize {
    net.rejections()
        .iter()
        .filter(|(n, _, r)| *n == node && r == reason)
        .count()
}
