#include "domain/order_status.h"

#include <array>

#include "core/assert.h"

namespace paygate {
namespace {

constexpr std::size_t kStatusCount = 6;
constexpr std::size_t kEventCount = 5;

constexpr Transition move(OrderStatus to) { return {TransitionKind::kMove, to}; }
constexpr Transition noop(OrderStatus at) { return {TransitionKind::kNoop, at}; }
constexpr Transition illegal(OrderStatus at) { return {TransitionKind::kIllegal, at}; }

using S = OrderStatus;

// Rows: from-status in enum order. Columns: pay, close, fail, refund_partial, refund_full.
// A pay on a closed order is illegal here; late payments are recorded by their own use case, which never
// drops them (DESIGN §4).
constexpr std::array<std::array<Transition, kEventCount>, kStatusCount> kTable = {{
    // pending
    {move(S::kSucceeded), move(S::kClosed), move(S::kFailed), illegal(S::kPending), illegal(S::kPending)},
    // succeeded
    {noop(S::kSucceeded), illegal(S::kSucceeded), illegal(S::kSucceeded), move(S::kPartiallyRefunded),
     move(S::kRefunded)},
    // partially_refunded
    {noop(S::kPartiallyRefunded), illegal(S::kPartiallyRefunded), illegal(S::kPartiallyRefunded),
     noop(S::kPartiallyRefunded), move(S::kRefunded)},
    // refunded
    {noop(S::kRefunded), illegal(S::kRefunded), illegal(S::kRefunded), illegal(S::kRefunded),
     illegal(S::kRefunded)},
    // closed
    {illegal(S::kClosed), noop(S::kClosed), illegal(S::kClosed), illegal(S::kClosed), illegal(S::kClosed)},
    // failed
    {illegal(S::kFailed), illegal(S::kFailed), noop(S::kFailed), illegal(S::kFailed), illegal(S::kFailed)},
}};

constexpr std::array<std::string_view, kStatusCount> kStatusNames = {
    "pending", "succeeded", "partially_refunded", "refunded", "closed", "failed"};
constexpr std::array<std::string_view, kEventCount> kEventNames = {"pay", "close", "fail", "refund_partial",
                                                                   "refund_full"};

}  // namespace

std::string_view to_string(OrderStatus status) {
  const auto index = static_cast<std::size_t>(status);
  PAYGATE_ASSERT(index < kStatusCount);
  return kStatusNames[index];
}

std::optional<OrderStatus> parse_order_status(std::string_view text) {
  for (std::size_t i = 0; i < kStatusCount; ++i) {
    if (kStatusNames[i] == text) return static_cast<OrderStatus>(i);
  }
  return std::nullopt;
}

std::string_view to_string(OrderEvent event) {
  const auto index = static_cast<std::size_t>(event);
  PAYGATE_ASSERT(index < kEventCount);
  return kEventNames[index];
}

Transition transition(OrderStatus from, OrderEvent event) {
  const auto row = static_cast<std::size_t>(from);
  const auto column = static_cast<std::size_t>(event);
  PAYGATE_ASSERT(row < kStatusCount && column < kEventCount);
  return kTable[row][column];
}

bool is_final(OrderStatus status) {
  return status == OrderStatus::kRefunded || status == OrderStatus::kClosed || status == OrderStatus::kFailed;
}

}  // namespace paygate
