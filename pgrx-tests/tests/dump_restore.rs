//! `pg_dump` of a database with the extension keeps the rows of its tables: dump, restore into
//! a new database, compare the row count of every table the extension owns.

use pg_seating_sql_tests::{connect, connect_to, database, extension_table_counts, pg_tool};

/// Puts at least one row into every table (all in one fresh restaurant).
fn populate(c: &mut postgres::Client) {
    c.batch_execute(include_str!("populate.sql")).expect("populate every table");
}

#[test]
fn dump_and_restore_keep_every_row() {
    let mut c = connect();
    populate(&mut c);
    let before = extension_table_counts(&mut c);
    assert!(before.len() >= 17, "extension tables: {before:?}");
    for (t, n) in &before {
        assert!(*n > 0, "populate left {t} empty");
    }

    let dump = std::env::temp_dir().join(format!("pg_seating_dump_{}.custom", std::process::id()));
    let dump_path = dump.to_str().unwrap().to_string();
    let target = format!("pg_seating_restore_{}", std::process::id());
    pg_tool("pg_dump", &["-Fc", "-d", &database(), "-f", &dump_path]);
    pg_tool("createdb", &[&target]);
    pg_tool("pg_restore", &["--exit-on-error", "-d", &target, &dump_path]);

    let mut r = connect_to(&target);
    let after = extension_table_counts(&mut r);
    assert_eq!(before, after, "row counts differ after restore");

    // Constraints and functions came back too.
    let excl: i64 = r
        .query_one("SELECT count(*) FROM pg_constraint WHERE conname IN ('allocations_no_overlap', 'bta_no_overlap')", &[])
        .unwrap()
        .get(0);
    assert_eq!(excl, 2);
    let v: String = r.query_one("SELECT pg_seating_version()", &[]).unwrap().get(0);
    assert!(!v.is_empty());
    // The identity sequence was dumped with its value: a new history row does not collide.
    r.batch_execute(
        "INSERT INTO booking_state_history (restaurant_id, booking_id, to_status)
         SELECT restaurant_id, id, 'pending' FROM bookings LIMIT 1",
    )
    .expect("history insert after restore");

    drop(r);
    pg_tool("dropdb", &[&target]);
    let _ = std::fs::remove_file(&dump);
}
