-- Worst-layout quote data (benches/pgbench/run): two restaurants of 40 and 60 two-seat movable
-- tables in one zone, every table adjacent to every other, nothing booked, and one pending booking
-- each of 4, 8 and 12 guests at 19:30-21:30 to quote. Restaurant n has id cb000000-...-n; its
-- booking of p guests cc00000p-...-n (p as two digits: cc000004, cc000008, cc000012).
\set ON_ERROR_STOP on
DO $$
DECLARE
    n int;
    p int;
    r uuid;
    z uuid;
BEGIN
    FOREACH n IN ARRAY ARRAY[40, 60] LOOP
        r := ('cb000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid;
        INSERT INTO restaurants (id, name, slug, timezone) VALUES (r, 'Worst ' || n, 'worst-' || n, 'UTC');
        INSERT INTO zones (restaurant_id, name) VALUES (r, 'Main') RETURNING id INTO z;
        INSERT INTO table_inventory (restaurant_id, table_number, capacity, zone_id, mobility)
        SELECT r, 'T' || i, 2, z, 'movable' FROM generate_series(1, n) i;
        INSERT INTO table_adjacencies (restaurant_id, table_a, table_b)
        SELECT r, a.id, b.id FROM table_inventory a
          JOIN table_inventory b ON b.restaurant_id = a.restaurant_id AND a.id < b.id
         WHERE a.restaurant_id = r;
        FOREACH p IN ARRAY ARRAY[4, 8, 12] LOOP
            INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
            VALUES (('cc0000' || lpad(p::text, 2, '0') || '-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid, r,
                    '2027-11-30', '19:30', '21:30', '2027-11-30 19:30Z', '2027-11-30 21:30Z', p, 'pending');
        END LOOP;
    END LOOP;
END
$$;
VACUUM ANALYZE;
