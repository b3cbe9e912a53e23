-- Citus (SPEC §8): pg_seating_distribute() shards the model by restaurant on a Citus coordinator,
-- pg_seating_undistribute() makes every table a local table again. Neither needs Citus at
-- CREATE EXTENSION time: Citus's functions are called by name when they run.

-- The tables that are distributed by restaurant_id, in foreign-key order (a table after every
-- table it references): every model table except restaurants (a reference table) and the
-- model-version record (coordinator-local).
-- table_hold_windows comes right after table_holds: a hold member's trigger writes the member's
-- window row, and it fires on the worker for every member row copied into a new shard, so the
-- windows table must be distributed (and exist on the workers) before the members are.
CREATE FUNCTION @extschema@.pg_seating_distributed_tables()
RETURNS name[] LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT array_agg(relname ORDER BY CASE relname WHEN 'table_hold_windows' THEN
                                           (SELECT m.ord FROM @extschema@.pg_seating_model_relations()
                                                 WITH ORDINALITY AS m(relname, relkind, ord)
                                             WHERE m.relname = 'table_holds') + 0.5
                                      ELSE ord END)
      FROM @extschema@.pg_seating_model_relations() WITH ORDINALITY AS r(relname, relkind, ord)
     WHERE relkind = 'r' AND relname NOT IN ('restaurants', 'pg_seating_model_versions')
$$;

-- The restaurant-keyed companions (SPEC §8): every extension function whose name ends in
-- _in_restaurant and whose first argument is p_restaurant_id.
CREATE FUNCTION @extschema@.pg_seating_companions()
RETURNS regprocedure[] LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(array_agg(p.oid::regprocedure ORDER BY p.proname, p.oid), '{}')
      FROM pg_proc p
      JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_seating'
     WHERE p.proname LIKE '%\_in\_restaurant' AND p.proargnames[1] = 'p_restaurant_id'
$$;

-- Distributes the model in the extension's schema: restaurants becomes a reference table, every
-- other table is distributed by restaurant_id and co-located with the others (in foreign-key
-- order), and every companion is a distributed function on its p_restaurant_id argument, with
-- force_delegation, so a call runs whole on the worker that holds the restaurant. Idempotent:
-- returns one row per action taken, none when everything is distributed already.
CREATE FUNCTION @extschema@.pg_seating_distribute()
RETURNS TABLE (action text, object text, detail text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
    v_schema name := '@extschema@';
    v_anchor regclass;
    v_rel regclass;
    v_fn regprocedure;
    v_name name;
    v_fks text[];
    v_sql text;
    r record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'pg_seating_distribute: Citus is not installed in this database'
            USING ERRCODE = '55000', HINT = 'CREATE EXTENSION citus on the coordinator and every worker, then call it again.';
    END IF;
    IF to_regclass(format('%I.%I', v_schema, 'pg_seating_model_versions')) IS NULL THEN
        RAISE EXCEPTION 'pg_seating_distribute: the model is not installed in schema %', v_schema
            USING ERRCODE = '55000', HINT = 'SELECT pg_seating_install() first.';
    END IF;
    IF NOT citus_is_coordinator() THEN
        RAISE EXCEPTION 'pg_seating_distribute: run it on the Citus coordinator'
            USING ERRCODE = '55000';
    END IF;
    -- A NULL distribution argument crashes the node that plans a delegated call; pg_seating's
    -- planner guard refuses it first, but only where the library is loaded before any call.
    SELECT string_agg(format('%s:%s', w.nodename, w.nodeport), ', ') INTO v_sql
      FROM (SELECT 'coordinator'::text AS nodename, current_setting('port')::int AS nodeport,
                   current_setting('shared_preload_libraries') AS libs
            UNION ALL
            SELECT n.nodename, n.nodeport, CASE WHEN n.success THEN n.result END
              FROM run_command_on_workers('SHOW shared_preload_libraries') n) w
     WHERE w.libs IS NULL OR NOT (string_to_array(replace(w.libs, ' ', ''), ',') @> ARRAY['pg_seating']);
    IF v_sql IS NOT NULL THEN
        RAISE EXCEPTION 'pg_seating_distribute: pg_seating is not preloaded on %', v_sql
            USING ERRCODE = '55000',
                  DETAIL = 'A NULL p_restaurant_id in a delegated call crashes the node that plans it unless pg_seating''s planner guard runs first.',
                  HINT = 'Set shared_preload_libraries = ''citus, pg_seating'' on the coordinator and every worker, restart them, and call it again.';
    END IF;

    -- Roles with privileges on the model that cannot log in (Supabase's API roles are NOLOGIN):
    -- Citus connects to the workers as the current role, so their own statements on distributed
    -- tables will fail; their calls of pg_seating's functions are forwarded as the owner and work.
    FOR r IN
        SELECT a.rolname
          FROM pg_roles a
         WHERE NOT a.rolcanlogin AND NOT a.rolsuper AND a.oid >= 16384   -- not a predefined role
           AND has_table_privilege(a.oid, format('%I.%I', v_schema, 'bookings'), 'SELECT, INSERT, UPDATE, DELETE')
         ORDER BY a.rolname
    LOOP
        RAISE WARNING 'pg_seating_distribute: role % cannot log in', r.rolname
            USING DETAIL = 'Citus connects to the workers as the current role: this role''s own reads and writes of '
                           'the distributed tables fail with 08006; its calls of pg_seating''s functions are forwarded '
                           'as their owner and work.',
                  HINT = format('ALTER ROLE %I LOGIN on the coordinator (Citus copies it to every node), and allow it '
                                'in pg_hba.conf only from the cluster''s own addresses.', r.rolname);
    END LOOP;

    -- The model's triggers keep its invariants on every shard (they touch only NEW/OLD's
    -- restaurant, SPEC §8); Citus distributes a table with triggers only when told so.
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);

    -- All DDL of this transaction over one connection per node (Citus cannot mix parallel and
    -- sequential shard access to the same tables in one transaction).
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);

    -- Foreign keys between model tables that are not distributed yet are dropped and defined
    -- again once every table is: Citus distributes a table only when each table it references,
    -- or that references it, is of a kind its keys allow.
    SELECT coalesce(array_agg(format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
                                     pg_get_constraintdef(c.oid)) ORDER BY c.conrelid, c.conname), '{}')
      INTO v_fks
      FROM pg_constraint c
      JOIN pg_class t ON t.oid = c.conrelid
     WHERE c.contype = 'f' AND t.relnamespace = v_schema::regnamespace
       AND t.relname = ANY (@extschema@.pg_seating_distributed_tables())
       AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.conrelid AND p.partmethod = 'h');
    FOR r IN
        SELECT c.conrelid::regclass AS rel, c.conname
          FROM pg_constraint c
          JOIN pg_class t ON t.oid = c.conrelid
         WHERE c.contype = 'f' AND t.relnamespace = v_schema::regnamespace
           AND t.relname = ANY (@extschema@.pg_seating_distributed_tables())
           AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.conrelid AND p.partmethod = 'h')
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
    END LOOP;

    v_rel := format('%I.%I', v_schema, 'restaurants')::regclass;
    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = v_rel AND partmethod = 'n' AND repmodel = 't') THEN
        PERFORM create_reference_table(v_rel);
        action := 'reference table'; object := v_rel::text; detail := NULL;
        RETURN NEXT;
    END IF;

    FOREACH v_name IN ARRAY @extschema@.pg_seating_distributed_tables() LOOP
        v_rel := format('%I.%I', v_schema, v_name)::regclass;
        -- (a table referencing restaurants became a Citus local table when restaurants became a
        -- reference table; it is distributed from there)
        IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = v_rel AND partmethod = 'h') THEN
            IF v_anchor IS NULL THEN
                PERFORM create_distributed_table(v_rel, 'restaurant_id');
            ELSE
                PERFORM create_distributed_table(v_rel, 'restaurant_id', colocate_with => v_anchor::text);
            END IF;
            action := 'distributed table'; object := v_rel::text;
            detail := 'by restaurant_id' || coalesce(', co-located with ' || v_anchor::text, '');
            RETURN NEXT;
        END IF;
        v_anchor := coalesce(v_anchor, v_rel);
    END LOOP;

    FOREACH v_sql IN ARRAY v_fks LOOP
        EXECUTE v_sql;
    END LOOP;

    FOREACH v_fn IN ARRAY @extschema@.pg_seating_companions() LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_dist_object o
                        WHERE o.classid = 'pg_proc'::regclass AND o.objid = v_fn
                          AND o.distribution_argument_index = 0 AND o.force_delegation) THEN
            PERFORM create_distributed_function(v_fn, 'p_restaurant_id', colocate_with => v_anchor::text,
                                                force_delegation => true);
            action := 'distributed function'; object := v_fn::text;
            detail := 'on p_restaurant_id, force_delegation, co-located with ' || v_anchor::text;
            RETURN NEXT;
        END IF;
    END LOOP;
END
$$;

-- Reverses pg_seating_distribute(): the companions are no longer delegated, and every model table
-- becomes an ordinary table on the coordinator again with all its rows, keys, triggers, policies
-- and privileges (Citus copies each table back and replaces it). Idempotent: one row per action
-- taken.
CREATE FUNCTION @extschema@.pg_seating_undistribute()
RETURNS TABLE (action text, object text, detail text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
    v_schema name := '@extschema@';
    v_rel regclass;
    v_fn regprocedure;
    v_name name;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'pg_seating_undistribute: Citus is not installed in this database'
            USING ERRCODE = '55000';
    END IF;
    IF NOT citus_is_coordinator() THEN
        RAISE EXCEPTION 'pg_seating_undistribute: run it on the Citus coordinator'
            USING ERRCODE = '55000';
    END IF;
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);

    -- The companions: no longer distributed objects (their definition stays; a call then runs
    -- where it is made), on the coordinator and on every worker's copy of the metadata.
    FOREACH v_fn IN ARRAY @extschema@.pg_seating_companions() LOOP
        IF EXISTS (SELECT 1 FROM pg_dist_object o WHERE o.classid = 'pg_proc'::regclass AND o.objid = v_fn) THEN
            PERFORM run_command_on_workers(format(
                'SELECT citus_unmark_object_distributed(%s, %L::regprocedure, 0, false)',
                'pg_catalog.pg_proc'::regclass::oid, v_fn::text));
            PERFORM citus_unmark_object_distributed('pg_proc'::regclass, v_fn, 0, false);
            action := 'local function'; object := v_fn::text; detail := 'no longer delegated';
            RETURN NEXT;
        END IF;
    END LOOP;

    -- Distributed tables last-referenced first, then the reference table.
    FOR v_name IN
        SELECT t FROM unnest(@extschema@.pg_seating_distributed_tables() || ARRAY['restaurants'::name])
                      WITH ORDINALITY AS u(t, ord)
         ORDER BY (t = 'restaurants'), ord DESC
    LOOP
        v_rel := format('%I.%I', v_schema, v_name)::regclass;
        IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = v_rel) THEN
            PERFORM undistribute_table(v_rel, cascade_via_foreign_keys => true);
            action := 'local table'; object := v_rel::text; detail := NULL;
            RETURN NEXT;
        END IF;
    END LOOP;
END
$$;
