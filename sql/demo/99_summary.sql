-- The demo's readable summary (printed by `make demo`).
\pset footer off
\echo
\echo '== The Copper Pot (Europe/London): zones and tables'
SELECT z.name AS zone, z.area_type AS area,
       count(t.*) AS tables,
       sum(t.capacity) AS seats,
       count(*) FILTER (WHERE t.mobility = 'movable') AS movable,
       count(*) FILTER (WHERE t.mobility = 'fixed') AS fixed,
       string_agg(DISTINCT t.capacity::text, '/' ORDER BY t.capacity::text) AS sizes
  FROM zones z JOIN table_inventory t ON t.restaurant_id = z.restaurant_id AND t.zone_id = z.id
 GROUP BY z.name, z.area_type, z.sort_order ORDER BY z.sort_order;

\echo '== Adjacency (movable tables that can be joined)'
SELECT z.name AS zone, count(*) AS edges
  FROM table_adjacencies a
  JOIN table_inventory t ON t.restaurant_id = a.restaurant_id AND t.id = a.table_a
  JOIN zones z ON z.restaurant_id = t.restaurant_id AND z.id = t.zone_id
 GROUP BY z.name ORDER BY z.name;

\echo '== Service periods and capacity rules'
SELECT sp.name AS period, sp.start_time AS starts, sp.end_time AS ends,
       r.max_covers, r.max_parties
  FROM restaurant_service_periods sp
  LEFT JOIN restaurant_capacity_rules r ON r.restaurant_id = sp.restaurant_id AND r.service_period_id = sp.id
 ORDER BY sp.start_time;

\echo '== Bookings for' :demo_day
SELECT booking_type AS service, count(*) AS bookings, sum(party_size) AS covers,
       min(start_time) AS first_start, max(start_time) AS last_start,
       count(*) FILTER (WHERE party_size <= 2) AS "1-2",
       count(*) FILTER (WHERE party_size BETWEEN 3 AND 4) AS "3-4",
       count(*) FILTER (WHERE party_size BETWEEN 5 AND 6) AS "5-6",
       count(*) FILTER (WHERE party_size >= 7) AS "7+"
  FROM bookings
 GROUP BY booking_type ORDER BY min(start_time);
