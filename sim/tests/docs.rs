//! The docs quote no number by hand: the results block of `docs/attacks.md` must be exactly
//! what `sgsim::adversary::results` generates from the committed `reports/attack-*` summaries.
//! With `SGSIM_BLESS=1` the test rewrites the doc instead of failing.

use sgsim::adversary::results::{results_block, splice};
use std::path::Path;

#[test]
fn attack_results_in_the_docs_match_the_committed_reports() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc_path = root.join("docs/attacks.md");
    let doc = std::fs::read_to_string(&doc_path).expect("docs/attacks.md");
    let block = results_block(&root.join("reports")).expect("reports/attack-*/summary.csv");
    let fresh = splice(&doc, &block).expect("docs/attacks.md has the generated-block markers");
    if fresh == doc {
        return;
    }
    if std::env::var("SGSIM_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&doc_path, fresh).expect("rewrite docs/attacks.md");
        return;
    }
    panic!(
        "docs/attacks.md: the generated attack results differ from reports/attack-*/summary.csv. \
         Rerun with SGSIM_BLESS=1 (`SGSIM_BLESS=1 cargo test -p sweet-gossip-sim --test docs`) \
         to rewrite the block, then review and commit the doc."
    );
}

#[test]
fn every_reference_report_is_linked_from_the_readme() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root.join("reports")).expect("reports/") {
        let dir = entry.expect("reports/ entry").path();
        if !dir.join("report.md").is_file() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !readme.contains(&format!("(reports/{name}/report.md)")) {
            missing.push(name);
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "README.md's \"Reference reports\" does not link: {missing:?}"
    );
}
