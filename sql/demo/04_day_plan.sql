-- Demo: auto-assign the rest of the day with auto_assign_day, then print the seating plan
-- (tables × half hours, 12:00–23:00 Europe/London) and the day's metrics.
\pset footer off
\set ON_ERROR_STOP on
SELECT booking_date AS day FROM bookings LIMIT 1 \gset
\echo
\echo '== auto_assign_day for' :day '(one plan for the whole day: most bookings seated, then most guests)'
SELECT outcome, count(*) AS bookings, sum(b.party_size) AS covers
  FROM auto_assign_day('c0000000-0000-4000-8000-000000000001', :'day') d
  JOIN bookings b ON b.id = d.booking_id
 GROUP BY outcome ORDER BY outcome;

\echo
\echo '== Seating plan: one column per half hour from 12:00 to 22:30; the digit is the party size (+ for 10+), . is free'
SELECT rpad(t.table_number || ' (' || t.capacity || ', ' || left(z.name, 4) || ')', 16) AS "table",
       string_agg(coalesce((SELECT CASE WHEN b.party_size >= 10 THEN '+' ELSE b.party_size::text END
                              FROM booking_table_assignments x
                              JOIN bookings b ON b.restaurant_id = x.restaurant_id AND b.id = x.booking_id
                             WHERE x.restaurant_id = t.restaurant_id AND x.table_id = t.id
                               AND x.assignment_window @> ((:'day'::date + interval '12 hours' + n * interval '30 minutes')
                                                           AT TIME ZONE 'Europe/London')
                             LIMIT 1), '.') || ' ', '' ORDER BY n) AS "12  13  14  15  16  17  18  19  20  21  22  "
  FROM table_inventory t
  JOIN zones z ON z.restaurant_id = t.restaurant_id AND z.id = t.zone_id
 CROSS JOIN generate_series(0, 21) n
 GROUP BY t.id, t.table_number, t.capacity, z.name, z.sort_order
 ORDER BY z.sort_order, length(t.table_number), t.table_number;

\echo '== Day plan metrics'
SELECT key AS metric, value FROM jsonb_each(day_plan_metrics('c0000000-0000-4000-8000-000000000001', :'day'))
 ORDER BY array_position(ARRAY['bookings', 'seated', 'unassigned', 'covers', 'seats', 'wastedSeats', 'seatUtilisation', 'mergedTables'], key);

\echo '== Health: find_assignment_anomalies() (no rows means healthy)'
SELECT kind, count(*) AS problems FROM find_assignment_anomalies() GROUP BY kind
UNION ALL SELECT 'total', count(*) FROM find_assignment_anomalies();
