//! The claims checker: every statistic a claim states is recomputed here from the folder's own
//! files (independently of the code that derived it), and every condition the claim's sentence
//! asserts is tested against the data.

use std::collections::BTreeMap;
use std::path::Path;

use super::super::csv::read_csv;
use super::super::model::Dataset;
use super::super::ReportError;
use super::check_data::{close_opt, runs, t_summary};
use super::stat::{Quantity, Stat, Test};
use super::{derive, read_claims, read_report, sentence, to_json, Claim, CLAIMS_FILE};
use crate::definitions::bounds;
use crate::stats::{difference, Interval, Method};

/// The outcome of [`check_claims`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClaimCheck {
    /// Claims checked (derived afresh, plus those of `claims.json`).
    pub claims: usize,
    /// Every contradiction found, one sentence each; empty when all claims hold.
    pub contradictions: Vec<String>,
}

impl ClaimCheck {
    /// Whether no contradiction was found.
    pub fn is_ok(&self) -> bool {
        self.contradictions.is_empty()
    }
}

/// One row of `paired.csv`: n, mean, CI bounds.
type PairedRow = (usize, Option<f64>, Option<f64>, Option<f64>);

/// What the checks read: the folder's data and its `paired.csv` rows by
/// (point, baseline, metric).
pub(super) struct Ctx<'a> {
    pub d: &'a Dataset,
    pub paired: BTreeMap<(usize, usize, String), PairedRow>,
}

/// Checks the claims of result folder `dir` (see the module doc of `report::claims`): derives
/// them afresh from `runs.jsonl`, `summary.csv` and `paired.csv` and checks each; when the
/// folder has a `claims.json`, checks each claim in it, that it equals the fresh derivation and
/// that `report.md` states its sentence. Errors only when the files cannot be read.
pub fn check_claims(dir: &Path) -> Result<ClaimCheck, ReportError> {
    let d = Dataset::load(dir)?;
    let ctx = Ctx {
        d: &d,
        paired: read_paired(dir)?,
    };
    let fresh = derive(&d);
    let mut out = ClaimCheck::default();
    for (i, e) in fresh.iter().enumerate() {
        out.claims += 1;
        for c in check(&ctx, &e.claim) {
            out.contradictions
                .push(format!("derived claim {}: {c} [{}]", i + 1, e.text));
        }
    }
    if let Some((text, file)) = read_claims(dir)? {
        let report = read_report(dir)?.unwrap_or_default();
        for (i, e) in file.claims.iter().enumerate() {
            out.claims += 1;
            let at = format!("{CLAIMS_FILE} claim {}", i + 1);
            for c in check(&ctx, &e.claim) {
                out.contradictions.push(format!("{at}: {c}"));
            }
            if e.text != sentence(&d, &e.claim) {
                out.contradictions.push(format!(
                    "{at}: its text is not the sentence of its claim: {:?} vs {:?}",
                    e.text,
                    sentence(&d, &e.claim)
                ));
            }
            if !report.contains(&e.text) {
                out.contradictions
                    .push(format!("{at}: report.md does not state it: {}", e.text));
            }
        }
        if text != to_json(&fresh) {
            out.contradictions.push(format!(
                "{CLAIMS_FILE} is not what the data derives (stale): regenerate with `sgsim report {}`",
                dir.display()
            ));
        }
    }
    Ok(out)
}

/// `paired.csv` rows; empty when the folder has none.
fn read_paired(dir: &Path) -> Result<BTreeMap<(usize, usize, String), PairedRow>, ReportError> {
    let path = dir.join("paired.csv");
    let mut out = BTreeMap::new();
    if !path.is_file() {
        return Ok(out);
    }
    let t = read_csv(&path)?;
    let col = |name: &str| {
        t.column(name).ok_or_else(|| ReportError::Parse {
            path: path.clone(),
            line: 1,
            message: format!("header has no `{name}` column"),
        })
    };
    let cols = [
        "point",
        "baseline",
        "metric",
        "n",
        "mean_diff",
        "ci95_low",
        "ci95_high",
    ]
    .map(col);
    let [p, b, m, n, mean, lo, hi] = cols;
    let (p, b, m, n, mean, lo, hi) = (p?, b?, m?, n?, mean?, lo?, hi?);
    for (line, f) in &t.rows {
        let int = |i: usize| {
            f[i].trim()
                .parse::<usize>()
                .map_err(|_| ReportError::Parse {
                    path: path.clone(),
                    line: *line,
                    message: format!("expected an integer, found {:?}", f[i]),
                })
        };
        let num = |i: usize| f[i].trim().parse::<f64>().ok().filter(|x| x.is_finite());
        out.insert(
            (int(p)?, int(b)?, f[m].trim().to_owned()),
            (int(n)?, num(mean), num(lo), num(hi)),
        );
    }
    Ok(out)
}

/// Every contradiction between `c` and the data.
pub(super) fn check(ctx: &Ctx<'_>, c: &Claim) -> Vec<String> {
    let mut out = Vec::new();
    for s in super::general::stats_of(c) {
        out.extend(stat(ctx, s));
    }
    out.extend(conditions(ctx.d, c));
    out
}

fn compare(
    what: &str,
    s: &Stat,
    n: usize,
    mean: Option<f64>,
    ci: Option<(f64, f64)>,
) -> Vec<String> {
    let mut out = Vec::new();
    if s.n != n {
        out.push(format!("{what}: states n={}, the data give n={n}", s.n));
    }
    if !close_opt(Some(s.mean), mean) {
        out.push(format!(
            "{what}: states mean {}, the data give {mean:?}",
            s.mean
        ));
    }
    if !close_opt(s.low, ci.map(|c| c.0)) || !close_opt(s.high, ci.map(|c| c.1)) {
        out.push(format!(
            "{what}: states the interval {:?}, the data give {ci:?}",
            s.ci()
        ));
    }
    out
}

/// Recomputes one statistic from the data.
fn stat(ctx: &Ctx<'_>, s: &Stat) -> Vec<String> {
    let d = ctx.d;
    match &s.of {
        Quantity::Mean { point, metric } => {
            let what = format!("mean of `{metric}` at #{point}");
            let Some(row) = d.row(*point, metric) else {
                return vec![format!("{what}: summary.csv has no such row")];
            };
            let ci = row.ci95_low.zip(row.ci95_high);
            let mut out = compare(&format!("{what} (summary.csv)"), s, row.n, row.mean, ci);
            let v: Vec<f64> = runs(d, *point, metric).iter().map(|r| r.2).collect();
            let (mean, _) = t_summary(&v);
            if v.len() != s.n || !close_opt(Some(s.mean), mean) {
                out.push(format!(
                    "{what}: runs.jsonl has n={} and mean {mean:?}, the claim n={} and {}",
                    v.len(),
                    s.n,
                    s.mean
                ));
            }
            out
        }
        Quantity::Diff {
            point,
            baseline,
            metric,
            test,
        } => diff(ctx, s, *point, *baseline, metric, *test),
        Quantity::Gap {
            point,
            metric,
            minus,
        } => {
            let v: Vec<f64> = d
                .runs
                .iter()
                .filter(|r| r.point == *point)
                .filter_map(|r| {
                    Some(r.metrics.get(metric).copied()?? - r.metrics.get(minus).copied()??)
                })
                .collect();
            let (mean, ci) = t_summary(&v);
            let what = format!("`{metric}` − `{minus}` within the runs of #{point}");
            compare(&what, s, v.len(), mean, ci)
        }
    }
}

fn diff(
    ctx: &Ctx<'_>,
    s: &Stat,
    point: usize,
    baseline: usize,
    metric: &str,
    test: Test,
) -> Vec<String> {
    let d = ctx.d;
    let what = format!("`{metric}` at #{point} − #{baseline}");
    let (a, b) = (runs(d, point, metric), runs(d, baseline, metric));
    match test {
        Test::PairedT | Test::PairedExact | Test::WithinRunT => {
            let mut out = Vec::new();
            let mut v = Vec::new();
            for ra in d.runs.iter().filter(|r| r.point == point) {
                if let Some(rb) = d.run(baseline, ra.replicate) {
                    if ra.seed.is_none() || ra.seed != rb.seed {
                        out.push(format!(
                            "{what}: replicate {} of the two points ran with different or \
                             unrecorded seeds, so they are not pairs",
                            ra.replicate
                        ));
                    }
                }
            }
            let (mut pa, mut pb) = (Vec::new(), Vec::new());
            for (rep, _, x) in &a {
                if let Some((_, _, y)) = b.iter().find(|r| r.0 == *rep) {
                    v.push(x - y);
                    pa.push(Some(*x));
                    pb.push(Some(*y));
                }
            }
            let (mean, _) = t_summary(&v);
            let ci = difference::paired(&pa, &pb, bounds(metric));
            out.extend(same_test(&what, test, ci, Test::PairedExact, Test::PairedT));
            let ci = ci.map(|i| (i.low, i.high));
            out.extend(compare(&what, s, v.len(), mean, ci));
            if let Some(&(n, m, lo, hi)) = ctx.paired.get(&(point, baseline, metric.to_owned())) {
                out.extend(compare(
                    &format!("{what} (paired.csv)"),
                    s,
                    n,
                    m,
                    lo.zip(hi),
                ));
            }
            out
        }
        Test::WelchT | Test::WelchExact => {
            let (x, y): (Vec<f64>, Vec<f64>) = (
                a.iter().map(|r| r.2).collect(),
                b.iter().map(|r| r.2).collect(),
            );
            let Some((mean, ci)) = difference::welch(&x, &y, bounds(metric)) else {
                return vec![format!("{what}: no runs define it")];
            };
            let mut out: Vec<String> = same_test(&what, test, ci, Test::WelchExact, Test::WelchT)
                .into_iter()
                .collect();
            let ci = ci.map(|i| (i.low, i.high));
            out.extend(compare(&what, s, x.len(), Some(mean), ci));
            if s.n_baseline != Some(y.len()) {
                out.push(format!(
                    "{what}: states n={:?} baseline runs, the data give {}",
                    s.n_baseline,
                    y.len()
                ));
            }
            out
        }
    }
}

/// A contradiction when the claim names `exact` but the data give a t interval, or the reverse.
fn same_test(
    what: &str,
    stated: Test,
    derived: Option<Interval>,
    exact: Test,
    t: Test,
) -> Option<String> {
    let want = match derived {
        Some(i) if i.method == Method::ExactArms => exact,
        _ => t,
    };
    (stated != want && stated != Test::WithinRunT).then(|| {
        format!(
            "{what}: states the {}, the data call for the {}",
            stated.phrase(),
            want.phrase()
        )
    })
}

/// Every condition of `c` the data contradict.
fn conditions(d: &Dataset, c: &Claim) -> Vec<String> {
    use super::check_attack as a;
    use super::check_rules as r;
    match c {
        Claim::Level { stat } => {
            let mut out = r::is_mean(stat, stat.point(), stat.metric());
            if d.points.len() != 1 {
                out.push(format!(
                    "states a single point's mean, the sweep has {} points",
                    d.points.len()
                ));
            }
            out
        }
        Claim::Same {
            metric,
            unattacked,
            points,
            stat,
        } => r::same(d, metric, *unattacked, points, stat),
        Claim::Best { .. } => r::best(d, c),
        Claim::EveryRun {
            threshold,
            of,
            points,
        } => r::every_run(d, threshold, of, points),
        Claim::Spread {
            metric,
            low,
            high,
            diff,
        } => r::spread(d, metric, low, high, diff),
        Claim::Undefined { metric, points } => r::undefined(d, metric, points),
        Claim::Attack { .. } => a::attack(d, c),
        Claim::Earnings {
            more,
            less,
            unclear,
        } => a::earnings(d, more, less, unclear),
        Claim::Effect { .. } => a::effect(d, c),
        Claim::Limit { .. } => a::limit(d, c),
        Claim::Occurs { metric, some, none } => r::occurs(d, metric, some, none),
    }
}
