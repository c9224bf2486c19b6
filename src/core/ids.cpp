#include "core/ids.h"

#include <algorithm>

#include "core/time.h"
#include "crypto/random.h"

namespace paygate {

OrderId new_order_id(std::int64_t now_unix_ms) {
  std::string id = format_compact_utc_ms(now_unix_ms);
  id += crypto::random_base62(kOrderIdLength - id.size());
  return OrderId{std::move(id)};
}

MerchantId new_merchant_id() { return MerchantId{"mch_" + crypto::random_base62(16)}; }

std::string new_merchant_secret() { return "sk_" + crypto::random_base62(43); }

std::string new_request_id() { return crypto::random_hex(12); }

bool is_order_id_syntax(std::string_view text) {
  return text.size() == kOrderIdLength && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
         });
}

}  // namespace paygate
