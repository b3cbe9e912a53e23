//! The thin SPI layer: kept statements (`plans`), their SQL (`queries`), and the code that locks,
//! reads into domain structs and writes (`assign`, `capacity`, `holds`, `lifecycle`, ...); `route`
//! holds the restaurant a companion was called for, and `shards` the local shard tables a call
//! delegated by Citus runs its statements on.

pub mod allocate;
pub mod assign;
pub mod assign_sql;
pub mod booking_update;
pub mod capacity;
pub mod columns;
pub mod error_codes;
pub mod forward;
pub mod holds;
pub mod layout;
pub mod lifecycle;
pub mod plans;
pub mod room;
pub mod route;
pub mod shards;

use pgrx::prelude::*;
use uuid::Uuid;

use crate::domain::window::Instant;

/// Every statement the SPI layer keeps, module by module (each module's `STATEMENTS`). A #[pg_test]
/// prepares each one against a fresh model, so a typo in a rarely used statement fails there and not
/// when a suite first reaches it; a pure test checks that every `Stmt` constant of `src/db/` is listed.
#[cfg(any(test, feature = "pg_test"))]
pub(crate) fn kept_statements() -> impl Iterator<Item = &'static plans::Stmt> {
    [
        allocate::STATEMENTS,
        assign_sql::STATEMENTS,
        booking_update::STATEMENTS,
        capacity::STATEMENTS,
        holds::STATEMENTS,
        layout::STATEMENTS,
        lifecycle::STATEMENTS,
        room::STATEMENTS,
    ]
    .into_iter()
    .flatten()
    .copied()
}

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
        if t > 0 {
            TimestampWithTimeZone::positive_infinity()
        } else {
            TimestampWithTimeZone::negative_infinity()
        }
    })
}

/// The transaction's start (what `now()` returns), read without a statement. Statements take it
/// as a parameter: on Citus `now()` may not appear in RETURNING, CASE/COALESCE or UPDATE SET
/// (SPEC §8 (3)).
pub fn now() -> Instant {
    // SAFETY: reads a field of the current transaction's state.
    unsafe { pgrx::pg_sys::GetCurrentTransactionStartTimestamp() }
}

/// A fresh random (version 4) uuid from the server's strong random source (for ids the writes
/// must know before the row exists, such as a merge group's).
pub fn random_uuid() -> Uuid {
    let mut bytes = [0u8; 16];
    // SAFETY: fills exactly the 16 bytes of `bytes`.
    let ok = unsafe { pgrx::pg_sys::pg_strong_random(bytes.as_mut_ptr().cast(), bytes.len()) };
    if !ok {
        pgrx::error!("pg_seating: could not generate a random uuid");
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

#[cfg(test)]
mod statement_registry_tests {
    use std::collections::BTreeMap;

    /// `(file, constant)` of every `const X: Stmt = Stmt {` in `src/db/`, read from the sources.
    fn declared() -> BTreeMap<String, usize> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db");
        let mut out = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                if let Some(rest) = line.trim_start().split("const ").nth(1) {
                    if let Some(name) = rest.strip_suffix(": Stmt = Stmt {") {
                        *out.entry(name.to_string()).or_insert(0) += 1;
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_stmt_constant_is_listed_once_under_its_own_name() {
        let mut listed = BTreeMap::new();
        for stmt in super::kept_statements() {
            *listed.entry(stmt.name.to_string()).or_insert(0) += 1;
        }
        let declared = declared();
        assert!(declared.len() > 60, "{declared:?}");
        assert_eq!(listed, declared, "each module's STATEMENTS lists its Stmt constants, each named after itself");
    }
}
