//! The frames of the protocol (paper figures 4, 7, 8, 11) and the signed payloads inside them.
//! All are encoded with [`crate::encoding`]; that encoding is what is signed, hashed for proof
//! of work and counted as frame bytes.

use crate::certificate::Certificate;
use crate::crypto::{sha256, CryptoError, CryptoProvider, Keypair, Signature};
use crate::encoding::{decode, encode, DecodeError};
use crate::ids::{AskId, PayloadId};
use crate::onion::Onion;
use crate::payment::{Invoice, PaymentCryptoInstruction, RoutingPaymentInstruction};
use crate::pow::{ProofOfWork, WorkRequest};
use crate::time::{Duration, Timestamp};
use crate::topic::Topic;
use crate::wire::FrameBytes;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const REQUEST_TAG: &[u8] = b"sweet-gossip/request/v1";
const REPLY_TAG: &[u8] = b"sweet-gossip/reply/v1";

/// What the sender signs: a unique id, the topic and its own certificate (paper 3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPayload {
    /// Unique id chosen by the sender; nodes deduplicate on it.
    pub payload_id: PayloadId,
    /// The job topic.
    pub topic: Topic,
    /// The sender's certificate; its key verifies the signature and receives the reply.
    pub sender_certificate: Certificate,
}

/// A request payload with the sender's signature. Never changes along the broadcast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedRequestPayload {
    /// The signed content.
    pub payload: RequestPayload,
    /// Signature by `payload.sender_certificate.public_key`.
    pub signature: Signature,
}

impl SignedRequestPayload {
    /// Signs `payload` with the sender's identity key.
    pub fn sign(
        crypto: &dyn CryptoProvider,
        key: &Keypair,
        payload: RequestPayload,
    ) -> Result<Self, CryptoError> {
        let signature = crypto.sign(key, &tagged(REQUEST_TAG, &payload))?;
        Ok(Self { payload, signature })
    }

    /// True iff the signature verifies under the certificate's key.
    pub fn verify_signature(&self, crypto: &dyn CryptoProvider) -> bool {
        crypto.verify(
            &self.payload.sender_certificate.public_key,
            &tagged(REQUEST_TAG, &self.payload),
            &self.signature,
        )
    }

    /// SHA-256 of the canonical encoding: equal digests mean byte-identical signed payloads.
    pub fn digest(&self) -> [u8; 32] {
        sha256(&[&encode(self)])
    }
}

fn tagged<T: Serialize>(tag: &[u8], value: &T) -> Vec<u8> {
    let mut out = tag.to_vec();
    out.extend(encode(value));
    out
}

/// Originator → middleman: may I broadcast this through you? (paper figure 4)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskForBroadcastFrame {
    /// Chosen by the originator; pairs the answer with the ask.
    pub ask_id: AskId,
    /// The request to broadcast.
    pub signed_request_payload: SignedRequestPayload,
}

/// Middleman → originator: the work and fee for broadcasting through me (paper figure 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowBroadcastConditionsFrame {
    /// The ask this answers.
    pub ask_id: AskId,
    /// The middleman waits for the broadcast frame until this instant.
    pub valid_till: Timestamp,
    /// The proof of work required.
    pub work_request: WorkRequest,
    /// How old the broadcast payload's timestamp may be on arrival.
    pub timestamp_tolerance: Duration,
    /// The middleman's account and fee for this hop.
    pub routing_payment_instruction: RoutingPaymentInstruction,
}

/// What travels hop by hop and what the proof of work covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastPayload {
    /// The sender's signed request, unchanged.
    pub signed_request_payload: SignedRequestPayload,
    /// The reply path, one layer per hop so far.
    pub backward_onion: Onion,
    /// One instruction per middleman so far, the receiving middleman's last.
    pub routing_payment_instruction_list: Vec<RoutingPaymentInstruction>,
    /// When the originator built this payload.
    pub timestamp: Timestamp,
}

/// Originator → middleman: the broadcast with its proof of work (paper figure 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowBroadcastFrame {
    /// The ask whose conditions this meets.
    pub ask_id: AskId,
    /// The payload.
    pub broadcast_payload: BroadcastPayload,
    /// Work over the encoded payload.
    pub proof_of_work: ProofOfWork,
}

/// What the replier signs (paper 3.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyPayload {
    /// The request replied to.
    pub signed_request_payload: SignedRequestPayload,
    /// The message sealed to the sender, then encrypted under every preimage in list order.
    #[serde(with = "crate::encoding::byte_vec")]
    pub encrypted_message: Vec<u8>,
    /// One entry per routing instruction, in the same order.
    pub payment_crypto_instruction_list: Vec<PaymentCryptoInstruction>,
}

/// A reply payload with the replier's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedReplyPayload {
    /// The signed content.
    pub payload: ReplyPayload,
    /// Signature by the replier's certificate key.
    pub signature: Signature,
}

impl SignedReplyPayload {
    /// Signs `payload` with the replier's identity key.
    pub fn sign(
        crypto: &dyn CryptoProvider,
        key: &Keypair,
        payload: ReplyPayload,
    ) -> Result<Self, CryptoError> {
        let signature = crypto.sign(key, &tagged(REPLY_TAG, &payload))?;
        Ok(Self { payload, signature })
    }

    /// True iff the signature verifies under `replier`'s key.
    pub fn verify_signature(&self, crypto: &dyn CryptoProvider, replier: &Certificate) -> bool {
        crypto.verify(
            &replier.public_key,
            &tagged(REPLY_TAG, &self.payload),
            &self.signature,
        )
    }
}

/// Replier → … → sender: the offer, travelling back along the onion (paper figure 11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyFrame {
    /// Who replies; verifies the reply signature.
    pub replier_certificate: Certificate,
    /// The signed reply.
    pub signed_reply_payload: SignedReplyPayload,
    /// The rest of the return path; empty when the frame reaches the sender.
    pub forward_onion: Onion,
    /// Invoices appended hop by hop, the replier's first.
    pub invoices: Vec<Invoice>,
}

/// Any frame a peer can send. Frames are short-lived values, so the variants stay unboxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frame {
    /// See [`AskForBroadcastFrame`].
    AskForBroadcast(AskForBroadcastFrame),
    /// See [`PowBroadcastConditionsFrame`].
    PowBroadcastConditions(PowBroadcastConditionsFrame),
    /// See [`PowBroadcastFrame`].
    PowBroadcast(PowBroadcastFrame),
    /// See [`ReplyFrame`].
    Reply(ReplyFrame),
}

/// The kind of a frame, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FrameKind {
    /// [`AskForBroadcastFrame`].
    Ask,
    /// [`PowBroadcastConditionsFrame`].
    Conditions,
    /// [`PowBroadcastFrame`].
    Broadcast,
    /// [`ReplyFrame`].
    Reply,
    /// Bytes that did not decode.
    Malformed,
}

impl FrameKind {
    /// Every kind, in a fixed order.
    pub const ALL: [FrameKind; 5] = [
        FrameKind::Ask,
        FrameKind::Conditions,
        FrameKind::Broadcast,
        FrameKind::Reply,
        FrameKind::Malformed,
    ];

    /// A short stable name for metrics.
    pub fn name(self) -> &'static str {
        match self {
            FrameKind::Ask => "ask",
            FrameKind::Conditions => "conditions",
            FrameKind::Broadcast => "broadcast",
            FrameKind::Reply => "reply",
            FrameKind::Malformed => "malformed",
        }
    }
}

impl Frame {
    /// This frame's kind.
    pub fn kind(&self) -> FrameKind {
        match self {
            Frame::AskForBroadcast(_) => FrameKind::Ask,
            Frame::PowBroadcastConditions(_) => FrameKind::Conditions,
            Frame::PowBroadcast(_) => FrameKind::Broadcast,
            Frame::Reply(_) => FrameKind::Reply,
        }
    }

    /// The canonical bytes of this frame.
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decodes untrusted bytes; never panics.
    pub fn decode(bytes: &[u8]) -> Result<Frame, DecodeError> {
        decode(bytes)
    }
}

/// Variant indices of [`Frame`] in its encoding (postcard: a varint before the variant).
const ASK_VARIANT: u32 = 0;
const BROADCAST_VARIANT: u32 = 2;

impl AskForBroadcastFrame {
    /// The bytes of this frame as a [`Frame`], sharing the already encoded `request`.
    pub(crate) fn bytes(ask_id: AskId, request: &Arc<Vec<u8>>) -> FrameBytes {
        let head = encode(&(ASK_VARIANT, ask_id));
        FrameBytes::with_shared(&head, Arc::clone(request), &[])
    }
}

impl BroadcastPayload {
    /// The encoding of a payload's fields after its request; the payload's bytes are the
    /// request's followed by these.
    pub(crate) fn encode_rest(
        onion: &Onion,
        instructions: &[RoutingPaymentInstruction],
        timestamp: Timestamp,
    ) -> Vec<u8> {
        encode(&(onion, instructions, timestamp))
    }
}

impl PowBroadcastFrame {
    /// The bytes of this frame as a [`Frame`], sharing the already encoded `request`; `rest`
    /// is [`BroadcastPayload::encode_rest`] of the payload.
    pub(crate) fn bytes(
        ask_id: AskId,
        request: &Arc<Vec<u8>>,
        rest: &[u8],
        proof_of_work: &ProofOfWork,
    ) -> FrameBytes {
        let head = encode(&(BROADCAST_VARIANT, ask_id));
        let pow = encode(proof_of_work);
        FrameBytes::with_shared(&head, Arc::clone(request), &[rest, &pow])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::CertificateAuthority;
    use crate::crypto::RealCrypto;
    use crate::topic::{Geohash, TaxiTopic};
    use proptest::prelude::*;

    fn signed() -> SignedRequestPayload {
        let ca = CertificateAuthority::new("ca", RealCrypto.keypair_from_seed([1; 32]));
        let me = RealCrypto.keypair_from_seed([2; 32]);
        let cert = ca.issue(
            &RealCrypto,
            me.public(),
            "rider",
            "",
            Timestamp(0),
            Timestamp(9),
        );
        let payload = RequestPayload {
            payload_id: PayloadId([7; 16]),
            topic: Topic::Taxi(TaxiTopic {
                pickup_geohash: Geohash("r3gx2g5".into()),
                dropoff_geohash: Geohash("r3gx2".into()),
                pickup_after: Timestamp(1),
                dropoff_before: Timestamp(2),
            }),
            sender_certificate: cert,
        };
        SignedRequestPayload::sign(&RealCrypto, &me, payload).unwrap()
    }

    #[test]
    fn request_signature_covers_topic() {
        let s = signed();
        assert!(s.verify_signature(&RealCrypto));
        let mut altered = s.clone();
        altered.payload.payload_id.0[0] ^= 1;
        assert!(!altered.verify_signature(&RealCrypto));
        assert_ne!(altered.digest(), s.digest());
    }

    #[test]
    fn frame_round_trip() {
        let f = Frame::AskForBroadcast(AskForBroadcastFrame {
            ask_id: AskId(5),
            signed_request_payload: signed(),
        });
        let bytes = f.encode();
        assert_eq!(Frame::decode(&bytes).unwrap(), f);
        assert_eq!(f.kind().name(), "ask");
    }

    proptest! {
        /// Frames built around a shared request encoding are exactly the canonical frames.
        #[test]
        fn shared_frame_bytes_are_canonical(
            ask in any::<u64>(),
            hops in 0usize..20,
            onion in proptest::collection::vec(any::<u8>(), 0..300),
            amount in any::<u64>(),
            nonce in any::<u64>(),
            ts in any::<u64>(),
        ) {
            let request = signed();
            let encoded = Arc::new(encode(&request));
            let ask_frame = Frame::AskForBroadcast(AskForBroadcastFrame {
                ask_id: AskId(ask),
                signed_request_payload: request.clone(),
            });
            prop_assert_eq!(
                AskForBroadcastFrame::bytes(AskId(ask), &encoded).to_vec(),
                ask_frame.encode()
            );
            let list: Vec<RoutingPaymentInstruction> = (0..hops)
                .map(|i| RoutingPaymentInstruction {
                    account: crate::crypto::PublicKey([i as u8; 32]),
                    amount: amount.wrapping_add(i as u64),
                })
                .collect();
            let (onion, ts) = (Onion(onion), Timestamp(ts));
            let pow = ProofOfWork {
                pow_scheme: crate::pow::PowScheme::Sha256,
                pow_target: crate::pow::PowTarget::from_expected_hashes(64),
                nonce,
            };
            let payload = BroadcastPayload {
                signed_request_payload: request,
                backward_onion: onion.clone(),
                routing_payment_instruction_list: list.clone(),
                timestamp: ts,
            };
            let rest = BroadcastPayload::encode_rest(&onion, &list, ts);
            prop_assert_eq!([&encoded[..], &rest].concat(), encode(&payload));
            let frame = Frame::PowBroadcast(PowBroadcastFrame {
                ask_id: AskId(ask),
                broadcast_payload: payload,
                proof_of_work: pow,
            });
            prop_assert_eq!(
                PowBroadcastFrame::bytes(AskId(ask), &encoded, &rest, &pow).to_vec(),
                frame.encode()
            );
        }
    }

    proptest! {
        /// Arbitrary bytes never panic the decoder.
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = Frame::decode(&bytes);
        }
    }
}
