//! The peer graph: an undirected simple graph over nodes `0..n`, and its frozen form.

use petgraph::graph::UnGraph;
use petgraph::unionfind::UnionFind;
use serde::Serialize;

use super::{GraphError, MAX_NODES};

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
    pub(super) fn from_adjacency(mut adj: Vec<Vec<u32>>) -> Self {
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
