//! Tests for `PeerGraph`, spec validation and the catalogue (generator tests live in `generators.rs`).

use super::*;
use proptest::prelude::*;
use rand::SeedableRng;

/// Checks the `PeerGraph` invariants through the public API.
pub(super) fn assert_simple(g: &PeerGraph) {
    let mut ends = 0u64;
    for v in 0..g.node_count() {
        let p = g.peers(v);
        assert!(
            p.windows(2).all(|w| w[0] < w[1]),
            "node {v} not sorted/deduped"
        );
        assert!(!p.contains(&v), "self loop at {v}");
        assert!(
            p.iter().all(|&w| g.peers(w).binary_search(&v).is_ok()),
            "asymmetric at {v}"
        );
        ends += p.len() as u64;
    }
    assert_eq!(ends, 2 * g.edge_count());
}

fn ring(n: u32) -> PeerGraph {
    PeerGraph::from_edges(n, (0..n).map(|i| (i, (i + 1) % n))).unwrap()
}

#[test]
fn connectivity() {
    assert!(ring(10).is_connected());
    assert_eq!(ring(10).component_count(), 1);
    let two = PeerGraph::from_edges(6, [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3)]).unwrap();
    assert!(!two.is_connected());
    assert_eq!(two.component_count(), 2);
    let isolated = PeerGraph::from_edges(5, [(0, 1)]).unwrap();
    assert_eq!(isolated.component_count(), 4);
    let empty = PeerGraph::from_edges(0, []).unwrap();
    assert!(empty.is_connected());
    assert_eq!(empty.component_count(), 0);
    assert_eq!(
        empty.degree_stats(),
        DegreeStats {
            min: 0,
            max: 0,
            mean: 0.0
        }
    );
    assert!(PeerGraph::from_edges(1, []).unwrap().is_connected());
}

#[test]
fn from_edges_normalises_and_rejects_out_of_range() {
    let g = PeerGraph::from_edges(4, [(3, 0), (0, 3), (1, 1), (2, 0), (0, 2), (3, 0)]).unwrap();
    assert_eq!(g.peers(0), &[2, 3]);
    assert_eq!(g.peers(1), &[] as &[u32]);
    assert_eq!(g.edge_count(), 2);
    assert_eq!(g.edges().collect::<Vec<_>>(), vec![(0, 2), (0, 3)]);
    let err = PeerGraph::from_edges(3, [(0, 1), (1, 3)]).unwrap_err();
    assert!(matches!(
        err,
        GraphError::NodeOutOfRange {
            a: 1,
            b: 3,
            nodes: 3
        }
    ));
    assert!(err.to_string().contains("below 3"), "{err}");
    let err = PeerGraph::from_edges(MAX_NODES + 1, []).unwrap_err();
    assert!(matches!(err, GraphError::TooManyNodes { .. }), "{err}");
}

#[test]
fn mutation_keeps_invariants() {
    let mut g = ring(5);
    assert!(!g.add_edge(0, 1), "existing edge");
    assert!(!g.add_edge(1, 0), "existing edge, reversed");
    assert!(!g.add_edge(2, 2), "self loop");
    assert!(!g.add_edge(0, 5), "out of range");
    assert!(g.add_edge(3, 0));
    assert_eq!(g.peers(0), &[1, 3, 4]);
    assert_eq!(g.peers(3), &[0, 2, 4]);
    assert_eq!(g.edge_count(), 6);
    let sybil = g.add_node();
    assert_eq!(sybil, 5);
    assert_eq!((g.node_count(), g.peers(sybil).len()), (6, 0));
    assert_eq!(g.component_count(), 2);
    assert!(g.add_edge(sybil, 2));
    assert!(g.is_connected());
    assert!(g.remove_edge(2, 5));
    assert!(!g.remove_edge(2, 5));
    assert!(!g.remove_edge(0, 2));
    assert!(!g.remove_edge(9, 0));
    assert!(g.has_edge(0, 3) && g.has_edge(3, 0) && !g.has_edge(0, 2) && !g.has_edge(7, 0));
    assert_eq!(g.edge_count(), 6);
    assert_simple(&g);
}

#[test]
fn degree_stats_and_export() {
    let star = PeerGraph::from_edges(5, (1..5).map(|i| (0, i))).unwrap();
    let s = star.degree_stats();
    assert_eq!((s.min, s.max), (1, 4));
    assert!((s.mean - 1.6).abs() < 1e-12);
    let pg = PeerGraph::from_edges(6, [(0, 1), (4, 2)])
        .unwrap()
        .to_ungraph();
    assert_eq!((pg.node_count(), pg.edge_count()), (6, 2));
    assert_eq!(petgraph::algo::connected_components(&pg), 4);
}

fn err_of(spec: GraphSpec) -> String {
    let e = spec.validate().unwrap_err();
    let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(0);
    assert!(spec.generate(&mut rng, std::path::Path::new(".")).is_err());
    e.to_string()
}

/// Each spec fails validation (and generation) with an error holding `want` and naming its
/// generator (unless it is the generic size error).
fn assert_rejected<const N: usize>(cases: [(GraphSpec, &str); N]) {
    for (spec, want) in cases {
        let name = spec.name();
        let msg = err_of(spec);
        assert!(msg.contains(want), "{msg:?} lacks {want:?}");
        if !msg.contains("too large") {
            assert!(msg.contains(name), "{msg:?} lacks {name}");
        }
    }
}

#[test]
fn validate_rejects_bad_probabilities_and_sizes() {
    use GraphSpec::*;
    assert_rejected([
        (
            ErdosRenyi { nodes: 10, p: 1.5 },
            "p must be in [0, 1], got 1.5",
        ),
        (ErdosRenyi { nodes: 10, p: -0.1 }, "got -0.1"),
        (
            ErdosRenyi {
                nodes: 10,
                p: f64::NAN,
            },
            "got NaN",
        ),
        (
            ErdosRenyi { nodes: 0, p: 0.5 },
            "nodes must be at least 1, got 0",
        ),
        (
            ErdosRenyi {
                nodes: 1_000_000,
                p: 1.0,
            },
            "at most 100000000",
        ),
        (Complete { nodes: 0 }, "nodes must be at least 1"),
        (Complete { nodes: 20_000 }, "edges"),
    ]);
}

#[test]
fn validate_rejects_bad_degrees() {
    use GraphSpec::*;
    assert_rejected([
        (
            RandomRegular {
                nodes: 5,
                degree: 3,
            },
            "nodes * degree must be even, got 5 * 3",
        ),
        (
            RandomRegular {
                nodes: 4,
                degree: 4,
            },
            "degree must be in [1, nodes - 1] = [1, 3], got 4",
        ),
        (
            RandomRegular {
                nodes: 4,
                degree: 0,
            },
            "got 0",
        ),
        (
            RandomRegular {
                nodes: 1,
                degree: 0,
            },
            "nodes must be at least 2",
        ),
        (
            BarabasiAlbert { nodes: 5, m: 5 },
            "m must be in [1, nodes - 1] = [1, 4], got 5",
        ),
        (BarabasiAlbert { nodes: 5, m: 0 }, "got 0"),
        (
            RandomRegular {
                nodes: 60_000_000,
                degree: 2,
            },
            "too large",
        ),
    ]);
}

#[test]
fn validate_rejects_bad_small_world_params() {
    use GraphSpec::*;
    assert_rejected([
        (
            WattsStrogatz {
                nodes: 10,
                k: 3,
                beta: 0.1,
            },
            "k must be even",
        ),
        (
            WattsStrogatz {
                nodes: 10,
                k: 10,
                beta: 0.1,
            },
            "[2, 9], got 10",
        ),
        (
            WattsStrogatz {
                nodes: 10,
                k: 0,
                beta: 0.1,
            },
            "got 0",
        ),
        (
            WattsStrogatz {
                nodes: 10,
                k: 4,
                beta: 2.0,
            },
            "beta must be in [0, 1], got 2",
        ),
    ]);
}

#[test]
fn validate_rejects_bad_lattices_and_edge_lists() {
    use GraphSpec::*;
    assert_rejected([
        (Grid { rows: 0, cols: 3 }, "rows must be at least 1, got 0"),
        (Torus { rows: 3, cols: 2 }, "cols must be at least 3, got 2"),
        (
            Grid {
                rows: 100_000,
                cols: 100_000,
            },
            "at most 50000000 nodes",
        ),
        (EdgeList { path: "".into() }, "path must name"),
    ]);
}

#[test]
fn validate_accepts_the_smallest_valid_params() {
    for ok in [
        GraphSpec::Complete { nodes: 1 },
        GraphSpec::ErdosRenyi { nodes: 1, p: 0.0 },
        GraphSpec::RandomRegular {
            nodes: 2,
            degree: 1,
        },
        GraphSpec::BarabasiAlbert { nodes: 2, m: 1 },
        GraphSpec::WattsStrogatz {
            nodes: 3,
            k: 2,
            beta: 1.0,
        },
        GraphSpec::Grid { rows: 1, cols: 1 },
        GraphSpec::Torus { rows: 3, cols: 3 },
        GraphSpec::EdgeList { path: "x".into() },
    ] {
        ok.validate().unwrap();
    }
}

#[test]
fn node_count_hint_matches_generated() {
    let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(1);
    for spec in [
        GraphSpec::Complete { nodes: 7 },
        GraphSpec::ErdosRenyi { nodes: 40, p: 0.1 },
        GraphSpec::RandomRegular {
            nodes: 40,
            degree: 3,
        },
        GraphSpec::BarabasiAlbert { nodes: 40, m: 2 },
        GraphSpec::WattsStrogatz {
            nodes: 40,
            k: 4,
            beta: 0.3,
        },
        GraphSpec::Grid { rows: 4, cols: 6 },
        GraphSpec::Torus { rows: 4, cols: 6 },
    ] {
        let g = spec.generate(&mut rng, std::path::Path::new(".")).unwrap();
        assert_eq!(spec.node_count_hint(), Some(g.node_count()), "{spec:?}");
        assert_simple(&g);
    }
    assert_eq!(
        GraphSpec::Grid {
            rows: u32::MAX,
            cols: 2
        }
        .node_count_hint(),
        None
    );
}

#[test]
fn catalogue_covers_every_generator() {
    let cat = generator_catalogue();
    let names: Vec<&str> = cat.iter().map(|e| e.name).collect();
    let specs = [
        GraphSpec::Complete { nodes: 1 },
        GraphSpec::ErdosRenyi { nodes: 1, p: 0.0 },
        GraphSpec::RandomRegular {
            nodes: 2,
            degree: 1,
        },
        GraphSpec::BarabasiAlbert { nodes: 2, m: 1 },
        GraphSpec::WattsStrogatz {
            nodes: 3,
            k: 2,
            beta: 0.0,
        },
        GraphSpec::Grid { rows: 1, cols: 1 },
        GraphSpec::Torus { rows: 3, cols: 3 },
        GraphSpec::EdgeList { path: "x".into() },
    ];
    assert_eq!(names, specs.iter().map(GraphSpec::name).collect::<Vec<_>>());
    for e in &cat {
        assert!(!e.summary.is_empty() && !e.params.is_empty(), "{e:?}");
    }
    let ws = cat.iter().find(|e| e.name == "watts_strogatz").unwrap();
    let params: Vec<&str> = ws.params.iter().map(|p| p.0).collect();
    assert_eq!(params, ["nodes", "k", "beta"]);
}

proptest! {
    #[test]
    fn from_edges_never_panics(
        nodes in 0u32..64,
        edges in proptest::collection::vec((0u32..72, 0u32..72), 0..200),
    ) {
        let out_of_range = edges.iter().any(|&(a, b)| a >= nodes || b >= nodes);
        match PeerGraph::from_edges(nodes, edges.clone()) {
            Err(GraphError::NodeOutOfRange { .. }) => prop_assert!(out_of_range),
            Err(e) => prop_assert!(false, "unexpected error {e}"),
            Ok(g) => {
                prop_assert!(!out_of_range);
                prop_assert_eq!(g.node_count(), nodes);
                assert_simple(&g);
                let mut want: Vec<(u32, u32)> = edges
                    .iter()
                    .filter(|(a, b)| a != b)
                    .map(|&(a, b)| (a.min(b), a.max(b)))
                    .collect();
                want.sort_unstable();
                want.dedup();
                prop_assert_eq!(g.edges().collect::<Vec<_>>(), want);
            }
        }
    }

    #[test]
    fn from_edges_arbitrary_u32_never_panics(
        nodes in prop_oneof![0u32..100, Just(u32::MAX), Just(MAX_NODES + 1)],
        edges in proptest::collection::vec((any::<u32>(), any::<u32>()), 0..50),
    ) {
        if let Ok(g) = PeerGraph::from_edges(nodes, edges) {
            assert_simple(&g);
        }
    }

    #[test]
    fn edge_list_parse_never_panics(text in "[0-9 #\\-x\n\t]{0,200}") {
        if let Ok(g) = edgelist::parse(&text, std::path::Path::new("p")) {
            assert_simple(&g);
        }
    }
}

#[test]
fn frozen_adjacency_lists_the_same_peers() {
    let mut g = ring(7);
    g.add_edge(0, 3);
    g.remove_edge(5, 6);
    let a = Adjacency::freeze(&g);
    for v in 0..g.node_count() {
        assert_eq!(a.peers(v), g.peers(v), "node {v}");
    }
    assert!(a.peers(7).is_empty());
    assert!(Adjacency::freeze(&PeerGraph::from_edges(0, []).unwrap())
        .peers(0)
        .is_empty());
}
