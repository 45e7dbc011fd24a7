# Sourced by .ci/run: starts a throwaway PostgreSQL cluster on 127.0.0.1 for the store tests and exports
# PLAB_TEST_POSTGRES. Installs the server when it is missing (CI runs as root on a fresh Debian 12 machine).
# Idempotent: a cluster already initialised or running in $PLAB_PG_DIR is reused. Without PostgreSQL and no way
# to install it, the variable stays unset and the PostgreSQL tests report themselves skipped.

plab_pg_port=${PLAB_PG_PORT:-55432}
plab_pg_dir=${PLAB_PG_DIR:-/tmp/plab-ci-postgres}
plab_pg_started=

plab_pg_bin() { { ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true; } | sort -V | tail -n 1; }

plab_start_postgres() {
  local bin as=()
  bin=$(plab_pg_bin)
  if [ -z "$bin" ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "PostgreSQL is not installed and this user cannot install it: the PostgreSQL store tests will be skipped" >&2
      return 0
    fi
    echo "installing PostgreSQL (apt-get)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get install -y -qq --no-install-recommends postgresql >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }; }; then
      echo "could not install PostgreSQL: the PostgreSQL store tests will be skipped" >&2
      return 0
    fi
    bin=$(plab_pg_bin)
  fi
  # initdb and the server refuse to run as root; then the cluster belongs to the postgres user.
  if [ "$(id -u)" -eq 0 ]; then as=(runuser -u postgres --); fi
  if [ ! -f "$plab_pg_dir/PG_VERSION" ]; then
    mkdir -p "$plab_pg_dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$plab_pg_dir"; fi
    # Local socket: trust (setup below); TCP: passwords, as a real deployment.
    "${as[@]}" "$bin/initdb" -D "$plab_pg_dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  fi
  if ! "${as[@]}" "$bin/pg_ctl" -D "$plab_pg_dir" status >/dev/null 2>&1; then
    "${as[@]}" "$bin/pg_ctl" -D "$plab_pg_dir" -l "$plab_pg_dir/server.log" -w -s \
      -o "-c listen_addresses=127.0.0.1 -p $plab_pg_port -k $plab_pg_dir -c fsync=off" start
    plab_pg_started=1
  fi
  local psql=("${as[@]}" "$bin/psql" -h "$plab_pg_dir" -p "$plab_pg_port" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'plab'")" != 1 ]; then
    "${psql[@]}" -c "CREATE ROLE plab LOGIN PASSWORD 'plab'"
  fi
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'plab_test'")" != 1 ]; then
    "${psql[@]}" -c "CREATE DATABASE plab_test OWNER plab"
  fi
  export PLAB_TEST_POSTGRES="Host=127.0.0.1;Port=$plab_pg_port;Username=plab;Password=plab;Database=plab_test"
  echo "PostgreSQL $("${psql[@]}" -c 'SHOW server_version') on 127.0.0.1:$plab_pg_port (PLAB_TEST_POSTGRES)" >&2
}

plab_stop_postgres() {
  if [ -n "$plab_pg_started" ]; then
    local as=()
    if [ "$(id -u)" -eq 0 ]; then as=(runuser -u postgres --); fi
    "${as[@]}" "$(plab_pg_bin)/pg_ctl" -D "$plab_pg_dir" -m fast -w -s stop || true
  fi
}

plab_start_postgres
