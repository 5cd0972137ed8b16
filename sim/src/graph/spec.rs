//! The scenario-facing graph spec: the `[graph]` table's generators, their parameter checks,
//! and the catalogue `sgsim list` shows.

use std::path::{Path, PathBuf};

use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};

use super::{edgelist, generators, GraphError, PeerGraph, MAX_EDGES, MAX_NODES};

/// Which peer graph to build; the `generator` key of a scenario's `[graph]` table selects the variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "generator", rename_all = "snake_case", deny_unknown_fields)]
pub enum GraphSpec {
    /// Every pair of nodes is connected.
    Complete {
        /// Number of nodes.
        nodes: u32,
    },
    /// G(n, p): each pair is connected independently with probability `p`.
    ErdosRenyi {
        /// Number of nodes.
        nodes: u32,
        /// Edge probability in [0, 1].
        p: f64,
    },
    /// A simple graph in which every node has exactly `degree` peers.
    RandomRegular {
        /// Number of nodes.
        nodes: u32,
        /// Peers per node; below `nodes`, and `nodes * degree` even.
        degree: u32,
    },
    /// Preferential attachment: each new node links to `m` distinct nodes chosen by degree.
    BarabasiAlbert {
        /// Number of nodes.
        nodes: u32,
        /// Edges added per new node.
        m: u32,
    },
    /// Small world: ring lattice with `k` neighbours, each edge rewired with probability `beta`.
    WattsStrogatz {
        /// Number of nodes.
        nodes: u32,
        /// Lattice neighbours per node (even, `k / 2` on each side).
        k: u32,
        /// Rewiring probability in [0, 1].
        beta: f64,
    },
    /// A `rows` x `cols` grid; node `r * cols + c` links to its 4-neighbours.
    Grid {
        /// Number of rows.
        rows: u32,
        /// Number of columns.
        cols: u32,
    },
    /// A grid whose edges wrap around, so every node has exactly 4 peers.
    Torus {
        /// Number of rows (at least 3).
        rows: u32,
        /// Number of columns (at least 3).
        cols: u32,
    },
    /// A text file with one `a b` pair of node indices per line; `#` starts a comment.
    EdgeList {
        /// File path; a relative path is resolved against the scenario file's folder.
        path: PathBuf,
    },
}

fn invalid(generator: &'static str, message: impl Into<String>) -> GraphError {
    GraphError::InvalidParameter {
        generator,
        message: message.into(),
    }
}

fn check_nodes(generator: &'static str, nodes: u64, min: u64) -> Result<(), GraphError> {
    if nodes < min {
        return Err(invalid(
            generator,
            format!("nodes must be at least {min}, got {nodes}"),
        ));
    }
    if nodes > u64::from(MAX_NODES) {
        return Err(GraphError::TooManyNodes {
            nodes,
            max: MAX_NODES,
        });
    }
    Ok(())
}

fn check_edges(generator: &'static str, edges: f64) -> Result<(), GraphError> {
    if edges > MAX_EDGES as f64 {
        return Err(invalid(
            generator,
            format!("would have about {edges:.0} edges; at most {MAX_EDGES} are allowed"),
        ));
    }
    Ok(())
}

fn check_probability(generator: &'static str, name: &str, x: f64) -> Result<(), GraphError> {
    if !(0.0..=1.0).contains(&x) {
        return Err(invalid(
            generator,
            format!("{name} must be in [0, 1], got {x}"),
        ));
    }
    Ok(())
}

fn check_regular(g: &'static str, nodes: u32, degree: u32) -> Result<(), GraphError> {
    check_nodes(g, nodes.into(), 2)?;
    if degree == 0 || degree >= nodes {
        return Err(invalid(
            g,
            format!(
                "degree must be in [1, nodes - 1] = [1, {}], got {degree}",
                nodes - 1
            ),
        ));
    }
    if u64::from(nodes) * u64::from(degree) % 2 == 1 {
        return Err(invalid(
            g,
            format!("nodes * degree must be even, got {nodes} * {degree}"),
        ));
    }
    check_edges(g, f64::from(nodes) * f64::from(degree) / 2.0)
}

/// A grid (`min` 1) or torus (`min` 3: no side wraps onto itself) of `rows` × `cols`.
fn check_lattice(g: &'static str, rows: u32, cols: u32, min: u32) -> Result<(), GraphError> {
    for (name, v) in [("rows", rows), ("cols", cols)] {
        if v < min {
            return Err(invalid(
                g,
                format!("{name} must be at least {min}, got {v}"),
            ));
        }
    }
    check_nodes(g, u64::from(rows) * u64::from(cols), 1)
}

impl GraphSpec {
    /// The generator's name, as written in the scenario's `generator` key.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Complete { .. } => "complete",
            Self::ErdosRenyi { .. } => "erdos_renyi",
            Self::RandomRegular { .. } => "random_regular",
            Self::BarabasiAlbert { .. } => "barabasi_albert",
            Self::WattsStrogatz { .. } => "watts_strogatz",
            Self::Grid { .. } => "grid",
            Self::Torus { .. } => "torus",
            Self::EdgeList { .. } => "edge_list",
        }
    }

    /// Checks parameters; the error names the parameter and what is allowed,
    /// e.g. "p must be in [0, 1], got 1.5". Does not read edge list files.
    pub fn validate(&self) -> Result<(), GraphError> {
        let g = self.name();
        match *self {
            Self::Complete { nodes } => {
                check_nodes(g, nodes.into(), 1)?;
                let n = f64::from(nodes);
                check_edges(g, n * (n - 1.0) / 2.0)
            }
            Self::ErdosRenyi { nodes, p } => {
                check_nodes(g, nodes.into(), 1)?;
                check_probability(g, "p", p)?;
                let n = f64::from(nodes);
                check_edges(g, p * n * (n - 1.0) / 2.0)
            }
            Self::RandomRegular { nodes, degree } => check_regular(g, nodes, degree),
            Self::BarabasiAlbert { nodes, m } => {
                check_nodes(g, nodes.into(), 2)?;
                if m == 0 || m >= nodes {
                    return Err(invalid(
                        g,
                        format!("m must be in [1, nodes - 1] = [1, {}], got {m}", nodes - 1),
                    ));
                }
                check_edges(g, f64::from(nodes) * f64::from(m))
            }
            Self::WattsStrogatz { nodes, k, beta } => {
                check_nodes(g, nodes.into(), 3)?;
                if k < 2 || k % 2 == 1 || k >= nodes {
                    return Err(invalid(
                        g,
                        format!(
                            "k must be even and in [2, nodes - 1] = [2, {}], got {k}",
                            nodes - 1
                        ),
                    ));
                }
                check_probability(g, "beta", beta)?;
                check_edges(g, f64::from(nodes) * f64::from(k) / 2.0)
            }
            Self::Grid { rows, cols } => check_lattice(g, rows, cols, 1),
            Self::Torus { rows, cols } => check_lattice(g, rows, cols, 3),
            Self::EdgeList { ref path } => {
                if path.as_os_str().is_empty() {
                    return Err(invalid(g, "path must name an edge list file, got \"\""));
                }
                Ok(())
            }
        }
    }

    /// Node count the spec will produce; `None` for `EdgeList` (known only after reading
    /// the file) and for a grid whose size overflows `u32`.
    pub fn node_count_hint(&self) -> Option<u32> {
        match *self {
            Self::Complete { nodes }
            | Self::ErdosRenyi { nodes, .. }
            | Self::RandomRegular { nodes, .. }
            | Self::BarabasiAlbert { nodes, .. }
            | Self::WattsStrogatz { nodes, .. } => Some(nodes),
            Self::Grid { rows, cols } | Self::Torus { rows, cols } => rows.checked_mul(cols),
            Self::EdgeList { .. } => None,
        }
    }

    /// Validates, then builds the graph drawing only from `rng`; `base_dir` resolves a
    /// relative `EdgeList` path (the scenario file's folder).
    pub fn generate(
        &self,
        rng: &mut ChaCha12Rng,
        base_dir: &Path,
    ) -> Result<PeerGraph, GraphError> {
        self.validate()?;
        let adj = match *self {
            Self::Complete { nodes } => generators::complete(nodes),
            Self::ErdosRenyi { nodes, p } => generators::erdos_renyi(rng, nodes, p),
            Self::RandomRegular { nodes, degree } => {
                generators::random_regular(rng, nodes, degree)?
            }
            Self::BarabasiAlbert { nodes, m } => generators::barabasi_albert(rng, nodes, m),
            Self::WattsStrogatz { nodes, k, beta } => {
                generators::watts_strogatz(rng, nodes, k, beta)
            }
            Self::Grid { rows, cols } => generators::lattice(rows, cols, false),
            Self::Torus { rows, cols } => generators::lattice(rows, cols, true),
            Self::EdgeList { ref path } => return edgelist::read(&base_dir.join(path)),
        };
        Ok(PeerGraph::from_adjacency(adj))
    }
}

/// One generator in the registry shown by `sgsim list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueEntry {
    /// Value of the scenario's `generator` key.
    pub name: &'static str,
    /// One-line description.
    pub summary: &'static str,
    /// Parameters as (name, "type: meaning").
    pub params: Vec<(&'static str, &'static str)>,
}

/// All generators with their parameters, in [`GraphSpec`] variant order.
pub fn generator_catalogue() -> Vec<CatalogueEntry> {
    const NODES: (&str, &str) = ("nodes", "u32 >= 1: number of nodes");
    let entry = |name, summary, params| CatalogueEntry {
        name,
        summary,
        params,
    };
    vec![
        entry("complete", "every pair of nodes connected", vec![NODES]),
        entry(
            "erdos_renyi",
            "G(n, p): each pair connected independently with probability p",
            vec![NODES, ("p", "f64 in [0, 1]: edge probability")],
        ),
        entry(
            "random_regular",
            "simple graph where every node has exactly `degree` peers",
            vec![
                NODES,
                (
                    "degree",
                    "u32 in [1, nodes - 1], nodes * degree even: peers per node",
                ),
            ],
        ),
        entry(
            "barabasi_albert",
            "preferential attachment from a complete core of m + 1 nodes",
            vec![
                NODES,
                ("m", "u32 in [1, nodes - 1]: edges added per new node"),
            ],
        ),
        entry(
            "watts_strogatz",
            "ring lattice with k neighbours, edges rewired with probability beta",
            vec![
                NODES,
                (
                    "k",
                    "even u32 in [2, nodes - 1]: lattice neighbours per node",
                ),
                ("beta", "f64 in [0, 1]: rewiring probability per edge"),
            ],
        ),
        entry(
            "grid",
            "rows x cols grid, node r * cols + c linked to its 4-neighbours",
            vec![("rows", "u32 >= 1: rows"), ("cols", "u32 >= 1: columns")],
        ),
        entry(
            "torus",
            "grid with wrap-around edges; every node has 4 peers",
            vec![("rows", "u32 >= 3: rows"), ("cols", "u32 >= 3: columns")],
        ),
        entry(
            "edge_list",
            "text file of \"a b\" node index pairs, '#' comments; nodes = max index + 1",
            vec![("path", "path: file, relative to the scenario file's folder")],
        ),
    ]
}
