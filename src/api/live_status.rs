//! `table_live_status`: the state of every table of a restaurant at an instant (SPEC §2), computed
//! from allocations and holds, never written on the hot path.

use pgrx::prelude::*;

use super::{raise, require, rpc, Call};
use crate::db::layout;
use crate::domain::error::SeatingError;
use crate::domain::live::LiveStatus;

const LIVE: &str = "table_live_status";

/// One row per table of the restaurant, in `table_number` order: `out_of_service` (the manual
/// flag or a maintenance allocation), `occupied` (a checked-in booking's allocation), `reserved`
/// (another live allocation or a live hold) or `available`. The layout comes from the backend's
/// kept copy when it is current (as for `quote_tables`), so a floor plan polled every few seconds
/// reads only what covers the instant.
#[pg_extern(stable, security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
pub(crate) fn table_live_status(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_at: default!(Option<TimestampWithTimeZone>, "now()"),
) -> TableIterator<'static, (name!(table_id, pgrx::Uuid), name!(table_number, String), name!(live_status, String))> {
    let restaurant = require(LIVE, "p_restaurant_id", p_restaurant_id).unwrap_or_else(|e| raise(&e, LIVE));
    let at = p_at.unwrap_or_else(|| raise(&SeatingError::NullArgument { function: LIVE, argument: "p_at" }, LIVE));
    let rows = rpc(Call::named(LIVE), |client| {
        let (layout, covers) = layout::with_live(client, restaurant, at);
        Ok(layout
            .by_number
            .iter()
            .map(|&i| {
                let t = &layout.tables[i];
                let status = LiveStatus::of(t.out_of_service, covers.get(&t.id).copied().unwrap_or_default());
                (crate::db::to_pg(t.id), t.number.clone(), status.label().to_string())
            })
            .collect::<Vec<_>>())
    });
    TableIterator::new(rows)
}
