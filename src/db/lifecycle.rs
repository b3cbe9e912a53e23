//! Booking lifecycle through SPI: the compare-and-set status transition with its history row,
//! and the two confirm paths (assignment + transition + hold consumption, all or nothing).

use pgrx::spi::SpiClient;
use pgrx::JsonB;
use uuid::Uuid;

use super::assign::{self, AssignRequest, AssignedRow};
use super::plans::{run, Stmt, Ty};
use super::{from_pg, to_pg, ts, ts_opt, uuid_array};
use crate::domain::error::SeatingError;
use crate::domain::state::{self, Status};
use crate::domain::window::{Instant, Window};

/// Locks the booking row and reads its status, check-in/out instants and the transaction's now().
pub const LOCK_BOOKING_STATUS: Stmt = Stmt {
    sql: "SELECT b.status::text, b.checked_in_at, b.checked_out_at, now()
            FROM bookings b
           WHERE b.restaurant_id = $1 AND b.id = $2
             FOR NO KEY UPDATE",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// Writes the new status (the status guard trigger confirms / releases) and the history row.
pub const APPLY_TRANSITION: Stmt = Stmt {
    sql: "WITH u AS (
              UPDATE bookings
                 SET status = $3::booking_status, checked_in_at = $4, checked_out_at = $5,
                     updated_at = coalesce($6, now())
               WHERE restaurant_id = $1 AND id = $2
              RETURNING status::text, checked_in_at, checked_out_at, updated_at),
          h AS (
              INSERT INTO booking_state_history
                     (restaurant_id, booking_id, from_status, to_status, changed_by, changed_at, reason, metadata)
              SELECT $1, $2, $7::booking_status, $8::booking_status, $9, coalesce($10, now()), $11,
                     coalesce($12, '{}'::jsonb)
                FROM u
              RETURNING 1)
          SELECT u.*, (SELECT count(*) FROM h) FROM u",
    args: &[
        Ty::Uuid, Ty::Uuid, Ty::Text, Ty::TimestampTz, Ty::TimestampTz, Ty::TimestampTz, Ty::Text, Ty::Text,
        Ty::Uuid, Ty::TimestampTz, Ty::Text, Ty::Jsonb,
    ],
};

/// A booking's holds on any of the given tables go once the assignment is confirmed (members and
/// windows cascade).
pub const CONSUME_HOLDS: Stmt = Stmt {
    sql: "DELETE FROM table_holds h
           WHERE h.restaurant_id = $1 AND h.booking_id = $2
             AND EXISTS (SELECT 1 FROM table_hold_members m
                          WHERE m.restaurant_id = h.restaurant_id AND m.hold_id = h.id AND m.table_id = ANY($3))",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray],
};

/// Seed 003: a confirm made with the booking's deterministic auto-assign key records the key and
/// the result on the booking, once (a replay changes nothing).
/// $1 restaurant, $2 booking, $3 key, $4 result.
pub const RECORD_AUTO_ASSIGN: Stmt = Stmt {
    sql: "UPDATE bookings b
             SET auto_assign_idempotency_key = $3, auto_assign_last_result = $4, updated_at = now()
           WHERE b.restaurant_id = $1 AND b.id = $2
             AND $3 = pg_seating_auto_assign_key(b.id, b.start_at, b.end_at)
             AND b.auto_assign_idempotency_key IS DISTINCT FROM $3",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text, Ty::Jsonb],
};

/// What a transition asks for (reference §2.6 arguments, decoded).
pub struct TransitionRequest {
    pub restaurant_id: Uuid,
    pub booking_id: Uuid,
    pub status: Status,
    pub checked_in_at: Option<Instant>,
    pub checked_out_at: Option<Instant>,
    pub updated_at: Option<Instant>,
    /// The status the caller expects the booking to have now (compare-and-set).
    pub history_from: Status,
    pub history_to: Status,
    pub changed_by: Option<Uuid>,
    pub changed_at: Option<Instant>,
    pub reason: Option<String>,
    pub metadata: Option<serde_json::Value>,
}

/// The booking's status columns after the transition.
#[derive(Debug, Clone)]
pub struct TransitionResult {
    pub status: Status,
    pub checked_in_at: Option<Instant>,
    pub checked_out_at: Option<Instant>,
    pub updated_at: Instant,
}

/// The locked booking's current status, or `BookingNotFound`.
pub fn lock_status(client: &mut SpiClient<'_>, restaurant_id: Uuid, booking_id: Uuid) -> Result<(Status, Option<Instant>, Option<Instant>, Instant), SeatingError> {
    let rows = run(client, &LOCK_BOOKING_STATUS, &[to_pg(restaurant_id).into(), to_pg(booking_id).into()]);
    if rows.is_empty() {
        return Err(SeatingError::BookingNotFound { booking_id });
    }
    let row = rows.first();
    let label: String = row.get(1).ok().flatten().unwrap_or_default();
    let status = Status::parse(&label).ok_or(SeatingError::UnknownStatus { label })?;
    Ok((status, ts_opt(row.get(2)), ts_opt(row.get(3)), ts_opt(row.get(4)).unwrap_or(0)))
}

/// Compare-and-set: the booking must be in `history_from`, the move must be allowed, and the
/// lifecycle timestamps follow the target status. Writes one history row.
pub fn transition(client: &mut SpiClient<'_>, req: &TransitionRequest) -> Result<TransitionResult, SeatingError> {
    let (current, current_in, current_out, now) = lock_status(client, req.restaurant_id, req.booking_id)?;
    if current != req.history_from {
        return Err(SeatingError::StateConflict {
            current: current.label().into(),
            expected: req.history_from.label().into(),
        });
    }
    state::check_transition(current, req.status)?;
    let (checked_in, checked_out) =
        state::lifecycle_timestamps(req.status, req.checked_in_at, req.checked_out_at, current_in, current_out, now);
    let rows = run(
        client,
        &APPLY_TRANSITION,
        &[
            to_pg(req.restaurant_id).into(),
            to_pg(req.booking_id).into(),
            req.status.label().into(),
            checked_in.map(ts).into(),
            checked_out.map(ts).into(),
            req.updated_at.map(ts).into(),
            req.history_from.label().into(),
            req.history_to.label().into(),
            req.changed_by.map(to_pg).into(),
            req.changed_at.map(ts).into(),
            req.reason.as_deref().into(),
            req.metadata.clone().map(JsonB).into(),
        ],
    );
    let row = rows.first();
    Ok(TransitionResult {
        status: req.status,
        checked_in_at: ts_opt(row.get(2)),
        checked_out_at: ts_opt(row.get(3)),
        updated_at: ts_opt(row.get(4)).unwrap_or(now),
    })
}

/// Keys made by `auto_assign_idempotency_key()` start with this.
const AUTO_ASSIGN_PREFIX: &str = "auto-assign:";

/// How a confirm moves the booking's status after the assignment.
pub struct ConfirmTransition {
    pub target: Option<Status>,
    pub changed_by: Option<Uuid>,
    pub reason: String,
    pub metadata: Option<serde_json::Value>,
}

/// The shared confirm core: assign (every `assign_tables_atomic_v2` rule and error), refuse an
/// empty result, move the status from what it was to the target (compare-and-set), and consume
/// the booking's holds on the assigned tables. Any refusal aborts the whole call.
pub fn confirm(
    client: &mut SpiClient<'_>,
    assign_req: &AssignRequest,
    how: &ConfirmTransition,
) -> Result<Vec<AssignedRow>, SeatingError> {
    // The status before the assignment (only a transition needs it; the core locks the booking).
    let before = match how.target {
        Some(_) => Some(lock_status(client, assign_req.restaurant_id, assign_req.booking_id)?.0),
        None => None,
    };
    let rows = assign::assign(client, assign_req)?;
    if rows.is_empty() {
        return Err(SeatingError::NoAssignmentsReturned { booking_id: assign_req.booking_id });
    }
    if let (Some(target), Some(before)) = (how.target, before) {
        if target != before {
            transition(
                client,
                &TransitionRequest {
                    restaurant_id: assign_req.restaurant_id,
                    booking_id: assign_req.booking_id,
                    status: target,
                    checked_in_at: None,
                    checked_out_at: None,
                    updated_at: None,
                    history_from: before,
                    history_to: target,
                    changed_by: how.changed_by,
                    changed_at: None,
                    reason: Some(how.reason.clone()),
                    metadata: how.metadata.clone(),
                },
            )?;
        }
    }
    let tables: Vec<Uuid> = rows.iter().map(|r| r.table_id).collect();
    run(
        client,
        &CONSUME_HOLDS,
        &[to_pg(assign_req.restaurant_id).into(), to_pg(assign_req.booking_id).into(), uuid_array(&tables).into()],
    );
    if let Some(key) = &assign_req.idempotency_key {
        if key.starts_with(AUTO_ASSIGN_PREFIX) {
            let result = serde_json::json!({
                "outcome": if how.target.is_some() { "confirmed" } else { "assigned" },
                "tableIds": tables.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                "mergeGroupId": rows[0].merge_group_id.map(|m| m.to_string()),
                "status": how.target.map(|s| s.label()),
            });
            run(
                client,
                &RECORD_AUTO_ASSIGN,
                &[
                    to_pg(assign_req.restaurant_id).into(),
                    to_pg(assign_req.booking_id).into(),
                    key.as_str().into(),
                    JsonB(result).into(),
                ],
            );
        }
    }
    Ok(rows)
}

/// The hold a `confirm_hold_assignment_tx` call is about, read after the booking lock.
pub struct HoldFacts {
    pub booking_id: Option<Uuid>,
    pub window: (Option<Instant>, Option<Instant>),
    pub expires_at_text: String,
    pub active: bool,
    pub live: bool,
    pub policy_version: Option<String>,
    pub adjacency_hash: Option<String>,
    pub tables: Vec<Uuid>,
}

/// The restaurant and booking of a hold (unlocked; the booking is locked next).
pub const HOLD_OWNER: Stmt = Stmt {
    sql: "SELECT h.restaurant_id, h.booking_id FROM table_holds h WHERE h.id = $1",
    args: &[Ty::Uuid],
};

/// Locks the hold row (after the booking row: the global order is booking, hold, tables).
pub const LOCK_HOLD: Stmt = Stmt {
    sql: "SELECT h.booking_id, h.start_at, h.end_at,
                 to_char(h.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                 h.status = 'active', h.expires_at > now(),
                 h.metadata->>'policyVersion', h.metadata#>>'{selection,snapshot,adjacency,hash}',
                 ARRAY(SELECT m.table_id FROM table_hold_members m
                        WHERE m.restaurant_id = h.restaurant_id AND m.hold_id = h.id ORDER BY m.table_id)
            FROM table_holds h
           WHERE h.restaurant_id = $1 AND h.id = $2
             FOR NO KEY UPDATE",
    args: &[Ty::Uuid, Ty::Uuid],
};

pub fn hold_owner(client: &mut SpiClient<'_>, hold_id: Uuid) -> Option<(Uuid, Option<Uuid>)> {
    let rows = run(client, &HOLD_OWNER, &[to_pg(hold_id).into()]);
    if rows.is_empty() {
        return None;
    }
    let row = rows.first();
    let restaurant = row.get::<pgrx::Uuid>(1).ok().flatten().map(from_pg)?;
    Some((restaurant, row.get::<pgrx::Uuid>(2).ok().flatten().map(from_pg)))
}

pub fn lock_hold(client: &mut SpiClient<'_>, restaurant_id: Uuid, hold_id: Uuid) -> Option<HoldFacts> {
    let rows = run(client, &LOCK_HOLD, &[to_pg(restaurant_id).into(), to_pg(hold_id).into()]);
    if rows.is_empty() {
        return None;
    }
    let row = rows.first();
    let tables: Vec<Option<pgrx::Uuid>> = row.get(9).ok().flatten().unwrap_or_default();
    Some(HoldFacts {
        booking_id: row.get::<pgrx::Uuid>(1).ok().flatten().map(from_pg),
        window: (ts_opt(row.get(2)), ts_opt(row.get(3))),
        expires_at_text: row.get::<String>(4).ok().flatten().unwrap_or_default(),
        active: row.get::<bool>(5).ok().flatten().unwrap_or(false),
        live: row.get::<bool>(6).ok().flatten().unwrap_or(false),
        policy_version: row.get::<String>(7).ok().flatten(),
        adjacency_hash: row.get::<String>(8).ok().flatten(),
        tables: tables.into_iter().flatten().map(from_pg).collect(),
    })
}

/// The recorded confirmation of (booking, key), if any: its hold and table set.
pub const CONFIRMATION_RESULT: Stmt = Stmt {
    sql: "SELECT c.hold_id, c.table_ids FROM booking_confirmation_results c
           WHERE c.restaurant_id = $1 AND c.booking_id = $2 AND c.idempotency_key = $3",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text],
};

/// After a hold-driven confirm: the ledger's payload checksum, the confirmation result, the
/// `capacity.hold.confirmed` event, and the hold itself goes.
/// $1 restaurant, $2 booking, $3 hold, $4 key, $5 tables, $6 start, $7 end, $8 actor.
pub const RECORD_HOLD_CONFIRMATION: Stmt = Stmt {
    sql: "WITH payload AS (
              SELECT jsonb_build_object('bookingId', $2, 'tableIds', to_jsonb($5),
                                        'startAt', to_char($6 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                                        'endAt', to_char($7 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                                        'actorId', $8, 'holdId', $3) AS body),
          led AS (
              UPDATE booking_assignment_idempotency l
                 SET payload_checksum = encode(sha256(convert_to((SELECT body::text FROM payload), 'UTF8')), 'hex')
               WHERE l.restaurant_id = $1 AND l.booking_id = $2 AND l.idempotency_key = $4
              RETURNING 1),
          res AS (
              INSERT INTO booking_confirmation_results
                     (restaurant_id, booking_id, hold_id, idempotency_key, table_ids, assignment_window, actor_id)
              SELECT $1, $2, $3, $4, $5, tstzrange($6, $7), $8 WHERE $4 IS NOT NULL
              ON CONFLICT (restaurant_id, booking_id, idempotency_key) DO UPDATE
                 SET hold_id = EXCLUDED.hold_id, table_ids = EXCLUDED.table_ids,
                     assignment_window = EXCLUDED.assignment_window, actor_id = EXCLUDED.actor_id
              RETURNING 1),
          ob AS (
              INSERT INTO capacity_outbox (restaurant_id, booking_id, event_type, dedupe_key, idempotency_key, payload)
              SELECT $1, $2, 'capacity.hold.confirmed', $2::text || ':' || $3::text || ':hold.confirmed', $4, body
                FROM payload
              ON CONFLICT (restaurant_id, event_type, coalesce(dedupe_key, ''), coalesce(idempotency_key, ''))
                 WHERE status IN ('pending', 'processing') DO NOTHING
              RETURNING 1),
          del AS (
              DELETE FROM table_holds h WHERE h.restaurant_id = $1 AND h.id = $3 RETURNING 1)
          SELECT (SELECT count(*) FROM led), (SELECT count(*) FROM res), (SELECT count(*) FROM ob),
                 (SELECT count(*) FROM del)",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Uuid, Ty::Text, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid],
};

/// What `confirm_hold_assignment_tx` was asked (decoded).
pub struct HoldConfirmRequest {
    pub restaurant_id: Uuid,
    pub hold_id: Uuid,
    pub booking_id: Uuid,
    pub idempotency_key: Option<String>,
    pub require_adjacency: bool,
    pub assigned_by: Option<Uuid>,
    pub window: (Option<Instant>, Option<Instant>),
    pub expected_policy_version: Option<String>,
    pub expected_adjacency_hash: Option<String>,
    pub transition: ConfirmTransition,
}

/// Confirms a hold: booking lock, replay check, hold lock and checks, the confirm core with the
/// hold's tables and window, then the confirmation record, the event, and the hold's removal.
pub fn confirm_hold(client: &mut SpiClient<'_>, req: &HoldConfirmRequest) -> Result<Vec<AssignedRow>, SeatingError> {
    const F: &str = "confirm_hold_assignment_tx";
    let r = to_pg(req.restaurant_id);
    let b = to_pg(req.booking_id);
    lock_status(client, req.restaurant_id, req.booking_id)?;

    // Replay: the key already confirmed this hold → the rows it produced, no writes.
    if let Some(key) = &req.idempotency_key {
        let done = run(client, &CONFIRMATION_RESULT, &[r.into(), b.into(), key.as_str().into()]);
        if !done.is_empty() {
            let row = done.first();
            let hold = row.get::<pgrx::Uuid>(1).ok().flatten().map(from_pg);
            let tables: Vec<Option<pgrx::Uuid>> = row.get(2).ok().flatten().unwrap_or_default();
            if hold != Some(req.hold_id) {
                return Err(SeatingError::IdempotencyMismatch {
                    function: F,
                    booking_id: req.booking_id,
                    reason: crate::domain::error::MismatchReason::TableSet,
                });
            }
            let tables: Vec<pgrx::Uuid> = tables.into_iter().flatten().collect();
            return Ok(assign::replay_rows(client, r, b, &tables));
        }
    }

    let hold = lock_hold(client, req.restaurant_id, req.hold_id).ok_or(SeatingError::HoldNotFound { hold_id: req.hold_id })?;
    if let Some(owner) = hold.booking_id {
        if owner != req.booking_id {
            return Err(SeatingError::HoldBelongsToOtherBooking { hold_id: req.hold_id, owner, expected: req.booking_id });
        }
    }
    if !hold.active || !hold.live {
        return Err(SeatingError::HoldExpired { hold_id: req.hold_id, expired_at: hold.expires_at_text });
    }
    if hold.tables.is_empty() {
        return Err(SeatingError::HoldNoMembers { hold_id: req.hold_id });
    }
    if let (Some(actual), Some(expected)) = (&hold.policy_version, &req.expected_policy_version) {
        if actual != expected {
            return Err(SeatingError::PolicyVersionChanged {
                hold_id: req.hold_id,
                expected: expected.clone(),
                actual: actual.clone(),
            });
        }
    }
    if let (Some(actual), Some(expected)) = (&hold.adjacency_hash, &req.expected_adjacency_hash) {
        if actual != expected {
            return Err(SeatingError::AdjacencySnapshotChanged { hold_id: req.hold_id });
        }
    }
    let (start, end) = match req.window {
        (Some(s), Some(e)) => (s, e),
        (None, None) => match hold.window {
            (Some(s), Some(e)) => (s, e),
            _ => return Err(SeatingError::HoldMissingWindow { hold_id: req.hold_id }),
        },
        _ => return Err(SeatingError::PartialCustomWindow { function: F }),
    };
    let window = Window::new(start, end).ok_or(SeatingError::HoldInvalidWindow { hold_id: req.hold_id })?;

    let assign_req = AssignRequest {
        function: "assign_tables_atomic_v2",
        restaurant_id: req.restaurant_id,
        booking_id: req.booking_id,
        table_ids: hold.tables.clone(),
        idempotency_key: req.idempotency_key.clone(),
        require_adjacency: req.require_adjacency,
        assigned_by: req.assigned_by,
        explicit_start: Some(window.start),
        explicit_end: Some(window.end),
        replace: false,
    };
    let rows = confirm(client, &assign_req, &req.transition)?;
    let tables = uuid_array(&rows.iter().map(|x| x.table_id).collect::<Vec<_>>());
    run(
        client,
        &RECORD_HOLD_CONFIRMATION,
        &[
            r.into(),
            b.into(),
            to_pg(req.hold_id).into(),
            req.idempotency_key.as_deref().into(),
            tables.into(),
            ts(window.start).into(),
            ts(window.end).into(),
            req.assigned_by.map(to_pg).into(),
        ],
    );
    Ok(rows)
}
