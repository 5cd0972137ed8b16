//! Onion routing of the reply path (paper 3.5). During the broadcast each forwarder wraps the
//! onion it received, together with its own address, in a sealed box for the next peer. On the
//! way back each hop peels one layer and learns only the hop before it.

use crate::crypto::{CryptoError, CryptoProvider, Keypair, PublicKey};
use crate::encoding::{decode, encode};
use crate::ids::PeerId;
use rand_core::RngCore;
use serde::{Deserialize, Serialize};

/// An onion: opaque bytes, or empty at the origin (the sender made the innermost layer).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Onion(pub Vec<u8>);

#[derive(Serialize, Deserialize)]
struct Layer {
    previous_hop: PeerId,
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
    /// The layer opened but its content is malformed.
    #[error("onion layer is malformed")]
    Malformed,
}

impl Onion {
    /// True at the origin: nothing left to peel.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Encoded length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Wraps this onion and `my_address` in a layer only `next_hop_key`'s holder can open.
    pub fn grow(
        &self,
        crypto: &dyn CryptoProvider,
        my_address: PeerId,
        next_hop_key: &PublicKey,
        rng: &mut dyn RngCore,
    ) -> Result<Onion, CryptoError> {
        let layer = encode(&Layer {
            previous_hop: my_address,
            inner: self.0.clone(),
        });
        crypto.seal(next_hop_key, &layer, rng).map(Onion)
    }

    /// Opens the outer layer with `key`: the hop to send the reply to and the rest of the onion.
    pub fn peel(
        &self,
        crypto: &dyn CryptoProvider,
        key: &Keypair,
    ) -> Result<(PeerId, Onion), OnionError> {
        if self.is_empty() {
            return Err(OnionError::Empty);
        }
        let plain = crypto.open(key, &self.0)?;
        let layer: Layer = decode(&plain).map_err(|_| OnionError::Malformed)?;
        Ok((layer.previous_hop, Onion(layer.inner)))
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
                let grown = prev.grow(&RealCrypto, PeerId(i as u64 - 1), &key.public(), &mut rng).unwrap();
                onions.push(grown);
            }
            let mut current = onions[hops].clone();
            for i in (1..=hops).rev() {
                if i > 1 {
                    // The previous hop cannot open the layer meant for hop i.
                    prop_assert!(current.peel(&RealCrypto, &keys[i - 1]).is_err());
                }
                let (prev, inner) = current.peel(&RealCrypto, &keys[i]).unwrap();
                prop_assert_eq!(prev, PeerId(i as u64 - 1));
                prop_assert_eq!(&inner, &onions[i - 1]);
                if !inner.is_empty() {
                    // Hop i learns nothing beyond its predecessor: it cannot open the rest.
                    prop_assert!(inner.peel(&RealCrypto, &keys[i]).is_err());
                }
                current = inner;
            }
            prop_assert!(current.is_empty());
            prop_assert_eq!(current.peel(&RealCrypto, &keys[0]), Err(OnionError::Empty));
        }
    }
}
