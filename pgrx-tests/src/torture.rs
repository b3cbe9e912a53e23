//! The torture run (`make torture`, and a short form in `make test`): several connections hammer
//! one small, hot restaurant with every writing RPC at once, optionally while a fault injector
//! cancels and terminates calls in flight and the workers run with tiny lock and statement
//! timeouts; afterwards the data invariants are checked with the anomaly finder and with
//! independent SQL.
//!
//! Every error a call gets is counted by SQLSTATE. Codes the contract names for these calls
//! (conflicts, refused transitions, timeouts, cancellations, ...) are expected under this load;
//! any other code, in particular XX000, is reported as unexpected. Deadlocks are counted twice:
//! 40P01 seen by a client, and the server's own `pg_stat_database.deadlocks` counter (the RPCs
//! report a deadlock inside them as a conflict, so the counter is the authority).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};

use crate::invariant_violations;

pub const APPLICATION: &str = "pg_seating_torture";

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub connections: usize,
    pub duration: Duration,
    pub faults: bool,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { connections: 8, duration: Duration::from_secs(60), faults: true, seed: 1 }
    }
}

/// SQLSTATEs the contract names for the torture's calls under contention and faults.
pub const EXPECTED_CODES: &[(&str, &str)] = &[
    ("P0001", "conflict (allocations_no_overlap, hold conflict), no table plan, capacity exceeded"),
    ("P0002", "booking or hold not found (a hold swept or consumed meanwhile)"),
    ("P0003", "idempotency mismatch"),
    ("P0004", "booking_state_conflict (status changed since it was read)"),
    ("22023", "transition not allowed by the lifecycle"),
    ("23514", "table-set rule (zone lock, adjacency, unassigning a seated party's last table)"),
    ("55P03", "lock_timeout (fault injection)"),
    ("57014", "statement_timeout or pg_cancel_backend (fault injection)"),
    ("57P01", "pg_terminate_backend (fault injection)"),
    ("08000", "connection lost (fault injection; no SQLSTATE reached the client)"),
    ("25P02", "a ROLLBACK cancelled by the fault injector left the session in its failed transaction (the driver then ends it)"),
];

/// The app's direct writes (APP-CONTRACT.md §2) that the contract lets fail with the raw
/// constraint codes the app branches on.
pub const DIRECT_OPS: &[&str] = &["direct_hold", "direct_assign", "prune"];

/// Codes the direct writes may also end with: 23P01 (a table taken or held), 23505 (the booking
/// already holds the table), 23503 (the hold or booking was released, swept or finished between
/// the app's two statements).
pub const DIRECT_CODES: &[&str] = &["23P01", "23505", "23503"];

/// Whether `code` is an outcome the contract names for operation `op`.
pub fn expected(op: &str, code: &str) -> bool {
    EXPECTED_CODES.iter().any(|(e, _)| *e == code) || (DIRECT_OPS.contains(&op) && DIRECT_CODES.contains(&code))
}

/// The outcome of a run.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// (operation, outcome) → count; outcome is "ok" or a SQLSTATE.
    pub outcomes: BTreeMap<(String, String), u64>,
    pub cancels_sent: u64,
    pub terminations_sent: u64,
    pub reconnects: u64,
    pub client_deadlocks: u64,
    pub server_deadlocks: i64,
    pub violations: Vec<String>,
    /// Messages of the first errors with codes outside [`EXPECTED_CODES`].
    pub unexpected: Vec<String>,
    pub elapsed: Duration,
}

impl Report {
    pub fn attempts(&self) -> u64 {
        self.outcomes.values().sum()
    }
    pub fn successes(&self) -> u64 {
        self.outcomes.iter().filter(|((_, o), _)| o == "ok").map(|(_, n)| n).sum()
    }
    pub fn count(&self, op: &str, outcome: &str) -> u64 {
        self.outcomes.get(&(op.to_string(), outcome.to_string())).copied().unwrap_or(0)
    }
    /// Errors by SQLSTATE over all operations.
    pub fn errors_by_code(&self) -> BTreeMap<String, u64> {
        let mut m = BTreeMap::new();
        for ((_, o), n) in &self.outcomes {
            if o != "ok" {
                *m.entry(o.clone()).or_insert(0) += n;
            }
        }
        m
    }
    pub fn internal_errors(&self) -> u64 {
        self.errors_by_code().get("XX000").copied().unwrap_or(0)
    }
    pub fn unexpected_errors(&self) -> u64 {
        self.outcomes.iter().filter(|((op, c), _)| c != "ok" && !expected(op, c)).map(|(_, n)| n).sum()
    }
    pub fn deadlocks(&self) -> u64 {
        self.client_deadlocks + self.server_deadlocks.max(0) as u64
    }
    /// True when the run kept every promise: no violations, deadlocks, XX000 or other unexpected codes.
    pub fn clean(&self) -> bool {
        self.violations.is_empty() && self.deadlocks() == 0 && self.unexpected_errors() == 0
    }

    pub fn render(&self, o: &Options) -> String {
        let mut s = String::new();
        let ops: Vec<String> = {
            let mut v: Vec<String> = self.outcomes.keys().map(|(op, _)| op.clone()).collect();
            v.dedup();
            v
        };
        let codes: Vec<String> = self.errors_by_code().keys().cloned().collect();
        let _ = writeln!(
            s,
            "torture: {} connections, {:.1} s, faults {}, seed {}",
            o.connections,
            self.elapsed.as_secs_f64(),
            if o.faults { "on" } else { "off" },
            o.seed
        );
        let _ = write!(s, "{:<16} {:>8} {:>8}", "operation", "attempts", "ok");
        for c in &codes {
            let _ = write!(s, " {c:>6}");
        }
        s.push('\n');
        for op in &ops {
            let attempts: u64 = self.outcomes.iter().filter(|((p, _), _)| p == op).map(|(_, n)| n).sum();
            let _ = write!(s, "{op:<16} {attempts:>8} {:>8}", self.count(op, "ok"));
            for c in &codes {
                let _ = write!(s, " {:>6}", self.count(op, c));
            }
            s.push('\n');
        }
        let _ = writeln!(s, "attempts {}  successes {}", self.attempts(), self.successes());
        let by_code: Vec<String> = self.errors_by_code().iter().map(|(c, n)| format!("{c}={n}")).collect();
        let _ =
            writeln!(s, "errors by SQLSTATE: {}", if by_code.is_empty() { "none".into() } else { by_code.join(" ") });
        let _ = writeln!(
            s,
            "faults: {} cancels, {} terminations sent; {} reconnects",
            self.cancels_sent, self.terminations_sent, self.reconnects
        );
        let _ = writeln!(
            s,
            "deadlocks: {} (client 40P01 {}, server counter {})",
            self.deadlocks(),
            self.client_deadlocks,
            self.server_deadlocks
        );
        let _ = writeln!(s, "XX000: {}", self.internal_errors());
        let _ = writeln!(s, "unexpected errors: {}", self.unexpected_errors());
        for u in &self.unexpected {
            let _ = writeln!(s, "  {u}");
        }
        let _ = writeln!(s, "invariant violations: {}", self.violations.len());
        for v in &self.violations {
            let _ = writeln!(s, "  {v}");
        }
        s
    }
}

/// A small deterministic generator (xorshift64*), one per thread.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The hot restaurant: six tables (2, 2, 4, 4, 6, 6 seats) in one zone, in a chain of
/// adjacencies, a dinner service with a capacity rule, and a pool of live bookings on one evening.
pub struct Hot {
    pub restaurant: String,
    pub tables: Vec<String>,
}

/// Live (non-terminal) bookings the workers keep in the pool.
const POOL: i64 = 24;
const DAY: &str = "2031-06-14";

pub fn connect_as(app: &str) -> Result<Client, postgres::Error> {
    Client::configure()
        .host(&crate::host())
        .port(crate::port())
        .user("postgres")
        .dbname(&crate::database())
        .application_name(app)
        .connect(NoTls)
}

pub fn setup(c: &mut Client) -> Hot {
    let row = c
        .query_one(
            "WITH r AS (INSERT INTO restaurants (name, slug, timezone)
                        VALUES ('torture', 'torture-' || replace(gen_random_uuid()::text, '-', ''), 'Europe/London')
                        RETURNING id)
             INSERT INTO zones (restaurant_id, name) SELECT id, 'Hot' FROM r
             RETURNING restaurant_id::text, id::text",
            &[],
        )
        .expect("restaurant");
    let restaurant: String = row.get(0);
    let zone: String = row.get(1);
    let mut tables = Vec::new();
    for (n, cap) in [2, 2, 4, 4, 6, 6].into_iter().enumerate() {
        let r = c
            .query_one(
                "INSERT INTO table_inventory (restaurant_id, table_number, capacity, zone_id)
                 VALUES ($1::text::uuid, $2, $3, $4::text::uuid) RETURNING id::text",
                &[&restaurant, &format!("H{}", n + 1), &cap, &zone],
            )
            .expect("table");
        tables.push(r.get::<_, String>(0));
    }
    for pair in tables.windows(2) {
        c.execute(
            "INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
             VALUES ($1::text::uuid, $2::text::uuid, $3::text::uuid)",
            &[&restaurant, &pair[0], &pair[1]],
        )
        .expect("adjacency");
    }
    c.batch_execute(&format!(
        "INSERT INTO restaurant_service_periods (restaurant_id, name, start_time, end_time)
         VALUES ('{restaurant}', 'Dinner', '17:00', '23:30');
         INSERT INTO restaurant_capacity_rules (restaurant_id, max_covers, max_parties)
         VALUES ('{restaurant}', 100, 22);"
    ))
    .expect("capacity rule");
    let hot = Hot { restaurant, tables };
    replenish(c, &hot).expect("bookings");
    hot
}

/// Tops the pool of live bookings up to [`POOL`]: pending bookings on the evening, starting on
/// the half hour between 18:00 and 20:30, for 90 or 120 minutes, parties of 1 to 8.
fn replenish(c: &mut Client, hot: &Hot) -> Result<(), postgres::Error> {
    c.execute(
        "INSERT INTO bookings (restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
         SELECT $1::text::uuid, s::date, s::time, (s + d)::time,
                s AT TIME ZONE 'Europe/London', (s + d) AT TIME ZONE 'Europe/London', 1 + (random() * 7)::int, 'pending'
           FROM generate_series(1, greatest(0, $2 - (SELECT count(*) FROM bookings
                                                      WHERE restaurant_id = $1::text::uuid
                                                        AND status NOT IN ('cancelled', 'no_show', 'completed')))) g,
                LATERAL (SELECT ($3::text::date + time '18:00' + (floor(random() * 6) * interval '30 minutes')) AS s,
                                (CASE WHEN random() < 0.5 THEN interval '90 minutes' ELSE interval '120 minutes' END) AS d
                          WHERE g > 0) w",
        &[&hot.restaurant, &POOL, &DAY],
    )
    .map(|_| ())
}

const LIVE_BOOKING: &str = "SELECT id::text, status::text FROM bookings
    WHERE restaurant_id = $1::text::uuid AND status NOT IN ('cancelled', 'no_show', 'completed')
    ORDER BY random() LIMIT 1";
const ANY_HOLD: &str =
    "SELECT id::text FROM table_holds WHERE restaurant_id = $1::text::uuid ORDER BY random() LIMIT 1";

/// The operations and their weights.
const OPS: &[(&str, u64)] = &[
    ("assign_v2", 15),
    ("assign_window", 5),
    ("assign_v1", 5),
    ("unassign", 10),
    ("hold", 8),
    ("release_hold", 4),
    ("sweep_holds", 2),
    ("confirm", 10),
    ("confirm_hold", 8),
    ("transition", 12),
    ("auto_assign", 10),
    // Making room on (pg_seating.make_room_moves): other bookings of that time may be moved.
    ("make_room", 6),
    ("quote_room", 2),
    ("keep_tables", 2),
    ("auto_assign_day", 1),
    ("quote", 3),
    ("validate", 2),
    ("update_time", 4),
    ("tx_assign_confirm", 4),
    // The app's direct writes and the RPCs around them (APP-CONTRACT.md §2, §3).
    ("direct_hold", 5),
    ("direct_assign", 5),
    ("prune", 4),
    ("sync_windows", 4),
    ("release_emit", 3),
];

fn pick_op(rng: &mut Rng) -> &'static str {
    let total: u64 = OPS.iter().map(|(_, w)| w).sum();
    let mut x = rng.below(total);
    for (op, w) in OPS {
        if x < *w {
            return op;
        }
        x -= w;
    }
    OPS[0].0
}

/// One to three distinct tables, as text.
fn some_tables(rng: &mut Rng, hot: &Hot) -> Vec<String> {
    let n = 1 + rng.below(3) as usize;
    let start = rng.below(hot.tables.len() as u64) as usize;
    if rng.chance(70) {
        // A run of neighbours (adjacent in the chain).
        (0..n).map(|i| hot.tables[(start + i) % hot.tables.len()].clone()).collect()
    } else {
        let mut v: Vec<String> = (0..n).map(|_| rng.pick(&hot.tables).clone()).collect();
        v.sort();
        v.dedup();
        v
    }
}

fn key(rng: &mut Rng) -> Option<String> {
    rng.chance(30).then(|| format!("torture-{}", rng.below(4)))
}

const TARGETS: &[(&str, u64)] = &[
    ("pending", 10),
    ("pending_allocation", 6),
    ("confirmed", 20),
    ("checked_in", 18),
    ("completed", 6),
    ("cancelled", 4),
    ("no_show", 2),
];

const TRANSITION: &str = "SELECT status::text FROM apply_booking_state_transition(
        $1::text::uuid, $2::text,
        CASE WHEN $2 IN ('checked_in', 'completed') THEN coalesce((SELECT checked_in_at FROM bookings WHERE id = $1::text::uuid), now()) END,
        CASE WHEN $2 = 'completed' THEN now() END,
        now(), $3::text, $2::text, NULL, now(), 'torture', '{}')";

/// Runs one operation; errors are the caller's to count.
fn run_op(c: &mut Client, rng: &mut Rng, hot: &Hot, op: &str) -> Result<(), postgres::Error> {
    let booking = c.query_opt(LIVE_BOOKING, &[&hot.restaurant])?;
    let Some(booking) = booking else { return replenish(c, hot) };
    let (b, status): (String, String) = (booking.get(0), booking.get(1));
    let tables = some_tables(rng, hot);
    match op {
        "assign_v2" => {
            c.query(
                "SELECT table_id FROM assign_tables_atomic_v2($1::text::uuid, $2::text[]::uuid[], $3, $4)",
                &[&b, &tables, &key(rng), &rng.chance(50)],
            )?;
        }
        "assign_window" => {
            // The restaurant-keyed companion with a custom window: the booking's window moved by
            // -30, 0 or +30 minutes (allocations of neighbouring windows interleave).
            let shift = (rng.below(3) as i32 - 1) * 30;
            c.query(
                "SELECT a.table_id FROM bookings b,
                        assign_tables_atomic_v2_in_restaurant(b.restaurant_id, b.id, $2::text[]::uuid[], $3, $4, NULL,
                            b.start_at + make_interval(mins => $5), b.end_at + make_interval(mins => $5)) a
                  WHERE b.id = $1::text::uuid",
                &[&b, &tables, &key(rng), &rng.chance(50), &shift],
            )?;
        }
        "assign_v1" => {
            c.query(
                "SELECT table_id FROM assign_tables_atomic($1::text::uuid, $2::text[]::uuid[],
                        (SELECT tstzrange(start_at, end_at) FROM bookings WHERE id = $1::text::uuid))",
                &[&b, &tables],
            )?;
        }
        "unassign" => {
            if rng.chance(25) {
                c.query(
                    "SELECT table_id FROM unassign_tables_atomic_in_restaurant($1::text::uuid, $2::text::uuid)",
                    &[&hot.restaurant, &b],
                )?;
            } else if rng.chance(35) {
                c.query("SELECT table_id FROM unassign_tables_atomic($1::text::uuid)", &[&b])?;
            } else {
                c.query(
                    "SELECT table_id FROM unassign_tables_atomic($1::text::uuid, $2::text[]::uuid[])",
                    &[&b, &tables],
                )?;
            }
        }
        "hold" => {
            let ttl = 1 + rng.below(8) as i32;
            c.query(
                "SELECT create_table_hold($1::text::uuid, $2::text[]::uuid[], p_ttl_seconds => $3)",
                &[&b, &tables, &ttl],
            )?;
        }
        "release_hold" => {
            if let Some(h) = c.query_opt(ANY_HOLD, &[&hot.restaurant])? {
                let h: String = h.get(0);
                c.query("SELECT release_table_hold($1::text::uuid)", &[&h])?;
            }
        }
        "sweep_holds" => {
            c.query("SELECT sweep_expired_holds()", &[])?;
        }
        "confirm" => {
            c.query(
                "SELECT table_id FROM confirm_hold_assignment_with_transition($1::text::uuid, $2::text[]::uuid[], $3)",
                &[&b, &tables, &key(rng)],
            )?;
        }
        "confirm_hold" => {
            let mut tx = c.transaction()?;
            let hold: postgres::Row =
                tx.query_one("SELECT create_table_hold($1::text::uuid, $2::text[]::uuid[])::text", &[&b, &tables])?;
            let hold: String = hold.get(0);
            tx.query(
                "SELECT table_id FROM confirm_hold_assignment_tx($1::text::uuid, $2::text::uuid, $3,
                        p_target_status => $4::text)",
                &[&hold, &b, &key(rng), &"confirmed"],
            )?;
            if rng.chance(20) {
                tx.rollback()?;
            } else {
                tx.commit()?;
            }
        }
        "transition" => {
            let total: u64 = TARGETS.iter().map(|(_, w)| w).sum();
            let mut x = rng.below(total);
            let mut target = TARGETS[0].0;
            for (t, w) in TARGETS {
                if x < *w {
                    target = t;
                    break;
                }
                x -= w;
            }
            c.query(TRANSITION, &[&b, &target, &status])?;
        }
        "auto_assign" => {
            c.query(
                "SELECT table_id FROM auto_assign_tables($1::text::uuid, $2, $3)",
                &[&b, &key(rng), &rng.chance(30)],
            )?;
        }
        "make_room" => {
            let mut tx = c.transaction()?;
            tx.batch_execute(&format!("SET LOCAL pg_seating.make_room_moves = {}", 1 + rng.below(3)))?;
            tx.query("SELECT table_id FROM auto_assign_tables($1::text::uuid, $2)", &[&b, &key(rng)])?;
            tx.commit()?;
        }
        "quote_room" => {
            let mut tx = c.transaction()?;
            tx.batch_execute("SET LOCAL pg_seating.make_room_moves = 3")?;
            tx.query("SELECT rank FROM quote_tables($1::text::uuid)", &[&b])?;
            tx.commit()?;
        }
        "keep_tables" => {
            c.execute(
                "UPDATE bookings SET keep_tables = NOT keep_tables WHERE restaurant_id = $1::text::uuid AND id = $2::text::uuid",
                &[&hot.restaurant, &b],
            )?;
        }
        "auto_assign_day" => {
            c.query("SELECT outcome FROM auto_assign_day($1::text::uuid, $2::text::date)", &[&hot.restaurant, &DAY])?;
        }
        "quote" => {
            c.query("SELECT rank FROM quote_tables($1::text::uuid)", &[&b])?;
        }
        "validate" => {
            c.query("SELECT validate_booking_capacity_after_assignment($1::text::uuid)", &[&b])?;
        }
        "update_time" => {
            // Moves the booking by -30, 0 or +30 minutes within the evening: its assignments
            // follow, or are released when the tables are taken.
            let shift = (rng.below(3) as i32 - 1) * 30;
            c.query(
                "SELECT update_booking_with_capacity_check(b.id, b.restaurant_id, b.customer_id, b.booking_date,
                        b.start_time + make_interval(mins => $2), b.end_time + make_interval(mins => $2),
                        b.party_size, b.booking_type, b.customer_name, b.customer_email, b.customer_phone,
                        b.seating_preference)
                   FROM bookings b
                  WHERE b.id = $1::text::uuid AND b.start_time + make_interval(mins => $2) BETWEEN '17:30' AND '21:00'",
                &[&b, &shift],
            )?;
        }
        "tx_assign_confirm" => {
            let mut tx = c.transaction()?;
            tx.query(
                "SELECT table_id FROM assign_tables_atomic_v2($1::text::uuid, $2::text[]::uuid[])",
                &[&b, &tables],
            )?;
            tx.query(TRANSITION, &[&b, &"confirmed", &status])?;
            if rng.chance(30) {
                tx.rollback()?;
            } else {
                tx.commit()?;
            }
        }
        "direct_hold" => {
            // The app's hold: the header with its columns (metadata NULL), then one member row per
            // table without restaurant_id; a refused member makes it delete the header.
            let ttl = 1 + rng.below(8) as i32;
            let hold: String = c
                .query_one(
                    "INSERT INTO table_holds (booking_id, restaurant_id, zone_id, start_at, end_at, expires_at, created_by, metadata)
                     SELECT b.id, b.restaurant_id, t.zone_id, b.start_at, b.end_at, now() + make_interval(secs => $3::int), NULL, NULL
                       FROM bookings b, table_inventory t
                      WHERE b.id = $1::text::uuid AND t.id = ($2::text[]::uuid[])[1]
                     RETURNING id::text",
                    &[&b, &tables, &ttl],
                )?
                .get(0);
            for t in &tables {
                if let Err(e) = c.execute(
                    "INSERT INTO table_hold_members (hold_id, table_id) VALUES ($1::text::uuid, $2::text::uuid)",
                    &[&hold, t],
                ) {
                    let _ = c.execute("DELETE FROM table_holds WHERE id = $1::text::uuid", &[&hold]);
                    return Err(e);
                }
            }
        }
        "direct_assign" => {
            // The staff "assign directly" insert: several tables in one statement, in id order, no
            // restaurant_id and no allocation.
            let mut sorted = tables.clone();
            sorted.sort();
            c.execute(
                "INSERT INTO booking_table_assignments (booking_id, table_id, assigned_at, assigned_by, idempotency_key, start_at, end_at)
                 SELECT b.id, t, now(), NULL, $3, b.start_at, b.end_at
                   FROM bookings b, unnest($2::text[]::uuid[]) WITH ORDINALITY u(t, o)
                  WHERE b.id = $1::text::uuid
                  ORDER BY o",
                &[&b, &sorted, &key(rng)],
            )?;
        }
        "prune" => {
            // The app's prune after a confirm: read the booking's table allocations, delete one
            // outside the set it keeps (never the last).
            let rows = c.query(
                "SELECT id::text, resource_id::text FROM allocations WHERE booking_id = $1::text::uuid AND resource_type = 'table'",
                &[&b],
            )?;
            if rows.len() > 1 {
                let victim: String = rows[rng.below(rows.len() as u64) as usize].get(0);
                c.execute("DELETE FROM allocations WHERE id IN ($1::text::uuid)", &[&victim])?;
            }
        }
        "sync_windows" => {
            let shift = (rng.below(3) as i32 - 1) * 15;
            c.query(
                "SELECT s.table_id FROM bookings b,
                        sync_confirmed_assignment_windows(
                            p_booking_id => b.id,
                            p_table_ids => ARRAY(SELECT a.table_id FROM booking_table_assignments a WHERE a.booking_id = b.id),
                            p_window_start => b.start_at + make_interval(mins => $2),
                            p_window_end => b.end_at + make_interval(mins => $2),
                            p_actor_id => NULL, p_hold_id => NULL, p_merge_group_id => NULL,
                            p_idempotency_key => NULL, p_payload_checksum => NULL) s
                  WHERE b.id = $1::text::uuid",
                &[&b, &shift],
            )?;
        }
        "release_emit" => {
            if let Some(h) = c.query_opt(ANY_HOLD, &[&hot.restaurant])? {
                let h: String = h.get(0);
                c.query("SELECT release_hold_and_emit(p_hold_id => $1::text::uuid, p_actor_id => NULL)", &[&h])?;
            }
        }
        other => unreachable!("operation {other}"),
    }
    if rng.chance(10) {
        replenish(c, hot)?;
    }
    Ok(())
}

#[derive(Default)]
struct Shared {
    report: Report,
}

fn outcome_of(e: &postgres::Error) -> String {
    match e.code() {
        Some(code) => code.code().to_string(),
        None => "08000".to_string(),
    }
}

fn worker(id: usize, o: Options, hot: Arc<Hot>, stop: Arc<AtomicBool>, shared: Arc<Mutex<Shared>>) {
    let mut rng = Rng::new(o.seed.wrapping_mul(1000).wrapping_add(id as u64 + 1));
    let mut local: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut client_deadlocks = 0;
    let mut reconnects = 0;
    let mut client: Option<Client> = None;
    while !stop.load(Ordering::Relaxed) {
        let c = match client.as_mut() {
            Some(c) if !c.is_closed() => c,
            _ => match connect_as(APPLICATION) {
                Ok(c) => {
                    if client.is_some() {
                        reconnects += 1;
                    }
                    client = Some(c);
                    client.as_mut().unwrap()
                }
                Err(_) => {
                    thread::sleep(Duration::from_millis(20));
                    continue;
                }
            },
        };
        // Fault injection by configuration: tiny lock and statement timeouts on some calls.
        let (lock_ms, stmt_ms) = if o.faults {
            match rng.below(100) {
                0..=14 => (1 + rng.below(10), 0),
                15..=29 => (0, 2 + rng.below(40)),
                _ => (0, 0),
            }
        } else {
            (0, 0)
        };
        let settings = format!("SET lock_timeout = {lock_ms}; SET statement_timeout = {stmt_ms}");
        if let Err(e) = c.batch_execute(&settings) {
            let code = outcome_of(&e);
            if code == "25P02" {
                // A transaction's ROLLBACK (sent when the driver drops a failed transaction) was
                // itself cancelled by the fault injector: the session is still inside the failed
                // transaction. End it, as a client would.
                let _ = c.batch_execute("ROLLBACK");
            }
            *local.entry(("set_timeouts".into(), code)).or_insert(0) += 1;
            continue;
        }
        let op = pick_op(&mut rng);
        let outcome = match run_op(c, &mut rng, &hot, op) {
            Ok(()) => "ok".to_string(),
            Err(e) => {
                let code = outcome_of(&e);
                if code == "40P01" {
                    client_deadlocks += 1;
                }
                if !expected(op, &code) && unexpected.len() < 10 {
                    let msg = e.as_db_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string());
                    unexpected.push(format!("{op}: {code} {msg}"));
                }
                code
            }
        };
        *local.entry((op.to_string(), outcome)).or_insert(0) += 1;
    }
    let mut s = shared.lock().unwrap();
    for (k, n) in local {
        *s.report.outcomes.entry(k).or_insert(0) += n;
    }
    s.report.client_deadlocks += client_deadlocks;
    s.report.reconnects += reconnects;
    let room = 20usize.saturating_sub(s.report.unexpected.len());
    s.report.unexpected.extend(unexpected.into_iter().take(room));
}

/// Cancels or terminates a random worker's call in flight every 10–150 ms.
fn injector(seed: u64, stop: Arc<AtomicBool>, shared: Arc<Mutex<Shared>>) {
    let mut rng = Rng::new(seed ^ 0xFA17);
    let mut c = connect_as("pg_seating_torture_faults").expect("fault injector connection");
    let (mut cancels, mut terminations) = (0, 0);
    while !stop.load(Ordering::Relaxed) {
        thread::sleep(Duration::from_millis(10 + rng.below(140)));
        let pids: Vec<i32> = c
            .query(
                "SELECT pid FROM pg_stat_activity
                  WHERE application_name = $1 AND state = 'active' AND query !~ '^SET '",
                &[&APPLICATION],
            )
            .expect("pg_stat_activity")
            .iter()
            .map(|r| r.get(0))
            .collect();
        if pids.is_empty() {
            continue;
        }
        let pid = *rng.pick(&pids);
        if rng.chance(80) {
            c.query("SELECT pg_cancel_backend($1)", &[&pid]).expect("cancel");
            cancels += 1;
        } else {
            c.query("SELECT pg_terminate_backend($1)", &[&pid]).expect("terminate");
            terminations += 1;
        }
    }
    let mut s = shared.lock().unwrap();
    s.report.cancels_sent += cancels;
    s.report.terminations_sent += terminations;
}

fn server_deadlocks(c: &mut Client) -> i64 {
    c.query_one("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()", &[])
        .expect("pg_stat_database")
        .get(0)
}

/// Runs the torture and checks the invariants of the hot restaurant afterwards.
pub fn run(o: &Options) -> Report {
    let mut admin = connect_as("pg_seating_torture_admin").expect("admin connection");
    let hot = Arc::new(setup(&mut admin));
    // Statistics are sent at transaction end; a snapshot is cached per transaction.
    admin.batch_execute("SELECT pg_stat_clear_snapshot()").expect("stat snapshot");
    let deadlocks_before = server_deadlocks(&mut admin);
    let stop = Arc::new(AtomicBool::new(false));
    let shared = Arc::new(Mutex::new(Shared::default()));
    let started = Instant::now();
    let mut handles = Vec::new();
    for id in 0..o.connections {
        let (o, hot, stop, shared) = (o.clone(), hot.clone(), stop.clone(), shared.clone());
        handles.push(thread::spawn(move || worker(id, o, hot, stop, shared)));
    }
    if o.faults {
        let (stop, shared, seed) = (stop.clone(), shared.clone(), o.seed);
        handles.push(thread::spawn(move || injector(seed, stop, shared)));
    }
    thread::sleep(o.duration);
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().expect("torture thread");
    }
    let elapsed = started.elapsed();
    // Backends that were terminated report their statistics as they exit; give them a moment.
    thread::sleep(Duration::from_millis(600));
    admin.batch_execute("SELECT pg_stat_clear_snapshot()").expect("stat snapshot");
    let deadlocks_after = server_deadlocks(&mut admin);
    let mut report = std::mem::take(&mut shared.lock().unwrap().report);
    report.elapsed = elapsed;
    report.server_deadlocks = deadlocks_after - deadlocks_before;
    report.violations = violations(&mut admin, &hot.restaurant);
    report
}

/// The invariants, from the anomaly finder and from independent SQL (empty when healthy).
pub fn violations(c: &mut Client, restaurant: &str) -> Vec<String> {
    let mut out = invariant_violations(c, restaurant);
    for r in c
        .query(
            "SELECT kind || ': ' || coalesce(booking_id::text, '') || ' ' || coalesce(detail, '')
               FROM find_assignment_anomalies() WHERE restaurant_id = $1::text::uuid",
            &[&restaurant],
        )
        .expect("anomaly finder")
    {
        out.push(format!("anomaly finder: {}", r.get::<_, String>(0)));
    }
    let checks: [(&str, &str); 7] = [
        ("confirmed without a table",
         "SELECT b.id::text FROM bookings b WHERE b.restaurant_id = $1::text::uuid AND b.status = 'confirmed'
             AND NOT EXISTS (SELECT 1 FROM booking_table_assignments x
                              WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)"),
        ("terminal booking with table state",
         "SELECT b.id::text FROM bookings b WHERE b.restaurant_id = $1::text::uuid
             AND b.status IN ('cancelled', 'no_show', 'completed')
             AND (EXISTS (SELECT 1 FROM booking_table_assignments x WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)
               OR EXISTS (SELECT 1 FROM allocations x WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)
               OR EXISTS (SELECT 1 FROM table_holds x WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)
               OR EXISTS (SELECT 1 FROM booking_assignment_idempotency x WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)
               OR b.assigned_zone_id IS NOT NULL)"),
        ("zone lock without a table",
         "SELECT b.id::text FROM bookings b WHERE b.restaurant_id = $1::text::uuid AND b.assigned_zone_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM booking_table_assignments x
                              WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id)"),
        ("hold window row differs from its hold",
         "SELECT w.hold_id::text FROM table_hold_windows w JOIN table_holds h
             ON h.restaurant_id = w.restaurant_id AND h.id = w.hold_id
          WHERE w.restaurant_id = $1::text::uuid
            AND (w.start_at, w.end_at, w.expires_at, w.status, w.booking_id)
                IS DISTINCT FROM (h.start_at, h.end_at, h.expires_at, h.status, h.booking_id)"),
        ("hold without members",
         "SELECT h.id::text FROM table_holds h WHERE h.restaurant_id = $1::text::uuid
             AND NOT EXISTS (SELECT 1 FROM table_hold_members m WHERE m.restaurant_id = h.restaurant_id AND m.hold_id = h.id)"),
        ("hold windows out of step with members",
         "SELECT h.id::text FROM table_holds h WHERE h.restaurant_id = $1::text::uuid
             AND (SELECT count(*) FROM table_hold_members m WHERE m.restaurant_id = h.restaurant_id AND m.hold_id = h.id)
              <> (SELECT count(*) FROM table_hold_windows w WHERE w.restaurant_id = h.restaurant_id AND w.hold_id = h.id)"),
        ("status differs from its last history row",
         "SELECT b.id::text FROM bookings b
            JOIN LATERAL (SELECT h.to_status FROM booking_state_history h
                           WHERE h.restaurant_id = b.restaurant_id AND h.booking_id = b.id
                           ORDER BY h.id DESC LIMIT 1) last ON true
          WHERE b.restaurant_id = $1::text::uuid AND last.to_status <> b.status"),
    ];
    for (name, sql) in checks {
        for row in c.query(sql, &[&restaurant]).unwrap_or_else(|e| panic!("{name}: {e}")) {
            out.push(format!("{name}: {}", row.get::<_, String>(0)));
        }
    }
    let idle: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state LIKE 'idle in transaction%'",
            &[&APPLICATION],
        )
        .expect("pg_stat_activity")
        .get(0);
    if idle > 0 {
        out.push(format!("{idle} torture sessions left idle in a transaction"));
    }
    out
}
