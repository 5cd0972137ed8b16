//! Three nodes fed arbitrary frames, timers, proofs of work and payment results.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sweet_gossip::testing::fuzz::node_inputs(data));
