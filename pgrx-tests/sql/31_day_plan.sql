-- auto_assign_day and day_plan_metrics on the fixture's 2027-11-30.
BEGIN;
SELECT no_plan();
\ir 00_assign_fixture.psql
SELECT lives_ok($$SELECT assign_tables_atomic_v2(pg_temp.b(3), pg_temp.ts(8))$$, 'B3 already seated on T8');
SELECT is(day_plan_metrics('a1000000-0000-0000-0000-000000000001', '2027-11-30'),
    '{"bookings": 3, "seated": 1, "unassigned": 2, "covers": 2, "seats": 2, "wastedSeats": 0, "seatUtilisation": 1.000, "mergedTables": 0}'::jsonb,
    'metrics before planning (the cancelled B6 does not count)');
CREATE TEMP TABLE plan AS SELECT * FROM auto_assign_day('a1000000-0000-0000-0000-000000000001', '2027-11-30');
SELECT results_eq($$SELECT booking_id, table_ids, outcome FROM plan$$,
    $$VALUES (pg_temp.b(1), pg_temp.ts(2), 'assigned'), (pg_temp.b(2), pg_temp.ts(1), 'assigned'),
             (pg_temp.b(3), pg_temp.ts(8), 'kept')$$,
    'largest party first: B1 (4) gets T2, B2 (2) gets T1; B3 keeps T8');
SELECT is(day_plan_metrics('a1000000-0000-0000-0000-000000000001', '2027-11-30'),
    '{"bookings": 3, "seated": 3, "unassigned": 0, "covers": 8, "seats": 8, "wastedSeats": 0, "seatUtilisation": 1.000, "mergedTables": 0}'::jsonb,
    'metrics after planning');
UPDATE bookings SET party_size = 40 WHERE id = pg_temp.b(7);
UPDATE bookings SET booking_date = '2027-11-30', start_time = '18:00', end_time = '20:00' WHERE id = pg_temp.b(7);
SELECT results_eq($$SELECT outcome, detail LIKE 'party of 40;%' FROM auto_assign_day('a1000000-0000-0000-0000-000000000001', '2027-11-30') WHERE booking_id = pg_temp.b(7)$$,
    $$VALUES ('unassigned', true)$$, 'a party nothing fits: unassigned, with why');
SELECT is(pg_temp.err($$SELECT auto_assign_day(NULL, '2027-11-30')$$),
    '22004 | auto_assign_day: argument p_restaurant_id must not be null | Pass a non-null value.', 'NULL restaurant');
SELECT * FROM finish();
ROLLBACK;
