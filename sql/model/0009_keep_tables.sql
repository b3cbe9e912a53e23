-- Model step 9 (0.6.0): a booking can be marked to keep its tables, so that making room
-- (pg_seating.make_room_moves) never moves it.
ALTER TABLE @extschema@.bookings ADD COLUMN keep_tables boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN @extschema@.bookings.keep_tables IS 'true: auto_assign_tables never moves this booking to other tables to make room for another (pg_seating.make_room_moves).';
