//! Crash-safe apply: an apply killed with SIGKILL at any moment leaves no object that no
//! state knows about. Every create is recorded with an idempotency token before it starts;
//! the next plan finds what the killed run created (by that token) and adopts it, so the
//! second apply converges to exactly the objects of an uninterrupted one, with no twins.

use crate::{Lcg, Work, apply_killed_after, assert_converged, recover, thirty_resources};
use std::time::{Duration, Instant};

fn expected_names() -> Vec<String> {
    let mut names: Vec<String> =
        (0..20).map(|i| format!("wide-{i}")).chain((0..10).map(|i| format!("chain-{i}"))).collect();
    names.sort();
    names
}

#[test]
fn kill_9_at_twenty_points_of_an_apply_leaves_no_orphan_and_converges() {
    // How long an uninterrupted apply takes, to spread the kill points over it.
    let reference = Work::new(&thirty_resources());
    let started = Instant::now();
    reference.ok(&["apply", "-auto-approve"]);
    let full = started.elapsed();
    assert_eq!(reference.cloud_names(), expected_names());

    let mut rng = Lcg(0x5eed);
    let mut adopted_total = 0;
    for point in 0..20 {
        let w = Work::new(&thirty_resources());
        let delay = Duration::from_millis(rng.below(full.as_millis() as u64));
        apply_killed_after(&w, delay);
        let before = w.cloud_names();

        // The next plan adopts what the killed run created; the apply creates the rest.
        let what = format!("point {point} ({delay:?}; the killed run had made {before:?})");
        adopted_total += recover(&w, &what);
        assert_eq!(w.cloud_names(), expected_names(), "{what}: the cloud differs from an uninterrupted apply's");
        assert_converged(&w, &what, 30);
    }
    // Not every point falls between a create and its checkpoint, but with 20 spread over
    // the apply some must: otherwise this test would not test adoption at all.
    assert!(adopted_total > 0, "no kill point left an unrecorded object to adopt");
}
