//! Booking lifecycle through SPI: the compare-and-set status transition with its history row,
//! and the two confirm paths (assignment + transition + hold consumption, all or nothing).

use pgrx::spi::SpiClient;
use pgrx::JsonB;
use uuid::Uuid;

use super::assign::{self, AssignRequest, AssignedRow};
use super::columns::Columns;
use super::plans::{run, Stmt, Ty};
use super::{now, to_pg, ts, uuid_array};
use crate::domain::error::SeatingError;
use crate::domain::hold::{Expected, HoldFacts};
use crate::domain::state::{self, Status};
use crate::domain::window::{Instant, Window};

/// Locks the booking row and reads its status and check-in/out instants.
pub const LOCK_BOOKING_STATUS: Stmt = Stmt {
    name: "LOCK_BOOKING_STATUS",
    sql: "SELECT b.status::text, b.checked_in_at, b.checked_out_at
            FROM bookings b
           WHERE b.restaurant_id = $1 AND b.id = $2
             FOR NO KEY UPDATE",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// Writes the new status (the status guard trigger confirms / releases); returns the lifecycle
/// columns as the row now has them. $6 is the update instant (the caller's or now).
pub const UPDATE_STATUS: Stmt = Stmt {
    name: "UPDATE_STATUS",
    sql: "UPDATE bookings
             SET status = $3::booking_status, checked_in_at = $4, checked_out_at = $5, updated_at = $6
           WHERE restaurant_id = $1 AND id = $2
          RETURNING checked_in_at, checked_out_at, updated_at",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text, Ty::TimestampTz, Ty::TimestampTz, Ty::TimestampTz],
};

/// The history row of a transition. $6 is the change instant (the caller's or now).
pub const INSERT_HISTORY: Stmt = Stmt {
    name: "INSERT_HISTORY",
    sql: "INSERT INTO booking_state_history
                 (restaurant_id, booking_id, from_status, to_status, changed_by, changed_at, reason, metadata)
          VALUES ($1, $2, $3::booking_status, $4::booking_status, $5, $6, $7, coalesce($8, '{}'::jsonb))",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text, Ty::Text, Ty::Uuid, Ty::TimestampTz, Ty::Text, Ty::Jsonb],
};

/// A booking's holds on any of the given tables go once the assignment is confirmed (members and
/// windows cascade).
pub const CONSUME_HOLDS: Stmt = Stmt {
    name: "CONSUME_HOLDS",
    sql: "DELETE FROM table_holds h
           WHERE h.restaurant_id = $1 AND h.booking_id = $2
             AND EXISTS (SELECT 1 FROM table_hold_members m
                          WHERE m.restaurant_id = $1 AND m.hold_id = h.id AND m.table_id = ANY($3))",
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray],
};

/// Seed 003: whether `$3` is the booking's deterministic auto-assign key (read alone: on Citus an
/// UPDATE may not call a STABLE function over columns, SPEC §8 (3)).
pub const IS_AUTO_ASSIGN_KEY: Stmt = Stmt {
    name: "IS_AUTO_ASSIGN_KEY",
    sql: "SELECT $3 = pg_seating_auto_assign_key(b.id, b.start_at, b.end_at) FROM bookings b
           WHERE b.restaurant_id = $1 AND b.id = $2",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text],
};

/// Seed 003: a confirm made with the booking's deterministic auto-assign key records the key and
/// the result on the booking, once (a replay changes nothing).
/// $1 restaurant, $2 booking, $3 key, $4 result, $5 now.
pub const RECORD_AUTO_ASSIGN: Stmt = Stmt {
    name: "RECORD_AUTO_ASSIGN",
    sql: "UPDATE bookings b
             SET auto_assign_idempotency_key = $3, auto_assign_last_result = $4, updated_at = $5
           WHERE b.restaurant_id = $1 AND b.id = $2 AND b.auto_assign_idempotency_key IS DISTINCT FROM $3",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text, Ty::Jsonb, Ty::TimestampTz],
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

/// The restaurant and booking of a hold (unlocked; the booking is locked next).
pub const HOLD_OWNER: Stmt = Stmt {
    name: "HOLD_OWNER",
    sql: "SELECT h.restaurant_id, h.booking_id FROM table_holds h WHERE h.id = $1",
    args: &[Ty::Uuid],
};

/// Locks the hold row (after the booking row: the global order is booking, hold, tables).
pub const LOCK_HOLD: Stmt = Stmt {
    name: "LOCK_HOLD",
    sql: r#"SELECT h.booking_id, h.start_at, h.end_at,
                 to_char(h.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                 h.status OPERATOR(pg_catalog.=) 'active', h.expires_at > $3,
                 h.metadata->>'policyVersion', h.metadata#>>'{selection,snapshot,adjacency,hash}',
                 ARRAY(SELECT m.table_id FROM table_hold_members m
                        WHERE m.restaurant_id = $1 AND m.hold_id = h.id ORDER BY m.table_id)
            FROM table_holds h
           WHERE h.restaurant_id = $1 AND h.id = $2
             FOR NO KEY UPDATE"#,
    args: &[Ty::Uuid, Ty::Uuid, Ty::TimestampTz],
};

/// The same inside a companion: only a hold of the routed restaurant is found.
pub const HOLD_OWNER_IN: Stmt = Stmt {
    name: "HOLD_OWNER_IN",
    sql: "SELECT h.restaurant_id, h.booking_id FROM table_holds h WHERE h.restaurant_id = $1 AND h.id = $2",
    args: &[Ty::Uuid, Ty::Uuid],
};

/// The recorded confirmation of (booking, key), if any: its hold and table set.
pub const CONFIRMATION_RESULT: Stmt = Stmt {
    name: "CONFIRMATION_RESULT",
    sql: "SELECT c.hold_id, c.table_ids FROM booking_confirmation_results c
           WHERE c.restaurant_id = $1 AND c.booking_id = $2 AND c.idempotency_key = $3",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text],
};

/// The `capacity.hold.confirmed` payload of a hold-driven confirm and its checksum (no table read).
/// $1 booking, $2 hold, $3 tables, $4 start, $5 end, $6 actor.
pub const HOLD_CONFIRMATION_PAYLOAD: Stmt = Stmt {
    name: "HOLD_CONFIRMATION_PAYLOAD",
    sql: r#"SELECT body, encode(sha256(convert_to(body::text, 'UTF8')), 'hex')
            FROM (SELECT pg_catalog.jsonb_build_object('bookingId', $1, 'tableIds', pg_catalog.to_jsonb($3),
                                            'startAt', to_char($4 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                            'endAt', to_char($5 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                            'actorId', $6, 'holdId', $2) AS body) p"#,
    args: &[Ty::Uuid, Ty::Uuid, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid],
};

/// The ledger row of the confirm's key records the payload checksum. $1 restaurant, $2 booking,
/// $3 key, $4 checksum.
pub const SET_LEDGER_CHECKSUM: Stmt = Stmt {
    name: "SET_LEDGER_CHECKSUM",
    sql: "UPDATE booking_assignment_idempotency l SET payload_checksum = $4
           WHERE l.restaurant_id = $1 AND l.booking_id = $2 AND l.idempotency_key = $3",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text, Ty::Text],
};

/// The confirmation result of (booking, key). $1 restaurant, $2 booking, $3 hold, $4 key,
/// $5 tables, $6 start, $7 end, $8 actor.
pub const UPSERT_CONFIRMATION_RESULT: Stmt = Stmt {
    name: "UPSERT_CONFIRMATION_RESULT",
    sql: "INSERT INTO booking_confirmation_results
                 (restaurant_id, booking_id, hold_id, idempotency_key, table_ids, assignment_window, actor_id)
          VALUES ($1, $2, $3, $4, $5, tstzrange($6, $7), $8)
          ON CONFLICT (restaurant_id, booking_id, idempotency_key) DO UPDATE
             SET hold_id = EXCLUDED.hold_id, table_ids = EXCLUDED.table_ids,
                 assignment_window = EXCLUDED.assignment_window, actor_id = EXCLUDED.actor_id",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Uuid, Ty::Text, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::Uuid],
};

/// The `capacity.hold.confirmed` event (deduplicated while pending). $1 restaurant, $2 booking,
/// $3 hold, $4 key, $5 payload.
pub const INSERT_HOLD_CONFIRMED_EVENT: Stmt = Stmt {
    name: "INSERT_HOLD_CONFIRMED_EVENT",
    sql: "INSERT INTO capacity_outbox (restaurant_id, booking_id, event_type, dedupe_key, idempotency_key, payload)
          VALUES ($1, $2, 'capacity.hold.confirmed', $2::text || ':' || $3::text || ':hold.confirmed', $4, $5)
          ON CONFLICT (restaurant_id, event_type, coalesce(dedupe_key, ''), coalesce(idempotency_key, ''))
             WHERE status IN ('pending', 'processing') DO NOTHING",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Uuid, Ty::Text, Ty::Jsonb],
};

/// The locked booking's current status, or `BookingNotFound`.
pub fn lock_status(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    booking_id: Uuid,
) -> Result<(Status, Option<Instant>, Option<Instant>, Instant), SeatingError> {
    let rows = run(client, &LOCK_BOOKING_STATUS, &[to_pg(restaurant_id).into(), to_pg(booking_id).into()]);
    if rows.is_empty() {
        return Err(SeatingError::BookingNotFound { booking_id });
    }
    let row = rows.first();
    let s = &LOCK_BOOKING_STATUS;
    let label: String = row.col(1, s).unwrap_or_default();
    let status = Status::parse(&label).ok_or(SeatingError::UnknownStatus { label })?;
    Ok((status, row.instant(2, s), row.instant(3, s), now()))
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
    let r = to_pg(req.restaurant_id);
    let b = to_pg(req.booking_id);
    let rows = run(
        client,
        &UPDATE_STATUS,
        &[
            r.into(),
            b.into(),
            req.status.label().into(),
            checked_in.map(ts).into(),
            checked_out.map(ts).into(),
            ts(req.updated_at.unwrap_or(now)).into(),
        ],
    );
    let row = rows.first();
    let result = TransitionResult {
        status: req.status,
        checked_in_at: row.instant(1, &UPDATE_STATUS),
        checked_out_at: row.instant(2, &UPDATE_STATUS),
        updated_at: row.instant(3, &UPDATE_STATUS).unwrap_or(now),
    };
    run(
        client,
        &INSERT_HISTORY,
        &[
            r.into(),
            b.into(),
            req.history_from.label().into(),
            req.history_to.label().into(),
            req.changed_by.map(to_pg).into(),
            ts(req.changed_at.unwrap_or(now)).into(),
            req.reason.as_deref().into(),
            req.metadata.clone().map(JsonB).into(),
        ],
    );
    Ok(result)
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
        let r = to_pg(assign_req.restaurant_id);
        let b = to_pg(assign_req.booking_id);
        if key.starts_with(AUTO_ASSIGN_PREFIX)
            && run(client, &IS_AUTO_ASSIGN_KEY, &[r.into(), b.into(), key.as_str().into()])
                .first()
                .col(1, &IS_AUTO_ASSIGN_KEY)
                .unwrap_or(false)
        {
            let result = serde_json::json!({
                "outcome": if how.target.is_some() { "confirmed" } else { "assigned" },
                "tableIds": tables.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                "mergeGroupId": rows[0].merge_group_id.map(|m| m.to_string()),
                "status": how.target.map(|s| s.label()),
            });
            run(
                client,
                &RECORD_AUTO_ASSIGN,
                &[r.into(), b.into(), key.as_str().into(), JsonB(result).into(), ts(now()).into()],
            );
        }
    }
    Ok(rows)
}

/// The restaurant and booking of a hold; None when there is no such hold (in the routed
/// restaurant, inside a companion).
pub fn hold_owner(client: &mut SpiClient<'_>, hold_id: Uuid) -> Option<(Uuid, Option<Uuid>)> {
    let (stmt, rows) = match super::route::restaurant() {
        Some(r) => (&HOLD_OWNER_IN, run(client, &HOLD_OWNER_IN, &[to_pg(r).into(), to_pg(hold_id).into()])),
        None => (&HOLD_OWNER, run(client, &HOLD_OWNER, &[to_pg(hold_id).into()])),
    };
    if rows.is_empty() {
        return None;
    }
    let row = rows.first();
    Some((row.uuid(1, stmt)?, row.uuid(2, stmt)))
}

pub fn lock_hold(client: &mut SpiClient<'_>, restaurant_id: Uuid, hold_id: Uuid) -> Option<HoldFacts> {
    let rows = run(client, &LOCK_HOLD, &[to_pg(restaurant_id).into(), to_pg(hold_id).into(), ts(now()).into()]);
    if rows.is_empty() {
        return None;
    }
    let (row, s) = (rows.first(), &LOCK_HOLD);
    Some(HoldFacts {
        booking_id: row.uuid(1, s),
        window: (row.instant(2, s), row.instant(3, s)),
        expires_at_text: row.col(4, s).unwrap_or_default(),
        active: row.col(5, s).unwrap_or(false),
        live: row.col(6, s).unwrap_or(false),
        policy_version: row.col(7, s),
        adjacency_hash: row.col(8, s),
        tables: row.uuids(9, s),
    })
}

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
            if row.uuid(1, &CONFIRMATION_RESULT) != Some(req.hold_id) {
                return Err(SeatingError::IdempotencyMismatch {
                    function: F,
                    booking_id: req.booking_id,
                    reason: crate::domain::error::MismatchReason::TableSet,
                });
            }
            let tables = uuid_array(&row.uuids(2, &CONFIRMATION_RESULT));
            return Ok(assign::replay_rows(client, r, b, &tables));
        }
    }

    let hold =
        lock_hold(client, req.restaurant_id, req.hold_id).ok_or(SeatingError::HoldNotFound { hold_id: req.hold_id })?;
    let window = hold.confirmable(&Expected {
        function: F,
        hold_id: req.hold_id,
        booking_id: req.booking_id,
        policy_version: req.expected_policy_version.as_deref(),
        adjacency_hash: req.expected_adjacency_hash.as_deref(),
        window: req.window,
    })?;

    let assign_req = AssignRequest {
        idempotency_key: req.idempotency_key.clone(),
        require_adjacency: req.require_adjacency,
        assigned_by: req.assigned_by,
        explicit_start: Some(window.start),
        explicit_end: Some(window.end),
        ..AssignRequest::new("assign_tables_atomic_v2", req.restaurant_id, req.booking_id, hold.tables.clone())
    };
    let rows = confirm(client, &assign_req, &req.transition)?;
    record_hold_confirmation(client, req, window, &rows);
    Ok(rows)
}

/// After a hold-driven confirm: the ledger's payload checksum, the confirmation result (when
/// keyed), the `capacity.hold.confirmed` event, and the hold itself goes.
fn record_hold_confirmation(
    client: &mut SpiClient<'_>,
    req: &HoldConfirmRequest,
    window: Window,
    rows: &[AssignedRow],
) {
    let r = to_pg(req.restaurant_id);
    let b = to_pg(req.booking_id);
    let h = to_pg(req.hold_id);
    let tables = uuid_array(&rows.iter().map(|x| x.table_id).collect::<Vec<_>>());
    let (start, end) = (ts(window.start), ts(window.end));
    let actor = req.assigned_by.map(to_pg);
    let key = req.idempotency_key.as_deref();
    let payload = run(
        client,
        &HOLD_CONFIRMATION_PAYLOAD,
        &[b.into(), h.into(), tables.clone().into(), start.into(), end.into(), actor.into()],
    );
    let row = payload.first();
    let body: Option<JsonB> = row.col(1, &HOLD_CONFIRMATION_PAYLOAD);
    let checksum: Option<String> = row.col(2, &HOLD_CONFIRMATION_PAYLOAD);
    if let Some(k) = key {
        run(client, &SET_LEDGER_CHECKSUM, &[r.into(), b.into(), k.into(), checksum.as_deref().into()]);
        run(
            client,
            &UPSERT_CONFIRMATION_RESULT,
            &[r.into(), b.into(), h.into(), k.into(), tables.into(), start.into(), end.into(), actor.into()],
        );
    }
    run(client, &INSERT_HOLD_CONFIRMED_EVENT, &[r.into(), b.into(), h.into(), key.into(), body.into()]);
    // The confirmed hold goes.
    run(client, &super::holds::DELETE_HOLD, &[r.into(), h.into()]);
}

/// Every statement this module keeps (`db::kept_statements`; a #[pg_test] prepares each one).
#[cfg(any(test, feature = "pg_test"))]
pub(crate) const STATEMENTS: &[&Stmt] = &[
    &LOCK_BOOKING_STATUS,
    &UPDATE_STATUS,
    &INSERT_HISTORY,
    &CONSUME_HOLDS,
    &IS_AUTO_ASSIGN_KEY,
    &RECORD_AUTO_ASSIGN,
    &HOLD_OWNER,
    &LOCK_HOLD,
    &HOLD_OWNER_IN,
    &CONFIRMATION_RESULT,
    &HOLD_CONFIRMATION_PAYLOAD,
    &SET_LEDGER_CHECKSUM,
    &UPSERT_CONFIRMATION_RESULT,
    &INSERT_HOLD_CONFIRMED_EVENT,
];
