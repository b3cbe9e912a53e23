-- quote_tables for a party of four on a busy evening, 100 tables.
SELECT count(*) FROM quote_tables('ca000000-0000-0000-0000-000000000100'::uuid);
