-- The distribution rules of SPEC §8 hold for every key of the installed model (read from the catalog):
-- every primary key, unique constraint or index and exclusion constraint of a data table includes
-- restaurant_id; every foreign key between data tables is composite over restaurant_id; no foreign
-- key sets NULL or a default or acts on update; every referencing column set is indexed; identity
-- columns are bigint. `restaurants` (a reference table on Citus) has no foreign key leaving it, and
-- pg_seating_model_versions is bookkeeping (a local table of the coordinator), not data. The model
-- is built from its steps in a scratch schema (the test database also carries the app's additions,
-- whose keys are the app's business), then rolled back.
BEGIN;
SELECT plan(6);
SET LOCAL client_min_messages = warning;
CREATE SCHEMA keys_check;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT sql FROM pg_seating_model_steps() ORDER BY step LOOP
        EXECUTE replace(r.sql, '@' || 'extschema@', 'keys_check');
    END LOOP;
END $$;

CREATE TEMP VIEW model_data_tables AS
    SELECT c.oid, c.relname FROM pg_class c JOIN pg_seating_model_relations() m USING (relname, relkind)
     WHERE c.relnamespace = 'keys_check'::regnamespace AND c.relkind = 'r'
       AND c.relname NOT IN ('restaurants', 'pg_seating_model_versions');

SELECT is(
    (SELECT array_agg(t.relname || '.' || ic.relname ORDER BY 1)
       FROM model_data_tables t
       JOIN pg_index i ON i.indrelid = t.oid AND (i.indisunique OR i.indisexclusion)
       JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                         WHERE a.attrelid = t.oid AND a.attname = 'restaurant_id' AND a.attnum = ANY (i.indkey))),
    NULL, 'every primary, unique and exclusion key of a data table includes restaurant_id');

SELECT is(
    (SELECT array_agg(co.conrelid::regclass || '.' || co.conname ORDER BY 1)
       FROM pg_constraint co JOIN model_data_tables t ON t.oid = co.conrelid
      WHERE co.contype = 'f' AND co.confrelid <> 'keys_check.restaurants'::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                         WHERE a.attrelid = co.conrelid AND a.attname = 'restaurant_id' AND a.attnum = ANY (co.conkey))),
    NULL, 'every foreign key between data tables is composite over restaurant_id');

SELECT is(
    (SELECT array_agg(co.conrelid::regclass || '.' || co.conname ORDER BY 1)
       FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
       JOIN pg_seating_model_relations() m ON m.relname = c.relname AND m.relkind = c.relkind
      WHERE c.relnamespace = 'keys_check'::regnamespace AND co.contype = 'f'
        AND (co.confdeltype IN ('n', 'd') OR co.confupdtype <> 'a')),
    NULL, 'no foreign key sets NULL or a default, and none acts on update');

SELECT is(
    (SELECT array_agg(co.conrelid::regclass || '.' || co.conname ORDER BY 1)
       FROM pg_constraint co JOIN model_data_tables t ON t.oid = co.conrelid
      WHERE co.contype = 'f'
        AND NOT EXISTS (SELECT 1 FROM pg_index i
                         WHERE i.indrelid = co.conrelid
                           AND (i.indkey::int2[])[0:cardinality(co.conkey) - 1] @> co.conkey
                           AND (i.indkey::int2[])[0:cardinality(co.conkey) - 1] <@ co.conkey)),
    NULL, 'every referencing column set leads an index');

SELECT is(
    (SELECT array_agg(co.conname) FROM pg_constraint co
      WHERE co.conrelid = 'keys_check.restaurants'::regclass AND co.contype = 'f'),
    NULL, 'no foreign key leaves restaurants');

SELECT is(
    (SELECT array_agg(a.attrelid::regclass || '.' || a.attname) FROM pg_attribute a JOIN model_data_tables t ON t.oid = a.attrelid
      WHERE a.attidentity <> '' AND a.atttypid <> 'bigint'::regtype),
    NULL, 'identity columns are bigint');

SELECT * FROM finish();
ROLLBACK;
