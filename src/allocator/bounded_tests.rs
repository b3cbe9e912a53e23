//! Bounded work (SPEC §10): pruning by what a set can still reach changes no result, the worst
//! layouts (every table adjacent to every other) visit only the sets that can still seat the party,
//! and every search stops at its interrupt hook. Node counts, not timings.
//! `cargo test bounded -- --nocapture` prints the node counts with and without pruning.

use std::cell::Cell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use uuid::Uuid;

use super::day::{plan_day, DayBooking};
use super::rng::Rng;
use super::room::{make_room, Seated};
use super::search::{
    quote, quote_unpruned, radius, radius_by_matrix, Busy, Interrupt, Policy, Quote, Table, CHECK_EVERY,
};
use crate::domain::window::Window;

const W: Window = Window { start: 100, end: 200 };

fn table(n: usize, capacity: i32, zone: u128, movable: bool) -> Table {
    Table {
        id: Uuid::from_u128(0x5EA7_0000 + n as u128),
        number: format!("T{}", n + 1),
        capacity,
        min_party: 1,
        max_party: None,
        zone: Uuid::from_u128(zone),
        movable,
        active: true,
        out_of_service: false,
        scarcity: 0.0,
    }
}

/// `capacities.len()` movable tables in one zone, every one adjacent to every other.
fn complete(capacities: &[i32]) -> (Vec<Table>, Vec<(Uuid, Uuid)>) {
    let tables: Vec<Table> = capacities.iter().enumerate().map(|(i, &c)| table(i, c, 1, true)).collect();
    let mut edges = Vec::new();
    for i in 0..tables.len() {
        for j in i + 1..tables.len() {
            edges.push((tables[i].id, tables[j].id));
        }
    }
    (tables, edges)
}

fn policy(max_tables: usize) -> Policy {
    Policy { max_tables, ..Policy::default() }
}

fn binomial(n: u64, k: u64) -> u64 {
    if k > n {
        return 0;
    }
    (0..k).fold(1u64, |c, i| c * (n - i) / (i + 1))
}

/// The sets the search grows on `n` two-tops that are all adjacent: those of s <= max_tables
/// tables within the seats (2s <= upper) whose lowest table (the root) has enough tables above it
/// for the budget to reach the party, 2 + 2 * min(max_tables - 1, tables above) >= party (the
/// bound only grows as a set grows, so the root decides). 0 when max_tables < 2.
fn two_top_nodes(n: u64, party: i32, max_tables: u64, upper: i32) -> u64 {
    if max_tables < 2 {
        return 0;
    }
    (0..n)
        .map(|root| n - 1 - root)
        .filter(|&above| 2 + 2 * (max_tables - 1).min(above) as i32 >= party)
        .map(|above| (1..=max_tables).filter(|&s| 2 * s as i32 <= upper).map(|s| binomial(above, s - 1)).sum::<u64>())
        .sum()
}

/// Sets of 1..=max_tables tables of `capacities` with at most `upper` seats: what the search
/// without pruning visits on a complete graph (every set is connected, and its subsets are within
/// `upper` too). Counted by size and seats, not enumerated.
fn sets_within(capacities: &[i32], max_tables: usize, upper: i32) -> u64 {
    let upper = upper.max(0) as usize;
    // ways[k][s]: sets of k tables with s seats.
    let mut ways = vec![vec![0u64; upper + 1]; max_tables + 1];
    ways[0][0] = 1;
    for &c in capacities {
        let c = c as usize;
        for k in (1..=max_tables).rev() {
            for s in (c..=upper).rev() {
                ways[k][s] += ways[k - 1][s - c];
            }
        }
    }
    ways[1..].iter().flatten().sum()
}

/// The tests' interrupt hook: it counts its calls on this thread and, once armed, unwinds at the
/// call that reaches the limit (as Postgres's ERROR does through pgrx), without the panic hook's
/// message.
struct Interrupted;

thread_local! {
    static CHECKS: Cell<u64> = const { Cell::new(0) };
    static LIMIT: Cell<u64> = const { Cell::new(u64::MAX) };
}

fn counting_hook() {
    let n = CHECKS.with(|c| c.get() + 1);
    CHECKS.with(|c| c.set(n));
    if n >= LIMIT.with(Cell::get) {
        resume_unwind(Box::new(Interrupted));
    }
}

const COUNTING: Interrupt = Interrupt(counting_hook);

/// Runs `f` with the hook armed to unwind at its `limit`-th call: whether it was interrupted, and
/// the calls made.
fn with_interrupt_at<R>(limit: u64, f: impl FnOnce() -> R) -> (Option<R>, u64) {
    CHECKS.with(|c| c.set(0));
    LIMIT.with(|l| l.set(limit));
    let out = catch_unwind(AssertUnwindSafe(f));
    LIMIT.with(|l| l.set(u64::MAX));
    let checks = CHECKS.with(Cell::get);
    match out {
        Ok(r) => (Some(r), checks),
        Err(e) if e.is::<Interrupted>() => (None, checks),
        Err(e) => resume_unwind(e),
    }
}

/// The fields of two quotes that must be equal (everything but the work done).
fn same_answer(a: &Quote, b: &Quote) -> bool {
    a.plans == b.plans && a.rejected == b.rejected && a.feasible == b.feasible
}

#[test]
fn bounded_pruning_changes_no_result() {
    let mut rng = Rng(0x0B0_0DED);
    let (mut pruned_nodes, mut unpruned_nodes) = (0u64, 0u64);
    for case in 0..600 {
        let n = 4 + rng.below(15) as usize;
        let zones = 1 + rng.below(2) as u128;
        let twos = rng.chance(25);
        let tables: Vec<Table> = (0..n)
            .map(|i| {
                let mut t = table(
                    i,
                    if twos { 2 } else { 1 + rng.below(10) as i32 },
                    1 + rng.below(zones as u64) as u128,
                    true,
                );
                t.movable = rng.chance(85);
                t.active = rng.chance(95);
                t.min_party = 1 + rng.below(2) as i32;
                t.max_party = if rng.chance(10) { Some(t.min_party + rng.below(6) as i32) } else { None };
                t.scarcity = rng.below(3) as f64;
                t
            })
            .collect();
        let density = 20 + rng.below(81);
        let mut edges = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                if rng.chance(density) {
                    edges.push((tables[i].id, tables[j].id));
                }
            }
        }
        let busy: Vec<Busy> = tables
            .iter()
            .filter(|_| rng.chance(10))
            .map(|t| Busy { table: t.id, window: Window { start: 150, end: 250 } })
            .collect();
        let party = 1 + rng.below(30) as i32;
        let policy = Policy {
            max_tables: 1 + rng.below(6) as usize,
            max_overage: rng.below(7) as i32,
            require_adjacency: rng.chance(80),
            ..Policy::default()
        };
        let limit = rng.below(12) as usize;
        let got = quote(&tables, &edges, &busy, party, W, &policy, limit);
        let want = quote_unpruned(&tables, &edges, &busy, party, W, &policy, limit);
        assert!(same_answer(&got, &want), "case {case}: {got:?}\nwithout pruning: {want:?}");
        assert!(got.nodes <= want.nodes, "case {case}: pruning visited more sets ({} > {})", got.nodes, want.nodes);
        pruned_nodes += got.nodes;
        unpruned_nodes += want.nodes;
    }
    println!("random layouts: {pruned_nodes} nodes pruned, {unpruned_nodes} without pruning");
    assert!(pruned_nodes < unpruned_nodes, "pruning must cut something over 600 layouts");
}

/// Searches larger than this run to the end here; larger ones are interrupted (the enumeration
/// itself is that big: e.g. C(40, 5) = 658,008 feasible sets for a party of 10 on 40 two-tops).
const RUN_TO_END: u64 = 20_000;

#[test]
fn bounded_worst_layouts_visit_only_sets_that_can_still_seat_the_party() {
    let overage = Policy::default().max_overage;
    for n in [40usize, 60] {
        let (tables, edges) = complete(&vec![2; n]);
        let caps = vec![2; n];
        for party in 1..=20i32 {
            for m in 1..=6usize {
                let upper = party + overage;
                let nodes = two_top_nodes(n as u64, party, m as u64, upper);
                // Every set of s two-tops is connected and seats 2s: feasible when party <= 2s <= upper.
                let feasible: u64 = (1..=m as u64)
                    .filter(|&s| party <= 2 * s as i32 && 2 * s as i32 <= upper)
                    .map(|s| binomial(n as u64, s))
                    .sum();
                assert!(nodes <= if m >= 2 { sets_within(&caps, m, upper) } else { 0 });
                if (2 * m as i32) < party {
                    assert_eq!(nodes, 0, "no {m} two-tops seat {party}");
                }
                if nodes <= RUN_TO_END {
                    let q = quote(&tables, &edges, &[], party, W, &policy(m), 5);
                    assert_eq!(q.nodes, nodes, "{n} two-tops, party {party}, max_tables {m}");
                    assert_eq!(q.feasible as u64, feasible, "{n} two-tops, party {party}, max_tables {m}");
                } else {
                    // Too many feasible sets to list here: the hook stops it at the second check,
                    // after CHECK_EVERY nodes.
                    let p = Policy { interrupt: COUNTING, ..policy(m) };
                    let (out, checks) = with_interrupt_at(2, || quote(&tables, &edges, &[], party, W, &p, 5));
                    assert!(
                        out.is_none() && checks == 2,
                        "{n} two-tops, party {party}, max_tables {m}: not interrupted"
                    );
                }
            }
        }
    }
}

#[test]
fn bounded_worst_mixed_layouts() {
    let overage = Policy::default().max_overage;
    for n in [40usize, 60] {
        let caps: Vec<i32> = (0..n).map(|i| [2, 2, 4, 4, 6, 8][i % 6]).collect();
        let (tables, edges) = complete(&caps);
        let mut sorted = caps.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        for party in 1..=20i32 {
            for m in 1..=6usize {
                let upper = party + overage;
                // Without pruning, every set of up to m tables within the seats is grown.
                let within = if m >= 2 { sets_within(&caps, m, upper) } else { 0 };
                if sorted[..m].iter().sum::<i32>() < party {
                    let q = quote(&tables, &edges, &[], party, W, &policy(m), 5);
                    assert!(q.plans.is_empty());
                    assert_eq!(q.nodes, 0, "{n} mixed, party {party}, max_tables {m}: nothing can reach the party");
                } else if within <= RUN_TO_END {
                    let q = quote(&tables, &edges, &[], party, W, &policy(m), 5);
                    assert!(q.nodes <= within, "{n} mixed, party {party}, max_tables {m}");
                    if within <= RUN_TO_END / 4 {
                        let u = quote_unpruned(&tables, &edges, &[], party, W, &policy(m), 5);
                        assert!(same_answer(&q, &u), "{n} mixed, party {party}, max_tables {m}");
                        assert_eq!(u.nodes, within, "{n} mixed, party {party}, max_tables {m}");
                    }
                } else {
                    let p = Policy { interrupt: COUNTING, ..policy(m) };
                    let (out, checks) = with_interrupt_at(2, || quote(&tables, &edges, &[], party, W, &p, 5));
                    assert!(out.is_none() && checks == 2, "{n} mixed, party {party}, max_tables {m}: not interrupted");
                }
            }
        }
    }
}

/// The case of the report (issue 24): 12 guests, at most 5 tables, 40 two-tops all adjacent. No
/// plan can seat 12 with 5 two-tops, and the search now grows no set at all (760,098 without
/// pruning: every set of up to 5 of the 40 tables).
#[test]
fn bounded_a_party_no_budget_can_seat_ends_at_once() {
    let (tables, edges) = complete(&[2; 40]);
    let q = quote(&tables, &edges, &[], 12, W, &policy(5), 6);
    assert!(q.plans.is_empty());
    assert_eq!(q.feasible, 0);
    assert_eq!(q.nodes, 0);
    let u = quote_unpruned(&tables, &edges, &[], 12, W, &policy(5), 6);
    assert_eq!(u.nodes, (1..=5).map(|s| binomial(40, s)).sum::<u64>());
    assert!(same_answer(&q, &u));
}

/// A search checks its hook at the start and then every CHECK_EVERY nodes.
#[test]
fn bounded_quote_checks_its_hook_every_few_hundred_nodes() {
    let (tables, edges) = complete(&[2; 40]);
    let p = Policy { interrupt: COUNTING, ..policy(3) };
    let (q, checks) = with_interrupt_at(u64::MAX, || quote(&tables, &edges, &[], 6, W, &p, 5));
    let q = q.expect("not interrupted");
    assert_eq!(q.nodes, two_top_nodes(40, 6, 3, 10));
    assert_eq!(checks, 1 + q.nodes / CHECK_EVERY);
    // Without adjacency (every set of the zone), the same.
    let p = Policy { require_adjacency: false, ..p };
    let (q, checks) = with_interrupt_at(u64::MAX, || quote(&tables, &[], &[], 6, W, &p, 5));
    let q = q.expect("not interrupted");
    assert_eq!(checks, 1 + q.nodes / CHECK_EVERY);
    // Interrupted at its 5th check: stopped after 4 * CHECK_EVERY nodes.
    let (q, checks) = with_interrupt_at(5, || quote(&tables, &[], &[], 6, W, &p, 5));
    assert!(q.is_none() && checks == 5);
}

/// A day of many bookings on the worst layout: the day planner checks its hook (each booking's
/// quote and each of its own moves), and stops where the hook raises.
#[test]
fn bounded_day_planning_and_making_room_stop_at_the_hook() {
    let caps: Vec<i32> = (0..24).map(|i| [2, 2, 4, 4, 6, 8][i % 6]).collect();
    let (tables, edges) = complete(&caps);
    let h = 3_600_000_000i64;
    let bookings: Vec<DayBooking> = (0..60)
        .map(|i| DayBooking {
            id: Uuid::from_u128(0xB00C_0000 + i),
            party: [2, 2, 3, 4, 4, 5, 6][i as usize % 7],
            window: Window { start: (17 + i as i64 % 5) * h, end: (19 + i as i64 % 5) * h },
        })
        .collect();
    let p = Policy { interrupt: COUNTING, ..policy(3) };
    let (plan, checks) = with_interrupt_at(u64::MAX, || plan_day(&tables, &edges, &[], &bookings, &p));
    let plan = plan.expect("not interrupted");
    assert_eq!(plan, plan_day(&tables, &edges, &[], &bookings, &policy(3)), "the hook changes nothing");
    assert!(checks > 10, "{checks} checks");
    for at in [1, 2, checks / 2, checks] {
        let (out, made) = with_interrupt_at(at, || plan_day(&tables, &edges, &[], &bookings, &p));
        assert!(out.is_none() && made == at, "interrupted at check {at} of {checks}");
    }

    // Making room: eight two-tops all adjacent, couples on T1 and T2, T3 out of use; a party of 10
    // needs five two-tops, so one couple moves.
    let (tables, edges) = complete(&[2; 8]);
    let movable: Vec<Seated> = (0..2)
        .map(|i| Seated {
            booking: Uuid::from_u128(0xC0_0000 + i),
            party: 2,
            window: W,
            tables: vec![tables[i as usize].id],
        })
        .collect();
    let fixed = [Busy { table: tables[2].id, window: W }];
    let p = Policy { interrupt: COUNTING, ..policy(5) };
    let (room, checks) = with_interrupt_at(u64::MAX, || make_room(&tables, &edges, &fixed, &movable, 10, W, &p, 2));
    assert_eq!(room.expect("not interrupted").expect("room").moves.len(), 1);
    assert!(checks >= 3, "the search, a candidate, the couple's search: {checks}");
    let (room, made) = with_interrupt_at(checks, || make_room(&tables, &edges, &fixed, &movable, 10, W, &p, 2));
    assert!(room.is_none() && made == checks);
}

/// The node counts on the worst layouts, with and without pruning (run with --nocapture). Without
/// pruning they are counted, not run; a pruned search that grows past 4 * RUN_TO_END sets is
/// stopped at its hook.
#[test]
fn bounded_node_counts() {
    let overage = Policy::default().max_overage;
    let stop_at = 1 + 4 * RUN_TO_END / CHECK_EVERY;
    println!("layout | party | max_tables | nodes | nodes without pruning | feasible");
    for (name, caps) in [
        ("40 two-tops", vec![2; 40]),
        ("60 two-tops", vec![2; 60]),
        ("40 mixed", (0..40).map(|i| [2, 2, 4, 4, 6, 8][i % 6]).collect::<Vec<i32>>()),
    ] {
        let (tables, edges) = complete(&caps);
        for (party, m) in [(12, 5), (12, 6), (20, 6), (10, 5), (8, 4), (6, 3), (4, 2), (3, 6)] {
            let without = sets_within(&caps, m, party + overage);
            let p = Policy { interrupt: COUNTING, ..policy(m) };
            let (q, _) = with_interrupt_at(stop_at, || quote(&tables, &edges, &[], party, W, &p, 5));
            let (nodes, feasible) = match q {
                Some(q) => (q.nodes.to_string(), q.feasible.to_string()),
                None => (format!("over {} (stopped)", (stop_at - 1) * CHECK_EVERY), "-".to_string()),
            };
            println!("{name} | {party} | {m} | {nodes} | {without} | {feasible}");
        }
    }
}

#[test]
fn bounded_fixed_tables_and_other_zones_add_nothing_to_the_reach() {
    // A party of 9: the 8-top is fixed and the 6-top in another zone, so the two-tops of zone 1
    // with at most 3 tables reach 6 seats: no set is grown.
    let mut tables: Vec<Table> = (0..6).map(|i| table(i, 2, 1, true)).collect();
    tables.push(table(6, 8, 1, false));
    tables.push(table(7, 6, 2, true));
    let mut edges = Vec::new();
    for i in 0..tables.len() {
        for j in i + 1..tables.len() {
            edges.push((tables[i].id, tables[j].id));
        }
    }
    for adjacency in [true, false] {
        let p = Policy { require_adjacency: adjacency, ..policy(3) };
        let q = quote(&tables, &edges, &[], 9, W, &p, 5);
        let u = quote_unpruned(&tables, &edges, &[], 9, W, &p, 5);
        assert!(same_answer(&q, &u));
        assert!(q.plans.is_empty());
        let roots = if adjacency { 0 } else { 2 }; // without adjacency each zone's search starts empty
        assert_eq!(q.nodes, roots, "adjacency {adjacency}");
        assert!(u.nodes > 20);
    }
}

#[test]
fn bounded_the_radius_by_bit_matrix_is_the_radius() {
    let mut rng = Rng(0x004A_D105);
    for _ in 0..3000 {
        let n = 1 + rng.below(90) as usize;
        let density = 5 + rng.below(90);
        let mut adj = vec![Vec::new(); n];
        for i in 0..n {
            for j in i + 1..n {
                if rng.chance(density) {
                    adj[i].push(j);
                    adj[j].push(i);
                }
            }
        }
        let mut members: Vec<usize> = (0..n).filter(|_| rng.chance(10)).collect();
        members.truncate(1 + rng.below(8) as usize);
        assert_eq!(radius_by_matrix(&members, &adj), radius(&members, &adj), "{members:?} in {adj:?}");
    }
}
