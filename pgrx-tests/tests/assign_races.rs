//! assign_tables_atomic_v2 under real concurrency: several connections racing for the same table
//! and window, and overlapping table sets given in opposite orders.

use std::sync::Barrier;
use std::thread;

use pg_seating_sql_tests::{connect, error_parts, fixture, invariant_violations, race};

const ASSIGN: &str = "SELECT table_id FROM assign_tables_atomic_v2($1::text::uuid, $2::text[]::uuid[])";

#[test]
fn eight_connections_race_for_one_table_one_winner_seven_conflicts() {
    const RACERS: usize = 8;
    let mut c = connect();
    let windows: Vec<(String, String)> =
        (0..RACERS).map(|i| (format!("2027-11-30 18:{:02}Z", i * 5), format!("2027-11-30 20:{:02}Z", i * 5))).collect();
    let refs: Vec<(&str, &str)> = windows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let f = fixture(&mut c, 1, &refs);
    let outcomes = race(RACERS, |i, c| {
        let booking = f.bookings[i].clone();
        let res = c.query(ASSIGN, &[&booking, &vec![f.tables[0].clone()]]);
        (booking, res.map(|_| ()).map_err(|e| error_parts(&e)))
    });
    let winners: Vec<_> = outcomes.iter().filter(|(_, r)| r.is_ok()).collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    for (booking, r) in &outcomes {
        if let Err((code, message, detail)) = r {
            assert_eq!(code, "P0001", "{outcomes:?}");
            assert_eq!(message, "allocations_no_overlap");
            assert_eq!(
                detail,
                &format!("Resource {} overlaps requested window for booking {booking}", f.tables[0]),
                "DETAIL names the resource and the requesting booking"
            );
        }
    }
    let rows: i64 = c
        .query_one(
            "SELECT count(*) FROM booking_table_assignments WHERE restaurant_id = $1::text::uuid",
            &[&f.restaurant],
        )
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
    assert_eq!(invariant_violations(&mut c, &f.restaurant), Vec::<String>::new());
}

#[test]
fn opposite_order_overlapping_sets_never_deadlock() {
    const ROUNDS: usize = 200;
    let mut c = connect();
    let f =
        fixture(&mut c, 3, &[("2027-11-30 18:00Z", "2027-11-30 20:00Z"), ("2027-11-30 19:00Z", "2027-11-30 21:00Z")]);
    let (t1, t2, t3) = (f.tables[0].clone(), f.tables[1].clone(), f.tables[2].clone());
    // A wants {T1, T2} given as [T1, T2]; B wants {T2, T3} given as [T3, T2]; T2 is shared.
    let sets = [vec![t1.clone(), t2.clone()], vec![t3.clone(), t2.clone()]];
    // The rounds keep the two in step with a barrier of their own.
    let step = Barrier::new(2);
    let results = race(2, |i, c| {
        let (booking, set) = (&f.bookings[i], &sets[i]);
        let mut results = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            step.wait();
            let r = c.query(ASSIGN, &[booking, set]).map(|_| ()).map_err(|e| error_parts(&e));
            results.push(r);
            step.wait();
            // Both release before the next round.
            c.execute("SELECT unassign_tables_atomic($1::text::uuid)", &[booking]).unwrap();
            step.wait();
        }
        results
    });
    for (round, (a, b)) in results[0].iter().zip(&results[1]).enumerate() {
        for r in [a, b] {
            if let Err((code, message, _)) = r {
                assert_ne!(code, "40P01", "deadlock in round {round}");
                assert_eq!((code.as_str(), message.as_str()), ("P0001", "allocations_no_overlap"), "round {round}");
            }
        }
        assert_eq!([a, b].iter().filter(|r| r.is_ok()).count(), 1, "round {round}: exactly one winner ({a:?}, {b:?})");
    }
    assert_eq!(invariant_violations(&mut c, &f.restaurant), Vec::<String>::new());
}

#[test]
fn disjoint_tables_in_one_restaurant_never_wait_on_each_other() {
    // Two writers in one restaurant and one zone, different tables: the second commits while the
    // first is still open (nothing restaurant-wide is locked, not even by the capacity check).
    let mut c = connect();
    let f =
        fixture(&mut c, 2, &[("2027-11-30 18:00Z", "2027-11-30 20:00Z"), ("2027-11-30 18:00Z", "2027-11-30 20:00Z")]);
    c.batch_execute(&format!(
        "INSERT INTO restaurant_service_periods (restaurant_id, name, start_time, end_time)
         VALUES ('{r}', 'Dinner', '17:00', '23:00');
         INSERT INTO restaurant_capacity_rules (restaurant_id, max_covers) VALUES ('{r}', 100);",
        r = f.restaurant
    ))
    .unwrap();
    let mut first = connect();
    let mut tx = first.transaction().unwrap();
    tx.query(ASSIGN, &[&f.bookings[0], &vec![f.tables[0].clone()]]).unwrap();
    let mut second = connect();
    second.batch_execute("SET lock_timeout = '2s'").unwrap();
    second
        .query(ASSIGN, &[&f.bookings[1], &vec![f.tables[1].clone()]])
        .expect("the second writer must not wait for the first");
    tx.commit().unwrap();
    assert_eq!(invariant_violations(&mut c, &f.restaurant), Vec::<String>::new());
}

#[test]
fn a_writer_bypassing_the_functions_still_yields_the_conflict_error_not_23p01() {
    // A direct INSERT (no table lock) holds an uncommitted overlapping allocation: the function's
    // pre-check cannot see it, its write waits on the exclusion constraint, and when the direct
    // writer commits the constraint fires. The caller must get the reference conflict error.
    let mut c = connect();
    let f =
        fixture(&mut c, 1, &[("2027-11-30 18:00Z", "2027-11-30 20:00Z"), ("2027-11-30 18:00Z", "2027-11-30 20:00Z")]);
    let mut direct = connect();
    let mut tx = direct.transaction().unwrap();
    tx.execute(
        "INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, \"window\")
         VALUES ($1::text::uuid, $2::text::uuid, 'table', $3::text::uuid, tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z'))",
        &[&f.restaurant, &f.bookings[0], &f.tables[0]],
    )
    .unwrap();
    let booking = f.bookings[1].clone();
    let table = f.tables[0].clone();
    let caller = thread::spawn(move || {
        let mut c = connect();
        c.query(ASSIGN, &[&booking, &vec![table]]).map(|_| ()).map_err(|e| error_parts(&e))
    });
    // Let the caller reach the constraint wait, then commit the direct write.
    thread::sleep(std::time::Duration::from_millis(500));
    tx.commit().unwrap();
    let (code, message, detail) = caller.join().unwrap().expect_err("the caller must lose");
    assert_eq!((code.as_str(), message.as_str()), ("P0001", "allocations_no_overlap"));
    assert_eq!(detail, format!("Resource {} overlaps requested window for booking {}", f.tables[0], f.bookings[1]));
    let rows: i64 = c
        .query_one(
            "SELECT count(*) FROM booking_table_assignments WHERE restaurant_id = $1::text::uuid",
            &[&f.restaurant],
        )
        .unwrap()
        .get(0);
    assert_eq!(rows, 0, "the loser wrote nothing");
}
