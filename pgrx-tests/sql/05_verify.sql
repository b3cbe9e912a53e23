-- pg_seating_verify() (SPEC §9): one row per difference between the database and the model the code
-- expects, none when healthy. Each kind of difference is planted, checked, and rolled back. The
-- test database carries the app's additions (columns, indexes, a trigger, policies), which are not
-- differences (01_install.sql checks verify is empty on it).
BEGIN;
SELECT plan(17);

-- Plants p_change in a subtransaction, returns what verify says about (p_kind, p_object), and
-- rolls the change back (a savepoint would roll back pgTAP's own bookkeeping too).
CREATE FUNCTION pg_temp.found(p_change text, p_kind text, p_object text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    BEGIN
        EXECUTE p_change;
        SELECT coalesce(string_agg(x.problem, '; '), 'no row') INTO v FROM pg_seating_verify() x
         WHERE x.kind = p_kind AND x.object = p_object;
        RAISE EXCEPTION USING ERRCODE = 'TST01';
    EXCEPTION WHEN SQLSTATE 'TST01' THEN
        RETURN v;
    END;
END;
$$;

SELECT is((SELECT count(*)::int FROM pg_seating_verify()), 0, 'healthy: no row');

SELECT is(pg_temp.found($c$DROP TABLE capacity_outbox;$c$, 'relation', 'capacity_outbox'), 'missing', 'a missing table');

SELECT matches(pg_temp.found($c$ALTER TABLE table_holds ALTER COLUMN metadata TYPE json USING metadata::json;$c$, 'column', 'table_holds.metadata'), '^differs: expected jsonb default .*; found json default',
    'a column of another type');

SELECT is(pg_temp.found($c$ALTER TABLE zones ALTER COLUMN name DROP NOT NULL;$c$, 'column', 'zones.name'), 'differs: expected text not null; found text',
    'a column that lost NOT NULL');

SELECT is(pg_temp.found($c$ALTER TABLE booking_slots DROP COLUMN version;$c$, 'column', 'booking_slots.version'), 'missing', 'a missing column');

SELECT is(pg_temp.found($c$ALTER TABLE booking_assignment_idempotency DROP CONSTRAINT booking_assignment_idempotency_booking_key_key;$c$, 'constraint', 'booking_assignment_idempotency.booking_assignment_idempotency_booking_key_key'),
    'missing', 'a missing key');

SELECT is(pg_temp.found($c$ALTER TABLE allocations DROP CONSTRAINT allocations_no_overlap;$c$, 'constraint', 'allocations.allocations_no_overlap'), 'missing', 'a missing exclusion constraint');

SELECT matches(pg_temp.found($c$ALTER TABLE bookings DROP CONSTRAINT bookings_party_size_check,
    ADD CONSTRAINT bookings_party_size_check CHECK (party_size > 1);$c$, 'constraint', 'bookings.bookings_party_size_check'), '^differs: expected CHECK \(\(party_size > 0\)\)',
    'a changed check constraint');

SELECT is(pg_temp.found($c$DROP INDEX table_holds_zone_idx;$c$, 'index', 'table_holds.table_holds_zone_idx'), 'missing', 'a missing index');

SELECT is(pg_temp.found($c$DROP TRIGGER bookings_status_guard ON bookings;$c$, 'trigger', 'bookings.bookings_status_guard'), 'missing', 'a missing trigger');

SELECT matches(pg_temp.found($c$CREATE OR REPLACE FUNCTION pg_seating_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS
    $$BEGIN RETURN NEW; END$$;$c$, 'function', 'pg_seating_touch_updated_at()'), '^differs: expected security definer',
    'a trigger function replaced by another body');

SELECT is(pg_temp.found($c$GRANT TRUNCATE ON bookings TO service_role;$c$, 'grant', 'bookings to service_role'),
    'differs: expected DELETE, INSERT, SELECT, UPDATE; found DELETE, INSERT, SELECT, TRUNCATE, UPDATE', 'an extra grant');

SELECT is(pg_temp.found($c$GRANT SELECT ON allocations TO anon;$c$, 'grant', 'allocations to anon'), 'differs: expected nothing; found SELECT', 'a grant to anon');

SELECT is(pg_temp.found($c$ALTER TABLE capacity_outbox DISABLE ROW LEVEL SECURITY;$c$, 'relation', 'capacity_outbox'),
    'differs: expected kind r, row level security true; found kind r, row level security false', 'row-level security off');

SELECT matches(pg_temp.found($c$ALTER TYPE table_status ADD VALUE 'wobbly';$c$, 'type', 'table_status'), 'found available, reserved, occupied, out_of_service, wobbly$',
    'an enum with another label');

SELECT is(pg_temp.found($c$ALTER TABLE bookings ADD COLUMN app_required text NOT NULL DEFAULT 'x';
ALTER TABLE bookings ALTER COLUMN app_required DROP DEFAULT;$c$, 'column', 'bookings.app_required'), 'NOT NULL without a default: the functions cannot insert rows',
    'an app column NOT NULL without a default');

SELECT matches(pg_temp.found($c$DELETE FROM pg_seating_model_versions WHERE version = (SELECT max(version) FROM pg_seating_model_versions);$c$, 'model version', 'public.pg_seating_model_versions'), 'run SELECT pg_seating_install\(\)$',
    'a model version behind the code''s');


SELECT * FROM finish();
ROLLBACK;
