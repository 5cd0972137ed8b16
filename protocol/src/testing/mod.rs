//! An in-memory driver for tests, benches and fuzzing (cargo feature `testing`).
//!
//! [`Net`] holds a few [`Node`]s, carries every [`Output`] to the matching input over a
//! virtual clock and runs a toy Lightning ledger, like quinn's test `Pair`: build one with
//! [`Net::builder`], then [`Net::step`] one event, [`Net::drive`] to idle or
//! [`Net::drive_bounded`] a limited number of events, and check what happened with
//! [`Net::expect_events`]. Events are ordered by (time, sequence number), so a run is a pure
//! function of the builder's settings: no clock, no thread, no hash order.
//!
//! Node `i` has address `PeerId(i)`, keys from [`key_seed`] and a certificate from
//! [`test_ca`]; its RNG is `ChaCha12Rng::seed_from_u64(Net::rng_seed(seed, i))`.

mod builder;
pub mod fuzz;
mod net;

pub use builder::NetBuilder;
pub use net::{Delivered, Net, Tamper, DRIVE_EVENTS_MAX, POW_ATTEMPTS_MAX};

use crate::{
    CertificateAuthority, CryptoProvider, Geohash, Policy, PolicyParams, PowTarget, RealCrypto,
    TaxiTopic, Timestamp, Topic, TrustStore,
};

/// The seed of node `node`'s identity (tag 1), account (2) or onion (3) key.
pub fn key_seed(node: usize, tag: u8) -> [u8; 32] {
    let mut seed = [tag; 32];
    seed[..8].copy_from_slice(&(node as u64).to_le_bytes());
    seed
}

/// The authority every test node's certificate comes from, and a trust store trusting it.
pub fn test_ca() -> (CertificateAuthority, TrustStore) {
    let ca = CertificateAuthority::new("ca", RealCrypto.keypair_from_seed([200; 32]));
    let mut trust = TrustStore::new();
    trust.trust("ca", ca.public_key());
    (ca, trust)
}

/// A policy with the default behaviour of [`PolicyParams`] plus a switch to reply to every
/// topic with a fixed message.
#[derive(Debug, Clone)]
pub struct TestPolicy {
    /// The numbers.
    pub params: PolicyParams,
    /// `Some(message)`: reply to every topic with it; `None`: relay.
    pub reply: Option<Vec<u8>>,
}

impl Policy for TestPolicy {
    fn params(&self) -> &PolicyParams {
        &self.params
    }
    fn will_reply(&self, _t: &Topic) -> bool {
        self.reply.is_some()
    }
    fn reply_message(&mut self, _t: &Topic, _r: &mut dyn rand_core::RngCore) -> Vec<u8> {
        self.reply.clone().unwrap_or_default()
    }
}

/// Default numbers with routing fee `fee`, an easy proof of work (16 expected hashes) and
/// three reply routes.
pub fn params(fee: u64) -> PolicyParams {
    PolicyParams {
        routing_fee_sat: fee,
        pow_target: PowTarget::from_expected_hashes(16),
        reply_routes_max: 3,
        ..PolicyParams::default()
    }
}

/// A relaying [`TestPolicy`] asking `fee`.
pub fn relay(fee: u64) -> Box<dyn Policy> {
    Box::new(TestPolicy {
        params: params(fee),
        reply: None,
    })
}

/// A [`TestPolicy`] asking `fee` that replies `msg` to every topic.
pub fn replier(fee: u64, msg: &[u8]) -> Box<dyn Policy> {
    Box::new(TestPolicy {
        params: params(fee),
        reply: Some(msg.to_vec()),
    })
}

/// A taxi topic as a rider in Sydney would broadcast it.
pub fn taxi() -> Topic {
    Topic::Taxi(TaxiTopic {
        pickup_geohash: Geohash::encode(-33.8647, 151.2096, 7),
        dropoff_geohash: Geohash::encode(-33.87, 151.2, 6),
        pickup_after: Timestamp(0),
        dropoff_before: Timestamp(3_600_000_000),
    })
}

/// The ask frame `valid` with byte `i % 64` of its request signature altered (differently for
/// each `i` below 64 × 255), so that each copy fails verification as a distinct request.
pub fn forged_ask(valid: &[u8], i: usize) -> Vec<u8> {
    let Ok(crate::Frame::AskForBroadcast(mut f)) = crate::Frame::decode(valid) else {
        panic!("not an ask frame");
    };
    f.signed_request_payload.signature.0[i % 64] ^= 1 + (i / 64) as u8;
    crate::Frame::AskForBroadcast(f).encode()
}
