//! Checks that need more than the scenario text, done before any run starts: referenced files
//! are read, hashed and parsed, roles must fit the graph they describe, and the sweep's memory
//! and time are estimated so that `run` can refuse what would exhaust the machine.

use super::RunnerError;
use crate::graph::GraphSpec;
use crate::scenario::{FanoutPolicy, Reference, ScaleMode, ScenarioFile};
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the edge list of a point holds: honest nodes and undirected edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphSize {
    /// Nodes (largest index + 1).
    pub nodes: u32,
    /// Distinct undirected edges.
    pub edges: u64,
}

fn invalid(scenario: &Path, key: &str, message: String) -> RunnerError {
    RunnerError::Invalid(format!("{}: key `{key}`: {message}", scenario.display()))
}

/// Largest node index and number of edge lines of edge-list text, without building anything
/// (malformed lines are skipped here and reported by the full parse).
fn scan(text: &str) -> (u64, u64) {
    let (mut max, mut lines) = (0u64, 0u64);
    for line in text.lines() {
        let fields: Vec<&str> = line
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        if let [a, b] = fields.as_slice() {
            if let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>()) {
                max = max.max(a).max(b);
                lines += 1;
            }
        }
    }
    (max, lines)
}

/// Reads, hashes and checks one edge list; `scenario` and the key name it in errors.
fn load_edge_list(
    scenario: &Path,
    path: &Path,
    base_dir: &Path,
) -> Result<(String, GraphSize), RunnerError> {
    let full = base_dir.join(path);
    let bytes = std::fs::read(&full).map_err(|e| {
        invalid(
            scenario,
            "graph.path",
            format!("cannot read edge list {}: {e}", full.display()),
        )
    })?;
    let sha = hex::encode(Sha256::digest(&bytes));
    let text = String::from_utf8_lossy(&bytes);
    let (max, lines) = scan(&text);
    if lines > 0 && max + 1 > 2 * lines {
        return Err(invalid(
            scenario,
            "graph.path",
            format!(
                "edge list {} names node {max} but has only {lines} edge line(s): nodes must \
                 be numbered from 0 without gaps, so at most 2 x edges = {} nodes; a larger \
                 index would add isolated nodes",
                full.display(),
                2 * lines
            ),
        ));
    }
    let spec = GraphSpec::EdgeList {
        path: path.to_path_buf(),
    };
    let graph = spec
        .generate(&mut ChaCha12Rng::seed_from_u64(0), base_dir)
        .map_err(|e| invalid(scenario, "graph.path", e.to_string()))?;
    let size = GraphSize {
        nodes: graph.node_count(),
        edges: graph.edge_count(),
    };
    Ok((sha, size))
}

/// Reads every file the sweep references (each distinct path once), records its digest in
/// `file.references`, and checks every point against the graph it describes: roles, attackers
/// and the victim must fit. Returns each point's edge-list size (`None` for generated graphs).
pub fn check_references(
    file: &mut ScenarioFile,
    scenario: &Path,
    base_dir: &Path,
) -> Result<Vec<Option<GraphSize>>, RunnerError> {
    let mut loaded: BTreeMap<PathBuf, (String, GraphSize)> = BTreeMap::new();
    let mut sizes = Vec::with_capacity(file.points.len());
    for point in &file.points {
        let GraphSpec::EdgeList { path } = &point.scenario.graph else {
            sizes.push(None);
            continue;
        };
        if !loaded.contains_key(path) {
            let entry = load_edge_list(scenario, path, base_dir)?;
            loaded.insert(path.clone(), entry);
        }
        let size = loaded[path].1;
        point.scenario.validate_for_nodes(size.nodes).map_err(|v| {
            invalid(
                scenario,
                &v.key,
                format!(
                    "{} (sweep point {}; the edge list {} has {} nodes)",
                    v.message,
                    point.index,
                    path.display(),
                    size.nodes
                ),
            )
        })?;
        sizes.push(Some(size));
    }
    file.references = loaded
        .into_iter()
        .map(|(path, (sha256, _))| Reference {
            key: "graph.path".into(),
            path,
            sha256,
        })
        .collect();
    Ok(sizes)
}

/// Bytes one run holds besides its nodes (tables, buffers, the binary).
pub const BASE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;
/// Bytes per node at a wave's peak in the paper's protocol (growing onions), besides its links.
pub const NODE_BYTES: f64 = 1_935.0;
/// Bytes per node at a wave's peak per byte of a hardened node's padded onion (held for
/// forwarding and in frames in flight).
pub const ONION_BYTES_SHARE: f64 = 0.6;
/// Bytes per link end (adjacency, frozen adjacency, per-link latency and queue state).
pub const LINK_END_BYTES: f64 = 40.0;
/// Simulator CPU time per frame sent, seconds, in real and in model mode.
pub const SECONDS_PER_FRAME: [f64; 2] = [40e-6, 30e-6];

/// A rough forecast of a sweep's needs (see [`estimate`] for the model).
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Runs to execute.
    pub runs: usize,
    /// Runs executing at once.
    pub threads: usize,
    /// Peak bytes of the largest run.
    pub run_bytes: f64,
    /// Peak bytes of the sweep: the largest run times the runs executing at once.
    pub peak_bytes: f64,
    /// Wall-clock seconds for the sweep on `threads` cores.
    pub seconds: f64,
}

impl Estimate {
    /// The estimate as one line, such as `estimate: 6 runs on 2 threads, peak memory about
    /// 0.10 GiB (0.05 GiB per run), about 3 s`.
    pub fn line(&self) -> String {
        const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
        format!(
            "estimate: {} run(s) on {} thread(s), peak memory about {:.2} GiB ({:.2} GiB per \
             run), about {:.0} s (a rough model, see README \"Resource limits\")",
            self.runs,
            self.threads,
            self.peak_bytes / GIB,
            self.run_bytes / GIB,
            self.seconds.max(1.0)
        )
    }
}

/// Mean number of peers per node of a point's graph.
fn mean_degree(spec: &GraphSpec, size: Option<GraphSize>) -> f64 {
    match *spec {
        GraphSpec::Complete { nodes } => f64::from(nodes.saturating_sub(1)),
        GraphSpec::ErdosRenyi { nodes, p } => p * f64::from(nodes.saturating_sub(1)),
        GraphSpec::RandomRegular { degree, .. } => f64::from(degree),
        GraphSpec::BarabasiAlbert { m, .. } => 2.0 * f64::from(m),
        GraphSpec::WattsStrogatz { k, .. } => f64::from(k),
        GraphSpec::Grid { .. } | GraphSpec::Torus { .. } => 4.0,
        GraphSpec::EdgeList { .. } => {
            size.map_or(8.0, |s| 2.0 * s.edges as f64 / f64::from(s.nodes.max(1)))
        }
    }
}

/// Forecasts a sweep of `runs` runs on `threads` threads. Model, calibrated on
/// `scenarios/scale/million.toml` (README "Scale": 3.73 GiB peak hardened, 2.16 GiB with
/// `protocol.hardening = false`): a run holds [`BASE_BYTES`] plus, per node (honest and Sybil),
/// [`NODE_BYTES`], [`ONION_BYTES_SHARE`] × the padded onion's bytes when hardened and
/// [`LINK_END_BYTES`] per peer; it sends at most nodes x mean degree frames per topic, each costing
/// [`SECONDS_PER_FRAME`]. Runs of one sweep execute `threads` at a time.
pub fn estimate(
    file: &ScenarioFile,
    sizes: &[Option<GraphSize>],
    runs: usize,
    threads: usize,
) -> Estimate {
    let (mut run_bytes, mut run_seconds) = (0.0f64, 0.0f64);
    for (point, size) in file.points.iter().zip(sizes) {
        let s = &point.scenario;
        let honest = s.node_count().or(size.map(|g| g.nodes)).unwrap_or(0);
        let nodes = f64::from(honest) + f64::from(s.attack.sybils(honest));
        let degree = mean_degree(&s.graph, *size);
        let onion = if s.protocol.hardening {
            f64::from(s.protocol.onion_hops) * sweet_gossip::PADDED_HEAD_LEN as f64
        } else {
            0.0
        };
        let node = NODE_BYTES + ONION_BYTES_SHARE * onion + LINK_END_BYTES * degree;
        run_bytes = run_bytes.max(BASE_BYTES + nodes * node);
        let w = &s.workload;
        let topics = if w.times_s.is_empty() {
            (w.rate_per_s * (s.duration_s - w.start_s).max(0.0)).min(f64::from(w.topics_max))
        } else {
            (w.times_s.len() as f64).min(f64::from(w.topics_max))
        };
        let fan = match s.policy.fanout {
            FanoutPolicy::Fixed | FanoutPolicy::Reputation => {
                degree.min(f64::from(s.policy.fanout_k))
            }
            _ => degree,
        };
        let mode = usize::from(s.scale.mode == ScaleMode::Model);
        let frames = nodes * fan * topics.max(1.0);
        run_seconds += frames * SECONDS_PER_FRAME[mode] * f64::from(s.replicates);
    }
    let threads = threads.clamp(1, runs.max(1));
    Estimate {
        runs,
        threads,
        run_bytes,
        peak_bytes: run_bytes * threads as f64,
        seconds: run_seconds / threads as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_finds_the_largest_index_and_counts_edge_lines() {
        assert_eq!(
            scan("# c\n0 1\n1 2 # x\n\n2 3000000\nbad line here\n"),
            (3_000_000, 3)
        );
        assert_eq!(scan(""), (0, 0));
    }

    /// Peak bytes of one run of the million-node scale scenario with `protocol` appended.
    fn million_bytes(protocol: &str) -> f64 {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/scale/million.toml");
        let text = std::fs::read_to_string(&path).unwrap() + protocol;
        let file = crate::scenario::parse(&text, &path).unwrap();
        estimate(&file, &[None], 1, 1).run_bytes
    }

    #[test]
    fn memory_follows_the_padded_onion() {
        const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
        let hardened = million_bytes("");
        let paper = million_bytes("\n[protocol]\nhardening = false\n");
        let half = million_bytes("\n[protocol]\nonion_hops = 16\n");
        // The calibration runs (README "Scale"), /usr/bin/time -v maximum resident set size.
        let within = |est: f64, kb: f64| (est / (kb * 1024.0) - 1.0).abs() < 0.05;
        assert!(within(hardened, 3_913_492.0), "{}", hardened / GIB);
        assert!(within(paper, 2_268_200.0), "{}", paper / GIB);
        let onion = 1e6 * ONION_BYTES_SHARE * 32.0 * sweet_gossip::PADDED_HEAD_LEN as f64;
        assert!((hardened - paper - onion).abs() < 1.0);
        assert!((hardened - half - onion / 2.0).abs() < 1.0);
    }
}
