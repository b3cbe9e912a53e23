-- Runs last in the extension script: privileges.
--
-- Anonymous callers must never assign tables (SPEC §1): EXECUTE on every function of this
-- extension is revoked from PUBLIC and, when the Supabase role exists, granted to service_role,
-- which also gets DML on the data tables. Supabase's default privileges grant new functions and
-- tables in `public` to anon and authenticated: those grants are revoked here too. They also
-- grant ALL to service_role, which is cut back to exactly SELECT, INSERT, UPDATE, DELETE: TRIGGER
-- would let it attach a trigger that the SECURITY DEFINER functions (owned by a superuser) fire
-- with the owner's rights, and TRUNCATE skips the triggers that keep hold windows in step. Only
-- this extension's own objects are touched, even when it is installed into `public`.
DO $finalize$
DECLARE
    v_ext oid := (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'pg_seating');
    v_has_service_role boolean := EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'service_role');
    v_client_roles text[] := ARRAY(SELECT quote_ident(rolname) FROM pg_catalog.pg_roles
                                    WHERE rolname IN ('anon', 'authenticated') ORDER BY rolname);
    v_role text;
    r record;
BEGIN
    FOR r IN
        SELECT p.oid::regprocedure AS sig
          FROM pg_catalog.pg_depend d
          JOIN pg_catalog.pg_proc p ON p.oid = d.objid
         WHERE d.classid = 'pg_catalog.pg_proc'::regclass
           AND d.refclassid = 'pg_catalog.pg_extension'::regclass
           AND d.refobjid = v_ext AND d.deptype = 'e'
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', r.sig);
        FOREACH v_role IN ARRAY v_client_roles LOOP
            EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %s', r.sig, v_role);
        END LOOP;
        IF v_has_service_role THEN
            EXECUTE format('REVOKE ALL ON FUNCTION %s FROM service_role', r.sig);
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO service_role', r.sig);
        END IF;
    END LOOP;

    FOR r IN
        SELECT c.oid::regclass AS rel
          FROM pg_catalog.pg_depend d
          JOIN pg_catalog.pg_class c ON c.oid = d.objid
         WHERE d.classid = 'pg_catalog.pg_class'::regclass
           AND d.refclassid = 'pg_catalog.pg_extension'::regclass
           AND d.refobjid = v_ext AND d.deptype = 'e'
           AND c.relkind IN ('r', 'v', 'S')
    LOOP
        EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', r.rel);
        FOREACH v_role IN ARRAY v_client_roles LOOP
            EXECUTE format('REVOKE ALL ON %s FROM %s', r.rel, v_role);
        END LOOP;
    END LOOP;

    IF v_has_service_role THEN
        EXECUTE 'GRANT USAGE ON SCHEMA @extschema@ TO service_role';
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
    END IF;
END;
$finalize$;
