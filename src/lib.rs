//! pg_seating: restaurant table allocation inside PostgreSQL.
//!
//! Layout (CONTRIBUTING.md "Layout"): `domain` holds pure rules (no SPI), `allocator` the pure search,
//! `db` the SPI layer (reads, locks, writes), `api` is the SQL boundary,
//! the extension's SQL lives in `sql/*.sql` (loaded by the extension script below) and the data
//! model, which `pg_seating_install()` applies, in `sql/model/`.

use pgrx::prelude::*;

mod allocator;
mod api;
mod db;
mod domain;
mod settings;

/// What the criterion benchmarks (`benches/allocator.rs`) call: the pure search and its inputs.
/// Not an API: every module is private to the extension.
#[doc(hidden)]
pub mod bench {
    pub use crate::allocator::search::{quote, Busy, Policy, Table};
    pub use crate::domain::window::Window;
}

::pgrx::pg_module_magic!(name, version);

/// Registers the `pg_seating.*` settings and the planner guard of the companions
/// (`api::null_guard`) when the library loads.
#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    // SPEC §10: no error carries a Rust backtrace, whatever RUST_BACKTRACE the server runs with.
    // pgrx's panic hook captures one for every error that unwinds through Rust (a statement
    // timeout inside an SPI call, say) and appends it to the DETAIL, which PostgREST forwards to
    // the browser. RUST_LIB_BACKTRACE takes precedence over RUST_BACKTRACE for captured
    // backtraces; it is read on the first capture, which has not happened yet in this library.
    std::env::set_var("RUST_LIB_BACKTRACE", "0");
    settings::register();
    api::null_guard::install();
}

// The extension is code (SPEC §1, §9): SQL-language functions first (everything pgrx generates may
// refer to them), the operator tools, the installer of the data model, and privileges last. No
// table is created here: `pg_seating_install()` creates the model from `sql/model/`.
extension_sql_file!("../sql/api.sql", name = "api", bootstrap);
extension_sql_file!("../sql/operations.sql", name = "operations", requires = ["api"]);
extension_sql_file!("../sql/install.sql", name = "install", requires = ["api"]);
// The booking app's RPCs that are SQL or wrap a core in an exception block.
extension_sql_file!("../sql/app_rpcs.sql", name = "app_rpcs", requires = ["api"]);
// Sharding on Citus (SPEC §8): pg_seating_distribute() / pg_seating_undistribute().
extension_sql_file!("../sql/citus.sql", name = "citus", requires = ["install"]);
extension_sql_file!("../sql/finalize.sql", name = "finalize", finalize);

/// The version of the installed library, e.g. `0.1.0`.
#[pg_extern(immutable, parallel_safe)]
fn pg_seating_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

// In-database tests, compiled only for `cargo pgrx test` (plain `cargo test` stays pure).
#[cfg(feature = "pg_test")]
mod tests;

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}
