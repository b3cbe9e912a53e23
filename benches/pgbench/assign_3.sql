-- assign_tables_atomic_v2 for three adjacent tables (a merged set, adjacency required), then
-- unassign_tables_atomic (two transactions).
SELECT count(*) FROM assign_tables_atomic_v2(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
    ARRAY[('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))::uuid,
          ('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 2)::text, 12, '0'))::uuid,
          ('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 3)::text, 12, '0'))::uuid],
    p_require_adjacency => true);
SELECT count(*) FROM unassign_tables_atomic(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid);
