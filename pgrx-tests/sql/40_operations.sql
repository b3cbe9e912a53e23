-- find_assignment_anomalies, repair_booking_assignments (dry run, then apply), and the shadow
-- backfill. Anomalies are planted past the triggers and foreign keys with session_replication_role.
BEGIN;
SELECT no_plan();
\ir 00_assign_fixture.psql
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1, 2), 'k1')$$, 'B1 seated on T1+T2 (healthy)');
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(8))$$, 'B3 seated on T8 (healthy)');
SELECT is((SELECT count(*)::int FROM find_assignment_anomalies()), 0, 'a healthy database: no rows');

SET LOCAL session_replication_role = replica;
-- B4 moves to the day of the others (the retry below names a window on that day: SPEC §10 refuses a
-- window away from the booking's date).
UPDATE bookings SET booking_date = '2027-11-30', start_time = '19:00', end_time = '21:00' WHERE id = pg_temp.b(4);
-- B2: an assignment without its allocation (seed 001's leftover), an allocation without its
-- assignment (three days long: longer than pg_seating.max_window too), an empty merge group, a
-- stale ledger row, an expired hold.
INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
VALUES ('a1000000-0000-0000-0000-000000000001', pg_temp.b(2), pg_temp.t(7), '2027-11-30 18:00Z', '2027-11-30 20:00Z');
INSERT INTO allocations (id, restaurant_id, booking_id, resource_type, resource_id, "window") VALUES
  ('a8000000-0000-0000-0000-000000000001', 'a1000000-0000-0000-0000-000000000001', pg_temp.b(2), 'table', pg_temp.t(3),
   tstzrange('2027-12-01 18:00Z', '2027-12-04 20:00Z')),
  ('a8000000-0000-0000-0000-000000000002', 'a1000000-0000-0000-0000-000000000001', pg_temp.b(2), 'merge_group',
   'a8000000-0000-0000-0000-000000000002', tstzrange('2027-11-30 18:00Z', '2027-11-30 20:00Z'));
INSERT INTO booking_assignment_idempotency (restaurant_id, booking_id, idempotency_key, table_ids, assignment_window, table_set_hash)
VALUES ('a1000000-0000-0000-0000-000000000001', pg_temp.b(2), 'old', ARRAY[pg_temp.t(1)], tstzrange('2027-11-30 18:00Z', '2027-11-30 20:00Z'), 'x');
INSERT INTO table_holds (id, restaurant_id, booking_id, zone_id, start_at, end_at, expires_at)
VALUES ('a5000000-0000-0000-0000-000000000009', 'a1000000-0000-0000-0000-000000000001', pg_temp.b(2),
        'a2000000-0000-0000-0000-000000000001', '2027-11-30 18:00Z', '2027-11-30 20:00Z', now() - interval '1 minute');
-- B5 confirmed with no table; B3 cancelled while still seated.
UPDATE bookings SET status = 'confirmed' WHERE id = pg_temp.b(5);
UPDATE bookings SET status = 'cancelled' WHERE id = pg_temp.b(3);
SET LOCAL session_replication_role = origin;

SELECT results_eq(
    $$SELECT kind, booking_id FROM find_assignment_anomalies() ORDER BY kind, booking_id$$,
    $$VALUES ('allocation_without_assignment', pg_temp.b(2)),
             ('assignment_without_allocation', pg_temp.b(2)),
             ('confirmed_without_table', pg_temp.b(5)),
             ('empty_merge_group', pg_temp.b(2)),
             ('expired_hold', pg_temp.b(2)),
             ('implausible_window', pg_temp.b(2)),
             ('stale_ledger', pg_temp.b(2)),
             ('terminal_booking_holds_state', pg_temp.b(3))$$,
    'every planted kind is reported, with its booking');
SELECT is((SELECT table_id FROM find_assignment_anomalies() WHERE kind = 'assignment_without_allocation'), pg_temp.t(7),
    'with the table id');
SELECT is((SELECT hold_id FROM find_assignment_anomalies() WHERE kind = 'expired_hold'), 'a5000000-0000-0000-0000-000000000009'::uuid,
    'and the hold id');

-- Seed 001: the retry fails before the repair...
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(4), pg_temp.ts(7), p_start_at => '2027-11-30 19:00Z', p_end_at => '2027-11-30 21:00Z')$$),
    'P0001 | allocations_no_overlap | Resource a3000000-0000-0000-0000-000000000007 overlaps requested window for booking a4000000-0000-0000-0000-000000000004 | The table is held by booking a4000000-0000-0000-0000-000000000002 for an overlapping window.',
    'a ghost assignment blocks T7');
CREATE TEMP TABLE fp0 AS SELECT pg_temp.fp() AS v;
SELECT results_eq($$SELECT action FROM repair_booking_assignments(pg_temp.b(2)) ORDER BY action$$,
    $$VALUES ('delete_allocation_without_assignment'), ('delete_assignment_without_allocation'), ('delete_empty_merge_group'),
             ('delete_expired_hold'), ('delete_stale_ledger_row')$$,
    'dry run: the actions it would take');
SELECT is(pg_temp.fp(), (SELECT v FROM fp0), 'dry run: nothing changed');
SELECT is((SELECT count(*)::int FROM repair_booking_assignments(pg_temp.b(2), false)), 5, 'apply');
SELECT is((SELECT count(*)::int FROM find_assignment_anomalies() WHERE booking_id = pg_temp.b(2)), 0, 'nothing left for B2');
SELECT is((SELECT count(*)::int FROM booking_table_assignments WHERE booking_id = pg_temp.b(1)), 2, 'B1 untouched');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(4), pg_temp.ts(7), p_start_at => '2027-11-30 19:00Z', p_end_at => '2027-11-30 21:00Z')$$),
    'ok', '... and the retry succeeds (seed 001)');
SELECT results_eq($$SELECT action FROM repair_booking_assignments(pg_temp.b(3), false)$$, $$VALUES ('release_terminal_state')$$,
    'a cancelled booking: its table state released');
SELECT results_eq($$SELECT action FROM repair_booking_assignments(pg_temp.b(5), false)$$, $$VALUES ('needs_assignment')$$,
    'a confirmed booking without a table: reported, not guessed');
SELECT is(pg_temp.err($$SELECT repair_booking_assignments('a4000000-0000-0000-0000-0000000000ff')$$),
    'P0002 | Booking a4000000-0000-0000-0000-0000000000ff not found', 'unknown booking');

-- The two kinds the keys forbid, planted with the keys dropped (legacy data).
ALTER TABLE booking_table_assignments DROP CONSTRAINT booking_table_assignments_booking_table_key;
ALTER TABLE booking_table_assignments DROP CONSTRAINT bta_no_overlap;
ALTER TABLE allocations DROP CONSTRAINT allocations_no_overlap;
SET LOCAL session_replication_role = replica;
-- B1 holds T1 18-20; a second, older assignment row of B1 on T1; B6 (reopened as pending) gets a
-- live allocation and assignment of T2 overlapping B1's.
UPDATE bookings SET status = 'pending' WHERE id = pg_temp.b(6);
INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at, created_at)
VALUES ('a1000000-0000-0000-0000-000000000001', pg_temp.b(1), pg_temp.t(1), '2027-11-30 18:00Z', '2027-11-30 20:00Z', '2000-01-01Z');
WITH a AS (INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, "window")
           VALUES ('a1000000-0000-0000-0000-000000000001', pg_temp.b(6), 'table', pg_temp.t(2), tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z'))
           RETURNING id)
INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at, allocation_id)
SELECT 'a1000000-0000-0000-0000-000000000001', pg_temp.b(6), pg_temp.t(2), '2027-11-30 19:00Z', '2027-11-30 21:00Z', id FROM a;
SET LOCAL session_replication_role = origin;
SELECT results_eq(
    $$SELECT kind, table_id, booking_id IN (pg_temp.b(1), pg_temp.b(6)) FROM find_assignment_anomalies()
       WHERE kind IN ('duplicate_assignment', 'overlapping_allocations') ORDER BY kind$$,
    $$VALUES ('duplicate_assignment', pg_temp.t(1), true), ('overlapping_allocations', pg_temp.t(2), true)$$,
    'duplicate assignments and overlapping live allocations are reported');
SELECT results_eq($$SELECT action FROM repair_booking_assignments(pg_temp.b(6), false)$$,
    $$VALUES ('release_overlapping_table')$$, 'repair releases the overlapping table from the booking repaired');
SELECT results_eq($$SELECT action FROM repair_booking_assignments(pg_temp.b(1), false)$$,
    $$VALUES ('delete_duplicate_assignment')$$, 'repair keeps one assignment per table');
SELECT is((SELECT count(*)::int FROM find_assignment_anomalies() WHERE booking_id IN (pg_temp.b(1), pg_temp.b(6))), 0,
    'nothing left for B1 and B6');
SELECT is((SELECT count(*)::int FROM booking_table_assignments WHERE booking_id = pg_temp.b(1)), 2, 'B1 keeps T1 and T2, once each');

-- Shadow backfill (seed 004): idempotent, never demotes, never blocks.
SET LOCAL session_replication_role = replica;
INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
VALUES ('a1000000-0000-0000-0000-000000000001', pg_temp.b(2), pg_temp.t(8), '2027-12-02 18:00Z', '2027-12-02 20:00Z');
SET LOCAL session_replication_role = origin;
SELECT results_eq($$SELECT * FROM backfill_allocations_shadow()$$, $$VALUES (1::bigint, 3::bigint)$$,
    'one legacy assignment mirrored; the three live ones already have their allocation');
SELECT results_eq($$SELECT * FROM backfill_allocations_shadow()$$, $$VALUES (0::bigint, 4::bigint)$$, 'a second run adds nothing');
SELECT is((SELECT count(*)::int FROM allocations WHERE booking_id = pg_temp.b(1) AND shadow), 0, 'live allocations are never demoted');
SET LOCAL session_replication_role = replica;
DELETE FROM booking_table_assignments WHERE booking_id = pg_temp.b(2);   -- leave only the shadow mirror
SET LOCAL session_replication_role = origin;
INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
VALUES (pg_temp.b(9), 'a1000000-0000-0000-0000-000000000001', '2027-12-02', '18:00', '20:00', '2027-12-02 19:00Z', '2027-12-02 21:00Z', 2, 'pending');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(9), pg_temp.ts(8))$$), 'ok',
    'shadow rows never block a real assignment');
SELECT * FROM finish();
ROLLBACK;
