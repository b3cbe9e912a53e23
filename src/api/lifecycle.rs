//! The lifecycle RPCs (SPEC §3): `apply_booking_state_transition`, the two confirm paths, and
//! holds (`create_table_hold`, `release_table_hold`, `sweep_expired_holds`).

use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::JsonB;

use super::booking_status::BookingStatus;
use super::{decode_ids, decode_key, raise, require, rpc, Call};
use crate::db::assign::{self as engine, AssignRequest};
use crate::db::holds;
use crate::db::lifecycle::{self, ConfirmTransition, HoldConfirmRequest, TransitionRequest};
use crate::db::{from_pg, to_pg, ts};
use crate::domain::error::SeatingError;
use crate::domain::tableset;

const TRANSITION: &str = "apply_booking_state_transition";
const WITH_TRANSITION: &str = "confirm_hold_assignment_with_transition";
const CONFIRM_TX: &str = "confirm_hold_assignment_tx";
const CREATE_HOLD: &str = "create_table_hold";
const RELEASE_HOLD: &str = "release_table_hold";
const V2: &str = "assign_tables_atomic_v2";

fn restaurant_of(client: &mut pgrx::spi::SpiClient<'_>, booking_id: uuid::Uuid) -> Result<uuid::Uuid, SeatingError> {
    engine::booking_restaurant(client, booking_id).ok_or(SeatingError::BookingNotFound { booking_id })
}

fn status_arg(
    function: &'static str,
    argument: &'static str,
    v: Option<BookingStatus>,
) -> Result<crate::domain::state::Status, SeatingError> {
    v.map(|s| s.0).ok_or(SeatingError::NullArgument { function, argument })
}

/// Compare-and-set of a booking's status with a history row. The booking must currently be in
/// `p_history_from` (else P0004 `booking_state_conflict`), the move must be one the lifecycle
/// allows (else 22023), and a move to cancelled, no_show or completed releases the booking's
/// table state in the same transaction.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply_booking_state_transition(
    p_booking_id: Option<pgrx::Uuid>,
    p_status: Option<BookingStatus>,
    p_checked_in_at: Option<TimestampWithTimeZone>,
    p_checked_out_at: Option<TimestampWithTimeZone>,
    p_updated_at: Option<TimestampWithTimeZone>,
    p_history_from: Option<BookingStatus>,
    p_history_to: Option<BookingStatus>,
    p_history_changed_by: Option<pgrx::Uuid>,
    p_history_changed_at: Option<TimestampWithTimeZone>,
    p_history_reason: Option<String>,
    p_history_metadata: default!(Option<JsonB>, "'{}'"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> TableIterator<
    'static,
    (
        name!(status, BookingStatus),
        name!(checked_in_at, Option<TimestampWithTimeZone>),
        name!(checked_out_at, Option<TimestampWithTimeZone>),
        name!(updated_at, TimestampWithTimeZone),
    ),
> {
    if let Some(forwarded) = crate::db::forward::forward_to_companion(
        fcinfo,
        "apply_booking_state_transition",
        crate::db::forward::Owner::Booking(0),
    ) {
        return forwarded;
    }
    let decoded = (|| {
        let booking_id = require(TRANSITION, "p_booking_id", p_booking_id)?;
        let status = status_arg(TRANSITION, "p_status", p_status)?;
        let from = status_arg(TRANSITION, "p_history_from", p_history_from)?;
        Ok::<_, SeatingError>((booking_id, status, from))
    })();
    let (booking_id, status, from) = decoded.unwrap_or_else(|e| raise(&e, TRANSITION));
    let r = rpc(Call::named(TRANSITION), |client| {
        let restaurant_id = restaurant_of(client, booking_id)?;
        lifecycle::transition(
            client,
            &TransitionRequest {
                restaurant_id,
                booking_id,
                status,
                checked_in_at: p_checked_in_at.map(Into::into),
                checked_out_at: p_checked_out_at.map(Into::into),
                updated_at: p_updated_at.map(Into::into),
                history_from: from,
                history_to: p_history_to.map(|s| s.0).unwrap_or(status),
                changed_by: p_history_changed_by.map(from_pg),
                changed_at: p_history_changed_at.map(Into::into),
                reason: p_history_reason,
                metadata: p_history_metadata.map(|j| j.0),
            },
        )
    });
    TableIterator::once((BookingStatus(r.status), r.checked_in_at.map(ts), r.checked_out_at.map(ts), ts(r.updated_at)))
}

/// Assignment + status transition + hold consumption in one transaction (seed 003): every
/// `assign_tables_atomic_v2` rule and error applies; an empty result is P0003; the status moves
/// from what it was to `p_target_status` by compare-and-set; the booking's holds on the assigned
/// tables go. Any failure leaves booking, holds and assignments exactly as they were.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn confirm_hold_assignment_with_transition(
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: Option<Vec<Option<pgrx::Uuid>>>,
    p_idempotency_key: Option<String>,
    p_require_adjacency: default!(Option<bool>, false),
    p_assigned_by: default!(Option<pgrx::Uuid>, "NULL"),
    p_start_at: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_end_at: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_target_status: default!(Option<BookingStatus>, "'confirmed'"),
    p_history_changed_by: default!(Option<pgrx::Uuid>, "NULL"),
    p_history_reason: default!(Option<String>, "'auto_assign_atomic_confirm'"),
    p_history_metadata: default!(Option<JsonB>, "'{}'"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> TableIterator<
    'static,
    (
        name!(table_id, pgrx::Uuid),
        name!(start_at, TimestampWithTimeZone),
        name!(end_at, TimestampWithTimeZone),
        name!(merge_group_id, Option<pgrx::Uuid>),
    ),
> {
    if let Some(forwarded) = crate::db::forward::forward_to_companion(
        fcinfo,
        "confirm_hold_assignment_with_transition",
        crate::db::forward::Owner::Booking(0),
    ) {
        return forwarded;
    }
    let decoded = (|| {
        let booking_id = require(WITH_TRANSITION, "p_booking_id", p_booking_id)?;
        let table_ids = tableset::normalize_ids(V2, decode_ids(p_table_ids))?;
        Ok::<_, SeatingError>((booking_id, table_ids))
    })();
    let (booking_id, table_ids) = decoded.unwrap_or_else(|e| raise(&e, WITH_TRANSITION));
    let how = ConfirmTransition {
        target: Some(p_target_status.map(|s| s.0).unwrap_or(crate::domain::state::Status::Confirmed)),
        changed_by: p_history_changed_by.map(from_pg),
        reason: p_history_reason.unwrap_or_else(|| "auto_assign_atomic_confirm".into()),
        metadata: p_history_metadata.map(|j| j.0),
    };
    let rows = rpc(Call::named(WITH_TRANSITION).conflicts_as(V2, booking_id), |client| {
        let restaurant_id = restaurant_of(client, booking_id)?;
        let req = AssignRequest {
            idempotency_key: decode_key(p_idempotency_key),
            require_adjacency: p_require_adjacency.unwrap_or(false),
            assigned_by: p_assigned_by.map(from_pg),
            explicit_start: p_start_at.map(Into::into),
            explicit_end: p_end_at.map(Into::into),
            ..AssignRequest::new(V2, restaurant_id, booking_id, table_ids)
        };
        lifecycle::confirm(client, &req, &how)
    });
    TableIterator::new(
        rows.into_iter()
            .map(|r| (to_pg(r.table_id), ts(r.window.start), ts(r.window.end), r.merge_group_id.map(to_pg))),
    )
}

/// Confirms a hold (the newer confirm path): the hold must belong to the booking (or to nobody),
/// be active and unexpired, and match the expected policy version and adjacency snapshot; its
/// tables and window (or the given window) are assigned, the status moves to `p_target_status`
/// when given, the confirmation is recorded, a `capacity.hold.confirmed` event written and the
/// hold removed. A replay with the same key returns the same rows.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn confirm_hold_assignment_tx(
    p_hold_id: Option<pgrx::Uuid>,
    p_booking_id: Option<pgrx::Uuid>,
    p_idempotency_key: Option<String>,
    p_require_adjacency: default!(Option<bool>, false),
    p_assigned_by: default!(Option<pgrx::Uuid>, "NULL"),
    p_window_start: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_window_end: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_expected_policy_version: default!(Option<String>, "NULL"),
    p_expected_adjacency_hash: default!(Option<String>, "NULL"),
    p_target_status: default!(Option<BookingStatus>, "NULL"),
    p_history_reason: default!(Option<String>, "'auto_assign_confirm'"),
    p_history_metadata: default!(Option<JsonB>, "'{}'"),
    p_history_changed_by: default!(Option<pgrx::Uuid>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> TableIterator<
    'static,
    (
        name!(assignment_id, pgrx::Uuid),
        name!(table_id, pgrx::Uuid),
        name!(start_at, TimestampWithTimeZone),
        name!(end_at, TimestampWithTimeZone),
        name!(merge_group_id, Option<pgrx::Uuid>),
    ),
> {
    if let Some(forwarded) = crate::db::forward::forward_to_companion(
        fcinfo,
        "confirm_hold_assignment_tx",
        crate::db::forward::Owner::Hold(0),
    ) {
        return forwarded;
    }
    let decoded = (|| {
        let hold_id = require(CONFIRM_TX, "p_hold_id", p_hold_id)?;
        let booking_id = require(CONFIRM_TX, "p_booking_id", p_booking_id)?;
        if p_window_start.is_some() != p_window_end.is_some() {
            return Err(SeatingError::PartialCustomWindow { function: CONFIRM_TX });
        }
        Ok((hold_id, booking_id))
    })();
    let (hold_id, booking_id) = decoded.unwrap_or_else(|e| raise(&e, CONFIRM_TX));
    let how = ConfirmTransition {
        target: p_target_status.map(|s| s.0),
        changed_by: p_history_changed_by.map(from_pg),
        reason: p_history_reason.unwrap_or_else(|| "auto_assign_confirm".into()),
        metadata: p_history_metadata.map(|j| j.0),
    };
    let rows = rpc(Call::named(CONFIRM_TX).conflicts_as(V2, booking_id), |client| {
        // The hold's restaurant; once confirmed the hold is gone, and a replay finds the
        // restaurant through the booking (confirm_hold reports a missing hold otherwise).
        let restaurant_id = match lifecycle::hold_owner(client, hold_id) {
            Some((r, _)) => r,
            None => engine::booking_restaurant(client, booking_id).ok_or(SeatingError::HoldNotFound { hold_id })?,
        };
        lifecycle::confirm_hold(
            client,
            &HoldConfirmRequest {
                restaurant_id,
                hold_id,
                booking_id,
                idempotency_key: decode_key(p_idempotency_key),
                require_adjacency: p_require_adjacency.unwrap_or(false),
                assigned_by: p_assigned_by.map(from_pg),
                window: (p_window_start.map(Into::into), p_window_end.map(Into::into)),
                expected_policy_version: p_expected_policy_version,
                expected_adjacency_hash: p_expected_adjacency_hash,
                transition: how,
            },
        )
    });
    TableIterator::new(rows.into_iter().map(|r| {
        (to_pg(r.assignment_id), to_pg(r.table_id), ts(r.window.start), ts(r.window.end), r.merge_group_id.map(to_pg))
    }))
}

/// Places a hold for a booking on a table set for its window (or the given one) with a
/// time-to-live in seconds; the same table rules as an assignment; refused with P0001 when
/// another booking's live hold (`Hold conflict prevents hold …`) or allocation
/// (`allocations_no_overlap`) is in the way. Returns the hold id.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
pub(crate) fn create_table_hold(
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: Option<Vec<Option<pgrx::Uuid>>>,
    p_start_at: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_end_at: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_ttl_seconds: default!(Option<i32>, 180),
    p_created_by: default!(Option<pgrx::Uuid>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> pgrx::Uuid {
    if let Some(forwarded) =
        crate::db::forward::forward_to_companion(fcinfo, "create_table_hold", crate::db::forward::Owner::Booking(0))
    {
        return forwarded;
    }
    let decoded = (|| {
        let booking_id = require(CREATE_HOLD, "p_booking_id", p_booking_id)?;
        let table_ids = tableset::normalize_ids(CREATE_HOLD, decode_ids(p_table_ids))?;
        Ok::<_, SeatingError>((booking_id, table_ids))
    })();
    let (booking_id, table_ids) = decoded.unwrap_or_else(|e| raise(&e, CREATE_HOLD));
    let hold = rpc(Call::named(CREATE_HOLD).conflicts(booking_id), |client| {
        let restaurant_id = restaurant_of(client, booking_id)?;
        let req = AssignRequest {
            explicit_start: p_start_at.map(Into::into),
            explicit_end: p_end_at.map(Into::into),
            ..AssignRequest::new(CREATE_HOLD, restaurant_id, booking_id, table_ids)
        };
        holds::create_hold(client, &req, p_ttl_seconds.unwrap_or(180), p_created_by.map(from_pg))
    });
    to_pg(hold)
}

/// Releases a hold; false when there is no such hold.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
pub(crate) fn release_table_hold(p_hold_id: Option<pgrx::Uuid>, fcinfo: pg_sys::FunctionCallInfo) -> bool {
    if let Some(forwarded) =
        crate::db::forward::forward_to_companion(fcinfo, "release_table_hold", crate::db::forward::Owner::Hold(0))
    {
        return forwarded;
    }
    let hold_id = require(RELEASE_HOLD, "p_hold_id", p_hold_id).unwrap_or_else(|e| raise(&e, RELEASE_HOLD));
    rpc(Call::named(RELEASE_HOLD), |client| Ok(holds::release_hold(client, hold_id)))
}

/// The app's hold release (APP-CONTRACT.md §3): removes the hold (members and windows with it)
/// and records a `capacity.hold.released` outbox event with its booking, tables, window and the
/// actor; false for an unknown hold.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
pub(crate) fn release_hold_and_emit(
    p_hold_id: Option<pgrx::Uuid>,
    p_actor_id: default!(Option<pgrx::Uuid>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> bool {
    if let Some(forwarded) =
        crate::db::forward::forward_to_companion(fcinfo, "release_hold_and_emit", crate::db::forward::Owner::Hold(0))
    {
        return forwarded;
    }
    const F: &str = "release_hold_and_emit";
    let hold_id = require(F, "p_hold_id", p_hold_id).unwrap_or_else(|e| raise(&e, F));
    rpc(Call::named(F), |client| Ok(holds::release_hold_and_emit(client, hold_id, p_actor_id.map(from_pg))))
}

/// Removes every expired or inactive hold (they already block nobody); returns how many went.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
fn sweep_expired_holds() -> i32 {
    rpc(Call::named("sweep_expired_holds"), |client| Ok(holds::sweep(client)))
}
