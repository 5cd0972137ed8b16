//! The engine on small scenarios: assertions on measured behaviour.

use sgsim::engine::run;
use sgsim::scenario::{parse, Scenario};
use std::path::Path;

fn scenario(extra: &str) -> Scenario {
    let text = format!(
        "name = \"t\"\nseed = 7\nduration_s = 20.0\n[graph]\ngenerator = \"random_regular\"\nnodes = 60\ndegree = 4\n\
         [workload]\narrivals = \"fixed\"\ntimes_s = [1.0, 2.0]\n{extra}"
    );
    let file = parse(&text, Path::new("test.toml")).expect("valid scenario");
    file.points[0].scenario.clone()
}

#[test]
fn flooding_a_connected_graph_reaches_every_node() {
    let s = scenario("");
    let out = run(&s, 0, Path::new(".")).unwrap();
    let m = &out.metrics.metrics;
    assert_eq!(m["graph_connected"], Some(1.0));
    assert_eq!(m["topics"], Some(2.0));
    assert_eq!(m["coverage_final"], Some(1.0), "{m:?}");
    assert!(m["replies_received"].unwrap() > 0.0, "{m:?}");
    assert_eq!(m["fees_unbalanced_sat"], Some(0.0));
}

fn metric(s: &Scenario, name: &str) -> f64 {
    let out = run(s, 0, Path::new(".")).unwrap();
    out.metrics.metrics[name].unwrap_or_else(|| panic!("{name} undefined"))
}

#[test]
fn coverage_grows_with_fanout() {
    let cov: Vec<f64> = [1, 2, 4]
        .iter()
        .map(|k| {
            let s = scenario(&format!("[policy]\nfanout = \"fixed\"\nfanout_k = {k}\n"));
            metric(&s, "coverage_final")
        })
        .collect();
    assert!(cov[0] < cov[1] && cov[1] <= cov[2], "{cov:?}");
    assert!(cov[0] < 0.7, "fanout 1 dies out early: {cov:?}");
    assert!(cov[2] > 0.9, "{cov:?}");
}

#[test]
fn fees_are_conserved_between_senders_and_middlemen() {
    let s = scenario("[roles]\ncustomers = 2\ngig_workers = 0.2\n");
    let out = run(&s, 0, Path::new(".")).unwrap();
    let m = &out.metrics.metrics;
    let delivered = m["replies_delivered"].unwrap();
    assert!(delivered > 0.0);
    let paid = m["route_fee_paid_sat"].unwrap() * delivered;
    let earned = m["fees_earned_per_honest_node_sat"].unwrap() * m["honest_nodes"].unwrap();
    assert!((paid - earned).abs() < 1e-6, "paid {paid} earned {earned}");
    assert!(m["fees_paid_sat"].unwrap() > 0.0);
    assert_eq!(m["fees_paid_sat"], m["fees_credited_sat"]);
    assert_eq!(m["fees_credited_sat"], m["fees_settled_sat"]);
    assert_eq!(m["fees_unbalanced_sat"], Some(0.0));
}

#[test]
fn same_seed_same_trace_other_seed_other_trace() {
    let s = scenario("");
    let a = run(&s, 0, Path::new(".")).unwrap();
    let b = run(&s, 0, Path::new(".")).unwrap();
    let c = run(&s, 1, Path::new(".")).unwrap();
    assert_eq!(a.trace_sha256, b.trace_sha256);
    assert_eq!(a.metrics, b.metrics);
    assert_ne!(a.trace_sha256, c.trace_sha256);
}

#[test]
fn packet_loss_and_churn_lower_coverage_without_breaking_accounting() {
    let lossy = scenario("[network]\npacket_loss_probability = 0.3\nchurn_fraction = 0.3\noffline_mean_s = 5.0\nonline_mean_s = 2.0\n");
    let out = run(&lossy, 0, Path::new(".")).unwrap();
    let m = &out.metrics.metrics;
    assert!(m["frames_lost"].unwrap() > 0.0);
    assert!(m["coverage_final"].unwrap() < 1.0);
    assert_eq!(m["fees_unbalanced_sat"], Some(0.0));
}

#[test]
fn an_edge_list_too_small_for_the_scenario_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("g.txt"), "0 1\n1 2\n").unwrap();
    let text = "name = \"e\"\nseed = 1\n[graph]\ngenerator = \"edge_list\"\npath = \"g.txt\"\n\
                [attack]\nkind = \"eclipse\"\nshare = 1.0\nvictim = 7\n";
    let s = parse(text, &dir.path().join("e.toml")).unwrap().points[0]
        .scenario
        .clone();
    let err = run(&s, 0, dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("3-node graph") && err.contains("attack.victim"),
        "{err}"
    );
}

/// The defect: nodes offline at broadcast that accepted later raised coverage above 1
/// (a 300-node flood with 90 % churn reported 1.0014 at seed 1, replicate 2).
#[test]
fn coverage_never_exceeds_one_under_heavy_churn() {
    let text = "name = \"churn\"\nseed = 1\nduration_s = 60.0\n\
        [graph]\ngenerator = \"random_regular\"\nnodes = 300\ndegree = 6\n\
        [workload]\narrivals = \"fixed\"\ntimes_s = [1.0, 5.0, 10.0]\ntopics_max = 3\n\
        [network]\nchurn_fraction = 0.9\n[policy]\nfanout = \"flood\"\n\
        [scale]\nmode = \"model\"\n";
    let file = parse(text, Path::new("churn.toml")).expect("valid scenario");
    let s = &file.points[0].scenario;
    let mut late = 0.0;
    for r in 0..4 {
        let out = run(s, r, Path::new(".")).unwrap();
        let m = &out.metrics.metrics;
        let cov = m["coverage_final"].unwrap();
        assert!(cov <= 1.0, "replicate {r}: coverage {cov}");
        assert!(out.metrics.coverage.iter().all(|(_, c)| *c <= 1.0));
        late += m["late_joiner_coverage"].expect("nodes were offline at broadcast");
    }
    assert!(
        late > 0.0,
        "offline nodes that come back still verify topics"
    );
}

#[test]
fn graph_connectivity_is_measured_after_the_attack_rewires_the_graph() {
    // Eclipse: the victim's honest links are all replaced by links to Sybils.
    let s =
        scenario("[roles]\ncustomers = 2\n[attack]\nkind = \"eclipse\"\nshare = 0.2\nvictim = 0\n");
    let m = run(&s, 0, Path::new(".")).unwrap().metrics.metrics;
    assert_eq!(m["graph_connected"], Some(1.0), "Sybils link the victim in");
    assert_eq!(
        m["honest_graph_connected"],
        Some(0.0),
        "victim cut off from honest nodes"
    );
}
