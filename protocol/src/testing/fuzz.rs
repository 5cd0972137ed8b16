//! Bodies of the fuzz targets under `fuzz/`, shared with the stable test that replays their
//! corpus (`protocol/tests/fuzz_corpus.rs`).
