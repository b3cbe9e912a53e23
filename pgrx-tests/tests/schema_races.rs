//! The data model's conflict guarantees hold with several real connections racing.

use pg_seating_sql_tests::{connect, fixture, race_prepared, sqlstate};
use postgres::Client;

const RACERS: usize = 8;

/// Every racer inserts an allocation (live or shadow) of the same table with overlapping windows
/// ([`race_in_transactions`]). Returns the SQLSTATE of each racer ("" on success).
fn race_allocations(restaurant: &str, table: &str, shadow: bool) -> Vec<String> {
    race_in_transactions(|i, c| {
        // Windows [18:00+i min, 20:00+i min): every pair overlaps.
        c.execute(
            "INSERT INTO allocations (restaurant_id, resource_type, resource_id, \"window\", shadow)
             VALUES ($1::text::uuid, 'table', $2::text::uuid,
                     tstzrange('2027-11-30 18:00Z'::timestamptz + make_interval(mins => $3),
                               '2027-11-30 20:00Z'::timestamptz + make_interval(mins => $3)), $4)",
            &[&restaurant, &table, &(i as i32), &shadow],
        )
        .map(|_| ())
    })
}

/// [`RACERS`] connections each open a transaction, wait for the others, run `insert` and commit.
/// Returns the SQLSTATE of each racer ("" on success).
fn race_in_transactions(insert: impl Fn(usize, &mut Client) -> Result<(), postgres::Error> + Sync) -> Vec<String> {
    race_prepared(
        RACERS,
        |_, c| c.batch_execute("BEGIN").unwrap(),
        |i, c| {
            if let Err(e) = insert(i, c) {
                let _ = c.batch_execute("ROLLBACK");
                return sqlstate(&e);
            }
            match c.batch_execute("COMMIT") {
                Ok(()) => String::new(),
                Err(e) => sqlstate(&e),
            }
        },
    )
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
    let outcomes = race_allocations(&f.restaurant, &f.tables[0], false);
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
    let outcomes = race_allocations(&f.restaurant, &f.tables[0], true);
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
        (0..RACERS).map(|i| (format!("2027-11-30 18:{:02}Z", i * 5), format!("2027-11-30 20:{:02}Z", i * 5))).collect();
    let refs: Vec<(&str, &str)> = windows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let f = fixture(&mut c, 1, &refs);
    let outcomes = race_in_transactions(|i, c| {
        c.execute(
            "INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
             SELECT restaurant_id, id, $3::text::uuid, start_at, end_at FROM bookings
              WHERE restaurant_id = $1::text::uuid AND id = $2::text::uuid",
            &[&f.restaurant, &f.bookings[i], &f.tables[0]],
        )
        .map(|_| ())
    });
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
