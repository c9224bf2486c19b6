#!/usr/bin/env bash
# Runs wechatpay-axios-plugin (npm, pinned) against `paygate serve --sandbox`: the SDK calls the WeChat Pay
# sandbox and checks its callbacks, its `wxpay crt` downloads the platform certificates, and callbacks built
# with its helpers go to our notify endpoint. Usage: run.sh BINARY
set -euo pipefail
binary=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if [[ ! -f node_modules/wechatpay-axios-plugin/package.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
source "$here/../../start_sandboxed_gateway.sh"
config="$dir/sandbox/wechatpay.json"
node sdk_against_sandbox.js "$config"
node callbacks_against_gateway.js "$binary" "$dir"

# The SDK's certificate downloader decrypts and verifies /v3/certificates; what it saves must be exactly the
# certificates the sandbox describes.
field() { node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1]))[process.argv[2]]))' "$config" "$1"; }
node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1])).merchant_private_key)' "$config" >"$dir/merchant_key.pem"
mkdir -p "$dir/crt"
node node_modules/wechatpay-axios-plugin/bin/cli.js crt -m "$(field mchid)" -s "$(field merchant_serial)" \
  -f "$dir/merchant_key.pem" -k "$(field apiv3_key)" -o "$dir/crt" -u "$(field base_url)/" >"$dir/crt.log" 2>&1
node -e '
const fs = require("fs");
const config = JSON.parse(fs.readFileSync(process.argv[1]));
const serials = Object.keys(config.platform_certificates);
if (serials.length === 0) throw new Error("no platform certificates described");
for (const serial of serials) {
  const path = `${process.argv[2]}/wechatpay_${serial}.pem`;
  if (!fs.existsSync(path)) { console.error(fs.readFileSync(process.argv[3], "utf8").slice(0, 2000)); throw new Error(`wxpay crt did not save ${serial}`); }
  if (fs.readFileSync(path, "utf8") !== config.platform_certificates[serial]) throw new Error(`wxpay crt saved another ${serial}`);
}
console.log(`wxpay crt: downloaded and verified ${serials.length} platform certificate(s)`);
' "$config" "$dir/crt" "$dir/crt.log"
