-- Model step 8 (0.6.0): a version of each restaurant's seating layout (its tables and adjacency),
-- so that quote_tables and auto_assign_tables can keep the layout they read in the backend and
-- tell from one row whether it is still current. Triggers on table_inventory and
-- table_adjacencies bump the row in the same transaction as the change; a reader takes the row's
-- xmin and version as the layout's identity (a rolled-back change leaves the previous row, whose
-- identity was never given to another layout).
CREATE TABLE @extschema@.restaurant_layout_versions (
    restaurant_id uuid NOT NULL REFERENCES @extschema@.restaurants (id) ON DELETE CASCADE,
    version bigint NOT NULL DEFAULT 1,
    CONSTRAINT restaurant_layout_versions_pkey PRIMARY KEY (restaurant_id)
);
COMMENT ON TABLE @extschema@.restaurant_layout_versions IS 'One row per restaurant whose layout the allocator has seen changed or read: triggers on table_inventory and table_adjacencies bump it with every change, so a backend can reuse the layout it read while the row is the same.';
COMMENT ON COLUMN @extschema@.restaurant_layout_versions.restaurant_id IS 'The restaurant (deleted with it); on Citus the distribution column.';
COMMENT ON COLUMN @extschema@.restaurant_layout_versions.version IS 'Counts the changes to the restaurant''s tables and adjacency (an insert, a delete, or an update of a column the allocator reads).';

-- Existing layouts start at version 1.
INSERT INTO @extschema@.restaurant_layout_versions (restaurant_id)
SELECT DISTINCT t.restaurant_id FROM @extschema@.table_inventory t
ON CONFLICT (restaurant_id) DO NOTHING;

-- A table or adjacency changed: bump its restaurant's layout version (the row is created on a
-- restaurant's first change; a delete only bumps an existing row, as the restaurant may be going).
CREATE FUNCTION @extschema@.pg_seating_touch_layout() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE @extschema@.restaurant_layout_versions v SET version = v.version + 1
         WHERE v.restaurant_id = OLD.restaurant_id;
        RETURN OLD;
    END IF;
    INSERT INTO @extschema@.restaurant_layout_versions AS v (restaurant_id) VALUES (NEW.restaurant_id)
    ON CONFLICT (restaurant_id) DO UPDATE SET version = v.version + 1;
    RETURN NEW;
END;
$$;
CREATE TRIGGER table_inventory_layout_version
    AFTER INSERT OR DELETE OR UPDATE OF id, restaurant_id, table_number, capacity, min_party_size, max_party_size,
        zone_id, mobility, active, status ON @extschema@.table_inventory
    FOR EACH ROW EXECUTE FUNCTION @extschema@.pg_seating_touch_layout();
CREATE TRIGGER table_adjacencies_layout_version
    AFTER INSERT OR DELETE OR UPDATE ON @extschema@.table_adjacencies
    FOR EACH ROW EXECUTE FUNCTION @extschema@.pg_seating_touch_layout();

-- TRUNCATE fires no row trigger: bump every restaurant's version.
CREATE FUNCTION @extschema@.pg_seating_touch_all_layouts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE @extschema@.restaurant_layout_versions v SET version = v.version + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER table_inventory_layout_truncate
    AFTER TRUNCATE ON @extschema@.table_inventory
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.pg_seating_touch_all_layouts();
CREATE TRIGGER table_adjacencies_layout_truncate
    AFTER TRUNCATE ON @extschema@.table_adjacencies
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.pg_seating_touch_all_layouts();
