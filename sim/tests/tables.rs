//! The tables of a result folder as a pandas or R user reads them (through the `csv` crate),
//! and `sgsim report --rebuild`, which rewrites them without simulating.

use sgsim::runner::{rebuild, run_file, RunOptions};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const SMALL: &str = "tests/data/small-sweep.toml";

/// Header and rows of a CSV file, read the way a data-frame library reads it.
fn read(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), header.len(), "{}", path.display());
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

fn small_sweep(out: &Path) -> std::path::PathBuf {
    let opts = RunOptions {
        out: out.to_path_buf(),
        threads: Some(1),
        quiet: true,
        ..RunOptions::default()
    };
    run_file(Path::new(SMALL), &opts).unwrap();
    out.join("small-sweep")
}

#[test]
fn runs_and_coverage_tables_carry_the_swept_values_as_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_sweep(tmp.path());
    let (header, runs) = read(&dir.join("runs.csv"));
    assert_eq!(
        header[..5],
        [
            "point",
            "policy.fanout",
            "replicate",
            "seed",
            "trace_sha256"
        ]
    );
    assert!(header.contains(&"coverage_final".to_string()), "{header:?}");
    assert_eq!(runs.len(), 4, "2 points x 2 replicates, one row each");
    let jsonl = fs::read_to_string(dir.join("runs.jsonl")).unwrap();
    for (row, line) in runs.iter().zip(jsonl.lines()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(row["point"], v["point"].to_string());
        assert_eq!(row["replicate"], v["replicate"].to_string());
        assert_eq!(row["seed"], v["seed"].to_string());
        let fanout = if row["point"] == "0" {
            "flood"
        } else {
            "fixed"
        };
        assert_eq!(row["policy.fanout"], fanout);
        for (k, m) in v["metrics"].as_object().unwrap() {
            let cell = &row[k];
            match m.as_f64() {
                // Tables print 15 significant digits; runs.jsonl keeps the exact bits.
                Some(x) => {
                    let got = cell.parse::<f64>().unwrap();
                    assert!((got - x).abs() <= 1e-14 * x.abs(), "{k}: {got} vs {x}");
                }
                None => assert_eq!(cell, "", "undefined {k} is an empty cell"),
            }
        }
    }
    let (cov_header, cov) = read(&dir.join("coverage.csv"));
    assert_eq!(
        cov_header,
        ["point", "policy.fanout", "replicate", "time_s", "coverage"]
    );
    assert_eq!(cov.len(), 4 * 101);
    assert!(cov
        .iter()
        .all(|r| r["policy.fanout"] == if r["point"] == "0" { "flood" } else { "fixed" }));
    let (sum_header, _) = read(&dir.join("summary.csv"));
    assert_eq!(sum_header[..3], ["point", "policy.fanout", "metric"]);
}

#[test]
fn rebuild_from_runs_jsonl_writes_exactly_what_run_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_sweep(tmp.path());
    let names = [
        "runs.jsonl",
        "runs.csv",
        "summary.csv",
        "paired.csv",
        "coverage.csv",
        "sweep.json",
        "report.md",
        "coverage.svg",
    ];
    let before: Vec<Vec<u8>> = names
        .iter()
        .map(|n| fs::read(dir.join(n)).unwrap())
        .collect();
    // What an older version left: no runs/, no runs.csv, coverage.csv without swept columns.
    fs::remove_dir_all(dir.join("runs")).unwrap();
    for n in [
        "runs.csv",
        "summary.csv",
        "paired.csv",
        "report.md",
        "coverage.svg",
    ] {
        fs::remove_file(dir.join(n)).unwrap();
    }
    let cov = fs::read_to_string(dir.join("coverage.csv")).unwrap();
    let old: String = cov
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{},{}\n", f[0], f[2..].join(","))
        })
        .collect();
    assert!(old.starts_with("point,replicate,time_s,coverage\n"));
    fs::write(dir.join("coverage.csv"), old).unwrap();
    // An older version's sweep.json sealed no table.
    let sweep = fs::read_to_string(dir.join("sweep.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&sweep).unwrap();
    v.as_object_mut().unwrap().remove("sha256").unwrap();
    fs::write(dir.join("sweep.json"), v.to_string()).unwrap();

    assert_eq!(rebuild(&dir).unwrap(), 4);
    for (n, b) in names.iter().zip(&before) {
        assert!(
            &fs::read(dir.join(n)).unwrap() == b,
            "{n} differs after rebuild"
        );
    }
}

#[test]
fn rebuild_of_a_folder_without_sweep_json_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let err = rebuild(tmp.path()).unwrap_err().to_string();
    assert!(err.contains("sweep.json"), "{err}");
}

/// (trace_sha256, metrics) of every line of a runs.jsonl, keyed by (point, replicate).
fn runs_of(dir: &Path) -> BTreeMap<(u64, u64), (String, serde_json::Value)> {
    let text = fs::read_to_string(dir.join("runs.jsonl")).unwrap();
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let key = (
                v["point"].as_u64().unwrap(),
                v["replicate"].as_u64().unwrap(),
            );
            (key, (v["trace_sha256"].to_string(), v["metrics"].clone()))
        })
        .collect()
}

#[test]
fn each_emitted_point_file_checks_and_reruns_that_point_of_the_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = runs_of(&small_sweep(tmp.path()));
    let file = sgsim::runner::load_scenario(Path::new(SMALL)).unwrap();
    let emitted = sgsim::runner::emit_points(&file, &tmp.path().join("points")).unwrap();
    let names: Vec<String> = emitted
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["small-sweep-p00000.toml", "small-sweep-p00001.toml"]
    );
    for (point, path) in emitted.iter().enumerate() {
        sgsim::scenario::load(path).unwrap();
        let opts = RunOptions {
            out: tmp.path().join("rerun"),
            threads: Some(1),
            quiet: true,
            ..RunOptions::default()
        };
        let r = run_file(path, &opts).unwrap();
        assert!(r.dir.ends_with(format!("small-sweep-p{point:05}")));
        for ((_, rep), run) in runs_of(&r.dir) {
            assert_eq!(
                run,
                sweep[&(point as u64, rep)],
                "point {point} replicate {rep}"
            );
        }
    }
}

#[test]
fn a_result_folders_scenario_toml_runs_again_to_the_same_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let first = small_sweep(tmp.path());
    let opts = RunOptions {
        out: tmp.path().join("again"),
        threads: Some(1),
        quiet: true,
        ..RunOptions::default()
    };
    let r = run_file(&first.join("scenario.toml"), &opts).unwrap();
    assert!(r.dir.ends_with("small-sweep"));
    assert_eq!(runs_of(&r.dir), runs_of(&first));
    for table in ["summary.csv", "paired.csv", "coverage.csv", "runs.csv"] {
        assert_eq!(
            fs::read(r.dir.join(table)).unwrap(),
            fs::read(first.join(table)).unwrap(),
            "{table}"
        );
    }
}

#[test]
fn every_subcommand_help_has_examples_and_run_says_name_picks_the_folder() {
    let bin = env!("CARGO_BIN_EXE_sgsim");
    let top = std::process::Command::new(bin)
        .arg("--help")
        .output()
        .unwrap();
    let top = String::from_utf8(top.stdout).unwrap();
    let listed: Vec<&str> = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .take_while(|w| *w != "Options:")
        .filter(|w| *w != "help")
        .collect();
    let subs = [
        "run", "check", "list", "report", "validate", "inspect", "merge",
    ];
    assert_eq!(
        listed.len(),
        subs.len(),
        "every subcommand is checked: {listed:?}"
    );
    for sub in subs {
        let out = std::process::Command::new(bin)
            .args([sub, "--help"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "{sub}");
        assert!(
            text.contains("Examples:") && text.contains(&format!("sgsim {sub}")),
            "{sub}: {text}"
        );
    }
    let run = std::process::Command::new(bin)
        .args(["run", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8(run.stdout).unwrap();
    assert!(text.contains("`name` picks the result folder"), "{text}");
}

#[test]
fn the_report_describes_the_scenario_that_ran_not_its_comment() {
    let text = fs::read_to_string("../scenarios/quickstart.toml").unwrap();
    assert!(text.contains("500-node") && text.contains("nodes = 500"));
    let text = text
        .replace("nodes = 500", "nodes = 200")
        .replace("replicates = 10", "replicates = 2");
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("quickstart.toml");
    fs::write(&path, text).unwrap();
    let opts = RunOptions {
        out: tmp.path().join("out"),
        threads: Some(1),
        quiet: true,
        ..RunOptions::default()
    };
    let r = run_file(&path, &opts).unwrap();
    let report = fs::read_to_string(r.dir.join("report.md")).unwrap();
    let intro = report.lines().nth(2).unwrap();
    assert!(intro.contains("nodes 200"), "{intro}");
    assert!(intro.contains("each run with 2 replicates"), "{intro}");
    assert!(
        !intro.contains("500"),
        "stale text from the file's comment: {intro}"
    );
}

#[test]
fn off_a_terminal_progress_is_printed_as_lines_and_quiet_silences_it() {
    let bin = env!("CARGO_BIN_EXE_sgsim");
    let tmp = tempfile::tempdir().unwrap();
    let run = |quiet: bool| {
        let mut cmd = std::process::Command::new(bin);
        cmd.args(["run", SMALL, "--threads", "1", "--out"])
            .arg(tmp.path());
        if quiet {
            cmd.arg("--quiet");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stderr).unwrap()
    };
    let loud = run(false);
    assert!(
        loud.lines()
            .any(|l| l.starts_with("progress: 4/4 runs (100 %), elapsed ") && l.ends_with("eta 0s")),
        "{loud}"
    );
    let quiet = run(true);
    assert!(!quiet.contains("progress"), "{quiet}");
}
