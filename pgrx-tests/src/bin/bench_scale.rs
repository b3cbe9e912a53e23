//! The scale benchmark's driver (benches/scale/run): every workload on the same evening of restaurant 1
//! (benches/scale/generate.sql), measured with `EXPLAIN (ANALYZE, BUFFERS)` so that each call's server
//! time and shared buffers (hit + read, statements inside the function included) are the server's
//! own numbers. Prints one Markdown row per workload: calls, median and p95 milliseconds, median
//! buffers. With `--churn`, a second connection assigns and releases tables of other bookings of the
//! same evening the whole time (dead versions pile up under the reads, as on a busy evening).
//!   bench_scale HOST PORT DB ITERATIONS [--churn]
//! With BENCH_ONLY=a,b only the workloads whose names contain one of those strings run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use postgres::{Client, NoTls, SimpleQueryMessage};

const RESTAURANT: &str = "51000000-0000-0000-0000-000000000001";

fn booking(k: usize) -> String {
    format!("5b000000-0000-0000-0000-{:012}", k)
}

fn table(t: usize) -> String {
    format!("53000000-0000-0000-0001-{:012}", t)
}

struct Sample {
    ms: f64,
    buffers: i64,
}

fn number_after(json: &str, key: &str) -> f64 {
    json.find(key)
        .and_then(|i| {
            let rest = &json[i + key.len()..];
            let rest = rest.trim_start_matches([':', ' ']);
            let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')).unwrap_or(rest.len());
            rest[..end].parse().ok()
        })
        .unwrap_or(0.0)
}

/// One statement, explained: its execution time and the top node's shared buffers.
fn explain(c: &mut Client, sql: &str) -> Sample {
    let out = c
        .simple_query(&format!("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}"))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let json = out
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        })
        .unwrap_or_default();
    Sample {
        ms: number_after(&json, "\"Execution Time\""),
        buffers: (number_after(&json, "\"Shared Hit Blocks\"") + number_after(&json, "\"Shared Read Blocks\"")) as i64,
    }
}

fn connect(host: &str, port: u16, db: &str) -> Client {
    Client::configure().host(host).port(port).user("postgres").dbname(db).connect(NoTls).expect("connect")
}

struct Workload {
    name: &'static str,
    /// Statements of iteration `i` (each explained; their times and buffers add up).
    statements: fn(usize) -> Vec<String>,
    /// Statements run before each iteration, not measured.
    prepare: Option<fn(usize) -> Vec<String>>,
    /// Iterations (the whole-database operator tools get a few).
    iterations: fn(usize) -> usize,
}

fn all(n: usize) -> usize {
    n
}

fn few(_: usize) -> usize {
    3
}

/// Bookings 1..=60 are measured; 61..=120 belong to the churn.
fn measured(i: usize) -> (String, String) {
    (booking(1 + i % 60), table(1 + i % 40))
}

fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "assign_tables_atomic_v2 + unassign",
            statements: |i| {
                let (b, t) = measured(i);
                vec![
                    format!("SELECT * FROM assign_tables_atomic_v2('{b}', ARRAY['{t}']::uuid[])"),
                    format!("SELECT * FROM unassign_tables_atomic('{b}')"),
                ]
            },
            prepare: None,
            iterations: all,
        },
        Workload {
            name: "confirm_hold_assignment_with_transition + unassign",
            statements: |i| {
                let (b, t) = measured(i);
                vec![
                    format!("SELECT * FROM confirm_hold_assignment_with_transition('{b}', ARRAY['{t}']::uuid[], 'scale-{i}')"),
                    format!("SELECT * FROM unassign_tables_atomic('{b}')"),
                ]
            },
            prepare: None,
            iterations: all,
        },
        Workload {
            name: "validate_booking_capacity_after_assignment",
            statements: |i| vec![format!("SELECT validate_booking_capacity_after_assignment('{}')", measured(i).0)],
            prepare: None,
            iterations: all,
        },
        Workload {
            name: "quote_tables (party of 2-6)",
            statements: |i| vec![format!("SELECT * FROM quote_tables('{}')", measured(i).0)],
            prepare: None,
            iterations: all,
        },
        Workload {
            name: "auto_assign_tables + unassign",
            statements: |i| {
                let b = measured(i).0;
                vec![
                    format!("SELECT * FROM auto_assign_tables('{b}', 'scale-auto-{i}')"),
                    format!("SELECT * FROM unassign_tables_atomic('{b}')"),
                ]
            },
            prepare: None,
            iterations: all,
        },
        Workload {
            name: "table_live_status (40 tables)",
            statements: |_| {
                vec![format!(
                    "SELECT * FROM table_live_status('{RESTAURANT}', ((current_date + 7) + time '20:00') AT TIME ZONE 'Europe/London')"
                )]
            },
            prepare: None,
            iterations: all,
        },
        Workload {
            name: "sweep_expired_holds() (20 expired holds)",
            statements: |_| vec!["SELECT sweep_expired_holds()".into()],
            prepare: Some(|i| {
                vec![format!(
                    "INSERT INTO table_holds (restaurant_id, booking_id, zone_id, start_at, end_at, expires_at)
                     SELECT b.restaurant_id, b.id, '52000000-0000-0000-0001-000000000001', b.start_at, b.end_at, now() - interval '1 minute'
                       FROM bookings b WHERE b.restaurant_id = '{RESTAURANT}' AND b.booking_date = current_date + 7
                      ORDER BY b.id OFFSET {} LIMIT 20",
                    (i * 20) % 100
                )]
            }),
            iterations: all,
        },
        Workload {
            name: "find_assignment_anomalies(restaurant, day, day) (scoped)",
            statements: |_| {
                vec![format!("SELECT count(*) FROM find_assignment_anomalies('{RESTAURANT}', current_date - 1, current_date - 1)")]
            },
            prepare: None,
            iterations: all,
        },
        Workload {
            name: "backfill_allocations_shadow(restaurant, day, day) (scoped)",
            statements: |_| {
                vec![format!(
                    "SELECT * FROM backfill_allocations_shadow('{RESTAURANT}', current_date - 1, current_date - 1)"
                )]
            },
            prepare: None,
            iterations: all,
        },
        Workload {
            name: "find_assignment_anomalies() (whole database)",
            statements: |_| vec!["SELECT count(*) FROM find_assignment_anomalies()".into()],
            prepare: None,
            iterations: few,
        },
        Workload {
            name: "backfill_allocations_shadow() (whole database)",
            statements: |_| vec!["SELECT * FROM backfill_allocations_shadow()".into()],
            prepare: None,
            iterations: few,
        },
    ]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[idx]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (host, port, db) = (&args[1], args[2].parse::<u16>().expect("port"), &args[3]);
    let iterations: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(200);
    let churn = args.iter().any(|a| a == "--churn");

    let stop = Arc::new(AtomicBool::new(false));
    let churner = churn.then(|| {
        let (host, db, stop) = (host.clone(), db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut c = connect(&host, port, &db);
            let mut i = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let b = booking(61 + i % 60);
                let t = table(1 + (i * 7) % 40);
                let _ = c.batch_execute(&format!(
                    "SELECT assign_tables_atomic_v2('{b}', ARRAY['{t}']::uuid[]); SELECT unassign_tables_atomic('{b}')"
                ));
                i += 1;
                // About 250 cycles a second: a busy evening's write rate, leaving the measured
                // connection its share of the machine's two cores.
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            i
        })
    });

    let only: Vec<String> = std::env::var("BENCH_ONLY")
        .map(|v| v.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    let mut c = connect(host, port, db);
    // Under churn, the whole-database tools are left out: they run for seconds at the larger
    // sizes, and the churn meanwhile would leave that size's evening more dead versions to step
    // over than the smaller one's, so the sizes would no longer be measured under the same churn.
    let selected = workloads()
        .into_iter()
        .filter(|w| only.is_empty() || only.iter().any(|o| w.name.contains(o.as_str())))
        .filter(|w| !(churn && w.name.contains("whole database")));
    for w in selected {
        let n = (w.iterations)(iterations);
        let warm = if n > 10 { 5 } else { 0 };
        let mut ms = Vec::with_capacity(n);
        let mut buffers = Vec::with_capacity(n);
        for i in 0..warm + n {
            if let Some(p) = w.prepare {
                for s in p(i) {
                    c.batch_execute(&s).unwrap_or_else(|e| panic!("{s}: {e}"));
                }
            }
            let (mut t, mut b) = (0.0, 0);
            for s in (w.statements)(i) {
                let x = explain(&mut c, &s);
                t += x.ms;
                b += x.buffers;
            }
            if i >= warm {
                ms.push(t);
                buffers.push(b as f64);
            }
        }
        ms.sort_by(f64::total_cmp);
        buffers.sort_by(f64::total_cmp);
        println!(
            "| {} | {} | {:.3} | {:.3} | {:.0} |",
            w.name,
            n,
            percentile(&ms, 0.5),
            percentile(&ms, 0.95),
            percentile(&buffers, 0.5)
        );
    }
    stop.store(true, Ordering::Relaxed);
    if let Some(h) = churner {
        let cycles = h.join().unwrap_or(0);
        eprintln!("churn: {cycles} assign + unassign cycles meanwhile");
    }
}
