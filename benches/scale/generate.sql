-- History for the scale benchmark (benches/scale/run), set-based: :restaurants restaurants with 40
-- tables each (two zones, chains of adjacent movable tables, 2-8 seats), lunch and dinner periods with
-- a dinner capacity rule, and :days days of past bookings, 80 a day (two dinner sittings on every
-- table): 70 % left confirmed with their tables (assignments and live allocations kept, as when the app
-- never completes them), 20 % completed, 10 % cancelled (both hold no tables), two history rows each.
-- Rows are inserted restaurant by restaurant, as an app creates a restaurant's tables together; the
-- bookings day by day. Then the measured evening: restaurant 1, a week ahead, 120 pending bookings of 2-6 guests in three
-- sittings, no tables yet. Ids are deterministic, so every size measures the same evening.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET synchronous_commit = off;

INSERT INTO restaurants (id, name, slug, timezone)
SELECT ('51000000-0000-0000-0000-' || lpad(r::text, 12, '0'))::uuid, 'Scale ' || r, 'scale-' || r, 'Europe/London'
  FROM generate_series(1, :restaurants) r;

INSERT INTO zones (id, restaurant_id, name)
SELECT ('52000000-0000-0000-' || lpad(r::text, 4, '0') || '-' || lpad(z::text, 12, '0'))::uuid,
       ('51000000-0000-0000-0000-' || lpad(r::text, 12, '0'))::uuid, CASE z WHEN 1 THEN 'Main' ELSE 'Terrace' END
  FROM generate_series(1, :restaurants) r, generate_series(1, 2) z
 ORDER BY r, z;

INSERT INTO table_inventory (id, restaurant_id, table_number, capacity, zone_id, mobility)
SELECT ('53000000-0000-0000-' || lpad(r::text, 4, '0') || '-' || lpad(t::text, 12, '0'))::uuid,
       ('51000000-0000-0000-0000-' || lpad(r::text, 12, '0'))::uuid, 'T' || t,
       (ARRAY[2, 2, 4, 4, 6, 8])[1 + t % 6],
       ('52000000-0000-0000-' || lpad(r::text, 4, '0') || '-' || lpad((CASE WHEN t <= 24 THEN 1 ELSE 2 END)::text, 12, '0'))::uuid,
       'movable'
  FROM generate_series(1, :restaurants) r, generate_series(1, 40) t
 ORDER BY r, t;

INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
SELECT ('51000000-0000-0000-0000-' || lpad(r::text, 12, '0'))::uuid,
       ('53000000-0000-0000-' || lpad(r::text, 4, '0') || '-' || lpad(t::text, 12, '0'))::uuid,
       ('53000000-0000-0000-' || lpad(r::text, 4, '0') || '-' || lpad((t + 1)::text, 12, '0'))::uuid
  FROM generate_series(1, :restaurants) r, generate_series(1, 39) t
 WHERE t <> 24
 ORDER BY r, t;

INSERT INTO restaurant_service_periods (id, restaurant_id, name, start_time, end_time)
SELECT ('56000000-0000-0000-' || lpad(r::text, 4, '0') || '-' || lpad(p::text, 12, '0'))::uuid,
       ('51000000-0000-0000-0000-' || lpad(r::text, 12, '0'))::uuid,
       CASE p WHEN 1 THEN 'Lunch' ELSE 'Dinner' END,
       CASE p WHEN 1 THEN '11:00'::time ELSE '17:00'::time END,
       CASE p WHEN 1 THEN '15:00'::time ELSE '23:30'::time END
  FROM generate_series(1, :restaurants) r, generate_series(1, 2) p
 ORDER BY r, p;

INSERT INTO restaurant_capacity_rules (restaurant_id, service_period_id, max_covers, max_parties)
SELECT ('51000000-0000-0000-0000-' || lpad(r::text, 12, '0'))::uuid,
       ('56000000-0000-0000-' || lpad(r::text, 4, '0') || '-' || lpad('2', 12, '0'))::uuid, 100000, 100000
  FROM generate_series(1, :restaurants) r;

-- Past bookings: restaurant r, day d (1 = yesterday), number k in 0..79: table 1 + k % 40, sitting k / 40.
CREATE TEMP TABLE past AS
SELECT md5('scale-booking-' || r || '-' || d || '-' || k)::uuid AS id,
       ('51000000-0000-0000-0000-' || lpad(r::text, 12, '0'))::uuid AS restaurant_id,
       ('53000000-0000-0000-' || lpad(r::text, 4, '0') || '-' || lpad((1 + k % 40)::text, 12, '0'))::uuid AS table_id,
       current_date - d AS day,
       CASE WHEN k < 40 THEN '17:30'::time ELSE '20:00'::time END AS start_time,
       CASE WHEN k < 40 THEN '19:30'::time ELSE '22:00'::time END AS end_time,
       2 + (k % 5) AS party,
       CASE WHEN (r + d + k) % 10 < 7 THEN 'confirmed' WHEN (r + d + k) % 10 < 9 THEN 'completed' ELSE 'cancelled' END AS status
  FROM generate_series(1, :restaurants) r, generate_series(1, :days) d, generate_series(0, 79) k
 ORDER BY d DESC, r, k;

INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status,
                      checked_in_at, checked_out_at, customer_name, source, created_at, updated_at)
SELECT p.id, p.restaurant_id, p.day, p.start_time, p.end_time,
       (p.day + p.start_time) AT TIME ZONE 'Europe/London', (p.day + p.end_time) AT TIME ZONE 'Europe/London',
       p.party, p.status::booking_status,
       CASE WHEN p.status = 'completed' THEN (p.day + p.start_time) AT TIME ZONE 'Europe/London' END,
       CASE WHEN p.status = 'completed' THEN (p.day + p.end_time) AT TIME ZONE 'Europe/London' END,
       'Guest', 'web', (p.day - 7)::timestamptz, p.day::timestamptz
  FROM past p ORDER BY p.day, p.restaurant_id;

INSERT INTO allocations (id, restaurant_id, booking_id, resource_type, resource_id, "window", created_at, updated_at)
SELECT md5('scale-allocation-' || p.id)::uuid, p.restaurant_id, p.id, 'table', p.table_id,
       tstzrange((p.day + p.start_time) AT TIME ZONE 'Europe/London', (p.day + p.end_time) AT TIME ZONE 'Europe/London'),
       p.day::timestamptz, p.day::timestamptz
  FROM past p WHERE p.status = 'confirmed';

INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at, allocation_id, assigned_at,
                                       created_at, updated_at)
SELECT p.restaurant_id, p.id, p.table_id, (p.day + p.start_time) AT TIME ZONE 'Europe/London',
       (p.day + p.end_time) AT TIME ZONE 'Europe/London', md5('scale-allocation-' || p.id)::uuid,
       p.day::timestamptz, p.day::timestamptz, p.day::timestamptz
  FROM past p WHERE p.status = 'confirmed';

INSERT INTO booking_state_history (restaurant_id, booking_id, from_status, to_status, changed_at, reason)
SELECT p.restaurant_id, p.id, NULL::booking_status, 'pending'::booking_status, (p.day - 7)::timestamptz, 'created' FROM past p
UNION ALL
SELECT p.restaurant_id, p.id, 'pending'::booking_status, p.status::booking_status, p.day::timestamptz, 'scale' FROM past p;

-- The measured evening: restaurant 1, a week ahead, 120 pending bookings in three sittings.
INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status, customer_name)
SELECT ('5b000000-0000-0000-0000-' || lpad(k::text, 12, '0'))::uuid, '51000000-0000-0000-0000-000000000001',
       current_date + 7, s.start_time, s.end_time,
       (current_date + 7 + s.start_time) AT TIME ZONE 'Europe/London', (current_date + 7 + s.end_time) AT TIME ZONE 'Europe/London',
       2 + (k % 5), 'pending', 'Evening guest'
  FROM generate_series(1, 120) k
  CROSS JOIN LATERAL (SELECT (ARRAY['17:30', '19:00', '20:30']::time[])[1 + k % 3] AS start_time,
                             (ARRAY['19:00', '20:30', '22:00']::time[])[1 + k % 3] AS end_time) s;

DROP TABLE past;
VACUUM ANALYZE;
