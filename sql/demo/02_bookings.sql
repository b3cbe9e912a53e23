-- A full day of bookings for tomorrow (local date in Europe/London): 40 at lunch and 80 at dinner,
-- party sizes from 1 to 10, start times every 15 minutes. A fixed hash of the booking number
-- stands in for randomness, so every run loads the same day.
\set ON_ERROR_STOP on

WITH params AS (
    SELECT ((now() AT TIME ZONE 'Europe/London')::date + 1) AS day
), raw AS (
    SELECT n,
           ('x' || substr(md5('copper-pot-' || n), 1, 8))::bit(32)::bigint AS h1,
           ('x' || substr(md5('copper-pot-' || n), 9, 8))::bit(32)::bigint AS h2
      FROM generate_series(1, 120) n
), shaped AS (
    SELECT n,
           -- party size: mostly couples and fours, a few large groups
           (ARRAY[1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 6, 6, 7, 8, 8, 10])[1 + h1 % 24] AS party,
           CASE WHEN n <= 40
                THEN time '12:00' + make_interval(mins => 15 * (h2 % 9)::int)     -- 12:00 .. 14:00
                ELSE time '17:30' + make_interval(mins => 15 * (h2 % 15)::int)    -- 17:30 .. 21:00
           END AS start_time,
           CASE WHEN n <= 40 THEN interval '90 minutes' ELSE interval '120 minutes' END AS duration
      FROM raw
)
INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at,
                      party_size, status, customer_name, source, booking_type, seating_preference)
SELECT ('c0000000-0000-4000-8000-00000000' || lpad(to_hex(1000 + n), 4, '0'))::uuid,
       'c0000000-0000-4000-8000-000000000001',
       p.day, s.start_time, (s.start_time + s.duration)::time,
       (p.day + s.start_time) AT TIME ZONE 'Europe/London',
       (p.day + s.start_time + s.duration) AT TIME ZONE 'Europe/London',
       s.party, 'pending',
       (ARRAY['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Tony'])[1 + n % 10]
         || ' ' || (ARRAY['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Hoare'])[1 + (n / 10) % 10],
       'demo', CASE WHEN n <= 40 THEN 'lunch' ELSE 'dinner' END,
       (ARRAY['any', 'any', 'any', 'indoor', 'outdoor', 'window', 'quiet'])[1 + n % 7]
  FROM shaped s CROSS JOIN params p;
