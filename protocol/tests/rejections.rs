//! The rejection matrix (issue 11): for every [`RejectReason`], a malicious or malformed input
//! and the exact node and frame kind that rejects it for exactly that reason.

use std::sync::Arc;
use sweet_gossip::testing::*;
use sweet_gossip::*;

const MSG: &[u8] = b"Taxi 9, 2 min away";

/// Sender 0, middlemen 1 and 2, replier 3, in a line.
fn line_policies() -> Vec<Box<dyn Policy>> {
    vec![relay(5), relay(7), relay(11), replier(13, MSG)]
}

fn line() -> Net {
    Net::new(line_policies(), &[(0, 1), (1, 2), (2, 3)], 9)
}

/// Runs a broadcast from node 0 to idle.
fn run(mut net: Net) -> Net {
    net.broadcast(0);
    net.drive();
    net
}

/// Rewrites every frame on the link `from → to` with `f`.
fn on_link(from: usize, to: usize, mut f: impl FnMut(&mut Frame) + 'static) -> Tamper {
    Box::new(move |a, b, bytes| {
        if (a, b) == (from, to) {
            let mut frame = Frame::decode(bytes).expect("honest frames decode");
            f(&mut frame);
            *bytes = frame.encode();
        }
    })
}

fn with_tamper(tamper: Tamper) -> Net {
    let mut net = line();
    net.tamper = Some(tamper);
    run(net)
}

/// Rewrites the broadcast `from → to`.
fn broadcast_on(
    from: usize,
    to: usize,
    mut f: impl FnMut(&mut PowBroadcastFrame) + 'static,
) -> Net {
    with_tamper(on_link(from, to, move |fr| {
        if let Frame::PowBroadcast(b) = fr {
            f(b)
        }
    }))
}

/// Rewrites the reply `from → to`.
fn reply_on(from: usize, to: usize, mut f: impl FnMut(&mut ReplyFrame) + 'static) -> Net {
    with_tamper(on_link(from, to, move |fr| {
        if let Frame::Reply(r) = fr {
            f(r)
        }
    }))
}

/// Node `node`'s account for the topic of `request` (accounts are per topic).
fn account_of(node: usize, request: &SignedRequestPayload) -> PublicKey {
    let id = request.payload.payload_id;
    topic_account(&RealCrypto, &key_seed(node, 2), &id).public()
}

/// Node `node`'s own payment instruction in a reply.
fn own_instruction(r: &mut ReplyFrame, node: usize) -> &mut PaymentCryptoInstruction {
    let payload = &mut r.signed_reply_payload.payload;
    let key = account_of(node, &payload.signed_request_payload);
    let list = &mut payload.payment_crypto_instruction_list;
    list.iter_mut()
        .find(|i| i.account == key)
        .expect("on the route")
}

/// Broadcasts from node 0 and steps until `done`, then returns the network (not idle).
fn step_until(mut net: Net, done: impl Fn(&Net) -> bool) -> Net {
    net.broadcast(0);
    while !done(&net) {
        assert!(net.step(), "the network idled first");
    }
    net
}

/// A crypto provider that cannot seal to one key.
struct NoSealTo(PublicKey);

impl CryptoProvider for NoSealTo {
    fn keypair_from_seed(&self, seed: [u8; 32]) -> Keypair {
        RealCrypto.keypair_from_seed(seed)
    }
    fn sign(&self, key: &Keypair, msg: &[u8]) -> Result<Signature, CryptoError> {
        RealCrypto.sign(key, msg)
    }
    fn verify(&self, key: &PublicKey, msg: &[u8], sig: &Signature) -> bool {
        RealCrypto.verify(key, msg, sig)
    }
    fn seal(
        &self,
        to: &PublicKey,
        plain: &[u8],
        rng: &mut dyn rand_core::RngCore,
    ) -> Result<Vec<u8>, CryptoError> {
        if *to == self.0 {
            return Err(CryptoError::InvalidKey);
        }
        RealCrypto.seal(to, plain, rng)
    }
    fn open(&self, key: &Keypair, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        RealCrypto.open(key, sealed)
    }
    fn sym_encrypt(&self, k: &[u8; 32], p: &[u8], rng: &mut dyn rand_core::RngCore) -> Vec<u8> {
        RealCrypto.sym_encrypt(k, p, rng)
    }
    fn sym_decrypt(&self, k: &[u8; 32], c: &[u8]) -> Result<Vec<u8>, CryptoError> {
        RealCrypto.sym_decrypt(k, c)
    }
}

/// Inputs at the start of the broadcast: asks and conditions.
fn ask_case(name: &str) -> Option<(Net, usize, FrameKind)> {
    let case = match name {
        "decode" => {
            let mut net = line();
            net.inject(0, 1, vec![0xff; 5]);
            (net, 1, FrameKind::Malformed)
        }
        "certificate" => {
            // Certificates from an authority nobody trusts.
            let (_, trust) = test_ca();
            let other = CertificateAuthority::new("ca", RealCrypto.keypair_from_seed([7; 32]));
            let net = Net::builder(line_policies())
                .line()
                .authority(other, trust)
                .build();
            (run(net), 1, FrameKind::Ask)
        }
        "bad_request_signature" => {
            let net = with_tamper(on_link(0, 1, |f| {
                if let Frame::AskForBroadcast(a) = f {
                    a.signed_request_payload.signature.0[0] ^= 1;
                }
            }));
            (net, 1, FrameKind::Ask)
        }
        "topic_refused" => {
            let mut strict = params(7);
            strict.geohash_precision_max = 6;
            let strict: Box<dyn Policy> = Box::new(TestPolicy {
                params: strict,
                reply: None,
            });
            let net = Net::new(vec![relay(5), strict], &[(0, 1)], 9);
            (run(net), 1, FrameKind::Ask)
        }
        "duplicate_payload" => {
            let mut net = run(line());
            net.inject(0, 1, net.frame(0, 1, FrameKind::Ask));
            (net, 1, FrameKind::Ask)
        }
        "repeated_ask" => {
            let mut net = line();
            net.broadcast(0);
            assert!(net.step(), "the ask reaches node 1");
            net.inject(0, 1, net.frame(0, 1, FrameKind::Ask));
            net.drive();
            (net, 1, FrameKind::Ask)
        }
        "unexpected_conditions" => {
            let mut net = run(line());
            net.inject(2, 1, net.frame(2, 1, FrameKind::Conditions));
            (net, 1, FrameKind::Conditions)
        }
        "overloaded" => {
            let limits = Limits {
                conditions_max: 0,
                ..Limits::default()
            };
            let net = Net::builder(line_policies()).line().limits(limits).build();
            (run(net), 1, FrameKind::Ask)
        }
        _ => return None,
    };
    Some(case)
}

/// Solves the broadcast's proof of work again after tampering, under `challenge`.
fn resolve_pow(b: &mut PowBroadcastFrame, challenge: Challenge) {
    let work = pow_work(b, challenge);
    let data = encode(&b.broadcast_payload);
    b.proof_of_work.nonce = pow::solve(&data, &work, 0, u64::MAX).expect("easy").0;
}

fn pow_work(b: &PowBroadcastFrame, challenge: Challenge) -> WorkRequest {
    WorkRequest {
        pow_scheme: b.proof_of_work.pow_scheme,
        pow_target: b.proof_of_work.pow_target,
        challenge,
    }
}

/// Rewrites the broadcast 0 → 1 with `f`, which also gets the challenge node 1 issued.
fn broadcast_with_challenge(mut f: impl FnMut(&mut PowBroadcastFrame, Challenge) + 'static) -> Net {
    let mut challenge = Challenge::default();
    with_tamper(Box::new(move |a, b, bytes| {
        let mut frame = Frame::decode(bytes).expect("honest frames decode");
        match (&mut frame, a, b) {
            (Frame::PowBroadcastConditions(c), 1, 0) => challenge = c.work_request.challenge,
            (Frame::PowBroadcast(p), 0, 1) => f(p, challenge),
            _ => return,
        }
        *bytes = frame.encode();
    }))
}

/// Checks on a received broadcast.
fn broadcast_case(name: &str) -> Option<(Net, usize, FrameKind)> {
    let b = FrameKind::Broadcast;
    let case = match name {
        "unknown_ask" => {
            let mut net = run(line());
            net.inject(0, 1, net.frame(0, 1, b));
            (net, 1, b)
        }
        "conditions_expired" => {
            let net = Net::builder(line_policies())
                .line()
                .pow_time(Duration::from_secs(11));
            (run(net.build()), 1, b)
        }
        "pow_mismatch" => (
            broadcast_on(0, 1, |f| f.proof_of_work.pow_target.0[0] ^= 1),
            1,
            b,
        ),
        "pow_insufficient" => {
            let net = broadcast_with_challenge(|f, challenge| {
                let work = pow_work(f, challenge);
                let data = encode(&f.broadcast_payload);
                while pow::check(&data, &work, f.proof_of_work.nonce) {
                    f.proof_of_work.nonce = f.proof_of_work.nonce.wrapping_add(1);
                }
            });
            (net, 1, b)
        }
        "timestamp_out_of_tolerance" => {
            let net = broadcast_with_challenge(|f, challenge| {
                f.broadcast_payload.timestamp.0 += 60_000_000;
                resolve_pow(f, challenge);
            });
            (net, 1, b)
        }
        "payload_mismatch" => {
            let net = broadcast_on(0, 1, |f| {
                f.broadcast_payload
                    .signed_request_payload
                    .payload
                    .payload_id
                    .0[0] ^= 1;
            });
            (net, 1, b)
        }
        "routing_instruction_mismatch" => {
            let net = broadcast_on(0, 1, |f| {
                let list = &mut f.broadcast_payload.routing_payment_instruction_list;
                list.last_mut().expect("one hop").amount += 1;
            });
            (net, 1, b)
        }
        "routing_loop" => {
            let net = broadcast_on(1, 2, |f| {
                let list = &mut f.broadcast_payload.routing_payment_instruction_list;
                let mine = *list.last().expect("two hops");
                list.insert(0, mine);
            });
            (net, 2, b)
        }
        _ => return None,
    };
    Some(case)
}

/// Limits and cryptography of the relay and the replier.
fn limit_case(name: &str) -> Option<(Net, usize, FrameKind)> {
    let b = FrameKind::Broadcast;
    let case = match name {
        "too_many_hops" => {
            let limits = Limits {
                max_hops: 1,
                ..Limits::default()
            };
            // Without decoys, so the first middleman's list holds one entry.
            let mut policies = line_policies();
            policies[0] = Box::new(TestPolicy {
                params: PolicyParams {
                    decoy_hops_max: 0,
                    ..params(5)
                },
                reply: None,
            });
            let net = Net::builder(policies).line().limits(limits).build();
            (run(net), 2, b)
        }
        "seal_failed" => {
            let sender = RealCrypto.keypair_from_seed(key_seed(0, 1)).public();
            let crypto: Arc<dyn CryptoProvider> = Arc::new(NoSealTo(sender));
            let net = Net::builder(line_policies()).line().crypto(crypto).build();
            (run(net), 3, b)
        }
        _ => return None,
    };
    Some(case)
}

/// Checks on a reply passing back, at a middleman or at the sender.
fn reply_case(name: &str) -> Option<(Net, usize, FrameKind)> {
    let r = FrameKind::Reply;
    let case = match name {
        "bad_onion" => (reply_on(3, 2, |f| f.forward_onion.0[40] ^= 1), 2, r),
        "unknown_next_hop" => {
            let replied = |n: &Net| n.sent.iter().any(|s| s.0 == 3 && s.2 == r);
            let mut net = step_until(line(), replied);
            net.nodes[2].remove_peer(PeerId(1));
            net.drive();
            (net, 2, r)
        }
        "bad_reply_signature" => {
            // Middlemen verify replies (`Limits::relay_verifies_replies`): the first one stops it.
            let net = reply_on(3, 2, |f| f.signed_reply_payload.signature.0[0] ^= 1);
            (net, 2, r)
        }
        "missing_own_instruction" => (
            reply_on(3, 2, |f| own_instruction(f, 2).account.0[0] ^= 1),
            2,
            r,
        ),
        "preimage_mismatch" => {
            // A replier signing a sealed preimage that does not open to its payment hash.
            let net = reply_on(3, 2, |f| {
                let mut payload = f.signed_reply_payload.payload.clone();
                let key = account_of(2, &payload.signed_request_payload);
                let list = &mut payload.payment_crypto_instruction_list;
                let own = list
                    .iter_mut()
                    .find(|i| i.account == key)
                    .expect("on route");
                own.sealed_preimage[40] ^= 1;
                let replier = RealCrypto.keypair_from_seed(key_seed(3, 1));
                f.signed_reply_payload =
                    SignedReplyPayload::sign(&RealCrypto, &replier, payload).expect("real key");
            });
            (net, 2, r)
        }
        "unknown_payload" => {
            // The sender already decrypted and forgot the topic; it still knows it was its own.
            let mut net = run(line());
            net.inject(1, 0, net.frame(1, 0, r));
            (net, 0, r)
        }
        "reply_after_deadline" => {
            let paying = |n: &Net| !n.payments.is_empty();
            let mut net = step_until(line(), paying);
            net.inject(1, 0, net.frame(1, 0, r));
            net.drive();
            (net, 0, r)
        }
        "missing_invoice" => (reply_on(1, 0, |f| f.invoices.truncate(1)), 0, r),
        "inflated_invoice" => (reply_on(1, 0, |f| f.invoices[0].amount += 1), 0, r),
        "invoice_mismatch" => (reply_on(1, 0, |f| f.invoices[0].amount -= 1), 0, r),
        "malformed_instructions" => {
            // A replier signing a reply with no instruction at all.
            let net = reply_on(1, 0, |f| {
                let mut payload = f.signed_reply_payload.payload.clone();
                payload.payment_crypto_instruction_list.clear();
                let key = RealCrypto.keypair_from_seed(key_seed(3, 1));
                f.signed_reply_payload =
                    SignedReplyPayload::sign(&RealCrypto, &key, payload).expect("real key");
                f.invoices.clear();
            });
            (net, 0, r)
        }
        "excessive_fee" => {
            // The sender pays at most 10 sat a hop; middleman 2 asks 11 of node 1, which allows it.
            let mut sender = params(5);
            sender.routing_fee_max_sat = 10;
            let sender: Box<dyn Policy> = Box::new(TestPolicy {
                params: sender,
                reply: None,
            });
            let policies = vec![sender, relay(7), relay(11), replier(9, MSG)];
            (run(Net::new(policies, &[(0, 1), (1, 2), (2, 3)], 9)), 0, r)
        }
        _ => return None,
    };
    Some(case)
}

/// The defences against peers that replay, flood or send junk (`node/guard.rs`, replies).
fn guard_case(name: &str) -> Option<(Net, usize, FrameKind)> {
    let r = FrameKind::Reply;
    let case = match name {
        "duplicate_reply" => {
            let mut net = run(line());
            net.inject(2, 1, net.frame(2, 1, r));
            (net, 1, r)
        }
        "not_forwarded" => {
            let reply = run(line()).frame(2, 1, r);
            let mut fresh = line();
            fresh.inject(2, 1, reply);
            (fresh, 1, r)
        }
        "too_many_routes" => {
            let mut sender = params(5);
            sender.reply_routes_max = 1;
            let sender: Box<dyn Policy> = Box::new(TestPolicy {
                params: sender,
                reply: None,
            });
            let policies = vec![sender, relay(5), relay(6), replier(13, MSG)];
            let net = Net::new(policies, &[(0, 1), (0, 2), (1, 3), (2, 3)], 9);
            (run(net), 0, r)
        }
        "quota_exceeded" => {
            let limits = Limits {
                conditions_per_peer_max: 1,
                ..Limits::default()
            };
            let mut net = Net::builder(line_policies()).line().limits(limits).build();
            net.broadcast(0);
            (run(net), 1, FrameKind::Ask)
        }
        "throttled" => {
            let valid = run(line()).frame(0, 1, FrameKind::Ask);
            let mut net = line();
            for i in 0..Limits::default().crypto_failures_burst as usize {
                net.inject(0, 1, forged_ask(&valid, i));
            }
            net.events.clear();
            net.inject(0, 1, valid);
            (net, 1, FrameKind::Ask)
        }
        _ => return None,
    };
    Some(case)
}

/// The matrix: every name in [`RejectReason::NAMES`] must have a case, or this fails.
fn case(name: &str) -> (Net, usize, FrameKind) {
    ask_case(name)
        .or_else(|| broadcast_case(name))
        .or_else(|| limit_case(name))
        .or_else(|| reply_case(name))
        .or_else(|| guard_case(name))
        .unwrap_or_else(|| panic!("no rejection-matrix case for RejectReason `{name}`: add one"))
}

#[test]
fn every_reject_reason_is_produced_at_the_exact_hop() {
    for name in RejectReason::NAMES {
        eprintln!("case {name}");
        let (net, node, kind) = case(name);
        let got: Vec<_> = net
            .rejections()
            .into_iter()
            .map(|(n, k, r)| (n, k, r.name()))
            .collect();
        assert_eq!(
            got.first(),
            Some(&(node, kind, name)),
            "case {name}: {got:?}"
        );
        assert!(
            got.iter().all(|g| *g == (node, kind, name)),
            "case {name}: only that rejection, {got:?}"
        );
    }
}

#[test]
fn tampering_on_every_reply_link_is_caught() {
    // Invoices are not signed: an inflated one on any link reaches the sender, which refuses it.
    for (from, to) in [(3, 2), (2, 1), (1, 0)] {
        let net = reply_on(from, to, |f| f.invoices[0].amount += 1);
        let want = [(0, FrameKind::Reply, RejectReason::InflatedInvoice)];
        assert_eq!(net.rejections(), want, "inflated on {from} -> {to}");
        assert!(net.delivered.is_empty());
    }
    // The onion is peeled hop by hop: a flipped byte is caught by the middleman it reaches.
    for (from, to) in [(3, 2), (2, 1)] {
        let mut net = reply_on(from, to, |f| f.forward_onion.0[40] ^= 1);
        let want = [(to, FrameKind::Reply, RejectReason::BadOnion)];
        assert_eq!(net.rejections(), want, "onion on {from} -> {to}");
        // The sender hears nothing back and gives up at its deadline.
        let Some((0, Event::TopicBroadcast { payload_id })) = net.events.first().cloned() else {
            panic!("the sender's broadcast comes first");
        };
        net.expect_events(
            0,
            &[
                Event::TopicBroadcast { payload_id },
                Event::TopicForwarded {
                    payload_id,
                    to: PeerId(1),
                },
                Event::NoReply { payload_id },
            ],
        );
    }
}

/// Broadcast 0 → 1 with its timestamp moved `ahead_us` into the future and its proof of work
/// solved again, as from an originator whose clock runs ahead.
fn clock_ahead(ahead_us: u64) -> Net {
    broadcast_with_challenge(move |f, challenge| {
        f.broadcast_payload.timestamp.0 += ahead_us;
        resolve_pow(f, challenge);
    })
}

#[test]
fn a_timestamp_slightly_in_the_future_is_accepted_within_the_skew_allowance() {
    let skew = TIMESTAMP_SKEW_MAX.0;
    let ahead = clock_ahead(skew);
    assert_eq!(ahead.rejections(), []);
    assert_eq!(ahead.delivered.len(), 1, "the reply still comes back");
    // Stamped when the conditions arrive, the frame reaches node 1 after 1 ms of proof of work
    // and 10 ms on the link: stamped that much more ahead, it is 1 µs beyond the skew.
    let too_far = clock_ahead(skew + 11_000 + 1);
    let want = [(
        1,
        FrameKind::Broadcast,
        RejectReason::TimestampOutOfTolerance,
    )];
    assert_eq!(too_far.rejections(), want);
}
