//! Reading the columns of a row a kept statement returned.
//!
//! NULL reads as `None`, and so does the first row of a statement that returned none (a lookup
//! that found nothing). Anything else that does not decode — a column the statement does not
//! have, a value of another type — is a slip between a statement and its reader: it raises XX000
//! naming the statement and the column, instead of turning into a nil uuid, 0 or false.

use pgrx::datum::{FromDatum, IntoDatum};
use pgrx::spi::{SpiError, SpiHeapTupleData, SpiResult, SpiTupleTable};
use uuid::Uuid;

use super::from_pg;
use super::plans::Stmt;
use crate::domain::window::Instant;

/// A row of a statement's result: a positioned `SpiTupleTable` or one of its rows.
pub trait Columns {
    /// pgrx's own read of column `n` (1-based).
    fn value<T: IntoDatum + FromDatum>(&self, n: usize) -> SpiResult<Option<T>>;

    /// Column `n` of a row the statement named `statement` returned; `None` for NULL or no row.
    fn read<T: IntoDatum + FromDatum>(&self, n: usize, statement: &str) -> Option<T> {
        match self.value(n) {
            Ok(v) => v,
            Err(SpiError::InvalidPosition) => None,
            Err(e) => pgrx::error!("pg_seating: column {n} of statement {statement} does not decode: {e}"),
        }
    }

    /// Column `n` of a row `stmt` returned; `None` for NULL or no row.
    fn col<T: IntoDatum + FromDatum>(&self, n: usize, stmt: &Stmt) -> Option<T> {
        self.read(n, stmt.name)
    }

    /// A `uuid` column.
    fn uuid(&self, n: usize, stmt: &Stmt) -> Option<Uuid> {
        self.col::<pgrx::Uuid>(n, stmt).map(from_pg)
    }

    /// A `uuid[]` column's ids (NULL elements and a NULL array read as none).
    fn uuids(&self, n: usize, stmt: &Stmt) -> Vec<Uuid> {
        self.col::<Vec<Option<pgrx::Uuid>>>(n, stmt).unwrap_or_default().into_iter().flatten().map(from_pg).collect()
    }

    /// A `timestamptz` column as an instant.
    fn instant(&self, n: usize, stmt: &Stmt) -> Option<Instant> {
        self.col::<pgrx::datum::TimestampWithTimeZone>(n, stmt).map(Into::into)
    }
}

impl Columns for SpiTupleTable<'_> {
    fn value<T: IntoDatum + FromDatum>(&self, n: usize) -> SpiResult<Option<T>> {
        self.get(n)
    }
}

impl Columns for SpiHeapTupleData<'_> {
    fn value<T: IntoDatum + FromDatum>(&self, n: usize) -> SpiResult<Option<T>> {
        self.get(n)
    }
}
