//! `sgsim inspect` and `sgsim run --trace`: a replay reproduces the recorded run (same trace
//! hash, recomputable from trace.jsonl alone) and writes its trace, node table, graph and
//! pictures; a replay that is not the recorded run is refused.

use sgsim::engine::{run, run_traced};
use sgsim::inspect::{inspect, node_log, trace_all, trace_dir, InspectError, InspectOptions};
use sgsim::runner::{run_file, RunOptions};
use sgsim::scenario::parse;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// A quick-start-like sweep: two fanout policies, 2 replicates, 3 topics on 120 nodes.
const SMALL: &str = r#"
name = "inspect-small"
seed = 5
replicates = 2
duration_s = 20.0
[graph]
generator = "random_regular"
nodes = 120
degree = 6
[roles]
customers = 3
gig_workers = 0.05
service_area_precision = 2
[workload]
arrivals = "fixed"
times_s = [1.0, 4.0, 7.0]
reply_deadline_s = 3.0
[policy]
fanout = ["flood", "fixed"]
fanout_k = 3
[scale]
mode = "model"
"#;

/// Runs `text` as a sweep into a temporary folder; returns it and the result folder.
fn sweep(text: &str, name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(format!("{name}.toml"));
    fs::write(&path, text).unwrap();
    let opts = RunOptions {
        out: tmp.path().join("out"),
        quiet: true,
        ..RunOptions::default()
    };
    let r = run_file(&path, &opts).unwrap();
    (tmp, r.dir)
}

fn opts(point: u32, replicate: u32) -> InspectOptions {
    InspectOptions {
        point,
        replicate,
        ..InspectOptions::default()
    }
}

/// `trace_sha256` of (point, replicate) in `runs.jsonl`.
fn recorded_hash(dir: &Path, point: u64, replicate: u64) -> String {
    let text = fs::read_to_string(dir.join("runs.jsonl")).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["point"] == point && v["replicate"] == replicate)
        .unwrap()["trace_sha256"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The hash as docs/inspect.md tells a user to recompute it: SHA-256 over, per line of
/// engine event of trace.jsonl (`send` lines skipped), t_us (u64 LE), code (u8), node (u32 LE).
fn hash_of_trace_file(path: &Path) -> (String, usize) {
    let mut h = Sha256::new();
    let text = fs::read_to_string(path).unwrap();
    let mut events = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["kind"] == "send" {
            continue; // frames offered to links: not engine events, not hashed
        }
        events += 1;
        h.update(v["t_us"].as_u64().unwrap().to_le_bytes());
        h.update([v["code"].as_u64().unwrap() as u8]);
        h.update((v["node"].as_u64().unwrap() as u32).to_le_bytes());
    }
    (hex::encode(h.finalize()), events)
}

#[test]
fn inspect_verifies_the_hash_and_writes_the_files_and_pictures() {
    let (tmp, dir) = sweep(SMALL, "inspect-small");
    let out = tmp.path().join("inspect");
    let done = inspect(&dir, &out, &opts(1, 1)).unwrap();
    let recorded = recorded_hash(&dir, 1, 1);
    assert_eq!(done.trace.trace_sha256, recorded);
    for f in ["trace.jsonl", "nodes.csv", "graph.graphml", "timeline.svg"] {
        assert!(out.join(f).is_file(), "{f} written");
    }
    for k in 0..3 {
        let svg = fs::read_to_string(out.join(format!("propagation-t{k}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("verified it"));
    }
    // The file alone gives back the recorded hash: trace.jsonl is the hashed sequence.
    let (hash, lines) = hash_of_trace_file(&out.join("trace.jsonl"));
    assert_eq!(hash, recorded);
    let events = done.trace.rec.lines.len();
    assert_eq!(lines, events);
    let counted = run_metrics_events(&dir, 1, 1);
    assert_eq!(events as f64, counted, "one line per engine event");
}

/// The `events` metric of (point, replicate) in `runs.jsonl`.
fn run_metrics_events(dir: &Path, point: u64, replicate: u64) -> f64 {
    let text = fs::read_to_string(dir.join("runs.jsonl")).unwrap();
    let v = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["point"] == point && v["replicate"] == replicate)
        .unwrap();
    v["metrics"]["events"].as_f64().unwrap()
}

#[test]
fn nodes_csv_has_one_row_per_node_and_topic() {
    let (tmp, dir) = sweep(SMALL, "inspect-small");
    let out = tmp.path().join("inspect");
    let done = inspect(&dir, &out, &opts(0, 0)).unwrap();
    let mut r = csv::Reader::from_path(out.join("nodes.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, sgsim::inspect::NODES_HEADER.to_vec());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(done.trace.rec.topics.len(), 3);
    assert_eq!(rows.len(), 120 * 3);
    // Flood on a connected graph: every node but the sender has a receipt, hop and parent;
    // a parent is a node that had the topic earlier.
    for row in rows.iter().filter(|row| &row[1] == "0") {
        assert!(!row[7].is_empty(), "node {} received topic 0", &row[0]);
        if &row[8] != "0" {
            let parent: usize = row[9].parse().unwrap();
            let mine: f64 = row[7].parse().unwrap();
            let theirs: f64 = rows[parent][7].parse().unwrap();
            assert!(theirs <= mine, "parent {parent} had it first");
        }
    }
    let paid = rows.iter().filter(|row| &row[14] == "true").count();
    assert!(paid > 0, "some topic had a paid route");
}

#[test]
fn graphml_parses_and_holds_the_simulated_graph_with_its_sybils() {
    let text = SMALL
        .replace("fanout = [\"flood\", \"fixed\"]", "fanout = \"flood\"")
        .replace("replicates = 2", "replicates = 1")
        + "[attack]\nkind = \"sybil\"\nshare = 0.1\nsybil_degree = 4\nstart_s = 0.0\n";
    let (tmp, dir) = sweep(&text, "inspect-small");
    let out = tmp.path().join("inspect");
    let done = inspect(&dir, &out, &opts(0, 0)).unwrap();
    let xml = fs::read_to_string(out.join("graph.graphml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let graph = doc.root_element();
    assert_eq!(graph.tag_name().name(), "graphml");
    let nodes: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("node"))
        .collect();
    let sybils = nodes
        .iter()
        .filter(|n| {
            n.children()
                .any(|d| d.attribute("key") == Some("sybil") && d.text() == Some("true"))
        })
        .count();
    assert_eq!(nodes.len(), 120 + 12, "honest nodes and 0.1 x 120 Sybils");
    assert_eq!(sybils, 12);
    assert_eq!(nodes.len(), done.trace.node_count());
    let edges: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("edge"))
        .collect();
    assert!(
        edges.len() >= 120 * 6 / 2,
        "the honest graph's edges at least"
    );
    let key_name = |id: &str| {
        doc.descendants()
            .find(|k| k.has_tag_name("key") && k.attribute("id") == Some(id))
            .and_then(|k| k.attribute("attr.name"))
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        key_name("latency"),
        "base_latency_s",
        "seconds, like the topics"
    );
    assert_eq!(key_name("t0"), "first_receipt_s_topic0");
    for e in &edges {
        let secs: f64 = e
            .children()
            .find_map(|d| d.text())
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            secs > 0.0 && secs < 1.0,
            "every edge has a base latency in s"
        );
        for end in ["source", "target"] {
            let id: usize = e.attribute(end).unwrap().parse().expect("a node index");
            assert!(id < nodes.len());
        }
    }
    graphml_joins_nodes_csv(&nodes, &out.join("nodes.csv"));
    networkx_reads(&out.join("graph.graphml"), nodes.len());
}

/// GraphML node i is row i of `nodes.csv`: same id (the node index), same first receipt.
fn graphml_joins_nodes_csv(nodes: &[roxmltree::Node], csv_path: &Path) {
    let mut r = csv::Reader::from_path(csv_path).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    for (i, n) in nodes.iter().enumerate() {
        assert_eq!(
            n.attribute("id"),
            Some(i.to_string().as_str()),
            "ids are indices"
        );
        let row = rows
            .iter()
            .find(|row| &row[0] == n.attribute("id").unwrap());
        let row = row.expect("the GraphML id is a nodes.csv node");
        assert_eq!(&row[1], "0", "topic 0 rows come first");
        let t0 = n
            .children()
            .find(|d| d.attribute("key") == Some("t0"))
            .and_then(|d| d.text())
            .unwrap_or("");
        assert_eq!(t0, &row[7], "node {i}: first_receipt_s of topic 0");
    }
}

/// Where python3 with networkx is installed, networkx reads the file with the node count.
fn networkx_reads(path: &Path, nodes: usize) {
    let script = format!(
        "import networkx as nx; g = nx.read_graphml({:?}); print(g.number_of_nodes())",
        path.display().to_string()
    );
    let Ok(out) = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
    else {
        return eprintln!("python3 not found: networkx check skipped");
    };
    if String::from_utf8_lossy(&out.stderr).contains("No module named") {
        return eprintln!("networkx not installed: networkx check skipped");
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        nodes.to_string()
    );
}

#[test]
fn a_tampered_hash_in_runs_jsonl_is_refused() {
    let (tmp, dir) = sweep(SMALL, "inspect-small");
    let runs = dir.join("runs.jsonl");
    let good = recorded_hash(&dir, 0, 1);
    let text = fs::read_to_string(&runs).unwrap();
    let bad = format!(
        "{}{}",
        &good[..63],
        if good.ends_with('0') { "1" } else { "0" }
    );
    fs::write(&runs, text.replace(&good, &bad)).unwrap();
    let err = inspect(&dir, &tmp.path().join("x"), &opts(0, 1)).unwrap_err();
    assert!(matches!(err, InspectError::HashMismatch { .. }), "{err}");
    assert!(err.to_string().contains(&bad) && err.to_string().contains(&good));
    // The other runs still verify; the command line exits non-zero on the tampered one.
    inspect(&dir, &tmp.path().join("y"), &opts(0, 0)).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_sgsim"))
        .args([
            "inspect",
            dir.to_str().unwrap(),
            "--point",
            "0",
            "--replicate",
            "1",
        ])
        .args(["--out", tmp.path().join("z").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!status.status.success());
    assert!(String::from_utf8_lossy(&status.stderr).contains("differs from the recorded"));
}

#[test]
fn tracing_changes_no_result() {
    let file = parse(SMALL, Path::new("inspect-small.toml")).unwrap();
    let s = &file.points[1].scenario;
    let plain = run(s, 1, Path::new(".")).unwrap();
    let (traced, trace) = run_traced(s, 1, Path::new(".")).unwrap();
    assert_eq!(plain.trace_sha256, traced.trace_sha256);
    assert_eq!(plain.metrics, traced.metrics);
    assert_eq!(
        sgsim::inspect::hash_of(&trace.rec.lines),
        plain.trace_sha256
    );
}

#[test]
fn node_log_holds_exactly_that_nodes_inputs_and_outputs() {
    let (tmp, dir) = sweep(SMALL, "inspect-small");
    let done = inspect(&dir, &tmp.path().join("i"), &opts(0, 0)).unwrap();
    let log = node_log(&done.trace, 7);
    assert!(!log.is_empty());
    for line in &log {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["node"] == 7 || v["peer"] == 7, "{line}");
    }
    let expected = done
        .trace
        .rec
        .lines
        .iter()
        .filter(|l| l.node == 7 || l.peer == Some(7))
        .count();
    assert_eq!(log.len(), expected);
}

#[test]
fn grid_runs_get_a_heat_map_and_topic_narrows_the_pictures() {
    let text = SMALL
        .replace(
            "generator = \"random_regular\"\nnodes = 120\ndegree = 6",
            "generator = \"grid\"\nrows = 10\ncols = 12",
        )
        .replace("replicates = 2", "replicates = 1");
    let (tmp, dir) = sweep(&text, "inspect-small");
    let out = tmp.path().join("grid");
    let o = InspectOptions {
        topic: Some(1),
        ..opts(0, 0)
    };
    inspect(&dir, &out, &o).unwrap();
    assert!(out.join("heatmap-t1.svg").is_file());
    assert!(out.join("propagation-t1.svg").is_file());
    assert!(
        !out.join("propagation-t0.svg").exists(),
        "--topic 1 draws topic 1 only"
    );
    let bad = InspectOptions {
        topic: Some(9),
        ..opts(0, 0)
    };
    let err = inspect(&dir, &out, &bad).unwrap_err().to_string();
    assert!(err.contains("--topic 9") && err.contains("0 to 2"), "{err}");
}

#[test]
fn run_trace_keeps_every_run_and_inspect_report_adds_the_picture() {
    let (_tmp, dir) = sweep(SMALL, "inspect-small");
    let n = trace_all(&dir, Path::new("."), Some(2)).unwrap();
    assert_eq!(n, 4);
    for (p, r) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let d = trace_dir(&dir, p, r);
        let (hash, _) = hash_of_trace_file(&d.join("trace.jsonl"));
        assert_eq!(hash, recorded_hash(&dir, p.into(), r.into()));
        assert!(d.join("graph.graphml").is_file() && d.join("timeline.svg").is_file());
    }
    let before = fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(!before.contains("Inside one run"));
    let o = InspectOptions {
        report: true,
        ..opts(0, 0)
    };
    inspect(&dir, &dir.join("trace/p00000-r00000"), &o).unwrap();
    let after = fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(
        after.starts_with(&before),
        "the report only gains a section"
    );
    assert!(after.contains("## Inside one run") && after.contains("(inside.svg)"));
    assert!(fs::read_to_string(dir.join("inside.svg"))
        .unwrap()
        .contains("Point 0, replicate 0, topic 0"));
}

#[test]
fn missing_runs_are_named_with_what_is_allowed() {
    let (tmp, dir) = sweep(SMALL, "inspect-small");
    let err = inspect(&dir, tmp.path(), &opts(5, 0))
        .unwrap_err()
        .to_string();
    assert!(err.contains("point 5"), "{err}");
    let err = inspect(&tmp.path().join("nope"), tmp.path(), &opts(0, 0))
        .unwrap_err()
        .to_string();
    assert!(err.contains("scenario.toml"), "{err}");
}

/// The issue's churn-and-bandwidth reproducer, smaller: every non-customer churns (online 2 s,
/// offline 1 s) behind a 20 kbit/s uplink, constant 50 ms latency, no jitter.
const QUEUED: &str = r#"
name = "sends"
seed = 11
duration_s = 12.0
[graph]
generator = "random_regular"
nodes = 150
degree = 8
[policy]
fanout = "flood"
[workload]
arrivals = "fixed"
times_s = [1.0, 3.0, 5.0, 7.0]
reply_deadline_s = 3.0
[network]
latency = "constant"
one_way_delay_ms_mean = 50.0
jitter_ms_mean = 0.0
bandwidth_kbps = 20
churn_fraction = 1.0
online_mean_s = 2.0
offline_mean_s = 1.0
[scale]
mode = "model"
"#;

/// Per node: its offline periods [from, to) µs, read from the trace's churn lines.
fn offline_periods(lines: &[serde_json::Value], end_us: u64) -> Vec<Vec<(u64, u64)>> {
    let mut periods: Vec<Vec<(u64, u64)>> = vec![Vec::new(); 150];
    for v in lines.iter().filter(|v| v["kind"] == "churn") {
        let (node, t) = (
            v["node"].as_u64().unwrap() as usize,
            v["t_us"].as_u64().unwrap(),
        );
        match v["outcome"].as_str().unwrap() {
            "went_offline" => periods[node].push((t, end_us)),
            "went_online" => periods[node].last_mut().unwrap().1 = t,
            o => panic!("churn outcome {o}"),
        }
    }
    periods
}

#[test]
fn every_delivery_has_a_send_that_started_after_its_offer_and_while_its_sender_was_online() {
    let s = &parse(QUEUED, Path::new("sends.toml")).unwrap().points[0].scenario;
    let (_, trace) = run_traced(s, 0, Path::new(".")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("trace.jsonl");
    sgsim::inspect::write_trace(&path, &trace).unwrap();
    let lines: Vec<serde_json::Value> = fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let end_us = 12_000_000;
    let offline = offline_periods(&lines, end_us);
    let sends: Vec<&serde_json::Value> = lines.iter().filter(|v| v["kind"] == "send").collect();
    for (i, f) in sends.iter().enumerate() {
        assert_eq!(
            f["frame_id"], i as u64,
            "frame ids number the sends in order"
        );
        assert_eq!(f["code"], 0);
    }
    let outcomes = |o: &str| sends.iter().filter(|f| f["outcome"] == o).count();
    assert!(
        outcomes("sender_left") > 0,
        "the uplink queue met departures"
    );
    assert!(outcomes("arrives") > 100);
    let mut delivered = vec![false; sends.len()];
    let mut first_deliveries = 0;
    for d in lines.iter().filter(|v| v["kind"] == "deliver") {
        let id = d["frame_id"].as_u64().expect("a delivery names its frame") as usize;
        let f = sends[id];
        assert_eq!(
            (f["node"].clone(), f["peer"].clone()),
            (d["peer"].clone(), d["node"].clone())
        );
        assert_eq!((&f["frame"], &f["bytes"]), (&d["frame"], &d["bytes"]));
        assert_eq!(f["outcome"], "arrives", "frame {id} delivered");
        let (offer, start) = (f["t_us"].as_u64().unwrap(), f["start_us"].as_u64().unwrap());
        assert!(
            start >= offer,
            "frame {id} starts at {start} before its offer {offer}"
        );
        // At 20 kbit/s a frame holds the uplink bytes·8/20 ms: all of it while online.
        let end = start + f["bytes"].as_u64().unwrap() * 8 * 1000 / 20;
        let from = f["node"].as_u64().unwrap() as usize;
        for &(off, on) in &offline[from] {
            assert!(
                end <= off || start >= on,
                "frame {id} on air [{start}, {end}] offline [{off}, {on})"
            );
        }
        if !delivered[id] {
            // A deferred delivery repeats later; its first delivery is at the arrival time.
            assert_eq!(
                d["t_us"], f["arrive_us"],
                "frame {id} delivered when it arrives"
            );
            delivered[id] = true;
            first_deliveries += 1;
        }
    }
    // Every frame that arrives within the run is delivered (or lost at an offline receiver).
    let arriving = sends
        .iter()
        .filter(|f| f["arrive_us"].as_u64().is_some_and(|t| t <= end_us))
        .count();
    assert_eq!(first_deliveries, arriving);
    assert!(first_deliveries > 100);
}

/// 80 nodes under reputation fanout (k = 2) with a tenth of them silent from the start.
const SILENT: &str = r#"
name = "reputation"
seed = 11
duration_s = 30.0
[graph]
generator = "random_regular"
nodes = 80
degree = 6
[roles]
customers = 4
gig_workers = 0.1
service_area_precision = 2
[workload]
arrivals = "fixed"
times_s = [1.0, 3.0, 5.0, 7.0, 9.0, 11.0]
reply_deadline_s = 3.0
[policy]
fanout = "reputation"
fanout_k = 2
[attack]
kind = "silent"
share = 0.1
start_s = 0.0
[scale]
mode = "model"
"#;

#[test]
fn reputation_csv_follows_the_rule_and_shows_a_silent_peer_stuck_at_zero() {
    let s = &parse(SILENT, Path::new("reputation.toml")).unwrap().points[0].scenario;
    let (_, trace) = run_traced(s, 0, Path::new(".")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("reputation.csv");
    sgsim::inspect::write_reputation(&path, &trace).unwrap();
    let mut r = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, sgsim::inspect::REPUTATION_HEADER.to_vec());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let n = |row: &csv::StringRecord, k: usize| row[k].parse::<f64>().unwrap();
    let mut last: std::collections::BTreeMap<(u64, u64), [f64; 3]> = Default::default();
    let mut time = 0.0;
    for (i, row) in rows.iter().enumerate() {
        assert!(n(row, 0) >= time, "row {i}: time goes forward");
        time = n(row, 0);
        let counts = [n(row, 3), n(row, 4), n(row, 5)];
        // docs/attacks.md: score = (paid − failed) / (offered + 1).
        assert_eq!(
            n(row, 6),
            (counts[1] - counts[2]) / (counts[0] + 1.0),
            "row {i}"
        );
        // Each row adds one to the count it names, and to nothing else.
        let key = (n(row, 1) as u64, n(row, 2) as u64);
        let mut want = last.get(&key).copied().unwrap_or_default();
        let k = ["offered", "paid", "failed"]
            .iter()
            .position(|c| *c == &row[7]);
        want[k.unwrap_or_else(|| panic!("row {i}: change {}", &row[7]))] += 1.0;
        assert_eq!(counts, want, "row {i}");
        last.insert(key, counts);
    }
    let silent = |peer: u64| trace.adversary[peer as usize];
    // Corrupted nodes run the honest policy too (the adversary drops their frames); keep the
    // honest nodes' view.
    last.retain(|&(node, _), _| !silent(node));
    // A silent peer is offered topics but never brings a reply back: its score stays 0.
    let offered_silent: f64 = last
        .iter()
        .filter(|(k, _)| silent(k.1))
        .map(|(_, c)| c[0])
        .sum();
    assert!(offered_silent > 0.0, "silent peers were offered topics");
    assert!(last
        .iter()
        .filter(|(k, _)| silent(k.1))
        .all(|(_, c)| c[1] == 0.0 && c[2] == 0.0));
    assert!(
        last.iter().any(|(k, c)| !silent(k.1) && c[1] > 0.0),
        "honest peers get paid"
    );
    assert!(trace
        .rec
        .reputation
        .as_ref()
        .is_some_and(|r| r.len() == rows.len()));
    // Runs with another fanout keep no reputation: no reputation.csv.
    let flood = SILENT.replace("fanout = \"reputation\"", "fanout = \"flood\"");
    let s = &parse(&flood, Path::new("flood.toml")).unwrap().points[0].scenario;
    assert!(run_traced(s, 0, Path::new("."))
        .unwrap()
        .1
        .rec
        .reputation
        .is_none());
}
