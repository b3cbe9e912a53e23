//! The SQL boundary: `#[pg_extern]` functions, argument decoding, and the one place where a
//! domain error becomes a Postgres error.

pub mod assign;
pub mod capacity;

use pgrx::pg_sys::panic::ErrorReport;
use pgrx::{PgLogLevel, PgSqlErrorCode};

use crate::domain::error::{SeatingError, SqlState};

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

/// A required argument: NULL → 22004 naming the function and the argument.
pub fn require(
    function: &'static str,
    argument: &'static str,
    value: Option<pgrx::Uuid>,
) -> Result<uuid::Uuid, SeatingError> {
    value.map(crate::db::from_pg).ok_or(SeatingError::NullArgument { function, argument })
}

/// An idempotency key: NULL, empty or blank means "no key".
pub fn decode_key(key: Option<String>) -> Option<String> {
    key.filter(|k| !k.trim().is_empty())
}
