-- Installation (SPEC §1, §9): the extension is code, the data model belongs to the database.
-- scripts/test created the extension, ran pg_seating_install() and added the app's columns,
-- indexes, trigger and policies (pgrx-tests/app/app_additions.sql), with Supabase's roles present.
BEGIN;
SELECT plan(29);

SELECT has_extension('pg_seating', 'the test database has pg_seating');
SELECT has_extension('btree_gist', 'CASCADE installed btree_gist');
SELECT is((SELECT count(*)::int FROM pg_seating_verify()), 0,
    'pg_seating_verify(): no difference on the installed model with the app''s additions');
SELECT is((SELECT count(*)::int FROM pg_seating_install()), 0,
    'pg_seating_install() a second time does nothing and says so (no row)');
SELECT is((SELECT max(version) FROM pg_seating_model_versions),
          (SELECT max(step) FROM pg_seating_model_steps()),
    'the applied model version is the one the code expects');

-- No relation is a member of the extension, and nothing is registered for pg_dump by it.
SELECT is((SELECT count(*)::int FROM pg_depend d
            WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'
              AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')),
    0, 'no table, view or sequence belongs to the extension');
SELECT is((SELECT count(*)::int FROM pg_depend d
            WHERE d.classid = 'pg_type'::regclass AND d.deptype = 'e'
              AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')),
    0, 'no type belongs to the extension');
SELECT ok((SELECT extconfig IS NULL FROM pg_extension WHERE extname = 'pg_seating'),
    'nothing in pg_extension_config_dump');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_seating_model_relations() m USING (relname, relkind)
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND NOT c.relrowsecurity),
    0, 'row-level security is enabled on every model table');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_seating_model_relations() m USING (relname, relkind)
            WHERE c.relnamespace = 'public'::regnamespace AND c.relowner <> 'postgres'::regrole),
    0, 'the caller of pg_seating_install() owns every model relation');

-- Privileges (whatever Supabase's default privileges would have said).
SELECT is((SELECT count(*)::int FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
            WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass
              AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')
              AND (has_function_privilege('public', p.oid, 'EXECUTE')
                   OR has_function_privilege('anon', p.oid, 'EXECUTE')
                   OR has_function_privilege('authenticated', p.oid, 'EXECUTE'))),
    0, 'no pg_seating function is executable by PUBLIC, anon or authenticated');
SELECT ok(has_function_privilege('service_role',
              'public.assign_tables_atomic_v2(uuid, uuid[], text, boolean, uuid, timestamptz, timestamptz)', 'EXECUTE'),
    'service_role executes the RPCs');
SELECT ok(NOT has_function_privilege('service_role', 'public.pg_seating_install()', 'EXECUTE')
          AND NOT has_function_privilege('service_role', 'public.pg_seating_grant(name)', 'EXECUTE'),
    'the admin functions stay with their owner');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_seating_model_relations() m USING (relname, relkind)
            WHERE c.relnamespace = 'public'::regnamespace
              AND (has_table_privilege('anon', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))),
    0, 'anon has no privilege on any model relation');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_seating_model_relations() m USING (relname, relkind)
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname <> 'pg_seating_model_versions'
              AND NOT (has_table_privilege('authenticated', c.oid, 'SELECT, INSERT, UPDATE, DELETE') IS TRUE
                       AND has_table_privilege('service_role', c.oid, 'SELECT, INSERT, UPDATE, DELETE') IS TRUE)),
    0, 'authenticated and service_role have SELECT, INSERT, UPDATE, DELETE on every model table');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_seating_model_relations() m USING (relname, relkind)
            WHERE c.relnamespace = 'public'::regnamespace
              AND (has_table_privilege('authenticated', c.oid, 'TRUNCATE') OR has_table_privilege('authenticated', c.oid, 'REFERENCES')
                   OR has_table_privilege('authenticated', c.oid, 'TRIGGER') OR has_table_privilege('service_role', c.oid, 'TRUNCATE')
                   OR has_table_privilege('service_role', c.oid, 'REFERENCES') OR has_table_privilege('service_role', c.oid, 'TRIGGER'))),
    0, 'TRUNCATE, REFERENCES and TRIGGER stay with the owner');
CREATE ROLE seating_nobody NOLOGIN;
SET LOCAL ROLE seating_nobody;
SELECT throws_ok('SELECT public.pg_seating_version()', '42501', NULL,
    'a role without grants cannot call pg_seating functions');
RESET ROLE;
SELECT ok(EXISTS (SELECT 1 FROM pg_seating_grant('seating_nobody'))
          AND has_function_privilege('seating_nobody', 'public.pg_seating_version()', 'EXECUTE')
          AND has_table_privilege('seating_nobody', 'public.bookings', 'SELECT, INSERT, UPDATE, DELETE')
          AND NOT has_table_privilege('seating_nobody', 'public.bookings', 'TRUNCATE'),
    'pg_seating_grant(role) gives another role what service_role has');
SELECT throws_ok($$SELECT pg_seating_grant(NULL)$$, '22004', 'pg_seating_grant: argument p_role must not be null',
    'pg_seating_grant(NULL) is refused');
SELECT throws_ok($$SELECT pg_seating_grant('no_such_role')$$, '42704', 'role "no_such_role" does not exist',
    'pg_seating_grant of an unknown role is refused');

-- A server role that had nothing (created after the install, say) catches up with another call.
REVOKE ALL ON bookings FROM service_role;
REVOKE ALL ON FUNCTION assign_tables_atomic_v2(uuid, uuid[], text, boolean, uuid, timestamptz, timestamptz) FROM service_role;
SELECT ok(EXISTS (SELECT 1 FROM pg_seating_install() WHERE action = 'grant' AND object = 'public.bookings'),
    'pg_seating_install() reports the grants it had to make again');
SELECT ok(has_table_privilege('service_role', 'public.bookings', 'SELECT, INSERT, UPDATE, DELETE')
          AND has_function_privilege('service_role',
              'public.assign_tables_atomic_v2(uuid, uuid[], text, boolean, uuid, timestamptz, timestamptz)', 'EXECUTE'),
    'and service_role has its rights again');

-- DROP EXTENSION leaves the data; CREATE EXTENSION + pg_seating_install() picks it up again.
INSERT INTO restaurants (id, name, slug) VALUES ('00000000-0000-0000-0000-00000000a009', 'Kept', 'kept-by-drop');
DROP EXTENSION pg_seating;
SELECT is((SELECT count(*)::int FROM restaurants WHERE slug = 'kept-by-drop'), 1,
    'DROP EXTENSION pg_seating leaves the tables and their rows');
CREATE EXTENSION pg_seating;
SELECT is((SELECT count(*)::int FROM pg_seating_install()), 0,
    'CREATE EXTENSION again: pg_seating_install() finds the model complete');
SELECT is((SELECT count(*)::int FROM pg_seating_verify()), 0, 'and pg_seating_verify() finds no difference');

-- Into another schema: every member object and every model table lands there.
DROP EXTENSION pg_seating;
CREATE SCHEMA booking;
CREATE EXTENSION pg_seating SCHEMA booking;
SELECT is((SELECT count(*)::int FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
            WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
              AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')
              AND p.pronamespace <> 'booking'::regnamespace),
    0, 'SCHEMA booking: every function of the extension is in booking');
SELECT ok(EXISTS (SELECT 1 FROM booking.pg_seating_install() WHERE action = 'apply'),
    'SCHEMA booking: pg_seating_install() builds the model there');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN booking.pg_seating_model_relations() m USING (relname, relkind)
            WHERE c.relnamespace = 'booking'::regnamespace),
    (SELECT count(*)::int FROM booking.pg_seating_model_relations()),
    'SCHEMA booking: every model relation is in booking');

-- The triggers and functions refer to the schema by name, so they work with booking off the search path.
SET LOCAL search_path = pg_catalog;
INSERT INTO booking.restaurants (id, name, slug) VALUES ('00000000-0000-0000-0000-00000000a001', 'R', 'r');
INSERT INTO booking.zones (id, restaurant_id, name) VALUES ('00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000a001', 'Main');
INSERT INTO booking.table_inventory (id, restaurant_id, table_number, capacity, zone_id)
VALUES ('00000000-0000-0000-0000-00000000c001', '00000000-0000-0000-0000-00000000a001', 'T1', 2, '00000000-0000-0000-0000-00000000b001'),
       ('00000000-0000-0000-0000-00000000c002', '00000000-0000-0000-0000-00000000a001', 'T2', 2, '00000000-0000-0000-0000-00000000b001');
INSERT INTO booking.table_adjacencies (restaurant_id, table_a, table_b)
VALUES ('00000000-0000-0000-0000-00000000a001', '00000000-0000-0000-0000-00000000c001', '00000000-0000-0000-0000-00000000c002');
CREATE TEMP TABLE live_check AS
    SELECT count(*)::int AS n FROM booking.table_live_status('00000000-0000-0000-0000-00000000a001') s
     WHERE s.live_status = 'available';
RESET search_path;
SELECT is((SELECT n FROM live_check), 2,
    'functions and triggers work with the extension schema off the search path');

SELECT * FROM finish();
ROLLBACK;
