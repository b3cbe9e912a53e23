//! The post-assignment capacity check (reference §2.7, seed 002), called through one hook by every
//! path that writes an assignment.
//!
//! Counting follows the reference: bookings of the restaurant on the booking's date whose status
//! is confirmed, pending or checked_in and whose start lies in the booking's service period,
//! against the best-matching `restaurant_capacity_rules` row. Unlike the reference, no row is
//! locked: the check never becomes a serialisation point between restaurants or service periods.

use std::ffi::CStr;

use pgrx::pg_sys;
use pgrx::spi::SpiClient;
use uuid::Uuid;

use super::columns::Columns;
use super::plans::{run, Stmt, Ty};
use super::to_pg;
use crate::domain::capacity::{kill_switch_off, CapacityVerdict, Usage};
use crate::domain::error::SeatingError;

const KILL_SWITCH: &CStr = c"app.capacity.post_assignment.enabled";
const RULES_TABLE: &CStr = c"restaurant_capacity_rules";

/// Totals and limits for the booking's service period; no row when no rule applies.
pub const CAPACITY_USAGE: Stmt = Stmt {
    name: "CAPACITY_USAGE",
    sql: "WITH bk AS (
              SELECT b.booking_date, b.start_time, extract(dow FROM b.booking_date) AS dow
                FROM bookings b WHERE b.restaurant_id = $1 AND b.id = $2),
          period AS (
              SELECT p.id, p.start_time, p.end_time
                FROM restaurant_service_periods p, bk
               WHERE p.restaurant_id = $1
                 AND (p.day_of_week IS NULL OR p.day_of_week = bk.dow)
                 AND bk.start_time >= p.start_time AND bk.start_time < p.end_time
               ORDER BY p.day_of_week DESC NULLS LAST, p.start_time
               LIMIT 1),
          rule AS (
              SELECT r.max_covers, r.max_parties
                FROM restaurant_capacity_rules r, bk
               WHERE r.restaurant_id = $1
                 AND (r.service_period_id IS NULL OR r.service_period_id = (SELECT id FROM period))
                 AND (r.day_of_week IS NULL OR r.day_of_week = bk.dow)
                 AND (r.effective_date IS NULL OR r.effective_date <= bk.booking_date)
               ORDER BY r.effective_date DESC NULLS LAST, r.day_of_week DESC NULLS LAST,
                        r.service_period_id DESC NULLS LAST
               LIMIT 1)
          SELECT coalesce(sum(o.party_size), 0)::bigint, count(*)::bigint,
                 (SELECT max_covers FROM rule)::bigint, (SELECT max_parties FROM rule)::bigint
            FROM bookings o, bk
           WHERE EXISTS (SELECT 1 FROM rule)
             AND o.restaurant_id = $1 AND o.booking_date = bk.booking_date
             AND o.status OPERATOR(pg_catalog.=) ANY ('{confirmed,pending,checked_in}')
             AND (NOT EXISTS (SELECT 1 FROM period)
                  OR (o.start_time >= (SELECT start_time FROM period)
                      AND o.start_time < (SELECT end_time FROM period)))
          HAVING EXISTS (SELECT 1 FROM rule)",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// The kill switch's current value, if set.
pub fn kill_switch_value() -> Option<String> {
    // SAFETY: a plain GUC lookup; missing_ok = true returns NULL for an unknown placeholder.
    let p = unsafe { pg_sys::GetConfigOption(KILL_SWITCH.as_ptr(), true, false) };
    if p.is_null() {
        None
    } else {
        // SAFETY: GetConfigOption returns a NUL-terminated string owned by the GUC machinery.
        Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }
}

/// Whether `restaurant_capacity_rules` exists in the extension's schema (a syscache lookup, not
/// a catalog query). Seed 002: when it is gone, capacity is unbounded — never 42P01.
pub fn rules_table_exists() -> bool {
    let schema = super::plans::extension_schema();
    // SAFETY: plain syscache lookup by name and namespace.
    schema != pg_sys::InvalidOid
        && unsafe { pg_sys::get_relname_relid(RULES_TABLE.as_ptr(), schema) } != pg_sys::InvalidOid
}

/// Checks the booking's service period against its capacity rule, unless switched off.
pub fn after_assignment(client: &mut SpiClient<'_>, restaurant_id: Uuid, booking_id: Uuid) -> Result<(), SeatingError> {
    if kill_switch_off(kill_switch_value().as_deref()) || !rules_table_exists() {
        return Ok(());
    }
    let rows = run(client, &CAPACITY_USAGE, &[to_pg(restaurant_id).into(), to_pg(booking_id).into()]);
    if rows.is_empty() {
        return Ok(());
    }
    let row = rows.first();
    let s = &CAPACITY_USAGE;
    let usage = Usage {
        covers: row.col(1, s).unwrap_or(0),
        parties: row.col(2, s).unwrap_or(0),
        max_covers: row.col(3, s),
        max_parties: row.col(4, s),
    };
    match usage.verdict() {
        CapacityVerdict::Within => Ok(()),
        CapacityVerdict::Exceeded(err) => Err(err),
    }
}

/// Every statement this module keeps (`db::kept_statements`; a #[pg_test] prepares each one).
#[cfg(any(test, feature = "pg_test"))]
pub(crate) const STATEMENTS: &[&Stmt] = &[&CAPACITY_USAGE];
