-- update_booking_with_capacity_check: envelope errors, capacity (covers, parties), the write, the
-- missing-rules guard, and a time change moving or releasing the booking's assignments.
BEGIN;
SELECT no_plan();
\ir 00_assign_fixture.psql
INSERT INTO restaurant_service_periods (id, restaurant_id, name, start_time, end_time)
VALUES ('a6000000-0000-0000-0000-000000000001', 'a1000000-0000-0000-0000-000000000001', 'Dinner', '17:00', '23:59');
INSERT INTO restaurant_capacity_rules (id, restaurant_id, service_period_id, max_covers, max_parties)
VALUES ('a7000000-0000-0000-0000-000000000001', 'a1000000-0000-0000-0000-000000000001', 'a6000000-0000-0000-0000-000000000001', 9, 10);

CREATE FUNCTION pg_temp.upd(b uuid, r uuid, d date, s time, e time, party int) RETURNS jsonb LANGUAGE sql AS $$
    SELECT update_booking_with_capacity_check(b, r, NULL, d, s, e, party, 'dinner', 'Ada', 'ada@example.com',
                                              '+44', 'any', 'window please', p_details => '{"k": 1}')
$$;

SELECT is(pg_temp.upd(NULL, 'a1000000-0000-0000-0000-000000000001', '2027-11-30', '18:00', '20:00', 2),
    '{"success": false, "error": "INVALID_PARAMS", "message": "p_booking_id is required"}', 'NULL booking id: envelope');
SELECT is(pg_temp.upd(pg_temp.b(1), 'a1000000-0000-0000-0000-000000000002', '2027-11-30', '18:00', '20:00', 2) ->> 'message',
    'Booking not found for update', 'booking of another restaurant: not found');
SELECT is(pg_temp.upd(pg_temp.b(1), 'a1000000-0000-0000-0000-000000000001', '2027-11-30', '18:00', '18:00', 2) ->> 'error',
    'INVALID_PARAMS', 'an empty window is refused in the envelope');
SELECT is(pg_temp.upd(pg_temp.b(1), 'a1000000-0000-0000-0000-000000000001', 'infinity', '18:00', '20:00', 2),
    '{"success": false, "error": "INVALID_PARAMS", "message": "p_booking_date must be a finite date"}'::jsonb,
    'an infinite date is refused in the envelope (not a raw chk_time_order violation)');
CREATE TEMP TABLE fp0 AS SELECT pg_temp.fp() AS v;
SELECT is(pg_temp.upd(pg_temp.b(1), 'a1000000-0000-0000-0000-000000000001', '2027-11-30', '18:00', '20:00', 6),
    '{"success": false, "error": "CAPACITY_EXCEEDED", "message": "No capacity available for this time slot",
      "details": {"requestedCovers": 6, "maxCovers": 9, "bookedCovers": 4, "availableCovers": 5,
                  "servicePeriod": "Dinner",
                  "maxParties": 10, "bookedParties": 2}}'::jsonb,
    'covers: other bookings (B2 2 + B3 2) + 6 > 9');
UPDATE restaurant_capacity_rules SET max_parties = 2;
SELECT is(pg_temp.upd(pg_temp.b(1), 'a1000000-0000-0000-0000-000000000001', '2027-11-30', '18:00', '20:00', 2) -> 'details' ->> 'availableParties',
    '0', 'parties: 2 others + 1 > 2');
SELECT is(pg_temp.upd(pg_temp.b(1), 'a1000000-0000-0000-0000-000000000001', '2027-11-30', '18:00', '20:00', 2) ->> 'message',
    'Too many simultaneous parties in this slot', '... with the reference message');
SELECT is(pg_temp.fp(), (SELECT v FROM fp0), 'refusals wrote nothing');
UPDATE restaurant_capacity_rules SET max_parties = 10;

-- A time change with free tables moves the assignment.
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1, 2), 'before-move')$$, 'seat B1 on T1+T2');
CREATE TEMP TABLE ok1 AS SELECT pg_temp.upd(pg_temp.b(1), 'a1000000-0000-0000-0000-000000000001', '2027-11-30', '21:00', '22:30', 5) AS env;
SELECT is((SELECT env ->> 'success' FROM ok1), 'true', 'updated');
SELECT is((SELECT env -> 'capacity' FROM ok1),
    '{"servicePeriod": "Dinner", "maxCovers": 9, "bookedCovers": 9,
      "availableCovers": 0, "utilizationPercent": 100.0}'::jsonb, 'capacity block');
SELECT is((SELECT env ->> 'assignments' FROM ok1), 'moved', 'tables free in the new window: moved');
SELECT results_eq($$SELECT start_at, end_at, party_size, notes, details->>'channel', details->>'k' FROM bookings WHERE id = pg_temp.b(1)$$,
    $$VALUES ('2027-11-30 21:00Z'::timestamptz, '2027-11-30 22:30Z'::timestamptz, 5, 'window please', 'api.capacity_safe', '1')$$,
    'the booking row (instants in Europe/London; details merged)');
SELECT is((SELECT count(*)::int FROM booking_table_assignments WHERE booking_id = pg_temp.b(1)
              AND assignment_window = tstzrange('2027-11-30 21:00Z', '2027-11-30 22:30Z')), 2, 'assignments in the new window');
SELECT is((SELECT count(*)::int FROM allocations WHERE booking_id = pg_temp.b(1) AND "window" = tstzrange('2027-11-30 21:00Z', '2027-11-30 22:30Z')), 3,
    'table and merge-group allocations too');
SELECT is((SELECT count(*)::int FROM booking_assignment_idempotency WHERE booking_id = pg_temp.b(1)), 0,
    'the ledger row of the old window is gone');

-- A time change onto taken tables releases them.
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(1), p_start_at => '2027-11-30 23:00Z', p_end_at => '2027-11-30 23:30Z')$$,
    'B2 takes T1 at 23:00');
CREATE TEMP TABLE ok2 AS SELECT pg_temp.upd(pg_temp.b(1), 'a1000000-0000-0000-0000-000000000001', '2027-11-30', '22:00', '23:45', 5) AS env;
SELECT is((SELECT env ->> 'assignments' FROM ok2), 'released', 'tables taken in the new window: released');
SELECT is((SELECT count(*)::int FROM booking_table_assignments WHERE booking_id = pg_temp.b(1))
        + (SELECT count(*)::int FROM allocations WHERE booking_id = pg_temp.b(1)), 0, 'nothing left of B1''s tables');
SELECT is((SELECT assigned_zone_id FROM bookings WHERE id = pg_temp.b(1)), NULL, 'zone lock cleared');

-- Guards.
SET LOCAL app.capacity.post_assignment.enabled = 'off';
SELECT is(pg_temp.upd(pg_temp.b(3), 'a1000000-0000-0000-0000-000000000001', '2027-11-30', '19:00', '21:00', 40) ->> 'success',
    'true', 'kill switch: no limits');
RESET app.capacity.post_assignment.enabled;
DROP TABLE restaurant_capacity_rules;
SELECT is(pg_temp.upd(pg_temp.b(3), 'a1000000-0000-0000-0000-000000000001', '2027-11-30', '19:00', '21:00', 50) -> 'capacity' ->> 'maxCovers',
    '999999', 'rules table gone: unbounded, never 42P01 (seed 002)');
-- (anon exists: scripts/test creates Supabase's roles)
SELECT ok(NOT has_function_privilege('anon', 'update_booking_with_capacity_check(uuid, uuid, uuid, date, time, time, integer, text, text, text, text, text, text, boolean, uuid, text, jsonb, integer, text)', 'EXECUTE'),
    'not executable by anon');

SELECT * FROM finish();
ROLLBACK;
