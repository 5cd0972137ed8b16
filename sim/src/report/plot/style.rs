//! Series styles: Okabe–Ito colours, marker shapes and dash patterns, so that
//! series stay distinguishable for colour-blind readers and in greyscale.

use plotters::style::RGBColor;

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

/// Series with a colour and a marker of their own: the most one panel shows.
pub(crate) const MAX_SERIES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    Plus,
    Cross,
    Star,
}

const MARKERS: [Marker; 8] = [
    Marker::Circle,
    Marker::Square,
    Marker::TriangleUp,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Plus,
    Marker::Cross,
    Marker::Star,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dash {
    Solid,
    Dashed,
    Dotted,
    Long,
}

const DASHES: [Dash; 4] = [Dash::Solid, Dash::Dashed, Dash::Dotted, Dash::Long];

/// Colour, marker and dash of one series. Colours and markers both cycle by 8, so each of
/// the first 8 series has its own colour and its own marker; dashes cycle by 4. Figures keep
/// at most [`MAX_SERIES`] series in one panel.
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

/// `v * r / 100`, rounded half away from zero.
fn scaled(v: i32, r: i32) -> i32 {
    let p = v * r;
    if p >= 0 {
        (p + 50) / 100
    } else {
        -((-p + 50) / 100)
    }
}

/// Polygon vertices of a marker of radius `r` centred on `(cx, cy)`; shapes
/// are given in hundredths of `r`.
pub(crate) fn marker_points(m: Marker, r: i32, cx: i32, cy: i32) -> Vec<(i32, i32)> {
    const CIRCLE: [(i32, i32); 12] = [
        (100, 0),
        (87, 50),
        (50, 87),
        (0, 100),
        (-50, 87),
        (-87, 50),
        (-100, 0),
        (-87, -50),
        (-50, -87),
        (0, -100),
        (50, -87),
        (87, -50),
    ];
    const PLUS: [(i32, i32); 12] = [
        (-35, -110),
        (35, -110),
        (35, -35),
        (110, -35),
        (110, 35),
        (35, 35),
        (35, 110),
        (-35, 110),
        (-35, 35),
        (-110, 35),
        (-110, -35),
        (-35, -35),
    ];
    const STAR: [(i32, i32); 10] = [
        (0, -120),
        (28, -39),
        (114, -37),
        (46, 15),
        (71, 97),
        (0, 48),
        (-71, 97),
        (-46, 15),
        (-114, -37),
        (-28, -39),
    ];
    let shape: Vec<(i32, i32)> = match m {
        Marker::Circle => CIRCLE.to_vec(),
        Marker::Square => vec![(-85, -85), (85, -85), (85, 85), (-85, 85)],
        Marker::TriangleUp => vec![(0, -115), (105, 75), (-105, 75)],
        Marker::TriangleDown => vec![(0, 115), (105, -75), (-105, -75)],
        Marker::Diamond => vec![(0, -125), (95, 0), (0, 125), (-95, 0)],
        Marker::Plus => PLUS.to_vec(),
        Marker::Star => STAR.to_vec(),
        // The plus turned by 45 degrees (cos 45 ≈ 0.71).
        Marker::Cross => PLUS
            .iter()
            .map(|&(x, y)| ((x - y) * 71 / 100, (x + y) * 71 / 100))
            .collect(),
    };
    shape
        .iter()
        .map(|&(x, y)| (cx + scaled(x, r), cy + scaled(y, r)))
        .collect()
}

pub(crate) fn closed(pts: &[(i32, i32)]) -> Vec<(i32, i32)> {
    let mut v = pts.to_vec();
    if let Some(&first) = pts.first() {
        v.push(first);
    }
    v
}

pub(crate) fn dash_lengths(d: Dash) -> Option<(i32, i32)> {
    match d {
        Dash::Solid => None,
        Dash::Dashed => Some((9, 5)),
        Dash::Dotted => Some((2, 4)),
        Dash::Long => Some((18, 6)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_eight_series_differ_in_colour_and_in_marker() {
        let styles: Vec<SeriesStyle> = (0..MAX_SERIES).map(series_style).collect();
        for (i, a) in styles.iter().enumerate() {
            for b in &styles[..i] {
                assert!(a.color != b.color && a.marker != b.marker, "{i}");
            }
        }
    }
}
