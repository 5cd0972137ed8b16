//! One metric per sweep point (`t90.svg`): the mean with its 95 % interval at the point's
//! value of the swept key on x, in small multiples for sweeps of several keys.

use super::super::format::short_key;
use super::super::model::{Dataset, Estimate};
use super::common::{
    data_range, draw_line, draw_markers, draw_whiskers, Axis, Chart, Dash, PResult, PlotOutcome,
    Sample, SeriesStyle, GREY,
};
use super::grid::{render_grid, Grid};
use super::layout::Layout;
use super::style::{Marker, MAX_SERIES};

/// How the layout arranges the points, in words for captions: on x (`series` = None) or as
/// one `series` (e.g. "curve") per x value, and the panels.
pub(crate) fn layout_phrase(d: &Dataset, layout: &Layout, series: Option<&str>) -> String {
    let x = match (series, &layout.x_key, layout.numeric, layout.log) {
        (Some(s), Some(k), _, _) => format!("one {s} per value of `{k}`"),
        (Some(s), None, _, _) => format!("one {s} per sweep point"),
        (None, Some(k), true, true) => format!("x: `{k}` on a log scale"),
        (None, Some(k), true, false) => format!("x: `{k}`"),
        (None, Some(k), false, _) => format!("x: the values of `{k}`"),
        (None, None, _, _) => "x: the sweep points".to_string(),
    };
    let others: Vec<String> = d
        .swept
        .iter()
        .filter(|k| layout.x_key.as_deref() != Some(k.as_str()))
        .map(|k| format!("`{}`", short_key(k, &d.swept)))
        .collect();
    if layout.panels.len() > 1 && layout.x_key.is_some() && !others.is_empty() {
        format!("{x}; one panel per value of {}", others.join(", "))
    } else if layout.panels.len() > 1 {
        format!("{x}; at most {MAX_SERIES} points per panel")
    } else {
        x
    }
}

fn guide() -> SeriesStyle {
    SeriesStyle {
        color: GREY,
        marker: Marker::Circle,
        dash: Dash::Solid,
    }
}

/// Means with whiskers, joined by a thin grey line where x is numeric.
fn draw_points(chart: &mut Chart<'_, '_>, layout: &Layout, pts: &[(usize, Estimate)]) -> PResult {
    let xy: Vec<(f64, f64)> = pts.iter().map(|(p, e)| (layout.x(*p), e.mean)).collect();
    if layout.numeric {
        draw_line(chart, &xy, &guide())?;
    }
    for (p, e) in pts {
        let st = layout.style(*p);
        let x = layout.x(*p);
        if let Some((lo, hi)) = e.ci {
            draw_whiskers(chart, &[(x, lo, hi)], &st.color)?;
        }
        draw_markers(chart, &[(x, e.mean)], &st, 6)?;
    }
    Ok(())
}

/// `t90.svg`.
pub(crate) fn t90(d: &Dataset) -> Result<PlotOutcome, String> {
    let file = "t90.svg";
    let title = "Time to 90 % coverage per sweep point";
    let metric = "t90_s";
    let layout = Layout::of(d);
    let per_panel = layout.per_panel(|p| d.estimate(p, metric));
    let shown: Vec<usize> = per_panel.iter().flatten().map(|p| p.0).collect();
    if shown.is_empty() {
        return Ok(PlotOutcome::skipped(
            file,
            title,
            "no point reaches 90 % coverage (or `t90_s` is absent).",
        ));
    }
    let (y0, y1) = data_range(per_panel.iter().flatten().flat_map(|p| p.1.values()), true);
    let x = layout.x_axis(d, 0.8);
    let panels = layout.panels(&x, &Axis::numeric("time to 90 % coverage (s)", y0, y1));
    let mut grid = Grid::new(title, panels, 3);
    grid.legend = layout.legend(d, &shown, Sample::Marker);
    grid.legend_title = layout.legend_title(d);
    let svg = render_grid(&grid, |i, chart| draw_points(chart, &layout, &per_panel[i]))?;
    let missing = d.points.len() - shown.len();
    let mut caption = format!(
        "Mean time to 90 % coverage per sweep point ({}); whiskers: 95 % CI of the mean.",
        layout_phrase(d, &layout, None)
    );
    if missing > 0 {
        caption.push_str(&format!(
            " {missing} point(s) never reach 90 % and are not shown."
        ));
    }
    Ok(PlotOutcome::drawn(file, title, caption, svg))
}
