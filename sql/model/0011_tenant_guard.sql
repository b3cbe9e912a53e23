-- Model step 11 (0.8.0): one tenant learns nothing about another (SPEC §10).
--
-- The model's BEFORE triggers run with their owner's rights and look the parent rows of a new row
-- up by id (its booking, hold, tables) before row-level security checks the new row. For a role
-- subject to row-level security (the app's `authenticated` staff), their answers told a row of
-- another restaurant from a missing one: 23505 "already holds table", 23P01 naming a hold and its
-- booking, 23514 naming a status, 23502 with the other restaurant's id in the failing row.
--
-- The guard runs first (its name sorts before every other trigger of the table) and only for a
-- role that row-level security applies to (WHEN row_security_active: the owner, service_role and
-- every BYPASSRLS role never reach it, so the RPCs and the app server pay nothing). The table is
-- named as text, looked up when the trigger fires: a regclass constant would name the
-- distributed table in the triggers Citus creates on its shards before that table exists there. It runs with
-- the caller's rights, so it sees exactly the parent rows the app's policies let the caller see,
-- and answers a reference to a row it cannot see with one error whether or not that row exists:
-- 42501, naming the column, never the id, the row's restaurant, window or status.
CREATE FUNCTION @extschema@.pg_seating_tenant_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_new jsonb := pg_catalog.to_jsonb(NEW);
    v_old jsonb := CASE WHEN TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN pg_catalog.to_jsonb(OLD) END;
    v_column text;
    v_parent text;
    v_id text;
    v_seen boolean;
BEGIN
    -- TG_ARGV: pairs of (column of the new row, parent table its id names).
    FOR i IN 0 .. TG_NARGS - 2 BY 2 LOOP
        v_column := TG_ARGV[i];
        v_parent := TG_ARGV[i + 1];
        v_id := v_new OPERATOR(pg_catalog.->>) v_column;
        CONTINUE WHEN v_id IS NULL;
        -- An unchanged reference of a row the caller could already update names nothing new.
        CONTINUE WHEN v_old IS NOT NULL AND (v_old OPERATOR(pg_catalog.->>) v_column) OPERATOR(pg_catalog.=) v_id;
        -- allocations.resource_id names a table only for table allocations.
        CONTINUE WHEN v_column OPERATOR(pg_catalog.=) 'resource_id'
                  AND (v_new OPERATOR(pg_catalog.->>) 'resource_type') IS DISTINCT FROM 'table';
        EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %I.%I p WHERE p.id OPERATOR(pg_catalog.=) $1)',
                                  TG_TABLE_SCHEMA, v_parent)
           INTO v_seen USING v_id::uuid;
        IF NOT v_seen THEN
            RAISE EXCEPTION 'new row for relation "%" names a row of % that this role cannot see', TG_TABLE_NAME, v_parent
                USING ERRCODE = '42501', COLUMN = v_column, TABLE = TG_TABLE_NAME,
                      HINT = pg_catalog.format('Check %s: a row of another restaurant and an id that does not exist get '
                                               'this same answer.', v_column);
        END IF;
    END LOOP;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION @extschema@.pg_seating_tenant_guard() IS 'Refuses (42501) a new row naming a parent row the caller''s row-level security hides, with one answer whether that row exists or not (model step 11, SPEC §10).';

CREATE TRIGGER _pg_seating_tenant_guard
    BEFORE INSERT OR UPDATE OF booking_id, table_id ON @extschema@.booking_table_assignments
    FOR EACH ROW WHEN (pg_catalog.row_security_active('@extschema@.booking_table_assignments'::pg_catalog.text))
    EXECUTE FUNCTION @extschema@.pg_seating_tenant_guard('booking_id', 'bookings', 'table_id', 'table_inventory');
CREATE TRIGGER _pg_seating_tenant_guard
    BEFORE INSERT OR UPDATE OF booking_id, zone_id ON @extschema@.table_holds
    FOR EACH ROW WHEN (pg_catalog.row_security_active('@extschema@.table_holds'::pg_catalog.text))
    EXECUTE FUNCTION @extschema@.pg_seating_tenant_guard('booking_id', 'bookings', 'zone_id', 'zones');
CREATE TRIGGER _pg_seating_tenant_guard
    BEFORE INSERT OR UPDATE OF hold_id, table_id ON @extschema@.table_hold_members
    FOR EACH ROW WHEN (pg_catalog.row_security_active('@extschema@.table_hold_members'::pg_catalog.text))
    EXECUTE FUNCTION @extschema@.pg_seating_tenant_guard('hold_id', 'table_holds', 'table_id', 'table_inventory');
CREATE TRIGGER _pg_seating_tenant_guard
    BEFORE INSERT OR UPDATE OF booking_id, resource_id ON @extschema@.allocations
    FOR EACH ROW WHEN (pg_catalog.row_security_active('@extschema@.allocations'::pg_catalog.text))
    EXECUTE FUNCTION @extschema@.pg_seating_tenant_guard('booking_id', 'bookings', 'resource_id', 'table_inventory');
CREATE TRIGGER _pg_seating_tenant_guard
    BEFORE INSERT OR UPDATE OF table_a, table_b ON @extschema@.table_adjacencies
    FOR EACH ROW WHEN (pg_catalog.row_security_active('@extschema@.table_adjacencies'::pg_catalog.text))
    EXECUTE FUNCTION @extschema@.pg_seating_tenant_guard('table_a', 'table_inventory', 'table_b', 'table_inventory');
CREATE TRIGGER _pg_seating_tenant_guard
    BEFORE INSERT OR UPDATE OF booking_id ON @extschema@.booking_state_history
    FOR EACH ROW WHEN (pg_catalog.row_security_active('@extschema@.booking_state_history'::pg_catalog.text))
    EXECUTE FUNCTION @extschema@.pg_seating_tenant_guard('booking_id', 'bookings');
CREATE TRIGGER _pg_seating_tenant_guard
    BEFORE INSERT OR UPDATE OF booking_id ON @extschema@.capacity_outbox
    FOR EACH ROW WHEN (pg_catalog.row_security_active('@extschema@.capacity_outbox'::pg_catalog.text))
    EXECUTE FUNCTION @extschema@.pg_seating_tenant_guard('booking_id', 'bookings');
CREATE TRIGGER _pg_seating_tenant_guard
    BEFORE INSERT OR UPDATE OF booking_id ON @extschema@.booking_assignment_idempotency
    FOR EACH ROW WHEN (pg_catalog.row_security_active('@extschema@.booking_assignment_idempotency'::pg_catalog.text))
    EXECUTE FUNCTION @extschema@.pg_seating_tenant_guard('booking_id', 'bookings');
CREATE TRIGGER _pg_seating_tenant_guard
    BEFORE INSERT OR UPDATE OF booking_id ON @extschema@.booking_confirmation_results
    FOR EACH ROW WHEN (pg_catalog.row_security_active('@extschema@.booking_confirmation_results'::pg_catalog.text))
    EXECUTE FUNCTION @extschema@.pg_seating_tenant_guard('booking_id', 'bookings');
