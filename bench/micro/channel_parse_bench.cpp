// Micro benchmarks of reading a channel notification once its signature checked out: WeChat Pay's callback
// (JSON, AES-256-GCM, JSON again) and Alipay's notify (form decoding). RSA verification is separate
// (BM_RsaVerify2048 in hot_path_bench.cpp).
#include <benchmark/benchmark.h>

#include "crypto/encoding.h"
#include "infra/channels/alipay/codec.h"
#include "infra/channels/wechatpay/codec.h"
#include "infra/channels/wechatpay/messages.h"

namespace paygate {
namespace {

constexpr std::string_view kApiV3Key = "0123456789abcdef0123456789abcdef";

std::string callback_body() {
  const wechatpay::Transaction paid{.appid = "wx8888888888888888",
                                    .mchid = "1900000001",
                                    .out_trade_no = "20261123010748277uSSyHeRLj2DC",
                                    .transaction_id = "4200000000202611230000012345",
                                    .trade_state = "SUCCESS",
                                    .trade_type = "NATIVE",
                                    .payer_openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                                    .total_fen = 990,
                                    .payer_total_fen = 990,
                                    .success_time = "2026-11-23T09:07:48+08:00"};
  wechatpay::Callback callback;
  callback.id = "EV-2018022511223320873";
  callback.create_time = "2026-11-23T09:07:48+08:00";
  callback.event_type = "TRANSACTION.SUCCESS";
  callback.summary = "支付成功";
  callback.resource =
      wechatpay::encrypt_resource(kApiV3Key, wechatpay::transaction_json(paid), "transaction", "transaction");
  return wechatpay::callback_json(callback);
}

void BM_WechatCallbackOpen(benchmark::State& state) {
  const std::string body = callback_body();
  for (auto _ : state) {
    auto callback = wechatpay::parse_callback(body);
    auto plaintext = wechatpay::decrypt_resource(kApiV3Key, callback->resource);
    benchmark::DoNotOptimize(wechatpay::parse_transaction(*plaintext));
  }
}
BENCHMARK(BM_WechatCallbackOpen);

void BM_AlipayNotifyDecode(benchmark::State& state) {
  const std::string body =
      alipay::form_encode({{"gmt_create", "2026-11-23 09:07:48"},
                           {"charset", "utf-8"},
                           {"seller_email", "sandbox@example.com"},
                           {"subject", "notify bench"},
                           {"sign", std::string(344, 'A')},
                           {"buyer_id", "2088102177846880"},
                           {"invoice_amount", "9.90"},
                           {"notify_id", "2026112300222090748277uSSyHeRLj2DC"},
                           {"fund_bill_list", R"([{"amount":"9.90","fundChannel":"ALIPAYACCOUNT"}])"},
                           {"notify_type", "trade_status_sync"},
                           {"trade_status", "TRADE_SUCCESS"},
                           {"receipt_amount", "9.90"},
                           {"app_id", "9021000000000001"},
                           {"buyer_pay_amount", "9.90"},
                           {"sign_type", "RSA2"},
                           {"seller_id", "2088102177649450"},
                           {"gmt_payment", "2026-11-23 09:07:48"},
                           {"notify_time", "2026-11-23 09:07:48"},
                           {"version", "1.0"},
                           {"out_trade_no", "20261123010748277uSSyHeRLj2DC"},
                           {"total_amount", "9.90"},
                           {"trade_no", "2026112322001446880500012345"},
                           {"auth_app_id", "9021000000000001"},
                           {"buyer_logon_id", "csq***@sandbox.com"},
                           {"point_amount", "0.00"}});
  for (auto _ : state) benchmark::DoNotOptimize(alipay::form_decode(body));
}
BENCHMARK(BM_AlipayNotifyDecode);

void BM_Base64DecodeSignature(benchmark::State& state) {
  const std::string signature = crypto::base64_encode(std::string(256, '\x5a'));
  for (auto _ : state) benchmark::DoNotOptimize(crypto::base64_decode(signature));
}
BENCHMARK(BM_Base64DecodeSignature);

}  // namespace
}  // namespace paygate
