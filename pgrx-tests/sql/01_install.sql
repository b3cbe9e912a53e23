-- Installation: CASCADE brings btree_gist, drop + re-create works, SCHEMA puts every object in it,
-- EXECUTE is revoked from PUBLIC and granted to service_role when that role exists.
BEGIN;
SELECT plan(17);

SELECT has_extension('pg_seating', 'the test database has pg_seating');
SELECT has_extension('btree_gist', 'CASCADE installed btree_gist');

-- Drop and re-create, from nothing, inside this transaction.
DROP EXTENSION pg_seating;
DROP EXTENSION btree_gist;
SELECT hasnt_extension('btree_gist', 'btree_gist gone before re-create');
CREATE EXTENSION pg_seating CASCADE;
SELECT has_extension('btree_gist', 're-create with CASCADE installs btree_gist again');
SELECT has_table('public', 'allocations', 're-created extension has its tables');

-- EXECUTE revoked from PUBLIC on every function of the extension.
SELECT is(
    (SELECT count(*)::int
       FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
      WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass
        AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')
        AND has_function_privilege('public', p.oid, 'EXECUTE')),
    0, 'no pg_seating function is executable by PUBLIC');
CREATE ROLE seating_nobody NOLOGIN;
SET LOCAL ROLE seating_nobody;
SELECT throws_ok('SELECT public.pg_seating_version()', '42501', NULL,
    'a role without grants cannot call pg_seating functions');
RESET ROLE;

-- With service_role present at install time, it gets EXECUTE and DML.
DROP EXTENSION pg_seating;
CREATE ROLE service_role NOLOGIN;
CREATE EXTENSION pg_seating;
SELECT ok(has_function_privilege('service_role', 'public.pg_seating_version()', 'EXECUTE'),
    'service_role may execute pg_seating functions');
SELECT ok(has_table_privilege('service_role', 'public.bookings', 'SELECT, INSERT, UPDATE, DELETE'),
    'service_role has DML on the data tables');
SELECT ok(NOT has_function_privilege('public', 'public.pg_seating_version()', 'EXECUTE'),
    'still not executable by PUBLIC');

-- Supabase's default privileges grant new functions and tables to anon and authenticated;
-- the extension takes those grants back.
DROP EXTENSION pg_seating;
CREATE ROLE anon NOLOGIN;
CREATE ROLE authenticated NOLOGIN;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated;
CREATE EXTENSION pg_seating;
SELECT ok(NOT has_function_privilege('anon', 'public.assign_tables_atomic_v2(uuid, uuid[], text, boolean, uuid, timestamptz, timestamptz)', 'EXECUTE')
          AND NOT has_function_privilege('authenticated', 'public.unassign_tables_atomic(uuid, uuid[], uuid)', 'EXECUTE'),
    'anon and authenticated cannot call the RPCs despite default privileges');
SELECT ok(NOT has_table_privilege('anon', 'public.allocations', 'SELECT')
          AND NOT has_table_privilege('authenticated', 'public.bookings', 'UPDATE'),
    'nor touch the tables');
SELECT ok(has_function_privilege('service_role', 'public.assign_tables_atomic_v2(uuid, uuid[], text, boolean, uuid, timestamptz, timestamptz)', 'EXECUTE'),
    'service_role can');
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM anon, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM anon, authenticated;

-- Into another schema: every member object lands there.
DROP EXTENSION pg_seating;
DROP EXTENSION btree_gist;
CREATE SCHEMA booking;
CREATE EXTENSION pg_seating SCHEMA booking CASCADE;
SELECT is(
    (SELECT count(*)::int FROM (
        SELECT c.relnamespace AS ns FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
         WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'
           AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')
        UNION ALL
        SELECT p.pronamespace FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
         WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
           AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')
        UNION ALL
        SELECT t.typnamespace FROM pg_depend d JOIN pg_type t ON t.oid = d.objid
         WHERE d.classid = 'pg_type'::regclass AND d.deptype = 'e'
           AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')
     ) o WHERE o.ns <> 'booking'::regnamespace),
    0, 'SCHEMA booking: no member object outside booking');
SELECT ok((SELECT count(*) FROM pg_class WHERE relnamespace = 'booking'::regnamespace AND relkind = 'r') >= 16,
    'SCHEMA booking: the data tables are in booking');
SELECT hasnt_table('public', 'bookings', 'SCHEMA booking: nothing in public');

-- The triggers refer to @extschema@, so they work with booking off the search path.
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
