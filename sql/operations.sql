-- Operations (seeds 001 and 004): the anomaly finder, the per-booking repair, the shadow backfill.
-- Loaded after the data model. These are operator tools, not hot paths.

-- One row per problem, with its kind and the ids involved; no rows on a healthy database.
-- find_assignment_anomalies() looks at the whole database; with p_restaurant_id and/or a day range
-- [p_from, p_to] it looks only at that restaurant and at the rows of those days (bookings by their
-- date; assignments, allocations, ledger rows and holds by their window, a day of slack either side
-- for time zones), costing in proportion to what it reads. The scope is applied by dynamic SQL, so
-- each call is planned for its own arguments.
CREATE FUNCTION @extschema@.find_assignment_anomalies(p_restaurant_id uuid DEFAULT NULL, p_from date DEFAULT NULL,
                                                      p_to date DEFAULT NULL)
RETURNS TABLE (kind text, restaurant_id uuid, booking_id uuid, table_id uuid, allocation_id uuid, hold_id uuid, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
    IF p_from > p_to OR NOT isfinite(p_from) OR NOT isfinite(p_to) THEN
        RAISE EXCEPTION 'find_assignment_anomalies: the day range [%, %] is inverted or infinite', p_from, p_to
            USING ERRCODE = '22000', HINT = 'Pass finite days with p_from <= p_to, or NULL for no bound.';
    END IF;
    RETURN QUERY EXECUTE $query$
    -- The scope, inlined into every branch (NOT MATERIALIZED: with no scope each branch reads its
    -- table as it would alone). Windows are read through the time-first indexes (restaurant, end).
    WITH x AS NOT MATERIALIZED (
        SELECT * FROM @extschema@.booking_table_assignments x
         WHERE ($1::uuid IS NULL OR x.restaurant_id = $1)
           AND ($2::date IS NULL OR x.end_at > ($2::date - 1)::timestamptz)
           AND ($3::date IS NULL OR x.start_at < ($3::date + 2)::timestamptz)),
    a AS NOT MATERIALIZED (
        SELECT * FROM @extschema@.allocations a
         WHERE ($1::uuid IS NULL OR a.restaurant_id = $1)
           AND ($2::date IS NULL OR pg_catalog.upper(a."window") > ($2::date - 1)::timestamptz)
           AND ($3::date IS NULL OR pg_catalog.lower(a."window") < ($3::date + 2)::timestamptz)),
    b AS NOT MATERIALIZED (
        SELECT * FROM @extschema@.bookings b
         WHERE ($1::uuid IS NULL OR b.restaurant_id = $1)
           AND ($2::date IS NULL OR b.booking_date >= $2) AND ($3::date IS NULL OR b.booking_date <= $3)),
    l AS NOT MATERIALIZED (
        SELECT * FROM @extschema@.booking_assignment_idempotency l
         WHERE ($1::uuid IS NULL OR l.restaurant_id = $1)
           AND (($2::date IS NULL AND $3::date IS NULL)
                OR (l.restaurant_id, l.booking_id) IN (SELECT b.restaurant_id, b.id FROM b))),
    h AS NOT MATERIALIZED (
        SELECT * FROM @extschema@.table_holds h
         WHERE ($1::uuid IS NULL OR h.restaurant_id = $1)
           AND ($2::date IS NULL OR h.end_at > ($2::date - 1)::timestamptz)
           AND ($3::date IS NULL OR h.start_at < ($3::date + 2)::timestamptz))
    -- two live assignments of one (booking, table) (the unique key forbids it; legacy data)
    SELECT 'duplicate_assignment', x.restaurant_id, x.booking_id, x.table_id, NULL::uuid, NULL::uuid,
           count(*)::text || ' assignments of one table to one booking'
      FROM x
     GROUP BY x.restaurant_id, x.booking_id, x.table_id HAVING count(*) > 1
    UNION ALL
    -- overlapping live allocations of one table (the exclusion constraint forbids it; legacy data).
    -- In scope: each allocation probes the GiST index for later ones overlapping it.
    SELECT 'overlapping_allocations', a.restaurant_id, a.booking_id, a.resource_id, a.id, NULL,
           'overlaps allocation ' || o.id::text || ' of booking ' || coalesce(o.booking_id::text, 'none')
      FROM a
      JOIN @extschema@.allocations o ON o.restaurant_id = a.restaurant_id AND o.resource_type = a.resource_type
                                    AND o.resource_id = a.resource_id AND o.id > a.id AND o."window" OPERATOR(pg_catalog.&&) a."window"
     WHERE a.resource_type = 'table' AND NOT a.shadow AND NOT o.shadow
       AND NOT ($1::uuid IS NULL AND $2::date IS NULL AND $3::date IS NULL)
    UNION ALL
    -- The same for the whole database in one sorted pass: each table's allocations in order of
    -- start; one that meets a neighbour (an earlier one ends at or after its start, or the next one
    -- starts at or before its end) is a suspect, and only suspects probe the GiST index. (A join of
    -- the table with itself compared every allocation with all of its table's history: 99 s of
    -- 215 s at 14 M bookings.) A missing bound counts as infinite.
    SELECT 'overlapping_allocations', p.restaurant_id, p.booking_id, p.resource_id, p.id, NULL,
           'overlaps allocation ' || o.id::text || ' of booking ' || coalesce(o.booking_id::text, 'none')
      FROM (SELECT n.* FROM (
              SELECT a.id, a.restaurant_id, a.booking_id, a.resource_id, a."window",
                     coalesce(pg_catalog.lower(a."window"), '-infinity') AS starts, coalesce(pg_catalog.upper(a."window"), 'infinity') AS ends,
                     max(coalesce(pg_catalog.upper(a."window"), 'infinity'))
                         OVER (PARTITION BY a.restaurant_id, a.resource_id ORDER BY coalesce(pg_catalog.lower(a."window"), '-infinity'), a.id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS ended_before,
                     pg_catalog.lead(coalesce(pg_catalog.lower(a."window"), '-infinity'))
                         OVER (PARTITION BY a.restaurant_id, a.resource_id ORDER BY coalesce(pg_catalog.lower(a."window"), '-infinity'), a.id)
                         AS next_starts
                FROM a
               WHERE a.resource_type = 'table' AND NOT a.shadow) n
             WHERE n.ended_before >= n.starts OR n.next_starts <= n.ends) p
     CROSS JOIN LATERAL (
           SELECT o.id, o.booking_id FROM @extschema@.allocations o
            WHERE o.restaurant_id = p.restaurant_id AND o.resource_type = 'table' AND o.resource_id = p.resource_id
              AND o.id > p.id AND o."window" OPERATOR(pg_catalog.&&) p."window" AND NOT o.shadow
           OFFSET 0) o
     WHERE $1::uuid IS NULL AND $2::date IS NULL AND $3::date IS NULL
    UNION ALL
    -- an assignment without its live table allocation for the same window
    SELECT 'assignment_without_allocation', x.restaurant_id, x.booking_id, x.table_id, x.allocation_id, NULL,
           'no live table allocation with window ' || x.assignment_window::text
      FROM x
     WHERE NOT EXISTS (SELECT 1 FROM @extschema@.allocations o
                        WHERE o.restaurant_id = x.restaurant_id AND o.booking_id = x.booking_id
                          AND o.resource_type = 'table' AND o.resource_id = x.table_id AND NOT o.shadow
                          AND o."window" OPERATOR(pg_catalog.=) x.assignment_window)
    UNION ALL
    -- a live table allocation of a booking without its assignment
    SELECT 'allocation_without_assignment', a.restaurant_id, a.booking_id, a.resource_id, a.id, NULL,
           'live table allocation ' || a."window"::text || ' without an assignment'
      FROM a
     WHERE a.resource_type = 'table' AND NOT a.shadow AND NOT a.is_maintenance AND a.booking_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM @extschema@.booking_table_assignments y
                        WHERE y.restaurant_id = a.restaurant_id AND y.booking_id = a.booking_id
                          AND y.table_id = a.resource_id)
    UNION ALL
    -- a merge group without member assignments
    SELECT 'empty_merge_group', a.restaurant_id, a.booking_id, NULL, a.id, NULL, 'merge group without members'
      FROM a
     WHERE a.resource_type = 'merge_group'
       AND NOT EXISTS (SELECT 1 FROM @extschema@.booking_table_assignments y
                        WHERE y.restaurant_id = a.restaurant_id AND y.merge_group_id = a.id)
    UNION ALL
    -- a ledger row recording a table the booking no longer holds (assignment is additive: a row
    -- records the tables of one call, a subset of the booking's)
    SELECT 'stale_ledger', l.restaurant_id, l.booking_id, NULL, l.merge_group_allocation_id, NULL,
           'key ' || l.idempotency_key::text || ' records ' || l.table_ids::text
      FROM l
     WHERE NOT l.table_ids OPERATOR(pg_catalog.<@) ARRAY(SELECT y.table_id FROM @extschema@.booking_table_assignments y
                                     WHERE y.restaurant_id = l.restaurant_id AND y.booking_id = l.booking_id)
    UNION ALL
    -- a confirmed (or checked-in) booking with no table
    SELECT 'confirmed_without_table', b.restaurant_id, b.id, NULL, NULL, NULL, b.status::text || ' booking has no table'
      FROM b
     WHERE b.status OPERATOR(pg_catalog.=) ANY ('{confirmed,checked_in}')
       AND NOT EXISTS (SELECT 1 FROM @extschema@.booking_table_assignments y
                        WHERE y.restaurant_id = b.restaurant_id AND y.booking_id = b.id)
    UNION ALL
    -- a cancelled, no-show or completed booking still holding tables, allocations or holds: read
    -- from the rows that hold state, not from every booking, joined before they are made distinct
    -- (the planner cannot estimate how many distinct bookings a union holds: at 14 M bookings it
    -- guessed 40,000 for 10 M and probed bookings once for each, 88 s)
    SELECT DISTINCT 'terminal_booking_holds_state', t.restaurant_id, t.id, NULL::uuid, NULL::uuid, NULL::uuid,
           t.status::text || ' booking still holds table state'
      FROM (SELECT x.restaurant_id, x.booking_id FROM x
            UNION ALL SELECT a.restaurant_id, a.booking_id FROM a WHERE a.booking_id IS NOT NULL
            UNION ALL SELECT h.restaurant_id, h.booking_id FROM h WHERE h.booking_id IS NOT NULL) s
      JOIN @extschema@.bookings t ON t.restaurant_id = s.restaurant_id AND t.id = s.booking_id
     WHERE t.status OPERATOR(pg_catalog.=) ANY ('{cancelled,no_show,completed}')
    UNION ALL
    -- a booking's table blocked for longer than pg_seating.max_window, or without end (SPEC §10:
    -- the RPCs refuse such windows; a direct write or an older version may have made one)
    SELECT 'implausible_window', a.restaurant_id, a.booking_id, a.resource_id, a.id, NULL,
           'window ' || a."window"::text || ' is longer than pg_seating.max_window (' || $4::text || ')'
      FROM a
     WHERE a.resource_type = 'table' AND NOT a.shadow AND NOT a.is_maintenance AND a.booking_id IS NOT NULL
       AND (pg_catalog.lower_inf(a."window") OR pg_catalog.upper_inf(a."window")
            OR pg_catalog.upper(a."window") - pg_catalog.lower(a."window") > $4)
    UNION ALL
    -- an expired hold never swept (it blocks nobody, but it is garbage)
    SELECT 'expired_hold', h.restaurant_id, h.booking_id, NULL, NULL, h.id, 'expired at ' || h.expires_at::text
      FROM h
     WHERE h.status OPERATOR(pg_catalog.=) 'active' AND h.expires_at <= now()
    $query$ USING p_restaurant_id, p_from, p_to,
                  coalesce(current_setting('pg_seating.max_window', true), '1 day')::interval;
END;
$$;

-- Repairs one booking's table state (seed 001): the actions it takes (or, dry run, would take).
-- After it the finder reports nothing for the booking's tables, and assign_tables_atomic_v2
-- succeeds on retry. Other bookings' rows are never touched.
CREATE FUNCTION @extschema@.repair_booking_assignments(p_booking_id uuid, p_dry_run boolean DEFAULT true)
RETURNS TABLE (action text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
    v_restaurant uuid;
    v_status @extschema@.booking_status;
    v_overlapping uuid[];
    v_n bigint;
    v_table uuid;
    v_row uuid;
    v_key text;
    v_tables uuid[];
BEGIN
    IF p_booking_id IS NULL THEN
        RAISE EXCEPTION 'repair_booking_assignments: argument p_booking_id must not be null'
            USING ERRCODE = '22004', HINT = 'Pass a non-null value.';
    END IF;
    -- The restaurant first, then the lock with it (on Citus a lock needs the distribution column).
    SELECT b.restaurant_id INTO v_restaurant FROM @extschema@.bookings b WHERE b.id = p_booking_id;
    SELECT b.status INTO v_status
      FROM @extschema@.bookings b WHERE b.restaurant_id = v_restaurant AND b.id = p_booking_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Booking % not found', p_booking_id USING ERRCODE = 'P0002';
    END IF;

    IF v_status OPERATOR(pg_catalog.=) ANY ('{cancelled,no_show,completed}') THEN
        SELECT count(*) INTO v_n FROM @extschema@.booking_table_assignments x
         WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id;
        action := 'release_terminal_state';
        detail := pg_catalog.format('%s booking: delete %s assignments and every allocation, hold and ledger row', v_status, v_n);
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
    -- (RETURNING gives plain columns, the text is made here: on Citus a RETURNING clause may only
    -- call immutable functions.)
    FOR v_table, v_row IN
        DELETE FROM @extschema@.booking_table_assignments x
         WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id
           AND EXISTS (SELECT 1 FROM @extschema@.booking_table_assignments y
                        WHERE y.restaurant_id = v_restaurant AND y.booking_id = x.booking_id
                          AND y.table_id = x.table_id AND y.id <> x.id
                          AND (y.allocation_id IS NOT NULL, y.created_at, y.id) > (x.allocation_id IS NOT NULL, x.created_at, x.id))
           AND NOT p_dry_run
        RETURNING x.table_id, x.id
    LOOP
        action := 'delete_duplicate_assignment';
        detail := 'table ' || v_table::text || ' assignment ' || v_row::text;
        RETURN NEXT;
    END LOOP;
    IF p_dry_run THEN
        FOR action, detail IN
            SELECT 'delete_duplicate_assignment', 'table ' || x.table_id::text || ' assignment ' || x.id::text
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
        SELECT DISTINCT 'release_overlapping_table', 'table ' || a.resource_id::text || ' overlaps booking ' || coalesce(o.booking_id::text, 'none')
          FROM @extschema@.allocations a
          JOIN @extschema@.allocations o ON o.restaurant_id = a.restaurant_id AND o.resource_type = 'table'
                                        AND o.resource_id = a.resource_id AND o.id <> a.id AND NOT o.shadow
                                        AND o."window" OPERATOR(pg_catalog.&&) a."window" AND o.booking_id IS DISTINCT FROM a.booking_id
         WHERE a.restaurant_id = v_restaurant AND a.booking_id = p_booking_id AND a.resource_type = 'table' AND NOT a.shadow
    LOOP
        RETURN NEXT;
    END LOOP;
    IF NOT p_dry_run THEN
        -- The tables first, then their allocations (deleting an allocation whose assignment still
        -- exists would release it through the model's trigger in the middle of this statement).
        v_overlapping := ARRAY(
            SELECT DISTINCT a.resource_id
              FROM @extschema@.allocations a
              JOIN @extschema@.allocations o ON o.restaurant_id = a.restaurant_id AND o.resource_type = 'table'
                                            AND o.resource_id = a.resource_id AND o.id <> a.id AND NOT o.shadow
                                            AND o."window" OPERATOR(pg_catalog.&&) a."window" AND o.booking_id IS DISTINCT FROM a.booking_id
             WHERE a.restaurant_id = v_restaurant AND a.booking_id = p_booking_id
               AND a.resource_type = 'table' AND NOT a.shadow);
        DELETE FROM @extschema@.booking_table_assignments x
         WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id AND x.table_id = ANY (v_overlapping);
        DELETE FROM @extschema@.allocations a
         WHERE a.restaurant_id = v_restaurant AND a.booking_id = p_booking_id AND a.resource_type = 'table'
           AND a.resource_id = ANY (v_overlapping);
    END IF;

    -- Assignments without their live allocation: remove them (a retry assigns afresh).
    FOR action, detail IN
        SELECT 'delete_assignment_without_allocation', 'table ' || x.table_id::text || ' ' || x.assignment_window::text
          FROM @extschema@.booking_table_assignments x
         WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id
           AND NOT EXISTS (SELECT 1 FROM @extschema@.allocations a
                            WHERE a.restaurant_id = x.restaurant_id AND a.booking_id = x.booking_id
                              AND a.resource_type = 'table' AND a.resource_id = x.table_id AND NOT a.shadow
                              AND a."window" OPERATOR(pg_catalog.=) x.assignment_window)
    LOOP
        RETURN NEXT;
    END LOOP;
    IF NOT p_dry_run THEN
        DELETE FROM @extschema@.booking_table_assignments x
         WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id
           AND NOT EXISTS (SELECT 1 FROM @extschema@.allocations a
                            WHERE a.restaurant_id = x.restaurant_id AND a.booking_id = x.booking_id
                              AND a.resource_type = 'table' AND a.resource_id = x.table_id AND NOT a.shadow
                              AND a."window" OPERATOR(pg_catalog.=) x.assignment_window);
    END IF;

    -- Live table allocations without an assignment, and merge groups without members.
    FOR action, detail IN
        SELECT CASE a.resource_type WHEN 'table' THEN 'delete_allocation_without_assignment' ELSE 'delete_empty_merge_group' END,
               a.resource_type::text || ' ' || a.resource_id::text || ' ' || a."window"::text
          FROM @extschema@.allocations a
         WHERE a.restaurant_id = v_restaurant AND a.booking_id = p_booking_id AND NOT a.shadow
           AND ((a.resource_type = 'table' AND NOT EXISTS (
                    SELECT 1 FROM @extschema@.booking_table_assignments x
                     WHERE x.restaurant_id = a.restaurant_id AND x.booking_id = a.booking_id AND x.table_id = a.resource_id
                       AND x.assignment_window OPERATOR(pg_catalog.=) a."window"))
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
        FOR v_key, v_tables IN
            DELETE FROM @extschema@.booking_assignment_idempotency l
             WHERE l.restaurant_id = v_restaurant AND l.booking_id = p_booking_id
               AND NOT l.table_ids OPERATOR(pg_catalog.<@) ARRAY(SELECT x.table_id FROM @extschema@.booking_table_assignments x
                                WHERE x.restaurant_id = v_restaurant AND x.booking_id = l.booking_id)
            RETURNING l.idempotency_key, l.table_ids
        LOOP
            action := 'delete_stale_ledger_row';
            detail := 'key ' || v_key::text || ' records ' || v_tables::text;
            RETURN NEXT;
        END LOOP;
        DELETE FROM @extschema@.allocations a
         WHERE a.restaurant_id = v_restaurant AND a.booking_id = p_booking_id AND NOT a.shadow
           AND ((a.resource_type = 'table' AND NOT EXISTS (
                    SELECT 1 FROM @extschema@.booking_table_assignments x
                     WHERE x.restaurant_id = a.restaurant_id AND x.booking_id = a.booking_id
                       AND x.table_id = a.resource_id AND x.assignment_window OPERATOR(pg_catalog.=) a."window"))
             OR (a.resource_type = 'merge_group' AND NOT EXISTS (
                    SELECT 1 FROM @extschema@.booking_table_assignments x
                     WHERE x.restaurant_id = a.restaurant_id AND x.merge_group_id = a.id)));
    END IF;

    -- Dry run: ledger rows recording a table the booking no longer holds (applied above otherwise).
    FOR action, detail IN
        SELECT 'delete_stale_ledger_row', 'key ' || l.idempotency_key::text || ' records ' || l.table_ids::text
          FROM @extschema@.booking_assignment_idempotency l
         WHERE l.restaurant_id = v_restaurant AND l.booking_id = p_booking_id
           AND NOT l.table_ids OPERATOR(pg_catalog.<@) ARRAY(SELECT x.table_id FROM @extschema@.booking_table_assignments x
                                WHERE x.restaurant_id = l.restaurant_id AND x.booking_id = l.booking_id)
           AND p_dry_run
    LOOP
        RETURN NEXT;
    END LOOP;

    -- Expired holds of the booking.
    FOR action, detail IN
        SELECT 'delete_expired_hold', 'hold ' || h.id::text || ' expired at ' || h.expires_at::text
          FROM @extschema@.table_holds h
         WHERE h.restaurant_id = v_restaurant AND h.booking_id = p_booking_id AND h.status OPERATOR(pg_catalog.=) 'active' AND h.expires_at <= now()
    LOOP
        RETURN NEXT;
    END LOOP;
    IF NOT p_dry_run THEN
        DELETE FROM @extschema@.table_holds h
         WHERE h.restaurant_id = v_restaurant AND h.booking_id = p_booking_id AND h.status OPERATOR(pg_catalog.=) 'active' AND h.expires_at <= now();
        -- The zone lock follows what is left.
        UPDATE @extschema@.bookings b SET assigned_zone_id = NULL
         WHERE b.restaurant_id = v_restaurant AND b.id = p_booking_id AND b.assigned_zone_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM @extschema@.booking_table_assignments x
                            WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id);
    END IF;

    IF v_status OPERATOR(pg_catalog.=) ANY ('{confirmed,checked_in}') AND NOT EXISTS (
           SELECT 1 FROM @extschema@.booking_table_assignments x WHERE x.restaurant_id = v_restaurant AND x.booking_id = p_booking_id) THEN
        action := 'needs_assignment';
        detail := v_status::text || ' booking has no table: assign one (assign_tables_atomic_v2 or auto_assign_tables)';
        RETURN NEXT;
    END IF;
END;
$$;

-- Seed 004: mirror assignments into allocations as shadow rows (never blocking), idempotent; a
-- booking's existing allocation of the table, live or shadow, is left as it is (never demoted).
-- With p_restaurant_id and/or a day range [p_from, p_to] only those assignments (by their window,
-- a day of slack either side for time zones).
CREATE FUNCTION @extschema@.backfill_allocations_shadow(p_restaurant_id uuid DEFAULT NULL, p_from date DEFAULT NULL,
                                                        p_to date DEFAULT NULL)
RETURNS TABLE (inserted bigint, already_present bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
BEGIN
    IF p_from > p_to OR NOT isfinite(p_from) OR NOT isfinite(p_to) THEN
        RAISE EXCEPTION 'backfill_allocations_shadow: the day range [%, %] is inverted or infinite', p_from, p_to
            USING ERRCODE = '22000', HINT = 'Pass finite days with p_from <= p_to, or NULL for no bound.';
    END IF;
    RETURN QUERY EXECUTE $query$
    WITH src AS MATERIALIZED (
        SELECT x.restaurant_id, x.booking_id, x.table_id, x.assignment_window
          FROM @extschema@.booking_table_assignments x
         WHERE ($1::uuid IS NULL OR x.restaurant_id = $1)
           AND ($2::date IS NULL OR x.end_at > ($2::date - 1)::timestamptz)
           AND ($3::date IS NULL OR x.start_at < ($3::date + 2)::timestamptz)),
    ins AS (
        INSERT INTO @extschema@.allocations (restaurant_id, booking_id, resource_type, resource_id, "window", shadow)
        SELECT s.restaurant_id, s.booking_id, 'table', s.table_id, s.assignment_window, true FROM src s
        ON CONFLICT (restaurant_id, booking_id, resource_type, resource_id) DO NOTHING
        RETURNING 1)
    SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM src) - (SELECT count(*) FROM ins)
    $query$ USING p_restaurant_id, p_from, p_to;
END;
$$;
