//! Every key a run can produce is defined in the metric catalogue (`sgsim list metrics`): one
//! tiny honest run and one per attack kind listed by `sgsim list`.

use sgsim::definitions;
use sgsim::engine::run;
use sgsim::scenario::{catalogue, parse};
use std::collections::BTreeMap;
use std::path::Path;

/// 40 nodes of degree 4, 2 customers, 4 topics, short horizon: seconds per run in debug.
const BASE: &str = r#"
name = "definitions-test"
seed = 5
duration_s = 8.0
[graph]
generator = "random_regular"
nodes = 40
degree = 4
[roles]
customers = 2
gig_workers = 0.2
service_area_precision = 2
[workload]
arrivals = "fixed"
times_s = [1.0, 2.0, 3.0, 4.0]
topics_max = 4
reply_deadline_s = 2.0
"#;

/// The attack kinds `sgsim list` offers ("none" = the honest run).
fn attack_kinds() -> Vec<(&'static str, bool)> {
    let group = catalogue()
        .iter()
        .find(|g| g.key == "attack.kind")
        .expect("sgsim list has an attack.kind group");
    group
        .entries
        .iter()
        .map(|e| (e.name, e.params.iter().any(|p| p.key == "attack.start_s")))
        .collect()
}

/// The metrics of one run of `BASE` under attack `kind` (undefined values left out).
fn metrics_of(kind: &str, timed: bool) -> BTreeMap<String, f64> {
    let mut text = format!("{BASE}[attack]\nkind = \"{kind}\"\n");
    if kind != "none" {
        text.push_str("share = 0.1\n");
    }
    if timed {
        text.push_str("start_s = 2.5\n");
    }
    let file = parse(&text, Path::new("definitions-test.toml")).expect("valid scenario");
    let out = run(&file.points[0].scenario, 0, Path::new(".")).expect("run");
    out.metrics
        .metrics
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect()
}

#[test]
fn every_produced_metric_is_defined_in_the_catalogue() {
    let kinds = attack_kinds();
    assert!(kinds.len() > 5, "{kinds:?}");
    let (mut missing, mut out_of_range) = (Vec::new(), Vec::new());
    for (kind, timed) in kinds {
        let metrics = metrics_of(kind, timed);
        assert!(
            metrics.contains_key("coverage_final"),
            "{kind}: {metrics:?}"
        );
        for k in definitions::undefined(metrics.keys().map(String::as_str)) {
            missing.push(format!("{k} (attack {kind})"));
        }
        // Intervals are clamped to the unit's range, so no run may leave it.
        for (k, v) in &metrics {
            let Some(d) = definitions::lookup(k) else {
                continue;
            };
            let top = if d.unit.is_share() {
                1.0
            } else {
                f64::INFINITY
            };
            if !(0.0..=top).contains(v) {
                out_of_range.push(format!("{k} = {v} (attack {kind})"));
            }
        }
    }
    assert!(out_of_range.is_empty(), "{out_of_range:?}");
    assert!(
        missing.is_empty(),
        "{} metric keys are not defined in sim/src/definitions.rs:\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}

#[test]
fn list_metrics_prints_every_definition() {
    let text = definitions::render();
    for d in definitions::METRICS {
        assert!(text.contains(d.name), "{}", d.name);
    }
    assert!(
        text.contains("duplicate_payload"),
        "families list their members"
    );
}
