//! The multi-node layer (`make test-citus`, scripts/test-citus): pg_seating distributed on a Citus
//! coordinator and two workers (SPEC §8). The script starts the cluster, installs the extension
//! and the model (upgraded in place from 0.4.0, with a restaurant created under 0.4.0), calls
//! `pg_seating_distribute()`, and runs these tests with `--ignored` (they need the cluster, so a
//! plain `cargo test` skips them). Each test creates its own restaurants.
//!
//! What is checked: every companion call is delegated as one command to the worker that holds its
//! restaurant and commits there without a two-phase commit (`citus.log_remote_commands`); the
//! reference-named RPCs still work from the coordinator, on one worker; errors keep their SQLSTATE,
//! DETAIL and HINT through delegation, and a NULL `p_restaurant_id` is 22004 in every call shape
//! (no crashed backend: the script reads every node's log); eight connections racing for one table
//! get one winner and seven P0001; the anomaly finder and repair work on one restaurant; the model
//! upgraded from 0.4.0 serves the RPCs; undistribute and distribute again keep every row.

use std::error::Error;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, Config, NoTls};

fn coordinator_port() -> u16 {
    std::env::var("PG_SEATING_CITUS_PORT")
        .expect("PG_SEATING_CITUS_PORT (run through make test-citus)")
        .parse()
        .expect("numeric port")
}

fn config() -> Config {
    config_for(coordinator_port())
}

fn config_for(port: u16) -> Config {
    let mut c = Config::new();
    c.host("localhost").port(port).user("postgres").dbname("postgres").application_name("pg_seating_citus_tests");
    c
}

fn connect() -> Client {
    config().connect(NoTls).expect("connect to the coordinator")
}

/// A coordinator connection that logs every command Citus sends to another node, with the
/// notices it receives: (message, detail).
struct Traced {
    client: Client,
    notices: Arc<Mutex<Vec<(String, String)>>>,
}

impl Traced {
    fn new() -> Traced {
        let notices: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let sink = notices.clone();
        let mut client = config()
            .notice_callback(move |n| {
                sink.lock().unwrap().push((n.message().to_string(), n.detail().unwrap_or("").to_string()))
            })
            .connect(NoTls)
            .expect("connect to the coordinator");
        client.batch_execute("SET citus.log_remote_commands = on").unwrap();
        Traced { client, notices }
    }

    /// Runs one statement; returns the commands sent to other nodes: (command, server detail).
    fn run(&mut self, sql: &str) -> Vec<(String, String)> {
        self.notices.lock().unwrap().clear();
        self.client.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {}", describe(&e)));
        self.issued()
    }

    fn issued(&self) -> Vec<(String, String)> {
        self.notices.lock().unwrap().iter().filter(|(m, _)| m.starts_with("issuing ")).cloned().collect()
    }
}

fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} {} ({:?} / {:?})", db.code().code(), db.message(), db.detail(), db.hint()),
        None => e.to_string(),
    }
}

/// (SQLSTATE, message, detail, hint) of a failed statement.
fn parts(e: &postgres::Error) -> (String, String, String, String) {
    let db = e.as_db_error().unwrap_or_else(|| panic!("not a server error: {e}"));
    (
        db.code().code().to_string(),
        db.message().to_string(),
        db.detail().unwrap_or("").to_string(),
        db.hint().unwrap_or("").to_string(),
    )
}

fn one(c: &mut Client, sql: &str) -> String {
    c.query_one(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {}", describe(&e))).get::<_, String>(0)
}

/// A restaurant with one zone, `tables` tables (capacity 4) and `bookings` pending bookings of two
/// on 2027-11-30 19:00–21:00 UTC, and the port of the worker that holds it.
struct Place {
    restaurant: String,
    tables: Vec<String>,
    bookings: Vec<String>,
    worker: String,
}

fn place(c: &mut Client, tables: usize, bookings: usize) -> Place {
    let restaurant = one(
        c,
        "INSERT INTO restaurants (name, slug, timezone) VALUES ('citus', 'citus-' || gen_random_uuid(), 'UTC') RETURNING id::text",
    );
    let zone =
        one(c, &format!("INSERT INTO zones (restaurant_id, name) VALUES ('{restaurant}', 'Main') RETURNING id::text"));
    let tables = (1..=tables)
        .map(|n| {
            one(
                c,
                &format!(
                    "INSERT INTO table_inventory (restaurant_id, table_number, capacity, zone_id)
                     VALUES ('{restaurant}', 'T{n}', 4, '{zone}') RETURNING id::text"
                ),
            )
        })
        .collect::<Vec<_>>();
    let bookings = (0..bookings)
        .map(|_| {
            one(
                c,
                &format!(
                    "INSERT INTO bookings (restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
                     VALUES ('{restaurant}', '2027-11-30', '19:00', '21:00', '2027-11-30 19:00Z', '2027-11-30 21:00Z', 2, 'pending')
                     RETURNING id::text"
                ),
            )
        })
        .collect::<Vec<_>>();
    let worker = worker_of(c, &restaurant);
    Place { restaurant, tables, bookings, worker }
}

/// "localhost:PORT" of the worker that holds a restaurant's shards.
fn worker_of(c: &mut Client, restaurant: &str) -> String {
    let port: i32 = c
        .query_one(
            "SELECT s.nodeport FROM citus_shards s
              WHERE s.table_name = 'bookings'::regclass
                AND s.shardid = get_shard_id_for_distribution_column('bookings', $1::text::uuid)",
            &[&restaurant],
        )
        .unwrap()
        .get(0);
    format!("localhost:{port}")
}

/// Restaurants until both workers hold one.
fn one_on_each_worker(c: &mut Client, tables: usize, bookings: usize) -> (Place, Place) {
    let first = place(c, tables, bookings);
    loop {
        let other = place(c, tables, bookings);
        if other.worker != first.worker {
            return (first, other);
        }
    }
}

fn assert_one_command_on(issued: &[(String, String)], worker: &str, function: &str, call: &str) {
    assert_eq!(issued.len(), 1, "{call}: one command, delegated: {issued:#?}");
    let (command, detail) = &issued[0];
    assert!(command.contains(function), "{call}: the call itself is what is sent: {command}");
    assert!(detail.contains(worker), "{call}: sent to the restaurant's worker {worker}: {detail}");
}

fn assert_no_two_phase_commit(issued: &[(String, String)], call: &str) {
    let two_phase: Vec<_> =
        issued.iter().filter(|(m, _)| m.contains("PREPARE TRANSACTION") || m.contains("COMMIT PREPARED")).collect();
    assert!(two_phase.is_empty(), "{call}: one restaurant commits on one node: {two_phase:#?}");
}

#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn every_companion_call_is_one_command_on_the_restaurants_worker() {
    let mut c = connect();
    let (a, b) = one_on_each_worker(&mut c, 6, 7);
    for p in [&a, &b] {
        let (r, t, bk) = (&p.restaurant, &p.tables, &p.bookings);
        let hold = |c: &mut Client, booking: &str, table: &str| {
            one(c, &format!("SELECT create_table_hold_in_restaurant('{r}', '{booking}', ARRAY['{table}'::uuid])::text"))
        };
        let mut traced = Traced::new();
        let mut check = |sql: String, function: &str| {
            let issued = traced.run(&sql);
            assert_one_command_on(&issued, &p.worker, function, &sql);
            assert_no_two_phase_commit(&issued, &sql);
        };
        check(format!("SELECT * FROM quote_tables_in_restaurant('{r}', '{}')", bk[0]), "quote_tables_in_restaurant");
        check(
            format!("SELECT * FROM assign_tables_atomic_v2_in_restaurant('{r}', '{}', ARRAY['{}'::uuid])", bk[0], t[0]),
            "assign_tables_atomic_v2_in_restaurant",
        );
        check(
            format!(
                "SELECT * FROM assign_tables_atomic_in_restaurant('{r}', '{}', ARRAY['{}'::uuid], NULL, NULL, 'v1-key')",
                bk[1], t[1]
            ),
            "assign_tables_atomic_in_restaurant",
        );
        check(
            format!("SELECT validate_booking_capacity_after_assignment_in_restaurant('{r}', '{}')", bk[0]),
            "validate_booking_capacity_after_assignment_in_restaurant",
        );
        check(
            format!("SELECT * FROM unassign_tables_atomic_in_restaurant('{r}', '{}')", bk[1]),
            "unassign_tables_atomic_in_restaurant",
        );
        check(
            format!("SELECT create_table_hold_in_restaurant('{r}', '{}', ARRAY['{}'::uuid])", bk[2], t[2]),
            "create_table_hold_in_restaurant",
        );
        let h2 = one(
            &mut c,
            &format!("SELECT id::text FROM table_holds WHERE restaurant_id = '{r}' AND booking_id = '{}'", bk[2]),
        );
        check(
            format!("SELECT * FROM confirm_hold_assignment_tx_in_restaurant('{r}', '{h2}', '{}', 'k2')", bk[2]),
            "confirm_hold_assignment_tx_in_restaurant",
        );
        let h3 = hold(&mut c, &bk[3], &t[3]);
        check(
            format!("SELECT release_hold_and_emit_in_restaurant('{r}', '{h3}')"),
            "release_hold_and_emit_in_restaurant",
        );
        let h3 = hold(&mut c, &bk[3], &t[3]);
        check(format!("SELECT release_table_hold_in_restaurant('{r}', '{h3}')"), "release_table_hold_in_restaurant");
        check(
            format!(
                "SELECT * FROM confirm_hold_assignment_with_transition_in_restaurant('{r}', '{}', ARRAY['{}'::uuid], 'k3')",
                bk[3], t[3]
            ),
            "confirm_hold_assignment_with_transition_in_restaurant",
        );
        check(
            format!(
                "SELECT * FROM apply_booking_state_transition_in_restaurant('{r}', '{}', 'checked_in', now(), NULL, NULL,
                                                                          'confirmed', 'checked_in', NULL, NULL, 'seated')",
                bk[3]
            ),
            "apply_booking_state_transition_in_restaurant",
        );
        check(
            format!(
                "SELECT * FROM sync_confirmed_assignment_windows_in_restaurant('{r}', '{}', NULL, '2027-11-30 19:30Z', '2027-11-30 21:30Z')",
                bk[2]
            ),
            "sync_confirmed_assignment_windows_in_restaurant",
        );
        check(
            format!("SELECT * FROM auto_assign_tables_in_restaurant('{r}', '{}')", bk[4]),
            "auto_assign_tables_in_restaurant",
        );
        check(
            format!("SELECT * FROM auto_assign_day_in_restaurant('{r}', '2027-11-30')"),
            "auto_assign_day_in_restaurant",
        );
        check(
            format!(
                "SELECT is_table_available_v2_in_restaurant('{r}', '{}', '2027-12-01 19:00Z', '2027-12-01 21:00Z')",
                t[0]
            ),
            "is_table_available_v2_in_restaurant",
        );
        check(
            format!(
                "SELECT update_booking_with_capacity_check_in_restaurant('{r}', '{}', NULL, '2027-11-30', '20:00', '22:00', 2,
                                                                        'dinner', 'A', 'a@example.com', '1', NULL)",
                bk[5]
            ),
            "update_booking_with_capacity_check_in_restaurant",
        );
        check(
            format!(
                "SELECT create_booking_with_capacity_check_in_restaurant('{r}', NULL, '2027-12-01', '18:00', '19:00', 2,
                                                                        'dinner', 'B', 'b@example.com', '2', NULL, NULL, false, 'new-key')"
            ),
            "create_booking_with_capacity_check_in_restaurant",
        );
        // What the calls did is there, read back through the coordinator.
        let seated: i64 = c
            .query_one("SELECT count(*) FROM booking_table_assignments WHERE restaurant_id = $1::text::uuid", &[r])
            .unwrap()
            .get(0);
        assert!(seated >= 4, "{seated} assignments");
        let history: i64 = c
            .query_one(
                "SELECT count(*) FROM booking_state_history WHERE restaurant_id = $1::text::uuid AND to_status = 'checked_in'",
                &[r],
            )
            .unwrap()
            .get(0);
        assert_eq!(history, 1);
    }
}

#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn reference_named_rpcs_work_from_the_coordinator_on_one_worker() {
    let mut c = connect();
    let p = place(&mut c, 2, 2);
    let (t, bk) = (&p.tables, &p.bookings);
    let mut traced = Traced::new();
    let calls = [
        (format!("SELECT * FROM quote_tables('{}')", bk[0]), "quote_tables_in_restaurant"),
        (
            format!("SELECT * FROM assign_tables_atomic_v2('{}', ARRAY['{}'::uuid])", bk[0], t[0]),
            "assign_tables_atomic_v2_in_restaurant",
        ),
        (
            format!(
                "SELECT * FROM confirm_hold_assignment_with_transition('{}', ARRAY['{}'::uuid], 'ref-key')",
                bk[1], t[1]
            ),
            "confirm_hold_assignment_with_transition_in_restaurant",
        ),
        (
            format!(
                "SELECT * FROM apply_booking_state_transition('{}', 'checked_in', now(), NULL, NULL, 'confirmed', 'checked_in',
                                                              NULL, NULL, 'seated')",
                bk[1]
            ),
            "apply_booking_state_transition_in_restaurant",
        ),
        (format!("SELECT * FROM unassign_tables_atomic('{}')", bk[0]), "unassign_tables_atomic_in_restaurant"),
    ];
    for (sql, companion) in &calls {
        let issued = traced.run(sql);
        assert_no_two_phase_commit(&issued, sql);
        // The booking's restaurant is read from every shard of bookings; then the call runs whole on
        // the restaurant's worker as its companion (db::forward).
        let rest: Vec<_> =
            issued.iter().filter(|(m, _)| !m.contains("SELECT restaurant_id FROM public.bookings_")).cloned().collect();
        assert!(rest.len() < issued.len(), "{sql}: the lookup: {issued:#?}");
        assert_forwarded(&rest, &p.worker, companion);
    }
    let status = one(
        &mut c,
        &format!("SELECT status::text FROM bookings WHERE restaurant_id = '{}' AND id = '{}'", p.restaurant, bk[1]),
    );
    assert_eq!(status, "checked_in");
    // Without forwarding, each statement is routed on its own, all of them to the one worker.
    traced.client.batch_execute("SET pg_seating.forward_companions = off").unwrap();
    let sql = format!("SELECT * FROM assign_tables_atomic_v2('{}', ARRAY['{}'::uuid])", bk[0], t[0]);
    let issued = traced.run(&sql);
    assert_no_two_phase_commit(&issued, &sql);
    let elsewhere: Vec<_> = issued
        .iter()
        .filter(|(m, d)| !d.contains(&p.worker) && !m.contains("SELECT restaurant_id, status FROM"))
        .collect();
    assert!(elsewhere.is_empty(), "{sql}: commands for other nodes: {elsewhere:#?}");
    assert!(issued.iter().all(|(m, _)| !m.contains("_in_restaurant")), "not forwarded: {issued:#?}");
    traced.client.batch_execute("RESET pg_seating.forward_companions").unwrap();
}

/// A NULL of any type, as a bind parameter.
#[derive(Debug)]
struct Null;

impl ToSql for Null {
    fn to_sql(
        &self,
        _: &Type,
        _: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        Ok(IsNull::Yes)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    postgres::types::to_sql_checked!();
}

#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn errors_keep_sqlstate_detail_and_hint_through_delegation() {
    let mut c = connect();
    let (a, b) = one_on_each_worker(&mut c, 2, 2);
    let (r, t, bk) = (&a.restaurant, &a.tables, &a.bookings);
    c.batch_execute(&format!(
        "SELECT * FROM assign_tables_atomic_v2_in_restaurant('{r}', '{}', ARRAY['{}'::uuid])",
        bk[0], t[0]
    ))
    .unwrap();

    // A conflict raised on the worker, as the client sees it.
    let e = c
        .batch_execute(&format!(
            "SELECT * FROM assign_tables_atomic_v2_in_restaurant('{r}', '{}', ARRAY['{}'::uuid])",
            bk[1], t[0]
        ))
        .unwrap_err();
    let (code, message, detail, hint) = parts(&e);
    assert_eq!((code.as_str(), message.as_str()), ("P0001", "allocations_no_overlap"));
    assert_eq!(detail, format!("Resource {} overlaps requested window for booking {}", t[0], bk[1]));
    assert_eq!(hint, format!("The table is held by booking {} for an overlapping window.", bk[0]));

    // A booking of another restaurant is not found there.
    let e = c
        .batch_execute(&format!(
            "SELECT * FROM assign_tables_atomic_v2_in_restaurant('{}', '{}', ARRAY['{}'::uuid])",
            b.restaurant, bk[1], t[1]
        ))
        .unwrap_err();
    assert_eq!(parts(&e).0, "P0002", "{}", describe(&e));

    // A NULL p_restaurant_id: 22004 in every call shape (literal, typed, bind parameter, plpgsql
    // variable), never a crashed node (scripts/test-citus reads every node's log afterwards).
    let b1 = &bk[1];
    let shapes = [
        format!("SELECT * FROM unassign_tables_atomic_in_restaurant(NULL, '{b1}')"),
        format!("SELECT unassign_tables_atomic_in_restaurant(NULL::uuid, '{b1}')"),
        format!("SELECT * FROM quote_tables_in_restaurant(NULL, '{b1}')"),
        format!("SELECT release_table_hold_in_restaurant(NULL, '{b1}')"),
        format!("SELECT is_table_available_v2_in_restaurant(NULL, '{}', now(), now() + interval '1 hour')", t[0]),
        format!("DO $$ DECLARE r uuid; BEGIN PERFORM * FROM unassign_tables_atomic_in_restaurant(r, '{b1}'); END $$"),
    ];
    for sql in &shapes {
        let e = c.batch_execute(sql).unwrap_err();
        let (code, message, _, hint) = parts(&e);
        assert_eq!(code, "22004", "{sql}: {}", describe(&e));
        assert!(message.ends_with("_in_restaurant: argument p_restaurant_id must not be null"), "{sql}: {message}");
        assert_eq!(hint, "Pass a non-null value.");
    }
    for sql in [
        "SELECT * FROM assign_tables_atomic_v2_in_restaurant($1, $2::text::uuid, ARRAY[$3::text::uuid])",
        "SELECT assign_tables_atomic_v2_in_restaurant($1, $2::text::uuid, ARRAY[$3::text::uuid])",
    ] {
        let e = c.query(sql, &[&Null, &bk[1], &t[1]]).unwrap_err();
        assert_eq!(parts(&e).0, "22004", "{sql}: {}", describe(&e));
    }
    let statement = c.prepare("SELECT * FROM unassign_tables_atomic_in_restaurant($1, $2::text::uuid)").unwrap();
    for _ in 0..7 {
        // (past the fifth execution the plan cache may try a generic plan)
        let e = c.query(&statement, &[&Null, &bk[1]]).unwrap_err();
        assert_eq!(parts(&e).0, "22004", "{}", describe(&e));
    }
    // The connection and the cluster are fine.
    assert_eq!(one(&mut c, "SELECT 'alive'"), "alive");
}

#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn eight_connections_race_for_one_table_through_the_companion() {
    const RACERS: usize = 8;
    let mut c = connect();
    let p = place(&mut c, 1, RACERS);
    let barrier = Arc::new(Barrier::new(RACERS));
    let handles: Vec<_> = p
        .bookings
        .iter()
        .cloned()
        .map(|booking| {
            let barrier = barrier.clone();
            let (r, table) = (p.restaurant.clone(), p.tables[0].clone());
            thread::spawn(move || {
                let mut c = connect();
                barrier.wait();
                let res = c.query(
                    "SELECT table_id FROM assign_tables_atomic_v2_in_restaurant($1::text::uuid, $2::text::uuid, ARRAY[$3::text::uuid])",
                    &[&r, &booking, &table],
                );
                (booking, res.map(|_| ()).map_err(|e| parts(&e)))
            })
        })
        .collect();
    let outcomes: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(outcomes.iter().filter(|(_, r)| r.is_ok()).count(), 1, "{outcomes:#?}");
    for (booking, r) in &outcomes {
        if let Err((code, message, detail, hint)) = r {
            assert_eq!((code.as_str(), message.as_str()), ("P0001", "allocations_no_overlap"), "{outcomes:#?}");
            assert_eq!(detail, &format!("Resource {} overlaps requested window for booking {booking}", p.tables[0]));
            assert!(hint.starts_with("The table is held by booking "), "{hint}");
        }
    }
    let rows: i64 = c
        .query_one(
            "SELECT count(*) FROM allocations WHERE restaurant_id = $1::text::uuid AND resource_type = 'table' AND NOT shadow",
            &[&p.restaurant],
        )
        .unwrap()
        .get(0);
    assert_eq!(rows, 1, "one allocation row");
}

#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn anomaly_finder_and_repair_work_on_one_restaurant() {
    let mut c = connect();
    let p = place(&mut c, 2, 2);
    let (r, t, bk) = (&p.restaurant, &p.tables, &p.bookings);
    // A live allocation written directly, without its assignment (legacy data).
    c.batch_execute(&format!(
        "INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, \"window\")
         VALUES ('{r}', '{}', 'table', '{}', tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z'))",
        bk[0], t[0]
    ))
    .unwrap();
    let kinds = |c: &mut Client| -> Vec<String> {
        c.query(
            "SELECT kind FROM find_assignment_anomalies($1::text::uuid, '2027-11-30', '2027-12-01') ORDER BY 1",
            &[r],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
    };
    assert_eq!(kinds(&mut c), vec!["allocation_without_assignment".to_string()]);
    let whole: i64 = c
        .query_one("SELECT count(*) FROM find_assignment_anomalies() WHERE restaurant_id = $1::text::uuid", &[r])
        .unwrap()
        .get(0);
    assert_eq!(whole, 1, "the whole-database form finds it too");
    let actions: Vec<String> = c
        .query("SELECT action FROM repair_booking_assignments($1::text::uuid, false)", &[&bk[0]])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(!actions.is_empty(), "repair acts");
    assert_eq!(kinds(&mut c), Vec::<String>::new(), "nothing left after {actions:?}");
    // The table is usable again.
    c.batch_execute(&format!(
        "SELECT * FROM assign_tables_atomic_v2_in_restaurant('{r}', '{}', ARRAY['{}'::uuid])",
        bk[1], t[0]
    ))
    .unwrap();
}

#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn the_model_upgraded_from_0_4_0_serves_the_rpcs() {
    let mut c = connect();
    // scripts/test-citus created this restaurant under 0.4.0, then updated to the current version,
    // ran pg_seating_install() and pg_seating_distribute().
    let r = one(&mut c, "SELECT id::text FROM restaurants WHERE slug = 'upgraded-from-0-4-0'");
    let versions: Vec<String> = c
        .query(
            "SELECT extversion FROM pg_extension WHERE extname = 'pg_seating'
             UNION ALL SELECT result FROM run_command_on_workers($$SELECT extversion FROM pg_extension WHERE extname = 'pg_seating'$$)",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let current = one(&mut c, "SELECT pg_seating_version()");
    assert_eq!(versions, vec![current.clone(), current.clone(), current], "every node runs the current code");
    let (step, latest): (i32, i32) = {
        let row = c
            .query_one("SELECT (SELECT max(version) FROM pg_seating_model_versions), (SELECT max(step) FROM pg_seating_model_steps())", &[])
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(step, latest, "every model step applied on Citus");
    let history: Vec<String> = c
        .query(
            "SELECT pg_typeof(id)::text || ' ' || to_status::text FROM booking_state_history
              WHERE restaurant_id = $1::text::uuid ORDER BY id",
            &[&r],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(history, vec!["uuid confirmed".to_string()], "the 0.4.0 history row, with a uuid id now");
    let booking = one(&mut c, &format!("SELECT id::text FROM bookings WHERE restaurant_id = '{r}'"));
    let released: i64 = c
        .query_one(
            "SELECT count(*) FROM unassign_tables_atomic_in_restaurant($1::text::uuid, $2::text::uuid)",
            &[&r, &booking],
        )
        .unwrap()
        .get(0);
    assert_eq!(released, 1, "the table assigned under 0.4.0 is released through the companion");
    let history: i64 = c
        .query_one("SELECT count(*) FROM booking_state_history WHERE restaurant_id = $1::text::uuid", &[&r])
        .unwrap()
        .get(0);
    assert_eq!(history, 2, "the release wrote its history row (confirmed -> pending_allocation)");
}

fn model_counts(c: &mut Client) -> Vec<(String, i64)> {
    let tables: Vec<String> = c
        .query("SELECT relname::text FROM pg_seating_model_relations() WHERE relkind = 'r' ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let n: i64 = c.query_one(&format!("SELECT count(*) FROM {t}"), &[]).unwrap().get(0);
            (t, n)
        })
        .collect()
}

#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn undistribute_and_distribute_again_keep_every_row() {
    let mut c = connect();
    let p = place(&mut c, 2, 2);
    // A live hold: its members' trigger writes hold windows on the workers while the members are
    // copied into new shards (the windows table must be distributed first).
    one(
        &mut c,
        &format!(
            "SELECT create_table_hold_in_restaurant('{}', '{}', ARRAY['{}'::uuid], NULL, NULL, 3600)::text",
            p.restaurant, p.bookings[0], p.tables[0]
        ),
    );
    let before = model_counts(&mut c);
    let again: i64 = c.query_one("SELECT count(*) FROM pg_seating_distribute()", &[]).unwrap().get(0);
    assert_eq!(again, 0, "distribute is idempotent");

    let undone: Vec<String> = c
        .query("SELECT action || ' ' || object FROM pg_seating_undistribute()", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(undone.iter().any(|a| a.starts_with("local table")), "{undone:#?}");
    assert!(undone.iter().any(|a| a.starts_with("local function")), "{undone:#?}");
    let left: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_dist_partition p JOIN pg_class k ON k.oid = p.logicalrelid
              WHERE k.relname IN (SELECT relname FROM pg_seating_model_relations())",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "no model table is a Citus table any more");
    assert_eq!(model_counts(&mut c), before, "undistribute keeps every row");
    let diffs: Vec<String> = c
        .query("SELECT kind || ' ' || object || ': ' || problem FROM pg_seating_verify()", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(diffs.is_empty(), "the local model is the expected one: {diffs:#?}");
    // The RPCs work on the local tables, and a companion call is no longer sent anywhere.
    let mut traced = Traced::new();
    let issued = traced.run(&format!(
        "SELECT * FROM assign_tables_atomic_v2_in_restaurant('{}', '{}', ARRAY['{}'::uuid])",
        p.restaurant, p.bookings[0], p.tables[0]
    ));
    assert!(issued.is_empty(), "runs on the coordinator: {issued:#?}");
    traced.run(&format!("SELECT * FROM unassign_tables_atomic('{}')", p.bookings[0]));

    let before = model_counts(&mut c);
    let redone: i64 = c.query_one("SELECT count(*) FROM pg_seating_distribute()", &[]).unwrap().get(0);
    assert!(redone > 0);
    assert_eq!(model_counts(&mut c), before, "distribute again keeps every row");
    let mut traced = Traced::new();
    let issued = traced.run(&format!(
        "SELECT * FROM assign_tables_atomic_v2_in_restaurant('{}', '{}', ARRAY['{}'::uuid])",
        p.restaurant, p.bookings[1], p.tables[1]
    ));
    let worker = worker_of(&mut c, &p.restaurant);
    assert_one_command_on(&issued, &worker, "assign_tables_atomic_v2_in_restaurant", "after distributing again");
}

#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn the_sql_functions_and_operator_tools_work_from_the_coordinator() {
    let mut c = connect();
    let p = place(&mut c, 3, 3);
    let (r, t, bk) = (&p.restaurant, &p.tables, &p.bookings);
    c.batch_execute(&format!(
        "SELECT * FROM assign_tables_atomic_v2_in_restaurant('{r}', '{}', ARRAY['{}'::uuid])",
        bk[0], t[0]
    ))
    .unwrap();
    let checks = [
        (format!("SELECT auto_assign_idempotency_key('{}')", bk[1]), format!("auto-assign:{}:", bk[1])),
        (
            format!("SELECT string_agg(live_status, ',' ORDER BY table_number) FROM table_live_status('{r}', '2027-11-30 20:00Z')"),
            "reserved,available,available".to_string(),
        ),
        (format!("SELECT day_plan_metrics('{r}', '2027-11-30') ->> 'seated'"), "1".to_string()),
        (format!("SELECT problem IS NULL AND status = 'pending' FROM reconcile_booking('{}')", bk[0]), "true".to_string()),
        (
            format!("SELECT count(*) FILTER (WHERE NOT consistent) FROM booking_assignment_reconciliation WHERE restaurant_id = '{r}'"),
            "0".to_string(),
        ),
        (format!("SELECT is_table_available_v2('{}', '2027-11-30 19:00Z', '2027-11-30 21:00Z')", t[0]), "false".to_string()),
        (format!("SELECT is_table_available_v2('{}', '2027-11-30 19:00Z', '2027-11-30 21:00Z')", t[1]), "true".to_string()),
        (format!("SELECT inserted + already_present FROM backfill_allocations_shadow('{r}', '2027-11-30', '2027-12-01')"), "1".to_string()),
        ("SELECT (inserted >= 0)::text FROM backfill_allocations_shadow()".to_string(), "true".to_string()),
        ("SELECT (deleted_count >= 0)::text FROM prune_allocations_history('2000-01-01', 10)".to_string(), "true".to_string()),
        ("SELECT (sweep_expired_holds() >= 0)::text".to_string(), "true".to_string()),
        ("SELECT length(generate_booking_reference())::text".to_string(), "10".to_string()),
    ];
    for (sql, expected) in &checks {
        let got: String = c
            .query_one(&format!("SELECT ({sql})::text"), &[])
            .unwrap_or_else(|e| panic!("{sql}: {}", describe(&e)))
            .get::<_, Option<String>>(0)
            .unwrap_or_default();
        assert!(got.starts_with(expected.as_str()), "{sql}: {got}, expected {expected}");
    }
}

#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn a_delegated_call_runs_its_statements_on_the_local_shards_directly() {
    let mut c = connect();
    let p = place(&mut c, 2, 2);
    let port: u16 = p.worker.trim_start_matches("localhost:").parse().unwrap();
    // A session like the one Citus opens to delegate a call (its application_name marks it).
    let notices: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = notices.clone();
    let mut worker = config_for(port)
        .application_name("citus_internal pg_seating test")
        .notice_callback(move |n| sink.lock().unwrap().push(n.message().to_string()))
        .connect(NoTls)
        .expect("connect to the worker");
    worker.batch_execute("SET citus.log_local_commands = on").unwrap();
    let sql = format!(
        "SELECT * FROM assign_tables_atomic_v2_in_restaurant('{}', '{}', ARRAY['{}'::uuid])",
        p.restaurant, p.bookings[0], p.tables[0]
    );
    worker.batch_execute(&sql).unwrap();
    let through_citus: Vec<String> =
        notices.lock().unwrap().iter().filter(|m| m.starts_with("executing the command locally")).cloned().collect();
    assert!(through_citus.is_empty(), "every statement ran on the shards without Citus's executor: {through_citus:#?}");
    // The same call from an ordinary session on the worker goes through Citus (and works too).
    let mut plain = config_for(port).connect(NoTls).unwrap();
    let rows = plain
        .query(
            "SELECT table_id FROM unassign_tables_atomic_in_restaurant($1::text::uuid, $2::text::uuid)",
            &[&p.restaurant, &p.bookings[0]],
        )
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        one(&mut c, &format!("SELECT count(*)::text FROM allocations WHERE restaurant_id = '{}'", p.restaurant)),
        "0"
    );
}

/// PostgREST's statement for `POST /rpc/<function>` with a JSON body (PostgREST 12): the call
/// inside a CTE, its arguments taken from `json_to_record($1)`; `scalar` for a function that
/// returns one value, otherwise the rows of a set-returning one.
fn postgrest_call(function: &str, args: &[(&str, &str)], scalar: bool) -> String {
    let columns: Vec<String> = args.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let record: Vec<String> = args.iter().map(|(n, t)| format!("\"{n}\" {t}")).collect();
    let named: Vec<String> = args.iter().map(|(n, _)| format!("\"{n}\" := pgrst_body.\"{n}\"")).collect();
    let call = format!("\"public\".\"{function}\"({})", named.join(", "));
    let lateral = if scalar {
        format!("LATERAL (SELECT {call} pgrst_scalar) pgrst_call")
    } else {
        format!("LATERAL {call} pgrst_call")
    };
    format!(
        "WITH pgrst_source AS (
             SELECT pgrst_call.* FROM (SELECT $1::text::json AS json_data) pgrst_payload,
             LATERAL (SELECT {} FROM json_to_record(pgrst_payload.json_data) AS _({}) LIMIT 1) pgrst_body,
             {lateral})
         SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total,
                coalesce(json_agg(_postgrest_t), '[]')::text AS body,
                nullif(current_setting('response.headers', true), '') AS response_headers,
                nullif(current_setting('response.status', true), '') AS response_status, '' AS response_inserted
           FROM (SELECT \"pgrst_source\".* FROM \"pgrst_source\") _postgrest_t",
        columns.join(", "),
        record.join(", ")
    )
}

/// PostgREST's transaction around a call: its settings, then the statement; the commands Citus
/// issued to other nodes for the statement and for COMMIT, and the body (or the error).
fn postgrest_request(
    traced: &mut Traced,
    sql: &str,
    body: &str,
) -> (Vec<(String, String)>, Result<String, postgres::Error>) {
    traced
        .client
        .batch_execute(
            "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
             SELECT set_config('search_path', 'public', true), set_config('role', 'postgres', true),
                    set_config('request.jwt.claims', '{\"role\":\"service_role\"}', true),
                    set_config('request.method', 'POST', true)",
        )
        .unwrap();
    traced.notices.lock().unwrap().clear();
    let result = traced.client.query_one(sql, &[&body]).map(|r| r.get::<_, String>("body"));
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    traced.client.batch_execute(end).unwrap();
    (traced.issued(), result)
}

/// The commands of a forwarded call: the transaction's BEGIN and COMMIT on the worker, and the
/// call itself, once; never a statement on a shard (`<table>_<shard id>`) or a two-phase commit.
fn assert_forwarded(issued: &[(String, String)], worker: &str, function: &str) {
    let calls: Vec<_> = issued.iter().filter(|(m, _)| m.contains(function)).collect();
    assert_eq!(calls.len(), 1, "{function}: the call is sent once: {issued:#?}");
    assert!(calls[0].1.contains(worker), "{function}: to the restaurant's worker {worker}: {issued:#?}");
    let shard_statement = |m: &str| {
        ["bookings_", "allocations_", "table_inventory_", "booking_table_assignments_", "table_holds_"]
            .iter()
            .any(|t| m.split(t).skip(1).any(|rest| rest.starts_with(|c: char| c.is_ascii_digit())))
    };
    let other: Vec<_> = issued
        .iter()
        .filter(|(m, _)| !m.contains(function))
        .filter(|(m, _)| {
            shard_statement(m)
                || !(m.contains("BEGIN") || m.contains("COMMIT") || m.contains("assign_distributed_transaction_id"))
        })
        .collect();
    assert!(other.is_empty(), "{function}: nothing but the call and its transaction: {other:#?}");
    assert_no_two_phase_commit(issued, function);
}

#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn postgrest_call_shape_is_forwarded_whole_to_the_restaurants_worker() {
    let mut c = connect();
    let (a, b) = one_on_each_worker(&mut c, 3, 3);
    for p in [&a, &b] {
        let (r, t, bk) = (&p.restaurant, &p.tables, &p.bookings);
        let mut traced = Traced::new();
        let v2 = postgrest_call(
            "assign_tables_atomic_v2_in_restaurant",
            &[("p_restaurant_id", "uuid"), ("p_booking_id", "uuid"), ("p_table_ids", "uuid[]")],
            false,
        );
        let body = format!(r#"{{"p_restaurant_id": "{r}", "p_booking_id": "{}", "p_table_ids": ["{}"]}}"#, bk[0], t[0]);
        let (issued, answer) = postgrest_request(&mut traced, &v2, &body);
        let answer = answer.unwrap_or_else(|e| panic!("{}", describe(&e)));
        assert!(answer.contains(&t[0]) && answer.contains("start_at"), "the rows come back: {answer}");
        assert_forwarded(&issued, &p.worker, "assign_tables_atomic_v2_in_restaurant");
        assert_eq!(
            one(
                &mut c,
                &format!("SELECT count(*)::text FROM booking_table_assignments WHERE booking_id = '{}'", bk[0])
            ),
            "1",
            "committed"
        );

        // A scalar result (uuid), and a refusal with its SQLSTATE, message and DETAIL.
        let hold = postgrest_call(
            "create_table_hold_in_restaurant",
            &[("p_restaurant_id", "uuid"), ("p_booking_id", "uuid"), ("p_table_ids", "uuid[]")],
            true,
        );
        let body = format!(r#"{{"p_restaurant_id": "{r}", "p_booking_id": "{}", "p_table_ids": ["{}"]}}"#, bk[1], t[1]);
        let (issued, answer) = postgrest_request(&mut traced, &hold, &body);
        let answer = answer.unwrap_or_else(|e| panic!("{}", describe(&e)));
        assert_forwarded(&issued, &p.worker, "create_table_hold_in_restaurant");
        let hold_id = one(&mut c, &format!("SELECT id::text FROM table_holds WHERE booking_id = '{}'", bk[1]));
        assert!(answer.contains(&hold_id), "the hold's id comes back: {answer}");
        let body = format!(r#"{{"p_restaurant_id": "{r}", "p_booking_id": "{}", "p_table_ids": ["{}"]}}"#, bk[2], t[0]);
        let (_, refused) = postgrest_request(&mut traced, &v2, &body);
        let (code, message, detail, _) = parts(&refused.expect_err("the table is taken"));
        assert_eq!((code.as_str(), message.as_str()), ("P0001", "allocations_no_overlap"));
        assert!(detail.contains(&t[0]) && detail.contains(&bk[2]), "{detail}");

        // A NULL restaurant is 22004 before anything is sent.
        let body = format!(r#"{{"p_restaurant_id": null, "p_booking_id": "{}", "p_table_ids": ["{}"]}}"#, bk[2], t[2]);
        let (issued, refused) = postgrest_request(&mut traced, &v2, &body);
        let (code, message, _, _) = parts(&refused.expect_err("NULL restaurant"));
        assert_eq!(code, "22004", "{message}");
        assert!(issued.iter().all(|(m, _)| !m.contains("_in_restaurant")), "{issued:#?}");

        // Without forwarding, the same request runs here with each statement routed on its own.
        traced.client.batch_execute("SET pg_seating.forward_companions = off").unwrap();
        let body = format!(r#"{{"p_restaurant_id": "{r}", "p_booking_id": "{}", "p_table_ids": ["{}"]}}"#, bk[2], t[2]);
        let (issued, answer) = postgrest_request(&mut traced, &v2, &body);
        answer.unwrap_or_else(|e| panic!("{}", describe(&e)));
        assert!(
            issued.iter().all(|(m, _)| !m.contains("assign_tables_atomic_v2_in_restaurant")) && issued.len() > 3,
            "not forwarded: statement by statement: {issued:#?}"
        );
    }
}

/// Citus looks for a delegable call after PostgreSQL's planner has pulled subqueries up, and
/// crashed the coordinator's backend deparsing a companion whose arguments came from a pulled-up
/// subquery or CTE (Citus 13.2.2). pg_seating's planner hook keeps those apart (`LIMIT ALL`), so
/// each of these shapes answers like the direct call and runs as one forwarded call on the
/// restaurant's worker (the script reads every node's log for crashed backends afterwards).
#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn companion_arguments_from_subqueries_and_ctes_are_forwarded_not_crashed() {
    let mut c = connect();
    let p = place(&mut c, 2, 1);
    let (r, b) = (&p.restaurant, &p.bookings[0]);
    let direct = one(&mut c, &format!("SELECT count(*)::text FROM quote_tables_in_restaurant('{r}', '{b}')"));
    assert_ne!(direct, "0", "the booking has plans");
    let shapes = [
        format!("SELECT count(*)::text FROM (SELECT '{r}'::uuid AS r) x, LATERAL quote_tables_in_restaurant(x.r, '{b}') q"),
        format!("WITH x AS (SELECT '{r}'::uuid AS r) SELECT count(*)::text FROM x, LATERAL quote_tables_in_restaurant(x.r, '{b}') q"),
        format!(
            "SELECT count(*)::text FROM (SELECT q.* FROM (SELECT '{r}'::uuid AS r) x, LATERAL quote_tables_in_restaurant(x.r, '{b}') q) y"
        ),
        format!(
            "SELECT (SELECT count(*) FROM quote_tables_in_restaurant(x.r, '{b}'))::text FROM (SELECT '{r}'::uuid AS r) x"
        ),
    ];
    let mut traced = Traced::new();
    for in_transaction in [false, true] {
        for sql in &shapes {
            if in_transaction {
                traced.client.batch_execute("BEGIN").unwrap();
            }
            traced.notices.lock().unwrap().clear();
            let answer = traced
                .client
                .query_one(sql.as_str(), &[])
                .unwrap_or_else(|e| panic!("{sql}: {}", describe(&e)))
                .get::<_, String>(0);
            let issued = traced.issued();
            if in_transaction {
                traced.client.batch_execute("COMMIT").unwrap();
            }
            assert_eq!(answer, direct, "{sql}");
            assert_forwarded(&issued, &p.worker, "quote_tables_in_restaurant");
        }
    }
    let sql =
        format!("SELECT release_table_hold_in_restaurant(x.r, gen_random_uuid()) FROM (SELECT '{r}'::uuid AS r) x");
    let released: bool = traced.client.query_one(sql.as_str(), &[]).unwrap().get(0);
    assert!(!released, "no such hold");
}

/// Supabase's API roles cannot log in, and Citus connects to a worker as the current role: a
/// delegated companion call by such a role failed with 08006 before the companion ran. pg_seating's
/// planner hook keeps such a call from Citus's delegation, and the companion forwards itself as its
/// owner: one call on the restaurant's worker. (The role's own reads and writes of distributed
/// tables still need a role that can log in on the workers: docs/citus.md.)
#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn a_role_that_cannot_log_in_calls_the_companions() {
    let mut c = connect();
    c.batch_execute(
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'seating_api_nologin') THEN
                 CREATE ROLE seating_api_nologin NOLOGIN BYPASSRLS;
             END IF;
         END $$;
         SELECT count(*) FROM pg_seating_grant('seating_api_nologin');",
    )
    .unwrap();
    let p = place(&mut c, 2, 2);
    let (r, t, bk) = (&p.restaurant, &p.tables, &p.bookings);
    let mut traced = Traced::new();
    // pg_seating_distribute() names the role that cannot log in, with what to do.
    traced.notices.lock().unwrap().clear();
    traced.client.batch_execute("SELECT * FROM pg_seating_distribute()").unwrap();
    let warned = traced.notices.lock().unwrap().clone();
    assert!(
        warned.iter().any(|(m, _)| m == "pg_seating_distribute: role seating_api_nologin cannot log in"),
        "{warned:#?}"
    );
    traced.client.batch_execute("SET ROLE seating_api_nologin").unwrap();
    let calls = [
        (
            format!("SELECT * FROM assign_tables_atomic_v2_in_restaurant('{r}', '{}', ARRAY['{}'::uuid])", bk[0], t[0]),
            "assign_tables_atomic_v2_in_restaurant",
        ),
        (format!("SELECT count(*) FROM quote_tables_in_restaurant('{r}', '{}')", bk[1]), "quote_tables_in_restaurant"),
        (
            format!("SELECT release_table_hold_in_restaurant('{r}', gen_random_uuid())"),
            "release_table_hold_in_restaurant",
        ),
        (
            format!("SELECT * FROM unassign_tables_atomic_in_restaurant('{r}', '{}')", bk[0]),
            "unassign_tables_atomic_in_restaurant",
        ),
    ];
    for (sql, function) in &calls {
        let issued = traced.run(sql);
        assert_forwarded(&issued, &p.worker, function);
    }
    // A NULL restaurant is still 22004, and the role's own read of a distributed table is what
    // Citus refuses (the connection as the role): what docs/citus.md tells the app to change.
    let e = traced
        .client
        .batch_execute(&format!("SELECT * FROM quote_tables_in_restaurant(NULL, '{}')", bk[1]))
        .unwrap_err();
    assert_eq!(parts(&e).0, "22004");
    let e = traced.client.batch_execute("SELECT count(*) FROM bookings").unwrap_err();
    let (code, message, _, _) = parts(&e);
    assert!(message.contains("is not permitted to log in"), "{code} {message}");
    traced.client.batch_execute("RESET ROLE").unwrap();
    // A role that can log in still has its call delegated as one command.
    let issued = traced.run(&format!("SELECT * FROM quote_tables_in_restaurant('{r}', '{}')", bk[1]));
    assert_one_command_on(&issued, &p.worker, "quote_tables_in_restaurant", "as postgres");
}

/// The app's migrations alter several model tables in one transaction. On Citus a migration that
/// alters a distributed table and then the reference table `restaurants` fails (Citus ran the first
/// DDL over parallel connections); `SET LOCAL citus.multi_shard_modify_mode = 'sequential'` as the
/// migration's first statement makes it run (docs/citus.md, *Moving the app to Citus*), and the
/// added columns are app columns `pg_seating_verify()` accepts.
#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn the_apps_migration_runs_with_sequential_shard_modification() {
    let mut c = connect();
    let migration = "ALTER TABLE bookings ADD COLUMN app_migration_note text;
                     ALTER TABLE restaurants ADD COLUMN app_migration_flag boolean NOT NULL DEFAULT false;";
    let e = c.batch_execute(&format!("BEGIN; {migration} COMMIT")).unwrap_err();
    c.batch_execute("ROLLBACK").unwrap();
    let (_, message, _, _) = parts(&e);
    assert!(message.contains("parallel"), "as measured without the setting: {message}");
    c.batch_execute(&format!("BEGIN; SET LOCAL citus.multi_shard_modify_mode = 'sequential'; {migration} COMMIT"))
        .unwrap_or_else(|e| panic!("{}", describe(&e)));
    let problems: Vec<String> = c
        .query("SELECT kind || ' ' || object || ': ' || problem FROM pg_seating_verify()", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    c.batch_execute("ALTER TABLE bookings DROP COLUMN app_migration_note").unwrap();
    c.batch_execute("ALTER TABLE restaurants DROP COLUMN app_migration_flag").unwrap();
}

/// PostgREST inserts rows as `INSERT … SELECT … FROM json_populate_recordset($1)`, which Citus
/// sends to the shard by COPY: a hold member that overlaps another booking's hold is refused
/// there, but its SQLSTATE (23P01 on one node) does not survive the COPY. The hold RPC's
/// refusal keeps its SQLSTATE, message and DETAIL through delegation: on Citus the app places holds
/// through `create_table_hold_in_restaurant` (docs/citus.md).
#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn a_postgrest_shaped_hold_insert_loses_its_sqlstate_and_the_hold_rpc_keeps_it() {
    let mut c = connect();
    let p = place(&mut c, 1, 2);
    let (r, t, bk) = (&p.restaurant, &p.tables, &p.bookings);
    one(
        &mut c,
        &format!(
            "SELECT create_table_hold_in_restaurant('{r}', '{}', ARRAY['{}'::uuid], NULL, NULL, 600)::text",
            bk[0], t[0]
        ),
    );
    let zone = one(
        &mut c,
        &format!("SELECT zone_id::text FROM table_inventory WHERE restaurant_id = '{r}' AND id = '{}'", t[0]),
    );
    let header = format!(
        r#"[{{"booking_id": "{}", "restaurant_id": "{r}", "zone_id": "{zone}", "start_at": "2027-11-30T19:00:00Z", "end_at": "2027-11-30T21:00:00Z", "expires_at": "2027-11-30T18:00:00Z"}}]"#,
        bk[1]
    );
    let hold: String = c
        .query_one(
            "INSERT INTO table_holds (booking_id, restaurant_id, zone_id, start_at, end_at, expires_at)
             SELECT pgrst_body.booking_id, pgrst_body.restaurant_id, pgrst_body.zone_id, pgrst_body.start_at,
                    pgrst_body.end_at, pgrst_body.expires_at
               FROM (SELECT $1::text::json AS json_data) pgrst_payload,
                    LATERAL (SELECT * FROM json_populate_recordset(NULL::table_holds, pgrst_payload.json_data)) pgrst_body
             RETURNING id::text",
            &[&header],
        )
        .unwrap_or_else(|e| panic!("{}", describe(&e)))
        .get(0);
    let members = format!(r#"[{{"hold_id": "{hold}", "table_id": "{}", "restaurant_id": "{r}"}}]"#, t[0]);
    let e = c
        .execute(
            "INSERT INTO table_hold_members (hold_id, table_id, restaurant_id)
             SELECT pgrst_body.hold_id, pgrst_body.table_id, pgrst_body.restaurant_id
               FROM (SELECT $1::text::json AS json_data) pgrst_payload,
                    LATERAL (SELECT * FROM json_populate_recordset(NULL::table_hold_members, pgrst_payload.json_data)) pgrst_body",
            &[&members],
        )
        .expect_err("the table is held by another booking");
    let (code, message, _, _) = parts(&e);
    assert_ne!(code, "23P01", "Citus keeps the SQLSTATE of a COPY now? update docs/citus.md: {message}");
    c.batch_execute(&format!("DELETE FROM table_holds WHERE id = '{hold}'")).unwrap();
    let e = c
        .batch_execute(&format!(
            "SELECT create_table_hold_in_restaurant('{r}', '{}', ARRAY['{}'::uuid], NULL, NULL, 600)",
            bk[1], t[0]
        ))
        .expect_err("the same hold through the RPC");
    let (code, message, detail, _) = parts(&e);
    assert_eq!(code, "P0001", "{message} / {detail}");
    assert!(message.contains("Hold conflict"), "{message}");
}

/// The app's staff policies in the form Citus accepts. Citus refuses a policy with a subquery on a
/// distributed table and evaluates policies on the workers, where PostgREST's `set_config` settings
/// never arrive; only `SET LOCAL` does, with `citus.propagate_set_commands = 'local'`. So the app's
/// PostgREST pre-request function reads the user's memberships on the coordinator and ships them
/// as a `SET LOCAL`, and each policy compares `restaurant_id` with that list: staff see and write
/// their own restaurants' rows, nothing of another's, and nothing at all without the pre-request.
#[test]
#[ignore = "needs the Citus cluster of make test-citus"]
fn staff_policies_in_citus_form_scope_every_read_and_write_to_the_users_restaurants() {
    let mut c = connect();
    let (mine, theirs) = one_on_each_worker(&mut c, 1, 2);
    let user = "3f1d7a52-0000-4000-8000-00000000a11c";
    // One statement at a time: Citus propagates some DDL with the query string it came in.
    let setup = [
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'seating_staff') THEN
                 CREATE ROLE seating_staff LOGIN;
             END IF;
         END $$"
            .to_string(),
        "GRANT USAGE ON SCHEMA public TO seating_staff".to_string(),
        "GRANT SELECT, INSERT, UPDATE ON bookings TO seating_staff".to_string(),
        "CREATE TABLE IF NOT EXISTS seating_memberships (user_id uuid NOT NULL, restaurant_id uuid NOT NULL)".to_string(),
        "SELECT create_reference_table('seating_memberships')
          WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'seating_memberships'::regclass)"
            .to_string(),
        format!("INSERT INTO seating_memberships VALUES ('{user}', '{}')", mine.restaurant),
        // The app's PostgREST pre-request function (db-pre-request): the user's restaurants, read
        // here on the coordinator, shipped to the workers for the rest of the transaction.
        "CREATE OR REPLACE FUNCTION seating_pre_request() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
         SET search_path = pg_catalog, public AS $f$
         BEGIN
             SET LOCAL citus.propagate_set_commands = 'local';
             EXECUTE format('SET LOCAL app.restaurant_ids = %L',
                            coalesce((SELECT array_agg(m.restaurant_id) FROM public.seating_memberships m
                                       WHERE m.user_id = (current_setting('request.jwt.claims', true)::json ->> 'sub')::uuid),
                                     '{}')::text);
         END $f$"
            .to_string(),
        "GRANT EXECUTE ON FUNCTION seating_pre_request() TO seating_staff".to_string(),
        "DROP POLICY IF EXISTS seating_staff_rows ON bookings".to_string(),
        "CREATE POLICY seating_staff_rows ON bookings FOR ALL TO seating_staff
             USING (restaurant_id = ANY (coalesce(nullif(current_setting('app.restaurant_ids', true), '')::uuid[], '{}')))
             WITH CHECK (restaurant_id = ANY (coalesce(nullif(current_setting('app.restaurant_ids', true), '')::uuid[], '{}')))"
            .to_string(),
    ];
    for statement in &setup {
        c.batch_execute(statement).unwrap_or_else(|e| panic!("{statement}: {}", describe(&e)));
    }
    // A subquery in a policy is what Citus refuses on a distributed table.
    let e = c
        .batch_execute(
            "CREATE POLICY seating_staff_subquery ON bookings FOR SELECT TO seating_staff
                 USING (restaurant_id IN (SELECT m.restaurant_id FROM seating_memberships m))",
        )
        .expect_err("a subquery in a policy");
    let refusal = parts(&e).1;
    assert!(refusal.contains("ubquer") || refusal.contains("SubLink"), "{}", describe(&e));

    let mut staff = config().user("seating_staff").connect(NoTls).expect("seating_staff logs in");
    let request = |staff: &mut Client, pre_request: bool, sql: &str| -> Result<i64, postgres::Error> {
        staff.batch_execute(&format!(
            "BEGIN; SELECT set_config('request.jwt.claims', '{{\"sub\": \"{user}\", \"role\": \"authenticated\"}}', true);"
        ))?;
        if pre_request {
            staff.batch_execute("SELECT seating_pre_request()")?;
        }
        let answer = staff.query_one(sql, &[]).map(|r| r.get::<_, i64>(0));
        staff.batch_execute(if answer.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
        answer
    };
    let count = |staff: &mut Client, pre_request: bool, restaurant: &str| {
        request(staff, pre_request, &format!("SELECT count(*) FROM bookings WHERE restaurant_id = '{restaurant}'"))
            .unwrap_or_else(|e| panic!("{}", describe(&e)))
    };
    assert_eq!(count(&mut staff, true, &mine.restaurant), 2, "the user's restaurant, on its worker");
    assert_eq!(count(&mut staff, true, &theirs.restaurant), 0, "another restaurant's rows are not visible");
    assert_eq!(count(&mut staff, false, &mine.restaurant), 0, "without the pre-request nothing is visible");
    let all = request(&mut staff, true, "SELECT count(*) FROM bookings").unwrap_or_else(|e| panic!("{}", describe(&e)));
    assert!(all >= 2, "a multi-shard read sees the user's rows: {all}");
    let others = format!("SELECT count(*) FROM bookings WHERE restaurant_id <> '{}'", mine.restaurant);
    assert_eq!(request(&mut staff, true, &others).unwrap(), 0, "nothing of any other restaurant");
    // Writes: an update of its own booking goes through, another restaurant's row is not found,
    // and a booking moved to another restaurant is refused by WITH CHECK.
    let updated = request(
        &mut staff,
        true,
        &format!("WITH u AS (UPDATE bookings SET party_size = 3 WHERE restaurant_id = '{}' AND id = '{}' RETURNING 1) SELECT count(*) FROM u", mine.restaurant, mine.bookings[0]),
    )
    .unwrap_or_else(|e| panic!("{}", describe(&e)));
    assert_eq!(updated, 1);
    let updated = request(
        &mut staff,
        true,
        &format!("WITH u AS (UPDATE bookings SET party_size = 3 WHERE restaurant_id = '{}' AND id = '{}' RETURNING 1) SELECT count(*) FROM u", theirs.restaurant, theirs.bookings[0]),
    )
    .unwrap_or_else(|e| panic!("{}", describe(&e)));
    assert_eq!(updated, 0, "another restaurant's booking is not found");
    let e = request(
        &mut staff,
        true,
        &format!(
            "WITH i AS (INSERT INTO bookings (restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
                        VALUES ('{}', '2027-11-30', '19:00', '21:00', '2027-11-30 19:00Z', '2027-11-30 21:00Z', 2, 'pending') RETURNING 1)
             SELECT count(*) FROM i",
            theirs.restaurant
        ),
    )
    .expect_err("a booking for another restaurant");
    assert_eq!(parts(&e).0, "42501", "{}", describe(&e));
    drop(staff);
    c.batch_execute("DROP POLICY seating_staff_rows ON bookings").unwrap();
}
