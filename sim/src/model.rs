//! Scale mode: cryptography and proof of work replaced by faithful models.
//!
//! The model keeps what the simulation measures: every output has the real size (signatures
//! 64 bytes, sealed boxes plaintext + 48, symmetric layers plaintext + 28), every RNG draw
//! is the same as the real provider's (a seal draws 32 bytes, a layer 12), and every
//! accept/reject decision is the same: a signature is a hash of key and message, so an altered
//! message fails; a sealed box is ChaCha20-Poly1305 under a key only the addressee derives, so
//! another node or an altered byte fails; a proof of work is a nonce bound to the payload's
//! hash, so an altered payload fails. What it drops is the cost: no curve arithmetic, no nonce
//! search. It is not secure against an adversary who knows the model, which simulated
//! adversaries do not exploit.

use crate::rng::geometric_trials;
use crate::scenario::ScaleMode;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use sweet_gossip::{
    sha256, Challenge, CryptoError, CryptoProvider, Keypair, PublicKey, RealCrypto, Signature,
    WorkRequest, SEAL_OVERHEAD,
};

/// Finds proofs of work for simulated nodes.
///
/// The attempts a search takes are drawn from the geometric distribution with success
/// probability (target + 1) / 2^256, which is what a SHA-256 search takes if the hash behaves
/// as a random oracle; they set the virtual time and the `pow_hashes` metrics in both modes, so
/// the real and the model mode measure the same. The real mode then searches a nonce that
/// truly meets the target, so receivers verify real work; the model mode binds the nonce to
/// the payload instead (see [`ModelCrypto::pow_nonce`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PowSolver {
    mode: ScaleMode,
}

impl PowSolver {
    /// A solver for `mode`.
    pub fn new(mode: ScaleMode) -> Self {
        Self { mode }
    }

    /// A valid nonce for `work` over `data`, and the attempts charged for it.
    pub fn solve(&self, data: &[u8], work: &WorkRequest, rng: &mut impl RngCore) -> (u64, u64) {
        let attempts = geometric_trials(rng, work.pow_target.success_probability());
        let nonce = match self.mode {
            ScaleMode::Real => {
                sweet_gossip::pow::solve(data, work, 0, u64::MAX)
                    .expect("invariant: the search is unbounded")
                    .0
            }
            ScaleMode::Model => ModelCrypto::pow_nonce(&work.challenge, data),
        };
        (nonce, attempts)
    }

    /// The crypto provider of `mode`, with signature checks memoised across the run.
    pub fn provider(&self) -> std::sync::Arc<dyn CryptoProvider> {
        use crate::verify_cache::VerifyCache;
        match self.mode {
            ScaleMode::Real => std::sync::Arc::new(VerifyCache::new(RealCrypto)),
            ScaleMode::Model => std::sync::Arc::new(VerifyCache::new(ModelCrypto)),
        }
    }
}

/// The modelled cryptography of scale mode.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelCrypto;

const PK_TAG: &[u8] = b"sgsim/model/pk";
const SIG_TAG: &[u8] = b"sgsim/model/sig";
const SEAL_TAG: &[u8] = b"sgsim/model/seal";
const POW_TAG: &[u8] = b"sgsim/model/pow";

impl ModelCrypto {
    /// The one nonce the model accepts as proof of work over `data` under `challenge`.
    pub fn pow_nonce(challenge: &Challenge, data: &[u8]) -> u64 {
        let h = sha256(&[POW_TAG, &challenge.0, data]);
        u64::from_le_bytes(h[..8].try_into().expect("8 bytes"))
    }

    fn seal_key(to: &PublicKey, ephemeral: &[u8]) -> Key {
        Key::from(sha256(&[SEAL_TAG, &to.0, ephemeral]))
    }
}

impl CryptoProvider for ModelCrypto {
    fn keypair_from_seed(&self, seed: [u8; 32]) -> Keypair {
        Keypair::modelled(PublicKey(sha256(&[PK_TAG, &seed])), seed)
    }

    fn sign(&self, key: &Keypair, msg: &[u8]) -> Result<Signature, CryptoError> {
        let pk = key.public();
        let (a, b) = (
            sha256(&[SIG_TAG, &pk.0, msg]),
            sha256(&[SIG_TAG, msg, &pk.0]),
        );
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&a);
        sig[32..].copy_from_slice(&b);
        Ok(Signature(sig))
    }

    fn verify(&self, key: &PublicKey, msg: &[u8], sig: &Signature) -> bool {
        let expected = self.sign(&Keypair::modelled(*key, [0; 32]), msg);
        expected.is_ok_and(|e| e == *sig)
    }

    fn seal(
        &self,
        to: &PublicKey,
        plaintext: &[u8],
        rng: &mut dyn RngCore,
    ) -> Result<Vec<u8>, CryptoError> {
        let mut eph = [0u8; 32];
        rng.fill_bytes(&mut eph);
        let cipher = ChaCha20Poly1305::new(&Self::seal_key(to, &eph));
        let ct = cipher
            .encrypt(&Nonce::default(), plaintext)
            .expect("invariant: in-memory AEAD encryption succeeds");
        let mut out = Vec::with_capacity(32 + ct.len());
        out.extend_from_slice(&eph);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    fn open(&self, key: &Keypair, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < SEAL_OVERHEAD {
            return Err(CryptoError::OpenFailed);
        }
        let cipher = ChaCha20Poly1305::new(&Self::seal_key(&key.public(), &sealed[..32]));
        cipher
            .decrypt(&Nonce::default(), &sealed[32..])
            .map_err(|_| CryptoError::OpenFailed)
    }

    fn sym_encrypt(&self, key: &[u8; 32], plaintext: &[u8], rng: &mut dyn RngCore) -> Vec<u8> {
        RealCrypto.sym_encrypt(key, plaintext, rng)
    }

    fn sym_decrypt(&self, key: &[u8; 32], ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        RealCrypto.sym_decrypt(key, ciphertext)
    }

    fn pow_check(&self, data: &[u8], work: &WorkRequest, nonce: u64) -> bool {
        nonce == Self::pow_nonce(&work.challenge, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Concern};
    use sweet_gossip::{PowScheme, PowTarget, SYM_OVERHEAD};

    #[test]
    fn both_solvers_give_valid_nonces_and_equal_attempts() {
        let work = WorkRequest {
            pow_scheme: PowScheme::Sha256,
            pow_target: PowTarget::from_expected_hashes(64),
            challenge: Challenge::default(),
        };
        let (real, model) = (
            PowSolver::new(ScaleMode::Real),
            PowSolver::new(ScaleMode::Model),
        );
        let (mut r1, mut r2) = (stream(1, 0, Concern::Pow), stream(1, 0, Concern::Pow));
        let mut total = 0;
        for i in 0..500u32 {
            let data = i.to_le_bytes();
            let (n1, a1) = real.solve(&data, &work, &mut r1);
            let (n2, a2) = model.solve(&data, &work, &mut r2);
            assert_eq!(a1, a2);
            assert!(RealCrypto.pow_check(&data, &work, n1));
            assert!(ModelCrypto.pow_check(&data, &work, n2));
            total += a1;
        }
        let mean = total as f64 / 500.0;
        assert!((50.0..80.0).contains(&mean), "geometric mean {mean}");
    }

    #[test]
    fn same_sizes_and_rng_use_as_real_crypto() {
        let (m, r) = (ModelCrypto, RealCrypto);
        let (mk, rk) = (m.keypair_from_seed([5; 32]), r.keypair_from_seed([5; 32]));
        let (mut r1, mut r2) = (
            stream(1, 0, Concern::Network),
            stream(1, 0, Concern::Network),
        );
        let ms = m.seal(&mk.public(), b"hello", &mut r1).unwrap();
        let rs = r.seal(&rk.public(), b"hello", &mut r2).unwrap();
        assert_eq!(ms.len(), rs.len());
        assert_eq!(
            r1.next_u64(),
            r2.next_u64(),
            "both drew the same randomness"
        );
        assert_eq!(m.sign(&mk, b"m").unwrap().0.len(), 64);
        assert_eq!(
            m.sym_encrypt(&[1; 32], b"abc", &mut r1).len(),
            3 + SYM_OVERHEAD
        );
    }

    #[test]
    fn altered_or_misaddressed_inputs_are_rejected() {
        let m = ModelCrypto;
        let (a, b) = (m.keypair_from_seed([1; 32]), m.keypair_from_seed([2; 32]));
        let sig = m.sign(&a, b"msg").unwrap();
        assert!(m.verify(&a.public(), b"msg", &sig));
        assert!(!m.verify(&a.public(), b"msG", &sig));
        assert!(!m.verify(&b.public(), b"msg", &sig));
        let mut rng = stream(1, 0, Concern::Network);
        let sealed = m.seal(&a.public(), b"secret", &mut rng).unwrap();
        assert_eq!(m.open(&a, &sealed).unwrap(), b"secret");
        assert!(m.open(&b, &sealed).is_err());
        let mut altered = sealed.clone();
        altered[40] ^= 1;
        assert!(m.open(&a, &altered).is_err());
        let work = WorkRequest {
            pow_scheme: PowScheme::Sha256,
            pow_target: PowTarget::MAX,
            challenge: Challenge::default(),
        };
        let nonce = ModelCrypto::pow_nonce(&work.challenge, b"payload");
        assert!(m.pow_check(b"payload", &work, nonce));
        assert!(!m.pow_check(b"payloaD", &work, nonce));
        // Real keys do not work with the model's opening, and vice versa.
        assert!(RealCrypto.sign(&a, b"x").is_err());
    }
}
