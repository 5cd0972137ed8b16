//! Issue 25: results are sealed (a folder whose scenario.toml or tables changed after the run
//! is refused), every answer is a clear error or a correct result, outputs are atomic (a
//! failed or killed command leaves each file old or new, never partial), one writer per
//! folder, and several scenarios run on one pool exactly as they run alone.

mod common;

use common::files;
use sgsim::inspect::{inspect, InspectError, InspectOptions};
use sgsim::runner::{run_file, run_files};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Scenario B of the issue: 60 nodes, 2 topics, one replicate.
const B: &str = r#"name = "tiny"
seed = 1
replicates = 1
duration_s = 20.0
[graph]
generator = "random_regular"
nodes = 60
degree = 4
[roles]
customers = 2
gig_workers = 0.1
[workload]
arrivals = "fixed"
times_s = [1.0, 3.0]
reply_deadline_s = 5.0
[policy]
fanout = "fixed"
fanout_k = 3
pow_difficulty = 16.0
[network]
latency = "lognormal"
"#;

use common::{path_str as s, sgsim};

/// Runs `text` (named `name` inside) into a fresh folder; returns it and the result folder.
fn result(text: &str, name: &str) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join(format!("{name}.toml"));
    fs::write(&path, text).unwrap();
    let r = run_file(&path, &common::run_opts(&d.path().join("out"), 1)).unwrap();
    (d, r.dir)
}

fn opts(point: u32, replicate: u32) -> InspectOptions {
    InspectOptions {
        point,
        replicate,
        ..InspectOptions::default()
    }
}

#[test]
fn an_edited_scenario_toml_is_refused_by_report_and_rebuild_naming_the_file() {
    let (_d, dir) = result(B, "tiny");
    let path = dir.join("scenario.toml");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("nodes = 60"));
    fs::write(&path, text.replace("nodes = 60", "nodes = 500")).unwrap();
    let before = files(&dir);
    for args in [
        vec!["report", s(&dir)],
        vec!["report", s(&dir), "--rebuild"],
    ] {
        let (code, _, err) = sgsim(&args);
        assert_ne!(code, 0, "{args:?} accepted an edited scenario.toml");
        assert!(
            err.contains("scenario.toml does not match") && err.contains("sweep.json"),
            "{err}"
        );
        assert_eq!(files(&dir), before, "{args:?} wrote something");
    }
}

/// Replaces the first `"key":value` of `runs.jsonl`'s line for (0, 0) by `"key":new`.
fn edit_run(dir: &Path, key: &str, new: &str) -> String {
    let path = dir.join("runs.jsonl");
    let text = fs::read_to_string(&path).unwrap();
    let at = text.find(&format!("\"{key}\":")).unwrap() + key.len() + 3;
    let end = at + text[at..].find([',', '}']).unwrap();
    let old = text[at..end].to_owned();
    fs::write(&path, format!("{}{new}{}", &text[..at], &text[end..])).unwrap();
    old
}

#[test]
fn a_tampered_metric_is_refused_by_rebuild_report_and_inspect() {
    let (d, dir) = result(B, "tiny");
    let old = edit_run(&dir, "coverage_final", "0.5");
    assert_ne!(old, "0.5");
    let before = files(&dir);
    for args in [
        vec!["report", s(&dir), "--rebuild"],
        vec!["report", s(&dir)],
    ] {
        let (code, _, err) = sgsim(&args);
        assert_ne!(code, 0, "{args:?} averaged a tampered value");
        assert!(err.contains("runs.jsonl does not match"), "{err}");
        assert_eq!(files(&dir), before, "{args:?} wrote something");
    }
    let err = inspect(&dir, &d.path().join("i"), &opts(0, 0)).unwrap_err();
    assert!(matches!(err, InspectError::MetricMismatch { .. }), "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains("runs.jsonl")
            && shown.contains("`coverage_final` recorded 0.5, replayed")
            && shown.contains(&old.parse::<f64>().unwrap().to_string()),
        "{shown}"
    );
    let (code, out, err) = sgsim(&[
        "inspect",
        s(&dir),
        "--point",
        "0",
        "--replicate",
        "0",
        "--out",
        s(&d.path().join("j")),
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("coverage_final"), "{err}");
}

#[test]
fn a_changed_seed_is_named_as_a_seed_mismatch() {
    let (d, dir) = result(B, "tiny");
    let old = edit_run(&dir, "seed", "12345");
    let err = inspect(&dir, &d.path().join("i"), &opts(0, 0)).unwrap_err();
    let shown = err.to_string();
    assert!(matches!(err, InspectError::SeedMismatch { .. }), "{shown}");
    assert!(
        shown.contains("recorded with seed 12345") && shown.contains(&format!("seed {old}")),
        "{shown}"
    );
}

#[test]
fn inspect_refuses_a_node_or_topic_the_run_does_not_have() {
    let (d, dir) = result(B, "tiny");
    let out = d.path().join("i");
    let inspect = |flag: &str, value: &str| {
        sgsim(&[
            "inspect",
            s(&dir),
            "--point",
            "0",
            "--replicate",
            "0",
            "--out",
            s(&out),
            flag,
            value,
        ])
    };
    for (flag, value, allowed) in [
        ("--node", "60", "allowed: 0 to 59"),
        ("--node", "4294967295", "allowed: 0 to 59"),
        ("--topic", "2", "0 to 1"),
    ] {
        let (code, stdout, err) = inspect(flag, value);
        assert_ne!(code, 0, "{flag} {value}: {stdout}");
        assert!(
            err.contains(&format!("{flag} {value}")) && err.contains(allowed),
            "{err}"
        );
    }
    assert!(!out.exists(), "nothing written for a bad node or topic");
    let (code, stdout, err) = inspect("--node", "59");
    assert_eq!(code, 0, "{err}");
    assert!(!stdout.is_empty(), "node 59's log");
}

#[test]
fn rebuild_without_runs_jsonl_names_it_missing_and_writes_nothing() {
    let (_d, dir) = result(B, "tiny");
    let whole = files(&dir);
    // With the saved runs still there, the tables are rebuilt from them, byte for byte.
    fs::remove_file(dir.join("runs.jsonl")).unwrap();
    let (code, _, err) = sgsim(&["report", s(&dir), "--rebuild"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(files(&dir), whole);
    // Without them there is nothing to rebuild from: an error, and no table is touched.
    fs::remove_file(dir.join("runs.jsonl")).unwrap();
    fs::remove_dir_all(dir.join("runs")).unwrap();
    let before = files(&dir);
    let (code, _, err) = sgsim(&["report", s(&dir), "--rebuild"]);
    assert_ne!(code, 0);
    assert!(err.contains("runs.jsonl is missing"), "{err}");
    assert_eq!(files(&dir), before, "header-only tables were written");
}

#[test]
fn merge_accepts_the_overwrite_flag_its_refusal_suggests() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("tiny.toml");
    fs::write(&f, B).unwrap();
    let shard = d.path().join("s");
    let (code, _, err) = sgsim(&[
        "run",
        s(&f),
        "--out",
        s(&shard),
        "--shard",
        "0/1",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let out = d.path().join("mine");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("notes.txt"), "a user's file").unwrap();
    let shard = shard.join("tiny");
    let (code, _, err) = sgsim(&["merge", "--out", s(&out), s(&shard)]);
    assert_ne!(code, 0);
    assert!(err.contains("pass --overwrite"), "{err}");
    let (code, _, err) = sgsim(&["merge", "--overwrite", "--out", s(&out), s(&shard)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.join("report.md").is_file());
}

#[test]
fn a_second_writer_is_refused_naming_the_first_ones_pid() {
    let (d, dir) = result(B, "tiny");
    let f = d.path().join("tiny.toml");
    let before = files(&dir);
    // The test stands in for the first writer: it holds the folder's lock.
    let held = sgsim::outdir::lock(&dir, "sgsim run").unwrap();
    let pid = format!("PID {}", std::process::id());
    let out = d.path().join("out");
    let runs = [
        vec!["run", s(&f), "--out", s(&out), "--seed", "2", "--quiet"],
        vec!["run", s(&f), "--out", s(&out), "--overwrite", "--quiet"],
        vec!["report", s(&dir)],
        vec!["report", s(&dir), "--rebuild"],
    ];
    for args in &runs {
        let (code, _, err) = sgsim(args);
        assert_ne!(code, 0, "{args:?} wrote into a locked folder");
        assert!(err.contains(&pid) && err.contains("sgsim run"), "{err}");
    }
    let mut lock_file = before.clone();
    lock_file.insert(
        PathBuf::from(sgsim::outdir::LOCK_FILE),
        format!("{pid}, sgsim run\n").into_bytes(),
    );
    assert_eq!(
        files(&dir),
        lock_file,
        "the refused writers touched nothing"
    );
    drop(held);
    let (code, _, err) = sgsim(&["report", s(&dir)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(files(&dir), before, "the lock file goes with its holder");
}

/// Every file under `dir` that is not a lock file, temporary or stage folder.
fn results_only(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files(dir)
        .into_iter()
        .filter(|(p, _)| {
            !p.components().any(|c| {
                let c = c.as_os_str().to_str().unwrap();
                c == sgsim::outdir::LOCK_FILE || sgsim::outdir::is_leftover(c)
            })
        })
        .collect()
}

/// Copies the files of `from` (no subfolders) into a new folder `to`.
fn copy_flat(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn a_killed_rebuild_leaves_every_file_old_or_new_and_the_next_writer_cleans_up() {
    let d = tempfile::tempdir().unwrap();
    let opts = common::run_opts(&d.path().join("out"), 1);
    let r = run_file(Path::new("tests/data/small-sweep.toml"), &opts).unwrap();
    // The "old" folder: every output the rebuild rewrites holds an earlier version.
    let old_dir = d.path().join("old");
    copy_flat(&r.dir, &old_dir);
    for name in [
        "report.md",
        "runs.csv",
        "summary.csv",
        "paired.csv",
        "t90.svg",
    ] {
        fs::write(old_dir.join(name), format!("old {name}\n")).unwrap();
    }
    let old = files(&old_dir);
    let new_dir = d.path().join("new");
    copy_flat(&old_dir, &new_dir);
    let (code, _, err) = sgsim(&["report", s(&new_dir), "--rebuild"]);
    assert_eq!(code, 0, "{err}");
    let new = files(&new_dir);
    assert_ne!(old, new);
    for (k, delay_ms) in [0u64, 2, 5, 10, 20, 40, 80, 160, 320]
        .into_iter()
        .enumerate()
    {
        let dir = d.path().join(format!("k{k}"));
        copy_flat(&old_dir, &dir);
        let mut child = Command::new(env!("CARGO_BIN_EXE_sgsim"))
            .args(["report", s(&dir), "--rebuild"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL: no cleanup runs
        child.wait().unwrap();
        for (name, bytes) in results_only(&dir) {
            let is_old = old.get(&name) == Some(&bytes);
            let is_new = new.get(&name) == Some(&bytes);
            assert!(
                is_old || is_new,
                "after a kill at {delay_ms} ms, {} is neither its old nor its new version",
                name.display()
            );
        }
        for name in old.keys() {
            assert!(dir.join(name).is_file(), "{} vanished", name.display());
        }
        // The next writer removes what the killed one left and completes the folder.
        let (code, _, err) = sgsim(&["report", s(&dir), "--rebuild"]);
        assert_eq!(code, 0, "{err}");
        let after = files(&dir);
        let differ: Vec<&PathBuf> = after
            .keys()
            .chain(new.keys())
            .filter(|k| after.get(*k) != new.get(*k))
            .collect();
        assert!(
            differ.is_empty(),
            "after a kill at {delay_ms} ms and a rerun: {differ:?}"
        );
    }
}

#[test]
fn several_scenarios_on_one_pool_write_what_each_writes_alone() {
    let d = tempfile::tempdir().unwrap();
    let batch = d.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    fs::write(batch.join("tiny.toml"), B).unwrap();
    fs::copy("tests/data/small-sweep.toml", batch.join("small.toml")).unwrap();
    let paths = [batch.join("small.toml"), batch.join("tiny.toml")];
    let (alone, together) = (d.path().join("alone"), d.path().join("together"));
    for p in &paths {
        run_file(p, &common::run_opts(&alone, 1)).unwrap();
    }
    let results = run_files(&paths, &common::run_opts(&together, 2)).unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!((results[0].runs_total, results[1].runs_total), (4, 1));
    assert_eq!(files(&together), files(&alone));
    // A folder of scenarios on the command line: the same bytes.
    let cli = d.path().join("cli");
    let (code, _, err) = sgsim(&["run", s(&batch), "--out", s(&cli), "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(files(&cli), files(&alone));
    // Two scenarios with one name would share a folder: refused before anything runs.
    fs::write(batch.join("again.toml"), B).unwrap();
    let twice = d.path().join("twice");
    let (code, _, err) = sgsim(&["run", s(&batch), "--out", s(&twice), "--quiet"]);
    assert_ne!(code, 0);
    assert!(err.contains("both named \"tiny\""), "{err}");
    assert!(!twice.exists(), "nothing written");
}

#[test]
fn a_nested_table_error_names_the_key_that_is_missing() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("sub.toml");
    fs::write(&f, B.replace("[graph]\n", "[graph.sub]\n")).unwrap();
    let (code, _, err) = sgsim(&["check", s(&f)]);
    assert_ne!(code, 0);
    assert!(
        err.contains("key `graph.generator`: required key is missing"),
        "{err}"
    );
    assert!(!err.contains("graph.sub.generator"), "{err}");
}
