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

/// The scenario of one run of `BASE` under attack `kind`.
fn attack_text(kind: &str, timed: bool) -> String {
    let mut text = format!("{BASE}[attack]\nkind = \"{kind}\"\n");
    if kind != "none" {
        text.push_str("share = 0.1\n");
    }
    if timed {
        text.push_str("start_s = 2.5\n");
    }
    text
}

/// The metrics of one run of `text` (undefined values left out); the example Lightning
/// snapshot resolves against `scenarios/`.
fn metrics_of(text: &str) -> BTreeMap<String, f64> {
    let file = parse(text, Path::new("definitions-test.toml")).expect("valid scenario");
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let out = run(&file.points[0].scenario, 0, &scenarios).expect("run");
    out.metrics
        .metrics
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect()
}

/// Every run of the test: one per attack kind, and one honest run paying over Lightning.
fn every_kind_of_run() -> Vec<(String, BTreeMap<String, f64>)> {
    let kinds = attack_kinds();
    assert!(kinds.len() > 5, "{kinds:?}");
    let mut runs: Vec<(String, BTreeMap<String, f64>)> = kinds
        .into_iter()
        .map(|(kind, timed)| {
            (
                format!("attack {kind}"),
                metrics_of(&attack_text(kind, timed)),
            )
        })
        .collect();
    let lightning = format!("{BASE}[payments]\nmodel = \"lightning\"\n");
    runs.push(("lightning".to_owned(), metrics_of(&lightning)));
    runs
}

/// Where a run value violates its unit: outside [0, max], or a fraction where the unit is
/// counted in whole numbers per run (a plain count, frames, bytes, hashes, millisatoshis, a flag).
fn unit_violation(d: &definitions::MetricDef, v: f64) -> Option<&'static str> {
    use definitions::Unit;
    let top = d.unit.max().unwrap_or(f64::INFINITY);
    let whole = matches!(
        d.unit,
        Unit::Count | Unit::Frames | Unit::Bytes | Unit::Hashes | Unit::Msat | Unit::Flag
    );
    if !(0.0..=top).contains(&v) {
        Some("outside its unit's range")
    } else if whole && d.scope == "per run" && v.fract() != 0.0 {
        Some("a fraction in a whole-number unit")
    } else {
        None
    }
}

#[test]
fn every_produced_metric_is_defined_in_the_catalogue() {
    let (mut missing, mut out_of_range) = (Vec::new(), Vec::new());
    for (run, metrics) in every_kind_of_run() {
        assert!(metrics.contains_key("coverage_final"), "{run}: {metrics:?}");
        for k in definitions::undefined(metrics.keys().map(String::as_str)) {
            missing.push(format!("{k} ({run})"));
        }
        // Intervals are clamped to the unit's range, so no run may leave it.
        for (k, v) in &metrics {
            let Some(d) = definitions::lookup(k) else {
                continue;
            };
            if let Some(why) = unit_violation(d, *v) {
                out_of_range.push(format!("{k} = {v}: {why} {} ({run})", d.unit.name()));
            }
        }
        // Forwarders connected implies honest nodes connected.
        let flag = |k: &str| metrics.get(k).copied();
        let forwarders = flag("honest_forwarder_graph_connected").expect("always defined");
        assert!(
            forwarders <= flag("honest_graph_connected").unwrap(),
            "{run}"
        );
        assert_eq!(
            flag("late_joiner_coverage").is_some(),
            flag("late_joiner_coverage_pooled").is_some(),
            "{run}: the pooled twin is defined where the mean is"
        );
    }
    assert!(out_of_range.is_empty(), "{out_of_range:#?}");
    assert!(
        missing.is_empty(),
        "{} metric keys are not defined in sim/src/definitions.rs:\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}

/// `sgsim list metrics --json` prints the catalogue's JSON, and the committed reference
/// report holds the same bytes as `metrics.json`.
#[test]
fn list_metrics_json_is_the_catalogue_every_result_folder_holds() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sgsim"))
        .args(["list", "metrics", "--json"])
        .output()
        .expect("sgsim runs");
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(printed, definitions::render_json());
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/quickstart");
    let file = std::fs::read_to_string(committed.join(definitions::CATALOGUE_FILE))
        .expect("reports/quickstart/metrics.json");
    assert_eq!(file, printed, "regenerate reports/quickstart (README)");
    let doc: serde_json::Value = serde_json::from_str(&printed).expect("valid JSON");
    let unit = |name: &str| {
        doc["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .map(|m| m["unit"].as_str().unwrap().to_owned())
    };
    assert_eq!(unit("ln_money_unbalanced_msat").as_deref(), Some("msat"));
    assert_eq!(
        unit("payment_attempts_per_invoice").as_deref(),
        Some("ratio")
    );
    assert_eq!(unit("t90_s").as_deref(), Some("s"));
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
