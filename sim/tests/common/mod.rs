//! Helpers shared by the simulator's integration tests.

use sgsim::engine::run;
use sgsim::scenario::Scenario;
use std::collections::BTreeMap;
use std::path::Path;

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
