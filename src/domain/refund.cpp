#include "domain/refund.h"

#include <array>

#include "core/assert.h"

namespace paygate {
namespace {

constexpr std::array<std::string_view, 3> kNames = {"pending", "succeeded", "failed"};

}  // namespace

std::string_view to_string(RefundStatus status) {
  const auto index = static_cast<std::size_t>(status);
  PAYGATE_ASSERT(index < kNames.size());
  return kNames[index];
}

std::optional<RefundStatus> parse_refund_status(std::string_view text) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == text) return static_cast<RefundStatus>(i);
  }
  return std::nullopt;
}

}  // namespace paygate
