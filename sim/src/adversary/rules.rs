//! What an adversarial node does with each frame its protocol node sends.
//!
//! "Forwarding" frames are asks, broadcasts and replies: the frames that carry a topic further
//! or a reply back. Conditions are never dropped, so an adversary keeps answering asks and
//! originators keep spending proof of work on it.
//!
//! Before the strike (`start` = `attack.start_s`, or 0 for cold boot) every frame passes: the
//! warm-up. From the strike on:
//!
//! | kind             | outgoing frames of an adversarial node                              |
//! |------------------|---------------------------------------------------------------------|
//! | silent           | forwarding frames dropped                                           |
//! | chatterbox       | passed (its own topics and replays are started separately)          |
//! | sybil, cold boot | forwarding frames dropped                                           |
//! | flash            | forwarding frames dropped (the Sybils only connect at `start_s`)    |
//! | covert flash     | forwarding frames dropped                                           |
//! | eclipse          | to the victim: all but conditions dropped; elsewhere: forwarding    |
//! |                  | frames of the victim's topics dropped, everything else passed       |
//! | censorship       | forwarding frames of the victim's topics dropped, the rest passed   |
//! | inflate invoice  | reply frames: the last invoice's amount × `inflate_factor`, rounded |
//! |                  | up                                                                  |
//! | withhold invoice | passed (the invoices are not settled when paid: `Adversary::refuses`) |
//! | reply replay     | passed; each reply is followed by copies (`abuse.rs`), invoices withheld |
//! | ask flood        | passed (the flood's asks are made separately, `abuse.rs`)           |
//! | pow reuse        | passed; each broadcast is followed by a fresh ask (`abuse.rs`)      |
//!
//! The last invoice of a reply a node sends is its own: a middleman appends its invoice before
//! passing the reply on. A topic is the victim's when the sender certificate in its signed
//! request payload carries the victim's public key. Frames that do not decode are passed
//! unchanged (the adversary's own protocol node never sends such frames).

use sweet_gossip::{Frame, FrameKind, PaymentHash, PublicKey, Timestamp};

use crate::scenario::AttackKind;

/// What the rules see besides the frame.
#[derive(Debug, Clone, Copy)]
pub(super) struct Context {
    pub(super) kind: AttackKind,
    pub(super) now: Timestamp,
    pub(super) start: Timestamp,
    pub(super) victim: Option<u32>,
    pub(super) victim_key: Option<PublicKey>,
    pub(super) inflate_factor: f64,
}

/// The fate of one outgoing frame.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Verdict {
    /// Send these bytes unchanged.
    Pass(Vec<u8>),
    /// Do not send.
    Drop,
    /// Send these rewritten bytes; `inflated` is the inflated invoice's hash and signed amount.
    Tampered {
        bytes: Vec<u8>,
        inflated: Option<(PaymentHash, u64)>,
    },
}

/// Applies the kind's rule to a `kind` frame sent to `to`.
pub(super) fn outgoing(ctx: &Context, to: u32, kind: FrameKind, bytes: Vec<u8>) -> Verdict {
    let forwarding = matches!(
        kind,
        FrameKind::Ask | FrameKind::Broadcast | FrameKind::Reply
    );
    let drop_if = |cond: bool, bytes: Vec<u8>| {
        if cond {
            Verdict::Drop
        } else {
            Verdict::Pass(bytes)
        }
    };
    if ctx.now < ctx.start {
        return Verdict::Pass(bytes); // warm-up: honest until the strike
    }
    match ctx.kind {
        AttackKind::None
        | AttackKind::Chatterbox
        | AttackKind::WithholdInvoice
        | AttackKind::ReplyReplay
        | AttackKind::AskFlood
        | AttackKind::PowReuse => Verdict::Pass(bytes),
        AttackKind::Silent
        | AttackKind::Sybil
        | AttackKind::ColdBoot
        | AttackKind::Flash
        | AttackKind::CovertFlash => drop_if(forwarding, bytes),
        AttackKind::Eclipse => {
            let towards_victim = ctx.victim == Some(to) && kind != FrameKind::Conditions;
            let cut = towards_victim || (forwarding && is_victims(ctx, &bytes));
            drop_if(cut, bytes)
        }
        AttackKind::Censorship => {
            let cut = forwarding && is_victims(ctx, &bytes);
            drop_if(cut, bytes)
        }
        AttackKind::InflateInvoice if kind == FrameKind::Reply => {
            inflate(bytes, ctx.inflate_factor)
        }
        AttackKind::InflateInvoice => Verdict::Pass(bytes),
    }
}

/// Whether the frame carries a topic (or a reply to a topic) the victim sent.
fn is_victims(ctx: &Context, bytes: &[u8]) -> bool {
    let Some(key) = ctx.victim_key else {
        return false;
    };
    sender_key(bytes).is_some_and(|k| k == key)
}

/// The certificate key of the topic's sender in an ask, broadcast or reply frame.
pub(super) fn sender_key(bytes: &[u8]) -> Option<PublicKey> {
    let request = match Frame::decode(bytes).ok()? {
        Frame::AskForBroadcast(f) => f.signed_request_payload,
        Frame::PowBroadcast(f) => f.broadcast_payload.signed_request_payload,
        Frame::Reply(f) => f.signed_reply_payload.payload.signed_request_payload,
        Frame::PowBroadcastConditions(_) => return None,
    };
    Some(request.payload.sender_certificate.public_key)
}

/// Multiplies the last invoice's amount by `factor`, rounding up. Unchanged when that does not
/// raise it (factor 1, amount 0) or the frame is not a reply with an invoice.
fn inflate(bytes: Vec<u8>, factor: f64) -> Verdict {
    let Ok(Frame::Reply(mut f)) = Frame::decode(&bytes) else {
        return Verdict::Pass(bytes);
    };
    let Some(last) = f.invoices.last_mut() else {
        return Verdict::Pass(bytes);
    };
    let honest = last.amount;
    let raised = libm::ceil(honest as f64 * factor);
    let amount = if raised.is_finite() && raised < u64::MAX as f64 {
        raised as u64
    } else {
        u64::MAX
    };
    if amount <= honest {
        return Verdict::Pass(bytes);
    }
    last.amount = amount;
    let hash = last.payment_hash;
    Verdict::Tampered {
        bytes: Frame::Reply(f).encode(),
        inflated: Some((hash, honest)),
    }
}
