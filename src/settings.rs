//! `pg_seating.*` settings: the allocator's knobs (SPEC §7), registered when the library loads.

use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting};

use crate::allocator::score::Weights;
use crate::allocator::search::{Interrupt, Policy};

pub static MAX_TABLES: GucSetting<i32> = GucSetting::<i32>::new(5);
pub static MAX_OVERAGE: GucSetting<i32> = GucSetting::<i32>::new(4);
pub static REQUIRE_ADJACENCY: GucSetting<bool> = GucSetting::<bool>::new(true);
/// A companion Citus did not delegate (PostgREST's call shape) forwards itself to the restaurant's
/// worker (`db::forward`). Off only to measure or compare the per-statement route.
pub static FORWARD_COMPANIONS: GucSetting<bool> = GucSetting::<bool>::new(true);
/// Other bookings auto_assign_tables may move to make room (0: making room is off). Default 2:
/// `make bench-online` measured it best of 0-3 for bookings seated one at a time (docs/allocator.md).
pub static MAKE_ROOM_MOVES: GucSetting<i32> = GucSetting::<i32>::new(2);
/// The longest window an assignment or hold may have, in minutes (SPEC §10).
pub static MAX_WINDOW: GucSetting<i32> =
    GucSetting::<i32>::new((crate::domain::window::DEFAULT_MAX_WINDOW / 60_000_000) as i32);
pub static WEIGHT_OVERAGE: GucSetting<f64> = GucSetting::<f64>::new(5.0);
pub static WEIGHT_FRAGMENTATION: GucSetting<f64> = GucSetting::<f64>::new(2.0);
pub static WEIGHT_ZONES: GucSetting<f64> = GucSetting::<f64>::new(4.0);
pub static WEIGHT_TABLES: GucSetting<f64> = GucSetting::<f64>::new(3.0);
pub static WEIGHT_ADJACENCY: GucSetting<f64> = GucSetting::<f64>::new(1.0);
pub static WEIGHT_SCARCITY: GucSetting<f64> = GucSetting::<f64>::new(0.0);
/// On while an RPC runs (set by `db::plans::with_generic_plans`, never by users): the model's
/// trigger for the app's direct deletes of allocations leaves an RPC's own deletes alone (the RPC
/// has released their assignments already).
pub static INTERNAL_CALL: GucSetting<bool> = GucSetting::<bool>::new(false);

/// `pg_seating.max_window` in microseconds.
pub fn max_window() -> i64 {
    i64::from(MAX_WINDOW.get()) * 60_000_000
}

pub fn register() {
    GucRegistry::define_int_guc(
        c"pg_seating.max_window",
        c"Longest window an assignment or hold may cover.",
        c"Default 24 hours. Longer windows are refused with 22023 (SPEC §10); only a superuser may change it.",
        &MAX_WINDOW,
        1,
        7 * 24 * 60,
        GucContext::Suset,
        GucFlags::UNIT_MIN,
    );
    GucRegistry::define_int_guc(
        c"pg_seating.max_tables",
        c"Largest table combination the allocator considers (1-6).",
        c"Default 5. Combinations are of movable tables in one zone.",
        &MAX_TABLES,
        1,
        6,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"pg_seating.max_overage",
        c"Seats a plan may have beyond the party size.",
        c"Default 4.",
        &MAX_OVERAGE,
        0,
        100,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_bool_guc(
        c"pg_seating.require_adjacency",
        c"Combinations must be connected through table_adjacencies.",
        c"Default on.",
        &REQUIRE_ADJACENCY,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_bool_guc(
        c"pg_seating.forward_companions",
        c"On Citus, a companion that was not delegated (e.g. called by PostgREST) forwards itself to its restaurant's worker.",
        c"Default on. Off runs such a call on this node, every statement routed on its own (several times slower).",
        &FORWARD_COMPANIONS,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"pg_seating.make_room_moves",
        c"Other bookings auto_assign_tables may move to other tables when no plan fits (0-3).",
        c"Default 2 (0: making room is off). Only bookings that are pending, pending_allocation or confirmed, hold no \
          live hold, are not marked keep_tables and no other transaction is writing may move.",
        &MAKE_ROOM_MOVES,
        0,
        3,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_bool_guc(
        c"pg_seating.internal_call",
        c"Set by pg_seating while one of its functions runs (internal).",
        c"Superuser-only; pg_seating sets it for the duration of a call.",
        &INTERNAL_CALL,
        GucContext::Suset,
        GucFlags::NO_SHOW_ALL | GucFlags::DISALLOW_IN_FILE,
    );
    let weights: [(&'static std::ffi::CStr, &'static std::ffi::CStr, &'static GucSetting<f64>); 6] = [
        (c"pg_seating.weight_overage", c"Score weight per seat beyond the party (default 5).", &WEIGHT_OVERAGE),
        (
            c"pg_seating.weight_fragmentation",
            c"Score weight per seat outside the largest table (default 2).",
            &WEIGHT_FRAGMENTATION,
        ),
        (c"pg_seating.weight_zones", c"Score weight per extra zone (default 4).", &WEIGHT_ZONES),
        (c"pg_seating.weight_tables", c"Score weight per extra table of a combination (default 3).", &WEIGHT_TABLES),
        (c"pg_seating.weight_adjacency", c"Score weight of a combination's radius (default 1).", &WEIGHT_ADJACENCY),
        (c"pg_seating.weight_scarcity", c"Score weight of the tables' scarcity (default 0).", &WEIGHT_SCARCITY),
    ];
    for (name, description, setting) in weights {
        GucRegistry::define_float_guc(
            name,
            description,
            c"Lower scores rank first.",
            setting,
            0.0,
            1000.0,
            GucContext::Userset,
            GucFlags::default(),
        );
    }
}

/// How many other bookings making room may move (0: off).
pub fn make_room_moves() -> usize {
    MAKE_ROOM_MOVES.get().clamp(0, 3) as usize
}

/// The allocator's interrupt check in the server (SPEC §10): a pending cancel, statement_timeout
/// or terminate is raised here (57014, or FATAL for a terminate) and unwinds out of the search.
fn check_for_interrupts() {
    pgrx::check_for_interrupts!();
}

/// The allocator policy from the current settings, checking for interrupts while it searches.
pub fn policy() -> Policy {
    Policy {
        max_tables: MAX_TABLES.get().clamp(1, 6) as usize,
        max_overage: MAX_OVERAGE.get(),
        require_adjacency: REQUIRE_ADJACENCY.get(),
        weights: Weights {
            overage: WEIGHT_OVERAGE.get(),
            fragmentation: WEIGHT_FRAGMENTATION.get(),
            zones: WEIGHT_ZONES.get(),
            tables: WEIGHT_TABLES.get(),
            adjacency: WEIGHT_ADJACENCY.get(),
            scarcity: WEIGHT_SCARCITY.get(),
        },
        interrupt: Interrupt(check_for_interrupts),
    }
}
