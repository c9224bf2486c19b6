#!/usr/bin/env bash
# Installs the Debian packages paygate needs, and only those missing. Idempotent: with everything present
# it never calls apt. Usage: scripts/deps.sh [build|bench]   (bench adds the load-test baseline tools).
set -euo pipefail

build_packages=(
  g++ cmake ninja-build ccache pkg-config make
  libboost-dev libssl-dev libsqlite3-dev sqlite3
  nlohmann-json3-dev libsimdjson-dev libfmt-dev libtomlplusplus-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev liburiparser-dev
  clang-14 libclang-rt-14-dev libqrencode-dev libzip-dev zlib1g-dev openssl ca-certificates
  chromium ledger hledger
  libpq-dev postgresql postgresql-15-auto-failover libhiredis-dev redis-server
)
bench_packages=(nginx-light wrk curl python3 postgresql-contrib)

wanted=("${build_packages[@]}")
if [[ "${1:-build}" == "bench" ]]; then wanted+=("${bench_packages[@]}"); fi

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

# Node.js and npm run the official channel SDKs in the conformance tests. Any install that provides the
# commands will do (Debian's nodejs/npm packages, or a NodeSource nodejs that bundles npm).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} == 0)); then exit 0; fi

echo "deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
