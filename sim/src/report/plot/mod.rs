//! The plots of a report. Every per-point figure takes its arrangement from `layout`: the
//! swept key on x (numeric, logarithmic where it spans two decades), small multiples for the
//! other keys. `grid` draws the frame (panels and legend), `common` the shared marks.

use std::path::Path;

use super::model::Dataset;
use super::ReportError;
pub(crate) use axis::Axis;
pub(crate) use common::PlotMeta;
use common::PlotOutcome;
pub(crate) use common::{
    draw_line, draw_markers, draw_whiskers, series_style, Dash, Figure, LegendEntry, Sample,
    SeriesStyle,
};
pub(crate) use grid::render;
pub(crate) use style::Marker;

mod attack;
mod axis;
mod common;
mod coverage;
mod frontier;
mod grid;
mod hist;
mod latency;
mod layout;
mod payments;
mod png;
mod points;
pub(crate) mod run;
mod style;

pub use png::write_pngs;

/// Axis label of coverage shares over time.
pub(crate) const COVERAGE_AXIS: &str = "coverage (share of honest online nodes)";

/// Draws every plot in [`super::PLOT_FILES`] order.
pub(crate) fn all_plots(d: &Dataset, dir: &Path) -> Result<Vec<PlotOutcome>, ReportError> {
    type Draw<'a> = Box<dyn Fn(&Dataset) -> Result<PlotOutcome, String> + 'a>;
    let mut plots: Vec<(&str, Draw<'_>)> = vec![
        ("coverage.svg", Box::new(coverage::coverage)),
        ("latency_cdf.svg", Box::new(latency::latency_cdf)),
        ("t90.svg", Box::new(points::t90)),
    ];
    for spec in &frontier::FRONTIERS {
        plots.push((spec.file, Box::new(move |d| frontier::frontier(d, spec))));
    }
    plots.push((
        "route_fee.svg",
        Box::new(|d| {
            let title = "Route fee distribution";
            hist::histogram(
                d,
                "route_fee.svg",
                "route_fee_sat",
                title,
                "route fee paid per reply (sat)",
            )
        }),
    ));
    plots.push((
        "route_length.svg",
        Box::new(|d| {
            let title = "Route length distribution";
            hist::histogram(
                d,
                "route_length.svg",
                "route_length",
                title,
                "route length (hops)",
            )
        }),
    ));
    if d.is_attack_sweep() {
        plots.push((
            "attack_headline.svg",
            Box::new(attack::attack_headline_plot),
        ));
        plots.push(("attack_earnings.svg", Box::new(attack::attack_earnings)));
    }
    if payments::is_lightning(d) {
        plots.push(("ln_cost.svg", Box::new(payments::cost_breakdown)));
        plots.push(("ln_success.svg", Box::new(payments::success_vs_amount)));
    }
    plots
        .iter()
        .map(|(file, draw)| {
            draw(d).map_err(|message| ReportError::Plot {
                path: dir.join(file),
                message,
            })
        })
        .collect()
}
