//! Issue 22 item 3: a sender's loss is bounded by the budget it declares, and it pays the
//! replier's invoice before the middlemen's.

use rand::SeedableRng;
use sweet_gossip::testing::*;
use sweet_gossip::*;

mod common;
use common::{line, MSG};

/// Replier 3 signs, before its own instruction, `phantoms` instructions of 10,000 sat for
/// accounts it holds, and invoices them; it registers those invoices so they can be paid.
fn add_phantoms(net: &mut Net, phantoms: usize) {
    let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(7);
    let mut extra = Vec::new();
    for k in 0..phantoms {
        let key = RealCrypto.keypair_from_seed([k as u8 + 1; 32]);
        let preimage = Preimage([k as u8 + 100; 32]);
        let sealed = RealCrypto
            .seal(&key.public(), &preimage.0, &mut rng)
            .unwrap();
        let instruction = PaymentCryptoInstruction {
            account: key.public(),
            amount: ROUTING_FEE_MAX_SAT,
            payment_hash: preimage.payment_hash(),
            sealed_preimage: sealed,
        };
        let invoice = Invoice {
            account: key.public(),
            payment_hash: preimage.payment_hash(),
            amount: ROUTING_FEE_MAX_SAT,
        };
        net.register_invoice(3, &invoice, preimage);
        extra.push((instruction, invoice));
    }
    let identity = net.configs[3]
        .keys
        .held()
        .expect("held keys")
        .identity
        .clone();
    net.tamper = Some(Box::new(move |from, _, bytes: &mut Vec<u8>| {
        if from != 3 {
            return;
        }
        let Ok(Frame::Reply(mut f)) = Frame::decode(bytes) else {
            return;
        };
        let payload = &mut f.signed_reply_payload.payload;
        let own = payload.payment_crypto_instruction_list.pop().unwrap();
        for (i, inv) in &extra {
            payload.payment_crypto_instruction_list.push(i.clone());
            f.invoices.push(*inv);
        }
        payload.payment_crypto_instruction_list.push(own);
        f.signed_reply_payload =
            SignedReplyPayload::sign(&RealCrypto, &identity, payload.clone()).unwrap();
        *bytes = Frame::Reply(f).encode();
    }));
}

/// The phantom-hop theft, by the replier (who signs the list itself): before, the
/// sender paid 20 phantom instructions of 10,000 sat each, 200,031 sat for a 31-sat route.
#[test]
fn a_sender_never_pays_beyond_its_budget() {
    let mut net = line(81);
    add_phantoms(&mut net, 20);
    net.broadcast(0);
    net.drive();
    let spent = net.spent.get(&0).copied().unwrap_or(0);
    let budget = PolicyParams::default().topic_fee_budget_sat;
    assert!(spent <= budget, "spent {spent} > budget {budget}");
    assert_eq!(
        spent, 0,
        "the route above the reply budget is refused outright"
    );
}

/// A replier that never settles its invoice costs the sender nothing: its invoice is paid
/// first, and the middlemen's only once it settled. Before, the sender paid the 18
/// middleman satoshis (7 + 11) and got no reply.
#[test]
fn an_unsettled_replier_costs_the_sender_nothing() {
    let mut net = line(82);
    net.failing_payees.insert(3);
    net.broadcast(0);
    net.drive();
    assert!(net.delivered.is_empty());
    assert_eq!(
        net.spent.get(&0).copied().unwrap_or(0),
        0,
        "{:?}",
        net.payments
    );
}

/// The paper's protocol has no budget: unhardened, the same phantoms are paid in full.
#[test]
fn unhardened_the_phantoms_are_paid() {
    let mut net = Net::builder(vec![relay(5), relay(7), relay(11), replier(13, MSG)])
        .line()
        .seed(81)
        .limits(Limits::unhardened())
        .build();
    add_phantoms(&mut net, 20);
    net.broadcast(0);
    net.drive();
    let spent = net.spent.get(&0).copied().unwrap_or(0);
    assert_eq!(spent, 20 * ROUTING_FEE_MAX_SAT + 7 + 11 + 13);
    // docs/protocol.md quotes this run's loss.
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md"))
        .expect("docs/protocol.md");
    let quoted = format!("was paid {} sat", thousands(spent));
    assert!(
        doc.contains(&quoted),
        "docs/protocol.md should say `{quoted}`"
    );
}

/// `n` with a comma every three digits, as the docs write numbers.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
