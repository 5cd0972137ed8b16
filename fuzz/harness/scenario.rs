//! Body of the `scenario_parse` fuzz target, shared with `sim/tests/fuzz_corpus.rs`.

use std::path::Path;

/// Parses `data` as a scenario file the way `sgsim` loads one: a result or an error whose
/// message renders, never a panic.
pub fn parse_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match sgsim::scenario::parse(text, Path::new("fuzz.toml")) {
        Ok(file) => assert!(!file.points.is_empty(), "a parsed scenario has a point"),
        Err(e) => drop(e.to_string()),
    }
}
