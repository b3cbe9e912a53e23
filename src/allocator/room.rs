//! Making room (a setting, off by default): when no table plan fits a booking, the fewest other
//! bookings of the same time that may be moved (the caller decides which: not checked in, not held,
//! not marked to keep their tables, not being written by another transaction) are moved to other
//! valid tables so that the booking fits too. Pure: the caller reads the layout, what may not move
//! and what may, and commits the result through the assignment core.
//!
//! The search: the booking's plans ranked as if every movable booking were gone (the exact search
//! of `search::quote`), best first; for each, the movable bookings it would displace (at most
//! `max_moves`) are re-seated one after the other by the same exact search, each on the best plan
//! left once the booking's plan, the bookings that stay and the ones already re-seated are counted
//! busy. The result has the fewest moves, then the booking's best-ranked plan. Every move's tables
//! are free of the tables of the moves after it, so applying the moves in order, then the
//! booking's plan, never meets a table still held.

use uuid::Uuid;

use super::day::{chain_insert, DayBooking};
use super::search::{quote, Busy, Plan, Policy, Table};
use crate::domain::window::Window;

/// How many of the booking's plans are tried (the search returns them best first).
const CANDIDATE_PLANS: usize = 64;

/// A booking that holds tables and may be moved.
#[derive(Debug, Clone)]
pub struct Seated {
    pub booking: Uuid,
    pub party: i32,
    pub window: Window,
    /// The tables it holds now.
    pub tables: Vec<Uuid>,
}

/// One booking moved: from the tables it holds to a plan of its own.
#[derive(Debug, Clone)]
pub struct Move {
    pub booking: Uuid,
    pub window: Window,
    pub from: Vec<Uuid>,
    pub to: Plan,
}

/// The booking's plan and the moves it needs, in the order they are to be applied.
#[derive(Debug, Clone)]
pub struct RoomPlan {
    pub plan: Plan,
    pub moves: Vec<Move>,
}

/// The plan with the fewest moves (at most `max_moves`), or None. `fixed` is what may not move
/// (other bookings, holds, maintenance); `movable` the bookings that may.
#[allow(clippy::too_many_arguments)]
pub fn make_room(
    tables: &[Table],
    edges: &[(Uuid, Uuid)],
    fixed: &[Busy],
    movable: &[Seated],
    party: i32,
    window: Window,
    policy: &Policy,
    max_moves: usize,
) -> Option<RoomPlan> {
    let candidates = quote(tables, edges, fixed, party, window, policy, CANDIDATE_PLANS);
    let mut best: Option<RoomPlan> = None;
    for plan in candidates.plans {
        // Each candidate re-seats bookings by searches of their own (each checks too).
        policy.interrupt.check();
        let displaced: Vec<&Seated> = movable
            .iter()
            .filter(|m| m.window.overlaps(&window) && m.tables.iter().any(|t| plan.tables.contains(t)))
            .collect();
        let limit = best.as_ref().map_or(max_moves, |b| b.moves.len().saturating_sub(1));
        if displaced.len() > limit {
            continue;
        }
        if let Some(moves) = reseat(tables, edges, fixed, movable, &displaced, &plan, window, policy) {
            let done = moves.len() <= 1;
            best = Some(RoomPlan { plan, moves });
            if done {
                break; // no plan with fewer moves exists among the rest (none needs 0: the caller tried)
            }
        }
    }
    if best.is_none() && max_moves > 0 {
        best = chain(tables, edges, fixed, movable, party, window, policy, max_moves);
    }
    best
}

/// When no candidate plan's displaced bookings can all be re-seated directly: an ejection chain
/// (`day::chain_insert`), each step moving one booking onto tables that displace at most one other.
#[allow(clippy::too_many_arguments)]
fn chain(
    tables: &[Table],
    edges: &[(Uuid, Uuid)],
    fixed: &[Busy],
    movable: &[Seated],
    party: i32,
    window: Window,
    policy: &Policy,
    max_moves: usize,
) -> Option<RoomPlan> {
    let me = DayBooking { id: Uuid::nil(), party, window };
    let seated: Vec<(DayBooking, Vec<Uuid>)> = movable
        .iter()
        .map(|m| (DayBooking { id: m.booking, party: m.party, window: m.window }, m.tables.clone()))
        .collect();
    let (mine, moved) = chain_insert(tables, edges, fixed, &seated, &me, policy, max_moves)?;
    // Where everyone ends up, to rank each set among what is left for it.
    let at = |booking: Uuid| -> Vec<Uuid> {
        moved.iter().find(|(b, _)| *b == booking).map_or_else(
            || movable.iter().find(|m| m.booking == booking).map(|m| m.tables.clone()).unwrap_or_default(),
            |(_, t)| t.clone(),
        )
    };
    let busy_except = |skip: Option<Uuid>| -> Vec<Busy> {
        let mut busy: Vec<Busy> = fixed.to_vec();
        if skip.is_some() {
            busy.extend(mine.iter().map(|&table| Busy { table, window }));
        }
        for m in movable.iter().filter(|m| Some(m.booking) != skip) {
            busy.extend(at(m.booking).into_iter().map(|table| Busy { table, window: m.window }));
        }
        busy
    };
    let plan = plan_of(tables, edges, &busy_except(None), party, window, policy, &mine)?;
    let mut moves = Vec::with_capacity(moved.len());
    for (booking, to) in &moved {
        let m = movable.iter().find(|m| m.booking == *booking)?;
        let to = plan_of(tables, edges, &busy_except(Some(*booking)), m.party, m.window, policy, to)?;
        moves.push(Move { booking: *booking, window: m.window, from: m.tables.clone(), to });
    }
    Some(RoomPlan { plan, moves })
}

/// The plan for exactly `set` among a party's plans against `busy`.
fn plan_of(
    tables: &[Table],
    edges: &[(Uuid, Uuid)],
    busy: &[Busy],
    party: i32,
    window: Window,
    policy: &Policy,
    set: &[Uuid],
) -> Option<Plan> {
    let mut want = set.to_vec();
    want.sort_unstable();
    quote(tables, edges, busy, party, window, policy, 2 * CANDIDATE_PLANS).plans.into_iter().find(|p| {
        let mut got = p.tables.clone();
        got.sort_unstable();
        got == want
    })
}

/// Re-seats the displaced bookings one after the other, or None when one finds no plan.
#[allow(clippy::too_many_arguments)]
fn reseat(
    tables: &[Table],
    edges: &[(Uuid, Uuid)],
    fixed: &[Busy],
    movable: &[Seated],
    displaced: &[&Seated],
    plan: &Plan,
    window: Window,
    policy: &Policy,
) -> Option<Vec<Move>> {
    let mut moves: Vec<Move> = Vec::with_capacity(displaced.len());
    for d in displaced {
        let mut busy: Vec<Busy> = fixed.to_vec();
        busy.extend(plan.tables.iter().map(|&table| Busy { table, window }));
        for m in movable.iter().filter(|m| m.booking != d.booking) {
            let now = moves.iter().find(|x| x.booking == m.booking).map_or(&m.tables, |x| &x.to.tables);
            busy.extend(now.iter().map(|&table| Busy { table, window: m.window }));
        }
        let best = quote(tables, edges, &busy, d.party, d.window, policy, 1).plans.into_iter().next()?;
        moves.push(Move { booking: d.booking, window: d.window, from: d.tables.clone(), to: best });
    }
    Some(moves)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocator::score::Weights;
    use crate::allocator::search::Interrupt;

    const H: i64 = 3_600_000_000;

    fn table(n: u128, capacity: i32, zone: u128) -> Table {
        Table {
            id: Uuid::from_u128(n),
            number: format!("T{n}"),
            capacity,
            min_party: 1,
            max_party: None,
            zone: Uuid::from_u128(zone),
            movable: true,
            active: true,
            out_of_service: false,
            scarcity: 0.0,
        }
    }

    fn policy() -> Policy {
        Policy {
            max_tables: 3,
            max_overage: 4,
            require_adjacency: true,
            weights: Weights::default(),
            interrupt: Interrupt::NONE,
        }
    }

    fn w(from: i64, to: i64) -> Window {
        Window { start: from * H, end: to * H }
    }

    fn seated(n: u128, party: i32, window: Window, tables: &[u128]) -> Seated {
        Seated {
            booking: Uuid::from_u128(n),
            party,
            window,
            tables: tables.iter().map(|&t| Uuid::from_u128(t)).collect(),
        }
    }

    fn ids(v: &[u128]) -> Vec<Uuid> {
        v.iter().map(|&t| Uuid::from_u128(t)).collect()
    }

    /// A party of 6 fits only at the 6-top, where a couple sits; the couple can move to the free
    /// 2-top: one move.
    #[test]
    fn one_couple_moves_to_the_free_two_top() {
        let tables = [table(1, 6, 9), table(2, 2, 9)];
        let movable = [seated(100, 2, w(18, 20), &[1])];
        let r = make_room(&tables, &[], &[], &movable, 6, w(19, 21), &policy(), 2).expect("room");
        assert_eq!(r.plan.tables, ids(&[1]));
        assert_eq!(r.moves.len(), 1);
        assert_eq!(r.moves[0].booking, Uuid::from_u128(100));
        assert_eq!(r.moves[0].from, ids(&[1]));
        assert_eq!(r.moves[0].to.tables, ids(&[2]));
    }

    /// A chain: the party of 6 needs the 6-top, whose party of 4 can only go to the 4-top, whose
    /// couple can go to the free 2-top. Re-seating the four directly fails (the couple is still at
    /// the 4-top); the ejection chain moves both, the couple first.
    #[test]
    fn an_ejection_chain_moves_two_bookings_in_turn() {
        let tables = [table(1, 2, 9), table(2, 4, 9), table(3, 6, 9)];
        let movable = [seated(100, 2, w(18, 20), &[2]), seated(101, 4, w(18, 20), &[3])];
        assert!(make_room(&tables, &[], &[], &movable, 6, w(18, 20), &policy(), 1).is_none(), "one move is not enough");
        let r = make_room(&tables, &[], &[], &movable, 6, w(18, 20), &policy(), 2).expect("room by a chain");
        assert_eq!(r.plan.tables, ids(&[3]));
        let moves: Vec<(Uuid, Vec<Uuid>, Vec<Uuid>)> =
            r.moves.iter().map(|m| (m.booking, m.from.clone(), m.to.tables.clone())).collect();
        assert_eq!(
            moves,
            vec![(Uuid::from_u128(100), ids(&[2]), ids(&[1])), (Uuid::from_u128(101), ids(&[3]), ids(&[2]))],
            "the couple moves first, so the four's new table is free when it moves"
        );
    }

    /// Nowhere to move the couple (the 2-top is fixed-busy): no room.
    #[test]
    fn no_room_when_the_displaced_booking_has_nowhere_to_go() {
        let tables = [table(1, 6, 9), table(2, 2, 9)];
        let fixed = [Busy { table: Uuid::from_u128(2), window: w(17, 22) }];
        let movable = [seated(100, 2, w(18, 20), &[1])];
        assert!(make_room(&tables, &[], &fixed, &movable, 6, w(19, 21), &policy(), 2).is_none());
    }

    /// A booking outside the window is not displaced and needs no move.
    #[test]
    fn bookings_of_other_times_are_left_alone() {
        let tables = [table(1, 6, 9), table(2, 2, 9)];
        let movable = [seated(100, 2, w(12, 14), &[1]), seated(101, 2, w(19, 21), &[1])];
        let r = make_room(&tables, &[], &[], &movable, 6, w(19, 21), &policy(), 2).expect("room");
        assert_eq!(r.moves.iter().map(|m| m.booking).collect::<Vec<_>>(), vec![Uuid::from_u128(101)]);
    }

    /// Two couples on the two 4-tops the party of 8 needs (merged, adjacent); two free 2-tops: two
    /// moves, and with max_moves 1 no room.
    #[test]
    fn two_moves_and_the_move_limit() {
        let tables = [table(1, 4, 9), table(2, 4, 9), table(3, 2, 9), table(4, 2, 9)];
        let edges = [(Uuid::from_u128(1), Uuid::from_u128(2))];
        let movable = [seated(100, 2, w(19, 21), &[1]), seated(101, 2, w(19, 21), &[2])];
        let r = make_room(&tables, &edges, &[], &movable, 8, w(19, 21), &policy(), 2).expect("room");
        assert_eq!(r.plan.tables, ids(&[1, 2]));
        assert_eq!(r.moves.len(), 2);
        let mut to: Vec<Uuid> = r.moves.iter().flat_map(|m| m.to.tables.clone()).collect();
        to.sort();
        assert_eq!(to, ids(&[3, 4]), "each couple to its own 2-top");
        assert!(make_room(&tables, &edges, &[], &movable, 8, w(19, 21), &policy(), 1).is_none());
    }

    /// Fewest moves wins over the booking's better-ranked plan: the 4-top (exact fit) is held by
    /// two bookings in turn within the window, the 5-top by one.
    #[test]
    fn fewer_moves_beat_a_better_plan() {
        let tables = [table(1, 4, 9), table(2, 5, 9), table(3, 2, 9), table(4, 2, 9)];
        let movable =
            [seated(100, 2, w(19, 20), &[1]), seated(101, 2, w(20, 21), &[1]), seated(102, 2, w(19, 21), &[2])];
        let r = make_room(&tables, &[], &[], &movable, 4, w(19, 21), &policy(), 2).expect("room");
        assert_eq!(r.plan.tables, ids(&[2]), "the 5-top: one move");
        assert_eq!(r.moves.len(), 1);
        assert_eq!(r.moves[0].booking, Uuid::from_u128(102));
    }

    /// Moves are applied in order: a later move's old tables are never an earlier move's new ones.
    #[test]
    fn moves_never_land_on_a_table_a_later_move_still_holds() {
        let tables = [table(1, 4, 9), table(2, 4, 9), table(3, 2, 9), table(4, 2, 9), table(5, 2, 9)];
        let edges = [(Uuid::from_u128(1), Uuid::from_u128(2))];
        let movable =
            [seated(100, 2, w(19, 21), &[1]), seated(101, 2, w(19, 21), &[2]), seated(102, 2, w(19, 21), &[3])];
        let r = make_room(&tables, &edges, &[], &movable, 8, w(19, 21), &policy(), 2).expect("room");
        for (i, m) in r.moves.iter().enumerate() {
            for later in &r.moves[i + 1..] {
                assert!(m.to.tables.iter().all(|t| !later.from.contains(t)), "{m:?} before {later:?}");
            }
            assert!(m.to.tables.iter().all(|t| !r.plan.tables.contains(t)));
        }
        assert!(r.moves.iter().all(|m| m.to.tables.iter().all(|t| *t != Uuid::from_u128(3))), "102 stays");
    }
}
