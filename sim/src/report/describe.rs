//! The report's description of the scenario, generated from the resolved sweep in the result
//! folder's `scenario.toml`, so it always states what was simulated (a hand-written comment in
//! the scenario file can go stale; this cannot).

use std::collections::BTreeMap;

use toml::Value;

/// One paragraph naming the graph, roles, workload, fanout policy, network, attack and run
/// length of the resolved sweep `text` (a result folder's `scenario.toml`). A swept key lists
/// its values with "(swept)". `None` when `text` is not a resolved sweep.
pub(crate) fn describe(text: &str) -> Option<String> {
    let doc: Value = toml::from_str(text).ok()?;
    let points = doc.get("points")?.as_array()?;
    let first = points.first()?.get("scenario")?;
    let swept = |key: &str| -> Option<String> {
        let mut values: Vec<String> = Vec::new();
        for p in points {
            let params = p.get("params")?.as_array()?;
            for pair in params {
                let pair = pair.as_array()?;
                let (k, v) = (pair.first()?.as_str()?, pair.get(1)?.as_str()?);
                if k == key && !values.iter().any(|x| x == v) {
                    values.push(v.to_owned());
                }
            }
        }
        (!values.is_empty()).then(|| format!("{} (swept)", values.join(", ")))
    };
    let get = |section: &str, key: &str| -> String {
        let dotted = format!("{section}.{key}");
        swept(&dotted).unwrap_or_else(|| {
            first
                .get(section)
                .and_then(|s| s.get(key))
                .map_or_else(|| "?".to_owned(), plain)
        })
    };
    let graph = first.get("graph")?.as_table()?;
    let graph_params: Vec<String> = graph
        .keys()
        .filter(|k| *k != "generator")
        .map(|k| format!("{k} {}", get("graph", k)))
        .collect();
    let mut s = format!(
        "Graph: {} ({}). Roles: {} customers, gig workers {}. Workload: {} arrivals, reply \
         deadline {} s. Fanout policy: {}. Network: {} latency, mean one-way delay {} ms, \
         packet loss {}, churn {}. ",
        get("graph", "generator"),
        graph_params.join(", "),
        get("roles", "customers"),
        get("roles", "gig_workers"),
        get("workload", "arrivals"),
        get("workload", "reply_deadline_s"),
        get("policy", "fanout"),
        get("network", "latency"),
        get("network", "one_way_delay_ms_mean"),
        get("network", "packet_loss_probability"),
        get("network", "churn_fraction"),
    );
    let kind = get("attack", "kind");
    if kind == "none" {
        s.push_str("No attack. ");
    } else {
        s.push_str(&format!(
            "Attack: {kind}, attacker share {}. ",
            get("attack", "share")
        ));
    }
    let duration = first
        .get("duration_s")
        .map_or_else(|| "?".to_owned(), plain);
    s.push_str(&format!("{duration} virtual seconds per run."));
    Some(s)
}

/// The attack of every point of the resolved sweep `text`: point index → (kind, share), from
/// each point's `[points.scenario.attack]` (kind "none", share 0 where the section is absent).
/// `None` when `text` is not a resolved sweep.
pub(crate) fn attacks(text: &str) -> Option<BTreeMap<usize, (String, f64)>> {
    let doc: Value = toml::from_str(text).ok()?;
    let mut out = BTreeMap::new();
    for (i, p) in doc.get("points")?.as_array()?.iter().enumerate() {
        let index = p
            .get("index")
            .and_then(Value::as_integer)
            .and_then(|x| usize::try_from(x).ok())
            .unwrap_or(i);
        let attack = p.get("scenario").and_then(|s| s.get("attack"));
        let kind = attack
            .and_then(|a| a.get("kind"))
            .and_then(Value::as_str)
            .unwrap_or("none");
        let share = attack
            .and_then(|a| a.get("share"))
            .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|x| x as f64)))
            .unwrap_or(0.0);
        out.insert(index, (kind.to_owned(), share));
    }
    Some(out)
}

/// A TOML value as plain text: strings without quotes, everything else as TOML writes it.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn states_swept_and_fixed_values_of_the_resolved_sweep() {
        let text = include_str!("../../../reports/quickstart/scenario.toml");
        let s = describe(text).unwrap();
        assert!(
            s.starts_with("Graph: random_regular (degree 8, nodes 500). Roles: 5 customers"),
            "{s}"
        );
        assert!(
            s.contains("Fanout policy: flood, fixed, logarithmic (swept)."),
            "{s}"
        );
        assert!(
            s.contains("No attack.") && s.ends_with("30.0 virtual seconds per run."),
            "{s}"
        );
        let eclipse = include_str!("../../../reports/attack-eclipse/scenario.toml");
        let e = describe(eclipse).unwrap();
        assert!(
            e.contains("Attack: eclipse, attacker share 0.0, 0.012"),
            "{e}"
        );
        assert_eq!(describe("name = \"x\"\n"), None);
        let a = attacks(eclipse).unwrap();
        assert_eq!(a.len(), 12);
        assert_eq!(a[&3], ("eclipse".to_owned(), 0.04));
        assert_eq!(a[&4], ("eclipse".to_owned(), 0.0));
        let q = attacks(text).unwrap();
        assert_eq!(q[&0], ("none".to_owned(), 0.0));
    }
}
