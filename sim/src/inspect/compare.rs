//! A replay's measurements against a recorded run's, value by value.

use super::Recorded;
use crate::metrics::RunMetrics;
use serde_json::Value;
use std::collections::BTreeSet;

/// A recorded scalar: a number, or `null` (undefined); `Err` for anything else.
fn scalar(v: Option<&Value>) -> Result<Option<f64>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(other) => Err(other.to_string()),
    }
}

/// How a value prints in a difference: the number, or `undefined`.
fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".to_owned(), |x| x.to_string())
}

/// The replay's metrics and distributions that differ from `expected`'s, each with both
/// values, joined by "; " (empty when all are equal). Scalars compare bit for bit (NaN is
/// undefined, as `runs.jsonl` writes it); the first 5 differences are named, then a count.
pub fn differences(replayed: &RunMetrics, expected: &Recorded) -> String {
    let mut out: Vec<String> = Vec::new();
    let names: BTreeSet<&String> = replayed
        .metrics
        .keys()
        .chain(expected.metrics.keys())
        .collect();
    for name in names {
        let mine = replayed.metrics.get(name).copied().flatten();
        let mine = mine.filter(|v| !v.is_nan());
        match scalar(expected.metrics.get(name)) {
            Ok(theirs) if theirs.map(f64::to_bits) == mine.map(f64::to_bits) => {}
            Ok(theirs) => out.push(format!(
                "metric `{name}` recorded {}, replayed {}",
                show(theirs),
                show(mine)
            )),
            Err(text) => out.push(format!("metric `{name}` recorded {text}, not a number")),
        }
    }
    let dists: BTreeSet<&String> = replayed
        .distributions
        .keys()
        .chain(expected.distributions.keys())
        .collect();
    for name in dists {
        let mine = replayed
            .distributions
            .get(name)
            .cloned()
            .unwrap_or_default();
        let theirs: Option<Vec<f64>> = match expected.distributions.get(name) {
            None => Some(Vec::new()),
            Some(Value::Array(a)) => a.iter().map(Value::as_f64).collect(),
            Some(_) => None,
        };
        let same = theirs.as_ref().is_some_and(|t| {
            t.len() == mine.len() && t.iter().zip(&mine).all(|(a, b)| a.to_bits() == b.to_bits())
        });
        if !same {
            out.push(format!(
                "distribution `{name}` recorded {} value(s), replayed {} that differ",
                theirs.map_or_else(|| "malformed".to_owned(), |t| t.len().to_string()),
                mine.len()
            ));
        }
    }
    let more = out.len().saturating_sub(5);
    out.truncate(5);
    if more > 0 {
        out.push(format!("and {more} more"));
    }
    out.join("; ")
}
