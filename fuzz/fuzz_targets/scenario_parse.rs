//! Scenario parsing on arbitrary text: never panics.
#![no_main]

#[path = "../harness/scenario.rs"]
mod scenario;

libfuzzer_sys::fuzz_target!(|data: &[u8]| scenario::parse_bytes(data));
