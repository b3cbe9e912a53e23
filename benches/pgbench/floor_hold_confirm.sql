-- The floor for hold_confirm.sql: the same rows as plain SQL. The confirm transaction takes two
-- statements (the status guard must see the new assignment), so the floor makes five round trips
-- where the functions make four.
WITH h AS (
    INSERT INTO table_holds (restaurant_id, booking_id, zone_id, start_at, end_at, expires_at)
    VALUES ('c1000000-0000-0000-0000-000000000001', ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
            'c2000000-0000-0000-0000-000000000001', '2027-11-30 19:00Z', '2027-11-30 21:00Z', now() + interval '180 seconds')
    RETURNING id)
INSERT INTO table_hold_members (restaurant_id, hold_id, table_id)
SELECT 'c1000000-0000-0000-0000-000000000001', h.id, ('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))::uuid
  FROM h
RETURNING hold_id AS hold
\gset
BEGIN;
WITH ta AS (
    INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, "window")
    VALUES ('c1000000-0000-0000-0000-000000000001', ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
            'table', ('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))::uuid,
            tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z'))
    RETURNING id, booking_id, resource_id),
ob AS (
    INSERT INTO capacity_outbox (restaurant_id, booking_id, event_type, dedupe_key)
    VALUES ('c1000000-0000-0000-0000-000000000001', ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
            'capacity.assignment.sync', 'floor-hc-' || :client_id)
    ON CONFLICT (restaurant_id, event_type, coalesce(dedupe_key, ''), coalesce(idempotency_key, ''))
       WHERE status IN ('pending', 'processing') DO NOTHING
    RETURNING 1)
INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at, allocation_id)
SELECT 'c1000000-0000-0000-0000-000000000001', booking_id, resource_id, '2027-11-30 19:00Z', '2027-11-30 21:00Z', id FROM ta;
WITH u AS (
    UPDATE bookings SET status = 'confirmed', assigned_zone_id = 'c2000000-0000-0000-0000-000000000001', updated_at = now()
     WHERE restaurant_id = 'c1000000-0000-0000-0000-000000000001'
       AND id = ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid
    RETURNING restaurant_id, id),
hi AS (
    INSERT INTO booking_state_history (restaurant_id, booking_id, from_status, to_status, reason)
    SELECT restaurant_id, id, 'pending', 'confirmed', 'floor' FROM u RETURNING 1)
DELETE FROM table_holds WHERE restaurant_id = 'c1000000-0000-0000-0000-000000000001' AND id = :hold;
COMMIT;
WITH u AS (
    UPDATE bookings SET status = 'pending', updated_at = now()
     WHERE restaurant_id = 'c1000000-0000-0000-0000-000000000001'
       AND id = ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid
    RETURNING restaurant_id, id)
INSERT INTO booking_state_history (restaurant_id, booking_id, from_status, to_status, reason)
SELECT restaurant_id, id, 'confirmed', 'pending', 'floor' FROM u;
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
