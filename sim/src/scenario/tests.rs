//! Defaults, sweeps, round trips, determinism, catalogue and robustness.

use super::*;
use crate::graph::GraphSpec;

pub(super) const PATH: &str = "scenarios/foo.toml";

pub(super) const MINIMAL: &str = r#"name = "minimal"
seed = 7

[graph]
generator = "random_regular"
nodes = 50
degree = 4
"#;

/// A file touching every section, with a two-key sweep.
pub(super) const RICH: &str = r#"name = "rich"
seed = 42
replicates = 3
duration_s = 120.0

[graph]
generator = "erdos_renyi"
nodes = 200
p = 0.05

[roles]
customers = 4
gig_workers = 0.25
service_area_precision = 5

[workload]
arrivals = "poisson"
rate_per_s = 0.5
topics_max = 20
start_s = 2.0
bbox = { lat_min = 48.8, lat_max = 48.9, lon_min = 2.2, lon_max = 2.4 }
precision = 6

[policy]
fanout = ["fixed", "reputation"]
fanout_k = [2, 4, 8]
route_choice = "shortest"

[network]
latency = "uniform"
packet_loss_probability = 0.01

[device]
hash_rate_per_s = 2.0e6

[payments]
failure_probability = 0.05

[attack]
kind = "silent"
share = 0.1

[scale]
mode = "model"
"#;

pub(super) fn ok(text: &str) -> ScenarioFile {
    match parse(text, Path::new(PATH)) {
        Ok(file) => file,
        Err(e) => panic!("expected a valid file, got: {e}\n--- file:\n{text}"),
    }
}

#[test]
fn minimal_file_gets_every_default() {
    let file = ok(MINIMAL);
    assert_eq!(file.name, "minimal");
    assert_eq!(file.path, Path::new(PATH));
    assert_eq!(file.points.len(), 1);
    let point = &file.points[0];
    assert_eq!(point.index, 0);
    assert!(point.params.is_empty());
    let s = &point.scenario;
    let expected = Scenario::new(
        "minimal",
        7,
        GraphSpec::RandomRegular {
            nodes: 50,
            degree: 4,
        },
    );
    assert_eq!(s, &expected);
    assert_eq!(s.replicates, 1);
    assert_eq!(s.duration_s, 60.0);
    assert_eq!(s.roles.customers, Amount::Count(1));
    assert_eq!(s.roles.gig_workers, Amount::Fraction(0.1));
    assert_eq!(s.roles.service_area_precision, 4);
    assert_eq!(s.roles.counts(50), (1, 5));
    assert_eq!(s.workload.arrivals, Arrivals::Poisson);
    assert_eq!(s.workload.rate_per_s, 0.2);
    assert_eq!(s.workload.topics_max, 5);
    assert!(s.workload.times_s.is_empty());
    assert_eq!(s.workload.start_s, 1.0);
    assert_eq!(
        s.workload.bbox,
        BBox {
            lat_min: -34.0,
            lat_max: -33.7,
            lon_min: 151.0,
            lon_max: 151.3
        }
    );
    assert_eq!(s.workload.precision, 7);
    assert_eq!(s.workload.reply_deadline_s, 5.0);
    assert_eq!(s.workload.message_bytes, 64);
    assert_policy_and_model_defaults(s);
}

/// The defaults of `[policy]`, `[network]`, `[device]`, `[payments]`, `[attack]`, `[scale]`.
fn assert_policy_and_model_defaults(s: &Scenario) {
    let p = &s.policy;
    assert_eq!(p.fanout, FanoutPolicy::Flood);
    assert_eq!((p.fanout_k, p.fanout_p, p.fanout_c), (4, 0.5, 1.0));
    assert_eq!(
        (p.adaptive_target_rounds, p.adaptive_k_min, p.adaptive_k_max),
        (6, 1, 8)
    );
    assert_eq!(p.reputation_explore, 0.1);
    assert_eq!((p.multibroadcast, p.reply_routes_max), (1, 3));
    assert_eq!((p.routing_fee_sat, p.fee_jitter_sat), (10, 0));
    assert_eq!(p.pow_difficulty, 256.0);
    assert_eq!(p.geohash_precision_max, 8);
    assert_eq!(p.route_choice, RouteChoice::Cheapest);
    assert_eq!((p.timestamp_tolerance_s, p.conditions_ttl_s), (30.0, 10.0));
    let n = &s.network;
    assert_eq!(n.latency, LatencyModel::Lognormal);
    assert_eq!(
        (
            n.one_way_delay_ms_mean,
            n.one_way_delay_ms_min,
            n.lognormal_sigma
        ),
        (50.0, 5.0, 0.5)
    );
    assert_eq!((n.packet_loss_probability, n.churn_fraction), (0.0, 0.0));
    assert_eq!((n.offline_mean_s, n.online_mean_s), (10.0, 30.0));
    assert_eq!(n.bandwidth_kbps, 0);
    let d = &s.device;
    assert_eq!(d.hash_rate_per_s, 1.0e6);
    assert_eq!(
        (
            d.sign_us,
            d.verify_us,
            d.seal_us,
            d.open_us,
            d.sym_us,
            d.hash_us
        ),
        (25.0, 60.0, 90.0, 80.0, 2.0, 1.0)
    );
    assert_eq!(s.payments.balance_sat, 1_000_000);
    assert_eq!(s.payments.failure_probability, 0.0);
    let a = &s.attack;
    assert_eq!(a.kind, AttackKind::None);
    assert_eq!(
        (a.share, a.attach, a.sybil_degree),
        (0.0, Attach::Random, 8)
    );
    assert!(a.trusted_certificates);
    assert_eq!((a.chatterbox_rate_per_s, a.victim), (5.0, 0));
    assert_eq!((a.start_s, a.inflate_factor), (10.0, 2.0));
    assert_eq!(s.scale.mode, ScaleMode::Real);
    assert_eq!(s.node_count(), Some(50));
}

#[test]
fn digest_is_hex_sha256_of_the_bytes() {
    let file = ok(MINIMAL);
    assert_eq!(file.digest.len(), 64);
    assert!(file
        .digest
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    let other = ok(&format!("{MINIMAL}# a comment\n"));
    assert_ne!(file.digest, other.digest);
    assert_eq!(other.points, file.points);
    // SHA-256 of "abc", a published test vector.
    assert_eq!(
        super::sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn two_key_sweep_is_a_cartesian_product_first_key_slowest() {
    let file = ok(RICH);
    assert_eq!(file.points.len(), 6);
    let expected = [
        ("fixed", 2),
        ("fixed", 4),
        ("fixed", 8),
        ("reputation", 2),
        ("reputation", 4),
        ("reputation", 8),
    ];
    for (i, (point, (fanout, k))) in file.points.iter().zip(expected).enumerate() {
        assert_eq!(point.index as usize, i);
        assert_eq!(
            point.params,
            vec![
                ("policy.fanout".to_string(), fanout.to_string()),
                ("policy.fanout_k".to_string(), k.to_string()),
            ]
        );
        let policy = &point.scenario.policy;
        let want = if fanout == "fixed" {
            FanoutPolicy::Fixed
        } else {
            FanoutPolicy::Reputation
        };
        assert_eq!(policy.fanout, want);
        assert_eq!(policy.fanout_k, k);
        // Everything else is the same at every point.
        assert_eq!(policy.route_choice, RouteChoice::Shortest);
        assert_eq!(point.scenario.replicates, 3);
        assert_eq!(point.scenario.roles.customers, Amount::Count(4));
        assert_eq!(point.scenario.attack.corrupted(200), 20);
        assert_eq!(point.scenario.scale.mode, ScaleMode::Model);
    }
}

#[test]
fn sweep_order_follows_the_file_not_the_schema() {
    let text = format!(
        "{MINIMAL}[network]\nlatency = [\"constant\", \"uniform\"]\n[policy]\nfanout_k = [3, 5]\n"
    );
    let file = ok(&text);
    let keys: Vec<Vec<&str>> = file
        .points
        .iter()
        .map(|p| p.params.iter().map(|(_, v)| v.as_str()).collect())
        .collect();
    assert_eq!(
        keys,
        vec![
            vec!["constant", "3"],
            vec!["constant", "5"],
            vec!["uniform", "3"],
            vec!["uniform", "5"]
        ]
    );
    assert_eq!(file.points[0].params[0].0, "network.latency");
    assert_eq!(file.points[0].params[1].0, "policy.fanout_k");
}

#[test]
fn list_of_lists_sweeps_times_s_and_a_plain_list_is_one_value() {
    let text = format!(
        "{MINIMAL}[workload]\narrivals = \"fixed\"\ntimes_s = [[1.0, 2.5], [3.0], [0.5, 1.5, 9.0]]\n"
    );
    let file = ok(&text);
    let times: Vec<Vec<f64>> = file
        .points
        .iter()
        .map(|p| p.scenario.workload.times_s.clone())
        .collect();
    assert_eq!(times, vec![vec![1.0, 2.5], vec![3.0], vec![0.5, 1.5, 9.0]]);
    assert_eq!(file.points[0].params[0].0, "workload.times_s");
    assert_eq!(file.points[0].params[0].1, "[1.0, 2.5]");
    assert_eq!(file.points[2].params[0].1, "[0.5, 1.5, 9.0]");

    let single = ok(&format!(
        "{MINIMAL}[workload]\narrivals = \"fixed\"\ntimes_s = [1.0, 2.0]\n"
    ));
    assert_eq!(single.points.len(), 1);
    assert_eq!(single.points[0].scenario.workload.times_s, vec![1.0, 2.0]);
}

#[test]
fn sweeps_inside_inline_tables_dotted_keys_and_multiline_lists() {
    let text = r#"name = "x"
seed = 1
policy.fanout_k = [1, 2]
graph = { generator = "complete", nodes = [5, 9] }

[workload]
bbox = { lat_min = [10.0, 11.0], lat_max = 20.0, lon_min = 0.0, lon_max = 1.0 }
rate_per_s = [
    0.1,  # slow
    0.3,
]
"#;
    let file = ok(text);
    assert_eq!(file.points.len(), 16);
    let first = &file.points[0];
    let keys: Vec<&str> = first.params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "policy.fanout_k",
            "graph.nodes",
            "workload.bbox.lat_min",
            "workload.rate_per_s"
        ]
    );
    let last = &file.points[15].scenario;
    assert_eq!(last.policy.fanout_k, 2);
    assert_eq!(last.graph, GraphSpec::Complete { nodes: 9 });
    assert_eq!(last.workload.bbox.lat_min, 11.0);
    assert_eq!(last.workload.rate_per_s, 0.3);
    assert_eq!(file.points[1].scenario.workload.rate_per_s, 0.3);
}

#[test]
fn bbox_may_be_a_standard_table() {
    let text = format!(
        "{MINIMAL}[workload.bbox]\nlat_min = [1.0, 2.0]\nlat_max = 3.0\nlon_min = 0.0\nlon_max = 1.0\n"
    );
    let file = ok(&text);
    assert_eq!(file.points.len(), 2);
    assert_eq!(
        file.points[1].params[0],
        ("workload.bbox.lat_min".into(), "2.0".into())
    );
    assert_eq!(file.points[1].scenario.workload.bbox.lat_min, 2.0);
    assert_eq!(file.points[1].scenario.workload.bbox.lat_max, 3.0);
}

#[test]
fn multiline_sweep_keeps_later_line_numbers() {
    let text = format!("{MINIMAL}[policy]\nfanout_k = [\n  1,\n  2,\n]\nfanout_p = 3.0\n");
    let e = parse(&text, Path::new(PATH)).unwrap_err();
    let d = e.diagnostic().unwrap();
    assert_eq!((d.line, d.column), (13, 1), "{e}");
    assert_eq!(d.key.as_deref(), Some("policy.fanout_p"));
}

#[test]
fn scenario_to_toml_round_trips_through_parse() {
    for point in ok(RICH).points.iter().chain(&ok(MINIMAL).points) {
        let text = point.scenario.to_toml();
        let again = ok(&text);
        assert_eq!(again.points.len(), 1, "{text}");
        assert_eq!(again.points[0].scenario, point.scenario, "{text}");
        assert!(text.contains("bbox = { lat_min = "), "{text}");
    }
    let fixed = ok(&format!(
        "{MINIMAL}[workload]\narrivals = \"fixed\"\ntimes_s = [[0.5], [1.0, 2.0]]\n"
    ));
    for point in &fixed.points {
        assert_eq!(
            ok(&point.scenario.to_toml()).points[0].scenario,
            point.scenario
        );
    }
}

#[test]
fn resolved_toml_round_trips_and_is_deterministic() {
    let file = ok(RICH);
    let resolved = file.resolved_toml();
    assert!(resolved.starts_with("# Resolved scenario \"rich\": 6 sweep point(s)"));
    assert!(resolved
        .contains("params = [[\"policy.fanout\", \"fixed\"], [\"policy.fanout_k\", \"2\"]]"));
    let back = ScenarioFile::from_resolved_toml(&resolved, Path::new("resolved.toml")).unwrap();
    assert_eq!(back, file);
    assert_eq!(back.resolved_toml(), resolved);

    let again = ok(RICH);
    assert_eq!(again, file);
    assert_eq!(again.resolved_toml(), resolved);
}

#[test]
fn amount_counts_and_fractions() {
    assert_eq!(Amount::Count(3).resolve(10), 3);
    assert_eq!(Amount::Count(30).resolve(10), 10);
    assert_eq!(Amount::Fraction(0.25).resolve(10), 3);
    assert_eq!(Amount::Fraction(0.1).resolve(500), 50);
    assert_eq!(Amount::Fraction(0.0).resolve(500), 0);
    let roles = |c: &str, w: &str| {
        let text = format!("{MINIMAL}[roles]\ncustomers = {c}\ngig_workers = {w}\n");
        ok(&text).points[0].scenario.roles.clone()
    };
    let r = roles("3.0", "0.5");
    assert_eq!(r.customers, Amount::Count(3));
    assert_eq!(r.gig_workers, Amount::Fraction(0.5));
    assert_eq!(r.counts(50), (3, 25));
    let r = roles("1", "0");
    assert_eq!(
        (r.customers, r.gig_workers),
        (Amount::Count(1), Amount::Count(0))
    );
}

#[test]
fn edge_list_graphs_are_checked_once_their_size_is_known() {
    let text = "name = \"x\"\nseed = 1\n[graph]\ngenerator = \"edge_list\"\npath = \"g.txt\"\n\
                [roles]\ncustomers = 8\n[attack]\nvictim = 20\n";
    let scenario = ok(text).points[0].scenario.clone();
    assert_eq!(scenario.node_count(), None);
    assert!(scenario.validate_for_nodes(100).is_ok());
    let v = scenario.validate_for_nodes(5).unwrap_err();
    assert_eq!(v.key, "roles.customers");
    assert_eq!(
        v.to_string(),
        "key `roles.customers`: must not exceed the node count (5), got 8"
    );
    assert_eq!(
        scenario.validate_for_nodes(10).unwrap_err().key,
        "attack.victim"
    );
}

#[test]
fn attack_helpers() {
    let mut attack = Attack {
        kind: AttackKind::Sybil,
        share: 0.5,
        ..Attack::default()
    };
    assert_eq!((attack.sybils(100), attack.corrupted(100)), (50, 0));
    attack.kind = AttackKind::Chatterbox;
    assert_eq!((attack.sybils(100), attack.corrupted(100)), (0, 50));
    attack.kind = AttackKind::None;
    assert_eq!((attack.sybils(100), attack.corrupted(100)), (0, 0));
    let file = ok(&format!(
        "{MINIMAL}[attack]\nkind = \"eclipse\"\nshare = 2.0\nvictim = 49\n"
    ));
    assert_eq!(file.points[0].scenario.attack.sybils(50), 100);
}

#[test]
fn catalogue_matches_the_schema() {
    let defaults: toml::Table =
        toml::from_str(&Scenario::new("x", 1, GraphSpec::Complete { nodes: 3 }).to_toml()).unwrap();
    let lookup = |key: &str| -> Option<String> {
        let mut value = toml::Value::Table(defaults.clone());
        for part in key.split('.') {
            value = value.as_table()?.get(part)?.clone();
        }
        Some(value.to_string())
    };
    let groups = catalogue();
    assert_eq!(groups.len(), 9);
    for group in groups {
        let (section, field) = group.key.split_once('.').unwrap();
        // Fixed arrivals need times; harmless for the other groups.
        let extra = if section == "workload" {
            "times_s = [1.0]\n"
        } else {
            ""
        };
        let with = |value: &str| format!("{MINIMAL}[{section}]\n{extra}{field} = \"{value}\"\n");
        // Every entry is accepted, and the entries are all the variants.
        for entry in group.entries {
            ok(&with(entry.name));
            for param in entry.params {
                let unwritten = super::policy::UNWRITTEN_DEFAULTS;
                let hidden = unwritten.iter().find(|(k, _)| *k == param.key);
                let hidden = hidden.map(|d| d.1.to_owned());
                assert_eq!(
                    lookup(param.key).or(hidden).as_deref(),
                    Some(param.default),
                    "default of {} in the catalogue",
                    param.key
                );
            }
        }
        let listed = parse(&with("?"), Path::new(PATH)).unwrap_err().to_string();
        let names: Vec<&str> = group.entries.iter().map(|e| e.name).collect();
        let allowed: Vec<&str> = listed
            .split_once("expected")
            .unwrap()
            .1
            .split('`')
            .skip(1)
            .step_by(2)
            .collect();
        assert_eq!(names, allowed, "{}", group.key);
        assert_eq!(lookup(group.key), Some(format!("\"{}\"", group.default)));
    }
}

#[test]
fn load_reads_files_and_reports_io_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, RICH).unwrap();
    let file = load(&path).unwrap();
    assert_eq!(file, parse(RICH, &path).unwrap());

    let missing = dir.path().join("missing.toml");
    let e = load(&missing).unwrap_err();
    assert!(matches!(e, ScenarioError::Io { .. }));
    assert!(e.to_string().contains("missing.toml"), "{e}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, b"name = \"x\"\nseed = \xff\n").unwrap();
    let e = load(&bad).unwrap_err();
    let d = e.diagnostic().unwrap();
    assert!(matches!(e, ScenarioError::Syntax(_)));
    assert_eq!((d.line, d.column), (2, 8), "{e}");
    assert!(e.to_string().contains("bad.toml:2:8: "), "{e}");
}
