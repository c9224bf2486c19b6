#!/usr/bin/env bash
# The PostgreSQL baseline for the ledger targets: pgbench's TPC-B (the classic bank-transfer benchmark:
# update an account, a teller and a branch balance, insert a history row, per transaction) with durable
# commits (fsync on, synchronous_commit on, the Debian defaults) on a temporary cluster on loopback, and a
# one-hot-row workload (every transaction updates the same branch row). Prints a JSON summary.
# Usage: bench/pgbench.sh [duration_s] [clients]
set -euo pipefail
duration=${1:-20}
clients=${2:-8}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d)
chmod 0777 "$work"
# PostgreSQL refuses to run as root: as root, run it as the postgres user the Debian package created.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then as_pg=(runuser -u postgres --); fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { "${as_pg[@]}" "$bin/pg_ctl" -D "$work/db" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
"${as_pg[@]}" "$bin/initdb" -D "$work/db" -U bench --auth=trust >/dev/null
cat >> "$work/db/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
fsync = on
synchronous_commit = on
shared_buffers = 512MB
max_wal_size = 4GB
CONF
"${as_pg[@]}" "$bin/pg_ctl" -D "$work/db" -l "$work/pg.log" -w start >/dev/null
pg=(-h 127.0.0.1 -p "$port" -U bench)
"$bin/createdb" "${pg[@]}" bench
"$bin/pgbench" "${pg[@]}" -i -s 10 -q bench >/dev/null 2>&1
tpcb=$("$bin/pgbench" "${pg[@]}" -M prepared -c "$clients" -j 2 -T "$duration" bench 2>/dev/null |
  awk '/^tps/ {print $3; exit}')
printf '\\set delta random(-5000, 5000)\nUPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = 1;\n' \
  > "$work/hot.sql"
hot=$("$bin/pgbench" "${pg[@]}" -M prepared -n -f "$work/hot.sql" -c "$clients" -j 2 -T "$duration" bench 2>/dev/null |
  awk '/^tps/ {print $3; exit}')
python3 -c "import json; print(json.dumps({'pgbench_tpcb_tps': round($tpcb), 'pgbench_hot_row_tps': round($hot), 'clients': $clients, 'duration_s': $duration, 'scale': 10}, indent=2))"
