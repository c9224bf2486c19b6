#!/usr/bin/env bash
# paygate on PostgreSQL (issue #15), next to pgbench on the same cluster in the same run: a temporary
# PostgreSQL 15 on loopback with durable commits (fsync on, synchronous_commit on), then
#   1. pgbench TPC-B and a one-hot-row workload (the baselines, as bench/pgbench.sh runs them);
#   2. paygate's ledger postings in-process on one hot account and spread over 1,000 (bench ledger-post);
#   3. one `paygate serve --sandbox` node on the cluster: durable order creation over HTTP
#      (bench create-orders) and paid-order notifies (bench alipay-notifies);
# recording each process's own CPU per operation from /proc (gateway; all PostgreSQL processes together).
# Usage: bench/postgres.sh [duration_s]. Prints a JSON summary; bench/RESULTS.md records the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
clients=8
binary=build/paygate
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d)
chmod 0777 "$work"
. bench/lib.sh
as_pg=()
if [[ $(id -u) -eq 0 ]]; then as_pg=(runuser -u postgres --); fi
port=$(free_port)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"${as_pg[@]}" "$bin/initdb" -D "$work/db" -U bench --auth=trust --locale=C -E UTF8 >/dev/null
cat >> "$work/db/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
fsync = on
synchronous_commit = on
shared_buffers = 512MB
max_wal_size = 4GB
max_connections = 200
CONF
"${as_pg[@]}" "$bin/pg_ctl" -D "$work/db" -l "$work/pg.log" -w start >/dev/null
pg=(-h 127.0.0.1 -p "$port" -U bench)

# CPU seconds (user + system) of a process, and of every PostgreSQL process together.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
pg_cpu_s() {
  local total=0 pid
  for pid in $(pgrep -u postgres postgres); do total=$(awk -v t="$total" -v hz="$(getconf CLK_TCK)" \
    '{print t + ($14 + $15) / hz}' "/proc/$pid/stat" 2>/dev/null || echo "$total"); done
  echo "$total"
}

# 1. Baselines.
"$bin/createdb" "${pg[@]}" bench
"$bin/pgbench" "${pg[@]}" -i -s 10 -q bench >/dev/null 2>&1
tpcb=$("$bin/pgbench" "${pg[@]}" -M prepared -c "$clients" -j 2 -T "$duration" bench 2>/dev/null | awk '/^tps/ {print $3; exit}')
printf '\\set delta random(-5000, 5000)\nUPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = 1;\n' > "$work/hot.sql"
hot_row=$("$bin/pgbench" "${pg[@]}" -M prepared -n -f "$work/hot.sql" -c "$clients" -j 2 -T "$duration" bench 2>/dev/null |
  awk '/^tps/ {print $3; exit}')

# 2. Ledger postings in-process, each its own database: 1,000 wallets paying one merchant (the hot payee,
#    credited by every posting), and paying 1,000 merchants (spread). Every posting debits a wallet, which
#    is checked never to go below zero.
for run in hot spread; do
  "$bin/createdb" "${pg[@]}" "post_$run"
  payees=$([[ $run == hot ]] && echo 1 || echo 1000)
  PAYGATE_STORE_BACKEND=postgres PAYGATE_STORE_URL="postgresql://bench@127.0.0.1:$port/post_$run" \
    "$binary" bench ledger-post --data-dir "$work/post_$run" --accounts 1000 --payees "$payees" --concurrency 4096 \
    --duration "$duration" | grep -v '^{"ts"' > "$work/post_$run.json"
done

# 3. One node over HTTP: creates, then notifies.
"$bin/createdb" "${pg[@]}" paygate
gw_port=$(free_port)
mkdir -p "$work/node"
printf '[channels]\nworkers = 32\n[orders]\nquery_first_ms = 600000\n[webhooks]\nallowed_networks = ["127.0.0.1/32"]\n' \
  > "$work/node/bench.toml"
PAYGATE_DEMO_ENABLED=1 PAYGATE_STORE_BACKEND=postgres PAYGATE_STORE_URL="postgresql://bench@127.0.0.1:$port/paygate" \
  "$binary" serve --config "$work/node/bench.toml" --data-dir "$work/node/data" --listen "127.0.0.1:$gw_port" \
  --sandbox --sandbox-listen 127.0.0.1:0 > "$work/node/serve.log" 2>&1 &
gateway_pid=$!
wait_for_http "http://127.0.0.1:$gw_port/readyz"
for run in creates notifies; do
  gw_before=$(cpu_s "$gateway_pid"); pg_before=$(pg_cpu_s)
  if [[ $run == creates ]]; then
    "$binary" bench create-orders --data-dir "$work/node/data" --target "http://127.0.0.1:$gw_port" \
      --concurrency 64 --duration "$duration" | grep -v '^{"ts"' > "$work/$run.json"
  else
    "$binary" bench alipay-notifies --orders 20000 --data-dir "$work/node/data" --target "http://127.0.0.1:$gw_port" \
      --concurrency "$notify_concurrency" --duration "$duration" | grep -v '^{"ts"' > "$work/$run.json"
  fi
  awk -v a="$(cpu_s "$gateway_pid")" -v b="$gw_before" 'BEGIN {print a - b}' > "$work/$run.gwcpu"
  awk -v a="$(pg_cpu_s)" -v b="$pg_before" 'BEGIN {print a - b}' > "$work/$run.pgcpu"
done
kill -TERM "$gateway_pid"; wait "$gateway_pid" || true
PAYGATE_STORE_BACKEND=postgres PAYGATE_STORE_URL="postgresql://bench@127.0.0.1:$port/paygate" \
  "$binary" ledger verify --data-dir "$work/node/data" | grep -v '^{"ts"' > "$work/verify.json"

python3 - "$work" "$tpcb" "$hot_row" <<'PY'
import json, sys
w, tpcb, hot_row = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
load = lambda name: json.load(open(f"{w}/{name}.json"))
num = lambda name: float(open(f"{w}/{name}").read().strip() or 0)
hot, spread, creates, notifies, verify = load("post_hot"), load("post_spread"), load("creates"), load("notifies"), load("verify")
per_op_ms = lambda cpu, ops: round(1000 * cpu / ops, 3) if ops else None
print(json.dumps({
  "pgbench_tpcb_tps": round(tpcb), "pgbench_hot_row_tps": round(hot_row),
  "postings_hot_per_s": round(hot["transfers_per_s"]), "postings_hot_p99_ms": hot["p99_ms"],
  "postings_hot_ratio_to_hot_row": round(hot["transfers_per_s"] / hot_row, 2),
  "postings_spread_per_s": round(spread["transfers_per_s"]),
  "creates_per_s": round(creates["requests_per_s"]), "creates_p99_ms": creates["p99_ms"],
  "creates_ratio_to_tpcb": round(creates["requests_per_s"] / tpcb, 2),
  "creates_gateway_cpu_ms": per_op_ms(num("creates.gwcpu"), creates["requests"]),
  "creates_pg_cpu_ms": per_op_ms(num("creates.pgcpu"), creates["requests"]),
  "notifies_per_s": round(notifies["requests_per_s"]), "notifies_p99_ms": notifies["p99_ms"],
  "notifies_ratio_to_tpcb": round(notifies["requests_per_s"] / tpcb, 2),
  "notifies_gateway_cpu_ms": per_op_ms(num("notifies.gwcpu"), notifies["requests"]),
  "notifies_pg_cpu_ms": per_op_ms(num("notifies.pgcpu"), notifies["requests"]),
  "notifies_all_success": notifies["succeeded"] == notifies["requests"],
  "books_sound": hot["books_sound"] and spread["books_sound"] and verify["sound"],
}, indent=2))
PY
