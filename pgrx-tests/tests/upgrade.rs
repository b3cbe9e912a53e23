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

/// The upgrade scripts, oldest first.
const SCRIPTS: &[(&str, &str, &str)] = &[
    ("0.1.0", "0.2.0", include_str!("../../sql/pg_seating--0.1.0--0.2.0.sql")),
    ("0.2.0", "0.3.0", include_str!("../../sql/pg_seating--0.2.0--0.3.0.sql")),
    ("0.3.0", "0.4.0", include_str!("../../sql/pg_seating--0.3.0--0.4.0.sql")),
    ("0.4.0", "0.5.0", include_str!("../../sql/pg_seating--0.4.0--0.5.0.sql")),
    ("0.5.0", "0.6.0", include_str!("../../sql/pg_seating--0.5.0--0.6.0.sql")),
    ("0.6.0", "0.7.0", include_str!("../../sql/pg_seating--0.6.0--0.7.0.sql")),
    ("0.7.0", "0.8.0", include_str!("../../sql/pg_seating--0.7.0--0.8.0.sql")),
];

/// The version a fresh install gets: the extension crate's version.
fn current_version() -> String {
    include_str!("../../Cargo.toml")
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .map(|v| v.trim_end_matches('"').to_string())
        .expect("version in Cargo.toml")
}

#[test]
fn update_from_0_1_0() {
    update_from("0.1.0");
}

#[test]
fn update_from_0_2_0() {
    update_from("0.2.0");
}

#[test]
fn update_from_0_3_0() {
    update_from("0.3.0");
}

#[test]
fn update_from_0_4_0() {
    update_from("0.4.0");
}

#[test]
fn update_from_0_5_0() {
    update_from("0.5.0");
}

#[test]
fn update_from_0_6_0() {
    update_from("0.6.0");
}

#[test]
fn update_from_0_7_0() {
    update_from("0.7.0");
}

/// The 0.7.0 -> 0.8.0 script is the replace step followed by the current install script
/// (scripts/upgrade-script writes it): it must start with the replace step as committed. The
/// released scripts end with the archived install scripts of their versions.
#[test]
fn the_update_scripts_are_made_of_their_steps_and_install_scripts() {
    let head = include_str!("../../sql/upgrade/0.7.0--0.8.0-replace.sql");
    let script = SCRIPTS.last().unwrap().2;
    assert!(script.starts_with(head), "run scripts/upgrade-script");
    assert!(script.contains("CREATE FUNCTION @extschema@.pg_seating_distribute()"), "run scripts/upgrade-script");
    let released = format!(
        "{}{}",
        include_str!("../../sql/upgrade/0.3.0--0.4.0-detach.sql"),
        include_str!("../../sql/archive/pg_seating--0.4.0.sql")
    );
    assert_eq!(SCRIPTS[2].2, released, "the released 0.3.0 -> 0.4.0 script is never rewritten");
    let released = format!(
        "{}{}",
        include_str!("../../sql/upgrade/0.4.0--0.5.0-replace.sql"),
        include_str!("../../sql/archive/pg_seating--0.5.0.sql")
    );
    assert_eq!(SCRIPTS[3].2, released, "the released 0.4.0 -> 0.5.0 script is never rewritten");
    let released = format!(
        "{}{}",
        include_str!("../../sql/upgrade/0.5.0--0.6.0-replace.sql"),
        include_str!("../../sql/archive/pg_seating--0.6.0.sql")
    );
    assert_eq!(SCRIPTS[4].2, released, "the released 0.5.0 -> 0.6.0 script is never rewritten");
    let released = format!(
        "{}{}",
        include_str!("../../sql/upgrade/0.6.0--0.7.0-replace.sql"),
        include_str!("../../sql/archive/pg_seating--0.7.0.sql")
    );
    assert_eq!(SCRIPTS[5].2, released, "the released 0.6.0 -> 0.7.0 script is never rewritten");
}

#[test]
fn every_previous_version_has_an_upgrade_path_to_the_current_one() {
    let current = current_version();
    assert_eq!(SCRIPTS.last().unwrap().1, current, "the last upgrade script must lead to the current version");
    for w in SCRIPTS.windows(2) {
        assert_eq!(w[0].1, w[1].0, "the scripts form one chain");
    }
    for (from, _, _) in SCRIPTS {
        let archived = format!("{}/../sql/archive/pg_seating--{from}.sql", env!("CARGO_MANIFEST_DIR"));
        assert!(std::path::Path::new(&archived).exists(), "{archived} is archived");
    }
}

/// The model steps each released version applied (its library embedded them).
const RELEASED_STEPS: &[(&str, i32)] = &[("0.4.0", 4), ("0.5.0", 6), ("0.6.0", 9), ("0.7.0", 10)];

/// What `pg_seating_install()` of version `from` did: the model steps that version shipped, each
/// recorded, then the privileges. (The library loaded here is the current one, whose installer
/// would apply every current step.)
fn model_as_of(from: &str) -> String {
    let last = RELEASED_STEPS.iter().find(|(v, _)| *v == from).map(|(_, s)| *s).expect("steps of a released version");
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
    let owns_model = from >= "0.4.0";
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
        let shipped = RELEASED_STEPS.iter().find(|(v, _)| *v == from).map(|(_, s)| *s).expect("released steps");
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
