//! The sans-IO node: a state machine driven by `handle_*` inputs and drained with
//! [`Node::poll_output`].

mod guard;
mod limits;
mod output;
mod relay;
mod reply;
mod sender;
mod table;

pub use limits::Limits;
use output::Outbox;
pub use output::{Event, Output, TimerKind};
pub use relay::CommandError;

use crate::certificate::{
    Certificate, CertificateAuthority, RevocationError, RevocationList, TrustStore,
};
use crate::crypto::{sha256, CryptoCounts, CryptoProvider, Keypair, PublicKey};
use crate::error::{DriverError, RejectReason};
use crate::frame::{Frame, FrameKind, SignedRequestPayload};
use crate::ids::{AskId, PayloadId, PeerId};
use crate::payment::{PaymentHash, PaymentOutcome};
use crate::policy::{Feedback, Policy};
use crate::shared::Sharing;
use crate::time::Timestamp;
use crate::wire::FrameBytes;
use guard::Until;
use rand_core::RngCore;
use std::cell::OnceCell;
use std::sync::Arc;
use table::{Fifo, Set, Table, TimedTable};
use thin_vec::ThinVec;

use relay::{IssuedConditions, PendingAsk, Seen};
use sender::OwnBroadcast;

const TOPIC_ACCOUNT_TAG: &[u8] = b"sweet-gossip/topic-account/v1";

/// Topic account public keys a node remembers (see `Node::account_public`).
const ACCOUNT_KEYS_MAX: usize = 16;

/// Default [`Limits::onion_hops`]: room for 32 middlemen (decoys included), 2,816-byte onions.
pub const ONION_HOPS: usize = 32;

/// A node's keys and certificate.
#[derive(Clone)]
pub struct Credentials {
    /// Identity key, certified by `certificate`: signs requests and replies, opens replies.
    pub identity: Keypair,
    /// The node's certificate.
    pub certificate: Certificate,
    /// Anonymous account key: named in routing instructions, opens sealed preimages.
    pub account: Keypair,
    /// Key peers seal onion layers to.
    pub peer_key: Keypair,
}

impl Credentials {
    /// Keys from three seeds (identity, account, onion), and a certificate `ca` issues to the
    /// identity key, certifying `name` = `value` from `not_before` to `not_after`.
    pub fn issue(
        crypto: &dyn CryptoProvider,
        ca: &CertificateAuthority,
        seeds: [[u8; 32]; 3],
        name: &str,
        value: &str,
        not_before: Timestamp,
        not_after: Timestamp,
    ) -> Self {
        let [identity, account, peer_key] = seeds.map(|s| crypto.keypair_from_seed(s));
        let certificate = ca.issue(
            crypto,
            identity.public(),
            name,
            value,
            not_before,
            not_after,
        );
        Self {
            identity,
            certificate,
            account,
            peer_key,
        }
    }
}

/// Derives nodes' credentials on demand, e.g. from a simulation's seeds.
///
/// Contract: answers depend on the address only, and `account(a)` is
/// `credentials(a).account.public()`.
pub trait CredentialSource: Send + Sync {
    /// The seed of the account key of the node at `address`; the node derives one account
    /// per topic from it (needed for every set of conditions).
    fn account_seed(&self, address: PeerId) -> [u8; 32];
    /// All credentials of the node at `address`.
    fn credentials(&self, address: PeerId) -> Credentials;
}

/// Where a node's credentials are.
#[derive(Clone)]
pub enum Keys {
    /// Held by the node.
    Held(Box<Credentials>),
    /// Derived the first time the node needs a secret key or its certificate. Nodes that only
    /// relay never do, so a million of them hold no keys; the results are the same as with
    /// [`Keys::Held`] credentials equal to the source's.
    Derived(Arc<dyn CredentialSource>),
}

impl From<Credentials> for Keys {
    fn from(c: Credentials) -> Self {
        Keys::Held(Box::new(c))
    }
}

impl Keys {
    /// The held credentials, if any.
    pub fn held(&self) -> Option<&Credentials> {
        match self {
            Keys::Held(c) => Some(c),
            Keys::Derived(_) => None,
        }
    }
}

/// Everything a node is built from except its policy and RNG.
#[derive(Clone)]
pub struct NodeConfig {
    /// This node's address; forwarders put it in onion layers.
    pub address: PeerId,
    /// Keys and certificate.
    pub keys: Keys,
    /// Trusted authorities and revocations.
    pub trust: Arc<TrustStore>,
    /// The cryptography.
    pub crypto: Arc<dyn CryptoProvider>,
    /// State bounds, usually one value for many nodes.
    pub limits: Arc<Limits>,
    /// What the node shares with other nodes in the process (nothing by default); one
    /// pointer, as every node of a process usually shares the same.
    pub sharing: Arc<Sharing>,
}

/// State most nodes never need, allocated on first use: invoices a node issued (remembered for
/// settlement feedback, oldest forgotten first), replies it carried, peers it throttles.
#[derive(Default)]
struct Rare {
    by_hash: Fifo<PaymentHash, (PeerId, u64)>,
    /// Replies carried back, by the sealed preimage of this node's instruction (random per
    /// reply, signed by the replier): a replayed copy is refused. Each is kept for the
    /// policy's `reply_deadline`, never evicted: a full table refuses new replies instead.
    carried: TimedTable<[u8; 32], Until>,
    /// Digests of rejected replies' bytes, kept for `seen_ttl` (see [`Limits::rejected_max`]).
    rejected: TimedTable<[u8; 32], Until>,
    /// Repliers refused until the given time (see [`Limits::replier_ban`]).
    banned: TimedTable<PublicKey, Until>,
    throttle: guard::Throttle,
}

/// The account a node whose account seed is `account_seed` names for topic `id` when
/// hardened (see [`Node::account_for`]).
pub fn topic_account(
    crypto: &dyn CryptoProvider,
    account_seed: &[u8; 32],
    id: &PayloadId,
) -> Keypair {
    crypto.keypair_from_seed(sha256(&[TOPIC_ACCOUNT_TAG, account_seed, &id.0]))
}

/// A Sweet-Gossip node as a sans-IO state machine.
///
/// Contract: time is monotonic (inputs with an earlier `now` than a previous input are
/// ignored); after every input or command, drain [`Node::poll_output`] until `None` before the
/// next one. The node never reads a clock, never does I/O and draws every random value
/// (keys, nonces, ids) from the RNG it was built with, so equal inputs give equal outputs.
pub struct Node {
    cfg: NodeConfig,
    /// The seed of the account keys, at hand for every set of conditions.
    account_seed: [u8; 32],
    /// Credentials derived on first use (for [`Keys::Derived`]).
    derived: OnceCell<Box<Credentials>>,
    policy: Box<dyn Policy>,
    rng: Box<dyn RngCore + Send>,
    now: Timestamp,
    /// Sorted peer addresses.
    peer_list: ThinVec<PeerId>,
    /// Onion keys of peers that the key directory does not give (all of them without one).
    own_keys: Table<PeerId, PublicKey>,
    /// Public keys of the latest topic accounts, so the asks of one topic from several peers
    /// cost one derivation; a forgotten one is derived again (same key).
    account_keys: Option<Box<Fifo<PayloadId, PublicKey>>>,
    outputs: Outbox,
    counts: CryptoCounts,
    verified: Set<[u8; 32]>,
    seen: TimedTable<PayloadId, Seen>,
    issued: TimedTable<(PeerId, AskId), IssuedConditions>,
    asks: TimedTable<AskId, PendingAsk>,
    own: Table<PayloadId, OwnBroadcast>,
    /// Allocated by the first invoice or throttled peer: most relays never need it.
    rare: Option<Box<Rare>>,
    timers: Table<TimerKind, Timestamp>,
}

impl Node {
    /// A node with no peers yet. `rng` is the only source of randomness it will use (keys,
    /// nonces, ids, fanout draws); give it a seeded, version-pinned generator for reproducible
    /// runs, and a cryptographic one (e.g. `rand_chacha::ChaCha12Rng`) outside simulations.
    pub fn new(
        cfg: NodeConfig,
        policy: Box<dyn Policy>,
        rng: impl RngCore + Send + 'static,
    ) -> Self {
        let account_seed = match &cfg.keys {
            Keys::Held(c) => *c.account.seed(),
            Keys::Derived(source) => source.account_seed(cfg.address),
        };
        Self {
            cfg,
            account_seed,
            derived: OnceCell::new(),
            policy,
            rng: Box::new(rng),
            now: Timestamp::ZERO,
            peer_list: ThinVec::new(),
            own_keys: Table::default(),
            account_keys: None,
            outputs: Outbox::default(),
            counts: CryptoCounts::default(),
            verified: Set::default(),
            seen: TimedTable::default(),
            issued: TimedTable::default(),
            asks: TimedTable::default(),
            own: Table::default(),
            rare: None,
            timers: Table::default(),
        }
    }

    /// This node's address.
    pub fn address(&self) -> PeerId {
        self.cfg.address
    }

    /// This node's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.credentials().certificate
    }

    /// This node's anonymous account for topic `id`: fresh per topic (issue 11 hole 7), so
    /// the routes one node is on cannot be linked by its account, while all routes of one
    /// topic share it (so recovery, paper 3.9, reuses the preimages already bought). The
    /// paper's protocol (unhardened) uses one account for every topic.
    pub fn account_for(&mut self, id: &PayloadId) -> Keypair {
        if !self.cfg.limits.hardened {
            return self.cfg.crypto.keypair_from_seed(self.account_seed);
        }
        self.counts.derive += 1;
        topic_account(self.cfg.crypto.as_ref(), &self.account_seed, id)
    }

    /// The public key of [`Node::account_for`], derived at most once per remembered topic.
    fn account_public(&mut self, id: &PayloadId) -> PublicKey {
        if let Some(key) = self.account_keys.as_ref().and_then(|k| k.get(id)) {
            return *key;
        }
        let key = self.account_for(id).public();
        let keys = self.account_keys.get_or_insert_with(Box::default);
        keys.insert(*id, key, ACCOUNT_KEYS_MAX);
        key
    }

    fn credentials(&self) -> &Credentials {
        match &self.cfg.keys {
            Keys::Held(c) => c,
            Keys::Derived(source) => self
                .derived
                .get_or_init(|| Box::new(source.credentials(self.cfg.address))),
        }
    }

    /// Cryptographic operations performed so far (cached verifications are not counted).
    pub fn crypto_counts(&self) -> CryptoCounts {
        self.counts
    }

    /// The current peers, ascending.
    pub fn peers(&self) -> &[PeerId] {
        &self.peer_list
    }

    /// Connects a peer whose onion key is `peer_key`; replaces the key if already connected.
    /// The key is stored only if the shared key directory does not give the same one.
    pub fn add_peer(&mut self, peer: PeerId, peer_key: PublicKey) {
        if let Err(i) = self.peer_list.binary_search(&peer) {
            self.peer_list.insert(i, peer);
        }
        debug_assert!(
            self.peer_list.windows(2).all(|w| w[0] < w[1]),
            "invariant: node tables stay sorted (peer list)"
        );
        let listed = self
            .cfg
            .sharing
            .keys
            .as_ref()
            .and_then(|d| d.onion_key(peer));
        if listed == Some(peer_key) {
            self.own_keys.remove(&peer);
        } else {
            self.own_keys.insert(peer, peer_key);
        }
    }

    /// Disconnects a peer. Returns whether it was connected.
    pub fn remove_peer(&mut self, peer: PeerId) -> bool {
        let Ok(i) = self.peer_list.binary_search(&peer) else {
            return false;
        };
        self.peer_list.remove(i);
        self.own_keys.remove(&peer);
        true
    }

    /// The onion key of a connected peer.
    fn peer_key(&self, peer: PeerId) -> Option<PublicKey> {
        self.peer_list.binary_search(&peer).ok()?;
        match self.own_keys.get(&peer) {
            Some(key) => Some(*key),
            None => self.cfg.sharing.keys.as_ref()?.onion_key(peer),
        }
    }

    /// The policy, e.g. to read a reputation table in tests.
    pub fn policy(&self) -> &dyn Policy {
        self.policy.as_ref()
    }

    /// Whether an input at `now` keeps the driver contract: every output of the previous input
    /// polled ([`DriverError::OutputsNotDrained`]) and time not going backwards
    /// ([`DriverError::TimeWentBackwards`]). Cheap; drivers may call it before every input.
    /// Debug builds also check the first on every input and panic with the same message.
    pub fn check_input(&self, now: Timestamp) -> Result<(), DriverError> {
        let pending = self.outputs.pending();
        if pending > 0 {
            return Err(DriverError::OutputsNotDrained { pending });
        }
        if now < self.now {
            return Err(DriverError::TimeWentBackwards {
                now: now.0,
                last: self.now.0,
            });
        }
        Ok(())
    }

    /// The next instruction, or `None` when drained.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// A frame arrived from `from`. Bad frames are dropped and reported as
    /// [`Event::FrameRejected`]; this never fails.
    pub fn handle_frame(&mut self, now: Timestamp, from: PeerId, bytes: &[u8]) {
        if !self.advance(now) {
            return;
        }
        let frame = match Frame::decode(bytes) {
            Ok(f) => f,
            Err(e) => return self.reject(from, FrameKind::Malformed, e.into()),
        };
        let kind = frame.kind();
        if let Err(reason) = self.check_throttle(from) {
            return self.reject(from, kind, reason);
        }
        let digest = self.rejected_before(&frame, bytes);
        if let Some(None) = digest {
            return self.reject(from, kind, RejectReason::DuplicateReply);
        }
        let signer = match &frame {
            Frame::Reply(f) => self.reply_signer(f),
            _ => None,
        };
        let result = match frame {
            Frame::AskForBroadcast(f) => self.on_ask(from, f),
            Frame::PowBroadcastConditions(f) => self.on_conditions(from, f),
            Frame::PowBroadcast(f) => self.on_broadcast(from, f),
            Frame::Reply(f) => self.on_reply(from, f),
        };
        if let Err(reason) = result {
            self.blame(from, kind, signer, &reason);
            if let Some(Some(digest)) = digest {
                self.remember_rejected(digest, &reason);
            }
            self.reject(from, kind, reason);
        }
    }

    /// A timer set with [`Output::SetTimer`] fired. Late or replaced timers do nothing.
    pub fn handle_timer(&mut self, now: Timestamp, timer: TimerKind) {
        if !self.advance(now) {
            return;
        }
        match self.timers.get(&timer) {
            Some(at) if *at <= now => {
                self.timers.remove(&timer);
            }
            _ => return,
        }
        match timer {
            TimerKind::ReplyDeadline(id) => self.on_reply_deadline(id),
        }
    }

    /// The proof of work asked for with [`Output::SolvePow`] was found.
    pub fn handle_pow_solved(&mut self, now: Timestamp, id: AskId, nonce: u64) {
        if self.advance(now) {
            self.on_pow_solved(id, nonce);
        }
    }

    /// The payment network reports the outcome of paying one invoice of
    /// [`Output::PayInvoices`].
    pub fn handle_payment_result(
        &mut self,
        now: Timestamp,
        payload_id: PayloadId,
        payment_hash: PaymentHash,
        outcome: PaymentOutcome,
    ) {
        if self.advance(now) {
            self.on_payment_result(payload_id, payment_hash, outcome);
        }
    }

    /// The payment network reports that an invoice this node issued was paid.
    pub fn handle_invoice_settled(&mut self, now: Timestamp, payment_hash: PaymentHash) {
        if !self.advance(now) {
            return;
        }
        let settled = self
            .rare
            .as_mut()
            .and_then(|i| i.by_hash.remove(&payment_hash));
        if let Some((via, amount_sat)) = settled {
            self.policy.observe(&Feedback::ReplyPaid { via });
            self.event(Event::InvoiceSettled {
                payment_hash,
                amount_sat,
            });
        }
    }

    /// Installs a newer signed revocation list from a trusted authority. From `now` on the node
    /// refuses asks, broadcasts and replies certified to a revoked key, and never pays a route
    /// of a revoked replier it stored before. An unauthentic or stale list changes nothing.
    /// The node's trust store is copied on first change, so nodes that shared one keep theirs.
    pub fn handle_revocation_list(
        &mut self,
        now: Timestamp,
        list: &RevocationList,
    ) -> Result<(), RevocationError> {
        if !self.advance(now) {
            return Err(RevocationError::TimeWentBackwards);
        }
        self.counts.verify += 1;
        let mut store = TrustStore::clone(&self.cfg.trust);
        store.apply_revocation_list(self.cfg.crypto.as_ref(), list)?;
        self.cfg.trust = Arc::new(store);
        Ok(())
    }

    /// No later than the earliest time at which [`Node::expire`] would forget something, if
    /// the node holds anything that expires.
    pub fn next_expiry(&self) -> Option<Timestamp> {
        let rare = self.rare.as_deref();
        let firsts = [
            self.seen.earliest(),
            self.issued.earliest(),
            self.asks.earliest(),
            rare.and_then(|r| r.carried.earliest()),
            rare.and_then(|r| r.rejected.earliest()),
            rare.and_then(|r| r.banned.earliest()),
            self.own.iter().map(|(_, o)| o.expires).min(),
        ];
        // State expiring at `t` is forgotten by inputs strictly after `t`.
        let t = firsts.into_iter().flatten().min()?;
        Some(Timestamp(t.0.saturating_add(1)))
    }

    /// Forgets what expired before `now`, exactly as the next input would first do. Its only
    /// outputs are [`Output::CancelPow`] for asks that expired while their proof of work was
    /// being solved (drain them as after any input); it changes nothing any later input does
    /// and frees memory of a node that gets no input for a while. Ignored if time went
    /// backwards.
    pub fn expire(&mut self, now: Timestamp) {
        self.advance(now);
    }

    fn advance(&mut self, now: Timestamp) -> bool {
        debug_assert!(
            self.outputs.pending() == 0,
            "driver contract: {}",
            DriverError::OutputsNotDrained {
                pending: self.outputs.pending()
            }
        );
        if now < self.now {
            return false;
        }
        self.now = now;
        self.purge_expired();
        true
    }

    fn purge_expired(&mut self) {
        let now = self.now;
        self.seen.purge(now);
        self.issued.purge(now);
        // Own topics are few; one whose payments never came back is forgotten in the end.
        self.own.retain(|_, o| o.expires >= now);
        if let Some(rare) = self.rare.as_deref_mut() {
            rare.carried.purge(now);
            rare.rejected.purge(now);
            rare.banned.purge(now);
        }
        if self.asks.earliest().is_some_and(|e| e < now) {
            // Proof of work for an expired ask would buy nothing: tell the driver to stop.
            let cancelled: Vec<AskId> = self
                .asks
                .expired(now)
                .filter(|(_, ask)| ask.solving.is_some())
                .map(|(id, _)| *id)
                .collect();
            for id in cancelled {
                self.outputs.push_back(Output::CancelPow { id });
            }
            self.asks.purge(now);
        }
    }

    fn remove_issued(&mut self, peer: PeerId, ask: AskId) -> Option<IssuedConditions> {
        self.issued.remove(&(peer, ask))
    }

    fn reject(&mut self, from: PeerId, kind: FrameKind, reason: RejectReason) {
        self.event(Event::FrameRejected { from, kind, reason });
    }

    fn event(&mut self, e: Event) {
        self.outputs.push_back(Output::Event(e));
    }

    fn send(&mut self, to: PeerId, frame: &Frame) {
        self.send_bytes(to, frame.kind(), FrameBytes::encode(frame));
    }

    fn send_bytes(&mut self, to: PeerId, kind: FrameKind, bytes: FrameBytes) {
        self.outputs.push_back(Output::Send { to, kind, bytes });
    }

    fn set_timer(&mut self, timer: TimerKind, at: Timestamp) {
        self.timers.insert(timer, at);
        self.outputs.push_back(Output::SetTimer { timer, at });
    }

    /// Checks the sender certificate and request signature, skipping the signature checks for
    /// a byte-identical request verified before (status is always re-checked at `now`).
    fn verify_request(&mut self, req: &SignedRequestPayload) -> Result<[u8; 32], RejectReason> {
        self.cfg
            .trust
            .check_status(&req.payload.sender_certificate, self.now)?;
        if !req.payload.topic.is_well_formed() || !self.policy.accept_topic(&req.payload.topic) {
            return Err(RejectReason::TopicRefused);
        }
        let digest = req.digest();
        self.counts.hash += 1;
        if self.verified.contains(&digest) {
            return Ok(digest);
        }
        self.counts.verify += 1;
        self.cfg
            .trust
            .check_signature(self.cfg.crypto.as_ref(), &req.payload.sender_certificate)?;
        self.counts.verify += 1;
        if !req.verify_signature(self.cfg.crypto.as_ref()) {
            return Err(RejectReason::BadRequestSignature);
        }
        if self.verified.len() >= self.cfg.limits.verified_cache_max {
            // Evicts the smallest digest: deterministic, and as good as any other choice.
            self.verified.pop_first();
        }
        self.verified.insert(digest);
        Ok(digest)
    }

    fn remember_invoice(&mut self, hash: PaymentHash, via: PeerId, amount: u64) {
        let max = self.cfg.limits.invoices_max;
        let rare = self.rare.get_or_insert_with(Box::default);
        rare.by_hash.insert(hash, (via, amount), max);
    }
}

#[cfg(test)]
mod tests {
    /// A simulated million nodes each hold one: growing it shows in every large run (328 since
    /// per-topic accounts: `derive` in the crypto counts, the boxed account-key cache).
    #[test]
    fn a_node_stays_small() {
        assert!(std::mem::size_of::<super::Node>() <= 328);
    }
}
