#include "domain/event_delivery.h"

#include <array>

#include "core/assert.h"

namespace paygate {
namespace {

constexpr std::array<std::string_view, 4> kNames = {"pending", "delivered", "dead", "no_endpoint"};

}  // namespace

std::string_view to_string(DeliveryStatus status) {
  const auto index = static_cast<std::size_t>(status);
  PAYGATE_ASSERT(index < kNames.size());
  return kNames[index];
}

std::optional<DeliveryStatus> parse_delivery_status(std::string_view text) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == text) return static_cast<DeliveryStatus>(i);
  }
  return std::nullopt;
}

}  // namespace paygate
