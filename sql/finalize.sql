-- Runs last in the extension script: privileges (SPEC §1), then the functions' comments.
--
-- Anonymous callers must never assign tables: EXECUTE on every function of this extension is
-- revoked from PUBLIC, anon and authenticated (Supabase's default privileges grant new functions
-- in `public` to them) and granted to service_role when that role exists; the admin functions
-- (pg_seating_install, pg_seating_verify, pg_seating_grant and their helpers) stay with their
-- owner. If the data model is already there (the extension was dropped and created again), its
-- privileges and row-level security are set as pg_seating_install() sets them. The rules live in
-- pg_seating_secure() (sql/install.sql).
SELECT count(*) FROM @extschema@.pg_seating_secure('@extschema@');

-- A comment on every function of the extension (what it does and its main errors): `\df+` shows
-- them and PostgREST publishes them in its OpenAPI description. Applied to every overload of a
-- name; each `_in_restaurant` companion gets its reference function's comment after a sentence of
-- its own. pgTAP 07_comments fails when a function lacks one.
DO $comments$
DECLARE
    r record;
BEGIN
    FOR r IN
        WITH c(name, text) AS (VALUES
            ('assign_tables_atomic_v2', 'Adds the given tables to a booking''s assignment for its window (or the given one), atomically, with an idempotency key replaying the original rows. Errors: 22004 NULL booking, 23514 table-set rules or a final booking, 23503 another restaurant''s table, P0002 unknown booking or table, P0001 allocations_no_overlap or a hold conflict, P0003 idempotency mismatch, 22000 invalid window, 22023 a window longer than pg_seating.max_window or away from the booking''s date.'),
            ('assign_tables_atomic', 'v1 assignment on the same core as assign_tables_atomic_v2, with the window as a tstzrange (NULL: the booking''s). Returns the assignment ids. Same errors as assign_tables_atomic_v2.'),
            ('unassign_tables_atomic', 'Releases a booking''s tables (those given, those of a merge group, or all), their allocations, emptied merge groups and ledger rows; a confirmed booking left without a table moves to pending_allocation. Errors: 22004 NULL booking, 23514 the last table of a checked-in party.'),
            ('validate_booking_capacity_after_assignment', 'Raises P0001 capacity_exceeded_post_assignment when the booking''s service period is over its capacity rule; a no-op without rules, for an unknown booking, or with app.capacity.post_assignment.enabled off.'),
            ('apply_booking_state_transition', 'Compare-and-set of a booking''s status with a history row; final statuses release the booking''s tables. Errors: P0004 booking_state_conflict, 22023 a move the lifecycle refuses or an unknown status, P0002 unknown booking, 22004 NULL arguments.'),
            ('confirm_hold_assignment_with_transition', 'Assigns the tables (every assign_tables_atomic_v2 rule), moves the status to p_target_status and consumes the booking''s holds on them, all or nothing. Errors: those of assign_tables_atomic_v2 and apply_booking_state_transition, P0003 when nothing was assigned.'),
            ('confirm_hold_assignment_tx', 'Confirms a live hold: its tables and window are assigned, the status optionally moves, the confirmation is recorded with a capacity.hold.confirmed event, and the hold goes. Errors: P0002 unknown hold, P0001 expired or foreign hold, P0003 changed policy or adjacency snapshot, and those of assign_tables_atomic_v2.'),
            ('create_table_hold', 'Places a hold for a booking on a table set for its window with a time-to-live; the table rules of an assignment. Errors: P0001 another booking''s live hold or allocation, 22023 a ttl below 1 or one outliving the window, and the assignment''s validation errors.'),
            ('release_table_hold', 'Removes a hold (members and windows with it); false when there is no such hold. 22004 for NULL.'),
            ('release_hold_and_emit', 'Removes a hold and records a capacity.hold.released outbox event with its booking, tables, window and actor; false for an unknown hold. 22004 for NULL.'),
            ('sweep_expired_holds', 'Deletes every expired or inactive hold (they block nobody any more); returns how many went.'),
            ('quote_tables', 'Read-only: the best table sets for a booking''s party and window, best first, with score terms and the tables left out and why; when none fits and pg_seating.make_room_moves allows, the plan with the other bookings it would move. Errors: 22004 NULL booking, P0002 unknown booking, 22023 a limit below 1 or max_tables outside 1-6.'),
            ('auto_assign_tables', 'Chooses the best plan for a booking and commits it through the assignment core (or as a hold), replaying with the booking''s deterministic key; with pg_seating.make_room_moves, moves the fewest movable bookings when nothing fits otherwise. Errors: P0001 no table plan (DETAIL says why), P0002 unknown booking, and the assignment''s errors.'),
            ('auto_assign_day', 'Plans every unassigned booking of a restaurant''s day at once (most bookings seated, then guests, then fewest seats wasted) and writes the plan; one row per booking with its outcome. 22004 for NULL arguments.'),
            ('day_plan_metrics', 'A day''s seating metrics as JSON: bookings, seated, unassigned, covers, seats, wastedSeats, seatUtilisation, mergedTables.'),
            ('table_live_status', 'The state of every table of a restaurant at an instant: out_of_service, occupied, reserved or available.'),
            ('reconcile_booking', 'Status against assignment parity for one booking. Errors: 22004 NULL, P0002 unknown booking.'),
            ('auto_assign_idempotency_key', 'The deterministic idempotency key of a booking''s automatic assignment (auto-assign:<booking>:<start>-<end>); NULL for an unknown booking or an infinite window.'),
            ('pg_seating_auto_assign_key', 'The auto-assign key of a booking id and window (used by auto_assign_idempotency_key).'),
            ('update_booking_with_capacity_check', 'Changes a booking''s date, times, party and details when its service period has room, answering with the app''s JSON envelope (INVALID_PARAMS, CAPACITY_EXCEEDED, BOOKING_CONFLICT or success); moves or releases its tables on a time change.'),
            ('update_booking_with_capacity_check_core', 'The core of update_booking_with_capacity_check (without the BOOKING_CONFLICT envelope for concurrent updates).'),
            ('create_booking_with_capacity_check', 'Creates a pending booking when its service period has room, answering with the app''s JSON envelope; a repeated idempotency key returns the existing booking (duplicate: true).'),
            ('generate_booking_reference', 'A new ten-character booking reference without look-alike characters, unique among bookings.reference when that column exists.'),
            ('is_table_available_v2', 'Whether a table is active, in service and free of other bookings'' live allocations and holds for a window. Errors: 22004 NULL arguments, 22000 an empty, inverted or infinite window.'),
            ('prune_allocations_history', 'Deletes up to p_limit allocations that ended before p_cutoff and that nothing needs, restaurant by restaurant. Errors: 22004 NULL cutoff, 22023 a limit below 1.'),
            ('set_hold_conflict_enforcement', 'Accepted for the app''s compatibility: holds are always strict in pg_seating; answers true.'),
            ('is_holds_strict_conflicts_enabled', 'Holds are always strict in pg_seating: true.'),
            ('pg_seating_booking_conflict', 'The retryable BOOKING_CONFLICT envelope for a SQLSTATE of a concurrent update.'),
            ('sync_confirmed_assignment_windows', 'Moves a booking''s assignments (and their allocations and ledger rows) to a new window after every check of an assignment. Errors: P0001 another booking in the new window, 22023 one bound only or an implausible window, 22000 invalid window, 23503 a merge group not the booking''s, P0002 unknown booking.'),
            ('find_assignment_anomalies', 'One row per problem in the table state (duplicate or orphan assignments and allocations, overlaps, implausible windows, stale ledger rows, expired holds, status without tables), for the whole database or one restaurant and date range.'),
            ('repair_booking_assignments', 'Repairs one booking''s table state (or lists the actions in a dry run); other bookings are never touched. Errors: 22004 NULL, P0002 unknown booking.'),
            ('backfill_allocations_shadow', 'Mirrors assignments into allocations as shadow rows (never blocking), for the whole database or one restaurant and date range; idempotent.'),
            ('pg_seating_version', 'The version of the installed pg_seating library.'),
            ('pg_seating_install', 'Creates or migrates the data model in the extension''s schema (owned by the caller), records the steps, and sets row-level security and privileges; one row per action. Owner only.'),
            ('pg_seating_verify', 'Differences between the database and the data model the code expects; no rows when healthy. Owner only.'),
            ('pg_seating_grant', 'Gives a role what service_role gets: the schema, the tables'' DML and EXECUTE on the RPCs. Errors: 22004 NULL, 42704 unknown role, 22023 anon or authenticated. Owner only.'),
            ('pg_seating_secure', 'Sets the privileges and row-level security of the model and the functions (used by pg_seating_install and pg_seating_grant). Owner only.'),
            ('pg_seating_model_steps', 'The data model''s numbered steps and their SQL (used by pg_seating_install and pg_seating_verify). Owner only.'),
            ('pg_seating_model_relations', 'The relations of the data model. Owner only.'),
            ('pg_seating_model_objects', 'The catalog description of a model in a schema, compared by pg_seating_verify. Owner only.'),
            ('pg_seating_admin_functions', 'The functions only the owner executes. Owner only.'),
            ('pg_seating_distribute', 'On a Citus coordinator: restaurants as a reference table, every other model table distributed by restaurant_id and co-located, the companions delegated to the worker of their restaurant; idempotent. 55000 without Citus, off the coordinator, or when a node does not preload pg_seating. Owner only.'),
            ('pg_seating_undistribute', 'On a Citus coordinator: every model table local again with all its rows, the companions no longer delegated. 55000 without Citus. Owner only.'),
            ('pg_seating_distributed_tables', 'The model tables pg_seating_distribute distributes by restaurant_id, in foreign-key order. Owner only.'),
            ('pg_seating_companions', 'The restaurant-keyed _in_restaurant companions pg_seating_distribute delegates. Owner only.'),
            ('pg_seating_schema_writers', 'The roles other than its owner that can CREATE in a schema (SPEC §10): pg_seating_install refuses and pg_seating_verify reports while the extension''s schema has any. Owner only.'))
        SELECT p.oid::regprocedure AS fn,
               CASE WHEN p.proname LIKE '%\_in\_restaurant'
                    THEN 'Restaurant-keyed companion of ' || regexp_replace(p.proname, '_in_restaurant$', '')
                         || ' (Citus routing, SPEC §8): p_restaurant_id first, 22004 when it is NULL; a booking or hold of another restaurant is not found. '
                         || c.text
                    ELSE c.text END AS text
          FROM pg_proc p
          JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
          JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_seating'
          JOIN c ON c.name = regexp_replace(p.proname, '_in_restaurant$', '')
    LOOP
        EXECUTE format('COMMENT ON FUNCTION %s IS %L', r.fn, r.text);
    END LOOP;
END
$comments$;
