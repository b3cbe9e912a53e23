//! `validate_booking_capacity_after_assignment` (reference §2.7, seed 002).

use pgrx::pg_sys;
use pgrx::prelude::*;

use super::{rpc, Call};
use crate::db::{assign, capacity, from_pg};

const VALIDATE: &str = "validate_booking_capacity_after_assignment";

/// Raises P0001 `capacity_exceeded_post_assignment` when the booking's service period is over its
/// capacity rule. An unknown booking, a missing `restaurant_capacity_rules` table, or the kill
/// switch `app.capacity.post_assignment.enabled` = off/false/0/no make it a no-op.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
pub(crate) fn validate_booking_capacity_after_assignment(
    p_booking_id: Option<pgrx::Uuid>,
    fcinfo: pg_sys::FunctionCallInfo,
) {
    if crate::db::forward::forward_to_companion::<()>(
        fcinfo,
        "validate_booking_capacity_after_assignment",
        crate::db::forward::Owner::Booking(0),
    )
    .is_some()
    {
        return;
    }
    let Some(booking) = p_booking_id.map(from_pg) else { return };
    rpc(Call::named(VALIDATE), |client| match assign::booking_restaurant(client, booking) {
        Some(restaurant) => capacity::after_assignment(client, restaurant, booking),
        None => Ok(()),
    })
}

/// Changes a booking's date, times, party size and details when the new slot's service period has
/// room (reference §2.8), answering with the JSON envelope `{success, error, message, details}`
/// (`INVALID_PARAMS`, `CAPACITY_EXCEEDED`) or `{success: true, booking, capacity, assignments,
/// message}`. A time change moves the booking's assignments to the new window, or releases them
/// when their tables are taken then (`assignments`: unchanged, moved or released). Unexpected
/// errors are raised, not folded into the envelope: the caller's transaction must not commit
/// half of them. This is the core; `update_booking_with_capacity_check` (sql/app_rpcs.sql) wraps
/// it to answer a concurrent-update conflict with the retryable `BOOKING_CONFLICT` envelope.
#[pg_extern(security_definer, name = "update_booking_with_capacity_check_core")]
#[search_path(pg_catalog, @extschema@, pg_temp)]
#[allow(clippy::too_many_arguments)]
fn update_booking_with_capacity_check(
    p_booking_id: Option<pgrx::Uuid>,
    p_restaurant_id: Option<pgrx::Uuid>,
    p_customer_id: Option<pgrx::Uuid>,
    p_booking_date: Option<pgrx::datum::Date>,
    p_start_time: Option<pgrx::datum::Time>,
    p_end_time: Option<pgrx::datum::Time>,
    p_party_size: Option<i32>,
    p_booking_type: Option<String>,
    p_customer_name: Option<String>,
    p_customer_email: Option<String>,
    p_customer_phone: Option<String>,
    p_seating_preference: Option<String>,
    p_notes: default!(Option<String>, "NULL"),
    p_marketing_opt_in: default!(Option<bool>, false),
    p_auth_user_id: default!(Option<pgrx::Uuid>, "NULL"),
    p_client_request_id: default!(Option<String>, "NULL"),
    p_details: default!(Option<pgrx::JsonB>, "'{}'"),
    p_loyalty_points_awarded: default!(Option<i32>, 0),
    p_source: default!(Option<String>, "'api'"),
) -> pgrx::JsonB {
    use crate::db::booking_update::{update, BookingUpdate};
    use crate::domain::booking_update::invalid;
    let missing = [
        ("p_booking_id", p_booking_id.is_none()),
        ("p_restaurant_id", p_restaurant_id.is_none()),
        ("p_booking_date", p_booking_date.is_none()),
        ("p_start_time", p_start_time.is_none()),
        ("p_end_time", p_end_time.is_none()),
        ("p_party_size", p_party_size.is_none()),
    ];
    if let Some((name, _)) = missing.iter().find(|(_, m)| *m) {
        return pgrx::JsonB(invalid(&format!("{name} is required")));
    }
    let (Some(booking_id), Some(restaurant_id), Some(date), Some(start), Some(end), Some(party)) =
        (p_booking_id, p_restaurant_id, p_booking_date, p_start_time, p_end_time, p_party_size)
    else {
        unreachable!("checked above")
    };
    if party <= 0 {
        return pgrx::JsonB(invalid("p_party_size must be positive"));
    }
    if start == end {
        return pgrx::JsonB(invalid("p_start_time and p_end_time must differ"));
    }
    if date.is_infinity() || date.is_neg_infinity() {
        return pgrx::JsonB(invalid("p_booking_date must be a finite date"));
    }
    let u = BookingUpdate {
        booking_id: from_pg(booking_id),
        restaurant_id: from_pg(restaurant_id),
        customer_id: p_customer_id.map(from_pg),
        booking_date: date,
        start_time: start,
        end_time: end,
        party_size: party,
        booking_type: p_booking_type,
        customer_name: p_customer_name,
        customer_email: p_customer_email,
        customer_phone: p_customer_phone,
        seating_preference: p_seating_preference,
        notes: p_notes,
        marketing_opt_in: p_marketing_opt_in,
        auth_user_id: p_auth_user_id.map(from_pg),
        client_request_id: p_client_request_id,
        details: p_details.map(|j| j.0),
        loyalty_points_awarded: p_loyalty_points_awarded,
        source: p_source,
    };
    let booking = u.booking_id;
    pgrx::JsonB(rpc(Call::named(UPDATE_BOOKING).conflicts(booking), |client| update(client, &u)))
}

const UPDATE_BOOKING: &str = "update_booking_with_capacity_check";
