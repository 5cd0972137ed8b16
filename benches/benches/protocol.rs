//! Protocol benchmarks: each cryptographic operation alone, then one middleman's work per hop
//! (relaying a broadcast, passing a reply back), and the ratio of each hop to the sum of the
//! cryptographic operations it must do.
//!
//! Run: `cargo bench -p sweet-gossip-benches --bench protocol -- --warm-up-time 1 --measurement-time 3`
//!
//! Times are the benchmark thread's CPU time, so that other processes on a shared machine do
//! not inflate them; set `SG_BENCH_CLOCK=wall` for criterion's usual wall-clock time.

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::ChaCha20;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{black_box, BatchSize, Criterion};
use rand_chacha::ChaCha12Rng;
use rand_core::SeedableRng;
use std::path::{Path, PathBuf};
use std::time::Duration;
use sweet_gossip::{
    pow, sha256, topic_account, CryptoProvider, OnionFormat, Output, RealCrypto, PADDED_HEAD_LEN,
};
use sweet_gossip_benches::{Recording, DEFAULT_UPSTREAM};

/// Every benchmark id, as `group/function` (criterion's directory names).
mod id {
    pub(crate) const SIGN: &str = "crypto/sign";
    pub(crate) const VERIFY: &str = "crypto/verify";
    pub(crate) const SEAL_64: &str = "crypto/seal_64B";
    pub(crate) const SEAL_LAYER: &str = "crypto/seal_onion_layer";
    pub(crate) const OPEN_64: &str = "crypto/open_64B";
    pub(crate) const OPEN_LAYER: &str = "crypto/open_onion_layer";
    pub(crate) const OPEN_PREIMAGE: &str = "crypto/open_preimage";
    pub(crate) const SYM_ENCRYPT: &str = "crypto/sym_encrypt";
    pub(crate) const SYM_DECRYPT: &str = "crypto/sym_decrypt";
    pub(crate) const POW_CHECK: &str = "crypto/pow_check";
    pub(crate) const SHA_REQUEST: &str = "crypto/sha256_request_digest";
    pub(crate) const SHA_PREIMAGE: &str = "crypto/sha256_payment_hash";
    pub(crate) const STREAM_PASS: &str = "crypto/onion_stream_pass";
    pub(crate) const DERIVE: &str = "crypto/derive_topic_account";
    pub(crate) const RELAY: &str = "hop/relay_broadcast_hop";
    pub(crate) const REPLY: &str = "hop/reply_hop";
    pub(crate) const ALL: [&str; 16] = [
        SIGN,
        VERIFY,
        SEAL_64,
        SEAL_LAYER,
        OPEN_64,
        OPEN_LAYER,
        OPEN_PREIMAGE,
        SYM_ENCRYPT,
        SYM_DECRYPT,
        POW_CHECK,
        SHA_REQUEST,
        SHA_PREIMAGE,
        STREAM_PASS,
        DERIVE,
        RELAY,
        REPLY,
    ];
}

fn function(id: &str) -> &str {
    id.split_once('/').map_or(id, |(_, f)| f)
}

/// Plaintext of a symmetric layer: a short reply message sealed to the sender.
const SYM_LAYER_BYTES: usize = 128;

/// CPU time consumed by the calling thread (`CLOCK_THREAD_CPUTIME_ID`).
struct ThreadCpuTime {
    wall: WallTime,
}

impl ThreadCpuTime {
    fn now() -> Duration {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant libc defines.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }
}

impl Measurement for ThreadCpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        Self::now()
    }
    fn end(&self, start: Duration) -> Duration {
        Self::now().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Same unit (nanoseconds) as wall time, so the same formatting applies.
        self.wall.formatter()
    }
}

fn crypto_ops<M: Measurement>(c: &mut Criterion<M>, rec: &Recording) {
    let crypto = RealCrypto;
    let cfg = rec.credentials();
    let mut rng = ChaCha12Rng::seed_from_u64(1);
    let request = rec.request();
    let signed = rec.request_signed_bytes();
    let sender_key = request.payload.sender_certificate.public_key;
    let next_key = rec.next.1;
    let layer = vec![7u8; rec.grown_layer_len()];
    let small = [7u8; 64];
    let (onion, sealed_preimage, account) = rec.reply_sealed();
    // The sealed box M opens on the reply: the whole onion, or a padded onion's head.
    let head = match rec.onion_format() {
        OnionFormat::Growing => onion.0.len(),
        OnionFormat::Padded { .. } => PADDED_HEAD_LEN,
    };
    let sealed_small = crypto
        .seal(&cfg.peer_key.public(), &small, &mut rng)
        .unwrap();
    let (pow_data, work, nonce) = rec.pow_input();
    let request_bytes = sweet_gossip::encode(&request);
    let sym_key = [9u8; 32];
    let sym_plain = vec![5u8; SYM_LAYER_BYTES];
    let sym_ct = crypto.sym_encrypt(&sym_key, &sym_plain, &mut rng);
    let preimage = [3u8; 32];
    // A padded onion's whole size: peeling streams over all of it, growing over all but a head.
    let mut stream = vec![7u8; padded_len(rec)];
    let account_seed = [4u8; 32];
    let topic = request.payload.payload_id;

    let mut g = c.benchmark_group("crypto");
    g.bench_function(function(id::SIGN), |b| {
        b.iter(|| crypto.sign(&cfg.identity, black_box(&signed)).unwrap())
    });
    g.bench_function(function(id::VERIFY), |b| {
        b.iter(|| crypto.verify(&sender_key, black_box(&signed), &request.signature))
    });
    g.bench_function(function(id::SEAL_64), |b| {
        b.iter(|| crypto.seal(&next_key, black_box(&small), &mut rng).unwrap())
    });
    g.bench_function(function(id::SEAL_LAYER), |b| {
        b.iter(|| crypto.seal(&next_key, black_box(&layer), &mut rng).unwrap())
    });
    g.bench_function(function(id::OPEN_64), |b| {
        b.iter(|| {
            crypto
                .open(&cfg.peer_key, black_box(&sealed_small))
                .unwrap()
        })
    });
    g.bench_function(function(id::OPEN_LAYER), |b| {
        b.iter(|| {
            crypto
                .open(&cfg.peer_key, black_box(&onion.0[..head]))
                .unwrap()
        })
    });
    g.bench_function(function(id::OPEN_PREIMAGE), |b| {
        b.iter(|| crypto.open(&account, black_box(&sealed_preimage)).unwrap())
    });
    g.bench_function(function(id::SYM_ENCRYPT), |b| {
        b.iter(|| crypto.sym_encrypt(&sym_key, black_box(&sym_plain), &mut rng))
    });
    g.bench_function(function(id::SYM_DECRYPT), |b| {
        b.iter(|| crypto.sym_decrypt(&sym_key, black_box(&sym_ct)).unwrap())
    });
    g.bench_function(function(id::POW_CHECK), |b| {
        b.iter(|| assert!(pow::check(black_box(&pow_data), &work, nonce)))
    });
    g.bench_function(function(id::SHA_REQUEST), |b| {
        b.iter(|| sha256(&[black_box(&request_bytes)]))
    });
    g.bench_function(function(id::STREAM_PASS), |b| {
        b.iter(|| {
            let mut cipher = ChaCha20::new(&sym_key.into(), &[0u8; 12].into());
            cipher.apply_keystream(black_box(&mut stream));
        })
    });
    g.bench_function(function(id::DERIVE), |b| {
        b.iter(|| topic_account(&crypto, black_box(&account_seed), &topic))
    });
    g.bench_function(function(id::SHA_PREIMAGE), |b| {
        b.iter(|| sha256(&[black_box(&preimage)]))
    });
    g.finish();
}

/// Hands every output to the driver: here, black-boxed and dropped.
/// Bytes of a padded onion (0 in the paper's growing format, which has no stream pass).
fn padded_len(rec: &Recording) -> usize {
    match rec.onion_format() {
        OnionFormat::Growing => 0,
        OnionFormat::Padded { hops } => hops * PADDED_HEAD_LEN,
    }
}

fn consume(o: Output) {
    drop(black_box(o));
}

fn hops<M: Measurement>(c: &mut Criterion<M>, rec: &Recording) {
    let mut g = c.benchmark_group("hop");
    g.bench_function(function(id::RELAY), |b| {
        b.iter_batched(
            || rec.middleman(),
            |mut node| {
                rec.relay_hop(&mut node, &mut consume);
                node
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function(function(id::REPLY), |b| {
        b.iter_batched(
            || rec.relayed_middleman(),
            |mut node| {
                rec.reply_hop(&mut node, &mut consume);
                node
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// Where criterion writes its estimates: `<target>/criterion`, as criterion finds it.
fn criterion_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(Path::new(&dir).join("criterion"));
    }
    // The bench binary lives in `<target>/[<triple>/]<profile>/deps/`.
    let exe = std::env::current_exe().ok()?;
    exe.ancestors()
        .map(|a| a.join("criterion"))
        .find(|d| d.is_dir())
}

/// Median of the latest run of `id`, in nanoseconds.
fn median_ns(dir: &Path, id: &str) -> Option<f64> {
    let text = std::fs::read_to_string(dir.join(id).join("new/estimates.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

/// Prints each hop's median over the sum of the medians of the crypto operations it does.
fn print_ratios(rec: &Recording) {
    let Some(dir) = criterion_dir() else { return };
    // Growing streams over all layers but the dropped last head.
    let full = padded_len(rec) as f64;
    let grow_share = if full > 0.0 {
        (full - PADDED_HEAD_LEN as f64) / full
    } else {
        0.0
    };
    let peel_share = if full > 0.0 { 1.0 } else { 0.0 };
    let relay_ops = [
        (id::VERIFY, 2.0, "certificate + request signature"),
        (
            id::SHA_REQUEST,
            2.0,
            "request digest on ask and on broadcast",
        ),
        (id::POW_CHECK, 1.0, "proof of work"),
        (id::SEAL_LAYER, 1.0, "grow the onion: seal the head"),
        (
            id::STREAM_PASS,
            grow_share,
            "grow the onion: encrypt the body",
        ),
        (
            id::DERIVE,
            1.0,
            "the topic's account, named in the conditions",
        ),
    ];
    let reply_ops = [
        (id::VERIFY, 2.0, "replier certificate + reply signature"),
        (id::OPEN_LAYER, 1.0, "peel the onion: open the head"),
        (
            id::STREAM_PASS,
            peel_share,
            "peel the onion: decrypt the rest",
        ),
        (id::DERIVE, 1.0, "the topic's account, opens the preimage"),
        (id::OPEN_PREIMAGE, 1.0, "open the sealed preimage"),
        (id::SHA_PREIMAGE, 1.0, "payment hash check"),
    ];
    println!("\nmedians of the latest run of each benchmark:");
    for op in id::ALL {
        if let Some(ns) = median_ns(&dir, op) {
            println!("  {op:<32} {:>10.3} us", ns / 1e3);
        }
    }
    println!(
        "\nper-hop ratios (median hop / sum of median crypto ops); onion layer sealed: {} B",
        rec.grown_layer_len()
    );
    for (hop, ops) in [(id::RELAY, &relay_ops[..]), (id::REPLY, &reply_ops[..])] {
        let Some(hop_ns) = median_ns(&dir, hop) else {
            println!("  {hop}: no estimate (run without a filter)");
            continue;
        };
        let mut sum = 0.0;
        for (op, times, what) in ops {
            let Some(ns) = median_ns(&dir, op) else {
                println!("  {hop}: no estimate for {op} (run without a filter)");
                return;
            };
            println!(
                "  {hop}: {times:.3} x {op} ({what}) = {:.2} us",
                times * ns / 1e3
            );
            sum += times * ns;
        }
        println!(
            "  {hop}: {:.2} us / crypto {:.2} us = {:.3} (goal <= 1.3)",
            hop_ns / 1e3,
            sum / 1e3,
            hop_ns / sum
        );
    }
}

fn run<M: Measurement>(c: Criterion<M>, rec: &Recording) {
    let mut c = c.configure_from_args();
    crypto_ops(&mut c, rec);
    hops(&mut c, rec);
    c.final_summary();
}

fn main() {
    let rec = Recording::new(DEFAULT_UPSTREAM);
    if std::env::var("SG_BENCH_CLOCK").is_ok_and(|v| v == "wall") {
        println!("clock: wall time");
        run(Criterion::default(), &rec);
    } else {
        println!("clock: thread CPU time (SG_BENCH_CLOCK=wall for wall time)");
        let cpu = ThreadCpuTime { wall: WallTime };
        run(Criterion::default().with_measurement(cpu), &rec);
    }
    // Only a real measurement run (`cargo bench`) has fresh estimates to compare.
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    if has("--bench") && !has("--test") && !has("--list") && !has("--profile-time") {
        print_ratios(&rec);
    }
}
