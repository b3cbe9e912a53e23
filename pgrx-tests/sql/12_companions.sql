-- The restaurant-keyed companions (SPEC §8): every one refuses a NULL p_restaurant_id with 22004
-- naming itself (at plan time, by the planner guard, and in the function), finds nothing of another
-- restaurant, and otherwise does what its reference-named function does. The multi-node behaviour
-- (delegation to one worker) is checked by make test-citus.
BEGIN;
SELECT no_plan();
\ir 00_assign_fixture.psql

-- Every companion, from the catalog: first argument p_restaurant_id, and NULL there is 22004.
SELECT cmp_ok(cardinality(pg_seating_companions()), '>=', 17, 'every booking RPC has a companion');
SELECT is(p.proargnames[1], 'p_restaurant_id', p.proname || ': p_restaurant_id comes first')
  FROM pg_proc p WHERE p.oid = ANY (pg_seating_companions());
SELECT is(pg_temp.err(format('SELECT * FROM %I(NULL%s)', p.proname, repeat(', NULL', p.pronargs - 1))),
          '22004 | ' || p.proname || ': argument p_restaurant_id must not be null | Pass a non-null value.',
          p.proname || ': NULL restaurant, planned directly')
  FROM pg_proc p WHERE p.oid = ANY (pg_seating_companions());
-- Out of the planner guard's sight (inside a subquery) the function itself says the same.
SELECT is(pg_temp.err(format('SELECT s.v FROM (SELECT %I(NULL%s) AS v) s', p.proname, repeat(', NULL', p.pronargs - 1))),
          '22004 | ' || p.proname || ': argument p_restaurant_id must not be null | Pass a non-null value.',
          p.proname || ': NULL restaurant, in a subquery')
  FROM pg_proc p WHERE p.oid = ANY (pg_seating_companions());
-- A NULL bound parameter of a prepared statement, past the plan cache's fifth execution.
PREPARE companion_null(uuid) AS SELECT * FROM unassign_tables_atomic_in_restaurant($1, pg_temp.b(1));
SELECT is(pg_temp.err('EXECUTE companion_null(NULL)'),
          '22004 | unassign_tables_atomic_in_restaurant: argument p_restaurant_id must not be null | Pass a non-null value.',
          'NULL bound parameter, execution ' || n)
  FROM generate_series(1, 7) n;
DEALLOCATE companion_null;

-- Another restaurant's booking or hold is not found through the companion.
SELECT is(pg_temp.err($$SELECT * FROM unassign_tables_atomic_in_restaurant('a1000000-0000-0000-0000-000000000002', pg_temp.b(1))$$),
    'ok', 'unassign: another restaurant''s booking is nothing to do');
SELECT is(pg_temp.err($$SELECT * FROM quote_tables_in_restaurant('a1000000-0000-0000-0000-000000000002', pg_temp.b(1))$$),
    'P0002 | Booking a4000000-0000-0000-0000-000000000001 not found', 'quote: another restaurant''s booking');
SELECT is(pg_temp.err($$SELECT * FROM apply_booking_state_transition_in_restaurant('a1000000-0000-0000-0000-000000000002', pg_temp.b(1),
        'confirmed', NULL, NULL, NULL, 'pending', 'confirmed', NULL, NULL, NULL)$$),
    'P0002 | Booking a4000000-0000-0000-0000-000000000001 not found', 'transition: another restaurant''s booking');
SELECT is(pg_temp.err($$SELECT create_table_hold_in_restaurant('a1000000-0000-0000-0000-000000000002', pg_temp.b(1), pg_temp.ts(1))$$),
    'P0002 | Booking a4000000-0000-0000-0000-000000000001 not found', 'hold: another restaurant''s booking');
SELECT is(pg_temp.err($$SELECT validate_booking_capacity_after_assignment_in_restaurant('a1000000-0000-0000-0000-000000000002', pg_temp.b(1))$$),
    'ok', 'capacity check: another restaurant''s booking is nothing to check');
SELECT is(pg_temp.err($$SELECT * FROM auto_assign_tables_in_restaurant('a1000000-0000-0000-0000-000000000002', pg_temp.b(1))$$),
    'P0002 | Booking a4000000-0000-0000-0000-000000000001 not found', 'auto-assign: another restaurant''s booking');
SELECT is(is_table_available_v2_in_restaurant('a1000000-0000-0000-0000-000000000002', pg_temp.t(1), '2027-11-30 18:00Z', '2027-11-30 20:00Z'),
    false, 'availability: another restaurant''s table is not available there');
SELECT is(update_booking_with_capacity_check_in_restaurant('a1000000-0000-0000-0000-000000000002', pg_temp.b(1), NULL,
        '2027-11-30', '18:00', '20:00', 4, 'dinner', 'A', 'a@example.com', '1', NULL) ->> 'error',
    'INVALID_PARAMS', 'update: another restaurant''s booking');

-- The companion does what the reference function does.
SELECT is((SELECT array_agg(table_ids::text ORDER BY rank) FROM quote_tables_in_restaurant('a1000000-0000-0000-0000-000000000001', pg_temp.b(3))),
          (SELECT array_agg(table_ids::text ORDER BY rank) FROM quote_tables(pg_temp.b(3))), 'quote: the same plans');
SELECT is((SELECT count(*)::int FROM assign_tables_atomic_in_restaurant('a1000000-0000-0000-0000-000000000001', pg_temp.b(1), pg_temp.ts(1, 2),
                                                                       NULL, NULL, 'v1-companion')),
          2, 'v1 companion assigns');
SELECT is((SELECT status::text FROM apply_booking_state_transition_in_restaurant('a1000000-0000-0000-0000-000000000001', pg_temp.b(1),
        'confirmed', NULL, NULL, NULL, 'pending', 'confirmed', NULL, NULL, 'companion')), 'confirmed', 'transition companion');
SELECT is((SELECT count(*)::int FROM booking_state_history WHERE booking_id = pg_temp.b(1) AND reason = 'companion'), 1, 'with its history row');
CREATE TEMP TABLE hold AS
SELECT create_table_hold_in_restaurant('a1000000-0000-0000-0000-000000000001', pg_temp.b(3), pg_temp.ts(7)) AS id;
SELECT is(release_table_hold_in_restaurant('a1000000-0000-0000-0000-000000000002', (SELECT id FROM hold)), false,
    'release: another restaurant''s hold is not found');
SELECT is(release_hold_and_emit_in_restaurant('a1000000-0000-0000-0000-000000000001', (SELECT id FROM hold)), true, 'release and emit');
SELECT is((SELECT count(*)::int FROM capacity_outbox WHERE event_type = 'capacity.hold.released' AND dedupe_key = (SELECT id FROM hold)::text),
    1, 'the released event');
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic_in_restaurant('a1000000-0000-0000-0000-000000000001', pg_temp.b(1))), 2,
    'unassign companion');
SELECT is((SELECT status::text FROM bookings WHERE id = pg_temp.b(1)), 'pending_allocation', 'released like the reference function');

-- After a companion call, and after one that failed, the reference functions look restaurants up again.
SELECT is(pg_temp.err($$SELECT * FROM quote_tables_in_restaurant('a1000000-0000-0000-0000-000000000002', pg_temp.b(3))$$),
    'P0002 | Booking a4000000-0000-0000-0000-000000000003 not found', 'a failed companion call');
SELECT is((SELECT count(*)::int FROM assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(8))), 1,
    'then the reference function finds the booking''s own restaurant');

SELECT * FROM finish();
ROLLBACK;
