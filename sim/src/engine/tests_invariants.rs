//! Each broken engine invariant stops the run with a panic that names it.

use super::{Ev, World};
use crate::adversary::Action;
use crate::scenario::parse;
use std::path::Path;
use sweet_gossip::{FrameKind, Geohash, TaxiTopic, Timestamp, Topic};

fn world() -> World {
    let text = "name = \"t\"\nseed = 3\nduration_s = 20.0\n[graph]\n\
                generator = \"random_regular\"\nnodes = 30\ndegree = 4\n[workload]\n\
                arrivals = \"fixed\"\ntimes_s = [1.0]\n";
    let s = parse(text, Path::new("t.toml")).unwrap().points[0]
        .scenario
        .clone();
    World::build(&s, 0, Path::new(".")).unwrap()
}

#[test]
fn a_run_with_its_invariants_intact_finishes() {
    let mut w = world();
    w.run_to_end();
    let out = w.finish();
    assert_eq!(out.metrics.metrics["fees_unbalanced_sat"], Some(0.0));
}

#[test]
#[should_panic(expected = "invariant: no event is queued earlier than now")]
fn queuing_an_event_in_the_past_panics() {
    let mut w = world();
    w.now = Timestamp(5_000_000);
    w.push(Timestamp(4_999_999), Ev::Publish { arrival: 0 });
}

#[test]
#[should_panic(expected = "invariant: time is monotonic")]
fn an_event_earlier_than_now_in_the_queue_panics() {
    let mut w = world();
    w.now = Timestamp(5_000_000);
    w.queue.push(Timestamp(1), Ev::Publish { arrival: 0 });
    w.run_to_end();
}

#[test]
#[should_panic(expected = "invariant: a customer's node accepts the workload's topic")]
fn a_refused_publish_panics_instead_of_vanishing() {
    let mut w = world();
    let cell = Geohash::encode(0.0, 0.0, 5);
    w.arrivals[0].topic = Topic::Taxi(TaxiTopic {
        pickup_geohash: cell.clone(),
        dropoff_geohash: cell,
        pickup_after: Timestamp(2),
        dropoff_before: Timestamp(1), // before pickup_after: malformed
    });
    assert!(!w.arrivals[0].topic.is_well_formed());
    w.run_to_end();
}

#[test]
#[should_panic(expected = "invariant: the adversary names only nodes of the world: node sent to")]
fn an_adversary_frame_to_a_node_that_does_not_exist_panics() {
    let mut w = world();
    let to = w.nodes.len() as u32;
    w.act(
        Timestamp(0),
        Action::Send {
            from: 0,
            to,
            kind: FrameKind::Malformed,
            bytes: vec![1],
            pow_attempts: 0,
        },
    );
}

#[test]
#[should_panic(expected = "invariant: the adversary names only nodes of the world: node woken")]
fn waking_a_node_that_does_not_exist_panics() {
    let mut w = world();
    let node = w.nodes.len() as u32 + 7;
    w.wake(node, crate::adversary::Wake::Connect);
}

#[test]
#[should_panic(expected = "invariant: the adversary names only nodes of the world: node to wake")]
fn scheduling_a_wake_for_a_node_that_does_not_exist_panics() {
    let mut w = world();
    let node = w.nodes.len() as u32;
    w.act(
        Timestamp(0),
        Action::Wake {
            at: Timestamp(1),
            node,
            wake: crate::adversary::Wake::Chatter,
        },
    );
}

#[test]
#[should_panic(expected = "invariant: is_adversarial asked about node 30")]
fn asking_whether_an_unknown_node_is_adversarial_panics() {
    let w = world();
    let _ = w.adversary.is_adversarial(30);
}
