//! What a node asks its driver to do, and what it reports.

use crate::certificate::Certificate;
use crate::error::RejectReason;
use crate::frame::FrameKind;
use crate::ids::{AskId, PayloadId, PeerId};
use crate::payment::{Invoice, PaymentFailure, PaymentHash, Preimage};
use crate::pow::WorkRequest;
use crate::time::Timestamp;
use crate::wire::FrameBytes;

/// The node's timers. Setting a kind again replaces its deadline; a timer that fires late, or
/// after being replaced, does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerKind {
    /// The sender stops collecting replies for its topic and chooses a route.
    ReplyDeadline(PayloadId),
}

/// An instruction to the driver. Drain with [`crate::Node::poll_output`] after every input.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Output {
    /// Send these bytes (one encoded frame) to a peer.
    Send {
        /// Destination.
        to: PeerId,
        /// The frame's kind, for metrics.
        kind: FrameKind,
        /// The encoded frame.
        bytes: FrameBytes,
    },
    /// Call [`crate::Node::handle_timer`] with `timer` at `at`.
    SetTimer {
        /// Which timer.
        timer: TimerKind,
        /// When it fires.
        at: Timestamp,
    },
    /// Find a nonce for `work` over `data` (see [`crate::pow::solve`]) and call
    /// [`crate::Node::handle_pow_solved`] with `id`. The driver decides how long it takes.
    SolvePow {
        /// Pass back with the nonce.
        id: AskId,
        /// Scheme and target.
        work: WorkRequest,
        /// The encoded broadcast payload the hash covers.
        data: Vec<u8>,
    },
    /// The proof of work asked for with [`Output::SolvePow`] under `id` is no longer needed
    /// (its ask expired): the driver may stop solving it. A solution reported anyway is
    /// ignored.
    CancelPow {
        /// The `id` of the [`Output::SolvePow`].
        id: AskId,
    },
    /// The node issued an invoice; the payment network settles it by revealing `preimage`.
    RegisterInvoice {
        /// The invoice.
        invoice: Invoice,
        /// Its preimage, held by the payee.
        preimage: Preimage,
    },
    /// Pay these invoices and report each with [`crate::Node::handle_payment_result`].
    PayInvoices {
        /// The topic the reply belongs to.
        payload_id: PayloadId,
        /// Invoices to pay, each independently.
        invoices: Vec<Invoice>,
    },
    /// A reply was paid for and decrypted.
    DeliverReply {
        /// The topic.
        payload_id: PayloadId,
        /// Who replied.
        replier: Box<Certificate>,
        /// The plaintext reply.
        message: Vec<u8>,
        /// Total fee of the route paid, in satoshis.
        fee_paid_sat: u64,
        /// Middlemen and replier on that route.
        route_length: u32,
    },
    /// Something for metrics or the application to observe.
    Event(Event),
}

/// Observations for metrics. None of them needs an action from the driver.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// This node started broadcasting its own topic.
    TopicBroadcast {
        /// The topic.
        payload_id: PayloadId,
    },
    /// A broadcast passed every check: the node has verified the topic.
    TopicAccepted {
        /// The topic.
        payload_id: PayloadId,
        /// The peer it came from.
        from: PeerId,
        /// Middlemen it has passed, this node included.
        hop: u32,
    },
    /// A verified topic was not forwarded because its route already fills the padded onion
    /// ([`crate::Limits::onion_hops`]): the onion cap, not the fanout, ended dissemination here.
    TopicStoppedOnionFull {
        /// The topic.
        payload_id: PayloadId,
    },
    /// A broadcast frame with proof of work was sent to a peer.
    TopicForwarded {
        /// The topic.
        payload_id: PayloadId,
        /// The peer.
        to: PeerId,
    },
    /// This node replied to a topic.
    TopicReplied {
        /// The topic.
        payload_id: PayloadId,
        /// The peer the reply went to.
        to: PeerId,
    },
    /// A middleman declined conditions it was offered (too much work or fee).
    ConditionsDeclined {
        /// The middleman.
        from: PeerId,
    },
    /// A received frame was dropped.
    FrameRejected {
        /// Who sent it.
        from: PeerId,
        /// What it was.
        kind: FrameKind,
        /// Why it was dropped.
        reason: RejectReason,
    },
    /// This node issued an invoice on a reply passing back.
    InvoiceIssued {
        /// Its hash.
        payment_hash: PaymentHash,
        /// Amount in satoshis.
        amount_sat: u64,
    },
    /// An invoice of this node was paid.
    InvoiceSettled {
        /// Its hash.
        payment_hash: PaymentHash,
        /// Amount in satoshis.
        amount_sat: u64,
    },
    /// A reply was passed one hop back.
    ReplyForwarded {
        /// The topic.
        payload_id: PayloadId,
        /// The next hop.
        to: PeerId,
    },
    /// The sender received a valid reply route.
    ReplyReceived {
        /// The topic.
        payload_id: PayloadId,
        /// Middlemen and replier on the route.
        route_length: u32,
        /// Sum of its invoices, in satoshis.
        fee_total_sat: u64,
    },
    /// Paying one invoice failed.
    PaymentFailed {
        /// The topic.
        payload_id: PayloadId,
        /// The invoice.
        payment_hash: PaymentHash,
        /// Why.
        failure: PaymentFailure,
    },
    /// The deadline passed with no valid reply.
    NoReply {
        /// The topic.
        payload_id: PayloadId,
    },
    /// Every route was tried and none could be paid in full.
    ReplyUnpaid {
        /// The topic.
        payload_id: PayloadId,
    },
    /// All invoices were paid but the message did not decrypt (the replier cheated).
    DecryptFailed {
        /// The topic.
        payload_id: PayloadId,
    },
}

/// Outputs waiting to be polled, first in first out. One pointer and a cursor inline, and no
/// buffer once drained: a million idle nodes hold nothing here.
#[derive(Debug, Default)]
pub(super) struct Outbox {
    items: thin_vec::ThinVec<Option<Output>>,
    next: usize,
}

impl Outbox {
    /// Outputs not yet polled.
    pub(super) fn pending(&self) -> usize {
        self.items.len() - self.next
    }

    pub(super) fn push_back(&mut self, out: Output) {
        self.items.push(Some(out));
    }

    pub(super) fn pop_front(&mut self) -> Option<Output> {
        let out = self.items.get_mut(self.next).and_then(Option::take);
        if out.is_some() {
            self.next += 1;
        } else if self.next > 0 || self.items.capacity() > 0 {
            *self = Self::default();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_is_fifo_and_frees_its_buffer_when_drained() {
        let mut o = Outbox::default();
        for i in 0..3 {
            o.push_back(Output::SetTimer {
                timer: TimerKind::ReplyDeadline(crate::ids::PayloadId([i; 16])),
                at: crate::time::Timestamp(u64::from(i)),
            });
        }
        let at = |o: Option<Output>| match o {
            Some(Output::SetTimer { at, .. }) => Some(at.0),
            _ => None,
        };
        assert_eq!(at(o.pop_front()), Some(0));
        o.push_back(Output::SetTimer {
            timer: TimerKind::ReplyDeadline(crate::ids::PayloadId([9; 16])),
            at: crate::time::Timestamp(9),
        });
        assert_eq!(at(o.pop_front()), Some(1));
        assert_eq!(at(o.pop_front()), Some(2));
        assert_eq!(at(o.pop_front()), Some(9));
        assert!(o.pop_front().is_none());
        assert_eq!((o.items.capacity(), o.next), (0, 0));
    }
}
