//! Table-set rules for an assignment: which ids, which tables may be combined, the booking's zone
//! lock, adjacency (connectivity), and idempotent replay.

use std::collections::{HashMap, HashSet, VecDeque};

use uuid::Uuid;

use super::error::{Blocker, MismatchReason, SeatingError};
use super::window::{Instant, Window};

/// Deduplicates and sorts the requested ids (ascending uuid order, as Postgres orders uuids).
/// NULL or empty → 23514 `requires at least one table id`; only NULL ids → `… valid table id`;
/// a NULL among real ids → 22004.
pub fn normalize_ids(function: &'static str, ids: Option<Vec<Option<Uuid>>>) -> Result<Vec<Uuid>, SeatingError> {
    let ids = match ids {
        None => return Err(SeatingError::NoTableIds { function }),
        Some(v) if v.is_empty() => return Err(SeatingError::NoTableIds { function }),
        Some(v) => v,
    };
    let total = ids.len();
    let mut out: Vec<Uuid> = ids.into_iter().flatten().collect();
    if out.is_empty() {
        return Err(SeatingError::NoValidTableIds { function });
    }
    if out.len() != total {
        return Err(SeatingError::NullTableId { function });
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Deduplicates and sorts ids where NULL elements are simply ignored (unassign: unknown ids are
/// ignored, and so are NULL ones).
pub fn normalize_optional_ids(ids: Option<Vec<Option<Uuid>>>) -> Option<Vec<Uuid>> {
    ids.map(|v| {
        let mut out: Vec<Uuid> = v.into_iter().flatten().collect();
        out.sort_unstable();
        out.dedup();
        out
    })
}

/// What the rules need to know about one requested table (a locked `table_inventory` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFacts {
    pub id: Uuid,
    pub zone_id: Option<Uuid>,
    pub active: bool,
    pub out_of_service: bool,
    /// `table_mobility` as text: `movable` or `fixed`.
    pub mobility: String,
}

/// Validates the locked tables, given in ascending id order, and returns the set's zone.
/// Per table, in id order: zoned, active, in service, same zone as the first table, and — for a
/// merged set — movable (reference §2.1 step 5 plus SPEC §6's out-of-service rule).
pub fn validate_tables(tables: &[TableFacts]) -> Result<Uuid, SeatingError> {
    let merged = tables.len() > 1;
    let mut expected: Option<Uuid> = None;
    for t in tables {
        let zone = t.zone_id.ok_or(SeatingError::TableNotZoned { table_id: t.id })?;
        if !t.active {
            return Err(SeatingError::TableInactive { table_id: t.id });
        }
        if t.out_of_service {
            return Err(SeatingError::TableOutOfService { table_id: t.id });
        }
        match expected {
            None => expected = Some(zone),
            Some(z) if z != zone => return Err(SeatingError::MixedZones { found: zone, expected: z }),
            Some(_) => {}
        }
        if merged && t.mobility != "movable" {
            return Err(SeatingError::MergeRequiresMovable { table_id: t.id, mobility: t.mobility.clone() });
        }
    }
    expected.ok_or(SeatingError::NoTableIds { function: "assign_tables_atomic_v2" })
}

/// Of the requested ids, those the restaurant's lock query did not return.
pub fn missing_ids(requested: &[Uuid], found: &[Uuid]) -> Vec<Uuid> {
    let found: HashSet<&Uuid> = found.iter().collect();
    requested.iter().filter(|id| !found.contains(id)).copied().collect()
}

/// The zone lock (SPEC §6): a booking's tables stay in one zone. Tables it already holds in
/// another zone → `already has assignments in a different zone`; a lock on another zone →
/// `locked to zone …`.
pub fn check_zone_lock(
    booking_id: Uuid,
    selected_zone: Uuid,
    zones_of_current_tables: &[Uuid],
    assigned_zone: Option<Uuid>,
) -> Result<(), SeatingError> {
    if zones_of_current_tables.iter().any(|z| *z != selected_zone) {
        return Err(SeatingError::ZoneConflict { booking_id });
    }
    match assigned_zone {
        Some(locked) if locked != selected_zone => {
            Err(SeatingError::ZoneLocked { booking_id, locked, requested: selected_zone })
        }
        _ => Ok(()),
    }
}

/// The set must be connected through the undirected adjacency edges (only edges between members
/// count). Reports the lowest-id table that cannot be reached from the lowest-id table.
pub fn check_connected(tables: &[Uuid], edges: &[(Uuid, Uuid)]) -> Result<(), SeatingError> {
    if tables.len() < 2 {
        return Ok(());
    }
    let members: HashSet<Uuid> = tables.iter().copied().collect();
    let mut graph: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (a, b) in edges {
        if a != b && members.contains(a) && members.contains(b) {
            graph.entry(*a).or_default().push(*b);
            graph.entry(*b).or_default().push(*a);
        }
    }
    let mut sorted = tables.to_vec();
    sorted.sort_unstable();
    let mut seen: HashSet<Uuid> = HashSet::from([sorted[0]]);
    let mut queue = VecDeque::from([sorted[0]]);
    while let Some(t) = queue.pop_front() {
        for n in graph.get(&t).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(*n) {
                queue.push_back(*n);
            }
        }
    }
    match sorted.iter().find(|t| !seen.contains(t)) {
        Some(t) => Err(SeatingError::NotAdjacent { table_id: *t }),
        None => Ok(()),
    }
}

/// What the idempotency ledger says about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// No ledger row for the key: assign afresh.
    Fresh,
    /// Same key, same table set, same window: return the original rows and write nothing.
    Original,
}

/// The ledger row for (booking, key), when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerEntry {
    pub same_table_set: bool,
    pub window: Window,
}

/// SPEC §6 replay rule: the key must come back with the same tables *and* the same window.
pub fn replay_decision(
    function: &'static str,
    booking_id: Uuid,
    entry: Option<LedgerEntry>,
    window: Window,
) -> Result<Replay, SeatingError> {
    match entry {
        None => Ok(Replay::Fresh),
        Some(e) if !e.same_table_set => {
            Err(SeatingError::IdempotencyMismatch { function, booking_id, reason: MismatchReason::TableSet })
        }
        Some(e) if e.window != window => {
            Err(SeatingError::IdempotencyMismatch { function, booking_id, reason: MismatchReason::Window })
        }
        Some(_) => Ok(Replay::Original),
    }
}

/// Who asks for the tables: an assignment, or a hold placement (a blocking hold then reads
/// "prevents hold").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Assign,
    Hold,
}

/// One conflict found under the table locks: a live hold on a requested table, or another
/// booking's allocation or assignment of one in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    Hold { hold_id: Option<Uuid> },
    Booking { table_id: Option<Uuid>, booking_id: Option<Uuid> },
}

/// The error the conflicts make (reference §8 step 7): a live hold refuses first, whatever else
/// is in the way; otherwise the first other booking found (its table and id in the error).
pub fn first_conflict(
    booking_id: Uuid,
    purpose: Purpose,
    conflicts: impl IntoIterator<Item = Conflict>,
) -> Result<(), SeatingError> {
    let mut first_booking: Option<SeatingError> = None;
    for c in conflicts {
        match c {
            Conflict::Hold { hold_id } => {
                let hold_id = hold_id.unwrap_or_default();
                return Err(match purpose {
                    Purpose::Assign => SeatingError::HoldConflict { booking_id, hold_id },
                    Purpose::Hold => SeatingError::HoldBlocked { booking_id, hold_id },
                });
            }
            Conflict::Booking { table_id, booking_id: other } => {
                first_booking.get_or_insert(SeatingError::AllocationOverlap {
                    resource_id: table_id.unwrap_or_default(),
                    booking_id,
                    blocker: other.map(Blocker::Booking).unwrap_or(Blocker::Unknown),
                });
            }
        }
    }
    first_booking.map_or(Ok(()), Err)
}

/// The ledger's recorded window: one that is missing or not a usable window never equals a
/// request's (it reads as the empty window at 0).
pub fn recorded_window(start: Option<Instant>, end: Option<Instant>) -> Window {
    match (start, end) {
        (Some(s), Some(e)) => Window::new(s, e).unwrap_or(Window { start: 0, end: 0 }),
        _ => Window { start: 0, end: 0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &str = "assign_tables_atomic_v2";

    fn u(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn table(n: u128, zone: u128) -> TableFacts {
        TableFacts { id: u(n), zone_id: Some(u(zone)), active: true, out_of_service: false, mobility: "movable".into() }
    }

    #[test]
    fn ids_are_deduplicated_and_sorted() {
        let got = normalize_ids(F, Some(vec![Some(u(3)), Some(u(1)), Some(u(3)), Some(u(2))])).unwrap();
        assert_eq!(got, vec![u(1), u(2), u(3)]);
    }

    #[test]
    fn uuid_order_is_byte_order_like_postgres() {
        let a = Uuid::parse_str("ffffffff-0000-0000-0000-000000000000").unwrap();
        let b = Uuid::parse_str("00000000-ffff-0000-0000-000000000001").unwrap();
        assert_eq!(normalize_ids(F, Some(vec![Some(a), Some(b)])).unwrap(), vec![b, a]);
    }

    #[test]
    fn empty_null_and_null_elements_are_refused() {
        assert_eq!(normalize_ids(F, None), Err(SeatingError::NoTableIds { function: F }));
        assert_eq!(normalize_ids(F, Some(vec![])), Err(SeatingError::NoTableIds { function: F }));
        assert_eq!(normalize_ids(F, Some(vec![None, None])), Err(SeatingError::NoValidTableIds { function: F }));
        assert_eq!(normalize_ids(F, Some(vec![Some(u(1)), None])), Err(SeatingError::NullTableId { function: F }));
    }

    #[test]
    fn optional_ids_drop_nulls() {
        assert_eq!(normalize_optional_ids(None), None);
        assert_eq!(normalize_optional_ids(Some(vec![None, Some(u(2)), Some(u(2))])), Some(vec![u(2)]));
    }

    #[test]
    fn one_zone_active_in_service_tables_pass() {
        assert_eq!(validate_tables(&[table(1, 9), table(2, 9)]), Ok(u(9)));
    }

    #[test]
    fn table_rules_in_reference_order() {
        let mut t = table(1, 9);
        t.zone_id = None;
        assert_eq!(validate_tables(&[t]), Err(SeatingError::TableNotZoned { table_id: u(1) }));

        let mut t = table(1, 9);
        t.active = false;
        t.out_of_service = true;
        assert_eq!(validate_tables(&[t]), Err(SeatingError::TableInactive { table_id: u(1) }));

        let mut t = table(1, 9);
        t.out_of_service = true;
        assert_eq!(validate_tables(&[t]), Err(SeatingError::TableOutOfService { table_id: u(1) }));

        assert_eq!(
            validate_tables(&[table(1, 9), table(2, 8)]),
            Err(SeatingError::MixedZones { found: u(8), expected: u(9) })
        );

        let mut fixed = table(2, 9);
        fixed.mobility = "fixed".into();
        assert_eq!(validate_tables(&[fixed.clone()]), Ok(u(9)), "a fixed table on its own is fine");
        assert_eq!(
            validate_tables(&[table(1, 9), fixed]),
            Err(SeatingError::MergeRequiresMovable { table_id: u(2), mobility: "fixed".into() })
        );
    }

    #[test]
    fn missing_ids_keep_request_order() {
        assert_eq!(missing_ids(&[u(1), u(2), u(3)], &[u(2)]), vec![u(1), u(3)]);
        assert!(missing_ids(&[u(1)], &[u(1)]).is_empty());
    }

    #[test]
    fn zone_lock() {
        let b = u(100);
        assert_eq!(check_zone_lock(b, u(9), &[], None), Ok(()));
        assert_eq!(check_zone_lock(b, u(9), &[u(9), u(9)], Some(u(9))), Ok(()));
        assert_eq!(check_zone_lock(b, u(9), &[u(8)], Some(u(8))), Err(SeatingError::ZoneConflict { booking_id: b }));
        assert_eq!(
            check_zone_lock(b, u(9), &[], Some(u(8))),
            Err(SeatingError::ZoneLocked { booking_id: b, locked: u(8), requested: u(9) })
        );
    }

    #[test]
    fn connectivity_not_just_no_isolated_vertex() {
        // {1-2, 3-4}: every table has a neighbour, but the set is not connected (the reference
        // accepted this).
        let edges = [(u(1), u(2)), (u(4), u(3))];
        assert_eq!(
            check_connected(&[u(1), u(2), u(3), u(4)], &edges),
            Err(SeatingError::NotAdjacent { table_id: u(3) })
        );
        // A path through the set, edges stored in either direction.
        let edges = [(u(2), u(1)), (u(2), u(3)), (u(4), u(3))];
        assert_eq!(check_connected(&[u(4), u(3), u(2), u(1)], &edges), Ok(()));
        // An edge through a table outside the set does not count.
        let edges = [(u(1), u(5)), (u(5), u(2))];
        assert_eq!(check_connected(&[u(1), u(2)], &edges), Err(SeatingError::NotAdjacent { table_id: u(2) }));
        assert_eq!(check_connected(&[u(1)], &[]), Ok(()));
    }

    #[test]
    fn replay_needs_same_set_and_window() {
        let b = u(100);
        let w = Window { start: 0, end: 10 };
        assert_eq!(replay_decision(F, b, None, w), Ok(Replay::Fresh));
        assert_eq!(
            replay_decision(F, b, Some(LedgerEntry { same_table_set: true, window: w }), w),
            Ok(Replay::Original)
        );
        assert_eq!(
            replay_decision(F, b, Some(LedgerEntry { same_table_set: false, window: w }), w),
            Err(SeatingError::IdempotencyMismatch { function: F, booking_id: b, reason: MismatchReason::TableSet })
        );
        assert_eq!(
            replay_decision(F, b, Some(LedgerEntry { same_table_set: true, window: Window { start: 0, end: 11 } }), w),
            Err(SeatingError::IdempotencyMismatch { function: F, booking_id: b, reason: MismatchReason::Window })
        );
    }

    #[test]
    fn a_live_hold_refuses_before_any_booking() {
        let conflicts = [
            Conflict::Booking { table_id: Some(u(10)), booking_id: Some(u(20)) },
            Conflict::Hold { hold_id: Some(u(30)) },
        ];
        assert_eq!(
            first_conflict(u(1), Purpose::Assign, conflicts),
            Err(SeatingError::HoldConflict { booking_id: u(1), hold_id: u(30) })
        );
        assert_eq!(
            first_conflict(u(1), Purpose::Hold, conflicts),
            Err(SeatingError::HoldBlocked { booking_id: u(1), hold_id: u(30) })
        );
    }

    #[test]
    fn the_first_other_booking_is_named() {
        let conflicts = [
            Conflict::Booking { table_id: Some(u(10)), booking_id: Some(u(20)) },
            Conflict::Booking { table_id: Some(u(11)), booking_id: None },
        ];
        assert_eq!(
            first_conflict(u(1), Purpose::Assign, conflicts),
            Err(SeatingError::AllocationOverlap {
                resource_id: u(10),
                booking_id: u(1),
                blocker: Blocker::Booking(u(20))
            })
        );
        let unknown = [Conflict::Booking { table_id: Some(u(11)), booking_id: None }];
        assert_eq!(
            first_conflict(u(1), Purpose::Assign, unknown),
            Err(SeatingError::AllocationOverlap { resource_id: u(11), booking_id: u(1), blocker: Blocker::Unknown })
        );
        assert_eq!(first_conflict(u(1), Purpose::Assign, []), Ok(()));
    }

    #[test]
    fn an_unusable_recorded_window_never_matches() {
        assert_eq!(recorded_window(Some(10), Some(20)), Window::new(10, 20).unwrap());
        assert_eq!(recorded_window(Some(20), Some(10)), Window { start: 0, end: 0 });
        assert_eq!(recorded_window(None, Some(10)), Window { start: 0, end: 0 });
    }
}
