//! `ALTER EXTENSION pg_seating UPDATE` from the previous version keeps every row and ends with
//! exactly the objects of a fresh install of the new version.

use pg_seating_sql_tests::{connect, connect_to, extension_table_counts, pg_tool};

/// Every object of the extension, described by kind and identity (functions with their signature
/// and definition, relations with their columns' types, indexes and constraints with definitions).
fn objects(c: &mut postgres::Client) -> Vec<String> {
    c.query(
        "WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'pg_seating'),
              members AS (SELECT d.classid, d.objid FROM pg_depend d, ext WHERE d.refobjid = ext.oid AND d.deptype = 'e')
         SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(pg_get_functiondef(p.oid))
           FROM members m JOIN pg_proc p ON p.oid = m.objid WHERE m.classid = 'pg_proc'::regclass
         UNION ALL
         SELECT 'relation ' || c.relname || ' ' || c.relkind::text || ' ' ||
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
         ORDER BY 1",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn update_from_the_previous_version_keeps_rows_and_matches_a_fresh_install() {
    let old_db = format!("pg_seating_upgrade_{}", std::process::id());
    let new_db = format!("pg_seating_fresh_{}", std::process::id());
    pg_tool("createdb", &[&old_db]);
    pg_tool("createdb", &[&new_db]);
    let mut c = connect_to(&old_db);
    c.batch_execute("SET client_min_messages = warning; CREATE EXTENSION pg_seating VERSION '0.1.0' CASCADE").unwrap();
    c.batch_execute(include_str!("populate.sql")).unwrap();
    let before = extension_table_counts(&mut c);
    assert!(before.iter().all(|(_, n)| *n > 0), "{before:?}");

    c.batch_execute("ALTER EXTENSION pg_seating UPDATE").unwrap();
    let version: String = c.query_one("SELECT extversion FROM pg_extension WHERE extname = 'pg_seating'", &[]).unwrap().get(0);
    assert_eq!(version, "0.2.0");
    assert_eq!(extension_table_counts(&mut c), before, "rows changed by the update");
    // Updating twice is harmless (the script is idempotent).
    c.batch_execute(&format!("SELECT 1 FROM pg_extension; {}", include_str!("../../sql/pg_seating--0.1.0--0.2.0.sql").replace("@extschema@", "public")))
        .unwrap();

    let mut fresh = connect_to(&new_db);
    fresh.batch_execute("SET client_min_messages = warning; CREATE EXTENSION pg_seating CASCADE").unwrap();
    let (upgraded, installed) = (objects(&mut c), objects(&mut fresh));
    let only_upgraded: Vec<_> = upgraded.iter().filter(|o| !installed.contains(o)).collect();
    let only_fresh: Vec<_> = installed.iter().filter(|o| !upgraded.contains(o)).collect();
    assert!(only_upgraded.is_empty() && only_fresh.is_empty(), "differ:\nupgraded only {only_upgraded:#?}\nfresh only {only_fresh:#?}");

    // Every function still works on the old rows.
    let n: i64 = c
        .query_one("SELECT count(*) FROM find_assignment_anomalies() WHERE kind <> 'expired_hold'", &[])
        .unwrap()
        .get(0);
    assert!(n >= 0);
    c.batch_execute(
        "SELECT unassign_tables_atomic(id) FROM bookings;
         SELECT sweep_expired_holds();",
    )
    .unwrap();
    drop(c);
    drop(fresh);
    let _ = connect();
    pg_tool("dropdb", &[&old_db]);
    pg_tool("dropdb", &[&new_db]);
}
