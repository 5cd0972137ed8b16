//! Replays the committed `scenario_parse` fuzz corpus (`fuzz/corpus/scenario_parse/`) through
//! the fuzz target's body on the stable toolchain.

#[path = "../../fuzz/harness/scenario.rs"]
mod scenario;

use std::path::Path;

#[test]
fn scenario_parse_corpus_replays() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/scenario_parse");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the corpus is committed")
        .map(|e| e.expect("readable entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 8, "seeded corpus");
    for path in files {
        eprintln!("{}", path.display());
        scenario::parse_bytes(&std::fs::read(&path).expect("readable file"));
    }
}
