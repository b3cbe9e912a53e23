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
//!
//! `mod.rs` has the options, the report, the hot restaurant and the workers; `ops` the operations
//! ([`Op`]), `faults` the fault injector, `invariants` the checks after the run.

mod faults;
mod invariants;
mod ops;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};

pub use invariants::violations;
pub use ops::Op;

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
pub const DIRECT_OPS: [Op; 3] = [Op::DirectHold, Op::DirectAssign, Op::Prune];

/// Codes the direct writes may also end with: 23P01 (a table taken or held), 23505 (the booking
/// already holds the table), 23503 (the hold or booking was released, swept or finished between
/// the app's two statements).
pub const DIRECT_CODES: &[&str] = &["23P01", "23505", "23503"];

/// Whether `code` is an outcome the contract names for operation `op`.
pub fn expected(op: &str, code: &str) -> bool {
    EXPECTED_CODES.iter().any(|(e, _)| *e == code)
        || (DIRECT_OPS.iter().any(|d| d.name() == op) && DIRECT_CODES.contains(&code))
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

/// The hot restaurant: six tables (2, 2, 4, 4, 6, 6 seats), the first four in the dining room and
/// the two six-tops on the terrace, each zone a chain of adjacencies (making room moves bookings
/// across zones), a dinner service with a capacity rule, and a pool of live bookings on one evening.
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
    let terrace: String = c
        .query_one(
            "INSERT INTO zones (restaurant_id, name) VALUES ($1::text::uuid, 'Terrace') RETURNING id::text",
            &[&restaurant],
        )
        .expect("terrace")
        .get(0);
    let mut tables = Vec::new();
    for (n, cap) in [2, 2, 4, 4, 6, 6].into_iter().enumerate() {
        let z = if n < 4 { &zone } else { &terrace };
        let r = c
            .query_one(
                "INSERT INTO table_inventory (restaurant_id, table_number, capacity, zone_id)
                 VALUES ($1::text::uuid, $2, $3, $4::text::uuid) RETURNING id::text",
                &[&restaurant, &format!("H{}", n + 1), &cap, z],
            )
            .expect("table");
        tables.push(r.get::<_, String>(0));
    }
    // Adjacent within each zone only (H4 and H5 are in different zones).
    for pair in tables.windows(2).enumerate().filter(|(i, _)| *i != 3).map(|(_, p)| p) {
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
        let (lock_ms, stmt_ms) = faults::timeouts(&mut rng, o.faults);
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
        let op = Op::pick(&mut rng);
        let outcome = match op.run(c, &mut rng, &hot) {
            Ok(()) => "ok".to_string(),
            Err(e) => {
                let code = outcome_of(&e);
                if code == "40P01" {
                    client_deadlocks += 1;
                }
                if !expected(op.name(), &code) && unexpected.len() < 10 {
                    let msg = e.as_db_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string());
                    unexpected.push(format!("{}: {code} {msg}", op.name()));
                }
                code
            }
        };
        *local.entry((op.name().to_string(), outcome)).or_insert(0) += 1;
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
        handles.push(thread::spawn(move || faults::injector(seed, stop, shared)));
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
