-- The floor for assign_3.sql: a merge-group allocation, three table allocations and three
-- assignments (plus zone lock and outbox row) written, then deleted, as plain SQL with no locks,
-- reads or checks; one statement per transaction, like the two function calls.
WITH mg AS (
    INSERT INTO allocations (id, restaurant_id, booking_id, resource_type, resource_id, "window")
    SELECT g, 'c1000000-0000-0000-0000-000000000001', ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
           'merge_group', g, tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z')
      FROM gen_random_uuid() g
    RETURNING id),
ta AS (
    INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, "window")
    SELECT 'c1000000-0000-0000-0000-000000000001', ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
           'table', ('c3000000-0000-0000-0000-' || lpad((3 * :client_id + k)::text, 12, '0'))::uuid,
           tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z')
      FROM generate_series(1, 3) k
    RETURNING id, booking_id, resource_id),
bta AS (
    INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at, allocation_id,
                                           merge_group_id)
    SELECT 'c1000000-0000-0000-0000-000000000001', booking_id, resource_id, '2027-11-30 19:00Z', '2027-11-30 21:00Z', id,
           (SELECT id FROM mg)
      FROM ta
    RETURNING table_id),
bk AS (
    UPDATE bookings SET assigned_zone_id = 'c2000000-0000-0000-0000-000000000001', updated_at = now()
     WHERE restaurant_id = 'c1000000-0000-0000-0000-000000000001'
       AND id = ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid
    RETURNING 1),
ob AS (
    INSERT INTO capacity_outbox (restaurant_id, booking_id, event_type, dedupe_key)
    VALUES ('c1000000-0000-0000-0000-000000000001', ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
            'capacity.assignment.sync', 'floor-' || :client_id)
    ON CONFLICT (restaurant_id, event_type, coalesce(dedupe_key, ''), coalesce(idempotency_key, ''))
       WHERE status IN ('pending', 'processing') DO NOTHING
    RETURNING 1)
SELECT count(*) FROM bta;
WITH bta AS (
    DELETE FROM booking_table_assignments WHERE restaurant_id = 'c1000000-0000-0000-0000-000000000001'
       AND booking_id = ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid
    RETURNING table_id),
al AS (
    DELETE FROM allocations WHERE restaurant_id = 'c1000000-0000-0000-0000-000000000001'
       AND booking_id = ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid
    RETURNING 1),
bk AS (
    UPDATE bookings SET assigned_zone_id = NULL, updated_at = now()
     WHERE restaurant_id = 'c1000000-0000-0000-0000-000000000001'
       AND id = ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid
    RETURNING 1)
SELECT count(*) FROM bta;
