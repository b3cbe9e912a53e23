//! `assign_tables_atomic_v2`, v1 `assign_tables_atomic`, `unassign_tables_atomic`, and their
//! restaurant-keyed `_in_restaurant` companions (SPEC §3, §8). Names, argument names, defaults and
//! OUT columns are the wire contract of the original app.

use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::Range;

use super::{decode_ids, decode_key, raise, require, rpc, Call};
use crate::db::assign::{self as engine, AssignRequest, AssignedRow};
use crate::db::forward::forward;
use crate::db::{from_pg, to_pg, ts};
use crate::domain::error::SeatingError;
use crate::domain::tableset;
use crate::domain::window::Instant;

const V2: &str = "assign_tables_atomic_v2";
const V1: &str = "assign_tables_atomic";
const UNASSIGN: &str = "unassign_tables_atomic";

/// pgrx needs the literal `TableIterator` type on each `#[pg_extern]`; helpers use these aliases.
type V2Rows = TableIterator<
    'static,
    (
        name!(table_id, pgrx::Uuid),
        name!(start_at, TimestampWithTimeZone),
        name!(end_at, TimestampWithTimeZone),
        name!(merge_group_id, Option<pgrx::Uuid>),
    ),
>;

type V1Rows = TableIterator<
    'static,
    (name!(table_id, pgrx::Uuid), name!(assignment_id, pgrx::Uuid), name!(merge_group_id, Option<pgrx::Uuid>)),
>;

type UnassignRows = TableIterator<'static, (name!(table_id, pgrx::Uuid), name!(merge_group_id, Option<pgrx::Uuid>))>;

/// Decoded arguments shared by v1 and v2 (before the restaurant is known).
struct Args {
    function: &'static str,
    booking_id: uuid::Uuid,
    table_ids: Vec<uuid::Uuid>,
    idempotency_key: Option<String>,
    require_adjacency: bool,
    assigned_by: Option<uuid::Uuid>,
    explicit_start: Option<Instant>,
    explicit_end: Option<Instant>,
}

impl Args {
    fn request(self, restaurant_id: uuid::Uuid) -> AssignRequest {
        AssignRequest {
            idempotency_key: self.idempotency_key,
            require_adjacency: self.require_adjacency,
            assigned_by: self.assigned_by,
            explicit_start: self.explicit_start,
            explicit_end: self.explicit_end,
            ..AssignRequest::new(self.function, restaurant_id, self.booking_id, self.table_ids)
        }
    }
}

fn table_ids(function: &'static str, ids: Option<Vec<Option<pgrx::Uuid>>>) -> Result<Vec<uuid::Uuid>, SeatingError> {
    tableset::normalize_ids(function, decode_ids(ids))
}

/// Runs the core for a known or looked-up restaurant, raising any refusal as a Postgres error.
/// A constraint violation or deadlock that only a writer bypassing these functions can cause
/// (they decide under row locks before writing) surfaces as the reference conflict error.
fn run_assign(restaurant_id: Option<uuid::Uuid>, args: Args) -> Vec<AssignedRow> {
    let function = args.function;
    let booking_id = args.booking_id;
    rpc(Call::named(function).conflicts(booking_id).routed(restaurant_id), |client| {
        let restaurant_id =
            engine::booking_restaurant(client, booking_id).ok_or(SeatingError::BookingNotFound { booking_id })?;
        engine::assign(client, &args.request(restaurant_id))
    })
}

#[allow(clippy::too_many_arguments)]
fn v2_args(
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: Option<Vec<Option<pgrx::Uuid>>>,
    p_idempotency_key: Option<String>,
    p_require_adjacency: Option<bool>,
    p_assigned_by: Option<pgrx::Uuid>,
    p_start_at: Option<TimestampWithTimeZone>,
    p_end_at: Option<TimestampWithTimeZone>,
) -> Result<Args, SeatingError> {
    let booking_id = require(V2, "p_booking_id", p_booking_id)?;
    Ok(Args {
        function: V2,
        booking_id,
        table_ids: table_ids(V2, p_table_ids)?,
        idempotency_key: decode_key(p_idempotency_key),
        require_adjacency: p_require_adjacency.unwrap_or(false),
        assigned_by: p_assigned_by.map(from_pg),
        explicit_start: p_start_at.map(Into::into),
        explicit_end: p_end_at.map(Into::into),
    })
}

fn v2_rows(rows: Vec<AssignedRow>) -> V2Rows {
    TableIterator::new(
        rows.into_iter()
            .map(|r| (to_pg(r.table_id), ts(r.window.start), ts(r.window.end), r.merge_group_id.map(to_pg))),
    )
}

/// Assigns exactly the given tables to a booking for its window (or the given one), atomically:
/// the booking's assignment *becomes* the set. Rows ordered by table id.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
fn assign_tables_atomic_v2(
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: Option<Vec<Option<pgrx::Uuid>>>,
    p_idempotency_key: default!(Option<String>, "NULL"),
    p_require_adjacency: default!(Option<bool>, false),
    p_assigned_by: default!(Option<pgrx::Uuid>, "NULL"),
    p_start_at: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_end_at: default!(Option<TimestampWithTimeZone>, "NULL"),
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
        "assign_tables_atomic_v2",
        crate::db::forward::Owner::Booking(0),
    ) {
        return forwarded;
    }
    let args =
        v2_args(p_booking_id, p_table_ids, p_idempotency_key, p_require_adjacency, p_assigned_by, p_start_at, p_end_at)
            .unwrap_or_else(|e| raise(&e, V2));
    v2_rows(run_assign(None, args))
}

/// The restaurant-keyed companion of `assign_tables_atomic_v2` (Citus routing, SPEC §8).
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
fn assign_tables_atomic_v2_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: Option<Vec<Option<pgrx::Uuid>>>,
    p_idempotency_key: default!(Option<String>, "NULL"),
    p_require_adjacency: default!(Option<bool>, false),
    p_assigned_by: default!(Option<pgrx::Uuid>, "NULL"),
    p_start_at: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_end_at: default!(Option<TimestampWithTimeZone>, "NULL"),
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
    const F: &str = "assign_tables_atomic_v2_in_restaurant";
    let restaurant = require(F, "p_restaurant_id", p_restaurant_id).unwrap_or_else(|e| raise(&e, F));
    if let Some(forwarded) = forward(fcinfo, F) {
        return forwarded;
    }
    let args =
        v2_args(p_booking_id, p_table_ids, p_idempotency_key, p_require_adjacency, p_assigned_by, p_start_at, p_end_at)
            .unwrap_or_else(|e| raise(&e, V2));
    v2_rows(run_assign(Some(restaurant), args))
}

fn v1_args(
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: Option<Vec<Option<pgrx::Uuid>>>,
    p_window: Option<Range<TimestampWithTimeZone>>,
    p_assigned_by: Option<pgrx::Uuid>,
    p_idempotency_key: Option<String>,
) -> Result<Args, SeatingError> {
    let booking_id = require(V1, "p_booking_id", p_booking_id)?;
    // An empty or unbounded range becomes a window the core refuses as invalid (22000).
    let bound = |b: Option<&pgrx::datum::RangeBound<TimestampWithTimeZone>>, inf: Instant| -> Instant {
        b.and_then(|b| b.get()).map(|t| (*t).into()).unwrap_or(inf)
    };
    let (start, end) = match &p_window {
        None => (None, None),
        Some(w) if w.is_empty() => (Some(0), Some(0)),
        Some(w) => (Some(bound(w.lower(), i64::MIN)), Some(bound(w.upper(), i64::MAX))),
    };
    Ok(Args {
        function: V1,
        booking_id,
        table_ids: table_ids(V1, p_table_ids)?,
        idempotency_key: decode_key(p_idempotency_key),
        require_adjacency: false,
        assigned_by: p_assigned_by.map(from_pg),
        explicit_start: start,
        explicit_end: end,
    })
}

fn v1_rows(rows: Vec<AssignedRow>) -> V1Rows {
    TableIterator::new(
        rows.into_iter().map(|r| (to_pg(r.table_id), to_pg(r.assignment_id), r.merge_group_id.map(to_pg))),
    )
}

/// The v1 runbook entry point (seed 004): one or more tables, `p_window` or the booking's window.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
fn assign_tables_atomic(
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: Option<Vec<Option<pgrx::Uuid>>>,
    p_window: Option<Range<TimestampWithTimeZone>>,
    p_assigned_by: default!(Option<pgrx::Uuid>, "NULL"),
    p_idempotency_key: default!(Option<String>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> TableIterator<
    'static,
    (name!(table_id, pgrx::Uuid), name!(assignment_id, pgrx::Uuid), name!(merge_group_id, Option<pgrx::Uuid>)),
> {
    if let Some(forwarded) =
        crate::db::forward::forward_to_companion(fcinfo, "assign_tables_atomic", crate::db::forward::Owner::Booking(0))
    {
        return forwarded;
    }
    let args = v1_args(p_booking_id, p_table_ids, p_window, p_assigned_by, p_idempotency_key)
        .unwrap_or_else(|e| raise(&e, V1));
    v1_rows(run_assign(None, args))
}

/// The restaurant-keyed companion of v1 `assign_tables_atomic`.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
fn assign_tables_atomic_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: Option<Vec<Option<pgrx::Uuid>>>,
    p_window: Option<Range<TimestampWithTimeZone>>,
    p_assigned_by: default!(Option<pgrx::Uuid>, "NULL"),
    p_idempotency_key: default!(Option<String>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> TableIterator<
    'static,
    (name!(table_id, pgrx::Uuid), name!(assignment_id, pgrx::Uuid), name!(merge_group_id, Option<pgrx::Uuid>)),
> {
    const F: &str = "assign_tables_atomic_in_restaurant";
    let restaurant = require(F, "p_restaurant_id", p_restaurant_id).unwrap_or_else(|e| raise(&e, F));
    if let Some(forwarded) = forward(fcinfo, F) {
        return forwarded;
    }
    let args = v1_args(p_booking_id, p_table_ids, p_window, p_assigned_by, p_idempotency_key)
        .unwrap_or_else(|e| raise(&e, V1));
    v1_rows(run_assign(Some(restaurant), args))
}

fn run_unassign(
    restaurant_id: Option<uuid::Uuid>,
    booking_id: uuid::Uuid,
    p_table_ids: Option<Vec<Option<pgrx::Uuid>>>,
    p_merge_group_id: Option<pgrx::Uuid>,
) -> UnassignRows {
    let ids = tableset::normalize_optional_ids(decode_ids(p_table_ids));
    let rows = rpc(Call::named(UNASSIGN).routed(restaurant_id), |client| {
        match engine::booking_restaurant(client, booking_id) {
            Some(r) => engine::unassign(client, r, booking_id, ids, p_merge_group_id.map(from_pg)),
            None => Ok(Vec::new()),
        }
    });
    TableIterator::new(rows.into_iter().map(|(t, m)| (to_pg(t), m.map(to_pg))))
}

/// Releases a booking's tables: those in `p_table_ids`, those of merge group `p_merge_group_id`,
/// or all of them when both are NULL. Unknown ids are ignored. One function for v1 and v2 callers.
/// A confirmed booking left without a table moves to `pending_allocation` (with a history row);
/// releasing a checked-in party's last table is refused with 23514.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
fn unassign_tables_atomic(
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: default!(Option<Vec<Option<pgrx::Uuid>>>, "NULL"),
    p_merge_group_id: default!(Option<pgrx::Uuid>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> TableIterator<'static, (name!(table_id, pgrx::Uuid), name!(merge_group_id, Option<pgrx::Uuid>))> {
    if let Some(forwarded) = crate::db::forward::forward_to_companion(
        fcinfo,
        "unassign_tables_atomic",
        crate::db::forward::Owner::Booking(0),
    ) {
        return forwarded;
    }
    let booking = require(UNASSIGN, "p_booking_id", p_booking_id).unwrap_or_else(|e| raise(&e, UNASSIGN));
    run_unassign(None, booking, p_table_ids, p_merge_group_id)
}

/// The restaurant-keyed companion of `unassign_tables_atomic`.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
fn unassign_tables_atomic_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: default!(Option<Vec<Option<pgrx::Uuid>>>, "NULL"),
    p_merge_group_id: default!(Option<pgrx::Uuid>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> TableIterator<'static, (name!(table_id, pgrx::Uuid), name!(merge_group_id, Option<pgrx::Uuid>))> {
    const F: &str = "unassign_tables_atomic_in_restaurant";
    let restaurant = require(F, "p_restaurant_id", p_restaurant_id).unwrap_or_else(|e| raise(&e, F));
    if let Some(forwarded) = forward(fcinfo, F) {
        return forwarded;
    }
    let booking = require(UNASSIGN, "p_booking_id", p_booking_id).unwrap_or_else(|e| raise(&e, UNASSIGN));
    run_unassign(Some(restaurant), booking, p_table_ids, p_merge_group_id)
}

/// The app's window sync after a confirm (APP-CONTRACT.md §3; the original always failed): moves
/// the booking's assignments of `p_table_ids` (all of them when NULL or empty) to
/// [`p_window_start`, `p_window_end`), with their live allocations, merge groups and the ledger
/// rows that recorded only those tables (`p_idempotency_key` when given, which also take
/// `p_merge_group_id` and `p_payload_checksum`), after every check of an assignment: another
/// booking's allocation or live hold in the new window refuses it (P0001), as do the table rules.
/// Returns the moved rows of `booking_table_assignments`. `p_actor_id` and `p_hold_id` are accepted
/// because the app sends them; nothing here needs them.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sync_confirmed_assignment_windows(
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: default!(Option<Vec<Option<pgrx::Uuid>>>, "NULL"),
    p_window_start: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_window_end: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_actor_id: default!(Option<pgrx::Uuid>, "NULL"),
    p_hold_id: default!(Option<pgrx::Uuid>, "NULL"),
    p_merge_group_id: default!(Option<pgrx::Uuid>, "NULL"),
    p_idempotency_key: default!(Option<String>, "NULL"),
    p_payload_checksum: default!(Option<String>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> TableIterator<
    'static,
    (
        name!(id, pgrx::Uuid),
        name!(restaurant_id, pgrx::Uuid),
        name!(booking_id, pgrx::Uuid),
        name!(table_id, pgrx::Uuid),
        name!(slot_id, Option<pgrx::Uuid>),
        name!(assigned_at, Option<TimestampWithTimeZone>),
        name!(assigned_by, Option<pgrx::Uuid>),
        name!(notes, Option<String>),
        name!(idempotency_key, Option<String>),
        name!(start_at, TimestampWithTimeZone),
        name!(end_at, TimestampWithTimeZone),
        name!(allocation_id, Option<pgrx::Uuid>),
        name!(merge_group_id, Option<pgrx::Uuid>),
        name!(assignment_window, Range<TimestampWithTimeZone>),
        name!(created_at, Option<TimestampWithTimeZone>),
        name!(updated_at, Option<TimestampWithTimeZone>),
    ),
> {
    if let Some(forwarded) = crate::db::forward::forward_to_companion(
        fcinfo,
        "sync_confirmed_assignment_windows",
        crate::db::forward::Owner::Booking(0),
    ) {
        return forwarded;
    }
    const F: &str = "sync_confirmed_assignment_windows";
    let _unused = (p_actor_id, p_hold_id);
    let decoded = (|| {
        let booking_id = require(F, "p_booking_id", p_booking_id)?;
        let tables = match decode_ids(p_table_ids) {
            None => Vec::new(),
            Some(ids) if ids.is_empty() => Vec::new(),
            ids => tableset::normalize_ids(F, ids)?,
        };
        if p_window_start.is_none() || p_window_end.is_none() {
            return Err(SeatingError::PartialCustomWindow { function: F });
        }
        Ok::<_, SeatingError>((booking_id, tables))
    })();
    let (booking_id, tables) = decoded.unwrap_or_else(|e| raise(&e, F));
    let extras = crate::db::assign::MoveExtras {
        idempotency_key: decode_key(p_idempotency_key),
        merge_group_id: p_merge_group_id.map(from_pg),
        payload_checksum: p_payload_checksum,
    };
    let rows = rpc(Call::named(F).conflicts(booking_id), |client| {
        let restaurant_id =
            engine::booking_restaurant(client, booking_id).ok_or(SeatingError::BookingNotFound { booking_id })?;
        let mut req = AssignRequest {
            explicit_start: p_window_start.map(Into::into),
            explicit_end: p_window_end.map(Into::into),
            ..AssignRequest::new(F, restaurant_id, booking_id, tables)
        };
        engine::move_tables(client, &mut req, &extras)
    });
    TableIterator::new(rows)
}
