#!/usr/bin/env bash
# WeChat Pay through the in-process sandbox, in one run on this machine: native order creation (two RSA-2048
# signatures each: ours on the request, the platform's on the answer, plus one verification each way)
# against the same-run `openssl speed -multi 2 rsa2048` ceiling, and encrypted callback intake with
# pre-built callbacks (RSA verify + AES-256-GCM decrypt + durable transition with ledger postings + outbox).
# Usage: bench/wechatpay.sh [duration_s] [concurrency] [callbacks]. Prints a JSON summary.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
concurrency=${2:-64}
callbacks=${3:-30000}
binary=build/paygate
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

. bench/lib.sh

rsa_signs=$(openssl_rsa2048_signs)
# The callbacks' orders are prepared first (one native call each).
start_sandbox_gateway "$binary" "$work"
"$binary" bench create-orders --channel wechatpay --method native --data-dir "$work/data" \
  --target "$gateway_url" --concurrency "$concurrency" --duration "$duration" > "$work/native.json"
"$binary" bench wechatpay-callbacks --orders "$callbacks" --data-dir "$work/data" --target "$gateway_url" \
  --concurrency "$notify_concurrency" --duration 60 > "$work/callbacks.json"
kill -TERM "$gateway_pid"; wait "$gateway_pid"

python3 - "$work/native.json" "$work/callbacks.json" "$rsa_signs" <<'PY'
import json, sys
native = json.load(open(sys.argv[1])); callbacks = json.load(open(sys.argv[2])); signs = float(sys.argv[3])
print(json.dumps({
  "openssl_rsa2048_signs_per_s_multi2": signs,
  "wechatpay_native_orders_per_s": round(native["requests_per_s"]), "native_p99_ms": native["p99_ms"],
  "native_ratio_to_half_openssl": round(native["requests_per_s"] / (signs / 2), 3),
  "native_all_succeeded": native["succeeded"] == native["requests"],
  "callbacks_per_s": round(callbacks["requests_per_s"]), "callback_p99_ms": callbacks["p99_ms"],
  "callbacks": callbacks["requests"], "callbacks_all_204": callbacks["succeeded"] == callbacks["requests"],
}, indent=2))
PY
