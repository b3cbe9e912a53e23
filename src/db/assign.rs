//! The assignment core shared by `assign_tables_atomic_v2`, v1 `assign_tables_atomic` and their
//! `_in_restaurant` companions, and the unassign path.
//!
//! Order of work (reference §8, SPEC §5/§6): lock the booking; derive the window; replay from the
//! ledger when the key is known; lock the tables in id order and validate them; zone lock and
//! adjacency; conflicts (holds, other bookings) read under the locks; then the writes, one table per
//! statement (SPEC §8);
//! then the post-assignment capacity hook. Every decision is taken before the first write, so a
//! refused call writes nothing, and the exclusion constraints fire only for writers that bypass
//! these functions.

use pgrx::datum::DatumWithOid;
use pgrx::spi::SpiClient;
use uuid::Uuid;

use super::assign_sql::*;
use super::capacity;
use super::columns::Columns;
use super::plans::run;
use super::{now, random_uuid, to_pg, ts, uuid_array};
use crate::domain::error::SeatingError;
use crate::domain::state::Status;
use crate::domain::tableset::{self, Conflict, LedgerEntry, Purpose, Replay, TableFacts};
use crate::domain::window::{self, BookingTimes, Instant, Window};

/// One call's request, already decoded from SQL arguments.
pub struct AssignRequest {
    /// The SQL function named in messages: the RPC called (`assign_tables_atomic_v2`,
    /// `assign_tables_atomic`, `create_table_hold`, `sync_confirmed_assignment_windows`, ...), or
    /// `auto_assign_tables` for the allocator's own assignments.
    pub function: &'static str,
    pub restaurant_id: Uuid,
    pub booking_id: Uuid,
    /// Sorted, without duplicates (`tableset::normalize_ids`).
    pub table_ids: Vec<Uuid>,
    pub idempotency_key: Option<String>,
    pub require_adjacency: bool,
    pub assigned_by: Option<Uuid>,
    pub explicit_start: Option<Instant>,
    pub explicit_end: Option<Instant>,
    /// `false` (the RPCs, SPEC §6): the tables are *added* to the booking's assignment; tables it
    /// already holds that are in the call are assigned again with the call's window and merge
    /// group, the others stay. `true` (auto-assign moving a booking): the call's set replaces
    /// whatever the booking held.
    pub replace: bool,
}

impl AssignRequest {
    /// A request for `table_ids` (sorted, without duplicates) with no key, no adjacency
    /// requirement, no actor and the booking's own window, adding to what the booking holds.
    pub fn new(function: &'static str, restaurant_id: Uuid, booking_id: Uuid, table_ids: Vec<Uuid>) -> AssignRequest {
        AssignRequest {
            function,
            restaurant_id,
            booking_id,
            table_ids,
            idempotency_key: None,
            require_adjacency: false,
            assigned_by: None,
            explicit_start: None,
            explicit_end: None,
            replace: false,
        }
    }
}

/// One assigned table, as the RPCs return it (ordered by table id).
#[derive(Debug, Clone)]
pub struct AssignedRow {
    pub table_id: Uuid,
    pub window: Window,
    pub merge_group_id: Option<Uuid>,
    pub assignment_id: Uuid,
}

/// The restaurant a booking belongs to (one indexed read), `None` when there is no such booking.
/// Inside a companion, the routed restaurant (every later statement filters by it, so a booking
/// of another restaurant is not found).
pub fn booking_restaurant(client: &mut SpiClient<'_>, booking_id: Uuid) -> Option<Uuid> {
    if let Some(r) = super::route::restaurant() {
        return Some(r);
    }
    let rows = run(client, &BOOKING_RESTAURANT, &[to_pg(booking_id).into()]);
    rows.first().uuid(1, &BOOKING_RESTAURANT)
}

/// What the checks established for a request: its window and the set's zone.
pub struct Checked {
    pub window: Window,
    pub zone: Uuid,
}

/// What the booking row says, once its window is derived.
pub struct BookingFacts {
    pub window: Window,
    pub assigned_zone: Option<Uuid>,
    pub slot: Option<pgrx::Uuid>,
    pub party_size: i32,
}

/// Step 1–2: lock (or, for a quote, just read) the booking and derive the window. Terminal
/// bookings hold no tables.
pub fn booking_facts(
    client: &mut SpiClient<'_>,
    req: &AssignRequest,
    lock: bool,
) -> Result<BookingFacts, SeatingError> {
    let stmt = if lock { &LOCK_BOOKING } else { &READ_BOOKING };
    let zone_name: Option<String> =
        run(client, &RESTAURANT_TIMEZONE, &[to_pg(req.restaurant_id).into()]).first().col(1, &RESTAURANT_TIMEZONE);
    let booking = run(
        client,
        stmt,
        &[to_pg(req.restaurant_id).into(), to_pg(req.booking_id).into(), zone_name.as_deref().into()],
    );
    if booking.is_empty() {
        return Err(SeatingError::BookingNotFound { booking_id: req.booking_id });
    }
    let row = booking.first();
    let status: String = row.col(1, stmt).unwrap_or_default();
    let times = BookingTimes {
        start_at: row.instant(2, stmt),
        end_at: row.instant(3, stmt),
        local_start: row.instant(4, stmt),
        local_end: row.instant(5, stmt),
        date_from: row.instant(9, stmt),
        date_to: row.instant(10, stmt),
    };
    let assigned_zone = row.uuid(6, stmt);
    let slot: Option<pgrx::Uuid> = row.col(7, stmt);
    let party_size: i32 = row.col(8, stmt).unwrap_or(0);
    if Status::parse(&status).is_some_and(Status::is_terminal) {
        return Err(SeatingError::BookingNotAssignable { booking_id: req.booking_id, status });
    }
    let window = window::resolve(
        req.function,
        req.booking_id,
        req.explicit_start,
        req.explicit_end,
        &times,
        crate::settings::max_window(),
    )?;
    Ok(BookingFacts { window, assigned_zone, slot, party_size })
}

/// Steps 4–7: lock the tables in id order, validate them, the zone lock, adjacency, and the
/// conflicts read under the locks. Returns the set's zone.
fn lock_tables_and_check(
    client: &mut SpiClient<'_>,
    req: &AssignRequest,
    window: Window,
    assigned_zone: Option<Uuid>,
    purpose: Purpose,
) -> Result<Uuid, SeatingError> {
    let r = to_pg(req.restaurant_id);
    let b = to_pg(req.booking_id);
    let ids = uuid_array(&req.table_ids);
    // 4. Lock the tables in id order, then validate them.
    let need_edges = req.require_adjacency && req.table_ids.len() > 1;
    let locked = run(client, &LOCK_TABLES, &[r.into(), ids.clone().into(), b.into(), need_edges.into()]);
    let mut facts = Vec::with_capacity(req.table_ids.len());
    let mut edges: Vec<(Uuid, Uuid)> = Vec::new();
    let mut current_zones: Vec<Uuid> = Vec::new();
    for t in locked {
        // (the table's primary key: never NULL)
        let Some(id) = t.uuid(1, &LOCK_TABLES) else { continue };
        facts.push(TableFacts {
            id,
            zone_id: t.uuid(2, &LOCK_TABLES),
            active: t.col(3, &LOCK_TABLES).unwrap_or(false),
            out_of_service: t.col(4, &LOCK_TABLES).unwrap_or(false),
            mobility: t.col(5, &LOCK_TABLES).unwrap_or_default(),
        });
        edges.extend(t.uuids(6, &LOCK_TABLES).into_iter().map(|n| (id, n)));
        if current_zones.is_empty() {
            current_zones = t.uuids(7, &LOCK_TABLES);
        }
    }
    if facts.len() != req.table_ids.len() {
        let found: Vec<Uuid> = facts.iter().map(|f| f.id).collect();
        let missing = tableset::missing_ids(&req.table_ids, &found);
        let foreign = run(client, &FIND_FOREIGN_TABLE, &[uuid_array(&missing).into()]);
        if !foreign.is_empty() {
            if let Some(table_id) = foreign.first().uuid(1, &FIND_FOREIGN_TABLE) {
                return Err(SeatingError::TableOtherRestaurant { table_id });
            }
        }
        return Err(SeatingError::TablesNotFound { booking_id: req.booking_id });
    }
    let zone = tableset::validate_tables(&facts)?;

    // 5. Zone lock, against the tables the booking holds now. A replacing call (auto-assign, a
    // booking moved to make room, SPEC §7) moves the booking's whole set: its old tables are
    // released before the new ones are written and the zone lock follows the new set, so neither
    // the old tables' zone nor the old lock refuses it.
    if !req.replace {
        tableset::check_zone_lock(req.booking_id, zone, &current_zones, assigned_zone)?;
    }

    // 6. Adjacency: the set must be connected.
    if need_edges {
        tableset::check_connected(&req.table_ids, &edges)?;
    }

    // 7. Conflicts, read under the table locks: live holds first, then other bookings.
    let conflicts = run(
        client,
        &CONFLICTS,
        &[r.into(), b.into(), ids.clone().into(), ts(window.start).into(), ts(window.end).into()],
    );
    let conflicts = conflicts.map(|c| {
        let other = c.uuid(3, &CONFLICTS);
        match c.col::<String>(1, &CONFLICTS).as_deref() {
            Some("hold") => Conflict::Hold { hold_id: other },
            _ => Conflict::Booking { table_id: c.uuid(2, &CONFLICTS), booking_id: other },
        }
    });
    tableset::first_conflict(req.booking_id, purpose, conflicts)?;
    Ok(zone)
}

/// Every check of an assignment (with its error texts), without writing: used by a window move.
pub fn check_assignment(client: &mut SpiClient<'_>, req: &AssignRequest) -> Result<Checked, SeatingError> {
    let facts = booking_facts(client, req, true)?;
    let zone = lock_tables_and_check(client, req, facts.window, facts.assigned_zone, Purpose::Assign)?;
    Ok(Checked { window: facts.window, zone })
}

/// Every check of an assignment, without writing: used by hold placement.
pub fn check(client: &mut SpiClient<'_>, req: &AssignRequest) -> Result<Checked, SeatingError> {
    let facts = booking_facts(client, req, true)?;
    let zone = lock_tables_and_check(client, req, facts.window, facts.assigned_zone, Purpose::Hold)?;
    Ok(Checked { window: facts.window, zone })
}

/// Assigns `req.table_ids` to the booking (added to what it holds, or replacing it with
/// `req.replace`), or refuses without writing anything.
pub fn assign(client: &mut SpiClient<'_>, req: &AssignRequest) -> Result<Vec<AssignedRow>, SeatingError> {
    let r = to_pg(req.restaurant_id);
    let b = to_pg(req.booking_id);
    let ids = uuid_array(&req.table_ids);
    let BookingFacts { window, assigned_zone, slot, .. } = booking_facts(client, req, true)?;

    // 3. Idempotent replay: same key, same set, same window → the original rows, no writes.
    if let Some(key) = &req.idempotency_key {
        let ledger = run(client, &LEDGER_ENTRY, &[r.into(), b.into(), ids.clone().into(), key.as_str().into()]);
        let entry = if ledger.is_empty() {
            None
        } else {
            let l = ledger.first();
            let window = tableset::recorded_window(l.instant(2, &LEDGER_ENTRY), l.instant(3, &LEDGER_ENTRY));
            Some(LedgerEntry { same_table_set: l.col(1, &LEDGER_ENTRY).unwrap_or(false), window })
        };
        if tableset::replay_decision(req.function, req.booking_id, entry, window)? == Replay::Original {
            return Ok(replay_rows(client, r, b, &ids));
        }
    }

    let zone = lock_tables_and_check(client, req, window, assigned_zone, Purpose::Assign)?;

    // 8. Writes (the slot found with the booking is linked). The tables of the call that the
    // booking already holds (or, replacing, all it holds) are released first, without the
    // release's status move, and written afresh with the call's window and merge group.
    let again = if req.replace { None } else { Some(ids.clone()) };
    remove_tables(client, r, b, again, None, None);
    let rows = write_assignment(client, req, window, slot, zone);

    // 9. The post-assignment capacity check (reference §2.7; kill switch honoured inside).
    capacity::after_assignment(client, req.restaurant_id, req.booking_id)?;
    Ok(rows)
}

/// Step 8's writes, one routed statement per table and row: the merge group (two or more tables),
/// per table (in id order) its allocation and assignment row, the ledger row (when keyed), the
/// zone lock, and the `capacity.assignment.sync` event.
fn write_assignment(
    client: &mut SpiClient<'_>,
    req: &AssignRequest,
    window: Window,
    slot: Option<pgrx::Uuid>,
    zone: Uuid,
) -> Vec<AssignedRow> {
    let r = to_pg(req.restaurant_id);
    let b = to_pg(req.booking_id);
    let (start, end) = (ts(window.start), ts(window.end));
    let by = req.assigned_by.map(to_pg);
    let key: Option<&str> = req.idempotency_key.as_deref();
    let group = (req.table_ids.len() > 1).then(random_uuid);
    if let Some(g) = group {
        run(client, &INSERT_MERGE_GROUP, &[r.into(), b.into(), to_pg(g).into(), start.into(), end.into(), by.into()]);
    }
    let mut rows = Vec::with_capacity(req.table_ids.len());
    for &table in &req.table_ids {
        let t = to_pg(table);
        let allocation: Option<pgrx::Uuid> =
            run(client, &INSERT_TABLE_ALLOCATION, &[r.into(), b.into(), t.into(), start.into(), end.into(), by.into()])
                .first()
                .col(1, &INSERT_TABLE_ALLOCATION);
        let assignment = run(
            client,
            &INSERT_ASSIGNMENT,
            &[
                r.into(),
                b.into(),
                t.into(),
                start.into(),
                end.into(),
                by.into(),
                key.into(),
                slot.into(),
                allocation.into(),
                group.map(to_pg).into(),
            ],
        )
        .first()
        .uuid(1, &INSERT_ASSIGNMENT);
        rows.push(AssignedRow {
            table_id: table,
            window,
            merge_group_id: group,
            assignment_id: assignment.unwrap_or_default(),
        });
    }
    let ids = uuid_array(&req.table_ids);
    if let Some(k) = key {
        run(
            client,
            &INSERT_LEDGER,
            &[r.into(), b.into(), k.into(), ids.clone().into(), start.into(), end.into(), group.map(to_pg).into()],
        );
    }
    run(client, &SET_BOOKING_ZONE, &[r.into(), b.into(), to_pg(zone).into(), ts(now()).into()]);
    run(client, &INSERT_SYNC_EVENT, &[r.into(), b.into(), ids.into(), start.into(), end.into(), by.into(), key.into()]);
    rows
}

/// The booking's assignments of a table set, ordered by table id (what a replay returns).
pub fn replay_rows(client: &mut SpiClient<'_>, r: pgrx::Uuid, b: pgrx::Uuid, ids: &[pgrx::Uuid]) -> Vec<AssignedRow> {
    run(client, &REPLAY_ROWS, &[r.into(), b.into(), ids.to_vec().into()])
        .filter_map(|row| {
            let start = row.instant(2, &REPLAY_ROWS)?;
            let end = row.instant(3, &REPLAY_ROWS)?;
            Some(AssignedRow {
                table_id: row.uuid(1, &REPLAY_ROWS)?,
                window: Window { start, end },
                merge_group_id: row.uuid(4, &REPLAY_ROWS),
                assignment_id: row.uuid(5, &REPLAY_ROWS)?,
            })
        })
        .collect()
}

/// One removed assignment: (table, its merge group).
pub type UnassignedRow = (Uuid, Option<Uuid>);

/// The removal shared by unassign and re-assignment: the chosen assignments (all when both
/// selectors are None), then what hung on them (their allocations, emptied merge groups, ledger
/// rows); with `release` (status before the call in `status`), when no table remains, the zone
/// lock goes and a confirmed booking moves to `pending_allocation` with a history row. Returns the
/// removed rows and whether no table remains.
fn remove_tables(
    client: &mut SpiClient<'_>,
    r: pgrx::Uuid,
    b: pgrx::Uuid,
    table_ids: Option<Vec<pgrx::Uuid>>,
    merge_group_id: Option<pgrx::Uuid>,
    release: Option<&str>,
) -> (Vec<UnassignedRow>, bool) {
    let args: [DatumWithOid; 4] = [r.into(), b.into(), table_ids.into(), merge_group_id.into()];
    let rows: Vec<UnassignedRow> = run(client, &DELETE_ASSIGNMENTS, &args)
        .filter_map(|row| Some((row.uuid(1, &DELETE_ASSIGNMENTS)?, row.uuid(2, &DELETE_ASSIGNMENTS))))
        .collect();
    if rows.is_empty() {
        return (rows, false);
    }
    let mut removed: Vec<Uuid> = rows.iter().map(|(t, _)| *t).collect();
    removed.sort_unstable();
    let released = uuid_array(&removed);
    // Ledger rows first: they reference the merge groups deleted with the allocations.
    run(client, &DELETE_RELEASED_LEDGER, &[r.into(), b.into(), released.clone().into()]);
    run(client, &DELETE_RELEASED_ALLOCATIONS, &[r.into(), b.into(), released.into()]);
    let emptied =
        !run(client, &HOLDS_ANY_TABLE, &[r.into(), b.into()]).first().col(1, &HOLDS_ANY_TABLE).unwrap_or(false);
    if let (Some(status), true) = (release, emptied) {
        let demote = status == "confirmed";
        let target = if demote { "pending_allocation" } else { status };
        let at = ts(now());
        run(client, &RELEASE_BOOKING, &[r.into(), b.into(), target.into(), at.into()]);
        if demote {
            let count = i32::try_from(removed.len()).unwrap_or(i32::MAX);
            run(client, &INSERT_RELEASE_HISTORY, &[r.into(), b.into(), count.into(), at.into()]);
        }
    }
    (rows, emptied)
}

/// Removes the booking's assignments of `table_ids` and/or `merge_group_id` (all when both are
/// None). Unknown bookings and ids are ignored.
pub fn unassign(
    client: &mut SpiClient<'_>,
    restaurant_id: Uuid,
    booking_id: Uuid,
    table_ids: Option<Vec<Uuid>>,
    merge_group_id: Option<Uuid>,
) -> Result<Vec<UnassignedRow>, SeatingError> {
    let r = to_pg(restaurant_id);
    let b = to_pg(booking_id);
    let locked = run(client, &LOCK_BOOKING_FOR_UNASSIGN, &[r.into(), b.into()]);
    if locked.is_empty() {
        return Ok(Vec::new());
    }
    let status: String = locked.first().col(1, &LOCK_BOOKING_FOR_UNASSIGN).unwrap_or_default();
    let ids: Option<Vec<pgrx::Uuid>> = table_ids.as_deref().map(uuid_array);
    let (rows, emptied) = remove_tables(client, r, b, ids, merge_group_id.map(to_pg), Some(&status));
    if !rows.is_empty() && emptied && status == "checked_in" {
        // Raised after the deletes: the error aborts the statement, so nothing of it remains.
        return Err(SeatingError::SeatedPartyWithoutTable { booking_id });
    }
    Ok(rows)
}

/// One moved assignment row (the columns of `booking_table_assignments`).
pub type MovedRow = (
    pgrx::Uuid,
    pgrx::Uuid,
    pgrx::Uuid,
    pgrx::Uuid,
    Option<pgrx::Uuid>,
    Option<pgrx::datum::TimestampWithTimeZone>,
    Option<pgrx::Uuid>,
    Option<String>,
    Option<String>,
    pgrx::datum::TimestampWithTimeZone,
    pgrx::datum::TimestampWithTimeZone,
    Option<pgrx::Uuid>,
    Option<pgrx::Uuid>,
    pgrx::datum::Range<pgrx::datum::TimestampWithTimeZone>,
    Option<pgrx::datum::TimestampWithTimeZone>,
    Option<pgrx::datum::TimestampWithTimeZone>,
);

/// What `sync_confirmed_assignment_windows` asks besides the move itself.
pub struct MoveExtras {
    pub idempotency_key: Option<String>,
    pub merge_group_id: Option<Uuid>,
    pub payload_checksum: Option<String>,
}

/// Moves the booking's assignments of `req.table_ids` (all it holds when empty) to the request's
/// explicit window after every check of an assignment (the booking and the tables locked, the
/// zone, other bookings' allocations, assignments and live holds in the new window). Tables the
/// booking does not hold are ignored. Returns the moved rows.
pub fn move_tables(
    client: &mut SpiClient<'_>,
    req: &mut AssignRequest,
    extras: &MoveExtras,
) -> Result<Vec<MovedRow>, SeatingError> {
    let r = to_pg(req.restaurant_id);
    let b = to_pg(req.booking_id);
    if req.table_ids.is_empty() {
        // Lock the booking before reading its tables (the checks below lock it again, a no-op).
        booking_facts(client, req, true)?;
        req.table_ids = run(client, &REPLAY_ROWS_ALL, &[r.into(), b.into()])
            .filter_map(|row| row.uuid(1, &REPLAY_ROWS_ALL))
            .collect();
        if req.table_ids.is_empty() {
            return Ok(Vec::new());
        }
    }
    let checked = check_assignment(client, req)?;
    if let Some(group) = extras.merge_group_id {
        // The ledger row will name it: it must be this booking's own merge group (a group of
        // another restaurant, or none at all, gets the same refusal).
        if run(client, &MERGE_GROUP_OF_BOOKING, &[r.into(), b.into(), to_pg(group).into()]).is_empty() {
            return Err(SeatingError::MergeGroupNotOwned { merge_group_id: group, booking_id: req.booking_id });
        }
    }
    let (start, end, at) = (ts(checked.window.start), ts(checked.window.end), ts(now()));
    let ids = uuid_array(&req.table_ids);
    let rows = run(client, &MOVE_ASSIGNMENTS, &[r.into(), b.into(), ids.into(), start.into(), end.into(), at.into()]);
    let moved = rows
        .filter_map(|w| {
            let m = &MOVE_ASSIGNMENTS;
            Some((
                w.col(1, m)?,
                w.col(2, m)?,
                w.col(3, m)?,
                w.col(4, m)?,
                w.col(5, m),
                w.col(6, m),
                w.col(7, m),
                w.col(8, m),
                w.col(9, m),
                w.col(10, m)?,
                w.col(11, m)?,
                w.col(12, m),
                w.col(13, m),
                w.col(14, m)?,
                w.col(15, m),
                w.col(16, m),
            ))
        })
        .collect::<Vec<MovedRow>>();
    let tables: Vec<pgrx::Uuid> = moved.iter().map(|m| m.3).collect();
    let mut groups: Vec<pgrx::Uuid> = moved.iter().filter_map(|m| m.12).collect();
    groups.sort_unstable_by_key(|g| *g.as_bytes());
    groups.dedup();
    run(
        client,
        &MOVE_ALLOCATIONS,
        &[r.into(), b.into(), tables.clone().into(), groups.into(), start.into(), end.into(), at.into()],
    );
    run(
        client,
        &MOVE_LEDGER,
        &[
            r.into(),
            b.into(),
            tables.into(),
            extras.idempotency_key.as_deref().into(),
            start.into(),
            end.into(),
            extras.merge_group_id.map(to_pg).into(),
            extras.payload_checksum.as_deref().into(),
        ],
    );
    Ok(moved)
}
