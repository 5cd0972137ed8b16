//! Bounds on a node's state and its defences against peers.

use super::ONION_HOPS;
use crate::onion::OnionFormat;
use crate::time::Duration;

/// Bounds on everything a node keeps, and its defences against peers: peers cannot grow a
/// node's state past these bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Longest route (routing instructions) accepted.
    pub max_hops: usize,
    /// Payload ids remembered for deduplication.
    pub seen_max: usize,
    /// How long a payload id is remembered.
    pub seen_ttl: Duration,
    /// Outstanding conditions issued to originators.
    pub conditions_max: usize,
    /// Outstanding asks sent by this node.
    pub asks_max: usize,
    /// Verified request digests cached (skips re-verifying identical signed requests).
    pub verified_cache_max: usize,
    /// Invoices remembered for settlement feedback.
    pub invoices_max: usize,
    /// Reply routes kept per own topic.
    pub routes_max: usize,
    /// Outstanding conditions one peer may hold at this node: one certified peer asking for
    /// fresh payload ids cannot fill the shared `conditions_max` table and lock others out.
    pub conditions_per_peer_max: usize,
    /// Frames from one peer that may fail a cryptographic check (signature, onion, sealed
    /// preimage) in a burst before the peer is throttled.
    pub crypto_failures_burst: u32,
    /// Failed cryptographic checks per second a peer is forgiven; a throttled peer's asks and
    /// replies are refused before any cryptography until it is back under its burst.
    pub crypto_failures_per_s: u32,
    /// Middlemen verify the replier's certificate and signature before carrying a reply back
    /// (paper 3.8 allows it): forged replies stop at the first middleman instead of costing
    /// every hop two opens and an invoice. Costs two verifications per hop.
    pub relay_verifies_replies: bool,
    /// The hardening of issue 11 (`docs/protocol.md`, "Hardening"). When false the node runs
    /// the paper's protocol as written, for contrast studies only: no reply deduplication, no
    /// check that a carried reply belongs to a forwarded topic, no per-replier route cap, no
    /// per-hop fee cap at the sender (sums stay checked), no per-ask proof-of-work challenge,
    /// no per-peer quota and no throttle. [`Limits::unhardened`] also turns off relay
    /// verification.
    pub hardened: bool,
    /// Rejected replies remembered by the digest of their bytes, each for `seen_ttl`: a
    /// replayed copy is refused as [`crate::RejectReason::DuplicateReply`] after one hash and a
    /// lookup. The oldest is forgotten first beyond this bound.
    pub rejected_max: usize,
    /// Replies a middleman remembers having carried, each for its policy's
    /// `reply_deadline`: when this many are unexpired it refuses new replies
    /// ([`crate::RejectReason::Overloaded`]) rather than forget one, so a replay is refused for the
    /// whole deadline whatever the flood; the rate of carried replies is bounded instead.
    pub carried_max: usize,
    /// How long a replier is refused after a reply it signed failed a check only it could
    /// have caused (a sealed preimage that does not match its payment hash): its replies are
    /// refused before any cryptography, and the peer that carried the reply is not charged.
    pub replier_ban: Duration,
    /// Repliers refused at once; the ban ending first is lifted first beyond this bound.
    pub banned_max: usize,
    /// Layers a padded onion holds when hardened (issue 11 hole 7): every onion is
    /// `onion_hops` × [`crate::onion::PADDED_HEAD_LEN`] bytes, and a middleman forwards a topic
    /// only while its route has fewer instructions than that.
    pub onion_hops: usize,
}

impl Limits {
    /// The onion format: padded to `onion_hops` layers when hardened, else the paper's.
    pub fn onion_format(&self) -> OnionFormat {
        if self.hardened {
            OnionFormat::Padded {
                hops: self.onion_hops,
            }
        } else {
            OnionFormat::Growing
        }
    }

    /// The defaults with every defence of issue 11 off: the paper's protocol, for measuring
    /// what the hardening buys. Never use it for a node that faces real peers.
    pub fn unhardened() -> Self {
        Self {
            hardened: false,
            relay_verifies_replies: false,
            ..Self::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_hops: 64,
            seen_max: 65_536,
            seen_ttl: Duration::from_secs(600),
            conditions_max: 4_096,
            asks_max: 4_096,
            verified_cache_max: 4_096,
            invoices_max: 16_384,
            routes_max: 64,
            conditions_per_peer_max: 64,
            crypto_failures_burst: 32,
            crypto_failures_per_s: 2,
            relay_verifies_replies: true,
            hardened: true,
            onion_hops: ONION_HOPS,
            rejected_max: 4_096,
            carried_max: 16_384,
            replier_ban: Duration::from_secs(600),
            banned_max: 1_024,
        }
    }
}
