//! Bounded work (SPEC §10) on the worst layouts: every table movable, two seats, in one zone and
//! adjacent to every other (40 and 60 of them). Every `quote_tables` ends within its
//! statement_timeout (+ 100 ms), answering or failing with 57014; a cancel and a terminate sent
//! from another connection end a long quote and a long `auto_assign_day` within 100 ms.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use pg_seating_sql_tests::{connect, error_parts, fixture, sqlstate, Fixture};
use postgres::Client;

const QUOTE: &str = "SELECT count(*) FROM quote_tables($1::text::uuid, 5, $2::int)";
const START: &str = "2027-03-10 18:00Z";
const END: &str = "2027-03-10 20:00Z";
/// The statement_timeout of the grid, and how late an answer or a 57014 may come after it (or after
/// a cancel or terminate).
const TIMEOUT: Duration = Duration::from_millis(300);
const GRACE: Duration = Duration::from_millis(100);

/// The tests of this file measure how soon a call ends: they run one at a time, so that none
/// competes with another for the machine's cores.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A restaurant of `n` two-seat movable tables in one zone, every one adjacent to every other, with
/// one pending booking (18:00-20:00) per entry of `parties`, of that party size.
fn worst_layout(c: &mut Client, n: usize, parties: &[i32]) -> Fixture {
    let windows = vec![(START, END); parties.len()];
    let f = fixture(c, n, &windows);
    c.execute("UPDATE table_inventory SET capacity = 2 WHERE restaurant_id = $1::text::uuid", &[&f.restaurant])
        .expect("two seats");
    let edges = c
        .execute(
            "INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
             SELECT a.restaurant_id, a.id, b.id FROM table_inventory a
               JOIN table_inventory b ON b.restaurant_id = a.restaurant_id AND a.id < b.id
              WHERE a.restaurant_id = $1::text::uuid",
            &[&f.restaurant],
        )
        .expect("adjacency");
    assert_eq!(edges as usize, n * (n - 1) / 2, "a complete graph");
    for (booking, party) in f.bookings.iter().zip(parties) {
        c.execute("UPDATE bookings SET party_size = $2 WHERE id = $1::text::uuid", &[booking, party]).expect("party");
    }
    f
}

#[test]
fn every_quote_on_the_worst_layouts_ends_within_its_statement_timeout() {
    let _alone = alone();
    let mut c = connect();
    // 40 tables: the whole grid; 60: every max_tables for a sample of parties with both ends.
    let grids: [(usize, Vec<i32>); 2] =
        [(40, (1..=20).collect()), (60, vec![1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 16, 18, 20])];
    let mut summary = Vec::new();
    for (n, parties) in grids {
        let f = worst_layout(&mut c, n, &parties);
        c.batch_execute(&format!("SET statement_timeout = '{}ms'", TIMEOUT.as_millis())).unwrap();
        let (mut answered, mut cancelled, mut slowest) = (0, 0, Duration::ZERO);
        for (booking, &party) in f.bookings.iter().zip(&parties) {
            for max_tables in 1..=6i32 {
                let started = Instant::now();
                let result = c.query_one(QUOTE, &[booking, &max_tables]);
                let took = started.elapsed();
                let what = format!("{n} two-tops, party {party}, max_tables {max_tables}");
                match &result {
                    Ok(_) => answered += 1,
                    Err(e) => {
                        assert_eq!(sqlstate(e), "57014", "{what}: {:?}", error_parts(e));
                        // The cluster runs with RUST_BACKTRACE=1; the timeout unwound through Rust.
                        assert_eq!(error_parts(e).2, "", "{what}: no backtrace in the DETAIL");
                        cancelled += 1;
                    }
                }
                assert!(took <= TIMEOUT + GRACE, "{what}: {took:?} (statement_timeout {TIMEOUT:?})");
                slowest = slowest.max(took);
                if n == 40 && party == 12 && max_tables == 5 {
                    // No plan of five two-tops seats 12: the search grows no set and ends at once.
                    let plans: i64 = result.expect("answered").get(0);
                    assert_eq!(plans, 0);
                    assert!(took <= GRACE, "{what}: {took:?}");
                }
            }
        }
        c.batch_execute("RESET statement_timeout").unwrap();
        summary.push(format!(
            "{n} two-tops: {answered} answered, {cancelled} cancelled at the timeout, slowest {slowest:?}"
        ));
    }
    println!("{}", summary.join("\n"));
}

/// Runs `sql` on a connection of its own (after `setup`), lets it run for `settle`, then sends
/// `signal` (`pg_cancel_backend` or `pg_terminate_backend`) to it from another connection. Returns
/// the call's outcome and how long after the signal was sent it came back.
fn signal_long_call(
    setup: &str,
    sql: String,
    settle: Duration,
    signal: &str,
) -> (Result<(), postgres::Error>, Duration) {
    let (tx, rx) = mpsc::channel();
    let setup = setup.to_string();
    let worker = thread::spawn(move || {
        let mut a = connect();
        a.batch_execute(&setup).expect("setup");
        let pid: i32 = a.query_one("SELECT pg_backend_pid()", &[]).unwrap().get(0);
        tx.send(pid).unwrap();
        let result = a.batch_execute(&sql);
        (result, Instant::now())
    });
    let pid = rx.recv().expect("the worker's pid");
    let mut b = connect();
    let running = |b: &mut Client| -> bool {
        b.query_one("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active')", &[&pid])
            .unwrap()
            .get(0)
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !running(&mut b) {
        assert!(Instant::now() < deadline, "the call never started");
        thread::sleep(Duration::from_millis(10));
    }
    thread::sleep(settle);
    assert!(running(&mut b), "the call ended before {signal}: it is not long enough to test");
    let sent = Instant::now();
    let delivered: bool = b.query_one(&format!("SELECT {signal}($1)"), &[&pid]).unwrap().get(0);
    assert!(delivered, "{signal} found the backend");
    let (result, done) = worker.join().expect("worker");
    (result, done.saturating_duration_since(sent))
}

/// The long call: 60 adjacent two-tops, a party of 12, combinations of up to 6 tables. Every set
/// of six tables is a plan (C(60, 6) = 50,063,860 of them): exact, so it runs for many seconds.
fn long_quote() -> (Fixture, String) {
    let mut c = connect();
    let f = worst_layout(&mut c, 60, &[12]);
    let sql = format!("SELECT count(*) FROM quote_tables('{}', 5, 6)", f.bookings[0]);
    (f, sql)
}

/// A fallback, should an interrupt be ignored: the test fails on its timing instead of hanging.
const FALLBACK: &str = "SET statement_timeout = '60s'";

#[test]
fn a_cancel_ends_a_long_quote_within_100_ms() {
    let _alone = alone();
    let (_f, sql) = long_quote();
    let (result, after) = signal_long_call(FALLBACK, sql, Duration::from_millis(500), "pg_cancel_backend");
    let err = result.expect_err("the quote was cancelled");
    let (code, message, _) = error_parts(&err);
    assert_eq!(code, "57014", "{message}");
    assert!(message.contains("user request"), "cancelled by the cancel, not the timeout: {message}");
    assert!(after <= GRACE, "the cancel took {after:?}");
}

#[test]
fn a_terminate_ends_a_long_quote_within_100_ms() {
    let _alone = alone();
    let (_f, sql) = long_quote();
    let (result, after) = signal_long_call(FALLBACK, sql, Duration::from_millis(500), "pg_terminate_backend");
    let err = result.expect_err("the connection was terminated");
    // The server reports 57P01 before closing the connection; a client may also see just the close.
    let code = sqlstate(&err);
    assert!(code == "57P01" || code.is_empty(), "{:?}", error_parts(&err));
    assert!(after <= GRACE, "the terminate took {after:?}");
}

#[test]
fn a_cancel_ends_auto_assign_day_on_a_big_day_within_100_ms() {
    let _alone = alone();
    let mut c = connect();
    // 30 bookings of 10 to 12 guests on 60 adjacent two-tops, up to 6 tables each: the day's
    // searches alone run for many seconds.
    let parties: Vec<i32> = (0..30).map(|i| 10 + i % 3).collect();
    let f = worst_layout(&mut c, 60, &parties);
    let date: String = c
        .query_one("SELECT booking_date::text FROM bookings WHERE id = $1::text::uuid", &[&f.bookings[0]])
        .unwrap()
        .get(0);
    let sql = format!("SELECT count(*) FROM auto_assign_day('{}', '{date}')", f.restaurant);
    let setup = format!("{FALLBACK}; SET pg_seating.max_tables = 6");
    let (result, after) = signal_long_call(&setup, sql, Duration::from_millis(500), "pg_cancel_backend");
    let err = result.expect_err("the day plan was cancelled");
    let (code, message, _) = error_parts(&err);
    assert_eq!(code, "57014", "{message}");
    assert!(message.contains("user request"), "{message}");
    assert!(after <= GRACE, "the cancel took {after:?}");
    let seated: i64 = c
        .query_one(
            "SELECT count(*) FROM booking_table_assignments WHERE restaurant_id = $1::text::uuid",
            &[&f.restaurant],
        )
        .unwrap()
        .get(0);
    assert_eq!(seated, 0, "the cancelled day plan wrote nothing");
}
