//! Frame decoding: decode, re-encode, round-trip invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sweet_gossip::testing::fuzz::frame_roundtrip(data));
