//! Helpers for tests that talk to a real cluster over several connections.
//!
//! `scripts/test` starts a throwaway cluster, creates the database `pg_seating_test` with the
//! extension, and passes its socket directory and port in `PG_SEATING_TEST_HOST` /
//! `PG_SEATING_TEST_PORT`; the database has the data model (`pg_seating_install()`) and the app's
//! additions to it (`pgrx-tests/app/app_additions.sql`). Each test creates its own restaurant, so
//! tests never share rows.

use postgres::{Client, NoTls};

pub mod scenario;
pub mod torture;

/// The test database: `PG_SEATING_TEST_DB`, default `pg_seating_test`.
pub fn database() -> String {
    std::env::var("PG_SEATING_TEST_DB").unwrap_or_else(|_| "pg_seating_test".into())
}

pub fn host() -> String {
    std::env::var("PG_SEATING_TEST_HOST").expect("PG_SEATING_TEST_HOST (run through scripts/test)")
}

pub fn port() -> u16 {
    std::env::var("PG_SEATING_TEST_PORT")
        .expect("PG_SEATING_TEST_PORT (run through scripts/test)")
        .parse()
        .expect("numeric port")
}

pub fn connect_to(db: &str) -> Client {
    Client::configure()
        .host(&host())
        .port(port())
        .user("postgres")
        .dbname(db)
        .application_name("pg_seating_tests")
        .connect(NoTls)
        .unwrap_or_else(|e| panic!("connect to {db}: {e}"))
}

pub fn connect() -> Client {
    connect_to(&database())
}

/// Races `n` real connections: each thread connects, then all wait on one barrier, then thread `i`
/// runs `f(i, client)`. Returns the results in thread order; a panicking thread fails the caller.
pub fn race<T: Send>(n: usize, f: impl Fn(usize, &mut Client) -> T + Sync) -> Vec<T> {
    race_prepared(n, |_, _| {}, f)
}

/// [`race`] with per-thread preparation: thread `i` connects and runs `prepare(i, client)` (session
/// settings, a `BEGIN`, ...) before the barrier, then `f(i, client)`.
pub fn race_prepared<T: Send>(
    n: usize,
    prepare: impl Fn(usize, &mut Client) + Sync,
    f: impl Fn(usize, &mut Client) -> T + Sync,
) -> Vec<T> {
    let barrier = std::sync::Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (barrier, prepare, f) = (&barrier, &prepare, &f);
                s.spawn(move || {
                    let mut c = connect();
                    prepare(i, &mut c);
                    barrier.wait();
                    f(i, &mut c)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The SQLSTATE of a failed statement, or "" when the error did not come from the server.
pub fn sqlstate(err: &postgres::Error) -> String {
    err.code().map(|c| c.code().to_string()).unwrap_or_default()
}

/// A restaurant with one zone and `tables` movable tables (T1..Tn, capacity 4), plus one pending
/// booking per entry of `bookings` (each a window `[start, end)` given as timestamptz text).
pub struct Fixture {
    pub restaurant: String,
    pub zone: String,
    pub tables: Vec<String>,
    pub bookings: Vec<String>,
}

pub fn fixture(c: &mut Client, tables: usize, bookings: &[(&str, &str)]) -> Fixture {
    let row = c
        .query_one(
            "WITH r AS (INSERT INTO restaurants (name, slug)
                        VALUES ('test', 'test-' || replace(gen_random_uuid()::text, '-', ''))
                        RETURNING id)
             INSERT INTO zones (restaurant_id, name) SELECT id, 'Main' FROM r
             RETURNING restaurant_id::text, id::text",
            &[],
        )
        .expect("restaurant + zone");
    let restaurant: String = row.get(0);
    let zone: String = row.get(1);
    let mut ids = Vec::new();
    for n in 1..=tables {
        let r = c
            .query_one(
                "INSERT INTO table_inventory (restaurant_id, table_number, capacity, zone_id)
                 VALUES ($1::text::uuid, $2, 4, $3::text::uuid) RETURNING id::text",
                &[&restaurant, &format!("T{n}"), &zone],
            )
            .expect("table");
        ids.push(r.get(0));
    }
    let mut bks = Vec::new();
    for (start, end) in bookings {
        let r = c
            .query_one(
                "INSERT INTO bookings (restaurant_id, booking_date, start_time, end_time, start_at, end_at,
                                       party_size, status)
                 VALUES ($1::text::uuid, ($2::text::timestamptz)::date, ($2::text::timestamptz)::time,
                         ($3::text::timestamptz)::time, $2::text::timestamptz, $3::text::timestamptz, 2, 'pending')
                 RETURNING id::text",
                &[&restaurant, start, end],
            )
            .expect("booking");
        bks.push(r.get(0));
    }
    Fixture { restaurant, zone, tables: ids, bookings: bks }
}

/// A failed statement's (SQLSTATE, message, detail), or empty strings on success.
pub fn error_parts(err: &postgres::Error) -> (String, String, String) {
    match err.as_db_error() {
        Some(db) => (db.code().code().to_string(), db.message().to_string(), db.detail().unwrap_or("").to_string()),
        None => (String::new(), err.to_string(), String::new()),
    }
}

/// The data invariants of SPEC / reference §8 for one restaurant, as a list of violations
/// (empty when healthy): no two non-shadow allocations of a table overlap; every assignment has a
/// matching non-shadow table allocation with the same window and vice versa; every merged
/// assignment's merge group exists; every ledger row records only tables its booking holds.
pub fn invariant_violations(c: &mut Client, restaurant: &str) -> Vec<String> {
    let checks: [(&str, &str); 5] = [
        ("overlapping allocations",
         "SELECT a.resource_id::text FROM allocations a JOIN allocations b
            ON b.restaurant_id = a.restaurant_id AND b.resource_type = a.resource_type
           AND b.resource_id = a.resource_id AND b.id < a.id AND b.\"window\" && a.\"window\"
         WHERE a.restaurant_id = $1::text::uuid AND NOT a.shadow AND NOT b.shadow"),
        ("assignment without allocation",
         "SELECT x.id::text FROM booking_table_assignments x WHERE x.restaurant_id = $1::text::uuid
             AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.restaurant_id = x.restaurant_id
                              AND a.id = x.allocation_id AND a.booking_id = x.booking_id AND a.resource_type = 'table'
                              AND a.resource_id = x.table_id AND a.\"window\" = x.assignment_window AND NOT a.shadow)"),
        ("allocation without assignment",
         "SELECT a.id::text FROM allocations a WHERE a.restaurant_id = $1::text::uuid AND a.resource_type = 'table'
             AND NOT a.shadow AND NOT a.is_maintenance
             AND NOT EXISTS (SELECT 1 FROM booking_table_assignments x WHERE x.restaurant_id = a.restaurant_id
                              AND x.booking_id = a.booking_id AND x.table_id = a.resource_id)"),
        ("merge group without members",
         "SELECT a.id::text FROM allocations a WHERE a.restaurant_id = $1::text::uuid AND a.resource_type = 'merge_group'
             AND NOT EXISTS (SELECT 1 FROM booking_table_assignments x WHERE x.restaurant_id = a.restaurant_id
                              AND x.merge_group_id = a.id)"),
        ("stale ledger row",
         "SELECT l.booking_id::text FROM booking_assignment_idempotency l WHERE l.restaurant_id = $1::text::uuid
             AND NOT l.table_ids <@ ARRAY(SELECT x.table_id FROM booking_table_assignments x
                                           WHERE x.restaurant_id = l.restaurant_id AND x.booking_id = l.booking_id)"),
    ];
    let mut out = Vec::new();
    for (name, sql) in checks {
        for row in c.query(sql, &[&restaurant]).expect(name) {
            let id: String = row.get(0);
            out.push(format!("{name}: {id}"));
        }
    }
    out
}

/// The directory of the client programs matching the test cluster's major version
/// (`PG_SEATING_TEST_BINDIR`, which scripts/test sets; Debian's PostgreSQL 15 otherwise).
fn pg_bindir() -> String {
    std::env::var("PG_SEATING_TEST_BINDIR").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".to_string())
}

/// Runs a PostgreSQL client program (pg_dump, createdb, ...) against the test cluster; panics
/// with its output when it fails. `psql` is the one on the PATH (any recent psql reads a newer
/// server's dump; the PostgreSQL 17 build the scripts install has no working psql).
pub fn pg_tool(program: &str, args: &[&str]) {
    let path = if program == "psql" { program.to_string() } else { format!("{}/{program}", pg_bindir()) };
    let out = std::process::Command::new(path)
        .args(["-h", &host(), "-p", &port().to_string(), "-U", "postgres"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The data model's tables (SPEC §2), as every version since 0.1.0 has them.
pub const MODEL_TABLES: [&str; 17] = [
    "allocations",
    "booking_assignment_idempotency",
    "booking_confirmation_results",
    "booking_slots",
    "booking_state_history",
    "booking_table_assignments",
    "bookings",
    "capacity_outbox",
    "restaurant_capacity_rules",
    "restaurant_service_periods",
    "restaurants",
    "table_adjacencies",
    "table_hold_members",
    "table_hold_windows",
    "table_holds",
    "table_inventory",
    "zones",
];

/// Every table of the data model with its row count, ordered by name.
pub fn model_table_counts(c: &mut Client) -> Vec<(String, i64)> {
    MODEL_TABLES
        .iter()
        .map(|t| {
            let n: i64 = c.query_one(&format!("SELECT count(*) FROM public.{t}"), &[]).expect("count").get(0);
            (t.to_string(), n)
        })
        .collect()
}

/// Lines of the test cluster's server log that report a crashed backend ("terminated by signal",
/// PANIC). Empty when the log is clean, and when `PG_SEATING_TEST_DATADIR` is not set or its
/// `server.log` cannot be read (`scripts/test` checks the log itself after every suite as well).
pub fn server_log_crashes() -> Vec<String> {
    let Ok(dir) = std::env::var("PG_SEATING_TEST_DATADIR") else { return Vec::new() };
    let Ok(log) = std::fs::read_to_string(std::path::Path::new(&dir).join("server.log")) else { return Vec::new() };
    log.lines().filter(|l| l.contains("terminated by signal") || l.contains("PANIC")).map(str::to_string).collect()
}

/// What Supabase grants in a new database: USAGE on `public` and, by default privileges, everything
/// created there to `anon`, `authenticated` and `service_role` (run in the database, before the extension).
pub const SUPABASE_DEFAULT_PRIVILEGES: &str = "
    GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
    SET client_min_messages = warning;";

/// Supabase's roles in the test cluster: creates those missing and drops them again on `drop_created`
/// (roles are cluster-wide, and 01_install.sql creates them itself inside its transaction).
pub struct SupabaseRoles {
    created: Vec<&'static str>,
}

impl SupabaseRoles {
    pub const NAMES: [&'static str; 3] = ["anon", "authenticated", "service_role"];

    pub fn ensure() -> SupabaseRoles {
        let mut admin = connect_to("postgres");
        let mut created = Vec::new();
        for role in Self::NAMES {
            let exists: bool = admin
                .query_one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &[&role])
                .expect("pg_roles")
                .get(0);
            if !exists {
                admin.batch_execute(&format!("CREATE ROLE {role} NOLOGIN")).expect("create role");
                created.push(role);
            }
        }
        SupabaseRoles { created }
    }

    /// Drops the roles `ensure` created (the databases granting to them must be gone first).
    pub fn drop_created(self) {
        let mut admin = connect_to("postgres");
        for role in self.created {
            admin.batch_execute(&format!("DROP ROLE IF EXISTS {role}")).expect("drop role");
        }
    }
}
