-- quote_tables and auto_assign_tables: ranking, settings, busy tables between two quotes, the
-- no-plan error, holds, replay by the deterministic key.
BEGIN;
SELECT no_plan();
\ir 00_assign_fixture.psql

-- B1: party 4, 18-20. Usable in Main: T1 2, T2 4, T3 6 fixed, T7 2, T8 2 (T5 inactive, T6 out of
-- service); edges T1-T2, T7-T2.
SELECT is((SELECT array_agg(reasons->>'tables' ORDER BY rank) FROM quote_tables(pg_temp.b(1))),
    ARRAY['["T2"]', '["T3"]', '["T1", "T2"]', '["T2", "T7"]', '["T1", "T2", "T7"]'],
    'ranked: the exact single table, then the 6-top (overage 2 beats a merge), then merges (ties in natural order)');
SELECT is((SELECT score FROM quote_tables(pg_temp.b(1)) WHERE rank = 3),
    5 * 2 + 2 * 2 + 3 * 1 + 1 * 1::float8, 'T1+T2: overage 2, fragmentation 2, one extra table, radius 1');
SELECT is((SELECT reasons->'rejected' FROM quote_tables(pg_temp.b(1)) WHERE rank = 1),
    '[{"tableId": "a3000000-0000-0000-0000-000000000005", "reason": "inactive"},
      {"tableId": "a3000000-0000-0000-0000-000000000006", "reason": "out_of_service"}]'::jsonb,
    'tables left out, with why');
SELECT is((SELECT count(*)::int FROM quote_tables(pg_temp.b(1), p_limit => 2)), 2, 'p_limit');
SELECT is((SELECT count(*)::int FROM quote_tables(pg_temp.b(1), p_max_tables => 1)), 2, 'p_max_tables => 1: singles only');
SET LOCAL pg_seating.max_overage = 0;
SELECT is((SELECT array_agg(reasons->>'tables' ORDER BY rank) FROM quote_tables(pg_temp.b(1))), ARRAY['["T2"]'],
    'pg_seating.max_overage = 0: exact fits only');
RESET pg_seating.max_overage;
SELECT is(pg_temp.err($$SELECT quote_tables(pg_temp.b(1), p_limit => 0)$$),
    '22023 | quote_tables: p_limit must be at least 1', 'p_limit < 1');
SELECT is(pg_temp.err($$SELECT quote_tables(pg_temp.b(1), p_max_tables => 7)$$),
    '22023 | quote_tables: p_max_tables must be between 1 and 6', 'p_max_tables > 6');
SELECT is(pg_temp.err($$SELECT quote_tables(NULL)$$),
    '22004 | quote_tables: argument p_booking_id must not be null | Pass a non-null value.', 'NULL booking');

-- The layout a backend keeps between quotes (model step 8) follows every change at once: in this
-- transaction, after a savepoint is rolled back, and for the columns the allocator does not read
-- the version stays.
SELECT isnt((SELECT version FROM restaurant_layout_versions WHERE restaurant_id = (SELECT restaurant_id FROM bookings WHERE id = pg_temp.b(1))),
          NULL, 'the restaurant has a layout version (its tables were inserted)');
CREATE TEMP TABLE lv AS SELECT restaurant_id, version FROM restaurant_layout_versions
 WHERE restaurant_id = (SELECT restaurant_id FROM bookings WHERE id = pg_temp.b(1));
UPDATE table_inventory SET notes = 'by the window' WHERE id = pg_temp.t(2);
SELECT is((SELECT v.version FROM restaurant_layout_versions v JOIN lv USING (restaurant_id)), (SELECT version FROM lv),
          'a column the allocator does not read: the version stays');
SAVEPOINT layout;
UPDATE table_inventory SET active = false WHERE id = pg_temp.t(2);
SELECT is((SELECT v.version FROM restaurant_layout_versions v JOIN lv USING (restaurant_id)), (SELECT version + 1 FROM lv),
          'a table taken out of use bumps the version');
SELECT is((SELECT reasons->>'tables' FROM quote_tables(pg_temp.b(1)) WHERE rank = 1), '["T3"]',
          'the next quote in the same transaction no longer offers T2');
SELECT ok((SELECT reasons->'rejected' @> '[{"tableId": "a3000000-0000-0000-0000-000000000002", "reason": "inactive"}]'
             FROM quote_tables(pg_temp.b(1)) WHERE rank = 1), '... and reports it inactive');
ROLLBACK TO SAVEPOINT layout;
SELECT is((SELECT reasons->>'tables' FROM quote_tables(pg_temp.b(1)) WHERE rank = 1), '["T2"]',
          'after the savepoint is rolled back, T2 is offered again');
DELETE FROM table_adjacencies WHERE table_a = pg_temp.t(1) OR table_b = pg_temp.t(1);
SELECT is((SELECT array_agg(reasons->>'tables' ORDER BY rank) FROM quote_tables(pg_temp.b(1))),
    ARRAY['["T2"]', '["T3"]', '["T2", "T7"]'], 'an adjacency removed: merges through T1 are gone');
SELECT cmp_ok((SELECT v.version FROM restaurant_layout_versions v JOIN lv USING (restaurant_id)), '>', (SELECT version FROM lv),
          'removing adjacencies bumps the version');
INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
SELECT restaurant_id, pg_temp.t(1), pg_temp.t(2) FROM lv;
SELECT is((SELECT array_agg(reasons->>'tables' ORDER BY rank) FROM quote_tables(pg_temp.b(1))),
    ARRAY['["T2"]', '["T3"]', '["T1", "T2"]', '["T2", "T7"]', '["T1", "T2", "T7"]'], 'and back: the same five plans');

-- A concurrent writer takes the best table between two quotes: it drops out, marked busy.
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(2))$$, 'B2 takes T2');
SELECT is((SELECT reasons->>'tables' FROM quote_tables(pg_temp.b(1)) WHERE rank = 1), '["T3"]', 'next quote: T3 first');
SELECT ok((SELECT reasons->'rejected' @> '[{"tableId": "a3000000-0000-0000-0000-000000000002", "reason": "busy"}]'
             FROM quote_tables(pg_temp.b(1)) WHERE rank = 1), 'T2 reported busy');

-- auto_assign_tables commits the best plan through the assignment core.
CREATE TEMP TABLE a1 AS SELECT * FROM auto_assign_tables(pg_temp.b(1));
SELECT results_eq($$SELECT table_id, start_at, end_at, merge_group_id, hold_id FROM a1$$,
    $$VALUES (pg_temp.t(3), '2027-11-30 18:00Z'::timestamptz, '2027-11-30 20:00Z'::timestamptz, NULL::uuid, NULL::uuid)$$,
    'auto-assign: the best free table');
SELECT is((SELECT idempotency_key FROM booking_assignment_idempotency WHERE booking_id = pg_temp.b(1)),
    auto_assign_idempotency_key(pg_temp.b(1)), 'without a key: the booking''s deterministic key');
CREATE TEMP TABLE fp1 AS SELECT pg_temp.fp() AS v;
SELECT results_eq($$SELECT * FROM auto_assign_tables(pg_temp.b(1))$$, $$SELECT * FROM a1$$, 'a second run: the same rows');
SELECT is(pg_temp.fp(), (SELECT v FROM fp1), '... and nothing written');

-- As a hold.
CREATE TEMP TABLE a3 AS SELECT * FROM auto_assign_tables(pg_temp.b(3), p_as_hold => true);
SELECT is((SELECT count(*)::int FROM a3 JOIN table_hold_windows w ON w.hold_id = a3.hold_id AND w.table_id = a3.table_id
            WHERE w.booking_id = pg_temp.b(3)), (SELECT count(*)::int FROM a3), 'as a hold: a live hold on the chosen tables');
SELECT is((SELECT count(*)::int FROM booking_table_assignments WHERE booking_id = pg_temp.b(3)), 0, '... and no assignment');

-- No plan.
UPDATE bookings SET party_size = 30 WHERE id = pg_temp.b(7);
UPDATE bookings SET start_time = '19:00', end_time = '21:00' WHERE id = pg_temp.b(7);
CREATE TEMP TABLE fp2 AS SELECT pg_temp.fp() AS v;
SELECT is(pg_temp.err($$SELECT auto_assign_tables(pg_temp.b(7))$$),
    'P0001 | No table plan fits booking a4000000-0000-0000-0000-000000000007 | party of 30; 8 tables: 0 busy in the window, 1 out of service, 1 inactive, 0 need a larger party; no single table or connected combination of up to 5 movable tables of one zone seats 30 to 34 guests | Free or add tables, or widen pg_seating.max_overage / pg_seating.max_tables / pg_seating.require_adjacency.',
    'no plan: P0001 with the reasons in DETAIL');
SELECT is(pg_temp.fp(), (SELECT v FROM fp2), 'no plan: nothing written');
SELECT is((SELECT count(*)::int FROM quote_tables(pg_temp.b(7))), 0, 'quote: no rows');

SELECT * FROM finish();
ROLLBACK;
