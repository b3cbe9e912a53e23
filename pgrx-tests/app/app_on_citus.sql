-- The app's migration to Citus (README, Moving the app to Citus), applied after app_additions.sql
-- and before pg_seating_distribute(): what the app changes in its own database objects. Citus
-- refuses a row-level security policy with a subquery on a distributed table and evaluates policies
-- on the workers, where PostgREST's set_config() settings never arrive; so a pre-request function
-- (PostgREST's db-pre-request) reads the user's restaurants on the coordinator and ships them with
-- SET LOCAL (propagated with citus.propagate_set_commands = 'local'), and each policy compares
-- restaurant_id with that list. A unique index on a distributed table includes restaurant_id.
-- scripts/test-citus replays pgrx-tests/tests/app_flows.rs against a database migrated with it.

SET client_min_messages = warning;
DROP INDEX IF EXISTS bookings_reference_key;
CREATE UNIQUE INDEX bookings_reference_key ON bookings (restaurant_id, reference);

CREATE OR REPLACE FUNCTION app_pre_request() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $f$
BEGIN
    IF current_setting('citus.version', true) IS NOT NULL THEN
        SET LOCAL citus.propagate_set_commands = 'local';
    END IF;
    EXECUTE format('SET LOCAL app.restaurant_ids = %L',
                   coalesce((SELECT array_agg(m.restaurant_id) FROM public.app_restaurant_memberships m
                              WHERE m.user_id = public.app_current_user_id()), '{}')::text);
END $f$;
REVOKE ALL ON FUNCTION app_pre_request() FROM PUBLIC;
DO $grants$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        GRANT EXECUTE ON FUNCTION app_pre_request() TO authenticated;
    END IF;
END;
$grants$;

DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['bookings', 'table_holds', 'table_hold_members', 'table_inventory',
                             'booking_table_assignments', 'zones'] LOOP
        EXECUTE format('DROP POLICY IF EXISTS app_staff_all ON %I', t);
        EXECUTE format(
            'CREATE POLICY app_staff_all ON %I TO authenticated
                USING (restaurant_id = ANY (coalesce(nullif(current_setting(%L, true), %L)::uuid[], %L)))
                WITH CHECK (restaurant_id = ANY (coalesce(nullif(current_setting(%L, true), %L)::uuid[], %L)))',
            t, 'app.restaurant_ids', '', '{}', 'app.restaurant_ids', '', '{}');
    END LOOP;
END;
$policies$;
