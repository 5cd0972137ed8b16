//! Shared plotting pieces: palette, markers, dashes, axes and the figure frame
//! (title, chart, legend panel on the right).
//!
//! Text: plotters is built without `ttf`/`ab_glyph`, so its font layer is the
//! "naive" one, which estimates a text box arithmetically from the font size and
//! the byte length of the string and never fails; the SVG backend writes text as
//! `<text>` elements and never rasterises glyphs. Tick positions come from
//! [`TickedRange`], computed here, so no `log`/`powf` result of the host's libm
//! decides where ticks go.

use std::ops::Range;

use plotters::coord::ranged1d::{
    DefaultFormatting, KeyPointHint, Ranged, ReversibleRanged,
};
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{fmt_fixed, nice_ticks};

pub(crate) const WIDTH: u32 = 800;
pub(crate) const HEIGHT: u32 = 500;
pub(crate) const FONT: &str = "sans-serif";

/// Okabe–Ito, ordered so that yellow (low contrast on white) comes last.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0xF0, 0xE4, 0x42),
];
pub(crate) const GREY: RGBColor = RGBColor(0x80, 0x80, 0x80);

pub(crate) type PResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;
pub(crate) type Area<'b> = DrawingArea<SVGBackend<'b>, Shift>;
pub(crate) type Coords = Cartesian2d<TickedRange, TickedRange>;

/// A linear f64 axis whose (bold) key points are given ticks; no light mesh.
/// The mapping is the one of plotters' `RangedCoordf64`.
#[derive(Debug, Clone)]
pub(crate) struct TickedRange {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for TickedRange {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.1 - limit.0) / 2;
        }
        let logic = (value - self.lo) / (self.hi - self.lo);
        let actual = limit.1 - limit.0;
        if actual == 0 || !logic.is_finite() {
            return if logic.is_sign_negative() {
                limit.0
            } else {
                limit.1
            };
        }
        if actual > 0 {
            limit.0 + (f64::from(actual) * logic + 1e-3).floor() as i32
        } else {
            limit.0 + (f64::from(actual) * logic - 1e-3).ceil() as i32
        }
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ReversibleRanged for TickedRange {
    fn unmap(&self, p: i32, (min, max): (i32, i32)) -> Option<f64> {
        if p < min.min(max) || p > max.max(min) || min == max {
            return None;
        }
        let offset = f64::from(p - min) / f64::from(max - min);
        Some((self.hi - self.lo) * offset + self.lo)
    }
}
pub(crate) type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Coords>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    Plus,
    Cross,
}

const MARKERS: [Marker; 7] = [
    Marker::Circle,
    Marker::Square,
    Marker::TriangleUp,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Plus,
    Marker::Cross,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dash {
    Solid,
    Dashed,
    Dotted,
    LongDash,
}

const DASHES: [Dash; 4] = [Dash::Solid, Dash::Dashed, Dash::Dotted, Dash::LongDash];

/// Colour, marker and dash of one series. Colours cycle by 8 and markers by 7,
/// so the first 56 series all differ; dashes cycle by 4.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeriesStyle {
    pub color: RGBColor,
    pub marker: Marker,
    pub dash: Dash,
}

pub(crate) fn series_style(i: usize) -> SeriesStyle {
    SeriesStyle {
        color: PALETTE[i % PALETTE.len()],
        marker: MARKERS[i % MARKERS.len()],
        dash: DASHES[i % DASHES.len()],
    }
}

/// Polygon vertices of a marker of radius `r` centred on `(cx, cy)`.
pub(crate) fn marker_points(m: Marker, r: i32, cx: i32, cy: i32) -> Vec<(i32, i32)> {
    let w = (r / 3).max(1);
    let s = |x: i32, y: i32| (cx + x * r / 10, cy + y * r / 10);
    let pts: Vec<(i32, i32)> = match m {
        Marker::Circle => vec![
            s(10, 0),
            s(7, 7),
            s(0, 10),
            s(-7, 7),
            s(-10, 0),
            s(-7, -7),
            s(0, -10),
            s(7, -7),
        ],
        Marker::Square => vec![s(-8, -8), s(8, -8), s(8, 8), s(-8, 8)],
        Marker::TriangleUp => vec![s(0, -11), s(10, 7), s(-10, 7)],
        Marker::TriangleDown => vec![s(0, 11), s(10, -7), s(-10, -7)],
        Marker::Diamond => vec![s(0, -11), s(10, 0), s(0, 11), s(-10, 0)],
        Marker::Plus => {
            return [
                (-w, -r),
                (w, -r),
                (w, -w),
                (r, -w),
                (r, w),
                (w, w),
                (w, r),
                (-w, r),
                (-w, w),
                (-r, w),
                (-r, -w),
                (-w, -w),
            ]
            .iter()
            .map(|&(x, y)| (cx + x, cy + y))
            .collect()
        }
        Marker::Cross => {
            // The plus shape turned by 45 degrees (cos 45 ≈ 7/10).
            let plus = marker_points(Marker::Plus, r, 0, 0);
            return plus
                .iter()
                .map(|&(x, y)| (cx + (x - y) * 7 / 10, cy + (x + y) * 7 / 10))
                .collect();
        }
    };
    pts
}

/// One axis: description (with unit), range, tick values and tick decimals.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    pub desc: String,
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub decimals: usize,
}

impl Axis {
    /// A numeric axis over `[lo, hi]` with "nice" ticks.
    pub(crate) fn numeric(desc: &str, lo: f64, hi: f64) -> Self {
        let (lo, hi) = sane_range(lo, hi);
        let (ticks, decimals) = nice_ticks(lo, hi, 6);
        Axis {
            desc: desc.to_string(),
            lo,
            hi,
            ticks,
            decimals,
        }
    }

    fn ranged(&self) -> TickedRange {
        TickedRange {
            lo: self.lo,
            hi: self.hi,
            ticks: self.ticks.clone(),
        }
    }

    /// Categories 0..n at integer positions.
    pub(crate) fn categories(desc: &str, n: usize) -> Self {
        let n = n.max(1);
        let every = n.div_ceil(16);
        Axis {
            desc: desc.to_string(),
            lo: -0.5,
            hi: n as f64 - 0.5,
            ticks: (0..n).step_by(every).map(|i| i as f64).collect(),
            decimals: 0,
        }
    }
}

/// A non-empty, finite range (a degenerate one is widened around its value).
pub(crate) fn sane_range(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (lo.min(hi), lo.max(hi)),
        (true, false) => (lo, lo),
        (false, true) => (hi, hi),
        (false, false) => (0.0, 1.0),
    };
    if hi > lo {
        return (lo, hi);
    }
    let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
    (lo - pad, hi + pad)
}

/// Range of the finite values padded by 5 % of the span on each side;
/// with `zero` the range also includes 0.
pub(crate) fn data_range(values: impl IntoIterator<Item = f64>, zero: bool) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let (lo, hi) = sane_range(lo, hi);
    let pad = (hi - lo) * 0.05;
    let lo2 = if zero && lo == 0.0 { 0.0 } else { lo - pad };
    let hi2 = if zero && hi == 0.0 { 0.0 } else { hi + pad };
    (lo2, hi2)
}

/// What a legend entry shows next to its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sample {
    Marker,
    LineMarker,
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
    if label.chars().count() <= MAX_LABEL_CHARS {
        label.to_string()
    } else {
        let cut: String = label.chars().take(MAX_LABEL_CHARS - 3).collect();
        format!("{cut}...")
    }
}

fn legend_width(fig: &Figure) -> i32 {
    let longest = fig
        .legend
        .iter()
        .map(|e| legend_label(&e.label).chars().count())
        .chain(std::iter::once(fig.legend_title.chars().count()))
        .max()
        .unwrap_or(0) as i32;
    (longest * 7 + 64).clamp(150, 340)
}

/// Draws a figure into an SVG string. `body` draws the data into the chart.
pub(crate) fn render<F>(fig: &Figure, body: F) -> Result<String, String>
where
    F: for<'a, 'b> FnOnce(&mut Chart<'a, 'b>) -> PResult,
{
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        draw_figure(&root, fig, body).map_err(|e| e.to_string())?;
    }
    Ok(buf)
}

fn draw_figure<F>(root: &Area<'_>, fig: &Figure, body: F) -> PResult
where
    F: for<'a, 'b> FnOnce(&mut Chart<'a, 'b>) -> PResult,
{
    root.fill(&WHITE)?;
    let below_title = root.titled(&fig.title, (FONT, 24))?;
    let (plot_area, legend_area) = below_title.split_horizontally(WIDTH as i32 - legend_width(fig));
    let y_chars = fig
        .y
        .ticks
        .iter()
        .map(|t| fmt_fixed(*t, fig.y.decimals).len())
        .max()
        .unwrap_or(1) as i32;
    let mut chart = ChartBuilder::on(&plot_area)
        .margin(14)
        .x_label_area_size(52)
        .y_label_area_size((y_chars * 8 + 40).max(56))
        .build_cartesian_2d(fig.x.ranged(), fig.y.ranged())?;
    let fx = |v: &f64| fmt_fixed(*v, fig.x.decimals);
    let fy = |v: &f64| fmt_fixed(*v, fig.y.decimals);
    chart
        .configure_mesh()
        .x_desc(fig.x.desc.as_str())
        .y_desc(fig.y.desc.as_str())
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .axis_desc_style((FONT, 17))
        .label_style((FONT, 14))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .draw()?;
    body(&mut chart)?;
    draw_legend(&legend_area, fig)?;
    root.present()
}

fn draw_legend(area: &Area<'_>, fig: &Figure) -> PResult {
    if fig.legend.is_empty() {
        return Ok(());
    }
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let rows = fig.legend.len() as i32 + 1;
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
        fig.legend_title.clone(),
        (12, top + row / 2),
        text(font).color(&BLACK),
    ))?;
    for (i, e) in fig.legend.iter().enumerate() {
        let y = top + row * (i as i32 + 1) + row / 2;
        draw_sample(area, e, (12, 42), y, (row / 3).clamp(2, 6))?;
        area.draw(&Text::new(legend_label(&e.label), (50, y), text(font)))?;
    }
    Ok(())
}

fn draw_sample(area: &Area<'_>, e: &LegendEntry, x: (i32, i32), y: i32, r: i32) -> PResult {
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
        Sample::LineMarker => draw_path_px(area, &[(x.0, y), (x.1, y)], st)?,
        Sample::Marker => {}
    }
    if matches!(e.sample, Sample::Marker | Sample::LineMarker | Sample::Bar) {
        let pts = marker_points(st.marker, r + 1, cx, y);
        area.draw(&Polygon::new(pts.clone(), st.color.filled()))?;
        area.draw(&PathElement::new(closed(&pts), BLACK.stroke_width(1)))?;
    }
    Ok(())
}

fn closed(pts: &[(i32, i32)]) -> Vec<(i32, i32)> {
    let mut v = pts.to_vec();
    if let Some(&first) = pts.first() {
        v.push(first);
    }
    v
}

fn dash_lengths(d: Dash) -> Option<(i32, i32)> {
    match d {
        Dash::Solid => None,
        Dash::Dashed => Some((9, 5)),
        Dash::Dotted => Some((2, 4)),
        Dash::LongDash => Some((18, 6)),
    }
}

fn draw_path_px(area: &Area<'_>, pts: &[(i32, i32)], st: &SeriesStyle) -> PResult {
    let style = st.color.stroke_width(2);
    match dash_lengths(st.dash) {
        None => area.draw(&PathElement::new(pts.to_vec(), style)),
        Some((on, off)) => area.draw(&DashedPathElement::new(pts.to_vec(), on, off, style)),
    }
}

/// A data line in the series' colour and dash.
pub(crate) fn draw_line(chart: &mut Chart<'_, '_>, pts: &[(f64, f64)], st: &SeriesStyle) -> PResult {
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
    chart.draw_series(
        pts.iter()
            .map(|&p| EmptyElement::at(p) + PathElement::new(outline.clone(), BLACK.stroke_width(1))),
    )?;
    Ok(())
}

/// Vertical whiskers `(x, low, high)` with short caps.
pub(crate) fn draw_whiskers(
    chart: &mut Chart<'_, '_>,
    whiskers: &[(f64, f64, f64)],
    color: &RGBColor,
) -> PResult {
    let style = color.stroke_width(1);
    chart.draw_series(
        whiskers
            .iter()
            .map(|&(x, lo, hi)| PathElement::new(vec![(x, lo), (x, hi)], style)),
    )?;
    for &(x, lo, hi) in whiskers {
        chart.draw_series(
            [lo, hi]
                .iter()
                .map(|&y| EmptyElement::at((x, y)) + PathElement::new(vec![(-5, 0), (5, 0)], style)),
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
    chart.draw_series(std::iter::once(Polygon::new(poly, color.mix(0.18).filled())))?;
    Ok(())
}
