//! Helpers shared by the simulator's integration tests.
// Each test crate that includes this module uses only some of the helpers.
#![allow(dead_code)]

use sgsim::engine::run;
use sgsim::runner::RunOptions;
use sgsim::scenario::Scenario;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every metric of `s` averaged over replicates `0..replicates`, each over the replicates
/// in which it is defined.
pub fn mean_metrics(s: &Scenario, replicates: u32) -> BTreeMap<String, f64> {
    let mut sum: BTreeMap<String, (f64, u32)> = BTreeMap::new();
    for r in 0..replicates {
        let out = run(s, r, Path::new(".")).expect("run");
        for (k, v) in out.metrics.metrics {
            if let Some(v) = v {
                let e = sum.entry(k).or_default();
                e.0 += v;
                e.1 += 1;
            }
        }
    }
    sum.into_iter()
        .map(|(k, (s, n))| (k, s / f64::from(n)))
        .collect()
}

/// Every file under `dir`, by its path relative to `dir`, with its bytes.
pub fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    out
}

/// Quiet run options writing under `out` on `threads` threads.
pub fn run_opts(out: &Path, threads: usize) -> RunOptions {
    RunOptions {
        out: out.to_path_buf(),
        threads: Some(threads),
        quiet: true,
        ..RunOptions::default()
    }
}
