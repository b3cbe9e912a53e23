-- The demo's seed data (sql/demo/) loads and has the promised shape.
BEGIN;
SELECT plan(9);
\ir ../../sql/demo/01_restaurant.sql
\ir ../../sql/demo/02_bookings.sql
\set ON_ERROR_STOP off

SELECT is((SELECT timezone FROM restaurants WHERE slug = 'the-copper-pot'), 'Europe/London', 'restaurant in Europe/London');
SELECT is((SELECT count(*)::int FROM zones WHERE restaurant_id = 'c0000000-0000-4000-8000-000000000001'), 3, 'three zones');
SELECT is((SELECT count(*)::int FROM table_inventory WHERE restaurant_id = 'c0000000-0000-4000-8000-000000000001'), 40, 'forty tables');
SELECT ok((SELECT min(capacity) = 2 AND max(capacity) = 8 FROM table_inventory
            WHERE restaurant_id = 'c0000000-0000-4000-8000-000000000001'), 'tables seat 2 to 8');
SELECT ok((SELECT bool_or(mobility = 'fixed') AND bool_or(mobility = 'movable') FROM table_inventory
            WHERE restaurant_id = 'c0000000-0000-4000-8000-000000000001'), 'movable and fixed tables');
SELECT is((SELECT count(*)::int FROM table_adjacencies a
             JOIN table_inventory t ON t.restaurant_id = a.restaurant_id AND t.id IN (a.table_a, a.table_b)
            WHERE a.restaurant_id = 'c0000000-0000-4000-8000-000000000001' AND t.mobility <> 'movable'),
    0, 'adjacency only among movable tables');
SELECT is((SELECT array_agg(name ORDER BY start_time) FROM restaurant_service_periods
            WHERE restaurant_id = 'c0000000-0000-4000-8000-000000000001'), ARRAY['Lunch', 'Dinner'], 'lunch and dinner');
SELECT is((SELECT count(*)::int FROM bookings WHERE restaurant_id = 'c0000000-0000-4000-8000-000000000001'
              AND booking_date = (now() AT TIME ZONE 'Europe/London')::date + 1), 120, '120 bookings tomorrow');
SELECT ok((SELECT count(DISTINCT party_size) >= 6 AND bool_and(start_at < end_at) FROM bookings
            WHERE restaurant_id = 'c0000000-0000-4000-8000-000000000001'), 'mixed party sizes, valid windows');

SELECT * FROM finish();
ROLLBACK;
