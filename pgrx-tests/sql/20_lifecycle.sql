-- Booking lifecycle: apply_booking_state_transition (CAS, history, allowed/refused moves,
-- timestamps, terminal release), holds (placement, conflicts, expiry, release, sweep), and both
-- confirm paths (atomicity under induced failures, replay).
BEGIN;
SELECT no_plan();
\ir 00_assign_fixture.psql

-- Transitions: errors ------------------------------------------------------------------------
CREATE TEMP TABLE fp0 AS SELECT pg_temp.fp() AS v;
SELECT is(pg_temp.err($$SELECT apply_booking_state_transition(NULL, 'confirmed', NULL, NULL, NULL, 'pending', 'confirmed', NULL, NULL, NULL)$$),
    '22004 | apply_booking_state_transition: argument p_booking_id must not be null | Pass a non-null value.', 'NULL booking');
SELECT is(pg_temp.err($$SELECT apply_booking_state_transition(pg_temp.b(1), NULL, NULL, NULL, NULL, 'pending', 'confirmed', NULL, NULL, NULL)$$),
    '22004 | apply_booking_state_transition: argument p_status must not be null | Pass a non-null value.', 'NULL status');
SELECT is(pg_temp.err($$SELECT apply_booking_state_transition(pg_temp.b(1), 'confirmed', NULL, NULL, NULL, NULL, 'confirmed', NULL, NULL, NULL)$$),
    '22004 | apply_booking_state_transition: argument p_history_from must not be null | Pass a non-null value.', 'NULL expected status');
SELECT is(pg_temp.err($$SELECT apply_booking_state_transition('a4000000-0000-0000-0000-0000000000ff', 'confirmed', NULL, NULL, NULL, 'pending', 'confirmed', NULL, NULL, NULL)$$),
    'P0002 | Booking a4000000-0000-0000-0000-0000000000ff not found', 'unknown booking: P0002 (the reference raised 42702)');
SELECT is(pg_temp.err($$SELECT apply_booking_state_transition(pg_temp.b(1), 'cancelled', NULL, NULL, NULL, 'confirmed', 'cancelled', NULL, NULL, NULL)$$),
    'P0004 | booking_state_conflict | Current status pending does not match expected confirmed', 'compare-and-set mismatch: P0004');
SELECT is(pg_temp.err($$SELECT apply_booking_state_transition(pg_temp.b(1), 'confirmed', NULL, NULL, NULL, 'pending', 'confirmed', NULL, NULL, NULL)$$),
    'P0001 | Cannot confirm booking a4000000-0000-0000-0000-000000000001: No table assignments exist. Booking must have at least one table assigned before confirmation. | Use the assign_tables RPC function to assign tables before confirming',
    'confirmed needs a table');
SELECT is(pg_temp.err($$SELECT apply_booking_state_transition(pg_temp.b(1), 'checked_in', NULL, NULL, NULL, 'pending', 'checked_in', NULL, NULL, NULL)$$),
    '22023 | Booking status transition from pending to checked_in is not allowed | Allowed: pending/pending_allocation/PRIORITY_WAITLIST -> confirmed, cancelled or no_show; confirmed -> checked_in, cancelled or no_show; checked_in -> completed or cancelled; cancelled, no_show and completed are final.',
    'pending -> checked_in refused');
SELECT is(pg_temp.fp(), (SELECT v FROM fp0), 'refused transitions wrote nothing');

-- The visit: pending -> confirmed -> checked_in -> completed ---------------------------------
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1, 2), 'visit')$$, 'seat B1');
SELECT results_eq(
    $$SELECT status::text, checked_in_at, checked_out_at FROM apply_booking_state_transition(pg_temp.b(1), 'confirmed', now(), now(), NULL, 'pending', 'confirmed', pg_temp.t(99), NULL, 'staff', '{"via": "test"}')$$,
    $$VALUES ('confirmed', NULL::timestamptz, NULL::timestamptz)$$, 'pending -> confirmed; timestamps cleared for confirmed');
SELECT results_eq(
    $$SELECT from_status::text, to_status::text, changed_by, reason, metadata FROM booking_state_history WHERE booking_id = pg_temp.b(1)$$,
    $$VALUES ('pending', 'confirmed', pg_temp.t(99), 'staff', '{"via": "test"}'::jsonb)$$, 'one history row');
SELECT is(pg_temp.err($$SELECT apply_booking_state_transition(pg_temp.b(1), 'completed', NULL, NULL, NULL, 'confirmed', 'completed', NULL, NULL, NULL)$$),
    '22023 | Booking status transition from confirmed to completed is not allowed | Allowed: pending/pending_allocation/PRIORITY_WAITLIST -> confirmed, cancelled or no_show; confirmed -> checked_in, cancelled or no_show; checked_in -> completed or cancelled; cancelled, no_show and completed are final.',
    'confirmed -> completed refused (no check-in)');
SELECT results_eq(
    $$SELECT status::text, checked_in_at, checked_out_at FROM apply_booking_state_transition(pg_temp.b(1), 'checked_in', NULL, NULL, NULL, 'confirmed', 'checked_in', NULL, NULL, NULL)$$,
    $$VALUES ('checked_in', now(), NULL::timestamptz)$$, 'confirmed -> checked_in sets checked_in_at');
SELECT is((SELECT count(*)::int FROM booking_table_assignments WHERE booking_id = pg_temp.b(1)), 2, 'checked_in is not terminal: tables kept');
SELECT results_eq(
    $$SELECT status::text, checked_in_at, checked_out_at FROM apply_booking_state_transition(pg_temp.b(1), 'completed', NULL, '2030-01-01Z', NULL, 'checked_in', 'completed', NULL, NULL, NULL)$$,
    $$VALUES ('completed', now(), '2030-01-01Z'::timestamptz)$$, 'checked_in -> completed');
SELECT is((SELECT count(*)::int FROM booking_table_assignments WHERE booking_id = pg_temp.b(1))
        + (SELECT count(*)::int FROM allocations WHERE booking_id = pg_temp.b(1))
        + (SELECT count(*)::int FROM booking_assignment_idempotency WHERE booking_id = pg_temp.b(1)), 0,
    'completed releases assignments, allocations and ledger rows');
SELECT is((SELECT assigned_zone_id FROM bookings WHERE id = pg_temp.b(1)), NULL, 'and the zone lock');
SELECT is(pg_temp.err($$SELECT apply_booking_state_transition(pg_temp.b(1), 'pending', NULL, NULL, NULL, 'completed', 'pending', NULL, NULL, NULL)$$),
    '22023 | Booking status transition from completed to pending is not allowed | Allowed: pending/pending_allocation/PRIORITY_WAITLIST -> confirmed, cancelled or no_show; confirmed -> checked_in, cancelled or no_show; checked_in -> completed or cancelled; cancelled, no_show and completed are final.',
    'completed is final');
SELECT is((SELECT count(*)::int FROM booking_state_history WHERE booking_id = pg_temp.b(1)), 3, 'three history rows');

-- Holds ----------------------------------------------------------------------------------------
CREATE TEMP TABLE h AS SELECT create_table_hold(pg_temp.b(3), pg_temp.ts(7), p_ttl_seconds => 300, p_created_by => pg_temp.t(99)) AS id;
SELECT ok((SELECT id FROM h) IS NOT NULL, 'create_table_hold returns the hold id');
SELECT results_eq(
    $$SELECT table_id, booking_id, hold_window, status::text, expires_at FROM table_hold_windows WHERE hold_id = (SELECT id FROM h)$$,
    $$VALUES (pg_temp.t(7), pg_temp.b(3), tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z'), 'active', now() + interval '300 seconds')$$,
    'the hold covers the booking''s window, expiring after its time-to-live');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(7))$$),
    'P0001 | Hold conflict prevents assignment for booking a4000000-0000-0000-0000-000000000002 | Hold ' || (SELECT id FROM h) || ' overlaps requested window | Retry after hold expiration or confirm existing hold.',
    'a live hold blocks another booking''s assignment');
SELECT is(pg_temp.err($$SELECT create_table_hold(pg_temp.b(2), pg_temp.ts(7))$$),
    'P0001 | Hold conflict prevents hold for booking a4000000-0000-0000-0000-000000000002 | Hold ' || (SELECT id FROM h) || ' overlaps requested window | Retry after hold expiration or confirm existing hold.',
    'and another booking''s hold');
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(8))$$, 'B2 takes T8');
SELECT is(pg_temp.err($$SELECT create_table_hold(pg_temp.b(3), pg_temp.ts(8))$$),
    'P0001 | allocations_no_overlap | Resource a3000000-0000-0000-0000-000000000008 overlaps requested window for booking a4000000-0000-0000-0000-000000000003 | The table is held by booking a4000000-0000-0000-0000-000000000002 for an overlapping window.',
    'a hold cannot take an assigned table');
SELECT is(pg_temp.err($$SELECT create_table_hold(pg_temp.b(3), pg_temp.ts(7), p_ttl_seconds => 0)$$),
    '22023 | Hold time-to-live must be a positive number of seconds (got 0)', 'ttl must be positive');
SELECT is(pg_temp.err($$SELECT create_table_hold(pg_temp.b(6), pg_temp.ts(3))$$),
    '23514 | Booking a4000000-0000-0000-0000-000000000006 is cancelled and cannot be assigned tables | Cancelled, no-show and completed bookings are final and hold no tables.',
    'no holds for a cancelled booking');
SELECT is(pg_temp.err($$SELECT create_table_hold(pg_temp.b(3), pg_temp.ts(6))$$),
    '23514 | Table a3000000-0000-0000-0000-000000000006 is out of service', 'holds follow the table rules');
UPDATE table_holds SET expires_at = now() WHERE id = (SELECT id FROM h);
SELECT is(pg_temp.err($$SELECT create_table_hold(pg_temp.b(2), pg_temp.ts(7), p_start_at => '2027-11-30 21:00Z', p_end_at => '2027-11-30 22:00Z')$$), 'ok',
    'back-to-back hold windows do not conflict');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(7))$$), 'ok',
    'a hold expiring exactly now blocks nobody');
SELECT is(sweep_expired_holds(), 1, 'sweep removes the expired hold');
SELECT is((SELECT count(*)::int FROM table_holds), 1, 'the live one stays');
SELECT is(release_table_hold((SELECT id FROM table_holds)), true, 'release');
SELECT is(pg_temp.err($$SELECT release_table_hold(NULL)$$),
    '22004 | release_table_hold: argument p_hold_id must not be null | Pass a non-null value.', 'NULL hold id');
SELECT is(release_table_hold('a5000000-0000-0000-0000-0000000000ff'), false, 'releasing an unknown hold: false');
SELECT is((SELECT count(*)::int FROM table_hold_windows), 0, 'no window rows left');

-- confirm_hold_assignment_with_transition ----------------------------------------------------
-- B4/B5/B7 are elsewhere in time; use B3 (pending, 19-21) with a hold on T1+T2.
CREATE TEMP TABLE h3 AS SELECT create_table_hold(pg_temp.b(3), pg_temp.ts(1, 2)) AS id;
CREATE TEMP TABLE fp1 AS SELECT pg_temp.fp() AS v;
-- Induced failures: each leaves status, holds and assignments exactly as before.
SELECT is(pg_temp.err($$SELECT confirm_hold_assignment_with_transition(pg_temp.b(3), pg_temp.ts(1, 2), 'c-key', p_target_status => 'completed')$$),
    '22023 | Booking status transition from pending to completed is not allowed | Allowed: pending/pending_allocation/PRIORITY_WAITLIST -> confirmed, cancelled or no_show; confirmed -> checked_in, cancelled or no_show; checked_in -> completed or cancelled; cancelled, no_show and completed are final.',
    'induced failure: refused transition');
SELECT is(pg_temp.fp(), (SELECT v FROM fp1), '... nothing changed (the assignment rolled back with it)');
SELECT is(pg_temp.err($$SELECT confirm_hold_assignment_with_transition(pg_temp.b(3), pg_temp.ts(1, 6), 'c-key')$$),
    '23514 | Table a3000000-0000-0000-0000-000000000006 is out of service', 'induced failure: assignment refused');
SELECT is(pg_temp.fp(), (SELECT v FROM fp1), '... nothing changed');
INSERT INTO restaurant_service_periods (id, restaurant_id, name, start_time, end_time)
VALUES ('a6000000-0000-0000-0000-000000000001', 'a1000000-0000-0000-0000-000000000001', 'Dinner', '17:00', '23:00');
INSERT INTO restaurant_capacity_rules (id, restaurant_id, service_period_id, max_covers)
VALUES ('a7000000-0000-0000-0000-000000000001', 'a1000000-0000-0000-0000-000000000001', 'a6000000-0000-0000-0000-000000000001', 3);
CREATE TEMP TABLE fp2 AS SELECT pg_temp.fp() AS v;
SELECT is(pg_temp.err($$SELECT confirm_hold_assignment_with_transition(pg_temp.b(3), pg_temp.ts(1, 2), 'c-key')$$),
    'P0001 | capacity_exceeded_post_assignment | Capacity exceeded after assignment: covers 4/3, parties 2/999999 | Release tables or adjust capacity overrides before retrying.',
    'induced failure: capacity exceeded');
SELECT is(pg_temp.fp(), (SELECT v FROM fp2), '... nothing changed');
DELETE FROM restaurant_capacity_rules WHERE id = 'a7000000-0000-0000-0000-000000000001';

CREATE TEMP TABLE c1 AS SELECT * FROM confirm_hold_assignment_with_transition(pg_temp.b(3), pg_temp.ts(2, 1), 'c-key', true);
SELECT is((SELECT array_agg(table_id) FROM c1), pg_temp.ts(1, 2), 'confirmed: rows ordered by table id');
SELECT is((SELECT status::text FROM bookings WHERE id = pg_temp.b(3)), 'confirmed', 'status moved to confirmed');
SELECT is((SELECT reason FROM booking_state_history WHERE booking_id = pg_temp.b(3)), 'auto_assign_atomic_confirm', 'history reason default');
SELECT is((SELECT count(*)::int FROM table_holds WHERE id = (SELECT id FROM h3)), 0, 'the booking''s hold on those tables was consumed');
CREATE TEMP TABLE fp3 AS SELECT pg_temp.fp() AS v;
SELECT results_eq($$SELECT * FROM confirm_hold_assignment_with_transition(pg_temp.b(3), pg_temp.ts(1, 2), 'c-key', true)$$,
    $$SELECT * FROM c1$$, 'replay with the same key: the same rows');
SELECT is(pg_temp.fp(), (SELECT v FROM fp3), 'a replay writes nothing');

-- confirm_hold_assignment_tx -----------------------------------------------------------------
-- B2 (pending, holds T7 from above) places a hold on T3 and confirms it.
SELECT lives_ok($$SELECT unassign_tables_atomic(pg_temp.b(2))$$, 'B2 releases its tables');
CREATE TEMP TABLE h2 AS SELECT create_table_hold(pg_temp.b(2), pg_temp.ts(3)) AS id;
UPDATE table_holds SET metadata = '{"policyVersion": "v7", "selection": {"snapshot": {"adjacency": {"hash": "abc"}}}}'
 WHERE id = (SELECT id FROM h2);
CREATE TEMP TABLE fp4 AS SELECT pg_temp.fp() AS v;
SELECT is(pg_temp.err($$SELECT confirm_hold_assignment_tx(NULL, pg_temp.b(2), 'tx')$$),
    '22004 | confirm_hold_assignment_tx: argument p_hold_id must not be null | Pass a non-null value.', 'tx: NULL hold');
SELECT is(pg_temp.err($$SELECT confirm_hold_assignment_tx('a5000000-0000-0000-0000-0000000000ff', pg_temp.b(2), 'tx')$$),
    'P0002 | Hold a5000000-0000-0000-0000-0000000000ff not found', 'tx: unknown hold');
SELECT is(pg_temp.err($$SELECT confirm_hold_assignment_tx((SELECT id FROM h2), pg_temp.b(1), 'tx')$$),
    'P0001 | Hold ' || (SELECT id FROM h2) || ' belongs to booking a4000000-0000-0000-0000-000000000002 (expected a4000000-0000-0000-0000-000000000001)',
    'tx: the hold of another booking');
SELECT is(pg_temp.err($$SELECT confirm_hold_assignment_tx((SELECT id FROM h2), pg_temp.b(2), 'tx', p_window_start => now())$$),
    '22023 | confirm_hold_assignment_tx requires both start and end when providing custom window', 'tx: one window bound');
SELECT is(pg_temp.err($$SELECT confirm_hold_assignment_tx((SELECT id FROM h2), pg_temp.b(2), 'tx', p_expected_policy_version => 'v6')$$),
    'P0003 | Policy version changed (hold ' || (SELECT id FROM h2) || ', expected v6, actual v7)', 'tx: policy version changed');
SELECT is(pg_temp.err($$SELECT confirm_hold_assignment_tx((SELECT id FROM h2), pg_temp.b(2), 'tx', p_expected_adjacency_hash => 'xyz')$$),
    'P0003 | Adjacency snapshot changed for hold ' || (SELECT id FROM h2), 'tx: adjacency snapshot changed');
SELECT is(pg_temp.fp(), (SELECT v FROM fp4), 'tx refusals wrote nothing');
UPDATE table_holds SET expires_at = now() - interval '1 second' WHERE id = (SELECT id FROM h2);
SELECT is(pg_temp.err($$SELECT confirm_hold_assignment_tx((SELECT id FROM h2), pg_temp.b(2), 'tx')$$),
    'P0001 | Hold ' || (SELECT id FROM h2) || ' expired at ' || (SELECT to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM table_holds WHERE id = (SELECT id FROM h2)),
    'tx: an expired hold');
UPDATE table_holds SET expires_at = now() + interval '5 minutes' WHERE id = (SELECT id FROM h2);
CREATE TEMP TABLE c2 AS
    SELECT * FROM confirm_hold_assignment_tx((SELECT id FROM h2), pg_temp.b(2), 'tx', p_target_status => 'confirmed',
                                             p_expected_policy_version => 'v7', p_expected_adjacency_hash => 'abc');
SELECT is((SELECT count(*)::int FROM c2 JOIN booking_table_assignments x ON x.id = c2.assignment_id WHERE x.table_id = pg_temp.t(3)), 1,
    'tx: the hold''s table assigned; assignment ids returned');
SELECT is((SELECT status::text FROM bookings WHERE id = pg_temp.b(2)), 'confirmed', 'tx: status moved');
SELECT is((SELECT count(*)::int FROM table_holds WHERE id = (SELECT id FROM h2)), 0, 'tx: the hold is gone');
SELECT is((SELECT table_ids FROM booking_confirmation_results WHERE booking_id = pg_temp.b(2) AND idempotency_key = 'tx'),
    pg_temp.ts(3), 'tx: confirmation result recorded');
SELECT is((SELECT count(*)::int FROM capacity_outbox WHERE booking_id = pg_temp.b(2) AND event_type = 'capacity.hold.confirmed'
              AND dedupe_key = pg_temp.b(2) || ':' || (SELECT id FROM h2) || ':hold.confirmed'), 1, 'tx: hold.confirmed event');
SELECT is((SELECT length(payload_checksum) FROM booking_assignment_idempotency WHERE booking_id = pg_temp.b(2) AND idempotency_key = 'tx'),
    64, 'tx: ledger payload checksum (sha256 hex)');
CREATE TEMP TABLE fp5 AS SELECT pg_temp.fp() AS v;
SELECT results_eq($$SELECT * FROM confirm_hold_assignment_tx((SELECT id FROM h2), pg_temp.b(2), 'tx', p_target_status => 'confirmed')$$,
    $$SELECT * FROM c2$$, 'tx: replay with the same key returns the same rows');
SELECT is(pg_temp.fp(), (SELECT v FROM fp5), 'tx: replay writes nothing');

-- Terminal release by a direct UPDATE ----------------------------------------------------------
CREATE TEMP TABLE h4 AS SELECT create_table_hold(pg_temp.b(2), pg_temp.ts(8), p_start_at => '2027-12-01 18:00Z', p_end_at => '2027-12-01 20:00Z') AS id;
UPDATE bookings SET status = 'cancelled' WHERE id = pg_temp.b(2);
SELECT is((SELECT count(*)::int FROM booking_table_assignments WHERE booking_id = pg_temp.b(2))
        + (SELECT count(*)::int FROM allocations WHERE booking_id = pg_temp.b(2))
        + (SELECT count(*)::int FROM booking_assignment_idempotency WHERE booking_id = pg_temp.b(2))
        + (SELECT count(*)::int FROM table_holds WHERE booking_id = pg_temp.b(2)), 0,
    'a direct UPDATE to cancelled releases assignments, allocations, ledger and holds');
SELECT results_eq($$SELECT status::text FROM apply_booking_state_transition(pg_temp.b(3), 'no_show', NULL, NULL, NULL, 'confirmed', 'no_show', NULL, NULL, 'no show')$$,
    $$VALUES ('no_show')$$, 'confirmed -> no_show');
SELECT is((SELECT count(*)::int FROM booking_table_assignments WHERE booking_id = pg_temp.b(3)), 0, 'no_show releases');

-- Seed 003: the deterministic auto-assign key ----------------------------------------------------
INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
VALUES (pg_temp.b(8), 'a1000000-0000-0000-0000-000000000001', '2027-12-02', '18:00', '20:00',
        '2027-12-02 18:00Z', '2027-12-02 20:00Z', 2, 'pending');
SELECT is(auto_assign_idempotency_key(pg_temp.b(8)),
    'auto-assign:a4000000-0000-0000-0000-000000000008:' || extract(epoch FROM '2027-12-02 18:00Z'::timestamptz)::bigint
      || '-' || extract(epoch FROM '2027-12-02 20:00Z'::timestamptz)::bigint,
    'the key is derived from the booking and its window');
CREATE TEMP TABLE auto1 AS
    SELECT * FROM confirm_hold_assignment_with_transition(pg_temp.b(8), pg_temp.ts(4), auto_assign_idempotency_key(pg_temp.b(8)));
SELECT results_eq(
    $$SELECT status::text, auto_assign_idempotency_key = auto_assign_idempotency_key(id), auto_assign_last_result->>'outcome',
             auto_assign_last_result->'tableIds'->>0
        FROM bookings WHERE id = pg_temp.b(8)$$,
    $$VALUES ('confirmed', true, 'confirmed', 'a3000000-0000-0000-0000-000000000004')$$,
    'an automatic confirm records the key and its result on the booking');
CREATE TEMP TABLE fp6 AS SELECT pg_temp.fp() AS v;
SELECT results_eq(
    $$SELECT * FROM confirm_hold_assignment_with_transition(pg_temp.b(8), pg_temp.ts(4), auto_assign_idempotency_key(pg_temp.b(8)))$$,
    $$SELECT * FROM auto1$$, 'a second automatic run for the confirmed booking reports the existing result');
SELECT is(pg_temp.fp(), (SELECT v FROM fp6), '... and does nothing');
SELECT is(pg_temp.err($$SELECT confirm_hold_assignment_with_transition(pg_temp.b(8), pg_temp.ts(4, 4), auto_assign_idempotency_key(pg_temp.b(8)), p_start_at => '2027-12-02 19:00Z', p_end_at => '2027-12-02 20:00Z')$$),
    'P0003 | assign_tables_atomic_v2 idempotency mismatch for booking a4000000-0000-0000-0000-000000000008 | Idempotency key reuse detected with a different window | Use a new idempotency key for a different request, or repeat the original request.',
    'the same key for another window is a mismatch');

-- Reconciliation (seed 003) ----------------------------------------------------------------------
SELECT results_eq($$SELECT consistent, problem FROM reconcile_booking(pg_temp.b(3))$$,
    $$VALUES (true, NULL::text)$$, 'a released no-show booking is consistent');
SELECT is(pg_temp.err($$SELECT reconcile_booking('a4000000-0000-0000-0000-0000000000ff')$$),
    'P0002 | Booking a4000000-0000-0000-0000-0000000000ff not found', 'reconcile: unknown booking');
SET LOCAL session_replication_role = replica;   -- plant inconsistencies past the triggers
UPDATE bookings SET status = 'confirmed' WHERE id = pg_temp.b(5);
INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
VALUES ('a1000000-0000-0000-0000-000000000001', pg_temp.b(6), pg_temp.t(5), '2027-12-04 18:00Z', '2027-12-04 20:00Z');
SET LOCAL session_replication_role = origin;
SELECT results_eq(
    $$SELECT booking_id, assignment_count, consistent, problem FROM booking_assignment_reconciliation
       WHERE NOT consistent ORDER BY booking_id$$,
    $$VALUES (pg_temp.b(5), 0, false, 'confirmed booking has no table'),
             (pg_temp.b(6), 1, false, 'cancelled booking still holds tables or holds')$$,
    'the view reports status/assignment mismatches');
SELECT results_eq($$SELECT consistent FROM reconcile_booking(pg_temp.b(6))$$, $$VALUES (false)$$, 'reconcile_booking: one row');

SELECT * FROM finish();
ROLLBACK;
