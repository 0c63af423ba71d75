//! Crash-safe apply: an apply killed with SIGKILL at any moment leaves no object that no
//! state knows about. Every create is recorded with an idempotency token before it starts;
//! the next plan finds what the killed run created (by that token) and adopts it, so the
//! second apply converges to exactly the objects of an uninterrupted one, with no twins.

use crate::{Lcg, Work, apply_killed_after, assert_converged, kill, recover, spawn_apply, thirty_resources};
use std::time::{Duration, Instant};

fn expected_names() -> Vec<String> {
    let mut names: Vec<String> =
        (0..20).map(|i| format!("wide-{i}")).chain((0..10).map(|i| format!("chain-{i}"))).collect();
    names.sort();
    names
}

#[test]
fn kill_9_mid_create_and_at_twenty_points_of_an_apply_leaves_no_orphan_and_converges() {
    // How long an uninterrupted apply takes, to spread the kill points over it.
    let reference = Work::new(&thirty_resources());
    let started = Instant::now();
    reference.ok(&["apply", "-auto-approve"]);
    let full = started.elapsed();
    assert_eq!(reference.cloud_names(), expected_names());

    // At the worst moment, deterministically: the cloud has made `held` (which answers a minute
    // later) and terrane is killed before it hears of it. The next plan must adopt it.
    let w = Work::new(&format!(
        "{}\nresource \"fake_resource\" \"held\" {{\n  name       = \"held\"\n  latency_ms = 60000\n}}\n",
        thirty_resources()
    ));
    let child = spawn_apply(&w);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !w.cloud_names().contains(&"held".to_string()) {
        assert!(Instant::now() < deadline, "the apply never created `held`");
        std::thread::sleep(Duration::from_millis(5));
    }
    kill(child);
    let what = "killed while `held` was made and not yet answered";
    assert!(recover(&w, what) >= 1, "{what}: the plan adopted nothing");
    let mut with_held = expected_names();
    with_held.push("held".into());
    with_held.sort();
    assert_eq!(w.cloud_names(), with_held, "{what}: the cloud differs from an uninterrupted apply's");
    assert_converged(&w, what, 31);

    // And at seeded random moments, wherever they fall.
    let mut rng = Lcg(0x5eed);
    for point in 0..20 {
        let w = Work::new(&thirty_resources());
        let delay = Duration::from_millis(rng.below(full.as_millis() as u64));
        apply_killed_after(&w, delay);
        let before = w.cloud_names();

        // The next plan adopts what the killed run created; the apply creates the rest.
        let what = format!("point {point} ({delay:?}; the killed run had made {before:?})");
        recover(&w, &what);
        assert_eq!(w.cloud_names(), expected_names(), "{what}: the cloud differs from an uninterrupted apply's");
        assert_converged(&w, &what, 30);
    }
}
