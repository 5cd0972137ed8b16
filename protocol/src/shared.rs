//! What nodes in one process may share to save memory. Sharing never changes what a node does:
//! a shared request is byte-identical to the node's own copy, a directory key is the key the
//! node was told. A million simulated nodes would otherwise hold a million copies of each.

use crate::crypto::PublicKey;
use crate::encoding::encode;
use crate::frame::SignedRequestPayload;
use crate::ids::PeerId;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, Weak};

/// Where a node finds the onion keys of its peers, instead of storing one per peer.
///
/// Contract: answers do not change while a node uses the directory. A peer added with a key
/// the directory does not give is remembered by the node itself, so a directory can never make
/// a node seal to the wrong key.
pub trait KeyDirectory: Send + Sync {
    /// The onion key of `peer`, if the directory knows it.
    fn onion_key(&self, peer: PeerId) -> Option<PublicKey>;
}

/// A signed request with its canonical encoding, as forwarders hold and send it.
#[derive(Debug)]
pub struct SharedRequest {
    /// The request.
    pub signed: SignedRequestPayload,
    /// Its encoding, shared by every frame that carries it.
    pub encoded: Arc<Vec<u8>>,
}

impl SharedRequest {
    /// `signed` with its encoding.
    pub fn new(signed: SignedRequestPayload) -> Self {
        let encoded = Arc::new(encode(&signed));
        Self { signed, encoded }
    }
}

/// A fixed directory, e.g. built once from every node's configuration.
impl KeyDirectory for BTreeMap<PeerId, PublicKey> {
    fn onion_key(&self, peer: PeerId) -> Option<PublicKey> {
        self.get(&peer).copied()
    }
}

/// Interns signed requests by digest, so that every node holding a request holds the same copy.
///
/// The pool keeps only weak references: it never keeps a request alive on its own, and holds
/// at most `capacity` entries (dead ones are pruned first; past that, requests go unshared).
#[derive(Debug)]
pub struct RequestPool {
    capacity: usize,
    entries: Mutex<BTreeMap<[u8; 32], Weak<SharedRequest>>>,
}

impl Default for RequestPool {
    fn default() -> Self {
        Self::new(4_096)
    }
}

impl RequestPool {
    /// A pool of at most `capacity` distinct requests.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(BTreeMap::new()),
        }
    }

    /// The shared copy of `request`, whose digest is `digest` (the caller computed it: the
    /// pool trusts it, as equal digests mean equal bytes).
    pub fn intern(&self, digest: [u8; 32], request: SignedRequestPayload) -> Arc<SharedRequest> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(shared) = entries.get(&digest).and_then(Weak::upgrade) {
            return shared;
        }
        let shared = Arc::new(SharedRequest::new(request));
        if entries.len() >= self.capacity {
            entries.retain(|_, w| w.strong_count() > 0);
        }
        if entries.len() < self.capacity {
            entries.insert(digest, Arc::downgrade(&shared));
        }
        shared
    }

    /// Distinct requests currently remembered (live or not yet pruned).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// True when no request is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The sharing a node takes part in; the default shares nothing.
#[derive(Clone, Default)]
pub struct Sharing {
    /// Pool for the requests this node forwards.
    pub requests: Option<Arc<RequestPool>>,
    /// Directory of peers' onion keys.
    pub keys: Option<Arc<dyn KeyDirectory>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::CertificateAuthority;
    use crate::crypto::{CryptoProvider, RealCrypto};
    use crate::frame::RequestPayload;
    use crate::ids::PayloadId;
    use crate::time::Timestamp;
    use crate::topic::{Geohash, TaxiTopic, Topic};

    fn request(id: u8) -> SignedRequestPayload {
        let crypto = RealCrypto;
        let key = crypto.keypair_from_seed([id; 32]);
        let ca = CertificateAuthority::new("ca", crypto.keypair_from_seed([0; 32]));
        let cert = ca.issue(
            &crypto,
            key.public(),
            "n",
            "v",
            Timestamp::ZERO,
            Timestamp(9),
        );
        let payload = RequestPayload {
            payload_id: PayloadId([id; 16]),
            topic: Topic::Taxi(TaxiTopic {
                pickup_geohash: Geohash::encode(52.0, 21.0, 5),
                dropoff_geohash: Geohash::encode(52.1, 21.1, 5),
                pickup_after: Timestamp::ZERO,
                dropoff_before: Timestamp(9),
            }),
            sender_certificate: cert,
        };
        SignedRequestPayload::sign(&crypto, &key, payload).unwrap()
    }

    #[test]
    fn equal_requests_share_one_copy_and_the_pool_keeps_none_alive() {
        let pool = RequestPool::new(2);
        let (a, b) = (request(1), request(2));
        let first = pool.intern(a.digest(), a.clone());
        let second = pool.intern(a.digest(), a.clone());
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(first.signed, a);
        assert_eq!(*first.encoded, *encode(&a));
        let other = pool.intern(b.digest(), b.clone());
        assert!(!Arc::ptr_eq(&first, &other));
        drop((first, second));
        // The pool is full: the dead entry for `a` is pruned to make room for `c`.
        let c = request(3);
        let third = pool.intern(c.digest(), c);
        assert_eq!(pool.len(), 2);
        assert_eq!(
            Arc::strong_count(&third),
            1,
            "the pool holds no strong reference"
        );
        // Full of live requests: new ones are returned unshared, never refused.
        let d = request(4);
        assert_eq!(pool.intern(d.digest(), d.clone()).signed, d);
        assert_eq!(pool.len(), 2);
    }
}
