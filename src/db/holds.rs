//! Holds through SPI: placing a hold on a table set for a booking, releasing it, sweeping
//! expired ones. One rule everywhere (SPEC §6): an active hold whose `expires_at` is in the future
//! blocks other bookings' assignments and holds on its tables for its window; expiry is judged
//! at read time.

use pgrx::spi::SpiClient;
use uuid::Uuid;

use super::assign::{self, AssignRequest};
use super::columns::Columns;
use super::lifecycle::hold_owner;
use super::plans::{run, Stmt, Ty};
use super::{from_pg, now, to_pg, ts, uuid_array};
use crate::domain::error::SeatingError;

/// Inserts the hold row; returns its id. $1 restaurant, $2 booking, $3 zone, $4 start, $5 end,
/// $6 expiry, $7 created_by.
pub const INSERT_HOLD: Stmt = Stmt {
    name: "INSERT_HOLD",
    sql: "INSERT INTO table_holds (restaurant_id, booking_id, zone_id, start_at, end_at, expires_at, created_by)
          VALUES ($1, $2, $3, $4, $5, $6, $7)
          RETURNING id",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Uuid, Ty::TimestampTz, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid],
};

/// One member of a hold (the member trigger writes its window row). $1 restaurant, $2 hold, $3 table.
pub const INSERT_HOLD_MEMBER: Stmt = Stmt {
    name: "INSERT_HOLD_MEMBER",
    sql: "INSERT INTO table_hold_members (restaurant_id, hold_id, table_id) VALUES ($1, $2, $3)",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Uuid],
};

/// Locks a hold before its release and reads what its event names: booking, window, tables.
pub const LOCK_HOLD_FOR_RELEASE: Stmt = Stmt {
    name: "LOCK_HOLD_FOR_RELEASE",
    sql: "SELECT h.booking_id, h.start_at, h.end_at,
                 ARRAY(SELECT m.table_id FROM table_hold_members m
                        WHERE m.restaurant_id = $1 AND m.hold_id = h.id ORDER BY m.table_id)
            FROM table_holds h
           WHERE h.restaurant_id = $1 AND h.id = $2
             FOR UPDATE",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// Deletes one hold (members and windows cascade); a row when it existed.
pub const DELETE_HOLD: Stmt = Stmt {
    name: "DELETE_HOLD",
    sql: "DELETE FROM table_holds h WHERE h.restaurant_id = $1 AND h.id = $2 RETURNING 1",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// The `capacity.hold.released` event of a released hold (deduplicated while pending).
/// $1 restaurant, $2 booking, $3 hold, $4 tables, $5 start, $6 end, $7 actor.
pub const INSERT_HOLD_RELEASED_EVENT: Stmt = Stmt {
    name: "INSERT_HOLD_RELEASED_EVENT",
    sql: "INSERT INTO capacity_outbox (restaurant_id, booking_id, event_type, dedupe_key, payload)
          VALUES ($1, $2, 'capacity.hold.released', $3::text,
                  pg_catalog.jsonb_build_object('holdId', $3, 'bookingId', $2, 'restaurantId', $1,
                                     'tableIds', pg_catalog.to_jsonb($4), 'startAt', $5,
                                     'endAt', $6, 'actorId', $7, 'source', 'release_hold_and_emit'))
          ON CONFLICT (restaurant_id, event_type, coalesce(dedupe_key, ''), coalesce(idempotency_key, ''))
             WHERE status IN ('pending', 'processing') DO NOTHING",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid],
};

/// Deletes every hold that blocks nobody any more: expired, or no longer active.
pub const SWEEP_HOLDS: Stmt = Stmt {
    name: "SWEEP_HOLDS",
    // Two index reads (the expired active holds, the inactive ones), not one scan of every hold.
    sql: "WITH d AS (
              DELETE FROM table_holds h
               WHERE (h.restaurant_id, h.id) IN (
                     SELECT x.restaurant_id, x.id FROM table_holds x WHERE x.status OPERATOR(pg_catalog.=) 'active' AND x.expires_at <= now()
                     UNION ALL
                     SELECT x.restaurant_id, x.id FROM table_holds x WHERE x.status OPERATOR(pg_catalog.<>) 'active')
              RETURNING 1)
          SELECT count(*)::int4 FROM d",
    args: &[],
};

/// Places a hold: the booking is locked, the window derived, the tables locked in id order and
/// validated exactly as for an assignment, and other bookings' live holds, allocations and
/// assignments refuse it. Returns the hold id.
pub fn create_hold(
    client: &mut SpiClient<'_>,
    req: &AssignRequest,
    ttl_seconds: i32,
    created_by: Option<Uuid>,
) -> Result<Uuid, SeatingError> {
    if ttl_seconds <= 0 {
        return Err(SeatingError::InvalidHoldTtl { seconds: ttl_seconds.into() });
    }
    let checked = assign::check(client, req)?;
    let r = to_pg(req.restaurant_id);
    let expires = now().saturating_add(i64::from(ttl_seconds) * 1_000_000);
    crate::domain::window::hold_within(req.booking_id, checked.window, expires, ttl_seconds.into())?;
    let id: Option<pgrx::Uuid> = run(
        client,
        &INSERT_HOLD,
        &[
            r.into(),
            to_pg(req.booking_id).into(),
            to_pg(checked.zone).into(),
            ts(checked.window.start).into(),
            ts(checked.window.end).into(),
            ts(expires).into(),
            created_by.map(to_pg).into(),
        ],
    )
    .first()
    .col(1, &INSERT_HOLD);
    let id: pgrx::Uuid = id.unwrap_or_else(|| pgrx::error!("pg_seating: INSERT_HOLD returned no id"));
    for &table in &req.table_ids {
        run(client, &INSERT_HOLD_MEMBER, &[r.into(), id.into(), to_pg(table).into()]);
    }
    Ok(from_pg(id))
}

/// Releases a hold of a known restaurant; false when it does not exist.
pub fn release_hold_in(client: &mut SpiClient<'_>, restaurant_id: Uuid, hold_id: Uuid) -> bool {
    !run(client, &DELETE_HOLD, &[to_pg(restaurant_id).into(), to_pg(hold_id).into()]).is_empty()
}

/// Releases a hold (its restaurant looked up first); false when it does not exist.
pub fn release_hold(client: &mut SpiClient<'_>, hold_id: Uuid) -> bool {
    match hold_owner(client, hold_id) {
        Some((restaurant_id, _)) => release_hold_in(client, restaurant_id, hold_id),
        None => false,
    }
}

/// Releases a hold of a known restaurant and emits its outbox event; false when it does not exist.
pub fn release_hold_and_emit_in(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    hold_id: Uuid,
    actor: Option<Uuid>,
) -> bool {
    let r = to_pg(restaurant_id);
    let h = to_pg(hold_id);
    let locked = run(client, &LOCK_HOLD_FOR_RELEASE, &[r.into(), h.into()]);
    if locked.is_empty() {
        return false;
    }
    let row = locked.first();
    let s = &LOCK_HOLD_FOR_RELEASE;
    let booking: Option<pgrx::Uuid> = row.col(1, s);
    let (start, end) = (row.instant(2, s), row.instant(3, s));
    let tables = uuid_array(&row.uuids(4, s));
    run(client, &DELETE_HOLD, &[r.into(), h.into()]);
    run(
        client,
        &INSERT_HOLD_RELEASED_EVENT,
        &[
            r.into(),
            booking.into(),
            h.into(),
            tables.into(),
            start.map(ts).into(),
            end.map(ts).into(),
            actor.map(to_pg).into(),
        ],
    );
    true
}

/// Releases a hold and emits its outbox event (its restaurant looked up first); false when it
/// does not exist.
pub fn release_hold_and_emit(client: &mut SpiClient<'_>, hold_id: Uuid, actor: Option<Uuid>) -> bool {
    match hold_owner(client, hold_id) {
        Some((restaurant_id, _)) => release_hold_and_emit_in(client, restaurant_id, hold_id, actor),
        None => false,
    }
}

/// Removes expired and inactive holds; returns how many went.
pub fn sweep(client: &mut SpiClient<'_>) -> i32 {
    run(client, &SWEEP_HOLDS, &[]).first().col(1, &SWEEP_HOLDS).unwrap_or(0)
}

/// Every statement this module keeps (`db::kept_statements`; a #[pg_test] prepares each one).
#[cfg(any(test, feature = "pg_test"))]
pub(crate) const STATEMENTS: &[&Stmt] = &[
    &INSERT_HOLD,
    &INSERT_HOLD_MEMBER,
    &LOCK_HOLD_FOR_RELEASE,
    &DELETE_HOLD,
    &INSERT_HOLD_RELEASED_EVENT,
    &SWEEP_HOLDS,
];
