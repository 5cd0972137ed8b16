//! `sgsim`: a deterministic discrete-event simulator and research harness for Sweet-Gossip.
//!
//! A scenario file (see [`scenario`]) fixes a peer graph, node roles, a workload of job topics,
//! policies, network faults and a seed. [`engine::run`] executes one replicate with every node
//! running the protocol crate's `Node`; [`runner`] runs whole sweeps in parallel and writes
//! results whose bytes depend only on the scenario file and seed.

#![deny(missing_docs)]

pub mod adversary;
pub mod definitions;
pub mod engine;
pub mod fanout;
pub mod graph;
pub mod input;
pub mod inspect;
pub mod ledger;
pub mod lightning;
pub mod metrics;
pub mod model;
pub mod network;
pub mod outdir;
pub mod record;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod validation;
pub mod verify_cache;
pub mod workload;
