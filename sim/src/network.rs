//! Links: one-way delay distributions, loss and bandwidth; device profiles that turn work into
//! virtual time.

use crate::rng::{chance, exponential, normal, unit};
use crate::scenario::{Device, LatencyModel, Network};
use rand_chacha::ChaCha12Rng;
use sweet_gossip::{CryptoCounts, Duration};

/// Samples link behaviour from its own RNG stream.
#[derive(Debug)]
pub struct Links {
    spec: Network,
    rng: ChaCha12Rng,
}

impl Links {
    /// Links behaving as `spec`, drawing from `rng`.
    pub fn new(spec: Network, rng: ChaCha12Rng) -> Self {
        Self { spec, rng }
    }

    /// The fate of one frame of `bytes` bytes: `None` if lost, else its delivery delay.
    pub fn transmit(&mut self, bytes: usize) -> Option<Duration> {
        if chance(&mut self.rng, self.spec.packet_loss_probability) {
            return None;
        }
        let mut ms = self.delay_ms();
        if self.spec.bandwidth_kbps > 0 {
            ms += bytes as f64 * 8.0 / f64::from(self.spec.bandwidth_kbps);
        }
        Some(Duration::from_secs_f64(ms / 1e3))
    }

    /// One one-way delay in milliseconds.
    pub fn delay_ms(&mut self) -> f64 {
        let s = &self.spec;
        let (mean, min) = (
            s.one_way_delay_ms_mean,
            s.one_way_delay_ms_min.min(s.one_way_delay_ms_mean),
        );
        let extra = mean - min;
        match s.latency {
            LatencyModel::Constant => mean,
            LatencyModel::Uniform => min + 2.0 * extra * unit(&mut self.rng),
            LatencyModel::Exponential => min + exponential(&mut self.rng, extra),
            LatencyModel::Lognormal => {
                if extra <= 0.0 {
                    return min;
                }
                let sigma = s.lognormal_sigma;
                let mu = libm::log(extra) - sigma * sigma / 2.0;
                min + libm::exp(mu + sigma * normal(&mut self.rng))
            }
        }
    }
}

/// Virtual time a device needs for cryptographic work.
#[derive(Debug, Clone)]
pub struct DeviceCosts {
    spec: Device,
}

impl DeviceCosts {
    /// Costs from a scenario's device profile.
    pub fn new(spec: Device) -> Self {
        Self { spec }
    }

    /// Time for the operations in `ops`.
    pub fn crypto(&self, ops: &CryptoCounts) -> Duration {
        let s = &self.spec;
        let us = ops.sign as f64 * s.sign_us
            + ops.verify as f64 * s.verify_us
            + ops.seal as f64 * s.seal_us
            + ops.open as f64 * s.open_us
            + (ops.sym_encrypt + ops.sym_decrypt) as f64 * s.sym_us
            + ops.hash as f64 * s.hash_us;
        Duration::from_secs_f64(us / 1e6)
    }

    /// Time for `attempts` proof-of-work hashes.
    pub fn pow(&self, attempts: u64) -> Duration {
        Duration::from_secs_f64(attempts as f64 / self.spec.hash_rate_per_s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Concern};

    fn net(model: LatencyModel) -> Network {
        Network {
            latency: model,
            ..Network::default()
        }
    }

    #[test]
    fn delay_models_have_the_configured_mean_and_floor() {
        for model in [
            LatencyModel::Constant,
            LatencyModel::Uniform,
            LatencyModel::Exponential,
            LatencyModel::Lognormal,
        ] {
            let spec = net(model);
            let (mean, min) = (spec.one_way_delay_ms_mean, spec.one_way_delay_ms_min);
            let mut links = Links::new(spec, stream(1, 0, Concern::Network));
            let n = 20_000;
            let samples: Vec<f64> = (0..n).map(|_| links.delay_ms()).collect();
            let avg = samples.iter().sum::<f64>() / n as f64;
            assert!((avg - mean).abs() < mean * 0.03, "{model:?}: mean {avg}");
            assert!(
                samples.iter().all(|s| *s >= min - 1e-9),
                "{model:?} below floor"
            );
        }
    }

    #[test]
    fn loss_and_bandwidth() {
        let mut spec = net(LatencyModel::Constant);
        spec.packet_loss_probability = 1.0;
        assert_eq!(
            Links::new(spec.clone(), stream(1, 0, Concern::Network)).transmit(10),
            None
        );
        spec.packet_loss_probability = 0.0;
        spec.bandwidth_kbps = 8;
        // 1000 bytes at 8 kbit/s = 1 s on top of the constant delay.
        let d = Links::new(spec.clone(), stream(1, 0, Concern::Network))
            .transmit(1000)
            .unwrap();
        assert_eq!(
            d,
            Duration::from_secs_f64(1.0 + spec.one_way_delay_ms_mean / 1e3)
        );
    }

    #[test]
    fn device_costs() {
        let d = DeviceCosts::new(Device::default());
        let ops = CryptoCounts {
            verify: 2,
            ..CryptoCounts::default()
        };
        assert_eq!(
            d.crypto(&ops),
            Duration::from_secs_f64(2.0 * Device::default().verify_us / 1e6)
        );
        assert_eq!(
            d.pow(1_000_000),
            Duration::from_secs_f64(1e6 / Device::default().hash_rate_per_s)
        );
    }
}
