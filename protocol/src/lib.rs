//! Sweet-Gossip: a proof-of-work protected gossip protocol on the Lightning Network, as a
//! sans-IO state machine with real cryptography.
//!
//! A [`Node`] never does I/O, never reads a clock and never draws randomness from anywhere but
//! the seeded RNG it is built with. The driver (a simulator, a test harness or a real network
//! stack) feeds it inputs, each carrying `now`:
//!
//! - [`Node::handle_frame`]: bytes from a peer;
//! - [`Node::handle_timer`]: a timer it asked for fired;
//! - [`Node::handle_pow_solved`]: a proof of work it asked for was found;
//! - [`Node::handle_payment_result`] / [`Node::handle_invoice_settled`]: the payment network;
//! - [`Node::broadcast`]: the application asks to broadcast a topic.
//!
//! After each, the driver drains [`Node::poll_output`] until `None` and carries out every
//! [`Output`]: send a frame, set a timer, solve a proof of work, register or pay invoices,
//! deliver a reply, or record an [`Event`]. Equal inputs in equal order give equal outputs.
//!
//! What the paper leaves to node owners is a [`Policy`]; cryptography sits behind
//! [`CryptoProvider`] so a simulator can count and model it.
//!
//! Many nodes in one process can share what is the same for all of them without changing what
//! any node does: a [`RequestPool`] and a [`KeyDirectory`] ([`Sharing`]), credentials derived
//! on first use ([`Keys::Derived`]), frames that point at one encoding of the request they
//! carry ([`FrameBytes`]), and [`Node::expire`] to free expired state of idle nodes.

#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod certificate;
mod crypto;
mod encoding;
mod error;
mod frame;
mod ids;
mod node;
mod onion;
mod payment;
mod policy;
pub mod pow;
mod shared;
#[cfg(feature = "testing")]
pub mod testing;
mod time;
mod topic;
mod wire;

pub use certificate::{
    Certificate, CertificateAuthority, CertificateError, RevocationError, RevocationList,
    TrustStore,
};
pub use crypto::{
    sha256, CryptoCounts, CryptoError, CryptoProvider, Keypair, PublicKey, RealCrypto, Signature,
    SEAL_OVERHEAD, SYM_OVERHEAD,
};
pub use encoding::{decode, encode, DecodeError, MAX_FRAME_BYTES};
pub use error::{DriverError, RejectReason};
pub use frame::{
    AskForBroadcastFrame, BroadcastPayload, Frame, FrameKind, PowBroadcastConditionsFrame,
    PowBroadcastFrame, ReplyFrame, ReplyPayload, RequestPayload, SignedReplyPayload,
    SignedRequestPayload,
};
pub use ids::{AskId, PayloadId, PeerId};
pub use node::{
    topic_account, CommandError, CredentialSource, Credentials, Event, Keys, Limits, Node,
    NodeConfig, Output, TimerKind, ONION_HOPS,
};
pub use onion::{Onion, OnionError, OnionFormat, PADDED_HEAD_LEN};
pub use payment::{
    Invoice, PaymentCryptoInstruction, PaymentFailure, PaymentHash, PaymentOutcome, Preimage,
    RoutingPaymentInstruction,
};
pub use policy::{
    DefaultPolicy, FanoutContext, Feedback, Policy, PolicyParams, RouteOption, DECOY_HOPS_MAX,
    ROUTING_FEE_MAX_SAT, TIMESTAMP_SKEW_MAX,
};
pub use pow::{Challenge, PowScheme, PowTarget, ProofOfWork, WorkRequest};
pub use shared::{KeyDirectory, RequestPool, SharedRequest, Sharing};
pub use time::{Duration, Timestamp};
pub use topic::{Geohash, TaxiTopic, Topic, GEOHASH_PRECISION_MAX};
pub use wire::FrameBytes;
