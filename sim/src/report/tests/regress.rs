//! Regressions from issue 21: sentences of "What stands out" that contradicted their own runs.

use super::super::write_report;
use super::fixture::{attack_sweep, fanout_sweep, Fixture};
use super::report_of;

/// The bullet lines of the report (sentences of the headline and of "What stands out").
fn bullets(md: &str) -> Vec<&str> {
    md.lines().filter(|l| l.starts_with("- ")).collect()
}

fn report(f: &Fixture) -> String {
    let tmp = tempfile::tempdir().unwrap();
    f.write(tmp.path());
    write_report(tmp.path()).unwrap();
    report_of(tmp.path())
}

fn set(f: &mut Fixture, point: usize, metric: &'static str, values: &[Option<f64>]) {
    for r in f.runs.iter_mut().filter(|r| r.point == point) {
        match r.metrics.iter_mut().find(|m| m.0 == metric) {
            Some(m) => m.1 = values[r.rep],
            None => r.metrics.push((metric, values[r.rep])),
        }
    }
}

/// `t99_s` is defined when *any* topic reached 99 %; "every topic of every replicate reached
/// 99 %" must mean `reach99_share` = 1 in every run.
#[test]
fn reaching_99_percent_means_every_topic_of_every_run() {
    let mut f = fanout_sweep();
    set(&mut f, 2, "t99_s", &[Some(2.5), Some(2.6), Some(2.7)]);
    set(&mut f, 0, "reach99_share", &[Some(1.0); 3]);
    // sqrt: t99 defined in every run, but one topic of one run fell short.
    set(
        &mut f,
        1,
        "reach99_share",
        &[Some(1.0), Some(0.75), Some(1.0)],
    );
    set(&mut f, 2, "reach99_share", &[Some(1.0); 3]);
    let md = report(&f);
    let line = bullets(&md)
        .into_iter()
        .find(|l| l.contains("every topic of every replicate reached 99 %"))
        .unwrap_or_else(|| panic!("no reach-99 sentence:\n{md}"));
    assert!(line.contains("2 of 3 points"), "{line}");
    assert!(!line.contains("fanout=sqrt"), "{line}");
    assert!(!md.contains("All 3 points reach"), "{md}");
}

/// Overlapping marginal intervals are no tie when the paired difference excludes 0.
#[test]
fn a_tie_needs_a_paired_interval_that_contains_zero() {
    let mut f = fanout_sweep();
    // Replicates differ a lot; sqrt is below flood by about 0.0002 in every one of them, fixed-4
    // far below.
    set(
        &mut f,
        0,
        "coverage_final",
        &[Some(0.990), Some(0.995), Some(1.0)],
    );
    set(
        &mut f,
        2,
        "coverage_final",
        &[Some(0.80), Some(0.85), Some(0.90)],
    );
    set(
        &mut f,
        1,
        "coverage_final",
        &[Some(0.9898), Some(0.99475), Some(0.99985)],
    );
    let md = report(&f);
    assert!(!md.contains("tie for the highest"), "{md}");
    let line = bullets(&md)
        .into_iter()
        .find(|l| l.contains("highest mean final coverage"))
        .unwrap_or_else(|| panic!("no leader sentence:\n{md}"));
    assert!(line.starts_with("- **fanout=flood**"), "{line}");
    assert!(
        line.contains("paired"),
        "the sentence names its test: {line}"
    );

    // A real tie: the paired differences straddle 0; the sentence says so and names the test.
    set(
        &mut f,
        1,
        "coverage_final",
        &[Some(0.9901), Some(0.9948), Some(1.0)],
    );
    let md = report(&f);
    let line = bullets(&md)
        .into_iter()
        .find(|l| l.contains("tie for the highest mean final coverage"))
        .unwrap_or_else(|| panic!("no tie sentence:\n{md}"));
    assert!(line.contains("paired t"), "{line}");
    assert!(line.contains("contain"), "{line}");
}

/// An attacked point sends fewer frames because the attack cut nodes off: never "cheapest".
#[test]
fn attacked_points_are_never_called_cheapest() {
    let mut f = attack_sweep();
    for p in 0..6 {
        // Every point reaches 99 % everywhere; the attacked ones send fewer frames.
        let frames = [20.0, 12.0, 8.0, 21.0, 11.0, 7.0][p];
        set(&mut f, p, "t99_s", &[Some(1.0), Some(1.1)]);
        set(&mut f, p, "reach99_share", &[Some(1.0), Some(1.0)]);
        set(
            &mut f,
            p,
            "frames_per_node",
            &[Some(frames), Some(frames + 0.5)],
        );
    }
    let md = report(&f);
    for line in bullets(&md) {
        if line.contains("cheapest")
            || line.contains("fewest")
            || line.contains("lowest mean frames per node")
        {
            assert!(
                !line.contains("share=0.1") && !line.contains("share=0.3"),
                "{line}"
            );
        }
    }
}

/// "X ranges from 0.582 to 0.582": a range whose ends print alike says nothing.
#[test]
fn no_range_has_equal_ends() {
    let mut f = fanout_sweep();
    for p in 0..3 {
        set(&mut f, p, "t90_s", &[Some(0.5), Some(0.6), Some(0.7)]);
    }
    let md = report(&f);
    for line in bullets(&md) {
        let Some(at) = line.find("ranges from ") else {
            continue;
        };
        let rest = &line[at + "ranges from ".len()..];
        let first: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
        let to = rest.find(" to ").expect("a range has an upper end");
        let second: String = rest[to + 4..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        assert_ne!(first, second, "{line}");
    }
    assert!(
        bullets(&md)
            .iter()
            .any(|l| l.contains("time to 90 % coverage") && l.contains("every replicate")),
        "{md}"
    );
}
