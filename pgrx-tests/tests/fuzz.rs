//! Input fuzzing of every function of the extension, read from the catalog (so a new function is
//! fuzzed without being listed here, and fails loudly until its arguments have valid values).
//!
//! 1. The catalogue: for each function, a call with valid arguments, then each argument in turn
//!    replaced by NULL and by the hostile values of its type (empty, duplicate, NULL-holding and
//!    10,000-element arrays, unknown ids, other restaurants' ids, inverted, empty and infinite
//!    windows, DST gaps and overlaps in Europe/London, huge numbers, invalid enum text, odd JSON).
//!    Every outcome is a documented SQLSTATE: the table in docs/input-fuzzing.md is this test's
//!    output, and the test fails when a call's SQLSTATE differs from it (rerun with
//!    PG_SEATING_FUZZ_WRITE=1 to regenerate the file after a deliberate change, and review the diff).
//! 2. Random calls: every argument drawn at random from its values; each outcome must be one the
//!    catalogue documents for that function.
//!
//! Always: never XX000, never a Rust panic text in a message, never a lost connection. Each call
//! runs in its own transaction, rolled back. `scripts/test` checks the server log for crashed
//! backends afterwards.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use pg_seating_sql_tests::connect;
use pg_seating_sql_tests::torture::Rng;
use postgres::Client;

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/input-fuzzing.md");

struct Fx {
    r: String,
    r2: String,
    b: String,
    b_term: String,
    b_gap: String,
    b_over: String,
    b_empty: String,
    b_huge: String,
    bx: String,
    t1: String,
    t2: String,
    t_oos: String,
    x: String,
    h: String,
    h_expired: String,
    hx: String,
    unknown: String,
}

fn q(c: &mut Client, sql: &str) -> String {
    c.query_one(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}")).get::<_, String>(0)
}

fn fixture(c: &mut Client) -> Fx {
    let r = q(c, "INSERT INTO restaurants (name, slug, timezone) VALUES ('fuzz', 'fuzz-' || gen_random_uuid(), 'Europe/London') RETURNING id::text");
    let r2 = q(
        c,
        "INSERT INTO restaurants (name, slug) VALUES ('fuzz-other', 'fuzz-' || gen_random_uuid()) RETURNING id::text",
    );
    let z = q(c, &format!("INSERT INTO zones (restaurant_id, name) VALUES ('{r}', 'Main') RETURNING id::text"));
    let z2 = q(c, &format!("INSERT INTO zones (restaurant_id, name) VALUES ('{r2}', 'Main') RETURNING id::text"));
    let table = |c: &mut Client, r: &str, z: &str, n: &str, cap: i32, status: &str| {
        q(
            c,
            &format!(
                "INSERT INTO table_inventory (restaurant_id, table_number, capacity, zone_id, status)
             VALUES ('{r}', '{n}', {cap}, '{z}', '{status}') RETURNING id::text"
            ),
        )
    };
    let t1 = table(c, &r, &z, "T1", 4, "available");
    let t2 = table(c, &r, &z, "T2", 4, "available");
    let t3 = table(c, &r, &z, "T3", 2, "available");
    let t_oos = table(c, &r, &z, "T4", 4, "out_of_service");
    let x = table(c, &r2, &z2, "X1", 4, "available");
    c.batch_execute(&format!(
        "INSERT INTO table_adjacencies (restaurant_id, table_a, table_b) VALUES ('{r}', '{t1}', '{t2}')"
    ))
    .unwrap();
    let booking = |c: &mut Client, r: &str, date: &str, s: &str, e: &str, instants: bool, party: i64, status: &str| {
        let (sa, ea) = if instants {
            (
                format!("('{date} {s}'::timestamp AT TIME ZONE 'Europe/London')"),
                format!("('{date} {e}'::timestamp AT TIME ZONE 'Europe/London')"),
            )
        } else {
            ("NULL".into(), "NULL".into())
        };
        q(c, &format!(
            "INSERT INTO bookings (restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
             VALUES ('{r}', '{date}', '{s}', '{e}', {sa}, {ea}, {party}, '{status}') RETURNING id::text"
        ))
    };
    let b = booking(c, &r, "2027-01-15", "19:00", "21:00", true, 2, "pending");
    let b_term = booking(c, &r, "2027-01-15", "19:00", "21:00", true, 2, "cancelled");
    // Local times only: 01:30 does not exist on 2027-03-28 (clocks go forward at 01:00) and
    // happens twice on 2027-10-31 (clocks go back at 02:00).
    let b_gap = booking(c, &r, "2027-03-28", "01:30", "03:00", false, 2, "pending");
    let b_over = booking(c, &r, "2027-10-31", "01:30", "02:30", false, 2, "pending");
    let b_empty = booking(c, &r, "2027-01-16", "19:00", "19:00", false, 2, "pending");
    let b_huge = booking(c, &r, "2027-01-15", "12:00", "14:00", true, 2147483647, "pending");
    let bx = booking(c, &r2, "2027-01-15", "19:00", "21:00", true, 2, "pending");
    let h = q(c, &format!("SELECT create_table_hold('{b}', ARRAY['{t3}']::uuid[], p_ttl_seconds => 3600)::text"));
    let h_expired =
        q(c, &format!("SELECT create_table_hold('{b_huge}', ARRAY['{t3}']::uuid[], p_ttl_seconds => 3600)::text"));
    c.batch_execute(&format!(
        "UPDATE table_holds SET expires_at = now() - interval '1 minute' WHERE id = '{h_expired}'"
    ))
    .unwrap();
    let hx = q(c, &format!("SELECT create_table_hold('{bx}', ARRAY['{x}']::uuid[], p_ttl_seconds => 3600)::text"));
    let unknown = q(c, "SELECT gen_random_uuid()::text");
    Fx { r, r2, b, b_term, b_gap, b_over, b_empty, b_huge, bx, t1, t2, t_oos, x, h, h_expired, hx, unknown }
}

#[derive(Debug, Clone)]
struct Arg {
    name: String,
    ty: String,
}

#[derive(Debug, Clone)]
struct Function {
    name: String,
    args: Vec<Arg>,
}

fn functions(c: &mut Client) -> Vec<Function> {
    c.query(
        "SELECT p.proname::text,
                coalesce(p.proargnames[1:p.pronargs], '{}')::text[],
                ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i) ORDER BY i)
           FROM pg_proc p
           JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
          WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')
            AND p.prorettype <> 'trigger'::regtype -- trigger functions cannot be called directly
          ORDER BY 1",
        &[],
    )
    .unwrap()
    .iter()
    .map(|row| {
        let names: Vec<String> = row.get(1);
        let types: Vec<String> = row.get(2);
        Function { name: row.get(0), args: names.into_iter().zip(types).map(|(name, ty)| Arg { name, ty }).collect() }
    })
    .collect()
}

fn lit(s: &str) -> String {
    format!("'{s}'")
}

fn uuid_lit(s: &str) -> String {
    format!("'{s}'::uuid")
}

fn arr(ids: &[&str]) -> String {
    format!("ARRAY[{}]::uuid[]", ids.iter().map(|i| lit(i)).collect::<Vec<_>>().join(", "))
}

/// A valid value for each argument (the baseline call of every function succeeds).
fn valid(f: &Function, a: &Arg, fx: &Fx) -> String {
    let status = |s: &str| format!("'{s}'::text");
    // A companion takes its reference function's values (and the fixture's restaurant).
    match (f.name.trim_end_matches("_in_restaurant"), a.name.as_str()) {
        (_, "p_booking_id") => uuid_lit(&fx.b),
        (_, "p_restaurant_id") => uuid_lit(&fx.r),
        (_, "p_hold_id") => uuid_lit(&fx.h),
        (_, "p_table_ids") => arr(&[&fx.t1]),
        (_, "p_window") => "tstzrange('2027-01-15 19:00+00', '2027-01-15 21:00+00')".into(),
        (_, "p_idempotency_key") => lit("fuzz-key"),
        (_, "p_require_adjacency") | (_, "p_marketing_opt_in") | (_, "p_as_hold") => "false".into(),
        (_, "p_dry_run") => "true".into(),
        (_, "p_limit") => "5".into(),
        (_, "p_max_tables") => "3".into(),
        (_, "p_ttl_seconds") => "60".into(),
        (_, "p_date") | (_, "p_booking_date") => "'2027-01-15'::date".into(),
        (_, "p_from") | (_, "p_to") => "NULL::date".into(),
        (_, "p_start_time") => "'19:00'::time".into(),
        (_, "p_end_time") => "'21:00'::time".into(),
        (_, "p_party_size") => "2".into(),
        (_, "p_loyalty_points_awarded") => "0".into(),
        (_, "p_at") => "'2027-01-15 19:30+00'::timestamptz".into(),
        ("apply_booking_state_transition", "p_status" | "p_history_to") => status("pending_allocation"),
        ("apply_booking_state_transition", "p_history_from") => status("pending"),
        (_, "p_target_status") => status("confirmed"),
        (_, "p_history_metadata" | "p_details") => "'{}'::jsonb".into(),
        (_, "p_role") => "'service_role'::name".into(),
        (_, "enabled") => "true".into(),
        (_, "p_table_id") => uuid_lit(&fx.t1),
        (_, "p_exclude_booking_id") => "NULL::uuid".into(),
        (_, "p_actor_id") => "NULL::uuid".into(),
        (_, "p_cutoff") => "'2020-01-01 00:00+00'::timestamptz".into(),
        (_, "p_schema") => "'public'::name".into(),
        (_, n) if n.ends_with("_by") || n == "p_customer_id" || n == "p_auth_user_id" || n == "p_merge_group_id" => {
            "NULL::uuid".into()
        }
        ("sync_confirmed_assignment_windows", "p_window_start") => "'2027-01-15 19:30+00'::timestamptz".into(),
        ("sync_confirmed_assignment_windows", "p_window_end") => "'2027-01-15 21:30+00'::timestamptz".into(),
        ("is_table_available_v2", "p_start_at") => "'2027-01-15 19:00+00'::timestamptz".into(),
        ("is_table_available_v2", "p_end_at") => "'2027-01-15 21:00+00'::timestamptz".into(),
        (_, n)
            if a.ty == "timestamp with time zone"
                && (n.starts_with("p_start") || n.starts_with("p_end") || n.starts_with("p_window")) =>
        {
            "NULL::timestamptz".into()
        }
        (_, _) if a.ty == "timestamp with time zone" => "NULL::timestamptz".into(),
        (_, "p_booking_type") => lit("dinner"),
        (_, "p_customer_name") => lit("Fuzz"),
        (_, "p_customer_email") => lit("fuzz@example.com"),
        (_, "p_customer_phone") => lit("+44 20 0000 0000"),
        (_, "p_source") => lit("api"),
        (_, "p_history_reason") => lit("fuzz"),
        (_, _) if a.ty == "text" => "NULL::text".into(),
        (fname, aname) => panic!("no valid value for {fname}.{aname} ({}): add one to valid()", a.ty),
    }
}

/// The hostile values of one argument: (label, SQL expression).
fn variants(a: &Arg, fx: &Fx) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = vec![("NULL".into(), format!("NULL::{}", a.ty))];
    let mut add = |label: &str, expr: String| v.push((label.to_string(), expr));
    match (a.ty.as_str(), a.name.as_str()) {
        ("uuid", "p_booking_id") => {
            add("unknown id", uuid_lit(&fx.unknown));
            add("other restaurant's booking", uuid_lit(&fx.bx));
            add("cancelled booking", uuid_lit(&fx.b_term));
            add("booking at 01:30 on the spring-forward day (DST gap)", uuid_lit(&fx.b_gap));
            add("booking at 01:30 on the fall-back day (DST overlap)", uuid_lit(&fx.b_over));
            add("booking with an empty window", uuid_lit(&fx.b_empty));
            add("booking with party_size 2147483647", uuid_lit(&fx.b_huge));
        }
        ("uuid", "p_restaurant_id") => {
            add("unknown id", uuid_lit(&fx.unknown));
            add("other restaurant", uuid_lit(&fx.r2));
        }
        ("uuid", "p_hold_id") => {
            add("unknown id", uuid_lit(&fx.unknown));
            add("other restaurant's hold", uuid_lit(&fx.hx));
            add("expired hold of another booking", uuid_lit(&fx.h_expired));
        }
        ("uuid", "p_merge_group_id") => add("unknown id", uuid_lit(&fx.unknown)),
        ("uuid", _) => add("unknown id", uuid_lit(&fx.unknown)),
        ("uuid[]", _) => {
            add("empty array", "'{}'::uuid[]".into());
            add("only NULL", "ARRAY[NULL]::uuid[]".into());
            add("a NULL among ids", format!("ARRAY['{}', NULL]::uuid[]", fx.t1));
            add("duplicate ids", arr(&[&fx.t1, &fx.t1]));
            add("unknown table", arr(&[&fx.unknown]));
            add("other restaurant's table", arr(&[&fx.x]));
            add("own and other restaurant's table", arr(&[&fx.t1, &fx.x]));
            add("out-of-service table", arr(&[&fx.t_oos]));
            add("two adjacent tables", arr(&[&fx.t1, &fx.t2]));
            add("10,000 random ids", "ARRAY(SELECT gen_random_uuid() FROM generate_series(1, 10000))".into());
            add("10,000 copies of one id", format!("array_fill('{}'::uuid, ARRAY[10000])", fx.t1));
        }
        ("timestamp with time zone", _) => {
            add("-infinity", "'-infinity'::timestamptz".into());
            add("infinity", "'infinity'::timestamptz".into());
        }
        ("tstzrange", _) => {
            add("empty range", "'empty'::tstzrange".into());
            add("unbounded range", "'(,)'::tstzrange".into());
            add("infinite bounds", "tstzrange('-infinity', 'infinity')".into());
            add(
                "inverted range (rejected by the range type)",
                "tstzrange('2027-01-15 21:00+00', '2027-01-15 19:00+00')".into(),
            );
            add("range of 25 hours", "tstzrange('2027-01-15 00:00+00', '2027-01-16 01:00+00')".into());
            add("range in 4713 BC", "tstzrange('4713-01-01 00:00+00 BC', '4713-01-01 02:00+00 BC')".into());
            add(
                "range across the spring-forward gap",
                "tstzrange('2027-03-28 00:30 Europe/London', '2027-03-28 03:00 Europe/London')".into(),
            );
        }
        ("integer", _) => {
            add("0", "0".into());
            add("-1", "-1".into());
            add("2147483647", "2147483647".into());
            add("-2147483648", "(-2147483648)::int".into());
        }
        ("text", "p_status" | "p_history_from" | "p_history_to" | "p_target_status") => {
            add("not a status", "'seated'".into());
            add("empty text", "''".into());
            add("a status in capitals", "'CONFIRMED'".into());
        }
        ("text", _) => {
            add("empty text", "''".into());
            add("10,000 characters", "repeat('x', 10000)".into());
        }
        ("date", _) => {
            add("infinity", "'infinity'::date".into());
            add("-infinity", "'-infinity'::date".into());
            add("spring-forward day", "'2027-03-28'::date".into());
        }
        ("time without time zone", _) => {
            add("24:00", "'24:00'::time".into());
        }
        ("jsonb", _) => {
            add("JSON array", "'[]'::jsonb".into());
            add("JSON null", "'null'::jsonb".into());
            add("JSON string", "'\"x\"'::jsonb".into());
        }
        ("name", "p_role") => {
            add("unknown role", "'no_such_role'::name".into());
            add("anon", "'anon'::name".into());
        }
        ("name", "p_schema") => {
            add("unknown schema", "'no_such_schema'::name".into());
        }
        _ => {}
    }
    v
}

/// Cases that change two arguments together (windows given as a pair of bounds or times).
fn pair_variants(f: &Function) -> Vec<(String, Vec<(&'static str, String)>)> {
    let has = |n: &str| f.args.iter().any(|a| a.name == n);
    let mut out = Vec::new();
    for (s, e) in [("p_start_at", "p_end_at"), ("p_window_start", "p_window_end")] {
        if !(has(s) && has(e)) {
            continue;
        }
        let pairs: [(&str, &str, &str); 10] = [
            ("inverted window", "'2027-01-15 21:00+00'", "'2027-01-15 19:00+00'"),
            ("empty window", "'2027-01-15 19:00+00'", "'2027-01-15 19:00+00'"),
            ("infinite window", "'-infinity'", "'infinity'"),
            ("only the start", "'2027-01-15 19:00+00'", "NULL"),
            ("only the end", "NULL", "'2027-01-15 21:00+00'"),
            (
                "window across the spring-forward gap",
                "'2027-03-28 00:30 Europe/London'",
                "'2027-03-28 03:00 Europe/London'",
            ),
            ("window inside the fall-back overlap", "'2027-10-31 01:30+01'", "'2027-10-31 01:30+00'"),
            // SPEC §10: implausible windows (the fixture's bookings are on 2027-01-15).
            ("window of 25 hours", "'2027-01-15 00:00+00'", "'2027-01-16 01:00+00'"),
            ("window from year 1 to 9999", "'0001-01-01 00:00+00'", "'9999-12-31 00:00+00'"),
            ("window a year after the booking's date", "'2028-01-15 19:00+00'", "'2028-01-15 21:00+00'"),
        ];
        for (label, a, b) in pairs {
            out.push((
                format!("{s}/{e}: {label}"),
                vec![
                    (if s == "p_start_at" { "p_start_at" } else { "p_window_start" }, format!("{a}::timestamptz")),
                    (if e == "p_end_at" { "p_end_at" } else { "p_window_end" }, format!("{b}::timestamptz")),
                ],
            ));
        }
    }
    if has("p_start_time") && has("p_end_time") && has("p_booking_date") {
        let cases: [(&str, &str, &str, &str); 4] = [
            ("times inverted (over midnight)", "2027-01-15", "21:00", "19:00"),
            ("equal times", "2027-01-15", "19:00", "19:00"),
            ("local times in the spring-forward gap", "2027-03-28", "01:30", "03:00"),
            ("local times in the fall-back overlap", "2027-10-31", "01:30", "02:30"),
        ];
        for (label, d, s, e) in cases {
            out.push((
                format!("p_booking_date/p_start_time/p_end_time: {label}"),
                vec![
                    ("p_booking_date", format!("'{d}'::date")),
                    ("p_start_time", format!("'{s}'::time")),
                    ("p_end_time", format!("'{e}'::time")),
                ],
            ));
        }
    }
    out
}

fn call(f: &Function, values: &BTreeMap<String, String>) -> String {
    let args: Vec<String> = f.args.iter().map(|a| format!("{} => {}", a.name, values[&a.name])).collect();
    format!("SELECT * FROM {}({})", f.name, args.join(", "))
}

/// Runs `sql` in a transaction that is rolled back; "ok" or the SQLSTATE. Panics on what must never happen.
fn outcome(c: &mut Client, what: &str, sql: &str) -> String {
    let mut tx = c.transaction().expect("begin");
    tx.batch_execute("SET LOCAL statement_timeout = '60s'").unwrap();
    let result = tx.query(sql, &[]);
    let out = match &result {
        Ok(_) => "ok".to_string(),
        Err(e) => {
            let db = e.as_db_error().unwrap_or_else(|| panic!("{what}: not a server error (connection lost?): {e}"));
            let text = format!("{} {} {}", db.message(), db.detail().unwrap_or(""), db.hint().unwrap_or(""));
            for leak in ["panicked", "unwrap()", "RUST_BACKTRACE", "called `Option", "called `Result"] {
                assert!(!text.contains(leak), "{what}: a Rust panic leaked into the error: {text}");
            }
            // The cluster runs with RUST_BACKTRACE=1 (scripts/test): no backtrace, no source path.
            for leak in ["stack backtrace", "/rustc/", "rust_begin_unwind", ".rs:", "pgrx_pg_sys"] {
                assert!(!text.contains(leak), "{what}: a Rust backtrace reached the error: {text}");
            }
            db.code().code().to_string()
        }
    };
    drop(result);
    tx.rollback().expect("rollback");
    assert_ne!(out, "XX000", "{what}: internal error for {sql}");
    out
}

type Catalogue = BTreeMap<String, Vec<(String, String)>>;

fn run_catalogue(c: &mut Client, fns: &[Function], fx: &Fx) -> Catalogue {
    let mut cat = Catalogue::new();
    for f in fns {
        let base: BTreeMap<String, String> = f.args.iter().map(|a| (a.name.clone(), valid(f, a, fx))).collect();
        let mut rows = vec![("valid arguments".to_string(), outcome(c, &f.name, &call(f, &base)))];
        for a in &f.args {
            for (label, expr) in variants(a, fx) {
                let mut vals = base.clone();
                vals.insert(a.name.clone(), expr);
                let what = format!("{}({} = {label})", f.name, a.name);
                rows.push((format!("{}: {label}", a.name), outcome(c, &what, &call(f, &vals))));
            }
        }
        for (label, changes) in pair_variants(f) {
            let mut vals = base.clone();
            for (n, e) in changes {
                vals.insert(n.to_string(), e);
            }
            rows.push((label.clone(), outcome(c, &format!("{}({label})", f.name), &call(f, &vals))));
        }
        cat.insert(f.name.clone(), rows);
    }
    cat
}

/// Functions that need Citus loaded (their baseline here is 55000).
const NEEDS_CITUS: [&str; 2] = ["pg_seating_distribute", "pg_seating_undistribute"];

const LEGEND: &[(&str, &str)] = &[
    ("ok", "accepted (a valid call, or an input the function treats as \"nothing to do\")"),
    ("22000", "data_exception: the booking's or the given window is empty or inverted; a range the range type itself rejects"),
    ("22004", "null_value_not_allowed: a required argument is NULL"),
    ("22007", "invalid_datetime_format: a value the date/time types reject (e.g. an infinite booking date)"),
    ("22008", "datetime_field_overflow: a date/time value out of range"),
    ("22023", "invalid_parameter_value: an argument outside its range, a transition the lifecycle refuses, one window bound without the other, text that is not a booking status; a window longer than pg_seating.max_window or away from the booking's date (± 1 day), a hold outliving its window (SPEC §10)"),
    ("3F000", "invalid_schema_name: a schema that does not exist"),
    ("55000", "object_not_in_prerequisite_state: a Citus function called where Citus is not installed"),
    ("42704", "undefined_object: a role that does not exist"),
    ("23503", "foreign_key_violation: a table of another restaurant"),
    ("23514", "check_violation: no (valid) table ids, a table-set rule (zone, out of service, adjacency, mobility), a final booking"),
    ("P0001", "raise_exception: conflict (allocations_no_overlap, hold), no table plan, capacity exceeded, confirm without tables"),
    ("P0002", "no_data_found: unknown booking, table or hold"),
    ("P0003", "too_many_rows: idempotency mismatch; hold snapshot changed; replay returned nothing"),
    ("P0004", "assert_failure: booking_state_conflict (the status is not p_history_from)"),
];

fn render(cat: &Catalogue) -> String {
    let mut s = String::new();
    s.push_str(
        "# Input fuzzing: the SQLSTATE of every hostile input\n\n\
         Generated by `pgrx-tests/tests/fuzz.rs` (run by `make test`), which fails when a call's outcome\n\
         differs from this file; regenerate with `PG_SEATING_FUZZ_WRITE=1` after a deliberate change.\n\
         Each row is one call: every argument valid except the one named, in a transaction that is\n\
         rolled back. No input gives XX000, leaks a Rust panic text, or ends the connection, and the\n\
         server log shows no backend terminated by a signal. A second pass makes random calls with\n\
         every argument drawn from these values and checks each outcome is one listed for the function.\n\n\
         The fixture: restaurant R (Europe/London) with tables T1–T2 (adjacent), T3 and an out-of-service\n\
         T4; a pending booking B on 2027-01-15 19:00–21:00 holding T3 (hold H); bookings with local times\n\
         only in the DST gap (2027-03-28 01:30) and overlap (2027-10-31 01:30), one with an empty window,\n\
         one cancelled, one for 2,147,483,647 guests; another restaurant with its own table, booking and hold.\n\n\
         | SQLSTATE | meaning |\n|---|---|\n",
    );
    for (code, meaning) in LEGEND {
        let _ = writeln!(s, "| {code} | {meaning} |");
    }
    for (f, rows) in cat {
        let _ = write!(s, "\n## {f}\n\n| input | outcome |\n|---|---|\n");
        for (label, out) in rows {
            let _ = writeln!(s, "| {label} | {out} |");
        }
    }
    s
}

fn parse(doc: &str) -> Catalogue {
    let mut cat = Catalogue::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            current = Some(name.trim().to_string());
            cat.insert(name.trim().to_string(), Vec::new());
        } else if let (Some(f), Some(row)) = (&current, line.strip_prefix("| ")) {
            let cells: Vec<&str> = row.trim_end_matches(" |").rsplitn(2, " | ").collect();
            if cells.len() == 2 && cells[1] != "input" && !cells[1].starts_with("---") {
                cat.get_mut(f).unwrap().push((cells[1].to_string(), cells[0].to_string()));
            }
        }
    }
    cat
}

#[test]
fn every_hostile_input_gets_its_documented_sqlstate() {
    let mut c = connect();
    let fx = fixture(&mut c);
    let fns = functions(&mut c);
    assert!(fns.len() >= 20, "the catalog lists the extension's functions: {}", fns.len());
    let cat = run_catalogue(&mut c, &fns, &fx);
    for (f, rows) in &cat {
        // (The Citus functions refuse to run without Citus; the Citus layer, make test-citus, runs them.)
        let baseline = if NEEDS_CITUS.contains(&f.as_str()) { "55000" } else { "ok" };
        assert_eq!(rows[0].1, baseline, "{f}: the baseline call with valid arguments must give {baseline}");
        let codes: BTreeSet<&str> = rows.iter().map(|(_, o)| o.as_str()).collect();
        for code in codes {
            assert!(LEGEND.iter().any(|(c, _)| *c == code), "{f}: SQLSTATE {code} is not in the legend");
        }
    }
    let text = render(&cat);
    if std::env::var("PG_SEATING_FUZZ_WRITE").as_deref() == Ok("1") {
        std::fs::write(DOC, &text).expect("write docs/input-fuzzing.md");
    }
    let documented = parse(&std::fs::read_to_string(DOC).expect("docs/input-fuzzing.md"));
    let mut diffs = Vec::new();
    for (f, rows) in &cat {
        let doc_rows: BTreeMap<&str, &str> =
            documented.get(f).map(|r| r.iter().map(|(l, o)| (l.as_str(), o.as_str())).collect()).unwrap_or_default();
        for (label, out) in rows {
            match doc_rows.get(label.as_str()) {
                Some(d) if d == out => {}
                Some(d) => diffs.push(format!("{f} / {label}: documented {d}, got {out}")),
                None => diffs.push(format!("{f} / {label}: not documented (got {out})")),
            }
        }
    }
    for f in documented.keys() {
        if !cat.contains_key(f) {
            diffs.push(format!("{f}: documented but not a function of the extension"));
        }
    }
    assert!(diffs.is_empty(), "outcomes differ from docs/input-fuzzing.md:\n{}", diffs.join("\n"));

    // Random calls: each outcome must be one the catalogue documents for that function.
    let mut rng = Rng::new(2026);
    let mut calls = 0;
    for f in &fns {
        let allowed: BTreeSet<String> = cat[&f.name].iter().map(|(_, o)| o.clone()).collect();
        let pools: Vec<Vec<String>> = f
            .args
            .iter()
            .map(|a| {
                let mut p: Vec<String> = variants(a, &fx).into_iter().map(|(_, e)| e).collect();
                p.push(valid(f, a, &fx));
                p.push(valid(f, a, &fx));
                p
            })
            .collect();
        let rounds = if f.args.is_empty() { 1 } else { 40 };
        for _ in 0..rounds {
            let vals: BTreeMap<String, String> =
                f.args.iter().zip(&pools).map(|(a, p)| (a.name.clone(), rng.pick(p).clone())).collect();
            let sql = call(f, &vals);
            let out = outcome(&mut c, &f.name, &sql);
            calls += 1;
            assert!(allowed.contains(&out), "{}: {out} is not documented for this function: {sql}", f.name);
        }
    }
    assert!(calls > 500, "random calls: {calls}");
    assert_eq!(pg_seating_sql_tests::server_log_crashes(), Vec::<String>::new(), "a backend crashed");
    // Leave the shared test database as it was (its holds would show in other suites' global counts).
    c.execute("DELETE FROM restaurants WHERE id IN ($1::text::uuid, $2::text::uuid)", &[&fx.r, &fx.r2]).unwrap();
}
