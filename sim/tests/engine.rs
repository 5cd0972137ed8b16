//! The engine on small scenarios: assertions on measured behaviour.

use sgsim::engine::run;
use sgsim::scenario::{parse, Scenario};
use std::path::Path;

fn scenario(extra: &str) -> Scenario {
    let text = format!(
        "name = \"t\"\nseed = 7\nduration_s = 20.0\n[graph]\ngenerator = \"random_regular\"\nnodes = 60\ndegree = 4\n\
         [workload]\narrivals = \"fixed\"\ntimes_s = [1.0, 2.0]\n{extra}"
    );
    let file = parse(&text, Path::new("test.toml")).expect("valid scenario");
    file.points[0].scenario.clone()
}

#[test]
fn flooding_a_connected_graph_reaches_every_node() {
    let s = scenario("");
    let out = run(&s, 0, Path::new(".")).unwrap();
    let m = &out.metrics.metrics;
    assert_eq!(m["graph_connected"], Some(1.0));
    assert_eq!(m["topics"], Some(2.0));
    assert_eq!(m["coverage_final"], Some(1.0), "{m:?}");
    assert!(m["replies_received"].unwrap() > 0.0, "{m:?}");
    assert_eq!(m["fees_conserved"], Some(1.0));
    eprintln!("{m:#?}");
}
