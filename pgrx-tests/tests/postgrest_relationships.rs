//! PostgREST's relationship detection, from the catalog (SPEC §9, APP-CONTRACT.md §5): an embed
//! such as `bookings?select=…,restaurants(timezone)` fails with PGRST201 when two tables are linked
//! by more than one relationship. PostgREST counts
//!   * every direct foreign key between the two tables (either direction), and
//!   * every many-to-many link through a junction: a table whose primary key contains the columns
//!     of a foreign key to each of the two tables (two different foreign keys).
//!
//! The model must give every pair of its tables at most one relationship, but for the documented
//! exceptions below, none of which the app embeds.

use std::collections::BTreeMap;

use pg_seating_sql_tests::connect;
use postgres::GenericClient;

/// Pairs (alphabetical) with more than one relationship on purpose, and why.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "allocations",
        "booking_table_assignments",
        "an assignment points at its table allocation and at its merge group: two keys, never embedded",
    ),
    (
        "table_adjacencies",
        "table_inventory",
        "an adjacency names two tables (table_a, table_b); embed with the key's name, table_inventory!table_a",
    ),
];

/// Every relationship PostgREST would see between tables of `schema`, as "a|b" (names in
/// alphabetical order) -> descriptions.
fn relationships(c: &mut impl GenericClient, schema: &str) -> BTreeMap<String, Vec<String>> {
    let rows = c
        .query(
            "WITH fk AS (
                 SELECT co.oid, co.conname, co.conrelid, co.confrelid, co.conkey
                   FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
                  WHERE co.contype = 'f' AND c.relnamespace = $1::text::regnamespace
                    AND (SELECT relnamespace FROM pg_class WHERE oid = co.confrelid) = $1::text::regnamespace),
             pk AS (
                 SELECT co.conrelid, co.conkey FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
                  WHERE co.contype = 'p' AND c.relnamespace = $1::text::regnamespace)
             SELECT least(a.relname, b.relname)::text, greatest(a.relname, b.relname)::text,
                    'foreign key ' || fk.conname || ' on ' || (SELECT relname FROM pg_class WHERE oid = fk.conrelid)
               FROM fk JOIN pg_class a ON a.oid = fk.conrelid JOIN pg_class b ON b.oid = fk.confrelid
             UNION ALL
             SELECT least(a.relname, b.relname)::text, greatest(a.relname, b.relname)::text,
                    'junction ' || j.relname || ' (' || f1.conname || ', ' || f2.conname || ')'
               FROM fk f1 JOIN fk f2 ON f2.conrelid = f1.conrelid AND f1.oid < f2.oid
               JOIN pk ON pk.conrelid = f1.conrelid
               JOIN pg_class j ON j.oid = f1.conrelid
               JOIN pg_class a ON a.oid = f1.confrelid JOIN pg_class b ON b.oid = f2.confrelid
              WHERE f1.conkey <@ pk.conkey AND f2.conkey <@ pk.conkey
              ORDER BY 1, 2, 3",
            &[&schema],
        )
        .expect("relationships");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        let (a, b, how): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        out.entry(format!("{a}|{b}")).or_default().push(how);
    }
    out
}

fn ambiguous(rels: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    rels.iter()
        .filter(|(pair, hows)| hows.len() > 1 && !EXCEPTIONS.iter().any(|(a, b, _)| **pair == format!("{a}|{b}")))
        .map(|(pair, hows)| format!("{pair}: {hows:?}"))
        .collect()
}

#[test]
fn every_pair_of_model_tables_has_at_most_one_relationship() {
    let mut c = connect();
    let rels = relationships(&mut c, "public");
    let bad = ambiguous(&rels);
    assert!(bad.is_empty(), "PostgREST would refuse these embeds (PGRST201):\n{}", bad.join("\n"));
    // The app's embeds resolve to exactly one relationship each.
    for pair in ["bookings|restaurants", "table_hold_members|table_holds", "booking_table_assignments|table_inventory"]
    {
        assert_eq!(rels.get(pair).map(Vec::len), Some(1), "{pair}: {:?}", rels.get(pair));
    }
    // The exceptions are real (so the list stays honest).
    for (a, b, why) in EXCEPTIONS {
        assert!(
            rels.get(&format!("{a}|{b}")).is_some_and(|h| h.len() > 1),
            "exception {a}|{b} ({why}) no longer needed"
        );
    }
}

/// The detection is not vacuous: on the model as 0.3.0 had it (step 1 only, built in a scratch
/// schema and rolled back), bookings and restaurants had three relationships.
#[test]
fn the_0_3_0_model_made_the_bookings_embed_ambiguous() {
    let mut c = connect();
    let mut tx = c.transaction().unwrap();
    tx.batch_execute(
        "SET LOCAL client_min_messages = warning;
         CREATE SCHEMA rel_check_v030;
         DO $$ BEGIN
             EXECUTE (SELECT replace(sql, '@' || 'extschema@', 'rel_check_v030') FROM pg_seating_model_steps() WHERE step = 1);
         END $$;",
    )
    .unwrap();
    let rels = relationships(&mut tx, "rel_check_v030");
    let bookings = rels.get("bookings|restaurants").cloned().unwrap_or_default();
    assert_eq!(bookings.len(), 3, "{bookings:?}");
    assert!(!ambiguous(&rels).is_empty());
    tx.rollback().unwrap();
}
