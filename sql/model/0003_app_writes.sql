-- pg_seating data model, step 3 (0.4.0): the booking app's direct writes keep the invariants
-- (SPEC §6, APP-CONTRACT.md §2), and an undone no-show gets its tables back.
--
--   * A child row inserted without restaurant_id takes it from its parent (booking or hold).
--   * A direct booking_table_assignments insert (the staff "assign directly" action: no
--     restaurant_id, no allocation) gets its live table allocation, or is refused: 23P01 when the
--     table is taken (the allocations exclusion constraint) or held by another booking's live
--     hold, 23505 when the booking already has it (its own shadow mirror becomes live).
--   * A directly deleted live table allocation (the app's prune after a confirm) releases that
--     table from its booking: the assignment, the ledger rows that recorded it, a merge group left
--     without members, and, when it was the last table, the zone lock and confirmed ->
--     pending_allocation. The last table of a checked-in party is not released (23514).
--   * Live holds of different bookings never overlap on a table (table_hold_windows_no_overlap,
--     23P01); an expired hold blocks nobody: a new hold member first marks the expired holds it
--     overlaps as expired.
--   * Explicit NULLs the app sends are accepted: capacity_outbox.next_attempt_at (not scheduled),
--     bookings.details, table_holds.metadata; capacity_outbox.attempts is the app's counter.
--   * no_show remembers the tables it released; no_show -> confirmed assigns them again when they
--     are free for the booking's window, else P0001 `Cannot confirm booking …`.
-- The functions here run with their owner's rights and pin their search_path; none has an
-- EXCEPTION block (SPEC §8 (6)).

ALTER TABLE @extschema@.capacity_outbox ALTER COLUMN next_attempt_at DROP NOT NULL;
ALTER TABLE @extschema@.capacity_outbox ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE @extschema@.bookings ALTER COLUMN details DROP NOT NULL;
ALTER TABLE @extschema@.table_holds ALTER COLUMN metadata DROP NOT NULL;
ALTER TABLE @extschema@.bookings
    ADD COLUMN no_show_table_ids uuid[],
    ADD COLUMN no_show_window tstzrange;
-- create_booking_with_capacity_check: one booking per (restaurant, idempotency key).
CREATE UNIQUE INDEX bookings_idempotency_key_key ON @extschema@.bookings (restaurant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- ---------------------------------------------------------------------------------------------
-- restaurant_id from the parent
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.pg_seating_restaurant_from_booking() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    SELECT b.restaurant_id INTO NEW.restaurant_id FROM @extschema@.bookings b WHERE b.id = NEW.booking_id;
    IF NEW.restaurant_id IS NULL THEN
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%_booking_fkey"', TG_TABLE_NAME, TG_TABLE_NAME
            USING ERRCODE = '23503', DETAIL = format('Booking %s does not exist.', NEW.booking_id);
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION @extschema@.pg_seating_restaurant_from_hold() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    SELECT h.restaurant_id INTO NEW.restaurant_id FROM @extschema@.table_holds h WHERE h.id = NEW.hold_id;
    IF NEW.restaurant_id IS NULL THEN
        RAISE EXCEPTION 'insert or update on table "table_hold_members" violates foreign key constraint "table_hold_members_hold_fkey"'
            USING ERRCODE = '23503',
                  DETAIL = format('Hold %s does not exist (released, swept or never created).', NEW.hold_id);
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER allocations_restaurant_from_booking
    BEFORE INSERT ON @extschema@.allocations
    FOR EACH ROW WHEN (NEW.restaurant_id IS NULL AND NEW.booking_id IS NOT NULL)
    EXECUTE FUNCTION @extschema@.pg_seating_restaurant_from_booking();
CREATE TRIGGER booking_assignment_idempotency_restaurant_from_booking
    BEFORE INSERT ON @extschema@.booking_assignment_idempotency
    FOR EACH ROW WHEN (NEW.restaurant_id IS NULL AND NEW.booking_id IS NOT NULL)
    EXECUTE FUNCTION @extschema@.pg_seating_restaurant_from_booking();
CREATE TRIGGER booking_state_history_restaurant_from_booking
    BEFORE INSERT ON @extschema@.booking_state_history
    FOR EACH ROW WHEN (NEW.restaurant_id IS NULL AND NEW.booking_id IS NOT NULL)
    EXECUTE FUNCTION @extschema@.pg_seating_restaurant_from_booking();
CREATE TRIGGER booking_confirmation_results_restaurant_from_booking
    BEFORE INSERT ON @extschema@.booking_confirmation_results
    FOR EACH ROW WHEN (NEW.restaurant_id IS NULL AND NEW.booking_id IS NOT NULL)
    EXECUTE FUNCTION @extschema@.pg_seating_restaurant_from_booking();
CREATE TRIGGER capacity_outbox_restaurant_from_booking
    BEFORE INSERT ON @extschema@.capacity_outbox
    FOR EACH ROW WHEN (NEW.restaurant_id IS NULL AND NEW.booking_id IS NOT NULL)
    EXECUTE FUNCTION @extschema@.pg_seating_restaurant_from_booking();
CREATE TRIGGER table_holds_restaurant_from_booking
    BEFORE INSERT ON @extschema@.table_holds
    FOR EACH ROW WHEN (NEW.restaurant_id IS NULL AND NEW.booking_id IS NOT NULL)
    EXECUTE FUNCTION @extschema@.pg_seating_restaurant_from_booking();
-- A hold placed directly for a booking: the booking must be able to hold tables. The booking row is
-- share-locked, so a status change in flight finishes first (and its release sees this hold).
CREATE FUNCTION @extschema@.pg_seating_direct_hold() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_status text;
BEGIN
    SELECT b.status::text INTO v_status FROM @extschema@.bookings b
     WHERE b.id = NEW.booking_id AND (NEW.restaurant_id IS NULL OR b.restaurant_id = NEW.restaurant_id) FOR SHARE;
    IF v_status IN ('cancelled', 'no_show', 'completed') THEN
        RAISE EXCEPTION 'Booking % is % and cannot hold tables', NEW.booking_id, v_status
            USING ERRCODE = '23514', HINT = 'Cancelled, no-show and completed bookings are final and hold no tables.';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER table_holds_booking_can_hold
    BEFORE INSERT ON @extschema@.table_holds
    FOR EACH ROW WHEN (NEW.booking_id IS NOT NULL)
    EXECUTE FUNCTION @extschema@.pg_seating_direct_hold();
CREATE TRIGGER table_hold_members_restaurant_from_hold
    BEFORE INSERT ON @extschema@.table_hold_members
    FOR EACH ROW WHEN (NEW.restaurant_id IS NULL AND NEW.hold_id IS NOT NULL)
    EXECUTE FUNCTION @extschema@.pg_seating_restaurant_from_hold();

-- ---------------------------------------------------------------------------------------------
-- Direct assignments get their live allocation
-- ---------------------------------------------------------------------------------------------
-- Locks are taken in the functions' order (booking, then the table), so a direct insert listing
-- its tables in id order never deadlocks with an RPC. Only rows without an allocation_id take
-- this path: the RPCs write the allocation themselves.
CREATE FUNCTION @extschema@.pg_seating_direct_assignment() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_hold uuid;
    v_holder uuid;
    v_status text;
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
       AND w.status = 'active' AND w.expires_at > now()
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
           created_by = coalesce(EXCLUDED.created_by, allocations.created_by), updated_at = now()
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
CREATE TRIGGER booking_table_assignments_direct
    BEFORE INSERT ON @extschema@.booking_table_assignments
    FOR EACH ROW WHEN (NEW.allocation_id IS NULL AND NEW.start_at IS NOT NULL AND NEW.end_at IS NOT NULL)
    EXECUTE FUNCTION @extschema@.pg_seating_direct_assignment();

-- ---------------------------------------------------------------------------------------------
-- A directly deleted live table allocation releases its table from the booking
-- ---------------------------------------------------------------------------------------------
-- The RPCs delete the assignment first, so for them this finds nothing and does nothing. A delete
-- issued by another trigger (a cascade from a deleted booking or restaurant, the status guard) is
-- left alone: whatever deletes the parent takes the assignments with it.
CREATE FUNCTION @extschema@.pg_seating_release_deleted_allocation() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_group uuid;
    v_status text;
BEGIN
    IF pg_trigger_depth() > 1 THEN
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
        UPDATE @extschema@.bookings b
           SET assigned_zone_id = NULL,
               status = CASE WHEN b.status = 'confirmed' THEN 'pending_allocation' ELSE b.status END,
               updated_at = now()
         WHERE b.restaurant_id = OLD.restaurant_id AND b.id = OLD.booking_id
           AND (b.assigned_zone_id IS NOT NULL OR b.status = 'confirmed');
        IF v_status = 'confirmed' THEN
            INSERT INTO @extschema@.booking_state_history
                   (restaurant_id, booking_id, from_status, to_status, reason, metadata)
            VALUES (OLD.restaurant_id, OLD.booking_id, 'confirmed', 'pending_allocation', 'tables_released',
                    jsonb_build_object('released_tables', 1, 'source', 'allocation_deleted'));
        END IF;
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER allocations_release_assignment
    BEFORE DELETE ON @extschema@.allocations
    FOR EACH ROW WHEN (OLD.resource_type = 'table' AND NOT OLD.shadow AND OLD.booking_id IS NOT NULL)
    EXECUTE FUNCTION @extschema@.pg_seating_release_deleted_allocation();

-- ---------------------------------------------------------------------------------------------
-- Live holds never overlap
-- ---------------------------------------------------------------------------------------------
UPDATE @extschema@.table_holds SET status = 'expired' WHERE status = 'active' AND expires_at <= now();
ALTER TABLE @extschema@.table_hold_windows
    ADD CONSTRAINT table_hold_windows_no_overlap EXCLUDE USING gist (
        restaurant_id WITH =, table_id WITH =, hold_window WITH &&, (coalesce(booking_id, hold_id)) WITH <>)
        WHERE (status = 'active');

-- Members inserted: lock the table, mark the expired holds overlapping the new one on it as
-- expired (expiry is judged at read time; the constraint above must not count them), then add
-- the (hold, table) window row. Members deleted: remove it.
CREATE OR REPLACE FUNCTION @extschema@.pg_seating_sync_hold_member() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- The table is locked first, as every writer of it does (the RPCs already hold it): two
        -- holds racing for one table then meet one after the other, and the second gets the
        -- exclusion constraint's 23P01 instead of a deadlock of two waiting exclusion checks.
        PERFORM 1 FROM @extschema@.table_inventory t
          WHERE t.restaurant_id = NEW.restaurant_id AND t.id = NEW.table_id FOR NO KEY UPDATE;
        -- SKIP LOCKED: a hold another transaction is expiring, sweeping or releasing is left to
        -- it (waiting for it while holding other locks could close a cycle; the constraint below
        -- waits for that transaction's outcome instead).
        UPDATE @extschema@.table_holds h
           SET status = 'expired'
         WHERE h.restaurant_id = NEW.restaurant_id
           AND h.id IN (SELECT x.id FROM @extschema@.table_holds x
                         WHERE x.restaurant_id = NEW.restaurant_id AND x.status = 'active' AND x.expires_at <= now()
                           AND x.id IN (SELECT w.hold_id FROM @extschema@.table_hold_windows w
                                          JOIN @extschema@.table_holds n ON n.restaurant_id = NEW.restaurant_id
                                                                         AND n.id = NEW.hold_id
                                         WHERE w.restaurant_id = NEW.restaurant_id AND w.table_id = NEW.table_id
                                           AND w.status = 'active' AND w.hold_window && tstzrange(n.start_at, n.end_at))
                         ORDER BY x.id
                           FOR UPDATE SKIP LOCKED);
        INSERT INTO @extschema@.table_hold_windows
               (restaurant_id, hold_id, table_id, booking_id, start_at, end_at, expires_at, status)
        SELECT h.restaurant_id, h.id, NEW.table_id, h.booking_id, h.start_at, h.end_at, h.expires_at, h.status
          FROM @extschema@.table_holds h
         WHERE h.restaurant_id = NEW.restaurant_id AND h.id = NEW.hold_id
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

-- ---------------------------------------------------------------------------------------------
-- Booking status guard: no_show remembers its tables, and undoing it re-seats them
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION @extschema@.pg_seating_booking_status_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_tables uuid[];
    v_window tstzrange;
    v_blocked uuid;
    v_blocker uuid;
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
               AND w.expires_at > now() AND w.hold_window && v_window AND w.booking_id IS DISTINCT FROM NEW.id
             ORDER BY u.id LIMIT 1;
        END IF;
        IF v_blocked IS NOT NULL THEN
            RAISE EXCEPTION 'Cannot confirm booking %: table % it held before the no-show is no longer free', NEW.id, v_blocked
                USING ERRCODE = 'P0001',
                      DETAIL = format('Table %s is taken or out of service during %s%s.', v_blocked, v_window,
                                      CASE WHEN v_blocker IS NOT NULL THEN ' (booking ' || v_blocker || ')' ELSE '' END),
                      HINT = 'Assign other tables with assign_tables_atomic_v2, then confirm.';
        END IF;
        INSERT INTO @extschema@.booking_table_assignments (restaurant_id, booking_id, table_id, start_at, end_at)
        SELECT NEW.restaurant_id, NEW.id, u.id, lower(v_window), upper(v_window)
          FROM unnest(v_tables) u(id) ORDER BY u.id;
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
