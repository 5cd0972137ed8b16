//! Pictures of one traced run (`sgsim inspect`): how a topic spread (propagation tree), when
//! (timeline of receipts and frames), and where on grid and torus graphs (heat map).

use plotters::prelude::*;
use std::path::{Path, PathBuf};

use super::super::ReportError;
use super::common::{
    draw_line, draw_markers, series_style, Axis, Chart, Dash, Figure, LegendEntry, PResult, Sample,
    SeriesStyle, GREY,
};
use super::grid::render;

use super::axis::spans_decades;
use super::style::{Marker, PALETTE};
use crate::record::{receipt_s, TopicTrace, Trace};
use sweet_gossip::FrameKind;

/// Propagation pictures are drawn only for topics that reached at most this many nodes.
pub const MAX_TREE_NODES: usize = 20_000;

/// The picture `sgsim inspect --report` copies into a result folder; the report shows it.
pub const REPORT_PICTURE: &str = "inside.svg";

/// Node categories of the propagation picture, in legend order.
const CATEGORIES: [&str; 5] = ["sender", "gig worker", "gossiper", "corrupted", "Sybil"];

fn category_style(c: usize) -> SeriesStyle {
    let (color, marker) = match c {
        0 => (PALETTE[6], Marker::Square),
        1 => (PALETTE[0], Marker::TriangleUp),
        2 => (GREY, Marker::Circle),
        3 => (PALETTE[1], Marker::Diamond),
        _ => (PALETTE[4], Marker::Cross),
    };
    SeriesStyle {
        color,
        marker,
        dash: Dash::Solid,
    }
}

fn category(trace: &Trace, t: &TopicTrace, i: u32) -> usize {
    let k = i as usize;
    if i == t.sender {
        0
    } else if trace.sybil[k] {
        4
    } else if trace.adversary[k] {
        3
    } else if trace.roles[k] == "worker" {
        1
    } else {
        2
    }
}

/// Writes every picture of `trace` to `out`: per topic (or topic `only`) a propagation
/// picture `propagation-tK.svg` and, on grid and torus graphs, a heat map `heatmap-tK.svg`;
/// and one `timeline.svg`. Returns the files written.
pub fn draw_all(
    trace: &Trace,
    out: &Path,
    only: Option<usize>,
) -> Result<Vec<PathBuf>, ReportError> {
    let mut written = Vec::new();
    let mut save = |name: String, svg: Result<String, String>| {
        let path = out.join(name);
        let svg = svg.map_err(|message| ReportError::Plot {
            path: path.clone(),
            message,
        })?;
        crate::outdir::write_atomic(&path, svg.as_bytes())?;
        written.push(path);
        Ok::<(), ReportError>(())
    };
    for (k, t) in trace.rec.topics.iter().enumerate() {
        if only.is_some_and(|o| o != k) {
            continue;
        }
        if t.first.len() <= MAX_TREE_NODES {
            let label = format!("Topic {k}");
            save(
                format!("propagation-t{k}.svg"),
                propagation(trace, k, &label),
            )?;
        }
        if let Some((rows, cols)) = trace.lattice {
            save(format!("heatmap-t{k}.svg"), heatmap(trace, k, rows, cols))?;
        }
    }
    save("timeline.svg".into(), timeline(trace, only))?;
    Ok(written)
}

/// Picture positions: x = seconds after broadcast, y = hop spread within the hop's row by
/// node index, so that nodes of one hop do not overlap.
fn positions(t: &TopicTrace) -> std::collections::BTreeMap<u32, (f64, f64)> {
    let mut per_hop: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    per_hop.entry(0).or_default().push(t.sender);
    for (&i, r) in &t.first {
        if i != t.sender {
            per_hop.entry(r.hop).or_default().push(i);
        }
    }
    let mut pos = std::collections::BTreeMap::new();
    for (hop, nodes) in per_hop {
        let n = nodes.len() as f64;
        for (j, i) in nodes.into_iter().enumerate() {
            let spread = if n > 1.0 {
                (j as f64 / (n - 1.0) - 0.5) * 0.7
            } else {
                0.0
            };
            let x = receipt_s(t, i).unwrap_or(0.0);
            pos.insert(i, (x, f64::from(hop) + spread));
        }
    }
    pos
}

/// The propagation tree of topic `k`: every node that verified it, at (time, hop), linked to
/// the peer that delivered it first; the paid reply route drawn thick. `label` starts the title.
pub fn propagation(trace: &Trace, k: usize, label: &str) -> Result<String, String> {
    let t = &trace.rec.topics[k];
    let pos = positions(t);
    let max_x = pos.values().map(|p| p.0).fold(0.0, f64::max);
    let max_hop = t.first.values().map(|r| r.hop).max().unwrap_or(0);
    let route = paid_route(t);
    let present: Vec<usize> = pos.keys().map(|i| category(trace, t, *i)).collect();
    let mut legend: Vec<LegendEntry> = CATEGORIES
        .iter()
        .enumerate()
        .filter(|(c, _)| present.contains(c))
        .map(|(c, name)| LegendEntry {
            label: (*name).to_owned(),
            style: category_style(c),
            sample: Sample::Marker,
        })
        .collect();
    if !route.is_empty() {
        legend.push(LegendEntry {
            label: "paid reply route".into(),
            style: route_style(),
            sample: Sample::LineMarker,
        });
    }
    let fig = Figure {
        title: format!(
            "{label}: {} of {} nodes verified it",
            t.first.len(),
            trace.node_count() - 1
        ),
        x: Axis::numeric("seconds after broadcast", 0.0, max_x.max(1e-3)),
        y: Axis::numeric("hop", -0.5, f64::from(max_hop) + 0.5),
        legend_title: "node".into(),
        legend,
    };
    render(&fig, |chart| {
        let edges = t.first.iter().filter_map(|(i, r)| {
            let (a, b) = (pos.get(&r.parent)?, pos.get(i)?);
            Some(PathElement::new(
                vec![*a, *b],
                GREY.mix(0.35).stroke_width(1),
            ))
        });
        chart.draw_series(edges)?;
        draw_route(chart, &route, &pos)?;
        for c in 0..CATEGORIES.len() {
            let pts: Vec<(f64, f64)> = pos
                .iter()
                .filter(|(i, _)| category(trace, t, **i) == c)
                .map(|(_, p)| *p)
                .collect();
            draw_markers(chart, &pts, &category_style(c), if c == 2 { 2 } else { 4 })?;
        }
        Ok(())
    })
}

fn route_style() -> SeriesStyle {
    SeriesStyle {
        color: PALETTE[1],
        marker: Marker::Circle,
        dash: Dash::Solid,
    }
}

/// The reply hops of topic `t` between nodes that were paid for it or its sender: the route
/// the customer paid.
fn paid_route(t: &TopicTrace) -> Vec<(u32, u32)> {
    let on = |i: u32| i == t.sender || t.paid.contains(&i);
    let mut hops: Vec<(u32, u32)> = t
        .reply_edges
        .iter()
        .copied()
        .filter(|&(a, b)| t.paid.contains(&a) && on(b))
        .collect();
    hops.sort_unstable();
    hops.dedup();
    hops
}

fn draw_route(
    chart: &mut Chart<'_, '_>,
    route: &[(u32, u32)],
    pos: &std::collections::BTreeMap<u32, (f64, f64)>,
) -> PResult {
    let style = route_style().color.stroke_width(4);
    chart.draw_series(
        route
            .iter()
            .filter_map(|(a, b)| Some(PathElement::new(vec![*pos.get(a)?, *pos.get(b)?], style))),
    )?;
    Ok(())
}

/// A named step curve of the timeline.
type Series = (String, Vec<(f64, f64)>);

/// Engine event codes the timeline counts besides frames: payments made and settled.
const PAYMENT_EVENTS: [(u8, &str); 2] = [(4, "payments made"), (5, "payments settled")];

/// The timeline's series: cumulative first receipts (of topic `only`, or of every topic),
/// frames put on links by kind, and payment events, each a step curve from 0 to the last
/// event of the trace.
fn timeline_series(trace: &Trace, only: Option<usize>) -> (Vec<Series>, f64) {
    let end = trace.rec.lines.last().map_or(0.0, |l| l.t_us as f64 / 1e6);
    let mut receipts: Vec<f64> = trace
        .rec
        .topics
        .iter()
        .enumerate()
        .filter(|(k, _)| only.is_none_or(|o| o == *k))
        .flat_map(|(_, t)| t.first.values().map(|r| r.t_us as f64 / 1e6))
        .collect();
    receipts.sort_by(f64::total_cmp);
    let mut series = vec![("first receipts".to_owned(), receipts)];
    for kind in FrameKind::ALL {
        let times: Vec<f64> = trace
            .rec
            .sends
            .iter()
            .filter(|s| s.2 == kind)
            .map(|s| s.0 as f64 / 1e6)
            .collect();
        series.push((format!("{} frames sent", kind.name()), times));
    }
    for (code, name) in PAYMENT_EVENTS {
        let times: Vec<f64> = trace
            .rec
            .lines
            .iter()
            .filter(|l| l.code == code)
            .map(|l| l.t_us as f64 / 1e6)
            .collect();
        series.push((name.to_owned(), times));
    }
    let end = series
        .iter()
        .filter_map(|s| s.1.last().copied())
        .fold(end, f64::max);
    let curves = series
        .into_iter()
        .filter(|s| !s.1.is_empty())
        .map(|(name, times)| (name, cumulative(&times, end)))
        .collect();
    (curves, end)
}

/// Cumulative first receipts, frames put on links by kind and payment events over the run's
/// virtual time, from 0 to the trace's last event.
pub fn timeline(trace: &Trace, only: Option<usize>) -> Result<String, String> {
    let (series, end) = timeline_series(trace, only);
    let finals: Vec<f64> = series
        .iter()
        .filter_map(|s| s.1.last().map(|p| p.1))
        .collect();
    let max_y = finals.iter().copied().fold(0.0f64, f64::max);
    // Payments are a few where frames are thousands: a log axis shows both.
    let y = if spans_decades(&finals) {
        Axis::log("cumulative count (log scale)", 0.8, max_y * 1.25)
    } else {
        Axis::numeric("cumulative count", 0.0, max_y.max(1.0))
    };
    let styles: Vec<SeriesStyle> = (0..series.len()).map(series_style).collect();
    let fig = Figure {
        title: match only {
            Some(k) => format!("Timeline (receipts of topic {k}, frames of all)"),
            None => "Timeline of the run".to_owned(),
        },
        x: Axis::numeric("virtual time (s)", 0.0, end.max(1e-3)),
        y,
        legend_title: "series".into(),
        legend: series
            .iter()
            .zip(&styles)
            .map(|((label, _), st)| LegendEntry {
                label: label.clone(),
                style: *st,
                sample: Sample::Line,
            })
            .collect(),
    };
    render(&fig, |chart| {
        for ((_, pts), st) in series.iter().zip(&styles) {
            draw_line(chart, pts, st)?;
        }
        Ok(())
    })
}

/// A step curve of how many of the sorted `times` have passed, with at most ~400 vertices,
/// held flat to `end`.
fn cumulative(times: &[f64], end: f64) -> Vec<(f64, f64)> {
    let step = (times.len() / 200).max(1);
    let mut pts = vec![(0.0, 0.0)];
    for (j, &t) in times.iter().enumerate() {
        if (j + 1) % step == 0 || j + 1 == times.len() {
            let prev = pts.last().map_or(0.0, |p| p.1);
            pts.push((t, prev));
            pts.push((t, (j + 1) as f64));
        }
    }
    if pts.last().is_some_and(|p| p.0 < end) {
        let last = pts.last().map_or(0.0, |p| p.1);
        pts.push((end, last));
    }
    pts
}

/// Heat-map colour bins: first receipt within each fifth of the latest receipt time.
const HEAT: [RGBColor; 5] = [
    RGBColor(0x0D, 0x08, 0x87),
    RGBColor(0x7E, 0x03, 0xA8),
    RGBColor(0xCC, 0x47, 0x78),
    RGBColor(0xF8, 0x95, 0x40),
    RGBColor(0xF0, 0xF9, 0x21),
];

/// Arrival time of topic `k` on a `rows` × `cols` grid or torus (node `r * cols + c` at
/// column c, row r): five time bins, grey where the topic never arrived.
pub fn heatmap(trace: &Trace, k: usize, rows: u32, cols: u32) -> Result<String, String> {
    let t = &trace.rec.topics[k];
    let max = t.first.values().map(|r| r.t_us).max().unwrap_or(0);
    let span = max.saturating_sub(t.start_us).max(1) as f64 / 1e6;
    let bin = |s: f64| ((s / span * 5.0) as usize).min(4);
    let mut legend: Vec<LegendEntry> = HEAT
        .iter()
        .enumerate()
        .map(|(b, c)| LegendEntry {
            label: format!(
                "{:.3}-{:.3} s",
                span * b as f64 / 5.0,
                span * (b + 1) as f64 / 5.0
            ),
            style: SeriesStyle {
                color: *c,
                marker: Marker::Square,
                dash: Dash::Solid,
            },
            sample: Sample::Bar,
        })
        .collect();
    legend.push(LegendEntry {
        label: "never".into(),
        style: SeriesStyle {
            color: GREY,
            marker: Marker::Square,
            dash: Dash::Solid,
        },
        sample: Sample::Bar,
    });
    let fig = Figure {
        title: format!("Topic {k}: first receipt on the {rows} x {cols} lattice"),
        x: Axis::numeric("column", -0.5, f64::from(cols) - 0.5),
        y: Axis::numeric("row", -0.5, f64::from(rows) - 0.5),
        legend_title: "arrival after broadcast".into(),
        legend,
    };
    render(&fig, |chart| {
        let cells = (0..rows * cols).map(|i| {
            let (r, c) = (f64::from(i / cols), f64::from(i % cols));
            let color = receipt_s(t, i).map_or(GREY, |s| HEAT[bin(s)]);
            Rectangle::new([(c - 0.5, r - 0.5), (c + 0.5, r + 0.5)], color.filled())
        });
        chart.draw_series(cells)?;
        Ok(())
    })
}

/// The report section showing [`REPORT_PICTURE`] when result folder `dir` has one, else "".
pub(crate) fn report_section(dir: &Path) -> String {
    if !dir.join(REPORT_PICTURE).is_file() {
        return String::new();
    }
    format!(
        "\n## Inside one run\n\n![How one topic spread in one run]({REPORT_PICTURE})\n\n\
         How one topic of one run spread (point, replicate and topic in the title): every node \
         that verified it, placed by when it did (x) and its hop count (y), linked to the peer \
         that delivered it first; the thick line is the reply route the customer paid. Drawn by \
         `sgsim inspect DIR --point P --replicate R --topic T --out OUT --report`, which also \
         writes the run's event trace, per-node table and graph (docs/inspect.md).\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Recorder;
    use sweet_gossip::Timestamp;

    /// Frames go out in the first second, payments settle at 9 and 10 s.
    fn trace() -> Trace {
        let mut rec = Recorder::default();
        for (t, kind) in [(100_000, FrameKind::Ask), (900_000, FrameKind::Broadcast)] {
            rec.sent(Timestamp(t), 0, kind);
        }
        rec.event(Timestamp(9_000_000), 4, 1, None, &[]);
        rec.event(Timestamp(10_000_000), 5, 2, None, &[]);
        Trace {
            rec,
            roles: vec!["customer", "gossiper", "gossiper"],
            adversary: vec![false; 3],
            sybil: vec![false; 3],
            earned: vec![0; 3],
            edges: Vec::new(),
            lattice: None,
            trace_sha256: String::new(),
        }
    }

    #[test]
    fn the_timeline_spans_the_trace_and_counts_payments() {
        let (series, end) = timeline_series(&trace(), None);
        assert_eq!(end, 10.0);
        let names: Vec<&str> = series.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "ask frames sent",
                "broadcast frames sent",
                "payments made",
                "payments settled"
            ]
        );
        for (name, pts) in &series {
            assert_eq!(pts.last().map(|p| p.0), Some(10.0), "{name} stops early");
        }
    }

    #[test]
    fn the_timeline_legend_shows_lines_as_drawn() {
        let svg = timeline(&trace(), None).unwrap();
        // Lines only: no marker polygon in the legend or the chart.
        assert!(!svg.contains("<polygon"), "{svg}");
        assert!(svg.contains("payments settled"));
    }
}
