-- pg_seating 0.1.0 -> 0.2.0. Idempotent (SPEC §8: Citus may apply an upgrade twice on a node).
-- 0.2.0 adds an index for the global sweep of expired holds, and repair_booking_assignments also
-- repairs duplicate assignments and tables overlapping another booking's live allocation. The
-- native functions live in the library, which is the same file for both versions.
CREATE INDEX IF NOT EXISTS table_holds_sweep_idx ON @extschema@.table_holds (expires_at) WHERE status = 'active';

CREATE OR REPLACE FUNCTION @extschema@.repair_booking_assignments(p_booking_id uuid, p_dry_run boolean DEFAULT true)
RETURNS TABLE (action text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @extschema@, pg_catalog, pg_temp AS $$
DECLARE
    v_restaurant uuid;
    v_status @extschema@.booking_status;
    v_n bigint;
BEGIN
    IF p_booking_id IS NULL THEN
        RAISE EXCEPTION 'repair_booking_assignments: argument p_booking_id must not be null'
            USING ERRCODE = '22004', HINT = 'Pass a non-null value.';
    END IF;
    SELECT b.restaurant_id, b.status INTO v_restaurant, v_status
      FROM @extschema@.bookings b WHERE b.id = p_booking_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Booking % not found', p_booking_id USING ERRCODE = 'P0002';
    END IF;

    IF v_status IN ('cancelled', 'no_show', 'completed') THEN
        SELECT count(*) INTO v_n FROM @extschema@.booking_table_assignments x
         WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id;
        action := 'release_terminal_state';
        detail := format('%s booking: delete %s assignments and every allocation, hold and ledger row', v_status, v_n);
        RETURN NEXT;
        IF NOT p_dry_run THEN
            DELETE FROM @extschema@.booking_table_assignments x WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id;
            DELETE FROM @extschema@.booking_assignment_idempotency l WHERE l.restaurant_id = v_restaurant AND l.booking_id = p_booking_id;
            DELETE FROM @extschema@.allocations a WHERE a.restaurant_id = v_restaurant AND a.booking_id = p_booking_id;
            DELETE FROM @extschema@.table_holds h WHERE h.restaurant_id = v_restaurant AND h.booking_id = p_booking_id;
            UPDATE @extschema@.bookings SET assigned_zone_id = NULL WHERE restaurant_id = v_restaurant AND id = p_booking_id;
        END IF;
        RETURN;
    END IF;

    -- Duplicate assignments of one table (legacy data): keep the one its allocation points at (or
    -- the newest), delete the others.
    FOR action, detail IN
        DELETE FROM @extschema@.booking_table_assignments x
         WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id
           AND EXISTS (SELECT 1 FROM @extschema@.booking_table_assignments y
                        WHERE y.restaurant_id = x.restaurant_id AND y.booking_id = x.booking_id
                          AND y.table_id = x.table_id AND y.id <> x.id
                          AND (y.allocation_id IS NOT NULL, y.created_at, y.id) > (x.allocation_id IS NOT NULL, x.created_at, x.id))
           AND NOT p_dry_run
        RETURNING 'delete_duplicate_assignment', 'table ' || x.table_id || ' assignment ' || x.id
    LOOP
        RETURN NEXT;
    END LOOP;
    IF p_dry_run THEN
        FOR action, detail IN
            SELECT 'delete_duplicate_assignment', 'table ' || x.table_id || ' assignment ' || x.id
              FROM @extschema@.booking_table_assignments x
             WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id
               AND EXISTS (SELECT 1 FROM @extschema@.booking_table_assignments y
                            WHERE y.restaurant_id = x.restaurant_id AND y.booking_id = x.booking_id
                              AND y.table_id = x.table_id AND y.id <> x.id
                              AND (y.allocation_id IS NOT NULL, y.created_at, y.id) > (x.allocation_id IS NOT NULL, x.created_at, x.id))
        LOOP
            RETURN NEXT;
        END LOOP;
    END IF;

    -- The booking's live table allocations that overlap another booking's on the same table
    -- (legacy data): release that table from this booking (a retry chooses again).
    FOR action, detail IN
        SELECT DISTINCT 'release_overlapping_table', 'table ' || a.resource_id || ' overlaps booking ' || coalesce(o.booking_id::text, 'none')
          FROM @extschema@.allocations a
          JOIN @extschema@.allocations o ON o.restaurant_id = a.restaurant_id AND o.resource_type = 'table'
                                        AND o.resource_id = a.resource_id AND o.id <> a.id AND NOT o.shadow
                                        AND o."window" && a."window" AND o.booking_id IS DISTINCT FROM a.booking_id
         WHERE a.restaurant_id = v_restaurant AND a.booking_id = p_booking_id AND a.resource_type = 'table' AND NOT a.shadow
    LOOP
        RETURN NEXT;
    END LOOP;
    IF NOT p_dry_run THEN
        WITH overlapping AS (
                 SELECT DISTINCT a.resource_id AS table_id
                   FROM @extschema@.allocations a
                   JOIN @extschema@.allocations o ON o.restaurant_id = a.restaurant_id AND o.resource_type = 'table'
                                                 AND o.resource_id = a.resource_id AND o.id <> a.id AND NOT o.shadow
                                                 AND o."window" && a."window" AND o.booking_id IS DISTINCT FROM a.booking_id
                  WHERE a.restaurant_id = v_restaurant AND a.booking_id = p_booking_id
                    AND a.resource_type = 'table' AND NOT a.shadow),
             gone AS (
                 DELETE FROM @extschema@.booking_table_assignments x
                  WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id
                    AND x.table_id IN (SELECT table_id FROM overlapping)
                 RETURNING 1)
        DELETE FROM @extschema@.allocations a
         WHERE a.restaurant_id = v_restaurant AND a.booking_id = p_booking_id AND a.resource_type = 'table'
           AND a.resource_id IN (SELECT table_id FROM overlapping);
    END IF;

    -- Assignments without their live allocation: remove them (a retry assigns afresh).
    FOR action, detail IN
        SELECT 'delete_assignment_without_allocation', 'table ' || x.table_id || ' ' || x.assignment_window
          FROM @extschema@.booking_table_assignments x
         WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id
           AND NOT EXISTS (SELECT 1 FROM @extschema@.allocations a
                            WHERE a.restaurant_id = x.restaurant_id AND a.booking_id = x.booking_id
                              AND a.resource_type = 'table' AND a.resource_id = x.table_id AND NOT a.shadow
                              AND a."window" = x.assignment_window)
    LOOP
        RETURN NEXT;
    END LOOP;
    IF NOT p_dry_run THEN
        DELETE FROM @extschema@.booking_table_assignments x
         WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id
           AND NOT EXISTS (SELECT 1 FROM @extschema@.allocations a
                            WHERE a.restaurant_id = x.restaurant_id AND a.booking_id = x.booking_id
                              AND a.resource_type = 'table' AND a.resource_id = x.table_id AND NOT a.shadow
                              AND a."window" = x.assignment_window);
    END IF;

    -- Live table allocations without an assignment, and merge groups without members.
    FOR action, detail IN
        SELECT CASE a.resource_type WHEN 'table' THEN 'delete_allocation_without_assignment' ELSE 'delete_empty_merge_group' END,
               a.resource_type || ' ' || a.resource_id || ' ' || a."window"
          FROM @extschema@.allocations a
         WHERE a.restaurant_id = v_restaurant AND a.booking_id = p_booking_id AND NOT a.shadow
           AND ((a.resource_type = 'table' AND NOT EXISTS (
                    SELECT 1 FROM @extschema@.booking_table_assignments x
                     WHERE x.restaurant_id = a.restaurant_id AND x.booking_id = a.booking_id AND x.table_id = a.resource_id
                       AND x.assignment_window = a."window"))
             OR (a.resource_type = 'merge_group' AND NOT EXISTS (
                    SELECT 1 FROM @extschema@.booking_table_assignments x
                     WHERE x.restaurant_id = a.restaurant_id AND x.merge_group_id = a.id)))
    LOOP
        RETURN NEXT;
    END LOOP;
    IF NOT p_dry_run THEN
        -- Detach what the deleted allocations are referenced by, then delete them.
        UPDATE @extschema@.booking_table_assignments x SET merge_group_id = NULL
         WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id AND x.merge_group_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM @extschema@.allocations a WHERE a.restaurant_id = x.restaurant_id AND a.id = x.merge_group_id);
        -- Stale ledger rows go first: they may reference a merge group deleted below.
        FOR action, detail IN
            DELETE FROM @extschema@.booking_assignment_idempotency l
             WHERE l.restaurant_id = v_restaurant AND l.booking_id = p_booking_id
               AND l.table_ids IS DISTINCT FROM (SELECT array_agg(x.table_id ORDER BY x.table_id)
                                                   FROM @extschema@.booking_table_assignments x
                                                  WHERE x.restaurant_id = l.restaurant_id AND x.booking_id = l.booking_id)
            RETURNING 'delete_stale_ledger_row', 'key ' || l.idempotency_key || ' records ' || l.table_ids::text
        LOOP
            RETURN NEXT;
        END LOOP;
        DELETE FROM @extschema@.allocations a
         WHERE a.restaurant_id = v_restaurant AND a.booking_id = p_booking_id AND NOT a.shadow
           AND ((a.resource_type = 'table' AND NOT EXISTS (
                    SELECT 1 FROM @extschema@.booking_table_assignments x
                     WHERE x.restaurant_id = a.restaurant_id AND x.booking_id = a.booking_id
                       AND x.table_id = a.resource_id AND x.assignment_window = a."window"))
             OR (a.resource_type = 'merge_group' AND NOT EXISTS (
                    SELECT 1 FROM @extschema@.booking_table_assignments x
                     WHERE x.restaurant_id = a.restaurant_id AND x.merge_group_id = a.id)));
    END IF;

    -- Dry run: ledger rows whose table set is not the assignment (applied above otherwise).
    FOR action, detail IN
        SELECT 'delete_stale_ledger_row', 'key ' || l.idempotency_key || ' records ' || l.table_ids::text
          FROM @extschema@.booking_assignment_idempotency l
         WHERE l.restaurant_id = v_restaurant AND l.booking_id = p_booking_id
           AND l.table_ids IS DISTINCT FROM (SELECT array_agg(x.table_id ORDER BY x.table_id)
                                               FROM @extschema@.booking_table_assignments x
                                              WHERE x.restaurant_id = l.restaurant_id AND x.booking_id = l.booking_id)
           AND p_dry_run
    LOOP
        RETURN NEXT;
    END LOOP;

    -- Expired holds of the booking.
    FOR action, detail IN
        SELECT 'delete_expired_hold', 'hold ' || h.id || ' expired at ' || h.expires_at
          FROM @extschema@.table_holds h
         WHERE h.restaurant_id = v_restaurant AND h.booking_id = p_booking_id AND h.status = 'active' AND h.expires_at <= now()
    LOOP
        RETURN NEXT;
    END LOOP;
    IF NOT p_dry_run THEN
        DELETE FROM @extschema@.table_holds h
         WHERE h.restaurant_id = v_restaurant AND h.booking_id = p_booking_id AND h.status = 'active' AND h.expires_at <= now();
        -- The zone lock follows what is left.
        UPDATE @extschema@.bookings b SET assigned_zone_id = NULL
         WHERE b.restaurant_id = v_restaurant AND b.id = p_booking_id AND b.assigned_zone_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM @extschema@.booking_table_assignments x
                            WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id);
    END IF;

    IF v_status IN ('confirmed', 'checked_in') AND NOT EXISTS (
           SELECT 1 FROM @extschema@.booking_table_assignments x WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id) THEN
        action := 'needs_assignment';
        detail := v_status || ' booking has no table: assign one (assign_tables_atomic_v2 or auto_assign_tables)';
        RETURN NEXT;
    END IF;
END;
$$;
