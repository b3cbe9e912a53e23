-- What the booking app adds to the model's tables (APP-CONTRACT.md §1): its own columns (one of them
-- NOT NULL with a default), indexes, a trigger, a membership table and row-level security policies of
-- the kind it writes. scripts/test applies this to the test database after pg_seating_install(), so
-- every pgTAP suite and multi-connection test runs against a database extended like the app's;
-- the dump/restore test checks that all of it survives. Idempotent.

SET client_min_messages = warning;
ALTER TABLE bookings
    ADD COLUMN IF NOT EXISTS reference text DEFAULT upper(substr(md5(gen_random_uuid()::text), 1, 10)),
    ADD COLUMN IF NOT EXISTS pending_ref text,
    ADD COLUMN IF NOT EXISTS confirmation_token text,
    ADD COLUMN IF NOT EXISTS confirmation_token_expires_at timestamptz,
    ADD COLUMN IF NOT EXISTS confirmation_token_used_at timestamptz,
    ADD COLUMN IF NOT EXISTS table_id uuid,
    ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT 'web';
CREATE UNIQUE INDEX IF NOT EXISTS bookings_reference_key ON bookings (reference);
CREATE INDEX IF NOT EXISTS bookings_confirmation_token_idx ON bookings (confirmation_token)
    WHERE confirmation_token IS NOT NULL;

ALTER TABLE restaurants
    ADD COLUMN IF NOT EXISTS address text,
    ADD COLUMN IF NOT EXISTS booking_policy text,
    ADD COLUMN IF NOT EXISTS logo_url text,
    ADD COLUMN IF NOT EXISTS google_map_url text,
    ADD COLUMN IF NOT EXISTS email_send_reminders boolean NOT NULL DEFAULT true,
    ADD COLUMN IF NOT EXISTS email_reply_to text;

ALTER TABLE table_inventory ADD COLUMN IF NOT EXISTS label_colour text;
ALTER TABLE table_holds ADD COLUMN IF NOT EXISTS source text DEFAULT 'staff';

-- The app's own trigger: a pending reference for bookings created without one.
CREATE OR REPLACE FUNCTION app_bookings_pending_ref() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.pending_ref IS NULL THEN
        NEW.pending_ref := 'P-' || substr(NEW.id::text, 1, 8);
    END IF;
    RETURN NEW;
END;
$$;
DROP TRIGGER IF EXISTS app_bookings_pending_ref ON bookings;
CREATE TRIGGER app_bookings_pending_ref BEFORE INSERT ON bookings
    FOR EACH ROW EXECUTE FUNCTION app_bookings_pending_ref();

-- Staff membership and the app's policies: a signed-in user (role authenticated, user id in the
-- request's JWT claim `sub`, as PostgREST sets it) sees and writes the rows of its restaurants.
CREATE TABLE IF NOT EXISTS app_restaurant_memberships (
    user_id uuid NOT NULL,
    restaurant_id uuid NOT NULL,
    role text NOT NULL DEFAULT 'staff',
    PRIMARY KEY (user_id, restaurant_id)
);
CREATE OR REPLACE FUNCTION app_current_user_id() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid
$$;
DO $grants$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        GRANT SELECT ON app_restaurant_memberships TO authenticated;
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
                USING (restaurant_id IN (SELECT m.restaurant_id FROM app_restaurant_memberships m
                                          WHERE m.user_id = app_current_user_id()))
                WITH CHECK (restaurant_id IN (SELECT m.restaurant_id FROM app_restaurant_memberships m
                                               WHERE m.user_id = app_current_user_id()))', t);
    END LOOP;
    DROP POLICY IF EXISTS app_public_restaurants ON restaurants;
    CREATE POLICY app_public_restaurants ON restaurants FOR SELECT TO authenticated USING (is_active);
END;
$policies$;
