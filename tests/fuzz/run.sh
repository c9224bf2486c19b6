#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each briefly from its seed corpus.
# Usage: tests/fuzz/run.sh BUILD_DIR [seconds_per_target]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$1/fuzz"
seconds=${2:-8}
mkdir -p "$out"
cxx=clang++-14
launcher=$(command -v ccache || true)
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$root/src")
sources=("$root"/src/infra/channels/alipay/{codec,notify}.cpp "$root"/src/infra/channels/wechatpay/{codec,messages,bill_file}.cpp
         "$root"/src/core/{text,money,time,error,assert}.cpp "$root"/src/crypto/{rsa,encoding,aead,random}.cpp)
for target in form_decode response_split notify_parse wechatpay_authorization wechatpay_callback wechatpay_bill; do
  $launcher $cxx "${flags[@]}" "$root/tests/fuzz/${target}_fuzz.cpp" "${sources[@]}" -lssl -lcrypto -lfmt \
    -o "$out/$target"
  corpus="$out/corpus-$target"
  mkdir -p "$corpus"
  cp -n "$root/tests/fuzz/corpus/$target/"* "$corpus/" 2>/dev/null || true
  "$out/$target" -max_total_time="$seconds" -print_final_stats=0 -artifact_prefix="$out/$target-" "$corpus" 2>"$out/$target.log" || {
    tail -40 "$out/$target.log"
    exit 1
  }
  echo "fuzz $target: $(grep -o 'Done [0-9]* runs' "$out/$target.log" | tail -1)"
done
