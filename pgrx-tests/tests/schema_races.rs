//! The data model's conflict guarantees hold with several real connections racing.

use std::sync::{Arc, Barrier};
use std::thread;

use pg_seating_sql_tests::{connect, fixture, sqlstate};

const RACERS: usize = 8;

/// Every racer opens a transaction, inserts a row for the same table with overlapping windows,
/// waits for the others, and commits. Returns the SQLSTATE of each racer ("" on success).
fn race(restaurant: &str, table: &str, shadow: bool, kind: &'static str) -> Vec<String> {
    let barrier = Arc::new(Barrier::new(RACERS));
    let handles: Vec<_> = (0..RACERS)
        .map(|i| {
            let barrier = barrier.clone();
            let restaurant = restaurant.to_string();
            let table = table.to_string();
            thread::spawn(move || {
                let mut c = connect();
                let mut tx = c.transaction().unwrap();
                barrier.wait();
                // Windows [18:00+i min, 20:00+i min): every pair overlaps.
                let sql = match kind {
                    "allocation" => {
                        "INSERT INTO allocations (restaurant_id, resource_type, resource_id, \"window\", shadow)
                         VALUES ($1::text::uuid, 'table', $2::text::uuid,
                                 tstzrange('2026-12-01 18:00Z'::timestamptz + make_interval(mins => $3),
                                           '2026-12-01 20:00Z'::timestamptz + make_interval(mins => $3)), $4)"
                    }
                    _ => unreachable!(),
                };
                let res = tx.execute(sql, &[&restaurant, &table, &(i as i32), &shadow]);
                match res {
                    Ok(_) => match tx.commit() {
                        Ok(()) => String::new(),
                        Err(e) => sqlstate(&e),
                    },
                    Err(e) => sqlstate(&e),
                }
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// Exactly one racer commits. Raw concurrent inserts into an exclusion constraint may fail with
/// 23P01 or, when two inserters each wait for the other's index entry, with 40P01: that is
/// Postgres's behaviour for plain INSERTs. The pg_seating functions never race this way because
/// they lock the tables' rows in id order before writing.
fn assert_one_winner(outcomes: &[String]) {
    assert_eq!(outcomes.iter().filter(|s| s.is_empty()).count(), 1, "outcomes: {outcomes:?}");
    assert!(outcomes.iter().all(|s| s.is_empty() || s == "23P01" || s == "40P01"), "outcomes: {outcomes:?}");
}

#[test]
fn racing_live_allocations_of_one_table_leave_exactly_one_winner() {
    let mut c = connect();
    let f = fixture(&mut c, 1, &[]);
    let outcomes = race(&f.restaurant, &f.tables[0], false, "allocation");
    assert_one_winner(&outcomes);
    let stored: i64 = c
        .query_one(
            "SELECT count(*) FROM allocations WHERE restaurant_id = $1::text::uuid AND NOT shadow",
            &[&f.restaurant],
        )
        .unwrap()
        .get(0);
    assert_eq!(stored, 1);
}

#[test]
fn racing_shadow_allocations_never_conflict() {
    let mut c = connect();
    let f = fixture(&mut c, 1, &[]);
    let outcomes = race(&f.restaurant, &f.tables[0], true, "allocation");
    assert!(outcomes.iter().all(|s| s.is_empty()), "outcomes: {outcomes:?}");
    let stored: i64 = c
        .query_one("SELECT count(*) FROM allocations WHERE restaurant_id = $1::text::uuid", &[&f.restaurant])
        .unwrap()
        .get(0);
    assert_eq!(stored, RACERS as i64);
}

#[test]
fn racing_assignments_of_one_table_leave_exactly_one_winner() {
    let mut c = connect();
    let windows: Vec<(String, String)> =
        (0..RACERS).map(|i| (format!("2026-12-01 18:{:02}Z", i * 5), format!("2026-12-01 20:{:02}Z", i * 5))).collect();
    let refs: Vec<(&str, &str)> = windows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let f = fixture(&mut c, 1, &refs);
    let barrier = Arc::new(Barrier::new(RACERS));
    let handles: Vec<_> = f
        .bookings
        .iter()
        .cloned()
        .map(|booking| {
            let barrier = barrier.clone();
            let restaurant = f.restaurant.clone();
            let table = f.tables[0].clone();
            thread::spawn(move || {
                let mut c = connect();
                let mut tx = c.transaction().unwrap();
                barrier.wait();
                let res = tx.execute(
                    "INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
                     SELECT restaurant_id, id, $3::text::uuid, start_at, end_at FROM bookings
                      WHERE restaurant_id = $1::text::uuid AND id = $2::text::uuid",
                    &[&restaurant, &booking, &table],
                );
                match res.and_then(|_| tx.commit()) {
                    Ok(()) => String::new(),
                    Err(e) => sqlstate(&e),
                }
            })
        })
        .collect();
    let outcomes: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_one_winner(&outcomes);
    let stored: i64 = c
        .query_one(
            "SELECT count(*) FROM booking_table_assignments WHERE restaurant_id = $1::text::uuid",
            &[&f.restaurant],
        )
        .unwrap()
        .get(0);
    assert_eq!(stored, 1);
}
