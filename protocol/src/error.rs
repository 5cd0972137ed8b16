//! Why a node rejects a frame. Rejections are normal operation: the node drops the frame and
//! reports an [`crate::Event::FrameRejected`] that metrics count.

use crate::certificate::CertificateError;
use crate::encoding::DecodeError;

/// One variant per reason a received frame is dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RejectReason {
    /// The bytes do not decode, or exceed the frame size limit.
    #[error("undecodable frame: {0}")]
    Decode(#[from] DecodeError),
    /// A certificate (sender's or replier's) is not acceptable.
    #[error("bad certificate: {0}")]
    Certificate(#[from] CertificateError),
    /// The sender's signature on the request payload does not verify.
    #[error("request payload signature does not verify")]
    BadRequestSignature,
    /// The topic is malformed or this node's policy refuses it.
    #[error("topic refused by policy")]
    TopicRefused,
    /// This payload id was already handled as many times as the multibroadcast count allows.
    #[error("duplicate payload id beyond the multibroadcast count")]
    DuplicatePayload,
    /// The same peer asked again for a payload it already has conditions for.
    #[error("repeated ask for a payload with conditions outstanding")]
    RepeatedAsk,
    /// No outstanding conditions for this ask id from this peer (never issued, used or expired).
    #[error("no conditions outstanding for this ask id")]
    UnknownAsk,
    /// The broadcast arrived after the conditions' `valid_till`.
    #[error("conditions expired")]
    ConditionsExpired,
    /// Conditions arrived for an ask this node did not send or no longer waits for.
    #[error("conditions for an unknown ask")]
    UnexpectedConditions,
    /// The proof of work uses another scheme or target than the one asked.
    #[error("proof of work does not answer the work requested")]
    PowMismatch,
    /// The proof-of-work hash does not meet the target.
    #[error("insufficient proof of work")]
    PowInsufficient,
    /// The payload timestamp is further in the future than the clock-skew allowance, or older
    /// than the tolerance.
    #[error("timestamp outside tolerance")]
    TimestampOutOfTolerance,
    /// The broadcast carries another request than the one asked about.
    #[error("broadcast payload differs from the request asked about")]
    PayloadMismatch,
    /// The last routing instruction is not this node's account and fee.
    #[error("routing payment instruction does not match the conditions")]
    RoutingInstructionMismatch,
    /// This node's account already appears earlier in the route: a loop.
    #[error("routing loop")]
    RoutingLoop,
    /// The route is longer than the hop limit.
    #[error("too many hops")]
    TooManyHops,
    /// The onion layer does not open with this node's key or is malformed.
    #[error("onion layer does not open")]
    BadOnion,
    /// The onion names a next hop that is not a peer.
    #[error("onion names an unknown next hop")]
    UnknownNextHop,
    /// The replier's signature on the reply payload does not verify.
    #[error("reply signature does not verify")]
    BadReplySignature,
    /// The reply has no payment instruction for this middleman's account and fee.
    #[error("no payment instruction for this node")]
    MissingOwnInstruction,
    /// This node's sealed preimage does not open or does not match its payment hash.
    #[error("preimage does not match its payment hash")]
    PreimageMismatch,
    /// A reply reached this node as its final destination for a topic it did not send.
    #[error("reply for a topic this node did not send")]
    UnknownPayload,
    /// A reply arrived after the sender's reply deadline.
    #[error("reply after the deadline")]
    ReplyAfterDeadline,
    /// An invoice is missing: a middleman withheld it.
    #[error("an invoice is missing")]
    MissingInvoice,
    /// An invoice asks more than the signed routing instruction: a middleman inflated it.
    #[error("an invoice exceeds its signed routing instruction")]
    InflatedInvoice,
    /// Invoices do not match the signed instructions (unknown hash, account or duplicate).
    #[error("invoices do not match the signed instructions")]
    InvoiceMismatch,
    /// The payment crypto instructions do not match the route (count or order).
    #[error("payment crypto instructions malformed")]
    MalformedInstructions,
    /// The node's bounded state for this kind of request is full.
    #[error("node at capacity")]
    Overloaded,
    /// A reply route asks a hop more than the sender's `routing_fee_max_sat`, or its fees do
    /// not sum within 64 bits.
    #[error("route fee above the maximum or overflowing")]
    ExcessiveFee,
    /// A key the replier must seal to (the sender's, or an account in the routing
    /// instructions) is not a usable public key.
    #[error("cannot seal to a key named in the request")]
    SealFailed,
    /// The same reply (same signed payment instructions) arrived again: a replay.
    #[error("reply already received")]
    DuplicateReply,
    /// A reply to carry back for a topic this node never carried (or no longer remembers).
    #[error("reply for a topic this node did not carry")]
    NotForwarded,
    /// The sender already holds as many routes from this replier as its policy allows.
    #[error("too many routes from one replier")]
    TooManyRoutes,
    /// The peer holds its full quota of outstanding conditions at this node.
    #[error("peer's quota of outstanding conditions is used up")]
    QuotaExceeded,
    /// The peer's recent frames failed too many cryptographic checks; it is throttled.
    #[error("peer throttled after failed cryptographic checks")]
    Throttled,
}

impl RejectReason {
    /// Every reason's stable metric name, in a fixed order.
    pub const NAMES: [&'static str; 35] = [
        "decode",
        "certificate",
        "bad_request_signature",
        "topic_refused",
        "duplicate_payload",
        "repeated_ask",
        "unknown_ask",
        "conditions_expired",
        "unexpected_conditions",
        "pow_mismatch",
        "pow_insufficient",
        "timestamp_out_of_tolerance",
        "payload_mismatch",
        "routing_instruction_mismatch",
        "routing_loop",
        "too_many_hops",
        "bad_onion",
        "unknown_next_hop",
        "bad_reply_signature",
        "missing_own_instruction",
        "preimage_mismatch",
        "unknown_payload",
        "reply_after_deadline",
        "missing_invoice",
        "inflated_invoice",
        "invoice_mismatch",
        "malformed_instructions",
        "overloaded",
        "excessive_fee",
        "seal_failed",
        "duplicate_reply",
        "not_forwarded",
        "too_many_routes",
        "quota_exceeded",
        "throttled",
    ];

    /// A short stable name for metrics; one of [`RejectReason::NAMES`].
    pub fn name(&self) -> &'static str {
        use RejectReason::*;
        let i = match self {
            Decode(_) => 0,
            Certificate(_) => 1,
            BadRequestSignature => 2,
            TopicRefused => 3,
            DuplicatePayload => 4,
            RepeatedAsk => 5,
            UnknownAsk => 6,
            ConditionsExpired => 7,
            UnexpectedConditions => 8,
            PowMismatch => 9,
            PowInsufficient => 10,
            TimestampOutOfTolerance => 11,
            PayloadMismatch => 12,
            RoutingInstructionMismatch => 13,
            RoutingLoop => 14,
            TooManyHops => 15,
            BadOnion => 16,
            UnknownNextHop => 17,
            BadReplySignature => 18,
            MissingOwnInstruction => 19,
            PreimageMismatch => 20,
            UnknownPayload => 21,
            ReplyAfterDeadline => 22,
            MissingInvoice => 23,
            InflatedInvoice => 24,
            InvoiceMismatch => 25,
            MalformedInstructions => 26,
            Overloaded => 27,
            ExcessiveFee => 28,
            SealFailed => 29,
            DuplicateReply => 30,
            NotForwarded => 31,
            TooManyRoutes => 32,
            QuotaExceeded => 33,
            Throttled => 34,
        };
        Self::NAMES[i]
    }
}

/// A breach of the driver contract of [`crate::Node`], as [`crate::Node::check_input`]
/// reports it before an input: a bug in the driver, never in the peers (str0m's
/// `WriteWithoutPoll` is the model).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// Outputs of an earlier input are still queued: drain `poll_output` until `None` after
    /// every input or command, before the next one.
    #[error(
        "{pending} outputs of the previous input not drained: drain poll_output until None \
         before the next input"
    )]
    OutputsNotDrained {
        /// Outputs still queued.
        pending: usize,
    },
    /// `now` is earlier than an input already handled; the node would ignore the input.
    #[error("time went backwards: input at {now} us after one at {last} us")]
    TimeWentBackwards {
        /// The input's time, microseconds.
        now: u64,
        /// The latest time handled, microseconds.
        last: u64,
    },
}
