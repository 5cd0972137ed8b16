//! Scenario errors: one paragraph naming the file, line, column and key.

use std::fmt;
use std::path::{Path, PathBuf};

use super::locate::{line_col, Entry, SourceIndex};
use super::sweep::{Problem, Spliced, Sweep};
use super::validate::Violation;

/// Builds a [`ScenarioError`] of one kind from its diagnostic.
type Kind = fn(Diagnostic) -> ScenarioError;

/// Where a deserialization error points: its key, sweep, byte offset and hint, refined by
/// the kind of message (see `Source::deserialize`).
struct Place<'s> {
    key: Option<String>,
    sweep: Option<usize>,
    at: Option<usize>,
    hint: Option<String>,
    /// The entry the error's span points at exactly, if any.
    scalar: Option<&'s Entry>,
    /// The innermost table holding the span.
    table: Option<&'s Entry>,
    table_path: &'s str,
    /// The first backticked name in the message.
    name: String,
}

/// Where and what: the body of every scenario error but I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The scenario file, as given to [`super::load`] or [`super::parse`].
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Dotted key the error is about, such as `policy.fanout_k`, when known.
    pub key: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
    /// An optional suggestion, printed on a second line.
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.path.display(), self.line, self.column)?;
        if let Some(key) = &self.key {
            write!(f, "key `{key}`: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Why a scenario file was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{}: cannot read scenario file: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Not a regular file (a device, a pipe, a folder) or larger than the input limit.
    #[error("scenario file: {0}")]
    Input(crate::input::InputError),
    /// Not valid TOML (or not UTF-8).
    #[error("{0}")]
    Syntax(Diagnostic),
    /// A key the schema does not have.
    #[error("{0}")]
    UnknownKey(Diagnostic),
    /// A value of the wrong type, such as a string for a number.
    #[error("{0}")]
    WrongType(Diagnostic),
    /// A name that is not one of the allowed variants.
    #[error("{0}")]
    UnknownValue(Diagnostic),
    /// A required key is absent.
    #[error("{0}")]
    MissingKey(Diagnostic),
    /// A value of the right type outside its allowed range.
    #[error("{0}")]
    InvalidValue(Diagnostic),
    /// A sweep that cannot be expanded.
    #[error("{0}")]
    Sweep(Diagnostic),
}

impl ScenarioError {
    /// Location and message, for every kind but I/O.
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match self {
            ScenarioError::Io { .. } | ScenarioError::Input(_) => None,
            ScenarioError::Syntax(d)
            | ScenarioError::UnknownKey(d)
            | ScenarioError::WrongType(d)
            | ScenarioError::UnknownValue(d)
            | ScenarioError::MissingKey(d)
            | ScenarioError::InvalidValue(d)
            | ScenarioError::Sweep(d) => Some(d),
        }
    }
}

/// Builds diagnostics for one file.
pub(crate) struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub index: &'a SourceIndex,
    pub sweeps: &'a [Sweep],
    pub points: usize,
}

/// One sweep point being checked.
pub(crate) struct Point<'a> {
    pub number: usize,
    pub picks: &'a [usize],
}

fn diagnostic(path: &Path, text: &str, at: Option<usize>, key: Option<String>) -> Diagnostic {
    let (line, column) = at.map_or((1, 1), |at| line_col(text, at));
    Diagnostic {
        path: path.to_path_buf(),
        line,
        column,
        key: key.filter(|k| !k.is_empty()),
        message: String::new(),
        hint: None,
    }
}

/// A TOML syntax error of the original file.
pub(crate) fn syntax(path: &Path, text: &str, error: &toml_edit::TomlError) -> ScenarioError {
    let mut d = diagnostic(path, text, error.span().map(|s| s.start), None);
    let lines: Vec<&str> = error
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    d.message = format!("TOML syntax error: {}", lines.join("; "));
    ScenarioError::Syntax(d)
}

/// A file that is not UTF-8; `valid` is the length of its valid prefix.
pub(crate) fn not_utf8(path: &Path, valid_prefix: &str) -> ScenarioError {
    let mut d = diagnostic(path, valid_prefix, Some(valid_prefix.len()), None);
    d.message = "the file is not valid UTF-8 text".to_string();
    ScenarioError::Syntax(d)
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// "did you mean `x`?" for a misspelt name among the allowed ones.
fn did_you_mean(given: &str, allowed: &[&str]) -> Option<String> {
    allowed
        .iter()
        .map(|a| (edit_distance(given, a), *a))
        .filter(|(d, a)| {
            let same_start = given.chars().next() == a.chars().next();
            *d <= (a.len() / 3).max(1) || (*d == 2 && same_start && a.len() >= 4)
        })
        .min()
        .map(|(_, a)| format!("did you mean `{a}`?"))
}

/// Serde's type names in plain words.
fn plain_expected(message: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("expected u8", "expected an integer in 0..=255"),
        ("expected u32", "expected an integer in 0..=4294967295"),
        (
            "expected u64",
            "expected an integer in 0..=9223372036854775807",
        ),
        ("expected f64", "expected a number"),
        ("expected variant identifier", "expected a name (a string)"),
    ];
    if message == "wanted string or table" {
        return "invalid type: expected a name (a string)".to_string();
    }
    for (serde_name, plain) in NAMES {
        if let Some(head) = message.strip_suffix(serde_name) {
            return format!("{head}{plain}");
        }
    }
    for table_like in ["expected struct ", "expected internally tagged enum "] {
        if let Some(at) = message.rfind(table_like) {
            return format!("{}expected a table", &message[..at]);
        }
    }
    message.to_string()
}

/// The list of graph generators, as serde names them.
fn graph_generators() -> String {
    let probe = "[graph]\ngenerator = \"\"\n";
    #[derive(serde::Deserialize)]
    struct Probe {
        #[allow(dead_code)]
        graph: crate::graph::GraphSpec,
    }
    match toml::from_str::<Probe>(probe) {
        Err(e) => e
            .message()
            .split_once("expected ")
            .map_or_else(String::new, |(_, list)| list.to_string()),
        Ok(_) => String::new(),
    }
}

impl Source<'_> {
    fn at(&self, at: Option<usize>, key: Option<String>) -> Diagnostic {
        diagnostic(self.path, self.text, at, key)
    }

    fn point_label(&self, point: &Point<'_>) -> String {
        let params: Vec<String> = self
            .sweeps
            .iter()
            .zip(point.picks)
            .filter_map(|(s, &p)| {
                s.elements
                    .get(p)
                    .map(|e| format!("{} = {}", s.path, e.label))
            })
            .collect();
        format!(
            " (at sweep point {} of {}: {})",
            point.number + 1,
            self.points,
            params.join(", ")
        )
    }

    fn sweep_note(&self, sweep: usize, point: &Point<'_>) -> (Option<usize>, String) {
        let s = &self.sweeps[sweep];
        let pick = point.picks.get(sweep).copied().unwrap_or(0);
        let element = s.elements.get(pick);
        (
            element.map(|e| e.span.start),
            format!(
                " (sweep value {} of {}: `{}`)",
                pick + 1,
                s.elements.len(),
                element.map_or("", |e| e.label.as_str())
            ),
        )
    }

    /// Inside an internally tagged table serde only knows the table: the
    /// child whose value (or chosen sweep value) is the one the message
    /// describes, as (dotted key, position of the value, sweep hit).
    fn described_child(
        &self,
        table_path: &str,
        message: &str,
        point: &Point<'_>,
    ) -> Option<(String, usize, Option<usize>)> {
        let described = message
            .split_once(": ")
            .and_then(|(_, rest)| rest.rsplit_once(", expected"))
            .map(|(what, _)| what)?;
        self.index.children(table_path).find_map(|(name, child)| {
            let path = join(table_path, name);
            let swept = self.sweeps.iter().position(|s| s.path == path);
            match swept {
                Some(k) => {
                    let pick = point.picks.get(k).copied().unwrap_or(0);
                    let element = self.sweeps[k].elements.get(pick)?;
                    (element.unexpected.as_deref() == Some(described)).then_some((
                        path,
                        element.span.start,
                        Some(k),
                    ))
                }
                None => {
                    let start = child
                        .value_span
                        .as_ref()
                        .map(|s| s.start)
                        .or(child.position())?;
                    (child.unexpected.as_deref() == Some(described)).then_some((path, start, None))
                }
            }
        })
    }

    /// A sweep that cannot be expanded, or an array of tables.
    pub fn problem(&self, problem: Problem) -> ScenarioError {
        let mut d = self.at(problem.at, Some(problem.key));
        d.message = problem.message;
        d.hint = problem.hint;
        if problem.wrong_type {
            ScenarioError::WrongType(d)
        } else {
            ScenarioError::Sweep(d)
        }
    }

    /// A value out of range in one sweep point.
    pub fn violation(&self, violation: Violation, point: &Point<'_>) -> ScenarioError {
        let key = violation.key;
        let swept = self
            .sweeps
            .iter()
            .position(|s| key == s.path || key.starts_with(&format!("{}.", s.path)));
        let (at, note) = match swept {
            Some(k) => self.sweep_note(k, point),
            None => {
                let entry = self.index.get(&key);
                let mut note = String::new();
                let mut at = entry.and_then(Entry::position);
                if entry.is_none() {
                    note.push_str(" (not set in the file: this is the default)");
                    let mut parent = key.as_str();
                    while let Some((up, _)) = parent.rsplit_once('.') {
                        parent = up;
                        if let Some(e) = self.index.get(parent) {
                            at = e.position();
                            break;
                        }
                    }
                }
                if self.points > 1 {
                    note.push_str(&self.point_label(point));
                }
                (at, note)
            }
        };
        let mut d = self.at(at, Some(key));
        d.message = format!("{}{note}", violation.message);
        ScenarioError::InvalidValue(d)
    }

    /// A deserialization error of one sweep point's document.
    pub fn deserialize(
        &self,
        error: &toml::de::Error,
        spliced: &Spliced,
        point: &Point<'_>,
    ) -> ScenarioError {
        let message = error.message().trim().to_string();
        let mut p = self.place(error, spliced, &message);
        let (kind, text): (Kind, String) = if message.starts_with("missing field") {
            self.missing_field(&mut p)
        } else if let Some(rest) = message.strip_prefix("unknown field") {
            self.unknown_field(&mut p, rest)
        } else if let Some(rest) = message.strip_prefix("unknown variant") {
            let allowed = backticked(rest);
            p.hint = did_you_mean(&p.name, allowed.get(1..).unwrap_or_default());
            (ScenarioError::UnknownValue, format!("unknown value{rest}"))
        } else if message.starts_with("invalid type")
            || message.starts_with("invalid value")
            || message.starts_with("wanted ")
        {
            self.wrong_value(&mut p, &message, point)
        } else {
            (ScenarioError::InvalidValue, plain_expected(&message))
        };
        let note = match p.sweep {
            Some(k) => self.sweep_note(k, point).1,
            None if self.points > 1 => self.point_label(point),
            None => String::new(),
        };
        let mut d = self.at(p.at, p.key);
        d.message = format!("{text}{note}");
        d.hint = p.hint;
        kind(d)
    }

    /// Where a deserialization error points before its message refines it.
    fn place<'s>(&'s self, error: &toml::de::Error, spliced: &Spliced, message: &str) -> Place<'s> {
        let (span, sweep) = match error.span() {
            Some(span) => {
                let (span, sweep) = spliced.to_original(&span);
                (Some(span), sweep)
            }
            None => (None, None),
        };
        // The key the span points at exactly (its key, or its value unless a
        // table); and the innermost table holding the span (serde only knows
        // the table inside internally tagged enums such as the graph, and for
        // missing keys).
        let scalar = span
            .as_ref()
            .and_then(|s| self.index.locate(s))
            .filter(|e| e.key_span == span || (!e.is_table() && e.value_span == span));
        let table = span.as_ref().and_then(|s| self.index.locate_table(s));
        let key = match sweep {
            Some(k) => Some(self.sweeps[k].path.clone()),
            None => scalar.or(table).map(|e| e.path.clone()),
        };
        Place {
            key,
            sweep,
            at: span.as_ref().map(|s| s.start),
            hint: None,
            scalar,
            table,
            table_path: table.map_or("", |e| e.path.as_str()),
            name: backticked(message)
                .first()
                .copied()
                .unwrap_or("")
                .to_string(),
        }
    }

    /// `missing field`: the key the table lacks, with an example for the common ones.
    fn missing_field<'s>(&'s self, p: &mut Place<'s>) -> (Kind, String) {
        let missing = match p.sweep {
            Some(k) => join(&self.sweeps[k].path, &p.name),
            None => {
                // A table holding only a sub-table spans what the sub-table spans: the key is
                // missing from the outermost of them, the one serde was reading.
                let same = |e: &&Entry| e.is_table() && p.table.is_some_and(|t| t.range == e.range);
                if let Some(t) = self
                    .index
                    .entries
                    .iter()
                    .filter(same)
                    .min_by_key(|e| e.depth)
                {
                    p.table = Some(t);
                    p.table_path = t.path.as_str();
                }
                p.at = p.table.and_then(Entry::position);
                join(p.table_path, &p.name)
            }
        };
        p.hint = match missing.as_str() {
            "graph" => Some(format!(
                "add a [graph] table, e.g. generator = \"random_regular\", nodes = 500, \
                     degree = 8; generators: {}",
                graph_generators()
            )),
            "graph.generator" => Some(format!("generators: {}", graph_generators())),
            "name" => Some("add e.g. name = \"baseline\"".to_string()),
            "seed" => Some("add e.g. seed = 1 (an integer)".to_string()),
            _ => None,
        };
        p.key = Some(missing);
        (
            ScenarioError::MissingKey,
            "required key is missing".to_string(),
        )
    }

    /// `unknown field`: the key where it is written, and the allowed key it is closest to.
    fn unknown_field(&self, p: &mut Place<'_>, rest: &str) -> (Kind, String) {
        if let Some(k) = p.sweep {
            p.key = Some(join(&self.sweeps[k].path, &p.name));
        } else if let Some(e) = p.scalar.filter(|e| e.path.ends_with(&p.name)) {
            p.at = e.position();
        } else {
            p.key = Some(join(p.table_path, &p.name));
            let child = self
                .index
                .children(p.table_path)
                .find(|(n, _)| *n == p.name);
            if let Some((_, c)) = child {
                p.at = c.position();
            }
        }
        let allowed = backticked(rest);
        p.hint = did_you_mean(&p.name, allowed.get(1..).unwrap_or_default());
        (ScenarioError::UnknownKey, format!("unknown key{rest}"))
    }

    /// `invalid type`/`invalid value`/`wanted`: the child key the message describes, if serde
    /// only knew the table.
    fn wrong_value(&self, p: &mut Place<'_>, message: &str, point: &Point<'_>) -> (Kind, String) {
        if p.scalar.is_none() && p.sweep.is_none() {
            if let Some((path, start, hit)) = self.described_child(p.table_path, message, point) {
                p.key = Some(path);
                p.at = Some(start);
                p.sweep = hit;
            }
        }
        if message.contains(": sequence, expected") {
            p.hint =
                Some("a list sweeps a key; give a single value or a non-empty list".to_string());
        }
        let kind: Kind = if !message.starts_with("invalid value") {
            ScenarioError::WrongType
        } else {
            ScenarioError::InvalidValue
        };
        (kind, plain_expected(message))
    }
}
