//! The allocator's SPI side: read a restaurant's tables, adjacency and busy tables with a few
//! set-based statements, run the pure search, and (auto-assign) commit the best plan through the
//! same core as `assign_tables_atomic_v2`, or as a hold.

use pgrx::spi::SpiClient;
use uuid::Uuid;

use super::assign::{self, AssignRequest, AssignedRow};
use super::columns::Columns;
use super::holds;
use super::layout;
use super::lifecycle::{self, ConfirmTransition};
use super::plans::{run, Stmt, Ty};
use super::{to_pg, ts, uuid_array};
use crate::allocator::day::{plan_day, DayBooking};
use crate::allocator::room::RoomPlan;
use crate::allocator::search::{quote, Busy, Policy, Quote};
use crate::domain::day_plan::DayOutcome;
use crate::domain::error::SeatingError;
use crate::domain::window::{auto_assign_key, Window};

const LEDGER_TABLES: Stmt = Stmt {
    name: "LEDGER_TABLES",
    sql: "SELECT l.table_ids FROM booking_assignment_idempotency l
           WHERE l.restaurant_id = $1 AND l.booking_id = $2 AND l.idempotency_key = $3",
    args: &[Ty::Uuid, Ty::Uuid, Ty::Text],
};

/// The search's inputs for one booking and window.
pub struct Inputs {
    pub layout: std::rc::Rc<layout::Layout>,
    pub busy: Vec<Busy>,
}

/// Locks what it can of a plan's tables without waiting (the caller skips the plan unless it got all).
pub(crate) const TRY_LOCK_TABLES: Stmt = Stmt {
    name: "TRY_LOCK_TABLES",
    sql: "SELECT t.id FROM table_inventory t WHERE t.restaurant_id = $1 AND t.id = ANY($2)
           ORDER BY t.id FOR NO KEY UPDATE SKIP LOCKED",
    args: &[Ty::Uuid, Ty::UuidArray],
};

/// Locks the day's bookings that hold tables or may get some (not `Status::TERMINAL`), in id order
/// (every writer locks bookings before tables, so this never waits while holding a table).
const LOCK_DAY_BOOKINGS: Stmt = Stmt {
    name: "LOCK_DAY_BOOKINGS",
    sql: "SELECT b.id FROM bookings b
           WHERE b.restaurant_id = $1 AND b.booking_date = $2
             AND b.status OPERATOR(pg_catalog.<>) ALL ('{cancelled,no_show,completed}')
           ORDER BY b.id FOR NO KEY UPDATE",
    args: &[Ty::Uuid, Ty::Date],
};

/// The day's bookings (not `Status::TERMINAL`) in reporting order (largest party first, then
/// earliest start, then id) with the tables each holds and what its window needs ($3: the
/// restaurant's time zone).
const DAY_BOOKINGS: Stmt = Stmt {
    name: "DAY_BOOKINGS",
    sql: "SELECT b.id,
                 ARRAY(SELECT x.table_id FROM booking_table_assignments x
                        WHERE x.restaurant_id = $1 AND x.booking_id = b.id ORDER BY x.table_id),
                 b.start_at, b.end_at,
                 (b.booking_date + b.start_time) AT TIME ZONE $3,
                 ((b.booking_date + CASE WHEN b.end_time < b.start_time THEN 1 ELSE 0 END) + b.end_time) AT TIME ZONE $3,
                 b.party_size,
                 (b.booking_date - 1 + time '00:00') AT TIME ZONE $3,
                 (b.booking_date + 2 + time '00:00') AT TIME ZONE $3
            FROM bookings b
           WHERE b.restaurant_id = $1 AND b.booking_date = $2
             AND b.status OPERATOR(pg_catalog.<>) ALL ('{cancelled,no_show,completed}')
           ORDER BY b.party_size DESC, b.start_at NULLS LAST, b.start_time, b.id",
    args: &[Ty::Uuid, Ty::Date, Ty::Text],
};

/// Tables in use during [$3, $4) by anything but the bookings being planned ($2): live
/// allocations, assignments, and every live hold (a hold of a planned booking too: the plan leaves
/// held tables alone).
const DAY_BUSY: Stmt = Stmt {
    name: "DAY_BUSY",
    sql: r#"SELECT a.resource_id, pg_catalog.lower(a."window"), pg_catalog.upper(a."window") FROM allocations a
           WHERE a.restaurant_id = $1 AND a.resource_type = 'table' AND NOT a.shadow
             AND pg_catalog.upper(a."window") > $3 AND pg_catalog.lower(a."window") < $4
             AND (a.booking_id IS NULL OR NOT a.booking_id = ANY($2))
          UNION ALL
          SELECT w.table_id, w.start_at, w.end_at FROM table_hold_windows w
           WHERE w.restaurant_id = $1 AND w.end_at > $3 AND w.start_at < $4
             AND w.status OPERATOR(pg_catalog.=) 'active' AND w.expires_at > $5
          UNION ALL
          SELECT x.table_id, x.start_at, x.end_at FROM booking_table_assignments x
           WHERE x.restaurant_id = $1 AND x.end_at > $3 AND x.start_at < $4 AND NOT x.booking_id = ANY($2)"#,
    args: &[Ty::Uuid, Ty::UuidArray, Ty::TimestampTz, Ty::TimestampTz, Ty::TimestampTz],
};

pub fn load(client: &mut SpiClient<'_>, restaurant_id: Uuid, booking_id: Uuid, window: Window) -> Inputs {
    let (layout, busy) = layout::with_busy(client, restaurant_id, booking_id, window);
    Inputs { layout, busy: busy.into_iter().map(|table| Busy { table, window }).collect() }
}

fn request(
    restaurant_id: Uuid,
    booking_id: Uuid,
    table_ids: Vec<Uuid>,
    key: Option<String>,
    by: Option<Uuid>,
) -> AssignRequest {
    AssignRequest {
        idempotency_key: key,
        assigned_by: by,
        replace: true,
        ..AssignRequest::new("auto_assign_tables", restaurant_id, booking_id, table_ids)
    }
}

/// Quotes a booking (read-only): its party, window, and the ranked plans; when none fits and
/// making room may move up to `make_room` bookings, the plan that needs the fewest moves.
pub fn quote_booking(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    booking_id: Uuid,
    policy: &Policy,
    limit: usize,
    make_room: usize,
) -> Result<(Quote, Option<RoomPlan>), SeatingError> {
    let facts = assign::booking_facts(client, &request(restaurant_id, booking_id, Vec::new(), None, None), false)?;
    let inputs = load(client, restaurant_id, booking_id, facts.window);
    let q =
        quote(&inputs.layout.tables, &inputs.layout.edges, &inputs.busy, facts.party_size, facts.window, policy, limit);
    let room = if q.plans.is_empty() && make_room > 0 {
        super::room::quote(client, restaurant_id, booking_id, facts.party_size, facts.window, policy, make_room)
    } else {
        None
    };
    Ok((q, room))
}

/// Lock-wait policy of an auto-assign: whether its first attempt may wait for the row locks of
/// its best plan's tables, or every attempt only takes tables it can lock at once (SKIP LOCKED).
/// It changes no choice of tables, only whether a lock may be waited for (a caller that already
/// holds tables must never wait, or it could close a deadlock cycle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockWait {
    /// The first attempt waits for its tables (a single auto-assign, which holds no table yet).
    WaitForBest,
    /// No attempt waits: a plan is tried only when all its tables lock at once (SKIP LOCKED).
    NeverWait,
}

/// What `auto_assign` is asked to do: which booking, how to record it, and how to search and lock.
pub struct AutoAssignRequest<'a> {
    /// The booking's restaurant (the caller has looked it up).
    pub restaurant_id: Uuid,
    /// The booking to seat.
    pub booking_id: Uuid,
    /// The caller's idempotency key; `None` uses the booking's deterministic `auto_assign_key`.
    pub idempotency_key: Option<String>,
    /// Place the chosen plan as a hold instead of assigning it (no ledger replay, no making room).
    pub as_hold: bool,
    /// Who assigns (recorded with the assignment or hold).
    pub assigned_by: Option<Uuid>,
    /// The search's knobs.
    pub policy: &'a Policy,
    /// Whether the first attempt may wait for its tables' locks.
    pub lock_wait: LockWait,
    /// Other bookings that may be moved to make room when no plan fits (0: never).
    pub make_room_moves: usize,
}

/// One auto-assigned table (with the hold id when placed as a hold).
pub struct AutoRow {
    pub row: AssignedRow,
    pub hold_id: Option<Uuid>,
}

fn is_conflict(e: &SeatingError) -> bool {
    matches!(
        e,
        SeatingError::AllocationOverlap { .. } | SeatingError::HoldConflict { .. } | SeatingError::HoldBlocked { .. }
    )
}

/// Chooses the best plan and commits it atomically (or places it as a hold). The booking is locked
/// first; the best plan is committed through the assignment core, which locks its tables in id
/// order (waiting for them) and re-reads conflicts under those locks. When a concurrent writer took
/// one of them, the next plans are tried without waiting: each must lock all of its tables at once
/// with SKIP LOCKED, else it is skipped. A failed attempt keeps its row locks until the transaction
/// ends, so waiting again would take locks out of id order and two auto-assigns could deadlock;
/// never waiting after the first attempt rules that out, and nothing locks a table it will not try.
/// With `LockWait::NeverWait` (the day planner, which already holds other tables) no plan waits.
pub fn auto_assign(client: &mut SpiClient<'_>, req: AutoAssignRequest<'_>) -> Result<Vec<AutoRow>, SeatingError> {
    let AutoAssignRequest {
        restaurant_id,
        booking_id,
        idempotency_key: key,
        as_hold,
        assigned_by,
        policy,
        lock_wait,
        make_room_moves: make_room,
    } = req;
    let base = request(restaurant_id, booking_id, Vec::new(), None, assigned_by);
    let facts = assign::booking_facts(client, &base, true)?;
    let r = to_pg(restaurant_id);
    let b = to_pg(booking_id);
    let key = match key {
        Some(k) => k,
        None => auto_assign_key(booking_id, facts.window),
    };

    // A key already used: its recorded set (the core replays or reports the mismatch).
    if !as_hold {
        let recorded = run(client, &LEDGER_TABLES, &[r.into(), b.into(), key.as_str().into()]);
        if !recorded.is_empty() {
            let ids = recorded.first().uuids(1, &LEDGER_TABLES);
            let req = request(restaurant_id, booking_id, ids, Some(key), assigned_by);
            let rows = lifecycle::confirm(client, &req, &no_transition())?;
            return Ok(rows.into_iter().map(|row| AutoRow { row, hold_id: None }).collect());
        }
    }

    let mut waited = lock_wait == LockWait::NeverWait;
    let mut last_quote = None;
    for _round in 0..3 {
        let inputs = load(client, restaurant_id, booking_id, facts.window);
        let q = quote(
            &inputs.layout.tables,
            &inputs.layout.edges,
            &inputs.busy,
            facts.party_size,
            facts.window,
            policy,
            16,
        );
        for plan in &q.plans {
            let mut ids = plan.tables.clone();
            ids.sort_unstable();
            if waited {
                let locked = run(client, &TRY_LOCK_TABLES, &[r.into(), uuid_array(&ids).into()]).len();
                if locked < ids.len() {
                    continue; // another transaction is writing one of these tables
                }
            }
            waited = true;
            let req = request(restaurant_id, booking_id, ids.clone(), Some(key.clone()), assigned_by);
            let outcome = if as_hold {
                holds::create_hold(client, &req, 180, assigned_by).map(|hold| {
                    ids.iter()
                        .map(|t| AutoRow {
                            row: AssignedRow {
                                table_id: *t,
                                window: facts.window,
                                merge_group_id: None,
                                assignment_id: Uuid::nil(),
                            },
                            hold_id: Some(hold),
                        })
                        .collect::<Vec<_>>()
                })
            } else {
                lifecycle::confirm(client, &req, &no_transition())
                    .map(|rows| rows.into_iter().map(|row| AutoRow { row, hold_id: None }).collect())
            };
            match outcome {
                Ok(rows) => return Ok(rows),
                Err(e) if is_conflict(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        let exhausted = q.plans.is_empty();
        last_quote = Some((q, inputs.layout.tables.len()));
        if exhausted {
            break;
        }
    }
    // No plan: with making room on, move other bookings of that time when that makes it fit.
    if make_room > 0 && !as_hold {
        if let Some(rows) = super::room::assign(
            client,
            restaurant_id,
            booking_id,
            facts.party_size,
            facts.window,
            &key,
            assigned_by,
            policy,
            make_room,
        )? {
            return Ok(rows.into_iter().map(|row| AutoRow { row, hold_id: None }).collect());
        }
    }
    let (q, n) = last_quote.expect("at least one round");
    Err(SeatingError::NoTablePlan { booking_id, detail: q.explain(facts.party_size, n, policy) })
}

/// A confirm with no status transition.
pub(crate) fn no_transition() -> ConfirmTransition {
    ConfirmTransition { target: None, changed_by: None, reason: String::new(), metadata: None }
}

/// What occupies the restaurant's tables between `from` and `to` apart from the bookings `ids`
/// (DAY_BUSY: their allocations and assignments are left out; live holds are all in).
pub(crate) fn busy_between(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    ids: &[Uuid],
    from: i64,
    to: i64,
) -> Vec<Busy> {
    run(
        client,
        &DAY_BUSY,
        &[to_pg(restaurant_id).into(), uuid_array(ids).into(), ts(from).into(), ts(to).into(), ts(super::now()).into()],
    )
    .filter_map(|row| {
        let table = row.uuid(1, &DAY_BUSY)?;
        let window = Window::new(row.instant(2, &DAY_BUSY)?, row.instant(3, &DAY_BUSY)?)?;
        Some(Busy { table, window })
    })
    .collect()
}

/// One booking's row in a day plan's report.
pub struct DayPlanRow {
    pub booking_id: Uuid,
    pub table_ids: Vec<Uuid>,
    pub outcome: DayOutcome,
    pub detail: Option<String>,
}

/// Auto-assigns every unassigned booking of the day with one plan for the whole day
/// (`allocator::day::plan_day`: as many bookings seated as the tables allow, then as many guests,
/// then as few seats wasted). Bookings that already hold tables keep them (`kept`); the others are
/// `assigned`, `unassigned` (no plan, DETAIL says why), `capacity_exceeded` (checked before
/// writing, so the day goes on) or `skipped` (e.g. an invalid window). Rows in reporting order.
pub fn auto_assign_day(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    date: pgrx::datum::Date,
    policy: &Policy,
) -> Vec<DayPlanRow> {
    // Every booking of the day is locked first, in id order, and no table lock ever waits after
    // that: a transaction that holds tables never waits again, so it cannot close a cycle with the
    // single-booking writers (booking, then tables) or with another day plan.
    // Only the bookings locked here are planned: one inserted meanwhile would be locked later,
    // while tables are held.
    let r = to_pg(restaurant_id);
    let locked: std::collections::HashSet<Uuid> = run(client, &LOCK_DAY_BOOKINGS, &[r.into(), date.into()])
        .filter_map(|row| row.uuid(1, &LOCK_DAY_BOOKINGS))
        .collect();
    let timezone = &super::assign_sql::RESTAURANT_TIMEZONE;
    let zone: Option<String> = run(client, timezone, &[r.into()]).first().col(1, timezone);
    struct Day {
        id: Uuid,
        held: Vec<Uuid>,
        window: Result<Window, SeatingError>,
        party: i32,
    }
    let max_window = crate::settings::max_window();
    let day: Vec<Day> = run(client, &DAY_BOOKINGS, &[r.into(), date.into(), zone.as_deref().into()])
        .filter_map(|row| {
            let s = &DAY_BOOKINGS;
            let id = row.uuid(1, s)?;
            if !locked.contains(&id) {
                return None;
            }
            let times = crate::domain::window::BookingTimes {
                start_at: row.instant(3, s),
                end_at: row.instant(4, s),
                local_start: row.instant(5, s),
                local_end: row.instant(6, s),
                date_from: row.instant(8, s),
                date_to: row.instant(9, s),
            };
            let window = crate::domain::window::resolve("auto_assign_tables", id, None, None, &times, max_window);
            Some(Day { id, held: row.uuids(2, s), window, party: row.col(7, s).unwrap_or(0) })
        })
        .collect();

    // What is decided before planning: kept, invalid windows, capacity.
    let mut outcomes: Vec<Option<DayPlanRow>> = Vec::with_capacity(day.len());
    let mut planned: Vec<(usize, DayBooking)> = Vec::new();
    for (i, d) in day.iter().enumerate() {
        let outcome = if !d.held.is_empty() {
            Some(DayPlanRow { booking_id: d.id, table_ids: d.held.clone(), outcome: DayOutcome::Kept, detail: None })
        } else {
            match &d.window {
                Err(e) => Some(DayPlanRow {
                    booking_id: d.id,
                    table_ids: Vec::new(),
                    outcome: DayOutcome::Skipped,
                    detail: Some(e.message()),
                }),
                Ok(window) => match super::capacity::after_assignment(client, restaurant_id, d.id) {
                    Err(e) => Some(DayPlanRow {
                        booking_id: d.id,
                        table_ids: Vec::new(),
                        outcome: DayOutcome::CapacityExceeded,
                        detail: e.detail(),
                    }),
                    Ok(()) => {
                        planned.push((i, DayBooking { id: d.id, party: d.party, window: *window }));
                        None
                    }
                },
            }
        };
        outcomes.push(outcome);
    }

    if !planned.is_empty() {
        let layout = layout::read(client, restaurant_id);
        let (tables, edges) = (layout.tables.clone(), layout.edges.clone());
        let ids: Vec<Uuid> = planned.iter().map(|(_, b)| b.id).collect();
        let from = planned.iter().map(|(_, b)| b.window.start).min().unwrap_or(0);
        let to = planned.iter().map(|(_, b)| b.window.end).max().unwrap_or(0);
        let busy = busy_between(client, restaurant_id, &ids, from, to);
        let bookings: Vec<DayBooking> = planned.iter().map(|(_, b)| b.clone()).collect();
        let seatings = plan_day(&tables, &edges, &busy, &bookings, policy);

        // The plan's seats first, each through the assignment core (its tables locked without
        // waiting); then the bookings the plan leaves out, each by auto-assign, which also says why
        // when nothing fits. A plan whose tables cannot be had is re-planned for that booking.
        let mut left: Vec<usize> = Vec::new();
        for (k, seating) in seatings.iter().enumerate() {
            let (i, booking) = &planned[k];
            let Some(chosen) = &seating.tables else {
                left.push(k);
                continue;
            };
            let mut ids = chosen.clone();
            ids.sort_unstable();
            let locked = run(client, &TRY_LOCK_TABLES, &[r.into(), uuid_array(&ids).into()]).len();
            let written = if locked == ids.len() {
                let key = auto_assign_key(booking.id, booking.window);
                let req = request(restaurant_id, booking.id, ids.clone(), Some(key), None);
                lifecycle::confirm(client, &req, &no_transition())
            } else {
                Err(SeatingError::AllocationOverlap {
                    resource_id: Uuid::nil(),
                    booking_id: booking.id,
                    blocker: crate::domain::error::Blocker::Unknown,
                })
            };
            outcomes[*i] = Some(match written {
                Ok(rows) => DayPlanRow {
                    booking_id: booking.id,
                    table_ids: rows.iter().map(|x| x.table_id).collect(),
                    outcome: DayOutcome::Assigned,
                    detail: None,
                },
                Err(e) if is_conflict(&e) => {
                    left.push(k);
                    continue;
                }
                Err(e) => DayPlanRow {
                    booking_id: booking.id,
                    table_ids: Vec::new(),
                    outcome: DayOutcome::Skipped,
                    detail: Some(e.message()),
                },
            });
        }
        for k in left {
            let (i, booking) = &planned[k];
            outcomes[*i] = Some(
                match auto_assign(
                    client,
                    AutoAssignRequest {
                        restaurant_id,
                        booking_id: booking.id,
                        idempotency_key: None,
                        as_hold: false,
                        assigned_by: None,
                        policy,
                        lock_wait: LockWait::NeverWait,
                        make_room_moves: 0,
                    },
                ) {
                    Ok(rows) => DayPlanRow {
                        booking_id: booking.id,
                        table_ids: rows.iter().map(|x| x.row.table_id).collect(),
                        outcome: DayOutcome::Assigned,
                        detail: None,
                    },
                    Err(e) => {
                        let (outcome, detail) = DayOutcome::of_auto_assign_error(e);
                        DayPlanRow { booking_id: booking.id, table_ids: Vec::new(), outcome, detail: Some(detail) }
                    }
                },
            );
        }
    }
    outcomes.into_iter().flatten().collect()
}

/// Every statement this module keeps (`db::kept_statements`; a #[pg_test] prepares each one).
#[cfg(any(test, feature = "pg_test"))]
pub(crate) const STATEMENTS: &[&Stmt] =
    &[&LEDGER_TABLES, &TRY_LOCK_TABLES, &LOCK_DAY_BOOKINGS, &DAY_BOOKINGS, &DAY_BUSY];
