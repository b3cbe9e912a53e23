-- Runs last in the extension script: privileges (SPEC §1).
--
-- Anonymous callers must never assign tables: EXECUTE on every function of this extension is
-- revoked from PUBLIC, anon and authenticated (Supabase's default privileges grant new functions
-- in `public` to them) and granted to service_role when that role exists; the admin functions
-- (pg_seating_install, pg_seating_verify, pg_seating_grant and their helpers) stay with their
-- owner. If the data model is already there (the extension was dropped and created again), its
-- privileges and row-level security are set as pg_seating_install() sets them. The rules live in
-- pg_seating_secure() (sql/install.sql).
SELECT count(*) FROM @extschema@.pg_seating_secure('@extschema@');
