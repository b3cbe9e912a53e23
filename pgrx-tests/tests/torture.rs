//! The bounded form of `make torture` that runs in `make test`: eight connections for a few
//! seconds (PG_SEATING_TORTURE_SECONDS, default 8) with fault injection on.

use std::time::Duration;

use pg_seating_sql_tests::torture::{run, Options};

#[test]
fn torture_with_faults_keeps_every_invariant() {
    let seconds: f64 = std::env::var("PG_SEATING_TORTURE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(8.0);
    let o = Options { connections: 8, duration: Duration::from_secs_f64(seconds), faults: true, seed: 7 };
    let report = run(&o);
    let text = report.render(&o);
    println!("{text}");
    assert!(report.violations.is_empty(), "invariant violations:\n{text}");
    assert_eq!(report.deadlocks(), 0, "deadlocks:\n{text}");
    assert_eq!(report.internal_errors(), 0, "XX000:\n{text}");
    assert_eq!(report.unexpected_errors(), 0, "unexpected SQLSTATEs:\n{text}");
    // The run must have exercised what it claims to: real writes, real conflicts, real faults.
    for op in ["assign_v2", "unassign", "hold", "confirm", "confirm_hold", "transition", "auto_assign"] {
        assert!(report.count(op, "ok") > 0, "{op} never succeeded:\n{text}");
    }
    assert!(report.count("assign_v2", "P0001") > 0, "no conflicts at all:\n{text}");
    assert!(report.cancels_sent > 0 && report.errors_by_code().contains_key("57014"), "no cancellations:\n{text}");
    assert_eq!(pg_seating_sql_tests::server_log_crashes(), Vec::<String>::new(), "a backend crashed:\n{text}");
    // Leave the shared test database as it was.
    pg_seating_sql_tests::connect().execute("DELETE FROM restaurants WHERE name = 'torture'", &[]).unwrap();
}
