// Orders on every store: creation is unique per out_trade_no (replay or conflict), transitions follow the
// domain table with compare-and-set, channel reports apply once through the inbox and move money with the
// state, and the scheduler's lists pick exactly the orders due.
#include "tests/store/store_fixture.h"

namespace paygate::test {
namespace {

using OrderCommands = StoreTest;

TEST_P(OrderCommands, CreateIsUniquePerOutTradeNoReplayingTheSameFieldsAndRefusingOthers) {
  const Order order = new_order("o-1");
  auto first = create(order);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->created);
  auto replay = create(new_order("o-1"));  // a new order id, the same fields
  ASSERT_TRUE(replay.ok());
  EXPECT_FALSE(replay->created);
  EXPECT_EQ(replay->order.order_id, order.order_id) << "the first order is returned";
  auto conflict = create(new_order("o-1", 999));
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, ErrorCode::kDuplicateOutTradeNo);
  auto found = store().find_order_by_out_trade_no(merchant_, "o-1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->order_id, order.order_id);
  EXPECT_EQ((*found)->amount.minor, 10'000);
  EXPECT_EQ((*found)->notify_url, order.notify_url);
  EXPECT_FALSE(store().find_order(other_merchant_, order.order_id)->has_value())
      << "another merchant's order does not exist for it";
  EXPECT_TRUE(store().find_order_by_id(order.order_id)->has_value());
}

TEST_P(OrderCommands, TransitionsFollowTheTableAndWriteTheirEvent) {
  const Order order = created("o-close");
  auto closed = apply(order, OrderEvent::kClose);
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  EXPECT_TRUE(closed->changed);
  EXPECT_EQ(closed->order.status, OrderStatus::kClosed);
  EXPECT_EQ(closed->order.version, 2);
  auto again = apply(order, OrderEvent::kClose);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->order.version, 2);
  auto fail = apply(order, OrderEvent::kFail);
  ASSERT_FALSE(fail.ok());
  EXPECT_EQ(fail.error().code, ErrorCode::kOrderStatusInvalid);
  auto events = events_of(order);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "order.closed");
  EXPECT_EQ(events[0].status, DeliveryStatus::kPending);
  Order unknown = new_order("never-created");
  auto missing = apply(unknown, OrderEvent::kClose);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kOrderNotFound);
}

TEST_P(OrderCommands, APaymentAppliesOnceAndPostsTheLedgerWithIt) {
  const Order order = created("o-pay");
  auto paid = report(order, "n-1", ChannelTradeStatus::kPaid);
  ASSERT_TRUE(paid.ok()) << paid.error().message;
  EXPECT_TRUE(paid->changed);
  EXPECT_EQ(paid->order.status, OrderStatus::kSucceeded);
  EXPECT_EQ(paid->order.channel_trade_no, "T" + order.order_id.value);
  EXPECT_EQ(paid->order.fees, fees_) << "the fees in force are frozen on the order";
  auto duplicate = report(order, "n-1", ChannelTradeStatus::kPaid);
  ASSERT_TRUE(duplicate.ok());
  EXPECT_TRUE(duplicate->duplicate_notify);
  EXPECT_FALSE(duplicate->changed);
  auto other_notify = report(order, "n-2", ChannelTradeStatus::kPaid);
  ASSERT_TRUE(other_notify.ok());
  EXPECT_FALSE(other_notify->changed) << "a second notify of a paid order changes nothing";
  auto transfers = store().list_transfers(merchant_, order.order_id, std::nullopt);
  ASSERT_TRUE(transfers.ok());
  std::int64_t to_merchant = 0;
  for (const StoredTransfer& t : *transfers) {
    if (t.transfer.credit_account == ledger::merchant_payable(merchant_.value))
      to_merchant += t.transfer.amount.minor;
    if (t.transfer.debit_account == ledger::merchant_payable(merchant_.value))
      to_merchant -= t.transfer.amount.minor;
  }
  EXPECT_EQ(to_merchant, 10'000 - 60) << "the payment less our 0.60% fee";
  auto balance = store().merchant_balance(merchant_);
  ASSERT_TRUE(balance.ok());
  EXPECT_EQ(balance->payable_minor, 10'000 - 60);
  auto events = events_of(order);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "order.succeeded");
  EXPECT_NE(events[0].payload.find("\"status\":\"succeeded\""), std::string::npos) << events[0].payload;
  expect_books_sound();
}

TEST_P(OrderCommands, ReportsThatDoNotFitAreRefusedAndChangeNothing) {
  const Order order = created("o-refuse");
  auto wrong_amount = report(order, "n-amount", ChannelTradeStatus::kPaid, order.amount.minor + 1);
  ASSERT_FALSE(wrong_amount.ok());
  EXPECT_EQ(wrong_amount.error().code, ErrorCode::kInvalidParameter);
  auto wrong_account = report(order, "n-account", ChannelTradeStatus::kPaid, std::nullopt, "acct-other");
  ASSERT_FALSE(wrong_account.ok());
  EXPECT_EQ(wrong_account.error().code, ErrorCode::kInvalidParameter);
  // Neither notify was recorded in the inbox: the right one with the same id still applies.
  auto right = report(order, "n-amount", ChannelTradeStatus::kPaid);
  ASSERT_TRUE(right.ok());
  EXPECT_TRUE(right->changed);
  EXPECT_EQ(events_of(order).size(), 1u);
  expect_books_sound();
}

TEST_P(OrderCommands, APaymentForAClosedOrderIsRecordedAsALatePayment) {
  const Order order = created("o-late");
  ASSERT_TRUE(apply(order, OrderEvent::kClose).ok());
  auto late = report(order, "n-late", ChannelTradeStatus::kPaid);
  ASSERT_TRUE(late.ok()) << late.error().message;
  EXPECT_TRUE(late->changed);
  EXPECT_EQ(late->order.status, OrderStatus::kSucceeded);
  EXPECT_TRUE(late->order.late_payment);
  auto to_refund = store().list_late_payments_to_refund(10);
  ASSERT_TRUE(to_refund.ok());
  ASSERT_EQ(to_refund->size(), 1u);
  EXPECT_EQ(to_refund->front().order_id, order.order_id);
  auto events = events_of(order);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].type, "order.late_payment");
  expect_books_sound();
}

TEST_P(OrderCommands, TheCashierChoiceAndThePaymentAttachmentAreRecorded) {
  Order order = new_order("o-cashier");
  order.channel.reset();
  order.method.clear();
  order.channel_account_id.clear();
  ASSERT_TRUE(create(order).ok());
  auto chosen = await<Order>([&](auto done) {
    store().choose_channel(order.order_id, Channel::kWechatpay, "native", "wx-1", done);
  });
  ASSERT_TRUE(chosen.ok()) << chosen.error().message;
  EXPECT_EQ(chosen->channel, Channel::kWechatpay);
  EXPECT_EQ(chosen->channel_account_id, "wx-1");
  auto same = await<Order>([&](auto done) {
    store().choose_channel(order.order_id, Channel::kWechatpay, "native", "wx-1", done);
  });
  EXPECT_TRUE(same.ok()) << "choosing the same channel again is a no-op";
  auto other = await<Order>(
      [&](auto done) { store().choose_channel(order.order_id, Channel::kAlipay, "qr", "acct-1", done); });
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kOrderStatusInvalid);
  auto attached = await<Order>([&](auto done) {
    store().attach_payment(PaymentAttachment{merchant_, order.order_id, "weixin://pay/1", R"({"a":1})"},
                           done);
  });
  ASSERT_TRUE(attached.ok());
  EXPECT_EQ(attached->payment_url, "weixin://pay/1");
  EXPECT_EQ(attached->payment_params_json, R"({"a":1})");
}

TEST_P(OrderCommands, ListsPageNewestFirstWithFilters) {
  std::vector<Order> orders;
  for (int i = 0; i < 5; ++i) {
    clock_.advance_ms(1);
    orders.push_back(created("o-list-" + std::to_string(i)));
  }
  ASSERT_TRUE(apply(orders[1], OrderEvent::kClose).ok());
  auto first = store().list_orders(OrderQuery{merchant_, std::nullopt, std::nullopt, std::nullopt, 2});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->orders.size(), 2u);
  EXPECT_TRUE(first->has_more);
  EXPECT_EQ(first->orders[0].order_id, orders[4].order_id);
  EXPECT_EQ(first->orders[1].order_id, orders[3].order_id);
  auto second =
      store().list_orders(OrderQuery{merchant_, std::nullopt, std::nullopt, first->orders[1].order_id, 10});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->orders.size(), 3u);
  EXPECT_FALSE(second->has_more);
  EXPECT_EQ(second->orders[2].order_id, orders[0].order_id);
  auto closed =
      store().list_orders(OrderQuery{merchant_, OrderStatus::kClosed, std::nullopt, std::nullopt, 10});
  ASSERT_TRUE(closed.ok());
  ASSERT_EQ(closed->orders.size(), 1u);
  EXPECT_EQ(closed->orders[0].order_id, orders[1].order_id);
  auto recent =
      store().list_orders(OrderQuery{merchant_, std::nullopt, orders[2].created_at_ms, std::nullopt, 10});
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(recent->orders.size(), 2u);
  auto other = store().list_orders(OrderQuery{other_merchant_, std::nullopt, std::nullopt, std::nullopt, 10});
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->orders.empty());
}

TEST_P(OrderCommands, JobsClaimExactlyTheOrdersDueAndHoldThemForTheLease) {
  auto claim_expired = [&](std::int64_t at_ms) {
    return await<std::vector<Order>>([&](auto done) {
      store().claim_expired_orders(JobClaim{"node-a", at_ms, 5'000, 10}, done);
    });
  };
  auto claim_queries = [&](std::int64_t at_ms) {
    return await<std::vector<Order>>([&](auto done) {
      store().claim_orders_to_query(JobClaim{"node-a", at_ms, 5'000, 10}, done);
    });
  };
  Order soon = new_order("o-expiring");
  soon.expires_at_ms = now() + 1'000;
  soon.next_query_at_ms = now() + 500;
  ASSERT_TRUE(create(soon).ok());
  Order later = new_order("o-later");
  later.next_query_at_ms = now() + 5'000;
  ASSERT_TRUE(create(later).ok());
  EXPECT_TRUE(claim_expired(now())->empty());
  auto to_query = claim_queries(now() + 600);
  ASSERT_TRUE(to_query.ok());
  ASSERT_EQ(to_query->size(), 1u);
  EXPECT_EQ(to_query->front().order_id, soon.order_id);
  EXPECT_EQ(to_query->front().next_query_at_ms, now() + 600 + 5'000) << "the lease is the next look";
  EXPECT_TRUE(claim_queries(now() + 600)->empty()) << "a claimed order is not handed out twice";
  auto noted = await<Order>([&](auto done) {
    store().note_order_query(OrderQueryCheck{soon.order_id, 1, now() + 10'000}, done);
  });
  ASSERT_TRUE(noted.ok());
  EXPECT_EQ(noted->query_attempts, 1);
  EXPECT_TRUE(claim_expired(now() + 1'000)->empty()) << "its next look is 10 s away";
  auto expired = claim_expired(now() + 10'000);
  ASSERT_TRUE(expired.ok());
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ(expired->front().order_id, soon.order_id);
  EXPECT_TRUE(claim_expired(now() + 10'000)->empty());
  auto again = claim_expired(now() + 15'001);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 1u) << "a lease that ran out (its node died) lets another claim it";
  auto queried = claim_queries(now() + 20'000);
  ASSERT_EQ(queried->size(), 1u) << "only the unexpired order is queried";
  EXPECT_EQ(queried->front().order_id, later.order_id);
  EXPECT_TRUE(claim_queries(now() + 20'000)->empty()) << "once per lease";
}

INSTANTIATE_TEST_SUITE_P(Stores, OrderCommands, ::testing::ValuesIn(kStoreKinds));

}  // namespace
}  // namespace paygate::test
