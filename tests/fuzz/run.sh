#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each briefly from its seed corpus. The
# sources they share are compiled once (instrumented, no fuzzer main) and linked into every target.
# Usage: tests/fuzz/run.sh BUILD_DIR [seconds_per_target]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$1/fuzz"
seconds=${2:-8}
mkdir -p "$out/obj"
cxx=clang++-14
launcher=$(command -v ccache || true)
sanitizers=address,undefined
flags=(-std=c++20 -O1 -g -fno-sanitize-recover=undefined -I"$root/src")
sources=("$root"/src/infra/channels/alipay/{codec,notify,bill_file}.cpp "$root"/src/infra/channels/wechatpay/{codec,messages,callback_reader,bill_file}.cpp
         "$root"/src/api/{order_json,refund_json}.cpp "$root"/src/app/merchant_signature.cpp
         "$root"/src/domain/{channel,order_status,refund}.cpp "$root"/src/domain/ledger/transfer.cpp
         "$root"/src/core/{text,money,time,error,assert,log}.cpp "$root"/src/crypto/{rsa,encoding,aead,random,digest,algorithms}.cpp)
objects=()
pids=()
for source in "${sources[@]}"; do
  object="$out/obj/$(echo "${source#"$root"/src/}" | tr / _).o"
  objects+=("$object")
  $launcher $cxx "${flags[@]}" -fsanitize=fuzzer-no-link,$sanitizers -c "$source" -o "$object" &
  pids+=($!)
  if (( ${#pids[@]} >= $(nproc) )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
for target in form_decode response_split notify_parse wechatpay_authorization wechatpay_callback wechatpay_bill \
              merchant_json merchant_authorization alipay_bill; do
  $launcher $cxx "${flags[@]}" -fsanitize=fuzzer,$sanitizers "$root/tests/fuzz/${target}_fuzz.cpp" "${objects[@]}" \
    -lssl -lcrypto -lfmt -lsimdjson -lzip -o "$out/$target"
  corpus="$out/corpus-$target"
  mkdir -p "$corpus"
  cp -n "$root/tests/fuzz/corpus/$target/"* "$corpus/" 2>/dev/null || true
  "$out/$target" -max_total_time="$seconds" -print_final_stats=0 -artifact_prefix="$out/$target-" "$corpus" 2>"$out/$target.log" || {
    tail -40 "$out/$target.log"
    exit 1
  }
  echo "fuzz $target: $(grep -o 'Done [0-9]* runs' "$out/$target.log" | tail -1)"
done
