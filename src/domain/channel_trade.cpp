#include "domain/channel_trade.h"

#include "domain/ledger/posting_rules.h"
#include "fmt/format.h"

namespace paygate {

Status check_trade_account(const Order& order, std::string_view channel_account_id) {
  if (order.channel_account_id != channel_account_id)
    return make_error(ErrorCode::kInvalidParameter, "the order belongs to another channel account");
  return {};
}

Result<TradeDecision> decide_trade(const Order& order, ChannelTradeStatus status,
                                   std::int64_t paid_amount_minor) {
  TradeDecision decision;
  switch (status) {
    case ChannelTradeStatus::kWaiting:
    case ChannelTradeStatus::kNotFound:
      return decision;
    case ChannelTradeStatus::kClosed:
      // Alipay also reports TRADE_CLOSED after a full refund: for a paid order that is not a close.
      if (order.status != OrderStatus::kPending) return decision;
      decision.event = OrderEvent::kClose;
      break;
    case ChannelTradeStatus::kPaid:
      if (paid_amount_minor != order.amount.minor) {
        return make_error(ErrorCode::kInvalidParameter,
                          fmt::format("paid amount {} does not match order amount {}", paid_amount_minor,
                                      order.amount.minor));
      }
      decision.event = OrderEvent::kPay;
      decision.late_payment = order.status == OrderStatus::kClosed;
      break;
  }
  const Transition next = decision.late_payment ? Transition{TransitionKind::kMove, OrderStatus::kSucceeded}
                                                : transition(order.status, decision.event);
  if (next.kind == TransitionKind::kNoop) return decision;
  if (next.kind == TransitionKind::kIllegal) {
    return make_error(ErrorCode::kOrderStatusInvalid,
                      fmt::format("order {} is {}; the channel says {}", order.order_id.value,
                                  to_string(order.status), to_string(decision.event)));
  }
  decision.moves = true;
  decision.to = next.to;
  decision.outbox_type = decision.late_payment ? "order.late_payment"
                         : decision.paying()   ? "order.succeeded"
                                               : "order.closed";
  return decision;
}

Result<ledger::TransferBatch> trade_postings(const Order& order, const TradeDecision& decision,
                                             const ledger::FeeSchedule& fees) {
  if (!decision.moves || !decision.paying()) return ledger::TransferBatch{};
  // The money arrived: the channel owes it to us and we owe it (less our fee) to the merchant.
  const ledger::PaymentEvent payment{order.order_id.value, order.merchant_id.value, order.channel_account_id,
                                     order.amount};
  return decision.late_payment ? ledger::post_late_payment(payment, fees)
                               : ledger::post_payment(payment, fees);
}

}  // namespace paygate
