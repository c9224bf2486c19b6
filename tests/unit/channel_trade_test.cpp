// Proves the rules for a channel's word on a trade, without a store: payments, late payments (closed, then
// paid: recorded, flagged, never refused), closes, repeats that change nothing, a wrong amount and another
// account's report refused, and the payment each decision posts.
#include <gtest/gtest.h>

#include <algorithm>

#include "domain/channel_trade.h"

namespace paygate {
namespace {

Order order_in(OrderStatus status) {
  Order order;
  order.order_id = OrderId{"20261202000000000AAAAAAAAAAAAAAA"};
  order.merchant_id = MerchantId{"mch_1"};
  order.channel_account_id = "alipay-main";
  order.amount = Money{990, Currency::kCny};
  order.status = status;
  return order;
}

// The batch moves the paid amount from the channel's receivable to the merchant's payable under code.
void expect_payment_posted(const ledger::TransferBatch& batch, ledger::TransferCode code) {
  const auto payment = std::find_if(
      batch.begin(), batch.end(), [code](const ledger::Transfer& transfer) { return transfer.code == code; });
  ASSERT_NE(payment, batch.end());
  EXPECT_EQ(payment->amount.minor, 990);
  EXPECT_EQ(payment->debit_account, ledger::channel_receivable("alipay-main"));
  EXPECT_EQ(payment->credit_account, ledger::merchant_payable("mch_1"));
}

const ledger::FeeSchedule kFees{60, 60, ledger::Rounding::kHalfUp, true};

TEST(ChannelTrade, APaymentMovesAPendingOrderAndPostsABalancedBatch) {
  const Order order = order_in(OrderStatus::kPending);
  auto decision = decide_trade(order, ChannelTradeStatus::kPaid, 990);
  ASSERT_TRUE(decision.ok());
  EXPECT_TRUE(decision->moves);
  EXPECT_EQ(decision->to, OrderStatus::kSucceeded);
  EXPECT_FALSE(decision->late_payment);
  EXPECT_EQ(decision->outbox_type, "order.succeeded");
  auto batch = trade_postings(order, *decision, kFees);
  ASSERT_TRUE(batch.ok());
  expect_payment_posted(*batch, ledger::TransferCode::kPayment);
}

TEST(ChannelTrade, APaymentForAClosedOrderIsALatePaymentNeverRefused) {
  const Order order = order_in(OrderStatus::kClosed);
  auto decision = decide_trade(order, ChannelTradeStatus::kPaid, 990);
  ASSERT_TRUE(decision.ok());
  EXPECT_TRUE(decision->moves);
  EXPECT_TRUE(decision->late_payment);
  EXPECT_EQ(decision->to, OrderStatus::kSucceeded);
  EXPECT_EQ(decision->outbox_type, "order.late_payment");
  auto batch = trade_postings(order, *decision, kFees);
  ASSERT_TRUE(batch.ok());
  expect_payment_posted(*batch, ledger::TransferCode::kLatePayment);
}

TEST(ChannelTrade, ClosesAndRepeatsAndUnclearAnswers) {
  auto close = decide_trade(order_in(OrderStatus::kPending), ChannelTradeStatus::kClosed, 0);
  ASSERT_TRUE(close.ok());
  EXPECT_TRUE(close->moves);
  EXPECT_EQ(close->to, OrderStatus::kClosed);
  EXPECT_EQ(close->outbox_type, "order.closed");
  EXPECT_TRUE(trade_postings(order_in(OrderStatus::kPending), *close, kFees)->empty());
  // Alipay says TRADE_CLOSED after a full refund: not a close of a paid order.
  for (auto status : {OrderStatus::kSucceeded, OrderStatus::kRefunded, OrderStatus::kClosed}) {
    auto decision = decide_trade(order_in(status), ChannelTradeStatus::kClosed, 0);
    ASSERT_TRUE(decision.ok());
    EXPECT_FALSE(decision->moves);
  }
  auto repeat = decide_trade(order_in(OrderStatus::kSucceeded), ChannelTradeStatus::kPaid, 990);
  ASSERT_TRUE(repeat.ok());
  EXPECT_FALSE(repeat->moves) << "a duplicate payment report changes nothing";
  for (auto status : {ChannelTradeStatus::kWaiting, ChannelTradeStatus::kNotFound}) {
    auto decision = decide_trade(order_in(OrderStatus::kPending), status, 0);
    ASSERT_TRUE(decision.ok());
    EXPECT_FALSE(decision->moves);
  }
}

TEST(ChannelTrade, AWrongAmountOrAnotherAccountIsRefused) {
  auto wrong = decide_trade(order_in(OrderStatus::kPending), ChannelTradeStatus::kPaid, 991);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidParameter);
  EXPECT_FALSE(check_trade_account(order_in(OrderStatus::kPending), "alipay-other").ok());
  EXPECT_TRUE(check_trade_account(order_in(OrderStatus::kPending), "alipay-main").ok());
  auto failed = decide_trade(order_in(OrderStatus::kFailed), ChannelTradeStatus::kPaid, 990);
  EXPECT_FALSE(failed.ok() && failed->moves) << "a failed order is not paid by a report";
}

}  // namespace
}  // namespace paygate
