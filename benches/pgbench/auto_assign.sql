-- auto_assign_tables (the allocator chooses among the restaurant's 192 tables, then commits through
-- the assignment core), then unassign: compared with assign_1.sql, which gives the table directly.
SELECT count(*) FROM auto_assign_tables(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid);
SELECT count(*) FROM unassign_tables_atomic(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid);
