#!/usr/bin/env bash
# The ledger targets (issue #4), in one run on this machine: the PostgreSQL baseline (bench/pgbench.sh:
# TPC-B and one hot row, durable commits), then paygate's in-process ledger posting spread over 1,000
# accounts and on one hot account (paygate bench ledger-post), then paid-order notifications end to end over
# HTTP (verify + state + ledger + outbox: paygate bench alipay-notifies). Prints a JSON summary with the
# ratios the issue sets targets for. Usage: bench/ledger.sh [duration_s]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
binary=build/paygate
work=$(mktemp -d)
. bench/lib.sh
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

bash bench/pgbench.sh "$duration" 8 > "$work/pg.json"
"$binary" bench ledger-post --data-dir "$work/post" --accounts 1000 --concurrency 4096 --duration "$duration" \
  > "$work/spread.json"
"$binary" bench ledger-post --data-dir "$work/post" --accounts 1 --concurrency 4096 --duration "$duration" \
  > "$work/hot.json"

# The posting runs leave gigabytes of dirty pages behind; written back during the notify run, they would bill
# that run for the previous one's I/O. Each measurement starts on a quiet disk.
rm -rf "$work/post"
sync
start_sandbox_gateway "$binary" "$work/notify"
"$binary" bench alipay-notifies --orders 30000 --data-dir "$work/notify/data" --target "$gateway_url" \
  --concurrency "$notify_concurrency" --duration 60 > "$work/notify.json"
kill -TERM "$gateway_pid"; wait "$gateway_pid"
"$binary" ledger verify --data-dir "$work/notify/data" > "$work/verify.json"

python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
load = lambda name: json.load(open(f"{w}/{name}.json"))
pg, spread, hot, notify, verify = load("pg"), load("spread"), load("hot"), load("notify"), load("verify")
tpcb = pg["pgbench_tpcb_tps"]
print(json.dumps({
  "pgbench_tpcb_tps": tpcb, "pgbench_hot_row_tps": pg["pgbench_hot_row_tps"],
  "ledger_post_spread_per_s": round(spread["transfers_per_s"]), "spread_p99_ms": spread["p99_ms"],
  "ledger_post_hot_per_s": round(hot["transfers_per_s"]), "hot_p99_ms": hot["p99_ms"],
  "spread_ratio_to_tpcb": round(spread["transfers_per_s"] / tpcb, 1),
  "hot_ratio_to_spread": round(hot["transfers_per_s"] / spread["transfers_per_s"], 2),
  "notifies_per_s": round(notify["requests_per_s"]), "notify_p99_ms": notify["p99_ms"],
  "notify_ratio_to_tpcb": round(notify["requests_per_s"] / tpcb, 2),
  "all_books_sound": spread["books_sound"] and hot["books_sound"] and verify["sound"],
  "notifies_all_success": notify["succeeded"] == notify["requests"],
}, indent=2))
PY
