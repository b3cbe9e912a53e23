-- pg_seating 0.1.0 -> 0.2.0. Idempotent (SPEC §8: Citus may apply an upgrade twice on a node).
-- 0.2.0 adds an index for the global sweep of expired holds; functions are unchanged (the library
-- is the same file for both versions).
CREATE INDEX IF NOT EXISTS table_holds_sweep_idx ON @extschema@.table_holds (expires_at) WHERE status = 'active';
