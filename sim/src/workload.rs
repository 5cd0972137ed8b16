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

/// The run's topic arrivals, in time order, at most `topics_max`, all before `duration_s`.
pub fn arrivals(s: &Scenario, replicate: u32, customers: usize) -> Vec<Arrival> {
    let w = &s.workload;
    let mut rng = stream(s.seed, replicate, Concern::Workload);
    let mut times = Vec::new();
    match w.arrivals {
        Arrivals::Fixed => times.extend(w.times_s.iter().copied()),
        Arrivals::Poisson => {
            let mut t = w.start_s;
            while w.rate_per_s > 0.0 && times.len() < w.topics_max as usize {
                t += exponential(&mut rng, 1.0 / w.rate_per_s);
                if t >= s.duration_s {
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
        .filter(|t| *t < s.duration_s)
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
