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

/// `out` with `value`'s encoding appended. Byte strings are copied in one piece.
pub(crate) fn append_encoded<T: Serialize + ?Sized, W: ByteSink>(value: &T, out: W) -> W {
    postcard::serialize_with_flavor(value, SinkFlavor(out))
        .expect("invariant: in-memory postcard encoding cannot fail")
}

/// A growable byte buffer postcard can write into slice by slice.
pub(crate) trait ByteSink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

impl ByteSink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl ByteSink for thin_vec::ThinVec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        extend_thin(self, bytes);
    }
}

/// Appends `bytes` to `v` with one copy (`ThinVec::extend_from_slice` pushes byte by byte).
pub(crate) fn extend_thin(v: &mut thin_vec::ThinVec<u8>, bytes: &[u8]) {
    v.reserve(bytes.len());
    let len = v.len();
    // SAFETY: `reserve` made room for `bytes.len()` more bytes after `len`; the copy writes
    // every one of them before `set_len` exposes them, and u8 has no drop or invalid values.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), v.as_mut_ptr().add(len), bytes.len());
        v.set_len(len + bytes.len());
    }
}

/// postcard's output into a [`ByteSink`].
struct SinkFlavor<W>(W);

impl<W: ByteSink> postcard::ser_flavors::Flavor for SinkFlavor<W> {
    type Output = W;

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.put(data);
        Ok(())
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.put(&[data]);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<W> {
        Ok(self.0)
    }
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

/// Serde helpers for byte vectors as byte strings: in postcard the same bytes as a sequence of
/// u8 (a varint length, then the bytes), written and read with one copy instead of per byte.
pub(crate) mod byte_vec {
    use serde::{de::Error, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_byte_buf(ByteVecVisitor)
    }

    struct ByteVecVisitor;

    impl<'de> serde::de::Visitor<'de> for ByteVecVisitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "bytes")
        }

        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }

        fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(b) = seq.next_element()? {
                out.push(b);
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
        assert!(decode::<Bytes>(&[0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
        assert!(decode::<Vec<u8>>(&[0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Bytes(#[serde(with = "super::byte_vec")] Vec<u8>);

    /// Byte strings encode exactly as the sequences of u8 they replace, so frames, hashes and
    /// traces stay byte-identical; both encodings decode into the other.
    #[test]
    fn byte_strings_encode_as_sequences_of_bytes() {
        for n in [0usize, 1, 127, 128, 3000] {
            let v: Vec<u8> = (0..n).map(|i| (i * 7) as u8).collect();
            let as_seq = encode(&(5u8, &v, 9u32));
            let as_bytes = encode(&(5u8, Bytes(v.clone()), 9u32));
            assert_eq!(as_bytes, as_seq, "{n} bytes");
            assert_eq!(as_seq, postcard::to_allocvec(&(5u8, &v, 9u32)).unwrap());
            let thin = append_encoded(&(5u8, Bytes(v.clone()), 9u32), thin_vec::ThinVec::new());
            assert_eq!(&thin[..], &as_seq[..]);
            let back: (u8, Bytes, u32) = decode(&as_seq).unwrap();
            assert_eq!(back.1 .0, v);
        }
        assert!(decode::<Bytes>(&[3, 1, 2]).is_err(), "truncated");
    }
}
