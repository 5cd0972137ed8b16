//! Scenario files: the TOML description of a simulation setup, its checks,
//! its defaults and its sweeps.
//!
//! A file needs `name`, `seed` and a `[graph]` table; every other key has a
//! documented default (see [`Scenario`] and its sections). Unknown keys are
//! rejected.
//!
//! # Sweeps
//!
//! Any single value may be written as a list to sweep it:
//!
//! ```toml
//! [policy]
//! fanout = ["fixed", "reputation"]
//! fanout_k = [2, 4, 8]
//! ```
//!
//! The file then stands for the cartesian product of all swept keys (here 6
//! [`SweepPoint`]s), ordered by the keys' order of appearance in the file,
//! the first key varying slowest. `workload.times_s`, itself a list, is swept
//! by a list of lists (`times_s = [[1.0], [1.0, 2.0]]`). `name`, `seed` and
//! `replicates` cannot be swept. At most [`MAX_SWEEP_POINTS`] points.
//!
//! # Errors
//!
//! Every rejection is one [`ScenarioError`] that reads like
//! `scenarios/foo.toml:12:1: key `policy.fanout_k`: must be at least 1, got 0`,
//! possibly followed by a `hint:` line.

mod catalogue;
mod error;
pub mod lightning;
mod locate;
mod policy;
mod prescan;
mod schema;
mod sweep;
mod validate;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_props;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use catalogue::{catalogue, CatalogueEntry, CatalogueGroup, CatalogueParam};
pub use error::{Diagnostic, ScenarioError};
pub use policy::{
    Attach, Attack, AttackKind, Device, FanoutPolicy, LatencyModel, LossModel, Network, Payments,
    PolicySpec, Protocol, RouteChoice, SessionModel,
};
pub use schema::{
    graph_node_count, Amount, Arrivals, BBox, Roles, Scale, ScaleMode, Scenario, Workload,
};
pub use sweep::MAX_SWEEP_POINTS;
pub use validate::{
    is_slug, Violation, MAX_DURATION_S, MAX_MONEY_SAT, MAX_NAME_LEN, MAX_REPLICATES, MAX_SPAN_S,
    MAX_TOPICS,
};

use error::{Point, Source};
use locate::SourceIndex;
use sweep::Spliced;

/// One point of a sweep: which values the swept keys take, and the resolved
/// scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepPoint {
    /// Position in the sweep, from 0.
    pub index: u32,
    /// Each swept key (dotted, such as `policy.fanout`) and the value it takes
    /// at this point as written in the file (strings without quotes), in
    /// file order. Empty when nothing is swept.
    pub params: Vec<(String, String)>,
    /// The resolved scenario of this point.
    pub scenario: Scenario,
}

/// A parsed scenario file: all its sweep points, resolved and checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The file, as given.
    pub path: PathBuf,
    /// The scenario's `name`.
    pub name: String,
    /// Hex SHA-256 of the file's bytes.
    pub digest: String,
    /// Files the scenario references (edge lists) with the SHA-256 of their bytes, filled in
    /// by the runner before a sweep so that the sweep's digest covers them; empty (and not
    /// written) when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// The cartesian product of the swept keys, first key varying slowest;
    /// a single point when nothing is swept.
    pub points: Vec<SweepPoint>,
}

/// A file a scenario references, as written in the scenario, with its contents' digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// The dotted key naming the file, such as `graph.path`.
    pub key: String,
    /// The path as written in the scenario.
    pub path: PathBuf,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Reads, checks and expands a scenario file.
pub fn load(path: &Path) -> Result<ScenarioFile, ScenarioError> {
    parse(&read_text(path)?, path)
}

/// The text of a scenario file, read with the input limit (a regular file of at most
/// [`crate::input::max_bytes`] bytes) and checked to be UTF-8.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let bytes = crate::input::read(path).map_err(|e| match e {
        crate::input::InputError::Io { path, source } => ScenarioError::Io { path, source },
        other => ScenarioError::Input(other),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        error::not_utf8(path, valid)
    })
}

/// Checks and expands the text of a scenario file; `path` is only used in
/// error messages and in the result.
pub fn parse(text: &str, path: &Path) -> Result<ScenarioFile, ScenarioError> {
    let mut iter = PointIter::new(text, path)?;
    let mut points = Vec::with_capacity(iter.len());
    for point in &mut iter {
        points.push(point?);
    }
    let name = points
        .first()
        .map(|p| p.scenario.name.clone())
        .unwrap_or_default();
    Ok(ScenarioFile {
        path: path.to_path_buf(),
        name,
        digest: iter.digest(),
        references: Vec::new(),
        points,
    })
}

/// The sweep points of a scenario file's text, resolved and checked one at a time, in order:
/// what [`parse`] collects, for callers that must not hold every point at once (`sgsim check`
/// on a sweep of many points). Stops after the first error.
pub struct PointIter<'a> {
    text: &'a str,
    path: &'a Path,
    index: SourceIndex,
    sweeps: Vec<sweep::Sweep>,
    total: usize,
    next: usize,
}

impl<'a> PointIter<'a> {
    /// Parses `text` and finds its sweeps; errors in the TOML or in the sweeps come here,
    /// errors of one point when it is produced.
    pub fn new(text: &'a str, path: &'a Path) -> Result<Self, ScenarioError> {
        prescan::check_list_lengths(text, path)?;
        let doc = toml_edit::ImDocument::parse(text.to_string())
            .map_err(|e| error::syntax(path, text, &e))?;
        let index = SourceIndex::build(&doc, text);
        drop(doc);
        let mut source = Source {
            path,
            text,
            index: &index,
            sweeps: &[],
            points: 1,
        };
        let sweeps = sweep::find_sweeps(&index).map_err(|p| source.problem(p))?;
        source.sweeps = &sweeps;
        let total = sweep::point_count(&sweeps).map_err(|p| source.problem(p))?;
        Ok(PointIter {
            text,
            path,
            index,
            sweeps,
            total,
            next: 0,
        })
    }

    /// Number of sweep points (all of them, produced or not).
    pub fn len(&self) -> usize {
        self.total
    }

    /// Always false: a file has at least one point.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Hex SHA-256 of the file's text ([`ScenarioFile::digest`]).
    pub fn digest(&self) -> String {
        sha256_hex(self.text.as_bytes())
    }

    fn point(&self, number: usize) -> Result<SweepPoint, ScenarioError> {
        let source = Source {
            path: self.path,
            text: self.text,
            index: &self.index,
            sweeps: &self.sweeps,
            points: self.total,
        };
        let picks = sweep::choice(&self.sweeps, number);
        let point = Point {
            number,
            picks: &picks,
        };
        let spliced = Spliced::new(self.text, &self.sweeps, &picks);
        let mut scenario: Scenario =
            toml::from_str(&spliced.text).map_err(|e| source.deserialize(&e, &spliced, &point))?;
        crate::scenario::lightning::fill_defaults(&mut scenario.payments);
        scenario
            .validate()
            .map_err(|v| source.violation(v, &point))?;
        let params = self
            .sweeps
            .iter()
            .zip(&picks)
            .map(|(s, &pick)| {
                let label = s.elements.get(pick).map(|e| e.label.clone());
                (s.path.clone(), label.unwrap_or_default())
            })
            .collect();
        Ok(SweepPoint {
            index: u32::try_from(number).unwrap_or(u32::MAX),
            params,
            scenario,
        })
    }
}

impl Iterator for PointIter<'_> {
    type Item = Result<SweepPoint, ScenarioError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.total {
            return None;
        }
        let result = self.point(self.next);
        // After an error, stop: the caller reports the first.
        self.next = if result.is_ok() {
            self.next + 1
        } else {
            self.total
        };
        Some(result)
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Turns the all-inline document `toml_edit` serializes into the layout of a
/// scenario file: sections as `[tables]`, `points` as `[[points]]`, and
/// `bbox` left inline.
fn expand_tables(table: &mut toml_edit::Table) {
    use toml_edit::{ArrayOfTables, Item, Value};
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    for key in keys {
        if key == "bbox" {
            continue;
        }
        let Some(item) = table.get_mut(&key) else {
            continue;
        };
        *item = match std::mem::take(item) {
            Item::Value(Value::InlineTable(inline)) => {
                let mut sub = inline.into_table();
                expand_tables(&mut sub);
                Item::Table(sub)
            }
            Item::Value(Value::Array(array))
                if key == "points" && array.iter().all(Value::is_inline_table) =>
            {
                let mut tables = ArrayOfTables::new();
                for value in array {
                    if let Value::InlineTable(inline) = value {
                        let mut sub = inline.into_table();
                        expand_tables(&mut sub);
                        tables.push(sub);
                    }
                }
                Item::ArrayOfTables(tables)
            }
            other => other,
        };
    }
}

fn to_toml_text<T: Serialize>(value: &T, header: &str) -> String {
    match toml_edit::ser::to_document(value) {
        Ok(mut doc) => {
            expand_tables(doc.as_table_mut());
            format!("{header}{doc}")
        }
        Err(e) => format!("{header}# cannot render as TOML: {e}\n"),
    }
}

impl Scenario {
    /// This scenario as a TOML scenario file with every default written out;
    /// [`parse`] reads it back into an equal scenario.
    pub fn to_toml(&self) -> String {
        to_toml_text(self, "")
    }

    /// The latest time, seconds, at which a topic is published: `duration_s −
    /// workload.reply_deadline_s`, so every topic's replies and payment fall inside the run
    /// (the end-of-run rule; `docs/faults.md`). Never negative.
    pub fn last_publish_s(&self) -> f64 {
        (self.duration_s - self.workload.reply_deadline_s).max(0.0)
    }

    /// The protocol limits every node of this scenario runs with: the defaults, or the
    /// paper's protocol without issue 11's defences when `protocol.hardening = false`, with
    /// `protocol.onion_hops` layers in a padded onion.
    pub fn limits(&self) -> sweet_gossip::Limits {
        let limits = if self.protocol.hardening {
            sweet_gossip::Limits::default()
        } else {
            sweet_gossip::Limits::unhardened()
        };
        sweet_gossip::Limits {
            onion_hops: self.protocol.onion_hops as usize,
            ..limits
        }
    }
}

impl ScenarioFile {
    /// Every point's resolved scenario, defaults filled in, as one TOML
    /// document (what `sgsim check` prints and what is saved next to
    /// results). Deterministic; [`ScenarioFile::from_resolved_toml`] reads it
    /// back.
    pub fn resolved_toml(&self) -> String {
        to_toml_text(self, &self.header(self.points.len()))
    }

    fn header(&self, points: usize) -> String {
        format!(
            "# Resolved scenario {:?}: {} sweep point(s), every default filled in.\n\
             # Source {} (sha256 {}).\n\n",
            self.name,
            points,
            self.path.display(),
            self.digest
        )
    }

    /// One piece of [`ScenarioFile::resolved_toml`] written point by point: `self` holds the
    /// one point to write, `total` is the sweep's number of points, and the first piece
    /// (`first`) carries the header. The pieces of every point, in order, are the bytes of
    /// `resolved_toml` of the whole sweep.
    pub fn resolved_piece(&self, total: usize, first: bool) -> String {
        let text = to_toml_text(self, &self.header(total));
        if first {
            return text;
        }
        match text.find("\n[[points]]\n") {
            Some(at) => text[at..].to_string(),
            None => String::new(),
        }
    }

    /// Reads back what [`ScenarioFile::resolved_toml`] printed, checking every
    /// point again; `path` names the resolved file in errors.
    pub fn from_resolved_toml(text: &str, path: &Path) -> Result<ScenarioFile, ScenarioError> {
        let file: ScenarioFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| s.start);
            let (line, column) = at.map_or((1, 1), |at| locate::line_col(text, at));
            ScenarioError::Syntax(Diagnostic {
                path: path.to_path_buf(),
                line,
                column,
                key: None,
                message: format!("not a resolved scenario file: {}", e.message().trim()),
                hint: None,
            })
        })?;
        for point in &file.points {
            point.scenario.validate().map_err(|v| {
                ScenarioError::InvalidValue(Diagnostic {
                    path: path.to_path_buf(),
                    line: 1,
                    column: 1,
                    key: Some(format!("points[{}].scenario.{}", point.index, v.key)),
                    message: v.message,
                    hint: None,
                })
            })?;
        }
        Ok(file)
    }
}
