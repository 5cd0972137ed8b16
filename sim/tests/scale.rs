//! Scale mode replaces cryptography and proof of work by models; it must measure exactly what
//! the real mode measures.

use sgsim::engine::run;
use sgsim::scenario::parse;
use std::path::Path;

fn scenario(mode: &str, extra: &str) -> sgsim::scenario::Scenario {
    let text = format!(
        "name = \"scale\"\nseed = 5\nduration_s = 20.0\n[graph]\ngenerator = \"barabasi_albert\"\n\
         nodes = 300\nm = 3\n[roles]\ncustomers = 3\ngig_workers = 0.05\n[workload]\n\
         arrivals = \"fixed\"\ntimes_s = [1.0, 2.5, 4.0, 5.5, 7.0, 8.5]\n[policy]\nfanout = \"fixed\"\nfanout_k = 3\n\
         fee_jitter_sat = 5\n[scale]\nmode = \"{mode}\"\n{extra}"
    );
    parse(&text, Path::new("scale.toml")).unwrap().points[0]
        .scenario
        .clone()
}

#[test]
fn model_mode_measures_exactly_what_real_mode_measures() {
    for extra in ["", "[payments]\nfailure_probability = 0.9\n"] {
        let real = run(&scenario("real", extra), 0, Path::new(".")).unwrap();
        let model = run(&scenario("model", extra), 0, Path::new(".")).unwrap();
        let m = &real.metrics.metrics;
        assert!(m["coverage_final"].unwrap() > 0.5);
        let paid = m["replies_delivered"].unwrap() > 0.0;
        let failed = m["invoice_payment_failures"].unwrap() > 0.0;
        assert!(if extra.is_empty() { paid } else { failed }, "{m:?}");
        assert!(m["bytes_total"].unwrap() > 0.0);
        for (k, v) in m {
            assert_eq!(model.metrics.metrics.get(k), Some(v), "metric {k} differs");
        }
        assert_eq!(real.metrics, model.metrics);
        assert_eq!(
            real.trace_sha256, model.trace_sha256,
            "same events at the same times"
        );
    }
}

#[test]
fn model_mode_rejects_replays_exactly_like_real_mode() {
    // A chatterbox replays recorded broadcasts: the model must reject them like the real mode.
    // (Altered signatures, sealed boxes and proofs of work: the unit tests in src/model.rs.)
    let extra = "[attack]\nkind = \"chatterbox\"\nshare = 0.05\n";
    let real = run(&scenario("real", extra), 0, Path::new(".")).unwrap();
    let model = run(&scenario("model", extra), 0, Path::new(".")).unwrap();
    assert!(real.metrics.metrics["rejected_total"].unwrap() > 0.0);
    assert_eq!(real.metrics, model.metrics);
}
