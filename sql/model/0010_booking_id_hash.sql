-- Model step 10 (0.7.0): a hash index on bookings.id, so that finding a booking by its id costs
-- the same however many bookings the database keeps.
--
-- Every RPC looks its booking up by id, several times a call (its restaurant, its row under lock,
-- the foreign-key checks of the rows it writes). The primary key (id, restaurant_id) is a B-tree
-- whose depth grows with the number of bookings kept: two levels for tens of thousands, three for
-- about a million, four beyond; each level is one more buffer on every lookup. A hash index reads
-- its bucket page and the row, whatever the table's size (its metapage is cached by each
-- backend). The primary key stays (uniqueness, and the keys the other tables refer to). Building
-- it reads the bookings table once and blocks writes to it meanwhile (a few seconds per million
-- bookings).
CREATE INDEX bookings_id_hash ON @extschema@.bookings USING hash (id);
COMMENT ON INDEX @extschema@.bookings_id_hash IS 'Lookups of a booking by id at a cost that does not grow with the number of bookings (model step 10); the primary key keeps uniqueness.';
