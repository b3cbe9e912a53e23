//! Exactness: the search against a brute-force oracle on thousands of random instances (up to 14
//! tables), plus the reference planner's known misses.

use uuid::Uuid;

use super::rng::Rng;
use super::score::{Breakdown, Weights};
use super::search::{quote, Busy, Interrupt, Plan, Policy, Table};
use crate::domain::window::Window;

const W: Window = Window { start: 100, end: 200 };

struct Instance {
    tables: Vec<Table>,
    edges: Vec<(Uuid, Uuid)>,
    busy: Vec<Busy>,
    party: i32,
    policy: Policy,
}

fn instance(rng: &mut Rng) -> Instance {
    let n = 1 + rng.below(14) as usize;
    let zones = 1 + rng.below(3) as u128;
    let tables: Vec<Table> = (0..n)
        .map(|i| {
            let min = 1 + rng.below(3) as i32;
            Table {
                id: Uuid::from_u128(0x1000 + rng.below(1 << 20) as u128 * 64 + i as u128),
                number: format!("{}{}", ["T", "t", "B"][rng.below(3) as usize], rng.below(20)),
                capacity: 1 + rng.below(8) as i32,
                min_party: min,
                max_party: if rng.chance(20) { Some(min + rng.below(6) as i32) } else { None },
                zone: Uuid::from_u128(1 + rng.below(zones as u64) as u128),
                movable: rng.chance(75),
                active: rng.chance(92),
                out_of_service: rng.chance(5),
                scarcity: if rng.chance(30) { rng.below(4) as f64 } else { 0.0 },
            }
        })
        .collect();
    let mut edges = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            if rng.chance(35) {
                edges.push(if rng.chance(50) { (tables[i].id, tables[j].id) } else { (tables[j].id, tables[i].id) });
            }
        }
    }
    let mut busy = Vec::new();
    for t in &tables {
        if rng.chance(12) {
            let s = rng.below(300) as i64;
            busy.push(Busy { table: t.id, window: Window { start: s, end: s + 1 + rng.below(100) as i64 } });
        }
    }
    let weights = if rng.chance(20) {
        Weights { scarcity: 0.5, adjacency: 2.0, ..Weights::default() }
    } else {
        Weights::default()
    };
    Instance {
        tables,
        edges,
        busy,
        party: 1 + rng.below(14) as i32,
        policy: Policy {
            max_tables: 1 + rng.below(6) as usize,
            max_overage: rng.below(6) as i32,
            require_adjacency: rng.chance(70),
            weights,
            interrupt: Interrupt::NONE,
        },
    }
}

/// Everything by definition, over all subsets: slow and obviously right.
fn oracle(inst: &Instance) -> Vec<Plan> {
    let t = &inst.tables;
    let n = t.len();
    let usable: Vec<bool> = t
        .iter()
        .map(|x| {
            x.active
                && !x.out_of_service
                && inst.party >= x.min_party
                && !inst.busy.iter().any(|b| b.table == x.id && b.window.overlaps(&W))
        })
        .collect();
    let linked = |i: usize, j: usize| {
        inst.edges.iter().any(|&(a, b)| (a == t[i].id && b == t[j].id) || (a == t[j].id && b == t[i].id))
    };
    let mut plans = Vec::new();
    for mask in 1u32..(1 << n) {
        let members: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
        let k = members.len();
        if k > inst.policy.max_tables || !members.iter().all(|&i| usable[i]) {
            continue;
        }
        let total: i32 = members.iter().map(|&i| t[i].capacity).sum();
        if total < inst.party || total > inst.party + inst.policy.max_overage {
            continue;
        }
        if k == 1 && t[members[0]].max_party.is_some_and(|m| inst.party > m) {
            continue;
        }
        // Pairwise distances inside the set (Floyd–Warshall).
        let mut d = vec![vec![i32::MAX / 4; k]; k];
        for a in 0..k {
            d[a][a] = 0;
            for b in 0..k {
                if a != b && linked(members[a], members[b]) {
                    d[a][b] = 1;
                }
            }
        }
        for m in 0..k {
            for a in 0..k {
                for b in 0..k {
                    d[a][b] = d[a][b].min(d[a][m] + d[m][b]);
                }
            }
        }
        let connected = d.iter().all(|row| row.iter().all(|&x| x < i32::MAX / 4));
        if k > 1 {
            let zone = t[members[0]].zone;
            if !members.iter().all(|&i| t[i].movable && t[i].zone == zone) {
                continue;
            }
            if inst.policy.require_adjacency && !connected {
                continue;
            }
        }
        let radius = if k == 1 {
            0
        } else if connected {
            (0..k).map(|a| *d[a].iter().max().unwrap()).min().unwrap()
        } else {
            k as i32
        };
        let largest = members.iter().map(|&i| t[i].capacity).max().unwrap();
        let breakdown = Breakdown {
            overage: total - inst.party,
            fragmentation: total - largest,
            zones: 1,
            tables: k as i32,
            adjacency_cost: radius,
            scarcity: members.iter().map(|&i| t[i].scarcity).sum(),
        };
        let mut order = members.clone();
        order.sort_by(|&a, &b| super::score::natural_cmp(&t[a].number, &t[b].number).then(t[a].id.cmp(&t[b].id)));
        plans.push(Plan {
            tables: order.iter().map(|&i| t[i].id).collect(),
            numbers: order.iter().map(|&i| t[i].number.clone()).collect(),
            zone: t[members[0]].zone,
            total_capacity: total,
            score: breakdown.score(&inst.policy.weights),
            breakdown,
        });
    }
    plans.sort_by(|a, b| a.rank_cmp(b));
    plans
}

#[test]
fn search_matches_the_brute_force_oracle() {
    let mut rng = Rng(20_261_123);
    let mut nonempty = 0;
    for case in 0..4000 {
        let inst = instance(&mut rng);
        let expected = oracle(&inst);
        let got = quote(&inst.tables, &inst.edges, &inst.busy, inst.party, W, &inst.policy, 5);
        assert_eq!(got.feasible, expected.len(), "case {case}: number of feasible plans");
        let want: Vec<Plan> = expected.into_iter().take(5).collect();
        assert_eq!(got.plans, want, "case {case}: top plans differ");
        if !want.is_empty() {
            nonempty += 1;
        }
    }
    assert!(nonempty > 1000, "the generator must produce many solvable instances ({nonempty})");
}

fn table(n: u128, number: &str, capacity: i32) -> Table {
    Table {
        id: Uuid::from_u128(n),
        number: number.into(),
        capacity,
        min_party: 1,
        max_party: None,
        zone: Uuid::from_u128(1),
        movable: true,
        active: true,
        out_of_service: false,
        scarcity: 0.0,
    }
}

#[test]
fn a_smaller_later_table_that_fits_is_still_found() {
    // The reference's DFS sorted by capacity and stopped at the first table that overshot: the
    // exact 2+2 after a 6 was never tried.
    let tables = vec![table(1, "T1", 6), table(2, "T2", 2), table(3, "T3", 2)];
    let edges = vec![(tables[0].id, tables[1].id), (tables[1].id, tables[2].id)];
    let q = quote(&tables, &edges, &[], 4, W, &Policy { max_overage: 1, ..Policy::default() }, 5);
    assert_eq!(q.plans.len(), 1);
    assert_eq!(q.plans[0].numbers, vec!["T2", "T3"]);
}

#[test]
fn a_single_table_beats_a_combination_of_the_same_size() {
    let tables = vec![table(1, "T1", 2), table(2, "T2", 2), table(3, "T3", 4)];
    let edges = vec![(tables[0].id, tables[1].id)];
    let q = quote(&tables, &edges, &[], 4, W, &Policy::default(), 5);
    assert_eq!(q.plans[0].numbers, vec!["T3"]);
    assert_eq!(q.plans[1].numbers, vec!["T1", "T2"]);
    assert!(q.plans[0].score < q.plans[1].score);
}

#[test]
fn best_fit_and_busy_tables() {
    let tables = vec![table(1, "T1", 6), table(2, "T2", 4), table(3, "T3", 4)];
    let busy = [Busy { table: tables[1].id, window: Window { start: 150, end: 250 } }];
    let q = quote(&tables, &[], &busy, 4, W, &Policy::default(), 5);
    assert_eq!(q.plans.iter().map(|p| p.numbers.join("+")).collect::<Vec<_>>(), vec!["T3", "T1"]);
    assert_eq!(q.rejected, vec![(tables[1].id, super::search::Rejection::Busy)]);
    // Back-to-back is not busy.
    let busy = [Busy { table: tables[1].id, window: Window { start: 200, end: 250 } }];
    assert_eq!(quote(&tables, &[], &busy, 4, W, &Policy::default(), 5).plans[0].numbers, vec!["T2"]);
}

#[test]
fn fixed_tables_never_combine_and_zones_never_mix() {
    let mut tables = vec![table(1, "T1", 2), table(2, "T2", 2), table(3, "T3", 2)];
    tables[1].movable = false;
    tables[2].zone = Uuid::from_u128(2);
    let edges = vec![(tables[0].id, tables[1].id), (tables[0].id, tables[2].id)];
    let q = quote(&tables, &edges, &[], 4, W, &Policy::default(), 5);
    assert!(q.plans.is_empty(), "{:?}", q.plans);
}

#[test]
fn the_radius_prefers_compact_sets() {
    // A path A-B-C-D and a star X-(Y, Z, V): same sizes, the star has the smaller radius.
    let t = vec![
        table(1, "A", 2),
        table(2, "B", 2),
        table(3, "C", 2),
        table(4, "D", 2),
        table(5, "X", 2),
        table(6, "Y", 2),
        table(7, "Z", 2),
        table(8, "V", 2),
    ];
    let e = |a: usize, b: usize| (t[a].id, t[b].id);
    let edges = vec![e(0, 1), e(1, 2), e(2, 3), e(4, 5), e(4, 6), e(4, 7)];
    let q = quote(&t, &edges, &[], 8, W, &Policy::default(), 5);
    assert_eq!(q.plans[0].numbers, vec!["V", "X", "Y", "Z"]);
    assert_eq!(q.plans[0].breakdown.adjacency_cost, 1);
    assert_eq!(q.plans[1].breakdown.adjacency_cost, 2);
}

#[test]
fn radius_of_induced_subgraphs() {
    let adj = vec![vec![1], vec![0, 2], vec![1, 3], vec![2]];
    assert_eq!(super::search::radius(&[0, 1, 2, 3], &adj), 2);
    assert_eq!(super::search::radius(&[0, 1, 2], &adj), 1);
    assert_eq!(super::search::radius(&[0, 2], &adj), 2, "disconnected inside the set");
    assert_eq!(super::search::radius(&[3], &adj), 0);
}

#[test]
fn reasons_for_unusable_tables() {
    use super::search::Rejection::*;
    let mut t = vec![table(1, "T1", 4), table(2, "T2", 4), table(3, "T3", 4), table(4, "T4", 4)];
    t[0].active = false;
    t[1].out_of_service = true;
    t[2].min_party = 3;
    let q = quote(&t, &[], &[], 2, W, &Policy::default(), 5);
    assert_eq!(q.rejected, vec![(t[0].id, Inactive), (t[1].id, OutOfService), (t[2].id, PartyBelowMinimum)]);
    assert_eq!(q.plans[0].numbers, vec!["T4"]);
}

#[test]
fn max_party_size_limits_single_tables_only() {
    let mut t = vec![table(1, "T1", 6), table(2, "T2", 2), table(3, "T3", 2)];
    t[0].max_party = Some(4);
    let edges = vec![(t[1].id, t[2].id)];
    // Party of 5: T1 seats 6 but allows at most 4; the pair seats only 4.
    let q = quote(&t, &edges, &[], 5, W, &Policy::default(), 5);
    assert!(q.plans.is_empty(), "{:?}", q.plans);
    let q = quote(&t, &edges, &[], 4, W, &Policy::default(), 5);
    assert_eq!(q.plans[0].numbers, vec!["T2", "T3"], "the pair (score 8) beats T1 (overage 2, score 10)");
}

#[test]
fn max_tables_and_overage_bound_the_plans() {
    let t: Vec<Table> = (1..=5).map(|i| table(i, &format!("T{i}"), 2)).collect();
    let edges: Vec<(Uuid, Uuid)> = (0..4).map(|i| (t[i].id, t[i + 1].id)).collect();
    let q = quote(&t, &edges, &[], 8, W, &Policy { max_tables: 3, ..Policy::default() }, 5);
    assert!(q.plans.is_empty(), "8 guests need 4 two-tops");
    let q = quote(&t, &edges, &[], 8, W, &Policy { max_tables: 4, ..Policy::default() }, 5);
    assert_eq!(q.plans.len(), 2, "T1..T4 and T2..T5");
    let q = quote(&t, &edges, &[], 3, W, &Policy { max_overage: 0, ..Policy::default() }, 5);
    assert!(q.plans.is_empty(), "two-tops cannot seat 3 exactly");
}

#[test]
fn without_the_adjacency_rule_any_movable_tables_of_a_zone_combine() {
    let t = vec![table(1, "T1", 2), table(2, "T2", 2)];
    assert!(quote(&t, &[], &[], 4, W, &Policy::default(), 5).plans.is_empty());
    let q = quote(&t, &[], &[], 4, W, &Policy { require_adjacency: false, ..Policy::default() }, 5);
    assert_eq!(q.plans[0].numbers, vec!["T1", "T2"]);
    assert_eq!(q.plans[0].breakdown.adjacency_cost, 2, "a disconnected pair costs its size");
}

#[test]
fn scarcity_spares_rare_tables_when_weighted() {
    // Four 4-tops and one 6-top: a party of 4 takes a 4-top either way; a party of 2 with only the
    // 6-top and a 4-top free takes the 4-top (less overage) — and with scarcity weighted, a plan
    // that uses the rare 6-top scores worse still.
    let mut t = vec![table(1, "T1", 4), table(2, "T2", 4), table(3, "T3", 4), table(4, "T4", 4), table(5, "T5", 6)];
    super::search::assign_scarcity(&mut t);
    assert_eq!(t[0].scarcity, 5.0 / 4.0 - 1.0);
    assert_eq!(t[4].scarcity, 4.0);
    let weighted = Policy {
        weights: Weights { scarcity: 1.0, overage: 0.0, ..Weights::default() },
        max_overage: 4,
        ..Policy::default()
    };
    let q = quote(&t, &[], &[], 2, W, &weighted, 5);
    assert_eq!(q.plans.last().unwrap().numbers, vec!["T5"], "the rare table ranks last");
    let q = quote(
        &t,
        &[],
        &[],
        2,
        W,
        &Policy { weights: Weights { overage: 0.0, ..Weights::default() }, ..Policy::default() },
        5,
    );
    assert_eq!(q.plans[0].numbers, vec!["T1"], "without weights, ties fall to natural order");
}

#[test]
fn extreme_parties_and_capacities_never_overflow() {
    // Found by the input fuzzer: party + max_overage overflowed i32 for a party of i32::MAX.
    let tables = vec![table(1, "T1", i32::MAX), table(2, "T2", i32::MAX), table(3, "T3", 4)];
    let edges = vec![(tables[0].id, tables[1].id), (tables[1].id, tables[2].id)];
    let q = quote(&tables, &edges, &[], i32::MAX, W, &Policy { max_overage: i32::MAX, ..Policy::default() }, 5);
    assert_eq!(q.plans.len(), 2, "each huge table seats the party alone: {:?}", q.plans);
    assert!(q.plans.iter().all(|p| p.tables.len() == 1));
    // Combinations whose seats exceed i32 are over every bound: pruned, never wrapped around.
    let q = quote(&tables, &edges, &[], 3, W, &Policy { max_overage: i32::MAX, ..Policy::default() }, 50);
    assert_eq!(q.plans.iter().map(|p| p.numbers.join("+")).collect::<Vec<_>>(), vec!["T3", "T1", "T2"]);
    let q = quote(&tables[2..], &[], &[], i32::MAX, W, &Policy::default(), 5);
    assert!(q.plans.is_empty());
}
