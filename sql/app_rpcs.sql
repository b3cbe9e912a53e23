-- The booking app's RPCs that need an exception block or are plain SQL (APP-CONTRACT.md §3).
-- The ones that assign or release tables are native (Rust, through the assignment core):
-- sync_confirmed_assignment_windows, release_hold_and_emit, and the core of the two booking
-- envelopes below. Every one is SECURITY DEFINER with a pinned search_path (SPEC §1).

-- The retryable conflicts of a booking write: a serialization failure, a deadlock, a lock that
-- could not be taken (lock_timeout, NOWAIT). The app retries on `retryable: true`.
CREATE FUNCTION @extschema@.pg_seating_booking_conflict(p_sqlstate text)
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.jsonb_build_object(
        'success', false, 'error', 'BOOKING_CONFLICT', 'retryable', true, 'sqlstate', p_sqlstate,
        'message', CASE p_sqlstate
                       WHEN '40P01' THEN 'Database deadlock detected. Please retry.'
                       WHEN '55P03' THEN 'Capacity rule is currently locked by another transaction. Please retry.'
                       ELSE 'Concurrent booking conflict detected. Please retry.'
                   END)
$$;

-- update_booking_with_capacity_check (reference §2.8): the core's envelope, or BOOKING_CONFLICT
-- with retryable true when the update meets a concurrent one (40001, 40P01, 55P03); the failed
-- work is rolled back to the block's start. Other errors are raised.
CREATE FUNCTION @extschema@.update_booking_with_capacity_check(
    p_booking_id uuid, p_restaurant_id uuid, p_customer_id uuid, p_booking_date date, p_start_time time,
    p_end_time time, p_party_size integer, p_booking_type text, p_customer_name text, p_customer_email text,
    p_customer_phone text, p_seating_preference text, p_notes text DEFAULT NULL,
    p_marketing_opt_in boolean DEFAULT false, p_auth_user_id uuid DEFAULT NULL,
    p_client_request_id text DEFAULT NULL, p_details jsonb DEFAULT '{}', p_loyalty_points_awarded integer DEFAULT 0,
    p_source text DEFAULT 'api')
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp SET jit = off AS $$
BEGIN
    RETURN @extschema@.update_booking_with_capacity_check_core(
        p_booking_id, p_restaurant_id, p_customer_id, p_booking_date, p_start_time, p_end_time, p_party_size,
        p_booking_type, p_customer_name, p_customer_email, p_customer_phone, p_seating_preference, p_notes,
        p_marketing_opt_in, p_auth_user_id, p_client_request_id, p_details, p_loyalty_points_awarded, p_source);
EXCEPTION WHEN serialization_failure OR deadlock_detected OR lock_not_available THEN
    RETURN @extschema@.pg_seating_booking_conflict(SQLSTATE);
END;
$$;

-- A new unique booking reference: ten characters of an alphabet without look-alikes (no 0/O,
-- 1/I/L), unique among bookings.reference when the app has that column.
CREATE FUNCTION @extschema@.generate_booking_reference()
RETURNS text LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
    v_alphabet constant text := 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
    v_bytes bytea;
    v_ref text;
    v_has_column boolean := EXISTS (
        SELECT 1 FROM pg_attribute a
         WHERE a.attrelid = to_regclass('@extschema@.bookings') AND a.attname = 'reference' AND NOT a.attisdropped);
    v_taken boolean;
BEGIN
    FOR attempt IN 1 .. 20 LOOP
        v_bytes := decode(replace(gen_random_uuid()::text, '-', ''), 'hex');
        v_ref := '';
        FOR i IN 0 .. 9 LOOP
            v_ref := v_ref || substr(v_alphabet, 1 + get_byte(v_bytes, i) % length(v_alphabet), 1);
        END LOOP;
        IF NOT v_has_column THEN
            RETURN v_ref;
        END IF;
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM @extschema@.bookings WHERE reference = $1)' INTO v_taken USING v_ref;
        IF NOT v_taken THEN
            RETURN v_ref;
        END IF;
    END LOOP;
    RAISE EXCEPTION 'generate_booking_reference: no free reference after 20 attempts'
        USING ERRCODE = '23505', HINT = 'Retry the call.';
END;
$$;

-- create_booking_with_capacity_check: the insert twin of update_booking_with_capacity_check.
-- A repeated p_idempotency_key (per restaurant) returns the booking it created, with
-- duplicate: true. Otherwise the booking is inserted as pending and the update core applies
-- the capacity rules and the envelope; a refusal rolls the insert back. The booking gets a
-- reference (generate_booking_reference) when the app's bookings.reference column exists and
-- has no value.
CREATE FUNCTION @extschema@.create_booking_with_capacity_check(
    p_restaurant_id uuid, p_customer_id uuid, p_booking_date date, p_start_time time, p_end_time time,
    p_party_size integer, p_booking_type text, p_customer_name text, p_customer_email text,
    p_customer_phone text, p_seating_preference text, p_notes text DEFAULT NULL,
    p_marketing_opt_in boolean DEFAULT false, p_idempotency_key text DEFAULT NULL, p_source text DEFAULT 'api',
    p_auth_user_id uuid DEFAULT NULL, p_client_request_id text DEFAULT NULL, p_details jsonb DEFAULT '{}',
    p_loyalty_points_awarded integer DEFAULT 0)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp SET jit = off AS $$
DECLARE
    v_key text := nullif(btrim(p_idempotency_key), '');
    v_id uuid;
    v_existing jsonb;
    v_result jsonb;
BEGIN
    IF p_restaurant_id IS NULL OR p_booking_date IS NULL OR p_start_time IS NULL OR p_end_time IS NULL
       OR p_party_size IS NULL THEN
        RETURN pg_catalog.jsonb_build_object('success', false, 'error', 'INVALID_PARAMS',
            'message', 'p_restaurant_id, p_booking_date, p_start_time, p_end_time and p_party_size are required');
    END IF;
    IF p_party_size <= 0 OR p_start_time = p_end_time OR NOT isfinite(p_booking_date) THEN
        RETURN pg_catalog.jsonb_build_object('success', false, 'error', 'INVALID_PARAMS',
            'message', 'p_party_size must be positive, the times must differ and the date must be finite');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.restaurants r WHERE r.id = p_restaurant_id) THEN
        RETURN pg_catalog.jsonb_build_object('success', false, 'error', 'INVALID_PARAMS', 'message', 'Restaurant not found');
    END IF;
    IF v_key IS NOT NULL THEN
        SELECT pg_catalog.to_jsonb(b.*) INTO v_existing FROM @extschema@.bookings b
         WHERE b.restaurant_id = p_restaurant_id AND b.idempotency_key = v_key;
        IF FOUND THEN
            RETURN pg_catalog.jsonb_build_object('success', true, 'duplicate', true, 'booking', v_existing,
                                      'message', 'Booking already exists for this idempotency key');
        END IF;
    END IF;
    BEGIN
        INSERT INTO @extschema@.bookings
               (restaurant_id, customer_id, booking_date, start_time, end_time, party_size, status, booking_type,
                customer_name, customer_email, customer_phone, seating_preference, notes, marketing_opt_in,
                idempotency_key, source, auth_user_id, client_request_id, details, loyalty_points_awarded)
        VALUES (p_restaurant_id, p_customer_id, p_booking_date, p_start_time, p_end_time, p_party_size, 'pending',
                p_booking_type, p_customer_name, p_customer_email, p_customer_phone, p_seating_preference, p_notes,
                coalesce(p_marketing_opt_in, false), v_key, coalesce(p_source, 'api'), p_auth_user_id,
                p_client_request_id, coalesce(p_details, '{}'), coalesce(p_loyalty_points_awarded, 0))
        RETURNING id INTO v_id;
        IF EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = to_regclass('@extschema@.bookings') AND a.attname = 'reference'
                      AND NOT a.attisdropped) THEN
            -- (The reference is made first: on Citus an UPDATE may not call a volatile function.)
            EXECUTE 'UPDATE @extschema@.bookings SET reference = $3
                      WHERE restaurant_id = $1 AND id = $2 AND reference IS NULL'
              USING p_restaurant_id, v_id, @extschema@.generate_booking_reference();
        END IF;
        v_result := @extschema@.update_booking_with_capacity_check_core(
            v_id, p_restaurant_id, p_customer_id, p_booking_date, p_start_time, p_end_time, p_party_size,
            p_booking_type, p_customer_name, p_customer_email, p_customer_phone, p_seating_preference, p_notes,
            p_marketing_opt_in, p_auth_user_id, p_client_request_id, p_details, p_loyalty_points_awarded, p_source);
        IF NOT coalesce((v_result ->> 'success')::boolean, false) THEN
            -- Refused (capacity): undo the insert, answer with the envelope.
            RAISE EXCEPTION USING ERRCODE = 'PSC01', MESSAGE = v_result::text;
        END IF;
        RETURN v_result - 'assignments' || pg_catalog.jsonb_build_object('duplicate', false, 'message', 'Booking created successfully');
    EXCEPTION
        WHEN SQLSTATE 'PSC01' THEN
            RETURN SQLERRM::jsonb;
        WHEN unique_violation THEN
            -- A concurrent call with the same key won: answer as the repeat it is.
            SELECT pg_catalog.to_jsonb(b.*) INTO v_existing FROM @extschema@.bookings b
             WHERE b.restaurant_id = p_restaurant_id AND b.idempotency_key = v_key;
            IF v_key IS NOT NULL AND v_existing IS NOT NULL THEN
                RETURN pg_catalog.jsonb_build_object('success', true, 'duplicate', true, 'booking', v_existing,
                                          'message', 'Booking already exists for this idempotency key');
            END IF;
            RAISE;
        WHEN serialization_failure OR deadlock_detected OR lock_not_available THEN
            RETURN @extschema@.pg_seating_booking_conflict(SQLSTATE);
    END;
END;
$$;

-- Hold conflicts are always strict in pg_seating (SPEC §6: a live hold blocks every other
-- booking, enforced by table_hold_windows_no_overlap). The app calls the setter before hold work
-- with its feature flag; it is accepted and changes nothing, and both answer true.
CREATE FUNCTION @extschema@.set_hold_conflict_enforcement(enabled boolean DEFAULT true)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT true
$$;

CREATE FUNCTION @extschema@.is_holds_strict_conflicts_enabled()
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT true
$$;

-- Whether a table is free for [p_start_at, p_end_at): no live allocation (assignment or
-- maintenance) of another booking and no live hold of another booking overlaps it, and the table
-- is active and in service. p_exclude_booking_id's own allocations and holds do not count.
-- Unknown table: false. NULL table or bounds: 22004; an empty or inverted window: 22000.
CREATE FUNCTION @extschema@.is_table_available_v2(p_table_id uuid, p_start_at timestamptz, p_end_at timestamptz,
                                                  p_exclude_booking_id uuid DEFAULT NULL)
RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp SET jit = off AS $$
DECLARE
    v_restaurant uuid;
BEGIN
    IF p_table_id IS NULL OR p_start_at IS NULL OR p_end_at IS NULL THEN
        RAISE EXCEPTION 'is_table_available_v2: p_table_id, p_start_at and p_end_at must not be null'
            USING ERRCODE = '22004', HINT = 'Pass a table id and both window bounds.';
    END IF;
    IF p_start_at >= p_end_at OR NOT isfinite(p_start_at) OR NOT isfinite(p_end_at) THEN
        RAISE EXCEPTION 'is_table_available_v2: the window [%, %) is empty, inverted or infinite', p_start_at, p_end_at
            USING ERRCODE = '22000', HINT = 'Pass a finite window whose start is before its end.';
    END IF;
    SELECT t.restaurant_id INTO v_restaurant FROM @extschema@.table_inventory t
     WHERE t.id = p_table_id AND t.active AND t.status OPERATOR(pg_catalog.<>) 'out_of_service';
    IF v_restaurant IS NULL THEN
        RETURN false;
    END IF;
    RETURN NOT EXISTS (
               SELECT 1 FROM @extschema@.allocations a
                WHERE a.restaurant_id = v_restaurant AND a.resource_type = 'table' AND a.resource_id = p_table_id
                  AND NOT a.shadow AND a."window" OPERATOR(pg_catalog.&&) tstzrange(p_start_at, p_end_at)
                  AND (a.booking_id IS NULL OR a.booking_id IS DISTINCT FROM p_exclude_booking_id))
       AND NOT EXISTS (
               SELECT 1 FROM @extschema@.table_hold_windows w
                WHERE w.restaurant_id = v_restaurant AND w.table_id = p_table_id AND w.status OPERATOR(pg_catalog.=) 'active'
                  AND w.expires_at > now() AND w.hold_window OPERATOR(pg_catalog.&&) tstzrange(p_start_at, p_end_at)
                  AND (w.booking_id IS NULL OR w.booking_id IS DISTINCT FROM p_exclude_booking_id));
END;
$$;

-- Prunes allocation history: up to p_limit allocations whose window ended before p_cutoff and
-- that no assignment needs (shadow mirrors, maintenance blocks, merge groups and table
-- allocations without an assignment), restaurant by restaurant in id order, each one's oldest
-- first. The table allocations of assignments stay (deleting one would release its table: the
-- record of who sat where is kept with its assignment). pg_seating keeps no archive table:
-- archived_count is always 0.
CREATE FUNCTION @extschema@.prune_allocations_history(p_cutoff timestamptz, p_limit integer DEFAULT 500)
RETURNS TABLE (archived_count integer, deleted_count integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp AS $$
DECLARE
    v_deleted integer;
    v_n integer;
    v_restaurant uuid;
BEGIN
    IF p_cutoff IS NULL THEN
        RAISE EXCEPTION 'prune_allocations_history: argument p_cutoff must not be null'
            USING ERRCODE = '22004', HINT = 'Pass the instant before which ended allocations are pruned.';
    END IF;
    IF p_limit IS NULL OR p_limit < 1 THEN
        RAISE EXCEPTION 'prune_allocations_history: p_limit must be at least 1 (got %)', coalesce(p_limit::text, 'NULL')
            USING ERRCODE = '22023';
    END IF;
    -- One restaurant at a time (each statement touches one restaurant, SPEC §8), restaurants in
    -- id order, each restaurant's oldest first, until p_limit rows are gone.
    v_deleted := 0;
    FOR v_restaurant IN SELECT r.id FROM @extschema@.restaurants r ORDER BY r.id LOOP
        EXIT WHEN v_deleted >= p_limit;
        WITH victims AS (
            SELECT a.id
              FROM @extschema@.allocations a
             WHERE a.restaurant_id = v_restaurant AND pg_catalog.upper(a."window") <= p_cutoff
               AND NOT EXISTS (SELECT 1 FROM @extschema@.booking_table_assignments x
                                WHERE x.restaurant_id = v_restaurant AND (x.allocation_id = a.id OR x.merge_group_id = a.id))
               AND NOT EXISTS (SELECT 1 FROM @extschema@.booking_assignment_idempotency l
                                WHERE l.restaurant_id = v_restaurant AND l.merge_group_allocation_id = a.id)
             ORDER BY a.updated_at, a.id
             LIMIT p_limit - v_deleted
               FOR UPDATE OF a SKIP LOCKED),
             d AS (
            DELETE FROM @extschema@.allocations a
             WHERE a.restaurant_id = v_restaurant AND a.id IN (SELECT id FROM victims)
            RETURNING 1)
        SELECT count(*)::int INTO v_n FROM d;
        v_deleted := v_deleted + v_n;
    END LOOP;
    archived_count := 0;
    deleted_count := v_deleted;
    RETURN NEXT;
END;
$$;

-- ------------------------------------------------------------------------------------------------
-- Restaurant-keyed companions of the SQL RPCs (SPEC §8): p_restaurant_id first, 22004 when it is
-- NULL, then the reference function's work for that restaurant only; on Citus
-- pg_seating_distribute() delegates each call to the node that holds the restaurant.
-- ------------------------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.update_booking_with_capacity_check_in_restaurant(
    p_restaurant_id uuid, p_booking_id uuid, p_customer_id uuid, p_booking_date date, p_start_time time,
    p_end_time time, p_party_size integer, p_booking_type text, p_customer_name text, p_customer_email text,
    p_customer_phone text, p_seating_preference text, p_notes text DEFAULT NULL,
    p_marketing_opt_in boolean DEFAULT false, p_auth_user_id uuid DEFAULT NULL,
    p_client_request_id text DEFAULT NULL, p_details jsonb DEFAULT '{}', p_loyalty_points_awarded integer DEFAULT 0,
    p_source text DEFAULT 'api')
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp SET jit = off AS $$
BEGIN
    IF p_restaurant_id IS NULL THEN
        RAISE EXCEPTION 'update_booking_with_capacity_check_in_restaurant: argument p_restaurant_id must not be null'
            USING ERRCODE = '22004', HINT = 'Pass a non-null value.';
    END IF;
    RETURN @extschema@.update_booking_with_capacity_check(
        p_booking_id, p_restaurant_id, p_customer_id, p_booking_date, p_start_time, p_end_time, p_party_size,
        p_booking_type, p_customer_name, p_customer_email, p_customer_phone, p_seating_preference, p_notes,
        p_marketing_opt_in, p_auth_user_id, p_client_request_id, p_details, p_loyalty_points_awarded, p_source);
END;
$$;

CREATE FUNCTION @extschema@.create_booking_with_capacity_check_in_restaurant(
    p_restaurant_id uuid, p_customer_id uuid, p_booking_date date, p_start_time time, p_end_time time,
    p_party_size integer, p_booking_type text, p_customer_name text, p_customer_email text,
    p_customer_phone text, p_seating_preference text, p_notes text DEFAULT NULL,
    p_marketing_opt_in boolean DEFAULT false, p_idempotency_key text DEFAULT NULL, p_source text DEFAULT 'api',
    p_auth_user_id uuid DEFAULT NULL, p_client_request_id text DEFAULT NULL, p_details jsonb DEFAULT '{}',
    p_loyalty_points_awarded integer DEFAULT 0)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp SET jit = off AS $$
BEGIN
    IF p_restaurant_id IS NULL THEN
        RAISE EXCEPTION 'create_booking_with_capacity_check_in_restaurant: argument p_restaurant_id must not be null'
            USING ERRCODE = '22004', HINT = 'Pass a non-null value.';
    END IF;
    RETURN @extschema@.create_booking_with_capacity_check(
        p_restaurant_id, p_customer_id, p_booking_date, p_start_time, p_end_time, p_party_size, p_booking_type,
        p_customer_name, p_customer_email, p_customer_phone, p_seating_preference, p_notes, p_marketing_opt_in,
        p_idempotency_key, p_source, p_auth_user_id, p_client_request_id, p_details, p_loyalty_points_awarded);
END;
$$;

-- is_table_available_v2 for a table of a known restaurant (a table of another restaurant: false).
CREATE FUNCTION @extschema@.is_table_available_v2_in_restaurant(p_restaurant_id uuid, p_table_id uuid,
                                                                p_start_at timestamptz, p_end_at timestamptz,
                                                                p_exclude_booking_id uuid DEFAULT NULL)
RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, @extschema@, pg_temp SET jit = off AS $$
BEGIN
    IF p_restaurant_id IS NULL THEN
        RAISE EXCEPTION 'is_table_available_v2_in_restaurant: argument p_restaurant_id must not be null'
            USING ERRCODE = '22004', HINT = 'Pass a non-null value.';
    END IF;
    IF p_table_id IS NULL OR p_start_at IS NULL OR p_end_at IS NULL THEN
        RAISE EXCEPTION 'is_table_available_v2: p_table_id, p_start_at and p_end_at must not be null'
            USING ERRCODE = '22004', HINT = 'Pass a table id and both window bounds.';
    END IF;
    IF p_start_at >= p_end_at OR NOT isfinite(p_start_at) OR NOT isfinite(p_end_at) THEN
        RAISE EXCEPTION 'is_table_available_v2: the window [%, %) is empty, inverted or infinite', p_start_at, p_end_at
            USING ERRCODE = '22000', HINT = 'Pass a finite window whose start is before its end.';
    END IF;
    RETURN EXISTS (SELECT 1 FROM @extschema@.table_inventory t
                    WHERE t.restaurant_id = p_restaurant_id AND t.id = p_table_id
                      AND t.active AND t.status OPERATOR(pg_catalog.<>) 'out_of_service')
       AND NOT EXISTS (
               SELECT 1 FROM @extschema@.allocations a
                WHERE a.restaurant_id = p_restaurant_id AND a.resource_type = 'table' AND a.resource_id = p_table_id
                  AND NOT a.shadow AND a."window" OPERATOR(pg_catalog.&&) tstzrange(p_start_at, p_end_at)
                  AND (a.booking_id IS NULL OR a.booking_id IS DISTINCT FROM p_exclude_booking_id))
       AND NOT EXISTS (
               SELECT 1 FROM @extschema@.table_hold_windows w
                WHERE w.restaurant_id = p_restaurant_id AND w.table_id = p_table_id AND w.status OPERATOR(pg_catalog.=) 'active'
                  AND w.expires_at > now() AND w.hold_window OPERATOR(pg_catalog.&&) tstzrange(p_start_at, p_end_at)
                  AND (w.booking_id IS NULL OR w.booking_id IS DISTINCT FROM p_exclude_booking_id));
END;
$$;
