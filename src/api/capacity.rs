//! `validate_booking_capacity_after_assignment` (reference §2.7, seed 002).

use pgrx::prelude::*;

use super::raise;
use crate::db::plans::with_generic_plans;
use crate::db::{assign, capacity, from_pg};

const VALIDATE: &str = "validate_booking_capacity_after_assignment";

/// Raises P0001 `capacity_exceeded_post_assignment` when the booking's service period is over its
/// capacity rule. An unknown booking, a missing `restaurant_capacity_rules` table, or the kill
/// switch `app.capacity.post_assignment.enabled` = off/false/0/no make it a no-op.
#[pg_extern(security_definer)]
#[search_path(@extschema@, pg_catalog, pg_temp)]
fn validate_booking_capacity_after_assignment(p_booking_id: Option<pgrx::Uuid>) {
    let Some(booking) = p_booking_id.map(from_pg) else { return };
    let result = with_generic_plans(|| {
        Spi::connect_mut(|client| match assign::booking_restaurant(client, booking) {
            Some(restaurant) => capacity::after_assignment(client, restaurant, booking),
            None => Ok(()),
        })
    });
    if let Err(e) = result {
        raise(&e, VALIDATE);
    }
}
