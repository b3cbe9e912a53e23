//! Backups (SPEC §9): the data model belongs to the database, so `pg_dump` keeps it like any other
//! table. The test database carries the app's additions (columns, one NOT NULL with a default,
//! indexes, a trigger, a membership table and policies: `pgrx-tests/app/app_additions.sql`); a
//! custom-format dump restored with `pg_restore --exit-on-error`, and a plain-SQL dump replayed
//! with `psql -v ON_ERROR_STOP=1`, must both give back every row of every table, every app column,
//! index, policy and trigger, the sequence's value, and a database where the functions work.

use pg_seating_sql_tests::{connect, connect_to, database, model_table_counts, pg_tool, MODEL_TABLES};
use postgres::Client;

/// What must survive: row counts of every model table, the app's columns with their values, and
/// the app's indexes, policies and triggers on the model's tables.
fn snapshot(c: &mut Client) -> (Vec<(String, i64)>, Vec<String>) {
    let counts = model_table_counts(c);
    let mut objects: Vec<String> = c
        .query(
            "SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                    || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
               FROM pg_attribute a
              WHERE a.attrelid IN ('public.bookings'::regclass, 'public.restaurants'::regclass,
                                   'public.table_inventory'::regclass, 'public.table_holds'::regclass)
                AND a.attnum > 0 AND NOT a.attisdropped
             UNION ALL
             SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
             UNION ALL
             SELECT 'policy ' || tablename || '.' || policyname || ' ' || coalesce(qual, '') FROM pg_policies
             UNION ALL
             SELECT 'trigger ' || tgrelid::regclass || '.' || tgname FROM pg_trigger WHERE NOT tgisinternal
             UNION ALL
             SELECT 'rls ' || relname || ' ' || relrowsecurity FROM pg_class
              WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
             UNION ALL
             SELECT 'acl ' || relname || ' ' || coalesce(relacl, acldefault(CASE relkind WHEN 'S' THEN 's' ELSE 'r' END::\"char\", relowner))::text FROM pg_class
              WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'v', 'S')
             UNION ALL
             SELECT 'history ids ' || string_agg(id::text, ',' ORDER BY id) FROM booking_state_history
             UNION ALL
             SELECT 'app values ' || count(*) FILTER (WHERE reference IS NOT NULL) || ' references, '
                    || count(*) FILTER (WHERE channel = 'web') || ' web' FROM bookings
             UNION ALL
             SELECT 'app values ' || count(*) FILTER (WHERE logo_url IS NOT NULL) || ' logos' FROM restaurants
             UNION ALL
             SELECT 'model version ' || max(version) FROM pg_seating_model_versions",
            &[],
        )
        .expect("snapshot")
        .iter()
        .map(|r| r.get(0))
        .collect();
    objects.sort();
    (counts, objects)
}

fn check_restored(target: &str, before: &(Vec<(String, i64)>, Vec<String>)) {
    let mut r = connect_to(target);
    let after = snapshot(&mut r);
    assert_eq!(before.0, after.0, "row counts differ after restore into {target}");
    let lost: Vec<_> = before.1.iter().filter(|o| !after.1.contains(o)).collect();
    let gained: Vec<_> = after.1.iter().filter(|o| !before.1.contains(o)).collect();
    assert!(lost.is_empty() && gained.is_empty(), "{target}: lost {lost:#?}\ngained {gained:#?}");

    // The restored database is healthy and the functions work on it.
    let diffs: Vec<String> = r
        .query("SELECT kind || ' ' || object || ': ' || problem FROM pg_seating_verify()", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(diffs.is_empty(), "{target}: verify reports {diffs:#?}");
    let applied: i64 = r.query_one("SELECT count(*) FROM pg_seating_install()", &[]).unwrap().get(0);
    assert_eq!(applied, 0, "{target}: pg_seating_install() had work left after the restore");
    let excl: i64 = r
        .query_one(
            "SELECT count(*) FROM pg_constraint WHERE conname IN ('allocations_no_overlap', 'bta_no_overlap')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(excl, 2);
    // The identity sequence came back with its value: a new history row does not collide.
    r.batch_execute(
        "INSERT INTO booking_state_history (restaurant_id, booking_id, to_status)
         SELECT restaurant_id, id, 'pending' FROM bookings LIMIT 1",
    )
    .expect("history insert after restore");
    // An RPC over the restored rows, and the app's trigger and columns on a new row.
    let n: i64 = r
        .query_one("SELECT count(*) FROM find_assignment_anomalies() WHERE kind <> 'expired_hold'", &[])
        .unwrap()
        .get(0);
    assert!(n >= 0);
    let pending_ref: Option<String> = r
        .query_one(
            "INSERT INTO bookings (restaurant_id, booking_date, start_time, end_time, party_size)
             SELECT id, '2027-01-01', '19:00', '21:00', 2 FROM restaurants LIMIT 1 RETURNING pending_ref",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(pending_ref.is_some(), "the app's trigger fires on the restored table");
}

#[test]
fn dump_and_restore_keep_every_row_app_column_and_object() {
    let mut c = connect();
    c.batch_execute(include_str!("populate.sql")).expect("populate every table");
    c.batch_execute(
        "UPDATE restaurants SET logo_url = 'https://example.com/logo.png', address = '1 High St'
          WHERE slug LIKE 'dump-%'",
    )
    .unwrap();
    let before = snapshot(&mut c);
    assert_eq!(before.0.len(), MODEL_TABLES.len());
    for (t, n) in &before.0 {
        assert!(*n > 0, "populate left {t} empty");
    }
    assert!(before.1.iter().any(|o| o.starts_with("column restaurants.logo_url")), "{:#?}", before.1);
    assert!(before.1.iter().any(|o| o.starts_with("policy bookings.app_staff_all")), "{:#?}", before.1);

    let pid = std::process::id();
    let custom = std::env::temp_dir().join(format!("pg_seating_dump_{pid}.custom"));
    let plain = std::env::temp_dir().join(format!("pg_seating_dump_{pid}.sql"));
    let (custom_path, plain_path) = (custom.to_str().unwrap().to_string(), plain.to_str().unwrap().to_string());

    pg_tool("pg_dump", &["-Fc", "-d", &database(), "-f", &custom_path]);
    let target = format!("pg_seating_restore_{pid}");
    pg_tool("createdb", &[&target]);
    pg_tool("pg_restore", &["--exit-on-error", "-d", &target, &custom_path]);
    check_restored(&target, &before);

    pg_tool("pg_dump", &["-d", &database(), "-f", &plain_path]);
    let target_plain = format!("pg_seating_restore_plain_{pid}");
    pg_tool("createdb", &[&target_plain]);
    pg_tool("psql", &["-qX", "-v", "ON_ERROR_STOP=1", "-d", &target_plain, "-f", &plain_path]);
    check_restored(&target_plain, &before);

    let _ = connect();
    pg_tool("dropdb", &[&target]);
    pg_tool("dropdb", &[&target_plain]);
    let _ = std::fs::remove_file(&custom);
    let _ = std::fs::remove_file(&plain);
}
