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

    /// Reading a kept statement's row (db::columns): NULL and "no row" read as None; a value of
    /// another type, or a column the statement lacks, raises XX000 naming the statement and the
    /// column instead of turning into 0.
    #[pg_test]
    fn a_column_that_does_not_decode_names_its_statement() {
        use crate::db::columns::Columns;
        use pgrx::pg_sys::panic::CaughtError;
        use std::panic::AssertUnwindSafe;

        let raised = |f: &dyn Fn()| -> (String, PgSqlErrorCode) {
            PgTryBuilder::new(AssertUnwindSafe(|| {
                f();
                (String::new(), PgSqlErrorCode::ERRCODE_SUCCESSFUL_COMPLETION)
            }))
            .catch_others(|e| match e {
                CaughtError::ErrorReport(r) | CaughtError::PostgresError(r) => {
                    (r.message().to_string(), r.sql_error_code())
                }
                CaughtError::RustPanic { ereport, .. } => (ereport.message().to_string(), ereport.sql_error_code()),
            })
            .execute()
        };
        Spi::connect(|client| {
            let row = client.select("SELECT 'x'::text, NULL::int4", None, &[]).unwrap().first();
            assert_eq!(row.read::<String>(1, "TWO_COLUMNS"), Some("x".to_string()));
            assert_eq!(row.read::<i32>(2, "TWO_COLUMNS"), None, "NULL");
            let empty = client.select("SELECT 1::int4 WHERE false", None, &[]).unwrap().first();
            assert_eq!(empty.read::<i32>(1, "NO_ROW"), None, "no row");

            let (message, code) = raised(&|| {
                row.read::<i32>(1, "TWO_COLUMNS");
            });
            assert!(message.starts_with("pg_seating: column 1 of statement TWO_COLUMNS does not decode"), "{message}");
            assert_eq!(code, PgSqlErrorCode::ERRCODE_INTERNAL_ERROR);
            let (message, code) = raised(&|| {
                row.read::<String>(3, "TWO_COLUMNS");
            });
            assert!(message.starts_with("pg_seating: column 3 of statement TWO_COLUMNS does not decode"), "{message}");
            assert_eq!(code, PgSqlErrorCode::ERRCODE_INTERNAL_ERROR);
        });
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

    /// Creates the data model inside the test's transaction (rolled back with it): the extension
    /// itself creates no table (SPEC §9).
    fn install_model() {
        Spi::run("SELECT pg_seating_install()").unwrap();
    }

    #[pg_test]
    fn create_extension_creates_no_table_and_install_creates_the_model_outside_the_extension() {
        let tables = "SELECT count(*) FROM pg_class c JOIN pg_seating_model_relations() m USING (relname, relkind)
                       WHERE c.relnamespace = (SELECT extnamespace FROM pg_extension WHERE extname = 'pg_seating')";
        assert_eq!(Spi::get_one::<i64>(tables).unwrap(), Some(0));
        install_model();
        let expected = Spi::get_one::<i64>("SELECT count(*) FROM pg_seating_model_relations()").unwrap();
        assert_eq!(Spi::get_one::<i64>(tables).unwrap(), expected);
        let members = Spi::get_one::<i64>(
            "SELECT count(*) FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'
                AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_seating')",
        )
        .unwrap();
        assert_eq!(members, Some(0), "no relation belongs to the extension");
        let dumped =
            Spi::get_one::<bool>("SELECT extconfig IS NULL FROM pg_extension WHERE extname = 'pg_seating'").unwrap();
        assert_eq!(dumped, Some(true), "nothing registered with pg_extension_config_dump");
        let version = Spi::get_one::<i32>("SELECT max(version) FROM pg_seating_model_versions").unwrap();
        assert_eq!(version, Some(crate::api::model::latest()));
    }

    /// Every statement the SPI layer keeps prepares against a fresh model, under the RPCs' search
    /// path: a misspelt column or a type mismatch in a rarely used statement fails here, naming it,
    /// rather than when some suite first reaches that path. Each is prepared in its own
    /// subtransaction (a PL/pgSQL exception block), so every failure is listed.
    #[pg_test]
    fn every_kept_statement_prepares_against_a_fresh_model() {
        install_model();
        Spi::run(
            "CREATE FUNCTION pg_temp.try_prepare(p_sql text) RETURNS text LANGUAGE plpgsql AS $f$
             BEGIN
                 EXECUTE p_sql;
                 DEALLOCATE pg_seating_kept;
                 RETURN NULL;
             EXCEPTION WHEN OTHERS THEN
                 RETURN SQLSTATE || ' ' || SQLERRM;
             END $f$",
        )
        .unwrap();
        let schema = Spi::get_one::<String>(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_seating'",
        )
        .unwrap()
        .unwrap();
        Spi::run(&format!("SET LOCAL search_path = pg_catalog, {schema}, pg_temp")).unwrap();
        let mut failures = Vec::new();
        let mut prepared = 0;
        for stmt in crate::db::kept_statements() {
            let types: Vec<&str> = stmt.args.iter().map(|t| t.sql_name()).collect();
            let sql = if types.is_empty() {
                format!("PREPARE pg_seating_kept AS {}", stmt.sql)
            } else {
                format!("PREPARE pg_seating_kept({}) AS {}", types.join(", "), stmt.sql)
            };
            match Spi::get_one_with_args::<String>("SELECT pg_temp.try_prepare($1)", &[sql.as_str().into()]).unwrap() {
                None => prepared += 1,
                Some(error) => failures.push(format!("{}: {error}", stmt.name)),
            }
        }
        assert!(failures.is_empty(), "statements that do not prepare: {failures:#?}");
        assert!(prepared > 60, "{prepared} statements");
    }

    /// Every Rust RPC runs its statements with these planner settings (plain index scans, which
    /// mark dead rows' index entries); JIT never compiles one of them (a sequential-scan-only
    /// statement under enable_seqscan = off would cost 1e10 and be compiled on every call), and
    /// they are restored afterwards.
    #[pg_test]
    fn rpcs_run_with_generic_plans_index_scans_and_no_jit() {
        Spi::run("SET jit = on").unwrap();
        let inside = crate::db::plans::with_generic_plans(|| {
            Spi::get_one::<String>(
                "SELECT concat_ws(' ', current_setting('jit'), current_setting('enable_seqscan'),
                                  current_setting('enable_bitmapscan'), current_setting('plan_cache_mode'))",
            )
            .unwrap()
        });
        assert_eq!(inside.as_deref(), Some("off off off force_generic_plan"));
        assert_eq!(Spi::get_one::<String>("SELECT current_setting('jit')").unwrap().as_deref(), Some("on"));
    }

    /// In the RPCs' planner settings a booking's lookup by id goes through the hash index of model
    /// step 10, whose cost does not grow with the bookings kept, and not through the primary key's
    /// B-tree (one more level, one more buffer, per tenfold of bookings).
    #[pg_test]
    fn the_rpcs_find_a_booking_by_id_through_the_hash_index() {
        use crate::db::assign_sql::{BOOKING_RESTAURANT, LOCK_BOOKING, LOCK_BOOKING_FOR_UNASSIGN};
        use crate::db::plans::Ty;
        install_model();
        for (i, stmt) in [&BOOKING_RESTAURANT, &LOCK_BOOKING, &LOCK_BOOKING_FOR_UNASSIGN].into_iter().enumerate() {
            let (types, values): (Vec<&str>, Vec<&str>) = stmt
                .args
                .iter()
                .map(|t| match t {
                    Ty::Uuid => ("uuid", "'00000000-0000-0000-0000-000000000001'"),
                    Ty::Text => ("text", "'UTC'"),
                    other => panic!("{}: no test value for {other:?}", stmt.name),
                })
                .unzip();
            let plan = crate::db::plans::with_generic_plans(|| {
                Spi::run(&format!("PREPARE by_id_{i}({}) AS {}", types.join(", "), stmt.sql)).unwrap();
                Spi::connect(|c| {
                    c.select(&format!("EXPLAIN (COSTS OFF) EXECUTE by_id_{i}({})", values.join(", ")), None, &[])
                        .unwrap()
                        .map(|row| row.get::<String>(1).unwrap().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            });
            assert!(plan.contains("Index Scan using bookings_id_hash on bookings"), "{}:\n{plan}", stmt.name);
        }
    }

    #[pg_test]
    fn exclusion_rejects_overlapping_live_allocations_but_not_shadow_rows() {
        install_model();
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
        install_model();
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
