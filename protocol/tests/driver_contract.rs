//! The driver contract of `Node`: every output drained before the next input, time never
//! going backwards. `check_input` names a breach as a typed error; debug builds also panic.

use sweet_gossip::testing::*;
use sweet_gossip::*;

#[test]
fn an_input_before_the_outputs_are_drained_is_a_typed_error() {
    let mut net = Net::new(vec![relay(5), relay(7)], &[(0, 1)], 1);
    net.with_node(0, |node, now| {
        let later = Timestamp(now.0 + 1_000_000);
        assert_eq!(node.check_input(later), Ok(()));
        node.broadcast(later, taxi()).expect("a well-formed topic");
        let Err(DriverError::OutputsNotDrained { pending }) = node.check_input(later) else {
            panic!("the broadcast's outputs are still queued");
        };
        assert!(pending > 0);
        let mut polled = 0;
        while node.poll_output().is_some() {
            polled += 1;
        }
        assert_eq!(
            polled, pending,
            "pending counts exactly what is left to poll"
        );
        assert_eq!(node.check_input(later), Ok(()));
        assert_eq!(
            node.check_input(now),
            Err(DriverError::TimeWentBackwards {
                now: now.0,
                last: later.0
            })
        );
    });
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "driver contract: ")]
fn debug_builds_panic_on_an_input_before_the_outputs_are_drained() {
    let mut net = Net::new(vec![relay(5), relay(7)], &[(0, 1)], 1);
    net.with_node(0, |node, now| {
        node.broadcast(now, taxi()).expect("a well-formed topic");
        node.handle_frame(now, PeerId(1), &[0]);
    });
}
