//! Making room across zones (SPEC §7): a plan `quote_tables` shows must be one
//! `auto_assign_tables` can carry out. On many random layouts of three zones (rows of movable
//! tables, some adjacent, a few fixed ones) with bookings already seated, every booking that
//! needs moves gets its quote, then `auto_assign_tables` in the same snapshot: it must seat the
//! booking on the quoted tables and move exactly the quoted bookings to their quoted tables,
//! leaving every moved booking in one zone with its zone lock following it.

use pg_seating_sql_tests::{connect, error_parts, invariant_violations, torture::Rng};
use postgres::Client;

/// Builds a random restaurant and seats its evening's bookings with auto_assign_tables (no moves);
/// returns its id and the bookings left unseated.
fn layout(c: &mut Client, rng: &mut Rng) -> (String, Vec<String>) {
    // Seated without moves (the default moves up to two), so that moves are left to quote.
    c.batch_execute("SET pg_seating.make_room_moves = 0").unwrap();
    let r: String = c
        .query_one(
            "INSERT INTO restaurants (name, slug, timezone) VALUES ('zones', 'zones-' || gen_random_uuid(), 'UTC')
             RETURNING id::text",
            &[],
        )
        .unwrap()
        .get(0);
    let sizes = [2, 2, 4, 4, 6, 8];
    for zone in 0..3 {
        let z: String = c
            .query_one(
                "INSERT INTO zones (restaurant_id, name) VALUES ($1::text::uuid, $2) RETURNING id::text",
                &[&r, &format!("Z{zone}")],
            )
            .unwrap()
            .get(0);
        let mut prev: Option<String> = None;
        for i in 0..(2 + rng.below(4)) {
            let movable = rng.chance(85);
            let t: String = c
                .query_one(
                    "INSERT INTO table_inventory (restaurant_id, table_number, capacity, zone_id, mobility)
                     VALUES ($1::text::uuid, $2, $3, $4::text::uuid, $5::text::table_mobility) RETURNING id::text",
                    &[
                        &r,
                        &format!("Z{zone}-{i}"),
                        &sizes[rng.below(sizes.len() as u64) as usize],
                        &z,
                        &(if movable { "movable" } else { "fixed" }),
                    ],
                )
                .unwrap()
                .get(0);
            if let Some(p) = &prev {
                if rng.chance(80) {
                    c.execute(
                        "INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
                         VALUES ($1::text::uuid, $2::text::uuid, $3::text::uuid)",
                        &[&r, p, &t],
                    )
                    .unwrap();
                }
            }
            prev = Some(t);
        }
    }
    let mut unseated = Vec::new();
    for _ in 0..(6 + rng.below(10)) {
        let start = 18 * 60 + 30 * rng.below(5) as i32;
        let party = [2, 2, 3, 4, 4, 6, 8, 10][rng.below(8) as usize];
        let b: String = c
            .query_one(
                "INSERT INTO bookings (restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
                 VALUES ($1::text::uuid, '2027-06-01', make_time($2 / 60, $2 % 60, 0), make_time($2 / 60 + 2, $2 % 60, 0),
                         '2027-06-01'::date + make_interval(mins => $2), '2027-06-01'::date + make_interval(mins => $2 + 120),
                         $3, $4::text::booking_status)
                 RETURNING id::text",
                &[&r, &start, &party, &(if rng.chance(50) { "confirmed" } else { "pending" })],
            )
            .unwrap()
            .get(0);
        let seated = c.query("SELECT 1 FROM auto_assign_tables($1::text::uuid)", &[&b]).is_ok();
        if !seated {
            unseated.push(b);
        }
    }
    (r, unseated)
}

#[test]
fn every_quoted_move_is_carried_out_across_zones() {
    let mut c = connect();
    let mut rng = Rng::new(2027);
    let (mut quoted, mut carried) = (0, 0);
    let mut failures = Vec::new();
    for _ in 0..120 {
        let (r, unseated) = layout(&mut c, &mut rng);
        for b in &unseated {
            for moves in 1..=3 {
                let mut tx = c.transaction().unwrap();
                tx.batch_execute(&format!("SET LOCAL pg_seating.make_room_moves = {moves}")).unwrap();
                tx.execute(
                    "CREATE TEMP TABLE q ON COMMIT DROP AS
                     SELECT pg_catalog.array_to_string(ARRAY(SELECT x FROM unnest(table_ids) x ORDER BY x), ',') AS tables,
                            reasons->'moves' AS moves
                       FROM quote_tables($1::text::uuid, p_limit => 1)",
                    &[b],
                )
                .unwrap();
                let quote = tx.query("SELECT tables FROM q", &[]).unwrap();
                let Some(q) = quote.first() else {
                    tx.rollback().unwrap();
                    continue;
                };
                let tables: String = q.get(0);
                quoted += 1;
                match tx.query(
                    "SELECT pg_catalog.array_to_string(ARRAY(SELECT table_id FROM auto_assign_tables($1::text::uuid)
                                                              ORDER BY table_id), ',')",
                    &[b],
                ) {
                    Ok(rows) => {
                        let got: String = rows[0].get(0);
                        if got != tables {
                            failures.push(format!("{b} (moves {moves}): quoted {tables}, seated {got}"));
                        } else {
                            carried += 1;
                        }
                        // Every quoted move happened: the moved booking holds exactly its quoted tables.
                        let off: Vec<String> = tx
                            .query(
                                "SELECT m->>'bookingId' FROM q, jsonb_array_elements(q.moves) m
                                  WHERE ARRAY(SELECT x.table_id FROM booking_table_assignments x
                                               WHERE x.booking_id = (m->>'bookingId')::uuid ORDER BY 1)
                                        <> ARRAY(SELECT v::uuid FROM jsonb_array_elements_text(m->'toTableIds') v ORDER BY 1)",
                                &[],
                            )
                            .unwrap()
                            .iter()
                            .map(|row| row.get(0))
                            .collect();
                        if !off.is_empty() {
                            failures.push(format!("{b} (moves {moves}): moved elsewhere than quoted: {off:?}"));
                        }
                        // Every booking in one zone, its zone lock on that zone.
                        let split: i64 = tx
                            .query_one(
                                "SELECT count(*) FROM bookings bk
                                  WHERE bk.restaurant_id = $1::text::uuid AND EXISTS (
                                        SELECT 1 FROM booking_table_assignments x
                                          JOIN table_inventory t ON t.restaurant_id = x.restaurant_id AND t.id = x.table_id
                                         WHERE x.restaurant_id = bk.restaurant_id AND x.booking_id = bk.id
                                           AND t.zone_id IS DISTINCT FROM bk.assigned_zone_id)",
                                &[&r],
                            )
                            .unwrap()
                            .get(0);
                        if split != 0 {
                            failures.push(format!("{b} (moves {moves}): {split} bookings off their zone lock"));
                        }
                    }
                    Err(e) => failures.push(format!("{b} (moves {moves}): quoted {tables}, {:?}", error_parts(&e))),
                }
                tx.rollback().unwrap();
            }
        }
        let bad = invariant_violations(&mut c, &r);
        assert!(bad.is_empty(), "{bad:?}");
    }
    println!("{quoted} quoted plans, {carried} carried out as quoted");
    assert!(quoted >= 50, "the layouts make enough quotes: {quoted}");
    assert!(failures.is_empty(), "{} of {quoted} quoted plans failed:\n{}", failures.len(), failures.join("\n"));
}
