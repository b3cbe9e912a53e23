-- The data model's own guarantees (SPEC §2, §8): exclusion constraints, window checks,
-- restaurant-scoped keys, validation triggers, hold-window sync, updated_at, live status.
BEGIN;
SELECT plan(43);
\ir 00_fixture.psql

-- allocations_no_overlap ---------------------------------------------------------------------
INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, "window")
VALUES ('11111111-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000001', 'table',
        '33333333-0000-0000-0000-000000000001', tstzrange('2027-11-30 18:00Z', '2027-11-30 20:00Z'));
SELECT throws_ok($$
    INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, "window")
    VALUES ('11111111-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000002', 'table',
            '33333333-0000-0000-0000-000000000001', tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z'))$$,
    '23P01', NULL, 'overlapping non-shadow allocations of one table are rejected');
SELECT lives_ok($$
    INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, "window", shadow)
    VALUES ('11111111-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000002', 'table',
            '33333333-0000-0000-0000-000000000001', tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z'), true)$$,
    'a shadow row overlapping a live one does not conflict');
SELECT lives_ok($$
    INSERT INTO allocations (restaurant_id, resource_type, resource_id, "window", shadow)
    VALUES ('11111111-0000-0000-0000-000000000001', 'table', '33333333-0000-0000-0000-000000000001',
            tstzrange('2027-11-30 18:30Z', '2027-11-30 19:30Z'), true)$$,
    'shadow rows never conflict with each other');
SELECT lives_ok($$
    INSERT INTO allocations (restaurant_id, resource_type, resource_id, "window")
    VALUES ('11111111-0000-0000-0000-000000000001', 'table', '33333333-0000-0000-0000-000000000001',
            tstzrange('2027-11-30 20:00Z', '2027-11-30 22:00Z'))$$,
    'back-to-back windows [18,20) and [20,22) do not overlap');
SELECT lives_ok($$
    INSERT INTO allocations (restaurant_id, resource_type, resource_id, "window")
    VALUES ('11111111-0000-0000-0000-000000000001', 'merge_group', '33333333-0000-0000-0000-000000000001',
            tstzrange('2027-11-30 18:00Z', '2027-11-30 20:00Z'))$$,
    'different resource types never conflict');
SELECT throws_ok($$
    INSERT INTO allocations (restaurant_id, resource_type, resource_id, "window")
    VALUES ('11111111-0000-0000-0000-000000000001', 'table', '33333333-0000-0000-0000-000000000002',
            tstzrange('2027-11-30 18:00Z', '2027-11-30 18:00Z'))$$,
    '23514', NULL, 'an empty window is rejected');
SELECT throws_ok($$
    INSERT INTO allocations (restaurant_id, resource_type, resource_id, "window")
    VALUES ('11111111-0000-0000-0000-000000000001', 'table', '33333333-0000-0000-0000-000000000002',
            tstzrange('2027-11-30 18:00Z', NULL))$$,
    '23514', NULL, 'an unbounded window is rejected');
SELECT throws_ok($$
    INSERT INTO allocations (restaurant_id, resource_type, resource_id, "window")
    VALUES ('11111111-0000-0000-0000-000000000001', 'seat', '33333333-0000-0000-0000-000000000002',
            tstzrange('2027-11-30 18:00Z', '2027-11-30 19:00Z'))$$,
    '23514', NULL, 'an unknown resource type is rejected');
SELECT throws_ok($$
    INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, "window")
    VALUES ('11111111-0000-0000-0000-000000000002', '44444444-0000-0000-0000-000000000001', 'table',
            '33333333-0000-0000-0000-000000000005', tstzrange('2027-11-30 18:00Z', '2027-11-30 19:00Z'))$$,
    '23503', NULL, 'an allocation of R2 cannot reference a booking of R1');

-- Restaurant-scoped foreign keys -------------------------------------------------------------
SELECT throws_ok($$
    INSERT INTO table_inventory (restaurant_id, table_number, capacity, zone_id)
    VALUES ('11111111-0000-0000-0000-000000000002', 'X1', 2, '22222222-0000-0000-0000-000000000001')$$,
    '23503', NULL, 'a table of R2 cannot sit in a zone of R1');
SELECT throws_ok($$
    INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
    VALUES ('11111111-0000-0000-0000-000000000002', '44444444-0000-0000-0000-000000000003',
            '33333333-0000-0000-0000-000000000001', '2027-11-30 18:00Z', '2027-11-30 20:00Z')$$,
    '23503', NULL, 'an assignment of R2 cannot reference a table of R1');
SELECT throws_ok($$
    INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
    VALUES ('11111111-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000001',
            '33333333-0000-0000-0000-000000000005')$$,
    '23503', NULL, 'adjacency cannot link tables of two restaurants');
SELECT throws_ok($$
    UPDATE bookings SET assigned_zone_id = '22222222-0000-0000-0000-000000000003'
     WHERE id = '44444444-0000-0000-0000-000000000001'$$,
    '23503', NULL, 'a booking of R1 cannot be locked to a zone of R2');
SELECT throws_ok($$
    INSERT INTO table_holds (restaurant_id, zone_id, start_at, end_at, expires_at)
    VALUES ('11111111-0000-0000-0000-000000000002', '22222222-0000-0000-0000-000000000001',
            '2027-11-30 18:00Z', '2027-11-30 20:00Z', now() + interval '3 minutes')$$,
    '23503', NULL, 'a hold of R2 cannot name a zone of R1');

-- Adjacency rules ----------------------------------------------------------------------------
INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
VALUES ('11111111-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000002');
SELECT throws_ok($$
    INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
    VALUES ('11111111-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000002', '33333333-0000-0000-0000-000000000001')$$,
    '23505', NULL, 'an edge is stored once, whatever its direction');
SELECT throws_ok($$
    INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
    VALUES ('11111111-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000004')$$,
    'P0001', 'Adjacency requires tables to be in the same zone', 'adjacency across zones is refused');
SELECT throws_ok($$
    INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
    VALUES ('11111111-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000001')$$,
    '23514', NULL, 'a table is not adjacent to itself');

-- Assignments --------------------------------------------------------------------------------
INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
VALUES ('11111111-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000001',
        '33333333-0000-0000-0000-000000000002', '2027-11-30 18:00Z', '2027-11-30 20:00Z');
SELECT throws_ok($$
    INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
    VALUES ('11111111-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000002',
            '33333333-0000-0000-0000-000000000002', '2027-11-30 19:00Z', '2027-11-30 21:00Z')$$,
    '23P01', NULL, 'two assignments of one table cannot overlap');
SELECT throws_ok($$
    INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
    VALUES ('11111111-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000001',
            '33333333-0000-0000-0000-000000000002', '2027-12-01 18:00Z', '2027-12-01 20:00Z')$$,
    '23505', NULL, 'one assignment per (booking, table)');
SELECT throws_ok($$
    INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
    VALUES ('11111111-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000002',
            '33333333-0000-0000-0000-000000000003', NULL, '2027-11-30 21:00Z')$$,
    '23502', NULL, 'an assignment needs a start');
SELECT lives_ok($$
    INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at, idempotency_key)
    VALUES ('11111111-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000002',
            '33333333-0000-0000-0000-000000000003', '2027-11-30 19:00Z', '2027-11-30 21:00Z', 'k1'),
           ('11111111-0000-0000-0000-000000000001', '44444444-0000-0000-0000-000000000002',
            '33333333-0000-0000-0000-000000000001', '2027-11-30 22:00Z', '2027-11-30 23:00Z', 'k1')$$,
    'one idempotency key on a multi-table write never trips a unique index (seed 000)');
SELECT is((SELECT count(*)::int FROM booking_table_assignments x JOIN allocations a
             ON a.restaurant_id = x.restaurant_id AND a.id = x.allocation_id AND a.resource_id = x.table_id
            AND a."window" = x.assignment_window AND NOT a.shadow
            WHERE x.booking_id = '44444444-0000-0000-0000-000000000002'), 2,
    'each directly inserted assignment got its live table allocation');
SELECT throws_ok($$
    INSERT INTO booking_table_assignments (booking_id, table_id, start_at, end_at)
    VALUES ('44444444-0000-0000-0000-000000000002', '33333333-0000-0000-0000-000000000002', '2027-11-30 19:30Z', '2027-11-30 20:30Z')$$,
    '23P01', NULL, 'a direct assignment (no restaurant_id) of a taken table is refused');

-- Restaurants and bookings -------------------------------------------------------------------
SELECT throws_ok($$INSERT INTO restaurants (name, slug, timezone) VALUES ('X', 'x', 'Mars/Olympus')$$,
    '22023', 'Restaurant time zone "Mars/Olympus" is not a known time zone', 'unknown time zones are refused');
SELECT throws_ok($$UPDATE restaurants SET timezone = '' WHERE slug = 'r1'$$,
    '22023', 'Restaurant time zone must not be empty', 'an empty time zone is refused');
SELECT throws_ok($$
    UPDATE bookings SET status = 'checked_in' WHERE id = '44444444-0000-0000-0000-000000000001'$$,
    '23514', NULL, 'checked_in needs checked_in_at (lifecycle check)');
SELECT throws_ok($$
    UPDATE bookings SET start_at = end_at WHERE id = '44444444-0000-0000-0000-000000000001'$$,
    '23514', NULL, 'a booking window must not be empty');

-- Hold-window sync ---------------------------------------------------------------------------
INSERT INTO table_holds (id, restaurant_id, booking_id, zone_id, start_at, end_at, expires_at)
VALUES ('55555555-0000-0000-0000-000000000001', '11111111-0000-0000-0000-000000000001',
        '44444444-0000-0000-0000-000000000002', '22222222-0000-0000-0000-000000000001',
        '2027-11-30 19:00Z', '2027-11-30 21:00Z', now() + interval '3 minutes');
INSERT INTO table_hold_members (restaurant_id, hold_id, table_id)
VALUES ('11111111-0000-0000-0000-000000000001', '55555555-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000001'),
       ('11111111-0000-0000-0000-000000000001', '55555555-0000-0000-0000-000000000001', '33333333-0000-0000-0000-000000000002');
SELECT is((SELECT count(*)::int FROM table_hold_windows WHERE hold_id = '55555555-0000-0000-0000-000000000001'),
    2, 'each hold member gets a window row');
UPDATE table_holds SET expires_at = '2030-01-01Z', end_at = '2027-11-30 22:00Z'
 WHERE id = '55555555-0000-0000-0000-000000000001';
SELECT is((SELECT array_agg(DISTINCT upper(hold_window) || ' ' || expires_at) FROM table_hold_windows
            WHERE hold_id = '55555555-0000-0000-0000-000000000001'),
    ARRAY['2027-11-30 22:00:00+00 2030-01-01 00:00:00+00'],
    'a header update is copied to its window rows');
DELETE FROM table_hold_members WHERE table_id = '33333333-0000-0000-0000-000000000001';
SELECT is((SELECT count(*)::int FROM table_hold_windows WHERE hold_id = '55555555-0000-0000-0000-000000000001'),
    1, 'deleting a member removes its window row');
DELETE FROM table_holds WHERE id = '55555555-0000-0000-0000-000000000001';
SELECT is((SELECT count(*)::int FROM table_hold_windows), 0, 'deleting the hold removes every window row');

-- updated_at ---------------------------------------------------------------------------------
UPDATE table_inventory SET updated_at = '2000-01-01Z' WHERE id = '33333333-0000-0000-0000-000000000004';
SELECT is((SELECT updated_at FROM table_inventory WHERE id = '33333333-0000-0000-0000-000000000004'),
    '2000-01-01Z'::timestamptz, 'an explicit updated_at is kept');
UPDATE table_inventory SET notes = 'wobbly' WHERE id = '33333333-0000-0000-0000-000000000004';
SELECT is((SELECT updated_at FROM table_inventory WHERE id = '33333333-0000-0000-0000-000000000004'),
    now(), 'updated_at follows any other update');

-- Live status, computed ----------------------------------------------------------------------
UPDATE table_inventory SET status = 'out_of_service' WHERE id = '33333333-0000-0000-0000-000000000004';
SELECT is(
    (SELECT array_agg(table_number || '=' || live_status ORDER BY table_number)
       FROM table_live_status('11111111-0000-0000-0000-000000000001', '2027-11-30 18:30Z')),
    ARRAY['T1=reserved', 'T2=reserved', 'T3=available', 'T4=out_of_service'],
    'live status: an allocation covering the instant reserves its table (T2: a direct assignment''s); the manual flag wins');
INSERT INTO table_holds (id, restaurant_id, zone_id, start_at, end_at, expires_at)
VALUES ('55555555-0000-0000-0000-000000000002', '11111111-0000-0000-0000-000000000001',
        '22222222-0000-0000-0000-000000000001', '2027-11-30 18:00Z', '2027-11-30 20:00Z', now() + interval '1 minute'),
       ('55555555-0000-0000-0000-000000000003', '11111111-0000-0000-0000-000000000001',
        '22222222-0000-0000-0000-000000000001', '2027-11-30 18:00Z', '2027-11-30 20:00Z', now());
INSERT INTO table_hold_members (restaurant_id, hold_id, table_id)
VALUES ('11111111-0000-0000-0000-000000000001', '55555555-0000-0000-0000-000000000002', '33333333-0000-0000-0000-000000000002'),
       ('11111111-0000-0000-0000-000000000001', '55555555-0000-0000-0000-000000000003', '33333333-0000-0000-0000-000000000003');
SELECT is(
    (SELECT array_agg(table_number || '=' || live_status ORDER BY table_number)
       FROM table_live_status('11111111-0000-0000-0000-000000000001', '2027-11-30 18:30Z')),
    ARRAY['T1=reserved', 'T2=reserved', 'T3=available', 'T4=out_of_service'],
    'live status: a live hold reserves; a hold expiring exactly now does not');
-- A checked-in booking's allocations occupy their tables; a maintenance allocation puts its table
-- out of service while it lasts; a shadow allocation counts for nothing.
SAVEPOINT live;
UPDATE bookings SET status = 'confirmed' WHERE id = '44444444-0000-0000-0000-000000000001';
UPDATE bookings SET status = 'checked_in', checked_in_at = '2027-11-30 18:05Z' WHERE id = '44444444-0000-0000-0000-000000000001';
INSERT INTO allocations (restaurant_id, resource_type, resource_id, "window", is_maintenance)
VALUES ('11111111-0000-0000-0000-000000000001', 'table', '33333333-0000-0000-0000-000000000003',
        tstzrange('2027-11-30 18:00Z', '2027-11-30 19:00Z'), true);
INSERT INTO allocations (restaurant_id, resource_type, resource_id, "window", is_maintenance, shadow)
VALUES ('11111111-0000-0000-0000-000000000001', 'table', '33333333-0000-0000-0000-000000000003',
        tstzrange('2027-11-30 19:00Z', '2027-11-30 23:00Z'), true, true);
UPDATE table_inventory SET status = 'available' WHERE id = '33333333-0000-0000-0000-000000000004';
SELECT is(
    (SELECT array_agg(table_number || '=' || live_status ORDER BY table_number)
       FROM table_live_status('11111111-0000-0000-0000-000000000001', '2027-11-30 18:30Z')),
    ARRAY['T1=occupied', 'T2=occupied', 'T3=out_of_service', 'T4=available'],
    'live status: a checked-in booking occupies its tables; a maintenance allocation puts its table out of service');
SELECT is(
    (SELECT array_agg(table_number || '=' || live_status ORDER BY table_number)
       FROM table_live_status('11111111-0000-0000-0000-000000000001', '2027-11-30 20:30Z')),
    ARRAY['T1=reserved', 'T2=available', 'T3=reserved', 'T4=available'],
    'live status: after the visit T2 is free (T1 and T3 have other allocations); a shadow maintenance row is ignored');
ROLLBACK TO SAVEPOINT live;
-- Rows come in table_number order (the database's collation, not the ids'), and a renamed table
-- is seen at once (the backend's kept layout is replaced when the tables change).
UPDATE table_inventory SET table_number = 'T0' WHERE id = '33333333-0000-0000-0000-000000000004';
SELECT is(
    (SELECT array_agg(table_number || '=' || live_status)
       FROM table_live_status('11111111-0000-0000-0000-000000000001', '2027-11-30 18:30Z')),
    ARRAY['T0=out_of_service', 'T1=reserved', 'T2=reserved', 'T3=available'],
    'live status: one row per table in table_number order, a renamed table under its new number');
ROLLBACK TO SAVEPOINT live;
SELECT throws_ok($$SELECT * FROM table_live_status(NULL, now())$$, '22004',
    'table_live_status: argument p_restaurant_id must not be null', 'live status: NULL restaurant is 22004');
SELECT throws_ok($$SELECT * FROM table_live_status('11111111-0000-0000-0000-000000000001', NULL)$$, '22004',
    'table_live_status: argument p_at must not be null', 'live status: NULL instant is 22004');

-- A finished booking drops its auto-assign key (the key's partial index then covers only bookings
-- that can still be seated).
UPDATE bookings SET auto_assign_idempotency_key = 'auto-assign:test' WHERE id = '44444444-0000-0000-0000-000000000001';
UPDATE bookings SET status = 'cancelled' WHERE id = '44444444-0000-0000-0000-000000000001';
SELECT is((SELECT auto_assign_idempotency_key FROM bookings WHERE id = '44444444-0000-0000-0000-000000000001'), NULL,
    'a cancelled booking drops its auto-assign key');

-- Deleting a booking or a restaurant cascades through its assignments and allocations (the trigger
-- that releases a directly deleted allocation's table leaves cascades alone).
SELECT lives_ok($$DELETE FROM bookings WHERE id = '44444444-0000-0000-0000-000000000002'$$,
    'a booking with assignments and allocations can be deleted');
SELECT lives_ok($$DELETE FROM restaurants WHERE id = '11111111-0000-0000-0000-000000000001'$$,
    'a restaurant with bookings, assignments, allocations and holds can be deleted');

SELECT * FROM finish();
ROLLBACK;
