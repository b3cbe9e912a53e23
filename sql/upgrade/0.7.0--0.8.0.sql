-- pg_seating 0.7.0 -> 0.8.0: the extension's code is replaced; no table is touched (since 0.4.0 the
-- data model is the database's own, SPEC §9). Every function of the extension is dropped here and
-- the rest of this script, which is the 0.8.0 install script itself, creates them again, so an
-- updated database has exactly the code of a fresh 0.8.0 install. `SELECT pg_seating_install()`
-- then applies the model steps 0.8.0 adds (11, the tenant guard; 12, the assignment row owns its
-- allocation). Idempotent (SPEC §8: Citus may apply an upgrade twice on a node): a second run drops
-- and creates the same functions again.
-- scripts/upgrade-scripts appends the 0.8.0 install script to this step (sql/versions).
DO $replace$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT p.oid::pg_catalog.regprocedure::text AS sig
          FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc p ON p.oid = d.objid
         WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.deptype = 'e'
           AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'pg_seating')
    LOOP
        EXECUTE pg_catalog.format('DROP FUNCTION %s', r.sig);
    END LOOP;
END;
$replace$;

-- ------------------------------------------------------------------------------------------------
-- The 0.8.0 install script
-- ------------------------------------------------------------------------------------------------
