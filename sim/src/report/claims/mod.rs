//! Claims: every sentence of a report's headline and "What stands out" is rendered from one
//! typed [`Claim`] (its kind, points, metric, the statistics it states and the test behind
//! them), and the claims are written to `claims.json` next to `report.md`.
//!
//! [`check_claims`] re-derives the claims of a result folder from its own `runs.jsonl`,
//! `summary.csv` and `paired.csv`, checks each one against those files, and, when the folder has
//! a `claims.json`, checks every claim in it, that it is what the data derives and that
//! `report.md` states it; it lists every contradiction. A claim whose condition cannot be tested
//! (no interval, no pairs) is not made.

mod attack;
mod check;
mod check_attack;
mod check_data;
mod check_rules;
mod general;
mod lightning;
mod render;
mod render_attack;
mod render_best;
mod stat;
mod words;

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::input::read_text;
use super::model::Dataset;
use super::{ReportError, REPORT_FILE};
pub use attack::{headline, Headline, HEADLINES};
pub(crate) use attack::{headline_of, share_meaning};
pub use check::{check_claims, ClaimCheck};
pub(crate) use render::sentence;
pub use stat::{Quantity, Stat, Test};

/// The claims file written next to `report.md`.
pub const CLAIMS_FILE: &str = "claims.json";

/// Which way a metric is better (or, for an attack's headline metric, harmful).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher values.
    Up,
    /// Lower values.
    Down,
}

/// `metric ≥ at_least` in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// Metric key.
    pub metric: String,
    /// The least value that passes.
    pub at_least: f64,
}

/// Which points a [`Claim::Best`] compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    /// Only points where no adversary acts (attack share 0).
    pub unattacked: bool,
    /// Only points where every run passes this threshold.
    pub every_run: Option<Threshold>,
}

/// One attacker share of an attack claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The share as the sweep writes it.
    pub share: String,
    /// The sweep point.
    pub point: usize,
    /// The headline metric's paired change against share 0 (or, with a limit, its mean).
    pub stat: Stat,
}

/// How many runs of a point define a metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Defined {
    /// The sweep point.
    pub point: usize,
    /// Runs that define the metric.
    pub defined: usize,
    /// Runs of the point.
    pub runs: usize,
}

/// One statement about the runs of a result folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Claim {
    /// The mean of a metric at the only point of the sweep.
    Level {
        /// The mean.
        stat: Stat,
    },
    /// A metric takes the same value at every point in every replicate.
    Same {
        /// Metric key.
        metric: String,
        /// Only the points where no adversary acts.
        unattacked: bool,
        /// The points (all of the sweep's points that report it, or all unattacked ones).
        points: Vec<usize>,
        /// Its mean at the first of them.
        stat: Stat,
    },
    /// The point with the best mean of a metric among `among`, and how each other compares:
    /// `tied` (difference to it with a 95 % CI containing 0), `behind` (CI on the worse side),
    /// `untested` (no interval).
    Best {
        /// Metric key.
        metric: String,
        /// Which way is better.
        better: Direction,
        /// How `among` was chosen.
        scope: Scope,
        /// The points compared.
        among: Vec<usize>,
        /// The best point's mean.
        best: Stat,
        /// Differences (other − best) whose CI contains 0.
        tied: Vec<Stat>,
        /// Differences whose CI lies on the worse side of 0.
        behind: Vec<Stat>,
        /// Points with no interval for the difference.
        untested: Vec<usize>,
    },
    /// The points of `of` where every run passes `threshold`.
    EveryRun {
        /// The test each run must pass.
        threshold: Threshold,
        /// The points checked.
        of: Vec<usize>,
        /// The points where every run passes.
        points: Vec<usize>,
    },
    /// The lowest and the highest mean of a metric, and their difference (`high − low`).
    Spread {
        /// Metric key.
        metric: String,
        /// The lowest mean.
        low: Stat,
        /// The highest mean.
        high: Stat,
        /// `high − low`.
        diff: Stat,
    },
    /// Points where some runs leave a metric undefined.
    Undefined {
        /// Metric key.
        metric: String,
        /// Those points.
        points: Vec<Defined>,
    },
    /// An attack's headline metric along the attacker share, in one group of the other keys.
    Attack {
        /// Attack kind (`eclipse`, ...; `unknown` without a resolved sweep).
        attack: String,
        /// The headline metric.
        metric: String,
        /// Which way of it is harm.
        harmful: Direction,
        /// Without one: a step succeeds when its paired change against share 0 lies on the
        /// harmful side of 0; with one: when its mean's CI lies on the harmful side of it.
        limit: Option<f64>,
        /// The other swept keys' values.
        group: Vec<(String, String)>,
        /// The metric's mean at share 0.
        baseline: Option<Stat>,
        /// Every share above 0, in increasing order.
        steps: Vec<Step>,
        /// The metric's mean at the last step.
        top: Option<Stat>,
        /// Index in `steps` of the first success.
        first: Option<usize>,
        /// The attacker's cost metric at the first success (else at the last step).
        cost: Option<Stat>,
    },
    /// Fees earned per honest node minus per adversarial node, within runs, per attacked point.
    Earnings {
        /// Gaps whose CI lies above 0.
        more: Vec<Stat>,
        /// Gaps whose CI lies below 0.
        less: Vec<Stat>,
        /// Gaps whose CI contains 0, or without one.
        unclear: Vec<Stat>,
    },
    /// Changing one swept key from its first to its last value, at each value of the others.
    Effect {
        /// Metric key.
        metric: String,
        /// The swept key.
        key: String,
        /// Its first value.
        from: String,
        /// Its last value.
        to: String,
        /// Paired changes whose CI lies above 0.
        up: Vec<Stat>,
        /// Paired changes whose CI lies below 0.
        down: Vec<Stat>,
        /// Paired changes whose CI contains 0, or without one.
        unclear: Vec<Stat>,
    },
    /// A metric against a fixed limit at each point.
    Limit {
        /// Metric key.
        metric: String,
        /// The limit.
        limit: f64,
        /// Means whose CI lies above the limit.
        above: Vec<Stat>,
        /// Means whose CI lies below it.
        below: Vec<Stat>,
        /// Means whose CI contains it, or without one.
        unclear: Vec<Stat>,
        /// The highest mean.
        highest: Stat,
    },
    /// Points where a count is above 0 in some run, and points where it is 0 in every run.
    Occurs {
        /// Metric key.
        metric: String,
        /// Means at the points where some run has it above 0.
        some: Vec<Stat>,
        /// Points where every run has it 0.
        none: Vec<usize>,
    },
}

/// Where a claim is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// The report's headline.
    Headline,
    /// "What stands out".
    StandsOut,
}

/// One claim with where it is printed and its sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Where the report prints it.
    pub section: Section,
    /// The sentence, rendered from `claim`.
    pub text: String,
    /// The claim.
    pub claim: Claim,
}

/// The contents of `claims.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimsFile {
    /// The files the claims are derived from.
    pub derived_from: Vec<String>,
    /// Every claim, in report order.
    pub claims: Vec<Entry>,
}

/// Every claim the data supports, in report order, with its sentence.
pub(crate) fn derive(d: &Dataset) -> Vec<Entry> {
    let mut headline = Vec::new();
    let mut rest = Vec::new();
    let attack = attack::claims(d);
    let lightning = lightning::claims(d);
    let coverage = general::coverage(d);
    let lead = !attack.0.is_empty() || !lightning.0.is_empty();
    headline.extend(attack.0);
    headline.extend(lightning.0);
    if lead {
        rest.extend(coverage);
    } else {
        headline.extend(coverage);
    }
    rest.extend(lightning.1);
    rest.extend(general::reach_and_cost(d));
    rest.extend(general::t90(d));
    rest.extend(attack.1);
    let entry = |section, claim: Claim| Entry {
        section,
        text: sentence(d, &claim),
        claim,
    };
    headline
        .into_iter()
        .map(|c| entry(Section::Headline, c))
        .chain(rest.into_iter().map(|c| entry(Section::StandsOut, c)))
        .collect()
}

/// The metrics the report's claims lead with: an attack sweep's headline metric, Lightning's
/// payment success and fee overhead (those some run defines).
pub(crate) fn headline_metrics(d: &Dataset) -> Vec<&'static str> {
    let mut out = Vec::new();
    if d.is_attack_sweep() {
        out.push(headline_of(d).metric);
    }
    if lightning::is_lightning(d) {
        out.extend([lightning::SUCCESS, lightning::OVERHEAD]);
    }
    out.retain(|m| {
        d.runs
            .iter()
            .any(|r| r.metrics.get(*m).is_some_and(Option::is_some))
    });
    out
}

/// `claims.json` for `entries`: pretty JSON, fields in declaration order, ending in a newline.
pub(crate) fn to_json(entries: &[Entry]) -> String {
    let file = ClaimsFile {
        derived_from: ["runs.jsonl", "summary.csv", "paired.csv"]
            .map(String::from)
            .to_vec(),
        claims: entries.to_vec(),
    };
    let mut s = serde_json::to_string_pretty(&file).expect("invariant: claims hold finite numbers");
    s.push('\n');
    s
}

/// Reads `claims.json` of `dir`; `Ok(None)` when there is none.
pub(crate) fn read_claims(dir: &Path) -> Result<Option<(String, ClaimsFile)>, ReportError> {
    let path = dir.join(CLAIMS_FILE);
    let Some(text) = read_text(&path, false)? else {
        return Ok(None);
    };
    let file = serde_json::from_str(&text).map_err(|e| ReportError::Parse {
        path: path.clone(),
        line: e.line().max(1),
        message: format!("not a claims file: {e}"),
    })?;
    Ok(Some((text, file)))
}

/// `report.md` of `dir`, when there is one.
pub(crate) fn read_report(dir: &Path) -> Result<Option<String>, ReportError> {
    read_text(&dir.join(REPORT_FILE), false)
}
