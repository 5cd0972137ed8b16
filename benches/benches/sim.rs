//! Criterion benchmark of whole simulator runs: a 1,000-node scenario with real cryptography.

use criterion::{criterion_group, criterion_main, Criterion};
use rand_chacha::rand_core::SeedableRng;
use sgsim::engine::run;
use sgsim::graph::GraphSpec;
use sgsim::scenario::parse;
use std::path::Path;

const SCENARIO: &str = r#"
name = "bench-1000"
seed = 1
duration_s = 15.0
[graph]
generator = "random_regular"
nodes = 1000
degree = 8
[roles]
customers = 1
gig_workers = 0.02
[workload]
arrivals = "fixed"
times_s = [1.0]
[policy]
fanout = "fixed"
fanout_k = 4
pow_difficulty = 64.0
"#;

fn bench(c: &mut Criterion) {
    let file = parse(SCENARIO, Path::new("bench-1000.toml")).expect("valid scenario");
    let scenario = &file.points[0].scenario;
    let events = run(scenario, 0, Path::new("."))
        .expect("runs")
        .metrics
        .metrics["events"];
    eprintln!("bench-1000: {events:?} events per run");
    let mut g = c.benchmark_group("sim");
    g.sample_size(10);
    g.bench_function("run_1000_nodes_one_topic", |b| {
        b.iter(|| run(scenario, 0, Path::new(".")).expect("runs"))
    });
    g.bench_function("random_regular_1m_nodes_degree_8", |b| {
        let spec = GraphSpec::RandomRegular {
            nodes: 1_000_000,
            degree: 8,
        };
        b.iter(|| {
            let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(1);
            spec.generate(&mut rng, Path::new("."))
                .expect("valid graph")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
