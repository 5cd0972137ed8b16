//! Attacks on small scenarios: each test runs the same world with and without an attack (or
//! under two policies) and asserts the direction of the attack's effect on measured numbers.

mod common;

use sgsim::engine::{run, RunOutput};
use sgsim::scenario::{parse, Scenario};
use std::collections::BTreeMap;
use std::path::Path;

/// What [`BASE`] and [`RELAYED`] share after their graph and roles: 6 topics, model-mode crypto.
macro_rules! workload {
    () => {
        r#"[workload]
arrivals = "fixed"
times_s = [1.0, 3.0, 5.0, 7.0, 9.0, 11.0]
topics_max = 6
reply_deadline_s = 3.0
[scale]
mode = "model"   # same decisions and traces as real crypto (tests/scale.rs), much cheaper
"#
    };
}

/// 80 nodes of degree 6, 4 customers, 8 gig workers whose service cells cover the whole
/// workload area, 6 topics.
const BASE: &str = concat!(
    r#"
name = "attack-test"
seed = 11
duration_s = 30.0
[graph]
generator = "random_regular"
nodes = 80
degree = 6
[roles]
customers = 4
gig_workers = 0.1
service_area_precision = 2
"#,
    workload!()
);

/// 120 nodes of degree 4 with only 2 gig workers: replies travel several hops, so paid routes
/// have middlemen (with [`BASE`]'s 8 workers most paid routes are one hop, without any).
const RELAYED: &str = concat!(
    r#"
name = "attack-test-relayed"
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
"#,
    workload!()
);

fn scenario(base: &str, extra: &str) -> Scenario {
    let text = format!("{base}{extra}");
    let file = parse(&text, Path::new("attack-test.toml")).expect("valid scenario");
    file.points[0].scenario.clone()
}

fn run_once(extra: &str, replicate: u32) -> RunOutput {
    run(&scenario(BASE, extra), replicate, Path::new(".")).expect("run")
}

/// Metrics of `base` + `extra`, averaged over replicates `0..replicates` (undefined values
/// skipped).
fn metrics_of(base: &str, extra: &str, replicates: u32) -> BTreeMap<String, f64> {
    common::mean_metrics(&scenario(base, extra), replicates)
}

/// Metrics of [`BASE`] + `extra`, averaged over two replicates.
fn metrics(extra: &str) -> BTreeMap<String, f64> {
    metrics_of(BASE, extra, 2)
}

/// An `[attack]` of `kind` under `fanout` (k = 2). It strikes at 0 (no warm-up) unless `more`
/// sets `start_s`.
fn attack(fanout: &str, kind: &str, share: f64, more: &str) -> String {
    let start = if more.contains("start_s") {
        ""
    } else {
        "start_s = 0.0\n"
    };
    format!(
        "[policy]\nfanout = \"{fanout}\"\nfanout_k = 2\n\
         [attack]\nkind = \"{kind}\"\nshare = {share}\n{start}{more}"
    )
}

/// Metric `k` of two runs, e.g. without and with an attack.
fn both(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>, k: &str) -> (f64, f64) {
    (get(a, k), get(b, k))
}

fn get(m: &BTreeMap<String, f64>, k: &str) -> f64 {
    *m.get(k)
        .unwrap_or_else(|| panic!("metric {k} undefined in {m:#?}"))
}

#[test]
fn an_attack_of_share_zero_is_the_honest_run() {
    for kind in [
        "silent",
        "sybil",
        "flash",
        "covert_flash",
        "inflate_invoice",
    ] {
        let honest = run_once(&attack("fixed", "none", 0.0, ""), 0);
        let zero = run_once(&attack("fixed", kind, 0.0, ""), 0);
        assert_eq!(honest.trace_sha256, zero.trace_sha256, "{kind}");
        for (k, v) in &honest.metrics.metrics {
            assert_eq!(zero.metrics.metrics.get(k), Some(v), "{kind}: {k}");
        }
    }
}

#[test]
fn attacked_runs_are_reproducible() {
    let more = "chatterbox_rate_per_s = 1.0\nstart_s = 20.0\n";
    let extra = attack("fixed", "chatterbox", 0.1, more);
    let (a, b) = (run_once(&extra, 1), run_once(&extra, 1));
    assert_eq!(a.trace_sha256, b.trace_sha256);
    assert_eq!(a.metrics, b.metrics);
    let other = run_once(&attack("fixed", "chatterbox", 0.2, more), 1);
    assert_ne!(a.trace_sha256, other.trace_sha256);
}

#[test]
fn silent_nodes_lower_coverage_at_a_fixed_fanout_but_not_when_flooding() {
    // Six replicates (36 topics): fixed fanout 2 covers about 0.89 of this world, and two
    // replicates read as low as 0.82.
    let base = metrics_of(BASE, &attack("fixed", "silent", 0.0, ""), 6);
    let hit = metrics_of(BASE, &attack("fixed", "silent", 0.3, ""), 6);
    let (c0, c1) = both(&base, &hit, "coverage_final");
    assert!(c0 > 0.8 && c1 < c0 - 0.3, "fixed: {c0} -> {c1}");
    assert_eq!(get(&hit, "corrupted_nodes"), 24.0);
    assert!(get(&hit, "attacker_frames_dropped") > 0.0);
    // Silent peers still answer asks, so honest originators solve proof of work for them.
    assert!(get(&hit, "attacker_frames") > 0.0);
    let flood = metrics(&attack("flood", "silent", 0.3, ""));
    assert!(get(&flood, "coverage_final") > 0.98, "{flood:#?}");
}

#[test]
fn a_chatterbox_loads_honest_nodes_but_never_beyond_the_multibroadcast_count() {
    let mb = "multibroadcast = 2\nreply_routes_max = 2\n";
    let extra = |share: f64| {
        format!(
            "[policy]\nfanout = \"fixed\"\nfanout_k = 2\n{mb}\
             [attack]\nkind = \"chatterbox\"\nshare = {share}\nchatterbox_rate_per_s = 4.0\n\
             chatterbox_replay = true\nstart_s = 12.0\n"
        )
    };
    let (base, hit) = (metrics(&extra(0.0)), metrics(&extra(0.2)));
    let load = |m: &BTreeMap<String, f64>| get(m, "honest_frames_received_per_node");
    assert!(
        load(&hit) > 3.0 * load(&base),
        "{} -> {}",
        load(&base),
        load(&hit)
    );
    assert!(
        get(&hit, "rejected_unknown_ask") > 100.0,
        "replays rejected"
    );
    assert!(
        get(&hit, "rejected_duplicate_payload") > 2.0 * get(&base, "rejected_duplicate_payload"),
        "repeated asks rejected"
    );
    assert!(get(&hit, "attacker_pow_hashes") > 0.0);
    assert!(get(&hit, "attacker_frames_injected") > 1000.0);
    // Every honest node verifies (and forwards) a payload id at most multibroadcast times,
    // and the chatterbox did push some of them to that limit.
    for m in [&base, &hit] {
        assert!(get(m, "honest_accepts_per_payload_max") <= 2.0);
    }
    let single = metrics(&attack(
        "fixed",
        "chatterbox",
        0.2,
        "chatterbox_replay = true\n",
    ));
    assert_eq!(
        get(&single, "honest_accepts_per_payload_max"),
        3.0,
        "workers: 3 routes"
    );
    assert!(get(&hit, "coverage_final") >= get(&base, "coverage_final") - 0.02);
}

#[test]
fn sybils_lower_coverage_at_a_fixed_fanout_and_earn_nothing() {
    let base = metrics(&attack("fixed", "sybil", 0.0, ""));
    let hit = metrics(&attack("fixed", "sybil", 0.3, ""));
    assert_eq!(get(&hit, "sybils"), 24.0);
    assert_eq!(get(&hit, "honest_nodes"), 80.0);
    let (c0, c1) = both(&base, &hit, "coverage_final");
    assert!(c1 < c0 - 0.2, "{c0} -> {c1}");
    assert_eq!(get(&hit, "fees_earned_per_adversary_node_sat"), 0.0);
    assert!(get(&hit, "fees_earned_per_honest_node_sat") > 0.0);
}

#[test]
fn sybil_certificates_do_not_matter_to_relaying() {
    // Relays never show their certificate (routing accounts are anonymous keys), so Sybils
    // from an untrusted authority relay exactly as trusted ones.
    for kind in ["sybil", "covert_flash"] {
        let t = run_once(
            &attack("fixed", kind, 0.3, "trusted_certificates = true\n"),
            0,
        );
        let u = run_once(
            &attack("fixed", kind, 0.3, "trusted_certificates = false\n"),
            0,
        );
        assert_eq!(t.trace_sha256, u.trace_sha256, "{kind}");
    }
}

#[test]
fn a_complete_eclipse_cuts_the_victim_off() {
    // 0.1 × 80 = 8 Sybils ≥ the victim's 6 peer slots.
    let base = metrics(&attack("flood", "eclipse", 0.0, "victim = 5\n"));
    let hit = metrics(&attack("flood", "eclipse", 0.1, "victim = 5\n"));
    assert!(
        get(&base, "victim_topics") >= 3.0,
        "every second topic is the victim's"
    );
    assert_eq!(get(&base, "victim_coverage"), 1.0);
    assert_eq!(get(&base, "victim_received_share"), 1.0);
    assert!(get(&base, "victim_replies_delivered") > 0.0);
    assert_eq!(get(&hit, "victim_coverage"), 0.0);
    assert_eq!(get(&hit, "victim_received_share"), 0.0);
    assert_eq!(get(&hit, "victim_replies_delivered"), 0.0);
    assert!(!hit.contains_key("victim_reply_latency_s"));
    // Everyone else is unaffected (the victim itself no longer verifies their topics).
    assert!(get(&hit, "nonvictim_coverage") > 0.97, "{hit:#?}");
    // The victim still paid proof of work to the Sybils for nothing.
    assert!(get(&hit, "frames_conditions") > 0.0);
}

#[test]
fn a_partial_eclipse_is_routed_around_by_flooding_but_not_by_a_small_fanout() {
    // 3 Sybils take 3 of the victim's 6 slots.
    let flood = metrics(&attack("flood", "eclipse", 0.04, "victim = 5\n"));
    assert_eq!(get(&flood, "victim_coverage"), 1.0);
    // A fanout of 2 is noisy: average over more replicates.
    let fixed = metrics_of(BASE, &attack("fixed", "eclipse", 0.04, "victim = 5\n"), 8);
    let base = metrics_of(BASE, &attack("fixed", "eclipse", 0.0, "victim = 5\n"), 8);
    let (v0, v1) = both(&base, &fixed, "victim_coverage");
    assert!(v1 < v0 - 0.1, "{v0} -> {v1}");
}

#[test]
fn censorship_lowers_the_targets_coverage_but_not_others() {
    // Randomly attached Sybils relay every topic but the victim's, wherever they are picked.
    let more = "victim = 5\nattach = \"random\"\n";
    let base = metrics_of(BASE, &attack("fixed", "censorship", 0.0, more), 8);
    let hit = metrics_of(BASE, &attack("fixed", "censorship", 0.3, more), 8);
    let (v0, v1) = both(&base, &hit, "victim_coverage");
    assert!(v1 < v0 - 0.3, "victim {v0} -> {v1}");
    let (o0, o1) = both(&base, &hit, "nonvictim_coverage");
    assert!(o1 > o0 - 0.03, "others {o0} -> {o1}");
    // The Sybils relay (and earn on) everyone else's traffic.
    assert!(get(&hit, "fees_earned_per_adversary_node_sat") > 0.0);
}

#[test]
fn cold_boot_sybils_take_honest_links_and_lower_coverage() {
    let base = metrics(&attack("fixed", "cold_boot", 0.0, ""));
    let hit = metrics(&attack("fixed", "cold_boot", 0.3, ""));
    let (c0, c1) = both(&base, &hit, "coverage_final");
    assert!(c1 < c0 - 0.2, "{c0} -> {c1}");
    // Honest degrees are kept, so a flooding network loses little.
    let flood = metrics(&attack("flood", "cold_boot", 0.3, ""));
    assert!(get(&flood, "coverage_final") > 0.95);
}

#[test]
fn flash_sybils_strike_at_start_s() {
    // Topics at 1, 3 and 5 s have spread before the strike; those at 7, 9 and 11 s have not.
    let more = "start_s = 6.9\n";
    let base = metrics(&attack("fixed", "flash", 0.0, more));
    let hit = metrics(&attack("fixed", "flash", 0.4, more));
    let (b0, b1) = both(&base, &hit, "coverage_before_attack");
    assert!((b0 - b1).abs() < 0.02, "before: {b0} vs {b1}");
    let (a0, a1) = both(&base, &hit, "coverage_after_attack");
    assert!(a1 < a0 - 0.3, "after: {a0} -> {a1}");
}

#[test]
fn covert_flash_sybils_help_and_earn_then_strike() {
    let more = "start_s = 6.0\n";
    let base = metrics(&attack("fixed", "covert_flash", 0.0, more));
    let hit = metrics(&attack("fixed", "covert_flash", 0.4, more));
    let before = |m: &BTreeMap<String, f64>| get(m, "coverage_before_attack");
    let after = |m: &BTreeMap<String, f64>| get(m, "coverage_after_attack");
    assert!(
        before(&hit) >= before(&base),
        "flooding Sybils help before the strike"
    );
    assert!(after(&hit) < after(&base) - 0.3);
    assert!(get(&hit, "fees_earned_per_adversary_node_sat") > 0.0);
    assert!(
        get(&hit, "fees_earned_per_honest_node_sat")
            > get(&hit, "fees_earned_per_adversary_node_sat")
    );
}

#[test]
fn inflated_invoices_are_never_paid() {
    let base = metrics(&attack("flood", "inflate_invoice", 0.0, ""));
    let hit = metrics(&attack(
        "flood",
        "inflate_invoice",
        0.3,
        "inflate_factor = 3.0\n",
    ));
    assert!(get(&hit, "replies_tampered") > 0.0);
    assert!(get(&hit, "rejected_inflated_invoice") > 0.0);
    assert_eq!(get(&hit, "inflated_invoices_paid"), 0.0);
    assert_eq!(get(&hit, "fees_earned_per_adversary_node_sat"), 0.0);
    // Senders pay honest routes instead.
    assert!(get(&hit, "replies_delivered") >= get(&base, "replies_delivered") - 1.0);
    assert_eq!(get(&hit, "fees_unbalanced_sat"), 0.0);
}

#[test]
fn withheld_settlements_fail_payments_and_senders_fall_back() {
    let base = metrics_of(RELAYED, &attack("flood", "withhold_invoice", 0.0, ""), 2);
    let hit = metrics_of(RELAYED, &attack("flood", "withhold_invoice", 0.3, ""), 2);
    // The reply looks honest (nothing rejected); the payment fails when the middleman does not
    // settle, and the sender pays another route.
    assert!(get(&hit, "invoices_withheld") > 0.0);
    assert_eq!(get(&hit, "rejected_missing_invoice"), 0.0);
    assert_eq!(get(&hit, "replies_tampered"), 0.0);
    assert!(get(&hit, "invoice_payment_failures") >= get(&hit, "invoices_withheld"));
    assert_eq!(get(&hit, "fees_earned_per_adversary_node_sat"), 0.0);
    assert!(get(&hit, "replies_delivered") > 0.0);
    assert!(get(&hit, "replies_delivered") <= get(&base, "replies_delivered"));
}

/// Inflating is caught when the reply arrives (the sender checks amounts against the signed
/// instructions) and the route is never paid; withholding passes that check, the cheapest route
/// is paid and fails. Same world, different events, different traces.
#[test]
fn inflate_and_withhold_measure_different_things() {
    let s = |kind| attack("flood", kind, 0.3, "");
    let trace = |kind, r| {
        let out = run(&scenario(RELAYED, &s(kind)), r, Path::new(".")).expect("run");
        out.trace_sha256
    };
    // Where no reply crosses a corrupted middleman the two runs are the honest run.
    assert!((0..3).any(|r| trace("inflate_invoice", r) != trace("withhold_invoice", r)));
    let inflate = metrics_of(RELAYED, &s("inflate_invoice"), 3);
    let withhold = metrics_of(RELAYED, &s("withhold_invoice"), 3);
    assert!(get(&inflate, "rejected_inflated_invoice") > 0.0);
    assert_eq!(get(&inflate, "invoices_withheld"), 0.0);
    assert!(get(&withhold, "invoices_withheld") > 0.0);
    assert_eq!(get(&withhold, "rejected_inflated_invoice"), 0.0);
    let failures = |m| get(m, "invoice_payment_failures");
    assert!(failures(&withhold) > failures(&inflate));
}

/// The warm-up: before `start_s` Sybils relay by flooding and earn, so coverage of the early
/// topics is not hurt; from the strike on they drop. Cold boot has no warm-up.
#[test]
fn every_attack_but_cold_boot_warms_up_before_it_strikes() {
    let more = "start_s = 6.0\n";
    let base = metrics_of(RELAYED, &attack("fixed", "sybil", 0.0, more), 2);
    let hit = metrics_of(RELAYED, &attack("fixed", "sybil", 0.3, more), 2);
    assert_eq!(get(&hit, "topics_before_attack"), 3.0);
    let (b0, b1) = both(&base, &hit, "coverage_before_attack");
    assert!(b1 >= b0 - 0.02, "before: {b0} -> {b1}");
    let (a0, a1) = both(&base, &hit, "coverage_after_attack");
    assert!(a1 < a0 - 0.2, "after: {a0} -> {a1}");
    // (Fees count when the sender pays, a reply deadline after the broadcast: Sybils are still
    // paid after the strike for routes they carried before it.)
    assert!(get(&hit, "fees_earned_per_adversary_node_before_attack_sat") > 0.0);
    let cold = metrics(&attack("fixed", "cold_boot", 0.3, more));
    assert_eq!(
        get(&cold, "topics_before_attack"),
        0.0,
        "cold boot strikes at 0"
    );
    assert_eq!(get(&cold, "topics_after_attack"), 6.0);
    assert_eq!(
        get(&cold, "fees_earned_per_adversary_node_before_attack_sat"),
        0.0
    );
}

/// Paper 4.3.3: censoring Sybils build a score by relaying everyone else's topics. Targeted
/// Sybils spread over the best-connected nodes, so they sit on paid reply routes.
#[test]
fn censoring_sybils_earn_before_the_strike_and_still_censor_after() {
    // Topic 1 s is paid at about 4 s, before the strike; the victim publishes at 1, 5 and 9 s.
    let more = "victim = 5\nattach = \"targeted\"\nstart_s = 4.5\n";
    let base = metrics_of(RELAYED, &attack("fixed", "censorship", 0.0, more), 4);
    let hit = metrics_of(RELAYED, &attack("fixed", "censorship", 0.3, more), 4);
    assert!(get(&hit, "fees_earned_per_adversary_node_before_attack_sat") > 0.0);
    assert!(get(&hit, "fees_earned_per_adversary_node_after_attack_sat") > 0.0);
    let (v0, v1) = both(&base, &hit, "victim_coverage");
    assert!(v1 < v0 - 0.2, "victim after the strike: {v0} -> {v1}");
    let (o0, o1) = both(&base, &hit, "nonvictim_coverage");
    assert!(o1 > o0 - 0.05, "others {o0} -> {o1}");
}

/// The chatterbox originates topics of its own and pays the proof of work its peers demand;
/// a higher difficulty keeps its device busy, so it starts fewer of the topics it tries.
#[test]
fn a_chatterbox_pays_proof_of_work_for_its_own_topics_and_is_throttled_by_it() {
    let extra = |share: f64, difficulty: f64| {
        format!(
            "[policy]\nfanout = \"fixed\"\nfanout_k = 2\npow_difficulty = {difficulty}\n\
             [attack]\nkind = \"chatterbox\"\nshare = {share}\nchatterbox_rate_per_s = 2.0\n\
             start_s = 4.0\n"
        )
    };
    let base = metrics_of(BASE, &extra(0.0, 256.0), 1);
    let easy = metrics_of(BASE, &extra(0.05, 256.0), 1);
    let hard = metrics_of(BASE, &extra(0.05, 400_000.0), 1);
    let tried = get(&easy, "chatterbox_topics_tried");
    assert!(
        tried > 4.0 * 2.0 * 20.0,
        "4 chatterboxes, 2/s, about 26 s: {tried}"
    );
    assert!(get(&easy, "chatterbox_broadcast_share") > 0.95, "{easy:#?}");
    assert!(
        get(&easy, "attacker_pow_hashes") > 0.0,
        "it pays for its own topics"
    );
    assert_eq!(get(&easy, "attacker_frames_injected"), 0.0, "no replays");
    assert!(get(&hard, "chatterbox_broadcast_share") < 0.7, "{hard:#?}");
    assert!(get(&hard, "attacker_pow_hashes") > 10.0 * get(&easy, "attacker_pow_hashes"));
    let load = |m: &BTreeMap<String, f64>| get(m, "honest_frames_received_per_node");
    assert!(
        load(&easy) > 2.0 * load(&base),
        "{} -> {}",
        load(&base),
        load(&easy)
    );
    // Honest topics are still measured (the chatterbox's own are not topics of the workload).
    assert_eq!(
        get(&easy, "topics_before_attack") + get(&easy, "topics_after_attack"),
        6.0
    );
}

#[test]
fn attacker_cost_counts_identities_and_the_honest_work_spent_on_adversaries() {
    let base = metrics(&attack("fixed", "sybil", 0.0, ""));
    let hit = metrics(&attack("fixed", "sybil", 0.3, "sybil_cost_sat = 50.0\n"));
    assert_eq!(get(&hit, "attacker_identities_created"), 24.0);
    assert_eq!(get(&hit, "attacker_identity_cost_sat"), 1200.0);
    assert_eq!(get(&base, "honest_pow_hashes_to_adversary"), 0.0);
    let wasted = get(&hit, "honest_pow_hashes_to_adversary");
    assert!(wasted > 0.0 && wasted < get(&hit, "honest_pow_hashes"));
    assert_eq!(
        wasted,
        get(&hit, "honest_pow_hashes_to_adversary_after_attack")
    );
    let share = get(&hit, "honest_pow_share_to_adversary");
    assert!(share > 0.0 && share < 1.0, "{share}");
}

#[test]
fn the_strike_time_and_identity_cost_are_validated() {
    let err = |extra: &str| {
        let text = format!("{BASE}{extra}");
        parse(&text, Path::new("x.toml"))
            .err()
            .map(|e| e.to_string())
    };
    let late = err("[attack]\nkind = \"silent\"\nshare = 0.1\nstart_s = 30.0\n");
    assert!(late.is_some_and(|e| e.contains("attack.start_s")));
    // Cold boot strikes at 0 and ignores start_s.
    assert_eq!(
        err("[attack]\nkind = \"cold_boot\"\nstart_s = 30.0\n"),
        None
    );
    let cost = err("[attack]\nkind = \"sybil\"\nsybil_cost_sat = -1.0\n");
    assert!(cost.is_some_and(|e| e.contains("attack.sybil_cost_sat")));
}

/// 60 nodes of degree 6, 40 topics at 2 per second: enough paid replies for reputation scores
/// to build before `start_s` and to move after it.
const LONG: &str = r#"
name = "attack-test-long"
seed = 11
duration_s = 30.0
[graph]
generator = "random_regular"
nodes = 60
degree = 6
[roles]
customers = 4
gig_workers = 0.1
service_area_precision = 2
[workload]
arrivals = "poisson"
rate_per_s = 2.0
topics_max = 40
start_s = 0.5
reply_deadline_s = 2.0
"#;

#[test]
fn reputation_recovers_coverage_as_a_covert_flash_goes_on() {
    // Before start_s the Sybils flood and bring back paid replies, so reputation ranks them
    // high; after it, only honest peers keep earning score. Coverage of the topics published
    // after the strike, split into their first and second halves:
    let run = |fanout: &str| {
        let extra = format!(
            "[policy]\nfanout = \"{fanout}\"\nfanout_k = 2\n\
             [attack]\nkind = \"covert_flash\"\nshare = 0.4\nstart_s = 6.0\n"
        );
        let m = metrics_of(LONG, &extra, 8);
        (
            get(&m, "coverage_after_attack_first_half"),
            get(&m, "coverage_after_attack_second_half"),
        )
    };
    let (fixed, reputation) = (run("fixed"), run("reputation"));
    assert!(
        reputation.1 > reputation.0,
        "reputation learns: {reputation:?}"
    );
    assert!(
        reputation.1 - reputation.0 > fixed.1 - fixed.0,
        "fixed {fixed:?} vs reputation {reputation:?}"
    );
}

#[test]
fn reputation_built_before_a_flash_keeps_more_coverage_than_a_fixed_fanout() {
    // Flash Sybils arrive with no score, while honest peers already earned some.
    let run = |fanout: &str| {
        let extra = format!(
            "[policy]\nfanout = \"{fanout}\"\nfanout_k = 2\n\
             [attack]\nkind = \"flash\"\nshare = 0.4\nstart_s = 6.0\n"
        );
        get(&metrics_of(LONG, &extra, 4), "coverage_after_attack")
    };
    let (fixed, reputation) = (run("fixed"), run("reputation"));
    assert!(
        reputation > fixed + 0.05,
        "fixed {fixed}, reputation {reputation}"
    );
}
