//! Replays the committed fuzz corpus (`fuzz/corpus/`) through the fuzz targets' bodies on the
//! stable toolchain, so every find stays fixed.

use std::path::{Path, PathBuf};
use sweet_gossip::testing::fuzz::{frame_roundtrip, node_inputs, seed_frames};

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
}

/// Every file of a target's corpus, sorted by name.
fn files(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(corpus(target))
        .expect("the corpus is committed")
        .map(|e| e.expect("readable entry").path())
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read(&p).expect("readable file"),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn frame_decode_corpus_replays() {
    let all = files("frame_decode");
    assert!(all.len() >= 8, "seeded corpus");
    for (name, data) in all {
        eprintln!("{name}");
        frame_roundtrip(&data);
    }
}

#[test]
fn node_inputs_corpus_replays() {
    let all = files("node_inputs");
    assert!(all.len() >= 8, "seeded corpus");
    for (name, data) in all {
        eprintln!("{name}");
        node_inputs(&data);
    }
}

/// Writes the seed corpus of both protocol targets (documented in `docs/fuzzing.md`):
/// `cargo test -p sweet-gossip --test fuzz_corpus -- --ignored write_seed_corpus`.
#[test]
#[ignore = "writes files: run by hand to regenerate the seed corpus"]
fn write_seed_corpus() {
    for (i, frame) in seed_frames().into_iter().enumerate() {
        std::fs::write(corpus("frame_decode").join(format!("seed-{i:02}")), &frame).unwrap();
        // Op 0: inject this frame from node (i % 3) to node ((i + 1) % 3), then drive.
        let len = u8::try_from(frame.len().min(255)).unwrap();
        let mut ops = vec![2, 0, 1, 255, 0, (i % 3) as u8, ((i + 1) % 3) as u8, len];
        ops.extend_from_slice(&frame[..usize::from(len)]);
        ops.extend_from_slice(&[1, 255, 7, i as u8, 1, 2, 40, 1, 8, 6, 200, 3, 0, 0]);
        std::fs::write(corpus("node_inputs").join(format!("seed-{i:02}")), ops).unwrap();
    }
}
