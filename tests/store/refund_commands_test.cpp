// Refunds on every store: the reservation never lets refunds pass the paid amount, out_refund_no is unique
// per merchant, and the channel's final word settles a refund once, with its ledger transfers, the order's
// new status and the outbox event in the same command.
#include "tests/store/store_fixture.h"

namespace paygate::test {
namespace {

using RefundCommands = StoreTest;

TEST_P(RefundCommands, RefundsReserveOnThePaidOrderAndNeverPassItsAmount) {
  const Order order = paid("o-r1");
  auto first = create_refund(new_refund(order, "r-1", 6'000));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->order.refunding_minor, 6'000);
  auto too_much = create_refund(new_refund(order, "r-2", 4'001));
  ASSERT_FALSE(too_much.ok());
  EXPECT_EQ(too_much.error().code, ErrorCode::kRefundAmountExceeded);
  auto replay = create_refund(new_refund(order, "r-1", 6'000));
  ASSERT_TRUE(replay.ok());
  EXPECT_FALSE(replay->created);
  EXPECT_EQ(replay->refund.refund_id, first->refund.refund_id);
  auto conflict = create_refund(new_refund(order, "r-1", 5'000));
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, ErrorCode::kDuplicateOutRefundNo);
  const Order unpaid = created("o-unpaid");
  auto refused = create_refund(new_refund(unpaid, "r-3", 100));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kOrderStatusInvalid);
  auto balance = store().merchant_balance(merchant_);
  ASSERT_TRUE(balance.ok());
  EXPECT_EQ(balance->refunds_pending_minor, 6'000);
  expect_books_sound();
}

TEST_P(RefundCommands, SettlementMovesMoneyOnceAndReleasesFailures) {
  const Order order = paid("o-r2");
  auto partial = create_refund(new_refund(order, "r-a", 4'000));
  auto rest = create_refund(new_refund(order, "r-b", 6'000));
  ASSERT_TRUE(partial.ok() && rest.ok());
  auto succeeded = settle(partial->refund.refund_id, RefundStatus::kSucceeded);
  ASSERT_TRUE(succeeded.ok()) << succeeded.error().message;
  EXPECT_TRUE(succeeded->changed);
  EXPECT_EQ(succeeded->order.status, OrderStatus::kPartiallyRefunded);
  EXPECT_EQ(succeeded->order.refunded_minor, 4'000);
  EXPECT_EQ(succeeded->order.refunding_minor, 6'000);
  auto again = settle(partial->refund.refund_id, RefundStatus::kSucceeded);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
  auto failed = settle(rest->refund.refund_id, RefundStatus::kFailed);
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed->changed);
  EXPECT_EQ(failed->refund.failure_code, "REFUSED");
  EXPECT_EQ(failed->order.refunding_minor, 0) << "a failed refund releases its reservation";
  auto contradiction = settle(rest->refund.refund_id, RefundStatus::kSucceeded);
  EXPECT_FALSE(contradiction.ok() && contradiction->changed) << "a final refund never flips";
  auto final_refund = create_refund(new_refund(order, "r-c", 6'000));
  ASSERT_TRUE(final_refund.ok()) << final_refund.error().message;
  auto full = settle(final_refund->refund.refund_id, RefundStatus::kSucceeded);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->order.status, OrderStatus::kRefunded);
  auto refunds = store().list_order_refunds(merchant_, order.order_id);
  ASSERT_TRUE(refunds.ok());
  EXPECT_EQ(refunds->size(), 3u);
  auto transfers = store().list_transfers(merchant_, order.order_id, partial->refund.refund_id);
  ASSERT_TRUE(transfers.ok());
  EXPECT_FALSE(transfers->empty());
  for (const StoredTransfer& t : *transfers) EXPECT_EQ(t.transfer.reference, partial->refund.refund_id.value);
  std::vector<std::string> types;
  for (const OutboxEvent& e : events_of(order)) types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<std::string>{"order.succeeded", "refund.succeeded", "refund.failed",
                                             "refund.succeeded"}));
  expect_books_sound();
}

TEST_P(RefundCommands, ANotifyIsAppliedOnceAndChecksAreScheduled) {
  const Order order = paid("o-r3");
  auto refund = create_refund(new_refund(order, "r-n", 1'000));
  ASSERT_TRUE(refund.ok());
  auto claim = [&](std::int64_t at_ms) {
    return await<std::vector<Refund>>([&](auto done) {
      store().claim_due_refunds(JobClaim{"node-a", at_ms, 30'000, 10}, done);
    });
  };
  EXPECT_TRUE(claim(now())->empty());
  auto due = claim(now() + 1'000);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_TRUE(claim(now() + 1'000)->empty()) << "claimed: held for its lease";
  auto noted = await<Refund>([&](auto done) {
    store().note_refund_check(RefundCheck{refund->refund.refund_id, 1, now() + 60'000}, done);
  });
  ASSERT_TRUE(noted.ok());
  EXPECT_EQ(noted->channel_attempts, 1);
  EXPECT_TRUE(claim(now() + 59'000)->empty());
  EXPECT_EQ(claim(now() + 60'000)->size(), 1u);
  const ReceivedNotify notify{Channel::kWechatpay, "refund-notify-1", "acct-1", "{}"};
  auto first = settle(refund->refund.refund_id, RefundStatus::kSucceeded, notify);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->changed);
  auto repeat = settle(refund->refund.refund_id, RefundStatus::kFailed, notify);
  ASSERT_TRUE(repeat.ok());
  EXPECT_FALSE(repeat->changed) << "the same notify again changes nothing";
  EXPECT_EQ(repeat->refund.status, RefundStatus::kSucceeded);
  auto unknown = settle(RefundId{"R" + order.order_id.value}, RefundStatus::kSucceeded);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kRefundNotFound);
  auto by_no = store().find_refund_by_out_refund_no(merchant_, "r-n");
  ASSERT_TRUE(by_no.ok() && by_no->has_value());
  EXPECT_EQ((*by_no)->status, RefundStatus::kSucceeded);
  EXPECT_FALSE(store().find_refund(other_merchant_, refund->refund.refund_id)->has_value());
  expect_books_sound();
}

INSTANTIATE_TEST_SUITE_P(Stores, RefundCommands, ::testing::ValuesIn(kStoreKinds));

}  // namespace
}  // namespace paygate::test
