//! Holds through SPI: placing a hold on a table set for a booking, releasing it, sweeping
//! expired ones. One rule everywhere (SPEC §6): an active hold whose `expires_at` is in the future
//! blocks other bookings' assignments and holds on its tables for its window; expiry is judged
//! at read time.

use pgrx::spi::SpiClient;
use uuid::Uuid;

use super::assign::{self, AssignRequest};
use super::plans::{run, Stmt, Ty};
use super::{from_pg, to_pg, ts, uuid_array};
use crate::domain::error::SeatingError;

/// Inserts the hold and its members (the member trigger writes the window rows).
/// $1 restaurant, $2 booking, $3 zone, $4 start, $5 end, $6 ttl seconds, $7 created_by, $8 tables.
pub const INSERT_HOLD: Stmt = Stmt {
    sql: "WITH h AS (
              INSERT INTO table_holds (restaurant_id, booking_id, zone_id, start_at, end_at, expires_at, created_by)
              VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), $7)
              RETURNING id),
          m AS (
              INSERT INTO table_hold_members (restaurant_id, hold_id, table_id)
              SELECT $1, h.id, t FROM h, unnest($8) t
              RETURNING hold_id)
          SELECT (SELECT id FROM h), (SELECT count(*) FROM m)",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Uuid, Ty::TimestampTz, Ty::TimestampTz, Ty::Int4, Ty::Uuid, Ty::UuidArray],
};

/// Deletes one hold (members and windows cascade).
pub const DELETE_HOLD: Stmt = Stmt {
    sql: "DELETE FROM table_holds h WHERE h.id = $1 RETURNING h.restaurant_id",
    args: &[Ty::Uuid],
};

/// Releases one hold and records a `capacity.hold.released` outbox event naming its booking,
/// tables and window (the members are read in the statement's snapshot, before the cascade).
/// $1 hold, $2 actor. No row: no such hold.
pub const RELEASE_HOLD_AND_EMIT: Stmt = Stmt {
    sql: "WITH h AS (
              DELETE FROM table_holds h WHERE h.id = $1
              RETURNING h.id, h.restaurant_id, h.booking_id, h.start_at, h.end_at),
          m AS (
              SELECT coalesce(array_agg(t.table_id ORDER BY t.table_id), '{}') AS tables
                FROM table_hold_members t
               WHERE t.restaurant_id = (SELECT restaurant_id FROM h) AND t.hold_id = $1),
          ob AS (
              INSERT INTO capacity_outbox (restaurant_id, booking_id, event_type, dedupe_key, payload)
              SELECT h.restaurant_id, h.booking_id, 'capacity.hold.released', h.id::text,
                     jsonb_build_object('holdId', h.id, 'bookingId', h.booking_id, 'restaurantId', h.restaurant_id,
                                        'tableIds', to_jsonb((SELECT tables FROM m)), 'startAt', h.start_at,
                                        'endAt', h.end_at, 'actorId', $2, 'source', 'release_hold_and_emit')
                FROM h
              ON CONFLICT (restaurant_id, event_type, coalesce(dedupe_key, ''), coalesce(idempotency_key, ''))
                 WHERE status IN ('pending', 'processing') DO NOTHING
              RETURNING 1)
          SELECT h.id, (SELECT count(*) FROM ob) FROM h",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// Deletes every hold that blocks nobody any more: expired, or no longer active.
pub const SWEEP_HOLDS: Stmt = Stmt {
    // Two index reads (the expired active holds, the inactive ones), not one scan of every hold.
    sql: "WITH d AS (
              DELETE FROM table_holds h
               WHERE (h.restaurant_id, h.id) IN (
                     SELECT x.restaurant_id, x.id FROM table_holds x WHERE x.status = 'active' AND x.expires_at <= now()
                     UNION ALL
                     SELECT x.restaurant_id, x.id FROM table_holds x WHERE x.status <> 'active')
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
    let rows = run(
        client,
        &INSERT_HOLD,
        &[
            to_pg(req.restaurant_id).into(),
            to_pg(req.booking_id).into(),
            to_pg(checked.zone).into(),
            ts(checked.window.start).into(),
            ts(checked.window.end).into(),
            ttl_seconds.into(),
            created_by.map(to_pg).into(),
            uuid_array(&req.table_ids).into(),
        ],
    );
    let id = rows.first().get::<pgrx::Uuid>(1).ok().flatten().map(from_pg);
    Ok(id.unwrap_or_default())
}

/// Releases a hold; false when it does not exist.
pub fn release_hold(client: &mut SpiClient<'_>, hold_id: Uuid) -> bool {
    !run(client, &DELETE_HOLD, &[to_pg(hold_id).into()]).is_empty()
}

/// Releases a hold and emits its outbox event; false when it does not exist.
pub fn release_hold_and_emit(client: &mut SpiClient<'_>, hold_id: Uuid, actor: Option<Uuid>) -> bool {
    !run(client, &RELEASE_HOLD_AND_EMIT, &[to_pg(hold_id).into(), actor.map(to_pg).into()]).is_empty()
}

/// Removes expired and inactive holds; returns how many went.
pub fn sweep(client: &mut SpiClient<'_>) -> i32 {
    run(client, &SWEEP_HOLDS, &[]).first().get::<i32>(1).ok().flatten().unwrap_or(0)
}
