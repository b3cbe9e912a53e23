-- pg_seating 0.2.0 -> 0.3.0. Idempotent (SPEC §8: Citus may apply an upgrade twice on a node).
-- 0.3.0: service_role keeps exactly EXECUTE on the functions and SELECT, INSERT, UPDATE, DELETE on
-- the tables (Supabase's default privileges had also given it TRUNCATE, REFERENCES and TRIGGER;
-- TRIGGER would let it attach a trigger that the superuser-owned SECURITY DEFINER functions fire
-- with the owner's rights); reconcile_booking(NULL) raises 22004 like every other function;
-- the auto-assign key of an infinite window is NULL (it raised 0A000 converting infinity to bigint).
-- The native functions live in the library, which is the same file for every version.
CREATE OR REPLACE FUNCTION @extschema@.reconcile_booking(p_booking_id uuid)
RETURNS TABLE (booking_id uuid, restaurant_id uuid, status @extschema@.booking_status, assignment_count integer,
               consistent boolean, problem text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @extschema@, pg_catalog, pg_temp AS $$
BEGIN
    IF p_booking_id IS NULL THEN
        RAISE EXCEPTION 'reconcile_booking: argument p_booking_id must not be null'
            USING ERRCODE = '22004', HINT = 'Pass a non-null value.';
    END IF;
    RETURN QUERY SELECT r.booking_id, r.restaurant_id, r.status, r.assignment_count, r.consistent, r.problem
                   FROM @extschema@.booking_assignment_reconciliation r
                  WHERE r.booking_id = p_booking_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Booking % not found', p_booking_id USING ERRCODE = 'P0002';
    END IF;
END;
$$;

-- No key (NULL) without a finite window: such a booking cannot be assigned anyway.
CREATE OR REPLACE FUNCTION @extschema@.pg_seating_auto_assign_key(p_booking_id uuid, p_start_at timestamptz, p_end_at timestamptz)
RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN isfinite(p_start_at) AND isfinite(p_end_at) THEN
               'auto-assign:' || p_booking_id || ':' || extract(epoch FROM p_start_at)::bigint
               || '-' || extract(epoch FROM p_end_at)::bigint
           END
$$;

DO $upgrade$
DECLARE
    v_ext oid := (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'pg_seating');
    r record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
        RETURN;
    END IF;
    FOR r IN
        SELECT c.oid::regclass AS rel, c.relkind
          FROM pg_catalog.pg_depend d
          JOIN pg_catalog.pg_class c ON c.oid = d.objid
         WHERE d.classid = 'pg_catalog.pg_class'::regclass
           AND d.refclassid = 'pg_catalog.pg_extension'::regclass
           AND d.refobjid = v_ext AND d.deptype = 'e'
           AND c.relkind IN ('r', 'v', 'S')
    LOOP
        EXECUTE format('REVOKE ALL ON %s FROM service_role', r.rel);
        IF r.relkind = 'S' THEN
            EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO service_role', r.rel);
        ELSE
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO service_role', r.rel);
        END IF;
    END LOOP;
END;
$upgrade$;
