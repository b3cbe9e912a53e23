-- The companions as a client calls them inside a transaction block (each request: BEGIN, the
-- call, COMMIT), with PostgREST's per-request settings: assign_tables_atomic_v2_in_restaurant for
-- one table, then unassign_tables_atomic_in_restaurant. The restaurant is a constant, so Citus
-- delegates each call (BEGIN and COMMIT reach the worker too).
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT set_config('search_path', 'public', true), set_config('request.jwt.claims', '{"role":"service_role"}', true);
SELECT * FROM assign_tables_atomic_v2_in_restaurant('c1000000-0000-0000-0000-000000000001',
    ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
    ARRAY[('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))::uuid]);
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT set_config('search_path', 'public', true), set_config('request.jwt.claims', '{"role":"service_role"}', true);
SELECT * FROM unassign_tables_atomic_in_restaurant('c1000000-0000-0000-0000-000000000001',
    ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid);
COMMIT;
