//! Claims against the committed reports and docs: every committed result folder's claims hold
//! on its own runs, docs/attacks.md names the headline metric the code uses for every attack
//! kind, and docs/lightning.md names the keys its scenario sweeps.

use std::fs;
use std::path::{Path, PathBuf};

use sgsim::report::{check_claims, HEADLINES};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Re-derives the claims of every committed report folder from its runs.jsonl, summary.csv and
/// paired.csv and checks them; where a folder has a claims.json, checks it too (and that it is
/// not stale and report.md states it). Only reports/validation, written by `sgsim validate`
/// from closed-form checks, has no runs.
#[test]
fn every_committed_report_folder_passes_the_claims_check() {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root().join("reports"))
        .expect("reports/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !dir.join("runs.jsonl").is_file() {
            assert_eq!(name, "validation", "{name} has no runs.jsonl");
            continue;
        }
        let check = check_claims(dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(check.claims > 0, "{name}: no claim derived");
        for c in check.contradictions {
            failures.push(format!("{name}: {c}"));
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} folders with runs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The rows of the table in docs/attacks.md under "What an attack report leads with":
/// (kind, metric, condition, cost).
fn doc_headlines() -> Vec<[String; 4]> {
    let doc = fs::read_to_string(root().join("docs/attacks.md")).expect("docs/attacks.md");
    let start = doc
        .find("| kind | headline metric |")
        .expect("docs/attacks.md has the headline table");
    doc[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().trim_matches('`').to_owned())
                .collect();
            [
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
            ]
        })
        .collect()
}

#[test]
fn the_attack_doc_names_the_headline_metric_the_code_uses_for_every_kind() {
    let doc = doc_headlines();
    let kinds: Vec<&str> = sgsim::scenario::catalogue()
        .iter()
        .find(|g| g.key == "attack.kind")
        .expect("the catalogue lists the attack kinds")
        .entries
        .iter()
        .map(|e| e.name)
        .filter(|k| *k != "none")
        .collect();
    assert_eq!(doc.len(), HEADLINES.len(), "one row per headline");
    for kind in kinds {
        let h = HEADLINES
            .iter()
            .find(|h| h.key == kind)
            .unwrap_or_else(|| panic!("attack kind {kind} has no headline metric"));
        let row = doc
            .iter()
            .find(|r| r[0] == kind)
            .unwrap_or_else(|| panic!("docs/attacks.md has no row for {kind}"));
        // Harm is a fall of a metric where higher is better.
        let side = if h.higher_is_better { "below" } else { "above" };
        let condition = match h.limit {
            Some(l) => format!("its mean has a 95 % CI {side} {l}"),
            None => format!("its paired change has a 95 % CI {side} 0"),
        };
        assert_eq!(
            row,
            &[
                kind.to_owned(),
                h.metric.to_owned(),
                condition,
                h.cost_metric.to_owned()
            ],
            "docs/attacks.md row for {kind}"
        );
    }
}

/// The keys named after "sweeps" in `doc`: backticked, joined by "×", each optionally followed
/// by a parenthesis.
fn keys_named_as_swept(doc: &str) -> Vec<String> {
    let at = doc
        .find("sweeps `")
        .expect("the doc says what the scenario sweeps");
    let mut rest = &doc[at + "sweeps ".len()..];
    let mut keys = Vec::new();
    while let Some(body) = rest.strip_prefix('`') {
        let end = body.find('`').expect("closing backtick");
        keys.push(body[..end].to_owned());
        rest = body[end + 1..].trim_start();
        if let Some(inner) = rest.strip_prefix('(') {
            let close = inner.find(')').expect("closing parenthesis");
            rest = inner[close + 1..].trim_start();
        }
        match rest.strip_prefix('×') {
            Some(r) => rest = r.trim_start(),
            None => break,
        }
    }
    keys
}

#[test]
fn the_lightning_doc_names_the_keys_its_scenario_sweeps() {
    let doc = fs::read_to_string(root().join("docs/lightning.md")).expect("docs/lightning.md");
    assert!(doc.contains("scenarios/lightning.toml"));
    let scenario = sgsim::scenario::load(&root().join("scenarios/lightning.toml")).unwrap();
    let swept: Vec<String> = scenario.points[0]
        .params
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(keys_named_as_swept(&doc), swept);
}

#[test]
fn swept_keys_are_read_from_the_sweeps_sentence() {
    let text = "It sweeps `a.b` (the b) × `c` and more. Later `d`.";
    assert_eq!(keys_named_as_swept(text), ["a.b", "c"]);
    // The sentence the docs had: short names that are not the swept keys.
    let old = "sweeps `fee_scale` × `capacity_scale`; its report";
    assert_eq!(keys_named_as_swept(old), ["fee_scale", "capacity_scale"]);
}
