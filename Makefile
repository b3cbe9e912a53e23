# pg_seating: the two commands that matter are `make demo` and `make test` (see README.md).
.PHONY: demo test test-pure test-pgrx test-sql bootstrap install clean

demo:
	scripts/demo

test:
	scripts/test

# One layer at a time (same runner).
test-pure:
	LAYERS=pure scripts/test
test-pgrx:
	LAYERS=pgrx scripts/test
test-sql:
	LAYERS=sql scripts/test

bootstrap:
	scripts/bootstrap

install: bootstrap
	cargo pgrx install --pg-config /usr/bin/pg_config $(if $(filter 0,$(shell id -u)),,--sudo)
	$(if $(filter 0,$(shell id -u)),,sudo) cp sql/archive/pg_seating--*.sql sql/pg_seating--*--*.sql $$(/usr/bin/pg_config --sharedir)/extension/

clean:
	cargo clean
	cargo clean --manifest-path pgrx-tests/Cargo.toml
