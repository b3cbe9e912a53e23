-- The same two requests as PostgREST 12 sends them for POST /rpc/<companion> with a JSON body:
-- BEGIN, the request's settings, the call inside a CTE with its arguments from json_to_record,
-- COMMIT. Citus cannot delegate that statement; the companion forwards itself to its worker
-- (pg_seating.forward_companions, default on; benches/citus/run also runs it with forwarding off).
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT set_config('search_path', 'public', true), set_config('request.jwt.claims', '{"role":"service_role"}', true);
WITH pgrst_source AS (
    SELECT pgrst_call.* FROM (SELECT json_build_object(
               'p_restaurant_id', 'c1000000-0000-0000-0000-000000000001',
               'p_booking_id', 'b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'),
               'p_table_ids', json_build_array('c3000000-0000-0000-0000-' || lpad((3 * :client_id + 1)::text, 12, '0'))) AS json_data) pgrst_payload,
    LATERAL (SELECT "p_restaurant_id", "p_booking_id", "p_table_ids"
               FROM json_to_record(pgrst_payload.json_data) AS _("p_restaurant_id" uuid, "p_booking_id" uuid, "p_table_ids" uuid[])
              LIMIT 1) pgrst_body,
    LATERAL "public"."assign_tables_atomic_v2_in_restaurant"("p_restaurant_id" := pgrst_body."p_restaurant_id",
        "p_booking_id" := pgrst_body."p_booking_id", "p_table_ids" := pgrst_body."p_table_ids") pgrst_call)
SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total,
       coalesce(json_agg(_postgrest_t), '[]') AS body FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT set_config('search_path', 'public', true), set_config('request.jwt.claims', '{"role":"service_role"}', true);
WITH pgrst_source AS (
    SELECT pgrst_call.* FROM (SELECT json_build_object(
               'p_restaurant_id', 'c1000000-0000-0000-0000-000000000001',
               'p_booking_id', 'b0000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0')) AS json_data) pgrst_payload,
    LATERAL (SELECT "p_restaurant_id", "p_booking_id"
               FROM json_to_record(pgrst_payload.json_data) AS _("p_restaurant_id" uuid, "p_booking_id" uuid)
              LIMIT 1) pgrst_body,
    LATERAL "public"."unassign_tables_atomic_in_restaurant"("p_restaurant_id" := pgrst_body."p_restaurant_id",
        "p_booking_id" := pgrst_body."p_booking_id") pgrst_call)
SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total,
       coalesce(json_agg(_postgrest_t), '[]') AS body FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t;
COMMIT;
