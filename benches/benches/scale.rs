//! Criterion benchmarks of the engine at scale (issue 23): events per second of a 100,000-node
//! model-mode broadcast, and heap bytes per node (peak, through a counting allocator) of the
//! same run. Too slow for CI: CI only builds them (`cargo bench --no-run`).
//!
//! Run: `cargo bench -p sweet-gossip-benches --bench scale`. The events/s figure is printed
//! next to criterion's time per run; bytes per node is printed once before the timed runs.

use criterion::{criterion_group, criterion_main, Criterion};
use sgsim::engine::run;
use sgsim::scenario::{parse, Scenario};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// `scenarios/scale/hundred-thousand.toml` in model mode.
const SCENARIO: &str = r#"
name = "bench-scale-100k"
seed = 100000
duration_s = 15.0
[graph]
generator = "random_regular"
nodes = 100000
degree = 8
[roles]
customers = 1
gig_workers = 0.01
[workload]
arrivals = "fixed"
times_s = [1.0]
reply_deadline_s = 5.0
[policy]
fanout = "fixed"
fanout_k = 4
pow_difficulty = 16.0
[scale]
mode = "model"
"#;

/// The system allocator, counting live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn scenario() -> Scenario {
    let file = parse(SCENARIO, Path::new("bench-scale-100k.toml")).expect("valid scenario");
    file.points[0].scenario.clone()
}

fn bench(c: &mut Criterion) {
    let s = scenario();
    let nodes = 100_000.0;
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let start = Instant::now();
    let out = run(&s, 0, Path::new(".")).expect("runs");
    let secs = start.elapsed().as_secs_f64();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let events = out.metrics.metrics["events"].expect("events counted");
    eprintln!(
        "scale-100k model: {events} events, {:.0} events/s (one run, wall), peak heap {:.0} bytes/node",
        events / secs,
        peak as f64 / nodes
    );
    let mut g = c.benchmark_group("scale");
    g.sample_size(10);
    g.throughput(criterion::Throughput::Elements(events as u64));
    g.bench_function("model_100k_nodes_events", |b| {
        b.iter(|| run(&s, 0, Path::new(".")).expect("runs"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
