//! Onion routing of the reply path (paper 3.5). During the broadcast each forwarder wraps the
//! onion it received, together with its own address, in a layer for the next peer. On the way
//! back each hop peels one layer and learns only the hop before it.
//!
//! Two formats ([`OnionFormat`]). The paper's onion grows by one sealed box per hop, so its
//! size tells every hop how far it is from the sender. The padded onion (the default, issue 11
//! hole 7) has the same size at every hop: each hop prepends a sealed head (its address and a
//! fresh stream key), encrypts the rest under that key and drops the last head-sized block,
//! like a Sphinx reply block built hop by hop. Peeling decrypts and appends keystream where
//! the dropped block was, so what a hop passes on looks like any other onion. It holds
//! `hops` layers; a deeper layer falls off the end, so middlemen refuse to forward a topic
//! whose route already has that many instructions ([`crate::node::Limits::max_hops`]). Heads
//! are authenticated; the body is not (no hop knows the path ahead when it wraps), so a
//! flipped body byte is caught by the hop whose head it lands in, or never if it lands in
//! padding, where it changes nothing.

use crate::crypto::{CryptoError, CryptoProvider, Keypair, PublicKey, SEAL_OVERHEAD};
use crate::encoding::{decode, encode};
use crate::ids::PeerId;
use chacha20::cipher::{KeyIvInit, StreamCipher};
use rand_core::RngCore;
use serde::{Deserialize, Serialize};

/// An onion: opaque bytes; empty at the origin in the growing format.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Onion(#[serde(with = "crate::encoding::byte_vec")] pub Vec<u8>);

/// How onions are built; every node of a network must use the same format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnionFormat {
    /// The paper's: one sealed box per hop, so the size reveals the hop count.
    Growing,
    /// Fixed size: room for `hops` layers of [`PADDED_HEAD_LEN`] bytes each.
    Padded {
        /// Layers the onion holds.
        hops: usize,
    },
}

/// Plaintext of a padded head: the previous hop (8 bytes, little endian) and a stream key.
const HEAD_PLAIN_LEN: usize = 8 + 32;
/// Bytes one layer of a padded onion takes.
pub const PADDED_HEAD_LEN: usize = HEAD_PLAIN_LEN + SEAL_OVERHEAD;

#[derive(Serialize, Deserialize)]
struct Layer {
    previous_hop: PeerId,
    #[serde(with = "crate::encoding::byte_vec")]
    inner: Vec<u8>,
}

/// Why an onion layer could not be peeled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OnionError {
    /// The onion is empty: there is no layer for this node.
    #[error("empty onion")]
    Empty,
    /// The layer is not sealed to this node's key, or was altered.
    #[error("onion layer does not open: {0}")]
    Crypto(#[from] CryptoError),
    /// The layer opened but its content is malformed, or the onion has the wrong size.
    #[error("onion layer is malformed")]
    Malformed,
}

/// XORs ChaCha20's keystream under `key` (nonce zero: every key is used for one onion layer).
fn keystream_xor(key: &[u8; 32], data: &mut [u8]) {
    let mut cipher = chacha20::ChaCha20::new(key.into(), &[0u8; 12].into());
    cipher.apply_keystream(data);
}

impl OnionFormat {
    /// The onion a sender starts a broadcast with: empty, or random bytes of the fixed size
    /// (indistinguishable from layers, so the first hop cannot tell the path ends there).
    pub fn origin(self, rng: &mut dyn RngCore) -> Onion {
        match self {
            OnionFormat::Growing => Onion::default(),
            OnionFormat::Padded { hops } => {
                let mut bytes = vec![0u8; hops * PADDED_HEAD_LEN];
                rng.fill_bytes(&mut bytes);
                Onion(bytes)
            }
        }
    }
}

impl Onion {
    /// True in the growing format at the origin: nothing left to peel.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Encoded length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Wraps this onion and `my_address` in a layer only `next_hop_key`'s holder can open.
    /// In the padded format the result has this onion's size, which must be the format's.
    pub fn grow(
        &self,
        crypto: &dyn CryptoProvider,
        my_address: PeerId,
        next_hop_key: &PublicKey,
        rng: &mut dyn RngCore,
        format: OnionFormat,
    ) -> Result<Onion, CryptoError> {
        let OnionFormat::Padded { hops } = format else {
            let layer = encode(&Layer {
                previous_hop: my_address,
                inner: self.0.clone(),
            });
            return crypto.seal(next_hop_key, &layer, rng).map(Onion);
        };
        let size = hops * PADDED_HEAD_LEN;
        if self.0.len() != size || hops == 0 {
            return Err(CryptoError::WrongLength);
        }
        let mut plain = [0u8; HEAD_PLAIN_LEN];
        plain[..8].copy_from_slice(&my_address.0.to_le_bytes());
        rng.fill_bytes(&mut plain[8..]);
        let key: [u8; 32] = plain[8..].try_into().expect("32 bytes");
        let mut out = crypto.seal(next_hop_key, &plain, rng)?;
        let head = out.len();
        out.extend_from_slice(&self.0[..size - PADDED_HEAD_LEN]);
        keystream_xor(&key, &mut out[head..]);
        Ok(Onion(out))
    }

    /// Opens the outer layer with `key`: the hop to send the reply to and the rest of the onion.
    pub fn peel(
        &self,
        crypto: &dyn CryptoProvider,
        key: &Keypair,
        format: OnionFormat,
    ) -> Result<(PeerId, Onion), OnionError> {
        if self.is_empty() {
            return Err(OnionError::Empty);
        }
        let OnionFormat::Padded { hops } = format else {
            let plain = crypto.open(key, &self.0)?;
            let layer: Layer = decode(&plain).map_err(|_| OnionError::Malformed)?;
            return Ok((layer.previous_hop, Onion(layer.inner)));
        };
        if self.0.len() != hops * PADDED_HEAD_LEN {
            return Err(OnionError::Malformed);
        }
        let plain = crypto.open(key, &self.0[..PADDED_HEAD_LEN])?;
        if plain.len() != HEAD_PLAIN_LEN {
            return Err(OnionError::Malformed);
        }
        let previous = PeerId(u64::from_le_bytes(plain[..8].try_into().expect("8 bytes")));
        let stream: [u8; 32] = plain[8..].try_into().expect("32 bytes");
        let mut rest = Vec::with_capacity(self.0.len());
        rest.extend_from_slice(&self.0[PADDED_HEAD_LEN..]);
        rest.resize(self.0.len(), 0);
        keystream_xor(&stream, &mut rest);
        Ok((previous, Onion(rest)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RealCrypto;
    use proptest::prelude::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha12Rng;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Growing through a path of n hops and peeling back yields each predecessor in order,
        /// and no hop can open a layer that is not its own.
        #[test]
        fn grow_peel_round_trip(hops in 1usize..=20, seed in any::<u64>()) {
            let mut rng = ChaCha12Rng::seed_from_u64(seed);
            let keys: Vec<Keypair> = (0..=hops)
                .map(|i| RealCrypto.keypair_from_seed([i as u8 + 1; 32]))
                .collect();
            // Node 0 is the origin; node i receives from node i-1.
            let mut onions = vec![Onion::default()];
            for (i, key) in keys.iter().enumerate().skip(1) {
                let prev = onions.last().unwrap();
                let grown = prev.grow(&RealCrypto, PeerId(i as u64 - 1), &key.public(), &mut rng, OnionFormat::Growing).unwrap();
                onions.push(grown);
            }
            let mut current = onions[hops].clone();
            for i in (1..=hops).rev() {
                if i > 1 {
                    // The previous hop cannot open the layer meant for hop i.
                    prop_assert!(current.peel(&RealCrypto, &keys[i - 1], OnionFormat::Growing).is_err());
                }
                let (prev, inner) = current.peel(&RealCrypto, &keys[i], OnionFormat::Growing).unwrap();
                prop_assert_eq!(prev, PeerId(i as u64 - 1));
                prop_assert_eq!(&inner, &onions[i - 1]);
                if !inner.is_empty() {
                    // Hop i learns nothing beyond its predecessor: it cannot open the rest.
                    prop_assert!(inner.peel(&RealCrypto, &keys[i], OnionFormat::Growing).is_err());
                }
                current = inner;
            }
            prop_assert!(current.is_empty());
            prop_assert_eq!(current.peel(&RealCrypto, &keys[0], OnionFormat::Growing), Err(OnionError::Empty));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        /// A padded onion has one size at every hop, still yields each predecessor in order,
        /// and a hop cannot open a layer that is not its own.
        #[test]
        fn padded_onions_keep_their_size(hops in 1usize..=8, seed in any::<u64>()) {
            let format = OnionFormat::Padded { hops: 8 };
            let size = 8 * PADDED_HEAD_LEN;
            let mut rng = ChaCha12Rng::seed_from_u64(seed);
            let keys: Vec<Keypair> = (0..=hops)
                .map(|i| RealCrypto.keypair_from_seed([i as u8 + 1; 32]))
                .collect();
            let mut onions = vec![format.origin(&mut rng)];
            for (i, key) in keys.iter().enumerate().skip(1) {
                let prev = onions.last().unwrap();
                let grown = prev
                    .grow(&RealCrypto, PeerId(i as u64 - 1), &key.public(), &mut rng, format)
                    .unwrap();
                prop_assert_eq!(grown.len(), size);
                onions.push(grown);
            }
            let mut current = onions[hops].clone();
            for i in (1..=hops).rev() {
                if i > 1 {
                    prop_assert!(current.peel(&RealCrypto, &keys[i - 1], format).is_err());
                }
                let (prev, inner) = current.peel(&RealCrypto, &keys[i], format).unwrap();
                prop_assert_eq!(prev, PeerId(i as u64 - 1));
                prop_assert_eq!(inner.len(), size);
                // What survives is the layer below, up to the blocks replaced on the way back.
                let kept = size - (hops - i + 1) * PADDED_HEAD_LEN;
                prop_assert_eq!(&inner.0[..kept], &onions[i - 1].0[..kept]);
                current = inner;
            }
        }
    }

    #[test]
    fn a_padded_onion_of_the_wrong_size_is_refused() {
        let format = OnionFormat::Padded { hops: 4 };
        let key = RealCrypto.keypair_from_seed([1; 32]);
        let mut rng = ChaCha12Rng::seed_from_u64(1);
        let short = Onion(vec![0; 3 * PADDED_HEAD_LEN]);
        assert!(short
            .grow(&RealCrypto, PeerId(0), &key.public(), &mut rng, format)
            .is_err());
        assert_eq!(
            short.peel(&RealCrypto, &key, format),
            Err(OnionError::Malformed)
        );
        // A route deeper than the onion holds loses its innermost layer.
        let keys: Vec<Keypair> = (0..6)
            .map(|i| RealCrypto.keypair_from_seed([i + 1; 32]))
            .collect();
        let mut onion = format.origin(&mut rng);
        for (i, key) in keys.iter().enumerate().skip(1) {
            let me = PeerId(i as u64 - 1);
            onion = onion
                .grow(&RealCrypto, me, &key.public(), &mut rng, format)
                .unwrap();
        }
        for i in (2..6).rev() {
            onion = onion.peel(&RealCrypto, &keys[i], format).unwrap().1;
        }
        assert!(
            onion.peel(&RealCrypto, &keys[1], format).is_err(),
            "pushed off the end"
        );
    }
}
