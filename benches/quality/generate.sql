-- A seeded day for the quality benchmark (benches/quality/run): one restaurant in UTC with three
-- zones (rows of movable tables, adjacent along each row, and a few fixed tables), 25-60 tables of
-- 2-8 seats, and 70-150 pending bookings of 1-12 guests over lunch (90 minutes) and dinner (120).
-- psql variables: seed (an integer), day (a date).
\set ON_ERROR_STOP on
SELECT setseed((:seed % 1000) / 1000.0), set_config('quality.day', :'day', false),
       set_config('quality.seed', :'seed', false);
DO $$
DECLARE
    seed text := current_setting('quality.seed');
    r uuid := md5('quality-restaurant-' || seed)::uuid;
    z uuid;
    n_tables int := 25 + floor(random() * 36)::int;
    n_bookings int := 70 + floor(random() * 81)::int;
    sizes int[] := ARRAY[2, 2, 4, 2, 4, 6, 2, 8];
    parties int[] := ARRAY[1, 2, 2, 2, 2, 2, 3, 3, 4, 4, 4, 4, 5, 6, 6, 7, 8, 10, 12];
    per_zone int;
    prev uuid;
    t uuid;
    lunch boolean;
    start_min int;
    len int;
BEGIN
    INSERT INTO restaurants (id, name, slug, timezone) VALUES (r, 'quality', 'quality-' || r, 'UTC');
    per_zone := ceil(n_tables / 3.0);
    FOR zn IN 1..3 LOOP
        INSERT INTO zones (restaurant_id, name) VALUES (r, 'Z' || zn) RETURNING id INTO z;
        prev := NULL;
        FOR i IN 1..per_zone LOOP
            EXIT WHEN (zn - 1) * per_zone + i > n_tables;
            INSERT INTO table_inventory (id, restaurant_id, table_number, capacity, zone_id, mobility)
            VALUES (md5('quality-table-' || seed || '-' || zn || '-' || i)::uuid, r, 'Z' || zn || '-' || i, sizes[1 + floor(random() * 8)::int], z,
                    CASE WHEN random() < 0.2 THEN 'fixed' ELSE 'movable' END::table_mobility)
            RETURNING id INTO t;
            IF prev IS NOT NULL AND random() < 0.8 THEN
                INSERT INTO table_adjacencies (restaurant_id, table_a, table_b) VALUES (r, prev, t);
            END IF;
            prev := t;
        END LOOP;
    END LOOP;
    FOR i IN 1..n_bookings LOOP
        lunch := random() < 0.35;
        start_min := CASE WHEN lunch THEN 12 * 60 + 15 * floor(random() * 9)::int
                          ELSE 17 * 60 + 30 + 15 * floor(random() * 15)::int END;
        len := CASE WHEN lunch THEN 90 ELSE 120 END;
        INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
        VALUES (md5('quality-booking-' || seed || '-' || i)::uuid, r, current_setting('quality.day')::date, make_time(start_min / 60, start_min % 60, 0),
                make_time((start_min + len) / 60, (start_min + len) % 60, 0),
                current_setting('quality.day')::date + make_interval(mins => start_min), current_setting('quality.day')::date + make_interval(mins => start_min + len),
                parties[1 + floor(random() * 19)::int], 'pending');
    END LOOP;
END
$$;
