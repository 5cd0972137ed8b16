//! PNG copies of the report's plots for papers (`sgsim report DIR --png`), rendered with the
//! pure-Rust resvg. Off by default: text needs fonts, which are loaded from the system
//! (fontdb; on Debian e.g. `fonts-dejavu-core`), so the pixels depend on the machine's fonts
//! and PNGs are never part of a reference report. The SVGs stay the reference.

use std::path::{Path, PathBuf};

use super::super::ReportError;

/// Pixels per SVG unit: 2 gives 1600 × 1000 images from the 800 × 500 plots.
const SCALE: f32 = 2.0;

/// Renders each SVG in `svgs` to a PNG next to it; returns the PNGs written.
pub fn write_pngs(svgs: &[PathBuf]) -> Result<Vec<PathBuf>, ReportError> {
    let mut options = resvg::usvg::Options::default();
    let db = options.fontdb_mut();
    db.load_system_fonts();
    // The plots ask for `sans-serif`; map it to a sans face that is installed.
    let installed: Vec<String> = db
        .faces()
        .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
        .collect();
    let sans = [
        "DejaVu Sans",
        "Liberation Sans",
        "Noto Sans",
        "Arial",
        "Helvetica",
    ]
    .into_iter()
    .find(|want| installed.iter().any(|have| have == want))
    .map(str::to_owned)
    .or_else(|| installed.first().cloned());
    if let Some(family) = sans {
        db.set_sans_serif_family(family);
    }
    let mut written = Vec::new();
    for svg in svgs {
        let png = svg.with_extension("png");
        render(svg, &png, &options)?;
        written.push(png);
    }
    Ok(written)
}

fn render(svg: &Path, png: &Path, options: &resvg::usvg::Options) -> Result<(), ReportError> {
    let fail = |message: String| ReportError::Plot {
        path: svg.to_path_buf(),
        message,
    };
    let data = std::fs::read(svg).map_err(|source| ReportError::Io {
        action: "read",
        path: svg.to_path_buf(),
        source,
    })?;
    let tree = resvg::usvg::Tree::from_data(&data, options).map_err(|e| fail(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(SCALE)
        .ok_or_else(|| fail("empty plot".into()))?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| fail("empty plot".into()))?;
    let transform = resvg::tiny_skia::Transform::from_scale(SCALE, SCALE);
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    let bytes = pixmap.encode_png().map_err(|e| fail(e.to_string()))?;
    Ok(crate::outdir::write_atomic(png, &bytes)?)
}
