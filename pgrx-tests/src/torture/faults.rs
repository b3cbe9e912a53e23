//! Fault injection: tiny lock and statement timeouts on some of a worker's calls, and a thread
//! that cancels and terminates calls in flight.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::{connect_as, Rng, Shared, APPLICATION};

/// The `lock_timeout` and `statement_timeout` (ms, 0 for none) of a worker's next call: with
/// faults on, a tiny lock timeout on 15% of the calls and a tiny statement timeout on another 15%.
pub(super) fn timeouts(rng: &mut Rng, faults: bool) -> (u64, u64) {
    if faults {
        match rng.below(100) {
            0..=14 => (1 + rng.below(10), 0),
            15..=29 => (0, 2 + rng.below(40)),
            _ => (0, 0),
        }
    } else {
        (0, 0)
    }
}

/// Cancels or terminates a random worker's call in flight every 10–150 ms.
pub(super) fn injector(seed: u64, stop: Arc<AtomicBool>, shared: Arc<Mutex<Shared>>) {
    let mut rng = Rng::new(seed ^ 0xFA17);
    let mut c = connect_as("pg_seating_torture_faults").expect("fault injector connection");
    let (mut cancels, mut terminations) = (0, 0);
    while !stop.load(Ordering::Relaxed) {
        thread::sleep(Duration::from_millis(10 + rng.below(140)));
        let pids: Vec<i32> = c
            .query(
                "SELECT pid FROM pg_stat_activity
                  WHERE application_name = $1 AND state = 'active' AND query !~ '^SET '",
                &[&APPLICATION],
            )
            .expect("pg_stat_activity")
            .iter()
            .map(|r| r.get(0))
            .collect();
        if pids.is_empty() {
            continue;
        }
        let pid = *rng.pick(&pids);
        if rng.chance(80) {
            c.query("SELECT pg_cancel_backend($1)", &[&pid]).expect("cancel");
            cancels += 1;
        } else {
            c.query("SELECT pg_terminate_backend($1)", &[&pid]).expect("terminate");
            terminations += 1;
        }
    }
    let mut s = shared.lock().unwrap();
    s.report.cancels_sent += cancels;
    s.report.terminations_sent += terminations;
}
