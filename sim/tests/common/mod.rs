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

/// Issue 25's base scenario B: 60 nodes, two fixed topics, one replicate.
pub const ISSUE_B: &str = "name = \"tiny\"\nseed = 1\nreplicates = 1\nduration_s = 20.0\n\
    [graph]\ngenerator = \"random_regular\"\nnodes = 60\ndegree = 4\n\
    [roles]\ncustomers = 2\ngig_workers = 0.1\n\
    [workload]\narrivals = \"fixed\"\ntimes_s = [1.0, 3.0]\nreply_deadline_s = 5.0\n\
    [policy]\nfanout = \"fixed\"\nfanout_k = 3\npow_difficulty = 16.0\n\
    [network]\nlatency = \"lognormal\"\n";

/// `sgsim ARGS` to completion: (exit code, stdout, stderr).
pub fn sgsim(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sgsim"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A path as UTF-8 text.
pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}
