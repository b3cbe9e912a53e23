-- pg_seating_install(), pg_seating_verify(), pg_seating_grant(role): the data model belongs to the
-- database (SPEC §1, §9). CREATE EXTENSION installs code only; pg_seating_install() creates the
-- model (sql/model/, through pg_seating_model_steps()) as ordinary tables in the extension's
-- schema, owned by the caller, migrates an older model in place, records the version it applied
-- in pg_seating_model_versions, enables row-level security and sets privileges.
--
-- Privileges set on every model relation, whatever the schema's default privileges say:
--   PUBLIC, anon      nothing
--   authenticated     SELECT, INSERT, UPDATE, DELETE on the tables (rows only through the app's
--                     own row-level security policies; there are none at first); nothing else
--   service_role      SELECT, INSERT, UPDATE, DELETE on the tables, SELECT on the view, USAGE and
--                     SELECT on the sequence, EXECUTE on every RPC (SPEC §1)
--   the owner         everything, and alone TRUNCATE, REFERENCES and TRIGGER
-- The admin functions below are executable by their owner only.

-- The model's steps name their schema '@' || 'extschema@' (written so here, because CREATE EXTENSION
-- substitutes the whole word in this script).

-- The model's relations, by kind: what the installer secures and what verify compares.
CREATE FUNCTION @extschema@.pg_seating_model_relations()
RETURNS TABLE (relname name, relkind "char")
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    VALUES ('restaurants'::name, 'r'::"char"), ('restaurant_layout_versions', 'r'), ('zones', 'r'), ('table_inventory', 'r'),
           ('table_adjacencies', 'r'), ('restaurant_service_periods', 'r'),
           ('restaurant_capacity_rules', 'r'), ('booking_slots', 'r'), ('bookings', 'r'),
           ('allocations', 'r'), ('booking_table_assignments', 'r'),
           ('booking_assignment_idempotency', 'r'), ('table_holds', 'r'), ('table_hold_members', 'r'),
           ('table_hold_windows', 'r'), ('booking_state_history', 'r'),
           ('booking_confirmation_results', 'r'), ('capacity_outbox', 'r'),
           ('booking_assignment_reconciliation', 'v'),
           ('pg_seating_model_versions', 'r')
$$;

-- Functions only the owner may execute (never granted to service_role or by pg_seating_grant).
CREATE FUNCTION @extschema@.pg_seating_admin_functions()
RETURNS name[] LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT ARRAY['pg_seating_install', 'pg_seating_verify', 'pg_seating_grant', 'pg_seating_model_steps',
                 'pg_seating_model_relations', 'pg_seating_admin_functions', 'pg_seating_secure',
                 'pg_seating_model_objects', 'pg_seating_distribute', 'pg_seating_undistribute',
                 'pg_seating_distributed_tables', 'pg_seating_companions', 'pg_seating_schema_writers']::name[]
$$;

-- The grantees of CREATE on p_schema other than its owner ('PUBLIC' for a grant to every role),
-- superusers and members of the owner (who act as the owner anyway) left out: the roles a REVOKE
-- must name. Any of them, and every role that inherits from one, could define a function or
-- operator that the extension's SECURITY DEFINER functions resolve by name (SPEC §10):
-- pg_seating_install() refuses to run while this is not empty, and pg_seating_verify() reports each.
CREATE FUNCTION @extschema@.pg_seating_schema_writers(p_schema name)
RETURNS name[] LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(array_agg(w.who ORDER BY w.who OPERATOR(pg_catalog.<>) 'PUBLIC', w.who), '{}')
      FROM (SELECT DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0::oid THEN 'PUBLIC'::name
                                 ELSE r.rolname END AS who
              FROM pg_catalog.pg_namespace n
             CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) a
              LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
             WHERE n.nspname OPERATOR(pg_catalog.=) p_schema
               AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
               AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner
               AND (a.grantee OPERATOR(pg_catalog.=) 0::oid
                    OR NOT (r.rolsuper OR pg_catalog.pg_has_role(a.grantee, n.nspowner, 'USAGE')))) w
$$;

-- Sets the privileges and row-level security above on the model in p_schema and on the
-- extension's functions; with p_role, grants p_role what service_role gets instead. Returns one
-- row per object whose privileges or row-level security changed.
CREATE FUNCTION @extschema@.pg_seating_secure(p_schema name, p_role name DEFAULT NULL)
RETURNS TABLE (action text, object text, detail text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_ext oid := (SELECT oid FROM pg_extension WHERE extname = 'pg_seating');
    v_admin name[] := @extschema@.pg_seating_admin_functions();
    v_defaults name[] := ARRAY['pg_seating_history_id']::name[];
    v_clients name[] := ARRAY(SELECT rolname FROM pg_roles WHERE rolname IN ('anon', 'authenticated'));
    v_server name[];
    v_role name;
    v_rel regclass;
    v_before text;
    v_after text;
    r record;
BEGIN
    IF p_schema IS NULL OR NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = p_schema) THEN
        RAISE EXCEPTION 'pg_seating_secure: schema % does not exist', coalesce(quote_ident(p_schema), 'NULL')
            USING ERRCODE = '3F000';
    END IF;
    IF p_role IS NULL THEN
        v_server := ARRAY(SELECT rolname FROM pg_roles WHERE rolname = 'service_role');
    ELSE
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role) THEN
            RAISE EXCEPTION 'role "%" does not exist', p_role USING ERRCODE = '42704';
        END IF;
        v_server := ARRAY[p_role];
        v_clients := '{}';
    END IF;

    IF v_server <> '{}' OR v_clients @> ARRAY['authenticated'::name] THEN
        v_before := (SELECT coalesce(nspacl, acldefault('n', nspowner))::text FROM pg_namespace WHERE nspname = p_schema);
        FOREACH v_role IN ARRAY v_server || ARRAY(SELECT unnest(v_clients) EXCEPT SELECT 'anon'::name) LOOP
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', p_schema, v_role);
        END LOOP;
        v_after := (SELECT coalesce(nspacl, acldefault('n', nspowner))::text FROM pg_namespace WHERE nspname = p_schema);
        IF v_after IS DISTINCT FROM v_before THEN
            action := 'grant'; object := format('schema %I', p_schema); detail := v_after; RETURN NEXT;
        END IF;
    END IF;

    FOR r IN SELECT m.relname, m.relkind FROM @extschema@.pg_seating_model_relations() m LOOP
        v_rel := to_regclass(format('%I.%I', p_schema, r.relname));
        CONTINUE WHEN v_rel IS NULL;
        v_before := (SELECT coalesce(relacl, acldefault(CASE relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", relowner))::text
                       FROM pg_class WHERE oid = v_rel);
        IF p_role IS NULL THEN
            EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', v_rel);
            FOREACH v_role IN ARRAY v_clients LOOP
                EXECUTE format('REVOKE ALL ON %s FROM %I', v_rel, v_role);
            END LOOP;
            IF r.relkind = 'r' AND r.relname <> 'pg_seating_model_versions'
               AND v_clients @> ARRAY['authenticated'::name] THEN
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO authenticated', v_rel);
            END IF;
            IF r.relkind = 'r' AND NOT (SELECT relrowsecurity FROM pg_class WHERE oid = v_rel) THEN
                EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', v_rel);
                action := 'enable row level security'; object := v_rel::text; detail := NULL; RETURN NEXT;
            END IF;
        END IF;
        FOREACH v_role IN ARRAY v_server LOOP
            EXECUTE format('REVOKE ALL ON %s FROM %I', v_rel, v_role);
            CONTINUE WHEN r.relname = 'pg_seating_model_versions';
            EXECUTE format(CASE r.relkind WHEN 'r' THEN 'GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I'
                                          WHEN 'v' THEN 'GRANT SELECT ON %s TO %I'
                                          ELSE 'GRANT USAGE, SELECT ON SEQUENCE %s TO %I' END,
                           v_rel, v_role);
        END LOOP;
        v_after := (SELECT coalesce(relacl, acldefault(CASE relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", relowner))::text
                      FROM pg_class WHERE oid = v_rel);
        IF v_after IS DISTINCT FROM v_before THEN
            action := 'grant'; object := v_rel::text; detail := v_after; RETURN NEXT;
        END IF;
    END LOOP;

    -- The extension's functions: PUBLIC, anon and authenticated never execute them; service_role
    -- (or p_role) executes every RPC. The model's trigger functions are executed by nobody directly;
    -- its column defaults (pg_seating_history_id) by the server roles that insert those rows.
    FOR r IN
        SELECT p.oid::regprocedure AS sig, p.proname, coalesce(p.proacl, acldefault('f', p.proowner))::text AS acl,
               d.objid IS NOT NULL AS member
          FROM pg_proc p
          LEFT JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                               AND d.refclassid = 'pg_extension'::regclass AND d.refobjid = v_ext
                               AND d.deptype = 'e'
         WHERE d.objid IS NOT NULL
            OR (p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = p_schema)
                AND (p.prorettype = 'trigger'::regtype AND p.proname LIKE 'pg\_seating\_%'
                     OR p.proname = ANY (v_defaults)))
    LOOP
        IF p_role IS NULL THEN
            EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', r.sig);
            FOREACH v_role IN ARRAY v_clients LOOP
                EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %I', r.sig, v_role);
            END LOOP;
        END IF;
        FOREACH v_role IN ARRAY v_server LOOP
            EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %I', r.sig, v_role);
            IF (r.member AND r.proname <> ALL (v_admin)) OR r.proname = ANY (v_defaults) THEN
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', r.sig, v_role);
            END IF;
        END LOOP;
        IF (SELECT coalesce(proacl, acldefault('f', proowner))::text FROM pg_proc WHERE oid = r.sig) IS DISTINCT FROM r.acl THEN
            action := 'grant'; object := 'function ' || r.sig::text;
            detail := (SELECT proacl::text FROM pg_proc WHERE oid = r.sig); RETURN NEXT;
        END IF;
    END LOOP;
END;
$$;

-- Creates the data model in the extension's schema, or migrates the one there to the version this
-- code expects; then sets row-level security and privileges. Idempotent: a second call applies
-- nothing and returns no row unless something changed in between (a role created since, say).
-- Returns what it did, one row per action.
CREATE FUNCTION @extschema@.pg_seating_install()
RETURNS TABLE (action text, object text, detail text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_schema name := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                       WHERE e.extname = 'pg_seating');
    v_versions text;
    v_applied integer;
    v_writers name[];
    r record;
BEGIN
    -- One installer at a time (a second waits, then finds the work done).
    PERFORM pg_advisory_xact_lock(hashtext('pg_seating_install'));
    -- SPEC §10: nobody but the owner may create objects where the SECURITY DEFINER functions
    -- resolve names.
    v_writers := @extschema@.pg_seating_schema_writers(v_schema);
    IF v_writers <> '{}' THEN
        RAISE EXCEPTION 'pg_seating_install: schema % is writable by %', quote_ident(v_schema),
                        array_to_string(v_writers, ', ')
            USING ERRCODE = '42501',
                  DETAIL = 'A role that can create functions or operators in the extension''s schema could have '
                           'them run with the owner''s rights inside pg_seating''s SECURITY DEFINER functions.',
                  HINT = format('REVOKE CREATE ON SCHEMA %I FROM %s;', v_schema,
                                (SELECT string_agg(CASE WHEN w = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(w) END, ', ')
                                   FROM unnest(v_writers) w));
    END IF;
    v_versions := format('%I.pg_seating_model_versions', v_schema);

    IF to_regclass(v_versions) IS NULL THEN
        EXECUTE format(
            'CREATE TABLE %s (
                 version integer PRIMARY KEY,
                 description text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now(),
                 applied_by name NOT NULL DEFAULT current_user)', v_versions);
        EXECUTE format($c$COMMENT ON TABLE %s IS 'pg_seating: the data model steps pg_seating_install() applied'$c$,
                       v_versions);
        action := 'create'; object := v_versions; detail := 'records the model steps applied'; RETURN NEXT;
        -- A model from pg_seating 0.1.0-0.3.0 (the extension created it; the 0.4.0 update
        -- detached it): it is step 1 exactly.
        IF to_regclass(format('%I.allocations', v_schema)) IS NOT NULL
           AND to_regclass(format('%I.booking_table_assignments', v_schema)) IS NOT NULL THEN
            EXECUTE format('INSERT INTO %s (version, description) VALUES (1, %L)', v_versions,
                           'base model, adopted from pg_seating 0.3.0 or older');
            action := 'adopt'; object := format('model in schema %I', v_schema);
            detail := 'tables created by pg_seating 0.3.0 or older kept as step 1, every row untouched';
            RETURN NEXT;
        END IF;
    END IF;

    -- On a Citus coordinator the steps' DDL reaches the distributed tables: the model's triggers
    -- are allowed there (SPEC §8) and the DDL runs over one connection per node.
    IF current_setting('citus.version', true) IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    END IF;

    EXECUTE format('SELECT coalesce(max(version), 0) FROM %s', v_versions) INTO v_applied;
    FOR r IN SELECT s.step, s.description, s.sql FROM @extschema@.pg_seating_model_steps() s
              WHERE s.step > v_applied ORDER BY s.step LOOP
        EXECUTE replace(r.sql, '@' || 'extschema@', quote_ident(v_schema));
        EXECUTE format('INSERT INTO %s (version, description) VALUES (%s, %L)', v_versions, r.step, r.description);
        action := 'apply'; object := format('model step %s', r.step); detail := r.description; RETURN NEXT;
    END LOOP;

    RETURN QUERY SELECT * FROM @extschema@.pg_seating_secure(v_schema);
END;
$$;

-- Grants p_role what service_role gets (SPEC §1): USAGE on the schema, SELECT, INSERT, UPDATE,
-- DELETE on the tables, EXECUTE on every RPC. Returns one row per object whose privileges changed.
CREATE FUNCTION @extschema@.pg_seating_grant(p_role name)
RETURNS TABLE (action text, object text, detail text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_role IS NULL THEN
        RAISE EXCEPTION 'pg_seating_grant: argument p_role must not be null'
            USING ERRCODE = '22004', HINT = 'Pass the name of an existing role.';
    END IF;
    IF p_role IN ('anon', 'authenticated', 'public') THEN
        RAISE EXCEPTION 'pg_seating_grant: role "%" must not get server rights', p_role
            USING ERRCODE = '22023', HINT = 'anon and authenticated reach the data only through the app''s policies.';
    END IF;
    RETURN QUERY SELECT * FROM @extschema@.pg_seating_secure(
        (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'pg_seating'), p_role);
END;
$$;

-- The model in p_schema as comparable lines: (kind, object, definition), with p_schema's name
-- taken out of every definition so that two schemas compare equal.
CREATE FUNCTION @extschema@.pg_seating_model_objects(p_schema name)
RETURNS TABLE (kind text, object text, definition text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH ns AS (SELECT oid, quote_ident(nspname) || '.' AS prefix FROM pg_namespace WHERE nspname = p_schema),
    rel AS (
        SELECT c.oid, c.relname, c.relkind, c.relrowsecurity, c.relacl, c.reloptions
          FROM pg_class c JOIN ns ON c.relnamespace = ns.oid
          JOIN @extschema@.pg_seating_model_relations() m ON m.relname = c.relname AND m.relkind = c.relkind),
    roles AS (
        SELECT 0::oid AS oid, 'PUBLIC'::text AS rolname
        UNION ALL SELECT oid, rolname::text FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role')),
    lines AS (
        SELECT 'relation' AS kind, r.relname::text AS object,
               'kind ' || r.relkind::text || ', row level security ' || r.relrowsecurity
               || coalesce(', options ' || r.reloptions::text, '') AS definition
          FROM rel r
        UNION ALL
        SELECT 'column', r.relname || '.' || a.attname,
               format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
               || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
               || CASE WHEN a.attgenerated <> '' THEN ' generated ' ELSE '' END
               || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
          FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE r.relkind IN ('r', 'v')
        UNION ALL
        SELECT 'constraint', r.relname || '.' || co.conname, pg_get_constraintdef(co.oid)
          FROM rel r JOIN pg_constraint co ON co.conrelid = r.oid
        UNION ALL
        SELECT 'index', r.relname || '.' || ic.relname, pg_get_indexdef(i.indexrelid)
          FROM rel r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ic ON ic.oid = i.indexrelid
        UNION ALL
        SELECT 'trigger', r.relname || '.' || t.tgname, pg_get_triggerdef(t.oid)
          FROM rel r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
        UNION ALL
        SELECT 'view', r.relname, pg_get_viewdef(r.oid)
          FROM rel r WHERE r.relkind = 'v'
        UNION ALL
        SELECT 'grant', r.relname || ' to ' || ro.rolname,
               coalesce((SELECT string_agg(x.privilege_type, ', ' ORDER BY x.privilege_type)
                           FROM aclexplode(r.relacl) x WHERE x.grantee = ro.oid), 'nothing')
          FROM rel r CROSS JOIN roles ro
        UNION ALL
        SELECT 'type', t.typname::text,
               (SELECT string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
          FROM pg_type t JOIN ns ON t.typnamespace = ns.oid WHERE t.typtype = 'e'
        UNION ALL
        SELECT 'function', p.oid::regprocedure::text,
               'security ' || CASE WHEN p.prosecdef THEN 'definer' ELSE 'invoker' END
               || coalesce(', ' || p.proconfig::text, '') || ', source ' || md5(replace(p.prosrc, ns.prefix, ''))
          FROM pg_proc p JOIN ns ON p.pronamespace = ns.oid
         WHERE p.prorettype = 'trigger'::regtype AND p.proname LIKE 'pg\_seating\_%')
    SELECT l.kind, replace(l.object, ns.prefix, ''), replace(l.definition, ns.prefix, '')
      FROM lines l CROSS JOIN ns
$$;

-- One row per difference between the model in the extension's schema and the model this code
-- expects: a missing or changed relation, column, key, exclusion constraint, index, trigger,
-- trigger function, enum or grant, and a model version behind the code's. No rows when healthy.
-- App additions are not differences: columns that are nullable or have a default, indexes,
-- constraints, policies, triggers and functions of its own. An added NOT NULL column without a
-- default is one (every insert of the functions would fail). Builds the expected model in a
-- scratch schema inside a subtransaction that it rolls back, so it leaves nothing behind.
CREATE FUNCTION @extschema@.pg_seating_verify()
RETURNS TABLE (kind text, object text, problem text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_schema name := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                       WHERE e.extname = 'pg_seating');
    v_scratch name := 'seating_verify_scratch_' || pg_backend_pid();
    v_expected integer := (SELECT max(s.step) FROM @extschema@.pg_seating_model_steps() s);
    v_applied integer;
    v_diff text[] := '{}';
    r record;
BEGIN
    IF to_regclass(format('%I.pg_seating_model_versions', v_schema)) IS NULL THEN
        v_applied := 0;
    ELSE
        EXECUTE format('SELECT coalesce(max(version), 0) FROM %I.pg_seating_model_versions', v_schema)
           INTO v_applied;
    END IF;
    IF v_applied <> v_expected THEN
        kind := 'model version'; object := format('%I.pg_seating_model_versions', v_schema);
        problem := format('model step %s applied, the code expects %s: run SELECT pg_seating_install()',
                          v_applied, v_expected);
        RETURN NEXT;
    END IF;

    FOR r IN SELECT w FROM unnest(@extschema@.pg_seating_schema_writers(v_schema)) w LOOP
        kind := 'schema privilege'; object := quote_ident(v_schema);
        problem := format('%s can CREATE in the extension''s schema, where the SECURITY DEFINER functions resolve '
                          'names: REVOKE CREATE ON SCHEMA %I FROM %s', r.w, v_schema,
                          CASE WHEN r.w = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(r.w) END);
        RETURN NEXT;
    END LOOP;

    BEGIN
        EXECUTE format('CREATE SCHEMA %I', v_scratch);
        EXECUTE format('CREATE TABLE %I.pg_seating_model_versions (version integer PRIMARY KEY,
                            description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
                            applied_by name NOT NULL DEFAULT current_user)', v_scratch);
        FOR r IN SELECT s.sql FROM @extschema@.pg_seating_model_steps() s ORDER BY s.step LOOP
            EXECUTE replace(r.sql, '@' || 'extschema@', quote_ident(v_scratch));
        END LOOP;
        PERFORM @extschema@.pg_seating_secure(v_scratch);
        SELECT coalesce(array_agg(ARRAY[d.kind, d.object, d.problem] ORDER BY d.kind, d.object), '{}')
          INTO v_diff
          FROM (
            SELECT coalesce(e.kind, l.kind) AS kind, coalesce(e.object, l.object) AS object,
                   CASE WHEN l.object IS NULL THEN 'missing'
                        WHEN e.object IS NULL THEN 'NOT NULL without a default: the functions cannot insert rows'
                        ELSE format('differs: expected %s; found %s', e.definition, l.definition) END AS problem
              FROM @extschema@.pg_seating_model_objects(v_scratch) e
              FULL JOIN @extschema@.pg_seating_model_objects(v_schema) l ON l.kind = e.kind AND l.object = e.object
             WHERE (e.object IS NOT NULL AND l.object IS NULL)
                OR (e.object IS NOT NULL AND l.definition IS DISTINCT FROM e.definition)
                OR (e.object IS NULL AND l.kind = 'column' AND l.definition LIKE '% not null%'
                    AND l.definition NOT LIKE '% default %' AND l.definition NOT LIKE '% identity %'
                    AND l.definition NOT LIKE '% generated %')) d;
        -- Undo the scratch model (and everything it created) by leaving the subtransaction.
        RAISE EXCEPTION USING ERRCODE = 'PSV01', MESSAGE = 'pg_seating_verify scratch rollback';
    EXCEPTION WHEN SQLSTATE 'PSV01' THEN
        NULL;
    END;

    FOR i IN 1 .. coalesce(array_length(v_diff, 1), 0) LOOP
        kind := v_diff[i][1]; object := v_diff[i][2]; problem := v_diff[i][3];
        RETURN NEXT;
    END LOOP;
END;
$$;
