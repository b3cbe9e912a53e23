//! One call of every RPC, companion-free app RPC, direct write the model's triggers handle, and
//! operator tool, as `service_role`, in a transaction that is rolled back: the security matrix runs
//! it under a hostile caller's search_path, the hijack layer with planted overloads in the
//! extension's schema. Each step's outcome is recorded without generated ids (tables by number,
//! outcomes by SQLSTATE), so two runs compare equal when nothing but the attack changed.
//!
//! Every statement here qualifies what it calls (`public.f`, `OPERATOR(pg_catalog.=)`), so that
//! the test's own statements are never what a planted object catches.

use postgres::error::DbError;
use postgres::Client;

/// The scenario's restaurant: one zone, T1 and T2 (two seats, adjacent), T3 (four seats), and
/// three pending bookings on 2027-02-01 20:00-22:00 (parties 4, 2 and 2).
pub struct Ids {
    pub r: String,
    pub z: String,
    pub b1: String,
    pub b2: String,
    pub b3: String,
    pub t1: String,
    pub t2: String,
    pub t3: String,
    pub unknown: String,
}

pub fn fixture(c: &mut Client, slug: &str) -> Ids {
    let one =
        |c: &mut Client, sql: &str| -> String { c.query_one(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}")).get(0) };
    let r =
        one(c, &format!("INSERT INTO public.restaurants (name, slug) VALUES ('{slug}', '{slug}') RETURNING id::text"));
    let z =
        one(c, &format!("INSERT INTO public.zones (restaurant_id, name) VALUES ('{r}', 'Main') RETURNING id::text"));
    let mut t = Vec::new();
    for (n, cap) in [("T1", 2), ("T2", 2), ("T3", 4)] {
        t.push(one(c, &format!("INSERT INTO public.table_inventory (restaurant_id, table_number, capacity, zone_id) VALUES ('{r}', '{n}', {cap}, '{z}') RETURNING id::text")));
    }
    c.batch_execute(&format!(
        "INSERT INTO public.table_adjacencies (restaurant_id, table_a, table_b) VALUES ('{r}', '{}', '{}')",
        t[0], t[1]
    ))
    .unwrap();
    let booking = |c: &mut Client, party: i32| -> String {
        c.query_one(
            &format!(
                "INSERT INTO public.bookings (restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
                 VALUES ('{r}', '2027-02-01', '20:00', '22:00', '2027-02-01 20:00+00', '2027-02-01 22:00+00', $1, 'pending')
                 RETURNING id::text"
            ),
            &[&party],
        )
        .unwrap()
        .get(0)
    };
    Ids {
        b1: booking(c, 4),
        b2: booking(c, 2),
        b3: booking(c, 2),
        r,
        z,
        t1: t[0].clone(),
        t2: t[1].clone(),
        t3: t[2].clone(),
        unknown: "00000000-0000-0000-0000-00000000dead".into(),
    }
}

/// The steps, in order: (name, statement returning one text column).
fn steps(ids: &Ids) -> Vec<(&'static str, String)> {
    let (b1, b2, b3, r, t1, t2, t3) = (&ids.b1, &ids.b2, &ids.b3, &ids.r, &ids.t1, &ids.t2, &ids.t3);
    let (z, unknown) = (&ids.z, &ids.unknown);
    vec![
        ("quote", format!("SELECT string_agg(x::text, ';' ORDER BY x::text) FROM (SELECT rank, total_capacity, overage, pg_catalog.cardinality(table_ids) FROM public.quote_tables('{b1}'::pg_catalog.uuid)) x")),
        ("assign", format!("SELECT count(*)::text FROM public.assign_tables_atomic_v2('{b1}'::pg_catalog.uuid, ARRAY['{t1}', '{t2}']::pg_catalog.uuid[], 'k1', true)")),
        ("replay", format!("SELECT count(*)::text FROM public.assign_tables_atomic_v2('{b1}'::pg_catalog.uuid, ARRAY['{t1}', '{t2}']::pg_catalog.uuid[], 'k1', true)")),
        ("conflict", format!("SELECT count(*)::text FROM public.assign_tables_atomic_v2('{b2}'::pg_catalog.uuid, ARRAY['{t2}']::pg_catalog.uuid[])")),
        ("available", format!("SELECT public.is_table_available_v2('{t3}'::pg_catalog.uuid, '2027-02-01 20:00+00', '2027-02-01 22:00+00')::text")),
        ("hold", format!("SELECT (public.create_table_hold('{b2}'::pg_catalog.uuid, ARRAY['{t3}']::pg_catalog.uuid[]) IS NOT NULL)::text")),
        ("confirm hold", format!("SELECT count(*)::text FROM public.confirm_hold_assignment_tx((SELECT h.id FROM public.table_holds h WHERE h.booking_id OPERATOR(pg_catalog.=) '{b2}'::pg_catalog.uuid), '{b2}'::pg_catalog.uuid, 'k2', p_target_status => 'confirmed')")),
        ("transition", format!("SELECT status::text FROM public.apply_booking_state_transition('{b1}'::pg_catalog.uuid, 'cancelled', NULL, NULL, NULL, 'pending', 'cancelled', NULL, NULL, 'x')")),
        ("validate", format!("SELECT public.validate_booking_capacity_after_assignment('{b2}'::pg_catalog.uuid)::text")),
        ("auto assign", format!("SELECT count(*)::text FROM public.auto_assign_tables('{b1}'::pg_catalog.uuid)")),
        ("update", format!("SELECT (public.update_booking_with_capacity_check('{b2}'::pg_catalog.uuid, '{r}'::pg_catalog.uuid, NULL, '2027-02-01', '20:00', '22:00', 2, 'x', 'x', 'x', 'x', NULL) OPERATOR(pg_catalog.->>) 'assignments')")),
        ("unassign", format!("SELECT count(*)::text FROM public.unassign_tables_atomic('{b2}'::pg_catalog.uuid)")),
        // The app's direct writes, which the model's triggers turn into allocations and history.
        ("direct assign", format!("WITH x AS (INSERT INTO public.booking_table_assignments (booking_id, table_id, start_at, end_at) VALUES ('{b3}', '{t3}', '2027-02-01 20:00+00', '2027-02-01 22:00+00') RETURNING 1) SELECT count(*)::text FROM x")),
        ("direct status", format!("WITH x AS (UPDATE public.bookings SET status = 'confirmed' WHERE id OPERATOR(pg_catalog.=) '{b3}'::pg_catalog.uuid RETURNING status) SELECT string_agg(status::text, ',') FROM x")),
        ("direct unassign", format!("WITH x AS (DELETE FROM public.booking_table_assignments WHERE booking_id OPERATOR(pg_catalog.=) '{b3}'::pg_catalog.uuid RETURNING 1) SELECT count(*)::text FROM x")),
        ("direct hold", format!("WITH h AS (INSERT INTO public.table_holds (booking_id, restaurant_id, zone_id, start_at, end_at, expires_at) VALUES ('{b3}', '{r}', '{z}', '2027-02-01 20:00+00', '2027-02-01 22:00+00', '2027-02-01 19:00+00') RETURNING 1) SELECT count(*)::text FROM h")),
        ("direct hold member", format!("WITH m AS (INSERT INTO public.table_hold_members (hold_id, table_id) SELECT h.id, '{t1}' FROM public.table_holds h WHERE h.booking_id OPERATOR(pg_catalog.=) '{b3}'::pg_catalog.uuid RETURNING 1) SELECT count(*)::text FROM m")),
        ("direct hold delete", format!("WITH x AS (DELETE FROM public.table_holds WHERE booking_id OPERATOR(pg_catalog.=) '{b3}'::pg_catalog.uuid RETURNING 1) SELECT count(*)::text FROM x")),
        // The app's booking envelope and a few restaurant-keyed companions (Citus routing).
        ("create booking", format!("SELECT (public.create_booking_with_capacity_check('{r}'::pg_catalog.uuid, NULL, '2027-02-01', '18:00', '19:30', 2, 'x', 'x', 'x', 'x', NULL, p_idempotency_key => 'scenario') OPERATOR(pg_catalog.->>) 'success')")),
        ("quote companion", format!("SELECT pg_catalog.count(*)::text FROM public.quote_tables_in_restaurant('{r}'::pg_catalog.uuid, '{b3}'::pg_catalog.uuid)")),
        ("available companion", format!("SELECT public.is_table_available_v2_in_restaurant('{r}'::pg_catalog.uuid, '{t1}'::pg_catalog.uuid, '2027-02-01 20:00+00', '2027-02-01 22:00+00')::text")),
        ("assign companion", format!("SELECT pg_catalog.count(*)::text FROM public.assign_tables_atomic_v2_in_restaurant('{r}'::pg_catalog.uuid, '{b3}'::pg_catalog.uuid, ARRAY['{t1}']::pg_catalog.uuid[])")),
        ("unassign companion", format!("SELECT pg_catalog.count(*)::text FROM public.unassign_tables_atomic_in_restaurant('{r}'::pg_catalog.uuid, '{b3}'::pg_catalog.uuid)")),
        ("live status", format!("SELECT string_agg(table_number OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) live_status::text, ',' ORDER BY table_number) FROM public.table_live_status('{r}'::pg_catalog.uuid, '2027-02-01 20:30+00')")),
        ("day plan", format!("SELECT count(*)::text FROM public.auto_assign_day('{r}'::pg_catalog.uuid, '2027-02-01')")),
        ("metrics", format!("SELECT (public.day_plan_metrics('{r}'::pg_catalog.uuid, '2027-02-01') OPERATOR(pg_catalog.->>) 'bookings')")),
        ("key", format!("SELECT (public.auto_assign_idempotency_key('{b2}'::pg_catalog.uuid) IS NOT NULL)::text")),
        ("reference", "SELECT (public.generate_booking_reference() IS NOT NULL)::text".to_string()),
        ("reconcile", format!("SELECT string_agg(consistent::text, ',') FROM public.reconcile_booking('{b2}'::pg_catalog.uuid)")),
        ("anomalies", "SELECT count(*)::text FROM public.find_assignment_anomalies()".to_string()),
        ("repair", format!("SELECT count(*)::text FROM public.repair_booking_assignments('{b2}'::pg_catalog.uuid)")),
        ("sweep", "SELECT public.sweep_expired_holds()::text".to_string()),
        ("backfill", "SELECT inserted::text FROM public.backfill_allocations_shadow()".to_string()),
        ("prune", "SELECT public.prune_allocations_history('2000-01-01'::pg_catalog.timestamptz)::text".to_string()),
        ("release", format!("SELECT public.release_table_hold('{unknown}'::pg_catalog.uuid)::text")),
    ]
}

/// Runs the steps as `service_role` after `prelude` (statements run first inside the transaction),
/// handing every server error to `check` before recording its SQLSTATE.
pub fn run(c: &mut Client, ids: &Ids, prelude: &str, check: &mut dyn FnMut(&str, &DbError)) -> Vec<String> {
    let mut tx = c.transaction().unwrap();
    tx.batch_execute("SET LOCAL ROLE service_role").unwrap();
    tx.batch_execute(prelude).unwrap();
    let mut seen = Vec::new();
    for (name, sql) in steps(ids) {
        tx.batch_execute("SAVEPOINT step").unwrap();
        let out = match tx.query_one(&sql, &[]) {
            Ok(row) => row.get::<_, Option<String>>(0).unwrap_or_else(|| "NULL".into()),
            Err(e) => {
                let db = e.as_db_error().unwrap_or_else(|| panic!("{name}: {e}"));
                check(name, db);
                tx.batch_execute("ROLLBACK TO SAVEPOINT step").unwrap();
                format!("error {}", db.code().code())
            }
        };
        seen.push(format!("{name}: {out}"));
    }
    tx.rollback().unwrap();
    seen
}

/// The outcomes a healthy run must show (real successes and the expected refusals), so that a
/// comparison of two runs cannot pass by both failing.
pub fn assert_did_real_work(seen: &[String]) {
    for expected in [
        "assign: 2",
        "conflict: error P0001",
        "confirm hold: 1",
        "transition: cancelled",
        "direct assign: 1",
        "assign companion: 1",
    ] {
        assert!(seen.contains(&expected.to_string()), "missing {expected:?} in {seen:?}");
    }
    assert!(seen.iter().filter(|s| s.contains("error")).count() <= 2, "{seen:?}");
}
