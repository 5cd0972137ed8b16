//! Replying to a topic, and carrying replies back: peel one onion layer, open this node's
//! preimage, check it against its payment hash, append an invoice, pass the frame on.

use super::{Event, Node, Output};
use crate::crypto::{sha256, Keypair, PublicKey};
use crate::error::RejectReason;
use crate::frame::{BroadcastPayload, Frame, ReplyFrame, ReplyPayload, SignedReplyPayload};
use crate::ids::PayloadId;
use crate::ids::PeerId;
use crate::onion::{Onion, OnionFormat};
use crate::payment::{Invoice, PaymentCryptoInstruction, Preimage, RoutingPaymentInstruction};

const REPLIER_SECRET_TAG: &[u8] = b"sweet-gossip/replier-secret/v1";

impl Node {
    /// The secret this node derives its reply preimages from.
    fn replier_secret(&self) -> [u8; 32] {
        sha256(&[REPLIER_SECRET_TAG, self.credentials().identity.seed()])
    }

    /// One preimage per routing instruction, derived from this replier's secret, the topic
    /// and the account, and sealed to that account.
    fn seal_preimages(
        &mut self,
        payload_id: &PayloadId,
        list: &[RoutingPaymentInstruction],
    ) -> Result<(Vec<Preimage>, Vec<PaymentCryptoInstruction>), RejectReason> {
        let secret = self.replier_secret();
        let crypto = self.cfg.crypto.clone();
        let mut preimages = Vec::with_capacity(list.len());
        let mut instructions = Vec::with_capacity(list.len());
        for ri in list {
            let preimage = Preimage::derive(&secret, payload_id, &ri.account);
            let sealed = crypto
                .seal(&ri.account, &preimage.0, &mut *self.rng)
                .map_err(|_| RejectReason::SealFailed)?;
            self.counts.hash += 2;
            self.counts.seal += 1;
            instructions.push(PaymentCryptoInstruction {
                account: ri.account,
                amount: ri.amount,
                payment_hash: preimage.payment_hash(),
                sealed_preimage: sealed,
            });
            preimages.push(preimage);
        }
        Ok((preimages, instructions))
    }

    /// Builds and sends a reply to a broadcast accepted from `from`.
    pub(super) fn reply_to(
        &mut self,
        from: PeerId,
        payload: BroadcastPayload,
        message: Vec<u8>,
    ) -> Result<(), RejectReason> {
        let (prev, inner) = self.peel(&payload.backward_onion)?;
        if prev != from {
            return Err(RejectReason::BadOnion);
        }
        let request = payload.signed_request_payload;
        let payload_id = request.payload.payload_id;
        let crypto = self.cfg.crypto.clone();
        let list = payload.routing_payment_instruction_list;
        let (preimages, instructions) = self.seal_preimages(&payload_id, &list)?;
        let sender_key = request.payload.sender_certificate.public_key;
        let mut encrypted = crypto
            .seal(&sender_key, &message, &mut *self.rng)
            .map_err(|_| RejectReason::SealFailed)?;
        self.counts.seal += 1;
        for p in &preimages {
            encrypted = crypto.sym_encrypt(&p.0, &encrypted, &mut *self.rng);
            self.counts.sym_encrypt += 1;
        }
        let reply = ReplyPayload {
            signed_request_payload: request,
            encrypted_message: encrypted,
            payment_crypto_instruction_list: instructions,
        };
        let signed = SignedReplyPayload::sign(crypto.as_ref(), &self.credentials().identity, reply)
            .expect("invariant: the node's identity key was made by its own provider");
        self.counts.sign += 1;
        let own = signed.payload.payment_crypto_instruction_list.last();
        let own = own.expect("invariant: an accepted broadcast carries this node's instruction");
        let invoice = Invoice {
            account: own.account,
            payment_hash: own.payment_hash,
            amount: own.amount,
        };
        let preimage = *preimages
            .last()
            .expect("invariant: one preimage per instruction");
        self.issue_invoice(invoice, preimage, from);
        let frame = Frame::Reply(ReplyFrame {
            replier_certificate: self.credentials().certificate.clone(),
            signed_reply_payload: signed,
            forward_onion: inner,
            invoices: vec![invoice],
        });
        self.send(from, &frame);
        self.event(Event::TopicReplied {
            payload_id,
            to: from,
        });
        Ok(())
    }

    pub(super) fn on_reply(&mut self, from: PeerId, mut f: ReplyFrame) -> Result<(), RejectReason> {
        let payload_id = f
            .signed_reply_payload
            .payload
            .signed_request_payload
            .payload
            .payload_id;
        self.check_replier(&f.replier_certificate.public_key)?;
        // A padded onion never runs empty: the sender knows a reply is for it by its topic.
        let own = self.seen.get(&payload_id).is_some_and(|s| s.own);
        if own || f.forward_onion.is_empty() {
            return self.on_final_reply(from, f);
        }
        let hardened = self.cfg.limits.hardened;
        if hardened && self.seen.get(&payload_id).is_none() {
            return Err(RejectReason::NotForwarded);
        }
        let me = self.account_public(&payload_id);
        let carried = carried_key(&f, me)?;
        if hardened && self.has_carried(&carried) {
            return Err(RejectReason::DuplicateReply);
        }
        if hardened && self.carried_full() {
            return Err(RejectReason::Overloaded);
        }
        // The fee is checked before any cryptography (a wrong one costs a lookup).
        self.check_own_fee(&f, me)?;
        if self.cfg.limits.relay_verifies_replies {
            self.verify_reply(&f)?;
        }
        let (next, inner) = self.peel(&f.forward_onion)?;
        if self.peer_key(next).is_none() {
            return Err(RejectReason::UnknownNextHop);
        }
        let account = self.account_for(&payload_id);
        let (invoice, preimage) = self.open_own(&f, &account)?;
        self.issue_invoice(invoice, preimage, from);
        if hardened {
            self.remember_carried(carried);
        }
        f.invoices.push(invoice);
        f.forward_onion = inner;
        self.send(next, &Frame::Reply(f));
        self.event(Event::ReplyForwarded {
            payload_id,
            to: next,
        });
        Ok(())
    }

    /// Checks that a reply this node carries names at most `max_hops` instructions, one for
    /// its account `me`, at a fee it asked for the topic.
    fn check_own_fee(&self, f: &ReplyFrame, me: PublicKey) -> Result<(), RejectReason> {
        let reply = &f.signed_reply_payload.payload;
        let list = &reply.payment_crypto_instruction_list;
        if list.len() > self.cfg.limits.max_hops {
            return Err(RejectReason::TooManyHops);
        }
        let mine = list
            .iter()
            .find(|i| i.account == me)
            .ok_or(RejectReason::MissingOwnInstruction)?;
        let request = &reply.signed_request_payload.payload;
        let fees = self.fees_for(&request.payload_id).unwrap_or_else(|| {
            let fee = self.policy.routing_fee(&request.topic);
            fee..=fee
        });
        if !fees.contains(&mine.amount) {
            return Err(RejectReason::RoutingInstructionMismatch);
        }
        Ok(())
    }

    /// Finds this node's instruction in a reply it carries (its fee already checked by
    /// [`Node::check_own_fee`]), opens its preimage with the topic's `account` and checks it
    /// against the payment hash: the invoice to append and the preimage that settles it.
    fn open_own(
        &mut self,
        f: &ReplyFrame,
        account: &Keypair,
    ) -> Result<(Invoice, Preimage), RejectReason> {
        let me = account.public();
        let reply = &f.signed_reply_payload.payload;
        let list = &reply.payment_crypto_instruction_list;
        let mine = list
            .iter()
            .find(|i| i.account == me)
            .ok_or(RejectReason::MissingOwnInstruction)?;
        self.counts.open += 1;
        let opened = self
            .cfg
            .crypto
            .open(account, &mine.sealed_preimage)
            .map_err(|_| RejectReason::PreimageMismatch)?;
        let preimage = Preimage(
            opened
                .as_slice()
                .try_into()
                .map_err(|_| RejectReason::PreimageMismatch)?,
        );
        self.counts.hash += 1;
        if preimage.payment_hash() != mine.payment_hash {
            return Err(RejectReason::PreimageMismatch);
        }
        let invoice = Invoice {
            account: me,
            payment_hash: mine.payment_hash,
            amount: mine.amount,
        };
        Ok((invoice, preimage))
    }

    /// Checks the replier's certificate and its signature on the reply.
    pub(super) fn verify_reply(&mut self, f: &ReplyFrame) -> Result<(), RejectReason> {
        self.counts.verify += 1;
        self.cfg
            .trust
            .verify(self.cfg.crypto.as_ref(), &f.replier_certificate, self.now)?;
        self.counts.verify += 1;
        if !f
            .signed_reply_payload
            .verify_signature(self.cfg.crypto.as_ref(), &f.replier_certificate)
        {
            return Err(RejectReason::BadReplySignature);
        }
        Ok(())
    }

    fn has_carried(&self, key: &[u8; 32]) -> bool {
        self.rare
            .as_ref()
            .is_some_and(|r| r.carried.get(key).is_some())
    }

    /// True when `carried_max` carried replies are still within their reply deadline: the
    /// rate of replies a middleman carries is bounded instead of its memory forgetting them.
    fn carried_full(&self) -> bool {
        let held = self.rare.as_ref().map_or(0, |r| r.carried.len());
        held >= self.cfg.limits.carried_max
    }

    /// Remembers a carried reply for the policy's whole reply deadline.
    fn remember_carried(&mut self, key: [u8; 32]) {
        let until = super::guard::Until(self.now + self.policy.params().reply_deadline);
        let rare = self.rare.get_or_insert_with(Box::default);
        rare.carried.insert(key, until);
    }

    fn issue_invoice(&mut self, invoice: Invoice, preimage: Preimage, via: PeerId) {
        self.remember_invoice(invoice.payment_hash, via, invoice.amount);
        self.outputs
            .push_back(Output::RegisterInvoice { invoice, preimage });
        self.event(Event::InvoiceIssued {
            payment_hash: invoice.payment_hash,
            amount_sat: invoice.amount,
        });
    }
}

/// What identifies a reply at a middleman: the sealed preimage of its own instruction, which
/// the replier seals afresh for every reply and signs. A reply without an instruction for this
/// node's account is refused as [`RejectReason::MissingOwnInstruction`].
fn carried_key(f: &ReplyFrame, account: PublicKey) -> Result<[u8; 32], RejectReason> {
    let list = &f
        .signed_reply_payload
        .payload
        .payment_crypto_instruction_list;
    let mine = list
        .iter()
        .find(|i| i.account == account)
        .ok_or(RejectReason::MissingOwnInstruction)?;
    mine.sealed_preimage
        .get(..32)
        .and_then(|b| b.try_into().ok())
        .ok_or(RejectReason::PreimageMismatch)
}

impl Node {
    /// Opens `onion`'s outer layer with this node's peer key, counting the open and, when
    /// padded, the stream pass: the hop the layer names and the rest of the onion.
    fn peel(&mut self, onion: &Onion) -> Result<(PeerId, Onion), RejectReason> {
        self.counts.open += 1;
        let format = self.cfg.limits.onion_format();
        let peeled = onion
            .peel(
                self.cfg.crypto.as_ref(),
                &self.credentials().peer_key,
                format,
            )
            .map_err(|_| RejectReason::BadOnion)?;
        self.count_onion_stream();
        Ok(peeled)
    }

    /// A padded onion layer also costs one stream encryption or decryption of its body.
    pub(super) fn count_onion_stream(&mut self) {
        if let OnionFormat::Padded { .. } = self.cfg.limits.onion_format() {
            self.counts.sym_decrypt += 1;
        }
    }
}
