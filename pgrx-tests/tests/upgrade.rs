//! `ALTER EXTENSION pg_seating UPDATE` from every previous version keeps every row, detaches the
//! data model from the extension (0.4.0, SPEC §9; from 0.4.0 on it only replaces the code), and after `pg_seating_install()` ends with
//! exactly the objects of a fresh install of the current version: the extension's functions and the
//! model's relations, columns, keys, indexes, triggers, trigger functions, enums, row-level security
//! and privileges, in databases with Supabase's roles and default privileges. Then DROP EXTENSION
//! leaves the data, and CREATE EXTENSION + pg_seating_install() picks it up again.

use pg_seating_sql_tests::{
    connect, connect_to, model_table_counts, pg_tool, SupabaseRoles, SUPABASE_DEFAULT_PRIVILEGES,
};

/// Every function of the extension, and every object of the data model, described by kind and
/// identity (functions with their signature and definition, relations with their columns' types,
/// row-level security and privileges, indexes, constraints and triggers with definitions).
fn objects(c: &mut postgres::Client) -> Vec<String> {
    c.query(
        "WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'pg_seating'),
              members AS (SELECT d.classid, d.objid FROM pg_depend d, ext WHERE d.refobjid = ext.oid AND d.deptype = 'e'
                          UNION ALL
                          SELECT 'pg_class'::regclass, c.oid FROM pg_class c JOIN pg_seating_model_relations() m USING (relname, relkind)
                           WHERE c.relnamespace = 'public'::regnamespace
                          UNION ALL
                          SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
                             AND p.prorettype = 'trigger'::regtype AND p.proname LIKE 'pg\\_seating\\_%'
                          UNION ALL
                          SELECT 'pg_type'::regclass, t.oid FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace
                             AND t.typtype = 'e')
         SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(pg_get_functiondef(p.oid))
           FROM members m JOIN pg_proc p ON p.oid = m.objid WHERE m.classid = 'pg_proc'::regclass
         UNION ALL
         SELECT 'type ' || t.typname || ' ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
           FROM members m JOIN pg_type t ON t.oid = m.objid WHERE m.classid = 'pg_type'::regclass
         UNION ALL
         SELECT 'relation ' || c.relname || ' ' || c.relkind::text || ' rls ' || c.relrowsecurity || ' ' || coalesce(c.reloptions::text, '') || ' ' ||
                coalesce((SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum)
                            FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
           FROM members m JOIN pg_class c ON c.oid = m.objid WHERE m.classid = 'pg_class'::regclass
         UNION ALL
         SELECT 'index ' || i.indexrelid::regclass::text || ' ' || pg_get_indexdef(i.indexrelid)
           FROM members m JOIN pg_index i ON i.indrelid = m.objid WHERE m.classid = 'pg_class'::regclass
         UNION ALL
         SELECT 'constraint ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
           FROM members m JOIN pg_constraint co ON co.conrelid = m.objid WHERE m.classid = 'pg_class'::regclass
         UNION ALL
         SELECT 'trigger ' || t.tgname || ' ' || pg_get_triggerdef(t.oid)
           FROM members m JOIN pg_trigger t ON t.tgrelid = m.objid WHERE m.classid = 'pg_class'::regclass AND NOT t.tgisinternal
         UNION ALL
         SELECT 'privileges on function ' || p.oid::regprocedure::text || ' ' || coalesce(p.proacl::text, 'default')
           FROM members m JOIN pg_proc p ON p.oid = m.objid WHERE m.classid = 'pg_proc'::regclass
         UNION ALL
         SELECT 'privileges on relation ' || c.relname || ' ' || coalesce(c.relacl::text, 'default')
           FROM members m JOIN pg_class c ON c.oid = m.objid WHERE m.classid = 'pg_class'::regclass
         ORDER BY 1",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// A line of sql/versions: a version, the commit it was released from (None while in
/// development), the last model step its library applies, how its upgrade script is made.
struct Version {
    version: &'static str,
    released: Option<&'static str>,
    steps: i32,
    upgrade: &'static str,
}

/// sql/versions, oldest first: the one list of versions (scripts/upgrade-scripts and
/// scripts/release read it too).
fn versions() -> Vec<Version> {
    include_str!("../../sql/versions")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 4, "sql/versions: {l}");
            Version {
                version: f[0],
                released: (f[1] != "-").then_some(f[1]),
                steps: f[2].parse().expect("steps"),
                upgrade: f[3],
            }
        })
        .collect()
}

/// The version a fresh install gets: the extension crate's version.
fn current_version() -> String {
    include_str!("../../Cargo.toml")
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .map(|v| v.trim_end_matches('"').to_string())
        .expect("version in Cargo.toml")
}

/// A file of the repository.
fn repo_file(path: &str) -> String {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Every released version, updated to the current one, ends as a fresh install does.
#[test]
fn update_from_every_released_version() {
    for v in versions().iter().filter(|v| v.released.is_some()) {
        eprintln!("-- update from {}", v.version);
        update_from(v.version);
    }
}

/// The upgrade scripts the server under test has are build products made as sql/versions says
/// (scripts/upgrade-scripts): the step in sql/upgrade/, and for "step+install" the version's
/// install script after it, the archived one once released and the installed one for the
/// version in development. No upgrade script is committed.
#[test]
fn the_installed_upgrade_scripts_are_made_of_their_steps_and_install_scripts() {
    let mut c = connect();
    let sharedir: String = c.query_one("SELECT setting FROM pg_config WHERE name = 'SHAREDIR'", &[]).unwrap().get(0);
    let installed = |name: &str| {
        let path = format!("{sharedir}/extension/{name}");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e} (scripts/upgrade-scripts writes it)"))
    };
    let all = versions();
    for w in all.windows(2) {
        let (from, to) = (&w[0], &w[1]);
        let step = repo_file(&format!("sql/upgrade/{}--{}.sql", from.version, to.version));
        let expected = match to.upgrade {
            "step" => step,
            "step+install" => {
                let install = match to.released {
                    Some(_) => repo_file(&format!("sql/archive/pg_seating--{}.sql", to.version)),
                    None => installed(&format!("pg_seating--{}.sql", to.version)),
                };
                format!("{step}{install}")
            }
            other => panic!("sql/versions: unknown upgrade kind {other}"),
        };
        let name = format!("pg_seating--{}--{}.sql", from.version, to.version);
        assert!(installed(&name) == expected, "{name} is not its step followed by its install script");
        let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sql").join(&name);
        assert!(!committed.exists(), "{} is a build product: remove it", committed.display());
    }
}

#[test]
fn every_previous_version_has_an_upgrade_path_to_the_current_one() {
    let all = versions();
    let last = all.last().unwrap();
    assert_eq!(last.version, current_version(), "sql/versions must end at Cargo.toml's version");
    assert!(last.released.is_none(), "the current version is in development");
    assert!(all[..all.len() - 1].iter().all(|v| v.released.is_some()), "only the last version is unreleased");
    assert_eq!(all[0].upgrade, "-");
    for v in &all[..all.len() - 1] {
        let archived = format!("{}/../sql/archive/pg_seating--{}.sql", env!("CARGO_MANIFEST_DIR"), v.version);
        assert!(std::path::Path::new(&archived).exists(), "{archived} is archived");
    }
    let latest: i32 = connect().query_one("SELECT max(step) FROM pg_seating_model_steps()", &[]).unwrap().get(0);
    assert_eq!(last.steps, latest, "sql/versions' last line names the library's last model step");
}

/// The last model step released version `from` applied (its library embedded them).
fn released_steps(from: &str) -> i32 {
    versions().iter().find(|v| v.version == from && v.released.is_some()).map(|v| v.steps).expect("a released version")
}

/// What `pg_seating_install()` of version `from` did: the model steps that version shipped, each
/// recorded, then the privileges. (The library loaded here is the current one, whose installer
/// would apply every current step.)
fn model_as_of(from: &str) -> String {
    let last = released_steps(from);
    format!(
        "DO $$
         DECLARE r record;
         BEGIN
             CREATE TABLE public.pg_seating_model_versions (
                 version integer PRIMARY KEY, description text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now(), applied_by name NOT NULL DEFAULT current_user);
             COMMENT ON TABLE public.pg_seating_model_versions IS 'pg_seating: the data model steps pg_seating_install() applied';
             FOR r IN SELECT * FROM pg_seating_model_steps() WHERE step <= {last} ORDER BY step LOOP
                 EXECUTE replace(r.sql, '@' || 'extschema@', 'public');
                 INSERT INTO public.pg_seating_model_versions (version, description) VALUES (r.step, r.description);
             END LOOP;
             PERFORM pg_seating_secure('public');
         END $$"
    )
}

fn update_from(from: &str) {
    let current = current_version();
    let roles = SupabaseRoles::ensure();
    let tag = format!("{}_{}", from.replace('.', "_"), std::process::id());
    let old_db = format!("pg_seating_upgrade_{tag}");
    let new_db = format!("pg_seating_fresh_{tag}");
    pg_tool("createdb", &[&old_db]);
    pg_tool("createdb", &[&new_db]);
    let mut c = connect_to(&old_db);
    c.batch_execute(SUPABASE_DEFAULT_PRIVILEGES).unwrap();
    c.batch_execute(&format!("CREATE EXTENSION pg_seating VERSION '{from}' CASCADE")).unwrap();
    // From 0.4.0 the model is the database's own: installed by pg_seating_install(), not by the
    // extension.
    let owns_model = released_steps(from) > 0;
    if owns_model {
        c.batch_execute(&model_as_of(from)).unwrap();
    }
    c.batch_execute(include_str!("populate.sql")).unwrap();
    let before = model_table_counts(&mut c);
    assert!(before.iter().all(|(_, n)| *n > 0), "{before:?}");

    c.batch_execute("ALTER EXTENSION pg_seating UPDATE").unwrap();
    let version: String =
        c.query_one("SELECT extversion FROM pg_extension WHERE extname = 'pg_seating'", &[]).unwrap().get(0);
    assert_eq!(version, current);
    assert_eq!(model_table_counts(&mut c), before, "rows changed by the update");
    let members: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_depend d WHERE d.deptype = 'e'
                AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')
                AND d.classid IN ('pg_class'::regclass, 'pg_type'::regclass)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(members, 0, "the update detaches every table, view, sequence and type");
    let config: bool =
        c.query_one("SELECT extconfig IS NULL FROM pg_extension WHERE extname = 'pg_seating'", &[]).unwrap().get(0);
    assert!(config, "nothing left in pg_extension_config_dump");

    let did: Vec<String> = c
        .query("SELECT action || ' ' || object FROM pg_seating_install()", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    if owns_model {
        let shipped = released_steps(from);
        let latest: i32 = c.query_one("SELECT max(step) FROM pg_seating_model_steps()", &[]).unwrap().get(0);
        let applied = did.iter().any(|a| a.starts_with("apply"));
        assert_eq!(applied, shipped < latest, "the model steps newer than {from}'s are applied, no other: {did:#?}");
        let ids: Vec<(String, String)> = c
            .query("SELECT pg_typeof(id)::text, to_status::text FROM booking_state_history ORDER BY id", &[])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        assert!(!ids.is_empty() && ids.iter().all(|(t, _)| t == "uuid"), "history ids became uuids: {ids:?}");
    } else {
        assert!(did.iter().any(|a| a.starts_with("adopt")), "{did:#?}");
    }
    assert_eq!(model_table_counts(&mut c), before, "rows lost by pg_seating_install()");
    let diffs: Vec<String> = c
        .query("SELECT kind || ' ' || object || ': ' || problem FROM pg_seating_verify()", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(diffs.is_empty(), "verify after the update: {diffs:#?}");

    let mut fresh = connect_to(&new_db);
    fresh.batch_execute(SUPABASE_DEFAULT_PRIVILEGES).unwrap();
    fresh.batch_execute("CREATE EXTENSION pg_seating CASCADE; SELECT pg_seating_install()").unwrap();
    let (upgraded, installed) = (objects(&mut c), objects(&mut fresh));
    let only_upgraded: Vec<_> = upgraded.iter().filter(|o| !installed.contains(o)).collect();
    let only_fresh: Vec<_> = installed.iter().filter(|o| !upgraded.contains(o)).collect();
    assert!(
        only_upgraded.is_empty() && only_fresh.is_empty(),
        "differ:\nupgraded only {only_upgraded:#?}\nfresh only {only_fresh:#?}"
    );
    assert!(
        upgraded.iter().any(|o| o.starts_with("privileges on relation bookings") && o.contains("service_role=arwd/")),
        "service_role keeps exactly its DML on the tables: {upgraded:#?}"
    );
    assert!(upgraded.iter().any(|o| o.starts_with("relation bookings r rls true")), "{upgraded:#?}");

    // Every function still works on the old rows.
    let n: i64 = c
        .query_one("SELECT count(*) FROM find_assignment_anomalies() WHERE kind <> 'expired_hold'", &[])
        .unwrap()
        .get(0);
    assert!(n >= 0);
    c.batch_execute(
        "SELECT unassign_tables_atomic(id) FROM bookings WHERE status <> 'checked_in';
         SELECT sweep_expired_holds();",
    )
    .unwrap();

    // DROP EXTENSION leaves the data; CREATE EXTENSION + pg_seating_install() picks it up again.
    let kept = model_table_counts(&mut c);
    c.batch_execute("DROP EXTENSION pg_seating").unwrap();
    assert_eq!(model_table_counts(&mut c), kept, "DROP EXTENSION touched the data");
    c.batch_execute("CREATE EXTENSION pg_seating").unwrap();
    let left: i64 =
        c.query_one("SELECT count(*) FROM pg_seating_install() WHERE action = 'apply'", &[]).unwrap().get(0);
    assert_eq!(left, 0, "the kept model is complete");
    let diffs: i64 = c.query_one("SELECT count(*) FROM pg_seating_verify()", &[]).unwrap().get(0);
    assert_eq!(diffs, 0);
    assert_eq!(objects(&mut c), installed, "re-created extension on the kept model equals a fresh install");
    drop(c);
    drop(fresh);
    let _ = connect();
    pg_tool("dropdb", &[&old_db]);
    pg_tool("dropdb", &[&new_db]);
    roles.drop_created();
}
