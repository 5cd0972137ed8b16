//! Lightning-style payments: preimages, payment hashes, routing instructions and invoices
//! (paper 3.7–3.9).

use crate::crypto::{sha256, PublicKey};
use crate::encoding::fixed_bytes;
use crate::ids::PayloadId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A 32-byte secret whose SHA-256 is a payment hash; also a symmetric key of the reply.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preimage(#[serde(with = "fixed_bytes")] pub [u8; 32]);

/// SHA-256 of a preimage; an invoice is payable against it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PaymentHash(#[serde(with = "fixed_bytes")] pub [u8; 32]);

impl fmt::Debug for Preimage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Preimage(..)")
    }
}

impl fmt::Debug for PaymentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PaymentHash({})", hex::encode(&self.0[..6]))
    }
}

const PREIMAGE_TAG: &[u8] = b"sweet-gossip/preimage/v1";

impl Preimage {
    /// The replier's preimage for `account` on topic `payload_id`: the same on every route, so
    /// a sender that paid an account once can reuse that preimage (paper 3.9).
    pub fn derive(replier_secret: &[u8; 32], payload_id: &PayloadId, account: &PublicKey) -> Self {
        Preimage(sha256(&[
            PREIMAGE_TAG,
            replier_secret,
            &payload_id.0,
            &account.0,
        ]))
    }

    /// The payment hash of this preimage.
    pub fn payment_hash(&self) -> PaymentHash {
        PaymentHash(sha256(&[&self.0]))
    }
}

/// A middleman's price for carrying a topic one hop and bringing back its replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingPaymentInstruction {
    /// The middleman's anonymous account key: receives sealed preimages, names invoices.
    pub account: PublicKey,
    /// Fee in satoshis.
    pub amount: u64,
}

/// What the replier prepares for one middleman: its signed fee and payment hash, and its
/// preimage sealed to its account key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentCryptoInstruction {
    /// The middleman's account, copied from its routing instruction.
    pub account: PublicKey,
    /// The fee, copied from its routing instruction.
    pub amount: u64,
    /// SHA-256 of the preimage.
    pub payment_hash: PaymentHash,
    /// The preimage sealed to `account`.
    #[serde(with = "crate::encoding::byte_vec")]
    pub sealed_preimage: Vec<u8>,
}

/// An invoice a middleman appends to a reply on its way back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// The payee's account.
    pub account: PublicKey,
    /// Payable against this hash; paying reveals the preimage.
    pub payment_hash: PaymentHash,
    /// Amount in satoshis.
    pub amount: u64,
}

/// Why a payment attempt failed, as reported by the payment network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum PaymentFailure {
    /// No route or channel could carry the payment.
    #[error("no route")]
    NoRoute,
    /// The payer's balance is too low.
    #[error("insufficient balance")]
    InsufficientBalance,
    /// The payee never settled (unknown invoice or offline payee).
    #[error("payee did not settle")]
    NotSettled,
}

/// The outcome of paying one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// Paid; the payee revealed this preimage.
    Paid(Preimage),
    /// Not paid.
    Failed(PaymentFailure),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_account_same_topic_same_preimage() {
        let secret = [3u8; 32];
        let (p1, p2) = (PayloadId([1; 16]), PayloadId([2; 16]));
        let (a, b) = (PublicKey([4; 32]), PublicKey([5; 32]));
        assert_eq!(
            Preimage::derive(&secret, &p1, &a),
            Preimage::derive(&secret, &p1, &a)
        );
        assert_ne!(
            Preimage::derive(&secret, &p1, &a),
            Preimage::derive(&secret, &p1, &b)
        );
        assert_ne!(
            Preimage::derive(&secret, &p1, &a),
            Preimage::derive(&secret, &p2, &a)
        );
        assert_ne!(
            Preimage::derive(&[0; 32], &p1, &a),
            Preimage::derive(&secret, &p1, &a)
        );
        let p = Preimage([7; 32]);
        assert_eq!(p.payment_hash().0, sha256(&[&[7u8; 32]]));
    }
}
