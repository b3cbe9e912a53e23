-- assign_tables_atomic_v2 for one table, then unassign_tables_atomic (two transactions).
SELECT count(*) FROM assign_tables_atomic_v2(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
    ARRAY[('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))::uuid]);
SELECT count(*) FROM unassign_tables_atomic(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid);
