//! Frames on their way out: bytes that may share the signed request they carry.

use crate::encoding::{append_encoded, encoded_len, extend_thin};
use serde::Serialize;
use std::sync::Arc;
use thin_vec::ThinVec;

/// The canonical bytes of one frame, as [`crate::Output::Send`] hands them to the driver.
///
/// A forwarder sends the same signed request in every ask and every broadcast. Frames built by
/// a node point at one shared encoding of it instead of copying it (it is most of an ask), so a
/// simulator holding millions of frames in flight holds the request once. [`FrameBytes::to_vec`]
/// and [`FrameBytes::write_to`] give exactly the bytes [`crate::Frame::encode`] would.
///
/// It is 24 bytes inline (two thin pointers and an offset), so a simulator's queued events stay
/// small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameBytes {
    /// Everything but the shared part.
    own: ThinVec<u8>,
    /// Where in `own` the shared part goes.
    at: u32,
    shared: Option<Arc<Vec<u8>>>,
}

impl FrameBytes {
    /// The encoding of `value`, shared with nothing; encoded in place, without a copy.
    pub fn encode<T: Serialize + ?Sized>(value: &T) -> Self {
        let own = append_encoded(value, ThinVec::with_capacity(encoded_len(value)));
        Self {
            own,
            at: 0,
            shared: None,
        }
    }

    /// The bytes `head`, then `shared`, then each of `tail` in order.
    pub fn with_shared(head: &[u8], shared: Arc<Vec<u8>>, tail: &[&[u8]]) -> Self {
        let len = head.len() + tail.iter().map(|t| t.len()).sum::<usize>();
        let mut own = ThinVec::with_capacity(len);
        extend_thin(&mut own, head);
        for t in tail {
            extend_thin(&mut own, t);
        }
        let at = u32::try_from(head.len()).expect("invariant: frame heads are a few bytes");
        Self {
            own,
            at,
            shared: Some(shared),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.own.len() + self.shared.as_ref().map_or(0, |s| s.len())
    }

    /// True for no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Replaces the contents of `out` with these bytes.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.clear();
        out.reserve_exact(self.len());
        let at = self.at as usize;
        out.extend_from_slice(&self.own[..at]);
        if let Some(s) = &self.shared {
            out.extend_from_slice(s);
        }
        out.extend_from_slice(&self.own[at..]);
    }

    /// The bytes, in one vector of exactly their length.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }
}

/// Copies the bytes once; [`FrameBytes::encode`] avoids that for values still to encode.
impl From<Vec<u8>> for FrameBytes {
    fn from(bytes: Vec<u8>) -> Self {
        let mut own = ThinVec::with_capacity(bytes.len());
        extend_thin(&mut own, &bytes);
        Self {
            own,
            at: 0,
            shared: None,
        }
    }
}

impl From<FrameBytes> for Vec<u8> {
    fn from(bytes: FrameBytes) -> Self {
        bytes.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_bytes_read_back_in_place() {
        assert_eq!(std::mem::size_of::<FrameBytes>(), 24);
        let shared = Arc::new(b"SHARED".to_vec());
        let f = FrameBytes::with_shared(b"head-", Arc::clone(&shared), &[b"-ta", b"il"]);
        assert_eq!(f.to_vec(), b"head-SHARED-tail");
        assert_eq!(f.len(), 16);
        assert_eq!(Vec::from(f.clone()), b"head-SHARED-tail");
        let mut out = b"old contents".to_vec();
        f.write_to(&mut out);
        assert_eq!(out, b"head-SHARED-tail");
        let plain = FrameBytes::from(b"abc".to_vec());
        assert_eq!((plain.len(), plain.to_vec()), (3, b"abc".to_vec()));
        assert!(FrameBytes::from(Vec::new()).is_empty());
        assert_eq!(
            FrameBytes::encode(&(1u8, 300u32)).to_vec(),
            crate::encode(&(1u8, 300u32))
        );
    }
}
