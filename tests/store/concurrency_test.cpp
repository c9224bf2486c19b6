// Commands racing on one order or one key, many in flight at once: exactly one wins each race, nothing is
// applied twice, refunds never pass the amount, and the books stay sound. On SQLite the single writer
// serialises them; on PostgreSQL row locks, ON CONFLICT and re-run transactions must.
#include <atomic>
#include <future>
#include <set>

#include "tests/store/store_fixture.h"

namespace paygate::test {
namespace {

using Concurrency = StoreTest;

// Starts every command at once and waits for all of them.
template <class T, class Start>
std::vector<Result<T>> all_at_once(int count, Start start) {
  std::vector<std::shared_ptr<std::promise<Result<T>>>> promises;
  std::vector<std::future<Result<T>>> futures;
  for (int i = 0; i < count; ++i) {
    promises.push_back(std::make_shared<std::promise<Result<T>>>());
    futures.push_back(promises.back()->get_future());
  }
  for (int i = 0; i < count; ++i) {
    auto promise = promises[i];
    start(i, [promise](Result<T> result) { promise->set_value(std::move(result)); });
  }
  std::vector<Result<T>> results;
  for (auto& future : futures) results.push_back(future.get());
  return results;
}

TEST_P(Concurrency, OneOrderPerOutTradeNoHoweverManyRaceForIt) {
  const auto results = all_at_once<CreatedOrder>(
      40, [&](int i, auto done) { store().create_order(new_order("race-" + std::to_string(i % 4)), done); });
  int created = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.error().message;
    created += result->created ? 1 : 0;
  }
  EXPECT_EQ(created, 4);
  auto page = store().list_orders(OrderQuery{merchant_, std::nullopt, std::nullopt, std::nullopt, 100});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->orders.size(), 4u);
}

TEST_P(Concurrency, RacingNotifiesPayAnOrderOnce) {
  std::vector<Order> orders;
  for (int i = 0; i < 5; ++i) orders.push_back(created("n-race-" + std::to_string(i)));
  const auto results = all_at_once<ChannelTradeOutcome>(50, [&](int i, auto done) {
    const Order& order = orders[i % 5];
    ChannelTradeReport report{"notify-" + std::to_string(i), order.order_id,
                              ChannelTradeStatus::kPaid,     order.amount.minor,
                              "T" + order.order_id.value,    now()};
    store().apply_channel_event(
        ChannelTradeEvent{Channel::kAlipay, order.channel_account_id, report, "raw", now(), fees_}, done);
  });
  int changed = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.error().message;
    changed += result->changed ? 1 : 0;
  }
  EXPECT_EQ(changed, 5) << "each order moved once";
  for (const Order& order : orders) EXPECT_EQ(events_of(order).size(), 1u);
  auto balance = store().merchant_balance(merchant_);
  ASSERT_TRUE(balance.ok());
  EXPECT_EQ(balance->payable_minor, 5 * (10'000 - 60));
  expect_books_sound();
}

TEST_P(Concurrency, RacingRefundsNeverPassThePaidAmount) {
  const Order order = paid("refund-race", 10'000);
  const auto results = all_at_once<CreatedRefund>(30, [&](int i, auto done) {
    store().create_refund(new_refund(order, "rr-" + std::to_string(i), 700), done);
  });
  int created = 0;
  for (const auto& result : results) {
    if (result.ok()) {
      created += result->created ? 1 : 0;
    } else {
      EXPECT_EQ(result.error().code, ErrorCode::kRefundAmountExceeded) << result.error().message;
    }
  }
  EXPECT_EQ(created, 14) << "14 × 7.00 fit in 100.00, a 15th does not";
  auto refunds = store().list_order_refunds(merchant_, order.order_id);
  ASSERT_TRUE(refunds.ok());
  ASSERT_EQ(refunds->size(), 14u);
  const auto settled = all_at_once<RefundOutcome>(28, [&](int i, auto done) {
    store().settle_refund(
        RefundSettlement{(*refunds)[i % 14].refund_id, RefundStatus::kSucceeded, "", "", now()}, done);
  });
  int changed = 0;
  for (const auto& result : settled) {
    ASSERT_TRUE(result.ok()) << result.error().message;
    changed += result->changed ? 1 : 0;
  }
  EXPECT_EQ(changed, 14) << "each refund settled once";
  auto stored = store().find_order_by_id(order.order_id);
  EXPECT_EQ((*stored)->refunded_minor, 9'800);
  EXPECT_EQ((*stored)->refunding_minor, 0);
  expect_books_sound();
}

TEST_P(Concurrency, ManyPostingsToOneHotAccountAllLandAndBalance) {
  const std::string hot = "revenue:fees";
  const auto results = all_at_once<std::int64_t>(200, [&](int i, auto done) {
    store().post_transfers(
        LedgerPostingCommand{
            {ledger::Transfer{"asset:channel_receivable:hot", hot, Money{1 + i % 7, Currency::kCny},
                              ledger::TransferCode::kReversal, "p-" + std::to_string(i)}},
            now()},
        done);
  });
  std::int64_t expected = 0;
  for (int i = 0; i < 200; ++i) expected += 1 + i % 7;
  for (const auto& result : results) ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(sut_->balances()[hot], -expected);
  auto accounts = store().list_ledger_accounts();
  ASSERT_TRUE(accounts.ok());
  bool seen = false;
  for (const LedgerAccountRow& account : *accounts) {
    if (account.code != hot) continue;
    seen = true;
    EXPECT_EQ(account.credits_posted, expected);
  }
  EXPECT_TRUE(seen);
  expect_books_sound();
}

TEST_P(Concurrency, AcknowledgedWritesSurviveAReopen) {
  const auto results = all_at_once<CreatedOrder>(
      20, [&](int i, auto done) { store().create_order(new_order("durable-" + std::to_string(i)), done); });
  for (const auto& result : results) ASSERT_TRUE(result.ok());
  sut_->reopen();
  for (const auto& result : results)
    EXPECT_TRUE(store().find_order_by_id(result->order.order_id)->has_value())
        << result->order.order_id.value;
}

TEST_P(Concurrency, TwoNodesClaimingTogetherNeverTakeTheSameWork) {
  std::vector<Order> orders;
  for (int i = 0; i < 60; ++i) {
    Order order = new_order("claim-" + std::to_string(i));
    order.expires_at_ms = now() - 1;  // all of them due for expiry
    ASSERT_TRUE(create(order).ok());
    orders.push_back(order);
  }
  Store* nodes[] = {&store(), &sut_->second_node()};
  const auto claims = all_at_once<std::vector<Order>>(12, [&](int i, auto done) {
    nodes[i % 2]->claim_expired_orders(JobClaim{i % 2 ? "node-b" : "node-a", now(), 60'000, 7}, done);
  });
  std::set<std::string> claimed;
  std::size_t total = 0;
  for (const auto& claim : claims) {
    ASSERT_TRUE(claim.ok()) << claim.error().message;
    for (const Order& order : *claim) claimed.insert(order.order_id.value);
    total += claim->size();
  }
  EXPECT_EQ(total, claimed.size()) << "no order was handed to two claims";
  EXPECT_EQ(total, 60u) << "12 claims of 7 cover all 60 orders";
}

INSTANTIATE_TEST_SUITE_P(Stores, Concurrency, ::testing::ValuesIn(kStoreKinds));

}  // namespace
}  // namespace paygate::test
