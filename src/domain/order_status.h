// The order state machine (DESIGN §4): statuses, the events that move them, and the one transition table.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace paygate {

enum class OrderStatus : std::uint8_t {
  kPending,
  kSucceeded,
  kPartiallyRefunded,
  kRefunded,
  kClosed,
  kFailed
};

enum class OrderEvent : std::uint8_t {
  kPay,            // the channel reports the payment succeeded
  kClose,          // the merchant closes, or the order expires
  kFail,           // the channel reports a definitive failure
  kRefundPartial,  // a refund succeeded and some of the paid amount remains
  kRefundFull,     // a refund succeeded and nothing of the paid amount remains
};

std::string_view to_string(OrderStatus status);
std::optional<OrderStatus> parse_order_status(std::string_view text);
std::string_view to_string(OrderEvent event);

// What applying an event to a status does.
enum class TransitionKind : std::uint8_t {
  kMove,     // the order moves to `to`
  kNoop,     // already there: a duplicate notify or a repeated close; nothing changes and that is success
  kIllegal,  // the status forbids the event (e.g. closing a paid order)
};

struct Transition {
  TransitionKind kind;
  OrderStatus to;
};

// Pure and total: every (status, event) pair has exactly one entry. Stores apply a kMove with compare-and-set
// on (status, version), so two racing events can never both move the same order.
Transition transition(OrderStatus from, OrderEvent event);

bool is_final(OrderStatus status);

}  // namespace paygate
