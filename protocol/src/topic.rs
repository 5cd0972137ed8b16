//! Topics: the anonymous job descriptions that are broadcast. The taxi topic uses geohashes.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

const BASE32: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";

/// Longest geohash this crate makes or accepts.
pub const GEOHASH_PRECISION_MAX: usize = 12;

/// A geohash: a rectangular cell named by a base-32 string whose length is its precision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Geohash(pub String);

impl Geohash {
    /// The cell of `precision` characters (clamped to 1..=12) containing the point.
    /// Latitude is clamped to [-90, 90] and longitude to [-180, 180].
    pub fn encode(latitude: f64, longitude: f64, precision: usize) -> Geohash {
        let precision = precision.clamp(1, GEOHASH_PRECISION_MAX);
        let (mut lat, mut lon) = ((-90.0f64, 90.0f64), (-180.0f64, 180.0f64));
        let (latitude, longitude) = (latitude.clamp(-90.0, 90.0), longitude.clamp(-180.0, 180.0));
        let mut out = String::with_capacity(precision);
        let (mut bits, mut ch, mut even) = (0, 0usize, true);
        while out.len() < precision {
            let (range, value) = if even {
                (&mut lon, longitude)
            } else {
                (&mut lat, latitude)
            };
            let mid = (range.0 + range.1) / 2.0;
            ch <<= 1;
            if value >= mid {
                ch |= 1;
                range.0 = mid;
            } else {
                range.1 = mid;
            }
            even = !even;
            bits += 1;
            if bits == 5 {
                out.push(BASE32[ch] as char);
                bits = 0;
                ch = 0;
            }
        }
        Geohash(out)
    }

    /// Number of characters, i.e. the precision.
    pub fn precision(&self) -> usize {
        self.0.len()
    }

    /// True iff every character is a geohash base-32 digit and the length is 1..=12.
    pub fn is_valid(&self) -> bool {
        (1..=GEOHASH_PRECISION_MAX).contains(&self.0.len())
            && self.0.bytes().all(|b| BASE32.contains(&b))
    }

    /// True iff this cell lies inside `area` (area is a prefix of this geohash).
    pub fn is_within(&self, area: &Geohash) -> bool {
        self.0.starts_with(&area.0)
    }
}

/// A taxi ride request: where and when (paper figure 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxiTopic {
    /// Pick-up cell.
    pub pickup_geohash: Geohash,
    /// Drop-off cell.
    pub dropoff_geohash: Geohash,
    /// Earliest pick-up time.
    pub pickup_after: Timestamp,
    /// Latest drop-off time.
    pub dropoff_before: Timestamp,
}

/// An application-specific job topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Topic {
    /// A taxi ride.
    Taxi(TaxiTopic),
}

impl Topic {
    /// The most precise geohash the topic reveals, if it has any: what a node checks against its
    /// privacy limit.
    pub fn geohash_precision(&self) -> Option<usize> {
        match self {
            Topic::Taxi(t) => Some(
                t.pickup_geohash
                    .precision()
                    .max(t.dropoff_geohash.precision()),
            ),
        }
    }

    /// True iff every field is well formed (valid geohashes, time window not inverted).
    pub fn is_well_formed(&self) -> bool {
        match self {
            Topic::Taxi(t) => {
                t.pickup_geohash.is_valid()
                    && t.dropoff_geohash.is_valid()
                    && t.pickup_after <= t.dropoff_before
            }
        }
    }

    /// The pick-up cell for location-based topics.
    pub fn location(&self) -> Option<&Geohash> {
        match self {
            Topic::Taxi(t) => Some(&t.pickup_geohash),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_geohash_vector() {
        // Paper section 3.1: Legal Services Council, Sydney.
        assert_eq!(Geohash::encode(-33.8647, 151.2096, 7).0, "r3gx2g5");
    }

    #[test]
    fn known_vectors_and_prefixes() {
        assert_eq!(Geohash::encode(57.64911, 10.40744, 11).0, "u4pruydqqvj");
        let fine = Geohash::encode(-33.8647, 151.2096, 9);
        let coarse = Geohash::encode(-33.8647, 151.2096, 4);
        assert!(fine.is_within(&coarse));
        assert_eq!(Geohash::encode(0.0, 0.0, 40).precision(), 12);
        assert!(fine.is_valid());
        assert!(
            !Geohash("r3ga".into()).is_valid(),
            "'a' is not a geohash digit"
        );
        assert!(!Geohash(String::new()).is_valid());
    }

    #[test]
    fn topic_checks() {
        let t = Topic::Taxi(TaxiTopic {
            pickup_geohash: Geohash("r3gx2g5".into()),
            dropoff_geohash: Geohash("r3gx2".into()),
            pickup_after: Timestamp(5),
            dropoff_before: Timestamp(4),
        });
        assert_eq!(t.geohash_precision(), Some(7));
        assert!(!t.is_well_formed(), "inverted window");
    }
}
