// The rules of a refund against its order (DESIGN §4), decided without the store: which orders may be
// refunded and by how much (pending and succeeded refunds never pass the paid amount), and what the
// channel's final word does to the refund, the order and the books. A store adapter persists what these
// decide, with compare-and-set on the versions.
#pragma once

#include <string_view>

#include "core/result.h"
#include "domain/ledger/transfer.h"
#include "domain/order.h"
#include "domain/refund.h"

namespace paygate {

// ORDER_STATUS_INVALID for an unpaid order, INVALID_PARAMETER for another currency, REFUND_AMOUNT_EXCEEDED
// past what is still refundable (the message gives the amounts).
Status check_refundable(const Order& order, const Refund& refund);

struct RefundSettlementDecision {
  bool changes = false;                            // false: the refund is already in that status
  OrderStatus order_to = OrderStatus::kSucceeded;  // the order's status afterwards
  std::int64_t refunded_delta = 0;                 // added to the order's refunded amount
  std::int64_t refunding_delta = 0;  // added to its reserved amount (negative: the reservation released)
  std::string_view outbox_type;      // "refund.succeeded" | "refund.failed"
};

// settled: kSucceeded or kFailed. A final status contradicted by the channel is refused (never flipped).
Result<RefundSettlementDecision> decide_refund_settlement(const Order& order, const Refund& refund,
                                                          RefundStatus settled);

// A success posts the refund's reversal of the payment and, cumulatively and proportionally, of both fees;
// a failure posts nothing.
Result<ledger::TransferBatch> refund_postings(const Order& order, const Refund& refund,
                                              const RefundSettlementDecision& decision);

}  // namespace paygate
