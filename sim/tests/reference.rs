//! The committed quick-start report is exactly what the committed code produces.

use sgsim::runner::{run_file, RunOptions};
use std::fs;
use std::path::Path;

#[test]
fn quickstart_report_is_byte_identical_to_the_committed_one() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/quickstart");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml");
    let out = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        out: out.path().to_path_buf(),
        quiet: true,
        ..RunOptions::default()
    };
    run_file(&scenario, &opts).unwrap();
    let fresh = out.path().join("quickstart");
    if committed.join("inside.svg").exists() {
        // The report's picture of one run: `sgsim inspect reports/quickstart --point 0
        // --replicate 0 --topic 0 --out <tmp> --report`.
        let o = sgsim::inspect::InspectOptions {
            topic: Some(0),
            report: true,
            ..Default::default()
        };
        sgsim::inspect::inspect(&fresh, &out.path().join("inside"), &o).unwrap();
    }
    let list = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "runs")
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        list(&committed),
        list(&fresh),
        "the committed report has other files"
    );
    for name in list(&fresh) {
        let (a, b) = (
            fs::read(committed.join(&name)).unwrap(),
            fs::read(fresh.join(&name)).unwrap(),
        );
        assert!(
            a == b,
            "reports/quickstart/{name} differs from a fresh run: regenerate with \
             `cargo run --release -p sweet-gossip-sim -- run scenarios/quickstart.toml`"
        );
    }
}

/// Rewriting the committed quick-start tables from its own runs.jsonl and coverage.csv
/// (`sgsim report --rebuild`) leaves every number where it is.
#[test]
fn rebuilding_the_committed_quickstart_tables_moves_no_number() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/quickstart");
    let tmp = tempfile::tempdir().unwrap();
    for name in ["runs.jsonl", "coverage.csv", "sweep.json", "scenario.toml"] {
        fs::copy(committed.join(name), tmp.path().join(name)).unwrap();
    }
    sgsim::runner::rebuild(tmp.path()).unwrap();
    for name in ["runs.jsonl", "summary.csv", "paired.csv", "sweep.json"] {
        assert!(
            fs::read(committed.join(name)).unwrap() == fs::read(tmp.path().join(name)).unwrap(),
            "{name} changed when rebuilt from the committed runs"
        );
    }
}

/// The committed quick-start folder with `runs.jsonl` in the encoding written before `params`
/// became an object (a list of `[key, value]` strings, in sweep order) and without
/// `metrics.json`: `sgsim report --rebuild` reads it and writes back every committed file
/// byte for byte (the current `runs.jsonl`, the tables, the report and the catalogue).
#[test]
fn a_folder_with_the_older_params_list_rebuilds_to_the_committed_bytes() {
    use serde_json::Value;
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/quickstart");
    let tmp = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for e in fs::read_dir(&committed).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            fs::copy(e.path(), tmp.path().join(e.file_name())).unwrap();
            names.push(e.file_name());
        }
    }
    let swept = vec!["policy.fanout".to_owned()];
    let old: String = fs::read_to_string(committed.join("runs.jsonl"))
        .unwrap()
        .lines()
        .map(|line| {
            let mut v: Value = serde_json::from_str(line).unwrap();
            let params = v["params"]
                .as_object()
                .expect("params is an object")
                .clone();
            assert_eq!(params.keys().cloned().collect::<Vec<_>>(), swept);
            let text = |x: &Value| x.as_str().map_or_else(|| x.to_string(), str::to_owned);
            let pairs: Vec<Value> = swept
                .iter()
                .map(|k| Value::from(vec![k.clone(), text(&params[k])]))
                .collect();
            v["params"] = Value::Array(pairs);
            format!("{v}\n")
        })
        .collect();
    assert!(old.contains("\"params\":[[\"policy.fanout\",\"flood\"]]"));
    fs::write(tmp.path().join("runs.jsonl"), old).unwrap();
    fs::remove_file(tmp.path().join("metrics.json")).unwrap();
    // An older folder has no table seal either.
    let sweep = tmp.path().join("sweep.json");
    let mut v: Value = serde_json::from_str(&fs::read_to_string(&sweep).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("sha256");
    fs::write(
        &sweep,
        format!("{}\n", serde_json::to_string_pretty(&v).unwrap()),
    )
    .unwrap();
    sgsim::runner::rebuild(tmp.path()).unwrap();
    for name in names {
        assert!(
            fs::read(committed.join(&name)).unwrap() == fs::read(tmp.path().join(&name)).unwrap(),
            "{name:?} differs when rebuilt from the older runs.jsonl"
        );
    }
}
