// Proves the refund rules without a store: only paid orders in their own currency and within what is still
// refundable (reservations included) take a refund; a success moves the order to partially refunded or
// refunded and posts a balanced reversal; a failure only releases the reservation; a final status the
// channel contradicts is refused, and a repeat changes nothing.
#include <gtest/gtest.h>

#include <algorithm>

#include "domain/refund_rules.h"

namespace paygate {
namespace {

Order paid_order(std::int64_t refunded, std::int64_t refunding) {
  Order order;
  order.order_id = OrderId{"20261202000000000AAAAAAAAAAAAAAA"};
  order.merchant_id = MerchantId{"mch_1"};
  order.channel_account_id = "alipay-main";
  order.amount = Money{1000, Currency::kCny};
  order.status = refunded > 0 ? OrderStatus::kPartiallyRefunded : OrderStatus::kSucceeded;
  order.refunded_minor = refunded;
  order.refunding_minor = refunding;
  order.fees = ledger::FeeSchedule{60, 60, ledger::Rounding::kHalfUp, true};
  return order;
}

Refund refund_of(std::int64_t amount, RefundStatus status = RefundStatus::kPending) {
  Refund refund;
  refund.refund_id = RefundId{"R20261202000000000AAAAAAAAAAAAAAA"};
  refund.amount = Money{amount, Currency::kCny};
  refund.status = status;
  return refund;
}

TEST(RefundRules, OnlyWhatIsStillRefundableCanBeReserved) {
  EXPECT_TRUE(check_refundable(paid_order(0, 0), refund_of(1000)).ok());
  auto exceeded = check_refundable(paid_order(300, 200), refund_of(501));
  ASSERT_FALSE(exceeded.ok());
  EXPECT_EQ(exceeded.error().code, ErrorCode::kRefundAmountExceeded) << "pending refunds count";
  EXPECT_TRUE(check_refundable(paid_order(300, 200), refund_of(500)).ok());
  Order pending = paid_order(0, 0);
  pending.status = OrderStatus::kPending;
  EXPECT_EQ(check_refundable(pending, refund_of(1)).error().code, ErrorCode::kOrderStatusInvalid);
}

TEST(RefundRules, SuccessMovesTheOrderAndPostsABalancedReversal) {
  auto partial = decide_refund_settlement(paid_order(0, 400), refund_of(400), RefundStatus::kSucceeded);
  ASSERT_TRUE(partial.ok());
  EXPECT_TRUE(partial->changes);
  EXPECT_EQ(partial->order_to, OrderStatus::kPartiallyRefunded);
  EXPECT_EQ(partial->refunded_delta, 400);
  EXPECT_EQ(partial->refunding_delta, -400);
  EXPECT_EQ(partial->outbox_type, "refund.succeeded");
  auto batch = refund_postings(paid_order(0, 400), refund_of(400), *partial);
  ASSERT_TRUE(batch.ok());
  ASSERT_FALSE(batch->empty());
  // The refunded amount goes back from what we owe the merchant to what the channel owes us.
  const auto reversal = std::find_if(batch->begin(), batch->end(), [](const ledger::Transfer& transfer) {
    return transfer.code == ledger::TransferCode::kRefund;
  });
  ASSERT_NE(reversal, batch->end());
  EXPECT_EQ(reversal->amount.minor, 400);
  EXPECT_EQ(reversal->debit_account, ledger::merchant_payable("mch_1"));
  EXPECT_EQ(reversal->credit_account, ledger::channel_receivable("alipay-main"));
  auto full = decide_refund_settlement(paid_order(400, 600), refund_of(600), RefundStatus::kSucceeded);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->order_to, OrderStatus::kRefunded);
}

TEST(RefundRules, FailureReleasesTheReservationOnly) {
  auto failed = decide_refund_settlement(paid_order(0, 400), refund_of(400), RefundStatus::kFailed);
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed->changes);
  EXPECT_EQ(failed->order_to, OrderStatus::kSucceeded);
  EXPECT_EQ(failed->refunded_delta, 0);
  EXPECT_EQ(failed->refunding_delta, -400);
  EXPECT_EQ(failed->outbox_type, "refund.failed");
  EXPECT_TRUE(refund_postings(paid_order(0, 400), refund_of(400), *failed)->empty());
}

TEST(RefundRules, ARepeatChangesNothingAndAContradictionIsRefused) {
  auto repeat = decide_refund_settlement(paid_order(400, 0), refund_of(400, RefundStatus::kSucceeded),
                                         RefundStatus::kSucceeded);
  ASSERT_TRUE(repeat.ok());
  EXPECT_FALSE(repeat->changes);
  auto contradiction = decide_refund_settlement(paid_order(0, 0), refund_of(400, RefundStatus::kFailed),
                                                RefundStatus::kSucceeded);
  ASSERT_FALSE(contradiction.ok());
  EXPECT_EQ(contradiction.error().code, ErrorCode::kOrderStatusInvalid);
}

}  // namespace
}  // namespace paygate
