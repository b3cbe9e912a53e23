-- One restaurant with a row in every pg_seating table (used by dump_restore.rs).
DO $$
DECLARE
    r uuid := gen_random_uuid();
    z uuid := gen_random_uuid();
    t1 uuid := gen_random_uuid();
    t2 uuid := gen_random_uuid();
    b uuid := gen_random_uuid();
    sp uuid := gen_random_uuid();
    slot uuid := gen_random_uuid();
    a1 uuid := gen_random_uuid();
    mg uuid := gen_random_uuid();
    h uuid := gen_random_uuid();
BEGIN
    INSERT INTO restaurants (id, name, slug) VALUES (r, 'Dump', 'dump-' || replace(r::text, '-', ''));
    INSERT INTO zones (id, restaurant_id, name) VALUES (z, r, 'Main');
    INSERT INTO table_inventory (id, restaurant_id, table_number, capacity, zone_id)
    VALUES (t1, r, 'D1', 2, z), (t2, r, 'D2', 4, z);
    INSERT INTO table_adjacencies (restaurant_id, table_a, table_b) VALUES (r, t1, t2);
    INSERT INTO restaurant_service_periods (id, restaurant_id, name, start_time, end_time)
    VALUES (sp, r, 'Dinner', '17:00', '23:00');
    INSERT INTO restaurant_capacity_rules (restaurant_id, service_period_id, max_covers) VALUES (r, sp, 80);
    INSERT INTO booking_slots (id, restaurant_id, slot_date, slot_time, service_period_id, available_capacity)
    VALUES (slot, r, '2027-11-30', '19:00', sp, 80);
    INSERT INTO bookings (id, restaurant_id, booking_date, start_time, end_time, start_at, end_at, party_size, status)
    VALUES (b, r, '2027-11-30', '19:00', '21:00', '2027-11-30 19:00Z', '2027-11-30 21:00Z', 5, 'confirmed');
    INSERT INTO allocations (id, restaurant_id, booking_id, resource_type, resource_id, "window")
    VALUES (a1, r, b, 'table', t1, tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z')),
           (mg, r, b, 'merge_group', mg, tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z'));
    INSERT INTO booking_table_assignments (restaurant_id, booking_id, table_id, slot_id, start_at, end_at,
                                           allocation_id, merge_group_id, idempotency_key)
    VALUES (r, b, t1, slot, '2027-11-30 19:00Z', '2027-11-30 21:00Z', a1, mg, 'k');
    INSERT INTO booking_assignment_idempotency (restaurant_id, booking_id, idempotency_key, table_ids,
                                                assignment_window, merge_group_allocation_id, table_set_hash)
    VALUES (r, b, 'k', ARRAY[t1], tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z'), mg, md5(t1::text));
    INSERT INTO table_holds (id, restaurant_id, booking_id, zone_id, start_at, end_at, expires_at)
    VALUES (h, r, b, z, '2027-11-30 21:00Z', '2027-11-30 22:00Z', now() + interval '1 hour');
    INSERT INTO table_hold_members (restaurant_id, hold_id, table_id) VALUES (r, h, t2);
    INSERT INTO booking_state_history (restaurant_id, booking_id, from_status, to_status)
    VALUES (r, b, 'pending', 'confirmed');
    INSERT INTO booking_confirmation_results (restaurant_id, booking_id, hold_id, idempotency_key, table_ids,
                                              assignment_window)
    VALUES (r, b, h, 'k', ARRAY[t1], tstzrange('2027-11-30 19:00Z', '2027-11-30 21:00Z'));
    INSERT INTO capacity_outbox (restaurant_id, booking_id, event_type, dedupe_key)
    VALUES (r, b, 'capacity.assignment.sync', b::text);
END;
$$;
