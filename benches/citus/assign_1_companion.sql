-- assign_tables_atomic_v2_in_restaurant for one table, then unassign_tables_atomic_in_restaurant
-- (two transactions), each a single call Citus can delegate: the restaurant is a constant.
SELECT * FROM assign_tables_atomic_v2_in_restaurant('c1000000-0000-0000-0000-000000000001',
    ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
    ARRAY[('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))::uuid]);
SELECT * FROM unassign_tables_atomic_in_restaurant('c1000000-0000-0000-0000-000000000001',
    ('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid);
