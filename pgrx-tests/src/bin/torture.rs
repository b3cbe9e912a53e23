//! `make torture [SECONDS=60] [CONNECTIONS=8] [FAULTS=1] [SEED=1]`: see `pg_seating_sql_tests::torture`.
//! Exits 1 when the run found an invariant violation, a deadlock or an unexpected error code.

use std::time::Duration;

use pg_seating_sql_tests::torture::{run, Op, Options, DIRECT_CODES, DIRECT_OPS, EXPECTED_CODES};

fn main() {
    let mut o = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--seconds" => o.duration = Duration::from_secs_f64(value().parse().expect("seconds")),
            "--connections" => o.connections = value().parse().expect("connections"),
            "--faults" => o.faults = !matches!(value().as_str(), "0" | "off" | "false" | "no"),
            "--seed" => o.seed = value().parse().expect("seed"),
            other => {
                eprintln!("usage: torture [--seconds S] [--connections N] [--faults 0|1] [--seed N] (got {other})");
                std::process::exit(2);
            }
        }
    }
    let report = run(&o);
    print!("{}", report.render(&o));
    println!("expected SQLSTATEs under this load:");
    for (code, why) in EXPECTED_CODES {
        println!("  {code}  {why}");
    }
    println!(
        "  and for the app's direct writes ({}): {}",
        DIRECT_OPS.map(Op::name).join(", "),
        DIRECT_CODES.join(", ")
    );
    if report.clean() {
        println!("torture: clean");
    } else {
        println!("torture: FAILED");
        std::process::exit(1);
    }
}
