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

/// The seeding loop docs/fuzzing.md gives for `scenario_parse`.
const SEED_LOOP: &str = "for f in scenarios/*.toml scenarios/*/*.toml; do cp \"$f\" \
                         fuzz/corpus/scenario_parse/seed-$(basename \"$f\"); done";

/// `dir/*.toml`, sorted.
fn tomls(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .expect("readable folder")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    out.sort();
    out
}

#[test]
fn the_committed_seeds_are_what_the_documented_loop_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc = std::fs::read_to_string(root.join("docs/fuzzing.md")).expect("docs/fuzzing.md");
    assert!(
        doc.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains(SEED_LOOP),
        "docs/fuzzing.md no longer gives the seeding loop this test replays: {SEED_LOOP}"
    );
    // The loop's `scenarios/*.toml scenarios/*/*.toml`.
    let scenarios = root.join("scenarios");
    let mut sources = tomls(&scenarios);
    for e in std::fs::read_dir(&scenarios).expect("scenarios/") {
        let p = e.expect("readable entry").path();
        if p.is_dir() {
            sources.extend(tomls(&p));
        }
    }
    let corpus = root.join("fuzz/corpus/scenario_parse");
    let mut expected = std::collections::BTreeSet::new();
    for src in &sources {
        let name = format!("seed-{}", src.file_name().unwrap().to_string_lossy());
        let seed = std::fs::read(corpus.join(&name)).unwrap_or_default();
        assert!(
            seed == std::fs::read(src).expect("readable scenario"),
            "fuzz/corpus/scenario_parse/{name} is missing or differs from {}; rerun the \
             seeding loop of docs/fuzzing.md and commit the corpus",
            src.display()
        );
        expected.insert(name);
    }
    for e in std::fs::read_dir(&corpus).expect("the corpus is committed") {
        let name = e
            .expect("readable entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(
            !name.starts_with("seed-") || expected.contains(&name),
            "fuzz/corpus/scenario_parse/{name} is a seed of no committed scenario"
        );
    }
}
