//! Fault models on small runs: two-sided churn, heavy-tailed sessions, per-link latency and
//! loss, uplink queues (docs/faults.md). Finer checks are unit tests in `network.rs` and
//! `engine/churn.rs`.

use sgsim::engine::{run, RunOutput};
use sgsim::scenario::{parse, Scenario};
use std::path::Path;

fn text(network: &str) -> String {
    format!(
        "name = \"t\"\nseed = 7\nduration_s = 20.0\n[graph]\ngenerator = \"random_regular\"\n\
         nodes = 60\ndegree = 4\n[workload]\narrivals = \"fixed\"\ntimes_s = [1.0, 2.0]\n\
         [network]\n{network}"
    )
}

fn scenario(network: &str) -> Scenario {
    let file = parse(&text(network), Path::new("t.toml")).expect("valid scenario");
    file.points[0].scenario.clone()
}

fn out(network: &str) -> RunOutput {
    run(&scenario(network), 0, Path::new(".")).unwrap()
}

fn metric(o: &RunOutput, name: &str) -> f64 {
    o.metrics.metrics[name].unwrap_or_else(|| panic!("{name} undefined"))
}

#[test]
fn nodes_offline_all_run_send_nothing_and_accept_nothing() {
    // Every node but the customers leaves at once and never returns.
    let o = out("churn_fraction = 1.0\nonline_mean_s = 1e-6\noffline_mean_s = 1e7\n");
    let sent = metric(&o, "frames_total");
    assert!(sent > 0.0, "the customers still try");
    assert_eq!(
        metric(&o, "frames_lost_offline"),
        sent,
        "every frame lands offline"
    );
    assert_eq!(metric(&o, "frames_lost"), 0.0);
    for kind in ["frames_conditions", "frames_broadcast", "frames_reply"] {
        assert_eq!(metric(&o, kind), 0.0, "{kind}: an offline node answered");
    }
    assert_eq!(metric(&o, "replies_received"), 0.0);
}

#[test]
fn churn_loses_frames_offline_apart_from_link_loss() {
    for sessions in ["exponential", "pareto", "weibull"] {
        let o = out(&format!(
            "churn_fraction = 0.5\nonline_mean_s = 3.0\noffline_mean_s = 3.0\n\
             session_lengths = \"{sessions}\"\n"
        ));
        assert!(metric(&o, "frames_lost_offline") > 0.0, "{sessions}");
        assert_eq!(
            metric(&o, "frames_lost"),
            0.0,
            "{sessions}: no link loss asked"
        );
    }
}

#[test]
fn a_slow_uplink_delays_the_flood() {
    let fast = out("latency = \"constant\"\n");
    let slow = out("latency = \"constant\"\nbandwidth_kbps = 64\n");
    let (f, s) = (metric(&fast, "t90_s"), metric(&slow, "t90_s"));
    assert!(s > f + 0.05, "t90 {f} unlimited vs {s} at 64 kbit/s");
}

#[test]
fn per_link_loss_has_the_configured_mean_and_differs_from_per_frame_loss() {
    let lost_share = |o: &RunOutput| metric(o, "frames_lost") / metric(o, "frames_total");
    let frame = out("packet_loss_probability = 0.2\n");
    let link = out("packet_loss_probability = 0.2\nloss = \"link\"\n");
    for (what, o) in [("frame", &frame), ("link", &link)] {
        let share = lost_share(o);
        assert!((0.1..0.3).contains(&share), "{what}: lost share {share}");
    }
    assert_ne!(frame.trace_sha256, link.trace_sha256);
}

const EVERYTHING: &str = "churn_fraction = 0.4\nonline_mean_s = 4.0\noffline_mean_s = 2.0\n\
    jitter_ms_mean = 10.0\nbandwidth_kbps = 256\npacket_loss_probability = 0.05\nloss = \"link\"\n";

#[test]
fn every_fault_option_on_is_deterministic() {
    for extra in [
        "session_lengths = \"weibull\"\nweibull_shape = 0.6\n",
        "session_lengths = \"pareto\"\nreordering = true\n",
    ] {
        let net = format!("{EVERYTHING}{extra}");
        let (a, b) = (out(&net), out(&net));
        assert_eq!(a.trace_sha256, b.trace_sha256, "{extra}");
        assert_eq!(a.metrics, b.metrics, "{extra}");
        let other = run(&scenario(&net), 1, Path::new(".")).unwrap();
        assert_ne!(a.trace_sha256, other.trace_sha256);
    }
}

#[test]
fn bad_fault_keys_get_clear_errors() {
    for (net, key, says) in [
        (
            "pareto_shape = 1.0\n",
            "network.pareto_shape",
            "greater than 1",
        ),
        (
            "weibull_shape = 0.01\n",
            "network.weibull_shape",
            "at least 0.1",
        ),
        (
            "jitter_ms_mean = -1.0\n",
            "network.jitter_ms_mean",
            "at least 0.0",
        ),
        ("session_lengths = \"zipf\"\n", "session_lengths", "pareto"),
        ("loss = \"burst\"\n", "loss", "link"),
    ] {
        let err = parse(&text(net), Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(key) && err.contains(says), "{net}: {err}");
    }
}
