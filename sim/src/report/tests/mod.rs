mod claims_check;
mod edge;
mod figures;
mod fixture;
mod regress;

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
    // 800 wide; 500 tall, plus 290 per further row of panels.
    let height: u32 = svg
        .split("height=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .and_then(|h| h.parse().ok())
        .unwrap_or(0);
    assert!(svg.contains("width=\"800\"") && height >= 500 && (height - 500) % 290 == 0);
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
            "claims.json",
            "coverage.svg",
            "t90.svg",
            "frontier.svg",
            "frontier_pow.svg",
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
    assert!(md.contains("- Swept `policy.fanout` (3 values): `flood`, `sqrt`, `fixed-4`."));
    // Headline tables show summary.csv's intervals (the fixture's: mean ± 1.96·sd/√n).
    assert!(md.contains("| # | fanout | final coverage | t90 (s) | t99 (s) |\n"));
    assert!(md.contains(
        "| 0 | flood | 0.999 [0.998, 1.000] | 0.600 [0.487, 0.713] | 1.000 [0.887, 1.113] |"
    ));
    assert!(md.contains("| # | fanout | frames/node | PoW hashes/node |\n"));
    assert!(md.contains("| 0 | flood | 41.00 [39.87, 42.13] | 4100 [3987, 4213] |"));
    assert!(md.contains("| 1 | sqrt | 0.992 [0.990, 0.994] |"));
    assert!(
        md.contains("| 2 | fixed-4 | 0.900 [0.843, 0.957] | 2.000 [1.774, 2.226] | 2.500 (n=1) |")
    );
    assert!(md.contains("| 2 | fixed-4 | 5.00 [5.00, 5.00] | 500 [500, 500] |"));
    // Unknown metrics still get a table.
    assert!(md.contains("### Other metrics"));
    assert!(md.contains("| mystery\\_metric |"));
    // A counter that stayed zero in every run gets no column.
    assert!(!md.contains("rejected\\_never"), "{md}");
    assert_fanout_insights(&md);
    assert!(!md.contains("attacker share"));
    for f in &files[2..] {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(md.contains(&format!("]({name})")), "{name} not embedded");
    }
    assert!(md.contains("![Coverage over time since broadcast](coverage.svg)"));

    assert_fanout_plots(tmp.path());
}

/// The fanout fixture's headline and "What stands out" sentences. Per replicate, fixed-4 is
/// 0.148, 0.099 and 0.050 below flood: with 3 pairs its paired interval [-0.221, +0.023] holds
/// 0, so it ties with flood although its mean is lowest, while sqrt, 0.008, 0.007 and 0.006
/// below flood, is detectably lower.
fn assert_fanout_insights(md: &str) {
    assert!(
        md.contains(
            "- **fanout=flood** and **fanout=fixed-4** tie for the highest mean final coverage: \
         **fanout=flood** has 0.999 [0.998, 1.000] (n=3), and the difference of the other to it \
         has a 95 % CI that contains 0 (paired t over replicates): **fanout=fixed-4** -0.099 \
         [-0.221, +0.023] (n=3); the remaining point is lower (95 % CI of the difference \
         excludes 0)."
        ),
        "{md}"
    );
    assert!(md.contains(
        "- At 2 of 3 points final coverage was at least 0.99 in every replicate \
         (`coverage_final` ≥ 0.99 in every run): **fanout=flood** and **fanout=sqrt**."
    ));
    assert!(md.contains(
        "- Of the 2 points where final coverage was at least 0.99 in every replicate, \
         **fanout=sqrt** has the lowest mean frames per node, 13.00 [11.87, 14.13] (n=3); \
         **fanout=flood**, the only other point compared, is higher by +28.00 [+28.00, +28.00] \
         (n=3), a difference whose 95 % CI excludes 0 (paired t over replicates)."
    ));
    assert!(md.contains(
        "- Mean time to 90 % coverage ranges from 0.600 [0.487, 0.713] s (n=3) at \
         **fanout=flood** to 2.000 [1.774, 2.226] s (n=3) at **fanout=fixed-4**; \
         **fanout=fixed-4** − **fanout=flood** = +1.400 [+1.152, +1.648] s (n=3) (paired t over \
         replicates)."
    ));
}

/// The fanout fixture's plots: titles, axes and series labels.
fn assert_fanout_plots(dir: &Path) {
    let labels = ["fanout=flood", "fanout=sqrt", "fanout=fixed-4"];
    let mut cov = vec![
        "Coverage over time since broadcast",
        "time since broadcast (s)",
        "coverage (share of honest online nodes)",
        "95 % CI of the mean",
    ];
    cov.extend(labels);
    assert_svg(&dir.join("coverage.svg"), &cov);
    let mut cost = vec![
        "Cost and result: frames per node",
        "frames sent per honest node (frames)",
        "final coverage (share; axis cut, not from 0)",
        "time to 90 % coverage (s)",
        "Pareto front",
    ];
    cost.extend(labels);
    assert_svg(&dir.join("frontier.svg"), &cost);
    assert_svg(
        &dir.join("frontier_pow.svg"),
        &[
            "Cost and result: proof of work per node",
            "PoW hashes per honest node (hashes)",
        ],
    );
    assert_svg(
        &dir.join("t90.svg"),
        &[
            "Time to 90 % coverage per sweep point",
            "time to 90 % coverage (s)",
            "policy.fanout",
            "\nfixed-4\n</text>",
            "fanout=fixed-4",
        ],
    );
    assert_svg(
        &dir.join("route_fee.svg"),
        &[
            "Route fee distribution",
            "route fee paid per reply (sat)",
            "share of samples (%)",
            "fanout=sqrt (n=9)",
        ],
    );
    assert_svg(
        &dir.join("route_length.svg"),
        &[
            "Route length distribution",
            "route length (hops)",
            "fanout=flood (n=9)",
        ],
    );
}

#[test]
fn insights_follow_the_data() {
    // Every topic of every run reaches 99 % everywhere: fixed-4 becomes the cheapest such point.
    let mut f = fanout_sweep();
    for r in f.runs.iter_mut() {
        r.metrics.push(("reach99_share", Some(1.0)));
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
    // flood is below sqrt by 0.002, 0.001 and 0 in its three replicates: no detectable difference.
    assert!(
        md.contains(
            "- **fanout=sqrt**, **fanout=flood** and **fanout=fixed-4** tie for the highest mean \
             final coverage: **fanout=sqrt** has 1.000 [1.000, 1.000] (n=3), and the difference \
             of each other to it has a 95 % CI that contains 0 (paired t over replicates): \
             **fanout=flood** -0.00100 [-0.00348, +0.00148] (n=3) and **fanout=fixed-4** -0.100 \
             [-0.224, +0.024] (n=3)."
        ),
        "{md}"
    );
    assert!(md.contains(
        "- At all 3 points every topic of every replicate reached 99 % of its eligible nodes \
         (`reach99_share` = 1 in every run)."
    ));
    assert!(
        md.contains(
            "- Of the 3 points where every topic of every replicate reached 99 % of its eligible \
         nodes, **fanout=fixed-4** has the lowest mean frames per node, 5.000 [5.000, 5.000] \
         (n=3); the other 2 points compared are all higher, each by a difference whose 95 % CI \
         excludes 0 (paired t over replicates); the closest is **fanout=sqrt**, by +8.00 \
         [+5.52, +10.48] (n=3)."
        ),
        "{md}"
    );
}

#[test]
fn attack_sweep_reports_trends_and_earnings() {
    let tmp = tempfile::tempdir().unwrap();
    attack_sweep().write(tmp.path());
    let files = write_report(tmp.path()).unwrap();
    let got = names(&files);
    assert!(got.contains(&"attack_headline.svg".to_string()));
    assert!(got.contains(&"attack_earnings.svg".to_string()));
    // No distributions in this fixture: no histograms, and the report says so.
    assert!(!tmp.path().join("route_fee.svg").exists());
    let md = report_of(tmp.path());
    assert!(md.contains("- `route_fee.svg`: no run has samples of `route_fee_sat`."));
    assert!(md.contains(
        "- Swept `attack.share` (3 values, Sybil identities added per honest node): `0`, `0.1`, \
         `0.3`."
    ));
    // The headline is the eclipse's: the victim's coverage, not the overall coverage. Two runs
    // that agree exactly prove little: the change's interval comes from both points' exact
    // intervals, not a zero-width t interval.
    let headline = &md[md.find("## Headline").unwrap()..md.find("## What stands out").unwrap()];
    assert!(
        headline.contains(
            "- The `eclipse` attack, headline `victim_coverage` (coverage of the victim's topics \
         broadcast after the strike), with fanout=flood: 0.890 [0.890, 0.890] (n=2) at share 0, \
         0.600 [0.600, 0.600] (n=2) at share 0.3, a paired change of -0.290 [-0.985, +0.925] \
         (n=2) (exact per-point intervals, the same difference in every pair). It succeeds at \
         no share up to 0.3: no change has a 95 % CI below 0."
        ),
        "{headline}"
    );
    assert!(headline.contains("with fanout=sqrt: 0.880 [0.880, 0.880] (n=2) at share 0"));
    assert!(!headline.contains("final coverage"), "{headline}");
    assert!(md.contains(
        "- Per node, honest nodes earn more fees than adversarial nodes at 3 of the 4 attacked \
         points where both earn, less at 1 (**fanout=sqrt, share=0.3**) (t over the per-run \
         differences: fees earned per honest node minus per adversarial node in each run)."
    ));
    // share 0 has no adversary: n/a in the table.
    assert!(md.contains("| 0 | flood | 0 | 0.890 [0.890, 0.890] | 10.00 [10.00, 10.00] | n/a |"));
    // The fixture's scenario.toml names the eclipse kind: its headline and share meaning.
    assert_svg(
        &tmp.path().join("attack_headline.svg"),
        &[
            "Eclipse attack: victim_coverage vs attacker share",
            "Sybil identities per honest node (attack.share)",
            "fanout=flood",
            "fanout=sqrt",
        ],
    );
    assert_svg(
        &tmp.path().join("attack_earnings.svg"),
        &[
            "Eclipse attack: fees earned per node vs attacker share",
            "fees earned per node (sat)",
            "honest, fanout=flood",
            "adversary, fanout=sqrt",
        ],
    );
    assert_svg(
        &tmp.path().join("coverage.svg"),
        &["\nfanout=sqrt\n</text>", "share=0.3"],
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
        .all(|n| PLOT_FILES.contains(&n.as_str()) || n == "report.md" || n == "claims.json"));
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

#[test]
fn every_printed_column_has_a_glossary_row_and_the_reading_rules_are_stated() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    write_report(tmp.path()).unwrap();
    let md = report_of(tmp.path());
    let glossary = &md[md.find("### Glossary").expect("glossary")..];
    let glossary = &glossary[..glossary.find("\n## ").unwrap_or(glossary.len())];
    for key in [
        "coverage_final",
        "t90_s",
        "t99_s",
        "frames_per_node",
        "pow_hashes_per_node",
        "route_fee_paid_sat",
        "mystery_metric",
    ] {
        assert!(
            glossary.contains(&format!("| `{key}` |")),
            "{key}: {glossary}"
        );
    }
    assert!(
        glossary.contains("| final coverage | `coverage_final` | share [0,1] | mean over topics |")
    );
    assert!(
        glossary.contains("| `mystery_metric` | ? | ? |"),
        "unknown keys say so"
    );
    // The zero counter is not printed, so it has no glossary row either.
    assert!(!glossary.contains("rejected_never"));
    for phrase in ["Student's t", "clamped", "Wilson score", "reachNN"] {
        assert!(md.contains(phrase), "how-to-read lacks {phrase}");
    }
}

#[test]
fn small_samples_are_flagged_per_table_and_not_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    write_report(tmp.path()).unwrap();
    let md = report_of(tmp.path());
    let warning = "> ⚠ **Small sample:** fewer than 5 replicates at #0 (n=3), #1 (n=3), #2 (n=1)";
    let start = md.find("### Propagation").unwrap();
    let end = start + md[start..].find("### Cost").unwrap();
    let propagation = &md[start..end];
    assert!(propagation.contains(warning), "{propagation}");
    // Five replicates everywhere: no warning.
    let mut f = fanout_sweep();
    for r in f.runs.iter_mut() {
        for m in r.metrics.iter_mut() {
            m.1 = m.1.or(Some(2.6));
        }
    }
    let extra: Vec<_> = f
        .runs
        .iter()
        .filter(|r| r.rep < 2)
        .map(|r| (r.point, r.rep + 3, r.metrics.clone()))
        .collect();
    for (point, rep, metrics) in extra {
        f.run(point, rep, &metrics);
    }
    let tmp = tempfile::tempdir().unwrap();
    f.write(tmp.path());
    write_report(tmp.path()).unwrap();
    let md = report_of(tmp.path());
    assert!(!md.contains("Small sample"), "{md}");
}

#[test]
fn paired_differences_are_much_narrower_than_unpaired_intervals() {
    // Replicates differ a lot (shared graphs), sqrt is 0.4 s slower than flood in each of them.
    let mut f = fanout_sweep();
    let base = [0.5, 1.5, 3.0];
    let jitter = [0.01, -0.01, 0.0];
    for r in f.runs.iter_mut() {
        for m in r.metrics.iter_mut().filter(|m| m.0 == "t90_s") {
            m.1 = Some(base[r.rep] + 0.4 * r.point as f64 + jitter[r.rep] * r.point as f64);
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    f.write(tmp.path());
    write_report(tmp.path()).unwrap();
    let md = report_of(tmp.path());
    let section = &md[md.find("## Paired differences").expect("paired section")..];
    assert!(section.contains("last swept key, `policy.fanout`, set to its first value (`flood`)"));
    let row = section
        .lines()
        .find(|l| l.starts_with("| 1 | sqrt | 0 |"))
        .expect("sqrt vs flood row");
    let cells: Vec<&str> = row.split(" | ").collect();
    // Columns: #, fanout, vs #, Δ final coverage, Δ t90 (s), ...
    let t90 = cells[4];
    let nums: Vec<f64> = t90
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter_map(|t| t.parse().ok())
        .collect();
    let (mean, lo, hi) = (nums[0], nums[1], nums[2]);
    assert!((mean - 0.4).abs() < 1e-9, "{t90}");
    assert!(t90.ends_with("(n=3) ⚠"), "{t90}");
    let paired_width = hi - lo;
    // The unpaired interval of sqrt's own mean, from the same runs.
    let vals: Vec<f64> = (0..3).map(|r| base[r] + 0.4 + jitter[r]).collect();
    let s = crate::stats::summarize(vals);
    let unpaired_width = 2.0 * s.ci95.unwrap();
    assert!(
        paired_width * 20.0 < unpaired_width,
        "{paired_width} vs {unpaired_width}"
    );
    assert!(lo > 0.0, "the paired interval excludes 0: {t90}");
}

#[test]
fn coverage_bands_use_student_t_and_stay_in_the_unit_interval() {
    let tmp = tempfile::tempdir().unwrap();
    fanout_sweep().write(tmp.path());
    let d = super::model::Dataset::load(tmp.path()).unwrap();
    let curves = d.coverage_curves();
    // Point 2 (fixed-4) at t = 1 s: final coverages 0.85, 0.9, 0.95 × min(1/2, 1).
    let c = curves.iter().find(|c| c.point == 2).unwrap();
    let &(_, mean, lo, hi) = c.samples.iter().find(|s| s.0 == 1.0).unwrap();
    let sd = 0.025f64;
    let half = crate::stats::t975(2) * sd / 3f64.sqrt();
    assert!((mean - 0.45).abs() < 1e-12);
    assert!((hi - lo - 2.0 * half).abs() < 1e-9, "{lo} {hi}");
    assert!(
        half > 2.0 * 1.96 * sd / 3f64.sqrt(),
        "t(2) is over twice 1.96"
    );
    // Flood near 1: the band is clamped at 1.
    for c in &curves {
        for &(_, _, lo, hi) in &c.samples {
            assert!((0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi));
        }
    }
}
