# pg_seating: the two commands that matter are `make demo` and `make test` (see README.md).
# PG=15 (default) or PG=17 selects the PostgreSQL major for demo, test, install and package.
.PHONY: demo test test-citus package test-package bench-citus bench-quality bench-online test-lint test-pure test-pgrx test-sql torture bench bench-scale bootstrap install clean

demo:
	scripts/demo

test:
	scripts/test

# pg_seating distributed on a Citus coordinator and two workers (builds Citus when absent).
test-citus:
	scripts/test-citus

# One layer at a time (same runner); ONLY=<name> runs one test of that layer (CONTRIBUTING.md):
#   make test-pure ONLY=domain::window, make test-pgrx ONLY=pg_exclusion_rejects_overlap,
#   make test-sql ONLY=10_assign (a pgTAP file) or ONLY=assign_races (a multi-connection test file)
test-lint:
	LAYERS=lint scripts/test
test-pure:
	LAYERS=pure scripts/test
test-pgrx:
	LAYERS=pgrx scripts/test
test-sql:
	LAYERS=sql scripts/test

# Race torture with fault injection: make torture [SECONDS=60] [CONNECTIONS=8] [FAULTS=1] [SEED=1]
SECONDS ?= 60
CONNECTIONS ?= 8
FAULTS ?= 1
SEED ?= 1
torture:
	SECONDS_TO_RUN=$(SECONDS) CONNECTIONS=$(CONNECTIONS) FAULTS=$(FAULTS) SEED=$(SEED) scripts/torture

# Every workload next to its floor, 1 and 2 clients: make bench [BENCH_SECONDS=15]
BENCH_SECONDS ?= 15
bench:
	benches/pgbench/run $(BENCH_SECONDS)

# assign + unassign through the companions on one node and on Citus: make bench-citus [BENCH_SECONDS=15]
bench-citus:
	benches/citus/run $(BENCH_SECONDS)

# auto_assign_day beside the exact optimum (HiGHS) on the demo day and seeded days: make bench-quality [DAYS=20]
DAYS ?= 20
bench-quality:
	benches/quality/run $(DAYS)

# Booking-time seating beside the exact optimum, bookings seated one by one as they arrive:
# make bench-online [DAYS=20] [MOVES="0 1 2 3"]
MOVES ?= 0 1 2 3
bench-online:
	benches/online/run $(DAYS) "$(MOVES)"

# Cost as a restaurant's history grows: make bench-scale [SIZES="S M"] [ITERATIONS=200]
SIZES ?= S M
ITERATIONS ?= 200
bench-scale:
	SIZES="$(SIZES)" ITERATIONS=$(ITERATIONS) benches/scale/run

bootstrap:
	scripts/bootstrap

install:
	scripts/install

# A .deb for a server without Rust: target/package/postgresql-$(PG)-pg-seating_<version>_amd64.deb
package:
	scripts/package

# Installs the 15 package with apt-get, creates the extension from it in a fresh cluster, removes it.
test-package:
	scripts/test-package

clean:
	cargo clean
	cargo clean --manifest-path pgrx-tests/Cargo.toml
