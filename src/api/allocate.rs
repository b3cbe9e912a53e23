//! `quote_tables` and `auto_assign_tables` (SPEC §3 additions, §7 policy).

use std::rc::Rc;

use pgrx::pg_sys;
use pgrx::prelude::*;

use super::reasons::{BuiltReasons, MoveReason, QuoteReasons};
use super::{raise, require, rpc, Call};
use crate::db::allocate;
use crate::db::assign as engine;
use crate::db::{from_pg, to_pg, ts};
use crate::domain::error::SeatingError;
use crate::settings;
use uuid::Uuid;

const QUOTE: &str = "quote_tables";
const AUTO: &str = "auto_assign_tables";

/// Ranked candidate table sets for a booking (read-only): best first, with the score, its terms
/// and the tables left out and why.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
pub(crate) fn quote_tables(
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
        name!(reasons, QuoteReasons),
    ),
> {
    if let Some(forwarded) =
        crate::db::forward::forward_to_companion(fcinfo, "quote_tables", crate::db::forward::Owner::Booking(0))
    {
        return forwarded;
    }
    let booking_id = require(QUOTE, "p_booking_id", p_booking_id).unwrap_or_else(|e| raise(&e, QUOTE));
    let limit = p_limit.unwrap_or(5);
    if limit < 1 {
        raise(&SeatingError::ArgumentOutOfRange { function: QUOTE, argument: "p_limit", allowed: "at least 1" }, QUOTE);
    }
    let mut policy = settings::policy();
    if let Some(m) = p_max_tables {
        if !(1..=6).contains(&m) {
            raise(
                &SeatingError::ArgumentOutOfRange {
                    function: QUOTE,
                    argument: "p_max_tables",
                    allowed: "between 1 and 6",
                },
                QUOTE,
            );
        }
        policy.max_tables = m as usize;
    }
    if let Some(a) = p_require_adjacency {
        policy.require_adjacency = a;
    }
    let (q, room) = rpc(Call::named(QUOTE), |client| {
        let restaurant_id =
            engine::booking_restaurant(client, booking_id).ok_or(SeatingError::BookingNotFound { booking_id })?;
        allocate::quote_booking(client, restaurant_id, booking_id, &policy, limit as usize, settings::make_room_moves())
    });
    let rejected = Rc::new(q.rejected.iter().map(|(t, r)| (t.to_string(), r.label())).collect::<Vec<_>>());
    let feasible = q.feasible;
    // No plan fits as things are, but one does with moves (making room on): that plan, with them.
    let plans: Vec<_> = match room {
        Some(room) => {
            let moves: Vec<MoveReason> = room
                .moves
                .iter()
                .map(|m| MoveReason {
                    booking: m.booking.to_string(),
                    from: m.from.iter().map(Uuid::to_string).collect(),
                    to: m.to.tables.iter().map(Uuid::to_string).collect(),
                })
                .collect();
            vec![(room.plan, moves)]
        }
        None => q.plans.into_iter().map(|p| (p, Vec::new())).collect(),
    };
    let rows: Vec<_> = plans
        .into_iter()
        .enumerate()
        .map(|(i, (p, moves))| {
            (
                i as i32 + 1,
                p.tables.iter().copied().map(to_pg).collect::<Vec<_>>(),
                p.total_capacity,
                p.breakdown.overage,
                p.score,
                to_pg(p.zone),
                QuoteReasons::Built(BuiltReasons {
                    numbers: p.numbers,
                    breakdown: p.breakdown,
                    feasible,
                    rejected: Rc::clone(&rejected),
                    moves,
                }),
            )
        })
        .collect();
    TableIterator::new(rows)
}

/// Chooses the best table set for a booking and commits it atomically through the same path as
/// `assign_tables_atomic_v2` (or places it as a hold). Without a key, the booking's deterministic
/// `auto_assign_idempotency_key` is used, so a second run for the same booking and window returns
/// the same rows and writes nothing. No plan → P0001 `No table plan fits booking …` whose DETAIL
/// says why.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
pub(crate) fn auto_assign_tables(
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
    if let Some(forwarded) =
        crate::db::forward::forward_to_companion(fcinfo, "auto_assign_tables", crate::db::forward::Owner::Booking(0))
    {
        return forwarded;
    }
    let booking_id = require(AUTO, "p_booking_id", p_booking_id).unwrap_or_else(|e| raise(&e, AUTO));
    let policy = settings::policy();
    let key = super::decode_key(p_idempotency_key);
    let rows = rpc(Call::named(AUTO).conflicts(booking_id), |client| {
        let restaurant_id =
            engine::booking_restaurant(client, booking_id).ok_or(SeatingError::BookingNotFound { booking_id })?;
        allocate::auto_assign(
            client,
            allocate::AutoAssignRequest {
                restaurant_id,
                booking_id,
                idempotency_key: key,
                as_hold: p_as_hold.unwrap_or(false),
                assigned_by: p_assigned_by.map(from_pg),
                policy: &policy,
                lock_wait: allocate::LockWait::WaitForBest,
                make_room_moves: settings::make_room_moves(),
            },
        )
    });
    TableIterator::new(rows.into_iter().map(|a| {
        (
            to_pg(a.row.table_id),
            ts(a.row.window.start),
            ts(a.row.window.end),
            a.row.merge_group_id.map(to_pg),
            a.hold_id.map(to_pg),
        )
    }))
}

const DAY: &str = "auto_assign_day";

/// Auto-assigns every unassigned booking of a restaurant's day (largest party first, then earliest
/// start, then id) and reports each: `kept` (already seated), `assigned`, `unassigned` (no plan;
/// `detail` says why), `capacity_exceeded`, or `skipped` (`domain::day_plan::DayOutcome`).
/// `day_plan_metrics` gives the totals.
#[pg_extern(security_definer)]
#[search_path(pg_catalog, @extschema@, pg_temp)]
pub(crate) fn auto_assign_day(
    p_restaurant_id: Option<pgrx::Uuid>,
    p_date: Option<pgrx::datum::Date>,
) -> TableIterator<
    'static,
    (
        name!(booking_id, pgrx::Uuid),
        name!(table_ids, Vec<pgrx::Uuid>),
        name!(outcome, String),
        name!(detail, Option<String>),
    ),
> {
    let restaurant = require(DAY, "p_restaurant_id", p_restaurant_id).unwrap_or_else(|e| raise(&e, DAY));
    let date = p_date.unwrap_or_else(|| raise(&SeatingError::NullArgument { function: DAY, argument: "p_date" }, DAY));
    let policy = settings::policy();
    let rows = rpc(Call::named(DAY).conflicts(uuid::Uuid::nil()), |client| {
        Ok(allocate::auto_assign_day(client, restaurant, date, &policy))
    });
    TableIterator::new(rows.into_iter().map(|o| {
        (
            to_pg(o.booking_id),
            o.table_ids.into_iter().map(to_pg).collect::<Vec<_>>(),
            o.outcome.as_str().to_string(),
            o.detail,
        )
    }))
}
