//! Making room (`pg_seating.make_room_moves`, off by default): when no table plan fits a booking,
//! read the bookings of that time that may move, let `allocator::room` find the fewest moves, and
//! commit them and the booking's plan through the assignment core, each move recorded in the
//! booking's history and as a `capacity.assignment.moved` outbox event.
//!
//! May move: bookings of the restaurant holding a table in a window that overlaps the booking's,
//! pending, pending_allocation or confirmed (not checked in), with no live hold, not marked
//! `keep_tables`, and not being written by another transaction (their rows are locked with SKIP
//! LOCKED: a booking someone else holds stays where it is). Every table involved is locked without
//! waiting before anything is written; when one cannot be had, nothing is moved.

use std::collections::HashMap;

use pgrx::spi::SpiClient;
use pgrx::JsonB;
use serde_json::json;
use uuid::Uuid;

use super::allocate::no_transition;
use super::assign::{AssignRequest, AssignedRow};
use super::columns::Columns;
use super::lifecycle::{self, INSERT_HISTORY};
use super::plans::{run, Stmt, Ty};
use super::{to_pg, ts, uuid_array};
use crate::allocator::room::{make_room, RoomPlan, Seated};
use crate::allocator::search::{Busy, Policy};
use crate::domain::error::SeatingError;
use crate::domain::window::Window;

macro_rules! movable_sql {
    () => {
        "SELECT b.id, b.status::text FROM bookings b
          WHERE b.restaurant_id = $1 AND b.id <> $2
            AND b.status OPERATOR(pg_catalog.=) ANY ('{pending,pending_allocation,confirmed}') AND NOT b.keep_tables
            AND b.id IN (SELECT x.booking_id FROM booking_table_assignments x
                          WHERE x.restaurant_id = $1 AND x.end_at > $3 AND x.start_at < $4)
            AND NOT EXISTS (SELECT 1 FROM table_hold_windows w
                             WHERE w.restaurant_id = $1 AND w.booking_id = b.id
                               AND w.status OPERATOR(pg_catalog.=) 'active' AND w.expires_at > $5)
            AND NOT EXISTS (SELECT 1 FROM booking_table_assignments y
                             WHERE y.restaurant_id = $1 AND y.booking_id = b.id AND y.start_at <= $5)
          ORDER BY b.id"
    };
}

/// The bookings that may move ($2 the booking making room, $3/$4 its window, $5 now): pending,
/// pending_allocation or confirmed, not keep_tables, no live hold, and not started (SPEC §7: a
/// window that has begun stays where it is). Read only.
const MOVABLE: Stmt = Stmt {
    name: "MOVABLE",
    sql: movable_sql!(),
    args: &[Ty::Uuid, Ty::Uuid, Ty::TimestampTz, Ty::TimestampTz, Ty::TimestampTz],
};

/// The same, locked (a booking another transaction is writing is skipped, never waited for).
const LOCK_MOVABLE: Stmt = Stmt {
    name: "LOCK_MOVABLE",
    sql: concat!(movable_sql!(), " FOR NO KEY UPDATE OF b SKIP LOCKED"),
    args: &[Ty::Uuid, Ty::Uuid, Ty::TimestampTz, Ty::TimestampTz, Ty::TimestampTz],
};

/// What each of the given bookings holds: party, assignment window, tables.
const SEATED: Stmt = Stmt {
    name: "SEATED",
    sql: "SELECT x.booking_id, b.party_size, min(x.start_at), max(x.end_at), pg_catalog.array_agg(x.table_id ORDER BY x.table_id)
            FROM booking_table_assignments x
            JOIN bookings b ON b.restaurant_id = x.restaurant_id AND b.id = x.booking_id
           WHERE x.restaurant_id = $1 AND x.booking_id = ANY($2)
           GROUP BY x.booking_id, b.party_size
           ORDER BY x.booking_id",
    args: &[Ty::Uuid, Ty::UuidArray],
};

/// A move, for the app to notify from: one event per moved booking and call (the dedupe key names
/// the booking room was made for and the call's statement start, so a booking moved again later in
/// the day, even back and forth between the same tables, gets an event each time).
/// $1 restaurant, $2 booking, $3 from, $4 to, $5 start, $6 end, $7 the booking room was made for,
/// $8 moved by.
const INSERT_MOVED_EVENT: Stmt = Stmt {
    name: "INSERT_MOVED_EVENT",
    sql: "INSERT INTO capacity_outbox (restaurant_id, booking_id, event_type, dedupe_key, payload)
          VALUES ($1, $2, 'capacity.assignment.moved',
                  $2::text || ':' || $7::text || ':' || ((extract(epoch FROM pg_catalog.statement_timestamp()) * 1000000)::bigint)::text || ':'
                      || pg_catalog.array_to_string($4, ','),
                  pg_catalog.jsonb_build_object('bookingId', $2, 'restaurantId', $1, 'fromTableIds', pg_catalog.to_jsonb($3),
                                     'toTableIds', pg_catalog.to_jsonb($4), 'startAt', $5, 'endAt', $6,
                                     'forBookingId', $7, 'movedBy', $8, 'source', 'auto_assign_tables'))
          ON CONFLICT (restaurant_id, event_type, coalesce(dedupe_key, ''), coalesce(idempotency_key, ''))
             WHERE status IN ('pending', 'processing') DO NOTHING",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid, Ty::Uuid],
};

/// The booking's plan with the moves it needs, read without locking (quote_tables), or None.
pub fn quote(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    booking_id: Uuid,
    party: i32,
    window: Window,
    policy: &Policy,
    max_moves: usize,
) -> Option<RoomPlan> {
    let (movable, _) = movable(client, &MOVABLE, restaurant_id, booking_id, window);
    search(client, restaurant_id, booking_id, party, window, policy, max_moves, &movable, &[])
}

/// Makes room and assigns the booking (the core's rows), or None when no moves make it fit or
/// their tables cannot all be locked at once (nothing written then).
#[allow(clippy::too_many_arguments)]
pub fn assign(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    booking_id: Uuid,
    party: i32,
    window: Window,
    key: &str,
    assigned_by: Option<Uuid>,
    policy: &Policy,
    max_moves: usize,
) -> Result<Option<Vec<AssignedRow>>, SeatingError> {
    let (movable, status) = movable(client, &LOCK_MOVABLE, restaurant_id, booking_id, window);
    let r = to_pg(restaurant_id);
    // Tables another transaction is writing count as taken: search again without them. Once every
    // table of a plan is locked, the search runs again on what is committed now (a writer that
    // held one of them until just before is seen): the plan stands when it needs no other table.
    let mut taken: Vec<Uuid> = Vec::new();
    let mut held: Vec<Uuid> = Vec::new();
    let mut found = None;
    for _ in 0..4 {
        let Some(room) = search(client, restaurant_id, booking_id, party, window, policy, max_moves, &movable, &taken)
        else {
            return Ok(None);
        };
        let mut all: Vec<Uuid> =
            room.plan.tables.iter().chain(room.moves.iter().flat_map(|m| &m.to.tables)).copied().collect();
        all.sort_unstable();
        all.dedup();
        if all.iter().all(|t| held.contains(t)) {
            found = Some(room);
            break;
        }
        let want: Vec<Uuid> = all.iter().filter(|t| !held.contains(t)).copied().collect();
        let locked: Vec<Uuid> = run(client, &super::allocate::TRY_LOCK_TABLES, &[r.into(), uuid_array(&want).into()])
            .filter_map(|row| row.uuid(1, &super::allocate::TRY_LOCK_TABLES))
            .collect();
        taken.extend(want.iter().filter(|t| !locked.contains(t)));
        held.extend(locked);
    }
    let Some(room) = found else {
        return Ok(None);
    };
    let now = super::now();
    for m in &room.moves {
        let mut to = m.to.tables.clone();
        to.sort_unstable();
        let req = AssignRequest {
            assigned_by,
            explicit_start: Some(m.window.start),
            explicit_end: Some(m.window.end),
            replace: true,
            ..AssignRequest::new("auto_assign_tables", restaurant_id, m.booking, to.clone())
        };
        lifecycle::confirm(client, &req, &no_transition())?;
        let st = status.get(&m.booking).map(String::as_str).unwrap_or("confirmed");
        let metadata = json!({
            "fromTableIds": m.from.iter().map(Uuid::to_string).collect::<Vec<_>>(),
            "toTableIds": to.iter().map(Uuid::to_string).collect::<Vec<_>>(),
            "forBookingId": booking_id.to_string(),
        });
        run(
            client,
            &INSERT_HISTORY,
            &[
                r.into(),
                to_pg(m.booking).into(),
                st.into(),
                st.into(),
                assigned_by.map(to_pg).into(),
                ts(now).into(),
                format!("moved to other tables to make room for booking {booking_id}").as_str().into(),
                Some(JsonB(metadata)).into(),
            ],
        );
        run(
            client,
            &INSERT_MOVED_EVENT,
            &[
                r.into(),
                to_pg(m.booking).into(),
                uuid_array(&m.from).into(),
                uuid_array(&to).into(),
                ts(m.window.start).into(),
                ts(m.window.end).into(),
                to_pg(booking_id).into(),
                assigned_by.map(to_pg).into(),
            ],
        );
    }
    let mut ids = room.plan.tables.clone();
    ids.sort_unstable();
    let req = AssignRequest {
        idempotency_key: Some(key.to_string()),
        assigned_by,
        replace: true,
        ..AssignRequest::new("auto_assign_tables", restaurant_id, booking_id, ids)
    };
    lifecycle::confirm(client, &req, &no_transition()).map(Some)
}

/// The bookings that may move (by `stmt`: read or locked) with what they hold, and their statuses.
fn movable(
    client: &mut SpiClient<'_>,
    stmt: &Stmt,
    restaurant_id: Uuid,
    booking_id: Uuid,
    window: Window,
) -> (Vec<Seated>, HashMap<Uuid, String>) {
    let r = to_pg(restaurant_id);
    let args =
        [r.into(), to_pg(booking_id).into(), ts(window.start).into(), ts(window.end).into(), ts(super::now()).into()];
    let status: HashMap<Uuid, String> =
        run(client, stmt, &args).filter_map(|row| Some((row.uuid(1, stmt)?, row.col(2, stmt)?))).collect();
    if status.is_empty() {
        return (Vec::new(), status);
    }
    let ids: Vec<Uuid> = status.keys().copied().collect();
    let seated = run(client, &SEATED, &[r.into(), uuid_array(&ids).into()])
        .filter_map(|row| {
            let s = &SEATED;
            let (booking, party) = (row.uuid(1, s)?, row.col(2, s)?);
            let window = Window::new(row.instant(3, s)?, row.instant(4, s)?)?;
            Some(Seated { booking, party, window, tables: row.uuids(5, s) })
        })
        .collect();
    (seated, status)
}

/// The layout, what may not move over the windows involved (and the `taken` tables), and the search.
#[allow(clippy::too_many_arguments)]
fn search(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    booking_id: Uuid,
    party: i32,
    window: Window,
    policy: &Policy,
    max_moves: usize,
    movable: &[Seated],
    taken: &[Uuid],
) -> Option<RoomPlan> {
    if movable.is_empty() {
        return None;
    }
    let layout = super::layout::read(client, restaurant_id);
    let mut ids: Vec<Uuid> = movable.iter().map(|m| m.booking).collect();
    ids.push(booking_id);
    let from = movable.iter().map(|m| m.window.start).chain([window.start]).min().unwrap_or(window.start);
    let to = movable.iter().map(|m| m.window.end).chain([window.end]).max().unwrap_or(window.end);
    let mut fixed = super::allocate::busy_between(client, restaurant_id, &ids, from, to);
    let span = Window { start: from, end: to };
    fixed.extend(taken.iter().map(|&table| Busy { table, window: span }));
    make_room(&layout.tables, &layout.edges, &fixed, movable, party, window, policy, max_moves)
}

/// Every statement this module keeps (`db::kept_statements`; a #[pg_test] prepares each one).
#[cfg(any(test, feature = "pg_test"))]
pub(crate) const STATEMENTS: &[&Stmt] = &[&MOVABLE, &LOCK_MOVABLE, &SEATED, &INSERT_MOVED_EVENT];
