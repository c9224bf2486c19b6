#include "crypto/random_ids.h"

#include "core/time.h"
#include "crypto/random.h"

namespace paygate {
namespace {

constexpr std::size_t kEventIdRandomChars = 17;

std::string nonzero_hex(std::size_t count) {
  while (true) {
    std::string id = crypto::random_hex_chars(count);
    if (id.find_first_not_of('0') != std::string::npos) return id;
  }
}

}  // namespace

OrderId new_order_id(std::int64_t now_unix_ms) {
  std::string id = format_compact_utc_ms(now_unix_ms);
  id += crypto::random_base62(kOrderIdLength - id.size());
  return OrderId{std::move(id)};
}

RefundId new_refund_id(std::int64_t now_unix_ms) { return RefundId{"R" + new_order_id(now_unix_ms).value}; }

MerchantId new_merchant_id() { return MerchantId{"mch_" + crypto::random_base62(16)}; }

std::string new_merchant_secret() { return "sk_" + crypto::random_base62(43); }

std::string new_webhook_secret() { return "whsec_" + crypto::random_base62(43); }

std::string new_request_id() { return crypto::random_hex_chars(32); }

std::string new_event_id(std::int64_t now_unix_ms) {
  return "evt_" + format_compact_utc_ms(now_unix_ms) + crypto::random_base62(kEventIdRandomChars);
}

std::string new_trace_id() { return nonzero_hex(32); }
std::string new_span_id() { return nonzero_hex(16); }

}  // namespace paygate
