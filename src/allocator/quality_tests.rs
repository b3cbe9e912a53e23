//! Quality check: on 100 seeded random days, the day planner (`day::plan_day`, which
//! `auto_assign_day` runs) against a greedy first-fit baseline under the same rules. Run with `cargo test quality -- --nocapture` to
//! see the per-day table.

use uuid::Uuid;

use super::baseline::{greedy_first_fit, metrics, Metrics};
use super::day::{plan_day, DayBooking};
use super::rng::Rng;
use super::search::{Policy, Table};
use crate::domain::window::Window;

const MINUTE: i64 = 60_000_000;

/// A restaurant of 3 zones (rows of movable tables with adjacency along each row, plus a few fixed
/// tables) and a day of bookings of mixed sizes over lunch and dinner.
fn day(rng: &mut Rng, seed: u128) -> (Vec<Table>, Vec<(Uuid, Uuid)>, Vec<DayBooking>) {
    let mut tables = Vec::new();
    let mut edges = Vec::new();
    let sizes = [2, 2, 4, 2, 4, 6, 2, 8];
    for zone in 0..3u128 {
        let n = 6 + rng.below(8) as usize;
        for i in 0..n {
            let fixed = rng.below(100) < 20;
            tables.push(Table {
                id: Uuid::from_u128((seed << 32) | (zone << 16) | i as u128),
                number: format!("{}{}", ["M", "P", "B"][zone as usize], i + 1),
                capacity: sizes[rng.below(sizes.len() as u64) as usize],
                min_party: 1,
                max_party: None,
                zone: Uuid::from_u128(zone + 1),
                movable: !fixed,
                active: true,
                out_of_service: rng.below(100) < 3,
                scarcity: 0.0,
            });
            if i > 0 && rng.below(100) < 80 {
                let k = tables.len();
                edges.push((tables[k - 2].id, tables[k - 1].id));
            }
        }
    }
    let count = 40 + rng.below(60) as usize;
    let parties = [1, 2, 2, 2, 2, 2, 3, 3, 4, 4, 4, 4, 5, 6, 6, 7, 8, 10, 12];
    let bookings = (0..count)
        .map(|i| {
            let lunch = rng.below(100) < 35;
            let start =
                if lunch { 12 * 60 + 15 * rng.below(9) as i64 } else { 17 * 60 + 30 + 15 * rng.below(15) as i64 };
            let length = if lunch { 90 } else { 120 };
            DayBooking {
                id: Uuid::from_u128((seed << 64) | i as u128),
                party: parties[rng.below(parties.len() as u64) as usize],
                window: Window { start: start * MINUTE, end: (start + length) * MINUTE },
            }
        })
        .collect();
    (tables, edges, bookings)
}

#[test]
fn quality_allocator_beats_greedy_first_fit_over_100_days() {
    let mut rng = Rng(0x5EA7_1265);
    let policy = Policy::default();
    let (mut a_total, mut g_total) = (Metrics::default(), Metrics::default());
    let mut days_behind = 0;
    println!("day | bookings | allocator seated/unassigned/wasted/util | greedy seated/unassigned/wasted/util");
    for d in 0..100u128 {
        let (tables, edges, bookings) = day(&mut rng, d + 1);
        let a = metrics(&tables, &bookings, &plan_day(&tables, &edges, &[], &bookings, &policy));
        let g = metrics(&tables, &bookings, &greedy_first_fit(&tables, &edges, &[], &bookings, &policy));
        println!(
            "{d:3} | {:3} | {:3} {:3} {:4} {:.3} | {:3} {:3} {:4} {:.3}",
            bookings.len(),
            a.seated,
            a.unassigned,
            a.wasted_seats,
            a.utilisation,
            g.seated,
            g.unassigned,
            g.wasted_seats,
            g.utilisation
        );
        if a.seated < g.seated {
            days_behind += 1;
        }
        for (t, m) in [(&mut a_total, a), (&mut g_total, g)] {
            t.bookings += m.bookings;
            t.seated += m.seated;
            t.unassigned += m.unassigned;
            t.covers += m.covers;
            t.seats += m.seats;
            t.wasted_seats += m.wasted_seats;
            t.merged_tables += m.merged_tables;
        }
    }
    let util = |m: &Metrics| m.covers as f64 / m.seats.max(1) as f64;
    println!(
        "total | {} | allocator {} seated, {} unassigned, {} wasted, utilisation {:.3} | greedy {} seated, {} unassigned, {} wasted, utilisation {:.3}",
        a_total.bookings, a_total.seated, a_total.unassigned, a_total.wasted_seats, util(&a_total),
        g_total.seated, g_total.unassigned, g_total.wasted_seats, util(&g_total)
    );
    // The planner's objective: bookings seated, then guests, then seats wasted.
    assert!(a_total.seated > g_total.seated, "allocator seated {} <= greedy {}", a_total.seated, g_total.seated);
    assert!(days_behind == 0, "the planner seated fewer bookings than greedy on {days_behind} days");
}
