//! Validation figures: three checks' scenarios rerun over a range of their parameter, the
//! simulation's measurement (with its 99.9 % interval) drawn over the closed-form curve:
//! push gossip's final share against the fanout k on the complete graph, P(every node reached)
//! against c for fanout ln n + c, and the giant component of bond percolation against p on a
//! random regular graph; and the built-in Lightning check's share paid against the amount.
//! Each point runs the check's own measurement on a copy of its scenario
//! with only that parameter changed, so the figures rest on the same code as the table.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{
    all_reached_check, all_reached_limit, common_assumptions, graph_degree, kind_assumptions,
    logarithmic_fanout, num, percolation_check, percolation_regular, push_check, push_final_size,
    simulate, CheckKind, Comparison, ValidationError,
};
use crate::report::plot::{
    draw_line, draw_markers, draw_whiskers, render, series_style, Axis, Dash, Figure, LegendEntry,
    Marker, Sample, SeriesStyle,
};
use crate::scenario::{self, Scenario};

/// One simulated point: parameter value, the measurement and its 99.9 % interval.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// The parameter's value (the x position).
    pub x: f64,
    /// Which measured series (index into [`SweepFigure::series`]).
    pub series: usize,
    /// The check's theoretical value at `x`.
    pub theory: f64,
    /// The measured value.
    pub measured: f64,
    /// Its 99.9 % confidence interval, as the check computes it.
    pub ci: (f64, f64),
    /// Topics behind the measurement.
    pub n: u64,
}

/// One figure: a check's measurement over a parameter range against its theory curve.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepFigure {
    /// The check whose scenario was rerun.
    pub kind: CheckKind,
    /// SVG file name, `<stem>.svg`.
    pub file: String,
    /// Figure title.
    pub title: String,
    /// x axis label.
    pub x_desc: String,
    /// y axis label.
    pub y_desc: String,
    /// Names of the measured series.
    pub series: Vec<String>,
    /// The simulated points.
    pub points: Vec<SweepPoint>,
    /// The closed form, sampled densely over the x range.
    pub theory: Vec<(f64, f64)>,
    /// What the theory curve is.
    pub theory_name: String,
    /// What the figure shows, for the report.
    pub caption: String,
}

fn load(dir: &Path, kind: CheckKind) -> Result<(PathBuf, Scenario), ValidationError> {
    let file = dir.join(format!("{}.toml", kind.stem()));
    let parsed = scenario::load(&file)?;
    let s = parsed
        .points
        .first()
        .map(|p| p.scenario.clone())
        .ok_or_else(|| ValidationError::Assumption {
            file: file.clone(),
            key: "(any)",
            what: "a validation scenario has one point".to_string(),
        })?;
    Ok((file, s))
}

/// A check's measurement: comparisons and notes from the replicates of a scenario.
type Check = fn(&Scenario, &[super::Replicate]) -> (Vec<Comparison>, Vec<String>);

/// Runs `s` (checked against the theory's assumptions) and returns the check's comparisons.
fn measure(
    kind: CheckKind,
    s: &Scenario,
    file: &Path,
    check: Check,
) -> Result<Vec<Comparison>, ValidationError> {
    let need = |(key, what): (&'static str, String)| ValidationError::Assumption {
        file: file.to_path_buf(),
        key,
        what,
    };
    common_assumptions(s).map_err(need)?;
    kind_assumptions(kind, s).map_err(need)?;
    Ok(check(s, &simulate(s, file)?).0)
}

/// The point of comparison `c` at `x`. The interval is widened to hold the measurement where
/// rounding left it a hair outside (a Wilson bound of 1 − 2^-53 at a share of 1), and an
/// undefined bound (fewer than two samples) collapses onto the measurement.
fn point(x: f64, series: usize, c: &Comparison) -> SweepPoint {
    let m = c.measured;
    let bound = |b: f64| if b.is_finite() { b } else { m };
    SweepPoint {
        x,
        series,
        theory: c.theory,
        measured: m,
        ci: (bound(c.ci.0).min(m), bound(c.ci.1).max(m)),
        n: c.n,
    }
}

/// `f` at `steps + 1` evenly spaced points of `[lo, hi]`.
fn curve(lo: f64, hi: f64, steps: usize, f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
    (0..=steps)
        .map(|i| {
            let x = lo + (hi - lo) * i as f64 / steps as f64;
            (x, f(x))
        })
        .collect()
}

/// Push with fixed fanout k on K_n, k = 2, 3, 4, 6: mean share reached by major outbreaks.
fn push_sweep(dir: &Path) -> Result<SweepFigure, ValidationError> {
    let kind = CheckKind::PushFinalSize;
    let (file, base) = load(dir, kind)?;
    let mut points = Vec::new();
    for k in [2u32, 3, 4, 6] {
        let mut s = base.clone();
        s.policy.fanout_k = k;
        let c = measure(kind, &s, &file, push_check)?;
        points.push(point(f64::from(k), 0, &c[0]));
    }
    Ok(SweepFigure {
        kind,
        file: format!("{}.svg", kind.stem()),
        title: "Push gossip on the complete graph: final share vs fanout".into(),
        x_desc: "fanout k (peers pushed to per node)".into(),
        y_desc: "share of nodes reached".into(),
        series: vec!["simulated: mean share reached".into()],
        points,
        theory: curve(1.0, 6.5, 110, push_final_size),
        theory_name: "theory: π = 1 − e^(−kπ)".into(),
        caption: format!(
            "`{}` rerun with policy.fanout_k = 2, 3, 4 and 6 (everything else as in the file): \
             the mean share of nodes a major outbreak reached, with its 99.9 % interval (mean ± \
             t·s/√m; minor outbreaks left out as in the check), against the root π of \
             π = 1 − e^(−kπ) drawn for real k.",
            kind.stem()
        ),
    })
}

/// Fanout ceil(ln n + c) on K_n for four whole fanouts around ln n: P(every node reached)
/// against the effective c = k − ln n.
fn all_reached_sweep(dir: &Path) -> Result<SweepFigure, ValidationError> {
    let kind = CheckKind::AllReached;
    let (file, base) = load(dir, kind)?;
    let n = crate::scenario::graph_node_count(&base.graph).unwrap_or(0);
    let ln_n = libm::log(f64::from(n.max(2)));
    let first = logarithmic_fanout(n, 0.0).saturating_sub(2).max(1);
    let mut points = Vec::new();
    for k in first..first + 4 {
        let mut s = base.clone();
        // ln n + c = k − 1/2, so the rule's ceiling is k.
        s.policy.fanout_c = f64::from(k) - ln_n - 0.5;
        let c = measure(kind, &s, &file, all_reached_check)?;
        points.push(point(f64::from(k) - ln_n, 0, &c[0]));
    }
    let lo = points.first().map_or(-2.0, |p| p.x) - 0.5;
    let hi = points.last().map_or(2.0, |p| p.x) + 0.5;
    Ok(SweepFigure {
        kind,
        file: format!("{}.svg", kind.stem()),
        title: "Fanout ln n + c on the complete graph: everyone reached".into(),
        x_desc: "c = k − ln n (effective constant of fanout k)".into(),
        y_desc: "P(every node reached)".into(),
        series: vec!["simulated: share of topics reaching all".into()],
        points,
        theory: curve(lo, hi, 100, all_reached_limit),
        theory_name: "theory: e^(−e^(−c)) (n → ∞)".into(),
        caption: format!(
            "`{}` (n = {n}) rerun with policy.fanout_c chosen so that the fanout ceil(ln n + c) \
             is {first} to {}; x is the effective c = k − ln n. Markers: the share of topics \
             that reached every node, with its 99.9 % Wilson interval; line: the limit \
             e^(−e^(−c)) of Kermarrec, Massoulié and Ganesh; at this n the exact finite-n \
             probability, which the check compares with, lies off the limit (see the table \
             above).",
            kind.stem(),
            first + 3
        ),
    })
}

/// Probabilistic fanout p on a random d-regular graph, p from 0.4 to 1: P(major outbreak)
/// and the mean share a major outbreak reaches, both S(p) in theory.
fn percolation_sweep(dir: &Path) -> Result<SweepFigure, ValidationError> {
    let kind = CheckKind::Percolation;
    let (file, base) = load(dir, kind)?;
    let d = graph_degree(&base);
    let mut points = Vec::new();
    for p in [0.4, 0.5, 0.6, 0.8, 1.0] {
        let mut s = base.clone();
        s.policy.fanout_p = p;
        let c = measure(kind, &s, &file, percolation_check)?;
        points.push(point(p, 0, &c[0]));
        points.push(point(p, 1, &c[1]));
    }
    let critical = 1.0 / f64::from(d.max(2) - 1);
    Ok(SweepFigure {
        kind,
        file: format!("{}.svg", kind.stem()),
        title: format!("Probabilistic fanout on a random {d}-regular graph: giant component"),
        x_desc: "forwarding probability p".into(),
        y_desc: "share".into(),
        series: vec![
            "simulated: P(major outbreak)".into(),
            "simulated: mean share reached (major)".into(),
        ],
        points,
        theory: curve(critical, 1.0, 100, |p| percolation_regular(d, p).1),
        theory_name: "theory: S = 1 − u^d (bond percolation)".into(),
        caption: format!(
            "`{}` rerun with policy.fanout_p = 0.4, 0.5, 0.6, 0.8 and 1: the share of topics \
             that became major outbreaks (99.9 % Wilson interval) and the mean share of nodes a \
             major outbreak reached (mean ± t·s/√m), both S(p) in theory, from the percolation \
             threshold p = 1/(d − 1) = {critical:.3} on. A topic is a major outbreak when it \
             reaches more than S/2 of the nodes.",
            kind.stem()
        ),
    })
}

/// Runs the three parameter sweeps on the scenarios in `dir`, then draws the built-in
/// Lightning check's curve.
pub fn run_sweeps(dir: &Path) -> Result<Vec<SweepFigure>, ValidationError> {
    Ok(vec![
        push_sweep(dir)?,
        all_reached_sweep(dir)?,
        percolation_sweep(dir)?,
        super::lightning_figure(),
    ])
}

fn theory_style() -> SeriesStyle {
    SeriesStyle {
        color: plotters::style::BLACK,
        marker: Marker::Circle,
        dash: Dash::Solid,
    }
}

/// The SVG of `fig`: the theory curve, and each measured point with its interval.
pub fn draw(fig: &SweepFigure) -> Result<String, String> {
    let xs: Vec<f64> = fig.theory.iter().map(|t| t.0).collect();
    let (x0, x1) = (
        xs.first().copied().unwrap_or(0.0),
        xs.last().copied().unwrap_or(1.0),
    );
    let mut legend = vec![LegendEntry {
        label: fig.theory_name.clone(),
        style: theory_style(),
        sample: Sample::Line,
    }];
    legend.extend(fig.series.iter().enumerate().map(|(i, name)| LegendEntry {
        label: name.clone(),
        style: series_style(i),
        sample: Sample::Marker,
    }));
    let figure = Figure {
        title: fig.title.clone(),
        x: Axis::numeric(&fig.x_desc, x0, x1),
        y: Axis::numeric(&fig.y_desc, 0.0, 1.0),
        legend_title: "99.9 % intervals".into(),
        legend,
    };
    render(&figure, |chart| {
        draw_line(chart, &fig.theory, &theory_style())?;
        for p in fig.points.iter().filter(|p| p.measured.is_finite()) {
            let st = series_style(p.series);
            // Two series at one x sit side by side.
            let x =
                p.x + (p.series as f64 - (fig.series.len() - 1) as f64 / 2.0) * (x1 - x0) / 80.0;
            draw_whiskers(chart, &[(x, p.ci.0.max(0.0), p.ci.1.min(1.0))], &st.color)?;
            draw_markers(chart, &[(x, p.measured)], &st, 6)?;
        }
        Ok(())
    })
}

/// Writes each figure as `dir/<file>`; returns the paths.
pub fn write_figures(dir: &Path, figs: &[SweepFigure]) -> Result<Vec<PathBuf>, ValidationError> {
    let mut out = Vec::new();
    for f in figs {
        let path = dir.join(&f.file);
        let svg = draw(f).map_err(|e| ValidationError::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        std::fs::write(&path, svg).map_err(|source| ValidationError::Io {
            path: path.clone(),
            source,
        })?;
        out.push(path);
    }
    Ok(out)
}

/// The report section showing the figures, with each point's numbers.
pub fn figures_markdown(figs: &[SweepFigure]) -> String {
    if figs.is_empty() {
        return String::new();
    }
    let mut md = String::from("\n## Simulation against theory over a parameter range\n");
    for f in figs {
        let _ = write!(
            md,
            "\n### {}\n\n![{}]({})\n\n{}\n\n",
            f.title, f.title, f.file, f.caption
        );
        let _ = writeln!(
            md,
            "| {} | series | theory | measured | n | 99.9 % CI |\n|---:|---|---:|---:|---:|---|",
            f.x_desc
        );
        for p in &f.points {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | [{}, {}] |",
                num(p.x),
                f.series[p.series],
                num(p.theory),
                num(p.measured),
                p.n,
                num(p.ci.0),
                num(p.ci.1)
            );
        }
    }
    md
}
