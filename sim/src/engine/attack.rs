//! The engine's side of the adversary hooks: carrying out what [`Adversary`] asks for and
//! running its scheduled events. The hooks on frames sit in `World::send` and `World::step`.

use super::{Ev, World};
use crate::adversary::{Action, Wake};
use sweet_gossip::{CredentialSource, PeerId, Timestamp};

#[cfg(doc)]
use crate::adversary::Adversary;

impl World {
    /// Runs the adversary event `wake` of `node` now.
    pub(super) fn wake(&mut self, node: u32, wake: Wake) {
        let now = self.now;
        if wake == Wake::Revoke {
            return self.revoke(now);
        }
        self.assert_node(node, "woken");
        self.node_mut(node);
        let peers = self.nodes[node as usize].live().peers();
        for action in self.adversary.on_wake(now, node, wake, peers) {
            self.act(now, action);
        }
    }

    /// Every id the adversary hands the engine is a node of this world; anything else is a bug
    /// in the adversary, not an attack to ignore.
    fn assert_node(&self, node: u32, role: &str) {
        assert!(
            (node as usize) < self.nodes.len(),
            "invariant: the adversary names only nodes of the world: node {role} is {node}, \
             the world has {}",
            self.nodes.len()
        );
    }

    /// Hands the adversary what its kind needs before the run starts (the flooders'
    /// credentials), and schedules the revocation, if any, on the first customer (customers
    /// never churn, so the event is never held).
    pub(super) fn arm_adversary(&mut self) {
        if self.adversary.needs_credentials() {
            let factory = std::sync::Arc::clone(&self.blueprint.factory);
            for i in 0..self.nodes.len() as u32 {
                if self.adversary.is_adversarial(i) && !self.adversary.is_sybil(i) {
                    let creds = factory.credentials(PeerId(u64::from(i)));
                    self.adversary
                        .arm(i, creds, std::sync::Arc::clone(&factory.crypto));
                }
            }
        }
        if let (Some(at), Some(&node)) = (self.adversary.revoke_at(), self.customers.first()) {
            self.push(
                at,
                Ev::Adversary {
                    node,
                    wake: Wake::Revoke,
                },
            );
        }
    }

    /// The trusted authority revokes every detected attacker ([`Adversary::revoked`]) and
    /// every honest node installs the signed list now, paying its verification like any input
    /// (offline nodes too: the list reaches them out of band). Nodes not yet built are built.
    fn revoke(&mut self, now: Timestamp) {
        let mut ca = self.blueprint.factory.ca.clone();
        for i in self.adversary.revoked() {
            let key = self.node_mut(i).certificate().public_key;
            ca.revoke(key);
        }
        let list = ca.revocation_list(self.blueprint.factory.crypto.as_ref(), now);
        for i in 0..self.nodes.len() as u32 {
            if self.adversary.is_adversarial(i) {
                continue;
            }
            let before = self.node_mut(i).crypto_counts();
            self.node_mut(i)
                .handle_revocation_list(now, &list)
                .expect("invariant: the trusted authority's list is newer and signed");
            let sn = &mut self.nodes[i as usize];
            let cost = self
                .device
                .crypto(&sn.live().crypto_counts().since(&before));
            sn.busy_until = sn.busy_until.max(now + cost);
            self.drain(i, now);
        }
    }

    /// Carries out what the adversary asked for at `at`.
    pub(super) fn act(&mut self, at: Timestamp, action: Action) {
        match action {
            Action::Send {
                from,
                to,
                kind,
                bytes,
                pow_attempts,
            } => {
                self.assert_node(from, "sending");
                self.assert_node(to, "sent to");
                let sn = &mut self.nodes[from as usize];
                let mut at = at;
                if pow_attempts > 0 {
                    let done = sn.busy_until.max(at) + self.device.pow(pow_attempts);
                    sn.busy_until = done;
                    at = done;
                    self.metrics.pow(from, pow_attempts);
                    if let Some(r) = self.recorder() {
                        r.pow(from, pow_attempts);
                    }
                }
                self.transmit(from, to, kind, bytes.into(), at);
            }
            Action::Connect { a, b } => {
                self.assert_node(a, "connecting");
                self.assert_node(b, "connected to");
                let (ua, ub) = (a as usize, b as usize);
                if a != b {
                    let keys = &self.blueprint.factory.keys;
                    let (ka, kb) = (keys.get(ua), keys.get(ub));
                    self.node_mut(a).add_peer(PeerId(u64::from(b)), kb);
                    self.node_mut(b).add_peer(PeerId(u64::from(a)), ka);
                    if let Some(r) = self.recorder() {
                        r.connected.push((a, b));
                    }
                }
            }
            Action::Wake { at, node, wake } => {
                self.assert_node(node, "to wake");
                self.push(at, Ev::Adversary { node, wake });
            }
            Action::Originate { node, topic } => {
                let started = self.originate(at, node, *topic);
                self.adversary.on_originate(started);
            }
        }
    }

    /// Chatterbox `node` broadcasts its own `topic` through its protocol node at `at`, paying
    /// the crypto cost like any input; skipped (false) while its device is busy or it is offline.
    fn originate(&mut self, at: Timestamp, node: u32, topic: sweet_gossip::Topic) -> bool {
        self.assert_node(node, "originating");
        let sn = &self.nodes[node as usize];
        if !sn.online || sn.busy_until > at {
            return false;
        }
        let before = self.node_mut(node).crypto_counts();
        if self.node_mut(node).broadcast(at, topic).is_err() {
            return false;
        }
        let sn = &mut self.nodes[node as usize];
        let cost = self
            .device
            .crypto(&sn.live().crypto_counts().since(&before));
        let done = at + cost;
        sn.busy_until = sn.busy_until.max(done);
        self.input_from = None;
        self.drain(node, done);
        self.schedule_expiry(node);
        true
    }
}
