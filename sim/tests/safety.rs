//! Harness safety (issue 12): outputs stay inside `--out`, merge never destroys or hides
//! missing runs, resume only reuses runs of the same sweep, engine errors are shown, resource
//! limits are checked before a run, and added replicates reuse the finished ones.

mod common;

use sgsim::runner::{run_file, RunOptions};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SMALL: &str = "tests/data/small-sweep.toml";

/// A one-point scenario of 12 nodes on an edge list or a complete graph, cheap to run.
fn tiny(name: &str, graph: &str, extra: &str) -> String {
    format!(
        "name = \"{name}\"\nseed = 5\nreplicates = 2\nduration_s = 8.0\n{extra}\n{graph}\n\
         [roles]\ncustomers = 1\ngig_workers = 2\n\
         [workload]\narrivals = \"fixed\"\ntimes_s = [1.0]\nreply_deadline_s = 3.0\n"
    )
}

const COMPLETE: &str = "[graph]\ngenerator = \"complete\"\nnodes = 12\n";
const EDGES: &str = "[graph]\ngenerator = \"edge_list\"\npath = \"g.txt\"\n";

fn ring(n: u32) -> String {
    (0..n).map(|i| format!("{i} {}\n", (i + 1) % n)).collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

use common::{path_str as s, sgsim};

fn opts(out: &Path) -> RunOptions {
    common::run_opts(out, 1)
}

fn digest(result_dir: &Path) -> String {
    let text = fs::read_to_string(result_dir.join("sweep.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["digest"].as_str().unwrap().to_owned()
}

#[test]
fn a_name_that_is_a_path_is_refused_and_nothing_outside_out_is_touched() {
    let d = tempfile::tempdir().unwrap();
    let victim = d.path().join("b/victim/runs");
    fs::create_dir_all(&victim).unwrap();
    fs::write(victim.join("important.txt"), "keep me").unwrap();
    let absolute = format!("{}", d.path().join("abs").display());
    for name in [
        "../victim",
        "a/b",
        ".",
        "..",
        "",
        absolute.as_str(),
        "a\\\\b",
    ] {
        let f = write(d.path(), "bad.toml", &tiny(name, COMPLETE, ""));
        let out = d.path().join("b/oname2");
        let (code, _, stderr) = sgsim(&["run", s(&f), "--out", s(&out), "--quiet"]);
        assert_ne!(code, 0, "name {name:?} accepted");
        assert!(stderr.contains("bad.toml:1:1: key `name`"), "{stderr}");
        let allowed = if name.is_empty() {
            "must not be empty"
        } else {
            "letters, digits"
        };
        assert!(stderr.contains(allowed), "says what is allowed: {stderr}");
        assert!(!out.exists(), "nothing written for {name:?}");
    }
    assert_eq!(
        fs::read_to_string(victim.join("important.txt")).unwrap(),
        "keep me"
    );
    assert!(!d.path().join("abs").exists());
}

#[test]
fn a_rerun_deletes_only_its_own_run_files() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "t.toml", &tiny("t", COMPLETE, ""));
    run_file(&f, &opts(d.path())).unwrap();
    let mine = d.path().join("t/runs/notes.txt");
    fs::write(&mine, "a user's file").unwrap();
    run_file(&f, &opts(d.path())).unwrap();
    assert!(mine.exists(), "a rerun deleted a file it did not write");
}

/// Two shards of the small sweep under `root/0` and `root/1`.
fn shards(root: &Path) -> [PathBuf; 2] {
    for i in 0..2u32 {
        let shard = format!("{i}/2");
        let out = root.join(i.to_string());
        let (code, _, e) = sgsim(&["run", SMALL, "--out", s(&out), "--shard", &shard, "--quiet"]);
        assert_eq!(code, 0, "{e}");
    }
    [root.join("0/small-sweep"), root.join("1/small-sweep")]
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    common::files(dir)
}

#[test]
fn merge_refuses_an_output_that_is_or_lies_in_an_input() {
    let d = tempfile::tempdir().unwrap();
    let [a, b] = shards(d.path());
    let before = snapshot(&a);
    let inside = a.join("runs/merged");
    let dotted = d.path().join("1/../0/small-sweep");
    for out in [&a, &inside, &dotted] {
        let (code, _, stderr) = sgsim(&["merge", "--out", s(out), s(&a), s(&b)]);
        assert_ne!(code, 0, "merge into {} accepted", out.display());
        assert!(stderr.contains("input"), "{stderr}");
        assert_eq!(snapshot(&a), before, "an input changed");
    }
}

#[test]
fn merge_refuses_an_incomplete_set_unless_allowed_and_counts_truthfully() {
    let d = tempfile::tempdir().unwrap();
    let [a, b] = shards(d.path());
    let out = d.path().join("merged");
    let (code, _, stderr) = sgsim(&["merge", "--out", s(&out), s(&a)]);
    assert_ne!(code, 0, "a missing shard was accepted: {stderr}");
    assert!(stderr.contains("2 of 4 runs"), "{stderr}");
    assert!(
        stderr.contains("point 0, replicate 1") && stderr.contains("point 1, replicate 1"),
        "lists the missing runs: {stderr}"
    );
    assert!(!out.join("runs.jsonl").exists(), "nothing assembled");
    let (code, _, stderr) = sgsim(&["merge", "--allow-partial", "--out", s(&out), s(&a)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("merged 2 of 4 runs"), "{stderr}");
    let (code, _, stderr) = sgsim(&["merge", "--out", s(&out), s(&a), s(&b)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("merged 4 of 4 runs"), "{stderr}");
}

#[test]
fn merge_refuses_shards_of_different_sweeps() {
    let d = tempfile::tempdir().unwrap();
    let [a, _] = shards(d.path());
    let other = d.path().join("x");
    let (code, _, e) = sgsim(&[
        "run",
        SMALL,
        "--out",
        s(&other),
        "--shard",
        "1/2",
        "--seed",
        "99",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{e}");
    let (code, _, stderr) = sgsim(&[
        "merge",
        "--out",
        s(&d.path().join("m")),
        s(&a),
        s(&other.join("small-sweep")),
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("another sweep"), "{stderr}");
}

#[test]
fn seeds_up_to_u64_max_work_in_the_file_and_on_the_command_line() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "big.toml",
        &tiny("big", COMPLETE, "").replace("seed = 5", "seed = \"18446744073709551615\""),
    );
    let (code, stdout, stderr) = sgsim(&["check", s(&f)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("seed = \"18446744073709551615\""),
        "{stdout}"
    );
    let mut digests = Vec::new();
    for seed in ["18446744073709551615", "18446744073709551614"] {
        let out = d.path().join(seed);
        let (code, _, stderr) = sgsim(&["run", s(&f), "--out", s(&out), "--seed", seed, "--quiet"]);
        assert_eq!(code, 0, "{stderr}");
        let resolved = fs::read_to_string(out.join("big/scenario.toml")).unwrap();
        assert!(
            resolved.contains(&format!("seed = \"{seed}\"")),
            "{resolved}"
        );
        // The resolved file is itself a valid scenario file.
        let (code, _, stderr) = sgsim(&["check", s(&out.join("big/scenario.toml"))]);
        assert!(code == 0 || stderr.contains("points"), "{stderr}");
        digests.push(digest(&out.join("big")));
    }
    assert_ne!(digests[0], digests[1], "two seeds share one digest");
    // A small seed still renders as a plain integer.
    let (_, stdout, _) = sgsim(&["check", SMALL]);
    assert!(stdout.contains("seed = 11\n"), "{stdout}");
}

#[test]
fn editing_a_referenced_edge_list_invalidates_resume() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "g.txt", &ring(12));
    let f = write(d.path(), "e.toml", &tiny("e", EDGES, ""));
    let first = run_file(&f, &opts(d.path())).unwrap();
    let digest_before = digest(&d.path().join("e"));
    let mut o = opts(d.path());
    o.resume = true;
    let again = run_file(&f, &o).unwrap();
    assert_eq!((again.runs_executed, again.runs_resumed), (0, 2));
    write(d.path(), "g.txt", &format!("{}0 6\n", ring(12)));
    // The folder now holds another sweep's results: refused, then replaced on request.
    let refused = run_file(&f, &o).unwrap_err().to_string();
    assert!(refused.contains("--overwrite"), "{refused}");
    o.overwrite = true;
    let edited = run_file(&f, &o).unwrap();
    assert_eq!(first.runs_total, 2);
    assert_eq!(
        (edited.runs_executed, edited.runs_resumed),
        (2, 0),
        "stale runs reused after the edge list changed"
    );
    assert_ne!(digest(&d.path().join("e")), digest_before);
}

#[test]
fn engine_errors_are_shown_with_point_replicate_and_seed() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "g.txt", &ring(5));
    let f = write(
        d.path(),
        "r.toml",
        &tiny("r", EDGES, "").replace("customers = 1\ngig_workers = 2", "customers = 10"),
    );
    let out = d.path().join("out");
    let (code, _, stderr) = sgsim(&["run", s(&f), "--out", s(&out), "--quiet"]);
    assert_ne!(code, 0);
    assert!(!stderr.contains("contains no runs"), "{stderr}");
    assert!(stderr.contains("roles.customers"), "{stderr}");
    let (code, _, stderr) = sgsim(&["check", s(&f)]);
    assert_ne!(code, 0, "check misses roles that do not fit the graph");
    assert!(
        stderr.contains("roles.customers") && stderr.contains("5"),
        "{stderr}"
    );
    write(d.path(), "g.txt", "0 1\n1 x\n");
    let f = write(d.path(), "m.toml", &tiny("m", EDGES, ""));
    let (code, _, stderr) = sgsim(&["check", s(&f)]);
    assert_ne!(code, 0, "check misses a malformed edge list");
    assert!(stderr.contains("line 2"), "{stderr}");
}

#[test]
fn a_failed_run_names_its_point_replicate_and_seed() {
    // The failure only shows when the edge list is read: check-time errors are covered above,
    // so this one removes the file between check and run by pointing at a missing file.
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "n.toml", &tiny("n", EDGES, ""));
    let err = run_file(&f, &opts(d.path())).unwrap_err().to_string();
    assert!(err.contains("g.txt"), "{err}");
    assert!(!err.contains("contains no runs"), "{err}");
}

#[test]
fn check_refuses_values_beyond_what_is_meaningful() {
    let d = tempfile::tempdir().unwrap();
    let cases: [(&str, &str); 5] = [
        (
            "[workload]\nmessage_bytes = 4294967295",
            "workload.message_bytes",
        ),
        ("replicates = 4294967295", "replicates"),
        (
            "[workload]\nrate_per_s = 1e12\ntopics_max = 4294967295",
            "workload.topics_max",
        ),
        ("[policy]\npow_difficulty = 1e300", "policy.pow_difficulty"),
        (
            "[network]\njitter_ms_mean = 1e300",
            "network.jitter_ms_mean",
        ),
    ];
    for (extra, key) in cases {
        let base = tiny("lim", COMPLETE, "")
            .replace("replicates = 2\n", "")
            .replace(
                "[workload]\narrivals = \"fixed\"\ntimes_s = [1.0]\nreply_deadline_s = 3.0\n",
                "",
            );
        let text = if extra.starts_with('[') {
            format!("{base}{extra}\n")
        } else {
            base.replacen("duration_s", &format!("{extra}\nduration_s"), 1)
        };
        let f = write(d.path(), "lim.toml", &text);
        let (code, _, stderr) = sgsim(&["check", s(&f)]);
        assert_ne!(code, 0, "{extra} passed check");
        assert!(
            stderr.contains(&format!("key `{key}`")),
            "{extra}: {stderr}"
        );
        assert!(stderr.contains("at most"), "says the limit: {stderr}");
    }
    write(d.path(), "g.txt", "0 1\n1 2\n2 3000000\n");
    let f = write(d.path(), "big.toml", &tiny("big", EDGES, ""));
    let (code, _, stderr) = sgsim(&["check", s(&f)]);
    assert_ne!(code, 0, "a 3M-node graph from 3 edges passed check");
    assert!(stderr.contains("3000000"), "{stderr}");
}

#[test]
fn check_estimates_memory_and_run_refuses_above_the_limit() {
    let (code, _, stderr) = sgsim(&["check", "../scenarios/scale/million.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("memory") && stderr.contains("GiB"),
        "{stderr}"
    );
    let d = tempfile::tempdir().unwrap();
    let (code, _, stderr) = sgsim(&[
        "run",
        "../scenarios/scale/million.toml",
        "--out",
        s(d.path()),
        "--max-memory",
        "0.5",
        "--quiet",
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("--max-memory"), "{stderr}");
    assert!(
        !d.path().join("million/runs").exists(),
        "refused before running"
    );
}

#[test]
fn huge_thread_counts_do_not_hang_and_zero_means_all_cores() {
    let d = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for threads in ["10000", "0", "1"] {
        let out = d.path().join(threads);
        let mut child = Command::new(env!("CARGO_BIN_EXE_sgsim"))
            .args([
                "run",
                SMALL,
                "--out",
                s(&out),
                "--threads",
                threads,
                "--quiet",
            ])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if start.elapsed() > Duration::from_secs(120) {
                child.kill().unwrap();
                panic!("--threads {threads} hangs");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "--threads {threads} failed");
        results.push(fs::read(out.join("small-sweep/runs.jsonl")).unwrap());
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn added_replicates_reuse_the_finished_ones() {
    let d = tempfile::tempdir().unwrap();
    let mut o = opts(d.path());
    o.replicates = Some(2);
    let first = run_file(Path::new(SMALL), &o).unwrap();
    assert_eq!(first.runs_executed, 4);
    o.replicates = Some(3);
    o.resume = true;
    let more = run_file(Path::new(SMALL), &o).unwrap();
    assert_eq!(
        (more.runs_total, more.runs_executed, more.runs_resumed),
        (6, 2, 4),
        "only the new replicate runs"
    );
    let sweep = fs::read_to_string(d.path().join("small-sweep/sweep.json")).unwrap();
    assert!(sweep.contains("\"replicates\": 3"), "{sweep}");
    // Replicate r is the same run whatever the total.
    let fresh = tempfile::tempdir().unwrap();
    let mut f = opts(fresh.path());
    f.replicates = Some(3);
    run_file(Path::new(SMALL), &f).unwrap();
    let runs = |p: &Path| fs::read(p.join("small-sweep/runs.jsonl")).unwrap();
    assert_eq!(runs(d.path()), runs(fresh.path()));
    // The command line shows how many runs were reused.
    let (code, _, stderr) = sgsim(&[
        "run",
        SMALL,
        "--out",
        s(d.path()),
        "--replicates",
        "3",
        "--resume",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("6 reused"), "{stderr}");
}

#[test]
fn a_second_scenario_with_the_same_name_does_not_overwrite_the_first() {
    let d = tempfile::tempdir().unwrap();
    let a = write(d.path(), "a.toml", &tiny("same", COMPLETE, ""));
    let b = write(
        d.path(),
        "b.toml",
        &tiny("same", COMPLETE, "").replace("seed = 5", "seed = 6"),
    );
    let out = d.path().join("out");
    let (code, _, e) = sgsim(&["run", s(&a), "--out", s(&out), "--quiet"]);
    assert_eq!(code, 0, "{e}");
    let before = snapshot(&out.join("same"));
    let (code, _, stderr) = sgsim(&["run", s(&b), "--out", s(&out), "--quiet"]);
    assert_ne!(code, 0, "overwrote another sweep's results");
    assert!(stderr.contains("--overwrite"), "{stderr}");
    assert_eq!(snapshot(&out.join("same")), before);
    // The same sweep again is fine, and --overwrite replaces the other.
    let (code, _, e) = sgsim(&["run", s(&a), "--out", s(&out), "--quiet"]);
    assert_eq!(code, 0, "{e}");
    let (code, _, e) = sgsim(&["run", s(&b), "--out", s(&out), "--quiet", "--overwrite"]);
    assert_eq!(code, 0, "{e}");
    assert_ne!(snapshot(&out.join("same")), before);
}

#[test]
fn committed_reports_keep_their_digest_and_accept_a_rerun_of_their_scenario() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut seen = 0;
    for sub in ["scenarios", "scenarios/attacks", "scenarios/scale"] {
        for e in fs::read_dir(root.join(sub)).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let (_, meta, _) = sgsim::runner::prepare(&path, &RunOptions::default()).unwrap();
            let dir = root.join("reports").join(&meta.name);
            let committed = digest(&dir);
            assert_eq!(
                committed, meta.digest,
                "{}: sweep.json digest moved",
                meta.name
            );
            sgsim::runner::check_existing(&dir, &meta, false)
                .unwrap_or_else(|e| panic!("{}: a rerun would be refused: {e}", meta.name));
            seen += 1;
        }
    }
    assert!(seen >= 15, "{seen}");
}
