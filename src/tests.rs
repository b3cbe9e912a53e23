//! In-database tests (`cargo pgrx test`): each runs inside the extension's schema in its own
//! transaction, rolled back afterwards. SQLSTATE checks live in the pgTAP suites of pgrx-tests/.

use pgrx::prelude::*;

#[pg_schema]
mod tests {
    use pgrx::prelude::*;

    use crate::domain::error::{Blocker, SeatingError};

    fn uuid(n: u128) -> uuid::Uuid {
        uuid::Uuid::from_u128(n)
    }

    #[pg_test]
    fn version_matches_the_crate() {
        let v = Spi::get_one::<&str>("SELECT pg_seating_version()").unwrap();
        assert_eq!(v, Some(env!("CARGO_PKG_VERSION")));
    }

    #[pg_test(error = "assign_tables_atomic_v2 requires at least one table id")]
    fn raise_reports_the_catalogue_message() {
        crate::api::raise(&SeatingError::NoTableIds { function: "assign_tables_atomic_v2" }, "test");
    }

    #[pg_test(error = "allocations_no_overlap")]
    fn raise_reports_conflicts_by_their_reference_name() {
        crate::api::raise(
            &SeatingError::AllocationOverlap { resource_id: uuid(1), booking_id: uuid(2), blocker: Blocker::Unknown },
            "test",
        );
    }

    #[pg_test]
    fn schema_tables_are_registered_for_pg_dump() {
        let n = Spi::get_one::<i32>(
            "SELECT coalesce(array_length(extconfig, 1), 0) FROM pg_extension WHERE extname = 'pg_seating'",
        )
        .unwrap()
        .unwrap();
        // 16 data tables + the history identity sequence.
        assert_eq!(n, 17);
    }

    #[pg_test]
    fn exclusion_rejects_overlapping_live_allocations_but_not_shadow_rows() {
        Spi::run(
            "INSERT INTO restaurants (id, name, slug) VALUES ('00000000-0000-0000-0000-0000000000a1', 'R', 'r-excl');
             INSERT INTO allocations (restaurant_id, resource_type, resource_id, \"window\", shadow)
             VALUES ('00000000-0000-0000-0000-0000000000a1', 'table', '00000000-0000-0000-0000-0000000000b1',
                     tstzrange('2026-01-01 18:00Z', '2026-01-01 20:00Z'), false),
                    ('00000000-0000-0000-0000-0000000000a1', 'table', '00000000-0000-0000-0000-0000000000b1',
                     tstzrange('2026-01-01 19:00Z', '2026-01-01 21:00Z'), true),
                    ('00000000-0000-0000-0000-0000000000a1', 'table', '00000000-0000-0000-0000-0000000000b1',
                     tstzrange('2026-01-01 20:00Z', '2026-01-01 22:00Z'), false)",
        )
        .unwrap();
        let n = Spi::get_one::<i64>("SELECT count(*) FROM allocations").unwrap().unwrap();
        assert_eq!(n, 3);
    }

    #[pg_test(error = "conflicting key value violates exclusion constraint \"allocations_no_overlap\"")]
    fn exclusion_rejects_overlap() {
        Spi::run(
            "INSERT INTO restaurants (id, name, slug) VALUES ('00000000-0000-0000-0000-0000000000a1', 'R', 'r-excl2');
             INSERT INTO allocations (restaurant_id, resource_type, resource_id, \"window\")
             VALUES ('00000000-0000-0000-0000-0000000000a1', 'table', '00000000-0000-0000-0000-0000000000b1',
                     tstzrange('2026-01-01 18:00Z', '2026-01-01 20:00Z')),
                    ('00000000-0000-0000-0000-0000000000a1', 'table', '00000000-0000-0000-0000-0000000000b1',
                     tstzrange('2026-01-01 19:59Z', '2026-01-01 21:00Z'))",
        )
        .unwrap();
    }
}
