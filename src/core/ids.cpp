#include "core/ids.h"

#include <algorithm>

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

bool is_alphanumeric(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

}  // namespace

OrderId new_order_id(std::int64_t now_unix_ms) {
  std::string id = format_compact_utc_ms(now_unix_ms);
  id += crypto::random_base62(kOrderIdLength - id.size());
  return OrderId{std::move(id)};
}

RefundId new_refund_id(std::int64_t now_unix_ms) { return RefundId{"R" + new_order_id(now_unix_ms).value}; }

bool is_refund_id_syntax(std::string_view text) {
  return !text.empty() && text.front() == 'R' && is_order_id_syntax(text.substr(1));
}

MerchantId new_merchant_id() { return MerchantId{"mch_" + crypto::random_base62(16)}; }

std::string new_merchant_secret() { return "sk_" + crypto::random_base62(43); }

std::string new_webhook_secret() { return "whsec_" + crypto::random_base62(43); }

std::string new_request_id() { return crypto::random_hex_chars(32); }
std::string new_event_id(std::int64_t now_unix_ms) {
  return "evt_" + format_compact_utc_ms(now_unix_ms) + crypto::random_base62(kEventIdRandomChars);
}
std::string new_trace_id() { return nonzero_hex(32); }
std::string new_span_id() { return nonzero_hex(16); }

bool is_order_id_syntax(std::string_view text) {
  return (text.size() == kOrderIdLength || text.size() == kLegacyOrderIdLength) && is_alphanumeric(text);
}

}  // namespace paygate
