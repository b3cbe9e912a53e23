//! The tenant layer (SPEC §10, "One tenant learns nothing about another"). In the test database
//! (the model with the app's additions: `authenticated` limited to its restaurants by a membership
//! policy like the app's), a staff user of restaurant A points every direct write path, and every
//! function `authenticated` may execute, at restaurant B's ids and at ids that do not exist. The
//! two answers must be identical (SQLSTATE, message, DETAIL, HINT), carry none of B's ids, and
//! write nothing; the same writes naming A's own rows still work.

use pg_seating_sql_tests::{connect, fixture, Fixture};
use postgres::Client;

const EVENING: (&str, &str) = ("2027-03-01 19:00+00", "2027-03-01 21:00+00");

/// A restaurant's rows the probes name: booking, table, zone, a live hold and an assignment.
struct Tenant {
    f: Fixture,
    hold: String,
}

fn tenant(c: &mut Client) -> Tenant {
    let f = fixture(c, 3, &[EVENING, EVENING]);
    // One booking seated on T1 (so a second assignment of it collides), a live hold on T2.
    c.query_one(
        "SELECT count(*) FROM assign_tables_atomic_v2($1::text::uuid, ARRAY[$2::text::uuid])",
        &[&f.bookings[0], &f.tables[0]],
    )
    .unwrap();
    let hold: String = c
        .query_one(
            "SELECT create_table_hold($1::text::uuid, ARRAY[$2::text::uuid], p_ttl_seconds => 3600)::text",
            &[&f.bookings[1], &f.tables[1]],
        )
        .unwrap()
        .get(0);
    Tenant { f, hold }
}

/// Ids that exist nowhere, shaped like the tenant's.
fn missing() -> Tenant {
    let id = |n: u32| format!("00000000-0000-4000-8000-{n:012}");
    Tenant {
        f: Fixture { restaurant: id(1), zone: id(2), tables: vec![id(3), id(4), id(5)], bookings: vec![id(6), id(7)] },
        hold: id(8),
    }
}

/// The probes: (name, statement) with `{own_*}` A's ids and `{b}`, `{t}`, `{z}`, `{h}`, `{r}`
/// the target's (B's, or missing ids).
const PROBES: &[(&str, &str)] = &[
    ("assign the target's booking to its table", "INSERT INTO booking_table_assignments (booking_id, table_id, start_at, end_at) VALUES ('{b}', '{t}', '{s}', '{e}')"),
    ("assign the target's booking to an own table", "INSERT INTO booking_table_assignments (booking_id, table_id, start_at, end_at) VALUES ('{b}', '{own_t}', '{s}', '{e}')"),
    ("assign an own booking to the target's table", "INSERT INTO booking_table_assignments (booking_id, table_id, start_at, end_at) VALUES ('{own_b}', '{t}', '{s}', '{e}')"),
    ("assign with the own restaurant named", "INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at) VALUES ('{own_r}', '{b}', '{t}', '{s}', '{e}')"),
    ("move an own assignment to the target's table", "UPDATE booking_table_assignments SET table_id = '{t}' WHERE booking_id = '{own_b}'"),
    ("hold for the target's booking", "INSERT INTO table_holds (booking_id, zone_id, start_at, end_at, expires_at) VALUES ('{b}', '{own_z}', '{s}', '{e}', now() + interval '1 hour')"),
    ("hold in the target's zone", "INSERT INTO table_holds (restaurant_id, booking_id, zone_id, start_at, end_at, expires_at) VALUES ('{own_r}', '{own_b2}', '{z}', '{s}', '{e}', now() + interval '1 hour')"),
    ("member of the target's hold", "INSERT INTO table_hold_members (hold_id, table_id) VALUES ('{h}', '{own_t3}')"),
    ("member on the target's table", "INSERT INTO table_hold_members (hold_id, table_id) VALUES ('{own_h}', '{t}')"),
    ("history of the target's booking", "INSERT INTO booking_state_history (booking_id, from_status, to_status) VALUES ('{b}', 'pending', 'confirmed')"),
    ("outbox event of the target's booking", "INSERT INTO capacity_outbox (event_type, booking_id, payload) VALUES ('booking.created', '{b}', '{{}}')"),
    ("allocation of the target's table", "INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, \"window\") VALUES ('{own_r}', '{own_b}', 'table', '{t}', tstzrange('{s}', '{e}'))"),
    ("allocation for the target's booking", "INSERT INTO allocations (booking_id, resource_type, resource_id, \"window\") VALUES ('{b}', 'table', '{own_t}', tstzrange('{s}', '{e}'))"),
    ("adjacency to the target's table", "INSERT INTO table_adjacencies (restaurant_id, table_a, table_b) VALUES ('{own_r}', '{own_t}', '{t}')"),
    ("ledger row of the target's booking", "INSERT INTO booking_assignment_idempotency (booking_id, idempotency_key, table_ids, assignment_window) VALUES ('{b}', 'k', ARRAY['{t}']::uuid[], tstzrange('{s}', '{e}'))"),
    ("confirmation of the target's booking", "INSERT INTO booking_confirmation_results (booking_id, hold_id, idempotency_key, table_ids, assignment_window) VALUES ('{b}', '{h}', 'k', ARRAY['{t}']::uuid[], tstzrange('{s}', '{e}'))"),
    ("cancel the target's booking", "UPDATE bookings SET status = 'cancelled' WHERE id = '{b}'"),
    ("delete the target's hold", "DELETE FROM table_holds WHERE id = '{h}'"),
    ("delete the target's assignments", "DELETE FROM booking_table_assignments WHERE booking_id = '{b}'"),
    ("read the target's booking", "SELECT status FROM bookings WHERE id = '{b}'"),
    ("read the target's table", "SELECT capacity FROM table_inventory WHERE id = '{t}'"),
    ("read the target's hold", "SELECT expires_at FROM table_holds WHERE id = '{h}'"),
];

fn fill(template: &str, own: &Tenant, target: &Tenant) -> String {
    template
        .replace("{own_r}", &own.f.restaurant)
        .replace("{own_z}", &own.f.zone)
        .replace("{own_b2}", &own.f.bookings[1])
        .replace("{own_b}", &own.f.bookings[0])
        .replace("{own_t3}", &own.f.tables[2])
        .replace("{own_t}", &own.f.tables[2])
        .replace("{own_h}", &own.hold)
        .replace("{r}", &target.f.restaurant)
        .replace("{z}", &target.f.zone)
        .replace("{b}", &target.f.bookings[0])
        .replace("{t}", &target.f.tables[0])
        .replace("{h}", &target.hold)
        .replace("{s}", EVENING.0)
        .replace("{e}", EVENING.1)
        .replace("{{}}", "{}")
}

/// Runs `sql` as staff of `own` (authenticated, its user id in the JWT claim), rolled back:
/// the outcome as (SQLSTATE, message, DETAIL, HINT), or ("ok", rows affected or returned).
fn as_staff(c: &mut Client, user: &str, sql: &str) -> Vec<String> {
    let mut tx = c.transaction().unwrap();
    tx.batch_execute(&format!(
        "SET LOCAL ROLE authenticated; SELECT set_config('request.jwt.claim.sub', '{user}', true)"
    ))
    .unwrap();
    let out = match tx.execute(sql, &[]) {
        Ok(n) => vec!["ok".into(), n.to_string()],
        Err(e) => {
            let db = e.as_db_error().unwrap_or_else(|| panic!("{sql}: {e}"));
            vec![
                db.code().code().to_string(),
                db.message().to_string(),
                db.detail().unwrap_or("").to_string(),
                db.hint().unwrap_or("").to_string(),
            ]
        }
    };
    tx.rollback().unwrap();
    out
}

#[test]
fn a_tenant_gets_the_same_answer_for_another_restaurants_rows_as_for_missing_ones() {
    let mut c = connect();
    let a = tenant(&mut c);
    let b = tenant(&mut c);
    let nowhere = missing();
    let user: String = c.query_one("SELECT gen_random_uuid()::text", &[]).unwrap().get(0);
    c.execute(
        "INSERT INTO app_restaurant_memberships (user_id, restaurant_id) VALUES ($1::text::uuid, $2::text::uuid)",
        &[&user, &a.f.restaurant],
    )
    .unwrap();
    let counts_before = pg_seating_sql_tests::model_table_counts(&mut c);

    let mut failures = Vec::new();
    let secrets: Vec<&String> =
        [&b.f.restaurant, &b.f.zone, &b.hold].into_iter().chain(&b.f.tables).chain(&b.f.bookings).collect();
    for (name, template) in PROBES {
        let other = as_staff(&mut c, &user, &fill(template, &a, &b));
        let none = as_staff(&mut c, &user, &fill(template, &a, &nowhere));
        if other != none {
            failures.push(format!("{name}: another restaurant's rows {other:?}, missing ids {none:?}"));
        }
        if other[0] == "ok" && other[1] != "0" {
            failures.push(format!("{name}: wrote or read {} rows of another restaurant", other[1]));
        }
        for s in &secrets {
            if other.iter().any(|part| part.contains(s.as_str())) {
                failures.push(format!("{name}: the answer names {s}: {other:?}"));
            }
        }
        // The guard's answer is the one SPEC §10 names.
        if other[0] != "ok" && other[0] != "42501" {
            failures.push(format!("{name}: {other:?} (expected 42501 or no row)"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(pg_seating_sql_tests::model_table_counts(&mut c), counts_before, "nothing was written");

    // The guard's message: the column and parent, never the id.
    let answer = as_staff(&mut c, &user, &fill(PROBES[0].1, &a, &b));
    assert_eq!(
        answer,
        vec![
            "42501".to_string(),
            "new row for relation \"booking_table_assignments\" names a row of bookings that this role cannot see"
                .to_string(),
            String::new(),
            "Check booking_id: a row of another restaurant and an id that does not exist get this same answer."
                .to_string(),
        ]
    );

    // Staff still write their own restaurant's rows: assign A's second booking to its free table.
    let own = as_staff(
        &mut c,
        &user,
        &format!(
            "INSERT INTO booking_table_assignments (booking_id, table_id, start_at, end_at)
             VALUES ('{}', '{}', '{}', '{}')",
            a.f.bookings[1], a.f.tables[2], EVENING.0, EVENING.1
        ),
    );
    assert_eq!(own, vec!["ok".to_string(), "1".to_string()]);

    // No function of pg_seating is executable by authenticated (so none can be pointed at B).
    let executable: Vec<String> = c
        .query(
            "SELECT p.oid::regprocedure::text FROM pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace AND has_function_privilege('authenticated', p.oid, 'EXECUTE')
                AND (p.proname LIKE 'pg\\_seating\\_%' OR EXISTS (
                     SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                        AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')))",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(executable, Vec::<String>::new());
}
