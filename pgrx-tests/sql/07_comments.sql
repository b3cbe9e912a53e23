-- Every function of the extension and every relation of the data model has a comment (psql's \df+
-- and \d+ show them; PostgREST publishes them in its OpenAPI description).
BEGIN;
SELECT no_plan();

SELECT is(obj_description(p.oid, 'pg_proc') IS NOT NULL AND length(obj_description(p.oid, 'pg_proc')) > 20, true,
          'function ' || p.oid::regprocedure::text || ' has a comment')
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_seating';
SELECT cmp_ok((SELECT count(*)::int FROM pg_proc p
                 JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                 JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_seating'), '>=', 60,
              'the functions were found');
-- A companion's comment says what it is and carries its reference function's.
SELECT alike(obj_description('assign_tables_atomic_v2_in_restaurant(uuid,uuid,uuid[],text,boolean,uuid,timestamptz,timestamptz)'::regprocedure, 'pg_proc'),
            'Restaurant-keyed companion of assign_tables_atomic_v2 %Adds the given tables%', 'companion comment');

SELECT is(obj_description(c.oid, 'pg_class') IS NOT NULL, true, 'relation ' || m.relname || ' has a comment')
  FROM pg_seating_model_relations() m
  JOIN pg_class c ON c.relname = m.relname AND c.relnamespace = 'public'::regnamespace;
SELECT is(col_description('bookings'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = 'bookings'::regclass AND attname = 'status')) IS NOT NULL,
          true, 'bookings.status has a comment');

-- Every column of the model has one (model steps 6-8); the columns the app adds to the model's
-- tables (pgrx-tests/app/app_additions.sql, APP-CONTRACT §1) are the app's to comment, and
-- pg_seating_model_versions, the installer's own record (commented as a table), is no model step's.
SELECT is(array_agg(m.relname || '.' || a.attname ORDER BY m.relname, a.attnum), NULL,
          'every column of the model has a comment')
  FROM pg_seating_model_relations() m
  JOIN pg_class c ON c.relname = m.relname AND c.relnamespace = 'public'::regnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE col_description(c.oid, a.attnum) IS NULL AND m.relname <> 'pg_seating_model_versions'
   AND (m.relname, a.attname::text) NOT IN (
        ('bookings', 'reference'), ('bookings', 'pending_ref'), ('bookings', 'confirmation_token'),
        ('bookings', 'confirmation_token_expires_at'), ('bookings', 'confirmation_token_used_at'),
        ('bookings', 'table_id'), ('bookings', 'channel'), ('restaurants', 'address'),
        ('restaurants', 'booking_policy'), ('restaurants', 'logo_url'), ('restaurants', 'google_map_url'),
        ('restaurants', 'email_send_reminders'), ('restaurants', 'email_reply_to'),
        ('table_inventory', 'label_colour'), ('table_holds', 'source'));

SELECT * FROM finish();
ROLLBACK;
