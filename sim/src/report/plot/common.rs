//! The figure frame shared by all plots (title, chart, legend panel on the
//! right) and drawing helpers for lines, markers, whiskers and bands.
//!
//! Text: plotters is built without `ttf`/`ab_glyph`, so its font layer is the
//! "naive" one, which estimates a text box arithmetically from the font size and
//! the byte length of the string and never fails; the SVG backend writes text as
//! `<text>` elements and never rasterises glyphs. Tick positions come from
//! [`TickedRange`], computed here, so no `log`/`powf` result of the host's libm
//! decides where ticks go.

use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::super::model::Dataset;
pub(crate) use super::axis::{data_range, Axis, TickedRange};
use super::style::{closed, dash_lengths, marker_points};
pub(crate) use super::style::{series_style, Dash, SeriesStyle, GREY};

pub(crate) const WIDTH: u32 = 800;
pub(crate) const HEIGHT: u32 = 500;
pub(crate) const FONT: &str = "sans-serif";

pub(crate) type PResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;
pub(crate) type Area<'b> = DrawingArea<SVGBackend<'b>, Shift>;
pub(crate) type Coords = Cartesian2d<TickedRange, TickedRange>;

pub(crate) type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Coords>;

/// What a legend entry shows next to its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sample {
    Marker,
    LineMarker,
    /// A line without a marker (theory curves, guides, the timeline's counts).
    Line,
    Bar,
    Band,
}

#[derive(Debug, Clone)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub style: SeriesStyle,
    pub sample: Sample,
}

/// A figure: title, axes, legend (drawn in a panel right of the chart).
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub legend_title: String,
    pub legend: Vec<LegendEntry>,
}

const MAX_LABEL_CHARS: usize = 40;

fn legend_label(label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    if chars.len() <= MAX_LABEL_CHARS {
        return label.to_string();
    }
    // Keep both ends: points often differ only in the last parameter.
    let head = (MAX_LABEL_CHARS - 3) / 2;
    let tail = MAX_LABEL_CHARS - 3 - head;
    let start: String = chars[..head].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{start}...{end}")
}

pub(crate) fn legend_width(title: &str, legend: &[LegendEntry]) -> i32 {
    let longest = legend
        .iter()
        .map(|e| legend_label(&e.label).chars().count())
        .chain(std::iter::once(title.chars().count()))
        .max()
        .unwrap_or(0) as i32;
    (longest * 7 + 64).clamp(150, 340)
}

/// Rewrites plotters' `opacity="v"` attributes as `fill-opacity="v" stroke-opacity="v"` (and
/// drops `opacity="1"`). Group opacity is what some renderers (ImageMagick's own) draw as an
/// opaque shape, turning confidence bands black; per-paint opacity renders the same everywhere.
/// Text content cannot match: plotters escapes `"` in it.
pub(crate) fn split_opacity(svg: &str) -> String {
    const ATTR: &str = " opacity=\"";
    let mut out = String::with_capacity(svg.len() + svg.len() / 8);
    let mut rest = svg;
    while let Some(at) = rest.find(ATTR) {
        out.push_str(&rest[..at]);
        let tail = &rest[at + ATTR.len()..];
        let Some(end) = tail.find('"') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let v = &tail[..end];
        if v != "1" {
            out.push_str(&format!(" fill-opacity=\"{v}\" stroke-opacity=\"{v}\""));
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The legend panel: a framed box with the title and one row per entry.
pub(crate) fn draw_legend(area: &Area<'_>, title: &str, legend: &[LegendEntry]) -> PResult {
    if legend.is_empty() {
        return Ok(());
    }
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let rows = legend.len() as i32 + 1;
    let top = 16;
    let row = ((h - top - 16) / rows).clamp(4, 22);
    let font = ((row * 7) / 10 + 5).clamp(5, 15);
    let text = |size: i32| {
        TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Left, VPos::Center))
    };
    area.draw(&Rectangle::new(
        [(4, top - 6), (w - 6, top + row * rows + 4)],
        BLACK.mix(0.35).stroke_width(1),
    ))?;
    area.draw(&Text::new(
        title.to_string(),
        (12, top + row / 2),
        text(font).color(&BLACK),
    ))?;
    for (i, e) in legend.iter().enumerate() {
        let y = top + row * (i as i32 + 1) + row / 2;
        let marker_on_bar = legend.len() > 1;
        draw_sample(area, e, (12, 42), y, (row / 3).clamp(2, 6), marker_on_bar)?;
        area.draw(&Text::new(legend_label(&e.label), (50, y), text(font)))?;
    }
    Ok(())
}

fn draw_sample(
    area: &Area<'_>,
    e: &LegendEntry,
    x: (i32, i32),
    y: i32,
    r: i32,
    marker_on_bar: bool,
) -> PResult {
    let st = &e.style;
    let cx = (x.0 + x.1) / 2;
    match e.sample {
        Sample::Band => {
            area.draw(&Rectangle::new(
                [(x.0, y - r - 1), (x.1, y + r + 1)],
                st.color.mix(0.25).filled(),
            ))?;
        }
        Sample::Bar => {
            area.draw(&Rectangle::new(
                [(x.0 + 4, y - r - 1), (x.1 - 4, y + r + 1)],
                st.color.filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(x.0 + 4, y - r - 1), (x.1 - 4, y + r + 1)],
                BLACK.stroke_width(1),
            ))?;
        }
        Sample::LineMarker | Sample::Line => draw_path_px(area, &[(x.0, y), (x.1, y)], st)?,
        Sample::Marker => {}
    }
    let marker = match e.sample {
        Sample::Marker | Sample::LineMarker => true,
        Sample::Bar => marker_on_bar,
        Sample::Band | Sample::Line => false,
    };
    if marker {
        let pts = marker_points(st.marker, r + 1, cx, y);
        area.draw(&Polygon::new(pts.clone(), st.color.filled()))?;
        area.draw(&PathElement::new(closed(&pts), BLACK.stroke_width(1)))?;
    }
    Ok(())
}

fn draw_path_px(area: &Area<'_>, pts: &[(i32, i32)], st: &SeriesStyle) -> PResult {
    let style = st.color.stroke_width(2);
    match dash_lengths(st.dash) {
        None => area.draw(&PathElement::new(pts.to_vec(), style)),
        Some((on, off)) => area.draw(&DashedPathElement::new(pts.to_vec(), on, off, style)),
    }
}

/// A data line in the series' colour and dash.
pub(crate) fn draw_line(
    chart: &mut Chart<'_, '_>,
    pts: &[(f64, f64)],
    st: &SeriesStyle,
) -> PResult {
    if pts.len() < 2 {
        return Ok(());
    }
    let style = st.color.stroke_width(2);
    match dash_lengths(st.dash) {
        None => {
            chart.draw_series(LineSeries::new(pts.to_vec(), style))?;
        }
        Some((on, off)) => {
            chart.draw_series(DashedLineSeries::new(pts.to_vec(), on, off, style))?;
        }
    }
    Ok(())
}

/// Markers of the series' shape at data points (filled, black outline).
pub(crate) fn draw_markers(
    chart: &mut Chart<'_, '_>,
    pts: &[(f64, f64)],
    st: &SeriesStyle,
    r: i32,
) -> PResult {
    let shape = marker_points(st.marker, r, 0, 0);
    let outline = closed(&shape);
    let fill = st.color.filled();
    chart.draw_series(
        pts.iter()
            .map(|&p| EmptyElement::at(p) + Polygon::new(shape.clone(), fill)),
    )?;
    chart.draw_series(pts.iter().map(|&p| {
        EmptyElement::at(p) + PathElement::new(outline.clone(), BLACK.stroke_width(1))
    }))?;
    Ok(())
}

/// Vertical whiskers `(x, low, high)` with short caps.
pub(crate) fn draw_whiskers(
    chart: &mut Chart<'_, '_>,
    whiskers: &[(f64, f64, f64)],
    color: &RGBColor,
) -> PResult {
    whiskers_along(chart, whiskers, color, true)
}

/// Horizontal whiskers `(y, low, high)` with short caps (an interval on the x axis).
pub(crate) fn draw_hwhiskers(
    chart: &mut Chart<'_, '_>,
    whiskers: &[(f64, f64, f64)],
    color: &RGBColor,
) -> PResult {
    whiskers_along(chart, whiskers, color, false)
}

/// Whiskers `(at, low, high)` along the y axis (`vertical`) or the x axis, with short caps.
fn whiskers_along(
    chart: &mut Chart<'_, '_>,
    whiskers: &[(f64, f64, f64)],
    color: &RGBColor,
    vertical: bool,
) -> PResult {
    let style = color.stroke_width(1);
    let point = |at: f64, v: f64| if vertical { (at, v) } else { (v, at) };
    let cap = if vertical {
        vec![(-5, 0), (5, 0)]
    } else {
        vec![(0, -5), (0, 5)]
    };
    chart.draw_series(
        whiskers
            .iter()
            .map(|&(at, lo, hi)| PathElement::new(vec![point(at, lo), point(at, hi)], style)),
    )?;
    for &(at, lo, hi) in whiskers {
        chart.draw_series(
            [lo, hi]
                .iter()
                .map(|&v| EmptyElement::at(point(at, v)) + PathElement::new(cap.clone(), style)),
        )?;
    }
    Ok(())
}

/// A shaded band between `lower` and `upper` (same x values).
pub(crate) fn draw_band(
    chart: &mut Chart<'_, '_>,
    upper: &[(f64, f64)],
    lower: &[(f64, f64)],
    color: &RGBColor,
) -> PResult {
    if upper.len() < 2 {
        return Ok(());
    }
    let mut poly = upper.to_vec();
    poly.extend(lower.iter().rev());
    chart.draw_series(std::iter::once(Polygon::new(
        poly,
        color.mix(0.18).filled(),
    )))?;
    Ok(())
}

/// What the report says about a plot (drawn or skipped).
#[derive(Debug, Clone)]
pub(crate) struct PlotMeta {
    pub file: &'static str,
    pub title: String,
    /// For a drawn plot: what it shows. For a skipped one: why it was skipped.
    pub caption: String,
}

/// A plot: `svg` is `None` when its data is absent.
#[derive(Debug, Clone)]
pub(crate) struct PlotOutcome {
    pub file: &'static str,
    pub svg: Option<String>,
    pub meta: PlotMeta,
}

impl PlotOutcome {
    pub(crate) fn drawn(file: &'static str, title: &str, caption: String, svg: String) -> Self {
        PlotOutcome {
            file,
            svg: Some(svg),
            meta: PlotMeta {
                file,
                title: title.to_string(),
                caption,
            },
        }
    }

    pub(crate) fn skipped(file: &'static str, title: &str, reason: &str) -> Self {
        PlotOutcome {
            file,
            svg: None,
            meta: PlotMeta {
                file,
                title: title.to_string(),
                caption: reason.to_string(),
            },
        }
    }
}

/// Style of a point: by its position among the points, so it is the same in
/// every plot.
pub(crate) fn point_style(d: &Dataset, point: usize) -> SeriesStyle {
    series_style(d.points.iter().position(|p| p.index == point).unwrap_or(0))
}
