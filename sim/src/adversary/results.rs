//! The results block of `docs/attacks.md`, generated from the committed attack reports
//! (`reports/attack-*/summary.csv`) so the docs never quote a number by hand.
//! `sim/tests/docs.rs` regenerates it and fails when the committed doc differs.
//!
//! The block has one table per report folder, in name order; one row per sweep point (the swept
//! keys as the first columns) and one column per headline metric of the attack present in the
//! summary. Every cell is `mean [ci95_low, ci95_high] n=N`. A headline metric missing from a
//! summary is left out, so renamed or new metrics never break the generator; a summary without
//! any headline metric gets `coverage_final`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// First line of the generated block in the doc.
pub const BEGIN: &str =
    "<!-- BEGIN GENERATED attack results: sim/tests/docs.rs, SGSIM_BLESS=1 rewrites -->";
/// Last line of the generated block in the doc.
pub const END: &str = "<!-- END GENERATED attack results -->";

/// Headline metrics per report folder suffix (`attack-<suffix>`), in column order.
fn headline(suffix: &str) -> &'static [&'static str] {
    match suffix {
        "silent" | "sybil" | "covert-flash" | "flash" => &[
            "coverage_before_attack",
            "coverage_after_attack",
            "coverage_after_attack_second_half",
            "fees_earned_per_adversary_node_before_attack_sat",
            "honest_pow_share_to_adversary",
        ],
        "cold-boot" => &[
            "coverage_after_attack",
            "t90_s",
            "honest_pow_share_to_adversary",
        ],
        "eclipse" | "censorship" => &[
            "victim_coverage",
            "nonvictim_coverage",
            "victim_received_share",
            "fees_earned_per_adversary_node_before_attack_sat",
            "fees_earned_per_adversary_node_after_attack_sat",
        ],
        "chatterbox" => &[
            "chatterbox_topics_tried",
            "chatterbox_topics_broadcast",
            "attacker_pow_hashes",
            "coverage_after_attack",
            "reply_latency_after_attack_s",
            "honest_frames_received_per_node",
        ],
        "inflate-invoice" | "withhold-invoice" => &[
            "replies_delivered",
            "rejected_inflated_invoice",
            "invoices_withheld",
            "invoice_payment_failures",
            "inflated_invoices_paid",
            "fees_earned_per_adversary_node_after_attack_sat",
        ],
        "reply-replay" => &[
            "replies_delivered",
            "reply_share_after_attack",
            "invoices_withheld",
            "rejected_duplicate_reply",
            "rejected_overloaded",
            "attacked_peer_crypto_s",
        ],
        "ask-flood" => &[
            "coverage_after_attack",
            "rejected_quota_exceeded",
            "rejected_overloaded",
            "attacked_peer_crypto_s",
            "honest_crypto_s_per_node",
        ],
        "pow-reuse" => &[
            "accepted_per_attacker_pow",
            "pow_replays",
            "rejected_pow_insufficient",
            "coverage_after_attack",
            "attacked_peer_crypto_s",
        ],
        "revocation" => &[
            "coverage_before_revocation",
            "coverage_after_revocation",
            "reply_share_before_revocation",
            "reply_share_after_revocation",
            "rejected_certificate",
        ],
        _ => &["coverage_after_attack"],
    }
}

/// One summary row: the sweep point's swept values, and per metric (n, mean, low, high).
#[derive(Debug, Default)]
struct Point {
    swept: Vec<String>,
    metrics: BTreeMap<String, [String; 4]>,
}

/// Parses a `summary.csv`: swept key names and the points in file order.
fn parse_summary(text: &str) -> Result<(Vec<String>, Vec<Point>), String> {
    let table =
        crate::report::parse_csv(Path::new("summary.csv"), text).map_err(|e| e.to_string())?;
    let header = table.header;
    let col = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.contains(&h.as_str()))
            .ok_or(format!("summary has no column {names:?}: {header:?}"))
    };
    let metric = col(&["metric"])?;
    let n = col(&["n"])?;
    let mean = col(&["mean"])?;
    let low = col(&["ci95_low", "ci_low", "ci95_lo"])?;
    let high = col(&["ci95_high", "ci_high", "ci95_hi"])?;
    let first = usize::from(header.first().is_some_and(|h| h == "point"));
    let swept: Vec<String> = header[first..metric].to_vec();
    let mut points: Vec<Point> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (_, f) in table.rows {
        let get = |i: usize| f.get(i).cloned().unwrap_or_default();
        let key = f[..metric.min(f.len())].join("\u{1f}");
        let at = *index.entry(key).or_insert_with(|| {
            points.push(Point {
                swept: f[first.min(f.len())..metric.min(f.len())].to_vec(),
                ..Point::default()
            });
            points.len() - 1
        });
        let cell = [get(n), get(mean), get(low), get(high)];
        points[at].metrics.insert(get(metric), cell);
    }
    Ok((swept, points))
}

/// A number as the block prints it: integers plain, others to 3 significant decimals.
fn num(s: &str) -> String {
    let Ok(v) = s.trim().parse::<f64>() else {
        return if s.trim().is_empty() {
            "–".into()
        } else {
            s.trim().into()
        };
    };
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if v == libm::round(v) && a < 1e15 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// The table of one report folder.
fn table(name: &str, text: &str) -> Result<String, String> {
    let (swept, points) = parse_summary(text).map_err(|e| format!("{name}: {e}"))?;
    let suffix = name.strip_prefix("attack-").unwrap_or(name);
    let present = |m: &&str| points.iter().any(|p| p.metrics.contains_key(*m));
    let mut cols: Vec<&str> = headline(suffix).iter().copied().filter(present).collect();
    if cols.is_empty() {
        cols = ["coverage_final"].into_iter().filter(present).collect();
    }
    let mut out = format!("\n**{suffix}** (`reports/{name}/summary.csv`)\n\n|");
    for h in swept.iter().map(String::as_str).chain(cols.iter().copied()) {
        let _ = write!(out, " {h} |");
    }
    out.push_str("\n|");
    out.push_str(&"---|".repeat(swept.len() + cols.len()));
    out.push('\n');
    for p in &points {
        out.push('|');
        for v in &p.swept {
            let _ = write!(out, " {v} |");
        }
        for c in &cols {
            match p.metrics.get(*c) {
                Some([n, mean, lo, hi]) => {
                    let n = num(n);
                    let _ = write!(out, " {} [{}, {}] n={n} |", num(mean), num(lo), num(hi));
                }
                None => out.push_str(" – |"),
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// The generated block (markers included) for every `attack-*` folder of `reports` that has a
/// `summary.csv`, in name order.
pub fn results_block(reports: &Path) -> Result<String, String> {
    let mut names: Vec<String> = std::fs::read_dir(reports)
        .map_err(|e| format!("{}: {e}", reports.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("attack-"))
        .collect();
    names.sort();
    let mut out = format!(
        "{BEGIN}\n\nEach cell: mean over the replicates [95 % confidence interval] and n, the \
         number of runs in which the metric was defined. Generated from the committed reports; \
         do not edit by hand.\n"
    );
    for name in names {
        let path = reports.join(&name).join("summary.csv");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        out.push_str(&table(&name, &text)?);
    }
    out.push('\n');
    out.push_str(END);
    Ok(out)
}

/// `doc` with the text from [`BEGIN`] to [`END`] (inclusive) replaced by `block`; `None` when
/// the markers are missing or out of order.
pub fn splice(doc: &str, block: &str) -> Option<String> {
    let start = doc.find(BEGIN)?;
    let end = doc[start..].find(END)? + start + END.len();
    Some(format!("{}{block}{}", &doc[..start], &doc[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_becomes_one_row_per_point_with_n_and_ci() {
        let csv = "point,policy.fanout,attack.share,metric,n,mean,std,ci95_low,ci95_high\n\
                   0,fixed,0.0,coverage_after_attack,10,0.98,0.01,0.97,0.99\n\
                   0,fixed,0.0,unrelated,10,5,0,5,5\n\
                   1,\"fixed\",0.1,coverage_after_attack,9,0.5,0.1,0.4,0.6\n";
        let t = table("attack-silent", csv).unwrap();
        assert!(
            t.contains("| policy.fanout | attack.share | coverage_after_attack |"),
            "{t}"
        );
        assert!(
            t.contains("| fixed | 0.0 | 0.980 [0.970, 0.990] n=10 |"),
            "{t}"
        );
        assert!(
            t.contains("| fixed | 0.1 | 0.500 [0.400, 0.600] n=9 |"),
            "{t}"
        );
        assert!(!t.contains("unrelated"));
        let doc = format!("a\n{BEGIN}\nold\n{END}\nb\n");
        assert_eq!(splice(&doc, "NEW").unwrap(), "a\nNEW\nb\n");
        assert_eq!(splice("no markers", "x"), None);
    }
}
