-- create_table_hold, confirm_hold_assignment_with_transition (pending -> confirmed, consumes the
-- hold), then back: apply_booking_state_transition (confirmed -> pending) and unassign (four
-- transactions).
SELECT create_table_hold(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
    ARRAY[('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))::uuid]) AS hold
\gset
SELECT count(*) FROM confirm_hold_assignment_with_transition(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
    ARRAY[('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))::uuid], NULL);
SELECT count(*) FROM apply_booking_state_transition(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
    'pending', NULL, NULL, NULL, 'confirmed', 'pending', NULL, NULL, 'bench reset');
SELECT count(*) FROM unassign_tables_atomic(('b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid);
