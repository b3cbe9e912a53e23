//! Lifecycle RPCs under real concurrency: a confirm racing an assignment of the same tables, and
//! confirms in different restaurants that must never wait on each other.

use pg_seating_sql_tests::{connect, error_parts, fixture, invariant_violations, race, race_prepared};

const CONFIRM: &str =
    "SELECT table_id FROM confirm_hold_assignment_with_transition($1::text::uuid, $2::text[]::uuid[], $3)";
const ASSIGN: &str = "SELECT table_id FROM assign_tables_atomic_v2($1::text::uuid, $2::text[]::uuid[])";

#[test]
fn a_confirm_racing_an_assignment_of_the_same_tables_has_one_winner() {
    const ROUNDS: usize = 30;
    for round in 0..ROUNDS {
        let mut c = connect();
        let f = fixture(
            &mut c,
            2,
            &[("2027-11-30 18:00Z", "2027-11-30 20:00Z"), ("2027-11-30 19:00Z", "2027-11-30 21:00Z")],
        );
        // The assigner gives the tables in the opposite order on purpose: the functions sort ids before locking.
        let reversed: Vec<String> = f.tables.iter().rev().cloned().collect();
        let [a, b]: [_; 2] = race(2, |i, c| {
            let res = if i == 0 {
                c.query(CONFIRM, &[&f.bookings[0], &f.tables, &format!("round-{round}")])
            } else {
                c.query(ASSIGN, &[&f.bookings[1], &reversed])
            };
            res.map(|_| ()).map_err(|e| error_parts(&e))
        })
        .try_into()
        .unwrap();
        assert_eq!([&a, &b].iter().filter(|r| r.is_ok()).count(), 1, "round {round}: {a:?} {b:?}");
        for r in [&a, &b] {
            if let Err((code, message, _)) = r {
                assert_eq!((code.as_str(), message.as_str()), ("P0001", "allocations_no_overlap"), "round {round}");
            }
        }
        let status: String = c
            .query_one("SELECT status::text FROM bookings WHERE id = $1::text::uuid", &[&f.bookings[0]])
            .unwrap()
            .get(0);
        assert_eq!(
            status,
            if a.is_ok() { "confirmed" } else { "pending" },
            "round {round}: status follows the confirm"
        );
        assert_eq!(invariant_violations(&mut c, &f.restaurant), Vec::<String>::new(), "round {round}");
    }
}

#[test]
fn confirms_in_two_restaurants_never_wait_on_each_other() {
    let mut c = connect();
    let r1 = fixture(&mut c, 1, &[("2027-11-30 18:00Z", "2027-11-30 20:00Z")]);
    let r2 = fixture(&mut c, 1, &[("2027-11-30 18:00Z", "2027-11-30 20:00Z")]);
    for f in [&r1, &r2] {
        c.batch_execute(&format!(
            "INSERT INTO restaurant_service_periods (restaurant_id, name, start_time, end_time)
             VALUES ('{r}', 'Dinner', '17:00', '23:00');
             INSERT INTO restaurant_capacity_rules (restaurant_id, max_covers, max_parties) VALUES ('{r}', 100, 100);",
            r = f.restaurant
        ))
        .unwrap();
    }
    let mut first = connect();
    let mut tx = first.transaction().unwrap();
    tx.query(CONFIRM, &[&r1.bookings[0], &r1.tables, &"r1"]).unwrap();
    let mut second = connect();
    second.batch_execute("SET lock_timeout = '2s'").unwrap();
    second
        .query(CONFIRM, &[&r2.bookings[0], &r2.tables, &"r2"])
        .expect("a confirm in another restaurant must not wait");
    tx.commit().unwrap();
    for f in [&r1, &r2] {
        let status: String = c
            .query_one("SELECT status::text FROM bookings WHERE id = $1::text::uuid", &[&f.bookings[0]])
            .unwrap()
            .get(0);
        assert_eq!(status, "confirmed");
        assert_eq!(invariant_violations(&mut c, &f.restaurant), Vec::<String>::new());
    }
}

#[test]
fn concurrent_auto_assigns_share_out_the_tables_without_conflict_errors() {
    // Six bookings for the same window race for four tables: four get a distinct table, two get
    // the no-plan error; nobody sees a raw conflict, and the invariants hold.
    const RACERS: usize = 6;
    let mut c = connect();
    let windows = vec![("2027-11-30 18:00Z", "2027-11-30 20:00Z"); RACERS];
    let f = fixture(&mut c, 4, &windows);
    let outcomes = race_prepared(
        RACERS,
        |_, c| c.batch_execute("SET pg_seating.max_tables = 1").unwrap(),
        |i, c| {
            c.query("SELECT table_id::text FROM auto_assign_tables($1::text::uuid)", &[&f.bookings[i]])
                .map(|rows| rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>())
                .map_err(|e| error_parts(&e))
        },
    );
    let mut seated: Vec<String> = outcomes.iter().filter_map(|r| r.as_ref().ok()).flatten().cloned().collect();
    seated.sort();
    let before = seated.len();
    seated.dedup();
    assert_eq!(before, seated.len(), "a table was given twice: {outcomes:?}");
    assert_eq!(seated.len(), 4, "{outcomes:?}");
    for r in &outcomes {
        if let Err((code, message, _)) = r {
            assert_eq!(code, "P0001", "{outcomes:?}");
            assert!(message.starts_with("No table plan fits booking"), "{outcomes:?}");
        }
    }
    assert_eq!(invariant_violations(&mut c, &f.restaurant), Vec::<String>::new());
}
