-- The app's own requests, unchanged: POST /rpc/assign_tables_atomic_v2 and /rpc/unassign_tables_atomic
-- (the reference-named RPCs, by booking id) as PostgREST 12 sends them. On Citus the function looks
-- the booking's restaurant up (a read of every bookings shard) and forwards the call to its
-- companion on the restaurant's worker (pg_seating.forward_companions).
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT set_config('search_path', 'public', true), set_config('request.jwt.claims', '{"role":"service_role"}', true);
WITH pgrst_source AS (
    SELECT pgrst_call.* FROM (SELECT json_build_object(
               'p_booking_id', 'b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'),
               'p_table_ids', json_build_array('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))) AS json_data) pgrst_payload,
    LATERAL (SELECT "p_booking_id", "p_table_ids"
               FROM json_to_record(pgrst_payload.json_data) AS _("p_booking_id" uuid, "p_table_ids" uuid[])
              LIMIT 1) pgrst_body,
    LATERAL "public"."assign_tables_atomic_v2"("p_booking_id" := pgrst_body."p_booking_id",
        "p_table_ids" := pgrst_body."p_table_ids") pgrst_call)
SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total,
       coalesce(json_agg(_postgrest_t), '[]') AS body FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT set_config('search_path', 'public', true), set_config('request.jwt.claims', '{"role":"service_role"}', true);
WITH pgrst_source AS (
    SELECT pgrst_call.* FROM (SELECT json_build_object(
               'p_booking_id', 'b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0')) AS json_data) pgrst_payload,
    LATERAL (SELECT "p_booking_id"
               FROM json_to_record(pgrst_payload.json_data) AS _("p_booking_id" uuid)
              LIMIT 1) pgrst_body,
    LATERAL "public"."unassign_tables_atomic"("p_booking_id" := pgrst_body."p_booking_id") pgrst_call)
SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total,
       coalesce(json_agg(_postgrest_t), '[]') AS body FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t;
COMMIT;
