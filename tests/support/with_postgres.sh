#!/usr/bin/env bash
# Runs a command next to a throwaway PostgreSQL server (Debian's postgresql package): a fresh cluster in a
# temp dir, listening on 127.0.0.1 only, removed afterwards. The command finds it in PAYGATE_TEST_POSTGRES_URL
# (superuser "paygate", trust auth on loopback, database "postgres").
# Usage: tests/support/with_postgres.sh COMMAND [ARGS...]
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "with_postgres: no PostgreSQL server installed (scripts/deps.sh installs postgresql)" >&2
  exit 2
fi

dir=$(mktemp -d /tmp/paygate-pg.XXXXXX)
# PostgreSQL refuses to run as root: then the cluster belongs to the postgres user the package created.
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres: "$dir"
  as_owner=(runuser -u postgres --)
fi

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U paygate --auth=trust --locale=C -E UTF8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 2; }

# A free port: try random ones until the server starts on one. The settings go into the cluster's own
# postgresql.auto.conf, so a test can stop and start it again with a plain `pg_ctl -D` (an outage test).
for attempt in 1 2 3 4 5 6 7 8; do
  port=$((20000 + RANDOM % 40000))
  "${as_owner[@]}" tee "$dir/data/postgresql.auto.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = '128MB'
CONF
  if "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then
    export PAYGATE_TEST_POSTGRES_URL="postgresql://paygate@127.0.0.1:$port/postgres"
    export PAYGATE_TEST_POSTGRES_DATA="$dir/data"
    export PAYGATE_TEST_POSTGRES_BIN="$bindir"
    export PAYGATE_TEST_POSTGRES_LOG="$dir/server.log"
    "$@"
    exit $?
  fi
done
echo "with_postgres: the server did not start; its log:" >&2
cat "$dir/server.log" >&2 || true
exit 2
