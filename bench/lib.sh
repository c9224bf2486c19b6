# Shared by the bench scripts (sourced): free ports, readiness waits, and the sandboxed gateway that the
# channel benchmarks load.

# Notifies and callbacks arrive from many channel servers at once: the intake benches use 256 connections.
notify_concurrency=${NOTIFY_CONCURRENCY:-256}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || shuf -i 20000-60000 -n 1; }
wait_for_http() { for _ in $(seq 1 2000); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.005; done; return 1; }

# Same-run ceiling for the channel benches: RSA-2048 signatures per second over both cores.
openssl_rsa2048_signs() { openssl speed -seconds 5 -multi 2 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $(NF-1)}'; }

# start_sandbox_gateway BINARY DIR: `paygate serve --sandbox` on a free port with its data in DIR, ready when
# it returns; sets gateway_pid and gateway_url. Active queries of pending orders are pushed past the run: the
# benches measure order creation and notify intake, not the in-process sandbox answering queries for the
# orders they prepared on the same two cores.
start_sandbox_gateway() {
  local binary=$1 dir=$2 port
  port=$(free_port)
  mkdir -p "$dir"
  printf '[channels]\nworkers = 32\n[orders]\nquery_first_ms = 600000\n' > "$dir/bench.toml"
  "$binary" serve --config "$dir/bench.toml" --data-dir "$dir/data" --listen "127.0.0.1:$port" \
    --sandbox --sandbox-listen 127.0.0.1:0 > "$dir/serve.log" 2>&1 &
  gateway_pid=$!
  gateway_url="http://127.0.0.1:$port"
  wait_for_http "$gateway_url/readyz"
}
