#!/usr/bin/env bash
# Runs a command next to a throwaway Redis server (Debian's redis-server package): no persistence, on
# 127.0.0.1 only, in a temp dir removed afterwards. The command finds it in PAYGATE_TEST_REDIS_URL; a test
# that stops Redis (an outage test) starts it again with `redis-server $PAYGATE_TEST_REDIS_CONF`.
# Usage: tests/support/with_redis.sh COMMAND [ARGS...]
set -euo pipefail

server=$(command -v redis-server || true)
if [[ -z "$server" ]]; then
  echo "with_redis: no redis-server installed (scripts/deps.sh installs redis-server)" >&2
  exit 2
fi

dir=$(mktemp -d /tmp/paygate-redis.XXXXXX)
stop() {
  if [[ -f "$dir/redis.pid" ]]; then kill -9 "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap stop EXIT

# A free port: try random ones until the server answers on one.
for attempt in 1 2 3 4 5 6 7 8; do
  port=$((20000 + RANDOM % 40000))
  cat >"$dir/redis.conf" <<CONF
bind 127.0.0.1
port $port
dir $dir
pidfile $dir/redis.pid
logfile $dir/redis.log
daemonize yes
save ""
appendonly no
CONF
  rm -f "$dir/redis.pid"
  "$server" "$dir/redis.conf" || continue
  for _ in $(seq 1 100); do
    if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
      export PAYGATE_TEST_REDIS_URL="redis://127.0.0.1:$port"
      export PAYGATE_TEST_REDIS_CONF="$dir/redis.conf"
      export PAYGATE_TEST_REDIS_PID_FILE="$dir/redis.pid"
      "$@"
      exit $?
    fi
    sleep 0.05
  done
  [[ -f "$dir/redis.pid" ]] && kill -9 "$(cat "$dir/redis.pid")" 2>/dev/null || true
done
echo "with_redis: the server did not start; its log:" >&2
cat "$dir/redis.log" >&2 || true
exit 2
