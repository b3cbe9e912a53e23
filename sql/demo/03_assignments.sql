-- Demo: seat a few bookings with assign_tables_atomic_v2 (single tables and a merged set of
-- three adjacent tables), then show a conflicting attempt being refused. Printed by `make demo`.
\pset footer off
\set ON_ERROR_STOP on
\set QUIET on

-- Three early lunch couples on the terrace two-tops P1, P2, P4.
SELECT id AS couple1 FROM bookings WHERE booking_type = 'lunch' AND party_size <= 2 ORDER BY start_time, id LIMIT 1 OFFSET 0 \gset
SELECT id AS couple2 FROM bookings WHERE booking_type = 'lunch' AND party_size <= 2 ORDER BY start_time, id LIMIT 1 OFFSET 1 \gset
SELECT id AS couple3 FROM bookings WHERE booking_type = 'lunch' AND party_size <= 2 ORDER BY start_time, id LIMIT 1 OFFSET 2 \gset
-- A lunch four at M2 (four seats), and a dinner party of 7-8 on M6+M7+M8 (2+4+2, adjacent).
SELECT id AS four FROM bookings WHERE booking_type = 'lunch' AND party_size BETWEEN 3 AND 4 ORDER BY start_time, id LIMIT 1 \gset
SELECT id AS group8 FROM bookings WHERE booking_type = 'dinner' AND party_size BETWEEN 7 AND 8 ORDER BY start_time, id LIMIT 1 \gset

SELECT count(*) AS assigned FROM (
    SELECT * FROM assign_tables_atomic_v2(:'couple1', ARRAY(SELECT id FROM table_inventory WHERE table_number = 'P1'), 'demo-' || :'couple1')
    UNION ALL
    SELECT * FROM assign_tables_atomic_v2(:'couple2', ARRAY(SELECT id FROM table_inventory WHERE table_number = 'P2'), 'demo-' || :'couple2')
    UNION ALL
    SELECT * FROM assign_tables_atomic_v2(:'couple3', ARRAY(SELECT id FROM table_inventory WHERE table_number = 'P4'), 'demo-' || :'couple3')
    UNION ALL
    SELECT * FROM assign_tables_atomic_v2(:'four', ARRAY(SELECT id FROM table_inventory WHERE table_number = 'M2'), 'demo-' || :'four')
    UNION ALL
    SELECT * FROM assign_tables_atomic_v2(:'group8',
        ARRAY(SELECT id FROM table_inventory WHERE table_number IN ('M6', 'M7', 'M8')), 'demo-' || :'group8',
        p_require_adjacency => true)
) a \gset

\echo '== Seated with assign_tables_atomic_v2 (times in Europe/London)'
SELECT string_agg(t.table_number, '+' ORDER BY t.table_number) AS tables,
       b.customer_name AS guest, b.party_size AS party, sum(t.capacity) AS seats,
       to_char(min(x.start_at) AT TIME ZONE 'Europe/London', 'HH24:MI') || '–' ||
       to_char(min(x.end_at) AT TIME ZONE 'Europe/London', 'HH24:MI') AS window,
       CASE WHEN count(*) > 1 THEN 'merged' ELSE 'single' END AS kind
  FROM booking_table_assignments x
  JOIN bookings b ON b.restaurant_id = x.restaurant_id AND b.id = x.booking_id
  JOIN table_inventory t ON t.restaurant_id = x.restaurant_id AND t.id = x.table_id
 GROUP BY b.id, b.customer_name, b.party_size
 ORDER BY min(x.start_at), 1;

-- Another lunch booking whose window overlaps couple1's tries to take P1.
SELECT b.id AS rival, b.customer_name AS rival_name
  FROM bookings b, bookings c
 WHERE c.id = :'couple1' AND b.id NOT IN (:'couple1', :'couple2', :'couple3', :'four')
   AND b.booking_type = 'lunch' AND b.start_at < c.end_at AND c.start_at < b.end_at
 ORDER BY b.start_time, b.id LIMIT 1 \gset
\echo
\echo '== A conflicting attempt:' :rival_name 'asks for P1 while it is taken'
\set ON_ERROR_STOP off
SELECT * FROM assign_tables_atomic_v2(:'rival', ARRAY(SELECT id FROM table_inventory WHERE table_number = 'P1'));
\set ON_ERROR_STOP on
\echo '(refused: the call wrote nothing; the app maps P0001 allocations_no_overlap to a 409 conflict)'

-- The lifecycle: a hold, confirmed with a status transition, then a cancellation that releases.
SELECT id AS guest FROM bookings WHERE booking_type = 'dinner' AND party_size BETWEEN 3 AND 4 ORDER BY start_time, id LIMIT 1 \gset
SELECT customer_name AS guest_name FROM bookings WHERE id = :'guest' \gset
SELECT create_table_hold(:'guest', ARRAY(SELECT id FROM table_inventory WHERE table_number = 'M4'), p_ttl_seconds => 120) AS hold \gset
\echo
\echo '== Hold, confirm, cancel:' :guest_name
SELECT 'hold placed' AS step, t.table_number AS tables, w.expires_at > now() AS live,
       to_char(w.expires_at - now(), 'MI"m"SS"s"') AS expires_in
  FROM table_hold_windows w JOIN table_inventory t ON t.restaurant_id = w.restaurant_id AND t.id = w.table_id
 WHERE w.hold_id = :'hold';
SELECT count(*) AS confirmed_tables
  FROM confirm_hold_assignment_tx(:'hold', :'guest', 'demo-confirm-' || :'guest', p_target_status => 'confirmed') \gset
SELECT 'confirmed via confirm_hold_assignment_tx' AS step, :confirmed_tables AS tables, status,
       (SELECT count(*) FROM table_holds WHERE id = :'hold') AS holds_left
  FROM bookings WHERE id = :'guest';
SELECT status AS after_cancel
  FROM apply_booking_state_transition(:'guest', 'cancelled', NULL, NULL, NULL, 'confirmed', 'cancelled', NULL, NULL, 'guest called') \gset
SELECT 'cancelled via apply_booking_state_transition' AS step, :'after_cancel' AS status,
       (SELECT count(*) FROM booking_table_assignments WHERE booking_id = :'guest') AS tables_left,
       (SELECT count(*) FROM allocations WHERE booking_id = :'guest') AS allocations_left;
SELECT 'history' AS step, string_agg(from_status || ' -> ' || to_status, ', ' ORDER BY id) AS transitions
  FROM booking_state_history WHERE booking_id = :'guest';
