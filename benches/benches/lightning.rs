//! Criterion benchmark of the Lightning payment model: the same 10,000-node run with
//! `payments.model = "ledger"` and `"lightning"` (issue 14 asks for at most 3× the time).

use criterion::{criterion_group, criterion_main, Criterion};
use sgsim::engine::run;
use sgsim::scenario::parse;
use std::path::Path;

/// `scenarios/scale/ten-thousand.toml` with three topics, so several reply routes are paid.
const SCENARIO: &str = r#"
name = "bench-ln-10000"
seed = 10000
duration_s = 15.0
[graph]
generator = "random_regular"
nodes = 10000
degree = 8
[roles]
customers = 3
gig_workers = 0.01
[workload]
arrivals = "fixed"
times_s = [1.0, 2.0, 3.0]
reply_deadline_s = 5.0
[policy]
fanout = "fixed"
fanout_k = 4
pow_difficulty = 16.0
"#;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("lightning");
    g.sample_size(10);
    for (name, extra) in [
        ("run_10000_nodes_ledger", ""),
        (
            "run_10000_nodes_lightning",
            "[payments]\nmodel = \"lightning\"\n",
        ),
    ] {
        let file =
            parse(&format!("{SCENARIO}{extra}"), Path::new("bench.toml")).expect("valid scenario");
        let scenario = file.points[0].scenario.clone();
        let m = run(&scenario, 0, Path::new("."))
            .expect("runs")
            .metrics
            .metrics;
        eprintln!(
            "{name}: {:?} events, {:?} replies delivered, {:?} LN payments",
            m["events"],
            m["replies_delivered"],
            m.get("ln_payments_ok")
        );
        g.bench_function(name, |b| {
            b.iter(|| run(&scenario, 0, Path::new(".")).expect("runs"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
