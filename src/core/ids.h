// Typed identifiers (an OrderId is not a MerchantId) and their syntax; new ones come from
// crypto/random_ids.h.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace paygate {

template <class Tag>
struct Id {
  std::string value;

  friend bool operator==(const Id&, const Id&) = default;
  friend auto operator<=>(const Id&, const Id&) = default;
};

using OrderId = Id<struct OrderIdTag>;
using MerchantId = Id<struct MerchantIdTag>;
using RefundId = Id<struct RefundIdTag>;

// Order ids: "yyyyMMddHHmmssSSS" (UTC) then random base62 (crypto/random_ids.h makes them); 32 characters, or
// 29 for ids made before the random part grew.
inline constexpr std::size_t kOrderIdLength = 32;
inline constexpr std::size_t kLegacyOrderIdLength = 29;

bool is_refund_id_syntax(std::string_view text);
bool is_order_id_syntax(std::string_view text);

}  // namespace paygate
