//! Every kind of rejection names the file, line, column, key and what is
//! allowed.

use super::tests::{MINIMAL, PATH};
use super::*;

/// Appended text starts on this line of `MINIMAL + text`.
const NEXT: usize = 8;

fn fail(text: &str) -> ScenarioError {
    match parse(text, Path::new(PATH)) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e,
    }
}

/// Asserts the error is at `line:column`, about `key`, and mentions every
/// needle; returns it.
fn check(text: &str, line: usize, column: usize, key: &str, needles: &[&str]) -> ScenarioError {
    let e = fail(text);
    let shown = e.to_string();
    let d = e
        .diagnostic()
        .unwrap_or_else(|| panic!("no diagnostic: {shown}"));
    assert_eq!(d.path, Path::new(PATH));
    assert_eq!((d.line, d.column), (line, column), "{shown}");
    assert_eq!(d.key.as_deref(), Some(key), "{shown}");
    let prefix = format!("{PATH}:{line}:{column}: key `{key}`: ");
    assert!(
        shown.starts_with(&prefix),
        "{shown}\nshould start with {prefix}"
    );
    for needle in needles {
        assert!(shown.contains(needle), "{shown}\nshould mention {needle}");
    }
    assert!(shown.lines().count() <= 2, "{shown}");
    e
}

fn with(extra: &str) -> String {
    format!("{MINIMAL}{extra}")
}

#[test]
fn syntax_error() {
    let e = fail("name = \"x\"\nseed = 1\n[graph\ngenerator = \"complete\"\n");
    assert!(matches!(e, ScenarioError::Syntax(_)));
    let shown = e.to_string();
    assert!(
        shown.starts_with("scenarios/foo.toml:3:7: TOML syntax error: "),
        "{shown}"
    );
    assert!(shown.contains("`]`"), "{shown}");
    assert!(!shown.contains('\n'), "{shown}");

    let e = fail(&with("[policy]\nfanout_k = 1\nfanout_k = 2\n"));
    let d = e.diagnostic().unwrap();
    assert_eq!(d.line, NEXT + 2);
    assert!(e.to_string().contains("duplicate key"), "{e}");
}

#[test]
fn unknown_key_lists_allowed_keys() {
    let e = check(
        &with("[policy]\nfanot = 3\n"),
        NEXT + 1,
        1,
        "policy.fanot",
        &[
            "unknown key `fanot`",
            "`fanout`",
            "`fanout_k`",
            "`conditions_ttl_s`",
        ],
    );
    assert!(matches!(e, ScenarioError::UnknownKey(_)));
    assert!(
        e.to_string().ends_with("hint: did you mean `fanout`?"),
        "{e}"
    );

    let e = check(
        &with("[polcy]\nfanout = \"flood\"\n"),
        NEXT,
        1,
        "polcy",
        &["`policy`", "`graph`", "`scale`"],
    );
    assert!(matches!(e, ScenarioError::UnknownKey(_)));

    // Inside the internally tagged graph table.
    check(
        "name = \"x\"\nseed = 1\n[graph]\ngenerator = \"complete\"\nnodes = 5\ndegre = 3\n",
        6,
        1,
        "graph.degre",
        &["unknown key `degre`", "`nodes`"],
    );
    check(
        &with("[workload]\nbbox = { lat_min = 1.0, lat_max = 2.0, lon_min = 0.0, lon_max = 1.0, alt = 3 }\n"),
        NEXT + 1,
        70,
        "workload.bbox.alt",
        &["`lat_min`", "`lon_max`"],
    );
}

#[test]
fn wrong_type_names_the_expected_type() {
    let e = check(
        "name = \"x\"\nseed = 1\n\n[graph]\ngenerator = \"complete\"\nnodes = \"many\"\n",
        6,
        9,
        "graph.nodes",
        &[
            "invalid type: string \"many\"",
            "expected an integer in 0..=4294967295",
        ],
    );
    assert!(matches!(e, ScenarioError::WrongType(_)));
    check(
        "name = \"x\"\nseed = 1\nduration_s = \"long\"\n[graph]\ngenerator = \"complete\"\nnodes = 5\n",
        3,
        14,
        "duration_s",
        &["expected a number"],
    );
    check(
        &with("[attack]\ntrusted_certificates = 1\n"),
        NEXT + 1,
        24,
        "attack.trusted_certificates",
        &["expected a boolean"],
    );
    check(
        &with("[policy]\nfanout_k = -3\n"),
        NEXT + 1,
        12,
        "policy.fanout_k",
        &["integer `-3`", "expected an integer in 0..=4294967295"],
    );
    check(
        &with("[roles]\ncustomers = 2.5\n"),
        NEXT + 1,
        13,
        "roles.customers",
        &["2.5", "a whole count", "a fraction of the nodes in [0, 1)"],
    );
    let e = check(
        &with("[policy]\nfanout_k = []\n"),
        NEXT + 1,
        12,
        "policy.fanout_k",
        &["invalid type: sequence", "hint: a list sweeps a key"],
    );
    assert!(matches!(e, ScenarioError::WrongType(_)));
    let e = check(
        &with("[[policy]]\nfanout_k = 3\n"),
        NEXT,
        1,
        "policy",
        &["list of tables", "write `[policy]`"],
    );
    assert!(matches!(e, ScenarioError::WrongType(_)));
    check(
        "name = \"x\"\nseed = 1\ngraph = \"complete\"\n",
        3,
        9,
        "graph",
        &["string \"complete\"", "expected a table"],
    );
    check(
        &with("[network]\nlatency = [[1.0], [2.0]]\n"),
        NEXT + 1,
        12,
        "network.latency",
        &[
            "expected a name (a string)",
            "(sweep value 1 of 2: `[1.0]`)",
        ],
    );
}

#[test]
fn unknown_enum_value_lists_the_variants() {
    let e = check(
        &with("[policy]\nfanout = \"gossipy\"\n"),
        NEXT + 1,
        10,
        "policy.fanout",
        &[
            "unknown value `gossipy`",
            "`flood`",
            "`fixed`",
            "`probabilistic`",
            "`logarithmic`",
            "`adaptive`",
            "`reputation`",
        ],
    );
    assert!(matches!(e, ScenarioError::UnknownValue(_)));
    check(
        "name = \"x\"\nseed = 1\n[graph]\ngenerator = \"rando\"\nnodes = 5\n",
        4,
        13,
        "graph.generator",
        &["`random_regular`", "`erdos_renyi`", "`edge_list`"],
    );
    check(
        &with("[attack]\nkind = \"sibyl\"\n"),
        NEXT + 1,
        8,
        "attack.kind",
        &[
            "`sybil`",
            "`covert_flash`",
            "`withhold_invoice`",
            "did you mean `sybil`?",
        ],
    );
}

#[test]
fn missing_required_keys_are_named() {
    let e = check(
        "name = \"x\"\nseed = 1\n",
        1,
        1,
        "graph",
        &[
            "required key is missing",
            "hint: add a [graph] table",
            "`random_regular`",
        ],
    );
    assert!(matches!(e, ScenarioError::MissingKey(_)));
    check(
        "name = \"x\"\n\n[graph]\ngenerator = \"complete\"\nnodes = 5\n",
        1,
        1,
        "seed",
        &["required key is missing"],
    );
    check(
        "name = \"x\"\nseed = 1\n\n[graph]\nnodes = 5\n",
        4,
        1,
        "graph.generator",
        &["required key is missing", "`complete`", "`torus`"],
    );
    check(
        "name = \"x\"\nseed = 1\n[graph]\ngenerator = \"random_regular\"\nnodes = 5\n",
        3,
        1,
        "graph.degree",
        &["required key is missing"],
    );
    check(
        &with("[workload]\nbbox = { lat_min = 1.0, lat_max = 2.0, lon_min = 0.0 }\n"),
        NEXT + 1,
        1,
        "workload.bbox.lon_max",
        &["required key is missing"],
    );
}

#[test]
fn fanout_k_zero_reads_exactly() {
    let e = fail(&with("[policy]\nfanout = \"fixed\"\nfanout_k = 0\n"));
    assert!(matches!(e, ScenarioError::InvalidValue(_)));
    assert_eq!(
        e.to_string(),
        "scenarios/foo.toml:10:1: key `policy.fanout_k`: must be at least 1, got 0"
    );
}

#[test]
fn impossible_top_level_values_are_rejected_with_their_range() {
    let top = |extra: &str| {
        format!("name = \"x\"\nseed = 1\n{extra}\n[graph]\ngenerator = \"complete\"\nnodes = 10\n")
    };
    check(
        &top("replicates = 0"),
        3,
        1,
        "replicates",
        &["must be at least 1, got 0"],
    );
    check(
        &top("duration_s = 0.0"),
        3,
        1,
        "duration_s",
        &["greater than 0, got 0.0"],
    );
    check(
        &top("duration_s = -5"),
        3,
        1,
        "duration_s",
        &["greater than 0, got -5.0"],
    );
    check(
        &top("duration_s = nan"),
        3,
        1,
        "duration_s",
        &["finite number, got NaN"],
    );
    check(&top("name2 = 1"), 3, 1, "name2", &["unknown key"]);
    check(
        "name = \" \"\nseed = 1\n[graph]\ngenerator = \"complete\"\nnodes = 3\n",
        1,
        1,
        "name",
        &["must not be empty"],
    );
    check(
        "name = \"x\"\nseed = 1\n[graph]\ngenerator = \"complete\"\nnodes = 0\n",
        5,
        1,
        "graph.nodes",
        &["must be at least 1, got 0"],
    );
    check(
        "name = \"x\"\nseed = 1\n[graph]\ngenerator = \"grid\"\nrows = 3\ncols = 0\n",
        6,
        1,
        "graph.cols",
        &["must be at least 1, got 0"],
    );
}

#[test]
fn impossible_table_values_are_rejected_with_their_range() {
    let cases: &[(&str, usize, &str, &[&str])] = &[
        ("[workload]\nrate_per_s = -0.2\n", 1, "workload.rate_per_s", &["at least 0.0, got -0.2"]),
        ("[network]\npacket_loss_probability = 1.5\n", 1, "network.packet_loss_probability", &["probability in [0.0, 1.0], got 1.5"]),
        ("[payments]\nfailure_probability = -0.1\n", 1, "payments.failure_probability", &["[0.0, 1.0]", "-0.1"]),
        ("[policy]\nfanout_p = 2.0\n", 1, "policy.fanout_p", &["[0.0, 1.0], got 2.0"]),
        ("[policy]\nadaptive_k_min = 5\nadaptive_k_max = 3\n", 2, "policy.adaptive_k_max", &["at least policy.adaptive_k_min (5), got 3"]),
        ("[network]\nchurn_fraction = 1.01\n", 1, "network.churn_fraction", &["[0.0, 1.0]"]),
        ("[network]\none_way_delay_ms_min = 80.0\n", 1, "network.one_way_delay_ms_min", &["one_way_delay_ms_mean (50.0), got 80.0"]),
        ("[device]\nhash_rate_per_s = 0.0\n", 1, "device.hash_rate_per_s", &["greater than 0"]),
        ("[workload]\nprecision = 13\n", 1, "workload.precision", &["1..=12, got 13"]),
        ("[policy]\ngeohash_precision_max = 0\n", 1, "policy.geohash_precision_max", &["1..=12, got 0"]),
        ("[roles]\nservice_area_precision = 0\n", 1, "roles.service_area_precision", &["1..=12, got 0"]),
        ("[roles]\nservice_area_precision = 9\n", 1, "roles.service_area_precision", &["must not exceed workload.precision (7), got 9"]),
        ("[roles]\ncustomers = 0.6\ngig_workers = 0.6\n", 2, "roles.gig_workers", &["customers (30) + gig_workers (30)", "node count (50), got 60"]),
        ("[roles]\ncustomers = 30\ngig_workers = 30\n", 2, "roles.gig_workers", &["must not exceed the node count (50), got 60"]),
        ("[roles]\ncustomers = 51\n", 1, "roles.customers", &["node count (50), got 51"]),
        ("[roles]\ncustomers = 0\n", 1, "roles.customers", &["at least 1 customer"]),
        ("[roles]\ngig_workers = 0.5\n[attack]\nkind = \"silent\"\nshare = 0.5\n", 4, "attack.share", &["attackers (25)", "node count (50), got 51"]),
        ("[attack]\nkind = \"silent\"\nshare = 1.5\n", 2, "attack.share", &["fraction in [0.0, 1.0], got 1.5"]),
        ("[attack]\nvictim = 50\n", 1, "attack.victim", &["below the node count (50), got 50"]),
        ("[attack]\nkind = \"flash\"\nstart_s = 60.0\n", 2, "attack.start_s", &["before the end of the run (duration_s = 60.0)"]),
        ("[attack]\ninflate_factor = 0.5\n", 1, "attack.inflate_factor", &["at least 1.0, got 0.5"]),
        ("[protocol]\nonion_hops = 3\n", 1, "protocol.onion_hops", &["in [4, 64]", "decoy", "got 3"]),
        ("[protocol]\nonion_hops = 65\n", 1, "protocol.onion_hops", &["in [4, 64]", "max_hops", "got 65"]),
        ("[workload]\nbbox = { lat_min = -10.0, lat_max = -20.0, lon_min = 0.0, lon_max = 1.0 }\n", 1, "workload.bbox.lat_min", &["below lat_max (-20.0), got -10.0"]),
        ("[workload]\nbbox = { lat_min = -10.0, lat_max = 91.0, lon_min = 0.0, lon_max = 1.0 }\n", 1, "workload.bbox.lat_max", &["latitude in [-90.0, 90.0], got 91.0"]),
        ("[workload]\nbbox = { lat_min = -10.0, lat_max = 10.0, lon_min = -181.0, lon_max = 1.0 }\n", 1, "workload.bbox.lon_min", &["longitude in [-180.0, 180.0]"]),
        ("[workload]\narrivals = \"fixed\"\n", 0, "workload.times_s", &["at least one time", "not set in the file"]),
        ("[workload]\ntimes_s = [3.0, 1.0]\n", 1, "workload.times_s", &["ascending order, got 1.0 after 3.0"]),
        ("[workload]\ntimes_s = [90.0]\n", 1, "workload.times_s", &["before the end of the run"]),
        ("[workload]\ntimes_s = [1.0, 55.5]\n", 1, "workload.times_s", &["published at 55.5 s cannot finish", "reply_deadline_s = 55.0 s"]),
    ];
    for (extra, offset, key, needles) in cases {
        let text = with(extra);
        let e = fail(&text);
        let line = NEXT + offset;
        let column = match e.diagnostic() {
            // bbox keys live inside the inline table
            Some(d) if key.starts_with("workload.bbox.") => d.column,
            _ => 1,
        };
        let e2 = check(&text, line, column, key, needles);
        assert!(matches!(e2, ScenarioError::InvalidValue(_)), "{e2}");
    }
}

#[test]
fn graph_generator_checks_are_reported_in_the_graph_table() {
    for (text, key_prefix) in [
        (
            "name = \"x\"\nseed = 1\n[graph]\ngenerator = \"random_regular\"\nnodes = 5\ndegree = 8\n",
            "graph",
        ),
        (
            "name = \"x\"\nseed = 1\n[graph]\ngenerator = \"erdos_renyi\"\nnodes = 5\np = 1.5\n",
            "graph",
        ),
    ] {
        let e = fail(text);
        let d = e.diagnostic().unwrap();
        assert!(matches!(e, ScenarioError::InvalidValue(_)), "{e}");
        assert!((3..=6).contains(&d.line), "{e}");
        assert!(d.key.as_deref().unwrap().starts_with(key_prefix), "{e}");
        assert!(e.to_string().starts_with("scenarios/foo.toml:"), "{e}");
    }
}

#[test]
fn swept_values_are_blamed_individually() {
    let e = check(
        &with("[policy]\nfanout_k = [2, 0, 4]\n"),
        NEXT + 1,
        16,
        "policy.fanout_k",
        &["must be at least 1, got 0", "(sweep value 2 of 3: `0`)"],
    );
    assert!(matches!(e, ScenarioError::InvalidValue(_)));
    check(
        &with("[policy]\nfanout = [\"fixed\", \"gossipy\"]\n"),
        NEXT + 1,
        20,
        "policy.fanout",
        &[
            "unknown value `gossipy`",
            "`reputation`",
            "(sweep value 2 of 2: `gossipy`)",
        ],
    );
    check(
        "name = \"x\"\nseed = 1\n[graph]\ngenerator = \"complete\"\nnodes = [5, \"x\"]\n",
        5,
        13,
        "graph.nodes",
        &["invalid type: string \"x\"", "(sweep value 2 of 2: `x`)"],
    );
    check(
        "name = \"x\"\nseed = 1\n[graph]\ngenerator = \"complete\"\nnodes = [10, 2]\n[roles]\ncustomers = 3\n",
        7,
        1,
        "roles.customers",
        &["node count (2), got 3", "(at sweep point 2 of 2: graph.nodes = 2)"],
    );
    check(
        &with("[workload]\ntimes_s = [[1.0], [5.0, 2.0]]\n"),
        NEXT + 1,
        19,
        "workload.times_s",
        &["ascending order", "(sweep value 2 of 2: `[5.0, 2.0]`)"],
    );
}

#[test]
fn sweep_misuse() {
    for (text, line, key) in [
        ("name = \"x\"\nseed = [1, 2]\n[graph]\ngenerator = \"complete\"\nnodes = 5\n", 2, "seed"),
        ("name = [\"a\", \"b\"]\nseed = 1\n[graph]\ngenerator = \"complete\"\nnodes = 5\n", 1, "name"),
        ("name = \"x\"\nseed = 1\nreplicates = [1, 5]\n[graph]\ngenerator = \"complete\"\nnodes = 5\n", 3, "replicates"),
    ] {
        let e = check(text, line, 1, key, &["cannot be swept", "hint: "]);
        assert!(matches!(e, ScenarioError::Sweep(_)));
    }
    let many: Vec<String> = (1..=30).map(|i| i.to_string()).collect();
    let list = many.join(", ");
    let e = check(
        &with(&format!(
            "[policy]\nfanout_k = [{list}]\nmultibroadcast = [{list}]\nreply_routes_max = [{list}]\n"
        )),
        NEXT + 3,
        1,
        "policy.reply_routes_max",
        &["27000 points", "limit of 10000", "policy.fanout_k (30)"],
    );
    assert!(matches!(e, ScenarioError::Sweep(_)));
    let e = check(
        &with("[workload]\ntimes_s = [[1.0, 2.0], 3.0]\n"),
        NEXT + 1,
        1,
        "workload.times_s",
        &["list of lists"],
    );
    assert!(matches!(e, ScenarioError::Sweep(_)));
}

#[test]
fn default_values_are_blamed_on_their_section() {
    let e = fail(&with("[workload]\nprecision = 3\n"));
    let shown = e.to_string();
    let d = e.diagnostic().unwrap();
    assert_eq!(d.key.as_deref(), Some("roles.service_area_precision"));
    assert_eq!((d.line, d.column), (1, 1), "{shown}");
    assert!(
        shown.contains("not set in the file: this is the default"),
        "{shown}"
    );

    let e = fail(&with("[roles]\ncustomers = 1\n[workload]\nprecision = 3\n"));
    let d = e.diagnostic().unwrap();
    assert_eq!((d.line, d.column), (NEXT, 1), "{e}");
}

fn named(name: &str) -> String {
    format!("name = {name:?}\nseed = 1\n[graph]\ngenerator = \"complete\"\nnodes = 3\n")
}

#[test]
fn a_name_must_be_a_plain_folder_name() {
    for bad in [
        "../victim",
        "a/b",
        "/abs",
        ".",
        "..",
        ".hidden",
        "a b",
        "a\\b",
        "é",
    ] {
        check(
            &named(bad),
            1,
            1,
            "name",
            &[
                "letters, digits",
                "'-', '_' or '.'",
                &format!("got {bad:?}"),
            ],
        );
    }
    let long = "a".repeat(MAX_NAME_LEN + 1);
    check(&named(&long), 1, 1, "name", &["1 to 100"]);
    for good in ["quickstart", "attack-cold_boot.v2", "A1"] {
        assert_eq!(super::tests::ok(&named(good)).name, good);
    }
}

#[test]
fn seeds_take_the_whole_u64_range_as_integer_or_digit_string() {
    let with_seed = |seed: &str| {
        format!("name = \"x\"\nseed = {seed}\n[graph]\ngenerator = \"complete\"\nnodes = 3\n")
    };
    for (text, want) in [
        ("9223372036854775807", i64::MAX as u64),
        ("\"9223372036854775808\"", 1 << 63),
        ("\"18446744073709551615\"", u64::MAX),
        ("\"7\"", 7),
    ] {
        let file = super::tests::ok(&with_seed(text));
        let seed = file.points[0].scenario.seed;
        assert_eq!(seed, want, "{text}");
        // The resolved file writes it back so that it reads again as the same seed.
        let again = ScenarioFile::from_resolved_toml(&file.resolved_toml(), Path::new("r"));
        assert_eq!(again.unwrap().points[0].scenario.seed, want);
    }
    for bad in ["-1", "\"18446744073709551616\"", "\"0x10\"", "\"\"", "1.5"] {
        check(&with_seed(bad), 2, 8, "seed", &["18446744073709551615"]);
    }
    let big = super::tests::ok(&with_seed("\"18446744073709551615\"")).resolved_toml();
    let other = super::tests::ok(&with_seed("\"18446744073709551614\"")).resolved_toml();
    assert!(big.contains("seed = \"18446744073709551615\""), "{big}");
    assert_ne!(big, other);
}

#[test]
fn values_are_bounded_by_what_is_meaningful() {
    let cases: [(&str, &str); 8] = [
        (
            "[workload]\nmessage_bytes = 65537",
            "workload.message_bytes",
        ),
        ("[workload]\ntopics_max = 1000001", "workload.topics_max"),
        ("[workload]\nrate_per_s = 1e7", "workload.rate_per_s"),
        ("[policy]\npow_difficulty = 1e300", "policy.pow_difficulty"),
        ("[network]\njitter_ms_mean = 1e9", "network.jitter_ms_mean"),
        (
            "[network]\nlognormal_sigma = 11.0",
            "network.lognormal_sigma",
        ),
        ("[device]\nhash_rate_per_s = 1e16", "device.hash_rate_per_s"),
        (
            "[attack]\nchatterbox_rate_per_s = 1e7",
            "attack.chatterbox_rate_per_s",
        ),
    ];
    for (extra, key) in cases {
        let e = fail(&with(&format!("{extra}\n")));
        let d = e.diagnostic().expect("a located error");
        assert_eq!(d.key.as_deref(), Some(key), "{e}");
        assert!(e.to_string().contains("at most"), "{e}");
    }
    let top = |extra: &str| {
        format!("name = \"x\"\nseed = 1\n{extra}\n[graph]\ngenerator = \"complete\"\nnodes = 3\n")
    };
    check(
        &top("replicates = 100001"),
        3,
        1,
        "replicates",
        &["at most 100000"],
    );
    check(&top("duration_s = 1e8"), 3, 1, "duration_s", &["at most"]);
    // A proof of work that takes longer than the run on average is refused.
    let e = fail(&with("[policy]\npow_difficulty = 1e9\n"));
    assert!(e.to_string().contains("longer than the run"), "{e}");
}
