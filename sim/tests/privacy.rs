//! Issue 11 hole 7 in the simulator: the padded onion's layer cap (`protocol.onion_hops`)
//! and the sender-exposure metric, each against the paper's protocol.

mod common;

use sgsim::report::read_summary;
use sgsim::scenario::{parse, Scenario};
use std::collections::BTreeMap;
use std::path::Path;

/// 300 nodes of degree 3 (gossip runs about 10 hops deep), flooding, 2 % gig workers whose
/// cells cover the area, 8 topics, model-mode crypto.
const WORLD: &str = r#"
name = "privacy-test"
seed = 5
duration_s = 30.0
[graph]
generator = "random_regular"
nodes = 300
degree = 3
[roles]
customers = 4
gig_workers = 0.02
service_area_precision = 2
[workload]
arrivals = "fixed"
times_s = [1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0]
topics_max = 8
reply_deadline_s = 3.0
[policy]
fanout = "flood"
[scale]
mode = "model"
"#;

fn metrics(protocol: &str, replicates: u32) -> BTreeMap<String, f64> {
    let text = format!("{WORLD}[protocol]\n{protocol}\n");
    let file = parse(&text, Path::new("privacy-test.toml")).expect("valid scenario");
    let s: &Scenario = &file.points[0].scenario;
    common::mean_metrics(s, replicates)
}

fn get(m: &BTreeMap<String, f64>, k: &str) -> f64 {
    *m.get(k).unwrap_or_else(|| panic!("metric {k} undefined"))
}

#[test]
fn a_short_onion_caps_dissemination_and_the_metric_says_so() {
    let default = metrics("", 2);
    let short = metrics("onion_hops = 4", 2);
    let paper = metrics("hardening = false\nonion_hops = 4", 2);
    assert_eq!(get(&default, "topics_stopped_onion_full"), 0.0);
    assert!(get(&default, "coverage_final") > 0.99, "{default:?}");
    // Four layers hold at most four instructions: flooding stops about 4 hops out.
    assert!(get(&short, "topics_stopped_onion_full") > 0.0);
    assert!(
        get(&short, "coverage_final") < 0.6,
        "coverage with 4 layers: {}",
        get(&short, "coverage_final")
    );
    // The paper's onion grows, so the key does nothing there.
    assert_eq!(get(&paper, "topics_stopped_onion_full"), 0.0);
    assert!(get(&paper, "coverage_final") > 0.99);
}

#[test]
fn decoys_hide_the_sender_from_most_first_middlemen() {
    let hardened = metrics("", 3);
    let paper = metrics("hardening = false", 3);
    assert_eq!(get(&paper, "sender_exposed_route_share"), 1.0);
    // Decoys are uniform in 0..=2, so about a third of the routes stay exposed.
    let share = get(&hardened, "sender_exposed_route_share");
    assert!((0.1..0.6).contains(&share), "exposed share {share}");
}

/// The committed reference reports that measure `metric`: (report, point, mean) per point.
fn committed_means(metric: &str) -> Vec<(String, usize, Option<f64>)> {
    let reports = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports");
    let mut dirs: Vec<_> = std::fs::read_dir(&reports)
        .expect("reports/")
        .map(|e| e.expect("entry").path())
        .filter(|d| d.join("summary.csv").exists())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for dir in dirs {
        let summary = read_summary(&dir.join("summary.csv")).expect("summary.csv reads");
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        for row in summary.rows.iter().filter(|r| r.metric == metric) {
            out.push((name.clone(), row.point, row.mean));
        }
    }
    out
}

#[test]
fn no_committed_report_is_cut_short_by_the_default_onion() {
    let means = committed_means("topics_stopped_onion_full");
    let reports: std::collections::BTreeSet<&str> =
        means.iter().map(|(r, _, _)| r.as_str()).collect();
    assert!(reports.len() >= 15, "reports measuring it: {reports:?}");
    let stopped: Vec<_> = means.iter().filter(|m| m.2 != Some(0.0)).collect();
    assert!(stopped.is_empty(), "{stopped:?}");
}
