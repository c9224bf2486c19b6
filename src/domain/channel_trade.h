// What a channel's authenticated word on a trade does to an order (DESIGN §4), decided without the store: a
// store adapter records the notify (unique per channel and notify id), applies the postings and the
// transition computed here with compare-and-set, and writes the outbox event named here.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "domain/channel.h"
#include "domain/ledger/fee_schedule.h"
#include "domain/ledger/transfer.h"
#include "domain/order.h"
#include "domain/order_status.h"

namespace paygate {

// The report concerns this order only if it came through the order's own channel account; anything else is
// refused before the notify is recorded.
Status check_trade_account(const Order& order, std::string_view channel_account_id);

struct TradeDecision {
  bool moves = false;  // false: the report changes nothing (still waiting, unknown there, a repeat)
  OrderEvent event = OrderEvent::kPay;
  OrderStatus to = OrderStatus::kPending;
  // A payment for an order we had closed: recorded (succeeded, flagged, its own event and postings), never
  // refused, never lost.
  bool late_payment = false;
  std::string_view outbox_type;  // "order.succeeded" | "order.late_payment" | "order.closed"
  bool paying() const { return event == OrderEvent::kPay; }
};

// INVALID_PARAMETER for a paid amount other than the order's (a valid signature over the wrong amount);
// ORDER_STATUS_INVALID for a report the order's status forbids.
Result<TradeDecision> decide_trade(const Order& order, ChannelTradeStatus status,
                                   std::int64_t paid_amount_minor);

// The transfers a moving decision posts (none for a close): the payment, or the late payment, at the fees in
// force now, which the order then keeps.
Result<ledger::TransferBatch> trade_postings(const Order& order, const TradeDecision& decision,
                                             const ledger::FeeSchedule& fees);

}  // namespace paygate
