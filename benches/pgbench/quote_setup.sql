-- Quote benchmark data (benches/pgbench/run): three restaurants of 50, 100 and 200 tables (four zones each:
-- rows of ten movable tables of 2-6 seats, adjacent along each row), each with a busy evening:
-- 120 bookings between 18:00 and 22:00 seated on 60 % of the tables, and one pending party of
-- four at 19:30-21:30 to quote. Restaurant n has id c9000000-...-n and its quoted booking
-- ca000000-...-n.
\set ON_ERROR_STOP on
DO $$
DECLARE
    n int;
    r uuid;
    z uuid[];
    t uuid;
    prev uuid;
    b uuid;
    tables uuid[];
    k int;
BEGIN
    FOREACH n IN ARRAY ARRAY[50, 100, 200] LOOP
        r := ('c9000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid;
        INSERT INTO restaurants (id, name, slug, timezone) VALUES (r, 'Quote ' || n, 'quote-' || n, 'UTC');
        z := ARRAY[]::uuid[];
        FOR i IN 1..4 LOOP
            INSERT INTO zones (restaurant_id, name) VALUES (r, 'Z' || i) RETURNING id INTO t;
            z := z || t;
        END LOOP;
        tables := ARRAY[]::uuid[];
        prev := NULL;
        FOR i IN 1..n LOOP
            INSERT INTO table_inventory (restaurant_id, table_number, capacity, zone_id, mobility)
            VALUES (r, 'T' || i, 2 + 2 * (i % 3), z[1 + ((i - 1) / 10) % 4], 'movable') RETURNING id INTO t;
            IF prev IS NOT NULL AND (i - 1) % 10 <> 0 THEN
                INSERT INTO table_adjacencies (restaurant_id, table_a, table_b) VALUES (r, prev, t);
            END IF;
            prev := t;
            tables := tables || t;
        END LOOP;
        FOR i IN 1..120 LOOP
            INSERT INTO bookings (restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
            VALUES (r, '2027-11-30', make_time(18 + (i % 8) / 2, 30 * (i % 2), 0), make_time(20 + (i % 8) / 2, 30 * (i % 2), 0),
                    '2027-11-30 18:00Z'::timestamptz + make_interval(mins => 30 * (i % 8)),
                    '2027-11-30 20:00Z'::timestamptz + make_interval(mins => 30 * (i % 8)), 2, 'confirmed')
            RETURNING id INTO b;
            k := 1 + (i * 7) % (n * 6 / 10);
            INSERT INTO allocations (restaurant_id, booking_id, resource_type, resource_id, "window")
            SELECT r, b, 'table', tables[k], tstzrange(bk.start_at, bk.end_at)
              FROM bookings bk WHERE bk.restaurant_id = r AND bk.id = b
               AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.restaurant_id = r AND a.resource_type = 'table'
                                  AND a.resource_id = tables[k] AND NOT a.shadow AND a."window" && tstzrange(bk.start_at, bk.end_at));
        END LOOP;
        INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
        VALUES (('ca000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid, r, '2027-11-30', '19:30', '21:30',
                '2027-11-30 19:30Z', '2027-11-30 21:30Z', 4, 'pending');
    END LOOP;
END
$$;
VACUUM ANALYZE;
