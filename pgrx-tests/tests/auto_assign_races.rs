//! auto_assign_tables against concurrent writers: when its best plan is taken while it waits, it
//! moves on without waiting again (a plan whose tables another transaction has locked is skipped),
//! so it neither deadlocks nor queues behind unrelated writers.

use std::thread;
use std::time::{Duration, Instant};

use pg_seating_sql_tests::{connect, fixture, invariant_violations, race_prepared};

#[test]
fn a_plan_taken_while_waiting_moves_on_and_locked_plans_are_skipped() {
    let mut c = connect();
    // Party of 2: T1 (2 seats) is the best fit, then T2 (4), then T3 (6). No adjacency: single tables only.
    let f =
        fixture(&mut c, 3, &[("2027-12-02 18:00Z", "2027-12-02 20:00Z"), ("2027-12-02 18:30Z", "2027-12-02 20:30Z")]);
    for (t, cap) in f.tables.iter().zip([2, 4, 6]) {
        c.execute("UPDATE table_inventory SET capacity = $2 WHERE id = $1::text::uuid", &[t, &cap]).unwrap();
    }
    let plans: Vec<String> = c
        .query("SELECT array_to_string(table_ids, ',') FROM quote_tables($1::text::uuid)", &[&f.bookings[0]])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(plans, f.tables, "the quote ranks T1, T2, T3");

    // A: assigns T1 to the other booking and keeps its transaction open (T1 locked, allocation uncommitted).
    let mut a = connect();
    let mut a_tx = a.transaction().unwrap();
    a_tx.query(
        "SELECT * FROM assign_tables_atomic_v2($1::text::uuid, ARRAY[$2::text::uuid])",
        &[&f.bookings[1], &f.tables[0]],
    )
    .unwrap();
    // C: an unrelated writer holding T2's row lock.
    let mut cc = connect();
    let mut c_tx = cc.transaction().unwrap();
    c_tx.query("SELECT 1 FROM table_inventory WHERE id = $1::text::uuid FOR NO KEY UPDATE", &[&f.tables[1]]).unwrap();

    // B: auto-assigns the first booking; it quotes T1 (A is uncommitted) and waits for T1's lock.
    let booking = f.bookings[0].clone();
    let b = thread::spawn(move || {
        let mut b = connect();
        // A bounded wait: an auto-assign that queued behind C's lock would fail here instead of hanging.
        b.batch_execute("SET application_name = 'auto_assign_race_b'; SET statement_timeout = '5s'").unwrap();
        let started = Instant::now();
        let rows = b.query("SELECT table_id::text FROM auto_assign_tables($1::text::uuid)", &[&booking]);
        (rows.map(|r| r.iter().map(|x| x.get::<_, String>(0)).collect::<Vec<_>>()), started.elapsed())
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let waiting: bool = c
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'auto_assign_race_b' AND wait_event_type = 'Lock')",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting {
            break;
        }
        assert!(Instant::now() < deadline, "B never waited for T1");
        thread::sleep(Duration::from_millis(20));
    }
    a_tx.commit().unwrap(); // T1 is now taken for an overlapping window
    let (got, _) = b.join().unwrap();
    let got = got.expect("auto-assign succeeds with the next free plan");
    assert_eq!(got, vec![f.tables[2].clone()], "T1 taken, T2 locked by another writer: T3, without waiting for T2");
    c_tx.rollback().unwrap(); // C was still open: B never waited for it
    assert_eq!(invariant_violations(&mut c, &f.restaurant), Vec::<String>::new());
}

/// The layout a backend keeps between quotes (model step 8) follows other connections: a change
/// another connection commits is in the next quote, one it has not committed yet or rolled back is
/// not.
#[test]
fn a_kept_layout_follows_what_other_connections_commit() {
    let mut c = connect();
    let f = fixture(&mut c, 3, &[("2027-12-03 18:00Z", "2027-12-03 20:00Z")]);
    for (t, cap) in f.tables.iter().zip([2, 4, 6]) {
        c.execute("UPDATE table_inventory SET capacity = $2 WHERE id = $1::text::uuid", &[t, &cap]).unwrap();
    }
    let quote = |c: &mut postgres::Client| -> Vec<String> {
        c.query(
            "SELECT array_to_string(table_ids, ',') FROM quote_tables($1::text::uuid) ORDER BY rank",
            &[&f.bookings[0]],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    // Twice: the second quote runs on the layout the first one kept.
    assert_eq!(quote(&mut c), f.tables, "party of 2: T1 (2 seats), T2 (4), T3 (6)");
    assert_eq!(quote(&mut c), f.tables);

    let mut d = connect();
    d.execute("UPDATE table_inventory SET active = false WHERE id = $1::text::uuid", &[&f.tables[0]]).unwrap();
    assert_eq!(quote(&mut c), f.tables[1..].to_vec(), "T1 taken out of use by another connection");

    let mut d_tx = d.transaction().unwrap();
    d_tx.execute("UPDATE table_inventory SET capacity = 2 WHERE id = $1::text::uuid", &[&f.tables[2]]).unwrap();
    assert_eq!(quote(&mut c), f.tables[1..].to_vec(), "an uncommitted change is not seen");
    d_tx.rollback().unwrap();
    assert_eq!(quote(&mut c), f.tables[1..].to_vec(), "nor a rolled-back one");

    let mut d_tx = d.transaction().unwrap();
    d_tx.execute("UPDATE table_inventory SET capacity = 2 WHERE id = $1::text::uuid", &[&f.tables[2]]).unwrap();
    d_tx.commit().unwrap();
    assert_eq!(quote(&mut c), vec![f.tables[2].clone(), f.tables[1].clone()], "T3 now seats 2 exactly: it ranks first");
    d.execute("DELETE FROM table_inventory WHERE id = $1::text::uuid", &[&f.tables[2]]).unwrap();
    assert_eq!(quote(&mut c), vec![f.tables[1].clone()], "T3 deleted");
}

/// `table_live_status` shares the layout a backend keeps with the quotes: what another connection
/// commits to the tables (a rename, the out-of-service flag, a new table) is in the next answer,
/// what it has not committed is not; an assignment made meanwhile shows at once.
#[test]
fn live_status_follows_what_other_connections_commit() {
    let mut c = connect();
    let f = fixture(&mut c, 3, &[("2027-12-05 18:00Z", "2027-12-05 20:00Z")]);
    let live = |c: &mut postgres::Client| -> String {
        c.query_one(
            "SELECT string_agg(table_number || '=' || live_status, ',')
               FROM table_live_status($1::text::uuid, '2027-12-05 19:00Z')",
            &[&f.restaurant],
        )
        .unwrap()
        .get(0)
    };
    // A quote keeps the layout; the live status runs on it, then keeps it itself.
    c.query("SELECT * FROM quote_tables($1::text::uuid)", &[&f.bookings[0]]).unwrap();
    assert_eq!(live(&mut c), "T1=available,T2=available,T3=available");
    c.query(
        "SELECT * FROM assign_tables_atomic_v2($1::text::uuid, ARRAY[$2::text::uuid])",
        &[&f.bookings[0], &f.tables[1]],
    )
    .unwrap();
    assert_eq!(live(&mut c), "T1=available,T2=reserved,T3=available");

    let mut d = connect();
    d.execute(
        "UPDATE table_inventory SET table_number = 'A3', status = 'out_of_service' WHERE id = $1::text::uuid",
        &[&f.tables[2]],
    )
    .unwrap();
    assert_eq!(live(&mut c), "A3=out_of_service,T1=available,T2=reserved", "renamed and flagged by another connection");

    let mut d_tx = d.transaction().unwrap();
    d_tx.execute(
        "INSERT INTO table_inventory (restaurant_id, table_number, capacity, zone_id)
         VALUES ($1::text::uuid, 'A1', 2, $2::text::uuid)",
        &[&f.restaurant, &f.zone],
    )
    .unwrap();
    assert_eq!(live(&mut c), "A3=out_of_service,T1=available,T2=reserved", "an uncommitted table is not seen");
    d_tx.commit().unwrap();
    assert_eq!(live(&mut c), "A1=available,A3=out_of_service,T1=available,T2=reserved", "a committed one is");
}

/// Making room across zones against a concurrent assignment of the table the moved booking goes to, started
/// together (R a little later in half the rounds, so both orders happen), twenty times: in even
/// rounds R auto-assigns (it must end up seated whoever comes first), in odd rounds R asks for that
/// very table with assign_tables_atomic_v2 (it gets it, or the conflict error when the move took
/// it first). P is always seated, nothing is double-booked,
/// and nobody waits into a deadlock.
#[test]
fn making_room_races_a_concurrent_assignment() {
    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..20 {
        let mut c = connect();
        let w = ("2027-12-04 18:00Z", "2027-12-04 20:00Z");
        // P (party 6) needs T1, where Q sits; Q can move to T2 or T3, on the terrace (another zone:
        // the move takes Q's zone lock with it); R wants a 2-top too.
        let f = fixture(&mut c, 3, &[w, w, w]);
        let (p, q, r) = (f.bookings[0].clone(), f.bookings[1].clone(), f.bookings[2].clone());
        for (t, cap) in f.tables.iter().zip([6, 2, 2]) {
            c.execute("UPDATE table_inventory SET capacity = $2 WHERE id = $1::text::uuid", &[t, &cap]).unwrap();
        }
        let terrace: String = c
            .query_one(
                "INSERT INTO zones (restaurant_id, name) VALUES ($1::text::uuid, 'Terrace') RETURNING id::text",
                &[&f.restaurant],
            )
            .unwrap()
            .get(0);
        c.execute(
            "UPDATE table_inventory SET zone_id = $2::text::uuid WHERE id IN ($1::text::uuid, $3::text::uuid)",
            &[&f.tables[1], &terrace, &f.tables[2]],
        )
        .unwrap();
        c.execute("UPDATE bookings SET party_size = 6 WHERE id = $1::text::uuid", &[&p]).unwrap();
        c.query("SELECT * FROM assign_tables_atomic_v2($1::text::uuid, ARRAY[$2::text::uuid])", &[&q, &f.tables[0]])
            .unwrap();

        let late = Duration::from_millis(if (round / 2) % 2 == 1 { 40 } else { 0 });
        let explicit = round % 2 == 1;
        // Racer 0 seats P, making room; racer 1 seats R without making room, `late` after the start.
        let calls: [(&str, Vec<String>, Duration); 2] = [
            ("SELECT table_id FROM auto_assign_tables($1::text::uuid)", vec![p.clone()], Duration::ZERO),
            if explicit {
                (
                    "SELECT table_id FROM assign_tables_atomic_v2($1::text::uuid, ARRAY[$2::text::uuid])",
                    vec![r.clone(), f.tables[1].clone()],
                    late,
                )
            } else {
                ("SELECT table_id FROM auto_assign_tables($1::text::uuid)", vec![r.clone()], late)
            },
        ];
        let [a, b]: [_; 2] = race_prepared(
            2,
            |i, x| {
                x.batch_execute(&format!(
                    "SET statement_timeout = '10s'; SET pg_seating.make_room_moves = {}",
                    if i == 0 { 1 } else { 0 }
                ))
                .unwrap()
            },
            |i, x| {
                let (sql, args, delay) = &calls[i];
                thread::sleep(*delay);
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    args.iter().map(|a| a as &(dyn postgres::types::ToSql + Sync)).collect();
                x.query(*sql, &params).map(|rows| rows.len()).map_err(|e| {
                    let d = e.as_db_error().map(|d| format!("{}: {}", d.code().code(), d.message()));
                    d.unwrap_or_else(|| e.to_string())
                })
            },
        )
        .try_into()
        .unwrap();
        assert_eq!(a, Ok(1), "round {round}: P is seated by making room");
        match (&b, explicit) {
            (Ok(1), _) => {}
            (Err(e), true) if e.starts_with("P0001: allocations_no_overlap") => {}
            _ => panic!("round {round}: R got {b:?}"),
        }
        *outcomes.entry((explicit, b.is_ok())).or_insert(0) += 1;
        let seated: i64 = c
            .query_one(
                "SELECT count(DISTINCT booking_id) FROM booking_table_assignments WHERE restaurant_id = $1::text::uuid",
                &[&f.restaurant],
            )
            .unwrap()
            .get(0);
        assert_eq!(seated, if b.is_ok() { 3 } else { 2 }, "round {round}: P and Q hold tables, R when it got one");
        let q_zone: Option<String> =
            c.query_one("SELECT assigned_zone_id::text FROM bookings WHERE id = $1::text::uuid", &[&q]).unwrap().get(0);
        assert_eq!(q_zone.as_deref(), Some(terrace.as_str()), "round {round}: Q's zone lock moved with it");
        assert_eq!(invariant_violations(&mut c, &f.restaurant), Vec::<String>::new(), "round {round}");
    }
    eprintln!("(explicit, R seated) -> rounds: {outcomes:?}");
}

/// A booking another transaction is writing is never moved and never waited for.
#[test]
fn making_room_skips_a_booking_another_transaction_holds() {
    let mut c = connect();
    let w = ("2027-12-05 18:00Z", "2027-12-05 20:00Z");
    let f = fixture(&mut c, 2, &[w, w]);
    let (p, q) = (f.bookings[0].clone(), f.bookings[1].clone());
    for (t, cap) in f.tables.iter().zip([6, 2]) {
        c.execute("UPDATE table_inventory SET capacity = $2 WHERE id = $1::text::uuid", &[t, &cap]).unwrap();
    }
    c.execute("UPDATE bookings SET party_size = 6 WHERE id = $1::text::uuid", &[&p]).unwrap();
    c.query("SELECT * FROM assign_tables_atomic_v2($1::text::uuid, ARRAY[$2::text::uuid])", &[&q, &f.tables[0]])
        .unwrap();

    let mut x = connect();
    let mut x_tx = x.transaction().unwrap();
    x_tx.query("SELECT 1 FROM bookings WHERE id = $1::text::uuid FOR NO KEY UPDATE", &[&q]).unwrap();
    let mut a = connect();
    a.batch_execute("SET statement_timeout = '5s'; SET pg_seating.make_room_moves = 1").unwrap();
    let started = Instant::now();
    let err = a.query("SELECT * FROM auto_assign_tables($1::text::uuid)", &[&p]).unwrap_err();
    let message = err.as_db_error().map(|d| d.message().to_string()).unwrap_or_default();
    assert_eq!(err.code().map(|s| s.code()), Some("P0001"), "{err}: {message}");
    assert!(message.starts_with("No table plan fits booking"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(4), "it did not wait for Q");
    x_tx.rollback().unwrap();
    let rows = a.query("SELECT table_id::text FROM auto_assign_tables($1::text::uuid)", &[&p]).unwrap();
    assert_eq!(rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>(), vec![f.tables[0].clone()]);
    let q_now: String = c
        .query_one("SELECT table_id::text FROM booking_table_assignments WHERE booking_id = $1::text::uuid", &[&q])
        .unwrap()
        .get(0);
    assert_eq!(q_now, f.tables[1], "once free, Q moved to the 2-top");
    assert_eq!(invariant_violations(&mut c, &f.restaurant), Vec::<String>::new());
}
