//! Identifiers carried in frames.

use crate::encoding::fixed_bytes;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A peer's network address. In a simulation this is the node index; the onion carries it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct PeerId(pub u64);

/// The unique id of a request payload, chosen at random by its sender (paper 3.3).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PayloadId(#[serde(with = "fixed_bytes")] pub [u8; 16]);

/// Identifies one ask/conditions/broadcast exchange between an originator and a middleman.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AskId(pub u64);

impl fmt::Debug for PayloadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PayloadId({})", hex::encode(&self.0[..6]))
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "peer {}", self.0)
    }
}
