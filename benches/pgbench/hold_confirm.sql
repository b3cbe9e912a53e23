-- create_table_hold, confirm_hold_assignment_with_transition (pending_allocation -> confirmed,
-- consumes the hold), then back: unassign, which moves the booking that lost its last table to
-- pending_allocation with a history row (three transactions; from 0.4.0 the lifecycle is the app's,
-- which has no confirmed -> pending).
SELECT create_table_hold(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
    ARRAY[('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))::uuid]) AS hold
\gset
SELECT count(*) FROM confirm_hold_assignment_with_transition(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
    ARRAY[('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))::uuid], NULL);
SELECT count(*) FROM unassign_tables_atomic(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid);
