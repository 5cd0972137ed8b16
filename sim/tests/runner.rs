//! Whole sweeps through the runner and the binary: determinism across thread counts, resume,
//! shards, and clear errors.

mod common;

use common::{files, run_opts as opts, sgsim};
use sgsim::runner::{merge, run_file};
use std::fs;
use std::path::Path;

const SMALL: &str = "tests/data/small-sweep.toml";

#[test]
fn outputs_are_byte_identical_for_one_and_two_threads() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_file(Path::new(SMALL), &opts(a.path(), 1)).unwrap();
    run_file(Path::new(SMALL), &opts(b.path(), 2)).unwrap();
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.len() >= 8, "{:?}", fa.keys());
    for name in [
        "small-sweep/runs.jsonl",
        "small-sweep/summary.csv",
        "small-sweep/coverage.csv",
        "small-sweep/report.md",
    ] {
        assert!(fa.contains_key(Path::new(name)), "missing {name}");
    }
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(
            v == &fb[k],
            "{} differs between 1 and 2 threads",
            k.display()
        );
    }
    // No wall-clock time or absolute path leaks into the results.
    let runs = String::from_utf8(fa[Path::new("small-sweep/runs.jsonl")].clone()).unwrap();
    assert_eq!(runs.lines().count(), 4);
    assert!(!runs.contains(a.path().to_str().unwrap()));
}

#[test]
fn resume_runs_only_what_is_missing_and_gives_the_same_bytes() {
    let d = tempfile::tempdir().unwrap();
    let first = run_file(Path::new(SMALL), &opts(d.path(), 2)).unwrap();
    assert_eq!((first.runs_total, first.runs_executed), (4, 4));
    let before = files(d.path());
    // Simulate an interrupted sweep: one run never finished, nothing was assembled.
    let dir = d.path().join("small-sweep");
    fs::remove_file(dir.join("runs/p00001-r00000.json")).unwrap();
    fs::remove_file(dir.join("runs.jsonl")).unwrap();
    fs::remove_file(dir.join("summary.csv")).unwrap();
    let mut o = opts(d.path(), 1);
    o.resume = true;
    let second = run_file(Path::new(SMALL), &o).unwrap();
    assert_eq!((second.runs_executed, second.runs_resumed), (1, 3));
    assert_eq!(files(d.path()), before);
}

#[test]
fn shards_merge_into_the_same_bytes_as_one_run() {
    let (whole, s0, s1, merged) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    run_file(Path::new(SMALL), &opts(whole.path(), 2)).unwrap();
    for (i, d) in [(0, &s0), (1, &s1)] {
        let mut o = opts(d.path(), 1);
        o.shard = Some((i, 2));
        let r = run_file(Path::new(SMALL), &o).unwrap();
        assert_eq!(r.runs_total, 2);
    }
    let shards = [s0.path().join("small-sweep"), s1.path().join("small-sweep")];
    let out = merged.path().join("small-sweep");
    assert_eq!(merge(&out, &shards).unwrap(), 4);
    assert_eq!(files(merged.path()), files(whole.path()));
}

#[test]
fn seed_override_changes_results() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_file(Path::new(SMALL), &opts(a.path(), 2)).unwrap();
    let mut o = opts(b.path(), 2);
    o.seed = Some(12);
    run_file(Path::new(SMALL), &o).unwrap();
    let read = |d: &Path| fs::read(d.join("small-sweep/runs.jsonl")).unwrap();
    assert_ne!(read(a.path()), read(b.path()));
}

#[test]
fn cli_check_prints_defaults_and_bad_files_fail_with_location() {
    let (code, stdout, _) = sgsim(&["check", SMALL]);
    assert_eq!(code, 0);
    assert!(stdout.contains("multibroadcast = 1"), "defaults filled in");
    let d = tempfile::tempdir().unwrap();
    let bad = d.path().join("bad.toml");
    fs::write(&bad, "name = \"x\"\nseed = 1\n[graph]\ngenerator = \"complete\"\nnodes = 5\n[policy]\nfanot = 3\n").unwrap();
    let (code, _, stderr) = sgsim(&[
        "run",
        bad.to_str().unwrap(),
        "--out",
        d.path().to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("bad.toml:7:1"), "{stderr}");
    assert!(stderr.contains("fanout"), "names what is allowed: {stderr}");
    let (code, _, stderr) = sgsim(&["run", "no/such/file.toml"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("no/such/file.toml"), "{stderr}");
    let (code, stdout, _) = sgsim(&["list"]);
    assert_eq!(code, 0);
    for word in ["random_regular", "reputation", "lognormal", "covert_flash"] {
        assert!(stdout.contains(word), "list names {word}");
    }
}

#[test]
fn cli_report_regenerates_the_same_report_from_results_alone() {
    let d = tempfile::tempdir().unwrap();
    run_file(Path::new(SMALL), &opts(d.path(), 2)).unwrap();
    let dir = d.path().join("small-sweep");
    let before = fs::read(dir.join("report.md")).unwrap();
    fs::remove_file(dir.join("report.md")).unwrap();
    fs::remove_file(dir.join("coverage.svg")).unwrap();
    fs::remove_dir_all(dir.join("runs")).unwrap();
    let (code, stdout, stderr) = sgsim(&["report", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("report.md"));
    assert_eq!(fs::read(dir.join("report.md")).unwrap(), before);
    assert!(dir.join("coverage.svg").exists());
}
