#include "domain/refund_rules.h"

#include "domain/ledger/posting_rules.h"
#include "domain/order_status.h"
#include "fmt/format.h"

namespace paygate {
namespace {

bool is_paid(OrderStatus status) {
  return status == OrderStatus::kSucceeded || status == OrderStatus::kPartiallyRefunded;
}

}  // namespace

Status check_refundable(const Order& order, const Refund& refund) {
  if (!is_paid(order.status)) {
    return make_error(ErrorCode::kOrderStatusInvalid,
                      fmt::format("order {} is {}; only a paid order can be refunded", order.order_id.value,
                                  to_string(order.status)));
  }
  if (refund.amount.currency != order.amount.currency) {
    return make_error(ErrorCode::kInvalidParameter, "currency: a refund is in its order's currency");
  }
  if (refund.amount.minor > order.refundable_minor()) {
    return make_error(
        ErrorCode::kRefundAmountExceeded,
        fmt::format("amount: {} exceeds the {} still refundable (paid {}, refunded {}, pending {})",
                    refund.amount.minor, order.refundable_minor(), order.amount.minor, order.refunded_minor,
                    order.refunding_minor));
  }
  return {};
}

Result<RefundSettlementDecision> decide_refund_settlement(const Order& order, const Refund& refund,
                                                          RefundStatus settled) {
  RefundSettlementDecision decision;
  decision.order_to = order.status;
  if (refund.status == settled) return decision;
  if (refund.status != RefundStatus::kPending) {
    // The channel contradicts a final status we recorded: never flip it silently.
    return make_error(ErrorCode::kOrderStatusInvalid,
                      fmt::format("refund {} is {}; the channel now says {}", refund.refund_id.value,
                                  to_string(refund.status), to_string(settled)));
  }
  const std::int64_t amount = refund.amount.minor;
  decision.changes = true;
  decision.refunding_delta = -amount;  // the reservation is released either way
  if (settled == RefundStatus::kFailed) {
    decision.outbox_type = "refund.failed";
    return decision;
  }
  const OrderEvent event = order.refunded_minor + amount == order.amount.minor ? OrderEvent::kRefundFull
                                                                               : OrderEvent::kRefundPartial;
  const Transition next = transition(order.status, event);
  if (next.kind == TransitionKind::kIllegal) {
    return make_error(ErrorCode::kOrderStatusInvalid,
                      fmt::format("order {} is {}; it cannot {}", order.order_id.value,
                                  to_string(order.status), to_string(event)));
  }
  decision.order_to = next.to;
  decision.refunded_delta = amount;
  decision.outbox_type = "refund.succeeded";
  return decision;
}

Result<ledger::TransferBatch> refund_postings(const Order& order, const Refund& refund,
                                              const RefundSettlementDecision& decision) {
  if (!decision.changes || decision.refunded_delta == 0) return ledger::TransferBatch{};
  auto batch = ledger::post_refund(
      ledger::RefundEvent{refund.refund_id.value,
                          ledger::PaymentEvent{order.order_id.value, order.merchant_id.value,
                                               order.channel_account_id, order.amount},
                          Money{order.refunded_minor, order.amount.currency}, refund.amount},
      order.fees);
  if (!batch.ok()) return make_error(ErrorCode::kLedgerInvariantViolated, batch.error().message);
  return batch;
}

}  // namespace paygate
