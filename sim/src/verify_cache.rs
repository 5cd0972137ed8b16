//! A run-wide memo of signature checks. Thousands of nodes verify the same signed request; the
//! answer is a pure function of (key, message, signature), so one run computes it once. Nodes
//! still count every verification they make, so virtual time and metrics do not change: only
//! the simulator's own CPU time does.

use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Mutex;
use sweet_gossip::{CryptoError, CryptoProvider, Keypair, PublicKey, Signature, WorkRequest};

/// Entries kept before the memo is cleared (bounds memory; results never depend on it).
const CAPACITY: usize = 1 << 16;

/// Wraps a provider and memoises [`CryptoProvider::verify`].
pub struct VerifyCache<P> {
    inner: P,
    memo: Mutex<BTreeMap<[u8; 32], bool>>,
}

impl<P: CryptoProvider> VerifyCache<P> {
    /// Memoises `inner`'s signature checks.
    pub fn new(inner: P) -> Self {
        Self {
            inner,
            memo: Mutex::new(BTreeMap::new()),
        }
    }
}

impl<P: CryptoProvider> CryptoProvider for VerifyCache<P> {
    fn keypair_from_seed(&self, seed: [u8; 32]) -> Keypair {
        self.inner.keypair_from_seed(seed)
    }

    fn sign(&self, key: &Keypair, msg: &[u8]) -> Result<Signature, CryptoError> {
        self.inner.sign(key, msg)
    }

    fn verify(&self, key: &PublicKey, msg: &[u8], sig: &Signature) -> bool {
        let mut h = Sha256::new();
        h.update(key.0);
        h.update(sig.0);
        h.update(msg);
        let id: [u8; 32] = h.finalize().into();
        let mut memo = self
            .memo
            .lock()
            .expect("invariant: no panic while holding the memo");
        if let Some(ok) = memo.get(&id) {
            return *ok;
        }
        let ok = self.inner.verify(key, msg, sig);
        if memo.len() >= CAPACITY {
            memo.clear();
        }
        memo.insert(id, ok);
        ok
    }

    fn seal(
        &self,
        to: &PublicKey,
        plaintext: &[u8],
        rng: &mut dyn RngCore,
    ) -> Result<Vec<u8>, CryptoError> {
        self.inner.seal(to, plaintext, rng)
    }

    fn open(&self, key: &Keypair, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.inner.open(key, sealed)
    }

    fn sym_encrypt(&self, key: &[u8; 32], plaintext: &[u8], rng: &mut dyn RngCore) -> Vec<u8> {
        self.inner.sym_encrypt(key, plaintext, rng)
    }

    fn sym_decrypt(&self, key: &[u8; 32], ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.inner.sym_decrypt(key, ciphertext)
    }

    fn pow_check(&self, data: &[u8], work: &WorkRequest, nonce: u64) -> bool {
        self.inner.pow_check(data, work, nonce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sweet_gossip::RealCrypto;

    #[test]
    fn memo_gives_the_same_answers() {
        let c = VerifyCache::new(RealCrypto);
        let k = c.keypair_from_seed([1; 32]);
        let sig = c.sign(&k, b"m").unwrap();
        for _ in 0..3 {
            assert!(c.verify(&k.public(), b"m", &sig));
            assert!(!c.verify(&k.public(), b"n", &sig));
        }
        let other = c.keypair_from_seed([2; 32]).public();
        assert!(!c.verify(&other, b"m", &sig));
        assert_eq!(c.memo.lock().unwrap().len(), 3);
    }
}
