#!/usr/bin/env bash
# Runs the official alipay-sdk (npm, pinned) against `paygate serve --sandbox`: the SDK calls the sandbox and
# checks its notifies, and the SDK's signing rule checks a request our adapter signed. Usage: run.sh BINARY
set -euo pipefail
binary=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if [[ ! -f node_modules/alipay-sdk/package.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
source "$here/../../start_sandboxed_gateway.sh"
node sdk_against_sandbox.js "$dir/sandbox/alipay.json"
order=$("$binary" api --data-dir "$dir" POST /api/v1/orders \
  '{"out_trade_no":"sdk-rule-1","amount":100,"subject":"签名 check","channel":"alipay","method":"page"}' 2>/dev/null)
pay_url=$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).data.payment_url)' "$order")
node verify_our_requests.js "$dir/sandbox/alipay.json" "$pay_url"
