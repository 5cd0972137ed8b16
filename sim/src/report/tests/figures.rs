//! What the figures show: numeric and logarithmic sweep axes, small multiples with a colour and
//! marker per series, data-chosen time ranges, marked cut axes, attack headlines, the latency
//! CDF and the cost frontier. Each test reads the SVG text (titles, axis and tick labels,
//! legend entries, colours).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use super::super::{read_runs, report_svgs, write_report, ReportError};
use super::fixture::{attack_sweep, fanout_sweep, Fixture, Run};
use super::{assert_svg, keep};
use crate::metrics::latency::{LatencyHistogram, BIN_COUNT};

/// `text` as the SVG writer puts a whole `<text>` element's content.
fn label(text: &str) -> String {
    format!("\n{text}\n</text>")
}

fn svg(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Every `<text>` content of an SVG.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = t.split_once('>')?.1;
            let raw = body.split("</text>").next()?.trim();
            let unescaped = [
                ("&apos;", "'"),
                ("&quot;", "\""),
                ("&lt;", "<"),
                ("&gt;", ">"),
            ]
            .iter()
            .fold(raw.to_string(), |t, (from, to)| t.replace(from, to));
            Some(unescaped.replace("&amp;", "&"))
        })
        .collect()
}

/// Fill colours of the filled polygons (markers and legend samples).
fn marker_colours(svg: &str) -> BTreeSet<String> {
    svg.split("<polygon")
        .skip(1)
        .filter_map(|p| {
            let tag = p.split('>').next()?;
            let fill = tag.split("fill=\"").nth(1)?.split('"').next()?;
            (!tag.contains("fill-opacity")).then(|| fill.to_string())
        })
        .filter(|c| c != "#FFFFFF" && c != "#808080")
        .collect()
}

/// One key swept over four decades, three replicates per point.
fn capacity_sweep() -> Fixture {
    let values = ["0.0001", "0.01", "1.0"];
    let mut f = Fixture {
        points: values
            .iter()
            .map(|v| vec![("payments.lightning.capacity_scale", *v)])
            .collect(),
        ..Fixture::new(
            "capacity",
            "Channel capacity over four decades.",
            vec!["payments.lightning.capacity_scale"],
        )
    };
    for p in 0..3 {
        for r in 0..3 {
            let t90 = 0.5 + 0.1 * p as f64 + 0.01 * r as f64;
            f.run(
                p,
                r,
                &[("coverage_final", Some(0.99)), ("t90_s", Some(t90))],
            );
        }
    }
    f
}

#[test]
fn a_numeric_sweep_over_decades_gets_a_log_axis_of_its_key() {
    let tmp = tempfile::tempdir().unwrap();
    capacity_sweep().write(tmp.path());
    write_report(tmp.path()).unwrap();
    keep(tmp.path(), "capacity");
    let t90 = svg(tmp.path(), "t90.svg");
    assert!(
        !t90.contains("sweep point (#)"),
        "x is the swept key, not the point number"
    );
    assert_svg(
        &tmp.path().join("t90.svg"),
        &["payments.lightning.capacity_scale"],
    );
    // One tick per decade, labelled as numbers.
    for tick in ["1e-4", "0.001", "0.01", "0.1", "1"] {
        assert!(t90.contains(&label(tick)), "tick {tick}");
    }
    let md = fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(md.contains("x: `payments.lightning.capacity_scale` on a log scale"));
}

#[test]
fn a_two_key_sweep_gets_one_panel_per_value_and_distinct_series() {
    let tmp = tempfile::tempdir().unwrap();
    attack_sweep().write(tmp.path());
    write_report(tmp.path()).unwrap();
    for file in ["coverage.svg", "t90.svg", "frontier.svg"] {
        let text = svg(tmp.path(), file);
        let t = texts(&text);
        // Panels headed by the other key's values; series named by the share alone.
        for heading in ["fanout=flood", "fanout=sqrt"] {
            assert!(t.iter().any(|x| x == heading), "{file}: {heading} in {t:?}");
        }
        for series in ["share=0", "share=0.1", "share=0.3"] {
            assert!(t.iter().any(|x| x == series), "{file}: {series}");
        }
        assert!(!t.iter().any(|x| x == "fanout=flood, share=0"), "{file}");
        // As many colours as series: none repeats.
        assert_eq!(marker_colours(&text).len(), 3, "{file}");
    }
}

#[test]
fn coverage_time_ends_where_the_curves_settle() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    write_report(tmp.path()).unwrap();
    // The fixture's curves run to 3 s and the slowest settles at 2 s.
    let ticks: Vec<f64> = texts(&svg(tmp.path(), "coverage.svg"))
        .iter()
        .filter_map(|t| t.parse::<f64>().ok())
        .filter(|v| *v > 1.0)
        .collect();
    assert!(ticks.contains(&2.0) && !ticks.contains(&3.0), "{ticks:?}");
    let md = fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(md.contains("The time axis ends at 2.200 s"), "{md}");
}

#[test]
fn a_cut_coverage_axis_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    write_report(tmp.path()).unwrap();
    let frontier = svg(tmp.path(), "frontier.svg");
    assert!(texts(&frontier)
        .iter()
        .any(|t| t == "final coverage (share; axis cut, not from 0)"));
    // The break mark: a white gap across the axis line.
    assert!(frontier.contains("fill=\"#FFFFFF\""));
    // An axis that is not cut starts at 0 and says nothing.
    let t90_texts = texts(&svg(tmp.path(), "t90.svg"));
    assert!(t90_texts.iter().any(|t| t == "0.0"), "{t90_texts:?}");
    assert!(!t90_texts.iter().any(|t| t.contains("axis cut")));
}

/// The resolved-sweep header naming the attack kind of every point of a fixture.
fn resolved_kind(dir: &Path, kind: &str, points: usize) {
    let mut toml = String::new();
    for i in 0..points {
        toml.push_str(&format!(
            "[[points]]\nindex = {i}\n[points.scenario]\nname = \"x\"\n\
             [points.scenario.attack]\nkind = \"{kind}\"\n"
        ));
    }
    fs::write(dir.join("scenario.toml"), toml).unwrap();
}

#[test]
fn attack_plots_name_the_attack_its_metric_and_what_share_counts() {
    let tmp = tempfile::tempdir().unwrap();
    attack_sweep().write(tmp.path());
    resolved_kind(tmp.path(), "eclipse", 6);
    write_report(tmp.path()).unwrap();
    let t = texts(&svg(tmp.path(), "attack_headline.svg"));
    for want in [
        "Eclipse attack: victim_coverage vs attacker share",
        "Sybil identities per honest node (attack.share)",
        "victim's coverage after the strike (share)",
    ] {
        assert!(t.iter().any(|x| x == want), "{want} in {t:?}");
    }
    assert!(!t.iter().any(|x| x.contains("fraction of nodes")));
    let t = texts(&svg(tmp.path(), "attack_earnings.svg"));
    assert!(t
        .iter()
        .any(|x| x == "Eclipse attack: fees earned per node vs attacker share"));

    // A corrupting kind: the share is a share of the nodes; its metric is absent here.
    resolved_kind(tmp.path(), "silent", 6);
    write_report(tmp.path()).unwrap();
    assert!(!tmp.path().join("attack_headline.svg").exists());
    let md = fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(md.contains("a defined `coverage_after_attack`"), "{md}");
    let t = texts(&svg(tmp.path(), "attack_earnings.svg"));
    assert!(t
        .iter()
        .any(|x| x == "share of nodes corrupted (attack.share)"));
}

/// Adds to each run of `dir/runs.jsonl` a histogram: `per_run(point)` as (delay s, count)
/// pairs and `never` pairs never reached.
fn add_histograms(dir: &Path, per_run: impl Fn(usize) -> (Vec<(f64, u64)>, u64)) {
    let path = dir.join("runs.jsonl");
    let mut out = String::new();
    for line in fs::read_to_string(&path).unwrap().lines() {
        let mut run: serde_json::Value = serde_json::from_str(line).unwrap();
        let point = run["point"].as_u64().unwrap() as usize;
        let (delays, never) = per_run(point);
        let mut h = LatencyHistogram::new();
        for (s, n) in delays {
            for _ in 0..n {
                h.record_s(s);
            }
        }
        h.never = never;
        run["first_receipt_hist"] = serde_json::to_value(&h).unwrap();
        out.push_str(&run.to_string());
        out.push('\n');
    }
    fs::write(&path, out).unwrap();
}

#[test]
fn the_latency_cdf_marks_t50_t90_t99_per_point() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fanout_sweep();
    f.write(tmp.path());
    // Point p: 90 pairs at 0.1·(p+1) s, 8 at 0.5·(p+1) s, two never reached.
    add_histograms(tmp.path(), |p| {
        let k = (p + 1) as f64;
        (vec![(0.1 * k, 90), (0.5 * k, 8)], 2)
    });
    let files = write_report(tmp.path()).unwrap();
    keep(tmp.path(), "latency");
    assert!(files.iter().any(|f| f.ends_with("latency_cdf.svg")));
    let t = texts(&svg(tmp.path(), "latency_cdf.svg"));
    for want in [
        "Delivery latency: CDF of first-receipt delay",
        "t50",
        "t90",
        "t99",
        "fanout=flood",
        "fanout=fixed-4",
        "delay from broadcast to first receipt (s)",
    ] {
        assert!(t.iter().any(|x| x == want), "{want} in {t:?}");
    }
    let md = fs::read_to_string(tmp.path().join("report.md")).unwrap();
    // t99 is never reached: 2 % of the pairs never were.
    assert!(
        md.contains("fanout=flood: 0.") && md.contains(" / never s (2.0 % never reached)"),
        "{md}"
    );
}

#[test]
fn a_histogram_with_other_bins_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    let path = tmp.path().join("runs.jsonl");
    let text = fs::read_to_string(&path).unwrap();
    let bad = text.replacen(
        "\"distributions\"",
        "\"first_receipt_hist\": {\"counts\": [1, 2], \"never\": 0}, \"distributions\"",
        1,
    );
    fs::write(&path, bad).unwrap();
    let err = read_runs(&path).unwrap_err();
    assert!(matches!(err, ReportError::Parse { line: 1, .. }));
    let msg = err.to_string();
    assert!(msg.contains("first_receipt_hist.counts") && msg.contains(&BIN_COUNT.to_string()));
}

#[test]
fn the_frontier_draws_costs_against_coverage_and_t90_with_its_pareto_front() {
    let tmp = tempfile::tempdir().unwrap();
    let mut f = fanout_sweep();
    for r in &mut f.runs {
        let bytes = 1000.0 * (3 - r.point) as f64;
        r.metrics.push(("bytes_per_node", Some(bytes)));
    }
    f.write(tmp.path());
    write_report(tmp.path()).unwrap();
    for (file, cost) in [
        ("frontier.svg", "frames sent per honest node (frames)"),
        ("frontier_bytes.svg", "bytes sent per honest node (bytes)"),
    ] {
        let t = texts(&svg(tmp.path(), file));
        for want in [cost, "time to 90 % coverage (s)", "Pareto front"] {
            assert!(t.iter().any(|x| x == want), "{file}: {want} in {t:?}");
        }
    }
}

#[test]
fn report_svgs_lists_the_inspect_picture_for_png() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    write_report(tmp.path()).unwrap();
    let before = report_svgs(tmp.path());
    assert!(before.iter().all(|p| p.is_file()));
    assert!(before.iter().any(|p| p.ends_with("coverage.svg")));
    fs::write(tmp.path().join("inside.svg"), "<svg/>").unwrap();
    let after = report_svgs(tmp.path());
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.last().unwrap().ends_with("inside.svg"));
}

#[test]
fn more_than_eight_series_are_split_into_panels() {
    // Nine values of one key: more than eight series are split into panels.
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    let mut f = Fixture {
        points: names.iter().map(|n| vec![("policy.fanout", *n)]).collect(),
        ..Fixture::new("nine", "Nine policies.", vec!["policy.fanout"])
    };
    for p in 0..names.len() {
        f.runs.push(Run {
            point: p,
            rep: 0,
            metrics: vec![("coverage_final", Some(0.9)), ("t90_s", Some(1.0))],
            dists: Vec::new(),
        });
    }
    let tmp = tempfile::tempdir().unwrap();
    f.write(tmp.path());
    write_report(tmp.path()).unwrap();
    let t = texts(&svg(tmp.path(), "coverage.svg"));
    assert!(t.iter().any(|x| x == "points #0–#7") && t.iter().any(|x| x == "points #8–#8"));
}
