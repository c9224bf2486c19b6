#!/usr/bin/env bash
# Starts `paygate serve --sandbox` on free ports in a temp dir, creates a cashier-mode order as the demo
# merchant, and runs the headless-Chromium cashier test against it. Usage: run.sh PAYGATE_BINARY OUTPUT_DIR
set -euo pipefail
binary=$(realpath "$1")
output=$(realpath -m "$2")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if [[ ! -f node_modules/playwright-core/package.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
mkdir -p "$output"
source "$here/../start_sandboxed_gateway.sh"
created=$("$binary" api --data-dir "$dir" POST /api/v1/orders \
  '{"out_trade_no":"browser-1","amount":990,"subject":"咖啡 <b>not bold</b>"}' 2>/dev/null)
cashier_url=$(node -e 'const o=JSON.parse(process.argv[1]); process.stdout.write(o.data.cashier_url)' "$created")
page_order=$("$binary" api --data-dir "$dir" POST /api/v1/orders \
  '{"out_trade_no":"browser-2","amount":100,"subject":"page pay","channel":"alipay","method":"page"}' 2>/dev/null)
pay_url=$(node -e 'const o=JSON.parse(process.argv[1]); process.stdout.write(o.data.payment_url)' "$page_order")
page_cashier=$(node -e 'const o=JSON.parse(process.argv[1]); process.stdout.write(o.data.cashier_url)' "$page_order")
wechat_order=$("$binary" api --data-dir "$dir" POST /api/v1/orders \
  '{"out_trade_no":"browser-3","amount":500,"subject":"微信 cashier"}' 2>/dev/null)
wechat_cashier=$(node -e 'const o=JSON.parse(process.argv[1]); process.stdout.write(o.data.cashier_url)' "$wechat_order")
node cashier.test.js "$cashier_url" "$output/cashier-paid.png" "$pay_url" "$page_cashier" "$wechat_cashier"
