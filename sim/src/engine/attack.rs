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
        if node as usize >= self.nodes.len() {
            return;
        }
        self.node_mut(node);
        let peers = self.nodes[node as usize].live().peers();
        for action in self.adversary.on_wake(now, node, wake, peers) {
            self.act(now, action);
        }
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
            // Fails only for a stale or foreign list, which this one never is.
            let _ = self.node_mut(i).handle_revocation_list(now, &list);
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
                let n = self.nodes.len();
                let (Some(sn), true) = (self.nodes.get_mut(from as usize), (to as usize) < n)
                else {
                    return;
                };
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
                let (ua, ub) = (a as usize, b as usize);
                if ua < self.nodes.len() && ub < self.nodes.len() && a != b {
                    let keys = &self.blueprint.factory.keys;
                    let (ka, kb) = (keys.get(ua), keys.get(ub));
                    self.node_mut(a).add_peer(PeerId(u64::from(b)), kb);
                    self.node_mut(b).add_peer(PeerId(u64::from(a)), ka);
                    if let Some(r) = self.recorder() {
                        r.connected.push((a, b));
                    }
                }
            }
            Action::Wake { at, node, wake } => self.push(at, Ev::Adversary { node, wake }),
            Action::Originate { node, topic } => {
                let started = self.originate(at, node, *topic);
                self.adversary.on_originate(started);
            }
        }
    }

    /// Chatterbox `node` broadcasts its own `topic` through its protocol node at `at`, paying
    /// the crypto cost like any input; skipped (false) while its device is busy or it is offline.
    fn originate(&mut self, at: Timestamp, node: u32, topic: sweet_gossip::Topic) -> bool {
        let Some(sn) = self.nodes.get(node as usize) else {
            return false;
        };
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
