//! Links: per-link base latency plus per-frame jitter, FIFO delivery per directed link, per-node
//! uplink queues, per-frame or per-link loss; session lengths of mobile nodes; device profiles
//! that turn work into virtual time. `docs/faults.md` states the models.

use crate::rng::{chance, exponential, normal, unit};
use crate::scenario::{Device, LatencyModel, LossModel, Network, SessionModel};
use rand::RngCore;
use rand_chacha::ChaCha12Rng;
use sweet_gossip::{CryptoCounts, Duration, Timestamp};

/// A departure that never comes.
pub const NEVER: Timestamp = Timestamp(u64::MAX);

/// Salts of the per-link draws, so a link's latency and loss rate are independent.
const SALT_LATENCY: u64 = 1;
const SALT_LOSS: u64 = 2;

/// The links of one run. A link's base latency and loss rate are pure functions of the run's
/// network key and the unordered node pair, so they need no storage and do not depend on the
/// order of events; per-frame draws (jitter, frame loss) come from the run's network stream.
#[derive(Debug)]
pub struct Links {
    spec: Network,
    rng: ChaCha12Rng,
    /// Keys the per-link draws; taken from the network stream.
    key: u64,
    /// Per node: when its uplink is next free.
    uplink: Vec<Timestamp>,
    /// Per node: when it next goes offline (`NEVER` when it never will, or is offline).
    departs: Vec<Timestamp>,
    /// Per source node, per directed link from it with a frame in flight: the receiver and the
    /// latest arrival on the link. Kept only when jitter could reorder frames and FIFO is asked
    /// for; an entry leaves when its last frame lands. A node has few links in flight, so a
    /// short list per node beats a map keyed by link.
    in_flight: Vec<Vec<(u32, Timestamp)>>,
}

impl Links {
    /// Links behaving as `spec` between `nodes` nodes, drawing from `rng`.
    pub fn new(spec: Network, mut rng: ChaCha12Rng, nodes: usize) -> Self {
        let key = rng.next_u64();
        Self {
            spec,
            rng,
            key,
            uplink: vec![Timestamp::ZERO; nodes],
            departs: vec![NEVER; nodes],
            in_flight: Vec::new(),
        }
    }

    /// Puts a frame of `bytes` bytes from `from` to `to` on `from`'s uplink at `at`: it departs
    /// when the uplink is free and holds it for bytes·8/kbps. A frame whose last bit would leave
    /// after its sender goes offline ([`Links::set_departure`]) is never sent: offline means
    /// silent, so a departure drops the frame on air and every frame queued behind it, and the
    /// uplink is idle when the node returns. Without `reordering`, a frame never arrives before
    /// an earlier frame of the same directed link; a lost frame still used the uplink.
    pub fn transmit(&mut self, from: u32, to: u32, bytes: usize, at: Timestamp) -> Transmit {
        let i = from as usize;
        if i >= self.uplink.len() {
            self.uplink.resize(i + 1, Timestamp::ZERO);
            self.departs.resize(i + 1, NEVER);
        }
        let mut sent = self.uplink[i].max(at);
        if self.spec.bandwidth_kbps > 0 {
            let ms = bytes as f64 * 8.0 / f64::from(self.spec.bandwidth_kbps);
            sent = sent + Duration::from_secs_f64(ms / 1e3);
        }
        if sent > self.departs[i] {
            return Transmit::SenderLeft;
        }
        self.uplink[i] = sent;
        let loss = self.loss_rate(from, to);
        if chance(&mut self.rng, loss) {
            return Transmit::Lost;
        }
        let mut ms = self.base_ms(from, to);
        if self.spec.jitter_ms_mean > 0.0 {
            ms += exponential(&mut self.rng, self.spec.jitter_ms_mean);
        }
        let mut arrives = sent + Duration::from_secs_f64(ms / 1e3);
        if self.tracks_fifo() {
            if i >= self.in_flight.len() {
                self.in_flight.resize_with(i + 1, Vec::new);
            }
            let links = &mut self.in_flight[i];
            match links.iter_mut().find(|(t, _)| *t == to) {
                Some((_, last)) => {
                    arrives = arrives.max(*last);
                    *last = arrives;
                }
                None => links.push((to, arrives)),
            }
        }
        Transmit::Arrives(arrives)
    }

    /// When node `node`'s uplink is next free: a frame it offers at `at` starts transmitting
    /// at the later of the two (if it is sent at all).
    pub fn uplink_free(&self, node: u32) -> Timestamp {
        self.uplink
            .get(node as usize)
            .copied()
            .unwrap_or(Timestamp::ZERO)
    }

    /// Node `node` goes offline at `at` (`NEVER`: not before it comes back); set when
    /// the node comes online, as its departure is then already drawn.
    pub fn set_departure(&mut self, node: u32, at: Timestamp) {
        let i = node as usize;
        if i >= self.departs.len() {
            self.departs.resize(i + 1, NEVER);
            self.uplink.resize(i + 1, Timestamp::ZERO);
        }
        self.departs[i] = at;
    }

    /// When node `node` next goes offline, as last set.
    pub fn departure(&self, node: u32) -> Timestamp {
        self.departs.get(node as usize).copied().unwrap_or(NEVER)
    }

    /// Tells the links that a frame from `from` to `to` arrived at `at`; forgets the link's
    /// FIFO entry once its last frame has landed.
    pub fn arrived(&mut self, from: u32, to: u32, at: Timestamp) {
        if !self.tracks_fifo() {
            return;
        }
        if let Some(links) = self.in_flight.get_mut(from as usize) {
            if let Some(k) = links.iter().position(|(t, last)| *t == to && *last <= at) {
                links.swap_remove(k);
                if links.is_empty() {
                    *links = Vec::new();
                }
            }
        }
    }

    /// Without jitter a link's delay is constant and departures from a node are ordered by its
    /// uplink, so FIFO holds with no per-link state.
    fn tracks_fifo(&self) -> bool {
        !self.spec.reordering && self.spec.jitter_ms_mean > 0.0
    }

    /// The base one-way latency of the link between `a` and `b`, milliseconds: one draw of the
    /// latency model per unordered pair and run.
    pub fn base_ms(&self, a: u32, b: u32) -> f64 {
        delay_ms(&self.spec, &mut PairRng::new(self.key, SALT_LATENCY, a, b))
    }

    /// The probability that the link between `a` and `b` loses a frame. Per link: uniform on
    /// [max(0, 2p − 1), min(1, 2p)], mean p, drawn once per unordered pair and run.
    pub fn loss_rate(&self, a: u32, b: u32) -> f64 {
        let p = self.spec.packet_loss_probability;
        match self.spec.loss {
            LossModel::Frame => p,
            LossModel::Link if p <= 0.0 => 0.0,
            LossModel::Link => {
                let (lo, hi) = ((2.0 * p - 1.0).max(0.0), (2.0 * p).min(1.0));
                lo + (hi - lo) * unit(&mut PairRng::new(self.key, SALT_LOSS, a, b))
            }
        }
    }

    /// One draw of the latency model in milliseconds (payment round trips use it).
    pub fn delay_ms(&mut self) -> f64 {
        delay_ms(&self.spec, &mut self.rng)
    }
}

/// What became of a frame put on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transmit {
    /// It arrives at this time.
    Arrives(Timestamp),
    /// The link lost it.
    Lost,
    /// Its sender went offline before the frame had left its uplink: never sent.
    SenderLeft,
}

impl Transmit {
    /// The arrival time, if the frame arrives.
    pub fn arrival(self) -> Option<Timestamp> {
        match self {
            Transmit::Arrives(at) => Some(at),
            Transmit::Lost | Transmit::SenderLeft => None,
        }
    }
}

/// One one-way delay of `s`'s latency model, milliseconds.
pub(crate) fn delay_ms(s: &Network, rng: &mut impl RngCore) -> f64 {
    let (mean, min) = (
        s.one_way_delay_ms_mean,
        s.one_way_delay_ms_min.min(s.one_way_delay_ms_mean),
    );
    let extra = mean - min;
    match s.latency {
        LatencyModel::Constant => mean,
        LatencyModel::Uniform => min + 2.0 * extra * unit(rng),
        LatencyModel::Exponential => min + exponential(rng, extra),
        LatencyModel::Lognormal => {
            if extra <= 0.0 {
                return min;
            }
            let sigma = s.lognormal_sigma;
            let mu = libm::log(extra) - sigma * sigma / 2.0;
            min + libm::exp(mu + sigma * normal(rng))
        }
    }
}

/// SplitMix64's output function: a bijective 64-bit mixer.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A counter-based generator (SplitMix64) for the draws of one unordered node pair: the same
/// key, salt and pair always give the same numbers.
struct PairRng(u64);

impl PairRng {
    fn new(key: u64, salt: u64, a: u32, b: u32) -> Self {
        let pair = (u64::from(a.min(b)) << 32) | u64::from(a.max(b));
        PairRng(mix(key ^ mix(pair ^ mix(salt))))
    }
}

impl RngCore for PairRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// One online or offline period of a mobile node, seconds, with mean `mean_s`: exponential,
/// Pareto (scale mean·(α−1)/α) or Weibull (scale mean/Γ(1 + 1/k)), as `spec` chooses.
pub fn session_s(spec: &Network, rng: &mut impl RngCore, mean_s: f64) -> f64 {
    match spec.session_lengths {
        SessionModel::Exponential => exponential(rng, mean_s),
        SessionModel::Pareto => {
            let a = spec.pareto_shape;
            mean_s * (a - 1.0) / a / libm::pow(1.0 - unit(rng), 1.0 / a)
        }
        SessionModel::Weibull => {
            let k = spec.weibull_shape;
            let scale = mean_s / libm::tgamma(1.0 + 1.0 / k);
            scale * libm::pow(-libm::log(1.0 - unit(rng)), 1.0 / k)
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
        // Deriving a key pair is one fixed-base scalar multiplication, as a signature is.
        let us = (ops.sign + ops.derive) as f64 * s.sign_us
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

    fn links(spec: Network) -> Links {
        Links::new(spec, stream(1, 0, Concern::Network), 4)
    }

    fn ms(ms: f64) -> Duration {
        Duration::from_secs_f64(ms / 1e3)
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
            let mut links = links(spec);
            let n = 20_000;
            let samples: Vec<f64> = (0..n).map(|_| links.delay_ms()).collect();
            let bases: Vec<f64> = (0..n).map(|i| links.base_ms(i, i + 1)).collect();
            for (what, xs) in [("per draw", samples), ("per link", bases)] {
                let avg = xs.iter().sum::<f64>() / n as f64;
                assert!((avg - mean).abs() < mean * 0.03, "{model:?} {what}: {avg}");
                assert!(xs.iter().all(|s| *s >= min - 1e-9), "{model:?} below floor");
            }
        }
    }

    #[test]
    fn a_links_base_latency_is_fixed_per_pair_and_run() {
        let spec = net(LatencyModel::Lognormal);
        let (a, b) = (links(spec.clone()), links(spec.clone()));
        assert_eq!(a.base_ms(3, 9), b.base_ms(9, 3));
        assert_ne!(a.base_ms(3, 9), a.base_ms(3, 10));
        let other = Links::new(spec, stream(2, 0, Concern::Network), 4);
        assert_ne!(a.base_ms(3, 9), other.base_ms(3, 9));
    }

    #[test]
    fn frame_loss_and_uplink_queue() {
        let mut spec = net(LatencyModel::Constant);
        spec.jitter_ms_mean = 0.0;
        spec.packet_loss_probability = 1.0;
        assert_eq!(
            links(spec.clone()).transmit(0, 1, 10, Timestamp::ZERO),
            Transmit::Lost
        );
        spec.packet_loss_probability = 0.0;
        spec.bandwidth_kbps = 8;
        // 1000 bytes at 8 kbit/s hold the uplink 1 s; the second frame waits for the first.
        let mut l = links(spec.clone());
        let delay = ms(spec.one_way_delay_ms_mean);
        let t0 = Timestamp::ZERO;
        assert_eq!(
            l.transmit(0, 1, 1000, t0).arrival(),
            Some(t0 + ms(1000.0) + delay)
        );
        assert_eq!(
            l.transmit(0, 2, 1000, t0).arrival(),
            Some(t0 + ms(2000.0) + delay)
        );
        // Another node's uplink is free.
        assert_eq!(
            l.transmit(1, 2, 1000, t0).arrival(),
            Some(t0 + ms(1000.0) + delay)
        );
    }

    #[test]
    fn jitter_keeps_each_directed_link_fifo_unless_reordering() {
        let mut spec = net(LatencyModel::Constant);
        spec.jitter_ms_mean = 20.0;
        let arrivals = |spec: Network| {
            let mut l = links(spec);
            (0..200u64)
                .map(|i| {
                    l.transmit(0, 1, 100, Timestamp(i * 1_000))
                        .arrival()
                        .unwrap()
                })
                .collect::<Vec<_>>()
        };
        let fifo = arrivals(spec.clone());
        assert!(fifo.windows(2).all(|w| w[0] <= w[1]));
        spec.reordering = true;
        let free = arrivals(spec);
        assert!(
            free.windows(2).any(|w| w[0] > w[1]),
            "jitter never reordered"
        );
    }

    #[test]
    fn fifo_state_is_dropped_when_the_last_frame_lands() {
        let mut l = links(Network::default());
        let at = l.transmit(0, 1, 100, Timestamp::ZERO).arrival().unwrap();
        let later = l.transmit(0, 2, 100, Timestamp(1)).arrival().unwrap();
        let tracked = |l: &Links| l.in_flight.iter().map(Vec::len).sum::<usize>();
        assert_eq!(tracked(&l), 2);
        l.arrived(0, 1, at);
        assert_eq!(tracked(&l), 1);
        l.arrived(0, 2, later);
        assert_eq!(tracked(&l), 0);
    }

    #[test]
    fn per_link_loss_rates_average_p_and_differ_between_links() {
        let mut spec = net(LatencyModel::Constant);
        spec.packet_loss_probability = 0.2;
        spec.loss = LossModel::Link;
        let l = links(spec);
        let rates: Vec<f64> = (0..20_000).map(|i| l.loss_rate(i, i + 7)).collect();
        let avg = rates.iter().sum::<f64>() / rates.len() as f64;
        assert!((avg - 0.2).abs() < 0.005, "mean per-link loss {avg}");
        assert!(rates.iter().all(|r| (0.0..=0.4).contains(r)));
        assert!(rates.iter().any(|r| *r < 0.05) && rates.iter().any(|r| *r > 0.35));
        assert_eq!(l.loss_rate(5, 3), l.loss_rate(3, 5));
    }

    fn sessions(model: SessionModel) -> Vec<f64> {
        let spec = Network {
            session_lengths: model,
            ..Network::default()
        };
        let mut rng = stream(5, 0, Concern::Churn);
        (0..200_000)
            .map(|_| session_s(&spec, &mut rng, 10.0))
            .collect()
    }

    fn median(mut xs: Vec<f64>) -> f64 {
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    }

    #[test]
    fn session_samplers_have_the_configured_mean() {
        let d = Network::default();
        let exp = sessions(SessionModel::Exponential);
        let avg = exp.iter().sum::<f64>() / exp.len() as f64;
        assert!((avg - 10.0).abs() < 0.1, "exponential mean {avg}");
        // Heavy tails make sample means noisy: check the median the closed form gives for
        // mean 10, and the mean with a generous tolerance.
        let a = d.pareto_shape;
        let pareto = sessions(SessionModel::Pareto);
        let want = 10.0 * (a - 1.0) / a * libm::pow(2.0, 1.0 / a);
        let avg = pareto.iter().sum::<f64>() / pareto.len() as f64;
        assert!((median(pareto) / want - 1.0).abs() < 0.01, "pareto median");
        assert!((avg - 10.0).abs() < 1.0, "pareto mean {avg}");
        let k = d.weibull_shape;
        let weibull = sessions(SessionModel::Weibull);
        let scale = 10.0 / libm::tgamma(1.0 + 1.0 / k);
        let want = scale * libm::pow(libm::log(2.0), 1.0 / k);
        let avg = weibull.iter().sum::<f64>() / weibull.len() as f64;
        assert!(
            (median(weibull) / want - 1.0).abs() < 0.02,
            "weibull median"
        );
        assert!((avg - 10.0).abs() < 0.3, "weibull mean {avg}");
    }

    /// m·(1 − (x_m/D)^(α−1)/α) / m: the share of a Pareto mean a run of D seconds can show.
    fn truncated_share(alpha: f64, mean: f64, d: f64) -> f64 {
        let xm = mean * (alpha - 1.0) / alpha;
        1.0 - libm::pow(xm / d, alpha - 1.0) / alpha
    }

    #[test]
    fn truncated_pareto_sessions_reach_the_closed_form_share_of_their_mean() {
        let doc = include_str!("../../docs/faults.md");
        for (alpha, row) in [
            (1.1, "| 1.1 |"),
            (1.2, "| 1.2 |"),
            (1.5, "| 1.5 |"),
            (2.0, "| 2.0 |"),
        ] {
            let spec = Network {
                session_lengths: SessionModel::Pareto,
                pareto_shape: alpha,
                ..Network::default()
            };
            let mut rng = stream(5, 0, Concern::Churn);
            let n = 200_000;
            let cut: f64 = (0..n)
                .map(|_| session_s(&spec, &mut rng, 10.0).min(60.0))
                .sum::<f64>()
                / f64::from(n);
            let want = truncated_share(alpha, 10.0, 60.0);
            assert!(
                (cut / 10.0 / want - 1.0).abs() < 0.02,
                "α {alpha}: {cut} vs {want}"
            );
            let line = format!(
                "{row} {:.3} | {:.3} |",
                want,
                truncated_share(alpha, 10.0, 600.0)
            );
            assert!(doc.contains(&line), "docs/faults.md lacks `{line}`");
        }
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
