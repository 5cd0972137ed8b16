//! Sweeps: finding the lists written where one value is expected, and
//! producing one document per combination by splicing one element in place
//! of each list, with a map back to the original text for error positions.

use std::ops::Range;

use super::locate::{Element, SourceIndex};

/// Keys whose value is naturally a list; they are swept by a list of lists.
pub(crate) const LIST_KEYS: &[&str] = &["workload.times_s"];

/// Keys that identify a run and cannot be swept.
pub(crate) const UNSWEEPABLE: &[&str] = &["name", "seed", "replicates"];

/// Most sweep points one file may expand to.
pub const MAX_SWEEP_POINTS: usize = 10_000;

/// A swept key: its list of values.
#[derive(Debug, Clone)]
pub(crate) struct Sweep {
    pub path: String,
    pub key_span: Option<Range<usize>>,
    /// The whole list as written.
    pub span: Range<usize>,
    pub elements: Vec<Element>,
}

/// A misuse of sweeps, located at a key.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub key: String,
    pub at: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
    /// A value of the wrong shape rather than a sweep misuse.
    pub wrong_type: bool,
}

/// The swept keys of a file, in order of appearance.
pub(crate) fn find_sweeps(index: &SourceIndex) -> Result<Vec<Sweep>, Problem> {
    if let Some(entry) = index.entries.iter().find(|e| e.array_of_tables) {
        return Err(Problem {
            key: entry.path.clone(),
            at: entry.position(),
            message: format!(
                "`[[{0}]]` makes a list of tables, which no key accepts; write `[{0}]`",
                entry.path
            ),
            hint: Some("to sweep a value, write it as a list: key = [a, b]".to_string()),
            wrong_type: true,
        });
    }
    let mut sweeps = Vec::new();
    for array in &index.arrays {
        let at = array
            .key_span
            .as_ref()
            .map_or(array.span.start, |s| s.start);
        let is_sweep = if LIST_KEYS.contains(&array.path.as_str()) {
            let nested = array.elements.iter().filter(|e| e.is_array).count();
            if nested > 0 && nested < array.elements.len() {
                return Err(Problem {
                    key: array.path.clone(),
                    at: Some(at),
                    message: "mixes lists and single values; a list of numbers is one value, \
                              a list of lists sweeps it"
                        .to_string(),
                    hint: Some(format!(
                        "write either {key} = [1.0, 2.0] or {key} = [[1.0, 2.0], [5.0]]",
                        key = array.path.rsplit('.').next().unwrap_or_default()
                    )),
                    wrong_type: false,
                });
            }
            nested > 0
        } else {
            // An empty list sweeps nothing: left to serde, which reports the type.
            !array.elements.is_empty()
        };
        if !is_sweep {
            continue;
        }
        if UNSWEEPABLE.contains(&array.path.as_str()) {
            return Err(Problem {
                key: array.path.clone(),
                at: Some(at),
                message: "cannot be swept; give a single value".to_string(),
                hint: Some(
                    "`name`, `seed` and `replicates` identify a run; use `replicates` for \
                     repeated runs with derived seeds"
                        .to_string(),
                ),
                wrong_type: false,
            });
        }
        sweeps.push(Sweep {
            path: array.path.clone(),
            key_span: array.key_span.clone(),
            span: array.span.clone(),
            elements: array.elements.clone(),
        });
    }
    sweeps.sort_by_key(|s| s.span.start);
    Ok(sweeps)
}

/// Number of sweep points, or a problem when it exceeds [`MAX_SWEEP_POINTS`].
pub(crate) fn point_count(sweeps: &[Sweep]) -> Result<usize, Problem> {
    let mut total: usize = 1;
    for sweep in sweeps {
        total = total
            .checked_mul(sweep.elements.len())
            .filter(|&n| n <= MAX_SWEEP_POINTS)
            .ok_or_else(|| {
                let sizes: Vec<String> = sweeps
                    .iter()
                    .map(|s| format!("{} ({})", s.path, s.elements.len()))
                    .collect();
                let product = sweeps
                    .iter()
                    .try_fold(1usize, |acc, s| acc.checked_mul(s.elements.len()));
                Problem {
                    key: sweep.path.clone(),
                    at: sweep.key_span.as_ref().map(|s| s.start),
                    message: format!(
                        "the sweep expands to {} points, more than the limit of {}",
                        product.map_or_else(|| "too many".to_string(), |p| p.to_string()),
                        MAX_SWEEP_POINTS
                    ),
                    hint: Some(format!("swept keys: {}", sizes.join(" x "))),
                    wrong_type: false,
                }
            })?;
    }
    Ok(total)
}

/// Which element of each sweep point number `point` takes; the first swept
/// key varies slowest.
pub(crate) fn choice(sweeps: &[Sweep], point: usize) -> Vec<usize> {
    let mut rest = point;
    let mut picks = vec![0; sweeps.len()];
    for (slot, sweep) in picks.iter_mut().zip(sweeps).rev() {
        let n = sweep.elements.len().max(1);
        *slot = rest % n;
        rest /= n;
    }
    picks
}

/// A copied stretch of the original text inside a spliced document.
#[derive(Debug, Clone)]
struct Segment {
    start: usize,
    len: usize,
    original_start: usize,
    sweep: Option<usize>,
}

/// One sweep point's document.
#[derive(Debug, Clone)]
pub(crate) struct Spliced {
    pub text: String,
    segments: Vec<Segment>,
    original_len: usize,
}

impl Spliced {
    /// The document where each swept list is replaced by its chosen element.
    pub fn new(text: &str, sweeps: &[Sweep], picks: &[usize]) -> Self {
        let mut out = String::with_capacity(text.len());
        let mut segments = Vec::with_capacity(2 * sweeps.len() + 1);
        let mut copy = |range: Range<usize>, sweep: Option<usize>, out: &mut String| {
            let piece = text.get(range.clone()).unwrap_or_default();
            segments.push(Segment {
                start: out.len(),
                len: piece.len(),
                original_start: range.start,
                sweep,
            });
            out.push_str(piece);
        };
        let mut cursor = 0;
        for (k, (sweep, &pick)) in sweeps.iter().zip(picks).enumerate() {
            if sweep.span.start < cursor {
                continue;
            }
            copy(cursor..sweep.span.start, None, &mut out);
            if let Some(element) = sweep.elements.get(pick) {
                copy(element.span.clone(), Some(k), &mut out);
            }
            cursor = sweep.span.end;
        }
        copy(cursor..text.len(), None, &mut out);
        Spliced {
            text: out,
            segments,
            original_len: text.len(),
        }
    }

    fn position(&self, pos: usize) -> (usize, Option<usize>) {
        self.segments
            .iter()
            .find(|s| s.start <= pos && pos < s.start + s.len)
            .map_or((self.original_len, None), |s| {
                (s.original_start + (pos - s.start), s.sweep)
            })
    }

    /// Maps a span of this document back to the original text; also says
    /// which sweep's element it lies in, if any.
    pub fn to_original(&self, span: &Range<usize>) -> (Range<usize>, Option<usize>) {
        let (start, sweep) = self.position(span.start);
        let end = if span.end > span.start {
            self.position(span.end - 1).0 + 1
        } else {
            start
        };
        (start..end.max(start), sweep)
    }
}
