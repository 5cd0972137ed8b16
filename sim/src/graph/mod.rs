//! Peer graphs for the simulator: deterministic generators and an undirected simple graph type.
//!
//! Every generator draws only from the RNG it is given, and only through the
//! RNG's raw 64-bit stream (no `rand` distributions, no platform `ln`), so the
//! same spec and RNG state give the identical graph on every machine.

mod edgelist;
mod generators;
mod peer;
mod spec;

pub use peer::{Adjacency, DegreeStats, PeerGraph};
pub use spec::{generator_catalogue, CatalogueEntry, GraphSpec};

/// Parses edge-list text already read (by `sgsim check`, which hashes the bytes it reads);
/// `path` names the file in errors. The same parse as an `edge_list` graph's.
pub fn edge_list_from_text(text: &str, path: &std::path::Path) -> Result<PeerGraph, GraphError> {
    edgelist::parse(text, path)
}

use std::path::PathBuf;

/// Largest node count any graph may have; generators and edge lists refuse more.
pub const MAX_NODES: u32 = 50_000_000;
/// Largest (expected) edge count a generator may produce, so a typo cannot exhaust memory.
pub const MAX_EDGES: u64 = 100_000_000;

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
    /// The edge list is not a regular file, or is larger than the input limit.
    #[error("edge list: {0}")]
    Input(crate::input::InputError),
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
#[cfg(test)]
mod tests;
