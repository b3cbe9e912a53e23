//! The SQL boundary: `#[pg_extern]` functions, argument decoding, and the one place where a
//! domain error becomes a Postgres error.
//
// (pgrx reads a function's SQL result columns from the literal `TableIterator<(name!(..), ..)>` of
// each `#[pg_extern]`, so those signatures cannot use type aliases.)
#![allow(clippy::type_complexity)]

pub mod allocate;
pub mod assign;
pub mod booking_status;
pub mod booking_update;
pub mod companions;
pub mod lifecycle;
pub mod live_status;
pub mod model;
pub mod null_guard;
pub mod reasons;

use pgrx::pg_sys::panic::ErrorReport;
use pgrx::spi::{Spi, SpiClient};
use pgrx::{PgLogLevel, PgSqlErrorCode};

use std::panic::AssertUnwindSafe;

use pgrx::pg_sys::panic::CaughtError;
use pgrx::PgTryBuilder;

use crate::db::plans::with_generic_plans;
use crate::domain::error::{resource_from_constraint_detail, Blocker, SeatingError, SqlState};

/// Maps a catalogue SQLSTATE to the Postgres error code.
fn pg_code(state: SqlState) -> PgSqlErrorCode {
    match state {
        SqlState::DataException => PgSqlErrorCode::ERRCODE_DATA_EXCEPTION,
        SqlState::NullValueNotAllowed => PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
        SqlState::InvalidParameterValue => PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
        SqlState::ForeignKeyViolation => PgSqlErrorCode::ERRCODE_FOREIGN_KEY_VIOLATION,
        SqlState::CheckViolation => PgSqlErrorCode::ERRCODE_CHECK_VIOLATION,
        SqlState::RaiseException => PgSqlErrorCode::ERRCODE_RAISE_EXCEPTION,
        SqlState::NoDataFound => PgSqlErrorCode::ERRCODE_NO_DATA_FOUND,
        SqlState::TooManyRows => PgSqlErrorCode::ERRCODE_TOO_MANY_ROWS,
        SqlState::AssertFailure => PgSqlErrorCode::ERRCODE_ASSERT_FAILURE,
    }
}

/// Raises `err` as a Postgres ERROR with its SQLSTATE, message, DETAIL and HINT. Never returns:
/// the transaction is aborted and control goes back to Postgres.
pub fn raise(err: &SeatingError, function: &'static str) -> ! {
    let mut report = ErrorReport::new(pg_code(err.sqlstate()), err.message(), function);
    if let Some(detail) = err.detail() {
        report = report.set_detail(detail);
    }
    if let Some(hint) = err.hint() {
        report = report.set_hint(hint);
    }
    report.report(PgLogLevel::ERROR);
    unreachable!("ereport(ERROR) returned")
}

/// How an RPC's body runs (see [`rpc`]).
pub struct Call {
    /// The name a refusal is raised under.
    function: &'static str,
    /// Constraint violations and deadlocks inside become the reference conflict error for this
    /// booking, reported under this name: the function's own, except for the confirm RPCs, which
    /// report conflicts as `assign_tables_atomic_v2` as the reference does.
    conflicts: Option<(&'static str, uuid::Uuid)>,
    /// A companion's restaurant, which answers every lookup (db::route).
    restaurant: Option<uuid::Uuid>,
}

impl Call {
    pub fn named(function: &'static str) -> Call {
        Call { function, conflicts: None, restaurant: None }
    }

    /// Conflicts for `booking` reported under the call's own name.
    pub fn conflicts(self, booking: uuid::Uuid) -> Call {
        let name = self.function;
        self.conflicts_as(name, booking)
    }

    pub fn conflicts_as(mut self, name: &'static str, booking: uuid::Uuid) -> Call {
        self.conflicts = Some((name, booking));
        self
    }

    pub fn routed(mut self, restaurant: Option<uuid::Uuid>) -> Call {
        self.restaurant = restaurant;
        self
    }
}

/// The wrapper every RPC shares: `body` runs in one SPI connection with generic plans and the
/// RPCs' settings (`db::plans::with_generic_plans`), routed to a companion's restaurant when it has
/// one, with conflicts translated when the call asks for it; a refusal is raised as a Postgres
/// error under the call's name.
pub fn rpc<R>(call: Call, body: impl FnOnce(&mut SpiClient<'_>) -> Result<R, SeatingError>) -> R {
    let Call { function, conflicts, restaurant } = call;
    let run = move || {
        let connected = move || with_generic_plans(|| Spi::connect_mut(body));
        match conflicts {
            Some((name, booking)) => translate_conflicts(name, booking, connected),
            None => connected(),
        }
    };
    let result = match restaurant {
        Some(r) => crate::db::route::within(r, run),
        None => run(),
    };
    result.unwrap_or_else(|e| raise(&e, function))
}

/// A required argument: NULL → 22004 naming the function and the argument.
pub fn require(
    function: &'static str,
    argument: &'static str,
    value: Option<pgrx::Uuid>,
) -> Result<uuid::Uuid, SeatingError> {
    value.map(crate::db::from_pg).ok_or(SeatingError::NullArgument { function, argument })
}

/// The body of an `_in_restaurant` companion (SPEC §8): a NULL `p_restaurant_id` is 22004 before
/// anything else; then, on a Citus node that did not delegate the call (PostgREST's call shape),
/// the call is forwarded to the restaurant's worker (`db::forward`); otherwise `f` (the
/// reference-named function's body) runs routed to the restaurant, so every lookup is answered
/// from it.
pub fn in_restaurant<R: crate::db::forward::Forwarded>(
    function: &'static str,
    fcinfo: pgrx::pg_sys::FunctionCallInfo,
    p_restaurant_id: Option<pgrx::Uuid>,
    f: impl FnOnce() -> R,
) -> R {
    let restaurant = require(function, "p_restaurant_id", p_restaurant_id).unwrap_or_else(|e| raise(&e, function));
    if let Some(forwarded) = crate::db::forward::forward(fcinfo, function) {
        return forwarded;
    }
    crate::db::route::within(restaurant, f)
}

/// A `uuid[]` argument as domain ids (NULL elements stay `None`).
pub fn decode_ids(ids: Option<Vec<Option<pgrx::Uuid>>>) -> Option<Vec<Option<uuid::Uuid>>> {
    ids.map(|v| v.into_iter().map(|o| o.map(crate::db::from_pg)).collect())
}

/// An idempotency key: NULL, empty or blank means "no key".
pub fn decode_key(key: Option<String>) -> Option<String> {
    key.filter(|k| !k.trim().is_empty())
}

/// Runs `f`; an exclusion violation (23P01), unique violation (23505) or deadlock (40P01) raised
/// inside becomes P0001 `allocations_no_overlap` naming the resource and the requesting booking
/// (SPEC §4). Nothing else is caught, and nothing continues after the catch: the new error aborts
/// the transaction just as the original would have.
pub fn translate_conflicts<R>(function: &'static str, booking_id: uuid::Uuid, f: impl FnOnce() -> R) -> R {
    let conflict = move |e: CaughtError| -> R {
        let detail = match &e {
            CaughtError::PostgresError(r) | CaughtError::ErrorReport(r) => r.detail().unwrap_or("").to_string(),
            CaughtError::RustPanic { .. } => e.rethrow(),
        };
        let err = SeatingError::AllocationOverlap {
            resource_id: resource_from_constraint_detail(&detail).unwrap_or_default(),
            booking_id,
            blocker: Blocker::Unknown,
        };
        raise(&err, function)
    };
    PgTryBuilder::new(AssertUnwindSafe(f))
        .catch_when(PgSqlErrorCode::ERRCODE_EXCLUSION_VIOLATION, conflict)
        .catch_when(PgSqlErrorCode::ERRCODE_UNIQUE_VIOLATION, conflict)
        .catch_when(PgSqlErrorCode::ERRCODE_T_R_DEADLOCK_DETECTED, conflict)
        .execute()
}
