//! Checks that need more than the scenario text, done before any run starts (by `check` and
//! `run` alike): every referenced file (edge lists, Lightning snapshots) is read with the input
//! limit, hashed and parsed with the same errors a run would give, and every point must fit
//! the graphs it describes (roles, attackers, victim; a snapshot's node count and scales).

use super::RunnerError;
use crate::graph::GraphSpec;
use crate::lightning::{check_node_count, check_scales, LightningSpec, PaymentModel};
use crate::scenario::{Reference, Scenario, ScenarioFile, SweepPoint};
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

/// What a Lightning snapshot holds, for the checks of each point and the memory estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotSize {
    /// LN nodes.
    pub nodes: u32,
    /// Channels.
    pub channels: u64,
    /// Bytes of the file.
    pub bytes: u64,
    /// Largest capacity (sat), base fee (msat) and proportional fee (ppm).
    pub maxima: (u64, u32, u32),
}

/// The referenced files of one point, as read: its edge list and its snapshot, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PointSize {
    /// The edge list's size (`None` for generated graphs).
    pub graph: Option<GraphSize>,
    /// The Lightning snapshot's size (`None` without one).
    pub snapshot: Option<SnapshotSize>,
}

fn invalid(scenario: &Path, key: &str, message: String) -> RunnerError {
    RunnerError::Invalid(format!("{}: key `{key}`: {message}", scenario.display()))
}

/// Largest node index and number of edge lines of edge-list text, without building anything
/// (malformed lines are skipped here and reported by the full parse).
fn scan(text: &str) -> (u64, u64) {
    let (mut max, mut lines) = (0u64, 0u64);
    for line in text.lines() {
        let mut fields = line.split('#').next().unwrap_or("").split_whitespace();
        if let (Some(a), Some(b), None) = (fields.next(), fields.next(), fields.next()) {
            if let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>()) {
                max = max.max(a).max(b);
                lines += 1;
            }
        }
    }
    (max, lines)
}

/// Reads (with the input limit), hashes and checks one edge list.
fn load_edge_list(scenario: &Path, full: &Path) -> Result<(String, GraphSize), RunnerError> {
    let fail = |message: String| invalid(scenario, "graph.path", message);
    let bytes = crate::input::read(full).map_err(|e| fail(format!("edge list: {e}")))?;
    let sha = hex::encode(Sha256::digest(&bytes));
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "edge list {} is not UTF-8 text (invalid byte at offset {})",
            full.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let (max, lines) = scan(&text);
    if lines > 0 && max + 1 > 2 * lines {
        return Err(fail(format!(
            "edge list {} names node {max} but has only {lines} edge line(s): nodes must \
             be numbered from 0 without gaps, so at most 2 x edges = {} nodes; a larger \
             index would add isolated nodes",
            full.display(),
            2 * lines
        )));
    }
    let graph = crate::graph::edge_list_from_text(&text, full).map_err(|e| fail(e.to_string()))?;
    let size = GraphSize {
        nodes: graph.node_count(),
        edges: graph.edge_count(),
    };
    Ok((sha, size))
}

/// Reads (with the input limit), hashes and parses one Lightning snapshot, with the errors a
/// run gives (see [`crate::lightning::load`]).
fn load_snapshot(
    scenario: &Path,
    full: &Path,
    spec: &LightningSpec,
) -> Result<(String, SnapshotSize), RunnerError> {
    let fail = |e: crate::lightning::SnapshotError| {
        invalid(scenario, "payments.lightning.graph", e.to_string())
    };
    let text = crate::lightning::read_text(full).map_err(fail)?;
    let sha = hex::encode(Sha256::digest(text.as_bytes()));
    let snap = crate::lightning::parse(&text, spec, &mut ChaCha12Rng::seed_from_u64(0)).map_err(
        |message| {
            fail(crate::lightning::SnapshotError {
                path: full.to_path_buf(),
                message,
            })
        },
    )?;
    let size = SnapshotSize {
        nodes: snap.graph.nodes,
        channels: snap.graph.channels.len() as u64,
        bytes: text.len() as u64,
        maxima: snap.maxima(),
    };
    Ok((sha, size))
}

/// The referenced files of a sweep, each read once (by path as written) however many points
/// use it, then checked against every point.
#[derive(Debug, Default)]
pub struct Preflight {
    edge_lists: BTreeMap<PathBuf, (String, GraphSize)>,
    snapshots: BTreeMap<PathBuf, (String, SnapshotSize)>,
}

impl Preflight {
    /// Reads the files `point` references (unless already read) relative to `base_dir`, and
    /// checks the point against them; `scenario` names the scenario file in errors.
    pub fn check_point(
        &mut self,
        point: &SweepPoint,
        scenario: &Path,
        base_dir: &Path,
    ) -> Result<PointSize, RunnerError> {
        let s = &point.scenario;
        let mut size = PointSize::default();
        if let GraphSpec::EdgeList { path } = &s.graph {
            if !self.edge_lists.contains_key(path) {
                let entry = load_edge_list(scenario, &base_dir.join(path))?;
                self.edge_lists.insert(path.clone(), entry);
            }
            let g = self.edge_lists[path].1;
            s.validate_for_nodes(g.nodes).map_err(|v| {
                let at = format!("the edge list {} has {} nodes", path.display(), g.nodes);
                invalid(
                    scenario,
                    &v.key,
                    format!("{} ({}; {at})", v.message, where_(point)),
                )
            })?;
            size.graph = Some(g);
        }
        if let Some(spec) = snapshot_spec(s) {
            let path = PathBuf::from(&spec.graph);
            let full = base_dir.join(&path);
            if !self.snapshots.contains_key(&path) {
                let entry = load_snapshot(scenario, &full, spec)?;
                self.snapshots.insert(path.clone(), entry);
            }
            let snap = self.snapshots[&path].1;
            let honest = s.node_count().or(size.graph.map(|g| g.nodes)).unwrap_or(0);
            let gossip = honest + gossip_sybils(s, honest);
            check_node_count(snap.nodes, gossip)
                .and_then(|()| check_scales(snap.maxima, spec))
                .map_err(|m| {
                    invalid(
                        scenario,
                        "payments.lightning.graph",
                        format!(
                            "lightning snapshot {}: {m} ({})",
                            full.display(),
                            where_(point)
                        ),
                    )
                })?;
            size.snapshot = Some(snap);
        }
        Ok(size)
    }

    /// Every file read so far with its digest, edge lists first, each sorted by path.
    pub fn references(&self) -> Vec<Reference> {
        let edges = self.edge_lists.iter().map(|(path, (sha256, _))| Reference {
            key: "graph.path".into(),
            path: path.clone(),
            sha256: sha256.clone(),
        });
        let snaps = self.snapshots.iter().map(|(path, (sha256, _))| Reference {
            key: "payments.lightning.graph".into(),
            path: path.clone(),
            sha256: sha256.clone(),
        });
        edges.chain(snaps).collect()
    }
}

fn where_(point: &SweepPoint) -> String {
    format!("sweep point {}", point.index)
}

/// The Lightning spec of a point that loads a snapshot.
fn snapshot_spec(s: &Scenario) -> Option<&LightningSpec> {
    let spec = s.payments.lightning.as_ref()?;
    (s.payments.model == PaymentModel::Lightning && !spec.is_generated()).then_some(spec)
}

/// Sybils a run adds next to `honest` nodes (each is a gossip node with its own LN node).
pub(crate) fn gossip_sybils(s: &Scenario, honest: u32) -> u32 {
    s.attack.sybils(honest).min(crate::adversary::SYBILS_MAX)
}

/// Reads every file the sweep references (each distinct path once), records its digest in
/// `file.references` (so the sweep's digest and run key cover their contents), and checks
/// every point against the graphs it describes. Returns each point's sizes.
pub fn check_references(
    file: &mut ScenarioFile,
    scenario: &Path,
    base_dir: &Path,
) -> Result<Vec<PointSize>, RunnerError> {
    let mut preflight = Preflight::default();
    let sizes = file
        .points
        .iter()
        .map(|p| preflight.check_point(p, scenario, base_dir))
        .collect::<Result<Vec<_>, _>>()?;
    file.references = preflight.references();
    Ok(sizes)
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
}
