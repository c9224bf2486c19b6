#!/usr/bin/env bash
# Runs a command next to a highly available PostgreSQL managed by pg_auto_failover (Debian
# postgresql-15-auto-failover): a monitor and two data nodes, a primary with a synchronous standby, all on
# 127.0.0.1 in a temp dir, removed afterwards. The command finds:
#   PAYGATE_TEST_HA_URL    the multi-host URL paygate uses (target_session_attrs=read-write)
#   PAYGATE_TEST_HA_NODES  "HOST:PORT=PGDATA ..." of the two data nodes (a test kills the primary's)
# The monitor's health checks are tightened so a failover takes seconds, not the defaults' ~30 s.
# Usage: tests/support/with_pg_auto_failover.sh COMMAND [ARGS...]
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if ! command -v pg_autoctl >/dev/null 2>&1 || [[ -z "$bindir" ]]; then
  echo "with_pg_auto_failover: pg_autoctl is not installed (scripts/deps.sh installs postgresql-15-auto-failover)" >&2
  exit 2
fi

dir=$(mktemp -d /tmp/paygate-ha.XXXXXX)
mkdir -p "$dir/run" && chmod 700 "$dir/run"
# PostgreSQL refuses to run as root: then everything belongs to the postgres user the package created.
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  chown -R postgres: "$dir"
  as_owner=(runuser -u postgres --)
fi
# pg_autoctl keeps its state under XDG dirs: these keep it inside the temp dir.
autoctl() {
  "${as_owner[@]}" env HOME="$dir" XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/share" \
    XDG_RUNTIME_DIR="$dir/run" PG_CONFIG="$bindir/pg_config" PATH="$bindir:$PATH" pg_autoctl "$@"
}
# Every process of the cluster: the keepers (their command lines name the temp dir) and everything they
# forked, whose titles do not ("pg_autoctl: start/stop postgres", postgres backends). Looked up before any
# is killed, since an orphan's parent becomes init.
cluster_pids() {
  local queue all pid
  queue=$(pgrep -f -- "$dir/" || true)
  all=""
  while [[ -n "${queue// /}" ]]; do
    set -- $queue
    pid=$1
    shift
    queue="$* $(pgrep -P "$pid" || true)"
    all="$all $pid"
  done
  echo "$all"
}
stop() {
  local pids
  pids=$(cluster_pids)
  [[ -n "${pids// /}" ]] && kill -9 $pids 2>/dev/null || true
  for _ in $(seq 1 100); do
    [[ -z "$(cluster_pids | tr -d ' ')" ]] && break
    sleep 0.05
  done
  rm -rf "$dir"
}
trap stop EXIT

# Three free ports below the kernel's ephemeral range (32768+), where no client connection can hold them.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }  # nothing answers a connect there
for _ in $(seq 1 50); do
  base=$((20000 + RANDOM % 12000))
  port_free "$base" && port_free $((base + 1)) && port_free $((base + 2)) && break
done
monitor_port=$base
monitor_url="postgres://autoctl_node@127.0.0.1:$monitor_port/pg_auto_failover?sslmode=disable"
fail() {
  echo "with_pg_auto_failover: $1; logs:" >&2
  tail -n 30 "$dir"/*.log >&2 || true
  exit 2
}

autoctl create monitor --pgdata "$dir/monitor" --pgport "$monitor_port" --hostname 127.0.0.1 --auth trust \
  --no-ssl >"$dir/create-monitor.log" 2>&1 || fail "the monitor was not created"
autoctl config set --pgdata "$dir/monitor" postgresql.listen_addresses 127.0.0.1 >/dev/null
autoctl run --pgdata "$dir/monitor" >"$dir/monitor.log" 2>&1 &
for _ in $(seq 1 600); do
  "$bindir/pg_isready" -q -h 127.0.0.1 -p "$monitor_port" && break
  sleep 0.05
done
psql -q "postgresql://postgres@127.0.0.1:$monitor_port/pg_auto_failover" \
  -c "ALTER SYSTEM SET pgautofailover.health_check_period = 1000" \
  -c "ALTER SYSTEM SET pgautofailover.health_check_timeout = 1000" \
  -c "ALTER SYSTEM SET pgautofailover.health_check_max_retries = 1" \
  -c "ALTER SYSTEM SET pgautofailover.health_check_retry_delay = 500" \
  -c "ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 2000" \
  -c "ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 3000" \
  -c "SELECT pg_reload_conf()" >/dev/null || fail "the monitor did not take its settings"

nodes=""
hosts=""
for n in 1 2; do
  port=$((base + n))
  autoctl create postgres --pgdata "$dir/node$n" --pgport "$port" --hostname 127.0.0.1 --listen 127.0.0.1 \
    --name "node$n" --dbname paygate --auth trust --no-ssl --monitor "$monitor_url" \
    >"$dir/create-node$n.log" 2>&1 || fail "data node $n was not created"
  autoctl run --pgdata "$dir/node$n" >"$dir/node$n.log" 2>&1 &
  nodes="$nodes 127.0.0.1:$port=$dir/node$n"
  hosts="$hosts${hosts:+,}127.0.0.1:$port"
  # Waits for the condition "the monitor sees the node in its target state" before adding the next.
  want=$([[ $n -eq 1 ]] && echo "single" || echo "secondary")
  for _ in $(seq 1 600); do
    state=$(psql -tAq "postgresql://postgres@127.0.0.1:$monitor_port/pg_auto_failover" \
      -c "SELECT reportedstate FROM pgautofailover.node WHERE nodename = 'node$n'" 2>/dev/null || true)
    [[ "$state" == "$want" ]] && break
    sleep 0.1
  done
  [[ "$state" == "$want" ]] || fail "node$n is '$state', not $want"
done

export PAYGATE_TEST_HA_URL="postgresql://postgres@$hosts/paygate?target_session_attrs=read-write"
export PAYGATE_TEST_HA_NODES="${nodes# }"
"$@"
