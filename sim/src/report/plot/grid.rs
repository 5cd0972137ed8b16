//! The frame of every figure: a title, a grid of panels (small multiples, each with its own
//! axes and optional heading) and one legend panel on the right.

use plotters::prelude::*;

use super::common::{
    draw_legend, legend_width, split_opacity, Area, Chart, Figure, LegendEntry, PResult, FONT,
    HEIGHT, WIDTH,
};
use super::Axis;

/// One panel: heading (empty for none) and axes.
#[derive(Debug, Clone)]
pub(crate) struct Panel {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
}

/// A figure of `panels` laid out in rows of `cols`, `height` pixels tall (800 wide).
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    pub title: String,
    pub cols: usize,
    pub panels: Vec<Panel>,
    pub legend_title: String,
    pub legend: Vec<LegendEntry>,
    pub height: u32,
}

impl Grid {
    /// The one-panel figure `fig`.
    pub(crate) fn single(fig: &Figure) -> Self {
        Grid {
            title: fig.title.clone(),
            cols: 1,
            panels: vec![Panel {
                title: String::new(),
                x: fig.x.clone(),
                y: fig.y.clone(),
            }],
            legend_title: fig.legend_title.clone(),
            legend: fig.legend.clone(),
            height: HEIGHT,
        }
    }

    /// Panels in rows of `cols` (at most 3 columns); 500 pixels tall for one row, about 290
    /// more per further row.
    pub(crate) fn new(title: &str, panels: Vec<Panel>, cols: usize) -> Self {
        let cols = cols.clamp(1, 3).min(panels.len().max(1));
        let rows = panels.len().div_ceil(cols).max(1) as u32;
        Grid {
            title: title.to_string(),
            cols,
            panels,
            legend_title: String::new(),
            legend: Vec::new(),
            height: HEIGHT + 290 * (rows - 1),
        }
    }

    fn rows(&self) -> usize {
        self.panels.len().div_ceil(self.cols).max(1)
    }
}

/// Draws a one-panel figure into an SVG string. `body` draws the data into the chart.
pub(crate) fn render<F>(fig: &Figure, body: F) -> Result<String, String>
where
    F: for<'a, 'b> FnOnce(&mut Chart<'a, 'b>) -> PResult,
{
    let grid = Grid::single(fig);
    let mut body = Some(body);
    render_grid(&grid, |_, chart| match body.take() {
        Some(f) => f(chart),
        None => Ok(()),
    })
}

/// Draws `grid` into an SVG string; `body(i, chart)` draws the data of panel `i`.
pub(crate) fn render_grid<F>(grid: &Grid, mut body: F) -> Result<String, String>
where
    F: for<'a, 'b> FnMut(usize, &mut Chart<'a, 'b>) -> PResult,
{
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, grid.height)).into_drawing_area();
        draw_grid(&root, grid, &mut body).map_err(|e| e.to_string())?;
    }
    Ok(split_opacity(&buf))
}

fn draw_grid<F>(root: &Area<'_>, grid: &Grid, body: &mut F) -> PResult
where
    F: for<'a, 'b> FnMut(usize, &mut Chart<'a, 'b>) -> PResult,
{
    root.fill(&WHITE)?;
    let below_title = root.titled(&grid.title, (FONT, 24))?;
    let legend_w = if grid.legend.is_empty() {
        0
    } else {
        legend_width(&grid.legend_title, &grid.legend)
    };
    let (plot_area, legend_area) = below_title.split_horizontally(WIDTH as i32 - legend_w);
    let cells = plot_area.split_evenly((grid.rows(), grid.cols));
    let small = grid.panels.len() > 1;
    for (i, (panel, cell)) in grid.panels.iter().zip(&cells).enumerate() {
        draw_panel(root, cell, panel, small, &mut |chart| body(i, chart))?;
    }
    draw_legend(&legend_area, &grid.legend_title, &grid.legend)?;
    root.present()
}

fn draw_panel(
    root: &Area<'_>,
    cell: &Area<'_>,
    panel: &Panel,
    small: bool,
    body: &mut dyn for<'a, 'b> FnMut(&mut Chart<'a, 'b>) -> PResult,
) -> PResult {
    let area = if panel.title.is_empty() {
        cell.clone()
    } else {
        cell.titled(&panel.title, (FONT, 15))?
    };
    let y_chars = panel
        .y
        .ticks
        .iter()
        .map(|t| panel.y.tick_label(*t).len())
        .max()
        .unwrap_or(1) as i32;
    let (desc, label, y_area) = if small {
        (13, 12, (y_chars * 7 + 32).max(46))
    } else {
        (17, 14, (y_chars * 8 + 40).max(56))
    };
    let mut chart = ChartBuilder::on(&area)
        .margin(if small { 8 } else { 14 })
        .x_label_area_size(if small { 40 } else { 52 })
        .y_label_area_size(y_area)
        .build_cartesian_2d(panel.x.ranged(), panel.y.ranged())?;
    let fx = |v: &f64| panel.x.tick_label(*v);
    let fy = |v: &f64| panel.y.tick_label(*v);
    chart
        .configure_mesh()
        .x_desc(panel.x.desc.as_str())
        .y_desc(panel.y.desc.as_str())
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .axis_desc_style((FONT, desc))
        .label_style((FONT, label))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .draw()?;
    body(&mut chart)?;
    if panel.y.cut {
        let at = chart.backend_coord(&(panel.x.lo, panel.y.lo));
        draw_cut(root, at)?;
    }
    Ok(())
}

/// The break mark of a cut y axis: a gap in the axis line just above the corner `at` (in
/// pixels), between two short slanted strokes.
fn draw_cut(root: &Area<'_>, at: (i32, i32)) -> PResult {
    let (x, y) = at;
    root.draw(&Rectangle::new(
        [(x - 2, y - 16), (x + 2, y - 9)],
        WHITE.filled(),
    ))?;
    for dy in [-9, -16] {
        root.draw(&PathElement::new(
            vec![(x - 7, y + dy + 3), (x + 7, y + dy - 3)],
            BLACK.stroke_width(2),
        ))?;
    }
    Ok(())
}
