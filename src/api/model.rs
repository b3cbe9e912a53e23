//! The data model's steps (SPEC §9): the SQL that `pg_seating_install()` applies, in order, to
//! create or migrate the model in the extension's schema. The files live in `sql/model/`; each
//! refers to the schema as `@extschema@`, which the installer replaces with the quoted name of
//! the schema it builds (the extension's, or a scratch schema when `pg_seating_verify()` builds
//! the expected model to compare against).

use pgrx::prelude::*;

/// The model's steps: (number, what it does, its SQL). Never edit a step that has shipped: add one.
pub const STEPS: &[(i32, &str, &str)] = &[
    (1, "base model (as pg_seating 0.1.0-0.3.0 created it)", include_str!("../../sql/model/0001_base.sql")),
    (
        2,
        "0.4.0: surrogate keys for the ledger and confirmation results, one relationship per pair of tables, \
         trigger functions with their owner's rights",
        include_str!("../../sql/model/0002_keys.sql"),
    ),
    (
        3,
        "0.4.0: the app's direct writes keep the invariants (restaurant_id from the parent, direct \
         assignments get their allocation, deleted allocations release their assignment, live holds never \
         overlap, explicit NULLs), undoing a no-show re-seats its tables",
        include_str!("../../sql/model/0003_app_writes.sql"),
    ),
    (
        4,
        "0.4.0: time-first indexes for the busy-table read and the sweep, so reads stay flat as history grows",
        include_str!("../../sql/model/0004_history.sql"),
    ),
    (
        5,
        "0.5.0: every trigger write runs on Citus (no EXCEPTION block, no now() in COALESCE or UPDATE, one \
         row per INSERT), time-ordered uuid ids for booking_state_history instead of a per-node sequence",
        include_str!("../../sql/model/0005_citus.sql"),
    ),
    (6, "0.5.0: comments on the model's tables and key columns", include_str!("../../sql/model/0006_comments.sql")),
    (7, "0.6.0: a comment on every column of the model", include_str!("../../sql/model/0007_column_comments.sql")),
    (
        8,
        "0.6.0: a version of each restaurant's layout, bumped by triggers, so the allocator can keep the layout \
         it read",
        include_str!("../../sql/model/0008_layout_versions.sql"),
    ),
    (
        9,
        "0.6.0: bookings.keep_tables, so that making room never moves a booking marked so",
        include_str!("../../sql/model/0009_keep_tables.sql"),
    ),
    (
        10,
        "0.7.0: a hash index on bookings.id, so that a booking's lookup by id costs the same however many \
         bookings are kept",
        include_str!("../../sql/model/0010_booking_id_hash.sql"),
    ),
    (
        11,
        "0.8.0: a guard before the model's triggers, so that a role under row-level security naming another \
         restaurant's booking, hold or table gets the answer a missing id gets (42501)",
        include_str!("../../sql/model/0011_tenant_guard.sql"),
    ),
    (
        12,
        "0.8.0: the assignment row owns its allocation: a live allocation that backs an assignment cannot be \
         deleted on its own (the app's prune after \"add table\" keeps both tables), and deleting the assignment \
         row releases the table as unassign does",
        include_str!("../../sql/model/0012_assignment_owns_its_allocation.sql"),
    ),
];

/// The model version this code expects: the last step.
#[cfg(any(test, feature = "pg_test"))]
pub fn latest() -> i32 {
    STEPS.last().map(|s| s.0).unwrap_or(0)
}

/// Every step of the data model with its SQL (internal: used by `pg_seating_install()` and
/// `pg_seating_verify()`).
#[pg_extern(immutable, parallel_safe)]
fn pg_seating_model_steps(
) -> TableIterator<'static, (name!(step, i32), name!(description, &'static str), name!(sql, &'static str))> {
    TableIterator::new(STEPS.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_from_one_without_gaps() {
        for (i, (n, _, _)) in STEPS.iter().enumerate() {
            assert_eq!(*n as usize, i + 1);
        }
        assert_eq!(latest(), STEPS.len() as i32);
    }

    #[test]
    fn steps_name_the_schema_only_through_the_placeholder() {
        for (n, _, sql) in STEPS {
            assert!(sql.contains("@extschema@"), "step {n}");
            assert!(!sql.contains("public."), "step {n} names public");
            assert!(!sql.contains("pg_extension_config_dump"), "step {n}: the model is not the extension's");
        }
    }
}
