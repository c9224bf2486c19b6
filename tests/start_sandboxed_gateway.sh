# Sourced by the npm-driven test scripts: starts `paygate serve --sandbox` on free loopback ports in a fresh
# temp dir and waits (bounded) until the gateway and its sandbox are up. Sets $dir and $pid; cleans up on exit.
# Needs $binary.
dir=$(mktemp -d)
PAYGATE_LEDGER_VERIFY_EACH_COMMAND=1 "$binary" serve --data-dir "$dir" --listen 127.0.0.1:0 --sandbox --sandbox-listen 127.0.0.1:0 \
  --sandbox-notify-retry-scale 0.001 >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 2000); do
  [[ -f "$dir/paygate.addr" && -f "$dir/sandbox/alipay.json" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/serve.log"; exit 1; }
  sleep 0.01
done
[[ -f "$dir/paygate.addr" ]] || { echo "paygate did not start"; cat "$dir/serve.log"; exit 1; }
