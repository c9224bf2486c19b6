#!/usr/bin/env bash
# Replay protection at full speed for longer than the timestamp window (issue 14): `paygate bench
# create-orders` in back-to-back rounds against one gateway, so every nonce of the first rounds is still
# remembered when the window's worth of traffic has arrived. Reports per round the answers by status, the
# rate, and the gateway's RSS; any 429 within the merchant's share is a failure.
# Usage: bench/replay_soak.sh [rounds] [round_s] [concurrency]   (default 14 × 30 s: 420 s > 300 s window + one bucket)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-14}
round_s=${2:-30}
concurrency=${3:-64}
binary=build/paygate
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
. bench/lib.sh

port=$(free_port)
# The load generator's orders name a webhook endpoint on loopback (a closed port: deliveries fail fast).
printf '[webhooks]\nallowed_networks = ["127.0.0.1/32"]\n' > "$work/bench.toml"
PAYGATE_DEMO_ENABLED=1 "$binary" serve --config "$work/bench.toml" --data-dir "$work/data" --listen "127.0.0.1:$port" \
  > "$work/serve.log" 2>&1 &
pid=$!
wait_for_http "http://127.0.0.1:$port/readyz"
printf '{"idle_rss_kb": %s}\n' "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")"
for round in $(seq 1 "$rounds"); do
  "$binary" bench create-orders --data-dir "$work/data" --target "http://127.0.0.1:$port" \
    --concurrency "$concurrency" --duration "$round_s" > "$work/round.json" || true  # judged below
  metrics=$(curl -s "http://127.0.0.1:$port/metrics")
  nonces=$(echo "$metrics" | awk '/^paygate_auth_nonces / {print $2}')
  table_bytes=$(echo "$metrics" | awk '/^paygate_auth_nonce_table_bytes / {print $2}')
  python3 - "$work/round.json" "$round" "$round_s" "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")" \
    "$nonces" "$table_bytes" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(json.dumps({"round": int(sys.argv[2]), "elapsed_s": int(sys.argv[2]) * int(sys.argv[3]),
                  "creates_per_s": round(r["requests_per_s"]), "statuses": r["statuses"],
                  "gateway_rss_kb": int(sys.argv[4]), "nonces": int(sys.argv[5]),
                  "nonce_table_mib": round(int(sys.argv[6]) / 2**20, 1)}))
PY
done
kill -TERM $pid; wait $pid
