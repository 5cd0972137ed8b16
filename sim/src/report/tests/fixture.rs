//! Hand-written result folders for the tests.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// One run of a fixture.
pub(super) struct Run {
    pub point: usize,
    pub rep: usize,
    pub metrics: Vec<(&'static str, Option<f64>)>,
    pub dists: Vec<(&'static str, Vec<f64>)>,
}

/// A result folder written by hand, as the engine would.
pub(super) struct Fixture {
    pub name: &'static str,
    pub description: &'static str,
    pub swept: Vec<&'static str>,
    pub points: Vec<Vec<(&'static str, &'static str)>>,
    pub runs: Vec<Run>,
    pub coverage: bool,
    pub sweep_json: bool,
    /// Attack kind written into `scenario.toml`'s resolved points (none: no points written).
    pub attack: Option<&'static str>,
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "null".to_string(), |x| format!("{x}"))
}

fn params_json(params: &[(&str, &str)]) -> String {
    let items: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("[\"{k}\", \"{v}\"]"))
        .collect();
    format!("[{}]", items.join(", "))
}

impl Fixture {
    /// A sweep of `swept` with no points or runs yet, writing coverage and `sweep.json`, no
    /// attack.
    pub(super) fn new(
        name: &'static str,
        description: &'static str,
        swept: Vec<&'static str>,
    ) -> Self {
        Self {
            name,
            description,
            swept,
            points: Vec::new(),
            runs: Vec::new(),
            coverage: true,
            sweep_json: true,
            attack: None,
        }
    }

    pub(super) fn run(
        &mut self,
        point: usize,
        rep: usize,
        metrics: &[(&'static str, Option<f64>)],
    ) {
        self.runs.push(Run {
            point,
            rep,
            metrics: metrics.to_vec(),
            dists: Vec::new(),
        });
    }

    pub(super) fn metric_names(&self) -> Vec<&'static str> {
        let names: BTreeSet<&'static str> = self
            .runs
            .iter()
            .flat_map(|r| r.metrics.iter().map(|m| m.0))
            .collect();
        names.into_iter().collect()
    }

    pub(super) fn write(&self, dir: &Path) {
        if self.sweep_json {
            self.write_sweep_json(dir);
        }
        let mut scenario = format!(
            "name = \"{}\"\nseed = 7\n\n[network]\nnodes = 200 # honest and not\n\n[run]\nreplicates = 3\n",
            self.name
        );
        if let Some(kind) = self.attack {
            for (i, p) in self.points.iter().enumerate() {
                let share = p
                    .iter()
                    .find(|(k, _)| *k == "attack.share")
                    .map_or("0", |x| x.1);
                let _ = write!(
                    scenario,
                    "\n[[points]]\nindex = {i}\nparams = {}\n\n[points.scenario.attack]\nkind = \"{kind}\"\nshare = {share}\n",
                    params_json(p)
                );
            }
        }
        fs::write(dir.join("scenario.toml"), scenario).unwrap();
        self.write_runs(dir);
        self.write_summary(dir);
        if self.coverage {
            self.write_coverage(dir);
        }
    }

    fn write_sweep_json(&self, dir: &Path) {
        let points: Vec<String> = self
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{{\"index\": {i}, \"params\": {}}}", params_json(p)))
            .collect();
        let swept: Vec<String> = self.swept.iter().map(|k| format!("\"{k}\"")).collect();
        fs::write(
            dir.join("sweep.json"),
            format!(
                "{{\"name\": \"{}\", \"description\": \"{}\", \"swept\": [{}], \"points\": [{}]}}\n",
                self.name,
                self.description,
                swept.join(", "),
                points.join(", ")
            ),
        )
        .unwrap();
    }

    fn write_runs(&self, dir: &Path) {
        let mut runs = String::new();
        for r in &self.runs {
            let metrics: Vec<String> = r
                .metrics
                .iter()
                .map(|(k, v)| format!("\"{k}\": {}", num(*v)))
                .collect();
            let dists: Vec<String> = r
                .dists
                .iter()
                .map(|(k, v)| {
                    let vals: Vec<String> = v.iter().map(|x| format!("{x}")).collect();
                    format!("\"{k}\": [{}]", vals.join(", "))
                })
                .collect();
            let _ = writeln!(
                runs,
                "{{\"point\": {}, \"replicate\": {}, \"seed\": {}, \"params\": {}, \"metrics\": {{{}}}, \"distributions\": {{{}}}}}",
                r.point,
                r.rep,
                1000 + r.rep,
                params_json(&self.points[r.point]),
                metrics.join(", "),
                dists.join(", ")
            );
        }
        fs::write(dir.join("runs.jsonl"), runs).unwrap();
    }

    fn write_summary(&self, dir: &Path) {
        // summary.csv: sample sd, CI = mean ± 1.96·sd/√n (empty for n < 2).
        let mut csv = String::from("point,");
        for k in &self.swept {
            csv.push_str(k);
            csv.push(',');
        }
        csv.push_str("metric,n,mean,std,ci95_low,ci95_high\n");
        for (i, p) in self.points.iter().enumerate() {
            for m in self.metric_names() {
                let vals: Vec<f64> = self
                    .runs
                    .iter()
                    .filter(|r| r.point == i)
                    .filter_map(|r| r.metrics.iter().find(|x| x.0 == m).and_then(|x| x.1))
                    .collect();
                let n = vals.len();
                let [mean, sd, lo, hi] = summary_fields(&vals);
                let mut fields = vec![i.to_string()];
                fields.extend(p.iter().map(|(_, v)| v.to_string()));
                fields.extend([m.to_string(), n.to_string(), mean, sd, lo, hi]);
                let _ = writeln!(csv, "{}", fields.join(","));
            }
        }
        fs::write(dir.join("summary.csv"), csv).unwrap();
    }

    fn write_coverage(&self, dir: &Path) {
        let mut cov = String::from("point,replicate,time_s,coverage\n");
        for r in &self.runs {
            let fin = r
                .metrics
                .iter()
                .find(|m| m.0 == "coverage_final")
                .and_then(|m| m.1)
                .unwrap_or(0.5);
            for step in 0..=12 {
                let t = f64::from(step) * 0.25;
                let speed = 1.0 + r.point as f64 * 0.5;
                let c = fin * (t / speed).min(1.0);
                let _ = writeln!(cov, "{},{},{t},{c}", r.point, r.rep);
            }
        }
        fs::write(dir.join("coverage.csv"), cov).unwrap();
    }
}

/// Mean, sample sd and the 95 % CI mean ± 1.96·sd/√n as text; empty where undefined.
fn summary_fields(vals: &[f64]) -> [String; 4] {
    let n = vals.len();
    if n == 0 {
        return Default::default();
    }
    let mean = vals.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return [
            format!("{mean}"),
            String::new(),
            String::new(),
            String::new(),
        ];
    }
    let ss: f64 = vals.iter().map(|v| (v - mean) * (v - mean)).sum();
    let sd = (ss / (n as f64 - 1.0)).sqrt();
    let half = 1.96 * sd / (n as f64).sqrt();
    [
        format!("{mean}"),
        format!("{sd}"),
        format!("{}", mean - half),
        format!("{}", mean + half),
    ]
}

/// A fanout sweep with known answers: flood has the best coverage, sqrt is the
/// cheapest point that reaches 99 % in every replicate, fixed-4 does not.
pub(super) fn fanout_sweep() -> Fixture {
    let mut f = Fixture {
        points: vec![
            vec![("policy.fanout", "flood")],
            vec![("policy.fanout", "sqrt")],
            vec![("policy.fanout", "fixed-4")],
        ],
        ..Fixture::new(
            "fanout-basic",
            "Compares three fanout policies on a random regular graph",
            vec!["policy.fanout"],
        )
    };
    let cov = [[0.998, 0.999, 1.0], [0.99, 0.992, 0.994], [0.85, 0.9, 0.95]];
    let t90 = [[0.5, 0.6, 0.7], [0.9, 1.0, 1.1], [1.8, 2.0, 2.2]];
    let t99 = [
        [Some(0.9), Some(1.0), Some(1.1)],
        [Some(1.5), Some(1.6), Some(1.7)],
        [Some(2.5), None, None],
    ];
    let frames = [[40.0, 41.0, 42.0], [12.0, 13.0, 14.0], [5.0, 5.0, 5.0]];
    let pow = [
        [4000.0, 4100.0, 4200.0],
        [1200.0, 1300.0, 1400.0],
        [500.0, 500.0, 500.0],
    ];
    for p in 0..3 {
        for r in 0..3 {
            f.runs.push(Run {
                point: p,
                rep: r,
                metrics: vec![
                    ("coverage_final", Some(cov[p][r])),
                    ("t90_s", Some(t90[p][r])),
                    ("t99_s", t99[p][r]),
                    ("frames_per_node", Some(frames[p][r])),
                    ("pow_hashes_per_node", Some(pow[p][r])),
                    ("route_fee_paid_sat", Some(30.0 + p as f64 * 5.0)),
                    ("mystery_metric", Some(r as f64)),
                    ("rejected_never", Some(0.0)),
                ],
                dists: vec![
                    ("route_fee_sat", vec![30.0 + p as f64, 40.0, 55.5]),
                    ("route_length", vec![3.0, 4.0, 4.0 + p as f64]),
                ],
            });
        }
    }
    f
}

/// An attack sweep: fanout × attacker share, two replicates each.
pub(super) fn attack_sweep() -> Fixture {
    let fanouts = ["flood", "sqrt"];
    let shares = ["0", "0.1", "0.3"];
    let mut f = Fixture {
        attack: Some("eclipse"),
        ..Fixture::new(
            "eclipse-attack",
            "Honest coverage under a growing share of adversarial nodes.",
            vec!["policy.fanout", "attack.share"],
        )
    };
    for fo in fanouts {
        for sh in shares {
            f.points
                .push(vec![("policy.fanout", fo), ("attack.share", sh)]);
        }
    }
    // coverage falls with the share; flood holds up better than sqrt.
    let cov = [0.99, 0.9, 0.7, 0.98, 0.8, 0.5];
    let honest = [10.0, 9.0, 8.0, 10.0, 9.0, 3.0];
    let adversary = [None, Some(2.0), Some(4.0), None, Some(5.0), Some(6.0)];
    for (p, ((&c, &h), &a)) in cov.iter().zip(&honest).zip(&adversary).enumerate() {
        for r in 0..2 {
            let jitter = if r == 0 { -0.005 } else { 0.005 };
            f.run(
                p,
                r,
                &[
                    ("coverage_final", Some(c + jitter)),
                    ("t90_s", Some(1.0 + p as f64 * 0.1)),
                    ("frames_per_node", Some(20.0)),
                    ("fees_earned_per_honest_node_sat", Some(h)),
                    ("fees_earned_per_adversary_node_sat", a),
                    ("victim_coverage", Some(c - 0.1)),
                ],
            );
        }
    }
    f
}
