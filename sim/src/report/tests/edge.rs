//! Error paths, readers and unusual shapes of data.

use std::fs;

use super::super::{read_coverage, read_runs, read_summary, write_report, ReportError};
use super::fixture::{self, fanout_sweep};
use super::{assert_svg, keep, report_of};

#[test]
fn malformed_summary_names_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    let path = tmp.path().join("summary.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut fields: Vec<String> = lines[2].split(',').map(str::to_string).collect();
    fields[4] = "0.9x".to_string(); // the mean column
    lines[2] = fields.join(",");
    fs::write(&path, lines.join("\n")).unwrap();
    let err = write_report(tmp.path()).unwrap_err();
    match &err {
        ReportError::Parse { path: p, line, .. } => {
            assert_eq!(p, &path);
            assert_eq!(*line, 3);
        }
        other => panic!("unexpected error {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("summary.csv:3:"), "{msg}");
    assert!(msg.contains("mean") && msg.contains("0.9x"), "{msg}");
    assert!(!tmp.path().join("report.md").exists());
}

#[test]
fn missing_runs_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    fs::remove_file(tmp.path().join("runs.jsonl")).unwrap();
    let err = write_report(tmp.path()).unwrap_err();
    assert!(matches!(&err, ReportError::MissingFile { path } if path.ends_with("runs.jsonl")));
    let msg = err.to_string();
    assert!(
        msg.contains("runs.jsonl") && msg.contains("missing"),
        "{msg}"
    );
}

#[test]
fn bad_inputs_give_errors_not_panics() {
    let cases: [(&str, &str, usize); 6] = [
        ("runs.jsonl", "{\"point\": 0}\n{\"point\": \"zero\"}\n", 2),
        (
            "runs.jsonl",
            "{\"point\": 0, \"metrics\": {\"x\": \"1\"}}\n",
            1,
        ),
        ("summary.csv", "", 1),
        ("summary.csv", "point,metric,n,mean\n", 1),
        (
            "summary.csv",
            "point,metric,n,mean,std,ci95_low,ci95_high\n0,x,1,2\n",
            2,
        ),
        (
            "coverage.csv",
            "point,replicate,time_s,coverage\n0,0,\"1,0.5\n",
            2,
        ),
    ];
    for (file, content, line) in cases {
        let tmp = tempfile::tempdir().unwrap();
        fanout_sweep().write(tmp.path());
        fs::write(tmp.path().join(file), content).unwrap();
        match write_report(tmp.path()) {
            Err(ReportError::Parse { path, line: l, .. }) => {
                assert!(path.ends_with(file));
                assert_eq!(l, line, "{file}: {content:?}");
            }
            other => panic!("{file}: {content:?} gave {other:?}"),
        }
    }
    // An empty runs file is reported, not plotted.
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    fs::write(tmp.path().join("runs.jsonl"), "\n").unwrap();
    assert!(matches!(
        write_report(tmp.path()),
        Err(ReportError::NoData { .. })
    ));
    // Broken sweep.json names its line.
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    fs::write(tmp.path().join("sweep.json"), "{\n\"name\": 3\n}").unwrap();
    assert!(matches!(
        write_report(tmp.path()),
        Err(ReportError::Parse { line: 2, .. })
    ));
}

#[test]
fn readers_parse_plain_structs() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("summary.csv");
    fs::write(
        &p,
        "point,policy.fanout,metric,n,mean,std,ci95_low,ci95_high\r\n\
         0,\"a,b\",t99_s,0,,,,\r\n1,flood,t90_s,2,1.5,NaN,1,2\r\n",
    )
    .unwrap();
    let s = read_summary(&p).unwrap();
    assert_eq!(s.swept, ["policy.fanout"]);
    assert_eq!(
        s.rows[0].params,
        [("policy.fanout".to_string(), "a,b".to_string())]
    );
    assert_eq!(s.rows[0].mean, None);
    assert_eq!(s.rows[1].mean, Some(1.5));
    assert_eq!(s.rows[1].std, None);
    assert_eq!(s.rows[1].ci95_high, Some(2.0));

    let c = tmp.path().join("coverage.csv");
    fs::write(
        &c,
        "coverage,time_s,replicate,point\n0.5,1.25,2,3\n,1.5,2,3\n",
    )
    .unwrap();
    let cov = read_coverage(&c).unwrap();
    assert_eq!(cov.len(), 1);
    assert_eq!(
        (
            cov[0].point,
            cov[0].replicate,
            cov[0].time_s,
            cov[0].coverage
        ),
        (3, 2, 1.25, 0.5)
    );

    let r = tmp.path().join("runs.jsonl");
    fs::write(
        &r,
        "{\"point\": 1, \"replicate\": 2, \"seed\": 9, \"params\": [[\"k\", 0.5]], \
         \"metrics\": {\"a\": null, \"b\": 2}, \"distributions\": {\"d\": [1, null, 3]}}\n\n",
    )
    .unwrap();
    let runs = read_runs(&r).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].params, [("k".to_string(), "0.5".to_string())]);
    assert_eq!(runs[0].metrics["a"], None);
    assert_eq!(runs[0].metrics["b"], Some(2.0));
    assert_eq!(runs[0].distributions["d"], [1.0, 3.0]);
    assert_eq!(runs[0].seed, Some(9));
}

#[test]
fn many_points_with_single_replicates_still_plot() {
    // 24 points, one replicate each (no CI), long labels, pooled histograms.
    let values: Vec<String> = (0..24)
        .map(|i| format!("variant-with-a-long-name-{i}"))
        .collect();
    let leaked: Vec<&'static str> = values
        .iter()
        .map(|v| &*Box::leak(v.clone().into_boxed_str()))
        .collect();
    let mut f = fixture::Fixture {
        points: leaked
            .iter()
            .map(|v| vec![("policy.variant", *v), ("policy.ttl", "12")])
            .collect(),
        ..fixture::Fixture::new("wide", "Many points.", vec!["policy.variant", "policy.ttl"])
    };
    for p in 0..24 {
        f.runs.push(fixture::Run {
            point: p,
            rep: 0,
            metrics: vec![
                ("coverage_final", Some(0.5 + p as f64 / 50.0)),
                (
                    "t90_s",
                    if p % 5 == 0 {
                        None
                    } else {
                        Some(p as f64 * 1e5)
                    },
                ),
                ("frames_per_node", Some(-3.0 + p as f64)),
                ("pow_hashes_per_node", Some(1e12 * (p + 1) as f64)),
            ],
            dists: vec![("route_fee_sat", vec![p as f64 * 0.001, 0.0005])],
        });
    }
    let tmp = tempfile::tempdir().unwrap();
    f.write(tmp.path());
    let files = write_report(tmp.path()).unwrap();
    keep(tmp.path(), "wide");
    for file in &files[2..] {
        assert_svg(file, &[]);
    }
    assert_svg(
        &tmp.path().join("route_fee.svg"),
        &["all 24 points (n=48)", "pooled over points"],
    );
    // Labels longer than 40 characters are shortened in legends only.
    assert_svg(
        &tmp.path().join("coverage.svg"),
        &["variant=variant-wi...ong-name-23, ttl=12"],
    );
    let md = report_of(tmp.path());
    assert!(md.contains("| 23 | variant-with-a-long-name-23 | 12 |"));
    assert!(md.contains(
        "- `t90_s` is undefined (no topic reached 90 % of its eligible nodes) in some runs at 5 \
         points: **variant=variant-with-a-long-name-0, ttl=12** (defined in 0 of 1 runs)"
    ));
    // One run per point: no difference has an interval, so no point is ranked.
    assert!(
        !md.contains("highest mean") && !md.contains("ranges from"),
        "{md}"
    );
}

#[test]
fn one_point_with_one_replicate_still_plots() {
    let mut one = fixture::Fixture {
        points: vec![vec![]],
        ..fixture::Fixture::new("one", "", vec![])
    };
    one.run(
        0,
        0,
        &[
            ("coverage_final", Some(1.0)),
            ("t90_s", Some(0.0)),
            ("frames_per_node", Some(0.0)),
        ],
    );
    let tmp = tempfile::tempdir().unwrap();
    one.write(tmp.path());
    let files = write_report(tmp.path()).unwrap();
    keep(tmp.path(), "one");
    for file in &files[2..] {
        assert_svg(file, &["point 0"]);
    }
    let md = report_of(tmp.path());
    assert!(md.contains("- Nothing is swept: one point."));
    assert!(md.contains("One point, run with 1 replicate (1 run in total)"));
    assert!(md.contains("- Mean final coverage is 1.000 (n=1, no interval)."));
    assert!(md.contains(
        "- Final coverage was at least 0.99 in every replicate (`coverage_final` ≥ 0.99 in every \
         run)."
    ));
}
