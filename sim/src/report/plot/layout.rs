//! How a sweep's points are arranged in a figure. One swept key goes on x: a numeric key (the
//! one with the most values) on a numeric axis, logarithmic when its values span two decades or
//! more, else a key's values as named categories. The other swept keys split the figure into
//! panels, one per value (small multiples). Within a panel each x value is one series, styled
//! the same in every panel, so no panel shows more than [`MAX_SERIES`] series.

use super::super::format::short_key;
use super::super::model::Dataset;
use super::axis::spans_decades;
use super::common::{series_style, Axis, LegendEntry, Sample, SeriesStyle};
use super::grid::Panel;
use super::style::MAX_SERIES;

/// Most panels a figure is split into; a sweep with more falls back to one panel per
/// [`MAX_SERIES`] points.
const MAX_PANELS: usize = 12;

/// One panel of points.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PanelSet {
    /// Heading: the other keys' values (empty for a figure of one panel).
    pub title: String,
    /// Point indices in x order.
    pub points: Vec<usize>,
}

/// The arrangement of a dataset's points.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The swept key on x; `None` when the points themselves are the categories.
    pub x_key: Option<String>,
    /// Whether x is numeric (the key's values), else categories at 0, 1, 2, ...
    pub numeric: bool,
    /// Whether the numeric x axis is logarithmic.
    pub log: bool,
    /// The distinct x values in order: numbers as text, or category names.
    pub values: Vec<String>,
    /// Per point index: (x position, index into `values`).
    at: Vec<(usize, f64, usize)>,
    pub panels: Vec<PanelSet>,
}

fn distinct(d: &Dataset, key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in &d.points {
        if let Some(v) = d.param(p.index, key) {
            if !out.iter().any(|x| x == v) {
                out.push(v.to_string());
            }
        }
    }
    out
}

fn number(v: &str) -> Option<f64> {
    v.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Whether every point has a numeric value for `key`.
fn is_numeric(d: &Dataset, key: &str) -> bool {
    d.points
        .iter()
        .all(|p| d.param(p.index, key).and_then(number).is_some())
}

/// The key on x: a numeric key with the most distinct values (the later key on a tie), else
/// the key with the most values.
fn choose_x(d: &Dataset) -> Option<(String, bool)> {
    let keys: Vec<(&String, usize, bool)> = d
        .swept
        .iter()
        .map(|k| (k, distinct(d, k).len(), is_numeric(d, k)))
        .filter(|(_, n, _)| *n > 0)
        .collect();
    // `max_by_key` keeps the last of equal maxima: the later key wins a tie.
    let numeric = keys.iter().filter(|k| k.2 && k.1 > 1).max_by_key(|k| k.1);
    let any = keys.iter().max_by_key(|k| k.1);
    numeric
        .map(|k| (k.0.clone(), true))
        .or_else(|| any.map(|k| (k.0.clone(), k.2 && k.1 > 1)))
}

impl Layout {
    /// The layout of `d`'s points.
    pub(crate) fn of(d: &Dataset) -> Layout {
        let Some((key, numeric)) = choose_x(d) else {
            return Layout::by_point(d);
        };
        let mut values = distinct(d, &key);
        if numeric {
            values.sort_by(|a, b| {
                number(a)
                    .unwrap_or(0.0)
                    .total_cmp(&number(b).unwrap_or(0.0))
            });
        }
        let xs: Vec<f64> = values.iter().filter_map(|v| number(v)).collect();
        let log = numeric && spans_decades(&xs);
        let mut at = Vec::new();
        let mut panels: Vec<PanelSet> = Vec::new();
        for p in &d.points {
            let Some(v) = d.param(p.index, &key) else {
                continue;
            };
            let slot = values.iter().position(|x| x == v).unwrap_or(0);
            let x = if numeric {
                number(v).unwrap_or(0.0)
            } else {
                slot as f64
            };
            at.push((p.index, x, slot));
            let title = others(d, p.index, &key);
            match panels.iter_mut().find(|s| s.title == title) {
                Some(s) => s.points.push(p.index),
                None => panels.push(PanelSet {
                    title,
                    points: vec![p.index],
                }),
            }
        }
        let mut layout = Layout {
            x_key: Some(key),
            numeric,
            log,
            values,
            at,
            panels,
        };
        if layout.panels.len() > MAX_PANELS || layout.values.len() > MAX_SERIES {
            return Layout::by_point(d);
        }
        let mut panels = std::mem::take(&mut layout.panels);
        for s in &mut panels {
            let mut pts: Vec<(usize, f64)> = s.points.iter().map(|&p| (p, layout.x(p))).collect();
            pts.sort_by(|a, b| a.1.total_cmp(&b.1));
            s.points = pts.into_iter().map(|p| p.0).collect();
        }
        layout.panels = panels;
        layout
    }

    /// Every point its own category, in panels of at most [`MAX_SERIES`] points.
    fn by_point(d: &Dataset) -> Layout {
        let chunks: Vec<&[super::super::model::PointInfo]> = d.points.chunks(MAX_SERIES).collect();
        let many = chunks.len() > 1;
        let mut at = Vec::new();
        let mut panels = Vec::new();
        for chunk in &chunks {
            for (slot, p) in chunk.iter().enumerate() {
                at.push((p.index, slot as f64, slot));
            }
            let (first, last) = (chunk[0].index, chunk[chunk.len() - 1].index);
            panels.push(PanelSet {
                title: if many {
                    format!("points #{first}–#{last}")
                } else {
                    String::new()
                },
                points: chunk.iter().map(|p| p.index).collect(),
            });
        }
        Layout {
            x_key: None,
            numeric: false,
            log: false,
            values: d.points.iter().map(|p| d.label(p.index)).collect(),
            at,
            panels,
        }
    }

    fn entry(&self, point: usize) -> Option<&(usize, f64, usize)> {
        self.at.iter().find(|a| a.0 == point)
    }

    /// The x position of a point.
    pub(crate) fn x(&self, point: usize) -> f64 {
        self.entry(point).map_or(0.0, |a| a.1)
    }

    /// The series (x value) index of a point: its colour and marker in every panel.
    pub(crate) fn series(&self, point: usize) -> usize {
        self.entry(point).map_or(0, |a| a.2)
    }

    /// The style of a point's series.
    pub(crate) fn style(&self, point: usize) -> SeriesStyle {
        series_style(self.series(point))
    }

    /// The name of a point's series: `key=value` of the x key, or the point's label.
    pub(crate) fn series_label(&self, d: &Dataset, point: usize) -> String {
        match &self.x_key {
            Some(k) => format!(
                "{}={}",
                short_key(k, &d.swept),
                d.param(point, k).unwrap_or("")
            ),
            None => d.label(point),
        }
    }

    /// One legend entry per series present among `points`, in series order.
    pub(crate) fn legend(&self, d: &Dataset, points: &[usize], sample: Sample) -> Vec<LegendEntry> {
        // Without an x key a style can stand for points of different panels: list each point.
        let key = |p: usize| {
            if self.x_key.is_some() {
                self.series(p)
            } else {
                p
            }
        };
        let mut seen: Vec<(usize, usize)> = points.iter().map(|&p| (key(p), p)).collect();
        seen.sort_by_key(|s| s.0);
        seen.dedup_by_key(|s| s.0);
        seen.iter()
            .map(|&(_, p)| LegendEntry {
                label: self.series_label(d, p),
                style: self.style(p),
                sample,
            })
            .collect()
    }

    /// One panel per panel set, every one with axes `x` and `y` (panels share their axes).
    pub(crate) fn panels(&self, x: &Axis, y: &Axis) -> Vec<Panel> {
        self.panels
            .iter()
            .map(|s| Panel {
                title: s.title.clone(),
                x: x.clone(),
                y: y.clone(),
            })
            .collect()
    }

    /// Per panel, `(point, value)` of every point of it for which `value` is defined.
    pub(crate) fn per_panel<T>(&self, value: impl Fn(usize) -> Option<T>) -> Vec<Vec<(usize, T)>> {
        self.panels
            .iter()
            .map(|s| {
                s.points
                    .iter()
                    .filter_map(|&p| Some((p, value(p)?)))
                    .collect()
            })
            .collect()
    }

    /// The legend's title.
    pub(crate) fn legend_title(&self, d: &Dataset) -> String {
        match &self.x_key {
            Some(k) => short_key(k, &d.swept),
            None => "sweep point".to_string(),
        }
    }

    /// The x axis over the points: numeric (log where it spans two decades) or named. A numeric
    /// axis reaches `slots` of the smallest gap beyond the outermost points (see [`Self::slot`]),
    /// so markers or bars there stay inside.
    pub(crate) fn x_axis(&self, d: &Dataset, slots: f64) -> Axis {
        let Some(key) = &self.x_key else {
            return Axis::named("sweep point", self.values.clone());
        };
        if !self.numeric {
            return Axis::named(key, self.values.clone());
        }
        let xs: Vec<f64> = d
            .points
            .iter()
            .flat_map(|p| {
                let (lo, hi) = self.slot(self.x(p.index), slots);
                [lo, hi]
            })
            .collect();
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if self.log {
            Axis::log(key, lo, hi)
        } else {
            Axis::numeric(key, lo, hi)
        }
    }

    /// Half the smallest gap between neighbouring x positions, as a factor on a log axis or an
    /// offset on a linear one: `(x − w, x + w)` or `(x / w, x · w)` spans one slot.
    pub(crate) fn slot(&self, x: f64, share: f64) -> (f64, f64) {
        let mut xs: Vec<f64> = self.at.iter().map(|a| a.1).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        if self.log {
            let ratio = xs
                .windows(2)
                .map(|w| w[1] / w[0])
                .fold(f64::INFINITY, f64::min);
            let f = libm::pow(if ratio.is_finite() { ratio } else { 10.0 }, share / 2.0);
            return (x / f, x * f);
        }
        let gap = xs
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min);
        let w = if gap.is_finite() && gap > 0.0 {
            gap
        } else {
            1.0
        } * share
            / 2.0;
        (x - w, x + w)
    }
}

/// `key=value` of every swept key but `x_key`, joined.
fn others(d: &Dataset, point: usize, x_key: &str) -> String {
    d.swept
        .iter()
        .filter(|k| k.as_str() != x_key)
        .filter_map(|k| Some(format!("{}={}", short_key(k, &d.swept), d.param(point, k)?)))
        .collect::<Vec<_>>()
        .join(", ")
}
