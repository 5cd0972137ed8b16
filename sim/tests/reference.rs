//! The committed quick-start report is exactly what the committed code produces.

use sgsim::runner::{run_file, RunOptions};
use std::fs;
use std::path::Path;

#[test]
fn quickstart_report_is_byte_identical_to_the_committed_one() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/quickstart");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml");
    let out = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        out: out.path().to_path_buf(),
        quiet: true,
        ..RunOptions::default()
    };
    run_file(&scenario, &opts).unwrap();
    let fresh = out.path().join("quickstart");
    if committed.join("inside.svg").exists() {
        // The report's picture of one run: `sgsim inspect reports/quickstart --point 0
        // --replicate 0 --topic 0 --out <tmp> --report`.
        let o = sgsim::inspect::InspectOptions {
            topic: Some(0),
            report: true,
            ..Default::default()
        };
        sgsim::inspect::inspect(&fresh, &out.path().join("inside"), &o).unwrap();
    }
    let list = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "runs")
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        list(&committed),
        list(&fresh),
        "the committed report has other files"
    );
    for name in list(&fresh) {
        let (a, b) = (
            fs::read(committed.join(&name)).unwrap(),
            fs::read(fresh.join(&name)).unwrap(),
        );
        assert!(
            a == b,
            "reports/quickstart/{name} differs from a fresh run: regenerate with \
             `cargo run --release -p sweet-gossip-sim -- run scenarios/quickstart.toml`"
        );
    }
}

/// Rewriting the committed quick-start tables from its own runs.jsonl and coverage.csv
/// (`sgsim report --rebuild`) leaves every number where it is.
#[test]
fn rebuilding_the_committed_quickstart_tables_moves_no_number() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/quickstart");
    let tmp = tempfile::tempdir().unwrap();
    for name in ["runs.jsonl", "coverage.csv", "sweep.json", "scenario.toml"] {
        fs::copy(committed.join(name), tmp.path().join(name)).unwrap();
    }
    sgsim::runner::rebuild(tmp.path()).unwrap();
    for name in ["runs.jsonl", "summary.csv", "paired.csv", "sweep.json"] {
        assert!(
            fs::read(committed.join(name)).unwrap() == fs::read(tmp.path().join(name)).unwrap(),
            "{name} changed when rebuilt from the committed runs"
        );
    }
}
