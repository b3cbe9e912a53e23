//! The restaurant-keyed companions of the booking RPCs (SPEC §8): the same name plus
//! `_in_restaurant`, `p_restaurant_id uuid` first with no default, then the reference function's
//! arguments with their defaults, and its result. Each runs the reference function's body routed
//! to the restaurant (`db::route`): no lookup by booking or hold id, every statement filtered by
//! `restaurant_id = p_restaurant_id`, so on Citus `pg_seating_distribute()` can delegate the whole
//! call to the node that holds the restaurant. A NULL `p_restaurant_id` is 22004 before anything
//! else; a booking or hold of another restaurant is not found. (The assignment companions live
//! with their reference functions in `assign.rs`.)

use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::{JsonB, Range};

use super::booking_status::BookingStatus;
use super::in_restaurant;
use super::{allocate, assign, booking_update, lifecycle};

/// `apply_booking_state_transition` for a known restaurant.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
fn apply_booking_state_transition_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
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
    in_restaurant("apply_booking_state_transition_in_restaurant", fcinfo, p_restaurant_id, || {
        lifecycle::apply_booking_state_transition(
            p_booking_id,
            p_status,
            p_checked_in_at,
            p_checked_out_at,
            p_updated_at,
            p_history_from,
            p_history_to,
            p_history_changed_by,
            p_history_changed_at,
            p_history_reason,
            p_history_metadata,
            std::ptr::null_mut(),
        )
    })
}

/// `confirm_hold_assignment_with_transition` for a known restaurant.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
fn confirm_hold_assignment_with_transition_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
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
    in_restaurant("confirm_hold_assignment_with_transition_in_restaurant", fcinfo, p_restaurant_id, || {
        lifecycle::confirm_hold_assignment_with_transition(
            p_booking_id,
            p_table_ids,
            p_idempotency_key,
            p_require_adjacency,
            p_assigned_by,
            p_start_at,
            p_end_at,
            p_target_status,
            p_history_changed_by,
            p_history_reason,
            p_history_metadata,
            std::ptr::null_mut(),
        )
    })
}

/// `confirm_hold_assignment_tx` for a known restaurant.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
fn confirm_hold_assignment_tx_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
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
    in_restaurant("confirm_hold_assignment_tx_in_restaurant", fcinfo, p_restaurant_id, || {
        lifecycle::confirm_hold_assignment_tx(
            p_hold_id,
            p_booking_id,
            p_idempotency_key,
            p_require_adjacency,
            p_assigned_by,
            p_window_start,
            p_window_end,
            p_expected_policy_version,
            p_expected_adjacency_hash,
            p_target_status,
            p_history_reason,
            p_history_metadata,
            p_history_changed_by,
            std::ptr::null_mut(),
        )
    })
}

/// `create_table_hold` for a known restaurant.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
fn create_table_hold_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_booking_id: Option<pgrx::Uuid>,
    p_table_ids: Option<Vec<Option<pgrx::Uuid>>>,
    p_start_at: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_end_at: default!(Option<TimestampWithTimeZone>, "NULL"),
    p_ttl_seconds: default!(Option<i32>, 180),
    p_created_by: default!(Option<pgrx::Uuid>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> pgrx::Uuid {
    in_restaurant("create_table_hold_in_restaurant", fcinfo, p_restaurant_id, || {
        lifecycle::create_table_hold(
            p_booking_id,
            p_table_ids,
            p_start_at,
            p_end_at,
            p_ttl_seconds,
            p_created_by,
            std::ptr::null_mut(),
        )
    })
}

/// `release_table_hold` for a known restaurant (false for a hold of another restaurant).
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
fn release_table_hold_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_hold_id: Option<pgrx::Uuid>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> bool {
    in_restaurant("release_table_hold_in_restaurant", fcinfo, p_restaurant_id, || {
        lifecycle::release_table_hold(p_hold_id, std::ptr::null_mut())
    })
}

/// `release_hold_and_emit` for a known restaurant (false for a hold of another restaurant).
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
fn release_hold_and_emit_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_hold_id: Option<pgrx::Uuid>,
    p_actor_id: default!(Option<pgrx::Uuid>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> bool {
    in_restaurant("release_hold_and_emit_in_restaurant", fcinfo, p_restaurant_id, || {
        lifecycle::release_hold_and_emit(p_hold_id, p_actor_id, std::ptr::null_mut())
    })
}

/// `quote_tables` for a known restaurant.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
fn quote_tables_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_booking_id: Option<pgrx::Uuid>,
    p_limit: default!(Option<i32>, 5),
    p_max_tables: default!(Option<i32>, "NULL"),
    p_require_adjacency: default!(Option<bool>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> TableIterator<
    'static,
    (
        name!(rank, i32),
        name!(table_ids, Vec<pgrx::Uuid>),
        name!(total_capacity, i32),
        name!(overage, i32),
        name!(score, f64),
        name!(zone_id, pgrx::Uuid),
        name!(reasons, super::reasons::QuoteReasons),
    ),
> {
    in_restaurant("quote_tables_in_restaurant", fcinfo, p_restaurant_id, || {
        allocate::quote_tables(p_booking_id, p_limit, p_max_tables, p_require_adjacency, std::ptr::null_mut())
    })
}

/// `auto_assign_tables` for a known restaurant.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
fn auto_assign_tables_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_booking_id: Option<pgrx::Uuid>,
    p_idempotency_key: default!(Option<String>, "NULL"),
    p_as_hold: default!(Option<bool>, false),
    p_assigned_by: default!(Option<pgrx::Uuid>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> TableIterator<
    'static,
    (
        name!(table_id, pgrx::Uuid),
        name!(start_at, TimestampWithTimeZone),
        name!(end_at, TimestampWithTimeZone),
        name!(merge_group_id, Option<pgrx::Uuid>),
        name!(hold_id, Option<pgrx::Uuid>),
    ),
> {
    in_restaurant("auto_assign_tables_in_restaurant", fcinfo, p_restaurant_id, || {
        allocate::auto_assign_tables(p_booking_id, p_idempotency_key, p_as_hold, p_assigned_by, std::ptr::null_mut())
    })
}

/// `auto_assign_day` under the companion name (it is keyed by restaurant already), so Citus can
/// delegate it like the others.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
fn auto_assign_day_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_date: Option<pgrx::datum::Date>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> TableIterator<
    'static,
    (
        name!(booking_id, pgrx::Uuid),
        name!(table_ids, Vec<pgrx::Uuid>),
        name!(outcome, String),
        name!(detail, Option<String>),
    ),
> {
    in_restaurant("auto_assign_day_in_restaurant", fcinfo, p_restaurant_id, || {
        allocate::auto_assign_day(p_restaurant_id, p_date)
    })
}

/// `validate_booking_capacity_after_assignment` for a known restaurant.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
fn validate_booking_capacity_after_assignment_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_booking_id: Option<pgrx::Uuid>,
    fcinfo: pg_sys::FunctionCallInfo,
) {
    in_restaurant("validate_booking_capacity_after_assignment_in_restaurant", fcinfo, p_restaurant_id, || {
        booking_update::validate_booking_capacity_after_assignment(p_booking_id, std::ptr::null_mut())
    })
}

/// `sync_confirmed_assignment_windows` for a known restaurant.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
fn sync_confirmed_assignment_windows_in_restaurant(
    p_restaurant_id: Option<pgrx::Uuid>,
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
    in_restaurant("sync_confirmed_assignment_windows_in_restaurant", fcinfo, p_restaurant_id, || {
        assign::sync_confirmed_assignment_windows(
            p_booking_id,
            p_table_ids,
            p_window_start,
            p_window_end,
            p_actor_id,
            p_hold_id,
            p_merge_group_id,
            p_idempotency_key,
            p_payload_checksum,
            std::ptr::null_mut(),
        )
    })
}
