-- assign_tables_atomic_v2: validation errors (SQLSTATE, message, DETAIL, HINT), no partial writes,
-- writes, replay, replace semantics, zone lock, adjacency, holds, conflicts, windows and DST.
BEGIN;
SELECT no_plan();
\ir 00_assign_fixture.psql
CREATE TEMP TABLE fp0 AS SELECT pg_temp.fp() AS v;

-- Input validation ---------------------------------------------------------------------------
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), NULL)$$),
    '23514 | assign_tables_atomic_v2 requires at least one table id', 'NULL table ids');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), '{}')$$),
    '23514 | assign_tables_atomic_v2 requires at least one table id', 'empty table ids');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), ARRAY[NULL]::uuid[])$$),
    '23514 | assign_tables_atomic_v2 requires at least one valid table id', 'only NULL ids');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), ARRAY[pg_temp.t(1), NULL])$$),
    '22004 | assign_tables_atomic_v2: table ids must not be null | Remove the null entries from p_table_ids.',
    'a NULL among ids');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(NULL, pg_temp.ts(1))$$),
    '22004 | assign_tables_atomic_v2: argument p_booking_id must not be null | Pass a non-null value.',
    'NULL booking id');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2('a4000000-0000-0000-0000-0000000000ff', pg_temp.ts(1))$$),
    'P0002 | Booking a4000000-0000-0000-0000-0000000000ff not found', 'unknown booking');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1), p_start_at => '2027-11-30 18:00Z')$$),
    '22023 | assign_tables_atomic_v2 requires both start and end when providing custom window', 'start without end');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1), p_end_at => '2027-11-30 18:00Z')$$),
    '22023 | assign_tables_atomic_v2 requires both start and end when providing custom window', 'end without start');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1), p_start_at => '2027-11-30 20:00Z', p_end_at => '2027-11-30 18:00Z')$$),
    '22000 | Booking a4000000-0000-0000-0000-000000000001 has invalid time window', 'inverted custom window');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1), p_start_at => '2027-11-30 18:00Z', p_end_at => 'infinity')$$),
    '22000 | Booking a4000000-0000-0000-0000-000000000001 has invalid time window', 'infinite custom window');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(7), pg_temp.ts(1))$$),
    '22000 | Booking a4000000-0000-0000-0000-000000000007 has invalid time window', 'booking with an empty window');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1, 99))$$),
    '23503 | Table a3000000-0000-0000-0000-000000000099 belongs to a different restaurant', 'another restaurant''s table');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), ARRAY['a3000000-0000-0000-0000-0000000000ff'::uuid])$$),
    'P0002 | Unable to load all requested tables for booking a4000000-0000-0000-0000-000000000001 | Every table id must name an existing table of the booking''s restaurant',
    'unknown table');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(5))$$),
    '23514 | Table a3000000-0000-0000-0000-000000000005 is inactive', 'inactive table');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(6))$$),
    '23514 | Table a3000000-0000-0000-0000-000000000006 is out of service', 'out-of-service table');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1, 4))$$),
    '23514 | All tables must belong to the same zone (found a2000000-0000-0000-0000-000000000002, expected a2000000-0000-0000-0000-000000000001)',
    'tables of two zones');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1, 3))$$),
    '23514 | Merged assignments require movable tables (a3000000-0000-0000-0000-000000000003 is fixed)', 'fixed table in a merge');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1, 8), p_require_adjacency => true)$$),
    '23514 | Table a3000000-0000-0000-0000-000000000008 is not adjacent to the selected set', 'isolated table');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1, 7), p_require_adjacency => true)$$),
    '23514 | Table a3000000-0000-0000-0000-000000000007 is not adjacent to the selected set',
    'connected only through a table outside the set');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(6), pg_temp.ts(1))$$),
    '23514 | Booking a4000000-0000-0000-0000-000000000006 is cancelled and cannot be assigned tables | Cancelled, no-show and completed bookings are final and hold no tables.',
    'a cancelled booking holds no tables');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2_in_restaurant(NULL, pg_temp.b(1), pg_temp.ts(1))$$),
    '22004 | assign_tables_atomic_v2_in_restaurant: argument p_restaurant_id must not be null | Pass a non-null value.', 'companion: NULL restaurant');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2_in_restaurant('a1000000-0000-0000-0000-000000000002', pg_temp.b(1), pg_temp.ts(1))$$),
    'P0002 | Booking a4000000-0000-0000-0000-000000000001 not found', 'companion: booking of another restaurant');
SELECT is(pg_temp.fp(), (SELECT v FROM fp0), 'no refusal wrote anything');

-- A merged assignment ------------------------------------------------------------------------
INSERT INTO booking_slots (restaurant_id, slot_date, slot_time, available_capacity)
VALUES ('a1000000-0000-0000-0000-000000000001', '2027-11-30', '18:00', 100);
CREATE TEMP TABLE r1 AS
    SELECT * FROM assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(7, 2, 1, 2), 'key-1', true, pg_temp.t(99));
SELECT is((SELECT array_agg(table_id ORDER BY table_id) FROM r1), pg_temp.ts(1, 2, 7),
    'ids deduplicated; one row per table');
SELECT is((SELECT array_agg(table_id) FROM r1), pg_temp.ts(1, 2, 7), 'rows ordered by table id');
SELECT ok((SELECT bool_and(start_at = '2027-11-30 18:00Z' AND end_at = '2027-11-30 20:00Z') FROM r1),
    'the booking''s window');
SELECT is((SELECT count(DISTINCT merge_group_id)::int FROM r1 WHERE merge_group_id IS NOT NULL), 1,
    'one merge group for the set');
SELECT is((SELECT count(*)::int FROM allocations a JOIN r1 ON a.id = r1.merge_group_id
            WHERE a.resource_type = 'merge_group' AND a.resource_id = a.id AND NOT a.shadow
              AND a."window" = tstzrange('2027-11-30 18:00Z', '2027-11-30 20:00Z')), 3,
    'merge_group_id is the id of the merge_group allocation');
SELECT is((SELECT count(*)::int FROM allocations WHERE booking_id = pg_temp.b(1) AND resource_type = 'table' AND NOT shadow), 3,
    'one non-shadow table allocation per table');
SELECT is((SELECT count(*)::int FROM booking_table_assignments x
             JOIN allocations a ON a.restaurant_id = x.restaurant_id AND a.id = x.allocation_id
            WHERE x.booking_id = pg_temp.b(1) AND a.resource_id = x.table_id AND a."window" = x.assignment_window
              AND x.idempotency_key = 'key-1' AND x.assigned_by = pg_temp.t(99)), 3,
    'assignments point at their allocation, same window; one key on every row (seed 000)');
SELECT is((SELECT table_set_hash FROM booking_assignment_idempotency WHERE booking_id = pg_temp.b(1) AND idempotency_key = 'key-1'),
    md5(array_to_string(pg_temp.ts(1, 2, 7), ',')), 'ledger row with the table-set hash');
SELECT is((SELECT assigned_zone_id FROM bookings WHERE id = pg_temp.b(1)), 'a2000000-0000-0000-0000-000000000001'::uuid,
    'zone lock set on the first assignment');
SELECT ok((SELECT bool_and(x.slot_id = s.id) FROM booking_table_assignments x
             JOIN booking_slots s ON s.restaurant_id = x.restaurant_id AND s.slot_date = '2027-11-30' AND s.slot_time = '18:00'
            WHERE x.booking_id = pg_temp.b(1)), 'assignments link the booking slot of the date and start time');
SELECT is((SELECT count(*)::int FROM capacity_outbox WHERE booking_id = pg_temp.b(1) AND event_type = 'capacity.assignment.sync'
              AND payload->'tableIds' = to_jsonb(pg_temp.ts(1, 2, 7))), 1, 'outbox event written');

-- Replay -------------------------------------------------------------------------------------
CREATE TEMP TABLE fp1 AS SELECT pg_temp.fp() AS v;
SELECT results_eq(
    $$SELECT * FROM assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(2, 7, 1), 'key-1', true)$$,
    $$SELECT * FROM r1$$, 'same key + same set: the original rows');
SELECT is(pg_temp.fp(), (SELECT v FROM fp1), 'a replay writes nothing');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1, 2), 'key-1', true)$$),
    'P0003 | assign_tables_atomic_v2 idempotency mismatch for booking a4000000-0000-0000-0000-000000000001 | Idempotency key reuse detected with a different table set | Use a new idempotency key for a different request, or repeat the original request.',
    'same key + other set: mismatch');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1, 2, 7), 'key-1', true, NULL, '2027-11-30 18:00Z', '2027-11-30 19:00Z')$$),
    'P0003 | assign_tables_atomic_v2 idempotency mismatch for booking a4000000-0000-0000-0000-000000000001 | Idempotency key reuse detected with a different window | Use a new idempotency key for a different request, or repeat the original request.',
    'same key + same set + other window: mismatch');
SELECT is(pg_temp.fp(), (SELECT v FROM fp1), 'mismatches write nothing');

-- Conflicts ----------------------------------------------------------------------------------
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(2))$$),
    'P0001 | allocations_no_overlap | Resource a3000000-0000-0000-0000-000000000002 overlaps requested window for booking a4000000-0000-0000-0000-000000000003 | The table is held by booking a4000000-0000-0000-0000-000000000001 for an overlapping window.',
    'another booking''s overlapping allocation: the reference conflict, blocker in the HINT');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(2), p_start_at => '2027-11-30 20:00Z', p_end_at => '2027-11-30 22:00Z')$$),
    'ok', 'back-to-back windows do not conflict');
SELECT lives_ok($$SELECT unassign_tables_atomic(pg_temp.b(3))$$, 'release B3');

-- Holds: a live hold of another booking blocks; expired, released or own holds do not.
INSERT INTO table_holds (id, restaurant_id, booking_id, zone_id, start_at, end_at, expires_at, status) VALUES
  ('a5000000-0000-0000-0000-000000000001', 'a1000000-0000-0000-0000-000000000001', pg_temp.b(2),
   'a2000000-0000-0000-0000-000000000001', '2027-11-30 19:30Z', '2027-11-30 21:00Z', now() + interval '3 minutes', 'active'),
  ('a5000000-0000-0000-0000-000000000002', 'a1000000-0000-0000-0000-000000000001', pg_temp.b(2),
   'a2000000-0000-0000-0000-000000000001', '2027-11-30 19:30Z', '2027-11-30 21:00Z', now(), 'active'),
  ('a5000000-0000-0000-0000-000000000003', 'a1000000-0000-0000-0000-000000000001', pg_temp.b(2),
   'a2000000-0000-0000-0000-000000000001', '2027-11-30 19:30Z', '2027-11-30 21:00Z', now() + interval '3 minutes', 'cancelled'),
  ('a5000000-0000-0000-0000-000000000004', 'a1000000-0000-0000-0000-000000000001', pg_temp.b(3),
   'a2000000-0000-0000-0000-000000000001', '2027-11-30 19:30Z', '2027-11-30 21:00Z', now() + interval '3 minutes', 'active');
INSERT INTO table_hold_members (restaurant_id, hold_id, table_id) VALUES
  ('a1000000-0000-0000-0000-000000000001', 'a5000000-0000-0000-0000-000000000001', pg_temp.t(8)),
  ('a1000000-0000-0000-0000-000000000001', 'a5000000-0000-0000-0000-000000000002', pg_temp.t(3)),
  ('a1000000-0000-0000-0000-000000000001', 'a5000000-0000-0000-0000-000000000003', pg_temp.t(3)),
  ('a1000000-0000-0000-0000-000000000001', 'a5000000-0000-0000-0000-000000000004', pg_temp.t(4));
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(8))$$),
    'P0001 | Hold conflict prevents assignment for booking a4000000-0000-0000-0000-000000000003 | Hold a5000000-0000-0000-0000-000000000001 overlaps requested window | Retry after hold expiration or confirm existing hold.',
    'a live hold of another booking blocks');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(3))$$), 'ok',
    'a hold expiring exactly now and a cancelled hold block nobody');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(4))$$),
    '23514 | Booking a4000000-0000-0000-0000-000000000003 already has assignments in a different zone',
    'zone lock: holding T3 in Main, T4 on the Terrace is refused');
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(3))), 1, 'release B3''s table');
SELECT is((SELECT assigned_zone_id FROM bookings WHERE id = pg_temp.b(3)), NULL, 'zone lock cleared with the last table');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(4))$$), 'ok',
    'a booking''s own hold does not block it, and a cleared zone lock lets it move zones');
UPDATE bookings SET assigned_zone_id = 'a2000000-0000-0000-0000-000000000002' WHERE id = pg_temp.b(2);
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(3))$$),
    '23514 | Booking a4000000-0000-0000-0000-000000000002 locked to zone a2000000-0000-0000-0000-000000000002, cannot assign zone a2000000-0000-0000-0000-000000000001',
    'a zone lock refuses another zone');
UPDATE bookings SET assigned_zone_id = NULL WHERE id = pg_temp.b(2);

-- Additive semantics (SPEC §6: the staff "add table" action sends only the new table) ----------
-- B1 holds T1, T2, T7 (merged, key-1). Assigning T1 again under key-2 keeps T2 and T7, writes T1
-- afresh (single table: no merge group) and drops key-1's ledger row, which recorded T1.
CREATE TEMP TABLE mg1 AS SELECT DISTINCT merge_group_id FROM booking_table_assignments WHERE booking_id = pg_temp.b(1);
CREATE TEMP TABLE r2 AS SELECT * FROM assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1), 'key-2');
SELECT is((SELECT array_agg(table_id ORDER BY table_id) FROM booking_table_assignments WHERE booking_id = pg_temp.b(1)),
    pg_temp.ts(1, 2, 7), 'the tables the booking held stay; the call''s table is assigned (again)');
SELECT is((SELECT array_agg(table_id) FROM r2), pg_temp.ts(1), 'the call returns its own tables');
SELECT is((SELECT merge_group_id FROM r2), NULL, 'single table: no merge group');
SELECT is((SELECT count(*)::int FROM booking_table_assignments x JOIN mg1 ON x.merge_group_id = mg1.merge_group_id
            WHERE x.booking_id = pg_temp.b(1)), 2, 'T2 and T7 keep their merge group');
SELECT is((SELECT array_agg(idempotency_key) FROM booking_assignment_idempotency WHERE booking_id = pg_temp.b(1)),
    ARRAY['key-2'], 'the ledger row that recorded T1 is gone; the new call''s row is there');
SELECT is((SELECT count(*)::int FROM allocations WHERE booking_id = pg_temp.b(1) AND resource_type = 'table' AND NOT shadow),
    3, 'one live table allocation per table');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(2, 7), p_require_adjacency => true)$$),
    'P0001 | allocations_no_overlap | Resource a3000000-0000-0000-0000-000000000002 overlaps requested window for booking a4000000-0000-0000-0000-000000000002 | The table is held by booking a4000000-0000-0000-0000-000000000001 for an overlapping window.',
    'the tables B1 kept are not free for others');
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(1), pg_temp.ts(2, 7))), 2, 'release T2 and T7');
SELECT is((SELECT count(*)::int FROM allocations a JOIN mg1 ON a.id = mg1.merge_group_id), 0,
    'their emptied merge group goes');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(2, 7), p_require_adjacency => true)$$), 'ok',
    'released tables are free for others at once');

-- Unassign -----------------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(1), ARRAY['a3000000-0000-0000-0000-0000000000ff'::uuid])), 0,
    'unknown table ids are ignored');
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic('a4000000-0000-0000-0000-0000000000ff')), 0,
    'an unknown booking is ignored');
SELECT is(pg_temp.err($$SELECT unassign_tables_atomic(NULL)$$),
    '22004 | unassign_tables_atomic: argument p_booking_id must not be null | Pass a non-null value.', 'NULL booking');
SELECT results_eq($$SELECT table_id, merge_group_id FROM unassign_tables_atomic(pg_temp.b(1))$$,
    $$SELECT pg_temp.t(1), NULL::uuid$$, 'unassign returns (table_id, merge_group_id)');
SELECT is((SELECT count(*)::int FROM booking_assignment_idempotency WHERE booking_id = pg_temp.b(1)), 0,
    'unassign removes the ledger rows it invalidates');
SELECT results_eq($$SELECT table_id FROM assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(1), 'key-2')$$,
    $$SELECT pg_temp.t(1)$$, 'after unassign the same key assigns afresh');
SELECT is((SELECT count(*)::int FROM booking_table_assignments WHERE booking_id = pg_temp.b(1)), 1, 'written again');
SELECT is((SELECT slot_id FROM booking_table_assignments WHERE booking_id = pg_temp.b(3)), NULL,
    'no slot for 21:00: none is created (slot creation would serialise writers)');

-- Partial unassign of a merged set, and by merge group.
CREATE TEMP TABLE m2 AS SELECT DISTINCT merge_group_id FROM booking_table_assignments WHERE booking_id = pg_temp.b(2);
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(2), pg_temp.ts(7))), 1, 'partial unassign');
SELECT is((SELECT count(*)::int FROM allocations a JOIN m2 ON a.id = m2.merge_group_id), 1,
    'the merge group stays while a member remains');
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(2), NULL, (SELECT merge_group_id FROM m2))), 1,
    'unassign by merge group');
SELECT is((SELECT count(*)::int FROM allocations WHERE booking_id = pg_temp.b(2)), 0, 'emptied merge group removed');
SELECT is((SELECT assigned_zone_id FROM bookings WHERE id = pg_temp.b(2)), NULL, 'zone lock cleared');

-- Windows: local date and times in Europe/London ---------------------------------------------
SELECT results_eq($$SELECT start_at, end_at FROM assign_tables_atomic_v2(pg_temp.b(4), pg_temp.ts(8))$$,
    $$VALUES ('2026-03-29 00:30Z'::timestamptz, '2026-03-29 02:00Z'::timestamptz)$$,
    'DST start: 00:30 GMT to 03:00 BST is [00:30Z, 02:00Z)');
SELECT results_eq($$SELECT start_at, end_at FROM assign_tables_atomic_v2(pg_temp.b(5), pg_temp.ts(8))$$,
    $$VALUES ('2026-10-25 23:00Z'::timestamptz, '2026-10-26 01:00Z'::timestamptz)$$,
    'DST end day, over midnight: 23:00 to 01:00 GMT the next day');

-- v1 ----------------------------------------------------------------------------------------
SELECT is(pg_temp.err($$SELECT assign_tables_atomic(pg_temp.b(3), NULL, NULL)$$),
    '23514 | assign_tables_atomic requires at least one table id', 'v1: NULL table ids');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic(pg_temp.b(3), pg_temp.ts(7), 'empty')$$),
    '22000 | Booking a4000000-0000-0000-0000-000000000003 has invalid time window', 'v1: empty window');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic(pg_temp.b(3), pg_temp.ts(7), tstzrange('2027-11-30 19:00Z', NULL))$$),
    '22000 | Booking a4000000-0000-0000-0000-000000000003 has invalid time window', 'v1: unbounded window');
SELECT is((SELECT count(*)::int FROM unassign_tables_atomic(pg_temp.b(3))), 1, 'release B3 (Terrace)');
CREATE TEMP TABLE v1 AS SELECT * FROM assign_tables_atomic(pg_temp.b(3), pg_temp.ts(7, 1), tstzrange('2027-11-30 21:00Z', '2027-11-30 23:00Z'), NULL, 'v1-key');
SELECT is((SELECT count(*)::int FROM v1 JOIN booking_table_assignments x ON x.id = v1.assignment_id
            WHERE x.table_id = v1.table_id AND x.merge_group_id = v1.merge_group_id
              AND x.assignment_window = tstzrange('2027-11-30 21:00Z', '2027-11-30 23:00Z')), 2,
    'v1: several tables, assignment ids, merge group, the given window');
SELECT results_eq($$SELECT * FROM assign_tables_atomic(pg_temp.b(3), pg_temp.ts(1, 7), tstzrange('2027-11-30 21:00Z', '2027-11-30 23:00Z'), NULL, 'v1-key')$$,
    $$SELECT * FROM v1$$, 'v1: replay');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic(pg_temp.b(3), pg_temp.ts(1), NULL, NULL, 'v1-key')$$),
    'P0003 | assign_tables_atomic idempotency mismatch for booking a4000000-0000-0000-0000-000000000003 | Idempotency key reuse detected with a different table set | Use a new idempotency key for a different request, or repeat the original request.',
    'v1: mismatch');

-- Capacity hook ------------------------------------------------------------------------------
INSERT INTO restaurant_service_periods (id, restaurant_id, name, start_time, end_time)
VALUES ('a6000000-0000-0000-0000-000000000001', 'a1000000-0000-0000-0000-000000000001', 'Dinner', '17:00', '23:00');
INSERT INTO restaurant_capacity_rules (restaurant_id, service_period_id, max_covers, max_parties)
VALUES ('a1000000-0000-0000-0000-000000000001', 'a6000000-0000-0000-0000-000000000001', 7, 10);
CREATE TEMP TABLE fp2 AS SELECT pg_temp.fp() AS v;
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(2))$$),
    'P0001 | capacity_exceeded_post_assignment | Capacity exceeded after assignment: covers 8/7, parties 3/10 | Release tables or adjust capacity overrides before retrying.',
    'over the rule: the assignment is refused (B1 4 + B2 2 + B3 2 covers on the dinner period)');
SELECT is(pg_temp.fp(), (SELECT v FROM fp2), 'a capacity refusal leaves no partial write');
SET LOCAL app.capacity.post_assignment.enabled = 'No';
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(2))$$), 'ok', 'kill switch: skipped');
SET LOCAL app.capacity.post_assignment.enabled = 'on';
SELECT is(pg_temp.err($$SELECT validate_booking_capacity_after_assignment(pg_temp.b(2))$$),
    'P0001 | capacity_exceeded_post_assignment | Capacity exceeded after assignment: covers 8/7, parties 3/10 | Release tables or adjust capacity overrides before retrying.',
    'the validator on its own');
DROP TABLE restaurant_capacity_rules;
SELECT is(pg_temp.err($$SELECT validate_booking_capacity_after_assignment(pg_temp.b(2))$$), 'ok',
    'rules table gone: capacity is unbounded, never 42P01 (seed 002)');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(1), pg_temp.ts(3))$$), 'ok',
    'and assignments go through');

-- SPEC §10: implausible windows are refused (22023), nothing written.
CREATE TEMP TABLE fp_w0 AS SELECT pg_temp.fp() AS v;
SELECT alike(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(8), NULL, false, NULL, '0001-01-01', '9999-12-31')$$),
    '22023 | Booking a4000000-0000-0000-0000-000000000003 window of % minutes is longer than pg_seating.max_window (1440 minutes) | A table is assigned for one sitting; a superuser may raise pg_seating.max_window.',
    'a window from year 1 to 9999 is refused (it blocked the table forever)');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(8), p_start_at => '2027-11-30 00:00Z', p_end_at => '2027-12-01 01:00Z')$$),
    '22023 | Booking a4000000-0000-0000-0000-000000000003 window of 1500 minutes is longer than pg_seating.max_window (1440 minutes) | A table is assigned for one sitting; a superuser may raise pg_seating.max_window.',
    'a window of 25 hours is refused');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(8), p_start_at => '2030-01-01 10:00Z', p_end_at => '2030-01-01 12:00Z')$$),
    '22023 | Booking a4000000-0000-0000-0000-000000000003 window does not touch its booking date (± 1 day) | Pass a window on the booking''s own date, or move the booking to that date first.',
    'a window years away from the booking''s date is refused');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(8), p_start_at => '4713-01-01 00:00Z BC', p_end_at => '4713-01-01 02:00Z BC')$$),
    '22023 | Booking a4000000-0000-0000-0000-000000000003 window does not touch its booking date (± 1 day) | Pass a window on the booking''s own date, or move the booking to that date first.',
    'a window in 4713 BC is refused');
SELECT is(pg_temp.fp(), (SELECT v FROM fp_w0), 'the four refusals wrote nothing');
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(8), p_start_at => '2027-11-29 23:00Z', p_end_at => '2027-11-30 01:00Z')$$),
    'ok', 'a window reaching into the day before is accepted');
SELECT lives_ok($$SELECT unassign_tables_atomic(pg_temp.b(3), pg_temp.ts(8))$$, '(released again)');
CREATE TEMP TABLE fp_w AS SELECT pg_temp.fp() AS v;
SET LOCAL pg_seating.max_window = '1h';
SELECT is(pg_temp.err($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(8))$$),
    '22023 | Booking a4000000-0000-0000-0000-000000000003 window of 120 minutes is longer than pg_seating.max_window (60 minutes) | A table is assigned for one sitting; a superuser may raise pg_seating.max_window.',
    'pg_seating.max_window bounds the booking''s own window too');
RESET pg_seating.max_window;
SELECT is(pg_temp.err($$SELECT create_table_hold(pg_temp.b(3), pg_temp.ts(8), p_start_at => '2027-11-30 08:00Z', p_end_at => '2027-11-30 09:00Z', p_ttl_seconds => 100000000)$$),
    '22023 | Hold for booking a4000000-0000-0000-0000-000000000003 would expire after its window ends (ttl 100000000 seconds) | Pass a shorter p_ttl_seconds; a window that has ended cannot be held.',
    'a hold may not outlive its window');
SELECT is(pg_temp.fp(), (SELECT v FROM fp_w), 'the refusals wrote nothing');
SELECT is((SELECT context FROM pg_settings WHERE name = 'pg_seating.max_window'), 'superuser',
    'only a superuser may change pg_seating.max_window');

SELECT * FROM finish();
ROLLBACK;
