// Fuzzes the merchant API's JSON body readers (create order, create refund): no crash or sanitizer report on
// any bytes, every refusal names a field or the body, and an accepted order body re-parses the same.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/order_json.h"
#include "api/refund_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto order = paygate::api::parse_create_order(body);
  if (!order.ok() && order.error().message.find(':') == std::string::npos) std::abort();
  if (order.ok()) {
    auto again = paygate::api::parse_create_order(body);
    if (!again.ok() || again->out_trade_no != order->out_trade_no ||
        again->amount_minor != order->amount_minor)
      std::abort();
  }
  auto refund = paygate::api::parse_create_refund(body);
  if (!refund.ok() && refund.error().message.find(':') == std::string::npos) std::abort();
  return 0;
}
