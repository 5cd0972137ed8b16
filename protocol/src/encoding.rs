//! The one canonical binary encoding (postcard) of everything signed, hashed or sent.

use serde::{de::DeserializeOwned, Serialize};
use thiserror::Error;

/// Largest frame a node accepts, in bytes; larger input is rejected before decoding.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input is larger than [`MAX_FRAME_BYTES`]; the sender is faulty or hostile.
    #[error("input of {len} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Length of the input.
        len: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The bytes are not a valid encoding of the expected type.
    #[error("malformed encoding: {0}")]
    Malformed(String),
    /// A valid value was followed by extra bytes; the encoding would not be canonical.
    #[error("{0} trailing bytes after a complete value")]
    TrailingBytes(usize),
}

/// Encodes `value` canonically. Equal values always give equal bytes, in a vector of exactly
/// their length (frames in flight are a simulation's largest transient memory).
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    append_encoded(value, Vec::with_capacity(encoded_len(value)))
}

/// The length of `value`'s encoding.
pub(crate) fn encoded_len<T: Serialize + ?Sized>(value: &T) -> usize {
    postcard::serialize_with_flavor(value, postcard::ser_flavors::Size::default())
        .expect("invariant: sizing cannot fail")
}

/// `out` with `value`'s encoding appended.
pub(crate) fn append_encoded<T: Serialize + ?Sized, W: Extend<u8>>(value: &T, out: W) -> W {
    postcard::to_extend(value, out).expect("invariant: in-memory postcard encoding cannot fail")
}

/// Decodes untrusted bytes. Never panics; rejects oversize input and trailing bytes.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    if bytes.len() > MAX_FRAME_BYTES {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            limit: MAX_FRAME_BYTES,
        });
    }
    let (value, rest) =
        postcard::take_from_bytes(bytes).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(DecodeError::TrailingBytes(rest.len()));
    }
    Ok(value)
}

/// Serde helpers for fixed-size byte arrays longer than serde supports natively.
pub(crate) mod fixed_bytes {
    use serde::{de::Error, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer, const N: usize>(
        v: &[u8; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        d.deserialize_bytes(FixedVisitor::<N>)
    }

    struct FixedVisitor<const N: usize>;

    impl<'de, const N: usize> serde::de::Visitor<'de> for FixedVisitor<N> {
        type Value = [u8; N];

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "{N} bytes")
        }

        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<[u8; N], E> {
            v.try_into().map_err(|_| E::invalid_length(v.len(), &self))
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<[u8; N], A::Error> {
            let mut out = [0u8; N];
            for (i, slot) in out.iter_mut().enumerate() {
                *slot = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(i, &self))?;
            }
            if seq.next_element::<u8>()?.is_some() {
                return Err(A::Error::invalid_length(N + 1, &self));
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_limits() {
        let v: Vec<u32> = vec![1, 2, 300];
        let bytes = encode(&v);
        assert_eq!(bytes.capacity(), bytes.len(), "no slack in encoded buffers");
        assert_eq!(bytes, postcard::to_allocvec(&v).unwrap());
        assert_eq!(decode::<Vec<u32>>(&bytes).unwrap(), v);
        let mut extra = bytes.clone();
        extra.push(0);
        assert_eq!(
            decode::<Vec<u32>>(&extra),
            Err(DecodeError::TrailingBytes(1))
        );
        let huge = vec![0u8; MAX_FRAME_BYTES + 1];
        assert!(matches!(
            decode::<Vec<u8>>(&huge),
            Err(DecodeError::TooLarge { .. })
        ));
        // A length prefix far beyond the input must fail cleanly, not allocate.
        assert!(decode::<Vec<u8>>(&[0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
    }
}
