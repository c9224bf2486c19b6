// Micro benchmarks of the per-request hot path: signature check, ids, fingerprint, JSON in and out.
#include <benchmark/benchmark.h>

#include "api/order_json.h"
#include "app/merchant_signature.h"
#include "app/orders.h"
#include "core/ids.h"
#include "crypto/digest.h"
#include "crypto/random_ids.h"
#include "nlohmann/json.hpp"

namespace paygate {
namespace {

const std::string kBody =
    R"({"out_trade_no":"bench-abc-000000001234","amount":990,"subject":"bench order","notify_url":"http://127.0.0.1:9/hook"})";

void BM_HmacSha256(benchmark::State& state) {
  const std::string canonical =
      canonical_request("POST", "/api/v1/orders", "1700000000", "0123456789abcdef", kBody);
  for (auto _ : state)
    benchmark::DoNotOptimize(
        crypto::hmac_sha256("sk_0123456789012345678901234567890123456789012", canonical));
}
BENCHMARK(BM_HmacSha256);

void BM_Sha256(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(crypto::sha256(kBody));
}
BENCHMARK(BM_Sha256);

void BM_NewOrderId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(new_order_id(1'700'000'000'000));
}
BENCHMARK(BM_NewOrderId);

void BM_ParseCreateOrder(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(api::parse_create_order(kBody));
}
BENCHMARK(BM_ParseCreateOrder);

void BM_PreflightCreateOrder(benchmark::State& state) {
  const auto input = api::parse_create_order(kBody).value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        preflight_create_order(MerchantId{"mch_x"}, input, OrderConfig{}, 1'700'000'000'000));
  }
}
BENCHMARK(BM_PreflightCreateOrder);

void BM_OrderToJson(benchmark::State& state) {
  const auto input = api::parse_create_order(kBody).value();
  const Order order =
      preflight_create_order(MerchantId{"mch_x"}, input, OrderConfig{}, 1'700'000'000'000).value();
  for (auto _ : state) benchmark::DoNotOptimize(api::order_to_json(order, "http://127.0.0.1:8080").dump());
}
BENCHMARK(BM_OrderToJson);

void BM_OrderJsonText(benchmark::State& state) {
  const auto input = api::parse_create_order(kBody).value();
  const Order order =
      preflight_create_order(MerchantId{"mch_x"}, input, OrderConfig{}, 1'700'000'000'000).value();
  for (auto _ : state) benchmark::DoNotOptimize(api::order_json_text(order, "http://127.0.0.1:8080"));
}
BENCHMARK(BM_OrderJsonText);

}  // namespace
}  // namespace paygate

#include "crypto/rsa.h"

namespace paygate {
namespace {

void BM_RsaSign2048(benchmark::State& state) {
  static const auto key = crypto::RsaPrivateKey::generate(2048);
  for (auto _ : state) benchmark::DoNotOptimize(key.sign_sha256_base64(kBody));
}
BENCHMARK(BM_RsaSign2048);

void BM_RsaVerify2048(benchmark::State& state) {
  static const auto key = crypto::RsaPrivateKey::generate(2048);
  static const auto public_key = crypto::RsaPublicKey::from_pem(key.public_key_pem()).value();
  static const std::string signature = key.sign_sha256_base64(kBody);
  for (auto _ : state) benchmark::DoNotOptimize(public_key.verify_sha256_base64(kBody, signature));
}
BENCHMARK(BM_RsaVerify2048)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace paygate
