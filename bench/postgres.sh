#!/usr/bin/env bash
# paygate on PostgreSQL (issue #15), next to pgbench on the same cluster in the same run: a temporary
# PostgreSQL 15 on loopback with durable commits (fsync on, synchronous_commit on), then
#   1. pgbench TPC-B and a one-hot-row workload (the baselines, as bench/pgbench.sh runs them);
#   2. paygate's ledger postings in-process on one hot account and spread over 1,000 (bench ledger-post);
#   3. one `paygate serve --sandbox` node, then two, on the cluster and one Redis: durable order creation
#      over HTTP (bench create-orders) and paid-order notifies (bench alipay-notifies);
# recording each process's own CPU per operation from /proc (each gateway; all PostgreSQL processes
# together; Redis).
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
  if [[ -f "$work/redis.pid" ]]; then kill "$(cat "$work/redis.pid")" 2>/dev/null || true; fi  # it daemonized
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

# PostgreSQL's own CPU seconds so far: every live server process, plus what the postmaster collected from
# the backends that already exited (its children's times), so a benchmark whose connections close is
# counted whole.
pg_cpu_s() {
  local hz postmaster total=0 pid
  hz=$(getconf CLK_TCK)
  postmaster=$(head -1 "$work/db/postmaster.pid")
  total=$(awk -v hz="$hz" '{print ($16 + $17) / hz}' "/proc/$postmaster/stat")
  for pid in $(pgrep -u postgres postgres); do
    total=$(awk -v t="$total" -v hz="$hz" '{print t + ($14 + $15) / hz}' "/proc/$pid/stat" 2>/dev/null || echo "$total")
  done
  echo "$total"
}

# 1. Baselines, with PostgreSQL's CPU per TPC-B transaction: the yardstick for paygate's per request.
"$bin/createdb" "${pg[@]}" bench
"$bin/pgbench" "${pg[@]}" -i -s 10 -q bench >/dev/null 2>&1
pg_before=$(pg_cpu_s)
"$bin/pgbench" "${pg[@]}" -M prepared -c "$clients" -j 2 -T "$duration" bench > "$work/tpcb.out" 2>/dev/null
tpcb_pg_cpu_s=$(awk -v a="$(pg_cpu_s)" -v b="$pg_before" 'BEGIN {print a - b}')
tpcb=$(awk '/^tps/ {print $3; exit}' "$work/tpcb.out")
tpcb_transactions=$(awk '/number of transactions actually processed/ {split($NF, n, "/"); print n[1]; exit}' "$work/tpcb.out")
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

# 3. Nodes over HTTP on one database and one Redis (which PostgreSQL nodes need: shared nonces, live
#    updates, the event stream): one node, then two, each with its own load generator for creates and then
#    notifies (two generators run at once). CPU per request is each process's own, from /proc.
redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" \
  --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 1 200); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.02; done
redis_pid=$(cat "$work/redis.pid")
node_env=(PAYGATE_DEMO_ENABLED=1 PAYGATE_STORE_BACKEND=postgres PAYGATE_REDIS_URL="redis://127.0.0.1:$redis_port"
          PAYGATE_MASTER_KEY_FILE="$work/master.key")
run_nodes() {
  local nodes=$1 db="paygate_$1" i run
  "$bin/createdb" "${pg[@]}" "$db"
  local pids=() ports=()
  for i in $(seq 1 "$nodes"); do
    ports+=("$(free_port)")
    mkdir -p "$work/n$nodes-$i"
    printf '[channels]\nworkers = 32\n[orders]\nquery_first_ms = 600000\n' > "$work/n$nodes-$i/bench.toml"
    env "${node_env[@]}" PAYGATE_STORE_URL="postgresql://bench@127.0.0.1:$port/$db" PAYGATE_NODE_ID="bench-$i" \
      "$binary" serve --config "$work/n$nodes-$i/bench.toml" --data-dir "$work/n$nodes-$i/data" \
      --listen "127.0.0.1:${ports[-1]}" --sandbox --sandbox-listen 127.0.0.1:0 > "$work/n$nodes-$i/serve.log" 2>&1 &
    pids+=($!)
    wait_for_http "http://127.0.0.1:${ports[-1]}/readyz"
  done
  for run in creates notifies; do
    local loads=()
    for i in $(seq 1 "$nodes"); do
      # Each generator measures the CPU its node, PostgreSQL (every postgres process) and Redis spent while
      # its clock ran (not while it prepared its notifies).
      local cpu=(--cpu-of "gateway=${pids[$((i - 1))]}" --cpu-of postgres=user:postgres
                 --cpu-of "redis=$redis_pid")
      if [[ $run == creates ]]; then
        "$binary" bench create-orders --data-dir "$work/n$nodes-$i/data" --target "http://127.0.0.1:${ports[$((i - 1))]}" \
          --concurrency $((64 / nodes)) --duration "$duration" "${cpu[@]}" | grep -v '^{"ts"' > "$work/n$nodes-$run-$i.json" &
      else
        "$binary" bench alipay-notifies --orders $((20000 / nodes)) --data-dir "$work/n$nodes-$i/data" \
          --target "http://127.0.0.1:${ports[$((i - 1))]}" --concurrency $((notify_concurrency / nodes)) \
          --duration "$duration" "${cpu[@]}" | grep -v '^{"ts"' > "$work/n$nodes-$run-$i.json" &
      fi
      loads+=($!)
    done
    wait "${loads[@]}"
  done
  for pid in "${pids[@]}"; do kill -TERM "$pid"; wait "$pid" || true; done
  env "${node_env[@]}" PAYGATE_STORE_URL="postgresql://bench@127.0.0.1:$port/$db" \
    "$binary" ledger verify --data-dir "$work/n$nodes-1/data" | grep -v '^{"ts"' > "$work/n$nodes-verify.json"
}
run_nodes 1
run_nodes 2

python3 - "$work" "$tpcb" "$hot_row" "$tpcb_pg_cpu_s" "$tpcb_transactions" <<'PY'
import json, sys
w, tpcb, hot_row = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
tpcb_pg_cpu_ms = 1000 * float(sys.argv[4]) / float(sys.argv[5])
load = lambda name: json.load(open(f"{w}/{name}.json"))
num = lambda name: float(open(f"{w}/{name}").read().strip() or 0)
hot, spread = load("post_hot"), load("post_spread")
per_op_ms = lambda cpu, ops: round(1000 * cpu / ops, 3) if ops else None
summary = {
  "pgbench_tpcb_tps": round(tpcb), "pgbench_hot_row_tps": round(hot_row),
  "pgbench_tpcb_pg_cpu_ms": round(tpcb_pg_cpu_ms, 3),
  "postings_hot_per_s": round(hot["transfers_per_s"]), "postings_hot_p99_ms": hot["p99_ms"],
  "postings_hot_ratio_to_hot_row": round(hot["transfers_per_s"] / hot_row, 2),
  "postings_spread_per_s": round(spread["transfers_per_s"]),
}
sound = hot["books_sound"] and spread["books_sound"]
for nodes in (1, 2):
  for run in ("creates", "notifies"):
    parts = [load(f"n{nodes}-{run}-{i}") for i in range(1, nodes + 1)]
    requests = sum(p["requests"] for p in parts)
    rate = sum(p["requests_per_s"] for p in parts)
    key = f"{nodes}_node{'s' if nodes > 1 else ''}_{run}"
    summary[f"{key}_per_s"] = round(rate)
    summary[f"{key}_p99_ms"] = max(p["p99_ms"] for p in parts)
    summary[f"{key}_ratio_to_tpcb"] = round(rate / tpcb, 2)
    # Each node's own CPU over its own requests; the shared servers' CPU over every node's requests (the
    # generators' windows overlap, so the first one's view of them is divided by their requests scaled to it).
    summary[f"{key}_gateway_cpu_ms"] = [per_op_ms(p["cpu_s"]["gateway"], p["requests"]) for p in parts]
    first = parts[0]
    scale = first["duration_s"] * rate
    summary[f"{key}_pg_cpu_ms"] = per_op_ms(first["cpu_s"]["postgres"], scale)
    summary[f"{key}_redis_cpu_ms"] = per_op_ms(first["cpu_s"]["redis"], scale)
    # What PostgreSQL alone could carry, were it not sharing the two cores: TPC-B transactions per request.
    summary[f"{key}_pg_bound_ratio_to_tpcb"] = round(tpcb_pg_cpu_ms / summary[f"{key}_pg_cpu_ms"], 2)
    if run == "notifies":
      summary[f"{key}_all_success"] = all(p["succeeded"] == p["requests"] for p in parts)
  sound = sound and load(f"n{nodes}-verify")["sound"]
summary["books_sound"] = sound
print(json.dumps(summary, indent=2))
PY
