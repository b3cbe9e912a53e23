-- Benchmark data: one restaurant, one zone, 3 movable tables per pgbench client (a connected
-- chain of three), one booking per client, a dinner period with a capacity rule (so the
-- post-assignment check runs), and a booking slot. Client c (0-based pgbench client_id) owns
-- booking b0000000-…-c and tables c3000000-…-(3c+1 .. 3c+3), so clients never share tables.
\set ON_ERROR_STOP on
INSERT INTO restaurants (id, name, slug) VALUES ('c1000000-0000-0000-0000-000000000001', 'Bench', 'bench');
INSERT INTO zones (id, restaurant_id, name)
VALUES ('c2000000-0000-0000-0000-000000000001', 'c1000000-0000-0000-0000-000000000001', 'Main');
INSERT INTO table_inventory (id, restaurant_id, table_number, capacity, zone_id, mobility)
SELECT ('c3000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid, 'c1000000-0000-0000-0000-000000000001',
       'T' || n, 2 + 2 * (n % 3), 'c2000000-0000-0000-0000-000000000001', 'movable'
  FROM generate_series(1, 3 * 64) n;
INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
SELECT 'c1000000-0000-0000-0000-000000000001',
       ('c3000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid,
       ('c3000000-0000-0000-0000-' || lpad((n + 1)::text, 12, '0'))::uuid
  FROM generate_series(1, 3 * 64) n WHERE n % 3 <> 0;
INSERT INTO restaurant_service_periods (id, restaurant_id, name, start_time, end_time)
VALUES ('c6000000-0000-0000-0000-000000000001', 'c1000000-0000-0000-0000-000000000001', 'Dinner', '17:00', '23:00');
INSERT INTO restaurant_capacity_rules (restaurant_id, service_period_id, max_covers, max_parties)
VALUES ('c1000000-0000-0000-0000-000000000001', 'c6000000-0000-0000-0000-000000000001', 100000, 100000);
INSERT INTO booking_slots (restaurant_id, slot_date, slot_time, service_period_id, available_capacity)
VALUES ('c1000000-0000-0000-0000-000000000001', '2027-11-30', '19:00', 'c6000000-0000-0000-0000-000000000001', 999);
INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
SELECT ('b0000000-0000-0000-0000-' || lpad(c::text, 12, '0'))::uuid, 'c1000000-0000-0000-0000-000000000001',
       '2027-11-30', '19:00', '21:00', '2027-11-30 19:00Z', '2027-11-30 21:00Z', 4, 'pending'
  FROM generate_series(0, 63) c;
VACUUM ANALYZE;
