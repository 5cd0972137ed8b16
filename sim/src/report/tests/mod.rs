mod edge;
mod fixture;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::{write_report, PLOT_FILES};
use fixture::{attack_sweep, fanout_sweep};

/// Debugging aid: with `REPORT_TEST_KEEP=/some/dir`, each test's result folder
/// is copied there (for looking at the SVGs); without it, does nothing.
pub(super) fn keep(dir: &Path, tag: &str) {
    if let Ok(out) = std::env::var("REPORT_TEST_KEEP") {
        let out = Path::new(&out).join(tag);
        fs::create_dir_all(&out).unwrap();
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            fs::copy(&p, out.join(p.file_name().unwrap())).unwrap();
        }
    }
}

pub(super) fn report_of(dir: &Path) -> String {
    keep(dir, &dir.file_name().unwrap().to_string_lossy());
    fs::read_to_string(dir.join("report.md")).unwrap()
}

pub(super) fn names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// XML-ish sanity: one root `<svg>` element, balanced `<text>` elements, the
/// expected texts present (as escaped by the SVG writer), no NaN coordinates.
pub(super) fn assert_svg(path: &Path, needles: &[&str]) {
    let svg = fs::read_to_string(path).unwrap();
    assert!(svg.starts_with("<svg"), "{}: no <svg> root", path.display());
    assert!(
        svg.trim_end().ends_with("</svg>"),
        "{}: unterminated",
        path.display()
    );
    assert_eq!(svg.matches("<svg").count(), 1);
    assert_eq!(
        svg.matches("<text").count(),
        svg.matches("</text>").count(),
        "{}: unbalanced <text>",
        path.display()
    );
    assert!(svg.contains("width=\"800\"") && svg.contains("height=\"500\""));
    assert!(
        !svg.contains("NaN") && !svg.contains("inf"),
        "{}",
        path.display()
    );
    for n in needles {
        assert!(svg.contains(n), "{} lacks {n:?}", path.display());
    }
    // Okabe–Ito only (plus black/white/grey for frame and text).
    for hex in svg.split('#').skip(1).map(|s| &s[..6.min(s.len())]) {
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            let ok = [
                "0072B2", "D55E00", "009E73", "E69F00", "CC79A7", "56B4E9", "000000", "F0E442",
                "FFFFFF", "808080",
            ];
            assert!(ok.contains(&hex), "{}: colour #{hex}", path.display());
        }
    }
}

pub(super) fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name == "report.md" || name.ends_with(".svg") {
            out.insert(name, fs::read(&p).unwrap());
        }
    }
    out
}

#[test]
fn fanout_report_has_table_insights_and_plots() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    let files = write_report(tmp.path()).unwrap();
    assert_eq!(
        names(&files),
        [
            "report.md",
            "coverage.svg",
            "coverage_vs_cost.svg",
            "coverage_vs_pow.svg",
            "t90.svg",
            "route_fee.svg",
            "route_length.svg"
        ]
    );
    for f in &files {
        assert!(f.is_file());
    }
    let md = report_of(tmp.path());
    assert!(md.starts_with("# Sweep report: fanout-basic\n"));
    assert!(md.contains(
        "Compares three fanout policies on a random regular graph. 3 sweep points, each run \
         with 3 replicates (9 runs in total) on a network of 200 nodes."
    ));
    assert!(md.contains("- `policy.fanout` (3 values): `flood`, `sqrt`, `fixed-4`"));
    // Headline table: hand-computed mean [mean ± 1.96·sd/√n].
    assert!(md.contains(
        "| # | fanout | final coverage | t90 (s) | t99 (s) | frames/node | PoW hashes/node |"
    ));
    assert!(md.contains(
        "| 0 | flood | 0.999 [0.998, 1.000] | 0.600 [0.487, 0.713] | 1.000 [0.887, 1.113] \
         | 41.00 [39.87, 42.13] | 4100 [3987, 4213] |"
    ));
    assert!(md.contains("| 1 | sqrt | 0.992 [0.990, 0.994] |"));
    assert!(md.contains("| 2 | fixed-4 | 0.900 [0.843, 0.957] | 2.000 [1.774, 2.226] | 2.500 (n=1) | 5.00 [5.00, 5.00] |"));
    // Unknown metrics still get a table.
    assert!(md.contains("### Other metrics"));
    assert!(md.contains("| mystery\\_metric |"));
    // A counter that stayed zero in every run gets no column.
    assert!(!md.contains("rejected\\_never"), "{md}");
    // What stands out.
    assert!(md.contains(
        "- **fanout=flood** reaches the highest mean final coverage, 0.999 [0.998, 1.000]; \
         the next best is **fanout=sqrt** with 0.992 [0.990, 0.994], and the two 95 % \
         intervals do not overlap. The lowest is **fanout=fixed-4** with 0.900."
    ));
    assert!(md.contains(
        "- 2 of 3 points reach 99 % coverage in every replicate; the cheapest of them is \
         **fanout=sqrt** with 13.00 frames per node (next: **fanout=flood** with 41.00)."
    ));
    assert!(md.contains(
        "- Mean time to 90 % coverage ranges from 0.600 s at **fanout=flood** to 2.000 s at \
         **fanout=fixed-4** (3.3× slower)."
    ));
    assert!(!md.contains("attacker share"));
    for f in &files[1..] {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(md.contains(&format!("]({name})")), "{name} not embedded");
    }
    assert!(md.contains("![Coverage over time since broadcast](coverage.svg)"));

    let labels = ["fanout=flood", "fanout=sqrt", "fanout=fixed-4"];
    let mut cov = vec![
        "Coverage over time since broadcast",
        "time since broadcast (s)",
        "coverage (share of honest online nodes)",
        "95 % CI of the mean",
    ];
    cov.extend(labels);
    assert_svg(&tmp.path().join("coverage.svg"), &cov);
    let mut cost = vec![
        "Final coverage vs frames per node",
        "frames sent per node (frames)",
        "final coverage (share of honest online nodes)",
    ];
    cost.extend(labels);
    assert_svg(&tmp.path().join("coverage_vs_cost.svg"), &cost);
    assert_svg(
        &tmp.path().join("coverage_vs_pow.svg"),
        &[
            "Final coverage vs proof-of-work per node",
            "PoW hashes per node (hashes)",
        ],
    );
    assert_svg(
        &tmp.path().join("t90.svg"),
        &[
            "Time to 90 % coverage per sweep point",
            "time to 90 % coverage (s)",
            "sweep point (#)",
            "#2 fanout=fixed-4",
        ],
    );
    assert_svg(
        &tmp.path().join("route_fee.svg"),
        &[
            "Route fee distribution",
            "route fee paid per reply (sat)",
            "share of samples (%)",
            "fanout=sqrt (n=9)",
        ],
    );
    assert_svg(
        &tmp.path().join("route_length.svg"),
        &[
            "Route length distribution",
            "route length (hops)",
            "fanout=flood (n=9)",
        ],
    );
}

#[test]
fn insights_follow_the_data() {
    // Make fixed-4 reach 99 % everywhere: it becomes the cheapest such point.
    let mut f = fanout_sweep();
    for r in f.runs.iter_mut().filter(|r| r.point == 2) {
        for m in r.metrics.iter_mut() {
            if m.0 == "t99_s" {
                m.1 = Some(2.4 + r.rep as f64 * 0.1);
            }
        }
    }
    // And give sqrt perfect coverage: it becomes the best.
    for r in f.runs.iter_mut().filter(|r| r.point == 1) {
        for m in r.metrics.iter_mut() {
            if m.0 == "coverage_final" {
                m.1 = Some(1.0);
            }
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    f.write(tmp.path());
    write_report(tmp.path()).unwrap();
    let md = report_of(tmp.path());
    assert!(md.contains(
        "- **fanout=sqrt** reaches the highest mean final coverage, 1.000 [1.000, 1.000]"
    ));
    // flood's interval reaches past 1.000, so the two overlap.
    assert!(md.contains("the next best is **fanout=flood** with 0.999 [0.998, 1.000], and the two 95 % intervals overlap."));
    assert!(md.contains(
        "- All 3 points reach 99 % coverage in every replicate; the cheapest of them is \
         **fanout=fixed-4** with 5.00 frames per node (next: **fanout=sqrt** with 13.00)."
    ));
}

#[test]
fn attack_sweep_reports_trends_and_earnings() {
    let tmp = tempfile::tempdir().unwrap();
    attack_sweep().write(tmp.path());
    let files = write_report(tmp.path()).unwrap();
    let got = names(&files);
    assert!(got.contains(&"attack_coverage.svg".to_string()));
    assert!(got.contains(&"attack_earnings.svg".to_string()));
    // No distributions in this fixture: no histograms, and the report says so.
    assert!(!tmp.path().join("route_fee.svg").exists());
    let md = report_of(tmp.path());
    assert!(md.contains("- `route_fee.svg`: no run has samples of `route_fee_sat`."));
    assert!(md.contains("- `attack.share` (3 values): `0`, `0.1`, `0.3`"));
    assert!(md.contains(
        "- With fanout=flood, mean honest final coverage falls from 0.990 at attacker share 0 \
         to 0.700 at share 0.3 (-0.290)."
    ));
    assert!(md.contains(
        "- With fanout=sqrt, mean honest final coverage falls from 0.980 at attacker share 0 \
         to 0.500 at share 0.3 (-0.480)."
    ));
    assert!(md.contains("- With fanout=flood, mean victim coverage falls from 0.890"));
    assert!(md.contains(
        "- Honest nodes earn more per node than adversarial nodes at 3 of 4 points; \
         adversarial nodes earn at least as much at **fanout=sqrt, share=0.3**."
    ));
    // share 0 has no adversary: n/a in the table.
    assert!(md.contains("| 0 | flood | 0 | 0.890 [0.890, 0.890] | 10.00 [10.00, 10.00] | n/a |"));
    assert_svg(
        &tmp.path().join("attack_coverage.svg"),
        &[
            "Honest coverage vs attacker share",
            "attacker share (fraction of nodes)",
            "final coverage (share of honest online nodes)",
            "fanout=flood",
            "fanout=sqrt",
        ],
    );
    assert_svg(
        &tmp.path().join("attack_earnings.svg"),
        &[
            "Fees earned per node vs attacker share",
            "fees earned per node (sat)",
            "honest, fanout=flood",
            "adversary, fanout=sqrt",
        ],
    );
    assert_svg(
        &tmp.path().join("coverage.svg"),
        &["fanout=sqrt, share=0.3"],
    );
}

#[test]
fn output_is_byte_identical_across_runs_and_folders() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    attack_sweep().write(a.path());
    attack_sweep().write(b.path());
    write_report(a.path()).unwrap();
    let first = snapshot(a.path());
    write_report(a.path()).unwrap();
    assert_eq!(first, snapshot(a.path()));
    write_report(b.path()).unwrap();
    assert_eq!(first, snapshot(b.path()));
    assert!(first.len() >= 6);
}

#[test]
fn stale_plots_are_removed_when_their_data_goes() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    write_report(tmp.path()).unwrap();
    assert!(tmp.path().join("route_fee.svg").exists());
    let mut f = fanout_sweep();
    for r in &mut f.runs {
        r.dists.clear();
    }
    f.coverage = false;
    fs::remove_file(tmp.path().join("coverage.csv")).unwrap();
    f.write(tmp.path());
    let files = write_report(tmp.path()).unwrap();
    assert!(!tmp.path().join("route_fee.svg").exists());
    assert!(!tmp.path().join("coverage.svg").exists());
    assert!(names(&files)
        .iter()
        .all(|n| PLOT_FILES.contains(&n.as_str()) || n == "report.md"));
    assert!(report_of(tmp.path())
        .contains("- `coverage.svg`: `coverage.csv` is absent or holds no samples."));
}

#[test]
fn minimal_folder_without_optional_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mut f = fanout_sweep();
    f.sweep_json = false;
    f.coverage = false;
    f.write(tmp.path());
    fs::remove_file(tmp.path().join("scenario.toml")).unwrap();
    write_report(tmp.path()).unwrap();
    let md = report_of(tmp.path());
    // Title falls back to the folder name; params come from summary.csv.
    let dir_name = tmp
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(md.starts_with(&format!("# Sweep report: {dir_name}")));
    assert!(md.contains("3 sweep points, each run with 3 replicates (9 runs in total)."));
    assert!(md.contains("| 1 | sqrt | 0.992 [0.990, 0.994] |"));
}
