//! The Lightning payment model (`payments.model = "lightning"`) on small scenarios.

use sgsim::engine::run;
use sgsim::runner::{run_file, RunOptions};
use sgsim::scenario::{parse, Scenario};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const BASE: &str = "name = \"ln\"\nseed = 11\nduration_s = 30.0\n\
    [graph]\ngenerator = \"random_regular\"\nnodes = 80\ndegree = 6\n\
    [roles]\ncustomers = 6\ngig_workers = 0.15\n\
    [workload]\narrivals = \"poisson\"\nrate_per_s = 1.0\ntopics_max = 20\nreply_deadline_s = 3.0\n";

fn scenario(extra: &str) -> Scenario {
    let text = format!("{BASE}{extra}");
    let file = parse(&text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"));
    file.points[0].scenario.clone()
}

fn metrics(s: &Scenario) -> BTreeMap<String, Option<f64>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    run(s, 0, &dir).unwrap().metrics.metrics
}

fn get(m: &BTreeMap<String, Option<f64>>, k: &str) -> f64 {
    m.get(k)
        .copied()
        .flatten()
        .unwrap_or_else(|| panic!("{k} undefined: {m:?}"))
}

const LN: &str = "[payments]\nmodel = \"lightning\"\n";

#[test]
fn lightning_pays_gigs_with_routing_fees_and_conserves_money() {
    let m = metrics(&scenario(LN));
    let paid = get(&m, "ln_payments_ok");
    assert!(paid > 10.0, "{m:?}");
    assert!(get(&m, "replies_delivered") > 0.0);
    assert!(get(&m, "payment_attempts") >= paid);
    assert!(
        get(&m, "ln_fee_total_sat") > 0.0,
        "routes of several hops pay fees"
    );
    assert!(get(&m, "ln_hops_mean") >= 1.0);
    assert!(
        get(&m, "ln_time_to_pay_s") > 0.0,
        "payments take virtual time"
    );
    assert_eq!(get(&m, "ln_money_unbalanced_msat"), 0.0);
    // The invoice ledger and the protocol nodes agree as in ledger mode.
    assert_eq!(get(&m, "fees_unbalanced_sat"), 0.0);
    assert_eq!(m["fees_paid_sat"], m["fees_credited_sat"]);
}

#[test]
fn ledger_runs_have_no_lightning_metrics() {
    let m = metrics(&scenario(""));
    assert!(m
        .keys()
        .all(|k| !k.starts_with("ln_") && k != "payment_attempts"));
}

#[test]
fn tiny_channels_fail_payments_retry_and_trigger_recovery() {
    // Median channel 20 sat, invoices 50 sat: most routes lack liquidity somewhere.
    let extra = format!(
        "[policy]\nrouting_fee_sat = 50\n{LN}[payments.lightning]\ncapacity_scale = 0.00001\n"
    );
    let m = metrics(&scenario(&extra));
    assert!(get(&m, "ln_attempt_failures_liquidity") > 0.0, "{m:?}");
    let failed = get(&m, "ln_failures_no_route")
        + get(&m, "ln_failures_attempts")
        + get(&m, "ln_failures_balance");
    assert!(failed > 0.0, "{m:?}");
    assert!(get(&m, "ln_success_share") < 1.0);
    assert!(get(&m, "payment_attempts") > get(&m, "ln_payments_ok") + failed - 1.0);
    // Failures reach the protocol: its payment-failure events and 3.9 recoveries follow.
    assert!(get(&m, "invoice_payment_failures") > 0.0, "{m:?}");
    assert!(get(&m, "ln_recoveries") > 0.0, "{m:?}");
    assert_eq!(get(&m, "ln_money_unbalanced_msat"), 0.0);
}

#[test]
fn routing_fees_scale_with_fee_scale_and_vanish_at_zero() {
    let fee = |scale: f64| {
        let extra = format!("{LN}[payments.lightning]\nfee_scale = {scale:?}\n");
        get(&metrics(&scenario(&extra)), "ln_fee_total_sat")
    };
    let (zero, one, ten) = (fee(0.0), fee(1.0), fee(10.0));
    assert_eq!(zero, 0.0);
    assert!(ten > 5.0 * one && one > 0.0, "{zero} {one} {ten}");
}

#[test]
fn per_node_scorers_and_no_history_penalties_run_and_conserve() {
    let extra =
        format!("{LN}[payments.lightning]\nscorer = \"per_node\"\nhistory_penalties = false\n");
    let m = metrics(&scenario(&extra));
    assert!(get(&m, "ln_payments_ok") > 0.0);
    assert_eq!(get(&m, "ln_money_unbalanced_msat"), 0.0);
}

#[test]
fn the_example_describegraph_snapshot_routes_payments() {
    // 16 snapshot nodes for 12 gossip nodes.
    let text = "name = \"snap\"\nseed = 3\nduration_s = 20.0\n\
        [graph]\ngenerator = \"complete\"\nnodes = 12\n\
        [roles]\ncustomers = 3\ngig_workers = 0.3\n\
        [workload]\narrivals = \"poisson\"\nrate_per_s = 1.0\ntopics_max = 10\n\
        [payments]\nmodel = \"lightning\"\n\
        [payments.lightning]\ngraph = \"lightning/example-describegraph.json\"\n";
    let s = parse(text, Path::new("t.toml")).unwrap().points[0]
        .scenario
        .clone();
    let m = metrics(&s);
    assert!(get(&m, "ln_payments_ok") > 0.0, "{m:?}");
    assert_eq!(get(&m, "ln_money_unbalanced_msat"), 0.0);
    // A snapshot smaller than the gossip graph is a named error, not a panic.
    let big = text.replace("nodes = 12", "nodes = 40");
    let s = parse(&big, Path::new("t.toml")).unwrap().points[0]
        .scenario
        .clone();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let e = run(&s, 0, &dir)
        .expect_err("too few snapshot nodes")
        .to_string();
    assert!(
        e.contains("example-describegraph.json") && e.contains("has 16 nodes"),
        "{e}"
    );
}

#[test]
fn bad_lightning_keys_are_named_errors() {
    for (extra, key, allowed) in [
        ("[payments]\nmodel = \"lnd\"\n", "model", "ledger"),
        (
            "[payments.lightning]\ncapacity_scale = 2.0\n",
            "payments.lightning",
            "payments.model = \"lightning\"",
        ),
        (
            "[payments]\nmodel = \"lightning\"\n[payments.lightning]\nscorer = \"mine\"\n",
            "scorer",
            "per_node",
        ),
        (
            "[payments]\nmodel = \"lightning\"\n[payments.lightning]\nfee_ppm_min = 9\nfee_ppm_max = 1\n",
            "payments.lightning.fee_ppm_min",
            "fee_ppm_max",
        ),
        (
            "[payments]\nmodel = \"lightning\"\n[payments.lightning]\ncapacity_scale = 0.0\n",
            "payments.lightning.capacity_scale",
            "(0,",
        ),
        (
            "[payments]\nmodel = \"lightning\"\n[payments.lightning]\nhops = 3\n",
            "hops",
            "channels_per_node",
        ),
    ] {
        let e = parse(&format!("{BASE}{extra}"), Path::new("bad.toml"))
            .err()
            .unwrap_or_else(|| panic!("accepted: {extra}"))
            .to_string();
        assert!(
            e.contains("bad.toml") && e.contains(key) && e.contains(allowed),
            "{extra}\n{e}"
        );
    }
}

#[test]
fn lightning_sweeps_are_byte_identical_at_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ln-sweep.toml");
    let text = BASE.replace("name = \"ln\"", "name = \"ln-sweep\"\nreplicates = 2")
        + LN
        + "[payments.lightning]\ncapacity_scale = [0.0001, 1.0]\n";
    fs::write(&file, text).unwrap();
    let read = |threads: usize| {
        let out = dir.path().join(format!("out{threads}"));
        let opts = RunOptions {
            out: out.clone(),
            threads: Some(threads),
            quiet: true,
            ..RunOptions::default()
        };
        run_file(&file, &opts).unwrap();
        let mut files = BTreeMap::new();
        for e in fs::read_dir(out.join("ln-sweep")).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                files.insert(p.file_name().unwrap().to_owned(), fs::read(&p).unwrap());
            }
        }
        files
    };
    let (one, two) = (read(1), read(2));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (k, v) in &one {
        assert!(v == &two[k], "{k:?} differs between 1 and 2 threads");
    }
    let runs = String::from_utf8(one[std::ffi::OsStr::new("runs.jsonl")].clone()).unwrap();
    assert_eq!(runs.lines().count(), 4);
    assert!(runs.contains("\"ln_fee_sat\""));
    assert!(one.contains_key(std::ffi::OsStr::new("ln_cost.svg")));
    assert!(one.contains_key(std::ffi::OsStr::new("ln_success.svg")));
}

#[test]
fn resolved_files_show_lightning_defaults_and_leave_ledger_files_as_they_were() {
    let ln = scenario(LN);
    assert_eq!(
        ln.payments.lightning,
        Some(sgsim::lightning::LightningSpec::default())
    );
    let text = toml::to_string(&ln).unwrap();
    assert!(text.contains("model = \"lightning\"") && text.contains("capacity_scale = 1.0"));
    // Ledger mode writes exactly the keys it wrote before the Lightning model existed.
    let ledger = toml::to_string(&scenario("")).unwrap();
    let payments = ledger.split("[payments]").nth(1).unwrap();
    let payments = payments.split("\n[").next().unwrap();
    assert_eq!(
        payments.trim(),
        "balance_sat = 1000000\nfailure_probability = 0.0"
    );
}

/// Column `k` of a `payments.csv` row as a number (0 when empty).
fn num(row: &csv::StringRecord, k: usize) -> u64 {
    row[k].parse().unwrap_or(0)
}

#[test]
fn inspect_writes_one_payments_row_per_attempt_agreeing_with_the_metrics() {
    let extra = format!(
        "[policy]\nrouting_fee_sat = 20\n{LN}[payments.lightning]\ncapacity_scale = 0.0001\n"
    );
    let s = scenario(&extra);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let (out, trace) = sgsim::engine::run_traced(&s, 0, &dir).unwrap();
    let m = out.metrics.metrics;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("payments.csv");
    sgsim::inspect::write_payments(&path, &trace).unwrap();
    let mut r = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, sgsim::inspect::PAYMENTS_HEADER.to_vec());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let count = |outcome: &str, final_only: bool| {
        let rows = rows.iter().filter(|r| &r[9] == outcome);
        rows.filter(|r| !final_only || &r[10] == "true").count() as f64
    };
    let paid: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[9] == "paid").collect();
    assert!(
        !paid.is_empty() && count("failed_liquidity", false) > 0.0,
        "{m:?}"
    );
    assert_eq!(paid.len() as f64, get(&m, "ln_payments_ok"));
    assert_eq!(
        count("failed_liquidity", false),
        get(&m, "ln_attempt_failures_liquidity")
    );
    assert_eq!(
        count("failed_liquidity", true),
        get(&m, "ln_failures_attempts")
    );
    assert_eq!(count("no_route", true), get(&m, "ln_failures_no_route"));
    // Every routing try is a row; so is a payment that needs no channel (0 hops).
    let direct = paid.iter().filter(|r| &r[6] == "0").count();
    assert_eq!((rows.len() - direct) as f64, get(&m, "payment_attempts"));
    assert_eq!(
        count("insufficient_balance", true),
        get(&m, "ln_failures_balance")
    );
    // The amounts paid are the invoices the ledger paid, the fees and hops those LN booked.
    let amount_msat: u64 = paid.iter().map(|r| num(r, 4)).sum();
    assert_eq!(amount_msat as f64 / 1000.0, get(&m, "fees_paid_sat"));
    assert_eq!(amount_msat / 1000, trace.earned.iter().sum::<u64>());
    let fee_msat: u64 = paid.iter().map(|r| num(r, 8)).sum();
    assert!((fee_msat as f64 / 1000.0 - get(&m, "ln_fee_total_sat")).abs() < 1e-9);
    let hops: u64 = paid.iter().map(|r| num(r, 6)).sum();
    let hops_mean = hops as f64 / paid.len() as f64;
    assert!((hops_mean - get(&m, "ln_hops_mean")).abs() < 1e-9);
    // Attempts count up from 1 within a payment; a liquidity failure names a hop of its route.
    for (i, row) in rows.iter().enumerate() {
        let first = i == 0 || rows[i - 1][0] != row[0];
        let want = if first { 1 } else { num(&rows[i - 1], 5) + 1 };
        assert_eq!(num(row, 5), want, "row {i}");
        if &row[9] == "failed_liquidity" {
            assert!(
                num(row, 7) < num(row, 6),
                "row {i}: failing hop on the route"
            );
        }
        assert_eq!(
            &row[10] == "true",
            i + 1 == rows.len() || rows[i + 1][0] != row[0]
        );
    }
    let ledger = sgsim::engine::run_traced(&scenario(""), 0, &dir).unwrap().1;
    assert!(
        ledger.rec.payments.is_none(),
        "no payments.csv without Lightning"
    );
}
