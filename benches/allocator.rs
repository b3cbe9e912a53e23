//! Criterion bench of the pure search (issue #6): 100 tables in 4 zones, about 3 neighbours each,
//! combinations up to 5 tables, a busy day (a third of the tables taken), parties of 2 to 12.
//! `cargo bench --bench allocator`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use pg_seating::bench::{quote, Busy, Policy, Table, Window};
use uuid::Uuid;

fn restaurant() -> (Vec<Table>, Vec<(Uuid, Uuid)>, Vec<Busy>) {
    let sizes = [2, 4, 2, 6, 4, 2, 8, 4];
    let tables: Vec<Table> = (0..100u128)
        .map(|i| Table {
            id: Uuid::from_u128(i + 1),
            number: format!("T{}", i + 1),
            capacity: sizes[(i % 8) as usize],
            min_party: 1,
            max_party: None,
            zone: Uuid::from_u128(1000 + i / 25),
            movable: i % 10 != 9,
            active: true,
            out_of_service: false,
            scarcity: 0.0,
        })
        .collect();
    // A grid of 5 columns per zone: right and down neighbours, plus a diagonal every third table:
    // about 3 neighbours per table.
    let mut edges = Vec::new();
    for z in 0..4usize {
        for k in 0..25usize {
            let i = z * 25 + k;
            if k % 5 != 4 {
                edges.push((tables[i].id, tables[i + 1].id));
            }
            if k + 5 < 25 {
                edges.push((tables[i].id, tables[i + 5].id));
            }
            if k % 3 == 0 && k % 5 != 4 && k + 6 < 25 {
                edges.push((tables[i].id, tables[i + 6].id));
            }
        }
    }
    let window = Window { start: 0, end: 7_200_000_000 };
    let busy = tables.iter().filter(|t| t.id.as_u128() % 3 == 0).map(|t| Busy { table: t.id, window }).collect();
    (tables, edges, busy)
}

fn bench(c: &mut Criterion) {
    let (tables, edges, busy) = restaurant();
    let window = Window { start: 1_800_000_000, end: 9_000_000_000 };
    let policy = Policy::default();
    let mut group = c.benchmark_group("quote_100_tables_busy_day");
    for party in [2, 4, 6, 8, 10, 12] {
        group.bench_with_input(BenchmarkId::from_parameter(party), &party, |b, &party| {
            b.iter(|| quote(&tables, &edges, &busy, party, window, &policy, 5))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
