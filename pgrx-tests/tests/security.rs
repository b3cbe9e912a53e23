//! The security matrix, in a database set up the way Supabase sets one up: roles `anon`,
//! `authenticated` and `service_role` exist before the extension, all three have USAGE on
//! `public`, and default privileges grant every new function, table and sequence in `public` to
//! all of them. Then `CREATE EXTENSION pg_seating` and `SELECT pg_seating_install()`, and:
//!
//! 1. The matrix, from the catalog, for every function of the extension and every relation and
//!    trigger function of the data model (SPEC §1, §9): anon can do nothing; authenticated can
//!    SELECT, INSERT, UPDATE, DELETE the tables and nothing else (rows only through the app's
//!    row-level security policies, none here); service_role can execute every RPC (not the admin
//!    functions) and read and write the tables; TRUNCATE, REFERENCES and TRIGGER stay with the
//!    owner, who can do everything. Then the same by behaviour: anon gets 42501 calling each
//!    function and reading each relation; authenticated gets 42501 calling each function, sees no
//!    row of any table and cannot insert one (row-level security, 42501).
//! 2. Every SECURITY DEFINER function, and every SQL or PL/pgSQL function, pins its search_path,
//!    with pg_catalog first (SPEC §10: no same-named function in the extension's schema outranks a
//!    built-in) and pg_temp named last (unnamed, it would be searched first for relations).
//! 3. A hostile caller: service_role, with a schema of its own holding tables, functions and
//!    operators that shadow the ones the extension uses (each shadowing function raises), and a
//!    temporary table shadowing `bookings`, puts that schema first on its search_path. A scenario
//!    calling every RPC must give the same results as with the normal search_path.

use pg_seating_sql_tests::{connect_to, pg_tool, scenario, SupabaseRoles, SUPABASE_DEFAULT_PRIVILEGES};
use postgres::error::DbError;
use postgres::Client;

const DB: &str = "pg_seating_security";
struct Setup {
    roles: SupabaseRoles,
}

fn setup() -> Setup {
    let mut admin = connect_to("postgres");
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {DB}")).unwrap();
    let roles = SupabaseRoles::ensure();
    pg_tool("createdb", &[DB]);
    let mut c = connect_to(DB);
    c.batch_execute(SUPABASE_DEFAULT_PRIVILEGES).unwrap();
    c.batch_execute("CREATE EXTENSION pg_seating CASCADE; SELECT pg_seating_install()").unwrap();
    Setup { roles }
}

fn teardown(s: Setup) {
    let mut admin = connect_to("postgres");
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {DB} WITH (FORCE)")).unwrap();
    s.roles.drop_created();
}

const EXTENSION_FUNCTIONS: &str = "
    SELECT p.oid::regprocedure::text, p.proname::text, p.pronargs::int, p.prosecdef, l.lanname::text,
           coalesce(array_to_string(p.proconfig, ';'), ''), pg_get_userbyid(p.proowner)::text,
           p.prorettype = 'trigger'::regtype
      FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
      JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
     WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')
     ORDER BY 1";

const MODEL_RELATIONS: &str = "
    SELECT c.oid::regclass::text, c.relkind::text, pg_get_userbyid(c.relowner)::text
      FROM pg_class c JOIN pg_seating_model_relations() m USING (relname, relkind)
     WHERE c.relnamespace = 'public'::regnamespace
     ORDER BY 1";

/// The model's trigger functions (they belong to the database, not to the extension).
const MODEL_FUNCTIONS: &str = "
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'public'::regnamespace AND p.prorettype = 'trigger'::regtype
       AND p.proname LIKE 'pg\\_seating\\_%'
     ORDER BY 1";

/// Functions only their owner executes.
const ADMIN: &[&str] = &[
    "pg_seating_install",
    "pg_seating_verify",
    "pg_seating_grant",
    "pg_seating_model_steps",
    "pg_seating_model_relations",
    "pg_seating_admin_functions",
    "pg_seating_secure",
    "pg_seating_model_objects",
    "pg_seating_distribute",
    "pg_seating_undistribute",
    "pg_seating_distributed_tables",
    "pg_seating_companions",
    "pg_seating_schema_writers",
];

fn has(c: &mut Client, sql: &str, role: &str, object: &str, privilege: &str) -> bool {
    c.query_one(sql, &[&role, &object, &privilege]).unwrap_or_else(|e| panic!("{object} {privilege}: {e}")).get(0)
}

#[test]
fn security_matrix_pinned_search_paths_and_hostile_callers() {
    let s = setup();
    let result = std::panic::catch_unwind(|| {
        let mut c = connect_to(DB);
        matrix(&mut c);
        pinned_search_paths(&mut c);
        hostile_search_path(&mut c);
    });
    teardown(s);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

fn matrix(c: &mut Client) {
    let owner = "postgres";
    let functions = c.query(EXTENSION_FUNCTIONS, &[]).unwrap();
    assert!(functions.len() > 30, "functions of the extension: {}", functions.len());
    let mut failures = Vec::new();
    for f in &functions {
        let sig: String = f.get(0);
        let (name, fn_owner): (String, String) = (f.get(1), f.get(6));
        assert_eq!(fn_owner, owner, "{sig} is owned by the extension's owner");
        let service = !ADMIN.contains(&name.as_str());
        for (role, expected) in [("anon", false), ("authenticated", false), ("service_role", service), (owner, true)] {
            let got = has(c, "SELECT has_function_privilege($1, $2::text::regprocedure, $3)", role, &sig, "EXECUTE");
            if got != expected {
                failures.push(format!("{role} EXECUTE {sig}: {got}, expected {expected}"));
            }
        }
    }
    for f in c.query(MODEL_FUNCTIONS, &[]).unwrap() {
        let sig: String = f.get(0);
        for (role, expected) in [("anon", false), ("authenticated", false), ("service_role", false), (owner, true)] {
            let got = has(c, "SELECT has_function_privilege($1, $2::text::regprocedure, $3)", role, &sig, "EXECUTE");
            if got != expected {
                failures.push(format!("{role} EXECUTE {sig}: {got}, expected {expected}"));
            }
        }
    }
    // The model's column default (booking_state_history.id): the server inserts rows, clients none.
    for (role, expected) in [("anon", false), ("authenticated", false), ("service_role", true), (owner, true)] {
        let got = has(
            c,
            "SELECT has_function_privilege($1, $2::text::regprocedure, $3)",
            role,
            "pg_seating_history_id()",
            "EXECUTE",
        );
        if got != expected {
            failures.push(format!("{role} EXECUTE pg_seating_history_id(): {got}, expected {expected}"));
        }
    }
    let relations = c.query(MODEL_RELATIONS, &[]).unwrap();
    assert_eq!(relations.len(), 20, "relations of the model: {relations:?}");
    for r in &relations {
        let (rel, kind, rel_owner): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        assert_eq!(rel_owner, owner, "{rel} is owned by the caller of pg_seating_install()");
        let bookkeeping = rel == "pg_seating_model_versions";
        let privileges: &[&str] = if kind == "S" {
            &["USAGE", "SELECT", "UPDATE"]
        } else {
            &["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
        };
        let check = if kind == "S" {
            "SELECT has_sequence_privilege($1, $2, $3)"
        } else {
            "SELECT has_table_privilege($1, $2::text::regclass, $3)"
        };
        for p in privileges {
            let service = !bookkeeping
                && matches!(
                    (kind.as_str(), *p),
                    ("S", "USAGE" | "SELECT") | ("v", "SELECT") | ("r", "SELECT" | "INSERT" | "UPDATE" | "DELETE")
                );
            let staff = !bookkeeping && kind == "r" && matches!(*p, "SELECT" | "INSERT" | "UPDATE" | "DELETE");
            for (role, expected) in
                [("anon", false), ("authenticated", staff), ("service_role", service), (owner, true)]
            {
                let got = has(c, check, role, &rel, p);
                if got != expected {
                    failures.push(format!("{role} {p} ON {rel}: {got}, expected {expected}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "privilege matrix:\n{}", failures.join("\n"));

    // The same by behaviour: every function and relation refuses anon with 42501; authenticated
    // cannot call a function and, with a row in every table, sees none of them.
    c.batch_execute(include_str!("populate.sql")).unwrap();
    for role in ["anon", "authenticated"] {
        for f in &functions {
            let (name, nargs, trigger): (String, i32, bool) = (f.get(1), f.get(2), f.get(7));
            if trigger {
                continue; // trigger functions cannot be called directly by anyone
            }
            let args = vec!["NULL"; nargs as usize].join(", ");
            let mut tx = c.transaction().unwrap();
            tx.batch_execute(&format!("SET LOCAL ROLE {role}")).unwrap();
            let err = tx
                .query(&format!("SELECT * FROM public.{name}({args})"), &[])
                .expect_err(&format!("{role} may call {name}"));
            assert_eq!(err.code().map(|s| s.code()), Some("42501"), "{role} calling {name}: {err}");
            tx.rollback().unwrap();
        }
        for r in &relations {
            let (rel, kind): (String, String) = (r.get(0), r.get(1));
            let mut tx = c.transaction().unwrap();
            tx.batch_execute(&format!("SET LOCAL ROLE {role}")).unwrap();
            let read = tx.query(&format!("SELECT * FROM {rel} LIMIT 1"), &[]);
            if role == "authenticated" && kind == "r" && rel != "pg_seating_model_versions" {
                // Row-level security without a policy of the app's: no row, and no insert.
                assert_eq!(
                    read.unwrap_or_else(|e| panic!("{role} reading {rel}: {e}")).len(),
                    0,
                    "{role} sees rows of {rel}"
                );
                let err = tx
                    .batch_execute(&format!("INSERT INTO {rel} DEFAULT VALUES"))
                    .expect_err(&format!("{role} may insert into {rel}"));
                assert_eq!(err.code().map(|s| s.code()), Some("42501"), "{role} inserting into {rel}: {err}");
            } else {
                let err = read.expect_err(&format!("{role} may read {rel}"));
                assert_eq!(err.code().map(|s| s.code()), Some("42501"), "{role} reading {rel}: {err}");
            }
            tx.rollback().unwrap();
        }
    }
    // service_role really can: read every relation and write through the RPCs (checked in hostile_search_path).
    for r in &relations {
        let rel: String = r.get(0);
        if rel == "pg_seating_model_versions" {
            continue;
        }
        let mut tx = c.transaction().unwrap();
        tx.batch_execute("SET LOCAL ROLE service_role").unwrap();
        tx.query(&format!("SELECT * FROM {rel} LIMIT 1"), &[])
            .unwrap_or_else(|e| panic!("service_role reading {rel}: {e}"));
        tx.rollback().unwrap();
    }
}

fn pinned_search_paths(c: &mut Client) {
    let mut failures = Vec::new();
    let mut definers = 0;
    for f in c.query(EXTENSION_FUNCTIONS, &[]).unwrap() {
        let (sig, secdef, lang, config): (String, bool, String, String) = (f.get(0), f.get(3), f.get(4), f.get(5));
        definers += usize::from(secdef);
        if !(secdef || lang == "sql" || lang == "plpgsql") {
            continue; // C functions that run no SQL (pg_seating_version)
        }
        let path = config.split(';').find_map(|s| s.strip_prefix("search_path="));
        match path {
            None => failures.push(format!("{sig} ({lang}, security definer {secdef}): no pinned search_path")),
            Some(p) => {
                let parts: Vec<&str> = p.split(',').map(str::trim).collect();
                // SPEC §10: built-ins before anything a role could create in the extension's schema.
                if parts.first() != Some(&"pg_catalog") || parts.last() != Some(&"pg_temp") {
                    failures.push(format!("{sig}: search_path {p} must start with pg_catalog and end with pg_temp"));
                }
            }
        }
    }
    assert!(definers >= 20, "SECURITY DEFINER functions: {definers}");
    assert!(failures.is_empty(), "search paths:\n{}", failures.join("\n"));
}

/// Objects a hostile caller puts in front of everything: each function raises when called, each
/// operator raises, each table is an empty look-alike.
const HOSTILE: &str = r#"
CREATE SCHEMA hostile AUTHORIZATION service_role;
SET ROLE service_role;
CREATE FUNCTION hostile.hijacked(text) RETURNS boolean LANGUAGE plpgsql AS
    $$BEGIN RAISE EXCEPTION 'hijacked: %', $1; END$$;
CREATE FUNCTION hostile.now() RETURNS timestamptz LANGUAGE plpgsql AS
    $$BEGIN PERFORM hostile.hijacked('now'); RETURN NULL; END$$;
CREATE FUNCTION hostile.gen_random_uuid() RETURNS uuid LANGUAGE plpgsql AS
    $$BEGIN PERFORM hostile.hijacked('gen_random_uuid'); RETURN NULL; END$$;
CREATE FUNCTION hostile.tstzrange(timestamptz, timestamptz) RETURNS tstzrange LANGUAGE plpgsql AS
    $$BEGIN PERFORM hostile.hijacked('tstzrange'); RETURN NULL; END$$;
CREATE FUNCTION hostile.tstzrange(timestamptz, timestamptz, text) RETURNS tstzrange LANGUAGE plpgsql AS
    $$BEGIN PERFORM hostile.hijacked('tstzrange/3'); RETURN NULL; END$$;
CREATE FUNCTION hostile.lower(anyrange) RETURNS timestamptz LANGUAGE plpgsql AS
    $$BEGIN PERFORM hostile.hijacked('lower'); RETURN NULL; END$$;
CREATE FUNCTION hostile.jsonb_build_object(text, text) RETURNS jsonb LANGUAGE plpgsql AS
    $$BEGIN PERFORM hostile.hijacked('jsonb_build_object'); RETURN NULL; END$$;
CREATE FUNCTION hostile.array_length(anyarray, integer) RETURNS integer LANGUAGE plpgsql AS
    $$BEGIN PERFORM hostile.hijacked('array_length'); RETURN NULL; END$$;
CREATE FUNCTION hostile.md5(text) RETURNS text LANGUAGE plpgsql AS
    $$BEGIN PERFORM hostile.hijacked('md5'); RETURN NULL; END$$;
CREATE FUNCTION hostile.uuid_eq(uuid, uuid) RETURNS boolean LANGUAGE plpgsql AS
    $$BEGIN RETURN hostile.hijacked('= on uuid'); END$$;
CREATE OPERATOR hostile.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = hostile.uuid_eq);
CREATE FUNCTION hostile.range_overlaps(tstzrange, tstzrange) RETURNS boolean LANGUAGE plpgsql AS
    $$BEGIN RETURN hostile.hijacked('&& on tstzrange'); END$$;
CREATE OPERATOR hostile.&& (LEFTARG = tstzrange, RIGHTARG = tstzrange, FUNCTION = hostile.range_overlaps);
CREATE FUNCTION hostile.ts_lt(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql AS
    $$BEGIN RETURN hostile.hijacked('< on timestamptz'); END$$;
CREATE OPERATOR hostile.< (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = hostile.ts_lt);
CREATE FUNCTION hostile.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS
    $$BEGIN RETURN hostile.hijacked('= on text'); END$$;
CREATE OPERATOR hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.text_eq);
CREATE TABLE hostile.bookings (id uuid, restaurant_id uuid, status text);
CREATE TABLE hostile.table_inventory (id uuid, restaurant_id uuid);
CREATE TABLE hostile.allocations (id uuid, restaurant_id uuid);
CREATE TABLE hostile.booking_table_assignments (id uuid, restaurant_id uuid, booking_id uuid);
RESET ROLE;
"#;

fn hostile_search_path(c: &mut Client) {
    let ids = scenario::fixture(c, "sec");
    let mut never_hijacked = |name: &str, db: &DbError| {
        assert!(!db.message().contains("hijacked"), "{name}: the hostile search_path was used: {}", db.message());
    };
    let normal = scenario::run(c, &ids, "", &mut never_hijacked);
    c.batch_execute(HOSTILE).unwrap();
    // The shadowing objects work: a caller's own unqualified query does run them.
    let mut tx = c.transaction().unwrap();
    tx.batch_execute("SET LOCAL ROLE service_role; SET LOCAL search_path = hostile, pg_catalog, public").unwrap();
    let err = tx.query_one("SELECT now()", &[]).expect_err("hostile now() is found first");
    assert!(err.as_db_error().unwrap().message().contains("hijacked: now"), "{err}");
    tx.rollback().unwrap();
    let mut tx = c.transaction().unwrap();
    tx.batch_execute("SET LOCAL ROLE service_role; SET LOCAL search_path = hostile, pg_catalog, public").unwrap();
    let err = tx
        .query_one("SELECT count(*) FROM public.bookings WHERE id = id", &[])
        .expect_err("hostile = on uuid is found first");
    assert!(err.as_db_error().unwrap().message().contains("hijacked: = on uuid"), "{err}");
    tx.rollback().unwrap();

    let attacked = scenario::run(
        c,
        &ids,
        "CREATE TEMP TABLE bookings (id uuid, restaurant_id uuid, status text);
         SET LOCAL search_path = hostile, pg_catalog, public",
        &mut never_hijacked,
    );
    assert_eq!(attacked, normal, "a hostile search_path changed the results");
    scenario::assert_did_real_work(&normal);
}
