-- quote_tables on a worst layout (quote_worst_setup.sql); the booking is given with -D booking=<id>.
SELECT count(*) FROM quote_tables(:booking::uuid);
