//! The day planner's yardsticks, for the quality tests and `make bench-quality`'s figures: the
//! greedy baseline (largest party first, first fitting set) and a day's metrics.

use uuid::Uuid;

use super::day::{DayBooking, Seating};
use super::score::natural_cmp;
use super::search::{quote, Busy, Policy, Table};

/// The baseline's order: largest party first, then earliest start, then booking id.
pub fn order(bookings: &mut [DayBooking]) {
    bookings.sort_by(|a, b| b.party.cmp(&a.party).then(a.window.start.cmp(&b.window.start)).then(a.id.cmp(&b.id)));
}

/// The baseline: same order and the same feasibility rules, but the first fitting set in table
/// order (singles by table number, then combinations as a depth-first scan finds them) instead of
/// the best-scored one.
pub fn greedy_first_fit(
    tables: &[Table],
    edges: &[(Uuid, Uuid)],
    busy: &[Busy],
    bookings: &[DayBooking],
    policy: &Policy,
) -> Vec<Seating> {
    let mut ordered = bookings.to_vec();
    order(&mut ordered);
    let mut by_number: Vec<usize> = (0..tables.len()).collect();
    by_number.sort_by(|&a, &b| natural_cmp(&tables[a].number, &tables[b].number).then(tables[a].id.cmp(&tables[b].id)));
    let mut busy = busy.to_vec();
    ordered
        .iter()
        .map(|b| {
            // The first fitting single table by number; else, of every feasible combination, the
            // one whose tables come first in number order.
            let singles = Policy { max_tables: 1, ..*policy };
            let mut all = quote(tables, edges, &busy, b.party, b.window, &singles, usize::MAX >> 1).plans;
            if all.is_empty() {
                all = quote(tables, edges, &busy, b.party, b.window, policy, usize::MAX >> 1).plans;
            }
            let pos = |id: &Uuid| by_number.iter().position(|&i| tables[i].id == *id).unwrap_or(usize::MAX);
            let first = all.into_iter().min_by(|x, y| {
                x.tables.len().min(2).cmp(&y.tables.len().min(2)).then_with(|| {
                    let mut a: Vec<usize> = x.tables.iter().map(pos).collect();
                    let mut c: Vec<usize> = y.tables.iter().map(pos).collect();
                    a.sort_unstable();
                    c.sort_unstable();
                    a.cmp(&c)
                })
            });
            let chosen = first.map(|p| p.tables);
            if let Some(ts) = &chosen {
                busy.extend(ts.iter().map(|&t| Busy { table: t, window: b.window }));
            }
            Seating { booking: b.id, tables: chosen }
        })
        .collect()
}

/// A day's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Metrics {
    pub bookings: usize,
    pub seated: usize,
    pub unassigned: usize,
    /// Guests seated.
    pub covers: i64,
    /// Seats of the tables given to them.
    pub seats: i64,
    /// Seats given beyond the parties.
    pub wasted_seats: i64,
    /// covers / seats (0 when nothing is seated).
    pub utilisation: f64,
    /// Tables used in combinations.
    pub merged_tables: usize,
}

pub fn metrics(tables: &[Table], bookings: &[DayBooking], seatings: &[Seating]) -> Metrics {
    let mut m = Metrics { bookings: bookings.len(), ..Metrics::default() };
    for s in seatings {
        let party = bookings.iter().find(|b| b.id == s.booking).map(|b| i64::from(b.party)).unwrap_or(0);
        match &s.tables {
            Some(ts) => {
                m.seated += 1;
                let seats: i64 =
                    ts.iter().filter_map(|t| tables.iter().find(|x| x.id == *t)).map(|t| i64::from(t.capacity)).sum();
                m.covers += party;
                m.seats += seats;
                m.wasted_seats += seats - party;
                if ts.len() > 1 {
                    m.merged_tables += ts.len();
                }
            }
            None => m.unassigned += 1,
        }
    }
    m.utilisation = if m.seats > 0 { m.covers as f64 / m.seats as f64 } else { 0.0 };
    m
}
