//! The thin SPI layer: kept statements (`plans`), their SQL (`queries`), and the code that locks,
//! reads into domain structs and writes set-based (`assign`, `capacity`).

pub mod allocate;
pub mod assign;
pub mod capacity;
pub mod error_codes;
pub mod holds;
pub mod lifecycle;
pub mod plans;
pub mod update_booking;
pub mod queries;

use pgrx::prelude::*;
use pgrx::spi::SpiResult;
use uuid::Uuid;

use crate::domain::window::Instant;

pub fn to_pg(id: Uuid) -> pgrx::Uuid {
    pgrx::Uuid::from_bytes(*id.as_bytes())
}

pub fn from_pg(id: pgrx::Uuid) -> Uuid {
    Uuid::from_bytes(*id.as_bytes())
}

pub fn uuid_array(ids: &[Uuid]) -> Vec<pgrx::Uuid> {
    ids.iter().copied().map(to_pg).collect()
}

/// An instant as a `timestamptz` (infinite values pass through as Postgres's infinities).
pub fn ts(t: Instant) -> TimestampWithTimeZone {
    TimestampWithTimeZone::try_from(t).unwrap_or_else(|_| {
        if t > 0 { TimestampWithTimeZone::positive_infinity() } else { TimestampWithTimeZone::negative_infinity() }
    })
}

/// A nullable `timestamptz` column as an instant.
pub fn ts_opt(v: SpiResult<Option<TimestampWithTimeZone>>) -> Option<Instant> {
    v.ok().flatten().map(|t| t.into())
}
