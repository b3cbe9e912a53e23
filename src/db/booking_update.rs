//! `update_booking_with_capacity_check` (reference §2.8): change a booking's date, times, party and
//! details when its service period has room, answering with the reference's JSON envelope; a time
//! change moves the booking's assignments to the new window, or releases them when their tables
//! are taken then, in the same transaction.

use pgrx::spi::SpiClient;
use pgrx::JsonB;
use serde_json::Value;
use uuid::Uuid;

use super::assign;
use super::assign_sql::{CONFLICTS, RESTAURANT_TIMEZONE};
use super::capacity::{kill_switch_value, rules_table_exists};
use super::columns::Columns;
use super::plans::{run, Stmt, Ty};
use super::{now, to_pg, ts, uuid_array};
use crate::domain::booking_update::{invalid, PeriodUsage};
use crate::domain::capacity::kill_switch_off;
use crate::domain::error::SeatingError;
use crate::domain::window::Window;

/// Locks the booking; returns its window before the update.
const LOCK: Stmt = Stmt {
    name: "LOCK",
    sql: "SELECT start_at, end_at FROM bookings WHERE restaurant_id = $1 AND id = $2 FOR NO KEY UPDATE",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// The new slot's service period, its rule's limits, and the other bookings already in it (every
/// status but `domain::booking_update::NOT_COUNTED`: completed ones count, as in the reference).
const USAGE_WITH_RULES: Stmt = Stmt {
    name: "USAGE_WITH_RULES",
    sql: "WITH period AS (
              SELECT p.id, p.name, p.start_time, p.end_time FROM restaurant_service_periods p
               WHERE p.restaurant_id = $1
                 AND (p.day_of_week IS NULL OR p.day_of_week = extract(dow FROM $3))
                 AND $4 >= p.start_time AND $4 < p.end_time
               ORDER BY p.day_of_week DESC NULLS LAST, p.start_time LIMIT 1),
          rule AS (
              SELECT r.max_covers, r.max_parties FROM restaurant_capacity_rules r
               WHERE r.restaurant_id = $1
                 AND (r.service_period_id IS NULL OR r.service_period_id = (SELECT id FROM period))
                 AND (r.day_of_week IS NULL OR r.day_of_week = extract(dow FROM $3))
                 AND (r.effective_date IS NULL OR r.effective_date <= $3)
               ORDER BY r.effective_date DESC NULLS LAST, r.day_of_week DESC NULLS LAST,
                        r.service_period_id DESC NULLS LAST
               LIMIT 1)
          SELECT (SELECT id FROM period), (SELECT name FROM period),
                 (SELECT max_covers FROM rule)::bigint, (SELECT max_parties FROM rule)::bigint,
                 coalesce(sum(o.party_size), 0)::bigint, pg_catalog.count(o.id)::bigint
            FROM bookings o
           WHERE o.restaurant_id = $1 AND o.booking_date = $3 AND o.id <> $2
             AND o.status OPERATOR(pg_catalog.<>) ALL ('{cancelled,no_show}')
             AND (NOT EXISTS (SELECT 1 FROM period)
                  OR (o.start_time >= (SELECT start_time FROM period) AND o.start_time < (SELECT end_time FROM period)))",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Date, Ty::Time],
};

/// The same without limits (the rules table is absent, or the check is switched off).
const USAGE_WITHOUT_RULES: Stmt = Stmt {
    name: "USAGE_WITHOUT_RULES",
    sql: "WITH period AS (
              SELECT p.id, p.name, p.start_time, p.end_time FROM restaurant_service_periods p
               WHERE p.restaurant_id = $1
                 AND (p.day_of_week IS NULL OR p.day_of_week = extract(dow FROM $3))
                 AND $4 >= p.start_time AND $4 < p.end_time
               ORDER BY p.day_of_week DESC NULLS LAST, p.start_time LIMIT 1)
          SELECT (SELECT id FROM period), (SELECT name FROM period), NULL::bigint, NULL::bigint,
                 coalesce(sum(o.party_size), 0)::bigint, pg_catalog.count(o.id)::bigint
            FROM bookings o
           WHERE o.restaurant_id = $1 AND o.booking_date = $3 AND o.id <> $2
             AND o.status OPERATOR(pg_catalog.<>) ALL ('{cancelled,no_show}')
             AND (NOT EXISTS (SELECT 1 FROM period)
                  OR (o.start_time >= (SELECT start_time FROM period) AND o.start_time < (SELECT end_time FROM period)))",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Date, Ty::Time],
};

/// Writes the booking (instants in the restaurant's time zone $21, read in its own statement;
/// an end before the start rolls over to the next day); returns its new window. $22 now.
const UPDATE_ROW: Stmt = Stmt {
    name: "UPDATE_ROW",
    sql: "UPDATE bookings b
             SET booking_date = $3, start_time = $4, end_time = $5,
                 start_at = ($3 + $4) AT TIME ZONE $21,
                 end_at = (($3 + CASE WHEN $5 < $4 THEN 1 ELSE 0 END) + $5) AT TIME ZONE $21,
                 party_size = $6, booking_type = $7, customer_name = $8, customer_email = $9,
                 customer_phone = $10, seating_preference = $11, notes = $12,
                 marketing_opt_in = coalesce($13, false), customer_id = $14,
                 auth_user_id = coalesce($15, b.auth_user_id),
                 client_request_id = coalesce($16, b.client_request_id),
                 loyalty_points_awarded = coalesce($18, b.loyalty_points_awarded),
                 source = coalesce($19, b.source),
                 details = coalesce(b.details, '{}'::jsonb) || coalesce($17, '{}'::jsonb)
                           || pg_catalog.jsonb_build_object('channel', 'api.capacity_safe', 'client_request_id', $16,
                                                 'capacity_check', $20, 'timezone', $21),
                 updated_at = $22
           WHERE b.restaurant_id = $1 AND b.id = $2
          RETURNING b.start_at, b.end_at",
    args: &[
        Ty::Uuid,
        Ty::Uuid,
        Ty::Date,
        Ty::Time,
        Ty::Time,
        Ty::Int4,
        Ty::Text,
        Ty::Text,
        Ty::Text,
        Ty::Text,
        Ty::Text,
        Ty::Text,
        Ty::Bool,
        Ty::Uuid,
        Ty::Uuid,
        Ty::Text,
        Ty::Jsonb,
        Ty::Int4,
        Ty::Text,
        Ty::Jsonb,
        Ty::Text,
        Ty::TimestampTz,
    ],
};

/// The booking's tables, locked in id order (after the booking row).
const LOCK_ASSIGNED_TABLES: Stmt = Stmt {
    name: "LOCK_ASSIGNED_TABLES",
    sql: "SELECT t.id FROM table_inventory t
           WHERE t.restaurant_id = $1
             AND t.id IN (SELECT a.table_id FROM booking_table_assignments a
                           WHERE a.restaurant_id = $1 AND a.booking_id = $2)
           ORDER BY t.id
             FOR NO KEY UPDATE",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// Moves the booking's assignments to the new window ($5 now); then `MOVE_ALLOCATIONS` and
/// `DROP_LEDGER` (one table per statement, SPEC §8 (4)).
const MOVE_ASSIGNMENTS: Stmt = Stmt {
    name: "MOVE_ASSIGNMENTS",
    sql: "UPDATE booking_table_assignments SET start_at = $3, end_at = $4, updated_at = $5
           WHERE restaurant_id = $1 AND booking_id = $2",
    args: &[Ty::Uuid, Ty::Uuid, Ty::TimestampTz, Ty::TimestampTz, Ty::TimestampTz],
};

/// Moves the booking's live table and merge-group allocations to the new window ($5 now).
const MOVE_ALLOCATIONS: Stmt = Stmt {
    name: "MOVE_ALLOCATIONS",
    sql: r#"UPDATE allocations SET "window" = tstzrange($3, $4), updated_at = $5
           WHERE restaurant_id = $1 AND booking_id = $2 AND resource_type IN ('table', 'merge_group') AND NOT shadow"#,
    args: &[Ty::Uuid, Ty::Uuid, Ty::TimestampTz, Ty::TimestampTz, Ty::TimestampTz],
};

/// The booking's ledger rows recorded the old window, so they go.
const DROP_LEDGER: Stmt = Stmt {
    name: "DROP_LEDGER",
    sql: "DELETE FROM booking_assignment_idempotency WHERE restaurant_id = $1 AND booking_id = $2",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// The decoded arguments (reference §2.8 names).
pub struct BookingUpdate {
    pub booking_id: Uuid,
    pub restaurant_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub booking_date: pgrx::datum::Date,
    pub start_time: pgrx::datum::Time,
    pub end_time: pgrx::datum::Time,
    pub party_size: i32,
    pub booking_type: Option<String>,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    pub seating_preference: Option<String>,
    pub notes: Option<String>,
    pub marketing_opt_in: Option<bool>,
    pub auth_user_id: Option<Uuid>,
    pub client_request_id: Option<String>,
    pub details: Option<Value>,
    pub loyalty_points_awarded: Option<i32>,
    pub source: Option<String>,
}

/// The booking row as the envelope reports it.
const BOOKING_JSON: Stmt = Stmt {
    name: "BOOKING_JSON",
    sql: "SELECT pg_catalog.to_jsonb(b.*) FROM bookings b WHERE b.restaurant_id = $1 AND b.id = $2",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// Runs the update and returns the envelope.
pub fn update(client: &mut SpiClient<'_>, u: &BookingUpdate) -> Result<Value, SeatingError> {
    let r = to_pg(u.restaurant_id);
    let b = to_pg(u.booking_id);
    let locked = run(client, &LOCK, &[r.into(), b.into()]);
    if locked.is_empty() {
        return Ok(invalid("Booking not found for update"));
    }
    let first = locked.first();
    let old = (first.instant(1, &LOCK), first.instant(2, &LOCK));

    let limited = !kill_switch_off(kill_switch_value().as_deref()) && rules_table_exists();
    let usage_stmt = if limited { &USAGE_WITH_RULES } else { &USAGE_WITHOUT_RULES };
    let row = run(client, usage_stmt, &[r.into(), b.into(), u.booking_date.into(), u.start_time.into()]);
    let row = row.first();
    let usage = PeriodUsage {
        period_id: row.uuid(1, usage_stmt).map(|p| p.to_string()),
        period_name: row.col(2, usage_stmt),
        max_covers: row.col(3, usage_stmt),
        max_parties: row.col(4, usage_stmt),
        booked_covers: row.col(5, usage_stmt).unwrap_or(0),
        booked_parties: row.col(6, usage_stmt).unwrap_or(0),
    };
    let party = i64::from(u.party_size);
    if let Some(refusal) = usage.refusal(party) {
        return Ok(refusal);
    }

    let timezone: Option<String> = run(client, &RESTAURANT_TIMEZONE, &[r.into()]).first().col(1, &RESTAURANT_TIMEZONE);
    let updated = run(
        client,
        &UPDATE_ROW,
        &[
            r.into(),
            b.into(),
            u.booking_date.into(),
            u.start_time.into(),
            u.end_time.into(),
            u.party_size.into(),
            u.booking_type.as_deref().into(),
            u.customer_name.as_deref().into(),
            u.customer_email.as_deref().into(),
            u.customer_phone.as_deref().into(),
            u.seating_preference.as_deref().into(),
            u.notes.as_deref().into(),
            u.marketing_opt_in.into(),
            u.customer_id.map(to_pg).into(),
            u.auth_user_id.map(to_pg).into(),
            u.client_request_id.as_deref().into(),
            u.details.clone().map(JsonB).into(),
            u.loyalty_points_awarded.into(),
            u.source.as_deref().into(),
            JsonB(usage.capacity_check(party)).into(),
            timezone.as_deref().into(),
            ts(now()).into(),
        ],
    );
    let row = updated.first();
    let new = (row.instant(1, &UPDATE_ROW), row.instant(2, &UPDATE_ROW));
    let assignments = if old == new { "unchanged" } else { move_or_release(client, u, new)? };
    // The row as it is now (releasing a confirmed booking's tables moves it to pending_allocation).
    let booking: Option<JsonB> = run(client, &BOOKING_JSON, &[r.into(), b.into()]).first().col(1, &BOOKING_JSON);
    Ok(usage.updated(party, booking.map_or(Value::Null, |j| j.0), assignments))
}

/// After a time change: keep the booking's tables when they are free in the new window (other
/// bookings' allocations, assignments and live holds), else release them.
fn move_or_release(
    client: &mut SpiClient<'_>,
    u: &BookingUpdate,
    new: (Option<i64>, Option<i64>),
) -> Result<&'static str, SeatingError> {
    let r = to_pg(u.restaurant_id);
    let b = to_pg(u.booking_id);
    let tables: Vec<Uuid> = run(client, &LOCK_ASSIGNED_TABLES, &[r.into(), b.into()])
        .filter_map(|t| t.uuid(1, &LOCK_ASSIGNED_TABLES))
        .collect();
    if tables.is_empty() {
        return Ok("unchanged");
    }
    let window = match new {
        (Some(s), Some(e)) => Window::new(s, e),
        _ => None,
    };
    if let Some(w) = window {
        let conflicts = run(
            client,
            &CONFLICTS,
            &[r.into(), b.into(), uuid_array(&tables).into(), ts(w.start).into(), ts(w.end).into()],
        );
        if conflicts.is_empty() {
            let (start, end, at) = (ts(w.start), ts(w.end), ts(now()));
            run(client, &MOVE_ASSIGNMENTS, &[r.into(), b.into(), start.into(), end.into(), at.into()]);
            run(client, &MOVE_ALLOCATIONS, &[r.into(), b.into(), start.into(), end.into(), at.into()]);
            run(client, &DROP_LEDGER, &[r.into(), b.into()]);
            return Ok("moved");
        }
    }
    assign::unassign(client, u.restaurant_id, u.booking_id, None, None)?;
    Ok("released")
}

/// Every statement this module keeps (`db::kept_statements`; a #[pg_test] prepares each one).
#[cfg(any(test, feature = "pg_test"))]
pub(crate) const STATEMENTS: &[&Stmt] = &[
    &LOCK,
    &USAGE_WITH_RULES,
    &USAGE_WITHOUT_RULES,
    &UPDATE_ROW,
    &LOCK_ASSIGNED_TABLES,
    &MOVE_ASSIGNMENTS,
    &MOVE_ALLOCATIONS,
    &DROP_LEDGER,
    &BOOKING_JSON,
];
