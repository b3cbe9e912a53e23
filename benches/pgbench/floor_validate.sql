-- The floor for validate.sql: the same counting query as plain SQL (period, rule, totals).
WITH bk AS (
    SELECT b.booking_date, b.start_time, extract(dow FROM b.booking_date) AS dow
      FROM bookings b WHERE b.restaurant_id = 'c1000000-0000-0000-0000-000000000001'
                        AND b.id = ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid),
period AS (
    SELECT p.id, p.start_time, p.end_time FROM restaurant_service_periods p, bk
     WHERE p.restaurant_id = 'c1000000-0000-0000-0000-000000000001'
       AND (p.day_of_week IS NULL OR p.day_of_week = bk.dow)
       AND bk.start_time >= p.start_time AND bk.start_time < p.end_time
     ORDER BY p.day_of_week DESC NULLS LAST, p.start_time LIMIT 1),
rule AS (
    SELECT r.max_covers, r.max_parties FROM restaurant_capacity_rules r, bk
     WHERE r.restaurant_id = 'c1000000-0000-0000-0000-000000000001'
       AND (r.service_period_id IS NULL OR r.service_period_id = (SELECT id FROM period))
     ORDER BY r.effective_date DESC NULLS LAST LIMIT 1)
SELECT coalesce(sum(o.party_size), 0) <= (SELECT max_covers FROM rule)
  FROM bookings o, bk
 WHERE o.restaurant_id = 'c1000000-0000-0000-0000-000000000001' AND o.booking_date = bk.booking_date
   AND o.status IN ('confirmed', 'pending', 'checked_in')
   AND o.start_time >= (SELECT start_time FROM period) AND o.start_time < (SELECT end_time FROM period);
