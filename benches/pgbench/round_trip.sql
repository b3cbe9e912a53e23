-- The round trip alone (the floor of a read-only call).
SELECT 1;
