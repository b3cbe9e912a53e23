-- quote_tables for a party of four on a busy evening, 200 tables.
SELECT count(*) FROM quote_tables('ca000000-0000-0000-0000-000000000200'::uuid);
