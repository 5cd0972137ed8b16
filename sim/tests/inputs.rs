//! Issue 25, the input side: values the code cannot compute are refused by `check` with a named
//! error; what passes runs to a correct result (money conserved, no silent null); every input
//! file is a bounded regular file; `check` reads every file `run` reads, with the same errors;
//! and every referenced file keys the runs.

mod common;

use sgsim::engine::run;
use sgsim::runner::{check_file, run_file};
use sgsim::scenario::parse;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The issue's base scenario B.
const B: &str = common::ISSUE_B;

/// B with the Lightning payment model and `lightning` keys.
fn ln(lightning: &str) -> String {
    format!("{B}[payments]\nmodel = \"lightning\"\n[payments.lightning]\n{lightning}\n")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

/// `sgsim ARGS`, killed after a minute: (exit code, stderr).
fn sgsim(args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sgsim"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("sgsim {args:?} still running after a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn refused(text: &str, key: &str, needles: &[&str]) {
    let e = parse(text, Path::new("b.toml"))
        .err()
        .unwrap_or_else(|| panic!("accepted:\n{text}"))
        .to_string();
    assert!(
        e.starts_with("b.toml:") && e.contains(&format!("key `{key}`")),
        "{e}"
    );
    for n in needles {
        assert!(e.contains(n), "{e}\nshould mention {n}");
    }
}

#[test]
fn values_the_code_cannot_compute_are_refused_with_their_key_and_range() {
    let ln_scale = ln("capacity_sat = 2.1e15\ncapacity_scale = 1.01");
    let capacity = "payments.lightning.capacity_scale";
    refused(
        &ln_scale,
        capacity,
        &["capacity_sat x capacity_scale", "2100000000000000"],
    );
    let fees = ln("fee_base_msat_max = 4294967295\nfee_scale = 2.0");
    refused(&fees, "payments.lightning.fee_scale", &["32 bits"]);
    let sybil = format!("{B}[attack]\nkind = \"sybil\"\nshare = 0.1\nsybil_cost_sat = 1e308\n");
    refused(&sybil, "attack.sybil_cost_sat", &["21 million bitcoin"]);
    let balance = format!("{B}[payments]\nbalance_sat = 9223372036854775807\n");
    refused(
        &balance,
        "payments.balance_sat",
        &["at most 2100000000000000"],
    );
    for (table, key) in [
        ("workload", "reply_deadline_s"),
        ("policy", "timestamp_tolerance_s"),
        ("policy", "conditions_ttl_s"),
        ("policy", "ask_timeout_s"),
        ("network", "online_mean_s"),
        ("network", "offline_mean_s"),
    ] {
        let text = if B.contains(key) {
            B.replace(&format!("{key} = 5.0"), &format!("{key} = 1e308"))
        } else {
            B.replace(
                &format!("[{table}]\n"),
                &format!("[{table}]\n{key} = 1e308\n"),
            )
        };
        refused(&text, &format!("{table}.{key}"), &["at most 10000000.0 s"]);
    }
    refused(
        &format!("{B}[device]\nsign_us = 1e300\n"),
        "device.sign_us",
        &["at most"],
    );
}

/// The Lightning metrics of one run of `text`; the run must succeed.
fn ln_metrics(text: &str) -> std::collections::BTreeMap<String, Option<f64>> {
    let file = parse(text, Path::new("b.toml")).unwrap_or_else(|e| panic!("{e}"));
    let out = run(&file.points[0].scenario, 0, Path::new(".")).unwrap();
    out.metrics.metrics
}

#[test]
fn capacities_up_to_all_the_money_route_and_conserve_it() {
    // In range, yet once panicked in LDK (scaled capacities above 21 million bitcoin) or
    // overflowed the books (sums of capacities above 2^64 msat).
    for keys in [
        "capacity_sat = 1e9\ncapacity_scale = 1e6",
        "capacity_sat = 1e12\ncapacity_scale = 1e3",
        "capacity_distribution = \"pareto\"\ncapacity_shape = 0.1",
        "capacity_distribution = \"pareto\"\ncapacity_shape = 0.01",
        "capacity_distribution = \"pareto\"\ncapacity_sat = 2.1e15\ncapacity_shape = 10.0",
    ] {
        let m = ln_metrics(&ln(keys));
        assert_eq!(m["ln_money_unbalanced_msat"], Some(0.0), "{keys}");
        assert!(
            m["ln_payments_ok"].is_some_and(|v| v > 0.0),
            "{keys}: {m:?}"
        );
    }
}

#[test]
fn the_longest_deadline_allowed_runs_to_a_result() {
    let d = tempfile::tempdir().unwrap();
    // The longest run allows a deadline that still ends inside it (the end-of-run rule).
    let text = B
        .replace("duration_s = 20.0", "duration_s = 1e7")
        .replace("reply_deadline_s = 5.0", "reply_deadline_s = 9999997.0");
    let f = write(d.path(), "tiny.toml", &text);
    let done = run_file(&f, &common::run_opts(&d.path().join("out"), 1)).unwrap();
    assert_eq!(done.runs_executed, 1);
    let runs = fs::read_to_string(d.path().join("out/tiny/runs.jsonl")).unwrap();
    assert_eq!(runs.lines().count(), 1, "{runs}");
}

#[test]
fn devices_pipes_and_oversized_files_are_refused_at_once() {
    let d = tempfile::tempdir().unwrap();
    for args in [
        vec!["check", "/dev/zero"],
        vec!["run", "/dev/zero", "--out", s(d.path())],
        vec!["check", "/dev/urandom"],
    ] {
        let (code, e) = sgsim(&args);
        assert_ne!(code, 0);
        assert!(e.contains("/dev/") && e.contains("is a device"), "{e}");
    }
    let fifo = d.path().join("pipe.toml");
    if Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|st| st.success())
    {
        let (code, e) = sgsim(&["check", s(&fifo)]);
        assert_ne!(code, 0);
        assert!(e.contains("a named pipe"), "{e}");
    }
    // A referenced file on a device is refused by check, naming the key.
    let edges = B.replace(
        "generator = \"random_regular\"\nnodes = 60\ndegree = 4",
        "generator = \"edge_list\"\npath = \"/dev/zero\"",
    );
    let snap = ln("graph = \"/dev/zero\"");
    for (text, key) in [(edges, "graph.path"), (snap, "payments.lightning.graph")] {
        let f = write(d.path(), "dev.toml", &text);
        let (code, e) = sgsim(&["check", s(&f)]);
        assert_ne!(code, 0);
        assert!(e.contains(key) && e.contains("is a device"), "{e}");
    }
    // Above --max-input-mib: refused; below: read.
    let padding = format!("# {}\n", "x".repeat(100)).repeat(12_000);
    let big = write(d.path(), "big.toml", &format!("{padding}{B}"));
    let (code, e) = sgsim(&["check", s(&big), "--max-input-mib", "1"]);
    assert_ne!(code, 0);
    assert!(
        e.contains("above the input limit") && e.contains("--max-input-mib"),
        "{e}"
    );
    let (code, e) = sgsim(&["check", s(&big), "--max-input-mib", "2"]);
    assert_eq!(code, 0, "{e}");
}

#[test]
fn a_list_longer_than_any_key_accepts_is_refused_while_reading() {
    let d = tempfile::tempdir().unwrap();
    let times: Vec<String> = (0..=1_000_000).map(|i| format!("{}", i % 10)).collect();
    let text = B.replace(
        "times_s = [1.0, 3.0]",
        &format!("times_s = [{}]", times.join(",")),
    );
    let f = write(d.path(), "long.toml", &text);
    let (code, e) = sgsim(&["check", s(&f)]);
    assert_ne!(code, 0);
    assert!(
        e.contains("key `workload.times_s`") && e.contains("more than 1000000 values"),
        "{e}"
    );
}

/// A copy of the example describegraph snapshot in `dir` as `snap.json`, edited by `edit`.
fn snapshot(dir: &Path, edit: impl Fn(&str) -> String) -> PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/lightning/example-describegraph.json");
    write(
        dir,
        "snap.json",
        &edit(&fs::read_to_string(example).unwrap()),
    )
}

/// B on 12 nodes paying over `snap.json`.
fn on_snapshot(nodes: u32) -> String {
    ln("graph = \"snap.json\"").replace(
        "nodes = 60\ndegree = 4",
        &format!("nodes = {nodes}\ndegree = 4"),
    )
}

/// `text` with the value of the `nth` (from 0) `"field": "..."` set to `value`.
fn set(text: &str, field: &str, nth: usize, value: &str) -> String {
    let key = format!("\"{field}\": \"");
    let (at, _) = text.match_indices(&key).nth(nth).expect("field present");
    let start = at + key.len();
    let end = start + text[start..].find('"').unwrap();
    format!("{}{value}{}", &text[..start], &text[end..])
}

/// The `nth` value of `"field": "..."` in `text`.
fn get(text: &str, field: &str, nth: usize) -> String {
    let key = format!("\"{field}\": \"");
    let (at, _) = text.match_indices(&key).nth(nth).expect("field present");
    let rest = &text[at + key.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

type Edit = Box<dyn Fn(&str) -> String>;

#[test]
fn check_reads_snapshots_with_the_errors_run_gives() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "ln.toml", &on_snapshot(12));
    let cases: Vec<(&str, Edit)> = vec![
        (
            "not lnd describegraph JSON",
            Box::new(|t| t[..t.len() / 2].to_string()),
        ),
        ("whole number", Box::new(|t| set(t, "capacity", 0, "lots"))),
        ("whole number", Box::new(|t| set(t, "capacity", 1, "-5"))),
        ("capacity must be", Box::new(|t| set(t, "capacity", 2, "0"))),
        (
            "is not among the nodes",
            Box::new(|t| set(t, "node1_pub", 0, &"02".repeat(33))),
        ),
        (
            "appears twice",
            Box::new(|t| set(t, "pub_key", 1, &get(t, "pub_key", 0))),
        ),
        (
            "already used",
            Box::new(|t| set(t, "channel_id", 1, &get(t, "channel_id", 0))),
        ),
    ];
    for (needle, edit) in &cases {
        snapshot(d.path(), edit);
        let checked = check_file(&f).err().map(|e| e.to_string());
        let checked = checked.unwrap_or_else(|| panic!("check accepted a snapshot: {needle}"));
        assert!(
            checked.contains("payments.lightning.graph")
                && checked.contains("snap.json")
                && checked.contains(needle),
            "{checked}"
        );
        let ran = run_file(&f, &common::run_opts(&d.path().join("out"), 1));
        assert_eq!(
            ran.err().map(|e| e.to_string()),
            Some(checked),
            "run and check differ"
        );
    }
    fs::remove_file(d.path().join("snap.json")).unwrap();
    let e = check_file(&f).unwrap_err().to_string();
    assert!(e.contains("snap.json") && e.contains("cannot read"), "{e}");
}

#[test]
fn check_refuses_more_gossip_nodes_than_the_snapshot_has() {
    let d = tempfile::tempdir().unwrap();
    snapshot(d.path(), str::to_string);
    let f = write(d.path(), "ln.toml", &on_snapshot(40));
    let (code, e) = sgsim(&["check", s(&f)]);
    assert_ne!(
        code, 0,
        "40 gossip nodes on a 16-node snapshot passed check"
    );
    assert!(
        e.contains("key `payments.lightning.graph`")
            && e.contains("has 16 nodes")
            && e.contains("40 gossip nodes"),
        "{e}"
    );
}

#[test]
fn editing_a_snapshot_invalidates_resume() {
    let d = tempfile::tempdir().unwrap();
    snapshot(d.path(), str::to_string);
    let f = write(d.path(), "ln.toml", &on_snapshot(12));
    let mut o = common::run_opts(d.path(), 1);
    run_file(&f, &o).unwrap();
    let resolved = fs::read_to_string(d.path().join("tiny/scenario.toml")).unwrap();
    assert!(
        resolved.contains("key = \"payments.lightning.graph\""),
        "{resolved}"
    );
    o.resume = true;
    let again = run_file(&f, &o).unwrap();
    assert_eq!((again.runs_executed, again.runs_resumed), (0, 1));
    snapshot(d.path(), |t| {
        t.replacen("\"fee_base_msat\": \"", "\"fee_base_msat\": \"7", 1)
    });
    let refused = run_file(&f, &o).unwrap_err().to_string();
    assert!(refused.contains("--overwrite"), "{refused}");
    o.overwrite = true;
    let edited = run_file(&f, &o).unwrap();
    assert_eq!(
        (edited.runs_executed, edited.runs_resumed),
        (1, 0),
        "stale runs reused after the snapshot changed"
    );
}
