-- Releasing tables keeps the status invariants (reference §8): a confirmed booking left without
-- a table is no longer confirmed (it moves to pending_allocation with a history row), and a
-- checked-in party cannot be left without a table (23514; it can be moved with the v2 assign).
BEGIN;
SELECT no_plan();
\ir 00_assign_fixture.psql

CREATE FUNCTION pg_temp.status(n int) RETURNS text LANGUAGE sql AS
    $$SELECT status::text FROM bookings WHERE id = pg_temp.b(n)$$;
CREATE FUNCTION pg_temp.history(n int) RETURNS bigint LANGUAGE sql AS
    $$SELECT count(*) FROM booking_state_history WHERE booking_id = pg_temp.b(n)$$;

-- A confirmed booking: partial release keeps it confirmed, the last table moves it back ---------
SELECT lives_ok($$SELECT confirm_hold_assignment_with_transition(pg_temp.b(1), pg_temp.ts(1, 2), 'c1', true)$$,
    'B1 confirmed on T1+T2');
SELECT is(pg_temp.status(1), 'confirmed', 'B1 confirmed');
CREATE TEMP TABLE h1 AS SELECT pg_temp.history(1) AS n;
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(1), pg_temp.ts(1))), 1, 'release T1');
SELECT is(pg_temp.status(1), 'confirmed', 'one table left: still confirmed');
SELECT is(pg_temp.history(1), (SELECT n FROM h1), 'no history row for a partial release');
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(1))), 1, 'release the last table');
SELECT is(pg_temp.status(1), 'pending_allocation', 'no table left: pending_allocation');
SELECT results_eq(
    $$SELECT from_status::text, to_status::text, reason, metadata FROM booking_state_history
       WHERE booking_id = pg_temp.b(1) ORDER BY id DESC LIMIT 1$$,
    $$VALUES ('confirmed', 'pending_allocation', 'tables_released', '{"released_tables": 1}'::jsonb)$$,
    'the move is recorded in the history');
SELECT is((SELECT assigned_zone_id FROM bookings WHERE id = pg_temp.b(1)), NULL, 'zone lock cleared');
SELECT is_empty($$SELECT * FROM find_assignment_anomalies() WHERE booking_id = pg_temp.b(1)$$,
    'no anomaly left behind');
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(1))), 0, 'nothing left to release: no rows');
SELECT is(pg_temp.status(1), 'pending_allocation', 'an empty release changes nothing');
SELECT lives_ok($$SELECT confirm_hold_assignment_with_transition(pg_temp.b(1), pg_temp.ts(2), 'c1b')$$,
    'B1 can be confirmed again');
SELECT is(pg_temp.status(1), 'confirmed', 'pending_allocation -> confirmed');

-- A pending booking keeps its status ----------------------------------------------------------
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(7))$$, 'B3 (pending) on T7');
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(3))), 1, 'release it');
SELECT is(pg_temp.status(3), 'pending', 'a pending booking stays pending');

-- A checked-in party keeps at least one table --------------------------------------------------
SELECT lives_ok($$SELECT confirm_hold_assignment_with_transition(pg_temp.b(2), pg_temp.ts(7, 8), 'c2', false)$$,
    'B2 confirmed on T7+T8');
SELECT lives_ok($$SELECT apply_booking_state_transition(pg_temp.b(2), 'checked_in', now(), NULL, NULL, 'confirmed', 'checked_in', NULL, NULL, NULL)$$,
    'B2 checked in');
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(2), pg_temp.ts(8))), 1, 'release T8: one table left');
CREATE TEMP TABLE fp2 AS SELECT pg_temp.fp() AS v;
SELECT is(pg_temp.err($$SELECT unassign_tables_atomic(pg_temp.b(2))$$),
    '23514 | Booking a4000000-0000-0000-0000-000000000002 is checked in and must keep at least one table | Move the party: assign its new table with assign_tables_atomic_v2 (which adds it), then release this one; or complete the booking first.',
    'the last table of a seated party: 23514');
SELECT is(pg_temp.err($$SELECT unassign_tables_atomic(pg_temp.b(2), pg_temp.ts(7))$$),
    '23514 | Booking a4000000-0000-0000-0000-000000000002 is checked in and must keep at least one table | Move the party: assign its new table with assign_tables_atomic_v2 (which adds it), then release this one; or complete the booking first.',
    'the same by table id');
SELECT is(pg_temp.fp(), (SELECT v FROM fp2), 'the refusal wrote nothing');
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(8))$$, 'move the party: add T8');
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(2), pg_temp.ts(7))), 1, 'then release T7');
SELECT results_eq($$SELECT table_id FROM booking_table_assignments WHERE booking_id = pg_temp.b(2)$$,
    $$SELECT pg_temp.t(8)$$, 'the party sits at T8');
SELECT is(pg_temp.status(2), 'checked_in', 'still checked in');
SELECT lives_ok($$SELECT apply_booking_state_transition(pg_temp.b(2), 'completed', (SELECT checked_in_at FROM bookings WHERE id = pg_temp.b(2)), now(), NULL, 'checked_in', 'completed', NULL, NULL, NULL)$$,
    'complete the visit: its tables go with it');
SELECT is((SELECT count(*)::int FROM booking_table_assignments WHERE booking_id = pg_temp.b(2)), 0, 'no table after completion');

-- A time change whose tables are taken releases them: the confirmed booking moves back ----------
INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
VALUES ('a4000000-0000-0000-0000-000000000008', 'a1000000-0000-0000-0000-000000000001', '2027-11-30', '21:00', '23:00',
        '2027-11-30 21:00Z', '2027-11-30 23:00Z', 2, 'pending');
SELECT lives_ok($$SELECT confirm_hold_assignment_with_transition(pg_temp.b(3), pg_temp.ts(7), 'c3')$$, 'B3 confirmed on T7 (19-21)');
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(8), pg_temp.ts(7))$$, 'B8 on T7 (21-23)');
CREATE TEMP TABLE env AS
SELECT update_booking_with_capacity_check(pg_temp.b(3), 'a1000000-0000-0000-0000-000000000001', NULL, '2027-11-30', '21:00', '23:00',
       2, 'dinner', 'Ada', 'ada@example.com', '+44', NULL) AS v;
SELECT is((SELECT v ->> 'assignments' FROM env), 'released', 'T7 is taken at 21-23: released');
SELECT is((SELECT v -> 'booking' ->> 'status' FROM env), 'pending_allocation', 'the envelope shows the booking as it now is');
SELECT is(pg_temp.status(3), 'pending_allocation', 'B3 is pending_allocation');
SELECT is_empty($$SELECT * FROM find_assignment_anomalies() WHERE restaurant_id = 'a1000000-0000-0000-0000-000000000001'$$,
    'the restaurant has no anomaly');

SELECT * FROM finish();
ROLLBACK;
