//! The workload: what each node does in it ([`Role`]) and the run's topic arrivals (when,
//! from which customer, about where). Engine and adversary both read it, so it lives in
//! neither.

use crate::rng::{below, exponential, stream, unit, Concern};
use crate::scenario::{Arrivals, Scenario};
use sweet_gossip::{Duration, Geohash, TaxiTopic, Timestamp, Topic};

/// What a node does in the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Publishes topics.
    Customer,
    /// Replies to topics in its service area.
    Worker,
    /// Only relays.
    Gossiper,
}

/// One topic to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    /// When.
    pub at: Timestamp,
    /// Index into the customer list.
    pub customer: usize,
    /// What.
    pub topic: Topic,
}

/// The run's topic arrivals, in time order, at most `topics_max`, none later than
/// [`Scenario::last_publish_s`]: every topic's reply deadline passes inside the run, so no
/// topic is cut short by the end of the run (the end-of-run rule; `check` refuses fixed
/// times after it, and a Poisson stream stops there).
pub fn arrivals(s: &Scenario, replicate: u32, customers: usize) -> Vec<Arrival> {
    let w = &s.workload;
    let last = s.last_publish_s();
    let mut rng = stream(s.seed, replicate, Concern::Workload);
    let mut times = Vec::new();
    match w.arrivals {
        Arrivals::Fixed => times.extend(w.times_s.iter().copied()),
        Arrivals::Poisson => {
            let mut t = w.start_s;
            while w.rate_per_s > 0.0 && times.len() < w.topics_max as usize {
                t += exponential(&mut rng, 1.0 / w.rate_per_s);
                if t > last {
                    break;
                }
                times.push(t);
            }
        }
    }
    times.truncate(w.topics_max as usize);
    if customers == 0 {
        return Vec::new();
    }
    let b = w.bbox;
    let point = |rng: &mut rand_chacha::ChaCha12Rng, precision: usize| {
        let lat = b.lat_min + (b.lat_max - b.lat_min) * unit(rng);
        let lon = b.lon_min + (b.lon_max - b.lon_min) * unit(rng);
        Geohash::encode(lat, lon, precision)
    };
    times
        .into_iter()
        .filter(|t| *t <= last)
        .map(|t| {
            let at = Timestamp(Duration::from_secs_f64(t).as_micros());
            let customer = below(&mut rng, customers as u64) as usize;
            let topic = Topic::Taxi(TaxiTopic {
                pickup_geohash: point(&mut rng, usize::from(w.precision)),
                dropoff_geohash: point(&mut rng, usize::from(w.precision)),
                pickup_after: at,
                dropoff_before: at + Duration::from_secs(3_600),
            });
            Arrival {
                at,
                customer,
                topic,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::arrivals;
    use crate::scenario::parse;
    use std::path::Path;

    #[test]
    fn a_poisson_stream_publishes_nothing_that_cannot_finish_before_the_end() {
        // attack-flash's workload: 45 topics at 1/s from 1 s in a 55 s run, 3 s deadline. Before
        // the end-of-run rule, replicates published up to 54.6 s, 0.4 s before the end.
        let text = "name = \"t\"\nseed = 42\nduration_s = 55.0\n[graph]\n\
                    generator = \"random_regular\"\nnodes = 30\ndegree = 4\n[workload]\n\
                    arrivals = \"poisson\"\nrate_per_s = 1.0\ntopics_max = 45\n\
                    reply_deadline_s = 3.0\n";
        let s = parse(text, Path::new("t.toml")).unwrap().points[0]
            .scenario
            .clone();
        let last = s.last_publish_s();
        assert_eq!(last, 52.0);
        let mut cut = 0;
        for replicate in 0..40 {
            let a = arrivals(&s, replicate, 5);
            assert!(
                a.iter().all(|x| x.at.0 <= 52_000_000),
                "replicate {replicate}"
            );
            cut += usize::from(a.len() < 45);
        }
        assert!(
            cut > 0,
            "no replicate reached the end: the test does not exercise the rule"
        );
    }
}
