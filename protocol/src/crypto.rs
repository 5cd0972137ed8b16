//! Keys, signatures, sealed boxes and symmetric layers, behind a provider trait.
//!
//! [`RealCrypto`] is the production implementation: Ed25519 signatures, sealed boxes made of an
//! ephemeral X25519 key agreement (against the Montgomery form of the recipient's Ed25519 key),
//! SHA-256 key derivation and ChaCha20-Poly1305, and ChaCha20-Poly1305 symmetric layers with a
//! random nonce. Every random value comes from the RNG passed in by the caller.

use crate::encoding::fixed_bytes;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::montgomery::MontgomeryPoint;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Bytes a sealed box adds to its plaintext: ephemeral public key and AEAD tag.
pub const SEAL_OVERHEAD: usize = 32 + 16;
/// Bytes a symmetric layer adds to its plaintext: nonce and AEAD tag.
pub const SYM_OVERHEAD: usize = 12 + 16;

/// A 32-byte public key (an Ed25519 point); the same key verifies signatures and receives
/// sealed boxes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PublicKey(#[serde(with = "fixed_bytes")] pub [u8; 32]);

/// A 64-byte signature.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature(#[serde(with = "fixed_bytes")] pub [u8; 64]);

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", hex::encode(&self.0[..6]))
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", hex::encode(&self.0[..6]))
    }
}

/// A secret key and its public key. Made by a [`CryptoProvider`], usable only with a provider
/// of the same kind.
#[derive(Clone)]
pub struct Keypair {
    public: PublicKey,
    seed: [u8; 32],
    real: Option<Box<RealSecret>>,
}

#[derive(Clone)]
struct RealSecret {
    signing: SigningKey,
    x25519: [u8; 32],
    /// The X25519 public key of `x25519`, cached: sealed boxes bind it into their key.
    x25519_public: MontgomeryPoint,
}

impl Keypair {
    /// The public half.
    pub fn public(&self) -> PublicKey {
        self.public
    }

    /// The secret seed this keypair was derived from.
    pub fn seed(&self) -> &[u8; 32] {
        &self.seed
    }

    /// A keypair for a provider that models cryptography instead of computing it (e.g. a
    /// simulator's scale mode). [`RealCrypto`] refuses it with [`CryptoError::ForeignKey`].
    pub fn modelled(public: PublicKey, seed: [u8; 32]) -> Self {
        Self {
            public,
            seed,
            real: None,
        }
    }
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keypair({:?})", self.public)
    }
}

/// Why a cryptographic operation failed. Peers cause these; they are never bugs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A public key is not a valid curve point or is of small order.
    #[error("invalid public key")]
    InvalidKey,
    /// A ciphertext failed authentication or is too short: wrong key or altered bytes.
    #[error("ciphertext does not open")]
    OpenFailed,
    /// Keypair made by another provider kind.
    #[error("keypair belongs to another crypto provider")]
    ForeignKey,
    /// An input has the wrong length for its format (a padded onion of another size).
    #[error("input has the wrong length")]
    WrongLength,
}

/// The cryptographic operations the protocol performs. Implementations must be deterministic
/// given the RNG: the same inputs and RNG state give the same outputs.
pub trait CryptoProvider: Send + Sync {
    /// Derives a keypair from a 32-byte secret seed.
    fn keypair_from_seed(&self, seed: [u8; 32]) -> Keypair;
    /// Signs `msg`.
    fn sign(&self, key: &Keypair, msg: &[u8]) -> Result<Signature, CryptoError>;
    /// True iff `sig` is `key`'s signature of `msg`.
    fn verify(&self, key: &PublicKey, msg: &[u8], sig: &Signature) -> bool;
    /// Encrypts `plaintext` so only the holder of `to`'s secret key can open it.
    /// Output length is `plaintext.len() + SEAL_OVERHEAD`.
    fn seal(
        &self,
        to: &PublicKey,
        plaintext: &[u8],
        rng: &mut dyn RngCore,
    ) -> Result<Vec<u8>, CryptoError>;
    /// Opens a sealed box addressed to `key`.
    fn open(&self, key: &Keypair, sealed: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// Encrypts under a 32-byte symmetric key. Output length is `plaintext.len() + SYM_OVERHEAD`.
    fn sym_encrypt(&self, key: &[u8; 32], plaintext: &[u8], rng: &mut dyn RngCore) -> Vec<u8>;
    /// Decrypts a symmetric layer.
    fn sym_decrypt(&self, key: &[u8; 32], ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError>;

    /// True iff `nonce` is a valid proof of `work` over `data`. Default: the real SHA-256 check.
    fn pow_check(&self, data: &[u8], work: &crate::pow::WorkRequest, nonce: u64) -> bool {
        crate::pow::check(data, work, nonce)
    }
}

/// SHA-256 of the concatenation of `parts`.
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// Ed25519, X25519 sealed boxes and ChaCha20-Poly1305: the real cryptography.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealCrypto;

const SEAL_KDF_TAG: &[u8] = b"sweet-gossip/seal/v1";

fn seal_key(shared: &MontgomeryPoint, ephemeral: &MontgomeryPoint, to: &[u8; 32]) -> Key {
    Key::from(sha256(&[
        SEAL_KDF_TAG,
        shared.as_bytes(),
        ephemeral.as_bytes(),
        to,
    ]))
}

fn montgomery_of(key: &PublicKey) -> Result<MontgomeryPoint, CryptoError> {
    let point = CompressedEdwardsY(key.0)
        .decompress()
        .ok_or(CryptoError::InvalidKey)?;
    if point.is_small_order() {
        return Err(CryptoError::InvalidKey);
    }
    Ok(point.to_montgomery())
}

impl CryptoProvider for RealCrypto {
    fn keypair_from_seed(&self, seed: [u8; 32]) -> Keypair {
        let signing = SigningKey::from_bytes(&seed);
        let public = PublicKey(signing.verifying_key().to_bytes());
        let x25519 = signing.to_scalar_bytes();
        // Equals `MontgomeryPoint::mul_base_clamped(x25519)` without a scalar multiplication.
        let x25519_public = signing.verifying_key().to_montgomery();
        Keypair {
            public,
            seed,
            real: Some(Box::new(RealSecret {
                signing,
                x25519,
                x25519_public,
            })),
        }
    }

    fn sign(&self, key: &Keypair, msg: &[u8]) -> Result<Signature, CryptoError> {
        let real = key.real.as_ref().ok_or(CryptoError::ForeignKey)?;
        Ok(Signature(real.signing.sign(msg).to_bytes()))
    }

    fn verify(&self, key: &PublicKey, msg: &[u8], sig: &Signature) -> bool {
        let Ok(vk) = VerifyingKey::from_bytes(&key.0) else {
            return false;
        };
        vk.verify_strict(msg, &ed25519_dalek::Signature::from_bytes(&sig.0))
            .is_ok()
    }

    fn seal(
        &self,
        to: &PublicKey,
        plaintext: &[u8],
        rng: &mut dyn RngCore,
    ) -> Result<Vec<u8>, CryptoError> {
        let recipient = montgomery_of(to)?;
        let mut eph_secret = [0u8; 32];
        rng.fill_bytes(&mut eph_secret);
        let ephemeral = MontgomeryPoint::mul_base_clamped(eph_secret);
        let shared = recipient.mul_clamped(eph_secret);
        let cipher = ChaCha20Poly1305::new(&seal_key(&shared, &ephemeral, recipient.as_bytes()));
        let ct = cipher
            .encrypt(&Nonce::default(), plaintext)
            .expect("invariant: ChaCha20-Poly1305 encryption of an in-memory buffer succeeds");
        let mut out = Vec::with_capacity(32 + ct.len());
        out.extend_from_slice(ephemeral.as_bytes());
        out.extend_from_slice(&ct);
        Ok(out)
    }

    fn open(&self, key: &Keypair, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let real = key.real.as_ref().ok_or(CryptoError::ForeignKey)?;
        if sealed.len() < SEAL_OVERHEAD {
            return Err(CryptoError::OpenFailed);
        }
        let ephemeral = MontgomeryPoint(sealed[..32].try_into().expect("length checked above"));
        let shared = ephemeral.mul_clamped(real.x25519);
        if shared.as_bytes() == &[0u8; 32] {
            return Err(CryptoError::OpenFailed);
        }
        let me = &real.x25519_public;
        let cipher = ChaCha20Poly1305::new(&seal_key(&shared, &ephemeral, me.as_bytes()));
        cipher
            .decrypt(&Nonce::default(), &sealed[32..])
            .map_err(|_| CryptoError::OpenFailed)
    }

    fn sym_encrypt(&self, key: &[u8; 32], plaintext: &[u8], rng: &mut dyn RngCore) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rng.fill_bytes(&mut nonce);
        let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext)
            .expect("invariant: ChaCha20-Poly1305 encryption of an in-memory buffer succeeds");
        let mut out = Vec::with_capacity(12 + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    fn sym_decrypt(&self, key: &[u8; 32], ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if ciphertext.len() < SYM_OVERHEAD {
            return Err(CryptoError::OpenFailed);
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
        cipher
            .decrypt(Nonce::from_slice(&ciphertext[..12]), &ciphertext[12..])
            .map_err(|_| CryptoError::OpenFailed)
    }
}

/// Counts of cryptographic operations a node performed, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CryptoCounts {
    /// Signatures made.
    pub sign: u64,
    /// Signatures checked.
    pub verify: u64,
    /// Sealed boxes made.
    pub seal: u64,
    /// Sealed boxes opened (or tried).
    pub open: u64,
    /// Symmetric layers encrypted.
    pub sym_encrypt: u64,
    /// Symmetric layers decrypted (or tried).
    pub sym_decrypt: u64,
    /// SHA-256 hashes for proof-of-work checks and payment hashes.
    pub hash: u64,
    /// Key pairs derived from a seed (a node's per-topic accounts): one fixed-base scalar
    /// multiplication each, like a signature.
    pub derive: u64,
}

impl std::ops::AddAssign for CryptoCounts {
    fn add_assign(&mut self, o: CryptoCounts) {
        self.sign += o.sign;
        self.verify += o.verify;
        self.seal += o.seal;
        self.open += o.open;
        self.sym_encrypt += o.sym_encrypt;
        self.sym_decrypt += o.sym_decrypt;
        self.hash += o.hash;
        self.derive += o.derive;
    }
}

impl CryptoCounts {
    /// Component-wise difference `self - earlier`, saturating at zero.
    pub fn since(&self, earlier: &CryptoCounts) -> CryptoCounts {
        CryptoCounts {
            sign: self.sign.saturating_sub(earlier.sign),
            verify: self.verify.saturating_sub(earlier.verify),
            seal: self.seal.saturating_sub(earlier.seal),
            open: self.open.saturating_sub(earlier.open),
            sym_encrypt: self.sym_encrypt.saturating_sub(earlier.sym_encrypt),
            sym_decrypt: self.sym_decrypt.saturating_sub(earlier.sym_decrypt),
            hash: self.hash.saturating_sub(earlier.hash),
            derive: self.derive.saturating_sub(earlier.derive),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha12Rng;

    fn kp(seed: u8) -> Keypair {
        RealCrypto.keypair_from_seed([seed; 32])
    }

    #[test]
    fn sign_verify() {
        let k = kp(1);
        let sig = RealCrypto.sign(&k, b"hello").unwrap();
        assert!(RealCrypto.verify(&k.public(), b"hello", &sig));
        assert!(!RealCrypto.verify(&k.public(), b"hellO", &sig));
        assert!(!RealCrypto.verify(&kp(2).public(), b"hello", &sig));
    }

    #[test]
    fn seal_open_only_by_recipient() {
        let mut rng = ChaCha12Rng::seed_from_u64(7);
        let (a, b) = (kp(1), kp(2));
        let sealed = RealCrypto.seal(&a.public(), b"secret", &mut rng).unwrap();
        assert_eq!(sealed.len(), 6 + SEAL_OVERHEAD);
        assert_eq!(RealCrypto.open(&a, &sealed).unwrap(), b"secret");
        assert_eq!(RealCrypto.open(&b, &sealed), Err(CryptoError::OpenFailed));
        let mut altered = sealed.clone();
        altered[40] ^= 1;
        assert_eq!(RealCrypto.open(&a, &altered), Err(CryptoError::OpenFailed));
        assert_eq!(
            RealCrypto.open(&a, &sealed[..10]),
            Err(CryptoError::OpenFailed)
        );
    }

    #[test]
    fn cached_x25519_public_matches_secret() {
        for seed in 0..32u8 {
            let k = kp(seed);
            let real = k.real.as_ref().unwrap();
            let derived = MontgomeryPoint::mul_base_clamped(real.x25519);
            assert_eq!(real.x25519_public, derived);
            assert_eq!(Ok(derived), montgomery_of(&k.public()));
        }
    }

    #[test]
    fn seal_to_invalid_key_fails() {
        let mut rng = ChaCha12Rng::seed_from_u64(7);
        // The identity point has small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            RealCrypto.seal(&PublicKey(identity), b"x", &mut rng),
            Err(CryptoError::InvalidKey)
        );
    }

    #[test]
    fn symmetric_round_trip_and_reproducible() {
        let key = [9u8; 32];
        let mut r1 = ChaCha12Rng::seed_from_u64(1);
        let mut r2 = ChaCha12Rng::seed_from_u64(1);
        let c1 = RealCrypto.sym_encrypt(&key, b"layer", &mut r1);
        let c2 = RealCrypto.sym_encrypt(&key, b"layer", &mut r2);
        assert_eq!(c1, c2, "same RNG state gives the same bytes");
        assert_eq!(c1.len(), 5 + SYM_OVERHEAD);
        assert_eq!(RealCrypto.sym_decrypt(&key, &c1).unwrap(), b"layer");
        assert!(RealCrypto.sym_decrypt(&[8u8; 32], &c1).is_err());
    }
}
