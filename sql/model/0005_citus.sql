-- Model step 5 (0.5.0): every write the model's triggers make can run on Citus (SPEC §8), and
-- nothing relies on a per-node sequence.
--
-- (7) booking_state_history ids become uuids. New ids are time-ordered (version 7 layout: the
--     wall clock in milliseconds, then the sub-millisecond fraction), so ordering a booking's
--     history by id still gives the order its rows were written, also within one transaction
--     (where changed_at, the transaction's start, is the same for every row). Existing rows keep
--     their order: their new id is their changed_at in milliseconds followed by their old id.
-- (6) The restaurant time-zone check has no EXCEPTION block (a subtransaction per row, which Citus
--     refuses for multi-row writes): a name is valid when the server knows it as a time zone.
-- (3) No now() inside COALESCE, CASE or an UPDATE over columns: the transaction's instant is read
--     into a variable first.
-- (4) No INSERT ... SELECT from an array: one row per statement.
-- The trigger for the app's direct deletes of allocations skips pg_seating's own calls.

CREATE FUNCTION @extschema@.pg_seating_history_id() RETURNS uuid
LANGUAGE plpgsql VOLATILE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_us bigint := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
    v_id bytea := uuid_send(gen_random_uuid());
BEGIN
    v_id := overlay(v_id PLACING substring(int8send(v_us / 1000) FROM 3 FOR 6) FROM 1 FOR 6);
    v_id := overlay(v_id PLACING int2send((28672 | ((v_us % 1000) * 4096 / 1000)::int)::smallint) FROM 7 FOR 2);
    RETURN encode(v_id, 'hex')::uuid;
END;
$$;

ALTER TABLE @extschema@.booking_state_history ALTER COLUMN id DROP IDENTITY IF EXISTS;
ALTER TABLE @extschema@.booking_state_history ALTER COLUMN id TYPE uuid
    USING (lpad(to_hex((extract(epoch FROM changed_at) * 1000)::bigint), 12, '0') || '7000' || '8'
           || lpad(to_hex(id), 15, '0'))::uuid;
ALTER TABLE @extschema@.booking_state_history ALTER COLUMN id SET DEFAULT @extschema@.pg_seating_history_id();

CREATE OR REPLACE FUNCTION @extschema@.pg_seating_check_timezone() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.timezone IS NOT DISTINCT FROM OLD.timezone THEN
        RETURN NEW;
    END IF;
    IF NEW.timezone IS NULL OR btrim(NEW.timezone) = '' THEN
        RAISE EXCEPTION 'Restaurant time zone must not be empty'
            USING ERRCODE = '22023', HINT = 'Use an IANA name such as Europe/London.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE lower(z.name) = lower(NEW.timezone)) THEN
        RAISE EXCEPTION 'Restaurant time zone "%" is not a known time zone', NEW.timezone
            USING ERRCODE = '22023', HINT = 'Use an IANA name such as Europe/London.';
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@.pg_seating_direct_assignment() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_hold uuid;
    v_holder uuid;
    v_status text;
    v_now timestamptz := now();
BEGIN
    IF NEW.restaurant_id IS NULL THEN
        SELECT b.restaurant_id INTO NEW.restaurant_id FROM @extschema@.bookings b WHERE b.id = NEW.booking_id;
        IF NEW.restaurant_id IS NULL THEN
            RAISE EXCEPTION 'insert or update on table "booking_table_assignments" violates foreign key constraint "booking_table_assignments_booking_fkey"'
                USING ERRCODE = '23503', DETAIL = format('Booking %s does not exist.', NEW.booking_id);
        END IF;
    END IF;
    SELECT b.status::text INTO v_status FROM @extschema@.bookings b
     WHERE b.restaurant_id = NEW.restaurant_id AND b.id = NEW.booking_id FOR NO KEY UPDATE;
    -- (Not when the status guard itself re-seats an undone no-show: it runs inside the update.)
    IF v_status IN ('cancelled', 'no_show', 'completed') AND pg_trigger_depth() = 1 THEN
        RAISE EXCEPTION 'Booking % is % and cannot be assigned tables', NEW.booking_id, v_status
            USING ERRCODE = '23514', HINT = 'Cancelled, no-show and completed bookings are final and hold no tables.';
    END IF;
    PERFORM 1 FROM @extschema@.table_inventory t
      WHERE t.restaurant_id = NEW.restaurant_id AND t.id = NEW.table_id FOR NO KEY UPDATE;
    SELECT w.hold_id, w.booking_id INTO v_hold, v_holder
      FROM @extschema@.table_hold_windows w
     WHERE w.restaurant_id = NEW.restaurant_id AND w.table_id = NEW.table_id
       AND w.status = 'active' AND w.expires_at > v_now
       AND w.hold_window && tstzrange(NEW.start_at, NEW.end_at)
       AND w.booking_id IS DISTINCT FROM NEW.booking_id
     LIMIT 1;
    IF v_hold IS NOT NULL THEN
        RAISE EXCEPTION 'conflicting key value violates exclusion constraint "table_hold_windows_no_overlap"'
            USING ERRCODE = '23P01',
                  DETAIL = format('Table %s is held by hold %s (booking %s) during the requested window.',
                                  NEW.table_id, v_hold, coalesce(v_holder::text, 'none')),
                  HINT = 'Retry after the hold expires or is released, or choose another table.';
    END IF;
    -- The booking's own shadow mirror of the table (a backfill) becomes the live allocation.
    INSERT INTO @extschema@.allocations (restaurant_id, booking_id, resource_type, resource_id, "window", created_by)
    VALUES (NEW.restaurant_id, NEW.booking_id, 'table', NEW.table_id, tstzrange(NEW.start_at, NEW.end_at),
            NEW.assigned_by)
    ON CONFLICT (restaurant_id, booking_id, resource_type, resource_id) DO UPDATE
       SET "window" = EXCLUDED."window", shadow = false,
           created_by = coalesce(EXCLUDED.created_by, allocations.created_by), updated_at = v_now
     WHERE allocations.shadow
    RETURNING id INTO NEW.allocation_id;
    IF NEW.allocation_id IS NULL THEN
        RAISE EXCEPTION 'duplicate key value violates unique constraint "allocations_booking_resource_key"'
            USING ERRCODE = '23505',
                  DETAIL = format('Booking %s already holds table %s.', NEW.booking_id, NEW.table_id),
                  HINT = 'Release the table first, or use assign_tables_atomic_v2, which assigns it again.';
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@.pg_seating_release_deleted_allocation() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_group uuid;
    v_status text;
    v_now timestamptz := now();
BEGIN
    -- A pg_seating function has released the assignment already (it deletes it first).
    IF pg_trigger_depth() > 1 OR current_setting('pg_seating.internal_call', true) = 'on' THEN
        RETURN OLD;
    END IF;
    DELETE FROM @extschema@.booking_table_assignments a
     WHERE a.restaurant_id = OLD.restaurant_id AND a.allocation_id = OLD.id
    RETURNING a.merge_group_id INTO v_group;
    IF NOT FOUND THEN
        RETURN OLD;
    END IF;
    DELETE FROM @extschema@.booking_assignment_idempotency l
     WHERE l.restaurant_id = OLD.restaurant_id AND l.booking_id = OLD.booking_id
       AND OLD.resource_id = ANY (l.table_ids);
    IF v_group IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM @extschema@.booking_table_assignments a
            WHERE a.restaurant_id = OLD.restaurant_id AND a.merge_group_id = v_group) THEN
        DELETE FROM @extschema@.allocations x WHERE x.restaurant_id = OLD.restaurant_id AND x.id = v_group;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.booking_table_assignments a
                    WHERE a.restaurant_id = OLD.restaurant_id AND a.booking_id = OLD.booking_id) THEN
        SELECT b.status::text INTO v_status FROM @extschema@.bookings b
         WHERE b.restaurant_id = OLD.restaurant_id AND b.id = OLD.booking_id FOR NO KEY UPDATE;
        IF v_status = 'checked_in' THEN
            RAISE EXCEPTION 'Booking % is checked in and must keep at least one table', OLD.booking_id
                USING ERRCODE = '23514',
                      HINT = 'Move the party: assign its new table with assign_tables_atomic_v2 (which adds it), then release this one; or complete the booking first.';
        END IF;
        IF v_status = 'confirmed' THEN
            UPDATE @extschema@.bookings b
               SET assigned_zone_id = NULL, status = 'pending_allocation', updated_at = v_now
             WHERE b.restaurant_id = OLD.restaurant_id AND b.id = OLD.booking_id;
            INSERT INTO @extschema@.booking_state_history
                   (restaurant_id, booking_id, from_status, to_status, changed_at, reason, metadata)
            VALUES (OLD.restaurant_id, OLD.booking_id, 'confirmed', 'pending_allocation', v_now, 'tables_released',
                    jsonb_build_object('released_tables', 1, 'source', 'allocation_deleted'));
        ELSE
            UPDATE @extschema@.bookings b
               SET assigned_zone_id = NULL, updated_at = v_now
             WHERE b.restaurant_id = OLD.restaurant_id AND b.id = OLD.booking_id AND b.assigned_zone_id IS NOT NULL;
        END IF;
    END IF;
    RETURN OLD;
END;
$$;

CREATE OR REPLACE FUNCTION @extschema@.pg_seating_booking_status_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_tables uuid[];
    v_window tstzrange;
    v_blocked uuid;
    v_blocker uuid;
    v_table uuid;
    v_now timestamptz := now();
BEGIN
    IF NEW.status IN ('cancelled', 'no_show', 'completed') THEN
        IF NEW.status = 'no_show' THEN
            SELECT array_agg(a.table_id ORDER BY a.table_id), tstzrange(min(a.start_at), max(a.end_at))
              INTO v_tables, v_window
              FROM @extschema@.booking_table_assignments a
             WHERE a.restaurant_id = NEW.restaurant_id AND a.booking_id = NEW.id;
            NEW.no_show_table_ids := v_tables;
            NEW.no_show_window := CASE WHEN v_tables IS NOT NULL THEN v_window END;
        END IF;
        DELETE FROM @extschema@.booking_table_assignments a
         WHERE a.restaurant_id = NEW.restaurant_id AND a.booking_id = NEW.id;
        DELETE FROM @extschema@.booking_assignment_idempotency l
         WHERE l.restaurant_id = NEW.restaurant_id AND l.booking_id = NEW.id;
        DELETE FROM @extschema@.allocations x
         WHERE x.restaurant_id = NEW.restaurant_id AND x.booking_id = NEW.id;
        DELETE FROM @extschema@.table_holds h
         WHERE h.restaurant_id = NEW.restaurant_id AND h.booking_id = NEW.id;
        NEW.assigned_zone_id := NULL;
        -- The auto-assign key only dedupes assignments a finished booking no longer gets; clearing
        -- it keeps its partial index to the bookings that can still be seated.
        NEW.auto_assign_idempotency_key := NULL;
    ELSIF OLD.status = 'no_show' AND NEW.status = 'confirmed' AND OLD.no_show_table_ids IS NOT NULL THEN
        v_tables := OLD.no_show_table_ids;
        v_window := coalesce(OLD.no_show_window, tstzrange(NEW.start_at, NEW.end_at));
        -- Every table must still exist, be usable and be free (another booking's live allocation
        -- or live hold) for the window; locks in the functions' order: booking (held), tables by id.
        PERFORM 1 FROM @extschema@.table_inventory t
          WHERE t.restaurant_id = NEW.restaurant_id AND t.id = ANY (v_tables)
          ORDER BY t.id FOR NO KEY UPDATE;
        SELECT u.id INTO v_blocked FROM unnest(v_tables) u(id)
         WHERE NOT EXISTS (SELECT 1 FROM @extschema@.table_inventory t
                            WHERE t.restaurant_id = NEW.restaurant_id AND t.id = u.id
                              AND t.active AND t.status <> 'out_of_service')
         ORDER BY u.id LIMIT 1;
        IF v_blocked IS NULL THEN
            SELECT u.id, x.booking_id INTO v_blocked, v_blocker
              FROM unnest(v_tables) u(id)
              JOIN @extschema@.allocations x
                ON x.restaurant_id = NEW.restaurant_id AND x.resource_type = 'table' AND x.resource_id = u.id
               AND NOT x.shadow AND x."window" && v_window AND x.booking_id IS DISTINCT FROM NEW.id
             ORDER BY u.id LIMIT 1;
        END IF;
        IF v_blocked IS NULL THEN
            SELECT u.id, w.booking_id INTO v_blocked, v_blocker
              FROM unnest(v_tables) u(id)
              JOIN @extschema@.table_hold_windows w
                ON w.restaurant_id = NEW.restaurant_id AND w.table_id = u.id AND w.status = 'active'
               AND w.expires_at > v_now AND w.hold_window && v_window AND w.booking_id IS DISTINCT FROM NEW.id
             ORDER BY u.id LIMIT 1;
        END IF;
        IF v_blocked IS NOT NULL THEN
            RAISE EXCEPTION 'Cannot confirm booking %: table % it held before the no-show is no longer free', NEW.id, v_blocked
                USING ERRCODE = 'P0001',
                      DETAIL = format('Table %s is taken or out of service during %s%s.', v_blocked, v_window,
                                      CASE WHEN v_blocker IS NOT NULL THEN ' (booking ' || v_blocker || ')' ELSE '' END),
                      HINT = 'Assign other tables with assign_tables_atomic_v2, then confirm.';
        END IF;
        FOREACH v_table IN ARRAY ARRAY(SELECT u.id FROM unnest(v_tables) u(id) ORDER BY u.id) LOOP
            INSERT INTO @extschema@.booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
            VALUES (NEW.restaurant_id, NEW.id, v_table, lower(v_window), upper(v_window));
        END LOOP;
        NEW.no_show_table_ids := NULL;
        NEW.no_show_window := NULL;
    END IF;
    IF NEW.status = 'confirmed' AND NOT EXISTS (
           SELECT 1 FROM @extschema@.booking_table_assignments a
            WHERE a.restaurant_id = NEW.restaurant_id AND a.booking_id = NEW.id) THEN
        RAISE EXCEPTION 'Cannot confirm booking %: No table assignments exist. Booking must have at least one table assigned before confirmation.', NEW.id
            USING ERRCODE = 'P0001', HINT = 'Use the assign_tables RPC function to assign tables before confirming';
    END IF;
    RETURN NEW;
END;
$$;

-- The reconciliation view without LATERAL over a FROM-less subquery (Citus cannot plan that):
-- the same columns and rows, the per-booking counts as correlated scalar subqueries.
CREATE OR REPLACE VIEW @extschema@.booking_assignment_reconciliation WITH (security_invoker = true) AS
SELECT n.booking_id, n.restaurant_id, n.status, n.assignments AS assignment_count,
       n.problem IS NULL AS consistent, n.problem
  FROM (SELECT c.booking_id, c.restaurant_id, c.status, c.assignments,
               CASE
                   WHEN c.status IN ('confirmed', 'checked_in') AND c.assignments = 0
                       THEN c.status || ' booking has no table'
                   WHEN c.status IN ('cancelled', 'no_show', 'completed') AND c.assignments + c.allocations + c.holds > 0
                       THEN c.status || ' booking still holds tables or holds'
                   WHEN c.assignments <> c.allocations
                       THEN format('%s assignments but %s live table allocations', c.assignments, c.allocations)
               END AS problem
          FROM (SELECT b.id AS booking_id, b.restaurant_id, b.status,
                       (SELECT count(*)::int FROM @extschema@.booking_table_assignments a
                         WHERE a.restaurant_id = b.restaurant_id AND a.booking_id = b.id) AS assignments,
                       (SELECT count(*)::int FROM @extschema@.allocations x
                         WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id
                           AND x.resource_type = 'table' AND NOT x.shadow) AS allocations,
                       (SELECT count(*)::int FROM @extschema@.table_holds h
                         WHERE h.restaurant_id = b.restaurant_id AND h.booking_id = b.id) AS holds
                  FROM @extschema@.bookings b) c) n;

-- A hold placed for a booking: the booking is locked by its restaurant (the lookup by id alone,
-- for a row written without restaurant_id, is a separate read: on Citus a row lock needs the
-- distribution column).
CREATE OR REPLACE FUNCTION @extschema@.pg_seating_direct_hold() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_restaurant uuid := NEW.restaurant_id;
    v_status text;
BEGIN
    IF v_restaurant IS NULL THEN
        SELECT b.restaurant_id INTO v_restaurant FROM @extschema@.bookings b WHERE b.id = NEW.booking_id;
    END IF;
    SELECT b.status::text INTO v_status FROM @extschema@.bookings b
     WHERE b.restaurant_id = v_restaurant AND b.id = NEW.booking_id FOR SHARE;
    IF v_status IN ('cancelled', 'no_show', 'completed') THEN
        RAISE EXCEPTION 'Booking % is % and cannot hold tables', NEW.booking_id, v_status
            USING ERRCODE = '23514', HINT = 'Cancelled, no-show and completed bookings are final and hold no tables.';
    END IF;
    RETURN NEW;
END;
$$;

-- Hold members: the window row is written with VALUES from the hold read first (an INSERT ...
-- SELECT is planned through Citus's coordinator path, which a delegated call may not use).
CREATE OR REPLACE FUNCTION @extschema@.pg_seating_sync_hold_member() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_hold @extschema@.table_holds%ROWTYPE;
    v_now timestamptz := now();
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- The table is locked first, as every writer of it does (the RPCs already hold it): two
        -- holds racing for one table then meet one after the other, and the second gets the
        -- exclusion constraint's 23P01 instead of a deadlock of two waiting exclusion checks.
        PERFORM 1 FROM @extschema@.table_inventory t
          WHERE t.restaurant_id = NEW.restaurant_id AND t.id = NEW.table_id FOR NO KEY UPDATE;
        SELECT h.* INTO v_hold FROM @extschema@.table_holds h
         WHERE h.restaurant_id = NEW.restaurant_id AND h.id = NEW.hold_id;
        IF NOT FOUND THEN
            RETURN NEW; -- the member's foreign key refuses it (23503)
        END IF;
        -- SKIP LOCKED: a hold another transaction is expiring, sweeping or releasing is left to
        -- it (waiting for it while holding other locks could close a cycle; the constraint below
        -- waits for that transaction's outcome instead).
        UPDATE @extschema@.table_holds h
           SET status = 'expired'
         WHERE h.restaurant_id = NEW.restaurant_id
           AND h.id IN (SELECT x.id FROM @extschema@.table_holds x
                         WHERE x.restaurant_id = NEW.restaurant_id AND x.status = 'active' AND x.expires_at <= v_now
                           AND x.id IN (SELECT w.hold_id FROM @extschema@.table_hold_windows w
                                         WHERE w.restaurant_id = NEW.restaurant_id AND w.table_id = NEW.table_id
                                           AND w.status = 'active'
                                           AND w.hold_window && tstzrange(v_hold.start_at, v_hold.end_at))
                         ORDER BY x.id
                           FOR UPDATE SKIP LOCKED);
        INSERT INTO @extschema@.table_hold_windows
               (restaurant_id, hold_id, table_id, booking_id, start_at, end_at, expires_at, status)
        VALUES (NEW.restaurant_id, NEW.hold_id, NEW.table_id, v_hold.booking_id, v_hold.start_at, v_hold.end_at,
                v_hold.expires_at, v_hold.status)
        ON CONFLICT (restaurant_id, hold_id, table_id) DO UPDATE
           SET booking_id = EXCLUDED.booking_id, start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at,
               expires_at = EXCLUDED.expires_at, status = EXCLUDED.status;
        RETURN NEW;
    ELSE
        DELETE FROM @extschema@.table_hold_windows w
         WHERE w.restaurant_id = OLD.restaurant_id AND w.hold_id = OLD.hold_id AND w.table_id = OLD.table_id;
        RETURN OLD;
    END IF;
END;
$$;
