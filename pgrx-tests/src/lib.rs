//! Helpers for tests that talk to a real cluster over several connections.
//!
//! `scripts/test` starts a throwaway cluster, creates the database `pg_seating_test` with the
//! extension, and passes its socket directory and port in `PG_SEATING_TEST_HOST` /
//! `PG_SEATING_TEST_PORT`. Each test creates its own restaurant, so tests never share rows.

use postgres::{Client, NoTls};

pub const DATABASE: &str = "pg_seating_test";

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
    connect_to(DATABASE)
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
