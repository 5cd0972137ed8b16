//! Deterministic discrete-event simulator for Sweet-Gossip.
