//! The hijack layer (SPEC §10, "No code path may run a function or operator a non-owner role
//! defined"). In a database set up as Supabase sets one up:
//!
//! 1. `pg_seating_install()` refuses (42501, HINT with the REVOKE) while a role other than the
//!    schema's owner can CREATE in the extension's schema, and `pg_seating_verify()` reports it.
//! 2. After a clean install, `authenticated` is given CREATE on `public` (the precondition of the
//!    attack: the PG14-era default, or a "GRANT ALL ON SCHEMA public" snippet) and plants, in the
//!    extension's schema, an overload of every pg_catalog function, aggregate and operator whose
//!    name appears in pg_seating's statements and function bodies (found from the source texts and
//!    the installed bodies, not listed by hand): the same signature, and each polymorphic or
//!    `"any"` signature instantiated with concrete types (the model's enums among them), which
//!    function resolution prefers to the built-in wherever the call is not schema-qualified. Every
//!    planted object raises a WARNING naming itself, then an error.
//! 3. Every RPC, trigger path and operator tool (the scenario of `pg_seating_sql_tests::scenario`)
//!    then runs as `service_role`, and `pg_seating_verify()` as the owner: no planted object may
//!    have run (no warning, no error naming one), and the outcomes equal those of a run before the
//!    planting.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use pg_seating_sql_tests::{connect_to, host, pg_tool, port, scenario, SupabaseRoles, SUPABASE_DEFAULT_PRIVILEGES};
use postgres::error::DbError;
use postgres::{Client, NoTls};

fn setup(db: &str) -> SupabaseRoles {
    let mut admin = connect_to("postgres");
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
    let roles = SupabaseRoles::ensure();
    pg_tool("createdb", &[db]);
    let mut c = connect_to(db);
    c.batch_execute(SUPABASE_DEFAULT_PRIVILEGES).unwrap();
    c.batch_execute("CREATE EXTENSION pg_seating CASCADE").unwrap();
    roles
}

fn teardown(db: &str, roles: SupabaseRoles) {
    let mut admin = connect_to("postgres");
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).unwrap();
    roles.drop_created();
}

/// Runs `f` against a fresh database `db` with the extension (not yet the model).
fn guarded(db: &str, f: impl FnOnce() + std::panic::UnwindSafe) {
    let roles = setup(db);
    let result = std::panic::catch_unwind(f);
    teardown(db, roles);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn install_refuses_a_schema_others_can_write_and_verify_reports_it() {
    const DB: &str = "pg_seating_hijack_install";
    guarded(DB, || {
        let mut c = connect_to(DB);
        c.batch_execute("GRANT CREATE ON SCHEMA public TO authenticated").unwrap();
        let err = c.batch_execute("SELECT pg_seating_install()").expect_err("install with a writable schema");
        let db = err.as_db_error().unwrap();
        assert_eq!(db.code().code(), "42501", "{db:?}");
        assert_eq!(db.message(), "pg_seating_install: schema public is writable by authenticated");
        assert_eq!(db.hint(), Some("REVOKE CREATE ON SCHEMA public FROM authenticated;"));
        let n: i64 = c.query_one("SELECT count(*) FROM pg_tables WHERE tablename = 'bookings'", &[]).unwrap().get(0);
        assert_eq!(n, 0, "a refused install creates nothing");

        // PUBLIC too (the PG14-era default): both named, PUBLIC as the keyword.
        c.batch_execute("GRANT CREATE ON SCHEMA public TO PUBLIC").unwrap();
        let err = c.batch_execute("SELECT pg_seating_install()").expect_err("install with CREATE to PUBLIC");
        let db = err.as_db_error().unwrap();
        assert_eq!(db.message(), "pg_seating_install: schema public is writable by PUBLIC, authenticated");
        assert_eq!(db.hint(), Some("REVOKE CREATE ON SCHEMA public FROM PUBLIC, authenticated;"));
        c.batch_execute(db.hint().unwrap()).unwrap();

        // Members of the schema's owner act as the owner: not a finding.
        c.batch_execute("SELECT pg_seating_install()").unwrap();
        let clean: i64 = c.query_one("SELECT count(*) FROM pg_seating_verify()", &[]).unwrap().get(0);
        assert_eq!(clean, 0);

        // Granted after the install: verify reports it, and stops once revoked.
        c.batch_execute("GRANT CREATE ON SCHEMA public TO service_role").unwrap();
        let rows = c.query("SELECT kind, object, problem FROM pg_seating_verify()", &[]).unwrap();
        let found: Vec<(String, String, String)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
        assert_eq!(
            found,
            vec![(
                "schema privilege".to_string(),
                "public".to_string(),
                "service_role can CREATE in the extension's schema, where the SECURITY DEFINER functions resolve \
                 names: REVOKE CREATE ON SCHEMA public FROM service_role"
                    .to_string()
            )]
        );
        c.batch_execute("REVOKE CREATE ON SCHEMA public FROM service_role").unwrap();
        let clean: i64 = c.query_one("SELECT count(*) FROM pg_seating_verify()", &[]).unwrap().get(0);
        assert_eq!(clean, 0);
    });
}

const DB: &str = "pg_seating_hijack";

/// A connection whose server notices (the planted objects' warnings) are collected.
fn connect_collecting(notices: Arc<Mutex<Vec<String>>>) -> Client {
    postgres::Config::new()
        .host(&host())
        .port(port())
        .user("postgres")
        .dbname(DB)
        .notice_callback(move |n| notices.lock().unwrap().push(n.message().to_string()))
        .connect(NoTls)
        .unwrap()
}

/// Where pg_seating's SQL lives: the Rust statements and the SQL files of this tree (generated
/// upgrade scripts and released archives left out), read from the source.
fn source_texts() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = String::new();
    let mut stack = vec![root.join("src"), root.join("sql")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                if name != "archive" && name != "demo" {
                    stack.push(path);
                }
            } else if (name.ends_with(".rs") || name.ends_with(".sql")) && !name.starts_with("pg_seating--") {
                out.push_str(&std::fs::read_to_string(&path).unwrap());
                out.push('\n');
            }
        }
    }
    out
}

/// Words followed by `(` (candidate function calls) and runs of operator characters.
fn tokens(text: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut words, mut ops) = (BTreeSet::new(), BTreeSet::new());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let ch = b[i];
        if ch.is_ascii_alphabetic() || ch == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let mut j = i;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            if j < b.len() && b[j] == b'(' {
                words.insert(text[start..i].to_ascii_lowercase());
            }
        } else if b"+-*/<>=~!@#%^&|`?".contains(&ch) {
            let start = i;
            while i < b.len() && b"+-*/<>=~!@#%^&|`?".contains(&b[i]) {
                i += 1;
            }
            let run = &text[start..i];
            // Every operator the run could hold (`a<>b`, `x>=$1`, `->>` and its prefixes).
            for s in 0..run.len() {
                for e in s + 1..=run.len() {
                    ops.insert(run[s..e].to_string());
                }
            }
        } else {
            i += 1;
        }
    }
    (words, ops)
}

/// The concrete instances a polymorphic signature is given: an element type with its array,
/// range and multirange (where they exist).
struct Instance {
    elem: String,
    array: String,
    range: Option<String>,
    multirange: Option<String>,
}

fn instances(c: &mut Client) -> (Vec<Instance>, Vec<Instance>) {
    let rows = c
        .query(
            "SELECT format_type(t.oid, NULL), format_type(t.typarray, NULL),
                    (SELECT format_type(r.rngtypid, NULL) FROM pg_range r WHERE r.rngsubtype = t.oid
                      ORDER BY r.rngtypid LIMIT 1),
                    (SELECT format_type(r.rngmultitypid, NULL) FROM pg_range r WHERE r.rngsubtype = t.oid
                      ORDER BY r.rngtypid LIMIT 1),
                    t.typtype = 'e'
               FROM pg_type t
              WHERE (t.oid IN ('uuid'::regtype, 'text'::regtype, 'integer'::regtype, 'bigint'::regtype,
                               'smallint'::regtype, 'numeric'::regtype, 'double precision'::regtype,
                               'boolean'::regtype, 'date'::regtype, 'time'::regtype, 'timestamp'::regtype,
                               'timestamptz'::regtype, 'interval'::regtype, 'jsonb'::regtype, 'json'::regtype,
                               'name'::regtype, 'character varying'::regtype, 'oid'::regtype, 'bytea'::regtype)
                     OR (t.typtype = 'e' AND t.typnamespace = 'public'::regnamespace))
              ORDER BY 1",
            &[],
        )
        .unwrap();
    let (mut all, mut enums) = (Vec::new(), Vec::new());
    for r in rows {
        let i = Instance { elem: r.get(0), array: r.get(1), range: r.get(2), multirange: r.get(3) };
        if r.get::<_, bool>(4) {
            enums.push(Instance { elem: i.elem.clone(), array: i.array.clone(), range: None, multirange: None });
        }
        all.push(i);
    }
    (all, enums)
}

/// A pseudo-type replaced by an instance's type, or None when the instance has no such type
/// (or the pseudo-type is one no call of ours can pass: internal, cstring, ...).
fn concrete(ty: &str, i: &Instance) -> Option<String> {
    match ty {
        "anyelement" | "anynonarray" | "anycompatible" | "anycompatiblenonarray" | "anyenum" | "\"any\"" => {
            Some(i.elem.clone())
        }
        "anyarray" | "anycompatiblearray" => Some(i.array.clone()),
        "anyrange" | "anycompatiblerange" => i.range.clone(),
        "anymultirange" | "anycompatiblemultirange" => i.multirange.clone(),
        "internal" | "cstring" | "trigger" | "event_trigger" | "language_handler" | "fdw_handler"
        | "index_am_handler" | "tsm_handler" | "table_am_handler" | "record" | "void" | "unknown" => None,
        t => Some(t.to_string()),
    }
}

const PSEUDO: &[&str] = &[
    "anyelement",
    "anynonarray",
    "anycompatible",
    "anycompatiblenonarray",
    "anyenum",
    "\"any\"",
    "anyarray",
    "anycompatiblearray",
    "anyrange",
    "anycompatiblerange",
    "anymultirange",
    "anycompatiblemultirange",
];

/// The DDL that plants the overloads, one statement each (each runs in its own savepoint: a
/// signature that cannot be created, such as one that already exists, is skipped).
fn planted_ddl(c: &mut Client, words: &BTreeSet<String>, ops: &BTreeSet<String>) -> Vec<String> {
    let (all, enums) = instances(c);
    let words: Vec<&String> = words.iter().collect();
    let ops: Vec<&String> = ops.iter().collect();
    let mut ddl = Vec::new();
    let mut n = 0usize;
    // The body warns (the test collects the warnings), then does what the built-in would, so that
    // one run finds every planted object a statement reaches; an aggregate's state function raises.
    let mut body = |label: &str, then: &str| -> String {
        n += 1;
        let label = label.replace('\'', "''");
        format!("LANGUAGE plpgsql AS $h{n}$BEGIN RAISE WARNING 'hijacked: {label}'; {then}; END$h{n}$")
    };
    // Functions, aggregates and window functions.
    let procs = c
        .query(
            "SELECT p.proname::text, p.prokind::text, p.proretset,
                    ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, k) ORDER BY k),
                    format_type(p.prorettype, NULL), p.provariadic <> 0,
                    p.proallargtypes IS NOT NULL
               FROM pg_proc p
              WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname::text = ANY ($1)
                AND p.prokind IN ('f', 'a', 'w')
              ORDER BY 1, 4",
            &[&words],
        )
        .unwrap();
    for p in procs {
        let (name, kind, retset, args, ret, variadic, out_args): (
            String,
            String,
            bool,
            Vec<String>,
            String,
            bool,
            bool,
        ) = (p.get(0), p.get(1), p.get(2), p.get(3), p.get(4), p.get(5), p.get(6));
        if out_args {
            continue; // OUT parameters: the same signature is hidden behind pg_catalog anyway
        }
        let polymorphic = args.iter().any(|a| PSEUDO.contains(&a.as_str()));
        let family: &[Instance] = if args.iter().any(|a| a == "anyenum") { &enums } else { &all };
        let mut signatures: BTreeSet<(Vec<String>, String)> = BTreeSet::new();
        for inst in family.iter().take(if polymorphic { family.len() } else { 1 }) {
            let Some(mut a): Option<Vec<String>> = args.iter().map(|t| concrete(t, inst)).collect() else { continue };
            let Some(r) = (if ret == "void" { Some(ret.clone()) } else { concrete(&ret, inst) }) else { continue };
            signatures.insert((a.clone(), r.clone()));
            // A variadic "any" list: the calls' own shapes (key/value pairs, all one type).
            if variadic && args.last().map(String::as_str) == Some("\"any\"") {
                let fixed = a.len() - 1;
                for extra in 1..=6 {
                    a.truncate(fixed);
                    a.extend((0..extra).map(|k| if k % 2 == 0 { "text".to_string() } else { inst.elem.clone() }));
                    signatures.insert((a.clone(), r.clone()));
                }
            }
        }
        for (a, r) in signatures {
            let label = format!("{name}({})", a.join(", "));
            let params = a.join(", ");
            if kind == "f" {
                let setof = if retset { "SETOF " } else { "" };
                let call = format!(
                    "pg_catalog.{name}({})",
                    (1..=a.len()).map(|k| format!("${k}")).collect::<Vec<_>>().join(", ")
                );
                let then = if retset {
                    format!("RETURN QUERY SELECT * FROM {call}")
                } else if r == "void" {
                    format!("PERFORM {call}")
                } else {
                    format!("RETURN {call}")
                };
                ddl.push(format!("CREATE FUNCTION public.{name}({params}) RETURNS {setof}{r} {}", body(&label, &then)));
            } else {
                // An aggregate whose state function raises (as a window function too: `lead(x) OVER`).
                if a.is_empty() {
                    continue;
                }
                let sfunc = format!("public.hijack_sfunc_{}", ddl.len());
                let then = format!("RAISE EXCEPTION 'hijacked: {}'", label.replace('\'', "''"));
                ddl.push(format!("CREATE FUNCTION {sfunc}({r}, {params}) RETURNS {r} {}", body(&label, &then)));
                ddl.push(format!("CREATE AGGREGATE public.{name}({params}) (SFUNC = {sfunc}, STYPE = {r})"));
            }
        }
    }
    // Operators.
    let operators = c
        .query(
            "SELECT o.oprname::text, format_type(o.oprleft, NULL), format_type(o.oprright, NULL),
                    format_type(o.oprresult, NULL)
               FROM pg_operator o
              WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND o.oprname::text = ANY ($1)
              ORDER BY 1, 2, 3",
            &[&ops],
        )
        .unwrap();
    for o in operators {
        let (name, left, right, ret): (String, String, String, String) = (o.get(0), o.get(1), o.get(2), o.get(3));
        let polymorphic = [&left, &right].iter().any(|a| PSEUDO.contains(&a.as_str()));
        let family: &[Instance] = if left == "anyenum" || right == "anyenum" { &enums } else { &all };
        let mut signatures = BTreeSet::new();
        for inst in family.iter().take(if polymorphic { family.len() } else { 1 }) {
            let l = if left == "-" { Some("NONE".to_string()) } else { concrete(&left, inst) };
            let (Some(l), Some(r), Some(res)) = (l, concrete(&right, inst), concrete(&ret, inst)) else { continue };
            signatures.insert((l, r, res));
        }
        for (l, r, res) in signatures {
            let label = format!("{l} {name} {r}");
            let f = format!("public.hijack_op_{}", ddl.len());
            let params = if l == "NONE" { r.clone() } else { format!("{l}, {r}") };
            let then = if l == "NONE" {
                format!("RETURN OPERATOR(pg_catalog.{name}) $1")
            } else {
                format!("RETURN $1 OPERATOR(pg_catalog.{name}) $2")
            };
            ddl.push(format!("CREATE FUNCTION {f}({params}) RETURNS {res} {}", body(&label, &then)));
            let left_arg = if l == "NONE" { String::new() } else { format!("LEFTARG = {l}, ") };
            ddl.push(format!("CREATE OPERATOR public.{name} ({left_arg}RIGHTARG = {r}, FUNCTION = {f})"));
        }
    }
    ddl
}

#[test]
fn overloads_planted_in_the_extension_schema_never_run() {
    guarded(DB, || {
        let notices = Arc::new(Mutex::new(Vec::<String>::new()));
        let mut c = connect_collecting(notices.clone());
        c.batch_execute("SELECT pg_seating_install()").unwrap();
        let ids = scenario::fixture(&mut c, "hijack");
        let mut never_hijacked = |name: &str, db: &DbError| {
            assert!(!db.message().contains("hijacked"), "{name}: a planted object ran: {}", db.message());
        };
        let before = scenario::run(&mut c, &ids, "", &mut never_hijacked);
        scenario::assert_did_real_work(&before);

        // What pg_seating calls: the source texts and the bodies of the installed functions.
        let mut text = source_texts();
        for r in c
            .query(
                "SELECT p.prosrc FROM pg_proc p
                  WHERE p.pronamespace = 'public'::regnamespace AND p.prolang <> (SELECT l.oid FROM pg_language l WHERE l.lanname = 'c')",
                &[],
            )
            .unwrap()
        {
            text.push_str(r.get::<_, &str>(0));
            text.push('\n');
        }
        let (words, ops) = tokens(&text);
        for expected in ["lower", "now", "array_agg", "jsonb_build_object", "unnest"] {
            assert!(words.contains(expected), "the scan finds {expected}(");
        }
        for expected in ["&&", "@>", "=", "<>", "||", "->>"] {
            assert!(ops.contains(expected), "the scan finds {expected}");
        }

        c.batch_execute("GRANT CREATE ON SCHEMA public TO authenticated").unwrap();
        let ddl = planted_ddl(&mut c, &words, &ops);
        let mut planted = 0;
        let mut tx = c.transaction().unwrap();
        tx.batch_execute("SET LOCAL ROLE authenticated").unwrap();
        for stmt in &ddl {
            tx.batch_execute("SAVEPOINT p").unwrap();
            match tx.batch_execute(stmt) {
                Ok(()) => planted += 1,
                Err(_) => tx.batch_execute("ROLLBACK TO SAVEPOINT p").unwrap(),
            }
        }
        tx.commit().unwrap();
        assert!(planted > 300, "planted {planted} of {} objects", ddl.len());

        // The planted objects are live: an unqualified call in the caller's own query runs them
        // (an enum comparison, a range bound, a uuid array aggregate).
        for probe in [
            "SELECT 'confirmed'::public.booking_status = 'confirmed'",
            "SELECT lower(tstzrange(now(), now() + interval '1 hour'))",
            "SELECT array_agg(x) FROM (VALUES (gen_random_uuid())) v(x)",
        ] {
            notices.lock().unwrap().clear();
            let raised = c.query_one(probe, &[]).err().and_then(|e| e.as_db_error().map(|d| d.message().to_string()));
            let warned = notices.lock().unwrap().iter().any(|n| n.starts_with("hijacked: "));
            assert!(warned || raised.is_some_and(|m| m.starts_with("hijacked: ")), "{probe} ran the built-in");
        }
        notices.lock().unwrap().clear();

        let mut raised = Vec::new();
        let after = scenario::run(&mut c, &ids, "", &mut |name: &str, db: &DbError| {
            if db.message().contains("hijacked") {
                raised.push(format!("{name}: {}", db.message()));
            }
        });
        let verify = c.query("SELECT kind, problem FROM pg_seating_verify()", &[]);
        let mut ran: Vec<String> =
            notices.lock().unwrap().iter().filter(|n| n.starts_with("hijacked")).cloned().collect();
        ran.sort();
        ran.dedup();
        ran.extend(raised);
        assert!(ran.is_empty(), "planted objects ran inside pg_seating:\n{}", ran.join("\n"));
        assert_eq!(after, before, "the planted objects changed what the RPCs did");
        // verify as the owner ran clean of planted code, and reports the grant that allowed it.
        let verify = verify.unwrap_or_else(|e| panic!("pg_seating_verify: {e}"));
        let problems: Vec<String> = verify.iter().map(|r| r.get::<_, String>(1)).collect();
        assert!(
            problems.iter().any(|p| p.starts_with("authenticated can CREATE in the extension's schema")),
            "{problems:?}"
        );
    });
}
