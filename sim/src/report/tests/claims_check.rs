//! The claims checker: it passes what the report derives, it finds every kind of tampering,
//! and on generated datasets the rendered claims never contradict the data (proptest).

use std::fs;
use std::path::Path;

use proptest::prelude::*;

use super::super::claims::{Claim, ClaimsFile, CLAIMS_FILE};
use super::super::{check_claims, write_report};
use super::fixture::{attack_sweep, fanout_sweep, Fixture, Run};
use super::report_of;

fn read(dir: &Path) -> ClaimsFile {
    serde_json::from_str(&fs::read_to_string(dir.join(CLAIMS_FILE)).unwrap()).unwrap()
}

fn write(dir: &Path, file: &ClaimsFile) {
    let mut text = serde_json::to_string_pretty(file).unwrap();
    text.push('\n');
    fs::write(dir.join(CLAIMS_FILE), text).unwrap();
}

fn contradictions(dir: &Path) -> Vec<String> {
    check_claims(dir).unwrap().contradictions
}

#[test]
fn the_checker_passes_a_fresh_report_and_finds_every_tampering() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    write_report(tmp.path()).unwrap();
    let check = check_claims(tmp.path()).unwrap();
    assert!(check.is_ok(), "{:?}", check.contradictions);
    let original = read(tmp.path());
    assert_eq!(check.claims, 2 * original.claims.len());

    // A point added to "every run reached the threshold".
    let mut file = original.clone();
    for e in &mut file.claims {
        if let Claim::EveryRun { points, .. } = &mut e.claim {
            points.push(2);
        }
    }
    write(tmp.path(), &file);
    let found = contradictions(tmp.path());
    assert!(
        found
            .iter()
            .any(|c| c.contains("in every run at [0, 1, 2]")),
        "{found:?}"
    );
    assert!(found.iter().any(|c| c.contains("stale")), "{found:?}");

    // A tie whose interval is moved below 0.
    let mut file = original.clone();
    for e in &mut file.claims {
        if let Claim::Best { tied, .. } = &mut e.claim {
            for s in tied {
                s.high = Some(-0.001);
            }
        }
    }
    write(tmp.path(), &file);
    let found = contradictions(tmp.path());
    assert!(
        found.iter().any(|c| c.contains("calls #2 a tie")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|c| c.contains("states the interval")),
        "{found:?}"
    );

    // report.md no longer states a claim.
    write(tmp.path(), &original);
    let found = contradictions(tmp.path());
    assert!(found.is_empty(), "{found:?}");
    let md = report_of(tmp.path());
    let first = &original.claims[0].text;
    fs::write(tmp.path().join("report.md"), md.replace(first.as_str(), "")).unwrap();
    let found = contradictions(tmp.path());
    assert!(
        found
            .iter()
            .any(|c| c.contains("report.md does not state it")),
        "{found:?}"
    );
}

#[test]
fn a_changed_run_contradicts_the_old_claims() {
    let tmp = tempfile::tempdir().unwrap();
    attack_sweep().write(tmp.path());
    write_report(tmp.path()).unwrap();
    assert!(contradictions(tmp.path()).is_empty());
    // Edit the data under the report: the victim keeps its coverage at share 0.1.
    let runs = fs::read_to_string(tmp.path().join("runs.jsonl")).unwrap();
    let edited: Vec<String> = runs
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            if v["point"] == 1 {
                v["metrics"]["victim_coverage"] = serde_json::json!(0.89);
            }
            v.to_string()
        })
        .collect();
    fs::write(tmp.path().join("runs.jsonl"), edited.join("\n")).unwrap();
    let found = contradictions(tmp.path());
    assert!(
        found
            .iter()
            .any(|c| c.contains("`victim_coverage` at #1 − #0: states mean")),
        "{found:?}"
    );
}

/// A Lightning sweep: invoice size × channel capacity, three replicates.
fn lightning_sweep() -> Fixture {
    let mut f = Fixture {
        coverage: false,
        ..Fixture::new(
            "lightning",
            "Lightning payments",
            vec![
                "policy.routing_fee_sat",
                "payments.lightning.capacity_scale",
            ],
        )
    };
    for fee in ["1", "1000"] {
        for cap in ["0.0001", "1.0"] {
            f.points.push(vec![
                ("policy.routing_fee_sat", fee),
                ("payments.lightning.capacity_scale", cap),
            ]);
        }
    }
    // Large invoices on small channels fail and need recoveries.
    let success = [
        [1.0, 1.0, 1.0],
        [1.0, 1.0, 1.0],
        [0.1, 0.0, 0.05],
        [1.0, 0.98, 1.0],
    ];
    let recoveries = [[0.0; 3], [0.0; 3], [30.0, 41.0, 38.0], [0.0, 1.0, 0.0]];
    for p in 0..4 {
        for r in 0..3 {
            f.run(
                p,
                r,
                &[
                    ("coverage_final", Some(1.0)),
                    ("reach99_share", Some(1.0)),
                    ("t90_s", Some(0.5 + r as f64 * 0.1)),
                    ("frames_per_node", Some(100.0 + r as f64)),
                    ("ln_success_share", Some(success[p][r])),
                    (
                        "ln_fee_overhead",
                        Some([0.9, 0.8, 0.01, 0.002][p] + r as f64 * 0.01),
                    ),
                    ("ln_recoveries", Some(recoveries[p][r])),
                    (
                        "ln_time_to_pay_s",
                        Some([0.36, 0.35, 1.6, 0.4][p] + r as f64 * 0.02),
                    ),
                ],
            );
        }
    }
    f
}

#[test]
fn a_lightning_report_leads_with_lightning() {
    let tmp = tempfile::tempdir().unwrap();
    lightning_sweep().write(tmp.path());
    write_report(tmp.path()).unwrap();
    assert!(contradictions(tmp.path()).is_empty());
    let md = report_of(tmp.path());
    let headline = &md[md.find("## Headline").unwrap()..md.find("## What stands out").unwrap()];
    assert!(
        headline.contains(
            "- Moving channel capacity (`payments.lightning.capacity_scale`) from 0.0001 to 1.0 \
         changes Lightning payment success (`ln_success_share`) by 0.000 [-0.768, +0.768] (n=3) \
         at routing\\_fee\\_sat=1 and +0.943 [+0.843, +1.000] (n=3) at routing\\_fee\\_sat=1000 \
         (paired t over replicates; exact per-point intervals, the same difference in every \
         pair): a detectable rise at 1 and no detectable change (95 % CI \
         contains 0) at 1 of these 2 settings of the other swept keys."
        ),
        "{headline}"
    );
    assert!(headline.contains("Moving the middlemen's invoice size (`policy.routing_fee_sat`)"));
    assert!(headline.contains("Lightning fee overhead (`ln_fee_overhead`) lies above 1"));
    let rest = &md[md.find("## What stands out").unwrap()..];
    assert!(
        rest.contains(
            "- Payment recoveries (paper 3.9) (`ln_recoveries`) occur at 2 of 4 points, most at \
         **routing\\_fee\\_sat=1000, capacity\\_scale=0.0001**: 36.33 [29.90, 42.77] (n=3); none \
         in any run at the other 2."
        ),
        "{rest}"
    );
    assert!(rest.contains("- Mean time to pay a gig over Lightning ranges from"));
    // Gossip is the same at every point: said once, never as a range "from x to x".
    assert!(rest.contains(
        "- Mean time to 90 % coverage is the same at all 4 points in every replicate: 0.600"
    ));
    assert!(!md.contains("highest mean final coverage"), "{md}");
}

const FANOUTS: [&str; 4] = ["flood", "sqrt", "fixed", "log"];
const SHARES: [&str; 3] = ["0", "0.1", "0.3"];
/// Values drawn from few levels, so ties, equal means and all-equal replicates happen.
const LEVELS: [f64; 5] = [0.9, 0.95, 0.99, 0.995, 1.0];

/// One run's metrics from draws in [0, 5): coverage and reach, t90 (sometimes undefined),
/// frames, and the attack metrics.
fn metrics(draw: &[usize]) -> Vec<(&'static str, Option<f64>)> {
    let level = |i: usize| LEVELS[draw[i] % LEVELS.len()];
    vec![
        ("coverage_final", Some(level(0))),
        ("reach99_share", Some(if draw[1] < 3 { 1.0 } else { 0.75 })),
        ("t90_s", (draw[2] > 0).then(|| 0.5 + draw[2] as f64 * 0.1)),
        ("frames_per_node", Some(10.0 + draw[3] as f64)),
        ("victim_coverage", Some(level(4))),
        ("fees_earned_per_honest_node_sat", Some(draw[5] as f64)),
        ("fees_earned_per_adversary_node_sat", Some(draw[6] as f64)),
    ]
}

/// A Lightning run's metrics from draws in [0, 5).
fn ln_metrics(draw: &[usize]) -> Vec<(&'static str, Option<f64>)> {
    vec![
        ("coverage_final", Some(1.0)),
        (
            "ln_success_share",
            Some(LEVELS[draw[0]] - 0.5 * (draw[1] % 2) as f64),
        ),
        ("ln_fee_overhead", Some([0.5, 1.0, 1.5, 2.0, 0.9][draw[2]])),
        ("ln_recoveries", Some([0.0, 0.0, 1.0, 5.0, 0.0][draw[3]])),
        (
            "ln_time_to_pay_s",
            (draw[4] > 0).then(|| 0.3 + draw[4] as f64 * 0.1),
        ),
    ]
}

/// A Lightning sweep of invoice size × capacity from draws.
fn generated_lightning(n_fees: usize, reps: usize, draws: &[usize]) -> Fixture {
    let mut f = Fixture {
        coverage: false,
        ..Fixture::new(
            "generated-ln",
            "",
            vec![
                "policy.routing_fee_sat",
                "payments.lightning.capacity_scale",
            ],
        )
    };
    for &fee in ["1", "100", "1000"].iter().take(n_fees) {
        for cap in ["0.0001", "1.0"] {
            f.points.push(vec![
                ("policy.routing_fee_sat", fee),
                ("payments.lightning.capacity_scale", cap),
            ]);
        }
    }
    fill_runs(&mut f, reps, draws, 5, ln_metrics);
    f
}

/// Builds one run's metrics from its draws.
type MakeMetrics = fn(&[usize]) -> Vec<(&'static str, Option<f64>)>;

/// `reps` runs per point of `f`, each with the metrics `make` builds from the next `width`
/// of `draws` (cycled).
fn fill_runs(f: &mut Fixture, reps: usize, draws: &[usize], width: usize, make: MakeMetrics) {
    let mut k = 0;
    for p in 0..f.points.len() {
        for r in 0..reps {
            let d: Vec<usize> = (0..width).map(|i| draws[(k + i) % draws.len()]).collect();
            k += width;
            f.runs.push(Run {
                point: p,
                rep: r,
                metrics: make(&d),
                dists: Vec::new(),
            });
        }
    }
}

/// Gives every point its own seeds, so no two points' runs are pairs (Welch's test instead).
fn unpair(dir: &Path) {
    let path = dir.join("runs.jsonl");
    let lines: Vec<String> = fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let seed = 5000 + v["point"].as_u64().unwrap() * 10 + v["replicate"].as_u64().unwrap();
            v["seed"] = serde_json::json!(seed);
            v.to_string()
        })
        .collect();
    fs::write(path, lines.join("\n")).unwrap();
}

fn generated(attack: bool, n_points: usize, reps: usize, draws: &[usize]) -> Fixture {
    let mut f = Fixture {
        coverage: false,
        attack: attack.then_some("eclipse"),
        ..Fixture::new("generated", "", vec!["policy.fanout"])
    };
    for &fanout in FANOUTS.iter().take(n_points) {
        if attack {
            for share in SHARES {
                f.points
                    .push(vec![("policy.fanout", fanout), ("attack.share", share)]);
            }
        } else {
            f.points.push(vec![("policy.fanout", fanout)]);
        }
    }
    if attack {
        f.swept.push("attack.share");
    }
    fill_runs(&mut f, reps, draws, 7, metrics);
    f
}

/// Checks on the text that need no checker: every "all points reached 99 %" is true run by run,
/// no range has equal ends, no attacked point is the cheapest, every tie names its test.
fn assert_text(f: &Fixture, md: &str) {
    for line in md.lines().filter(|l| l.starts_with("- ")) {
        if line.contains("points every topic of every replicate reached 99 %")
            && line.starts_with("- At all")
        {
            let all = f.runs.iter().all(|r| {
                r.metrics
                    .iter()
                    .any(|m| m.0 == "reach99_share" && m.1 == Some(1.0))
            });
            assert!(all, "{line}");
        }
        if let Some(at) = line.find("ranges from ") {
            let rest = &line[at + 12..];
            let a: String = rest.chars().take_while(|c| *c != ' ').collect();
            let to = rest.find(" to ").unwrap();
            let b: String = rest[to + 4..].chars().take_while(|c| *c != ' ').collect();
            assert_ne!(a, b, "{line}");
        }
        if line.contains("lowest mean frames per node") {
            assert!(
                !line.contains("share=0.1") && !line.contains("share=0.3"),
                "{line}"
            );
        }
        if line.contains(" tie for ") {
            assert!(
                line.contains("paired t")
                    || line.contains("Welch t")
                    || line.contains("exact per-point intervals"),
                "{line}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// On any small dataset, the claims the report renders hold on its data.
    #[test]
    fn rendered_claims_never_contradict_the_data(
        kind in 0usize..3,
        unpaired in any::<bool>(),
        n_points in 1usize..=3,
        reps in 1usize..=4,
        draws in proptest::collection::vec(0usize..5, 7..40),
    ) {
        let f = match kind {
            0 => generated(false, n_points, reps, &draws),
            1 => generated(true, n_points, reps, &draws),
            _ => generated_lightning(n_points, reps, &draws),
        };
        let tmp = tempfile::tempdir().unwrap();
        f.write(tmp.path());
        if unpaired {
            unpair(tmp.path());
        }
        write_report(tmp.path()).unwrap();
        let check = check_claims(tmp.path()).unwrap();
        prop_assert!(check.is_ok(), "{:?}", check.contradictions);
        assert_text(&f, &fs::read_to_string(tmp.path().join("report.md")).unwrap());
    }
}
