-- pg_seating data model, step 1: the model as pg_seating 0.1.0-0.3.0 created it (SPEC §2, §8).
--
-- Applied by pg_seating_install() (never by CREATE EXTENSION: the data belongs to the database,
-- SPEC §9), with @extschema@ replaced by the extension's schema. Databases that come from 0.3.0 or
-- older already have exactly these objects (detached from the extension by the 0.4.0 update) and
-- start at step 2. Never edit an applied step: add a new one.
--
-- Conventions:
--   * every table but `restaurants` carries `restaurant_id`, and every primary, unique, foreign and
--     exclusion key that can include it does (Citus distribution by restaurant_id stays possible);
--   * primary keys are (id, restaurant_id): a lookup by id alone uses the primary key index, and
--     composite foreign keys (restaurant_id, x) -> (restaurant_id, id) match it;
--   * no ON DELETE SET NULL / SET DEFAULT and no ON UPDATE actions; every referencing column is indexed;
--   * nothing here refers to an object of the extension, so DROP EXTENSION leaves the model intact.

-- ---------------------------------------------------------------------------------------------
-- Enums (reference §1.2)
-- ---------------------------------------------------------------------------------------------
CREATE TYPE @extschema@.booking_status AS ENUM (
    'confirmed', 'pending', 'cancelled', 'completed', 'PRIORITY_WAITLIST', 'no_show',
    'pending_allocation', 'checked_in');
CREATE TYPE @extschema@.table_mobility AS ENUM ('movable', 'fixed');
CREATE TYPE @extschema@.table_status AS ENUM ('available', 'reserved', 'occupied', 'out_of_service');
CREATE TYPE @extschema@.table_category AS ENUM ('bar', 'dining', 'lounge', 'patio', 'private');
CREATE TYPE @extschema@.table_seating_type AS ENUM ('standard', 'sofa', 'booth', 'high_top');
CREATE TYPE @extschema@.seating_preference_type AS ENUM (
    'any', 'indoor', 'outdoor', 'bar', 'window', 'quiet', 'booth');
CREATE TYPE @extschema@.area_type AS ENUM ('indoor', 'outdoor', 'covered');
CREATE TYPE @extschema@.booking_assignment_state AS ENUM (
    'created', 'capacity_verified', 'assignment_pending', 'assignment_in_progress', 'assigned',
    'confirmed', 'failed', 'manual_review');
CREATE TYPE @extschema@.table_hold_status AS ENUM ('active', 'expired', 'confirmed', 'cancelled');

-- ---------------------------------------------------------------------------------------------
-- Shared trigger functions
-- ---------------------------------------------------------------------------------------------

-- updated_at := now() on UPDATE. The triggers below fire only when the statement did not set
-- updated_at itself (WHEN clause), so the native functions, which always set it, pay nothing.
CREATE FUNCTION @extschema@.pg_seating_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- A restaurant's time zone must be one Postgres knows (SPEC §2).
CREATE FUNCTION @extschema@.pg_seating_check_timezone() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.timezone IS NULL OR btrim(NEW.timezone) = '' THEN
        RAISE EXCEPTION 'Restaurant time zone must not be empty'
            USING ERRCODE = '22023', HINT = 'Use an IANA name such as Europe/London.';
    END IF;
    BEGIN
        PERFORM now() AT TIME ZONE NEW.timezone;
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE EXCEPTION 'Restaurant time zone "%" is not a known time zone', NEW.timezone
            USING ERRCODE = '22023', HINT = 'Use an IANA name such as Europe/London.';
    END;
    RETURN NEW;
END;
$$;

-- ---------------------------------------------------------------------------------------------
-- Restaurants, zones, tables
-- ---------------------------------------------------------------------------------------------

-- A Citus reference table candidate: no foreign key leaves it, and no RPC writes to it.
CREATE TABLE @extschema@.restaurants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    slug text NOT NULL,
    timezone text NOT NULL DEFAULT 'Europe/London',
    capacity integer,
    reservation_interval_minutes integer NOT NULL DEFAULT 15,
    reservation_default_duration_minutes integer NOT NULL DEFAULT 90,
    reservation_last_seating_buffer_minutes integer NOT NULL DEFAULT 120,
    is_active boolean NOT NULL DEFAULT true,
    contact_email text,
    contact_phone text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT restaurants_slug_key UNIQUE (slug),
    CONSTRAINT restaurants_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT restaurants_capacity_check CHECK (capacity IS NULL OR capacity > 0),
    CONSTRAINT restaurants_interval_check CHECK (reservation_interval_minutes BETWEEN 1 AND 180),
    CONSTRAINT restaurants_duration_check CHECK (reservation_default_duration_minutes BETWEEN 15 AND 300),
    CONSTRAINT restaurants_buffer_check CHECK (reservation_last_seating_buffer_minutes BETWEEN 15 AND 300)
);
CREATE TRIGGER restaurants_timezone_valid
    BEFORE INSERT OR UPDATE OF timezone ON @extschema@.restaurants
    FOR EACH ROW EXECUTE FUNCTION @extschema@.pg_seating_check_timezone();
CREATE TRIGGER restaurants_updated_at
    BEFORE UPDATE ON @extschema@.restaurants
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION @extschema@.pg_seating_touch_updated_at();

CREATE TABLE @extschema@.zones (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    name text NOT NULL,
    sort_order smallint NOT NULL DEFAULT 0,
    area_type @extschema@.area_type NOT NULL DEFAULT 'indoor',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT zones_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT zones_name_not_blank CHECK (btrim(name) <> '')
);
CREATE UNIQUE INDEX zones_restaurant_name_idx ON @extschema@.zones (restaurant_id, lower(name));
CREATE TRIGGER zones_updated_at
    BEFORE UPDATE ON @extschema@.zones
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION @extschema@.pg_seating_touch_updated_at();

CREATE TABLE @extschema@.table_inventory (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    table_number text NOT NULL,
    capacity integer NOT NULL,
    min_party_size integer NOT NULL DEFAULT 1,
    max_party_size integer,
    section text,
    -- A manual flag: only `out_of_service` means anything to the functions. The live state at an
    -- instant is computed from allocations (see table_live_status), never written on the hot path.
    status @extschema@.table_status NOT NULL DEFAULT 'available',
    position jsonb,
    notes text,
    zone_id uuid NOT NULL,
    category @extschema@.table_category NOT NULL DEFAULT 'dining',
    seating_type @extschema@.table_seating_type NOT NULL DEFAULT 'standard',
    mobility @extschema@.table_mobility NOT NULL DEFAULT 'movable',
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT table_inventory_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT table_inventory_restaurant_id_table_number_key UNIQUE (restaurant_id, table_number),
    CONSTRAINT table_inventory_zone_fkey FOREIGN KEY (restaurant_id, zone_id)
        REFERENCES @extschema@.zones (restaurant_id, id) ON DELETE RESTRICT,
    CONSTRAINT table_inventory_capacity_check CHECK (capacity > 0),
    CONSTRAINT table_inventory_min_party_check CHECK (min_party_size > 0),
    CONSTRAINT table_inventory_max_party_check CHECK (max_party_size IS NULL OR max_party_size >= min_party_size)
);
CREATE INDEX table_inventory_restaurant_zone_idx ON @extschema@.table_inventory (restaurant_id, zone_id);
CREATE TRIGGER table_inventory_updated_at
    BEFORE UPDATE ON @extschema@.table_inventory
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION @extschema@.pg_seating_touch_updated_at();

-- Undirected edges between tables of one zone, stored once (canonical order enforced by the
-- unique index on (least, greatest)).
CREATE TABLE @extschema@.table_adjacencies (
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    table_a uuid NOT NULL,
    table_b uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT table_adjacencies_pkey PRIMARY KEY (restaurant_id, table_a, table_b),
    CONSTRAINT table_adjacencies_distinct CHECK (table_a <> table_b),
    CONSTRAINT table_adjacencies_table_a_fkey FOREIGN KEY (restaurant_id, table_a)
        REFERENCES @extschema@.table_inventory (restaurant_id, id) ON DELETE CASCADE,
    CONSTRAINT table_adjacencies_table_b_fkey FOREIGN KEY (restaurant_id, table_b)
        REFERENCES @extschema@.table_inventory (restaurant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX table_adjacencies_undirected_key
    ON @extschema@.table_adjacencies (restaurant_id, least(table_a, table_b), greatest(table_a, table_b));
CREATE INDEX table_adjacencies_table_b_idx ON @extschema@.table_adjacencies (restaurant_id, table_b);

CREATE FUNCTION @extschema@.pg_seating_validate_adjacency() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_zones uuid[];
BEGIN
    SELECT array_agg(DISTINCT t.zone_id) INTO v_zones
      FROM @extschema@.table_inventory t
     WHERE t.restaurant_id = NEW.restaurant_id AND t.id IN (NEW.table_a, NEW.table_b);
    IF coalesce(array_length(v_zones, 1), 0) > 1 THEN
        RAISE EXCEPTION 'Adjacency requires tables to be in the same zone'
            USING ERRCODE = 'P0001',
                  DETAIL = format('Tables %s and %s are in different zones', NEW.table_a, NEW.table_b);
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER table_adjacencies_validate
    BEFORE INSERT OR UPDATE ON @extschema@.table_adjacencies
    FOR EACH ROW EXECUTE FUNCTION @extschema@.pg_seating_validate_adjacency();

-- ---------------------------------------------------------------------------------------------
-- Service periods, capacity rules, slots
-- ---------------------------------------------------------------------------------------------
CREATE TABLE @extschema@.restaurant_service_periods (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    name text NOT NULL,
    day_of_week smallint,           -- 0 = Sunday; NULL = every day
    start_time time NOT NULL,
    end_time time NOT NULL,
    booking_option text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT restaurant_service_periods_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT restaurant_service_periods_day_check CHECK (day_of_week IS NULL OR day_of_week BETWEEN 0 AND 6),
    CONSTRAINT restaurant_service_periods_time_check CHECK (start_time < end_time)
);
CREATE INDEX restaurant_service_periods_restaurant_idx
    ON @extschema@.restaurant_service_periods (restaurant_id, day_of_week);
CREATE TRIGGER restaurant_service_periods_updated_at
    BEFORE UPDATE ON @extschema@.restaurant_service_periods
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION @extschema@.pg_seating_touch_updated_at();

-- Optional by contract (seed 002): the validators treat a missing table as "no limits".
CREATE TABLE @extschema@.restaurant_capacity_rules (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    service_period_id uuid,
    day_of_week smallint,
    effective_date date,
    max_covers integer,
    max_parties integer,
    label text,
    override_type text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT restaurant_capacity_rules_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT restaurant_capacity_rules_period_fkey FOREIGN KEY (restaurant_id, service_period_id)
        REFERENCES @extschema@.restaurant_service_periods (restaurant_id, id) ON DELETE CASCADE,
    CONSTRAINT restaurant_capacity_rules_day_check CHECK (day_of_week IS NULL OR day_of_week BETWEEN 0 AND 6),
    CONSTRAINT restaurant_capacity_rules_covers_check CHECK (max_covers IS NULL OR max_covers >= 0),
    CONSTRAINT restaurant_capacity_rules_parties_check CHECK (max_parties IS NULL OR max_parties >= 0)
);
CREATE INDEX restaurant_capacity_rules_lookup_idx
    ON @extschema@.restaurant_capacity_rules (restaurant_id, service_period_id);
CREATE TRIGGER restaurant_capacity_rules_updated_at
    BEFORE UPDATE ON @extschema@.restaurant_capacity_rules
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION @extschema@.pg_seating_touch_updated_at();

CREATE TABLE @extschema@.booking_slots (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    slot_date date NOT NULL,
    slot_time time NOT NULL,
    service_period_id uuid,
    available_capacity integer NOT NULL DEFAULT 0,
    reserved_count integer NOT NULL DEFAULT 0,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT booking_slots_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT booking_slots_restaurant_slot_key UNIQUE (restaurant_id, slot_date, slot_time),
    CONSTRAINT booking_slots_period_fkey FOREIGN KEY (restaurant_id, service_period_id)
        REFERENCES @extschema@.restaurant_service_periods (restaurant_id, id) ON DELETE RESTRICT,
    CONSTRAINT booking_slots_capacity_check CHECK (available_capacity >= 0),
    CONSTRAINT booking_slots_reserved_check CHECK (reserved_count >= 0 AND reserved_count <= available_capacity)
);
CREATE INDEX booking_slots_period_idx ON @extschema@.booking_slots (restaurant_id, service_period_id);
CREATE TRIGGER booking_slots_updated_at
    BEFORE UPDATE ON @extschema@.booking_slots
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION @extschema@.pg_seating_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Bookings
-- ---------------------------------------------------------------------------------------------
CREATE TABLE @extschema@.bookings (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    customer_id uuid,
    booking_date date NOT NULL,
    start_time time NOT NULL,
    end_time time NOT NULL,
    start_at timestamptz,
    end_at timestamptz,
    party_size integer NOT NULL,
    status @extschema@.booking_status NOT NULL DEFAULT 'confirmed',
    checked_in_at timestamptz,
    checked_out_at timestamptz,
    booking_type text,
    seating_preference text,
    customer_name text,
    customer_email text,
    customer_phone text,
    notes text,
    marketing_opt_in boolean NOT NULL DEFAULT false,
    auth_user_id uuid,
    client_request_id text,
    loyalty_points_awarded integer NOT NULL DEFAULT 0,
    source text,
    details jsonb NOT NULL DEFAULT '{}',
    idempotency_key text,
    -- Zone lock: set on the first assignment, cleared when the last table is released.
    assigned_zone_id uuid,
    -- Seed 003: deterministic key shared by inline and background auto-assign.
    auto_assign_idempotency_key text,
    auto_assign_last_result jsonb,
    assignment_state @extschema@.booking_assignment_state NOT NULL DEFAULT 'created',
    assignment_state_version integer NOT NULL DEFAULT 1,
    assignment_strategy text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bookings_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT bookings_assigned_zone_fkey FOREIGN KEY (restaurant_id, assigned_zone_id)
        REFERENCES @extschema@.zones (restaurant_id, id) ON DELETE NO ACTION,
    CONSTRAINT bookings_party_size_check CHECK (party_size > 0),
    CONSTRAINT chk_time_order CHECK (start_at IS NULL OR end_at IS NULL OR start_at < end_at),
    CONSTRAINT bookings_lifecycle_timestamp_consistency CHECK (
        CASE status
            WHEN 'pending' THEN checked_in_at IS NULL AND checked_out_at IS NULL
            WHEN 'pending_allocation' THEN checked_in_at IS NULL AND checked_out_at IS NULL
            WHEN 'confirmed' THEN checked_in_at IS NULL AND checked_out_at IS NULL
            WHEN 'PRIORITY_WAITLIST' THEN checked_in_at IS NULL AND checked_out_at IS NULL
            WHEN 'no_show' THEN checked_in_at IS NULL AND checked_out_at IS NULL
            WHEN 'checked_in' THEN checked_in_at IS NOT NULL AND checked_out_at IS NULL
            WHEN 'completed' THEN checked_in_at IS NOT NULL AND checked_out_at IS NOT NULL
                                  AND checked_out_at >= checked_in_at
            ELSE true
        END)
);
CREATE INDEX bookings_restaurant_date_idx ON @extschema@.bookings (restaurant_id, booking_date, start_time);
CREATE INDEX bookings_assigned_zone_idx ON @extschema@.bookings (restaurant_id, assigned_zone_id)
    WHERE assigned_zone_id IS NOT NULL;
CREATE INDEX idx_bookings_auto_assign_idempotency_key
    ON @extschema@.bookings (restaurant_id, auto_assign_idempotency_key)
    WHERE auto_assign_idempotency_key IS NOT NULL;
CREATE TRIGGER bookings_updated_at
    BEFORE UPDATE ON @extschema@.bookings
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION @extschema@.pg_seating_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Allocations: the conflict-safe ledger of who uses which resource when.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE @extschema@.allocations (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    booking_id uuid,
    resource_type text NOT NULL,
    resource_id uuid NOT NULL,
    "window" tstzrange NOT NULL,
    shadow boolean NOT NULL DEFAULT false,
    is_maintenance boolean NOT NULL DEFAULT false,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT allocations_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT allocations_booking_fkey FOREIGN KEY (restaurant_id, booking_id)
        REFERENCES @extschema@.bookings (restaurant_id, id) ON DELETE CASCADE,
    CONSTRAINT allocations_resource_type_check CHECK (resource_type IN ('table', 'hold', 'merge_group')),
    CONSTRAINT allocations_window_check CHECK (
        NOT isempty("window") AND NOT lower_inf("window") AND NOT upper_inf("window")),
    CONSTRAINT allocations_booking_resource_key UNIQUE (restaurant_id, booking_id, resource_type, resource_id),
    -- No two non-shadow rows of one resource may overlap in time. Shadow rows (backfill mirrors)
    -- never conflict with anything.
    CONSTRAINT allocations_no_overlap EXCLUDE USING gist (
        restaurant_id WITH =, resource_type WITH =, resource_id WITH =, "window" WITH &&)
        WHERE (NOT shadow) DEFERRABLE INITIALLY IMMEDIATE
);
-- Lookups by (restaurant, resource, window) use the exclusion constraint's GiST index; no
-- second index on the hot table.
CREATE TRIGGER allocations_updated_at
    BEFORE UPDATE ON @extschema@.allocations
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION @extschema@.pg_seating_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Booking table assignments (bta)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE @extschema@.booking_table_assignments (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    booking_id uuid NOT NULL,
    table_id uuid NOT NULL,
    slot_id uuid,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    assigned_by uuid,
    notes text,
    idempotency_key text,
    start_at timestamptz NOT NULL,
    end_at timestamptz NOT NULL,
    allocation_id uuid,
    -- The id of the booking's `merge_group` allocation when the set has more than one table.
    merge_group_id uuid,
    assignment_window tstzrange GENERATED ALWAYS AS (tstzrange(start_at, end_at, '[)')) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT booking_table_assignments_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT booking_table_assignments_booking_fkey FOREIGN KEY (restaurant_id, booking_id)
        REFERENCES @extschema@.bookings (restaurant_id, id) ON DELETE CASCADE,
    CONSTRAINT booking_table_assignments_table_fkey FOREIGN KEY (restaurant_id, table_id)
        REFERENCES @extschema@.table_inventory (restaurant_id, id) ON DELETE RESTRICT,
    CONSTRAINT booking_table_assignments_slot_fkey FOREIGN KEY (restaurant_id, slot_id)
        REFERENCES @extschema@.booking_slots (restaurant_id, id) ON DELETE NO ACTION,
    CONSTRAINT booking_table_assignments_allocation_fkey FOREIGN KEY (restaurant_id, allocation_id)
        REFERENCES @extschema@.allocations (restaurant_id, id) ON DELETE NO ACTION,
    CONSTRAINT booking_table_assignments_merge_group_fkey FOREIGN KEY (restaurant_id, merge_group_id)
        REFERENCES @extschema@.allocations (restaurant_id, id) ON DELETE NO ACTION,
    CONSTRAINT booking_table_assignments_window_check CHECK (start_at < end_at),
    -- One live assignment per (booking, table). Deliberately no unique (table_id, slot_id)
    -- (seed 001) and no unique (booking_id, idempotency_key) (seed 000).
    CONSTRAINT booking_table_assignments_booking_table_key UNIQUE (restaurant_id, booking_id, table_id),
    CONSTRAINT bta_no_overlap EXCLUDE USING gist (
        restaurant_id WITH =, table_id WITH =, assignment_window WITH &&)
);
CREATE INDEX booking_table_assignments_allocation_idx
    ON @extschema@.booking_table_assignments (restaurant_id, allocation_id);
CREATE INDEX booking_table_assignments_merge_group_idx
    ON @extschema@.booking_table_assignments (restaurant_id, merge_group_id) WHERE merge_group_id IS NOT NULL;
CREATE INDEX booking_table_assignments_slot_idx
    ON @extschema@.booking_table_assignments (restaurant_id, slot_id) WHERE slot_id IS NOT NULL;
CREATE TRIGGER booking_table_assignments_updated_at
    BEFORE UPDATE ON @extschema@.booking_table_assignments
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION @extschema@.pg_seating_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Idempotency ledger: one row per (booking, key); a replay is recognised by key + table-set
-- hash + window.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE @extschema@.booking_assignment_idempotency (
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    booking_id uuid NOT NULL,
    idempotency_key text NOT NULL,
    table_ids uuid[] NOT NULL,
    assignment_window tstzrange NOT NULL,
    merge_group_allocation_id uuid,
    table_set_hash text NOT NULL,
    payload_checksum text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT booking_assignment_idempotency_pkey PRIMARY KEY (restaurant_id, booking_id, idempotency_key),
    CONSTRAINT booking_assignment_idempotency_booking_fkey FOREIGN KEY (restaurant_id, booking_id)
        REFERENCES @extschema@.bookings (restaurant_id, id) ON DELETE CASCADE,
    CONSTRAINT booking_assignment_idempotency_merge_group_fkey FOREIGN KEY (restaurant_id, merge_group_allocation_id)
        REFERENCES @extschema@.allocations (restaurant_id, id) ON DELETE NO ACTION,
    CONSTRAINT booking_assignment_idempotency_key_not_blank CHECK (idempotency_key <> '')
);
CREATE INDEX booking_assignment_idempotency_merge_group_idx
    ON @extschema@.booking_assignment_idempotency (restaurant_id, merge_group_allocation_id)
    WHERE merge_group_allocation_id IS NOT NULL;

-- ---------------------------------------------------------------------------------------------
-- Holds: a short-lived claim on a table set. An active hold whose expires_at is in the future
-- blocks other bookings on its tables for its window; expiry is judged at read time.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE @extschema@.table_holds (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    booking_id uuid,
    zone_id uuid NOT NULL,
    start_at timestamptz NOT NULL,
    end_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    status @extschema@.table_hold_status NOT NULL DEFAULT 'active',
    created_by uuid,
    metadata jsonb NOT NULL DEFAULT '{}',
    session_id uuid,
    last_touched_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT table_holds_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT table_holds_booking_fkey FOREIGN KEY (restaurant_id, booking_id)
        REFERENCES @extschema@.bookings (restaurant_id, id) ON DELETE CASCADE,
    CONSTRAINT table_holds_zone_fkey FOREIGN KEY (restaurant_id, zone_id)
        REFERENCES @extschema@.zones (restaurant_id, id) ON DELETE CASCADE,
    CONSTRAINT table_holds_window_check CHECK (start_at < end_at)
);
CREATE INDEX table_holds_booking_idx ON @extschema@.table_holds (restaurant_id, booking_id)
    WHERE booking_id IS NOT NULL;
CREATE INDEX table_holds_zone_idx ON @extschema@.table_holds (restaurant_id, zone_id);
CREATE INDEX table_holds_active_expiry_idx ON @extschema@.table_holds (restaurant_id, expires_at)
    WHERE status = 'active';
-- 0.2.0: sweep_expired_holds() scans every restaurant's active holds by expiry.
CREATE INDEX table_holds_sweep_idx ON @extschema@.table_holds (expires_at) WHERE status = 'active';
CREATE TRIGGER table_holds_updated_at
    BEFORE UPDATE ON @extschema@.table_holds
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION @extschema@.pg_seating_touch_updated_at();

CREATE TABLE @extschema@.table_hold_members (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    hold_id uuid NOT NULL,
    table_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT table_hold_members_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT table_hold_members_hold_fkey FOREIGN KEY (restaurant_id, hold_id)
        REFERENCES @extschema@.table_holds (restaurant_id, id) ON DELETE CASCADE,
    CONSTRAINT table_hold_members_table_fkey FOREIGN KEY (restaurant_id, table_id)
        REFERENCES @extschema@.table_inventory (restaurant_id, id) ON DELETE RESTRICT,
    CONSTRAINT table_hold_members_hold_table_key UNIQUE (restaurant_id, hold_id, table_id)
);
CREATE INDEX table_hold_members_table_idx ON @extschema@.table_hold_members (restaurant_id, table_id);

-- One row per (hold, table) with the hold's window, kept in step with table_holds and
-- table_hold_members by triggers; the conflict checks read it through its GiST index.
CREATE TABLE @extschema@.table_hold_windows (
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    hold_id uuid NOT NULL,
    table_id uuid NOT NULL,
    booking_id uuid,
    start_at timestamptz NOT NULL,
    end_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    status @extschema@.table_hold_status NOT NULL DEFAULT 'active',
    hold_window tstzrange GENERATED ALWAYS AS (tstzrange(start_at, end_at, '[)')) STORED,
    CONSTRAINT table_hold_windows_pkey PRIMARY KEY (restaurant_id, hold_id, table_id),
    CONSTRAINT table_hold_windows_hold_fkey FOREIGN KEY (restaurant_id, hold_id)
        REFERENCES @extschema@.table_holds (restaurant_id, id) ON DELETE CASCADE,
    CONSTRAINT table_hold_windows_table_fkey FOREIGN KEY (restaurant_id, table_id)
        REFERENCES @extschema@.table_inventory (restaurant_id, id) ON DELETE CASCADE
);
CREATE INDEX table_hold_windows_table_window_idx
    ON @extschema@.table_hold_windows USING gist (restaurant_id, table_id, hold_window);

-- Members inserted or deleted: add or remove the (hold, table) window row.
CREATE FUNCTION @extschema@.pg_seating_sync_hold_member() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO @extschema@.table_hold_windows
               (restaurant_id, hold_id, table_id, booking_id, start_at, end_at, expires_at, status)
        SELECT h.restaurant_id, h.id, NEW.table_id, h.booking_id, h.start_at, h.end_at, h.expires_at, h.status
          FROM @extschema@.table_holds h
         WHERE h.restaurant_id = NEW.restaurant_id AND h.id = NEW.hold_id
        ON CONFLICT (restaurant_id, hold_id, table_id) DO UPDATE
           SET booking_id = EXCLUDED.booking_id, start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at,
               expires_at = EXCLUDED.expires_at, status = EXCLUDED.status;
        RETURN NEW;
    ELSE
        DELETE FROM @extschema@.table_hold_windows w
         WHERE w.restaurant_id = OLD.restaurant_id AND w.hold_id = OLD.hold_id AND w.table_id = OLD.table_id;
        RETURN OLD;
    END IF;
END;
$$;
CREATE TRIGGER table_hold_members_sync
    AFTER INSERT OR DELETE ON @extschema@.table_hold_members
    FOR EACH ROW EXECUTE FUNCTION @extschema@.pg_seating_sync_hold_member();

-- Hold header changed: copy window, expiry, status and booking to its window rows.
CREATE FUNCTION @extschema@.pg_seating_sync_hold_header() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE @extschema@.table_hold_windows w
       SET booking_id = NEW.booking_id, start_at = NEW.start_at, end_at = NEW.end_at,
           expires_at = NEW.expires_at, status = NEW.status
     WHERE w.restaurant_id = NEW.restaurant_id AND w.hold_id = NEW.id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER table_holds_sync_update
    AFTER UPDATE OF start_at, end_at, expires_at, status, booking_id ON @extschema@.table_holds
    FOR EACH ROW EXECUTE FUNCTION @extschema@.pg_seating_sync_hold_header();

-- ---------------------------------------------------------------------------------------------
-- Lifecycle: history, confirmation results, outbox
-- ---------------------------------------------------------------------------------------------
CREATE TABLE @extschema@.booking_state_history (
    id bigint GENERATED BY DEFAULT AS IDENTITY,
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    booking_id uuid NOT NULL,
    from_status @extschema@.booking_status,
    to_status @extschema@.booking_status NOT NULL,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    reason text,
    metadata jsonb NOT NULL DEFAULT '{}',
    CONSTRAINT booking_state_history_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT booking_state_history_booking_fkey FOREIGN KEY (restaurant_id, booking_id)
        REFERENCES @extschema@.bookings (restaurant_id, id) ON DELETE CASCADE
);
CREATE INDEX booking_state_history_booking_idx
    ON @extschema@.booking_state_history (restaurant_id, booking_id, changed_at);

CREATE TABLE @extschema@.booking_confirmation_results (
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    booking_id uuid NOT NULL,
    hold_id uuid NOT NULL,
    idempotency_key text NOT NULL,
    table_ids uuid[] NOT NULL,
    assignment_window tstzrange NOT NULL,
    actor_id uuid,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT booking_confirmation_results_pkey PRIMARY KEY (restaurant_id, booking_id, idempotency_key),
    CONSTRAINT booking_confirmation_results_hold_key UNIQUE (restaurant_id, hold_id),
    CONSTRAINT booking_confirmation_results_booking_fkey FOREIGN KEY (restaurant_id, booking_id)
        REFERENCES @extschema@.bookings (restaurant_id, id) ON DELETE CASCADE
);

CREATE TABLE @extschema@.capacity_outbox (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    booking_id uuid,
    event_type text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    dedupe_key text,
    idempotency_key text,
    attempt_count integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    payload jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT capacity_outbox_pkey PRIMARY KEY (id, restaurant_id),
    CONSTRAINT capacity_outbox_status_check CHECK (status IN ('pending', 'processing', 'done', 'dead'))
);
CREATE UNIQUE INDEX capacity_outbox_dedupe
    ON @extschema@.capacity_outbox (restaurant_id, event_type, coalesce(dedupe_key, ''), coalesce(idempotency_key, ''))
    WHERE status IN ('pending', 'processing');
CREATE INDEX capacity_outbox_due_idx ON @extschema@.capacity_outbox (restaurant_id, status, next_attempt_at);
CREATE TRIGGER capacity_outbox_updated_at
    BEFORE UPDATE ON @extschema@.capacity_outbox
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION @extschema@.pg_seating_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Booking status guard (every status change, through the RPCs or a direct UPDATE)
-- ---------------------------------------------------------------------------------------------
-- * confirmed needs at least one assigned table (the reference's booking_assignment_validation);
-- * cancelled, no_show and completed release the booking's whole table state in the same
--   transaction: assignments, ledger rows, allocations (live and shadow), holds, the zone lock.
CREATE FUNCTION @extschema@.pg_seating_booking_status_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.status = 'confirmed' AND NOT EXISTS (
           SELECT 1 FROM @extschema@.booking_table_assignments a
            WHERE a.restaurant_id = NEW.restaurant_id AND a.booking_id = NEW.id) THEN
        RAISE EXCEPTION 'Cannot confirm booking %: No table assignments exist. Booking must have at least one table assigned before confirmation.', NEW.id
            USING ERRCODE = 'P0001', HINT = 'Use the assign_tables RPC function to assign tables before confirming';
    END IF;
    IF NEW.status IN ('cancelled', 'no_show', 'completed') THEN
        DELETE FROM @extschema@.booking_table_assignments a
         WHERE a.restaurant_id = NEW.restaurant_id AND a.booking_id = NEW.id;
        DELETE FROM @extschema@.booking_assignment_idempotency l
         WHERE l.restaurant_id = NEW.restaurant_id AND l.booking_id = NEW.id;
        DELETE FROM @extschema@.allocations x
         WHERE x.restaurant_id = NEW.restaurant_id AND x.booking_id = NEW.id;
        DELETE FROM @extschema@.table_holds h
         WHERE h.restaurant_id = NEW.restaurant_id AND h.booking_id = NEW.id;
        NEW.assigned_zone_id := NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER bookings_status_guard
    BEFORE UPDATE OF status ON @extschema@.bookings
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION @extschema@.pg_seating_booking_status_guard();


-- ---------------------------------------------------------------------------------------------
-- Reconciliation (seed 003): booking status vs assignment parity
-- ---------------------------------------------------------------------------------------------
-- One row per booking: a confirmed or checked-in booking needs a table; a cancelled, no-show or
-- completed booking holds none; every assignment has its live table allocation and no live
-- table allocation lacks its assignment.
CREATE VIEW @extschema@.booking_assignment_reconciliation AS
SELECT b.id AS booking_id, b.restaurant_id, b.status, n.assignments AS assignment_count,
       p.problem IS NULL AS consistent, p.problem
  FROM @extschema@.bookings b
 CROSS JOIN LATERAL (
        SELECT (SELECT count(*)::int FROM @extschema@.booking_table_assignments a
                 WHERE a.restaurant_id = b.restaurant_id AND a.booking_id = b.id) AS assignments,
               (SELECT count(*)::int FROM @extschema@.allocations x
                 WHERE x.restaurant_id = b.restaurant_id AND x.booking_id = b.id
                   AND x.resource_type = 'table' AND NOT x.shadow) AS allocations,
               (SELECT count(*)::int FROM @extschema@.table_holds h
                 WHERE h.restaurant_id = b.restaurant_id AND h.booking_id = b.id) AS holds) n
 CROSS JOIN LATERAL (
        SELECT CASE
                   WHEN b.status IN ('confirmed', 'checked_in') AND n.assignments = 0
                       THEN b.status || ' booking has no table'
                   WHEN b.status IN ('cancelled', 'no_show', 'completed') AND n.assignments + n.allocations + n.holds > 0
                       THEN b.status || ' booking still holds tables or holds'
                   WHEN n.assignments <> n.allocations
                       THEN format('%s assignments but %s live table allocations', n.assignments, n.allocations)
               END AS problem) p;

