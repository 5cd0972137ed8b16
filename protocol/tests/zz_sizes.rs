#[test]
fn sizes() {
    use std::mem::size_of;
    eprintln!("Node {}", size_of::<sweet_gossip::Node>());
    eprintln!("NodeConfig {}", size_of::<sweet_gossip::NodeConfig>());
    eprintln!("Keypair {}", size_of::<sweet_gossip::Keypair>());
    eprintln!("Certificate {}", size_of::<sweet_gossip::Certificate>());
    eprintln!("Limits {}", size_of::<sweet_gossip::Limits>());
    eprintln!("CryptoCounts {}", size_of::<sweet_gossip::CryptoCounts>());
    eprintln!("SignedRequestPayload {}", size_of::<sweet_gossip::SignedRequestPayload>());
    eprintln!("BroadcastPayload {}", size_of::<sweet_gossip::BroadcastPayload>());
    eprintln!("Output {}", size_of::<sweet_gossip::Output>());
}
