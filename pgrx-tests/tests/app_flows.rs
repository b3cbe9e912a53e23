//! The booking app's flows, replayed from `APP-CONTRACT.md` §2–§6 with the same statements, column
//! sets, NULLs and named arguments the app sends, as `service_role` (its server), and the
//! dashboard's reads as `authenticated` under a restaurant-membership policy of the kind the app
//! writes (`pgrx-tests/app/app_additions.sql` creates the membership table and the policies). Each
//! test checks the result or the error code the app branches on. The test database carries the
//! app's own columns (`bookings.reference`, …). §5 (embeds: one relationship per pair of tables)
//! is checked from the catalog by `postgrest_relationships.rs`.
//!
//! `make test-citus` runs the same file against a Citus cluster set up as README *Moving the app to
//! Citus* says (`PG_SEATING_APP_ON_CITUS=1`): the API roles can log in, the app's migration
//! `pgrx-tests/app/app_on_citus.sql` has replaced its policies by their Citus form, and the app's
//! changed statements are used where the README lists a change: direct inserts name
//! `restaurant_id`, the dashboard's requests run the pre-request function, a migration that adds a
//! trigger enables `citus.enable_unsafe_triggers`. Everything else is the same traffic.

use pg_seating_sql_tests::{connect, fixture, invariant_violations, race_prepared, sqlstate, Fixture};
use postgres::{Client, Row};

const EVENING: (&str, &str) = ("2027-03-10 19:00+00", "2027-03-10 21:00+00");

/// Whether this run replays the app on Citus (scripts/test-citus sets it).
fn on_citus() -> bool {
    std::env::var_os("PG_SEATING_APP_ON_CITUS").is_some()
}

/// A connection acting as the app's server: `service_role` for the rest of the session.
fn server() -> Client {
    let mut c = connect();
    c.batch_execute("SET ROLE service_role").unwrap();
    c
}

/// A restaurant with `tables` tables and `bookings` pending bookings on one evening (set up by
/// the test's superuser connection, as the app's own migrations and admin screens would).
fn setup(tables: usize, bookings: usize) -> Fixture {
    let mut admin = connect();
    fixture(&mut admin, tables, &vec![EVENING; bookings])
}

fn one(c: &mut Client, sql: &str) -> Row {
    c.query_one(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn code_of(c: &mut Client, sql: &str) -> String {
    match c.batch_execute(sql) {
        Ok(()) => "ok".into(),
        Err(e) => sqlstate(&e),
    }
}

fn healthy(f: &Fixture) {
    let mut admin = connect();
    let v = invariant_violations(&mut admin, &f.restaurant);
    assert!(v.is_empty(), "{v:?}");
}

/// The hold the app places directly: header with the columns it sends (metadata NULL), then one
/// member row per table without restaurant_id.
fn place_hold(
    c: &mut Client,
    f: &Fixture,
    booking: &str,
    tables: &[&str],
    expires: &str,
) -> Result<String, postgres::Error> {
    let hold: String = c
        .query_one(
            &format!(
                "INSERT INTO table_holds (booking_id, restaurant_id, zone_id, start_at, end_at, expires_at, created_by, metadata)
                 VALUES ('{booking}', '{}', '{}', '{}', '{}', {expires}, NULL, NULL) RETURNING id::text",
                f.restaurant, f.zone, EVENING.0, EVENING.1
            ),
            &[],
        )?
        .get(0);
    for t in tables {
        // On Citus the app names the member's restaurant (README, Moving the app to Citus).
        let member = if on_citus() {
            format!(
                "INSERT INTO table_hold_members (hold_id, table_id, restaurant_id) VALUES ('{hold}', '{t}', '{}')",
                f.restaurant
            )
        } else {
            format!("INSERT INTO table_hold_members (hold_id, table_id) VALUES ('{hold}', '{t}')")
        };
        if let Err(e) = c.batch_execute(&member) {
            // The app deletes the header and reports a hold conflict.
            c.batch_execute(&format!("DELETE FROM table_holds WHERE id = '{hold}'")).unwrap();
            return Err(e);
        }
    }
    Ok(hold)
}

#[test]
fn holds_placed_directly_conflict_with_23p01_and_expired_ones_block_nobody() {
    let f = setup(2, 3);
    let mut c = server();
    let (b1, b2, b3) = (&f.bookings[0], &f.bookings[1], &f.bookings[2]);
    let t1 = f.tables[0].as_str();
    let h1 = place_hold(&mut c, &f, b1, &[t1], "now() + interval '3 minutes'").expect("a hold is placed");
    let members: i64 = one(&mut c, &format!("SELECT count(*) FROM table_hold_windows WHERE hold_id = '{h1}'")).get(0);
    assert_eq!(members, 1, "the member got its restaurant from the hold and its window row");
    let err = place_hold(&mut c, &f, b2, &[t1], "now() + interval '3 minutes'").expect_err("overlapping live hold");
    assert_eq!(sqlstate(&err), "23P01");
    assert!(err.as_db_error().unwrap().message().contains("exclusion"), "{err:?}");
    let left: i64 = one(&mut c, &format!("SELECT count(*) FROM table_holds WHERE booking_id = '{b2}'")).get(0);
    assert_eq!(left, 0, "the app deleted the refused header");
    // An expired (unswept) hold blocks nobody.
    let mut admin = connect();
    admin
        .batch_execute(&format!("UPDATE table_holds SET expires_at = now() - interval '1 second' WHERE id = '{h1}'"))
        .unwrap();
    place_hold(&mut c, &f, b3, &[t1], "now() + interval '3 minutes'").expect("an expired hold does not block");
    healthy(&f);
}

#[test]
fn holds_are_released_with_release_hold_and_emit_or_by_the_fallback_deletes() {
    let f = setup(2, 2);
    let mut c = server();
    let h = place_hold(&mut c, &f, &f.bookings[0], &[&f.tables[0]], "now() + interval '3 minutes'").unwrap();
    let released: bool =
        one(&mut c, &format!("SELECT release_hold_and_emit(p_hold_id => '{h}', p_actor_id => NULL)")).get(0);
    assert!(released);
    let again: bool =
        one(&mut c, &format!("SELECT release_hold_and_emit(p_hold_id => '{h}', p_actor_id => NULL)")).get(0);
    assert!(!again, "false for an unknown hold");
    let events: i64 = one(
        &mut c,
        &format!("SELECT count(*) FROM capacity_outbox WHERE event_type = 'capacity.hold.released' AND payload->>'holdId' = '{h}'
                    AND payload->'tableIds' ? '{}'", f.tables[0]),
    )
    .get(0);
    assert_eq!(events, 1, "the release is emitted with the hold's tables");
    // The fallback: members, then the header.
    let h2 = place_hold(&mut c, &f, &f.bookings[1], &[&f.tables[1]], "now() + interval '3 minutes'").unwrap();
    c.batch_execute(&format!(
        "DELETE FROM table_hold_members WHERE hold_id = '{h2}'; DELETE FROM table_holds WHERE id = '{h2}'"
    ))
    .unwrap();
    let windows: i64 =
        one(&mut c, &format!("SELECT count(*) FROM table_hold_windows WHERE restaurant_id = '{}'", f.restaurant))
            .get(0);
    assert_eq!(windows, 0);
    healthy(&f);
}

#[test]
fn direct_assignments_get_their_allocations_or_23p01_23505() {
    let f = setup(3, 2);
    let mut c = server();
    let (b1, b2) = (&f.bookings[0], &f.bookings[1]);
    // On Citus the app names the restaurant (README, Moving the app to Citus).
    let (restaurant_column, restaurant_value) =
        if on_citus() { (", restaurant_id", format!(", '{}'", f.restaurant)) } else { ("", String::new()) };
    let insert = |b: &str, tables: &[&str]| {
        let values: Vec<String> = tables
            .iter()
            .map(|t| {
                format!(
                    "('{b}', '{t}', now(), NULL, 'staff-direct', '{}', '{}'{restaurant_value})",
                    EVENING.0, EVENING.1
                )
            })
            .collect();
        format!(
            "INSERT INTO booking_table_assignments (booking_id, table_id, assigned_at, assigned_by, idempotency_key, start_at, end_at{restaurant_column})
             VALUES {}",
            values.join(", ")
        )
    };
    let mut sorted = vec![f.tables[0].as_str(), f.tables[1].as_str()];
    sorted.sort();
    assert_eq!(code_of(&mut c, &insert(b1, &sorted)), "ok", "several tables in one statement, no restaurant_id");
    let live: i64 = one(
        &mut c,
        &format!(
            "SELECT count(*) FROM allocations WHERE booking_id = '{b1}' AND resource_type = 'table' AND NOT shadow"
        ),
    )
    .get(0);
    assert_eq!(live, 2, "each direct assignment has its live allocation");
    assert_eq!(code_of(&mut c, &insert(b2, &[&f.tables[0]])), "23P01", "a taken table");
    assert_eq!(code_of(&mut c, &insert(b1, &[&f.tables[1]])), "23505", "the booking already has the table");
    // A table under another booking's live hold.
    place_hold(&mut c, &f, b2, &[&f.tables[2]], "now() + interval '3 minutes'").unwrap();
    assert_eq!(code_of(&mut c, &insert(b1, &[&f.tables[2]])), "23P01", "a held table");
    // A finished booking holds no tables, whoever writes.
    c.batch_execute(&format!("UPDATE bookings SET status = 'cancelled' WHERE id = '{b2}'")).unwrap();
    assert_eq!(code_of(&mut c, &insert(b2, &[&f.tables[2]])), "23514", "a cancelled booking gets no table");
    let err = place_hold(&mut c, &f, b2, &[&f.tables[2]], "now() + interval '3 minutes'").expect_err("no hold either");
    assert_eq!(sqlstate(&err), "23514");
    healthy(&f);
}

/// The app's prune (APP-CONTRACT §2): read the booking's table allocations, delete those whose table
/// is outside `keep` in one statement, and ignore the result. Returns the DELETE's SQLSTATE.
fn app_prune(c: &mut Client, booking: &str, keep: &[&str]) -> String {
    let rows = c
        .query(
            &format!("SELECT id::text, resource_id::text FROM allocations WHERE booking_id = '{booking}' AND resource_type = 'table'"),
            &[],
        )
        .unwrap();
    let prune: Vec<String> =
        rows.iter().filter(|r| !keep.contains(&r.get::<_, String>(1).as_str())).map(|r| r.get(0)).collect();
    if prune.is_empty() {
        return "ok".into();
    }
    code_of(c, &format!("DELETE FROM allocations WHERE id IN ('{}')", prune.join("', '")))
}

fn tables_of(c: &mut Client, booking: &str) -> Vec<String> {
    c.query(
        &format!(
            "SELECT table_id::text FROM booking_table_assignments WHERE booking_id = '{booking}' ORDER BY table_id"
        ),
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// The staff "add table" action: assign_tables_atomic_v2 with only the new table, then the app's
/// prune of every other table allocation of the booking. The booking keeps both tables (SPEC §6:
/// the allocation backing the first one refuses the delete, 23503, which the app ignores), both
/// stay protected, and a second booking cannot take the first table.
#[test]
fn add_table_keeps_the_first_table() {
    let f = setup(3, 2);
    let mut c = server();
    let (b1, b2) = (&f.bookings[0], &f.bookings[1]);
    let v2 = |t: &str, b: &str| {
        format!(
            "SELECT * FROM assign_tables_atomic_v2(p_booking_id => '{b}', p_table_ids => ARRAY['{t}']::uuid[],
                    p_idempotency_key => NULL, p_require_adjacency => false, p_assigned_by => NULL,
                    p_start_at => NULL, p_end_at => NULL)"
        )
    };
    assert_eq!(code_of(&mut c, &v2(&f.tables[0], b1)), "ok", "the booking's first table");
    assert_eq!(code_of(&mut c, &v2(&f.tables[1], b1)), "ok", "add table: only the new table is passed");
    assert_eq!(app_prune(&mut c, b1, &[&f.tables[1]]), "23503", "the prune of the first table is refused");
    let mut both = vec![f.tables[0].clone(), f.tables[1].clone()];
    both.sort();
    assert_eq!(tables_of(&mut c, b1), both, "the booking keeps both tables");
    let err = c
        .batch_execute(&format!(
            "DELETE FROM allocations WHERE booking_id = '{b1}' AND resource_type = 'table' AND resource_id = '{}'",
            f.tables[0]
        ))
        .expect_err("protected");
    let db = err.as_db_error().unwrap();
    assert!(
        db.message().starts_with("Allocation ")
            && db.message().contains(&format!("backs table {} of booking {b1}", f.tables[0])),
        "{}",
        db.message()
    );
    assert_eq!(
        db.hint(),
        Some("Release the table with unassign_tables_atomic (or delete its booking_table_assignments row)")
    );
    assert_eq!(code_of(&mut c, &v2(&f.tables[0], b2)), "P0001", "the first table is still taken");
    healthy(&f);
}

/// After a confirm the app prunes too; the tables the booking held stay. Deleting the assignment
/// row releases the table as unassign does; shadow rows and maintenance blocks are deleted freely.
#[test]
fn deleting_the_assignment_row_releases_the_table() {
    let f = setup(3, 2);
    let mut c = server();
    let (b1, b2) = (&f.bookings[0], &f.bookings[1]);
    c.batch_execute(&format!(
        "SELECT assign_tables_atomic_v2(p_booking_id => '{b1}', p_table_ids => ARRAY['{}', '{}']::uuid[],
                p_idempotency_key => 'k1', p_require_adjacency => false, p_assigned_by => NULL,
                p_start_at => NULL, p_end_at => NULL)",
        f.tables[0], f.tables[1]
    ))
    .unwrap();
    assert_eq!(app_prune(&mut c, b1, &[&f.tables[0]]), "23503", "the prune after a confirm is refused too");
    assert_eq!(tables_of(&mut c, b1).len(), 2);
    // The staff releases one table by deleting its assignment row: the allocation, the ledger row
    // and the merge group go with it; the other table stays.
    c.batch_execute(&format!(
        "DELETE FROM booking_table_assignments WHERE booking_id = '{b1}' AND table_id = '{}'",
        f.tables[1]
    ))
    .unwrap();
    assert_eq!(tables_of(&mut c, b1), vec![f.tables[0].clone()], "the other table stays");
    assert_eq!(
        code_of(&mut c, &format!("SELECT assign_tables_atomic_v2('{b2}', ARRAY['{}']::uuid[])", f.tables[1])),
        "ok",
        "the released table is free afterwards"
    );
    let ledger: i64 =
        one(&mut c, &format!("SELECT count(*) FROM booking_assignment_idempotency WHERE booking_id = '{b1}'")).get(0);
    assert_eq!(ledger, 0, "the ledger row that recorded the released table is gone");
    // The last table of a confirmed booking: released, and the booking waits for a table again.
    c.batch_execute(&format!("UPDATE bookings SET status = 'confirmed' WHERE id = '{b1}'")).unwrap();
    c.batch_execute(&format!("DELETE FROM booking_table_assignments WHERE booking_id = '{b1}'")).unwrap();
    let (status, zone): (String, Option<String>) = {
        let r = one(&mut c, &format!("SELECT status::text, assigned_zone_id::text FROM bookings WHERE id = '{b1}'"));
        (r.get(0), r.get(1))
    };
    assert_eq!((status.as_str(), zone), ("pending_allocation", None), "confirmed -> pending_allocation, no zone lock");
    // A shadow row and a maintenance block are deleted as before.
    c.batch_execute(&format!("SELECT count(*) FROM backfill_allocations_shadow('{}')", f.restaurant)).unwrap();
    c.batch_execute(&format!(
        "INSERT INTO allocations (restaurant_id, resource_type, resource_id, \"window\", shadow, is_maintenance)
         VALUES ('{}', 'table', '{}', tstzrange('2027-03-11 09:00+00', '2027-03-11 12:00+00'), false, true)",
        f.restaurant, f.tables[2]
    ))
    .unwrap();
    assert_eq!(
        code_of(
            &mut c,
            &format!("DELETE FROM allocations WHERE restaurant_id = '{}' AND (shadow OR is_maintenance)", f.restaurant)
        ),
        "ok",
        "shadow rows and maintenance blocks are deleted freely"
    );
    healthy(&f);
}

#[test]
fn window_sync_by_rpc_and_by_the_fallback_updates() {
    let f = setup(2, 1);
    let mut c = server();
    let b = &f.bookings[0];
    c.batch_execute(&format!(
        "SELECT assign_tables_atomic_v2('{b}', ARRAY['{}', '{}']::uuid[], 'k-sync')",
        f.tables[0], f.tables[1]
    ))
    .unwrap();
    let mg: Option<String> = one(
        &mut c,
        &format!("SELECT max(merge_group_id::text) FROM booking_table_assignments WHERE booking_id = '{b}'"),
    )
    .get(0);
    let rows = c
        .query(
            &format!(
                "SELECT table_id::text, start_at::text FROM sync_confirmed_assignment_windows(
                     p_booking_id => '{b}', p_table_ids => ARRAY['{}', '{}']::uuid[],
                     p_window_start => '2027-03-10 19:30+00', p_window_end => '2027-03-10 21:30+00',
                     p_actor_id => NULL, p_hold_id => NULL, p_merge_group_id => '{}',
                     p_idempotency_key => 'k-sync', p_payload_checksum => 'abc')",
                f.tables[0],
                f.tables[1],
                mg.clone().unwrap()
            ),
            &[],
        )
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.get::<_, String>(1).starts_with("2027-03-10 19:30")), "rows carry the new window");
    let ledger: String = one(&mut c, &format!("SELECT lower(assignment_window)::text || ' ' || payload_checksum FROM booking_assignment_idempotency WHERE booking_id = '{b}'")).get(0);
    assert!(ledger.starts_with("2027-03-10 19:30") && ledger.ends_with("abc"), "{ledger}");
    // A merge group that is not the booking's own (another restaurant's, or none at all) is refused
    // with one answer, before anything is written.
    let other = setup(2, 1);
    c.batch_execute(&format!(
        "SELECT assign_tables_atomic_v2('{}', ARRAY['{}', '{}']::uuid[])",
        other.bookings[0], other.tables[0], other.tables[1]
    ))
    .unwrap();
    let foreign: String = one(
        &mut c,
        &format!(
            "SELECT max(merge_group_id::text) FROM booking_table_assignments WHERE booking_id = '{}'",
            other.bookings[0]
        ),
    )
    .get(0);
    for group in [foreign.as_str(), "00000000-0000-4000-8000-000000000001"] {
        let err = c
            .query(
                &format!(
                    "SELECT * FROM sync_confirmed_assignment_windows(p_booking_id => '{b}',
                         p_window_start => '2027-03-10 19:00+00', p_window_end => '2027-03-10 21:00+00',
                         p_merge_group_id => '{group}')"
                ),
                &[],
            )
            .expect_err("a merge group of another booking");
        let db = err.as_db_error().unwrap();
        assert_eq!(db.code().code(), "23503");
        assert_eq!(db.message(), format!("Merge group {group} is not a merge group of booking {b}"));
        assert_eq!(db.hint(), Some("Pass the merge_group_id of one of the booking's own assignments, or NULL."));
    }
    healthy(&other);
    healthy(&f);
    // The fallback the app runs when the RPC fails: direct updates of the same rows.
    c.batch_execute(&format!(
        "UPDATE booking_table_assignments SET start_at = '2027-03-10 20:00+00', end_at = '2027-03-10 22:00+00'
          WHERE booking_id = '{b}' AND table_id IN ('{t0}', '{t1}');
         UPDATE allocations SET \"window\" = tstzrange('2027-03-10 20:00+00', '2027-03-10 22:00+00')
          WHERE booking_id = '{b}' AND resource_type = 'table' AND resource_id IN ('{t0}', '{t1}');
         UPDATE booking_assignment_idempotency SET assignment_window = tstzrange('2027-03-10 20:00+00', '2027-03-10 22:00+00'),
                merge_group_allocation_id = '{m}', payload_checksum = 'def'
          WHERE booking_id = '{b}' AND idempotency_key = 'k-sync'",
        t0 = f.tables[0],
        t1 = f.tables[1],
        m = mg.unwrap()
    ))
    .unwrap();
    healthy(&f);
}

#[test]
fn maintenance_blocks_outbox_events_and_booking_inserts_as_the_app_writes_them() {
    let f = setup(1, 1);
    let mut c = server();
    let t = &f.tables[0];
    assert_eq!(
        code_of(
            &mut c,
            &format!(
                "INSERT INTO allocations (restaurant_id, resource_type, resource_id, \"window\", shadow, is_maintenance)
                 VALUES ('{}', 'table', '{t}', tstzrange('2027-03-11 09:00+00', '2027-03-11 12:00+00'), false, true)",
                f.restaurant
            )
        ),
        "ok"
    );
    assert_eq!(
        code_of(
            &mut c,
            &format!(
                "INSERT INTO capacity_outbox (event_type, restaurant_id, booking_id, idempotency_key, dedupe_key, payload, status, attempts, next_attempt_at)
                 VALUES ('booking.created', '{}', '{}', 'idem-1', 'dedupe-1', '{{}}', 'pending', 0, NULL)",
                f.restaurant, f.bookings[0]
            )
        ),
        "ok",
        "an explicit NULL next_attempt_at means not scheduled"
    );
    assert_eq!(
        code_of(
            &mut c,
            "UPDATE capacity_outbox SET status = 'dead', next_attempt_at = NULL WHERE dedupe_key = 'dedupe-1'"
        ),
        "ok",
        "dead-lettering"
    );
    let reference: String = one(&mut c, "SELECT generate_booking_reference()").get(0);
    assert_eq!(
        code_of(
            &mut c,
            &format!(
                "INSERT INTO bookings (restaurant_id, booking_date, start_time, end_time, party_size, status, reference, details)
                 VALUES ('{}', '2027-03-12', '19:00', '21:00', 2, 'pending', '{reference}', NULL)",
                f.restaurant
            )
        ),
        "ok",
        "the booking-creation fallback, with the app's reference and details NULL"
    );
}

#[test]
fn the_staff_add_table_action_keeps_the_bookings_tables() {
    let f = setup(3, 2);
    let mut c = server();
    let (b1, b2) = (&f.bookings[0], &f.bookings[1]);
    let call = |b: &str, t: &str, key: &str| {
        format!(
            "SELECT table_id::text FROM assign_tables_atomic_v2(p_booking_id => '{b}', p_table_ids => ARRAY['{t}']::uuid[],
                    p_idempotency_key => '{key}', p_require_adjacency => false, p_assigned_by => NULL,
                    p_start_at => '{}', p_end_at => '{}')",
            EVENING.0, EVENING.1
        )
    };
    c.batch_execute(&call(b1, &f.tables[0], "first")).unwrap();
    let rows = c.query(&call(b1, &f.tables[1], "add"), &[]).unwrap();
    assert_eq!(rows.len(), 1, "the call returns the new table");
    let held: i64 =
        one(&mut c, &format!("SELECT count(*) FROM booking_table_assignments WHERE booking_id = '{b1}'")).get(0);
    assert_eq!(held, 2, "the booking keeps the table it had");
    let err = c.query(&call(b2, &f.tables[0], "x"), &[]).expect_err("conflict");
    assert_eq!(sqlstate(&err), "P0001");
    assert!(err.as_db_error().unwrap().message().contains("allocations_no_overlap"));
    let err = c.query(&call(b1, &f.tables[2], "add"), &[]).expect_err("same key, other tables");
    assert_eq!(sqlstate(&err), "P0003");
    let rows = c
        .query(&format!("SELECT table_id FROM unassign_tables_atomic(p_booking_id => '{b1}', p_table_ids => ARRAY['{}']::uuid[])", f.tables[1]), &[])
        .unwrap();
    assert_eq!(rows.len(), 1);
    healthy(&f);
}

#[test]
fn holds_confirmed_with_the_named_arguments_the_app_sends() {
    let f = setup(2, 1);
    let mut c = server();
    let b = &f.bookings[0];
    let hold: String =
        one(&mut c, &format!("SELECT create_table_hold('{b}', ARRAY['{}']::uuid[])::text", f.tables[0])).get(0);
    let rows = c
        .query(
            &format!(
                "SELECT table_id, start_at, end_at, merge_group_id FROM confirm_hold_assignment_tx(
                     p_hold_id => '{hold}', p_booking_id => '{b}', p_idempotency_key => 'confirm-1',
                     p_require_adjacency => false, p_assigned_by => NULL, p_window_start => NULL, p_window_end => NULL,
                     p_target_status => 'confirmed', p_history_reason => 'auto_assign_confirm',
                     p_history_metadata => '{{}}', p_history_changed_by => NULL)"
            ),
            &[],
        )
        .unwrap();
    assert_eq!(rows.len(), 1);
    let status: String = one(&mut c, &format!("SELECT status::text FROM bookings WHERE id = '{b}'")).get(0);
    assert_eq!(status, "confirmed");
    healthy(&f);
}

fn transition(c: &mut Client, b: &str, from: &str, to: &str) -> Result<Vec<Row>, postgres::Error> {
    c.query(
        &format!(
            "SELECT status, checked_in_at, checked_out_at, updated_at FROM apply_booking_state_transition(
                 p_booking_id => '{b}', p_status => '{to}',
                 p_checked_in_at => CASE WHEN '{to}' IN ('checked_in', 'completed') THEN now() END,
                 p_checked_out_at => CASE WHEN '{to}' = 'completed' THEN now() END,
                 p_updated_at => now(), p_history_from => '{from}', p_history_to => '{to}',
                 p_history_changed_by => NULL, p_history_changed_at => now(), p_history_reason => 'app',
                 p_history_metadata => '{{}}')"
        ),
        &[],
    )
}

#[test]
fn the_apps_lifecycle_with_undo_no_show() {
    let f = setup(2, 3);
    let mut c = server();
    let (b1, b2, b3) = (&f.bookings[0], &f.bookings[1], &f.bookings[2]);
    c.batch_execute(&format!("SELECT assign_tables_atomic_v2('{b1}', ARRAY['{}']::uuid[])", f.tables[0])).unwrap();
    for (from, to) in [("pending", "confirmed"), ("confirmed", "no_show")] {
        transition(&mut c, b1, from, to).unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
    }
    let held: i64 =
        one(&mut c, &format!("SELECT count(*) FROM booking_table_assignments WHERE booking_id = '{b1}'")).get(0);
    assert_eq!(held, 0, "a no-show's table is free for walk-ins");
    // Undo no-show: the table comes back.
    let rows = transition(&mut c, b1, "no_show", "confirmed").expect("undo no-show");
    assert_eq!(rows[0].get::<_, String>(0), "confirmed");
    let back: String =
        one(&mut c, &format!("SELECT table_id::text FROM booking_table_assignments WHERE booking_id = '{b1}'")).get(0);
    assert_eq!(back, f.tables[0], "re-seated at its previous table");
    // When the table was taken meanwhile, undo is refused with P0001 `Cannot confirm booking …`.
    transition(&mut c, b1, "confirmed", "no_show").unwrap();
    c.batch_execute(&format!("SELECT assign_tables_atomic_v2('{b2}', ARRAY['{}']::uuid[])", f.tables[0])).unwrap();
    let err = transition(&mut c, b1, "no_show", "confirmed").expect_err("taken");
    assert_eq!(sqlstate(&err), "P0001");
    assert!(err.as_db_error().unwrap().message().starts_with("Cannot confirm booking"), "{err}");
    // The rest of the app's table (APP-CONTRACT §4).
    c.batch_execute(&format!("UPDATE bookings SET status = 'PRIORITY_WAITLIST' WHERE id = '{b3}'")).unwrap();
    transition(&mut c, b3, "PRIORITY_WAITLIST", "checked_in").expect("check-in of a waitlisted party");
    transition(&mut c, b3, "checked_in", "no_show").expect("checked_in -> no_show");
    let err = transition(&mut c, b2, "pending", "checked_in").expect_err("not in the app's table");
    assert_eq!(sqlstate(&err), "22023");
    let err = transition(&mut c, b2, "confirmed", "checked_in").expect_err("stale from");
    assert_eq!(sqlstate(&err), "P0004", "concurrent change");
    healthy(&f);
}

/// The fields of a booking envelope the app reads: success, error, retryable, duplicate, the
/// JSON type of booking.reference and of capacity.servicePeriod, and booking.id.
struct Envelope {
    success: Option<String>,
    error: Option<String>,
    retryable: Option<String>,
    duplicate: Option<String>,
    reference_type: Option<String>,
    service_period_type: Option<String>,
    booking_id: Option<String>,
    text: String,
}

fn envelope(c: &mut Client, call: &str) -> Envelope {
    let r = one(
        c,
        &format!(
            "WITH e AS (SELECT ({call}) AS j)
             SELECT j->>'success', j->>'error', j->>'retryable', j->>'duplicate', jsonb_typeof(j->'booking'->'reference'),
                    jsonb_typeof(j->'capacity'->'servicePeriod'), j->'booking'->>'id', j::text FROM e"
        ),
    );
    Envelope {
        success: r.get(0),
        error: r.get(1),
        retryable: r.get(2),
        duplicate: r.get(3),
        reference_type: r.get(4),
        service_period_type: r.get(5),
        booking_id: r.get(6),
        text: r.get(7),
    }
}

#[test]
fn booking_envelopes_for_update_and_create() {
    let f = setup(1, 1);
    let mut c = server();
    let b = &f.bookings[0];
    let update = format!(
        "SELECT update_booking_with_capacity_check(p_booking_id => '{b}', p_restaurant_id => '{r}', p_customer_id => NULL,
                p_booking_date => '2027-03-10', p_start_time => '19:30', p_end_time => '21:30', p_party_size => 3,
                p_booking_type => 'dinner', p_customer_name => 'Ada', p_customer_email => 'ada@example.com',
                p_customer_phone => '+44', p_seating_preference => 'any', p_notes => NULL, p_marketing_opt_in => false,
                p_auth_user_id => NULL, p_client_request_id => 'req-1', p_details => '{{}}',
                p_loyalty_points_awarded => 0, p_source => 'api')",
        r = f.restaurant
    );
    let env = envelope(&mut c, &update);
    assert_eq!(env.success.as_deref(), Some("true"), "{}", env.text);
    assert_eq!(env.reference_type.as_deref(), Some("string"), "the app's reference is in the booking: {}", env.text);
    assert!(matches!(env.service_period_type.as_deref(), Some("string") | Some("null")), "{}", env.text);
    // A concurrent update holding the booking: the retryable BOOKING_CONFLICT envelope.
    let mut other = server();
    let mut tx = other.transaction().unwrap();
    tx.batch_execute(&format!(
        "SELECT 1 FROM bookings WHERE restaurant_id = '{r}' AND id = '{b}' FOR UPDATE",
        r = f.restaurant
    ))
    .unwrap();
    let env = if on_citus() {
        // The lock is waited for on the worker, where a session's lock_timeout does not reach: the
        // request sets it with SET LOCAL, which Citus propagates (README, Moving the app to Citus).
        c.batch_execute("BEGIN; SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL lock_timeout = '100ms'")
            .unwrap();
        let env = envelope(&mut c, &update);
        c.batch_execute("COMMIT").unwrap();
        env
    } else {
        c.batch_execute("SET lock_timeout = '100ms'").unwrap();
        let env = envelope(&mut c, &update);
        c.batch_execute("RESET lock_timeout").unwrap();
        env
    };
    tx.rollback().unwrap();
    assert_eq!(env.error.as_deref(), Some("BOOKING_CONFLICT"), "{}", env.text);
    assert_eq!(env.retryable.as_deref(), Some("true"), "{}", env.text);

    let create = |key: &str| {
        format!(
            "SELECT create_booking_with_capacity_check(p_restaurant_id => '{r}', p_customer_id => NULL,
                    p_booking_date => '2027-03-10', p_start_time => '18:00', p_end_time => '20:00', p_party_size => 2,
                    p_booking_type => 'dinner', p_customer_name => 'Bo', p_customer_email => 'bo@example.com',
                    p_customer_phone => '+44', p_seating_preference => 'any', p_notes => NULL,
                    p_marketing_opt_in => false, p_idempotency_key => '{key}', p_source => 'web')",
            r = f.restaurant
        )
    };
    let first = envelope(&mut c, &create("create-1"));
    assert_eq!(first.success.as_deref(), Some("true"), "{}", first.text);
    assert_eq!(first.duplicate.as_deref(), Some("false"), "{}", first.text);
    assert_eq!(first.reference_type.as_deref(), Some("string"), "{}", first.text);
    let again = envelope(&mut c, &create("create-1"));
    assert_eq!(again.duplicate.as_deref(), Some("true"), "{}", again.text);
    assert_eq!(again.booking_id, first.booking_id, "the existing booking comes back");
}

#[test]
fn the_small_rpcs_answer_as_the_app_reads_them() {
    let f = setup(2, 1);
    let mut c = server();
    let set: bool = one(&mut c, "SELECT set_hold_conflict_enforcement(enabled => false)").get(0);
    let strict: bool = one(&mut c, "SELECT is_holds_strict_conflicts_enabled()").get(0);
    assert!(set && strict, "holds are always strict in pg_seating");
    let b = &f.bookings[0];
    c.batch_execute(&format!("SELECT assign_tables_atomic_v2('{b}', ARRAY['{}']::uuid[])", f.tables[0])).unwrap();
    let avail = |c: &mut Client, t: &str, exclude: &str| -> bool {
        one(
            c,
            &format!(
                "SELECT is_table_available_v2(p_table_id => '{t}', p_start_at => '{}', p_end_at => '{}', p_exclude_booking_id => {exclude})",
                EVENING.0, EVENING.1
            ),
        )
        .get(0)
    };
    assert!(!avail(&mut c, &f.tables[0], "NULL"));
    assert!(avail(&mut c, &f.tables[0], &format!("'{b}'")), "the booking's own table");
    assert!(avail(&mut c, &f.tables[1], "NULL"));
    let row = one(&mut c, "SELECT archived_count, deleted_count FROM prune_allocations_history(p_cutoff => now() - interval '10 years', p_limit => 10)");
    let (archived, deleted): (i32, i32) = (row.get(0), row.get(1));
    assert_eq!((archived, deleted), (0, 0));
    let a: String = one(&mut c, "SELECT generate_booking_reference()").get(0);
    let b2: String = one(&mut c, "SELECT generate_booking_reference()").get(0);
    assert!(a.len() == 10 && a != b2);
}

#[test]
fn the_dashboard_reads_its_restaurants_rows_as_authenticated() {
    let mine = setup(1, 1);
    let theirs = setup(1, 1);
    let mut admin = connect();
    let user: String = one(&mut admin, "SELECT gen_random_uuid()::text").get(0);
    admin
        .batch_execute(&format!(
            "INSERT INTO app_restaurant_memberships (user_id, restaurant_id) VALUES ('{user}', '{}') ON CONFLICT DO NOTHING;
             SELECT assign_tables_atomic_v2('{}', ARRAY['{}']::uuid[]);
             SELECT assign_tables_atomic_v2('{}', ARRAY['{}']::uuid[]);
             SELECT create_table_hold('{}', ARRAY['{}']::uuid[], '2027-03-10 22:00+00', '2027-03-10 23:00+00');",
            mine.restaurant, mine.bookings[0], mine.tables[0], theirs.bookings[0], theirs.tables[0], mine.bookings[0], mine.tables[0]
        ))
        .unwrap();
    let mut tx = admin.transaction().unwrap();
    tx.batch_execute(&format!(
        "SET LOCAL ROLE authenticated; SELECT set_config('request.jwt.claim.sub', '{user}', true)"
    ))
    .unwrap();
    if on_citus() {
        // PostgREST's db-pre-request function: the user's restaurants for the workers' policies.
        tx.batch_execute("SELECT app_pre_request()").unwrap();
    }
    for table in ["bookings", "table_holds", "table_hold_members", "table_inventory", "booking_table_assignments"] {
        let rows = tx.query(&format!("SELECT restaurant_id::text FROM {table}"), &[]).unwrap();
        assert!(!rows.is_empty(), "{table}: the member sees its restaurant's rows");
        assert!(rows.iter().all(|r| r.get::<_, String>(0) == mine.restaurant), "{table}: only its restaurant's rows");
    }
    tx.rollback().unwrap();
    let mut tx = admin.transaction().unwrap();
    tx.batch_execute("SET LOCAL ROLE anon").unwrap();
    let err = tx.query("SELECT 1 FROM bookings", &[]).expect_err("anon reads nothing");
    assert_eq!(sqlstate(&err), "42501");
    tx.rollback().unwrap();
}

#[test]
fn errors_raised_by_the_apps_triggers_keep_their_sqlstate() {
    let f = setup(1, 1);
    let mut admin = connect();
    let b = &f.bookings[0];
    let mut tx = admin.transaction().unwrap();
    if on_citus() {
        // A migration that adds a trigger to a distributed table (README, Moving the app to Citus);
        // the function is created on every node, so not in pg_temp. One statement at a time:
        // Citus propagates some DDL with the query string it came in.
        for statement in [
            "SET LOCAL citus.enable_unsafe_triggers = on".to_string(),
            "SET LOCAL citus.multi_shard_modify_mode = 'sequential'".to_string(),
            "CREATE FUNCTION public.app_refuses() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'the app refuses' USING ERRCODE = 'AB123', DETAIL = 'app detail', HINT = 'app hint'; END $$"
                .to_string(),
            format!(
                "CREATE TRIGGER app_refuses BEFORE UPDATE OF status ON bookings FOR EACH ROW
                     WHEN (NEW.id = '{b}'::uuid) EXECUTE FUNCTION public.app_refuses()"
            ),
        ] {
            tx.batch_execute(&statement).unwrap_or_else(|e| panic!("{statement}: {e:?}"));
        }
    } else {
        tx.batch_execute(&format!(
            "CREATE FUNCTION pg_temp.app_refuses() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'the app refuses' USING ERRCODE = 'AB123', DETAIL = 'app detail', HINT = 'app hint'; END $$;
             CREATE TRIGGER app_refuses BEFORE UPDATE OF status ON bookings FOR EACH ROW
                 WHEN (NEW.id = '{b}'::uuid) EXECUTE FUNCTION pg_temp.app_refuses();"
        ))
        .unwrap();
    }
    tx.batch_execute("SAVEPOINT s").unwrap();
    let err = tx
        .query(&format!("SELECT * FROM apply_booking_state_transition('{b}', 'cancelled', NULL, NULL, NULL, 'pending', 'cancelled', NULL, NULL, 'x')"), &[])
        .expect_err("the trigger refuses");
    let db = err.as_db_error().unwrap();
    // On Citus the trigger fires on the worker: its message, DETAIL and HINT come back, but (Citus
    // 13.2.2, in a transaction that created the trigger) its own SQLSTATE arrives as XX000 — a gap
    // recorded in docs/citus.md; the assertion flags the day it changes.
    let expected_code = if on_citus() { "XX000" } else { "AB123" };
    assert_eq!(
        (db.code().code(), db.message(), db.detail(), db.hint()),
        (expected_code, "the app refuses", Some("app detail"), Some("app hint"))
    );
    tx.batch_execute("ROLLBACK TO SAVEPOINT s").unwrap();
    let hold: String = tx
        .query_one(&format!("SELECT create_table_hold('{b}', ARRAY['{}']::uuid[])::text", f.tables[0]), &[])
        .unwrap()
        .get(0);
    let err = tx
        .query(
            &format!("SELECT * FROM confirm_hold_assignment_tx('{hold}', '{b}', 'k', p_target_status => 'confirmed')"),
            &[],
        )
        .expect_err("the trigger refuses the confirm's transition");
    assert_eq!(sqlstate(&err), expected_code);
    tx.batch_execute("ROLLBACK TO SAVEPOINT s").unwrap();
    let err = tx
        .query(
            &format!(
                "SELECT * FROM confirm_hold_assignment_with_transition('{b}', ARRAY['{}']::uuid[], 'k2')",
                f.tables[0]
            ),
            &[],
        )
        .expect_err("the trigger refuses the other confirm's transition");
    assert_eq!(sqlstate(&err), expected_code);
    tx.rollback().unwrap();
}

/// Eight connections place the app's direct hold (header, then member) on one table for eight
/// bookings at once: one hold stands, the others get 23P01 (never a deadlock), and the losers'
/// headers are gone.
#[test]
fn direct_holds_racing_for_one_table_get_one_winner_and_23p01() {
    let f = setup(1, 8);
    let table = f.tables[0].as_str();
    let one_table = Fixture {
        restaurant: f.restaurant.clone(),
        zone: f.zone.clone(),
        tables: vec![table.to_string()],
        bookings: vec![],
    };
    let mut outcomes = race_prepared(
        8,
        |_, c| c.batch_execute("SET ROLE service_role").unwrap(),
        |i, c| match place_hold(c, &one_table, &f.bookings[i], &[table], "now() + interval '3 minutes'") {
            Ok(_) => "ok".to_string(),
            Err(e) => sqlstate(&e),
        },
    );
    outcomes.sort();
    assert_eq!(outcomes.iter().filter(|o| *o == "ok").count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| o == "ok" || o == "23P01"), "{outcomes:?}");
    let mut c = server();
    let holds: i64 =
        one(&mut c, &format!("SELECT count(*) FROM table_holds WHERE restaurant_id = '{}'", f.restaurant)).get(0);
    assert_eq!(holds, 1, "the refused headers were deleted");
    healthy(&f);
}
