//! Peer graphs for the simulator: deterministic generators and an undirected simple graph type.
//!
//! Every generator draws only from the RNG it is given, and only through the
//! RNG's raw 64-bit stream (no `rand` distributions, no platform `ln`), so the
//! same spec and RNG state give the identical graph on every machine.

mod edgelist;
mod generators;

use std::path::{Path, PathBuf};

use petgraph::graph::UnGraph;
use petgraph::unionfind::UnionFind;
use rand_chacha::ChaCha12Rng;
use serde::{Deserialize, Serialize};

/// Largest node count any graph may have; generators and edge lists refuse more.
pub const MAX_NODES: u32 = 50_000_000;
/// Largest (expected) edge count a generator may produce, so a typo cannot exhaust memory.
pub const MAX_EDGES: u64 = 100_000_000;

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

/// Why a graph could not be built; each message says what is wrong and what is allowed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// A generator parameter is out of range.
    #[error("invalid {generator} graph: {message}")]
    InvalidParameter {
        /// Generator name, as in the scenario's `generator` key.
        generator: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// An edge names a node outside `0..nodes`.
    #[error("edge ({a}, {b}) names a node outside the graph; node indices must be below {nodes}")]
    NodeOutOfRange {
        /// First endpoint.
        a: u32,
        /// Second endpoint.
        b: u32,
        /// Number of nodes in the graph.
        nodes: u32,
    },
    /// More nodes were requested than [`MAX_NODES`].
    #[error("a graph of {nodes} nodes is too large; at most {max} nodes are allowed")]
    TooManyNodes {
        /// Requested node count.
        nodes: u64,
        /// The limit, [`MAX_NODES`].
        max: u32,
    },
    /// The edge list file could not be read.
    #[error("cannot read edge list {}: {source}", path.display())]
    Io {
        /// The resolved file path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A line of the edge list file is malformed.
    #[error("edge list {}, line {line}: {message}", path.display())]
    EdgeListLine {
        /// The resolved file path.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The edge list file holds no edges.
    #[error("edge list {} has no edges; expected lines of two node indices \"a b\"", path.display())]
    EmptyEdgeList {
        /// The resolved file path.
        path: PathBuf,
    },
    /// A randomised generator gave up (only possible for very small or dense random regular graphs).
    #[error("{generator} graph generation failed: {message}")]
    GenerationFailed {
        /// Generator name.
        generator: &'static str,
        /// What happened and what to try instead.
        message: String,
    },
}

/// Degree summary of a graph; all zero for a graph without nodes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DegreeStats {
    /// Smallest degree.
    pub min: u32,
    /// Largest degree.
    pub max: u32,
    /// Mean degree, `2 * edges / nodes`.
    pub mean: f64,
}

/// An undirected simple peer graph over nodes `0..n`.
///
/// Invariant: adjacency lists are sorted ascending, symmetric, and hold no self loops or duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerGraph {
    adj: Vec<Vec<u32>>,
    edges: u64,
}

impl PeerGraph {
    /// Builds a graph on `nodes` nodes; self loops and repeated edges (either direction) are dropped.
    ///
    /// Errors if an endpoint is `>= nodes` or `nodes > MAX_NODES`.
    pub fn from_edges(
        nodes: u32,
        edges: impl IntoIterator<Item = (u32, u32)>,
    ) -> Result<Self, GraphError> {
        if nodes > MAX_NODES {
            return Err(GraphError::TooManyNodes {
                nodes: nodes.into(),
                max: MAX_NODES,
            });
        }
        let edges: Vec<(u32, u32)> = edges.into_iter().collect();
        let mut degree = vec![0u32; nodes as usize];
        for &(a, b) in &edges {
            if a >= nodes || b >= nodes {
                return Err(GraphError::NodeOutOfRange { a, b, nodes });
            }
            if a != b {
                degree[a as usize] += 1;
                degree[b as usize] += 1;
            }
        }
        let mut adj: Vec<Vec<u32>> = degree
            .into_iter()
            .map(|d| Vec::with_capacity(d as usize))
            .collect();
        for (a, b) in edges {
            if a != b {
                adj[a as usize].push(b);
                adj[b as usize].push(a);
            }
        }
        Ok(Self::from_adjacency(adj))
    }

    /// Normalises symmetric adjacency lists: sorts, drops duplicates and self loops, counts edges.
    fn from_adjacency(mut adj: Vec<Vec<u32>>) -> Self {
        let mut ends = 0u64;
        for (v, list) in adj.iter_mut().enumerate() {
            list.sort_unstable();
            list.dedup();
            list.retain(|&w| w as usize != v);
            ends += list.len() as u64;
        }
        debug_assert!(ends & 1 == 0, "adjacency must be symmetric");
        Self {
            adj,
            edges: ends / 2,
        }
    }

    /// Number of nodes; nodes are `0..node_count()`.
    pub fn node_count(&self) -> u32 {
        self.adj.len() as u32
    }

    /// Number of undirected edges.
    pub fn edge_count(&self) -> u64 {
        self.edges
    }

    /// The peers of `node`, sorted ascending. Panics if `node >= node_count()`.
    pub fn peers(&self, node: u32) -> &[u32] {
        &self.adj[node as usize]
    }

    /// Whether `a` and `b` are peers; false for out-of-range nodes.
    pub fn has_edge(&self, a: u32, b: u32) -> bool {
        self.adj
            .get(a as usize)
            .is_some_and(|l| l.binary_search(&b).is_ok())
    }

    /// Every edge once as `(a, b)` with `a < b`, in ascending order.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.adj.iter().enumerate().flat_map(|(a, list)| {
            let a = a as u32;
            list.iter().filter(move |&&b| b > a).map(move |&b| (a, b))
        })
    }

    /// Minimum, maximum and mean degree.
    pub fn degree_stats(&self) -> DegreeStats {
        if self.adj.is_empty() {
            return DegreeStats {
                min: 0,
                max: 0,
                mean: 0.0,
            };
        }
        let degrees = self.adj.iter().map(|l| l.len() as u32);
        DegreeStats {
            min: degrees.clone().min().unwrap_or(0),
            max: degrees.max().unwrap_or(0),
            mean: 2.0 * self.edges as f64 / self.adj.len() as f64,
        }
    }

    /// Number of connected components (0 for a graph without nodes).
    pub fn component_count(&self) -> u32 {
        let mut sets = UnionFind::<u32>::new(self.adj.len());
        let mut components = self.node_count();
        for (a, b) in self.edges() {
            if sets.union(a, b) {
                components -= 1;
            }
        }
        components
    }

    /// Whether every node can reach every other (true for 0 or 1 nodes).
    pub fn is_connected(&self) -> bool {
        self.component_count() <= 1
    }

    /// Whether the nodes for which `include` holds reach each other over the edges between
    /// included nodes for which `link` holds (true for fewer than two included nodes).
    pub fn is_connected_among(
        &self,
        include: impl Fn(u32) -> bool,
        link: impl Fn(u32, u32) -> bool,
    ) -> bool {
        let mut sets = UnionFind::<u32>::new(self.adj.len());
        let mut components = (0..self.node_count()).filter(|i| include(*i)).count();
        for (a, b) in self.edges() {
            if include(a) && include(b) && link(a, b) && sets.union(a, b) {
                components -= 1;
            }
        }
        components <= 1
    }

    /// Adds edge `a`-`b`, keeping lists sorted. False (no change) for a self loop,
    /// an existing edge, or a node out of range.
    pub fn add_edge(&mut self, a: u32, b: u32) -> bool {
        let n = self.node_count();
        if a == b || a >= n || b >= n {
            return false;
        }
        let Err(pos) = self.adj[a as usize].binary_search(&b) else {
            return false;
        };
        self.adj[a as usize].insert(pos, b);
        let pos = self.adj[b as usize].partition_point(|&x| x < a);
        self.adj[b as usize].insert(pos, a);
        self.edges += 1;
        true
    }

    /// Removes edge `a`-`b`; false if it was not present.
    pub fn remove_edge(&mut self, a: u32, b: u32) -> bool {
        if !self.has_edge(a, b) {
            return false;
        }
        for (x, y) in [(a, b), (b, a)] {
            let list = &mut self.adj[x as usize];
            if let Ok(pos) = list.binary_search(&y) {
                list.remove(pos);
            }
        }
        self.edges -= 1;
        true
    }

    /// Appends an isolated node and returns its index. Panics past `u32::MAX` nodes.
    pub fn add_node(&mut self) -> u32 {
        let index = u32::try_from(self.adj.len()).expect("node count exceeds u32");
        self.adj.push(Vec::new());
        index
    }

    /// Exports to a petgraph undirected graph with the same node indices (edges in [`Self::edges`] order).
    pub fn to_ungraph(&self) -> UnGraph<(), ()> {
        let mut g = UnGraph::with_capacity(self.adj.len(), self.edges as usize);
        for _ in 0..self.adj.len() {
            g.add_node(());
        }
        g.extend_with_edges(self.edges());
        g
    }
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
            Self::RandomRegular { nodes, degree } => {
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
            Self::Grid { rows, cols } | Self::Torus { rows, cols } => {
                let min = if matches!(self, Self::Torus { .. }) {
                    3
                } else {
                    1
                };
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

/// A frozen copy of a graph's peer lists in two flat arrays: 8 bytes per node plus 4 per
/// peer, where [`PeerGraph`] keeps a vector per node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Adjacency {
    offsets: Vec<u64>,
    peers: Vec<u32>,
}

impl Adjacency {
    /// The peer lists of `graph` as they are now.
    pub fn freeze(graph: &PeerGraph) -> Self {
        let mut offsets = Vec::with_capacity(graph.adj.len() + 1);
        let mut peers = Vec::with_capacity(graph.adj.iter().map(Vec::len).sum());
        offsets.push(0);
        for list in &graph.adj {
            peers.extend_from_slice(list);
            offsets.push(peers.len() as u64);
        }
        Self { offsets, peers }
    }

    /// The peers of `node`, sorted ascending; empty for out-of-range nodes.
    pub fn peers(&self, node: u32) -> &[u32] {
        let i = node as usize;
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.peers[a as usize..b as usize],
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests;
