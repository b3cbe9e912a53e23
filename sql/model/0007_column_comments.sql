-- Model step 7 (0.6.0): a comment on every column of the model (step 6 commented the relations and
-- a few key columns; the columns an app adds are its own to comment), in the catalog (`\d+` shows
-- them, PostgREST publishes them in its OpenAPI description); pgTAP 07_comments fails when one
-- lacks it.
COMMENT ON COLUMN @extschema@.restaurants.id IS 'The restaurant''s id (default gen_random_uuid()); the restaurant_id of every other model table names it.';
COMMENT ON COLUMN @extschema@.restaurants.name IS 'The restaurant''s name.';
COMMENT ON COLUMN @extschema@.restaurants.slug IS 'Unique URL name: lower-case letters and digits in words joined by hyphens (restaurants_slug_check).';
COMMENT ON COLUMN @extschema@.restaurants.capacity IS 'Optional total capacity (> 0 when set); no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.restaurants.reservation_interval_minutes IS 'Booking interval in minutes (1 to 180, default 15), for the app; no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.restaurants.reservation_default_duration_minutes IS 'Default booking duration in minutes (15 to 300, default 90), for the app; no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.restaurants.reservation_last_seating_buffer_minutes IS 'Last-seating buffer in minutes (15 to 300, default 120), for the app; no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.restaurants.is_active IS 'Whether the restaurant is active (default true); no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.restaurants.contact_email IS 'The restaurant''s contact e-mail address, for the app.';
COMMENT ON COLUMN @extschema@.restaurants.contact_phone IS 'The restaurant''s contact phone number, for the app.';
COMMENT ON COLUMN @extschema@.restaurants.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.restaurants.updated_at IS 'When the row last changed: set to now() by a trigger on every UPDATE that does not set it itself.';

COMMENT ON COLUMN @extschema@.zones.id IS 'The zone''s id (default gen_random_uuid()); the primary key is (id, restaurant_id).';
COMMENT ON COLUMN @extschema@.zones.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column.';
COMMENT ON COLUMN @extschema@.zones.name IS 'The zone''s name: not blank, unique per restaurant ignoring case.';
COMMENT ON COLUMN @extschema@.zones.sort_order IS 'Sort order for the app (smallint, default 0); no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.zones.area_type IS 'area_type: indoor (default), outdoor or covered; no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.zones.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.zones.updated_at IS 'When the row last changed: set to now() by a trigger on every UPDATE that does not set it itself.';

COMMENT ON COLUMN @extschema@.table_inventory.id IS 'The table''s id (default gen_random_uuid()); the primary key is (id, restaurant_id).';
COMMENT ON COLUMN @extschema@.table_inventory.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column.';
COMMENT ON COLUMN @extschema@.table_inventory.table_number IS 'The table''s number or name, unique per restaurant; quote_tables lists a plan''s tables in its natural order and table_live_status returns it.';
COMMENT ON COLUMN @extschema@.table_inventory.capacity IS 'Seats at the table (> 0); the allocator (quote_tables, auto_assign_tables) seats a party at tables whose capacities add up to at least its size.';
COMMENT ON COLUMN @extschema@.table_inventory.min_party_size IS 'Smallest party the table takes (> 0, default 1); the allocator leaves the table out for a smaller party.';
COMMENT ON COLUMN @extschema@.table_inventory.max_party_size IS 'Largest party the table takes on its own (NULL: no limit; else at least min_party_size); the allocator seats a party at this table alone only up to it.';
COMMENT ON COLUMN @extschema@.table_inventory.section IS 'Free-text section, for the app; no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.table_inventory.status IS 'table_status, a manual flag (default available): only out_of_service counts, and such a table is never assigned, held or quoted; the live state at an instant comes from table_live_status.';
COMMENT ON COLUMN @extschema@.table_inventory.position IS 'Free-form JSON position of the table, for the app; no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.table_inventory.notes IS 'Free-text notes, for the app; no pg_seating function reads them.';
COMMENT ON COLUMN @extschema@.table_inventory.zone_id IS 'The table''s zone; a booking''s tables, merged tables and adjacent tables are always of one zone.';
COMMENT ON COLUMN @extschema@.table_inventory.category IS 'table_category: bar, dining (default), lounge, patio or private; no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.table_inventory.seating_type IS 'table_seating_type: standard (default), sofa, booth or high_top; no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.table_inventory.mobility IS 'table_mobility: a movable table (default) may be merged with others; a fixed one is only ever assigned alone.';
COMMENT ON COLUMN @extschema@.table_inventory.active IS 'false takes the table out of use: it is never assigned, held or quoted (default true).';
COMMENT ON COLUMN @extschema@.table_inventory.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.table_inventory.updated_at IS 'When the row last changed: set to now() by a trigger on every UPDATE that does not set it itself.';

COMMENT ON COLUMN @extschema@.table_adjacencies.restaurant_id IS 'The restaurant of both tables (part of the keys to table_inventory); on Citus the distribution column.';
COMMENT ON COLUMN @extschema@.table_adjacencies.table_a IS 'One table of the pair; a pair is stored once, in either order (unique on least and greatest of the two).';
COMMENT ON COLUMN @extschema@.table_adjacencies.table_b IS 'The other table of the pair: not table_a, and in the same zone (trigger table_adjacencies_validate).';
COMMENT ON COLUMN @extschema@.table_adjacencies.created_at IS 'When the row was created (default now()).';

COMMENT ON COLUMN @extschema@.restaurant_service_periods.id IS 'The period''s id (default gen_random_uuid()); the primary key is (id, restaurant_id).';
COMMENT ON COLUMN @extschema@.restaurant_service_periods.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column.';
COMMENT ON COLUMN @extschema@.restaurant_service_periods.name IS 'The period''s name (lunch, dinner); update_booking_with_capacity_check reports it as servicePeriod.';
COMMENT ON COLUMN @extschema@.restaurant_service_periods.day_of_week IS 'Day the period applies to, 0 = Sunday to 6 = Saturday; NULL: every day (a period for the day itself is preferred).';
COMMENT ON COLUMN @extschema@.restaurant_service_periods.start_time IS 'Local start time in the restaurant''s time zone; a booking belongs to the period when its start_time is in [start_time, end_time).';
COMMENT ON COLUMN @extschema@.restaurant_service_periods.end_time IS 'Local end time in the restaurant''s time zone (exclusive, after start_time).';
COMMENT ON COLUMN @extschema@.restaurant_service_periods.booking_option IS 'Free-text booking option, for the app; no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.restaurant_service_periods.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.restaurant_service_periods.updated_at IS 'When the row last changed: set to now() by a trigger on every UPDATE that does not set it itself.';

COMMENT ON COLUMN @extschema@.restaurant_capacity_rules.id IS 'The rule''s id (default gen_random_uuid()); the primary key is (id, restaurant_id).';
COMMENT ON COLUMN @extschema@.restaurant_capacity_rules.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column.';
COMMENT ON COLUMN @extschema@.restaurant_capacity_rules.service_period_id IS 'The service period the rule limits; NULL: any period.';
COMMENT ON COLUMN @extschema@.restaurant_capacity_rules.day_of_week IS 'Day the rule applies to, 0 = Sunday to 6 = Saturday; NULL: every day.';
COMMENT ON COLUMN @extschema@.restaurant_capacity_rules.effective_date IS 'First date the rule applies (NULL: always); of the rules that apply, the latest effective date wins, then a rule for the day, then one for the period.';
COMMENT ON COLUMN @extschema@.restaurant_capacity_rules.max_covers IS 'Most guests (sum of party sizes) the period''s bookings of one date may hold (>= 0; NULL: no limit); checked by validate_booking_capacity_after_assignment and update_booking_with_capacity_check.';
COMMENT ON COLUMN @extschema@.restaurant_capacity_rules.max_parties IS 'Most bookings the period may hold on one date (>= 0; NULL: no limit); checked like max_covers.';
COMMENT ON COLUMN @extschema@.restaurant_capacity_rules.label IS 'Free-text label, for the app; no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.restaurant_capacity_rules.override_type IS 'Free-text override type, for the app; no pg_seating function reads it.';
COMMENT ON COLUMN @extschema@.restaurant_capacity_rules.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.restaurant_capacity_rules.updated_at IS 'When the row last changed: set to now() by a trigger on every UPDATE that does not set it itself.';

COMMENT ON COLUMN @extschema@.booking_slots.id IS 'The slot''s id (default gen_random_uuid()); the primary key is (id, restaurant_id).';
COMMENT ON COLUMN @extschema@.booking_slots.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column.';
COMMENT ON COLUMN @extschema@.booking_slots.slot_date IS 'The slot''s local date; (slot_date, slot_time) is unique per restaurant.';
COMMENT ON COLUMN @extschema@.booking_slots.slot_time IS 'The slot''s local time; the assignment functions link a booking''s assignments to the slot of its booking_date and start_time, when there is one (never creating it).';
COMMENT ON COLUMN @extschema@.booking_slots.service_period_id IS 'The slot''s service period (optional; a period with slots cannot be deleted).';
COMMENT ON COLUMN @extschema@.booking_slots.available_capacity IS 'Capacity of the slot (>= 0, default 0); no pg_seating function reads or writes it.';
COMMENT ON COLUMN @extschema@.booking_slots.reserved_count IS 'Reserved count of the slot (0 to available_capacity, default 0); no pg_seating function reads or writes it.';
COMMENT ON COLUMN @extschema@.booking_slots.version IS 'Integer version, default 1; no pg_seating function reads or writes it.';
COMMENT ON COLUMN @extschema@.booking_slots.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.booking_slots.updated_at IS 'When the row last changed: set to now() by a trigger on every UPDATE that does not set it itself.';

COMMENT ON COLUMN @extschema@.bookings.id IS 'The booking''s id (default gen_random_uuid()); the primary key is (id, restaurant_id).';
COMMENT ON COLUMN @extschema@.bookings.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column.';
COMMENT ON COLUMN @extschema@.bookings.customer_id IS 'The customer (a uuid without a foreign key; NULL allowed); written by create_booking_with_capacity_check and update_booking_with_capacity_check.';
COMMENT ON COLUMN @extschema@.bookings.booking_date IS 'The booking''s local date in the restaurant''s time zone; capacity rules count the bookings of one date.';
COMMENT ON COLUMN @extschema@.bookings.start_time IS 'Local start time in the restaurant''s time zone; it places the booking in a service period.';
COMMENT ON COLUMN @extschema@.bookings.end_time IS 'Local end time in the restaurant''s time zone; an end time before start_time falls on the next day.';
COMMENT ON COLUMN @extschema@.bookings.party_size IS 'Guests in the party (> 0): the allocator seats at least this many, and capacity rules count it as covers.';
COMMENT ON COLUMN @extschema@.bookings.checked_in_at IS 'When the party was seated; set by apply_booking_state_transition (p_checked_in_at, else now()) and kept consistent with status by bookings_lifecycle_timestamp_consistency.';
COMMENT ON COLUMN @extschema@.bookings.checked_out_at IS 'When the party left (completed; never before checked_in_at); set by apply_booking_state_transition (p_checked_out_at, else now()).';
COMMENT ON COLUMN @extschema@.bookings.booking_type IS 'The app''s booking type (free text); written by create_booking_with_capacity_check and update_booking_with_capacity_check.';
COMMENT ON COLUMN @extschema@.bookings.seating_preference IS 'The guest''s seating preference (free text); written by create_booking_with_capacity_check and update_booking_with_capacity_check, not read by the allocator.';
COMMENT ON COLUMN @extschema@.bookings.customer_name IS 'The guest''s name; written by create_booking_with_capacity_check and update_booking_with_capacity_check.';
COMMENT ON COLUMN @extschema@.bookings.customer_email IS 'The guest''s e-mail address; written by create_booking_with_capacity_check and update_booking_with_capacity_check.';
COMMENT ON COLUMN @extschema@.bookings.customer_phone IS 'The guest''s phone number; written by create_booking_with_capacity_check and update_booking_with_capacity_check.';
COMMENT ON COLUMN @extschema@.bookings.notes IS 'Free-text notes on the booking; written by create_booking_with_capacity_check and update_booking_with_capacity_check.';
COMMENT ON COLUMN @extschema@.bookings.marketing_opt_in IS 'Whether the guest accepts marketing (default false); written by create_booking_with_capacity_check and update_booking_with_capacity_check.';
COMMENT ON COLUMN @extschema@.bookings.auth_user_id IS 'The signed-in user who booked, when any; written by create_booking_with_capacity_check (update_booking_with_capacity_check keeps it when given none).';
COMMENT ON COLUMN @extschema@.bookings.client_request_id IS 'The app''s request id; written by create_booking_with_capacity_check (update_booking_with_capacity_check keeps it when given none, and copies it into details).';
COMMENT ON COLUMN @extschema@.bookings.loyalty_points_awarded IS 'Loyalty points awarded for the booking (default 0); written by create_booking_with_capacity_check and update_booking_with_capacity_check.';
COMMENT ON COLUMN @extschema@.bookings.source IS 'Where the booking came from (create_booking_with_capacity_check: p_source, ''api'' by default).';
COMMENT ON COLUMN @extschema@.bookings.details IS 'The app''s JSON details (NULL allowed); update_booking_with_capacity_check merges in channel, client_request_id, capacity_check and timezone.';
COMMENT ON COLUMN @extschema@.bookings.idempotency_key IS 'The key create_booking_with_capacity_check was called with; unique per restaurant, and a repeated key returns this booking.';
COMMENT ON COLUMN @extschema@.bookings.auto_assign_last_result IS 'The result of the booking''s automatic assignment (outcome, tableIds, mergeGroupId, status), recorded with auto_assign_idempotency_key.';
COMMENT ON COLUMN @extschema@.bookings.assignment_state IS 'booking_assignment_state (default created), from the reference model; no pg_seating function reads or writes it.';
COMMENT ON COLUMN @extschema@.bookings.assignment_state_version IS 'Integer, default 1, from the reference model with assignment_state; no pg_seating function reads or writes it.';
COMMENT ON COLUMN @extschema@.bookings.assignment_strategy IS 'Free text, from the reference model; no pg_seating function reads or writes it.';
COMMENT ON COLUMN @extschema@.bookings.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.bookings.updated_at IS 'When the row last changed: set to now() by a trigger on every UPDATE that does not set it itself (the functions set it).';
COMMENT ON COLUMN @extschema@.bookings.no_show_window IS 'The window the no-show''s tables were held for (earliest start to latest end); undoing the no-show seats the party there for it, then clears it.';

COMMENT ON COLUMN @extschema@.allocations.id IS 'The allocation''s id (default gen_random_uuid()); a merge_group row''s id is also its resource_id, and assignments point at it (allocation_id, merge_group_id).';
COMMENT ON COLUMN @extschema@.allocations.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column; an insert that leaves it NULL takes the booking''s.';
COMMENT ON COLUMN @extschema@.allocations.booking_id IS 'The booking that occupies the resource (deleted with it); NULL for an allocation of no booking.';
COMMENT ON COLUMN @extschema@.allocations.resource_type IS 'What is occupied: table (resource_id is a table) or merge_group (a booking''s set of two or more tables); hold is allowed by the check but pg_seating writes none.';
COMMENT ON COLUMN @extschema@.allocations.resource_id IS 'The table''s id in a table row; a merge_group row''s own id.';
COMMENT ON COLUMN @extschema@.allocations.is_maintenance IS 'A maintenance block (default false): it blocks the table like any live allocation, and table_live_status reports the table out_of_service during it.';
COMMENT ON COLUMN @extschema@.allocations.created_by IS 'Who made the allocation (the assigned_by of its assignment); NULL when not given.';
COMMENT ON COLUMN @extschema@.allocations.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.allocations.updated_at IS 'When the row last changed: set to now() by a trigger on every UPDATE that does not set it itself.';

COMMENT ON COLUMN @extschema@.booking_table_assignments.id IS 'The assignment''s id (default gen_random_uuid()); the primary key is (id, restaurant_id).';
COMMENT ON COLUMN @extschema@.booking_table_assignments.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column; a direct insert that leaves it NULL takes the booking''s.';
COMMENT ON COLUMN @extschema@.booking_table_assignments.booking_id IS 'The booking seated at the table (the rows go with it).';
COMMENT ON COLUMN @extschema@.booking_table_assignments.table_id IS 'The assigned table: one row per booking and table, and one table''s rows never overlap in time (bta_no_overlap).';
COMMENT ON COLUMN @extschema@.booking_table_assignments.slot_id IS 'The booking_slots row of the booking''s date and start time, when one exists (linked by the assignment functions, never created).';
COMMENT ON COLUMN @extschema@.booking_table_assignments.assigned_at IS 'When the table was assigned (default now()).';
COMMENT ON COLUMN @extschema@.booking_table_assignments.assigned_by IS 'Who assigned the table (p_assigned_by, or the app''s direct insert); NULL when not given.';
COMMENT ON COLUMN @extschema@.booking_table_assignments.notes IS 'Free-text notes, for the app; pg_seating never writes them.';
COMMENT ON COLUMN @extschema@.booking_table_assignments.idempotency_key IS 'The key of the call that wrote the row; every row of a multi-table call repeats it, so it is not unique.';
COMMENT ON COLUMN @extschema@.booking_table_assignments.start_at IS 'Start instant of the window the table is assigned for (before end_at).';
COMMENT ON COLUMN @extschema@.booking_table_assignments.end_at IS 'End instant (exclusive) of the window the table is assigned for.';
COMMENT ON COLUMN @extschema@.booking_table_assignments.allocation_id IS 'The live table allocation behind the row; a direct insert without one gets it from trigger booking_table_assignments_direct, and deleting that allocation releases the row.';
COMMENT ON COLUMN @extschema@.booking_table_assignments.merge_group_id IS 'The merge_group allocation of the call''s table set when it had two or more tables; NULL for a single table.';
COMMENT ON COLUMN @extschema@.booking_table_assignments.assignment_window IS '[start_at, end_at), generated; the exclusion constraint bta_no_overlap compares it.';
COMMENT ON COLUMN @extschema@.booking_table_assignments.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.booking_table_assignments.updated_at IS 'When the row last changed: set to now() by a trigger on every UPDATE that does not set it itself.';

COMMENT ON COLUMN @extschema@.booking_assignment_idempotency.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column; an insert that leaves it NULL takes the booking''s.';
COMMENT ON COLUMN @extschema@.booking_assignment_idempotency.booking_id IS 'The booking of the keyed assignment (the rows go with it).';
COMMENT ON COLUMN @extschema@.booking_assignment_idempotency.idempotency_key IS 'The caller''s key (not empty), unique per booking.';
COMMENT ON COLUMN @extschema@.booking_assignment_idempotency.table_ids IS 'The tables of the keyed call, in ascending id order.';
COMMENT ON COLUMN @extschema@.booking_assignment_idempotency.assignment_window IS 'The window of the keyed call; a repeat with another window (or other tables) is refused with P0003.';
COMMENT ON COLUMN @extschema@.booking_assignment_idempotency.merge_group_allocation_id IS 'The merge_group allocation of the call''s set (NULL for one table); sync_confirmed_assignment_windows may set it.';
COMMENT ON COLUMN @extschema@.booking_assignment_idempotency.table_set_hash IS 'md5 of table_ids joined by commas; a repeat of the key is compared with it.';
COMMENT ON COLUMN @extschema@.booking_assignment_idempotency.payload_checksum IS 'SHA-256 (hex) of the capacity.hold.confirmed payload, set by confirm_hold_assignment_tx, or p_payload_checksum of sync_confirmed_assignment_windows; NULL until set.';
COMMENT ON COLUMN @extschema@.booking_assignment_idempotency.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.booking_assignment_idempotency.id IS 'Surrogate id (default gen_random_uuid(), step 2); the primary key is (id, restaurant_id) and (restaurant_id, booking_id, idempotency_key) is unique.';

COMMENT ON COLUMN @extschema@.table_holds.id IS 'The hold''s id (default gen_random_uuid()); the primary key is (id, restaurant_id).';
COMMENT ON COLUMN @extschema@.table_holds.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column; an insert that leaves it NULL takes the booking''s.';
COMMENT ON COLUMN @extschema@.table_holds.booking_id IS 'The booking the hold is for (deleted with it; NULL allowed); a cancelled, no-show or completed booking cannot hold tables.';
COMMENT ON COLUMN @extschema@.table_holds.zone_id IS 'The zone of the held tables (create_table_hold writes the set''s zone).';
COMMENT ON COLUMN @extschema@.table_holds.start_at IS 'Start instant of the held window (before end_at).';
COMMENT ON COLUMN @extschema@.table_holds.end_at IS 'End instant (exclusive) of the held window.';
COMMENT ON COLUMN @extschema@.table_holds.status IS 'table_hold_status (default active): only an active hold blocks, until expires_at; a new member marks the past-expiry holds it overlaps expired, and sweep_expired_holds deletes holds past expires_at and those no longer active.';
COMMENT ON COLUMN @extschema@.table_holds.created_by IS 'Who placed the hold (create_table_hold''s p_created_by, or the app''s insert); NULL when not given.';
COMMENT ON COLUMN @extschema@.table_holds.metadata IS 'The app''s JSON (default {}, NULL allowed); confirm_hold_assignment_tx compares its policyVersion and selection.snapshot.adjacency.hash with p_expected_policy_version and p_expected_adjacency_hash.';
COMMENT ON COLUMN @extschema@.table_holds.session_id IS 'A session id from the reference model; no pg_seating function reads or writes it.';
COMMENT ON COLUMN @extschema@.table_holds.last_touched_at IS 'Default now() at insert; no pg_seating function reads or updates it.';
COMMENT ON COLUMN @extschema@.table_holds.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.table_holds.updated_at IS 'When the row last changed: set to now() by a trigger on every UPDATE that does not set it itself.';

COMMENT ON COLUMN @extschema@.table_hold_members.id IS 'The member''s id (default gen_random_uuid()); the primary key is (id, restaurant_id).';
COMMENT ON COLUMN @extschema@.table_hold_members.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column; an insert that leaves it NULL (as the app''s does) takes the hold''s.';
COMMENT ON COLUMN @extschema@.table_hold_members.hold_id IS 'The hold (members go with it).';
COMMENT ON COLUMN @extschema@.table_hold_members.table_id IS 'A held table, once per hold; inserting the member writes its table_hold_windows row, deleting it removes that row.';
COMMENT ON COLUMN @extschema@.table_hold_members.created_at IS 'When the row was created (default now()).';

COMMENT ON COLUMN @extschema@.table_hold_windows.restaurant_id IS 'The hold''s restaurant (part of the keys to table_holds and table_inventory); on Citus the distribution column.';
COMMENT ON COLUMN @extschema@.table_hold_windows.hold_id IS 'The hold (its window rows go with it).';
COMMENT ON COLUMN @extschema@.table_hold_windows.table_id IS 'The held table (one row per hold and table).';
COMMENT ON COLUMN @extschema@.table_hold_windows.booking_id IS 'The hold''s booking, copied by triggers; live holds of one booking may overlap each other.';
COMMENT ON COLUMN @extschema@.table_hold_windows.start_at IS 'The hold''s start_at, copied by triggers.';
COMMENT ON COLUMN @extschema@.table_hold_windows.end_at IS 'The hold''s end_at, copied by triggers.';
COMMENT ON COLUMN @extschema@.table_hold_windows.expires_at IS 'The hold''s expires_at, copied by triggers; the functions'' conflict reads ignore the row once it has passed.';
COMMENT ON COLUMN @extschema@.table_hold_windows.status IS 'The hold''s status, copied by triggers; only active rows enter the exclusion constraint table_hold_windows_no_overlap.';
COMMENT ON COLUMN @extschema@.table_hold_windows.hold_window IS '[start_at, end_at), generated; the functions'' conflict reads and table_hold_windows_no_overlap compare it.';

COMMENT ON COLUMN @extschema@.booking_state_history.id IS 'Time-ordered uuid (pg_seating_history_id(), version 7 layout): a booking''s history ordered by id is the order its rows were written.';
COMMENT ON COLUMN @extschema@.booking_state_history.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column; an insert that leaves it NULL takes the booking''s.';
COMMENT ON COLUMN @extschema@.booking_state_history.booking_id IS 'The booking whose status changed (its history goes with it).';
COMMENT ON COLUMN @extschema@.booking_state_history.from_status IS 'The status before the change (apply_booking_state_transition: p_history_from); NULL allowed.';
COMMENT ON COLUMN @extschema@.booking_state_history.to_status IS 'The status after the change.';
COMMENT ON COLUMN @extschema@.booking_state_history.changed_by IS 'Who made the change (p_history_changed_by); NULL when not given.';
COMMENT ON COLUMN @extschema@.booking_state_history.changed_at IS 'When the status changed (p_history_changed_at, else now()).';
COMMENT ON COLUMN @extschema@.booking_state_history.reason IS 'Why (p_history_reason); tables_released when releasing its last table moved a confirmed booking to pending_allocation.';
COMMENT ON COLUMN @extschema@.booking_state_history.metadata IS 'JSON details of the change (p_history_metadata; default {}).';

COMMENT ON COLUMN @extschema@.booking_confirmation_results.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column; an insert that leaves it NULL takes the booking''s.';
COMMENT ON COLUMN @extschema@.booking_confirmation_results.booking_id IS 'The confirmed booking (its results go with it).';
COMMENT ON COLUMN @extschema@.booking_confirmation_results.hold_id IS 'The hold the confirm consumed; one result per hold.';
COMMENT ON COLUMN @extschema@.booking_confirmation_results.idempotency_key IS 'The key of the confirm_hold_assignment_tx call, unique per booking; a repeat for the same hold returns the recorded tables.';
COMMENT ON COLUMN @extschema@.booking_confirmation_results.table_ids IS 'The tables the confirm assigned.';
COMMENT ON COLUMN @extschema@.booking_confirmation_results.assignment_window IS 'The window they were assigned for, [start, end).';
COMMENT ON COLUMN @extschema@.booking_confirmation_results.actor_id IS 'Who confirmed (p_assigned_by); NULL when not given.';
COMMENT ON COLUMN @extschema@.booking_confirmation_results.metadata IS 'JSON (default {}); pg_seating leaves it at its default.';
COMMENT ON COLUMN @extschema@.booking_confirmation_results.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.booking_confirmation_results.id IS 'Surrogate id (default gen_random_uuid(), step 2); the primary key is (id, restaurant_id) and (restaurant_id, booking_id, idempotency_key) is unique.';

COMMENT ON COLUMN @extschema@.capacity_outbox.id IS 'The event''s id (default gen_random_uuid()); the primary key is (id, restaurant_id).';
COMMENT ON COLUMN @extschema@.capacity_outbox.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column; an insert that leaves it NULL takes the booking''s.';
COMMENT ON COLUMN @extschema@.capacity_outbox.booking_id IS 'The booking the event is about; NULL allowed.';
COMMENT ON COLUMN @extschema@.capacity_outbox.event_type IS 'The event: pg_seating writes capacity.assignment.sync (an assignment), capacity.hold.confirmed (confirm_hold_assignment_tx) and capacity.hold.released (release_hold_and_emit).';
COMMENT ON COLUMN @extschema@.capacity_outbox.status IS 'pending (default), processing, done or dead; pg_seating writes pending events, the app processes them.';
COMMENT ON COLUMN @extschema@.capacity_outbox.idempotency_key IS 'The key of the call that caused the event (NULL when none); part of the dedupe key.';
COMMENT ON COLUMN @extschema@.capacity_outbox.attempt_count IS 'Integer, default 0, from the reference model; no pg_seating function reads or writes it.';
COMMENT ON COLUMN @extschema@.capacity_outbox.next_attempt_at IS 'When the event is next due (default now()); NULL: not scheduled.';
COMMENT ON COLUMN @extschema@.capacity_outbox.payload IS 'The event''s JSON body (for pg_seating''s events: booking, tables, window and actor or assigner).';
COMMENT ON COLUMN @extschema@.capacity_outbox.created_at IS 'When the row was created (default now()).';
COMMENT ON COLUMN @extschema@.capacity_outbox.updated_at IS 'When the row last changed: set to now() by a trigger on every UPDATE that does not set it itself.';
COMMENT ON COLUMN @extschema@.capacity_outbox.attempts IS 'The app''s attempt counter (default 0, step 3); no pg_seating function reads or writes it.';

COMMENT ON COLUMN @extschema@.booking_assignment_reconciliation.booking_id IS 'The booking (one row per booking).';
COMMENT ON COLUMN @extschema@.booking_assignment_reconciliation.restaurant_id IS 'The booking''s restaurant.';
COMMENT ON COLUMN @extschema@.booking_assignment_reconciliation.status IS 'The booking''s status.';
COMMENT ON COLUMN @extschema@.booking_assignment_reconciliation.assignment_count IS 'How many booking_table_assignments rows the booking has.';
COMMENT ON COLUMN @extschema@.booking_assignment_reconciliation.consistent IS 'true when problem is NULL.';
COMMENT ON COLUMN @extschema@.booking_assignment_reconciliation.problem IS 'What does not add up: a confirmed or checked-in booking without a table, a cancelled, no-show or completed one still holding tables or holds, or assignments and live table allocations that differ in number; NULL when consistent.';
