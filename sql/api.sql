-- pg_seating SQL-language functions of the extension (its code, SPEC §1). Loaded first by the
-- extension script. The data model is not created here: pg_seating_install() creates it
-- (sql/model/, SPEC §9), so these functions name tables that may not exist yet when the extension
-- is created; their bodies are checked when they run. CREATE EXTENSION restores this setting at
-- the end of the script. Nothing here may use a type of the model in a signature (the model's
-- enums belong to the database): statuses are text.
SET check_function_bodies = off;

-- The per-booking check the confirm path runs after commit. 22004 for NULL, P0002 for an unknown booking.
CREATE FUNCTION @extschema@.reconcile_booking(p_booking_id uuid)
RETURNS TABLE (booking_id uuid, restaurant_id uuid, status text, assignment_count integer,
               consistent boolean, problem text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp SET jit = off AS $$
BEGIN
    IF p_booking_id IS NULL THEN
        RAISE EXCEPTION 'reconcile_booking: argument p_booking_id must not be null'
            USING ERRCODE = '22004', HINT = 'Pass a non-null value.';
    END IF;
    RETURN QUERY SELECT r.booking_id, r.restaurant_id, r.status::text, r.assignment_count, r.consistent, r.problem
                   FROM @extschema@.booking_assignment_reconciliation r
                  WHERE r.booking_id = p_booking_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Booking % not found', p_booking_id USING ERRCODE = 'P0002';
    END IF;
END;
$$;

-- ---------------------------------------------------------------------------------------------
-- Seed 003: one deterministic idempotency key shared by inline and background auto-assign
-- ---------------------------------------------------------------------------------------------
-- The key of a booking's automatic assignment: its id and its window, so the same booking at the
-- same time always gets the same key, and a moved booking a new one.
-- No key (NULL) without a finite window: such a booking cannot be assigned anyway.
CREATE FUNCTION @extschema@.pg_seating_auto_assign_key(p_booking_id uuid, p_start_at timestamptz, p_end_at timestamptz)
RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN isfinite(p_start_at) AND isfinite(p_end_at) THEN
               'auto-assign:' || p_booking_id::text || ':' || extract(epoch FROM p_start_at)::bigint::text
               || '-' || extract(epoch FROM p_end_at)::bigint::text
           END
$$;

-- (PL/pgSQL: Citus cannot plan a SQL-language function's parameterised statement.)
CREATE FUNCTION @extschema@.auto_assign_idempotency_key(p_booking_id uuid)
RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
    RETURN (SELECT @extschema@.pg_seating_auto_assign_key(b.id, b.start_at, b.end_at)
              FROM @extschema@.bookings b WHERE b.id = p_booking_id);
END;
$$;

-- ---------------------------------------------------------------------------------------------
-- Day plan metrics (issue #6)
-- ---------------------------------------------------------------------------------------------
-- The day's seating as it stands: bookings (not cancelled, no-show or completed), seated and
-- unassigned, covers, seats given, wasted seats, seat utilisation (covers / seats), merged tables.
CREATE FUNCTION @extschema@.day_plan_metrics(p_restaurant_id uuid, p_date date)
RETURNS jsonb LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp SET jit = off AS $$
BEGIN
    RETURN (
    WITH b AS (
        SELECT bk.id, bk.party_size FROM @extschema@.bookings bk
         WHERE bk.restaurant_id = p_restaurant_id AND bk.booking_date = p_date
           AND bk.status OPERATOR(pg_catalog.<>) ALL ('{cancelled,no_show,completed}')),
    a AS (
        SELECT x.booking_id, count(*) AS tables, sum(t.capacity) AS seats
          FROM @extschema@.booking_table_assignments x
          JOIN @extschema@.table_inventory t ON t.restaurant_id = p_restaurant_id AND t.id = x.table_id
         WHERE x.restaurant_id = p_restaurant_id AND x.booking_id IN (SELECT id FROM b)
         GROUP BY x.booking_id),
    j AS (SELECT b.party_size, a.tables, a.seats FROM b LEFT JOIN a ON a.booking_id = b.id)
    SELECT pg_catalog.jsonb_build_object(
        'bookings', count(*),
        'seated', pg_catalog.count(seats),
        'unassigned', count(*) - pg_catalog.count(seats),
        'covers', coalesce(sum(party_size) FILTER (WHERE seats IS NOT NULL), 0),
        'seats', coalesce(sum(seats), 0),
        'wastedSeats', coalesce(sum(seats - party_size), 0),
        'seatUtilisation', CASE WHEN coalesce(sum(seats), 0) = 0 THEN 0
                                ELSE round(sum(party_size) FILTER (WHERE seats IS NOT NULL)::numeric / sum(seats), 3) END,
        'mergedTables', coalesce(sum(tables) FILTER (WHERE tables > 1), 0))
      FROM j);
END;
$$;

