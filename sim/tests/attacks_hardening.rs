//! The abuses of issue 11 (`reply_replay`, `ask_flood`, `pow_reuse`) and the revocation
//! switch on small worlds: each attack runs against the hardened protocol and against
//! `protocol.hardening = false`, and the contrast shows what each defence buys.

mod common;

use sgsim::engine::{run, RunOutput};
use sgsim::scenario::{load, parse, AttackKind, Scenario};
use std::collections::BTreeMap;
use std::path::Path;

/// 120 nodes of degree 4, 2 gig workers whose cells cover the area (replies travel several
/// hops, through middlemen), 10 topics, model-mode crypto.
const WORLD: &str = r#"
name = "hardening-test"
seed = 11
duration_s = 30.0
[graph]
generator = "random_regular"
nodes = 120
degree = 4
[roles]
customers = 4
gig_workers = 0.02
service_area_precision = 2
[workload]
arrivals = "fixed"
times_s = [1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0]
topics_max = 10
reply_deadline_s = 3.0
[scale]
mode = "model"   # same decisions and traces as real crypto (tests/scale.rs), much cheaper
"#;

/// The parse error of `text`, as shown.
fn error(text: &str) -> String {
    match parse(text, Path::new("hardening-test.toml")) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn run_once(extra: &str) -> RunOutput {
    run(&scenario(&format!("{WORLD}{extra}")), 0, Path::new(".")).expect("run")
}

fn scenario(text: &str) -> Scenario {
    let file = parse(text, Path::new("hardening-test.toml")).expect("valid scenario");
    file.points[0].scenario.clone()
}

/// Metrics of `WORLD` + `extra`, averaged over replicates `0..n` (undefined values skipped).
fn metrics(extra: &str, n: u32) -> Metrics {
    common::mean_metrics(&scenario(&format!("{WORLD}{extra}")), n)
}

/// Metric name → mean over replicates.
type Metrics = BTreeMap<String, f64>;

fn get(m: &Metrics, k: &str) -> f64 {
    *m.get(k)
        .unwrap_or_else(|| panic!("metric {k} undefined in {m:#?}"))
}

/// `[policy]`, `[protocol]` and `[attack]` for one contrast run.
fn setup(policy: &str, hardening: bool, attack: &str) -> String {
    format!("[policy]\n{policy}\n[protocol]\nhardening = {hardening}\n[attack]\n{attack}\n")
}

#[test]
fn the_abuse_scenario_files_validate_and_sweep_the_hardening() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/attacks");
    for (file, kind, points) in [
        ("reply_replay.toml", AttackKind::ReplyReplay, 4),
        ("ask_flood.toml", AttackKind::AskFlood, 4),
        ("pow_reuse.toml", AttackKind::PowReuse, 4),
        ("revocation.toml", AttackKind::AskFlood, 2),
    ] {
        let f = load(&dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(f.points.len(), points, "{file}");
        assert!(
            f.points.iter().all(|p| p.scenario.attack.kind == kind),
            "{file}"
        );
        let hardened: Vec<bool> = f
            .points
            .iter()
            .map(|p| p.scenario.protocol.hardening)
            .collect();
        if file == "revocation.toml" {
            assert!(hardened.iter().all(|h| !h));
            assert!(f
                .points
                .iter()
                .all(|p| p.scenario.attack.revoke_at_s.is_some()));
        } else {
            assert_eq!(hardened, [true, true, false, false], "{file}");
        }
    }
}

#[test]
fn protocol_hardening_is_a_bool_defaulting_to_true_and_is_written_only_when_false() {
    let e = error(&format!("{WORLD}[protocol]\nhardening = \"no\"\n"));
    assert!(e.contains("protocol.hardening"), "{e}");
    assert!(e.contains("bool"), "{e}");
    let e = error(&format!("{WORLD}[protocol]\nhardened = false\n"));
    assert!(e.contains("hardened"), "{e}");
    let default = parse(WORLD, Path::new("x.toml")).unwrap();
    assert!(default.points[0].scenario.protocol.hardening);
    // Scenarios written before the switch keep their resolved files, hence their digests.
    let text = default.resolved_toml();
    for absent in [
        "[points.scenario.protocol]",
        "replay_copies",
        "flood_rate_per_s",
        "revoke_at_s",
    ] {
        assert!(!text.contains(absent), "{absent} in\n{text}");
    }
    let off = parse(
        &format!("{WORLD}[protocol]\nhardening = false\n"),
        Path::new("x.toml"),
    );
    let text = off.unwrap().resolved_toml();
    assert!(text.contains("hardening = false"), "{text}");
}

#[test]
fn a_routing_fee_above_the_protocols_cap_is_refused() {
    let e = error(&format!("{WORLD}[policy]\nrouting_fee_sat = 10001\n"));
    assert!(
        e.contains("policy.routing_fee_sat") && e.contains("at most 10000"),
        "{e}"
    );
    let e = error(&format!(
        "{WORLD}[policy]\nrouting_fee_sat = 9000\nfee_jitter_sat = 1001\n"
    ));
    assert!(
        e.contains("policy.fee_jitter_sat") && e.contains("9000 + 1001"),
        "{e}"
    );
    parse(
        &format!("{WORLD}[policy]\nrouting_fee_sat = 9000\nfee_jitter_sat = 1000\n"),
        Path::new("x.toml"),
    )
    .expect("exactly the cap is allowed");
}

#[test]
fn abuse_keys_are_validated() {
    for (attack, key, needle) in [
        ("replay_copies = 0", "attack.replay_copies", "at least 1"),
        (
            "replay_copies = 1001",
            "attack.replay_copies",
            "at most 1000",
        ),
        (
            "flood_rate_per_s = 0.0",
            "attack.flood_rate_per_s",
            "greater than 0",
        ),
        ("revoke_at_s = 30.0", "attack.revoke_at_s", "30"),
        ("revoke_at_s = -1.0", "attack.revoke_at_s", "at least 0"),
    ] {
        let e = error(&format!(
            "{WORLD}[attack]\nkind = \"ask_flood\"\n{attack}\n"
        ));
        assert!(e.contains(key) && e.contains(needle), "{attack}: {e}");
    }
}

#[test]
fn an_abuse_of_share_zero_and_an_explicit_hardening_are_the_honest_run() {
    let honest = run_once("").trace_sha256;
    assert_eq!(
        run_once("[protocol]\nhardening = true\n").trace_sha256,
        honest
    );
    for kind in ["reply_replay", "ask_flood", "pow_reuse"] {
        let out = run_once(&format!(
            "[attack]\nkind = \"{kind}\"\nshare = 0.0\nstart_s = 0.0\n"
        ));
        assert_eq!(out.trace_sha256, honest, "{kind}");
    }
}

/// reply_replay at share 0.2 with 64 copies, against `hardening`.
fn reply(kind: &str, hardening: bool) -> Metrics {
    let attack = format!("kind = \"{kind}\"\nshare = 0.2\nstart_s = 0.0\nreplay_copies = 64");
    metrics(&setup("fanout = \"flood\"", hardening, &attack), 2)
}

#[test]
fn replayed_replies_are_refused_by_the_hardened_protocol_and_take_over_the_unhardened_one() {
    let hard = reply("reply_replay", true);
    let soft = reply("reply_replay", false);
    // Hardened: the copies stop at the next hop; what is left is the withheld invoice alone.
    assert!(get(&hard, "replies_replayed") > 1000.0);
    assert!(get(&hard, "rejected_duplicate_reply") > 1000.0);
    let withhold = reply("withhold_invoice", true);
    let delivered = get(&hard, "replies_delivered");
    assert!(
        delivered >= get(&withhold, "replies_delivered") - 0.5,
        "{hard:#?}\n{withhold:#?}"
    );
    // Unhardened: every copy travels, honest routes are refused, recovery pays the copies.
    assert_eq!(get(&soft, "rejected_duplicate_reply"), 0.0);
    assert!(get(&soft, "rejected_overloaded") > 100.0, "{soft:#?}");
    assert!(
        get(&soft, "replies_delivered") <= delivered - 1.0,
        "{hard:#?}\n{soft:#?}"
    );
    assert!(get(&soft, "invoices_withheld") > 5.0 * get(&hard, "invoices_withheld"));
    let cpu = |m: &Metrics| get(m, "attacked_peer_crypto_s");
    assert!(cpu(&soft) > 2.0 * cpu(&hard), "{hard:#?}\n{soft:#?}");
}

/// One flooder (4 honest peers) at `rate` asks/s from time 0, conditions held `2 × ttl_s`.
fn flood_at(share: f64, hardening: bool, rate: f64, ttl_s: f64, more: &str) -> Metrics {
    let attack = format!(
        "kind = \"ask_flood\"\nshare = {share}\nstart_s = 0.0\nflood_rate_per_s = {rate}\n{more}"
    );
    let policy = format!("fanout = \"flood\"\nconditions_ttl_s = {ttl_s}");
    metrics(&setup(&policy, hardening, &attack), 1)
}

/// [`flood_at`] 800 asks/s, conditions held 20 s: the tables fill in about 5 s.
fn flood(share: f64, hardening: bool) -> Metrics {
    flood_at(share, hardening, 800.0, 10.0, "")
}

#[test]
fn an_ask_flood_locks_peers_out_only_without_the_per_peer_quota() {
    let none = flood(0.0, true);
    let hard = flood(0.01, true);
    let soft = flood(0.01, false);
    assert_eq!(get(&hard, "attacked_peers"), 4.0);
    let coverage = |m: &Metrics| get(m, "coverage_after_attack");
    assert!(
        coverage(&hard) >= coverage(&none) - 0.005,
        "{none:#?}\n{hard:#?}"
    );
    assert!(get(&hard, "rejected_quota_exceeded") > 10_000.0);
    assert_eq!(get(&hard, "rejected_overloaded"), 0.0);
    // Unhardened, the four flooded peers stop receiving topics once their tables are full.
    assert!(
        coverage(&soft) <= coverage(&hard) - 0.015,
        "{hard:#?}\n{soft:#?}"
    );
    assert!(get(&soft, "rejected_overloaded") > 10_000.0);
    let cpu = |m: &Metrics| get(m, "attacked_peer_crypto_s");
    assert!(cpu(&soft) > 3.0 * cpu(&hard), "{hard:#?}\n{soft:#?}");
}

#[test]
fn revoking_the_flooders_restores_coverage() {
    // Conditions held 4 s, 2,000 asks/s: full in about 2 s, drained 4 s after the revocation.
    let soft = flood_at(0.01, false, 2000.0, 2.0, "revoke_at_s = 7.0");
    assert_eq!(get(&soft, "revoked_nodes"), 1.0);
    assert!(get(&soft, "rejected_certificate") > 1000.0, "{soft:#?}");
    let before = get(&soft, "coverage_before_revocation");
    let after = get(&soft, "coverage_after_revocation");
    assert!(after > before && after >= 0.99, "{soft:#?}");
    assert_eq!(get(&soft, "topics_before_revocation"), 3.0);
    // Without a revocation the recovery metrics are not reported, and nothing recovers.
    let kept = flood_at(0.01, false, 2000.0, 2.0, "");
    assert!(!kept.contains_key("coverage_after_revocation"));
    assert!(get(&kept, "coverage_after_attack") < get(&soft, "coverage_after_attack"));
}

/// pow_reuse: 2 attackers originating 0.3 topics/s, multibroadcast 3, 2 replays per proof.
fn reuse(hardening: bool) -> Metrics {
    let attack = "kind = \"pow_reuse\"\nshare = 0.02\nstart_s = 0.0\n\
                  chatterbox_rate_per_s = 0.3\nreplay_copies = 2";
    let policy = "fanout = \"flood\"\nmultibroadcast = 3";
    metrics(&setup(policy, hardening, attack), 1)
}

#[test]
fn without_hardening_one_proof_of_work_buys_several_acceptances() {
    let soft = reuse(false);
    assert!(get(&soft, "pow_replays") > 10.0, "{soft:#?}");
    assert!(get(&soft, "accepted_per_attacker_pow") > 1.2, "{soft:#?}");
}

/// The hardened middleman's conditions carry a fresh challenge per ask (issue 11 hole 4), so
/// a replayed nonce fails.
#[test]
fn with_hardening_a_replayed_proof_of_work_is_refused() {
    let hard = reuse(true);
    assert!(get(&hard, "pow_replays") > 10.0, "{hard:#?}");
    assert!(get(&hard, "rejected_pow_insufficient") >= get(&hard, "pow_replays") * 0.9);
    assert!(get(&hard, "accepted_per_attacker_pow") <= 1.0, "{hard:#?}");
}
