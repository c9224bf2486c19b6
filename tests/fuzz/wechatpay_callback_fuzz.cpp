// Fuzzes WeChat Pay callback intake after the signature check: the callback envelope, its resource, and the
// transaction and refund bodies never crash the parsers, and what they accept has non-negative amounts and
// the ids it needs.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "infra/channels/wechatpay/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paygate::wechatpay;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto callback = parse_callback(input); callback.ok()) {
    if (callback->id.empty() || callback->resource.ciphertext.empty() || callback->resource.nonce.empty())
      std::abort();
    (void)decrypt_resource("0123456789abcdef0123456789abcdef", callback->resource);
  }
  if (auto transaction = parse_transaction(input); transaction.ok()) {
    if (transaction->total_fen < 0 || transaction->out_trade_no.empty() || transaction->mchid.empty())
      std::abort();
  }
  if (auto refund = parse_refund(input); refund.ok()) {
    if (refund->refund_fen < 0 || refund->total_fen < 0 || refund->out_refund_no.empty()) std::abort();
  }
  (void)parse_certificates(input);
  return 0;
}
