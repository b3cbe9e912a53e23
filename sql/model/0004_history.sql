-- pg_seating data model, step 4 (0.4.0): reads that stay flat as a restaurant's history grows.
--
-- The busy-table read of the allocator (which tables are taken during a window, across all of a
-- restaurant's tables) used the exclusion constraints' GiST indexes, ordered restaurant -> table ->
-- time, and so read every page of the restaurant's kept allocations. These btree indexes start at the
-- restaurant and then the window's end: a read of "what ends after the window starts" scans only the
-- present and the future, whatever the past holds. The sweep of holds that are no longer active gets
-- its own partial index (the expired ones already have table_holds_sweep_idx).
CREATE INDEX allocations_end_idx
    ON @extschema@.allocations (restaurant_id, upper("window"));
CREATE INDEX booking_table_assignments_end_idx
    ON @extschema@.booking_table_assignments (restaurant_id, end_at);
CREATE INDEX table_hold_windows_live_end_idx
    ON @extschema@.table_hold_windows (restaurant_id, end_at)
    WHERE status = 'active';
CREATE INDEX table_holds_inactive_idx
    ON @extschema@.table_holds (restaurant_id)
    WHERE status <> 'active';
