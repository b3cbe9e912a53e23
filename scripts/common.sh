# Shared helpers for the scripts in this directory (sourced, not executed).

PG_MAJOR=15
PG_CONFIG=/usr/bin/pg_config
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PGRX_VERSION=0.18.1

# Root runs privileged commands directly; anyone else goes through sudo.
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

# Runs a command as the `postgres` OS user (Postgres refuses to run as root).
as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"; else sudo -u postgres -- "$@"; fi
}

log() { printf '%s\n' "$*" >&2; }
