//! The sender's side: collect replies until the deadline, check them, choose a route, pay,
//! recover from failed payments over another route of the same replier (paper 3.9), decrypt.

use super::{Event, Node, Output};
use crate::crypto::{sha256, CryptoCounts, CryptoProvider, Keypair, PublicKey};
use crate::error::RejectReason;
use crate::frame::ReplyFrame;
use crate::ids::{PayloadId, PeerId};
use crate::payment::{
    Invoice, PaymentCryptoInstruction, PaymentFailure, PaymentHash, PaymentOutcome, Preimage,
};
use crate::policy::{Feedback, RouteOption};
use std::collections::{BTreeMap, BTreeSet};

const DECOY_TAG: &[u8] = b"sweet-gossip/decoy/v1";

/// A valid reply route held by the sender.
#[derive(Debug)]
pub(super) struct StoredRoute {
    option: RouteOption,
    frame: ReplyFrame,
}

impl StoredRoute {
    fn instructions(&self) -> &[crate::payment::PaymentCryptoInstruction] {
        &self
            .frame
            .signed_reply_payload
            .payload
            .payment_crypto_instruction_list
    }
}

#[derive(Debug)]
struct Paying {
    route: usize,
    pending: BTreeSet<PaymentHash>,
    failed: bool,
    /// Invoices paid once `pending` settles (the middlemen's, after the replier's).
    later: Vec<Invoice>,
}

/// A topic this node broadcast.
#[derive(Debug)]
pub(super) struct OwnBroadcast {
    digest: [u8; 32],
    /// Accounts of the decoy instructions the route starts with (see [`Node::decoys`]).
    decoys: Vec<Keypair>,
    /// The amount every decoy instruction names: a reply naming another is refused.
    decoy_fee: u64,
    collecting: bool,
    routes: Vec<StoredRoute>,
    tried: BTreeSet<usize>,
    held: BTreeMap<PaymentHash, Preimage>,
    paying: Option<Paying>,
    paid_sat: u64,
    /// When the sender forgets the topic even if payments never come back: its reply
    /// deadline plus `Limits::seen_ttl`.
    pub(super) expires: crate::time::Timestamp,
}

impl OwnBroadcast {
    /// The invoices of `route` whose preimages the sender does not hold yet.
    fn unpaid(&self, route: usize) -> impl Iterator<Item = &Invoice> {
        let held = &self.held;
        self.routes[route]
            .frame
            .invoices
            .iter()
            .filter(move |inv| !held.contains_key(&inv.payment_hash))
    }
}

impl Node {
    /// The decoy accounts this node starts topic `id`'s route with: none unless hardened,
    /// else 0 to `decoy_hops_max`, fixed by a hash of the account seed and the topic.
    pub(super) fn decoys(&mut self, id: &PayloadId) -> Vec<Keypair> {
        let max = self.policy.params().decoy_hops_max;
        if !self.cfg.limits.hardened || max == 0 {
            return Vec::new();
        }
        let seed = self.account_seed;
        let draw = sha256(&[DECOY_TAG, &seed, &id.0]);
        let count =
            u64::from_le_bytes(draw[..8].try_into().expect("8 bytes")) % (u64::from(max) + 1);
        self.counts.hash += 1;
        self.counts.derive += count;
        (0..count)
            .map(|i| {
                let s = sha256(&[DECOY_TAG, &seed, &id.0, &i.to_le_bytes()]);
                self.cfg.crypto.keypair_from_seed(s)
            })
            .collect()
    }

    pub(super) fn start_own(
        &mut self,
        id: PayloadId,
        digest: [u8; 32],
        decoys: Vec<Keypair>,
        decoy_fee: u64,
    ) {
        self.own.insert(
            id,
            OwnBroadcast {
                digest,
                decoys,
                decoy_fee,
                collecting: true,
                routes: Vec::new(),
                tried: BTreeSet::new(),
                held: BTreeMap::new(),
                paying: None,
                paid_sat: 0,
                expires: self.now + self.policy.params().reply_deadline + self.cfg.limits.seen_ttl,
            },
        );
    }

    pub(super) fn on_final_reply(
        &mut self,
        from: PeerId,
        f: ReplyFrame,
    ) -> Result<(), RejectReason> {
        let reply = &f.signed_reply_payload.payload;
        let payload_id = reply.signed_request_payload.payload.payload_id;
        let own = self
            .own
            .get(&payload_id)
            .ok_or(RejectReason::UnknownPayload)?;
        if !own.collecting {
            return Err(RejectReason::ReplyAfterDeadline);
        }
        // Every genuine reply seals fresh preimages, so equal signed instructions are a replay.
        let list = &reply.payment_crypto_instruction_list;
        let hardened = self.cfg.limits.hardened;
        if hardened && own.routes.iter().any(|r| r.instructions() == list) {
            return Err(RejectReason::DuplicateReply);
        }
        if own.routes.len() >= self.cfg.limits.routes_max {
            return Err(RejectReason::Overloaded);
        }
        let replier = f.replier_certificate.public_key;
        let from_replier = own
            .routes
            .iter()
            .filter(|r| r.option.replier == replier)
            .count();
        if hardened && from_replier >= self.policy.params().reply_routes_max as usize {
            return Err(RejectReason::TooManyRoutes);
        }
        self.counts.hash += 1;
        if reply.signed_request_payload.digest() != own.digest {
            return Err(RejectReason::PayloadMismatch);
        }
        self.verify_reply(&f)?;
        let own = self.own.get(&payload_id).expect("looked up above");
        let (decoys, decoy_fee) = (&own.decoys, own.decoy_fee);
        let list = reply.payment_crypto_instruction_list.as_slice();
        let crypto = self.cfg.crypto.as_ref();
        let opened = open_decoys(crypto, &mut self.counts, (decoys, decoy_fee), list)?;
        check_invoices(list, &f.invoices, decoys, self.cfg.limits.max_hops)?;
        let fee_max_sat = if self.cfg.limits.hardened {
            self.policy.params().routing_fee_max_sat
        } else {
            u64::MAX
        };
        let fee_total_sat = route_fee_sat(&f.invoices, fee_max_sat)?;
        if hardened && fee_total_sat > self.policy.params().reply_fee_budget_sat {
            return Err(RejectReason::ExcessiveFee);
        }
        let route_length = f.invoices.len() as u32;
        let option = RouteOption {
            replier: f.replier_certificate.public_key,
            length: route_length,
            fee_total_sat,
            fee_unpaid_sat: fee_total_sat,
            via: from,
            arrived: self.now,
        };
        let own = self
            .own
            .get_mut(&payload_id)
            .expect("invariant: looked up above");
        own.routes.push(StoredRoute { option, frame: f });
        own.held.extend(opened);
        self.event(Event::ReplyReceived {
            payload_id,
            route_length,
            fee_total_sat,
        });
        Ok(())
    }

    pub(super) fn on_reply_deadline(&mut self, id: PayloadId) {
        let Some(own) = self.own.get_mut(&id) else {
            return;
        };
        own.collecting = false;
        if own.routes.is_empty() {
            self.own.remove(&id);
            self.event(Event::NoReply { payload_id: id });
            return;
        }
        self.pay_next(id, None);
    }

    /// Chooses the next untried route (of `replier` only, when given) and pays what it lacks.
    fn pay_next(&mut self, id: PayloadId, replier: Option<PublicKey>) {
        let own = self
            .own
            .get_mut(&id)
            .expect("invariant: caller checked the topic exists");
        let hardened = self.cfg.limits.hardened;
        let budget = if hardened {
            self.policy.params().topic_fee_budget_sat
        } else {
            u64::MAX
        };
        let mut indices = Vec::new();
        let mut options = Vec::new();
        for (i, r) in own.routes.iter().enumerate() {
            if own.tried.contains(&i) || replier.is_some_and(|k| k != r.option.replier) {
                continue;
            }
            let cert = &r.frame.replier_certificate;
            if self.cfg.trust.check_status(cert, self.now).is_err() {
                continue; // revoked (or expired) since the reply arrived
            }
            let mut o = r.option.clone();
            // A route whose payment would overflow the total paid is refused.
            let unpaid = own
                .unpaid(i)
                .try_fold(0u64, |s, inv| s.checked_add(inv.amount));
            let total = |u: &u64| own.paid_sat.checked_add(*u).is_some_and(|t| t <= budget);
            let Some(unpaid) = unpaid.filter(total) else {
                continue;
            };
            o.fee_unpaid_sat = unpaid;
            indices.push(i);
            options.push(o);
        }
        let choice = if options.is_empty() {
            None
        } else {
            self.policy.choose_route(&options)
        };
        let Some(route) = choice.and_then(|c| indices.get(c).copied()) else {
            self.own.remove(&id);
            self.event(Event::ReplyUnpaid { payload_id: id });
            return;
        };
        let own = self.own.get_mut(&id).expect("invariant: present above");
        let mut unpaid: Vec<Invoice> = own.unpaid(route).copied().collect();
        if unpaid.is_empty() {
            return self.decrypt_and_deliver(id, route);
        }
        // Hardened, the replier's invoice is paid first and the middlemen's once it settles:
        // a replier that never settles costs nothing, and its preimage serves all its routes.
        let replier_hash = own.routes[route]
            .instructions()
            .last()
            .map(|i| i.payment_hash);
        let first = unpaid
            .iter()
            .position(|i| Some(i.payment_hash) == replier_hash);
        let later = match first {
            Some(k) if hardened && unpaid.len() > 1 => {
                let replier = unpaid.remove(k);
                std::mem::replace(&mut unpaid, vec![replier])
            }
            _ => Vec::new(),
        };
        own.paying = Some(Paying {
            route,
            pending: unpaid.iter().map(|i| i.payment_hash).collect(),
            failed: false,
            later,
        });
        self.outputs.push_back(Output::PayInvoices {
            payload_id: id,
            invoices: unpaid,
        });
    }

    pub(super) fn on_payment_result(
        &mut self,
        id: PayloadId,
        hash: PaymentHash,
        outcome: PaymentOutcome,
    ) {
        let Some(own) = self.own.get_mut(&id) else {
            return;
        };
        let Some(paying) = own.paying.as_mut() else {
            return;
        };
        if !paying.pending.remove(&hash) {
            return;
        }
        let failure = match outcome {
            PaymentOutcome::Paid(pre) => {
                self.counts.hash += 1;
                if pre.payment_hash() == hash {
                    let route = &own.routes[paying.route];
                    let invoice = route.frame.invoices.iter().find(|i| i.payment_hash == hash);
                    // Never saturates: `pay_next` refuses routes that would overflow it.
                    own.paid_sat = own.paid_sat.saturating_add(invoice.map_or(0, |i| i.amount));
                    own.held.insert(hash, pre);
                    None
                } else {
                    Some(PaymentFailure::NotSettled)
                }
            }
            PaymentOutcome::Failed(f) => Some(f),
        };
        paying.failed |= failure.is_some();
        if paying.pending.is_empty() && !paying.failed && !paying.later.is_empty() {
            let later = std::mem::take(&mut paying.later);
            paying.pending = later.iter().map(|i| i.payment_hash).collect();
            self.outputs.push_back(Output::PayInvoices {
                payload_id: id,
                invoices: later,
            });
            return;
        }
        // When the last invoice of the route is resolved: which route, failed or not, and who.
        let finished = paying.pending.is_empty().then(|| {
            let (route, failed) = (paying.route, paying.failed);
            let o = &own.routes[route].option;
            (route, failed, o.via, o.replier)
        });
        if let Some((route, failed, ..)) = finished {
            own.paying = None;
            if failed {
                own.tried.insert(route);
            }
        }
        if let Some(failure) = failure {
            self.event(Event::PaymentFailed {
                payload_id: id,
                payment_hash: hash,
                failure,
            });
        }
        match finished {
            None => {}
            Some((route, false, ..)) => self.decrypt_and_deliver(id, route),
            Some((_, true, via, replier)) => {
                self.policy.observe(&Feedback::ReplyFailed { via });
                self.pay_next(id, Some(replier));
            }
        }
    }

    fn decrypt_and_deliver(&mut self, id: PayloadId, route: usize) {
        let own = self
            .own
            .remove(&id)
            .expect("invariant: caller checked the topic exists");
        let r = &own.routes[route];
        let reply = &r.frame.signed_reply_payload.payload;
        let crypto = self.cfg.crypto.clone();
        let mut message = Some(reply.encrypted_message.clone());
        for instr in reply.payment_crypto_instruction_list.iter().rev() {
            let (Some(m), Some(key)) = (message.take(), own.held.get(&instr.payment_hash)) else {
                break;
            };
            self.counts.sym_decrypt += 1;
            message = crypto.sym_decrypt(&key.0, &m).ok();
        }
        let plain = message.and_then(|m| {
            self.counts.open += 1;
            crypto.open(&self.credentials().identity, &m).ok()
        });
        match plain {
            Some(message) => {
                self.policy
                    .observe(&Feedback::ReplyPaid { via: r.option.via });
                self.outputs.push_back(Output::DeliverReply {
                    payload_id: id,
                    replier: Box::new(r.frame.replier_certificate.clone()),
                    message,
                    fee_paid_sat: own.paid_sat,
                    route_length: r.option.length,
                });
            }
            None => self.event(Event::DecryptFailed { payload_id: id }),
        }
    }
}

/// Opens the preimage the replier sealed to each of the sender's decoy accounts: every decoy
/// must have exactly one instruction, at the decoys' fee (a tampered amount is refused as a
/// real hop refuses its own), whose preimage matches its payment hash.
fn open_decoys(
    crypto: &dyn CryptoProvider,
    counts: &mut CryptoCounts,
    (decoys, fee): (&[Keypair], u64),
    list: &[PaymentCryptoInstruction],
) -> Result<Vec<(PaymentHash, Preimage)>, RejectReason> {
    let mut opened = Vec::with_capacity(decoys.len());
    for key in decoys {
        let mut mine = list.iter().filter(|i| i.account == key.public());
        let (Some(instr), None) = (mine.next(), mine.next()) else {
            return Err(RejectReason::MalformedInstructions);
        };
        if instr.amount != fee {
            return Err(RejectReason::RoutingInstructionMismatch);
        }
        counts.open += 1;
        let plain = crypto
            .open(key, &instr.sealed_preimage)
            .map_err(|_| RejectReason::PreimageMismatch)?;
        let preimage = Preimage(
            plain
                .try_into()
                .map_err(|_| RejectReason::PreimageMismatch)?,
        );
        counts.hash += 1;
        if preimage.payment_hash() != instr.payment_hash {
            return Err(RejectReason::PreimageMismatch);
        }
        opened.push((instr.payment_hash, preimage));
    }
    Ok(opened)
}

/// The sum of `invoices`, checked: every amount within `fee_max_sat` (the sender's per-hop
/// cap) and the sum within 64 bits, else [`RejectReason::ExcessiveFee`].
fn route_fee_sat(invoices: &[Invoice], fee_max_sat: u64) -> Result<u64, RejectReason> {
    invoices.iter().try_fold(0u64, |sum, inv| {
        if inv.amount > fee_max_sat {
            return Err(RejectReason::ExcessiveFee);
        }
        sum.checked_add(inv.amount)
            .ok_or(RejectReason::ExcessiveFee)
    })
}

/// Checks that the invoices are exactly one per signed instruction that is not for one of
/// the sender's `decoys`, with the same account and hash and no higher amount.
fn check_invoices(
    list: &[PaymentCryptoInstruction],
    invoices: &[Invoice],
    decoys: &[Keypair],
    max_hops: usize,
) -> Result<(), RejectReason> {
    if list.is_empty() {
        return Err(RejectReason::MalformedInstructions);
    }
    if list.len() > max_hops {
        return Err(RejectReason::TooManyHops);
    }
    let hashes: BTreeSet<PaymentHash> = list.iter().map(|i| i.payment_hash).collect();
    if hashes.len() != list.len() {
        return Err(RejectReason::MalformedInstructions);
    }
    let paid = |i: &&PaymentCryptoInstruction| decoys.iter().all(|d| d.public() != i.account);
    let hashes: BTreeSet<PaymentHash> = list.iter().filter(paid).map(|i| i.payment_hash).collect();
    let mut by_hash: BTreeMap<PaymentHash, &Invoice> = BTreeMap::new();
    for inv in invoices {
        if by_hash.insert(inv.payment_hash, inv).is_some() || !hashes.contains(&inv.payment_hash) {
            return Err(RejectReason::InvoiceMismatch);
        }
    }
    for instr in list.iter().filter(paid) {
        let inv = by_hash
            .get(&instr.payment_hash)
            .ok_or(RejectReason::MissingInvoice)?;
        if inv.account != instr.account {
            return Err(RejectReason::InvoiceMismatch);
        }
        if inv.amount > instr.amount {
            return Err(RejectReason::InflatedInvoice);
        }
        if inv.amount < instr.amount {
            return Err(RejectReason::InvoiceMismatch);
        }
    }
    Ok(())
}
