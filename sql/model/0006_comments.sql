-- Model step 6 (0.5.0): what each relation of the model holds, in the catalog (`\d+` shows it,
-- PostgREST publishes it in its OpenAPI description). pgTAP 07_comments fails when a model
-- relation lacks one.
COMMENT ON TABLE @extschema@.restaurants IS 'A restaurant: its time zone (booking windows are local to it) and the app''s details. On Citus a reference table.';
COMMENT ON TABLE @extschema@.zones IS 'An area of a restaurant (dining room, terrace, bar); a booking''s tables are all of one zone.';
COMMENT ON TABLE @extschema@.table_inventory IS 'A table of a restaurant: seats, party limits, zone, mobility (movable tables can be merged), active and out_of_service flags.';
COMMENT ON TABLE @extschema@.table_adjacencies IS 'Pairs of tables that stand next to each other (undirected, stored once); merged tables must be connected through them.';
COMMENT ON TABLE @extschema@.restaurant_service_periods IS 'A restaurant''s service periods (lunch, dinner), optionally per day of the week.';
COMMENT ON TABLE @extschema@.restaurant_capacity_rules IS 'Covers and parties a service period may hold, optionally per day of the week and from a date; checked after every assignment.';
COMMENT ON TABLE @extschema@.booking_slots IS 'Bookable slots of a restaurant (date and time, with their service period); an assignment links its booking''s slot.';
COMMENT ON TABLE @extschema@.bookings IS 'A booking: party, local date and times, instants, status (the lifecycle of apply_booking_state_transition), zone lock and the app''s details.';
COMMENT ON TABLE @extschema@.allocations IS 'What occupies a resource during a window: a table or merge group of a booking (live), a maintenance block, or a shadow mirror; live table allocations never overlap (exclusion constraint allocations_no_overlap).';
COMMENT ON TABLE @extschema@.booking_table_assignments IS 'Which tables a booking sits at, for which window, with the allocation and merge group behind each.';
COMMENT ON TABLE @extschema@.booking_assignment_idempotency IS 'The ledger of keyed assignments: a repeated key with the same tables and window replays the original rows.';
COMMENT ON TABLE @extschema@.table_holds IS 'A temporary hold of tables for a booking and window until expires_at; a live hold blocks other bookings.';
COMMENT ON TABLE @extschema@.table_hold_members IS 'The tables of a hold.';
COMMENT ON TABLE @extschema@.table_hold_windows IS 'One row per held table and window (kept by triggers); live holds of different bookings never overlap on a table (exclusion constraint table_hold_windows_no_overlap).';
COMMENT ON TABLE @extschema@.booking_state_history IS 'Every status change of a booking, with who, when and why; ids are time-ordered uuids.';
COMMENT ON TABLE @extschema@.booking_confirmation_results IS 'The result of a hold-driven confirm per booking and idempotency key (a replay returns it).';
COMMENT ON TABLE @extschema@.capacity_outbox IS 'Events for the app to act on (assignment synced, hold confirmed or released), deduplicated while pending.';
COMMENT ON VIEW @extschema@.booking_assignment_reconciliation IS 'Each booking''s status against its assignments, allocations and holds; problem says what does not add up.';
COMMENT ON COLUMN @extschema@.restaurants.timezone IS 'IANA time zone of the restaurant; a booking''s local date and times are converted in it.';
COMMENT ON COLUMN @extschema@.bookings.status IS 'booking_status: pending, pending_allocation, confirmed, checked_in, completed, cancelled, no_show, PRIORITY_WAITLIST.';
COMMENT ON COLUMN @extschema@.bookings.start_at IS 'Start instant; when NULL the window is taken from booking_date and start_time in the restaurant''s time zone.';
COMMENT ON COLUMN @extschema@.bookings.end_at IS 'End instant; when NULL the window is taken from booking_date and end_time (over midnight: the next day).';
COMMENT ON COLUMN @extschema@.bookings.assigned_zone_id IS 'The zone of the tables the booking holds (the zone lock); NULL when it holds none.';
COMMENT ON COLUMN @extschema@.bookings.auto_assign_idempotency_key IS 'The key of the booking''s automatic assignment once confirmed with it (cleared when the booking ends).';
COMMENT ON COLUMN @extschema@.bookings.no_show_table_ids IS 'The tables a no-show held when marked; undoing the no-show seats the party there again when they are free.';
COMMENT ON COLUMN @extschema@.allocations.shadow IS 'A mirror written by backfill_allocations_shadow: never blocks, becomes live when its table is assigned again.';
COMMENT ON COLUMN @extschema@.allocations."window" IS 'The occupied window [start, end).';
COMMENT ON COLUMN @extschema@.table_holds.expires_at IS 'After this instant the hold blocks nobody (expiry is judged when read; sweep_expired_holds deletes it).';
COMMENT ON COLUMN @extschema@.capacity_outbox.dedupe_key IS 'Events with the same type, dedupe key and idempotency key are recorded once while pending or processing.';
