-- pg_seating data model, step 2 (0.4.0): keys PostgREST reads as one relationship per pair of
-- tables, and trigger functions that keep the model's invariants whoever writes.
--
-- PostgREST counts a table whose primary key contains the columns of foreign keys to two tables
-- as a many-to-many link between them (SPEC §9). The idempotency ledger and the confirmation
-- results had (restaurant_id, booking_id, idempotency_key) as primary key: with the direct
-- bookings -> restaurants key that made three relationships, and the app's
-- `bookings?select=...,restaurants(timezone)` embed failed (PGRST201). They get a surrogate id
-- (key (id, restaurant_id), SPEC §8) and keep their natural key as a UNIQUE constraint.
-- table_adjacencies and table_hold_windows are real links (table <-> table, hold <-> table); their
-- extra key to restaurants made them links restaurants <-> tables and restaurants <-> holds too.
-- It was redundant (the composite keys to table_inventory and table_holds imply the restaurant,
-- and a deleted restaurant still cascades through them), so it goes.

ALTER TABLE @extschema@.booking_assignment_idempotency
    ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE @extschema@.booking_assignment_idempotency
    DROP CONSTRAINT booking_assignment_idempotency_pkey,
    ADD CONSTRAINT booking_assignment_idempotency_pkey PRIMARY KEY (id, restaurant_id),
    ADD CONSTRAINT booking_assignment_idempotency_booking_key_key
        UNIQUE (restaurant_id, booking_id, idempotency_key);

ALTER TABLE @extschema@.booking_confirmation_results
    ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE @extschema@.booking_confirmation_results
    DROP CONSTRAINT booking_confirmation_results_pkey,
    ADD CONSTRAINT booking_confirmation_results_pkey PRIMARY KEY (id, restaurant_id),
    ADD CONSTRAINT booking_confirmation_results_booking_key_key
        UNIQUE (restaurant_id, booking_id, idempotency_key);

ALTER TABLE @extschema@.table_adjacencies DROP CONSTRAINT table_adjacencies_restaurant_id_fkey;
ALTER TABLE @extschema@.table_hold_windows DROP CONSTRAINT table_hold_windows_restaurant_id_fkey;

-- The trigger functions run with their owner's rights (the model's owner, who bypasses row-level
-- security on its own tables): a direct write by a role that sees rows only through the app's
-- policies still keeps hold windows in step and releases a finished booking's tables, even in
-- tables the app has no policy for (table_hold_windows). They pin their search_path.
ALTER FUNCTION @extschema@.pg_seating_touch_updated_at() SECURITY DEFINER;
ALTER FUNCTION @extschema@.pg_seating_check_timezone() SECURITY DEFINER;
ALTER FUNCTION @extschema@.pg_seating_validate_adjacency() SECURITY DEFINER;
ALTER FUNCTION @extschema@.pg_seating_sync_hold_member() SECURITY DEFINER;
ALTER FUNCTION @extschema@.pg_seating_sync_hold_header() SECURITY DEFINER;
ALTER FUNCTION @extschema@.pg_seating_booking_status_guard() SECURITY DEFINER;

-- The reconciliation view reads with the caller's rights, so row-level security applies to it.
ALTER VIEW @extschema@.booking_assignment_reconciliation SET (security_invoker = true);
