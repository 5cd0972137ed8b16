//! Cost against result: what each sweep point costs per honest node (frames, bytes or proof of
//! work) against its final coverage and its time to 90 % coverage, one marker per point with
//! its 95 % intervals on both axes, and the Pareto front (the points no other point beats on
//! both cost and result) drawn through them.

use super::super::model::{Dataset, Estimate};
use super::axis::spans_decades;
use super::common::{
    data_range, draw_hwhiskers, draw_line, draw_markers, draw_whiskers, Axis, Chart, Dash,
    LegendEntry, PResult, PlotOutcome, Sample, SeriesStyle, GREY,
};
use super::grid::{render_grid, Grid, Panel};
use super::layout::Layout;
use super::points::layout_phrase;
use super::style::Marker;

/// One frontier figure: file, cost metric, title, cost axis.
pub(crate) struct Spec {
    pub file: &'static str,
    pub cost: &'static str,
    pub title: &'static str,
    pub axis: &'static str,
}

/// The frontier figures, in report order.
pub(crate) const FRONTIERS: [Spec; 3] = [
    Spec {
        file: "frontier.svg",
        cost: "frames_per_node",
        title: "Cost and result: frames per node",
        axis: "frames sent per honest node (frames)",
    },
    Spec {
        file: "frontier_bytes.svg",
        cost: "bytes_per_node",
        title: "Cost and result: bytes per node",
        axis: "bytes sent per honest node (bytes)",
    },
    Spec {
        file: "frontier_pow.svg",
        cost: "pow_hashes_per_node",
        title: "Cost and result: proof of work per node",
        axis: "PoW hashes per honest node (hashes)",
    },
];

/// The results plotted against cost: metric, axis, whether higher is better.
const RESULTS: [(&str, &str, bool); 2] = [
    ("coverage_final", "final coverage (share)", true),
    ("t90_s", "time to 90 % coverage (s)", false),
];

/// The Pareto-optimal items of `(cost, result)`, in increasing cost: no other item costs at most
/// as much with a result at least as good, better in one of the two. Lower cost is better;
/// a higher result when `higher_is_better`, else a lower one. Of equal items the first counts.
pub(crate) fn pareto(items: &[(f64, f64)], higher_is_better: bool) -> Vec<usize> {
    let better = |a: f64, b: f64| if higher_is_better { a > b } else { a < b };
    let dominated = |i: usize| {
        let (c, r) = items[i];
        items.iter().enumerate().any(|(j, &(cj, rj))| {
            let as_good = cj <= c && (rj == r || better(rj, r));
            let strictly = cj < c || better(rj, r);
            j != i && as_good && (strictly || j < i)
        })
    };
    let mut front: Vec<usize> = (0..items.len()).filter(|&i| !dominated(i)).collect();
    front.sort_by(|&a, &b| items[a].0.total_cmp(&items[b].0));
    front
}

/// The boundary of what the `front` (in increasing cost) dominates: up from the `worst` result
/// at the cheapest point, then across to each next point's cost and up (or down) to its
/// result, and across from the last point to `x_end`.
pub(crate) fn staircase(front: &[(f64, f64)], worst: f64, x_end: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut prev: Option<(f64, f64)> = None;
    for &(c, r) in front {
        out.push((c, prev.map_or(worst, |p| p.1)));
        out.push((c, r));
        prev = Some((c, r));
    }
    if let Some((c, r)) = prev {
        out.push((x_end.max(c), r));
    }
    out
}

/// (point, cost, result) of the points in `points` that define both.
type Row = (usize, Estimate, Estimate);

fn rows(d: &Dataset, points: &[usize], cost: &str, result: &str) -> Vec<Row> {
    points
        .iter()
        .filter_map(|&p| Some((p, d.estimate(p, cost)?, d.estimate(p, result)?)))
        .collect()
}

fn front_style() -> SeriesStyle {
    SeriesStyle {
        color: GREY,
        marker: Marker::Circle,
        dash: Dash::Dashed,
    }
}

fn draw_panel(
    chart: &mut Chart<'_, '_>,
    layout: &Layout,
    rows: &[Row],
    higher_is_better: bool,
    (x, y): (&Axis, &Axis),
) -> PResult {
    let items: Vec<(f64, f64)> = rows.iter().map(|r| (r.1.mean, r.2.mean)).collect();
    let front: Vec<(f64, f64)> = pareto(&items, higher_is_better)
        .into_iter()
        .map(|i| items[i])
        .collect();
    let worst = if higher_is_better { y.lo } else { y.hi };
    draw_line(chart, &staircase(&front, worst, x.hi), &front_style())?;
    for (p, cost, result) in rows {
        let st = layout.style(*p);
        if let Some((lo, hi)) = result.ci {
            draw_whiskers(chart, &[(cost.mean, lo, hi)], &st.color)?;
        }
        if let Some((lo, hi)) = cost.ci {
            let (lo, hi) = (lo.max(x.lo), hi.min(x.hi));
            draw_hwhiskers(chart, &[(result.mean, lo, hi)], &st.color)?;
        }
        draw_markers(chart, &[(cost.mean, result.mean)], &st, 6)?;
    }
    Ok(())
}

/// One frontier figure: rows = the layout's panels, columns = coverage and t90.
pub(crate) fn frontier(d: &Dataset, spec: &Spec) -> Result<PlotOutcome, String> {
    let layout = Layout::of(d);
    let cells: Vec<(String, usize, Vec<Row>)> = layout
        .panels
        .iter()
        .flat_map(|s| {
            RESULTS
                .iter()
                .enumerate()
                .map(|(k, r)| (s.title.clone(), k, rows(d, &s.points, spec.cost, r.0)))
        })
        .collect();
    if cells.iter().all(|c| c.2.is_empty()) {
        return Ok(PlotOutcome::skipped(
            spec.file,
            spec.title,
            &format!(
                "no point has both `{}` and `coverage_final` or `t90_s`.",
                spec.cost
            ),
        ));
    }
    let all = cells.iter().flat_map(|c| c.2.iter());
    let means: Vec<f64> = all.clone().map(|r| r.1.mean).collect();
    let costs: Vec<f64> = all.clone().flat_map(|r| r.1.values()).collect();
    let x = Axis::padded(spec.axis, &costs, spans_decades(&means), true);
    let y_axes: Vec<Axis> = RESULTS
        .iter()
        .enumerate()
        .map(|(k, (_, desc, _))| {
            let vals = cells.iter().filter(|c| c.1 == k).flat_map(|c| c.2.iter());
            if k == 0 {
                let (lo, hi) = data_range(vals.flat_map(|r| r.2.values()), false);
                Axis::from_zero_or_cut(desc, lo, hi)
            } else {
                let (lo, hi) = data_range(vals.flat_map(|r| r.2.values()), true);
                Axis::numeric(desc, lo, hi)
            }
        })
        .collect();
    let panels: Vec<Panel> = cells
        .iter()
        .map(|(title, k, _)| Panel {
            title: title.clone(),
            x: x.clone(),
            y: y_axes[*k].clone(),
        })
        .collect();
    let mut grid = Grid::new(spec.title, panels, 2);
    let shown: Vec<usize> = cells.iter().flat_map(|c| c.2.iter().map(|r| r.0)).collect();
    grid.legend = layout.legend(d, &shown, Sample::Marker);
    grid.legend.push(LegendEntry {
        label: "Pareto front".to_string(),
        style: front_style(),
        sample: Sample::Line,
    });
    grid.legend_title = layout.legend_title(d);
    let svg = render_grid(&grid, |i, chart| {
        let axes = (&x, &y_axes[cells[i].1]);
        draw_panel(chart, &layout, &cells[i].2, RESULTS[cells[i].1].2, axes)
    })?;
    Ok(PlotOutcome::drawn(
        spec.file,
        spec.title,
        format!(
            "Mean `{}` of each sweep point against its mean final coverage (left) and its mean \
             time to 90 % coverage (right); whiskers: 95 % CIs of both means. The dashed \
             staircase bounds what the Pareto front dominates; the front is the points no \
             other point beats on cost and result at once (lower cost; higher coverage, lower \
             t90), compared by their means; each is a corner of the staircase ({}).",
            spec.cost,
            layout_phrase(d, &layout, Some("marker"))
        ),
        svg,
    ))
}

#[cfg(test)]
mod tests {
    use super::pareto;

    #[test]
    fn the_front_keeps_only_undominated_points() {
        // (cost, coverage): c is dominated by b (cheaper, better), d ties b (first kept).
        let items = [
            (40.0, 0.999),
            (13.0, 0.992),
            (20.0, 0.990),
            (13.0, 0.992),
            (5.0, 0.9),
        ];
        assert_eq!(pareto(&items, true), vec![4, 1, 0]);
        // (cost, t90): lower is better.
        let t90 = [(40.0, 0.6), (13.0, 1.0), (5.0, 2.0), (30.0, 1.2)];
        assert_eq!(pareto(&t90, false), vec![2, 1, 0]);
        assert!(pareto(&[], true).is_empty());
    }

    #[test]
    fn the_staircase_turns_at_every_front_point() {
        let front = [(5.0, 0.9), (13.0, 0.992)];
        assert_eq!(
            super::staircase(&front, 0.8, 50.0),
            vec![
                (5.0, 0.8),
                (5.0, 0.9),
                (13.0, 0.9),
                (13.0, 0.992),
                (50.0, 0.992)
            ]
        );
        assert_eq!(
            super::staircase(&[(2.0, 1.0)], 3.0, 9.0).len(),
            3,
            "one point: still drawn"
        );
    }
}
