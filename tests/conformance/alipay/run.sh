#!/usr/bin/env bash
# Runs the official alipay-sdk (npm, pinned) against a fresh `paygate sandbox`. Usage: run.sh PAYGATE_BINARY
set -euo pipefail
binary=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if [[ ! -f node_modules/alipay-sdk/package.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
dir=$(mktemp -d /tmp/paygate-conformance-XXXXXX)
"$binary" sandbox --listen 127.0.0.1:0 --data-dir "$dir" --notify-retry-scale 0.001 >"$dir/sandbox.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
# Wait for the condition "the sandbox wrote its connection file", bounded.
for _ in $(seq 1 2000); do
  [[ -f "$dir/sandbox/alipay.json" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/sandbox.log"; exit 1; }
  sleep 0.01
done
[[ -f "$dir/sandbox/alipay.json" ]] || { echo "sandbox did not start"; cat "$dir/sandbox.log"; exit 1; }
node sdk_against_sandbox.js "$dir/sandbox/alipay.json"
