-- Demo restaurant: "The Copper Pot", London. Three zones, 40 tables, lunch and dinner.
-- Loaded by `make demo` into the database pg_seating_demo. Fixed ids keep the demo reproducible.
\set ON_ERROR_STOP on

INSERT INTO restaurants (id, name, slug, timezone, capacity, reservation_interval_minutes,
                         reservation_default_duration_minutes)
VALUES ('c0000000-0000-4000-8000-000000000001', 'The Copper Pot', 'the-copper-pot', 'Europe/London', 160, 15, 90);

INSERT INTO zones (id, restaurant_id, name, sort_order, area_type) VALUES
  ('c0000000-0000-4000-8000-0000000000a1', 'c0000000-0000-4000-8000-000000000001', 'Main Dining', 1, 'indoor'),
  ('c0000000-0000-4000-8000-0000000000a2', 'c0000000-0000-4000-8000-000000000001', 'Terrace', 2, 'covered'),
  ('c0000000-0000-4000-8000-0000000000a3', 'c0000000-0000-4000-8000-000000000001', 'Bar & Lounge', 3, 'indoor');

-- Main Dining: 20 movable tables in four rows of five (M1..M20); seats cycle 2,4,2,4,6 along a row.
-- Terrace: 12 movable tables in two rows of six (P1..P12); seats 2 or 4.
-- Bar & Lounge: 8 fixed tables (B1..B8): high tops of 2 and booths of 6 and 8.
INSERT INTO table_inventory (id, restaurant_id, table_number, capacity, min_party_size, max_party_size,
                             zone_id, category, seating_type, mobility, section)
SELECT ('c0000000-0000-4000-8000-0000000001' || lpad(n::text, 2, '0'))::uuid,
       'c0000000-0000-4000-8000-000000000001', 'M' || n,
       (ARRAY[2, 4, 2, 4, 6])[1 + (n - 1) % 5], 1, NULL,
       'c0000000-0000-4000-8000-0000000000a1', 'dining', 'standard', 'movable',
       'Row ' || (1 + (n - 1) / 5)
  FROM generate_series(1, 20) n;
INSERT INTO table_inventory (id, restaurant_id, table_number, capacity, min_party_size, max_party_size,
                             zone_id, category, seating_type, mobility, section)
SELECT ('c0000000-0000-4000-8000-0000000002' || lpad(n::text, 2, '0'))::uuid,
       'c0000000-0000-4000-8000-000000000001', 'P' || n,
       CASE WHEN n % 3 = 0 THEN 4 ELSE 2 END, 1, NULL,
       'c0000000-0000-4000-8000-0000000000a2', 'patio', 'standard', 'movable',
       'Terrace ' || (1 + (n - 1) / 6)
  FROM generate_series(1, 12) n;
INSERT INTO table_inventory (id, restaurant_id, table_number, capacity, min_party_size, max_party_size,
                             zone_id, category, seating_type, mobility, section)
SELECT ('c0000000-0000-4000-8000-0000000003' || lpad(n::text, 2, '0'))::uuid,
       'c0000000-0000-4000-8000-000000000001', 'B' || n,
       (ARRAY[2, 2, 2, 2, 6, 6, 8, 8])[n],
       CASE WHEN n >= 5 THEN 3 ELSE 1 END, NULL,
       'c0000000-0000-4000-8000-0000000000a3', CASE WHEN n <= 4 THEN 'bar' ELSE 'lounge' END::table_category,
       CASE WHEN n <= 4 THEN 'high_top' ELSE 'booth' END::table_seating_type, 'fixed', 'Bar'
  FROM generate_series(1, 8) n;

-- Adjacency among movable tables: neighbours along each row, and front-to-back between rows.
INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
SELECT 'c0000000-0000-4000-8000-000000000001', a.id, b.id
  FROM table_inventory a
  JOIN table_inventory b ON b.restaurant_id = a.restaurant_id AND b.zone_id = a.zone_id
 WHERE a.restaurant_id = 'c0000000-0000-4000-8000-000000000001'
   AND a.mobility = 'movable'
   AND (
        -- Main Dining, rows of five
        (a.table_number LIKE 'M%' AND b.table_number LIKE 'M%' AND (
            (substr(b.table_number, 2)::int = substr(a.table_number, 2)::int + 1
             AND substr(a.table_number, 2)::int % 5 <> 0)
         OR substr(b.table_number, 2)::int = substr(a.table_number, 2)::int + 5))
     OR (a.table_number LIKE 'P%' AND b.table_number LIKE 'P%' AND (
            (substr(b.table_number, 2)::int = substr(a.table_number, 2)::int + 1
             AND substr(a.table_number, 2)::int % 6 <> 0)
         OR substr(b.table_number, 2)::int = substr(a.table_number, 2)::int + 6))
   );

INSERT INTO restaurant_service_periods (id, restaurant_id, name, day_of_week, start_time, end_time, booking_option)
VALUES ('c0000000-0000-4000-8000-0000000000b1', 'c0000000-0000-4000-8000-000000000001', 'Lunch', NULL, '12:00', '15:00', 'lunch'),
       ('c0000000-0000-4000-8000-0000000000b2', 'c0000000-0000-4000-8000-000000000001', 'Dinner', NULL, '17:30', '23:00', 'dinner');

INSERT INTO restaurant_capacity_rules (restaurant_id, service_period_id, max_covers, max_parties, label)
VALUES ('c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-0000000000b1', 200, 60, 'Lunch limit'),
       ('c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-0000000000b2', 320, 100, 'Dinner limit');
