#!/usr/bin/env bash
# Measures, in one run on this machine: the nginx HTTP ceiling (wrk, fixed JSON), paygate's durable order
# creation (paygate bench create-orders), its latency, RSS idle and under load, and start-to-ready time.
# Usage: bench/run.sh [duration_s] [concurrency]. Prints a JSON summary; bench/RESULTS.md records the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
concurrency=${2:-64}
binary=build/paygate
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

. bench/lib.sh
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# 1. nginx ceiling.
nginx_port=$(free_port)
sed -e "s|@DIR@|$work|g" -e "s|@PORT@|$nginx_port|g" bench/nginx.conf > "$work/nginx.conf"
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
wait_for_http "http://127.0.0.1:$nginx_port/"
nginx_rps=$(wrk -t1 -c"$concurrency" -d"${duration}s" "http://127.0.0.1:$nginx_port/" | awk '/Requests\/sec/ {print $2}')
kill "$(cat "$work/nginx.pid")"; wait 2>/dev/null || true

# 2. paygate: start to ready, idle RSS, durable creates under load, RSS under load.
port=$(free_port)
start_ns=$(date +%s%N)
# The load generator's orders name a webhook endpoint on loopback (a closed port: deliveries fail fast).
printf '[webhooks]\nallowed_networks = ["127.0.0.1/32"]\n' > "$work/bench.toml"
PAYGATE_DEMO_ENABLED=1 "$binary" serve --config "$work/bench.toml" --data-dir "$work/data" --listen "127.0.0.1:$port" \
  > "$work/serve.log" 2>&1 &
pid=$!
wait_for_http "http://127.0.0.1:$port/readyz"
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
"$binary" serve --help >/dev/null  # warm nothing; keeps the measurement honest about a cold first start
idle_rss_kb=$(rss_kb $pid)
"$binary" bench create-orders --data-dir "$work/data" --target "http://127.0.0.1:$port" \
  --concurrency "$concurrency" --duration "$duration" > "$work/bench.json"
load_rss_kb=$(hwm_kb $pid)
kill -TERM $pid; wait $pid

# 3. Alipay through the in-process sandbox: QR order creation (two RSA-2048 signatures each: ours on the
#    precreate request, the sandbox's on its answer) against the same-run OpenSSL ceiling, and notify intake
#    with pre-signed notifies (verify + durable transition + outbox).
rsa_signs=$(openssl_rsa2048_signs)
start_sandbox_gateway "$binary" "$work/alipay"
"$binary" bench create-orders --channel alipay --data-dir "$work/alipay/data" --target "$gateway_url" \
  --concurrency "$concurrency" --duration "$duration" > "$work/qr.json"
"$binary" bench alipay-notifies --orders 30000 --data-dir "$work/alipay/data" --target "$gateway_url" \
  --concurrency "$notify_concurrency" --duration 60 > "$work/notify.json"
kill -TERM "$gateway_pid"; wait "$gateway_pid"

python3 - "$work/qr.json" "$work/notify.json" <<PY
import json, sys
qr = json.load(open(sys.argv[1])); notify = json.load(open(sys.argv[2]))
signs = float("$rsa_signs")
print(json.dumps({
  "openssl_rsa2048_signs_per_s_multi2": signs,
  "alipay_qr_orders_per_s": round(qr["requests_per_s"]), "qr_p99_ms": qr["p99_ms"],
  "qr_ratio_to_half_openssl": round(qr["requests_per_s"] / (signs / 2), 3),
  "qr_all_succeeded": qr["succeeded"] == qr["requests"],
  "notifies_per_s": round(notify["requests_per_s"]), "notify_p99_ms": notify["p99_ms"],
  "notifies_all_success": notify["succeeded"] == notify["requests"],
}, indent=2))
PY

python3 - "$work/bench.json" <<PY
import json, sys
b = json.load(open(sys.argv[1]))
nginx = float("$nginx_rps")
print(json.dumps({
  "nginx_rps": nginx,
  "paygate_create_rps": round(b["requests_per_s"]),
  "ratio_to_nginx": round(b["requests_per_s"] / nginx, 3),
  "p50_ms": b["p50_ms"], "p99_ms": b["p99_ms"], "p999_ms": b["p999_ms"],
  "statuses": b["statuses"], "transport_errors": b["transport_errors"],
  "idle_rss_mb": round($idle_rss_kb / 1024, 1), "peak_rss_mb": round($load_rss_kb / 1024, 1),
  "start_to_ready_ms": $ready_ms, "concurrency": $concurrency, "duration_s": $duration,
}, indent=2))
PY

# 3b. WeChat Pay (issue #5): native order creation and encrypted callback intake.
bash bench/wechatpay.sh "$duration" "$concurrency"

# 4. The ledger (issue #4): PostgreSQL baseline, in-process postings (spread and hot), notifies end to end.
bash bench/ledger.sh "$duration"

# 5. Merchant webhooks (issue #6): dispatch throughput to a local receiver, then payment-to-webhook delay.
"$binary" bench webhooks --data-dir "$work/webhooks" --orders 20000 --rate 2000 --duration "$duration"
