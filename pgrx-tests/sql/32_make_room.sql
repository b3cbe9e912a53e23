-- Making room (pg_seating.make_room_moves, 2 by default): when no plan fits, auto_assign_tables
-- moves the fewest other bookings of that time that may move, through the assignment core, each
-- move in the moved booking's history and in the outbox; quote_tables shows the plan with its moves.
BEGIN;
SELECT no_plan();
\ir 00_assign_fixture.psql

-- B1 becomes a party of 6 (18-20). B2 (2, 18-20) sits at the 6-top T3, B3 (2, 19-21) at the 4-top
-- T2: every plan for six (T3 alone, or merges through T2) is taken; the 2-tops T1, T7, T8 are free.
UPDATE bookings SET party_size = 6 WHERE id = pg_temp.b(1);
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(3))$$, 'B2 at T3');
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(2))$$, 'B3 at T2');

SELECT is(current_setting('pg_seating.make_room_moves'), '2', 'making room moves up to two bookings by default');
SET LOCAL pg_seating.make_room_moves = 0;
SELECT is((SELECT count(*)::int FROM quote_tables(pg_temp.b(1))), 0, 'off: no plan to quote');
SELECT alike(pg_temp.err($$SELECT auto_assign_tables(pg_temp.b(1))$$), 'P0001 | No table plan fits booking %',
             'off: auto-assign finds no plan');

SET LOCAL pg_seating.make_room_moves = 1;
SELECT is((SELECT count(*)::int FROM quote_tables(pg_temp.b(1))), 1, 'on: one plan, with its moves');
SELECT is((SELECT reasons->>'tables' FROM quote_tables(pg_temp.b(1))), '["T3"]', '... T3 (one move, best plan)');
SELECT is((SELECT reasons->'moves' FROM quote_tables(pg_temp.b(1))),
          jsonb_build_array(jsonb_build_object('bookingId', pg_temp.b(2), 'fromTableIds', jsonb_build_array(pg_temp.t(3)),
                                               'toTableIds', jsonb_build_array(pg_temp.t(1)))),
          '... moving B2 from T3 to the 2-top T1');
SELECT is((SELECT reasons->'moves' FROM quote_tables(pg_temp.b(2), p_limit => 1)), '[]'::jsonb,
          'a plan without moves lists none');

-- Not movable: marked keep_tables, checked in, or holding a live hold; and the move limit.
SAVEPOINT s;
UPDATE bookings SET keep_tables = true WHERE id IN (pg_temp.b(2), pg_temp.b(3));
SELECT alike(pg_temp.err($$SELECT auto_assign_tables(pg_temp.b(1))$$), 'P0001 | No table plan fits booking %',
             'keep_tables: nobody moves');
ROLLBACK TO SAVEPOINT s;
UPDATE bookings SET status = 'confirmed' WHERE id IN (pg_temp.b(2), pg_temp.b(3));
UPDATE bookings SET status = 'checked_in', checked_in_at = now() WHERE id IN (pg_temp.b(2), pg_temp.b(3));
SELECT alike(pg_temp.err($$SELECT auto_assign_tables(pg_temp.b(1))$$), 'P0001 | No table plan fits booking %',
             'checked in: nobody moves');
ROLLBACK TO SAVEPOINT s;
INSERT INTO table_holds (booking_id, restaurant_id, zone_id, start_at, end_at, expires_at)
SELECT id, restaurant_id, 'a2000000-0000-0000-0000-000000000001', '2027-11-30 22:00Z', '2027-11-30 23:00Z', now() + interval '10 minutes'
  FROM bookings WHERE id IN (pg_temp.b(2), pg_temp.b(3));
INSERT INTO table_hold_members (hold_id, table_id) SELECT h.id, pg_temp.t(8) FROM table_holds h WHERE h.booking_id = pg_temp.b(2);
INSERT INTO table_hold_members (hold_id, table_id) SELECT h.id, pg_temp.t(7) FROM table_holds h WHERE h.booking_id = pg_temp.b(3);
SELECT alike(pg_temp.err($$SELECT auto_assign_tables(pg_temp.b(1))$$), 'P0001 | No table plan fits booking %',
             'holding a live hold: nobody moves');
ROLLBACK TO SAVEPOINT s;
-- B2 may not move, B3 may: B1 takes T2 merged with T1 (one move: B3 from T2 to a 2-top).
UPDATE bookings SET keep_tables = true WHERE id = pg_temp.b(2);
SELECT is((SELECT reasons->>'tables' FROM quote_tables(pg_temp.b(1))), '["T1", "T2"]', 'B2 kept: T1+T2, moving B3');
SELECT is((SELECT reasons->'moves'->0->>'bookingId' FROM quote_tables(pg_temp.b(1))), pg_temp.b(3)::text, '... B3 moves');
ROLLBACK TO SAVEPOINT s;

-- auto_assign_tables makes room: B2 moves to T1, B1 gets T3, in one call.
CREATE TEMP TABLE fp0 AS SELECT pg_temp.fp() AS v;
CREATE TEMP TABLE got AS SELECT * FROM auto_assign_tables(pg_temp.b(1), p_assigned_by => 'a9000000-0000-0000-0000-000000000001');
SELECT results_eq($$SELECT table_id FROM got$$, ARRAY[pg_temp.t(3)], 'B1 is seated at T3');
SELECT results_eq($$SELECT table_id FROM booking_table_assignments WHERE booking_id = pg_temp.b(2)$$, ARRAY[pg_temp.t(1)],
                  'B2 now sits at T1');
SELECT results_eq($$SELECT start_at, end_at FROM booking_table_assignments WHERE booking_id = pg_temp.b(2)$$,
                  $$VALUES ('2027-11-30 18:00Z'::timestamptz, '2027-11-30 20:00Z'::timestamptz)$$, '... in its own window');
SELECT results_eq($$SELECT resource_id FROM allocations WHERE booking_id = pg_temp.b(2) AND NOT shadow$$, ARRAY[pg_temp.t(1)],
                  '... with its allocation');
SELECT results_eq($$SELECT table_id FROM booking_table_assignments WHERE booking_id = pg_temp.b(3)$$, ARRAY[pg_temp.t(2)],
                  'B3 stays at T2');
SELECT results_eq(
    $$SELECT from_status::text, to_status::text, reason, metadata->'toTableIds', changed_by FROM booking_state_history
       WHERE booking_id = pg_temp.b(2) AND reason LIKE 'moved%'$$,
    $$VALUES ('pending', 'pending', 'moved to other tables to make room for booking ' || pg_temp.b(1),
              jsonb_build_array(pg_temp.t(1)), 'a9000000-0000-0000-0000-000000000001'::uuid)$$,
    'the move is in B2''s history');
SELECT results_eq(
    $$SELECT payload->'fromTableIds', payload->'toTableIds', payload->>'forBookingId' FROM capacity_outbox
       WHERE booking_id = pg_temp.b(2) AND event_type = 'capacity.assignment.moved'$$,
    $$VALUES (jsonb_build_array(pg_temp.t(3)), jsonb_build_array(pg_temp.t(1)), pg_temp.b(1)::text)$$,
    'and an outbox event the app can notify from');
SELECT is((SELECT count(*)::int FROM booking_assignment_reconciliation WHERE restaurant_id = 'a1000000-0000-0000-0000-000000000001' AND NOT consistent),
          0, 'every booking consistent afterwards');
SELECT results_eq($$SELECT table_id FROM auto_assign_tables(pg_temp.b(1))$$, ARRAY[pg_temp.t(3)],
                  'a second run replays: the same table, nothing moves');
SELECT is((SELECT count(*)::int FROM booking_state_history WHERE restaurant_id = 'a1000000-0000-0000-0000-000000000001' AND reason LIKE 'moved%'), 1, '... one move in all');
-- The same move again later (B1 released, B2 back at T3, B1 seated again): a second history row and a
-- second outbox event, though B2 goes to the same table (one event per moved booking and call).
SELECT lives_ok($$SELECT unassign_tables_atomic(pg_temp.b(1))$$, 'B1 released');
SELECT lives_ok($$SELECT unassign_tables_atomic(pg_temp.b(2))$$, 'B2 released');
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(2), pg_temp.ts(3))$$, 'B2 back at T3');
SELECT results_eq($$SELECT table_id FROM auto_assign_tables(pg_temp.b(1))$$, ARRAY[pg_temp.t(3)], 'B1 makes room again');
SELECT is((SELECT count(*)::int FROM capacity_outbox WHERE booking_id = pg_temp.b(2) AND event_type = 'capacity.assignment.moved'),
          2, 'B2 moved twice to T1: two outbox events');
SELECT is((SELECT count(*)::int FROM booking_state_history WHERE booking_id = pg_temp.b(2) AND reason LIKE 'moved%'), 2,
          '... and two history rows');

-- Across zones (SPEC §7): inside (I1 and I2, four seats, movable, adjacent) and terrace (E1, four
-- seats); A (party 4) sits at I1; B (party 8) needs I1+I2. The quoted move takes A to the terrace,
-- and auto_assign_tables carries it out: A's whole set moves and its zone lock follows.
SET LOCAL pg_seating.make_room_moves = 1;
INSERT INTO restaurants (id, name, slug, timezone) VALUES ('ab000000-0000-0000-0000-000000000001', 'zones', 'zones', 'UTC');
INSERT INTO zones (id, restaurant_id, name) VALUES
  ('ab200000-0000-0000-0000-000000000001', 'ab000000-0000-0000-0000-000000000001', 'inside'),
  ('ab200000-0000-0000-0000-000000000002', 'ab000000-0000-0000-0000-000000000001', 'terrace');
INSERT INTO table_inventory (id, restaurant_id, table_number, capacity, zone_id, mobility) VALUES
  ('ab300000-0000-0000-0000-000000000001', 'ab000000-0000-0000-0000-000000000001', 'I1', 4, 'ab200000-0000-0000-0000-000000000001', 'movable'),
  ('ab300000-0000-0000-0000-000000000002', 'ab000000-0000-0000-0000-000000000001', 'I2', 4, 'ab200000-0000-0000-0000-000000000001', 'movable'),
  ('ab300000-0000-0000-0000-000000000003', 'ab000000-0000-0000-0000-000000000001', 'E1', 4, 'ab200000-0000-0000-0000-000000000002', 'movable');
INSERT INTO table_adjacencies (restaurant_id, table_a, table_b) VALUES
  ('ab000000-0000-0000-0000-000000000001', 'ab300000-0000-0000-0000-000000000001', 'ab300000-0000-0000-0000-000000000002');
INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status) VALUES
  ('ab400000-0000-0000-0000-00000000000a', 'ab000000-0000-0000-0000-000000000001', '2027-11-30', '19:00', '21:00', '2027-11-30 19:00Z', '2027-11-30 21:00Z', 4, 'confirmed'),
  ('ab400000-0000-0000-0000-00000000000b', 'ab000000-0000-0000-0000-000000000001', '2027-11-30', '19:00', '21:00', '2027-11-30 19:00Z', '2027-11-30 21:00Z', 8, 'pending');
SELECT lives_ok($$SELECT assign_tables_atomic_v2('ab400000-0000-0000-0000-00000000000a', ARRAY['ab300000-0000-0000-0000-000000000001'::uuid])$$,
                'A at I1, locked to the inside');
SELECT is((SELECT reasons->'moves' FROM quote_tables('ab400000-0000-0000-0000-00000000000b', p_limit => 1)),
          jsonb_build_array(jsonb_build_object('bookingId', 'ab400000-0000-0000-0000-00000000000a'::uuid,
                                               'fromTableIds', jsonb_build_array('ab300000-0000-0000-0000-000000000001'::uuid),
                                               'toTableIds', jsonb_build_array('ab300000-0000-0000-0000-000000000003'::uuid))),
          'across zones: the quote moves A to the terrace');
SELECT results_eq($$SELECT table_id FROM auto_assign_tables('ab400000-0000-0000-0000-00000000000b') ORDER BY table_id$$,
                  ARRAY['ab300000-0000-0000-0000-000000000001'::uuid, 'ab300000-0000-0000-0000-000000000002'::uuid],
                  '... and auto_assign_tables carries it out: B at I1+I2 (0.7.0: 23514 different zone)');
SELECT results_eq($$SELECT table_id FROM booking_table_assignments WHERE booking_id = 'ab400000-0000-0000-0000-00000000000a'$$,
                  ARRAY['ab300000-0000-0000-0000-000000000003'::uuid], 'A at E1, its whole set moved');
SELECT is((SELECT assigned_zone_id FROM bookings WHERE id = 'ab400000-0000-0000-0000-00000000000a'),
          'ab200000-0000-0000-0000-000000000002'::uuid, 'A''s zone lock followed it to the terrace');
SELECT is((SELECT status::text FROM bookings WHERE id = 'ab400000-0000-0000-0000-00000000000a'), 'confirmed', 'A stays confirmed');
SELECT is((SELECT count(*)::int FROM find_assignment_anomalies('ab000000-0000-0000-0000-000000000001')), 0,
          'no anomaly afterwards');

-- A booking whose window has begun never moves (SPEC §7): C (party 4) sat down at I1 half an hour
-- ago; D (party 8) would need I1+I2: no plan, though moving C to the terrace table would make room.
INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
SELECT v.id, 'ab000000-0000-0000-0000-000000000001', (now() AT TIME ZONE 'UTC')::date, '00:00', '02:00',
       now() - interval '30 minutes', now() + interval '90 minutes', v.party, 'confirmed'
  FROM (VALUES ('ab400000-0000-0000-0000-00000000000c'::uuid, 4), ('ab400000-0000-0000-0000-00000000000d'::uuid, 8)) v(id, party);
SELECT lives_ok($$SELECT assign_tables_atomic_v2('ab400000-0000-0000-0000-00000000000c', ARRAY['ab300000-0000-0000-0000-000000000001'::uuid])$$,
                'C at I1, started');
SELECT alike(pg_temp.err($$SELECT auto_assign_tables('ab400000-0000-0000-0000-00000000000d')$$), 'P0001 | No table plan fits booking %',
             'a started booking is not moved to make room');
SELECT is((SELECT count(*)::int FROM quote_tables('ab400000-0000-0000-0000-00000000000d')), 0, '... nor quoted as a move');

SELECT * FROM finish();
ROLLBACK;
