-- Model step 12 (0.8.0): the assignment row owns its allocation (SPEC §6, revised; APP-CONTRACT §2).
--
-- The app's "add table" calls assign_tables_atomic_v2 with only the new table, then prunes this
-- booking's table allocations that are not in *that* list: the allocation of the table the booking
-- already had. Up to 0.7.0 that delete released the table (step 3), so the staff added a table and
-- saw the other one vanish; in the original the assignment row stayed. Now:
--   * A direct delete of a live table allocation that backs an assignment is refused: 23503
--     `Allocation <id> backs table <t> of booking <b>` (the app ignores the prune's result, so the
--     booking keeps every table, protected). Shadow rows, maintenance blocks and allocations no
--     assignment backs are deleted as before.
--   * Deleting the booking_table_assignments row releases the table as unassign_tables_atomic does:
--     its allocation, the ledger rows that recorded it, a merge group left without members, and,
--     when it was the last table, the zone lock and confirmed -> pending_allocation (with a history
--     row). The last table of a checked-in party is not released (23514).
-- pg_seating's own functions delete both rows themselves (nested in a trigger, or while an RPC runs
-- with pg_seating.internal_call on): neither trigger acts then. No EXCEPTION block (SPEC §8 (6)).

DROP TRIGGER allocations_release_assignment ON @extschema@.allocations;
DROP FUNCTION @extschema@.pg_seating_release_deleted_allocation();

CREATE FUNCTION @extschema@.pg_seating_protect_live_allocation() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_table uuid;
BEGIN
    IF pg_trigger_depth() > 1 OR current_setting('pg_seating.internal_call', true) = 'on' THEN
        RETURN OLD;
    END IF;
    SELECT a.table_id INTO v_table FROM @extschema@.booking_table_assignments a
     WHERE a.restaurant_id = OLD.restaurant_id AND a.allocation_id = OLD.id
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'Allocation % backs table % of booking %', OLD.id, v_table, OLD.booking_id
            USING ERRCODE = '23503',
                  HINT = 'Release the table with unassign_tables_atomic (or delete its booking_table_assignments row)';
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER allocations_protect_live
    BEFORE DELETE ON @extschema@.allocations
    FOR EACH ROW WHEN (OLD.resource_type = 'table' AND NOT OLD.shadow AND OLD.booking_id IS NOT NULL)
    EXECUTE FUNCTION @extschema@.pg_seating_protect_live_allocation();

-- Before the row goes: the booking is locked (the functions' lock order) and the last table of a
-- checked-in party is refused. After it went (its allocation is referenced by it until then):
-- the allocation, the ledger rows, an emptied merge group, and the status and zone lock.
CREATE FUNCTION @extschema@.pg_seating_check_deleted_assignment() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_status text;
BEGIN
    IF pg_trigger_depth() > 1 OR current_setting('pg_seating.internal_call', true) = 'on' THEN
        RETURN OLD;
    END IF;
    SELECT b.status::text INTO v_status FROM @extschema@.bookings b
     WHERE b.restaurant_id = OLD.restaurant_id AND b.id = OLD.booking_id FOR NO KEY UPDATE;
    IF v_status = 'checked_in' AND NOT EXISTS (
           SELECT 1 FROM @extschema@.booking_table_assignments a
            WHERE a.restaurant_id = OLD.restaurant_id AND a.booking_id = OLD.booking_id AND a.id <> OLD.id) THEN
        RAISE EXCEPTION 'Booking % is checked in and must keep at least one table', OLD.booking_id
            USING ERRCODE = '23514',
                  HINT = 'Move the party: assign its new table with assign_tables_atomic_v2 (which adds it), then release this one; or complete the booking first.';
    END IF;
    RETURN OLD;
END;
$$;

CREATE FUNCTION @extschema@.pg_seating_release_deleted_assignment() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_status text;
    v_now timestamptz := now();
BEGIN
    IF pg_trigger_depth() > 1 OR current_setting('pg_seating.internal_call', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF OLD.allocation_id IS NOT NULL THEN
        DELETE FROM @extschema@.allocations x WHERE x.restaurant_id = OLD.restaurant_id AND x.id = OLD.allocation_id;
    END IF;
    DELETE FROM @extschema@.booking_assignment_idempotency l
     WHERE l.restaurant_id = OLD.restaurant_id AND l.booking_id = OLD.booking_id
       AND OLD.table_id = ANY (l.table_ids);
    IF OLD.merge_group_id IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM @extschema@.booking_table_assignments a
            WHERE a.restaurant_id = OLD.restaurant_id AND a.merge_group_id = OLD.merge_group_id) THEN
        DELETE FROM @extschema@.allocations x WHERE x.restaurant_id = OLD.restaurant_id AND x.id = OLD.merge_group_id;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.booking_table_assignments a
                    WHERE a.restaurant_id = OLD.restaurant_id AND a.booking_id = OLD.booking_id) THEN
        SELECT b.status::text INTO v_status FROM @extschema@.bookings b
         WHERE b.restaurant_id = OLD.restaurant_id AND b.id = OLD.booking_id FOR NO KEY UPDATE;
        IF v_status = 'confirmed' THEN
            UPDATE @extschema@.bookings b
               SET assigned_zone_id = NULL, status = 'pending_allocation', updated_at = v_now
             WHERE b.restaurant_id = OLD.restaurant_id AND b.id = OLD.booking_id;
            INSERT INTO @extschema@.booking_state_history
                   (restaurant_id, booking_id, from_status, to_status, changed_at, reason, metadata)
            VALUES (OLD.restaurant_id, OLD.booking_id, 'confirmed', 'pending_allocation', v_now, 'tables_released',
                    jsonb_build_object('released_tables', 1, 'source', 'assignment_deleted'));
        ELSE
            UPDATE @extschema@.bookings b
               SET assigned_zone_id = NULL, updated_at = v_now
             WHERE b.restaurant_id = OLD.restaurant_id AND b.id = OLD.booking_id AND b.assigned_zone_id IS NOT NULL;
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER booking_table_assignments_check_release
    BEFORE DELETE ON @extschema@.booking_table_assignments
    FOR EACH ROW EXECUTE FUNCTION @extschema@.pg_seating_check_deleted_assignment();
CREATE TRIGGER booking_table_assignments_release
    AFTER DELETE ON @extschema@.booking_table_assignments
    FOR EACH ROW EXECUTE FUNCTION @extschema@.pg_seating_release_deleted_assignment();

COMMENT ON FUNCTION @extschema@.pg_seating_check_deleted_assignment() IS 'Before a direct delete of a booking_table_assignments row: the booking locked, the last table of a checked-in party kept (23514) (model step 12).';
COMMENT ON FUNCTION @extschema@.pg_seating_protect_live_allocation() IS 'Refuses (23503) the direct delete of a live table allocation that backs an assignment (model step 12, SPEC §6).';
COMMENT ON FUNCTION @extschema@.pg_seating_release_deleted_assignment() IS 'A directly deleted booking_table_assignments row releases its table as unassign_tables_atomic does (model step 12, SPEC §6).';
